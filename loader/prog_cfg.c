// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time constants of a running vfwd program, read back from the
 * kernel.  Each uplink and each guest port loads its own instance of the
 * object with its own .rodata (bpf/vfwd_cfg.bpf.h), so these say which
 * port an attached program was loaded for.  Only the loader knows the
 * skeleton's .rodata layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "vfwd_loader.h"

/* A vfwd program uses the pinned maps plus its .rodata: room to spare. */
#define PROG_CFG_MAX_MAPS 16
/* libbpf names an object's internal maps "<object>.rodata" (the object
 * name cut to fit the kernel's 15 characters). */
#define RODATA_SUFFIX ".rodata"

static bool is_rodata(const struct bpf_map_info *m)
{
	size_t len = strnlen(m->name, sizeof(m->name));
	size_t slen = strlen(RODATA_SUFFIX);

	return len > slen && !strcmp(m->name + len - slen, RODATA_SUFFIX) &&
	       m->key_size == sizeof(__u32) && m->max_entries == 1 &&
	       m->value_size >= sizeof(struct vfwd_bpf__rodata);
}

/* Read the vfwd .rodata map mfd into *cfg; -ENOENT when it is not one. */
static int read_rodata(int mfd, struct vfwd_prog_cfg *cfg)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	struct vfwd_bpf__rodata ro;
	char *val;
	int err = 0;

	if (bpf_obj_get_info_by_fd(mfd, &info, &len))
		return -errno;
	if (!is_rodata(&info))
		return -ENOENT;
	val = calloc(1, info.value_size);
	if (!val)
		return -ENOMEM;
	if (bpf_map_lookup_elem(mfd, &key, val)) {
		err = -errno;
		goto out;
	}
	memcpy(&ro, val, sizeof(ro));
	cfg->uplink_port = ro.cfg_uplink_port;
	cfg->bum_flood = ro.cfg_bum_flood;
	cfg->generic = ro.cfg_generic;
	cfg->port_id = ro.cfg_port_id;
out:
	free(val);
	return err;
}

int vfwd_prog_cfg(__u32 prog_id, struct vfwd_prog_cfg *cfg)
{
	struct bpf_prog_info info = {};
	__u32 ids[PROG_CFG_MAX_MAPS], len = sizeof(info), n;
	int fd, mfd, err = -ENOENT;

	memset(cfg, 0, sizeof(*cfg));
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	info.nr_map_ids = PROG_CFG_MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	n = info.nr_map_ids < PROG_CFG_MAX_MAPS ? info.nr_map_ids
						: PROG_CFG_MAX_MAPS;
	for (__u32 i = 0; i < n && err == -ENOENT; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0) {
			err = -errno;
			break;
		}
		err = read_rodata(mfd, cfg);
		close(mfd);
	}
out:
	close(fd);
	return err;
}
