// SPDX-License-Identifier: GPL-2.0
/* The steps apply takes: the differences between two configurations. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plan.h"
#include "vfwd_cpus.h"
#include "vfwd_tables.h"

const char *vfwd_plan_op_str(enum vfwd_plan_op op)
{
	switch (op) {
	case VFWD_PLAN_ADD:
		return "add";
	case VFWD_PLAN_CHANGE:
		return "change";
	default:
		return "remove";
	}
}

const char *vfwd_plan_kind_str(enum vfwd_plan_kind kind)
{
	switch (kind) {
	case VFWD_PLAN_UPLINK:
		return "uplink";
	case VFWD_PLAN_PORT:
		return "port";
	default:
		return "mac";
	}
}

static struct vfwd_plan_step *step(struct vfwd_plan *plan, enum vfwd_plan_op op,
				   enum vfwd_plan_kind kind, size_t want,
				   size_t cur)
{
	struct vfwd_plan_step *s;

	if (plan->n == plan->cap) {
		size_t ncap = plan->cap ? plan->cap * 2 : 16;

		s = realloc(plan->steps, ncap * sizeof(*s));
		if (!s)
			return NULL;
		plan->steps = s;
		plan->cap = ncap;
	}
	s = &plan->steps[plan->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->kind = kind;
	s->want = want;
	s->cur = cur;
	return s;
}

/* "key old -> new" appended to what, comma-separated. */
static void what_add(struct vfwd_plan_step *s, const char *key,
		     const char *from, const char *to)
{
	size_t off = strlen(s->what);

	snprintf(s->what + off, sizeof(s->what) - off, "%s%s %s -> %s",
		 off ? ", " : "", key, from[0] ? from : "none",
		 to[0] ? to : "none");
}

static void what_num(struct vfwd_plan_step *s, const char *key,
		     unsigned long from, unsigned long to)
{
	char a[24], b[24];

	snprintf(a, sizeof(a), "%lu", from);
	snprintf(b, sizeof(b), "%lu", to);
	what_add(s, key, a, b);
}

static const char *tf(bool v)
{
	return v ? "true" : "false";
}

static const struct vfwd_cfg_uplink *find_uplink(const struct vfwd_config *cfg,
						 const char *dev, size_t *idx)
{
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		if (!strcmp(cfg->uplinks[i].dev, dev)) {
			*idx = i;
			return &cfg->uplinks[i];
		}
	return NULL;
}

static const struct vfwd_cfg_port *find_port(const struct vfwd_config *cfg,
					     const char *name, size_t *idx)
{
	for (size_t i = 0; i < cfg->n_ports; i++)
		if (!strcmp(cfg->ports[i].name, name)) {
			*idx = i;
			return &cfg->ports[i];
		}
	return NULL;
}

static const struct vfwd_cfg_mac *find_mac(const struct vfwd_config *cfg,
					   const struct vfwd_cfg_mac *m,
					   size_t *idx)
{
	for (size_t i = 0; i < cfg->n_macs; i++)
		if (!memcmp(cfg->macs[i].mac, m->mac, VFWD_ETH_ALEN) &&
		    cfg->macs[i].vid == m->vid) {
			*idx = i;
			return &cfg->macs[i];
		}
	return NULL;
}

/* Whether two CPU lists name the same CPUs in the same vCPU order:
 * "2-3" and "2,3" are one setting. */
static bool same_cpus(const char *a, const char *b)
{
	__u16 ca[VFWD_MAX_VCPUS], cb[VFWD_MAX_VCPUS];
	unsigned int na = 0, nb = 0;

	if (!a[0] || !b[0])
		return !a[0] && !b[0];
	if (vfwd_cpulist_parse(a, ca, VFWD_MAX_VCPUS, &na) ||
	    vfwd_cpulist_parse(b, cb, VFWD_MAX_VCPUS, &nb))
		return !strcmp(a, b);
	return na == nb && !memcmp(ca, cb, na * sizeof(ca[0]));
}

static void port_diff(const struct vfwd_cfg_port *c,
		      const struct vfwd_cfg_port *w, struct vfwd_plan_step *s)
{
	bool cpus_c = c->cpus[0] || c->vm_pid, cpus_w = w->cpus[0] || w->vm_pid;

	if (c->xsk != w->xsk || strcmp(c->vhost_socket, w->vhost_socket) ||
	    c->vhost_server != w->vhost_server) {
		s->changes |= VFWD_PC_RECREATE;
		if (c->xsk != w->xsk)
			what_add(s, "xsk", tf(c->xsk), tf(w->xsk));
		if (strcmp(c->vhost_socket, w->vhost_socket))
			what_add(s, "vhost-socket", c->vhost_socket,
				 w->vhost_socket);
		if (c->vhost_server != w->vhost_server)
			what_add(s, "vhost-server", tf(c->vhost_server),
				 tf(w->vhost_server));
	}
	if (!w->xsk && strcmp(c->dev, w->dev)) {
		s->changes |= VFWD_PC_DEV;
		what_add(s, "dev", c->dev[0] ? c->dev : "(gone)", w->dev);
	}
	if (c->vid != w->vid) {
		s->changes |= VFWD_PC_VLAN;
		what_num(s, "vlan", c->vid, w->vid);
	}
	if (strcmp(c->uplink, w->uplink)) {
		s->changes |= VFWD_PC_UPLINK;
		what_add(s, "uplink", c->uplink, w->uplink);
	}
	if (c->spoofchk != w->spoofchk) {
		s->changes |= VFWD_PC_SPOOFCHK;
		what_add(s, "spoofchk", tf(c->spoofchk), tf(w->spoofchk));
	}
	if (!same_cpus(c->cpus, w->cpus)) {
		s->changes |= VFWD_PC_CPUS;
		what_add(s, "cpus", c->cpus, w->cpus);
	}
	if (c->vm_pid != w->vm_pid) {
		s->changes |= VFWD_PC_CPUS;
		what_num(s, "vm-pid", c->vm_pid, w->vm_pid);
	}
	/* Placement and rps mean something only with a CPU set. */
	if (cpus_c && cpus_w && c->placement != w->placement) {
		s->changes |= VFWD_PC_CPUS;
		what_add(s, "placement", vfwd_cfg_placement_str(c->placement),
			 vfwd_cfg_placement_str(w->placement));
	}
	if ((cpus_c || cpus_w) && c->rps != w->rps) {
		s->changes |= VFWD_PC_CPUS;
		what_add(s, "rps", tf(c->rps), tf(w->rps));
	}
}

static int plan_uplinks(const struct vfwd_config *cur,
			const struct vfwd_config *want, unsigned int flags,
			struct vfwd_plan *plan)
{
	struct vfwd_plan_step *s;
	size_t j;

	for (size_t i = 0; i < want->n_uplinks; i++) {
		const struct vfwd_cfg_uplink *w = &want->uplinks[i];
		const struct vfwd_cfg_uplink *c = find_uplink(cur, w->dev, &j);

		if (c && c->xdp_mode == w->xdp_mode &&
		    c->bum_flood == w->bum_flood)
			continue;
		s = step(plan, c ? VFWD_PLAN_CHANGE : VFWD_PLAN_ADD,
			 VFWD_PLAN_UPLINK, i, c ? j : 0);
		if (!s)
			return -ENOMEM;
		if (!c) {
			snprintf(s->what, sizeof(s->what), "mode %s, bum %s",
				 vfwd_cfg_mode_str(w->xdp_mode),
				 w->bum_flood ? "flood" : "pass");
			continue;
		}
		if (c->xdp_mode != w->xdp_mode)
			what_add(s, "mode", vfwd_cfg_mode_str(c->xdp_mode),
				 vfwd_cfg_mode_str(w->xdp_mode));
		if (c->bum_flood != w->bum_flood)
			what_add(s, "bum", c->bum_flood ? "flood" : "pass",
				 w->bum_flood ? "flood" : "pass");
	}
	return 0;
}

static void port_what(const struct vfwd_cfg_port *p, char *buf, size_t len)
{
	if (p->xsk)
		snprintf(buf, len, "xsk, vhost-socket %s%s, vlan %u",
			 p->vhost_socket, p->vhost_server ? " (server)" : "",
			 p->vid);
	else
		snprintf(buf, len, "dev %s, vlan %u", p->dev, p->vid);
}

static int plan_ports(const struct vfwd_config *cur,
		      const struct vfwd_config *want, unsigned int flags,
		      struct vfwd_plan *plan)
{
	struct vfwd_plan_step *s;
	size_t j;

	for (size_t i = 0; i < want->n_ports; i++) {
		const struct vfwd_cfg_port *w = &want->ports[i];
		const struct vfwd_cfg_port *c = find_port(cur, w->name, &j);
		struct vfwd_plan_step tmp = {};

		if (flags & VFWD_PLAN_REMOVE_NAMED) {
			if (!c)
				continue;
			s = step(plan, VFWD_PLAN_REMOVE, VFWD_PLAN_PORT, 0, j);
			if (!s)
				return -ENOMEM;
			port_what(c, s->what, sizeof(s->what));
			continue;
		}
		if (c) {
			port_diff(c, w, &tmp);
			if (!tmp.changes)
				continue;
		}
		s = step(plan, c ? VFWD_PLAN_CHANGE : VFWD_PLAN_ADD,
			 VFWD_PLAN_PORT, i, c ? j : 0);
		if (!s)
			return -ENOMEM;
		if (c) {
			s->changes = tmp.changes;
			memcpy(s->what, tmp.what, sizeof(s->what));
		} else {
			port_what(w, s->what, sizeof(s->what));
		}
	}
	return 0;
}

static int plan_macs(const struct vfwd_config *cur,
		     const struct vfwd_config *want, unsigned int flags,
		     struct vfwd_plan *plan)
{
	struct vfwd_plan_step *s;
	size_t j;

	if (flags & VFWD_PLAN_REMOVE_NAMED)
		return 0;
	for (size_t i = 0; i < want->n_macs; i++) {
		const struct vfwd_cfg_mac *w = &want->macs[i];
		const struct vfwd_cfg_mac *c = find_mac(cur, w, &j);

		if (c && !strcmp(c->port, w->port))
			continue;
		s = step(plan, c ? VFWD_PLAN_CHANGE : VFWD_PLAN_ADD,
			 VFWD_PLAN_MAC, i, c ? j : 0);
		if (!s)
			return -ENOMEM;
		if (c)
			what_add(s, "port", c->port, w->port);
		else
			snprintf(s->what, sizeof(s->what), "port %s", w->port);
	}
	return 0;
}

/* Removals: what the installation has and the file does not (a full
 * apply), or the named ports' MACs (REMOVE_NAMED). */
static int plan_removals(const struct vfwd_config *cur,
			 const struct vfwd_config *want, unsigned int flags,
			 struct vfwd_plan *plan)
{
	struct vfwd_plan_step *s;
	size_t j;

	if (flags & VFWD_PLAN_MERGE)
		return 0;
	for (size_t i = 0; i < cur->n_macs; i++) {
		const struct vfwd_cfg_mac *c = &cur->macs[i];
		bool gone = flags & VFWD_PLAN_REMOVE_NAMED
				    ? find_port(want, c->port, &j) != NULL
				    : !find_mac(want, c, &j);

		if (!gone)
			continue;
		s = step(plan, VFWD_PLAN_REMOVE, VFWD_PLAN_MAC, 0, i);
		if (!s)
			return -ENOMEM;
		snprintf(s->what, sizeof(s->what), "port %s", c->port);
	}
	if (flags & VFWD_PLAN_REMOVE_NAMED)
		return 0;
	for (size_t i = 0; i < cur->n_ports; i++) {
		if (find_port(want, cur->ports[i].name, &j))
			continue;
		s = step(plan, VFWD_PLAN_REMOVE, VFWD_PLAN_PORT, 0, i);
		if (!s)
			return -ENOMEM;
		port_what(&cur->ports[i], s->what, sizeof(s->what));
	}
	for (size_t i = 0; i < cur->n_uplinks; i++) {
		if (find_uplink(want, cur->uplinks[i].dev, &j))
			continue;
		s = step(plan, VFWD_PLAN_REMOVE, VFWD_PLAN_UPLINK, 0, i);
		if (!s)
			return -ENOMEM;
	}
	return 0;
}

int vfwd_plan_make(const struct vfwd_config *cur,
		   const struct vfwd_config *want, unsigned int flags,
		   struct vfwd_plan *plan)
{
	int err;

	memset(plan, 0, sizeof(*plan));
	/* The order apply takes them in: see cli/cmd_apply.c. */
	err = plan_uplinks(cur, want, flags, plan);
	if (!err)
		err = plan_ports(cur, want, flags, plan);
	if (!err)
		err = plan_macs(cur, want, flags, plan);
	if (!err)
		err = plan_removals(cur, want, flags, plan);
	if (err)
		vfwd_plan_free(plan);
	return err;
}

void vfwd_plan_free(struct vfwd_plan *plan)
{
	free(plan->steps);
	memset(plan, 0, sizeof(*plan));
}

void vfwd_plan_step_name(const struct vfwd_plan_step *s,
			 const struct vfwd_config *cur,
			 const struct vfwd_config *want, char *buf, size_t len)
{
	const struct vfwd_config *cfg = s->op == VFWD_PLAN_REMOVE ? cur : want;
	size_t i = s->op == VFWD_PLAN_REMOVE ? s->cur : s->want;
	char mac[VFWD_MAC_STRLEN];

	switch (s->kind) {
	case VFWD_PLAN_UPLINK:
		snprintf(buf, len, "%s", cfg->uplinks[i].dev);
		break;
	case VFWD_PLAN_PORT:
		snprintf(buf, len, "%s", cfg->ports[i].name);
		break;
	default:
		vfwd_mac_format(cfg->macs[i].mac, mac);
		snprintf(buf, len, "%s vlan %u", mac, cfg->macs[i].vid);
	}
}

int vfwd_plan_add_repair(struct vfwd_plan *plan, const struct vfwd_config *cur,
			 const struct vfwd_config *want,
			 enum vfwd_plan_kind kind, const char *name,
			 const char *why)
{
	struct vfwd_plan_step *s;
	size_t w, c, off;

	/* Only what the file keeps, as it is in the installation. */
	if (kind == VFWD_PLAN_UPLINK
		    ? !find_uplink(want, name, &w) ||
			      !find_uplink(cur, name, &c)
		    : !find_port(want, name, &w) || !find_port(cur, name, &c))
		return 0;
	for (size_t i = 0; i < plan->n; i++) {
		s = &plan->steps[i];
		if (s->kind != kind || s->op == VFWD_PLAN_REMOVE ||
		    s->want != w)
			continue;
		/* attach loads the uplink's program anew anyway */
		if (kind == VFWD_PLAN_UPLINK ||
		    (s->changes & (VFWD_PC_RECREATE | VFWD_PC_REPAIR)))
			return 0;
		s->changes |= VFWD_PC_REPAIR;
		off = strlen(s->what);
		snprintf(s->what + off, sizeof(s->what) - off, ", repair: %s",
			 why);
		return 0;
	}
	s = step(plan, VFWD_PLAN_CHANGE, kind, w, c);
	if (!s)
		return -ENOMEM;
	s->changes = VFWD_PC_REPAIR;
	snprintf(s->what, sizeof(s->what), "repair: %s", why);
	return 0;
}
