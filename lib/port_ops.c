// SPDX-License-Identifier: GPL-2.0
/*
 * Guest ports, made and removed in publish-last order, with the intent
 * journal (maps/vfwd_maps.h, struct vfwd_intent) covering the steps that
 * cannot be one kernel operation.  docs/architecture.md, "State model",
 * lists every step and what a kill after it leaves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfwd_ops.h"
#include "upgrade.h"

int vfwd_only_uplink(const struct vfwd_tables *t, __u32 *id, int *count)
{
	struct vfwd_port p;
	int err;

	*id = 0;
	*count = 0;
	for (__u32 i = VFWD_PORT_ID_MIN; i < VFWD_MAX_PORTS; i++) {
		err = vfwd_port_get(t, i, &p);
		if (err)
			return err;
		if (p.kind == VFWD_PORT_UPLINK) {
			*id = i;
			(*count)++;
		}
	}
	if (*count > 1) {
		*id = 0;
		return -EEXIST;
	}
	return 0;
}

int vfwd_bind_uplinks(const struct vfwd_tables *t, int *unbound)
{
	struct vfwd_port p, up;
	__u32 only;
	int err, n;

	*unbound = 0;
	err = vfwd_only_uplink(t, &only, &n);
	if (err && err != -EEXIST)
		return err;
	for (__u32 i = VFWD_PORT_ID_MIN; i < VFWD_MAX_PORTS; i++) {
		__u32 want;

		err = vfwd_port_get(t, i, &p);
		if (err)
			return err;
		if (!vfwd_port_is_vm(&p))
			continue;
		if (p.flags & VFWD_PORT_F_UPLINK_SET) {
			/* An explicit choice is never moved to another
			 * uplink: on a host with several networks that
			 * would carry a tenant onto the wrong one. */
			want = p.uplink_id;
			if (want && (vfwd_port_get(t, want, &up) ||
				     up.kind != VFWD_PORT_UPLINK))
				want = 0;
		} else {
			want = only;
			*unbound += n > 1;
		}
		if (want == p.uplink_id)
			continue;
		p.uplink_id = want;
		err = vfwd_port_put(t, i, &p);
		if (err)
			return err;
	}
	return 0;
}

int vfwd_cpus_prune(const char *pin_dir, const struct vfwd_tables *t, char *err,
		    size_t errlen)
{
	return vfwd_cpumap_sync(pin_dir, t, NULL, 0, false, err, errlen);
}

int vfwd_filter_slot_free(const char *pin_dir, __u32 ifindex, char *err,
			  size_t errlen)
{
	__u32 prog;
	int ret;

	/* A filter in vfwd's slot that uses other tables is another
	 * installation's port (or not vfwd's at all): never replace it. */
	ret = vfwd_guest_query(ifindex, &prog);
	if (ret) {
		snprintf(err, errlen, "cannot query its tc filters: %s",
			 strerror(-ret));
		return ret;
	}
	if (prog && !vfwd_prog_uses_pins(prog, pin_dir)) {
		snprintf(
			err, errlen,
			"it already has a tc filter at handle 0x%x pref %d (prog id %u) that does not use the tables in %s; it belongs to another vfwd installation or another tool (remove it with 'tc filter del dev IFNAME ingress pref %d handle 0x%x bpf')",
			VFWD_TC_HANDLE, VFWD_TC_PRIO, prog, pin_dir,
			VFWD_TC_PRIO, VFWD_TC_HANDLE);
		return -EBUSY;
	}
	return 0;
}

int vfwd_filter_release(const char *pin_dir, __u32 ifindex, bool clsact)
{
	__u32 prog = 0;
	int ret = 0;

	if (!ifindex)
		return 0;
	/* Only this installation's filter: anything else in vfwd's tc slot
	 * is another installation's or another tool's. */
	if (vfwd_guest_query(ifindex, &prog) == 0 && prog &&
	    vfwd_prog_uses_pins(prog, pin_dir))
		ret = vfwd_guest_detach(ifindex);
	if (!ret && clsact)
		ret = vfwd_clsact_release(ifindex);
	return ret == -ENODEV ? 0 : ret;
}

int vfwd_intent_begin(const struct vfwd_tables *t, const struct vfwd_intent *in,
		      char *err, size_t errlen)
{
	int ret = vfwd_intent_put(t, in);

	if (ret)
		snprintf(err, errlen, "cannot write the intent journal: %s",
			 strerror(-ret));
	return ret;
}

/* Undo everything a port add did before it published the slot: vfwd's
 * filter on the device (only a filter of this installation: the device
 * is no port of ours, so such a filter is the dead command's), the
 * port's devmap entries, the clsact qdisc if the command made it, and
 * CPUMAP entries no port uses.  Every step is safe to repeat. */
static int port_add_undo(const char *pin_dir, const struct vfwd_tables *t,
			 const struct vfwd_intent *in, char *err, size_t errlen)
{
	int ret, e;

	ret = vfwd_filter_release(pin_dir, in->ifindex,
				  in->flags & VFWD_INTENT_F_CLSACT);
	e = vfwd_flood_del(t, in->port_id);
	if (!ret && e && e != -ENOENT)
		ret = e;
	e = vfwd_tx_del(t, in->port_id);
	if (!ret && e && e != -ENOENT)
		ret = e;
	if (ret) {
		snprintf(
			err, errlen,
			"cannot undo the unfinished port add of '%s' (ifindex %u): %s",
			in->name, in->ifindex, strerror(-ret));
		return ret;
	}
	return vfwd_cpus_prune(pin_dir, t, err, errlen);
}

int vfwd_port_create(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     struct vfwd_port *p, char *err, size_t errlen)
{
	unsigned int nsteer = vfwd_port_steer_ncpus(p);
	struct vfwd_intent in;
	char why[VFWD_ERRLEN];
	bool clsact;
	int ret;

	ret = vfwd_filter_slot_free(pin_dir, p->ifindex, err, errlen);
	if (ret)
		return ret;
	vfwd_intent_init(&in, VFWD_OP_PORT_ADD, id, p);
	/* Asked before anything is made, so that the journal says whether
	 * this command is the one that creates the qdisc. */
	ret = vfwd_clsact_present(p->ifindex, &clsact);
	if (ret) {
		snprintf(err, errlen, "cannot read the device's qdiscs: %s",
			 strerror(-ret));
		return ret;
	}
	if (!clsact) {
		in.flags |= VFWD_INTENT_F_CLSACT;
		p->flags |= VFWD_PORT_F_OWN_CLSACT;
	}
	ret = vfwd_intent_begin(t, &in, err, errlen);
	if (ret)
		return ret;
	/* Invisible until the slot is written: CPUMAP entries for its CPUs
	 * (no port points at them yet), the devmap entries, the filter.  A
	 * frame the guest sends before the slot exists meets a filter
	 * without a port and is dropped: fail closed. */
	ret = vfwd_cpumap_sync(pin_dir, t, p->cpus, nsteer, false, why,
			       sizeof(why));
	if (ret) {
		snprintf(err, errlen, "CPU steering: %s", why);
		goto undo;
	}
	ret = vfwd_stats_clear(t, id);
	if (!ret)
		ret = vfwd_tx_set(t, id, p->ifindex);
	if (ret) {
		snprintf(err, errlen,
			 "cannot add the device to the tx devmap: %s",
			 strerror(-ret));
		goto undo;
	}
	ret = vfwd_guest_attach(pin_dir, t, id, p->ifindex, err, errlen);
	if (ret)
		goto undo;
	/* Publish: from this write on the port exists, with its filter. */
	ret = vfwd_port_put(t, id, p);
	if (ret) {
		snprintf(err, errlen, "cannot write the port table: %s",
			 strerror(-ret));
		goto undo;
	}
	/* Derived state, redone by the next command if this one dies. */
	ret = vfwd_vlan_sync(t);
	if (ret) {
		snprintf(
			err, errlen,
			"added, but the VLAN flood groups could not be updated (the next vfwd command retries): %s",
			strerror(-ret));
		return ret;
	}
	return vfwd_intent_clear(t);
undo:
	/* The first error is the one reported; undo is best effort, and
	 * what it leaves the journal still names for the next command. */
	if (!port_add_undo(pin_dir, t, &in, why, sizeof(why)))
		vfwd_intent_clear(t);
	return ret;
}

/* The rest of a port del once begun: never undone, only finished.  Each
 * step is a no-op when it was done already. */
static int port_del_finish(const char *pin_dir, struct vfwd_tables *t,
			   const struct vfwd_intent *in, size_t *macs,
			   char *err, size_t errlen)
{
	struct vfwd_port p;
	int ret;

	/* 1. Its MACs, in one publish: no frame is steered at it after. */
	ret = vfwd_mac_drop_port(t, in->port_id, macs, err, errlen);
	if (ret)
		return ret;
	/* An AF_XDP port's sockets leave the XSKMAP before the port goes,
	 * so none of them receives for a slot that may be reused; a
	 * daemon that still holds them closes them when it sees the slot
	 * gone.  Every port's slots: a tap's are empty, and the journal
	 * does not say the kind. */
	ret = vfwd_xsk_slots_clear(t, in->port_id);
	if (ret) {
		snprintf(err, errlen, "cannot release its XSKMAP slots: %s",
			 strerror(-ret));
		return ret;
	}
	/* 2. Publish the removal: the slot.  Its filter, if a frame still
	 * meets it, now fails closed.  Only the slot the journal names,
	 * and only while it still holds that port. */
	if (vfwd_intent_slot(t, in, &p)) {
		ret = vfwd_port_clear(t, in->port_id);
		if (ret) {
			snprintf(err, errlen, "cannot clear its slot: %s",
				 strerror(-ret));
			return ret;
		}
	}
	ret = vfwd_vlan_sync(t);
	if (ret) {
		snprintf(err, errlen, "cannot update the VLAN flood groups: %s",
			 strerror(-ret));
		return ret;
	}
	/* 3. What the kernel holds for it on its device. */
	ret = vfwd_filter_release(pin_dir, in->ifindex,
				  in->flags & VFWD_INTENT_F_CLSACT);
	if (ret) {
		snprintf(
			err, errlen,
			"cannot remove vfwd's tc filter or the clsact qdisc it made from its device (ifindex %u): %s",
			in->ifindex, strerror(-ret));
		return ret;
	}
	ret = vfwd_flood_del(t, in->port_id);
	if (ret && ret != -ENOENT) {
		snprintf(err, errlen,
			 "cannot remove its flood devmap entry: %s",
			 strerror(-ret));
		return ret;
	}
	ret = vfwd_cpus_prune(pin_dir, t, err, errlen);
	return ret ? ret : vfwd_intent_clear(t);
}

int vfwd_port_delete(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     size_t *macs, char *err, size_t errlen)
{
	struct vfwd_intent in;
	struct vfwd_port p;
	int ret;

	ret = vfwd_port_get(t, id, &p);
	if (ret) {
		snprintf(err, errlen, "cannot read the port table: %s",
			 strerror(-ret));
		return ret;
	}
	vfwd_intent_init(&in, VFWD_OP_PORT_DEL, id, &p);
	if (p.flags & VFWD_PORT_F_OWN_CLSACT)
		in.flags |= VFWD_INTENT_F_CLSACT;
	ret = vfwd_intent_begin(t, &in, err, errlen);
	if (ret)
		return ret;
	return port_del_finish(pin_dir, t, &in, macs, err, errlen);
}

int vfwd_recover(const char *pin_dir, struct vfwd_tables *t, bool own_create,
		 char *msg, size_t msglen)
{
	struct vfwd_intent in;
	bool forward = false;
	size_t macs;
	struct vfwd_port p;
	int ret;

	ret = vfwd_intent_get(t, &in);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(msg, msglen, "cannot read the intent journal: %s",
			 strerror(-ret));
		return ret;
	}
	/* This very command just made the tables: nothing was left. */
	if (in.op == VFWD_OP_CREATE && own_create)
		return 0;
	switch (in.op) {
	case VFWD_OP_PORT_ADD:
		forward =
			vfwd_intent_slot(t, &in, &p) && vfwd_port_is_guest(&p);
		ret = forward ? vfwd_vlan_sync(t)
			      : port_add_undo(pin_dir, t, &in, msg, msglen);
		if (ret && forward)
			snprintf(msg, msglen,
				 "cannot update the VLAN flood groups: %s",
				 strerror(-ret));
		break;
	case VFWD_OP_PORT_DEL:
		forward = true;
		ret = port_del_finish(pin_dir, t, &in, &macs, msg, msglen);
		break;
	case VFWD_OP_ATTACH:
		ret = vfwd_attach_recover(pin_dir, t, &in, &forward, msg,
					  msglen);
		break;
	case VFWD_OP_DETACH:
		forward = true;
		ret = vfwd_detach_recover(pin_dir, t, &in, msg, msglen);
		break;
	case VFWD_OP_PORT_SET:
		ret = vfwd_port_set_recover(pin_dir, t, &in, &forward, msg,
					    msglen);
		break;
	case VFWD_OP_UPGRADE:
		ret = vfwd_upgrade_recover(pin_dir, t, &in, &forward, msg,
					   msglen);
		break;
	case VFWD_OP_CREATE:
		/* Nothing to undo in the tables themselves; the caller
		 * treats empty ones as its own to remove on failure. */
		break;
	default:
		snprintf(msg, msglen, "intent journal: unknown operation %u",
			 in.op);
		return -EPROTO;
	}
	if (!ret)
		ret = vfwd_intent_clear(t);
	if (ret)
		return ret;
	if (in.op == VFWD_OP_CREATE)
		snprintf(
			msg, msglen,
			"process %u made the tables and did not finish; they stay only if this command succeeds",
			in.pid);
	else
		snprintf(msg, msglen,
			 "%s '%s' of process %u was interrupted; %s it",
			 vfwd_intent_op_str(in.op), in.name, in.pid,
			 forward ? "finished" : "undid");
	return 1;
}
