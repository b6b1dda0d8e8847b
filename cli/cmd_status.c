// SPDX-License-Identifier: GPL-2.0
/* vfwd status: uplinks, ports and how full the tables are. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

struct status_uplink {
	__u32 id;
	struct vfwd_port p;
	struct vfwd_xdp_state xdp;
	const char *state;
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

int cmd_status(struct vfwd_ctx *c, int argc, char **argv)
{
	__u32 counts[VFWD_MAX_PORTS], macs;
	struct status_uplink u;
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

	if (c->json) {
		json_obj_open(j);
		json_kv_str(j, "pin_path", c->pin_dir);
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
		memset(&u, 0, sizeof(u));
		u.id = id;
		u.p = p;
		u.state = cli_port_state(c, id, &p);
		if (strcmp(u.state, "gone") != 0)
			vfwd_xdp_query(p.ifindex, c->pin_dir, &u.xdp);
		if (!c->json) {
			printf("  %-15s ifindex %-5u %-6s prog %-6u %-14s link %-4s bum %s\n",
			       p.name, p.ifindex, vfwd_xdp_mode_str(p.xdp_mode),
			       u.xdp.prog_id, uplink_prog_state(&u), u.state,
			       p.flags & VFWD_PORT_F_BUM_FLOOD ? "flood"
							       : "pass");
			continue;
		}
		json_obj_open(j);
		json_kv_str(j, "name", p.name);
		json_kv_u64(j, "port_id", id);
		json_kv_u64(j, "ifindex", p.ifindex);
		json_kv_str(j, "mode", vfwd_xdp_mode_str(p.xdp_mode));
		json_kv_u64(j, "prog_id", u.xdp.prog_id);
		json_kv_str(j, "program", uplink_prog_state(&u));
		json_kv_str(j, "state", u.state);
		json_kv_str(j, "bum",
			    p.flags & VFWD_PORT_F_BUM_FLOOD ? "flood" : "pass");
		json_obj_close(j);
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
		struct vfwd_dev_info dev;

		if (vfwd_port_get(&c->t, id, &p) || p.kind == VFWD_PORT_FREE ||
		    p.kind == VFWD_PORT_UPLINK)
			continue;
		if (c->json) {
			cli_port_json(c, id, &p, counts[id]);
			continue;
		}
		if (vfwd_dev_by_index(p.ifindex, &dev))
			snprintf(dev.name, sizeof(dev.name), "-");
		printf("  %-4u %-15s %-5s %-15s %-8u %-5s ", id, p.name,
		       vfwd_port_kind_str(p.kind), dev.name, p.ifindex,
		       cli_port_state(c, id, &p));
		cli_port_guest_cols(c, &p, counts[id]);
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
	}
	return 0;
}
