// SPDX-License-Identifier: GPL-2.0
/*
 * The previous schema's tables: opened and checked by name and layout
 * (maps/vfwd_maps_v3.h), copied into this schema's, and unpinned.  The
 * order of the upgrade around these steps, and what a kill between them
 * leaves, is lib/upgrade.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_upgrade.h"

struct prev_spec {
	const char *name;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	size_t fd_off;
};

#define PREV(n, ty, k, v, max, field)                                          \
	{                                                                      \
		n, ty, k, v, max, offsetof(struct vfwd_prev_tables, field)     \
	}

/* v3's maps as its bpf/vfwd_maps.bpf.h made them.  The journal comes
 * last: vfwd_prev_unpin removes them in this order. */
static const struct prev_spec specs[] = {
	PREV(VFWD_V3_MAP_MACS, BPF_MAP_TYPE_ARRAY_OF_MAPS, sizeof(__u32),
	     sizeof(__u32), VFWD_MAC_SLOTS, macs_fd),
	PREV(VFWD_V3_MAP_PORT, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
	     VFWD_V3_PORT_SIZE, VFWD_V3_MAX_PORTS, port_fd),
	PREV(VFWD_V3_MAP_TX, BPF_MAP_TYPE_DEVMAP_HASH, sizeof(__u32),
	     sizeof(struct bpf_devmap_val), VFWD_V3_MAX_PORTS, tx_fd),
	PREV(VFWD_V3_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
	     VFWD_V3_STATS_SIZE, VFWD_V3_MAX_PORTS, stats_fd),
	PREV(VFWD_V3_MAP_REASON, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
	     VFWD_V3_REASON_SIZE, VFWD_V3_REASON_SLOTS, reason_fd),
	PREV(VFWD_V3_MAP_FLOOD, BPF_MAP_TYPE_DEVMAP_HASH, sizeof(__u32),
	     sizeof(struct bpf_devmap_val), VFWD_V3_MAX_PORTS, flood_fd),
	PREV(VFWD_V3_MAP_VLAN, BPF_MAP_TYPE_HASH, sizeof(__u32),
	     sizeof(struct vfwd_flood_group), VFWD_VID_MAX + 1, vlan_fd),
	PREV(VFWD_V3_MAP_CPU, BPF_MAP_TYPE_CPUMAP, sizeof(__u32),
	     sizeof(struct bpf_cpumap_val), VFWD_MAX_IS_CPUS, cpu_fd),
	PREV(VFWD_V3_MAP_INTENT, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
	     VFWD_V3_INTENT_SIZE, 1, intent_fd),
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static int *spec_fd(struct vfwd_prev_tables *p, const struct prev_spec *s)
{
	return (int *)((char *)p + s->fd_off);
}

int vfwd_prev_pins(const char *pin_dir, int *present)
{
	char path[PATH_MAX];

	*present = 0;
	for (size_t i = 0; i < NSPECS; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, specs[i].name);
		*present += access(path, F_OK) == 0;
	}
	return NSPECS;
}

void vfwd_prev_close(struct vfwd_prev_tables *p)
{
	if (p->mac_fd >= 0)
		close(p->mac_fd);
	p->mac_fd = -1;
	for (size_t i = 0; i < NSPECS; i++) {
		int *fd = spec_fd(p, &specs[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int vfwd_prev_open(struct vfwd_prev_tables *p, const char *pin_dir)
{
	char path[PATH_MAX];
	int err;

	p->mac_fd = -1;
	for (size_t i = 0; i < NSPECS; i++)
		*spec_fd(p, &specs[i]) = -1;
	for (size_t i = 0; i < NSPECS; i++) {
		const struct prev_spec *s = &specs[i];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", pin_dir, s->name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			goto fail;
		}
		*spec_fd(p, s) = fd;
		err = vfwd_map_check(fd, path, s->type, s->key_size,
				     s->value_size, s->max_entries);
		if (err)
			goto fail;
	}
	/* v3 kept its live table in the same kind of slot as v4 does. */
	p->mac_fd = vfwd_mac_table_live(p->macs_fd);
	if (p->mac_fd < 0) {
		err = p->mac_fd;
		goto fail;
	}
	return 0;
fail:
	vfwd_prev_close(p);
	return err;
}

int vfwd_prev_intent(const struct vfwd_prev_tables *p, struct vfwd_intent *in)
{
	__u32 slot = 0;

	if (bpf_map_lookup_elem(p->intent_fd, &slot, in))
		return -errno;
	return in->op == VFWD_OP_NONE ? -ENOENT : 0;
}

int vfwd_prev_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	int err = 0;

	for (size_t i = 0; i < NSPECS; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, specs[i].name);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	return err;
}

/* v3's slot in v4's layout: every field kept, vhost_path empty (v3 had
 * no AF_XDP ports). */
static int port_convert(const struct vfwd_port_v3 *o, struct vfwd_port *n)
{
	switch (o->kind) {
	case VFWD_PORT_FREE:
	case VFWD_PORT_UPLINK:
	case VFWD_PORT_TAP:
	case VFWD_PORT_VETH:
		break;
	default:
		return -EPROTO;
	}
	memset(n, 0, sizeof(*n));
	memcpy(n->name, o->name, sizeof(n->name));
	n->ifindex = o->ifindex;
	n->uplink_id = o->uplink_id;
	n->kind = o->kind;
	n->xdp_mode = o->xdp_mode;
	n->placement = o->placement;
	n->cpu_source = o->cpu_source;
	n->vid = o->vid;
	n->ncpus = o->ncpus;
	n->flags = o->flags;
	n->xsk_slot = o->xsk_slot;
	n->vm_pid = o->vm_pid;
	n->nqueues = o->nqueues;
	memcpy(n->cpus, o->cpus, sizeof(n->cpus));
	memcpy(n->vcpu_cpus, o->vcpu_cpus, sizeof(n->vcpu_cpus));
	memcpy(n->host_macs, o->host_macs, sizeof(n->host_macs));
	return 0;
}

static int copy_ports(const struct vfwd_prev_tables *p,
		      const struct vfwd_tables *t, struct vfwd_prev_copied *n)
{
	struct vfwd_port_v3 o;
	struct vfwd_port v;
	int err;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_V3_MAX_PORTS; id++) {
		if (bpf_map_lookup_elem(p->port_fd, &id, &o))
			return -errno;
		if (o.kind == VFWD_PORT_FREE)
			continue;
		err = port_convert(&o, &v);
		if (err) {
			n->bad_port = id;
			return err;
		}
		err = vfwd_port_put(t, id, &v);
		if (err)
			return err;
		n->ports++;
		n->uplinks += v.kind == VFWD_PORT_UPLINK;
	}
	return 0;
}

/* The tx entries the kernel still holds: a device that went away took
 * its entry with it, and the copy says so the same way. */
static int copy_tx(const struct vfwd_prev_tables *p,
		   const struct vfwd_tables *t, struct vfwd_prev_copied *n)
{
	struct bpf_devmap_val v;
	int err;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_V3_MAX_PORTS; id++) {
		if (bpf_map_lookup_elem(p->tx_fd, &id, &v)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		err = vfwd_tx_set(t, id, v.ifindex);
		if (err)
			return err;
		n->tx++;
	}
	return 0;
}

/* Copy keys [0, nkeys) of a per-CPU array, every CPU's value as it is. */
static int copy_percpu(int from, int to, __u32 nkeys, size_t size)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	void *vals;

	if (ncpus < 0)
		return ncpus;
	/* Both value sizes are multiples of 8, the kernel's per-CPU stride
	 * (asserted in vfwd_maps.h). */
	vals = calloc(ncpus, size);
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < nkeys && !err; k++)
		if (bpf_map_lookup_elem(from, &k, vals) ||
		    bpf_map_update_elem(to, &k, vals, BPF_ANY))
			err = -errno;
	free(vals);
	return err;
}

static int copy_macs(const struct vfwd_prev_tables *p,
		     const struct vfwd_tables *t, struct vfwd_prev_copied *n)
{
	struct vfwd_mac_entry *e;
	size_t count;
	int err;

	err = vfwd_mac_dump_fd(p->mac_fd, &e, &count);
	if (err)
		return err;
	/* Straight into the live table: no program uses these tables yet,
	 * so it is as unpublished as a new one would be. */
	err = vfwd_mac_table_fill(t->mac_fd, e, count);
	free(e);
	if (!err)
		n->macs = count;
	return err;
}

int vfwd_prev_copy(const struct vfwd_prev_tables *p, struct vfwd_tables *t,
		   struct vfwd_prev_copied *n)
{
	int err;

	memset(n, 0, sizeof(*n));
	err = copy_ports(p, t, n);
	if (!err)
		err = copy_macs(p, t, n);
	if (!err)
		err = copy_tx(p, t, n);
	if (!err)
		err = copy_percpu(p->stats_fd, t->stats_fd, VFWD_V3_MAX_PORTS,
				  sizeof(struct vfwd_port_stats));
	if (!err)
		err = copy_percpu(p->reason_fd, t->reason_fd,
				  VFWD_V3_REASON_SLOTS,
				  sizeof(struct vfwd_reason_ctr));
	return err;
}
