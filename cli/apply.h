/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd apply's two halves: cli/cmd_apply.c reads the file, plans, prints
 * and keeps the record of an apply in progress; cli/apply_steps.c takes
 * the planned steps, with the commands' own code, in the order that keeps
 * every guest forwarding.
 */
#ifndef VFWD_CLI_APPLY_H
#define VFWD_CLI_APPLY_H

#include "cli.h"
#include "config.h"
#include "plan.h"

/* What a run of the steps needs. */
struct apply_run {
	const struct vfwd_config *cur, *want;
	const struct vfwd_plan *plan;
	unsigned int flags;
};

/* Take the steps of a->plan on the open state (c->quiet set by the
 * caller): 0, or -errno after an error line. */
int apply_run_steps(struct vfwd_ctx *c, const struct apply_run *a);
/* Add to plan a repair for each uplink and port the file keeps whose
 * kernel objects differ from the tables.  0 or -errno. */
int apply_plan_repairs(struct vfwd_ctx *c, const struct vfwd_config *cur,
		       const struct vfwd_config *want, struct vfwd_plan *plan);

#endif /* VFWD_CLI_APPLY_H */
