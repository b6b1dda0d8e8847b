// SPDX-License-Identifier: GPL-2.0
/* Loading, attaching, hot-replacing and detaching vfwd_uplink. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd_maps_v3.h"
#include "vfwd.skel.h"
#include "vfwd_loader.h"
#include "skel.h"

#define UPLINK_PROG_NAME "vfwd_uplink"
/* vfwd_uplink uses five maps plus .rodata; room to spare. */
#define VFWD_PROG_MAX_MAPS 16

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static int print_libxdp(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

void vfwd_set_verbose(bool v)
{
	verbose = v;
	libbpf_set_print(print_libbpf);
	libxdp_set_print(print_libxdp);
}

const char *vfwd_xdp_mode_str(enum vfwd_xdp_mode mode)
{
	switch (mode) {
	case VFWD_XDP_MODE_NATIVE:
		return "native";
	case VFWD_XDP_MODE_SKB:
		return "skb";
	default:
		return "none";
	}
}

static __u32 mode_flags(enum vfwd_xdp_mode mode)
{
	return mode == VFWD_XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE
					 : XDP_FLAGS_DRV_MODE;
}

/* libxdp understands both a plain ("legacy") attachment and its own
 * multi-program dispatcher, so one query tells vfwd whether the hook is
 * free, holds vfwd, or holds somebody else's program(s). */
/* Several vfwd installations (different --pin-path) can coexist on a
 * host; a vfwd_uplink is "ours" only if it uses the MAC table pinned in
 * our pin directory under name. */
static bool prog_uses_pin(__u32 prog_id, const char *pin_dir, const char *name)
{
	struct bpf_map_info minfo = {};
	struct bpf_prog_info info = {};
	__u32 ids[VFWD_PROG_MAX_MAPS];
	__u32 len = sizeof(minfo), n;
	char path[PATH_MAX];
	bool found = false;
	int fd, mfd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	mfd = bpf_obj_get(path);
	if (mfd < 0)
		return false;
	if (bpf_obj_get_info_by_fd(mfd, &minfo, &len))
		goto out_map;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		goto out_map;
	info.nr_map_ids = VFWD_PROG_MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
		n = info.nr_map_ids < VFWD_PROG_MAX_MAPS ? info.nr_map_ids
							 : VFWD_PROG_MAX_MAPS;
		for (__u32 i = 0; i < n; i++)
			found |= ids[i] == minfo.id;
	}
	close(fd);
out_map:
	close(mfd);
	return found;
}

bool vfwd_prog_uses_pins(__u32 prog_id, const char *pin_dir)
{
	/* The previous schema's table is pinned only until an upgrade
	 * has swapped every program that uses it (lib/upgrade.c). */
	return prog_uses_pin(prog_id, pin_dir, VFWD_MAP_MACS) ||
	       prog_uses_pin(prog_id, pin_dir, VFWD_V3_MAP_MACS);
}

int vfwd_xdp_query(__u32 ifindex, const char *pin_dir,
		   struct vfwd_xdp_state *st)
{
	struct xdp_multiprog *mp;
	struct xdp_program *main;
	int err;

	memset(st, 0, sizeof(*st));
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;

	switch (xdp_multiprog__attach_mode(mp)) {
	case XDP_MODE_NATIVE:
		st->mode = VFWD_XDP_MODE_NATIVE;
		break;
	case XDP_MODE_SKB:
		st->mode = VFWD_XDP_MODE_SKB;
		break;
	default:
		st->mode = VFWD_XDP_MODE_NONE;
		break;
	}
	main = xdp_multiprog__main_prog(mp);
	if (main) {
		st->prog_id = xdp_program__id(main);
		snprintf(st->prog_name, sizeof(st->prog_name), "%s",
			 xdp_program__name(main));
	}
	st->nprogs = xdp_multiprog__is_legacy(mp)
			     ? (main != NULL)
			     : xdp_multiprog__program_count(mp);
	st->is_vfwd = xdp_multiprog__is_legacy(mp) && st->prog_id &&
		      strcmp(st->prog_name, UPLINK_PROG_NAME) == 0;
	st->ours = st->is_vfwd && vfwd_prog_uses_pins(st->prog_id, pin_dir);
	xdp_multiprog__close(mp);
	return 0;
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int vfwd_uplink_attach(const char *pin_dir, __u32 ifindex, __u32 port_id,
		       enum vfwd_xdp_mode mode, bool bum_flood, bool *replaced,
		       __u32 *prog_id, char *errbuf, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	struct vfwd_xdp_state cur;
	struct vfwd_bpf *skel;
	__u32 flags = mode_flags(mode);
	char ifname[IF_NAMESIZE];
	int old_fd = -1, err;

	*replaced = false;
	if (!if_indextoname(ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "#%u", ifindex);
	err = vfwd_xdp_query(ifindex, pin_dir, &cur);
	if (err) {
		snprintf(errbuf, errlen, "cannot query its XDP hook: %s",
			 strerror(-err));
		return err;
	}
	if (cur.is_vfwd && !cur.ours) {
		snprintf(
			errbuf, errlen,
			"it is served by another vfwd installation (prog id %u uses tables outside %s); use that --pin-path",
			cur.prog_id, pin_dir);
		return -EBUSY;
	}
	if (cur.prog_id && !cur.ours) {
		snprintf(
			errbuf, errlen,
			"it already runs XDP program '%s' (id %u, %d program%s) that is not vfwd's; remove it first (ip link set dev %s xdp off)",
			cur.prog_name, cur.prog_id, cur.nprogs,
			cur.nprogs == 1 ? "" : "s", ifname);
		return -EBUSY;
	}
	if (cur.prog_id && cur.mode != mode) {
		snprintf(
			errbuf, errlen,
			"vfwd is attached in %s mode; run 'vfwd detach' first to change the mode",
			vfwd_xdp_mode_str(cur.mode));
		return -EBUSY;
	}

	skel = vfwd_skel_open_msg(pin_dir, &err, errbuf, errlen);
	if (!skel)
		return err;
	skel->rodata->cfg_uplink_port = port_id;
	skel->rodata->cfg_bum_flood = bum_flood;
	skel->rodata->cfg_generic = mode == VFWD_XDP_MODE_SKB;
	bpf_program__set_autoload(skel->progs.vfwd_uplink, true);
	err = vfwd_skel_load_msg(skel, pin_dir, "vfwd_uplink", errbuf, errlen);
	if (err)
		goto out;

	if (cur.prog_id) {
		/* XDP_FLAGS_REPLACE swaps the program in one RCU update and
		 * fails if someone changed the hook since we looked. */
		old_fd = bpf_prog_get_fd_by_id(cur.prog_id);
		if (old_fd < 0) {
			err = -errno;
			snprintf(errbuf, errlen,
				 "cannot open the running program %u: %s",
				 cur.prog_id, strerror(-err));
			goto out;
		}
		opts.old_prog_fd = old_fd;
		flags |= XDP_FLAGS_REPLACE;
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.vfwd_uplink),
			     flags, &opts);
	if (err) {
		snprintf(
			errbuf, errlen, "cannot attach in %s mode: %s%s",
			vfwd_xdp_mode_str(mode), strerror(-err),
			mode == VFWD_XDP_MODE_NATIVE
				? " (the driver may lack native XDP; try --mode skb)"
				: "");
		goto out;
	}
	*replaced = cur.prog_id != 0;
	*prog_id = prog_id_of(bpf_program__fd(skel->progs.vfwd_uplink));
out:
	if (old_fd >= 0)
		close(old_fd);
	/* The attachment holds its own reference to the program; the maps
	 * stay pinned.  Nothing else needs to outlive this process. */
	vfwd_bpf__destroy(skel);
	return err;
}

int vfwd_uplink_detach(__u32 ifindex, enum vfwd_xdp_mode mode, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int fd, err;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	/* Only remove the program we were told about, never a newer one. */
	opts.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, mode_flags(mode) | XDP_FLAGS_REPLACE,
			     &opts);
	close(fd);
	return err;
}
