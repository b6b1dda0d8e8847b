// SPDX-License-Identifier: GPL-2.0
/* vfwd port add | set | del | list */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define PORT_ADD_USAGE "usage: vfwd port add NAME --dev IFNAME"
#define PORT_SET_USAGE "usage: vfwd port set NAME --dev IFNAME"
#define PORT_DEL_USAGE "usage: vfwd port del NAME [--force]"

/* Options of the CLI contract that later versions implement: say so
 * instead of failing with "unrecognized option". */
static const struct option planned_opts[] = {
	{"vlan", required_argument, NULL, 'V'},
	{"cpus", required_argument, NULL, 'C'},
	{"vm-pid", required_argument, NULL, 'I'},
	{"placement", required_argument, NULL, 'L'},
	{"rps", no_argument, NULL, 'R'},
	{"no-spoofchk", no_argument, NULL, 'S'},
	{"xsk", no_argument, NULL, 'X'},
};
#define N_PLANNED (sizeof(planned_opts) / sizeof(planned_opts[0]))

static int planned(struct vfwd_ctx *c, int opt)
{
	for (size_t i = 0; i < N_PLANNED; i++)
		if (planned_opts[i].val == opt)
			return cli_err(
				c, -EOPNOTSUPP,
				"port: --%s is not available in this version yet",
				planned_opts[i].name);
	return 0;
}

/* A device a guest port may use; fills *kind. */
static int check_dev(struct vfwd_ctx *c, const char *ifname,
		     struct vfwd_dev_info *dev, __u8 *kind, int self)
{
	struct vfwd_port other;
	int err, id;

	err = vfwd_dev_by_name(ifname, dev);
	if (err)
		return cli_err(c, err, "interface %s: %s", ifname,
			       err == -ENODEV ? "no such device"
					      : strerror(-err));
	switch (dev->type) {
	case VFWD_DEV_TAP:
		*kind = VFWD_PORT_TAP;
		break;
	case VFWD_DEV_VETH:
		*kind = VFWD_PORT_VETH;
		break;
	case VFWD_DEV_TUN:
		return cli_err(
			c, -EINVAL,
			"interface %s is a layer-3 tun device; ports need Ethernet frames (a tap: QEMU -netdev tap)",
			ifname);
	default:
		return cli_err(
			c, -EINVAL,
			"interface %s (driver '%s') cannot be a port; vfwd ports are tap or veth devices",
			ifname, dev->driver[0] ? dev->driver : "unknown");
	}
	id = vfwd_port_find_ifindex(&c->t, dev->ifindex, &other);
	if (id >= 0 && id != self)
		return cli_err(
			c, -EBUSY, "interface %s is already %s '%s'", ifname,
			other.kind == VFWD_PORT_UPLINK ? "uplink" : "port",
			other.name);
	return 0;
}

static void print_port_done(struct vfwd_ctx *c, const char *verb, int id,
			    const struct vfwd_port *p)
{
	__u32 counts[VFWD_MAX_PORTS], total;

	if (c->json) {
		if (cli_mac_counts(c, counts, &total))
			return;
		cli_port_json(c, id, p, counts[id]);
		json_end(&c->j);
	} else {
		printf("%s port %s (id %d, %s %s)\n", verb, p->name, id,
		       vfwd_port_kind_str(p->kind), cli_port_state(c, id, p));
	}
}

static int port_add(struct vfwd_ctx *c, int argc, char **argv)
{
	struct option opts[N_PLANNED + 2] = {
		{"dev", required_argument, NULL, 'd'},
	};
	struct vfwd_dev_info dev;
	struct vfwd_port p = {};
	const char *ifname = NULL, *name;
	int opt, id, err;

	memcpy(&opts[1], planned_opts, sizeof(planned_opts));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'd')
			ifname = optarg;
		else if ((err = planned(c, opt)))
			return err;
		else
			return cli_bad_opt(c, argv, PORT_ADD_USAGE);
	}
	if (optind != argc - 1 || !ifname)
		return cli_err(c, -EINVAL, PORT_ADD_USAGE);
	name = argv[optind];
	if (!vfwd_port_name_valid(name))
		return cli_err(
			c, -EINVAL,
			"invalid port name '%s': use 1-%d letters, digits, '-', '_' or '.'",
			name, VFWD_NAME_LEN - 1);

	err = ctx_open(c, CTX_CREATE);
	if (err)
		return err;
	if (vfwd_port_find_name(&c->t, name, &p) >= 0)
		return cli_err(c, -EEXIST, "port '%s' already exists", name);
	err = check_dev(c, ifname, &dev, &p.kind, -1);
	if (err)
		return err;
	id = vfwd_port_alloc(&c->t);
	if (id == -ENOSPC)
		return cli_err(
			c, id,
			"port table full (%d ports); remove unused ports with 'vfwd port del'",
			VFWD_MAX_PORTS - VFWD_PORT_ID_MIN);
	if (id < 0)
		return cli_err(c, id, "port table: cannot read it: %s",
			       strerror(-id));

	snprintf(p.name, sizeof(p.name), "%s", name);
	p.ifindex = dev.ifindex;
	/* Anti-spoofing is the default; the guest-side program that
	 * enforces it reads this flag. */
	p.flags = VFWD_PORT_F_SPOOFCHK;
	err = vfwd_stats_clear(&c->t, id);
	if (!err)
		err = vfwd_port_put(&c->t, id, &p);
	if (!err)
		err = vfwd_tx_set(&c->t, id, dev.ifindex);
	if (err) {
		vfwd_port_clear(&c->t, id);
		return cli_err(c, err, "port '%s': cannot add device %s: %s",
			       name, ifname, strerror(-err));
	}
	print_port_done(c, "added", id, &p);
	return 0;
}

static int port_set(struct vfwd_ctx *c, int argc, char **argv)
{
	struct option opts[N_PLANNED + 2] = {
		{"dev", required_argument, NULL, 'd'},
	};
	struct vfwd_dev_info dev;
	struct vfwd_port p, next;
	const char *ifname = NULL;
	int opt, id, err;

	memcpy(&opts[1], planned_opts, sizeof(planned_opts));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'd')
			ifname = optarg;
		else if ((err = planned(c, opt)))
			return err;
		else
			return cli_bad_opt(c, argv, PORT_SET_USAGE);
	}
	if (optind != argc - 1 || !ifname)
		return cli_err(c, -EINVAL, PORT_SET_USAGE);
	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	id = cli_port_lookup(c, argv[optind], &p);
	if (id < 0)
		return id;
	if (p.kind == VFWD_PORT_UPLINK)
		return cli_err(
			c, -EINVAL,
			"port '%s' is an uplink; re-run 'vfwd attach' instead",
			p.name);
	next = p;
	err = check_dev(c, ifname, &dev, &next.kind, id);
	if (err)
		return err;
	next.ifindex = dev.ifindex;
	/* Devmap first: if the device cannot take frames, nothing changed. */
	err = vfwd_tx_set(&c->t, id, dev.ifindex);
	if (!err) {
		err = vfwd_port_put(&c->t, id, &next);
		if (err && p.ifindex && vfwd_tx_set(&c->t, id, p.ifindex))
			vfwd_tx_del(&c->t, id);
	}
	if (err)
		return cli_err(c, err,
			       "port '%s': cannot move to device %s: %s",
			       p.name, ifname, strerror(-err));
	print_port_done(c, "updated", id, &next);
	return 0;
}

static int port_del(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{NULL},
	};
	struct vfwd_mac_entry *e;
	struct vfwd_port p;
	bool force = false;
	size_t n, owned = 0;
	int opt, id, err;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'f')
			return cli_bad_opt(c, argv, PORT_DEL_USAGE);
		force = true;
	}
	if (optind != argc - 1)
		return cli_err(c, -EINVAL, PORT_DEL_USAGE);
	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	id = cli_port_lookup(c, argv[optind], &p);
	if (id < 0)
		return id;
	if (p.kind == VFWD_PORT_UPLINK)
		return cli_err(c, -EINVAL,
			       "port '%s' is an uplink; use 'vfwd detach %s'",
			       p.name, p.name);
	err = vfwd_mac_dump(&c->t, &e, &n);
	if (err)
		return cli_err(c, err, "MAC table: cannot read it: %s",
			       strerror(-err));
	for (size_t i = 0; i < n; i++)
		owned += e[i].val.port_id == (__u32)id;
	if (owned && !force) {
		free(e);
		return cli_err(
			c, -EBUSY,
			"port '%s' still owns %zu MAC%s; delete them with 'vfwd mac del' or use --force",
			p.name, owned, owned == 1 ? "" : "s");
	}
	/* MACs first, so no frame is steered at a slot being freed. */
	for (size_t i = 0; i < n && !err; i++)
		if (e[i].val.port_id == (__u32)id)
			err = vfwd_mac_del(&c->t, &e[i].key);
	free(e);
	if (!err)
		err = vfwd_port_clear(&c->t, id);
	if (err)
		return cli_err(c, err, "port '%s': cannot delete it: %s",
			       p.name, strerror(-err));
	if (c->json) {
		json_obj_open(&c->j);
		json_kv_str(&c->j, "deleted", p.name);
		json_kv_u64(&c->j, "macs_deleted", owned);
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("deleted port %s (%zu MAC%s removed)\n", p.name, owned,
		       owned == 1 ? "" : "s");
	}
	return 0;
}

static int port_list(struct vfwd_ctx *c, int argc, char **argv)
{
	__u32 counts[VFWD_MAX_PORTS], total;
	struct vfwd_dev_info dev;
	struct vfwd_port p;
	int err;

	if (argc != 1)
		return cli_err(c, -EINVAL, "usage: vfwd port list");
	err = ctx_open(c, CTX_READ);
	if (err)
		return err;
	err = cli_mac_counts(c, counts, &total);
	if (err)
		return err;
	if (c->json)
		json_arr_open(&c->j);
	else
		printf("%-4s %-15s %-7s %-15s %-8s %-5s %s\n", "ID", "NAME",
		       "KIND", "DEVICE", "IFINDEX", "STATE", "MACS");
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (vfwd_port_get(&c->t, id, &p) || p.kind == VFWD_PORT_FREE)
			continue;
		if (c->json) {
			cli_port_json(c, id, &p, counts[id]);
			continue;
		}
		if (vfwd_dev_by_index(p.ifindex, &dev))
			snprintf(dev.name, sizeof(dev.name), "-");
		printf("%-4u %-15s %-7s %-15s %-8u %-5s ", id, p.name,
		       vfwd_port_kind_str(p.kind), dev.name, p.ifindex,
		       cli_port_state(c, id, &p));
		if (p.kind == VFWD_PORT_UPLINK)
			printf("-\n");
		else
			printf("%u\n", counts[id]);
	}
	if (c->json) {
		json_arr_close(&c->j);
		json_end(&c->j);
	}
	return 0;
}

static const struct cli_cmd port_cmds[] = {
	{"add", port_add, "port add NAME --dev IFNAME"},
	{"set", port_set, "port set NAME --dev IFNAME"},
	{"del", port_del, "port del NAME [--force]"},
	{"list", port_list, "port list"},
	{NULL},
};

int cmd_port(struct vfwd_ctx *c, int argc, char **argv)
{
	return cli_dispatch(c, port_cmds, "port subcommand", argc - 1,
			    argv + 1);
}
