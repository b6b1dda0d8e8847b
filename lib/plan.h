/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What apply must change (lib/plan.c): the differences between the
 * installation (as a configuration, lib/config_state.c) and a file, as a
 * list of steps.  Computed without touching the kernel, so --dry-run
 * prints exactly what apply would do.
 */
#ifndef VFWD_PLAN_H
#define VFWD_PLAN_H

#include "config.h"

enum vfwd_plan_op {
	VFWD_PLAN_ADD,
	VFWD_PLAN_CHANGE,
	VFWD_PLAN_REMOVE,
};

enum vfwd_plan_kind {
	VFWD_PLAN_UPLINK,
	VFWD_PLAN_PORT,
	VFWD_PLAN_MAC,
};

/* How a port changes (VFWD_PLAN_CHANGE of a port). */
enum vfwd_plan_port_change {
	VFWD_PC_DEV = 1U << 0, /* onto another device (port set --dev) */
	VFWD_PC_VLAN = 1U << 1, /* its MACs are re-keyed around the change */
	VFWD_PC_UPLINK = 1U << 2,
	VFWD_PC_SPOOFCHK = 1U << 3,
	VFWD_PC_CPUS = 1U << 4, /* cpus, vm-pid, placement or rps */
	/* kind or vhost-user socket: port set cannot, so del and add */
	VFWD_PC_RECREATE = 1U << 5,
	/* the kernel differs from the tables (lib/drift.c): repaired */
	VFWD_PC_REPAIR = 1U << 6,
};

/* What a step describes: "vlan 0 -> 100, spoofchk true -> false". */
#define VFWD_PLAN_WHAT_LEN 512

struct vfwd_plan_step {
	enum vfwd_plan_op op;
	enum vfwd_plan_kind kind;
	/* The item in the file (ADD, CHANGE) or in the installation
	 * (REMOVE), by index into its config's array. */
	size_t want; /* index into the file's items; ADD and CHANGE */
	size_t cur; /* index into the installation's; CHANGE and REMOVE */
	unsigned int changes; /* ports: enum vfwd_plan_port_change */
	char what[VFWD_PLAN_WHAT_LEN];
};

struct vfwd_plan {
	struct vfwd_plan_step *steps;
	size_t n, cap;
};

/* How a plan is made (the flags of cli_apply). */
enum vfwd_plan_flags {
	/* add and change what the file names; remove nothing */
	VFWD_PLAN_MERGE = 1U << 0,
	/* remove the ports the file names, and their MACs; nothing else */
	VFWD_PLAN_REMOVE_NAMED = 1U << 1,
};

/* The steps that make cur into want, grouped by kind and operation.
 * 0 or -ENOMEM. */
int vfwd_plan_make(const struct vfwd_config *cur,
		   const struct vfwd_config *want, unsigned int flags,
		   struct vfwd_plan *plan);
void vfwd_plan_free(struct vfwd_plan *plan);
/* Where the kernel differs from the tables for an uplink or port the
 * file keeps (a command killed between two kernel operations, a filter
 * someone deleted): a step that repairs it, or the REPAIR mark on the
 * item's step.  kind is VFWD_PLAN_UPLINK or VFWD_PLAN_PORT, name the
 * item's, why the difference.  0 or -ENOMEM. */
int vfwd_plan_add_repair(struct vfwd_plan *plan, const struct vfwd_config *cur,
			 const struct vfwd_config *want,
			 enum vfwd_plan_kind kind, const char *name,
			 const char *why);
/* The name a step is about: an uplink's device, a port's name, or
 * "MAC vlan VID". */
void vfwd_plan_step_name(const struct vfwd_plan_step *s,
			 const struct vfwd_config *cur,
			 const struct vfwd_config *want, char *buf, size_t len);
const char *vfwd_plan_op_str(enum vfwd_plan_op op);
const char *vfwd_plan_kind_str(enum vfwd_plan_kind kind);

#endif /* VFWD_PLAN_H */
