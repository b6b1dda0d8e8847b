// SPDX-License-Identifier: GPL-2.0
/*
 * port set, in publish-last order under the intent journal.  The slot
 * write publishes the new settings.  A move to another device has two
 * halves that cannot be one operation (the guest's frames meet the
 * filter on the new device, deliveries follow the tx devmap), so both
 * are made before the slot and the old device is let go after it; the
 * journal says which device was old and which new, and the next command
 * finishes a published move or takes an unpublished one back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfwd_ops.h"

/* Point port id's devmap entries back at its old device, or remove them
 * if that device is gone: never leave them on the device the move
 * failed to take. */
static int move_back(const char *pin_dir, const struct vfwd_tables *t,
		     const struct vfwd_intent *in, char *err, size_t errlen)
{
	struct vfwd_dev_info dev;
	char why[VFWD_ERRLEN];
	int ret;

	ret = vfwd_filter_release(pin_dir, in->new_ifindex,
				  in->flags & VFWD_INTENT_F_CLSACT);
	if (ret) {
		snprintf(
			err, errlen,
			"cannot take vfwd's filter off the new device (ifindex %u): %s",
			in->new_ifindex, strerror(-ret));
		return ret;
	}
	if (in->ifindex && vfwd_dev_by_index(in->ifindex, &dev) == 0) {
		ret = vfwd_tx_set(t, in->port_id, in->ifindex);
		/* Its filter was never removed; this puts the flood entry
		 * back on it, with a fresh egress program. */
		if (!ret)
			ret = vfwd_guest_attach(pin_dir, t, in->port_id,
						in->ifindex, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s", strerror(-ret));
	} else {
		ret = vfwd_tx_del(t, in->port_id);
		if (!ret || ret == -ENOENT)
			ret = vfwd_flood_del(t, in->port_id);
		if (ret == -ENOENT)
			ret = 0;
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	}
	if (ret)
		snprintf(
			err, errlen,
			"cannot point the port back at its old device (ifindex %u): %s",
			in->ifindex, why);
	return ret;
}

/* After the slot: the derived state, then the old device let go. */
static int set_finish(const char *pin_dir, struct vfwd_tables *t,
		      const struct vfwd_intent *in, char *err, size_t errlen)
{
	int ret = vfwd_vlan_sync(t);

	if (ret) {
		snprintf(err, errlen, "cannot update the VLAN flood groups: %s",
			 strerror(-ret));
		return ret;
	}
	if (in->new_ifindex) {
		ret = vfwd_filter_release(pin_dir, in->ifindex,
					  in->flags & VFWD_INTENT_F_OLD_CLSACT);
		if (ret) {
			snprintf(
				err, errlen,
				"moved, but vfwd's filter is still on the old device (ifindex %u): %s",
				in->ifindex, strerror(-ret));
			return ret;
		}
	}
	ret = vfwd_cpus_prune(pin_dir, t, err, errlen);
	return ret ? ret : vfwd_intent_clear(t);
}

int vfwd_port_update(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     const struct vfwd_port *old, struct vfwd_port *next,
		     bool attach, char *err, size_t errlen)
{
	struct vfwd_intent in;
	bool move = attach && next->ifindex != old->ifindex, clsact;
	char why[VFWD_ERRLEN];
	int ret;

	vfwd_intent_init(&in, VFWD_OP_PORT_SET, id, old);
	if (attach) {
		ret = vfwd_filter_slot_free(pin_dir, next->ifindex, err,
					    errlen);
		if (ret)
			return ret;
	}
	if (move) {
		in.new_ifindex = next->ifindex;
		ret = vfwd_clsact_present(next->ifindex, &clsact);
		if (ret) {
			snprintf(err, errlen,
				 "cannot read the new device's qdiscs: %s",
				 strerror(-ret));
			return ret;
		}
		next->flags &= ~VFWD_PORT_F_OWN_CLSACT;
		if (!clsact) {
			in.flags |= VFWD_INTENT_F_CLSACT;
			next->flags |= VFWD_PORT_F_OWN_CLSACT;
		}
		if (old->flags & VFWD_PORT_F_OWN_CLSACT)
			in.flags |= VFWD_INTENT_F_OLD_CLSACT;
	}
	ret = vfwd_intent_begin(t, &in, err, errlen);
	if (ret)
		return ret;
	/* CPUMAP entries before the slot points at them. */
	ret = vfwd_cpumap_sync(pin_dir, t, next->cpus,
			       vfwd_port_steer_ncpus(next), false, why,
			       sizeof(why));
	if (ret) {
		snprintf(err, errlen, "CPU steering: %s", why);
		goto undo;
	}
	/* The programs on the (new) device: on the same device the filter
	 * is replaced in one step, which is how a port's programs are
	 * upgraded.  Then deliveries go to it. */
	if (attach) {
		ret = vfwd_guest_attach(pin_dir, t, id, next->ifindex, err,
					errlen);
		if (!ret && move) {
			ret = vfwd_tx_set(t, id, next->ifindex);
			if (ret)
				snprintf(err, errlen,
					 "cannot point the tx devmap at it: %s",
					 strerror(-ret));
		}
		if (ret)
			goto undo;
	}
	/* Publish. */
	ret = vfwd_port_put(t, id, next);
	if (ret) {
		snprintf(err, errlen, "cannot write the port table: %s",
			 strerror(-ret));
		goto undo;
	}
	return set_finish(pin_dir, t, &in, err, errlen);
undo:
	/* The first error is the one reported; what undoing leaves, the
	 * journal still names for the next command. */
	if ((!move || !move_back(pin_dir, t, &in, why, sizeof(why))) &&
	    !vfwd_cpus_prune(pin_dir, t, why, sizeof(why)))
		vfwd_intent_clear(t);
	return ret;
}

int vfwd_port_set_recover(const char *pin_dir, struct vfwd_tables *t,
			  const struct vfwd_intent *in, bool *forward,
			  char *err, size_t errlen)
{
	struct vfwd_port p;
	int ret;

	ret = vfwd_port_get(t, in->port_id, &p);
	if (ret) {
		snprintf(err, errlen, "cannot read the port table: %s",
			 strerror(-ret));
		return ret;
	}
	/* Without a move there is nothing to take back: the slot holds the
	 * old settings or the new, and the derived state follows it. */
	*forward = !in->new_ifindex || p.ifindex == in->new_ifindex;
	if (!*forward) {
		ret = move_back(pin_dir, t, in, err, errlen);
		if (!ret)
			ret = vfwd_vlan_sync(t);
		if (!ret)
			ret = vfwd_cpus_prune(pin_dir, t, err, errlen);
		return ret;
	}
	return set_finish(pin_dir, t, in, err, errlen);
}

int vfwd_ports_resteer(const char *pin_dir, const struct vfwd_tables *t,
		       const __u32 *ids, const struct vfwd_port *old,
		       const struct vfwd_port *next, unsigned int n, char *err,
		       size_t errlen)
{
	static __u16 cpus[VFWD_MAX_PORTS * VFWD_MAX_VCPUS];
	unsigned int ncpus = 0;
	char why[VFWD_ERRLEN];
	int ret = 0;

	if (n > VFWD_MAX_PORTS) {
		snprintf(err, errlen, "%u ports: more than the table holds", n);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = vfwd_port_steer_ncpus(&next[i]);

		memcpy(&cpus[ncpus], next[i].cpus, k * sizeof(cpus[0]));
		ncpus += k;
	}
	/* Entries for every new CPU first, then the ports, each one slot
	 * write (a kill leaves each port on its old CPUs or its new ones,
	 * with entries for both), then drop the entries no port uses. */
	ret = vfwd_cpumap_sync(pin_dir, t, cpus, ncpus, false, why,
			       sizeof(why));
	if (ret) {
		snprintf(err, errlen, "CPU steering: %s", why);
		goto undo;
	}
	for (unsigned int i = 0; i < n && !ret; i++)
		ret = vfwd_port_put(t, ids[i], &next[i]);
	if (ret) {
		snprintf(err, errlen, "cannot update the port table: %s",
			 strerror(-ret));
		for (unsigned int i = 0; i < n; i++)
			vfwd_port_put(t, ids[i], &old[i]);
		goto undo;
	}
	/* Done either way: an idle entry costs a sleeping kthread, and the
	 * next command prunes it. */
	vfwd_cpus_prune(pin_dir, t, why, sizeof(why));
	return 0;
undo:
	vfwd_cpus_prune(pin_dir, t, why, sizeof(why));
	return ret;
}
