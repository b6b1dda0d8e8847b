/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library layer: vfwd's operations (ports, MACs, uplinks, the repair
 * of drift), written once in publish-last order and shared by the CLI and
 * every later front end (apply, the libvirt hook, vfwd-vhost).  cli/ only
 * parses arguments and prints.  Functions return 0 or a negative errno
 * and explain a failure in the caller's error buffer; they print nothing.
 */
#ifndef VFWD_OPS_H
#define VFWD_OPS_H

#include <stddef.h>
#include "vfwd_tables.h"
#include "vfwd_loader.h"

/* An error message buffer: "what failed and why", one line. */
#define VFWD_ERRLEN 512

/* MACs (lib/mac_ops.c). */
struct vfwd_mac_load_stats {
	size_t added, moved, same;
	long conflict; /* -EEXIST: index in e[] of the entry bound elsewhere */
	__u32 conflict_port; /* ... and the port it is bound to */
};
/* Add e[0..n) (sorted by vfwd_mac_key_cmp, one entry per key) to the MAC
 * table in one publish.  Without replace, a key bound to another port is
 * -EEXIST and nothing changes; with it, the entry moves. */
int vfwd_mac_load(struct vfwd_tables *t, const struct vfwd_mac_entry *e,
		  size_t n, bool replace, struct vfwd_mac_load_stats *st,
		  char *err, size_t errlen);
/* Remove every MAC of port_id in one publish; *dropped says how many. */
int vfwd_mac_drop_port(struct vfwd_tables *t, __u32 port_id, size_t *dropped,
		       char *err, size_t errlen);

/* Ports and uplinks (lib/port_ops.c). */
/* The host's only uplink (*id), none (0), or -EEXIST when several. */
int vfwd_only_uplink(const struct vfwd_tables *t, __u32 *id, int *count);
/* Guest ports that follow the only uplink (no --uplink) are bound to it,
 * or to none when there are zero or several; ports bound with --uplink
 * to a slot that is no longer an uplink lose that binding.  *unbound:
 * ports following the default that have none because there are several. */
int vfwd_bind_uplinks(const struct vfwd_tables *t, int *unbound);
/* Make guest port p (validated, with its CPU set) in free slot id: CPUMAP
 * entries, devmap entries, clsact and filter, then the slot (publish),
 * then the flood groups.  Sets VFWD_PORT_F_OWN_CLSACT in p when it makes
 * the qdisc.  On failure nothing is left. */
int vfwd_port_create(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     struct vfwd_port *p, char *err, size_t errlen);
/* Remove guest port id: its MACs (one publish), its slot (publish), then
 * its filter, qdisc, devmap entries and CPUs.  Once begun it is always
 * finished, by this command or the next.  *macs: MACs removed. */
int vfwd_port_delete(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     size_t *macs, char *err, size_t errlen);
/* Take this installation's vfwd_uplink off uplink up's device, if it is
 * there (*detached says so); a foreign program is left alone. */
int vfwd_uplink_release(const char *pin_dir, const struct vfwd_port *up,
			bool *detached, char *err, size_t errlen);
/* Remove this installation's filter from every guest port's device, and
 * the clsact qdiscs port add made; the tables are left as they are.
 * Repeating it after a kill finishes it. */
int vfwd_guests_release(const char *pin_dir, const struct vfwd_tables *t,
			char *err, size_t errlen);
/* Finish or undo what a killed command left in the intent journal.
 * 0: nothing was pending; 1: msg says what was done; -errno: msg says
 * what failed (the journal still holds it). */
int vfwd_recover(const char *pin_dir, struct vfwd_tables *t, char *msg,
		 size_t msglen);

#endif /* VFWD_OPS_H */
