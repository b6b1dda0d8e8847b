// SPDX-License-Identifier: GPL-2.0
/*
 * Uplinks and the installation as a whole, in publish-last order under
 * the intent journal (docs/architecture.md, "State model", has every
 * step and what a kill after it leaves).
 *
 * A first attach writes the uplink's slot and binds the guest ports to
 * it first: no program reads an uplink's slot but through a port bound to
 * it, and until the XDP program is on the device those ports' frames for
 * the wire leave by it as the kernel would have sent them.  Attaching the
 * program publishes the uplink; its first frame finds the ports bound.
 *
 * Removal goes the other way: the program off the device first, then the
 * slot, then the binding; removing the whole installation takes every
 * kernel object off first and unpins the maps last, the journal's pin
 * after all others, so that a kill at any point leaves a journal that
 * says what to finish.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "vfwd_ops.h"

int vfwd_uplink_release(const char *pin_dir, const struct vfwd_port *up,
			bool *detached, char *err, size_t errlen)
{
	struct vfwd_xdp_state xdp;
	struct vfwd_dev_info dev;
	int ret;

	*detached = false;
	/* The device may be gone already; then only the slot remains. */
	if (vfwd_dev_by_index(up->ifindex, &dev) ||
	    vfwd_xdp_query(up->ifindex, pin_dir, &xdp) || !xdp.ours)
		return 0;
	ret = vfwd_uplink_detach(up->ifindex, xdp.mode, xdp.prog_id);
	if (ret) {
		snprintf(err, errlen,
			 "cannot detach vfwd_uplink (prog id %u) from %s: %s",
			 xdp.prog_id, dev.name, strerror(-ret));
		return ret;
	}
	*detached = true;
	return 0;
}

int vfwd_guests_release(const char *pin_dir, const struct vfwd_tables *t,
			char *err, size_t errlen)
{
	struct vfwd_port p;
	int ret;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (vfwd_port_get(t, id, &p) || !p.ifindex ||
		    !vfwd_port_is_guest(&p))
			continue;
		ret = vfwd_filter_release(pin_dir, p.ifindex,
					  p.flags & VFWD_PORT_F_OWN_CLSACT);
		if (ret) {
			snprintf(
				err, errlen,
				"port '%s': cannot remove vfwd's tc filter or qdisc from its device: %s",
				p.name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The slot back to free and the ports bound again: the undo of a first
 * attach that did not publish. */
static int attach_undo(struct vfwd_tables *t, const struct vfwd_intent *in,
		       char *err, size_t errlen)
{
	struct vfwd_port p;
	int ret = 0, unbound;

	if (vfwd_intent_slot(t, in, &p) && p.kind == VFWD_PORT_UPLINK)
		ret = vfwd_port_clear(t, in->port_id);
	if (!ret)
		ret = vfwd_bind_uplinks(t, &unbound);
	if (ret)
		snprintf(err, errlen,
			 "cannot undo the unfinished attach of %s: %s",
			 in->name, strerror(-ret));
	return ret;
}

int vfwd_uplink_create(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       const struct vfwd_port *p, __u32 *prog_id, int *unbound,
		       char *err, size_t errlen)
{
	bool flood = p->flags & VFWD_PORT_F_BUM_FLOOD, replaced;
	struct vfwd_intent in;
	char why[VFWD_ERRLEN];
	int ret;

	vfwd_intent_init(&in, VFWD_OP_ATTACH, id, p);
	ret = vfwd_intent_put(t, &in);
	if (!ret)
		ret = vfwd_stats_clear(t, id);
	if (!ret)
		ret = vfwd_port_put(t, id, p);
	if (!ret)
		ret = vfwd_bind_uplinks(t, unbound);
	if (ret) {
		snprintf(err, errlen, "cannot prepare its slot: %s",
			 strerror(-ret));
		goto undo;
	}
	/* Publish: from its first frame the program finds the ports
	 * bound to it. */
	ret = vfwd_uplink_attach(pin_dir, p->ifindex, id, p->xdp_mode, flood,
				 &replaced, prog_id, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s", why);
		goto undo;
	}
	/* The drop counter is an observer: an uplink forwards without it,
	 * and stats says when it is missing. */
	vfwd_xmit_ensure(pin_dir, why, sizeof(why));
	return vfwd_intent_clear(t);
undo:
	/* What cannot be undone stays in the journal for the next
	 * command; the first error is the one reported. */
	if (!attach_undo(t, &in, why, sizeof(why)))
		vfwd_intent_clear(t);
	return ret;
}

int vfwd_attach_recover(const char *pin_dir, struct vfwd_tables *t,
			const struct vfwd_intent *in, bool *forward, char *err,
			size_t errlen)
{
	struct vfwd_xdp_state xdp;
	int ret, unbound;

	*forward = vfwd_xdp_query(in->ifindex, pin_dir, &xdp) == 0 && xdp.ours;
	if (!*forward)
		return attach_undo(t, in, err, errlen);
	ret = vfwd_bind_uplinks(t, &unbound);
	if (ret)
		snprintf(err, errlen,
			 "cannot bind the guest ports to uplink '%s': %s",
			 in->name, strerror(-ret));
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
	vfwd_xmit_ensure(pin_dir, why, sizeof(why));
	ret = vfwd_bind_uplinks(t, unbound);
	if (ret)
		snprintf(err, errlen,
			 "attached, but binding guest ports to it failed: %s",
			 strerror(-ret));
	return ret;
}

/* The rest of a detach once begun: every step is a no-op when done. */
static int detach_finish(const char *pin_dir, struct vfwd_tables *t,
			 const struct vfwd_intent *in, bool *detached,
			 int *unbound, char *err, size_t errlen)
{
	struct vfwd_port p, up = {.ifindex = in->ifindex};
	int ret;

	ret = vfwd_uplink_release(pin_dir, &up, detached, err, errlen);
	if (ret)
		return ret;
	/* Publish: the uplink leaves the table. */
	if (vfwd_intent_slot(t, in, &p) && p.kind == VFWD_PORT_UPLINK) {
		ret = vfwd_port_clear(t, in->port_id);
		if (ret) {
			snprintf(err, errlen, "cannot clear its slot: %s",
				 strerror(-ret));
			return ret;
		}
	}
	ret = vfwd_bind_uplinks(t, unbound);
	if (ret) {
		snprintf(err, errlen,
			 "cannot bind again the guest ports that used it: %s",
			 strerror(-ret));
		return ret;
	}
	return vfwd_intent_clear(t);
}

int vfwd_uplink_remove(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       bool *detached, int *unbound, char *err, size_t errlen)
{
	struct vfwd_intent in;
	struct vfwd_port p;
	int ret;

	*detached = false;
	*unbound = 0;
	ret = vfwd_port_get(t, id, &p);
	if (ret) {
		snprintf(err, errlen, "cannot read the port table: %s",
			 strerror(-ret));
		return ret;
	}
	vfwd_intent_init(&in, VFWD_OP_DETACH, id, &p);
	ret = vfwd_intent_begin(t, &in, err, errlen);
	if (ret)
		return ret;
	return detach_finish(pin_dir, t, &in, detached, unbound, err, errlen);
}

int vfwd_detach_recover(const char *pin_dir, struct vfwd_tables *t,
			const struct vfwd_intent *in, char *err, size_t errlen)
{
	bool detached;
	int unbound;

	return detach_finish(pin_dir, t, in, &detached, &unbound, err, errlen);
}

/* Every kernel object that uses the tables, off: the uplinks' programs,
 * then the guests' filters and the qdiscs vfwd made.  *detached counts
 * the uplinks whose program this took off. */
static int destroy_release(const char *pin_dir, const struct vfwd_tables *t,
			   int *detached, char *err, size_t errlen)
{
	struct vfwd_port p;
	bool done;
	int ret;

	*detached = 0;
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (vfwd_port_get(t, id, &p) || p.kind != VFWD_PORT_UPLINK)
			continue;
		ret = vfwd_uplink_release(pin_dir, &p, &done, err, errlen);
		if (ret)
			return ret;
		*detached += done;
	}
	ret = vfwd_guests_release(pin_dir, t, err, errlen);
	if (ret)
		return ret;
	/* vfwd-vhost's relay veth goes with the installation it served. */
	ret = vfwd_relay_down(pin_dir);
	if (ret)
		snprintf(err, errlen,
			 "cannot remove vfwd-vhost's relay veth: %s",
			 strerror(-ret));
	return ret;
}

/* The maps, the journal's pin last, and the directory. */
static int destroy_unpin(const char *pin_dir, char *err, size_t errlen)
{
	int ret = vfwd_tables_unpin(pin_dir);

	if (ret)
		snprintf(err, errlen, "cannot remove the tables in %s: %s",
			 pin_dir, strerror(-ret));
	return ret;
}

int vfwd_destroy(const char *pin_dir, struct vfwd_tables *t, int *detached,
		 char *err, size_t errlen)
{
	struct vfwd_intent in;
	int ret;

	vfwd_intent_init(&in, VFWD_OP_DESTROY, 0, NULL);
	ret = vfwd_intent_begin(t, &in, err, errlen);
	if (ret)
		return ret;
	ret = destroy_release(pin_dir, t, detached, err, errlen);
	if (ret)
		return ret;
	vfwd_tables_close(t);
	return destroy_unpin(pin_dir, err, errlen);
}

int vfwd_destroy_pending(const char *pin_dir)
{
	struct vfwd_intent in = {};
	char path[PATH_MAX];
	__u32 slot = 0;
	int fd, ret;

	/* Read from the journal's pin alone: other pins may be gone. */
	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_MAP_INTENT);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	ret = bpf_map_lookup_elem(fd, &slot, &in) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	return in.op == VFWD_OP_DESTROY;
}

int vfwd_destroy_resume(const char *pin_dir, char *err, size_t errlen)
{
	struct vfwd_tables t;
	int ret, detached, present, total;

	ret = vfwd_destroy_pending(pin_dir);
	if (ret <= 0) {
		if (ret)
			snprintf(err, errlen,
				 "cannot read the intent journal: %s",
				 strerror(-ret));
		return ret;
	}
	/* Every pin still there: the dead command may have stopped before
	 * it took everything off, so that is done again.  Once a pin is
	 * gone, so is everything that used them. */
	total = vfwd_tables_pins(pin_dir, &present);
	if (present == total && vfwd_tables_open(&t, pin_dir) == 0) {
		ret = destroy_release(pin_dir, &t, &detached, err, errlen);
		vfwd_tables_close(&t);
		if (ret)
			return ret;
	}
	ret = destroy_unpin(pin_dir, err, errlen);
	return ret ? ret : 1;
}
