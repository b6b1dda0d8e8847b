// SPDX-License-Identifier: GPL-2.0
/*
 * Uplinks, attached in publish-last order.  A first attach runs under the
 * intent journal: the program goes on the device first, where it can
 * deliver to no port yet (no port is bound to a slot that is not an
 * uplink, and with --bum pass everything goes to the kernel as before);
 * the slot is written last and makes the uplink exist, then the guest
 * ports are bound to it.  A kill in between is finished or undone by the
 * next command (lib/port_ops.c, vfwd_recover).  docs/architecture.md,
 * "State model", has the steps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vfwd_ops.h"

int vfwd_uplink_create(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       const struct vfwd_port *p, __u32 *prog_id, int *unbound,
		       char *err, size_t errlen)
{
	struct vfwd_intent in = {.op = VFWD_OP_ATTACH,
				 .port_id = id,
				 .ifindex = p->ifindex,
				 .pid = getpid()};
	bool flood = p->flags & VFWD_PORT_F_BUM_FLOOD, replaced;
	char why[VFWD_ERRLEN];
	int ret;

	snprintf(in.name, sizeof(in.name), "%s", p->name);
	ret = vfwd_intent_put(t, &in);
	if (!ret)
		ret = vfwd_stats_clear(t, id);
	if (ret) {
		snprintf(err, errlen, "cannot prepare its slot: %s",
			 strerror(-ret));
		return ret;
	}
	ret = vfwd_uplink_attach(pin_dir, p->ifindex, id, p->xdp_mode, flood,
				 &replaced, prog_id, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s", why);
		goto undo;
	}
	/* Publish. */
	ret = vfwd_port_put(t, id, p);
	if (ret) {
		vfwd_uplink_detach(p->ifindex, p->xdp_mode, *prog_id);
		snprintf(err, errlen, "cannot write its slot: %s",
			 strerror(-ret));
		goto undo;
	}
	ret = vfwd_bind_uplinks(t, unbound);
	if (ret) {
		/* Published: the journal stays, and the next command binds
		 * the ports. */
		snprintf(
			err, errlen,
			"attached, but binding guest ports to it failed (the next vfwd command retries): %s",
			strerror(-ret));
		return ret;
	}
	return vfwd_intent_clear(t);
undo:
	vfwd_intent_clear(t);
	return ret;
}

int vfwd_uplink_update(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       const struct vfwd_port *old, const struct vfwd_port *p,
		       bool *replaced, __u32 *prog_id, int *unbound, char *err,
		       size_t errlen)
{
	bool flood = p->flags & VFWD_PORT_F_BUM_FLOOD;
	char why[VFWD_ERRLEN];
	int ret;

	/* The slot first, so the new program reads the new policy from its
	 * first frame; then the program, replaced in one step.  Each step
	 * stands on its own: a kill leaves the old program or the new. */
	ret = vfwd_port_put(t, id, p);
	if (ret) {
		snprintf(err, errlen, "cannot write its slot: %s",
			 strerror(-ret));
		return ret;
	}
	ret = vfwd_uplink_attach(pin_dir, p->ifindex, id, p->xdp_mode, flood,
				 replaced, prog_id, why, sizeof(why));
	if (ret) {
		vfwd_port_put(t, id, old);
		snprintf(err, errlen, "%s", why);
		return ret;
	}
	ret = vfwd_bind_uplinks(t, unbound);
	if (ret)
		snprintf(err, errlen,
			 "attached, but binding guest ports to it failed: %s",
			 strerror(-ret));
	return ret;
}
