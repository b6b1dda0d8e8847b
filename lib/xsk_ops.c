// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP ports: made and changed by writing their slot, nothing else.
 * The kernel objects such a port needs (its sockets and their XSKMAP
 * slots) are vfwd-vhost's, which makes them when it sees the slot and
 * drops them when the slot goes, so one write publishes the port and
 * a kill before it leaves nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfwd_ops.h"

int vfwd_xsk_port_create(struct vfwd_tables *t, __u32 id,
			 const struct vfwd_port *p, char *err, size_t errlen)
{
	int ret;

	/* A previous port of this id left nothing that counts for this
	 * one: its counters, and any socket a daemon had in its slots. */
	ret = vfwd_stats_clear(t, id);
	if (!ret)
		ret = vfwd_xstat_clear(t, id);
	if (!ret)
		ret = vfwd_xsk_slots_clear(t, id);
	if (ret) {
		snprintf(err, errlen,
			 "cannot reset the slot's counters and sockets: %s",
			 strerror(-ret));
		return ret;
	}
	/* Publish. */
	ret = vfwd_port_put(t, id, p);
	if (ret)
		snprintf(err, errlen, "cannot write the port table: %s",
			 strerror(-ret));
	return ret;
}

int vfwd_xsk_port_update(struct vfwd_tables *t, __u32 id,
			 const struct vfwd_port *next, char *err, size_t errlen)
{
	int ret = vfwd_port_put(t, id, next);

	if (ret)
		snprintf(err, errlen, "cannot write the port table: %s",
			 strerror(-ret));
	return ret;
}
