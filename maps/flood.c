// SPDX-License-Identifier: GPL-2.0
/* Flood devmap and per-VLAN flood group accessors. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

int vfwd_flood_set(const struct vfwd_tables *t, __u32 id, __u32 ifindex,
		   int egress_prog_fd)
{
	struct bpf_devmap_val v = {.ifindex = ifindex,
				   .bpf_prog.fd = egress_prog_fd};

	return bpf_map_update_elem(t->flood_fd, &id, &v, BPF_ANY) ? -errno : 0;
}

int vfwd_flood_del(const struct vfwd_tables *t, __u32 id)
{
	return bpf_map_delete_elem(t->flood_fd, &id) ? -errno : 0;
}

int vfwd_flood_get(const struct vfwd_tables *t, __u32 id, __u32 *ifindex,
		   __u32 *prog_id)
{
	struct bpf_devmap_val v;

	/* The kernel reports the egress program by id on lookup. */
	if (bpf_map_lookup_elem(t->flood_fd, &id, &v))
		return -errno;
	*ifindex = v.ifindex;
	*prog_id = v.bpf_prog.id;
	return 0;
}

int vfwd_vlan_sync(const struct vfwd_tables *t)
{
	/* 4095 groups of 4 KiB would be 16 MiB: build them one VLAN at a
	 * time from each port's VID instead. */
	__u16 vid_of[VFWD_MAX_PORTS];
	bool used[VFWD_VID_MAX + 1] = {};
	struct vfwd_flood_group *g;
	struct vfwd_port p;
	__u32 vid, next, key;
	int err = 0;

	for (__u32 id = 0; id < VFWD_MAX_PORTS; id++) {
		vid_of[id] = VFWD_VID_MAX + 1; /* not a guest port */
		if (id < VFWD_PORT_ID_MIN)
			continue;
		err = vfwd_port_get(t, id, &p);
		if (err)
			return err;
		if (vfwd_port_is_guest(&p) && p.vid <= VFWD_VID_MAX) {
			vid_of[id] = p.vid;
			used[p.vid] = true;
		}
	}
	g = malloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	/* Write the groups in use; ids ascend, so each list is sorted. */
	for (vid = 0; vid <= VFWD_VID_MAX && !err; vid++) {
		if (!used[vid])
			continue;
		memset(g, 0, sizeof(*g));
		/* A group holds every port id (VFWD_FLOOD_MAX is the port
		 * table's size), so it cannot overflow. */
		for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
			if (vid_of[id] == vid)
				g->port_ids[g->nports++] = id;
		if (bpf_map_update_elem(t->vlan_fd, &vid, g, BPF_ANY))
			err = -errno;
	}
	free(g);
	if (err)
		return err;
	/* Then drop the groups no port uses any more. */
	if (bpf_map_get_next_key(t->vlan_fd, NULL, &next))
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		key = next;
		bool more = bpf_map_get_next_key(t->vlan_fd, &key, &next) == 0;

		if (key > VFWD_VID_MAX || !used[key])
			bpf_map_delete_elem(t->vlan_fd, &key);
		if (!more)
			break;
	}
	return 0;
}
