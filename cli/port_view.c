// SPDX-License-Identifier: GPL-2.0
/* How ports are looked up and shown, shared by several commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_port_lookup(struct vfwd_ctx *c, const char *name, struct vfwd_port *p)
{
	int id = vfwd_port_find_name(&c->t, name, p);

	if (id == -ENOENT)
		return cli_err(
			c, id,
			"port '%s' does not exist (see 'vfwd port list')",
			name);
	if (id < 0)
		return cli_err(c, id, "port table: cannot read it: %s",
			       strerror(-id));
	return id;
}

const char *cli_port_state_drift(struct vfwd_ctx *c, __u32 id,
				 const struct vfwd_port *p,
				 const struct vfwd_drift_list *d)
{
	struct vfwd_dev_info dev;
	struct vfwd_xsk_stats xs;

	/* An AF_XDP port has no device: its state is its daemon's, which
	 * the daemon writes and vfwd_xsk_state checks is still alive. */
	if (vfwd_port_is_xsk(p))
		return vfwd_xsk_state_str(vfwd_xstat_get(&c->t, id, &xs)
						  ? VFWD_XSK_DOWN
						  : vfwd_xsk_state(&xs));
	if (!p->ifindex || vfwd_drift_has(d, id, VFWD_DRIFT_DEV_GONE) ||
	    vfwd_dev_by_index(p->ifindex, &dev))
		return "gone";
	/* Never "up" while the kernel is not as the tables say: a port
	 * without its filter forwards, but its guest can spoof. */
	if (vfwd_drift_count(d, id))
		return "drift";
	return dev.up && dev.running ? "up" : "down";
}

const char *cli_port_state(struct vfwd_ctx *c, __u32 id,
			   const struct vfwd_port *p)
{
	struct vfwd_drift_list d = {};
	const char *state;

	/* Out of memory: the entries found so far still count. */
	vfwd_drift_check_port(c->pin_dir, &c->t, id, p, &d);
	state = cli_port_state_drift(c, id, p, &d);
	vfwd_drift_list_free(&d);
	return state;
}

void cli_drift_json(struct vfwd_ctx *c, const struct vfwd_drift_list *d,
		    __u32 id)
{
	struct json *j = &c->j;

	json_key(j, "drift");
	json_arr_open(j);
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].port_id != id)
			continue;
		json_obj_open(j);
		json_kv_str(j, "kind", vfwd_drift_kind_str(d->items[i].kind));
		json_kv_str(j, "message", d->items[i].msg);
		json_obj_close(j);
	}
	json_arr_close(j);
}

void cli_drift_text(const struct vfwd_drift_list *d, __u32 id)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->items[i].port_id == id)
			printf("    drift: %s: %s\n",
			       vfwd_drift_kind_str(d->items[i].kind),
			       d->items[i].msg);
}

int cli_mac_counts(struct vfwd_ctx *c, __u32 counts[VFWD_MAX_PORTS],
		   __u32 *total)
{
	struct vfwd_mac_entry *e;
	size_t n;
	int err;

	memset(counts, 0, sizeof(__u32) * VFWD_MAX_PORTS);
	err = vfwd_mac_dump(&c->t, &e, &n);
	if (err)
		return cli_err(c, err, "MAC table: cannot read it: %s",
			       strerror(-err));
	for (size_t i = 0; i < n; i++)
		if (e[i].val.port_id < VFWD_MAX_PORTS)
			counts[e[i].val.port_id]++;
	*total = n;
	free(e);
	return 0;
}

void cli_port_json(struct vfwd_ctx *c, __u32 id, const struct vfwd_port *p,
		   __u32 macs)
{
	struct vfwd_drift_list d = {};

	vfwd_drift_check_port(c->pin_dir, &c->t, id, p, &d);
	cli_port_json_drift(c, id, p, macs, &d);
	vfwd_drift_list_free(&d);
}

void cli_port_json_drift(struct vfwd_ctx *c, __u32 id,
			 const struct vfwd_port *p, __u32 macs,
			 const struct vfwd_drift_list *d)
{
	struct vfwd_dev_info dev;
	struct json *j = &c->j;

	json_obj_open(j);
	json_kv_u64(j, "id", id);
	json_kv_str(j, "name", p->name);
	json_kv_str(j, "kind", vfwd_port_kind_str(p->kind));
	json_key(j, "dev");
	if (p->ifindex && vfwd_dev_by_index(p->ifindex, &dev) == 0)
		json_str(j, dev.name);
	else
		json_null(j);
	json_kv_u64(j, "ifindex", p->ifindex);
	json_kv_str(j, "state", cli_port_state_drift(c, id, p, d));
	if (p->kind == VFWD_PORT_UPLINK) {
		json_kv_str(j, "mode", vfwd_xdp_mode_str(p->xdp_mode));
		json_kv_str(j, "bum",
			    p->flags & VFWD_PORT_F_BUM_FLOOD ? "flood"
							     : "pass");
	} else {
		struct vfwd_port up;

		json_kv_u64(j, "macs", macs);
		json_kv_u64(j, "vlan", p->vid);
		json_kv_bool(j, "spoofchk", p->flags & VFWD_PORT_F_SPOOFCHK);
		json_key(j, "uplink");
		if (cli_port_uplink(c, p, &up))
			json_str(j, up.name);
		else
			json_null(j);
		cli_port_cpus_json(c, p);
		if (vfwd_port_is_xsk(p))
			cli_port_xsk_json(c, id, p);
	}
	cli_drift_json(c, d, id);
	json_obj_close(j);
}

void cli_port_xsk_json(struct vfwd_ctx *c, __u32 id, const struct vfwd_port *p)
{
	struct vfwd_xsk_stats xs = {};
	struct json *j = &c->j;
	__u64 queues = 0;

	vfwd_xstat_get(&c->t, id, &xs);
	json_kv_str(j, "vhost_socket", p->vhost_path);
	json_kv_str(j, "vhost_mode",
		    p->flags & VFWD_PORT_F_VHOST_SERVER ? "server" : "client");

	/* Whether the sockets are zero-copy, from the daemon's record; the
	 * XSKMAP slots holding a socket (one per uplink rx queue), from the
	 * kernel. */
	json_kv_str(j, "xsk_mode",
		    vfwd_xsk_state(&xs) == VFWD_XSK_DOWN
			    ? vfwd_xsk_mode_str(VFWD_XSK_MODE_NONE)
			    : vfwd_xsk_mode_str(xs.mode));
	json_key(j, "xsk_slots");
	if (vfwd_xsk_queues(c->pin_dir, id, &queues))
		json_null(j);
	else
		json_u64(j, __builtin_popcountll(queues));
	json_kv_u64(j, "daemon_pid",
		    vfwd_xsk_state(&xs) == VFWD_XSK_DOWN ? 0 : xs.daemon_pid);
}

bool cli_port_uplink(struct vfwd_ctx *c, const struct vfwd_port *p,
		     struct vfwd_port *up)
{
	return p->uplink_id && vfwd_port_get(&c->t, p->uplink_id, up) == 0 &&
	       up->kind == VFWD_PORT_UPLINK;
}

/* VLAN, SPOOF, UPLINK, MACS and CPUS columns of a guest port. */
void cli_port_guest_cols(struct vfwd_ctx *c, const struct vfwd_port *p,
			 __u32 macs)
{
	char vlan[8] = "-", cpus[CLI_CPUS_TEXT_LEN];
	struct vfwd_port up;

	if (p->vid)
		snprintf(vlan, sizeof(vlan), "%u", p->vid);
	cli_port_cpus_text(p, cpus, sizeof(cpus));
	printf("%-5s %-5s %-15s %-5u %s\n", vlan,
	       p->flags & VFWD_PORT_F_SPOOFCHK ? "on" : "off",
	       cli_port_uplink(c, p, &up) ? up.name : "-", macs, cpus);
}

int cli_drift_check(struct vfwd_ctx *c, struct vfwd_drift_list *d)
{
	int err = vfwd_drift_check(c->pin_dir, &c->t, d);

	if (err) {
		vfwd_drift_list_free(d);
		return cli_err(
			c, err,
			"pin path %s: cannot compare the tables with the kernel: %s",
			c->pin_dir, strerror(-err));
	}
	return 0;
}
