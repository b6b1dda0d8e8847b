/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The previous schema's tables (maps/vfwd_maps_v3.h), as the upgrade
 * reads them and copies them into this schema's (maps/upgrade.c).  Like
 * vfwd_tables.h, the only code that knows their layouts.  Every function
 * returns 0 or a negative errno.
 */
#ifndef VFWD_UPGRADE_H
#define VFWD_UPGRADE_H

#include "vfwd_maps_v3.h"
#include "vfwd_tables.h"

struct vfwd_prev_tables {
	int macs_fd;
	int mac_fd; /* the live MAC table in macs_fd's slot */
	int intent_fd;
	int port_fd;
	int tx_fd;
	int stats_fd;
	int reason_fd;
	int flood_fd;
	int vlan_fd;
	int cpu_fd;
};

/* How many of the previous schema's pins exist under pin_dir (*present),
 * out of how many (the return value). */
int vfwd_prev_pins(const char *pin_dir, int *present);
/* Open them all and check each one's layout: -ENOENT when one is
 * missing, -EPROTO when one is not the previous schema's. */
int vfwd_prev_open(struct vfwd_prev_tables *p, const char *pin_dir);
void vfwd_prev_close(struct vfwd_prev_tables *p);
/* The previous schema's journal entry: -ENOENT when it is empty. */
int vfwd_prev_intent(const struct vfwd_prev_tables *p, struct vfwd_intent *in);
/* Remove the previous schema's pins, its journal last; the directory
 * stays.  0 also for pins already gone. */
int vfwd_prev_unpin(const char *pin_dir);

/* What vfwd_prev_copy carried over. */
struct vfwd_prev_copied {
	unsigned int ports; /* port slots in use, uplinks included */
	unsigned int uplinks;
	size_t macs;
	unsigned int tx; /* tx devmap entries */
	/* A slot that could not be carried over (-EPROTO): its id. */
	__u32 bad_port;
};
/* Copy the previous schema's port table, live MAC table, tx devmap
 * entries and counters (per port and per reason, per CPU) into t, whose
 * tables are new and used by no program yet.  The flood devmap, the VLAN
 * groups and the CPUMAP are not copied: their entries hold the previous
 * build's programs or follow from the port table, and are made anew.
 * -EPROTO, with *bad_port, for a port slot of a kind this schema does not
 * carry over. */
int vfwd_prev_copy(const struct vfwd_prev_tables *p, struct vfwd_tables *t,
		   struct vfwd_prev_copied *n);

#endif /* VFWD_UPGRADE_H */
