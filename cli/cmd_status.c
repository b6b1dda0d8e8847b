// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd status: uplinks, ports and how full the tables are, and whether
 * the kernel has what the tables say (lib/drift.c).  The exit status says
 * it too: CLI_EXIT_DRIFT when anything differs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

struct status_uplink {
	__u32 id;
	struct vfwd_port p;
	struct vfwd_xdp_state xdp;
	const char *state;
	/* The device's name now; the table's when the device is gone. */
	char dev[VFWD_NAME_LEN];
	bool have_dev;
};

/* Whether the program on the hook is still the one vfwd put there: a
 * missing or foreign program means frames are not being steered. */
static const char *uplink_prog_state(const struct status_uplink *u)
{
	if (!u->xdp.prog_id)
		return "not attached";
	if (u->xdp.is_vfwd && !u->xdp.ours)
		return "other vfwd";
	if (!u->xdp.ours)
		return "foreign program";
	return "attached";
}

static void uplink_read(struct vfwd_ctx *c, __u32 id, const struct vfwd_port *p,
			const struct vfwd_drift_list *d,
			struct status_uplink *u)
{
	struct vfwd_dev_info dev;

	memset(u, 0, sizeof(*u));
	u->id = id;
	u->p = *p;
	u->state = cli_port_state_drift(c, id, p, d);
	u->have_dev = vfwd_dev_by_index(p->ifindex, &dev) == 0;
	/* A renamed uplink is shown by the name it has now; the drift
	 * line gives the one in the table. */
	snprintf(u->dev, sizeof(u->dev), "%s",
		 u->have_dev ? dev.name : p->name);
	if (u->have_dev)
		vfwd_xdp_query(p->ifindex, c->pin_dir, &u->xdp);
}

static void uplink_print(struct vfwd_ctx *c, const struct status_uplink *u,
			 const struct vfwd_drift_list *d)
{
	const struct vfwd_port *p = &u->p;
	const char *bum = p->flags & VFWD_PORT_F_BUM_FLOOD ? "flood" : "pass";
	struct json *j = &c->j;

	if (!c->json) {
		printf("  %-15s ifindex %-5u %-6s prog %-6u %-14s state %-5s bum %s\n",
		       u->dev, p->ifindex, vfwd_xdp_mode_str(p->xdp_mode),
		       u->xdp.prog_id, uplink_prog_state(u), u->state, bum);
		cli_drift_text(d, u->id);
		return;
	}
	json_obj_open(j);
	json_kv_str(j, "name", p->name);
	json_key(j, "dev");
	if (u->have_dev)
		json_str(j, u->dev);
	else
		json_null(j);
	json_kv_u64(j, "port_id", u->id);
	json_kv_u64(j, "ifindex", p->ifindex);
	json_kv_str(j, "mode", vfwd_xdp_mode_str(p->xdp_mode));
	json_kv_u64(j, "prog_id", u->xdp.prog_id);
	json_kv_str(j, "program", uplink_prog_state(u));
	json_kv_str(j, "state", u->state);
	json_kv_str(j, "bum", bum);
	cli_drift_json(c, d, u->id);
	json_obj_close(j);
}

static void port_print(struct vfwd_ctx *c, __u32 id, const struct vfwd_port *p,
		       __u32 macs, const struct vfwd_drift_list *d)
{
	struct vfwd_dev_info dev;

	if (c->json) {
		cli_port_json_drift(c, id, p, macs, d);
		return;
	}
	if (vfwd_dev_by_index(p->ifindex, &dev))
		snprintf(dev.name, sizeof(dev.name), "-");
	printf("  %-4u %-15s %-5s %-15s %-8u %-5s ", id, p->name,
	       vfwd_port_kind_str(p->kind), dev.name, p->ifindex,
	       cli_port_state_drift(c, id, p, d));
	cli_port_guest_cols(c, p, macs);
	cli_drift_text(d, id);
}

/* The last line: whether anything differs, and what repairs it. */
static void summary_print(const struct vfwd_drift_list *d, bool pending)
{
	if (!d->n && pending) {
		printf("\nnot ok: an interrupted command's work is pending (above)\n");
		return;
	}
	if (!d->n) {
		printf("\nok: the kernel has what the tables say\n");
		return;
	}
	printf("\ndrift: %zu difference%s between the tables and the kernel; 'vfwd port set NAME' repairs a port, 'vfwd attach IFNAME' an uplink and every port\n",
	       d->n, d->n == 1 ? "" : "s");
}

/* A command killed half-way left work in the intent journal that the
 * next changing command finishes or undoes (lib/port_ops.c): until then
 * the kernel may hold objects no table names, so it counts as drift. */
static bool intent_pending(struct vfwd_ctx *c, struct vfwd_intent *in)
{
	return vfwd_intent_get(&c->t, in) == 0;
}

static void intent_print(struct vfwd_ctx *c, const struct vfwd_intent *in)
{
	if (c->json) {
		json_key(&c->j, "pending");
		json_obj_open(&c->j);
		json_kv_str(&c->j, "op", vfwd_intent_op_str(in->op));
		json_kv_str(&c->j, "name", in->name);
		json_kv_u64(&c->j, "port_id", in->port_id);
		json_kv_u64(&c->j, "ifindex", in->ifindex);
		json_kv_u64(&c->j, "pid", in->pid);
		json_obj_close(&c->j);
		return;
	}
	printf("\npending: %s '%s' (process %u, ifindex %u) did not finish; the next vfwd command that changes state finishes or undoes it\n",
	       vfwd_intent_op_str(in->op), in->name, in->pid, in->ifindex);
}

static bool check_failed(const struct vfwd_drift_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->items[i].kind == VFWD_DRIFT_CHECK_FAILED)
			return true;
	return false;
}

int cmd_status(struct vfwd_ctx *c, int argc, char **argv)
{
	__u32 counts[VFWD_MAX_PORTS], macs;
	struct vfwd_drift_list d = {};
	struct vfwd_intent in;
	struct status_uplink u;
	bool pending;
	struct json *j = &c->j;
	struct vfwd_port p;
	int nports = 0, err;

	if (argc != 1)
		return cli_err(c, -EINVAL, "usage: vfwd status");
	err = ctx_open(c, CTX_READ);
	if (err)
		return err;
	err = cli_mac_counts(c, counts, &macs);
	if (err)
		return err;
	/* All differences first: "ok" leads the JSON document. */
	err = cli_drift_check(c, &d);
	if (err)
		return err;

	pending = intent_pending(c, &in);
	if (c->json) {
		json_obj_open(j);
		json_kv_str(j, "pin_path", c->pin_dir);
		json_kv_bool(j, "ok", d.n == 0 && !pending);
		if (pending)
			intent_print(c, &in);
		json_key(j, "uplinks");
		json_arr_open(j);
	} else {
		printf("pin path: %s\n\nuplinks:\n", c->pin_dir);
	}
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (vfwd_port_get(&c->t, id, &p) || p.kind == VFWD_PORT_FREE)
			continue;
		nports++;
		if (p.kind != VFWD_PORT_UPLINK)
			continue;
		uplink_read(c, id, &p, &d, &u);
		uplink_print(c, &u, &d);
	}

	if (c->json) {
		json_arr_close(j);
		json_key(j, "ports");
		json_arr_open(j);
	} else {
		printf("\nports:\n  %-4s %-15s %-5s %-15s %-8s %-5s %-5s %-5s %-15s %-5s %s\n",
		       "ID", "NAME", "KIND", "DEVICE", "IFINDEX", "STATE",
		       "VLAN", "SPOOF", "UPLINK", "MACS", "CPUS");
	}
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (vfwd_port_get(&c->t, id, &p) || p.kind == VFWD_PORT_FREE ||
		    p.kind == VFWD_PORT_UPLINK)
			continue;
		port_print(c, id, &p, counts[id], &d);
	}

	if (c->json) {
		json_arr_close(j);
		json_key(j, "tables");
		json_obj_open(j);
		json_key(j, "macs");
		json_obj_open(j);
		json_kv_u64(j, "used", macs);
		json_kv_u64(j, "max", VFWD_MAX_MACS);
		json_obj_close(j);
		json_key(j, "ports");
		json_obj_open(j);
		json_kv_u64(j, "used", nports);
		json_kv_u64(j, "max", VFWD_MAX_PORTS - VFWD_PORT_ID_MIN);
		json_obj_close(j);
		json_obj_close(j);
		json_obj_close(j);
		json_end(j);
	} else {
		printf("\ntables: macs %u/%d, ports %d/%d\n", macs,
		       VFWD_MAX_MACS, nports,
		       VFWD_MAX_PORTS - VFWD_PORT_ID_MIN);
		if (pending)
			intent_print(c, &in);
		summary_print(&d, pending);
	}
	/* The document is out either way; the exit status tells a script
	 * whether to look at it.  A check that could not be made is an
	 * error: nothing is known about that object. */
	if (check_failed(&d))
		cli_set_exit(c, CLI_EXIT_FAILED);
	else if (d.n || pending)
		cli_set_exit(c, CLI_EXIT_DRIFT);
	vfwd_drift_list_free(&d);
	return 0;
}
