// SPDX-License-Identifier: GPL-2.0
/*
 * Upgrades across a schema bump, in publish-last order under the intent
 * journal (docs/architecture.md, "Upgrades across a schema bump").
 *
 * Build: this schema's tables are made beside the previous schema's, the
 * journal pinned first saying VFWD_OP_UPGRADE, and filled from them: the
 * port table, the live MAC table, the tx devmap entries and the counters
 * copied; the VLAN groups and the CPUMAP made anew from the port table.
 * No program uses them yet, so a kill leaves the old installation
 * forwarding as it was, and the next command removes them.
 *
 * Publish: the journal says VFWD_INTENT_F_PUBLISH, then every guest port's
 * programs are loaded against the new tables and swapped in with tc's
 * REPLACE (a guest is never unfiltered), then every uplink's program with
 * XDP_FLAGS_REPLACE (no frame meets an empty hook).  Meanwhile a frame
 * meets programs of either release, each with complete tables of its
 * own, so it is forwarded either way.  Only when every program is of
 * this release do the previous schema's pins go, and then the journal
 * is cleared.  A kill anywhere after the flag is finished by the next
 * command: every step is one that can be done again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "upgrade.h"

/* The journal of this schema's tables, read from its pin alone: the
 * other pins may not all be there. */
static int journal_read(const char *pin_dir, struct vfwd_intent *in)
{
	char path[PATH_MAX];
	__u32 slot = 0;
	int fd, ret;

	memset(in, 0, sizeof(*in));
	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_MAP_INTENT);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	ret = bpf_map_lookup_elem(fd, &slot, in) ? -errno : 0;
	close(fd);
	return ret;
}

int vfwd_upgrade_state(const char *pin_dir)
{
	struct vfwd_intent in;
	int prev, cur, ret;

	vfwd_prev_pins(pin_dir, &prev);
	vfwd_tables_pins(pin_dir, &cur);
	ret = journal_read(pin_dir, &in);
	if (ret && ret != -ENOENT)
		return ret;
	if (!ret && in.op == VFWD_OP_UPGRADE)
		return in.flags & VFWD_INTENT_F_PUBLISH
			       ? VFWD_UPGRADE_PUBLISHING
			       : VFWD_UPGRADE_BUILDING;
	if (!prev)
		return VFWD_UPGRADE_NONE;
	return cur ? VFWD_UPGRADE_MIXED : VFWD_UPGRADE_OLD;
}

int vfwd_upgrade_undo(const char *pin_dir, char *err, size_t errlen)
{
	/* No program uses these tables: the previous ones never stopped
	 * being the installation.  The journal's pin goes last. */
	int ret = vfwd_tables_unpin_pins(pin_dir);

	if (ret)
		snprintf(
			err, errlen,
			"cannot remove the schema v%d tables an unfinished upgrade made in %s: %s",
			VFWD_SCHEMA_VERSION, pin_dir, strerror(-ret));
	return ret;
}

/* Before anything is published: every device the upgrade will swap a
 * program on holds this installation's program or none, so that the
 * publish cannot stop half-way on a refusal. */
static int preflight(const char *pin_dir, const struct vfwd_tables *t,
		     char *err, size_t errlen)
{
	struct vfwd_xdp_state xdp;
	struct vfwd_dev_info dev;
	char why[VFWD_ERRLEN];
	struct vfwd_port p;
	int ret;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		ret = vfwd_port_get(t, id, &p);
		if (ret) {
			snprintf(err, errlen, "cannot read the port table: %s",
				 strerror(-ret));
			return ret;
		}
		if (!p.ifindex || vfwd_dev_by_index(p.ifindex, &dev))
			continue;
		if (vfwd_port_is_guest(&p)) {
			ret = vfwd_filter_slot_free(pin_dir, p.ifindex, why,
						    sizeof(why));
			if (ret) {
				snprintf(err, errlen,
					 "port '%s': device %s: %s", p.name,
					 dev.name, why);
				return ret;
			}
			continue;
		}
		if (p.kind != VFWD_PORT_UPLINK)
			continue;
		ret = vfwd_xdp_query(p.ifindex, pin_dir, &xdp);
		if (ret) {
			snprintf(err, errlen,
				 "uplink %s: cannot query its XDP hook: %s",
				 dev.name, strerror(-ret));
			return ret;
		}
		if (xdp.prog_id && !xdp.ours) {
			snprintf(
				err, errlen,
				"uplink %s runs XDP program '%s' (id %u), which is not this installation's; remove it (ip link set dev %s xdp off) or re-attach with the previous vfwd first",
				dev.name, xdp.prog_name, xdp.prog_id, dev.name);
			return -EBUSY;
		}
		if (xdp.prog_id && xdp.mode != p.xdp_mode) {
			snprintf(
				err, errlen,
				"uplink %s is attached in %s mode, its slot says %s; re-attach it with the previous vfwd first",
				dev.name, vfwd_xdp_mode_str(xdp.mode),
				vfwd_xdp_mode_str(p.xdp_mode));
			return -EBUSY;
		}
	}
	return 0;
}

/* Fill this schema's new tables t from the previous ones. */
static int build(const char *pin_dir, const struct vfwd_prev_tables *prev,
		 struct vfwd_tables *t, struct vfwd_upgrade_result *res,
		 char *err, size_t errlen)
{
	char why[VFWD_ERRLEN];
	int ret;

	ret = vfwd_prev_copy(prev, t, &res->copied);
	if (ret == -EPROTO) {
		snprintf(
			err, errlen,
			"port slot %u of the schema v%d tables holds a kind of port this version cannot carry over",
			res->copied.bad_port, VFWD_PREV_SCHEMA_VERSION);
		return ret;
	}
	if (ret) {
		snprintf(
			err, errlen,
			"cannot copy the schema v%d tables into the schema v%d ones: %s",
			VFWD_PREV_SCHEMA_VERSION, VFWD_SCHEMA_VERSION,
			strerror(-ret));
		return ret;
	}
	ret = preflight(pin_dir, t, err, errlen);
	if (ret)
		return ret;
	ret = vfwd_vlan_sync(t);
	if (ret) {
		snprintf(err, errlen, "cannot make the VLAN flood groups: %s",
			 strerror(-ret));
		return ret;
	}
	/* The new CPUMAP's entries run this build's vfwd_cpu; the old
	 * uplink program keeps using the old CPUMAP until it is swapped. */
	ret = vfwd_cpumap_sync(pin_dir, t, NULL, 0, false, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "CPU steering: %s", why);
	return ret;
}

/* Every uplink in t whose device is there gets this build's program,
 * swapped for the running one in one step. */
static int swap_uplinks(const char *pin_dir, const struct vfwd_tables *t,
			struct vfwd_upgrade_result *res, char *err,
			size_t errlen)
{
	struct vfwd_dev_info dev;
	char why[VFWD_ERRLEN];
	struct vfwd_port p;
	bool replaced;
	__u32 prog_id;
	int ret;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		ret = vfwd_port_get(t, id, &p);
		if (ret) {
			snprintf(err, errlen, "cannot read the port table: %s",
				 strerror(-ret));
			return ret;
		}
		/* A device that is gone is status's to report, as before. */
		if (p.kind != VFWD_PORT_UPLINK ||
		    vfwd_dev_by_index(p.ifindex, &dev))
			continue;
		ret = vfwd_uplink_attach(pin_dir, p.ifindex, id, p.xdp_mode,
					 p.flags & VFWD_PORT_F_BUM_FLOOD,
					 &replaced, &prog_id, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "uplink %s: %s", dev.name, why);
			return ret;
		}
		res->uplinks++;
	}
	/* The drop counter came with this schema; an uplink forwards
	 * without it, and stats says when it is missing. */
	vfwd_xmit_ensure(pin_dir, why, sizeof(why));
	return 0;
}

/* The publish, from its first swap or from wherever a kill stopped it. */
static int publish(const char *pin_dir, struct vfwd_tables *t,
		   struct vfwd_upgrade_result *res, char *err, size_t errlen)
{
	struct vfwd_repair_result rr = {};
	int ret;

	/* Guests first: their filters and flood entries, and a fresh
	 * vfwd_cpu in every CPUMAP entry.  Each filter is swapped with
	 * REPLACE and checked afterwards. */
	ret = vfwd_repair_all(pin_dir, t, VFWD_REPAIR_RELOAD, &rr, err, errlen);
	res->guests = rr.ports - rr.gone;
	res->gone = rr.gone;
	vfwd_repair_result_free(&rr);
	if (ret)
		return ret;
	/* Then the uplinks: one kernel operation each. */
	ret = swap_uplinks(pin_dir, t, res, err, errlen);
	if (ret)
		return ret;
	/* No program uses the previous tables now: the kernel frees them
	 * once their pins are gone. */
	ret = vfwd_prev_unpin(pin_dir);
	if (ret) {
		snprintf(err, errlen,
			 "cannot remove the schema v%d tables from %s: %s",
			 VFWD_PREV_SCHEMA_VERSION, pin_dir, strerror(-ret));
		return ret;
	}
	ret = vfwd_intent_clear(t);
	if (ret)
		snprintf(err, errlen, "cannot clear the intent journal: %s",
			 strerror(-ret));
	return ret;
}

int vfwd_upgrade_recover(const char *pin_dir, struct vfwd_tables *t,
			 const struct vfwd_intent *in, bool *forward, char *err,
			 size_t errlen)
{
	struct vfwd_upgrade_result res = {};

	*forward = in->flags & VFWD_INTENT_F_PUBLISH;
	if (*forward)
		return publish(pin_dir, t, &res, err, errlen);
	snprintf(
		err, errlen,
		"an upgrade from schema v%d stopped before it published; the previous installation still forwards; run 'vfwd attach IFNAME' to upgrade it again",
		VFWD_PREV_SCHEMA_VERSION);
	return -EAGAIN;
}

int vfwd_upgrade_finish(const char *pin_dir, struct vfwd_upgrade_result *res,
			char *err, size_t errlen)
{
	struct vfwd_tables t;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = vfwd_tables_open(&t, pin_dir);
	if (ret) {
		snprintf(
			err, errlen,
			"cannot open the schema v%d tables of the upgrade to finish in %s: %s",
			VFWD_SCHEMA_VERSION, pin_dir, strerror(-ret));
		return ret;
	}
	ret = publish(pin_dir, &t, res, err, errlen);
	vfwd_tables_close(&t);
	return ret;
}

/* The previous installation, ready to be carried over: its tables open,
 * and no command of the previous release left half done. */
static int prev_ready(const char *pin_dir, struct vfwd_prev_tables *prev,
		      char *err, size_t errlen)
{
	struct vfwd_intent in;
	int ret;

	ret = vfwd_prev_open(prev, pin_dir);
	if (ret) {
		snprintf(
			err, errlen,
			"cannot open the schema v%d tables in %s: %s (an interrupted command of the previous vfwd finishes them when run again)",
			VFWD_PREV_SCHEMA_VERSION, pin_dir, strerror(-ret));
		return ret;
	}
	ret = vfwd_prev_intent(prev, &in);
	if (ret == -ENOENT)
		return 0;
	if (!ret) {
		snprintf(
			err, errlen,
			"the previous vfwd's journal in %s holds an unfinished %s of '%s' (process %u); run any command that changes state with the previous vfwd to finish it, then attach again",
			pin_dir, vfwd_intent_op_str(in.op), in.name, in.pid);
		ret = -EBUSY;
	} else {
		snprintf(err, errlen,
			 "cannot read the previous vfwd's journal in %s: %s",
			 pin_dir, strerror(-ret));
	}
	vfwd_prev_close(prev);
	return ret;
}

int vfwd_upgrade(const char *pin_dir, struct vfwd_upgrade_result *res,
		 char *err, size_t errlen)
{
	struct vfwd_intent in;
	struct vfwd_prev_tables prev;
	struct vfwd_tables t;
	char why[VFWD_ERRLEN];
	int ret, state;

	memset(res, 0, sizeof(*res));
	state = vfwd_upgrade_state(pin_dir);
	if (state < 0) {
		snprintf(err, errlen, "cannot read the intent journal: %s",
			 strerror(-state));
		return state;
	}
	switch (state) {
	case VFWD_UPGRADE_NONE:
		return 0;
	case VFWD_UPGRADE_PUBLISHING:
		return vfwd_upgrade_finish(pin_dir, res, err, errlen);
	case VFWD_UPGRADE_MIXED:
		snprintf(
			err, errlen,
			"%s holds tables of schema v%d and v%d and no upgrade is under way; remove one installation (detach with its own vfwd version) or use another --pin-path",
			pin_dir, VFWD_PREV_SCHEMA_VERSION, VFWD_SCHEMA_VERSION);
		return -EEXIST;
	case VFWD_UPGRADE_BUILDING:
		ret = vfwd_upgrade_undo(pin_dir, err, errlen);
		if (ret)
			return ret;
		break;
	default:
		break;
	}

	ret = prev_ready(pin_dir, &prev, err, errlen);
	if (ret)
		return ret;
	/* The journal is pinned first, saying UPGRADE: from here a kill
	 * leaves tables the next command knows to remove. */
	ret = vfwd_maps_create_op(pin_dir, VFWD_OP_UPGRADE, NULL);
	if (ret) {
		snprintf(err, errlen,
			 "cannot make the schema v%d tables in %s: %s",
			 VFWD_SCHEMA_VERSION, pin_dir, strerror(-ret));
		goto undo;
	}
	ret = vfwd_tables_open(&t, pin_dir);
	if (ret) {
		snprintf(err, errlen,
			 "cannot open the schema v%d tables in %s: %s",
			 VFWD_SCHEMA_VERSION, pin_dir, strerror(-ret));
		goto undo;
	}
	ret = build(pin_dir, &prev, &t, res, err, errlen);
	vfwd_prev_close(&prev);
	if (ret) {
		vfwd_tables_close(&t);
		goto undo_closed;
	}
	/* The commit point: from this write on the upgrade is finished,
	 * never undone. */
	vfwd_intent_init(&in, VFWD_OP_UPGRADE, 0, NULL);
	in.flags = VFWD_INTENT_F_PUBLISH;
	ret = vfwd_intent_begin(&t, &in, err, errlen);
	if (!ret)
		ret = publish(pin_dir, &t, res, err, errlen);
	vfwd_tables_close(&t);
	return ret;
undo:
	vfwd_prev_close(&prev);
undo_closed:
	/* The first error is the one reported; what the undo cannot
	 * remove, the journal names for the next command. */
	vfwd_upgrade_undo(pin_dir, why, sizeof(why));
	return ret;
}
