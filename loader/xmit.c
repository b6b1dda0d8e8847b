// SPDX-License-Identifier: GPL-2.0
/*
 * The post-redirect drop counter (bpf/vfwd_xmit.bpf.h): attached with its
 * link pinned beside the tables, its map reached through that link.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "skel.h"
#include "vfwd_loader.h"

/* Maps a program may use: vfwd_xmit_trace uses one. */
#define XMIT_PROG_MAPS 8

/* The two counters: each a program with its link pinned under a name. */
struct xmit_link {
	const char *pin; /* file name under the pin directory */
	const char *tp; /* the tracepoint, for messages */
};
static const struct xmit_link links[] = {
	[VFWD_XMIT_DEVICES] = {VFWD_LINK_XMIT, "xdp:xdp_devmap_xmit"},
	[VFWD_XMIT_CPUMAP] = {VFWD_LINK_CPUMAP, "xdp:xdp_cpumap_enqueue"},
};

static void link_path(const char *pin_dir, enum vfwd_xmit_which w, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/%s", pin_dir, links[w].pin);
}

static struct bpf_program *link_prog(struct vfwd_bpf *skel,
				     enum vfwd_xmit_which w)
{
	return w == VFWD_XMIT_DEVICES ? skel->progs.vfwd_xmit_trace
				      : skel->progs.vfwd_cpumap_trace;
}

static bool linked(const char *pin_dir, enum vfwd_xmit_which w)
{
	char path[PATH_MAX];
	int fd;

	link_path(pin_dir, w, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	close(fd); /* counting already: keep its counters */
	return true;
}

/* The id of the pinned CPUMAP, for the filter of vfwd_cpumap_trace
 * (the skeleton reuses the pin only when it loads). */
static int cpumap_id(const char *pin_dir, __u32 *id)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_MAP_CPU);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		ret = -errno;
	*id = mi.id;
	close(fd);
	return ret;
}

int vfwd_xmit_ensure(const char *pin_dir, char *err, size_t errlen)
{
	bool need[] = {!linked(pin_dir, VFWD_XMIT_DEVICES),
		       !linked(pin_dir, VFWD_XMIT_CPUMAP)};
	char path[PATH_MAX];
	struct bpf_link *link;
	struct vfwd_bpf *skel;
	int ret = 0;

	if (!need[VFWD_XMIT_DEVICES] && !need[VFWD_XMIT_CPUMAP])
		return 0;
	skel = vfwd_skel_open_msg(pin_dir, &ret, err, errlen);
	if (!skel)
		return ret;
	/* Loaded together, the two share one map of counters. */
	for (int w = 0; w < VFWD_XMIT_COUNT; w++)
		bpf_program__set_autoload(link_prog(skel, w), need[w]);
	if (need[VFWD_XMIT_CPUMAP]) {
		ret = cpumap_id(pin_dir, &skel->rodata->cfg_cpumap_id);
		if (ret) {
			snprintf(
				err, errlen,
				"vfwd_cpumap_trace: cannot find vfwd's CPUMAP: %s",
				strerror(-ret));
			goto out;
		}
	}
	ret = vfwd_skel_load_msg(skel, pin_dir, "vfwd_xmit_trace", err, errlen);
	for (int w = 0; !ret && w < VFWD_XMIT_COUNT; w++) {
		if (!need[w])
			continue;
		link = bpf_program__attach(link_prog(skel, w));
		if (!link) {
			ret = -errno;
			snprintf(err, errlen, "cannot attach %s to %s: %s",
				 bpf_program__name(link_prog(skel, w)),
				 links[w].tp, strerror(-ret));
			break;
		}
		/* Published by its pin: a kill before it closes the link
		 * with the process, and nothing is left. */
		link_path(pin_dir, w, path, sizeof(path));
		ret = bpf_link__pin(link, path);
		if (ret)
			snprintf(err, errlen,
				 "cannot pin the link of %s at %s: %s",
				 bpf_program__name(link_prog(skel, w)), path,
				 strerror(-ret));
		bpf_link__destroy(link);
	}
out:
	vfwd_bpf__destroy(skel);
	return ret;
}

int vfwd_xmit_map_open(const char *pin_dir, enum vfwd_xmit_which w)
{
	struct bpf_link_info li = {};
	struct bpf_prog_info pi = {};
	struct bpf_map_info mi = {};
	__u32 ids[XMIT_PROG_MAPS], len;
	char path[PATH_MAX];
	int lfd, pfd, mfd, ret = -ENOENT;

	link_path(pin_dir, w, path, sizeof(path));
	lfd = bpf_obj_get(path);
	if (lfd < 0)
		return -errno;
	len = sizeof(li);
	if (bpf_obj_get_info_by_fd(lfd, &li, &len)) {
		ret = -errno;
		goto out_link;
	}
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0) {
		ret = -errno;
		goto out_link;
	}
	pi.nr_map_ids = XMIT_PROG_MAPS;
	pi.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
		ret = -errno;
		goto out_prog;
	}
	for (__u32 i = 0; i < pi.nr_map_ids && i < XMIT_PROG_MAPS; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		len = sizeof(mi);
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &len) &&
		    !strcmp(mi.name, VFWD_MAP_XMIT) &&
		    mi.value_size == sizeof(struct vfwd_xmit_ctr)) {
			ret = mfd;
			break;
		}
		close(mfd);
	}
out_prog:
	close(pfd);
out_link:
	close(lfd);
	return ret;
}

int vfwd_xmit_read(int map_fd, __u32 key, struct vfwd_xmit_ctr *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	struct vfwd_xmit_ctr *v;

	if (ncpus < 0)
		return ncpus;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(map_fd, &key, v)) {
		free(v);
		/* Never transmitted to since counting began: nothing lost. */
		return errno == ENOENT ? 0 : -errno;
	}
	for (int i = 0; i < ncpus; i++) {
		sum->sent += v[i].sent;
		sum->drops += v[i].drops;
	}
	free(v);
	return 0;
}
