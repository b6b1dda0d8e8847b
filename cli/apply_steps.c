// SPDX-License-Identifier: GPL-2.0
/*
 * The steps of vfwd apply (cli/apply.h): uplinks attached, ports added,
 * changed and repaired, the MAC table published once, then removals,
 * each through the code of the command that does it alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "apply.h"

/* A file port as the options of port add (all of it) or port set (what
 * changes). */
static void port_req_from(const struct vfwd_cfg_port *p, unsigned int changes,
			  bool add, struct port_req *r)
{
	bool cpus = p->cpus[0] || p->vm_pid;

	memset(r, 0, sizeof(*r));
	cli_cpu_req_init(&r->cpu);
	r->cpu.is_set = !add;
	r->spoofchk = -1;
	if (add || (changes & VFWD_PC_DEV))
		r->ifname = p->xsk || !p->dev[0] ? NULL : p->dev;
	if (add || (changes & VFWD_PC_VLAN)) {
		r->vlan_set = add ? p->vid != 0 : true;
		r->vid = p->vid;
	}
	if (add)
		r->uplink = p->uplink[0] ? p->uplink : NULL;
	else if (changes & VFWD_PC_UPLINK)
		r->uplink = p->uplink[0] ? p->uplink : "auto";
	if (add || (changes & VFWD_PC_SPOOFCHK))
		r->spoofchk = p->spoofchk;
	if (add || (changes & VFWD_PC_CPUS)) {
		if (p->cpus[0])
			r->cpu.cpus = p->cpus;
		else if (p->vm_pid)
			r->cpu.vm_pid = p->vm_pid;
		else if (!add)
			r->cpu.cpus = "none";
		if (cpus) {
			r->cpu.placement = p->placement;
			r->cpu.rps = p->rps;
		}
	}
	r->xsk = p->xsk;
	r->vhost_socket = p->xsk ? p->vhost_socket : NULL;
	r->vhost_server = p->xsk && p->vhost_server;
}

static int port_id(struct vfwd_ctx *c, const char *name, struct vfwd_port *p)
{
	int id = vfwd_port_find_name(&c->t, name, p);

	if (id < 0)
		return cli_err(c, id, "port '%s': not found after it was made",
			       name);
	return id;
}

/* The live MAC table without the entries of the ports a step re-keys
 * (a VLAN change) or remakes: port set refuses a VLAN change while the
 * port owns MACs keyed by the old one. */
static int drop_port_macs(struct vfwd_ctx *c, const struct apply_run *a)
{
	char why[VFWD_ERRLEN];
	struct vfwd_port p;
	size_t dropped;
	int id, err;

	for (size_t i = 0; i < a->plan->n; i++) {
		const struct vfwd_plan_step *s = &a->plan->steps[i];

		if (s->kind != VFWD_PLAN_PORT || s->op != VFWD_PLAN_CHANGE ||
		    !(s->changes & (VFWD_PC_VLAN | VFWD_PC_RECREATE)))
			continue;
		id = vfwd_port_find_name(&c->t, a->cur->ports[s->cur].name, &p);
		if (id < 0)
			continue;
		err = vfwd_mac_drop_port(&c->t, id, &dropped, why, sizeof(why));
		if (err)
			return cli_err(c, err, "port '%s': %s", p.name, why);
	}
	return 0;
}

/* What differs in the kernel for port name, put back as the tables say
 * (lib/repair.c), as `port set NAME` does. */
static int repair_port(struct vfwd_ctx *c, const char *name)
{
	struct vfwd_repair_result res = {};
	char why[VFWD_ERRLEN];
	struct vfwd_port p;
	int id = port_id(c, name, &p), err;

	if (id < 0)
		return id;
	err = vfwd_repair_port(c->pin_dir, &c->t, id, 0, &res, why,
			       sizeof(why));
	vfwd_repair_result_free(&res);
	return err ? cli_err(c, err, "port '%s': %s", name, why) : 0;
}

/* What apply repairs.  Not: a gone device (a dev change, if the file
 * names one), what could not be checked (not known to differ), another
 * tool's or installation's program (vfwd never replaces those), a
 * renamed uplink, and AF_XDP sockets (vfwd-vhost's to keep). */
static bool repairable(enum vfwd_drift_kind k)
{
	switch (k) {
	case VFWD_DRIFT_XDP_MISSING:
	case VFWD_DRIFT_XDP_MODE:
	case VFWD_DRIFT_XDP_CONFIG:
	case VFWD_DRIFT_FILTER_MISSING:
	case VFWD_DRIFT_FILTER_PORT:
	case VFWD_DRIFT_TX_MISSING:
	case VFWD_DRIFT_TX_WRONG:
	case VFWD_DRIFT_FLOOD_MISSING:
	case VFWD_DRIFT_FLOOD_WRONG:
	case VFWD_DRIFT_FLOOD_NO_EGRESS:
	case VFWD_DRIFT_CPUMAP_MISSING:
	case VFWD_DRIFT_CPUMAP_WRONG:
		return true;
	default:
		return false;
	}
}

/* Steps that repair what the kernel has for the uplinks and ports the
 * file keeps, where it differs from the tables: apply makes the host
 * match the file, not only the tables. */
int apply_plan_repairs(struct vfwd_ctx *c, const struct vfwd_config *cur,
		       const struct vfwd_config *want, struct vfwd_plan *plan)
{
	struct vfwd_drift_list d = {};
	int err = vfwd_drift_check(c->pin_dir, &c->t, &d);

	for (size_t i = 0; !err && i < d.n; i++) {
		const struct vfwd_drift *e = &d.items[i];
		struct vfwd_port p;

		if (!repairable(e->kind) ||
		    vfwd_port_get(&c->t, e->port_id, &p))
			continue;
		err = vfwd_plan_add_repair(
			plan, cur, want,
			p.kind == VFWD_PORT_UPLINK ? VFWD_PLAN_UPLINK
						   : VFWD_PLAN_PORT,
			e->name, vfwd_drift_kind_str(e->kind));
	}
	vfwd_drift_list_free(&d);
	return err;
}

static int run_port_steps(struct vfwd_ctx *c, const struct apply_run *a)
{
	struct port_req r;
	int err = 0;

	for (size_t i = 0; i < a->plan->n && !err; i++) {
		const struct vfwd_plan_step *s = &a->plan->steps[i];
		const struct vfwd_cfg_port *w = &a->want->ports[s->want];

		if (s->kind != VFWD_PLAN_PORT || s->op == VFWD_PLAN_REMOVE)
			continue;
		if (s->op == VFWD_PLAN_CHANGE &&
		    !(s->changes & VFWD_PC_RECREATE)) {
			if (s->changes & ~VFWD_PC_REPAIR) {
				port_req_from(w, s->changes, false, &r);
				err = cli_port_set(c, w->name, &r);
			}
			if (!err && (s->changes & VFWD_PC_REPAIR))
				err = repair_port(c, w->name);
			continue;
		}
		/* Remade: port set cannot change a port's kind or socket. */
		if (s->op == VFWD_PLAN_CHANGE)
			err = cli_port_del(c, w->name, true);
		if (!err) {
			port_req_from(w, 0, true, &r);
			err = cli_port_add(c, w->name, &r);
		}
	}
	return err;
}

/* The MAC table as the file says, in one publish: every added and moved
 * MAC at once.  A full apply's table is exactly the file's; a merge's is
 * the live one with the file's entries in place of theirs. */
static int publish_macs(struct vfwd_ctx *c, const struct apply_run *a)
{
	struct vfwd_mac_load_stats st;
	const struct vfwd_config *w = a->want;
	struct vfwd_mac_entry *e;
	char why[VFWD_ERRLEN];
	size_t n = 0;
	struct vfwd_port p;
	int id, err;

	e = calloc(w->n_macs ? w->n_macs : 1, sizeof(*e));
	if (!e)
		return cli_err(c, -ENOMEM, "MAC table: out of memory");
	for (size_t i = 0; i < w->n_macs; i++) {
		id = port_id(c, w->macs[i].port, &p);
		if (id < 0) {
			free(e);
			return id;
		}
		memcpy(e[n].key.mac, w->macs[i].mac, VFWD_ETH_ALEN);
		e[n].key.vid = w->macs[i].vid;
		e[n].val.port_id = id;
		e[n].val.flags = vfwd_mac_binding_flags(&p);
		n++;
	}
	qsort(e, n, sizeof(*e),
	      (int (*)(const void *, const void *))vfwd_mac_key_cmp);
	if (a->flags & CLI_APPLY_MERGE) {
		err = vfwd_mac_load(&c->t, e, n, true, &st, why, sizeof(why));
	} else {
		err = vfwd_mac_table_replace(&c->t, e, n);
		snprintf(why, sizeof(why), "cannot publish the new table: %s",
			 strerror(-err));
	}
	free(e);
	if (err)
		return cli_err(c, err, "MAC table: %s", why);
	return 0;
}

/* Whether the MAC table must be published: a MAC added, moved or
 * removed, or a port re-keyed (its MACs were dropped before). */
static bool macs_change(const struct vfwd_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct vfwd_plan_step *s = &plan->steps[i];

		if (s->kind == VFWD_PLAN_MAC ||
		    (s->kind == VFWD_PLAN_PORT &&
		     (s->changes & (VFWD_PC_VLAN | VFWD_PC_RECREATE))))
			return true;
	}
	return false;
}

int apply_run_steps(struct vfwd_ctx *c, const struct apply_run *a)
{
	const struct vfwd_plan *plan = a->plan;
	int err = 0;

	/* 1. Uplinks: new ones, and new modes or BUM policies. */
	for (size_t i = 0; i < plan->n && !err; i++) {
		const struct vfwd_plan_step *s = &plan->steps[i];
		const struct vfwd_cfg_uplink *u = &a->want->uplinks[s->want];

		if (s->kind == VFWD_PLAN_UPLINK && s->op != VFWD_PLAN_REMOVE)
			err = cli_attach(c, u->dev, u->xdp_mode, u->bum_flood);
	}
	if (err)
		return err;
	if (a->flags & CLI_APPLY_REMOVE)
		goto removals;
	/* 2. Ports: new and changed, each published as port add and port
	 * set publish it; MACs keyed by a VLAN that changes go first. */
	err = drop_port_macs(c, a);
	if (!err)
		err = run_port_steps(c, a);
	/* 3. MACs: added and moved (and, in a full apply, removed) in one
	 * publish, now that every port they name exists. */
	if (!err && macs_change(plan))
		err = publish_macs(c, a);
	if (err)
		return err;
removals:
	/* 4. What goes: ports (no MAC points at them any more, except in
	 * a removal of named ports, where port del takes them), then
	 * uplinks, whose tables stay for the ports. */
	for (size_t i = 0; i < plan->n && !err; i++) {
		const struct vfwd_plan_step *s = &plan->steps[i];

		if (s->op != VFWD_PLAN_REMOVE)
			continue;
		if (s->kind == VFWD_PLAN_PORT)
			err = cli_port_del(c, a->cur->ports[s->cur].name, true);
	}
	for (size_t i = 0; i < plan->n && !err; i++) {
		const struct vfwd_plan_step *s = &plan->steps[i];

		if (s->op == VFWD_PLAN_REMOVE && s->kind == VFWD_PLAN_UPLINK)
			err = cli_detach(c, a->cur->uplinks[s->cur].dev, true);
	}
	return err;
}
