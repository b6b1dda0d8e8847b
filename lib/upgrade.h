/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Upgrades across a schema bump (lib/upgrade.c): an installation whose
 * tables are of the previous schema (maps/vfwd_maps_v3.h) carried over to
 * this one while its programs keep forwarding.  Functions return 0 or a
 * negative errno and explain a failure in the caller's buffer.
 */
#ifndef VFWD_UPGRADE_OPS_H
#define VFWD_UPGRADE_OPS_H

#include "vfwd_ops.h"
#include "vfwd_upgrade.h"

enum vfwd_upgrade_state {
	/* No previous schema's tables: nothing to upgrade. */
	VFWD_UPGRADE_NONE = 0,
	/* Only the previous schema's tables: vfwd_upgrade carries them
	 * over. */
	VFWD_UPGRADE_OLD = 1,
	/* An upgrade stopped before it published: the previous release's
	 * programs forward as before, and this schema's tables may be
	 * incomplete.  vfwd_upgrade_undo removes them. */
	VFWD_UPGRADE_BUILDING = 2,
	/* An upgrade stopped after it published: this schema's tables are
	 * complete, and programs of either release may be forwarding.
	 * vfwd_upgrade_finish swaps the rest and removes the old tables. */
	VFWD_UPGRADE_PUBLISHING = 3,
	/* Tables of both schemas and no upgrade under way: not state vfwd
	 * makes, so it is not guessed at. */
	VFWD_UPGRADE_MIXED = 4,
};

/* Where pin_dir stands: an enum vfwd_upgrade_state, or -errno. */
int vfwd_upgrade_state(const char *pin_dir);

struct vfwd_upgrade_result {
	struct vfwd_prev_copied copied; /* what the tables carried over */
	unsigned int guests; /* guest ports whose programs were swapped */
	unsigned int gone; /* guest ports skipped: their device is gone */
	unsigned int uplinks; /* uplinks whose program was swapped */
};

/* Carry the previous schema's installation in pin_dir over to this one,
 * from any state but MIXED (a BUILDING one is undone and done again, a
 * PUBLISHING one finished).  The caller holds the pin directory's lock
 * and has no tables open.  Until it publishes, a failure leaves the old
 * installation as it was; after, the journal says what is left, and
 * vfwd_upgrade_finish (or the next command, through vfwd_recover)
 * finishes it. */
int vfwd_upgrade(const char *pin_dir, struct vfwd_upgrade_result *res,
		 char *err, size_t errlen);
/* BUILDING: remove this schema's tables; the previous ones stay. */
int vfwd_upgrade_undo(const char *pin_dir, char *err, size_t errlen);
/* PUBLISHING: swap every program still of the previous release, then
 * remove the previous schema's tables and clear the journal. */
int vfwd_upgrade_finish(const char *pin_dir, struct vfwd_upgrade_result *res,
			char *err, size_t errlen);
/* The journal's UPGRADE entry met with t open (vfwd_recover): finished
 * when it had published (*forward), else -EAGAIN: only a new upgrade
 * (attach) may undo it, as the tables are then incomplete. */
int vfwd_upgrade_recover(const char *pin_dir, struct vfwd_tables *t,
			 const struct vfwd_intent *in, bool *forward, char *err,
			 size_t errlen);

#endif /* VFWD_UPGRADE_OPS_H */
