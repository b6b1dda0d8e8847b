// SPDX-License-Identifier: GPL-2.0
/* Opening, checking and unpinning the pinned vfwd maps. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_tables.h"

struct map_spec {
	const char *name;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	size_t fd_off;
};

#define SPEC(n, ty, k, v, max, field)                                          \
	{                                                                      \
		n, ty, sizeof(k), sizeof(v), max,                              \
			offsetof(struct vfwd_tables, field)                    \
	}

static const struct map_spec specs[] = {
	/* The live MAC table inside it is checked by the kernel, against
	 * the template it was created with. */
	SPEC(VFWD_MAP_MACS, BPF_MAP_TYPE_ARRAY_OF_MAPS, __u32, __u32,
	     VFWD_MAC_SLOTS, macs_fd),
	SPEC(VFWD_MAP_INTENT, BPF_MAP_TYPE_ARRAY, __u32, struct vfwd_intent, 1,
	     intent_fd),
	SPEC(VFWD_MAP_PORT, BPF_MAP_TYPE_ARRAY, __u32, struct vfwd_port,
	     VFWD_MAX_PORTS, port_fd),
	SPEC(VFWD_MAP_TX, BPF_MAP_TYPE_DEVMAP_HASH, __u32,
	     struct bpf_devmap_val, VFWD_MAX_PORTS, tx_fd),
	SPEC(VFWD_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, __u32,
	     struct vfwd_port_stats, VFWD_MAX_PORTS, stats_fd),
	SPEC(VFWD_MAP_REASON, BPF_MAP_TYPE_PERCPU_ARRAY, __u32,
	     struct vfwd_reason_ctr, VFWD_REASON_SLOTS, reason_fd),
	SPEC(VFWD_MAP_FLOOD, BPF_MAP_TYPE_DEVMAP_HASH, __u32,
	     struct bpf_devmap_val, VFWD_MAX_PORTS, flood_fd),
	SPEC(VFWD_MAP_VLAN, BPF_MAP_TYPE_HASH, __u32, struct vfwd_flood_group,
	     VFWD_VID_MAX + 1, vlan_fd),
	/* One slot per possible CPU (bpf/vfwd_maps.bpf.h). */
	SPEC(VFWD_MAP_CPU, BPF_MAP_TYPE_CPUMAP, __u32, struct bpf_cpumap_val,
	     VFWD_MAX_IS_CPUS, cpu_fd),
	SPEC(VFWD_MAP_XSK, BPF_MAP_TYPE_XSKMAP, __u32, __u32, VFWD_XSK_SLOTS,
	     xsk_fd),
	SPEC(VFWD_MAP_XSTAT, BPF_MAP_TYPE_ARRAY, __u32, struct vfwd_xsk_stats,
	     VFWD_MAX_PORTS, xstat_fd),
	SPEC(VFWD_MAP_RELAY, BPF_MAP_TYPE_ARRAY, __u32, struct vfwd_relay, 1,
	     relay_fd),
	SPEC(VFWD_MAP_XRELAY, BPF_MAP_TYPE_XSKMAP, __u32, __u32, VFWD_MAX_PORTS,
	     xrelay_fd),
};

const char *const vfwd_map_names[] = {
	VFWD_MAP_MACS,	 VFWD_MAP_INTENT,
	VFWD_MAP_PORT,	 VFWD_MAP_TX,
	VFWD_MAP_STATS,	 VFWD_MAP_REASON,
	VFWD_MAP_FLOOD,	 VFWD_MAP_VLAN,
	VFWD_MAP_CPU,	 VFWD_MAP_XSK,
	VFWD_MAP_XSTAT,	 VFWD_MAP_RELAY,
	VFWD_MAP_XRELAY, NULL,
};

static int *spec_fd(struct vfwd_tables *t, const struct map_spec *s)
{
	return (int *)((char *)t + s->fd_off);
}

int vfwd_map_check(int fd, const char *path, __u32 type, __u32 key_size,
		   __u32 value_size, __u32 max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), max = max_entries;
	int ncpus;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (max == VFWD_MAX_IS_CPUS) {
		ncpus = libbpf_num_possible_cpus();
		if (ncpus < 0)
			return ncpus;
		max = ncpus;
	}
	if (info.type != type || info.key_size != key_size ||
	    info.value_size != value_size || info.max_entries != max) {
		fprintf(stderr,
			"vfwd: map %s: layout differs from this build (type %u key %u value %u max %u); it was made by another vfwd version\n",
			path, info.type, info.key_size, info.value_size,
			info.max_entries);
		return -EPROTO;
	}
	return 0;
}

static int check_map(int fd, const struct map_spec *s, const char *path)
{
	return vfwd_map_check(fd, path, s->type, s->key_size, s->value_size,
			      s->max_entries);
}

void vfwd_tables_close(struct vfwd_tables *t)
{
	if (t->mac_fd >= 0)
		close(t->mac_fd);
	t->mac_fd = -1;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int *fd = spec_fd(t, &specs[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int vfwd_tables_open(struct vfwd_tables *t, const char *pin_dir)
{
	char path[PATH_MAX];
	int err;

	t->mac_fd = -1;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		*spec_fd(t, &specs[i]) = -1;

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct map_spec *s = &specs[i];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", pin_dir, s->name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			goto fail;
		}
		*spec_fd(t, s) = fd;
		err = check_map(fd, s, path);
		if (err)
			goto fail;
	}
	/* Maps are created with their live MAC table in place (loader/
	 * skel.c), so an empty slot is not state this build made. */
	t->mac_fd = vfwd_mac_table_live(t->macs_fd);
	if (t->mac_fd < 0) {
		err = t->mac_fd;
		goto fail;
	}
	return 0;
fail:
	vfwd_tables_close(t);
	return err;
}

int vfwd_tables_pins(const char *pin_dir, int *present)
{
	char path[PATH_MAX];
	int n = sizeof(specs) / sizeof(specs[0]);

	*present = 0;
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, specs[i].name);
		*present += access(path, F_OK) == 0;
	}
	return n;
}

int vfwd_tables_unpin_pins(const char *pin_dir)
{
	size_t n = sizeof(specs) / sizeof(specs[0]);
	char path[PATH_MAX];
	int err = 0;

	/* The drop counters' links first: they only observe. */
	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_LINK_XMIT);
	if (unlink(path) && errno != ENOENT)
		err = -errno;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_LINK_CPUMAP);
	if (unlink(path) && errno != ENOENT && !err)
		err = -errno;
	/* The journal goes last, the reverse of how the maps are made
	 * (loader/skel.c): while any pin is left, so is the journal that
	 * says why, and the next command can finish the removal. */
	for (size_t i = n; i-- > 0;) {
		if (strcmp(specs[i].name, VFWD_MAP_INTENT) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, specs[i].name);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_MAP_INTENT);
	if (unlink(path) && errno != ENOENT && !err)
		err = -errno;
	return err;
}

int vfwd_tables_unpin(const char *pin_dir)
{
	int err = vfwd_tables_unpin_pins(pin_dir);

	if (rmdir(pin_dir) && errno != ENOENT && !err)
		err = -errno;
	return err;
}
