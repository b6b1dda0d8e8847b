// SPDX-License-Identifier: GPL-2.0
/*
 * Repair of drift (lib/drift.c): a guest port's kernel objects are put
 * back as the tables say, in the order port add publishes them: the
 * CPUMAP entries its CPUs need, its tx devmap entry, then its programs.
 * vfwd_guest_attach loads a fresh instance for the port and swaps its tc
 * filter in with REPLACE, and it rewrites the flood entry, so a guest that
 * still had a filter is never left without one.  Every repair is checked
 * again afterwards: a repair that did not take is an error, not a claim.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfwd_ops.h"

void vfwd_repair_result_free(struct vfwd_repair_result *r)
{
	vfwd_drift_list_free(&r->fixed);
}

static bool has(const struct vfwd_drift_list *l, __u32 id,
		enum vfwd_drift_kind kind)
{
	return vfwd_drift_has(l, id, kind);
}

/* The message of l's first entry of that kind, for an error. */
static const char *msg_of(const struct vfwd_drift_list *l,
			  enum vfwd_drift_kind kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].kind == kind)
			return l->items[i].msg;
	return "";
}

/* Repair guest port id (p, as the table has it).  *gone: its device is
 * gone, which only 'port set --dev' can mend. */
static int repair_one(const char *pin_dir, const struct vfwd_tables *t,
		      __u32 id, const struct vfwd_port *p, unsigned int flags,
		      struct vfwd_repair_result *res, bool *gone, char *errbuf,
		      size_t errlen)
{
	struct vfwd_drift_list before = {}, after = {};
	bool tx, cpus, progs;
	char why[VFWD_ERRLEN];
	int err;

	*gone = false;
	err = vfwd_drift_check_port(pin_dir, t, id, p, &before);
	if (err) {
		snprintf(errbuf, errlen, "port '%s': cannot check it: %s",
			 p->name, strerror(-err));
		goto out;
	}
	if (has(&before, id, VFWD_DRIFT_DEV_GONE)) {
		*gone = true;
		err = -ENODEV;
		snprintf(errbuf, errlen, "%s",
			 msg_of(&before, VFWD_DRIFT_DEV_GONE));
		goto out;
	}
	/* Another installation's or another tool's filter in vfwd's slot
	 * is never replaced (port add refuses such a device too). */
	if (has(&before, id, VFWD_DRIFT_FILTER_FOREIGN)) {
		err = -EBUSY;
		snprintf(errbuf, errlen, "%s",
			 msg_of(&before, VFWD_DRIFT_FILTER_FOREIGN));
		goto out;
	}
	if (!before.n && !(flags & VFWD_REPAIR_RELOAD))
		goto out;

	tx = has(&before, id, VFWD_DRIFT_TX_MISSING) ||
	     has(&before, id, VFWD_DRIFT_TX_WRONG);
	cpus = has(&before, id, VFWD_DRIFT_CPUMAP_MISSING) ||
	       has(&before, id, VFWD_DRIFT_CPUMAP_WRONG);
	/* What could not be checked is re-attached all the same: that is
	 * harmless, and the check afterwards tells whether it worked. */
	progs = (flags & VFWD_REPAIR_RELOAD) ||
		has(&before, id, VFWD_DRIFT_FILTER_MISSING) ||
		has(&before, id, VFWD_DRIFT_FILTER_PORT) ||
		has(&before, id, VFWD_DRIFT_FLOOD_MISSING) ||
		has(&before, id, VFWD_DRIFT_FLOOD_WRONG) ||
		has(&before, id, VFWD_DRIFT_FLOOD_NO_EGRESS) ||
		has(&before, id, VFWD_DRIFT_CHECK_FAILED);

	if (cpus) {
		err = vfwd_cpumap_sync(pin_dir, t, NULL, 0, false, why,
				       sizeof(why));
		if (err) {
			snprintf(
				errbuf, errlen,
				"port '%s': cannot restore the CPUMAP entries of its CPUs: %s",
				p->name, why);
			goto out;
		}
	}
	if (tx) {
		err = vfwd_tx_set(t, id, p->ifindex);
		if (err) {
			snprintf(
				errbuf, errlen,
				"port '%s': cannot point its tx devmap entry at ifindex %u: %s",
				p->name, p->ifindex, strerror(-err));
			goto out;
		}
	}
	if (progs) {
		/* Asked again right before: a check that failed above may
		 * have been the one that would have seen another tool's
		 * filter, which REPLACE would take over. */
		err = vfwd_filter_slot_free(pin_dir, p->ifindex, why,
					    sizeof(why));
		if (err) {
			snprintf(errbuf, errlen, "port '%s': device: %s",
				 p->name, why);
			goto out;
		}
		err = vfwd_guest_attach(pin_dir, t, id, p->ifindex, why,
					sizeof(why));
		if (err) {
			snprintf(
				errbuf, errlen,
				"port '%s': cannot attach its programs again: %s",
				p->name, why);
			goto out;
		}
	}

	err = vfwd_drift_check_port(pin_dir, t, id, p, &after);
	if (err) {
		snprintf(errbuf, errlen,
			 "port '%s': cannot check it after the repair: %s",
			 p->name, strerror(-err));
		goto out;
	}
	if (after.n) {
		err = -EIO;
		snprintf(errbuf, errlen, "the repair did not take: %s",
			 after.items[0].msg);
		goto out;
	}
	res->repaired += before.n > 0;
	for (size_t i = 0; i < before.n && !err; i++)
		err = vfwd_drift_append(&res->fixed, &before.items[i]);
	if (err)
		snprintf(errbuf, errlen,
			 "port '%s': repaired, but cannot list what: %s",
			 p->name, strerror(-err));
out:
	vfwd_drift_list_free(&before);
	vfwd_drift_list_free(&after);
	return err;
}

int vfwd_repair_port(const char *pin_dir, const struct vfwd_tables *t, __u32 id,
		     unsigned int flags, struct vfwd_repair_result *res,
		     char *errbuf, size_t errlen)
{
	struct vfwd_port p;
	bool gone;
	int err;

	err = vfwd_port_get(t, id, &p);
	if (err) {
		snprintf(errbuf, errlen, "port table: cannot read slot %u: %s",
			 id, strerror(-err));
		return err;
	}
	if (p.kind == VFWD_PORT_UPLINK) {
		snprintf(
			errbuf, errlen,
			"port '%s' is an uplink; re-run 'vfwd attach' on its device to repair it",
			p.name);
		return -EINVAL;
	}
	if (!vfwd_port_is_guest(&p)) {
		snprintf(errbuf, errlen,
			 "port slot %u holds no tap or veth port to repair",
			 id);
		return -EINVAL;
	}
	res->ports++;
	err = repair_one(pin_dir, t, id, &p, flags, res, &gone, errbuf, errlen);
	res->gone += gone;
	return err;
}

int vfwd_repair_all(const char *pin_dir, const struct vfwd_tables *t,
		    unsigned int flags, struct vfwd_repair_result *res,
		    char *errbuf, size_t errlen)
{
	char why[VFWD_ERRLEN];
	struct vfwd_port p;
	int err, first = 0;
	bool gone;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		err = vfwd_port_get(t, id, &p);
		if (err) {
			snprintf(errbuf, errlen,
				 "port table: cannot read it: %s",
				 strerror(-err));
			return err;
		}
		if (!vfwd_port_is_guest(&p))
			continue;
		res->ports++;
		/* Only the first failure is explained; the other ports are
		 * repaired all the same. */
		err = repair_one(pin_dir, t, id, &p, flags, res, &gone,
				 first ? why : errbuf,
				 first ? sizeof(why) : errlen);
		if (gone) {
			/* Not an error here: a guest that is shut down has
			 * no tap, and status reports the port. */
			res->gone++;
			continue;
		}
		if (err && !first)
			first = err;
	}
	if (flags & VFWD_REPAIR_RELOAD) {
		err = vfwd_cpumap_sync(pin_dir, t, NULL, 0, true,
				       first ? why : errbuf,
				       first ? sizeof(why) : errlen);
		if (err && !first) {
			snprintf(
				why, sizeof(why),
				"the CPUMAP entries still run the previous vfwd_cpu: %s",
				errbuf);
			snprintf(errbuf, errlen, "%s", why);
			first = err;
		}
	}
	return first;
}
