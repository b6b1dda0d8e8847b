// SPDX-License-Identifier: GPL-2.0
/* vfwd attach / detach: the uplink program on a host NIC. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "config.h"

#define ATTACH_USAGE                                                           \
	"usage: vfwd attach IFNAME [--mode native|skb] [--bum pass|flood]"
#define DETACH_USAGE                                                           \
	"usage: vfwd detach IFNAME [--keep-maps] | vfwd detach --all"

static int parse_mode(const char *s, enum vfwd_xdp_mode *mode)
{
	if (strcmp(s, "native") == 0 || strcmp(s, "drv") == 0)
		*mode = VFWD_XDP_MODE_NATIVE;
	else if (strcmp(s, "skb") == 0 || strcmp(s, "generic") == 0)
		*mode = VFWD_XDP_MODE_SKB;
	else
		return -EINVAL;
	return 0;
}

/* An uplink is the host's Ethernet NIC toward the guests' LAN.  Refused
 * before anything changes: loopback, whose frames are the host's own
 * (attached, it would also take the uplink from the ports that follow
 * the only one), and any device without Ethernet frames (tun, tunnels,
 * InfiniBand), where vfwd_uplink would take other headers for MACs. */
static int check_uplink_dev(struct vfwd_ctx *c, const struct vfwd_dev_info *dev)
{
	if (dev->loopback)
		return cli_err(
			c, -EINVAL,
			"interface %s is the loopback device and cannot be an uplink; attach the Ethernet NIC that carries the guests' traffic (see 'ip link')",
			dev->name);
	if (!dev->ether)
		return cli_err(
			c, -EINVAL,
			"interface %s is not an Ethernet device (link type %u) and cannot be an uplink; attach the Ethernet NIC that carries the guests' traffic (see 'ip -d link show %s')",
			dev->name, dev->hw_type, dev->name);
	return 0;
}

/* The uplink slot for dev: the one already serving it (hot upgrade), the
 * one left by an earlier interface of the same name (it was recreated),
 * or a new one.  *fresh says whether the slot was free. */
static int uplink_slot(struct vfwd_ctx *c, const struct vfwd_dev_info *dev,
		       struct vfwd_port *p, bool *fresh)
{
	int id;

	*fresh = false;
	id = vfwd_port_find_ifindex(&c->t, dev->ifindex, p);
	if (id >= 0 && p->kind != VFWD_PORT_UPLINK)
		return cli_err(
			c, -EBUSY,
			"interface %s is already guest port '%s'; an uplink cannot also be a port (see 'vfwd port list')",
			dev->name, p->name);
	if (id >= 0)
		return id;
	id = vfwd_port_find_name(&c->t, dev->name, p);
	if (id >= 0 && p->kind != VFWD_PORT_UPLINK)
		return cli_err(
			c, -EEXIST,
			"a guest port is already named '%s'; rename it (port del/add) before attaching %s",
			dev->name, dev->name);
	if (id >= 0)
		return id;
	if (id != -ENOENT)
		return cli_err(c, id, "port table: cannot read it: %s",
			       strerror(-id));
	id = vfwd_port_alloc(&c->t);
	if (id == -ENOSPC)
		return cli_err(
			c, id,
			"port table full (%d ports); remove unused ports with 'vfwd port del'",
			VFWD_MAX_PORTS - VFWD_PORT_ID_MIN);
	if (id < 0)
		return cli_err(c, id, "port table: cannot read it: %s",
			       strerror(-id));
	memset(p, 0, sizeof(*p));
	*fresh = true;
	return id;
}

/* The host's own MACs on the uplink's LAN: the device's, and its
 * master's (the bridge that holds the host's address on a bridged host). */
static int host_macs(struct vfwd_ctx *c, const struct vfwd_dev_info *dev,
		     struct vfwd_port *p)
{
	struct vfwd_dev_info m;
	__u32 master;
	int err;

	memset(p->host_macs, 0, sizeof(p->host_macs));
	memcpy(p->host_macs[0], dev->mac, VFWD_ETH_ALEN);
	err = vfwd_dev_master(dev->ifindex, &master);
	if (!err && master) {
		err = vfwd_dev_by_index(master, &m);
		if (!err)
			memcpy(p->host_macs[1], m.mac, VFWD_ETH_ALEN);
	}
	if (err)
		return cli_err(
			c, err,
			"interface %s: cannot read its master device: %s",
			dev->name, strerror(-err));
	return 0;
}

/* Every guest port back as the tables say (lib/repair.c); on a hot
 * upgrade (reload) with this build's programs, CPUMAP entries included. */
static int repair_guests(struct vfwd_ctx *c, const char *uplink, bool reload)
{
	struct vfwd_repair_result res = {};
	char why[VFWD_ERRLEN];
	int err;

	err = vfwd_repair_all(c->pin_dir, &c->t,
			      reload ? VFWD_REPAIR_RELOAD : 0, &res, why,
			      sizeof(why));
	if (!err && res.repaired)
		cli_note(c, "repaired %u guest port%s that had drifted",
			 res.repaired, res.repaired == 1 ? "" : "s");
	vfwd_repair_result_free(&res);
	if (err)
		return cli_err(c, err, "interface %s: attached, but %s", uplink,
			       why);
	return 0;
}

/* Ports of a generic-mode uplink with a CPU set are not steered
 * (cfg_generic in bpf/vfwd_cfg.bpf.h): say so. */
static void note_generic_cpus(struct vfwd_ctx *c, __u32 uplink_id,
			      const char *uplink)
{
	struct vfwd_port p;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (!vfwd_port_get(&c->t, id, &p) && vfwd_port_is_guest(&p) &&
		    p.uplink_id == uplink_id && vfwd_port_steer_ncpus(&p))
			cli_warn(c, "%s", cli_generic_cpus_msg(&p, uplink));
}

int cmd_attach(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"bum", required_argument, NULL, 'b'},
		{NULL},
	};
	enum vfwd_xdp_mode mode = VFWD_XDP_MODE_NATIVE;
	struct cli_getopt g = {.opts = opts, .usage = ATTACH_USAGE};
	bool flood = false, bum_given = false;
	int opt;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		switch (opt) {
		case 'm':
			if (parse_mode(optarg, &mode))
				return cli_err(
					c, -EINVAL,
					"attach: invalid --mode '%s'; use native or skb",
					optarg);
			break;
		case 'b':
			if (strcmp(optarg, "pass") == 0 ||
			    strcmp(optarg, "flood") == 0) {
				flood = optarg[0] == 'f';
				bum_given = true;
				break;
			}
			return cli_err(
				c, -EINVAL,
				"attach: invalid --bum '%s'; use pass or flood",
				optarg);
		}
	}
	if (opt < 0)
		return opt;
	if (optind != argc - 1)
		return cli_err(c, -EINVAL, ATTACH_USAGE);
	return cli_attach(c, argv[optind], mode,
			  bum_given ? flood : CLI_BUM_KEEP);
}

int cli_attach(struct vfwd_ctx *c, const char *ifname, enum vfwd_xdp_mode mode,
	       int bum)
{
	struct vfwd_port old, p;
	struct vfwd_dev_info dev;
	bool fresh, replaced = false, flood = bum == 1;
	char why[VFWD_ERRLEN];
	int unbound;
	__u32 prog_id = 0;
	int id, err;

	err = vfwd_dev_by_name(ifname, &dev);
	if (err)
		return cli_err(c, err, "interface %s: %s", ifname,
			       err == -ENODEV ? "no such device"
					      : strerror(-err));
	err = check_uplink_dev(c, &dev);
	if (err)
		return err;
	/* Re-running attach is how a new release takes over: tables of the
	 * previous schema are carried over first (lib/upgrade.c). */
	c->may_upgrade = true;
	err = ctx_open(c, CTX_CREATE);
	if (err)
		return err;
	id = uplink_slot(c, &dev, &old, &fresh);
	if (id < 0)
		return id;

	p = old;
	snprintf(p.name, sizeof(p.name), "%s", dev.name);
	p.kind = VFWD_PORT_UPLINK;
	p.ifindex = dev.ifindex;
	p.xdp_mode = mode;
	err = host_macs(c, &dev, &p);
	if (err)
		return err;
	/* Without --bum, re-running attach (a hot upgrade) keeps the
	 * uplink's policy.  The guest programs read the policy from here;
	 * the uplink program gets it as a load-time constant. */
	if (bum == CLI_BUM_KEEP && !fresh)
		flood = old.flags & VFWD_PORT_F_BUM_FLOOD;
	p.flags &= ~VFWD_PORT_F_BUM_FLOOD;
	if (flood)
		p.flags |= VFWD_PORT_F_BUM_FLOOD;
	/* lib/uplink_ops.c: publish last, and bind the guest ports. */
	if (fresh)
		err = vfwd_uplink_create(c->pin_dir, &c->t, id, &p, &prog_id,
					 &unbound, why, sizeof(why));
	else
		err = vfwd_uplink_update(c->pin_dir, &c->t, id, &old, &p,
					 &replaced, &prog_id, &unbound, why,
					 sizeof(why));
	if (err)
		return cli_err(c, err, "interface %s: %s", dev.name, why);
	cli_note_unbound(c, unbound);
	/* Re-running attach upgrades the whole installation: the guest
	 * programs are replaced in place too (an upgrade of the tables has
	 * just done so).  Any attach repairs the ports that drifted. */
	err = repair_guests(c, dev.name, replaced && !c->upgraded);
	if (err)
		return err;
	if (mode == VFWD_XDP_MODE_SKB)
		note_generic_cpus(c, id, dev.name);

	if (c->quiet)
		return 0;
	if (c->json) {
		json_obj_open(&c->j);
		json_kv_str(&c->j, "uplink", dev.name);
		json_kv_u64(&c->j, "ifindex", dev.ifindex);
		json_kv_u64(&c->j, "port_id", id);
		json_kv_str(&c->j, "mode", vfwd_xdp_mode_str(mode));
		json_kv_u64(&c->j, "prog_id", prog_id);
		json_kv_bool(&c->j, "replaced", replaced);
		json_kv_str(&c->j, "bum", flood ? "flood" : "pass");
		if (c->upgraded) {
			json_key(&c->j, "upgraded");
			json_obj_open(&c->j);
			json_kv_u64(&c->j, "from_schema",
				    VFWD_PREV_SCHEMA_VERSION);
			json_kv_u64(&c->j, "to_schema", VFWD_SCHEMA_VERSION);
			json_kv_u64(&c->j, "ports", c->upgrade.copied.ports);
			json_kv_u64(&c->j, "macs", c->upgrade.copied.macs);
			json_obj_close(&c->j);
		}
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("%s vfwd_uplink on %s (%s mode, prog id %u, bum %s)%s\n",
		       replaced ? "replaced" : "attached", dev.name,
		       vfwd_xdp_mode_str(mode), prog_id,
		       flood ? "flood" : "pass",
		       replaced ? "; tables kept" : "");
	}
	return 0;
}

/* The last uplink, or detach --all: the installation goes, in the order
 * lib/uplink_ops.c gives it (a kill half-way is finished by the next
 * command).  *n: uplinks whose program came off. */
static int remove_all(struct vfwd_ctx *c, int *n)
{
	char why[VFWD_ERRLEN];
	int err = vfwd_destroy(c->pin_dir, &c->t, n, why, sizeof(why));

	/* vfwd_destroy closes the tables once it starts unpinning. */
	if (c->t.macs_fd < 0)
		c->tables_open = false;
	/* An apply record would otherwise be finished on the next
	 * installation at this pin path. */
	if (!err)
		vfwd_apply_record_clear(c->pin_dir);
	if (err)
		return cli_err(c, err, "cannot remove the installation: %s",
			       why);
	return 0;
}

/* detach --all: every uplink, every port's filter, the tables.  What an
 * installation whose uplinks are all gone, or that never had one, needs
 * to go away. */
static int detach_all(struct vfwd_ctx *c)
{
	int err, n = 0;

	/* A journal entry that cannot be finished must not keep the one
	 * command that removes everything from running. */
	c->recover_optional = true;
	err = ctx_open(c, CTX_WRITE);
	if (!err)
		err = remove_all(c, &n);
	if (err)
		return err;
	if (c->json) {
		json_obj_open(&c->j);
		json_kv_u64(&c->j, "uplinks_detached", n);
		json_kv_bool(&c->j, "maps_removed", true);
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("detached vfwd from %d uplink%s; removed the tables\n",
		       n, n == 1 ? "" : "s");
	}
	return 0;
}

int cmd_detach(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"keep-maps", no_argument, NULL, 'k'},
		{"all", no_argument, NULL, 'a'},
		{NULL},
	};
	struct cli_getopt g = {.opts = opts, .usage = DETACH_USAGE};
	bool keep = false, all = false;
	int opt;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		if (opt == 'k')
			keep = true;
		else
			all = true;
	}
	if (opt < 0)
		return opt;
	if (all && !keep && optind == argc)
		return detach_all(c);
	if (all || optind != argc - 1)
		return cli_err(c, -EINVAL, DETACH_USAGE);
	return cli_detach(c, argv[optind], keep);
}

int cli_detach(struct vfwd_ctx *c, const char *name, bool keep)
{
	struct vfwd_xdp_state xdp = {};
	struct vfwd_dev_info dev;
	struct vfwd_port p;
	bool detached = false, unpinned = false;
	char why[VFWD_ERRLEN];
	int id, err, uplinks;
	__u32 only;

	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	id = vfwd_port_find_name(&c->t, name, &p);
	/* A renamed uplink is still found by the device's new name. */
	if (id < 0 && vfwd_dev_by_name(name, &dev) == 0)
		id = vfwd_port_find_ifindex(&c->t, dev.ifindex, &p);
	if (id < 0 || p.kind != VFWD_PORT_UPLINK)
		return cli_err(
			c, -ENOENT,
			"interface %s is not a vfwd uplink (see 'vfwd status'; 'vfwd detach --all' removes an installation without uplinks)",
			name);

	/* A foreign program on the hook is left alone: say so. */
	if (vfwd_dev_by_index(p.ifindex, &dev) == 0 &&
	    vfwd_xdp_query(p.ifindex, c->pin_dir, &xdp) == 0 && xdp.prog_id &&
	    !xdp.ours)
		cli_note(
			c,
			"interface %s runs XDP program '%s' (id %u) %s; left it alone",
			name, xdp.prog_name, xdp.prog_id,
			xdp.is_vfwd ? "of another vfwd installation"
				    : "that is not vfwd's");
	/* Uplinks in the table, this one among them. */
	err = vfwd_only_uplink(&c->t, &only, &uplinks);
	if (err && err != -EEXIST)
		return cli_err(c, err, "port table: cannot read it: %s",
			       strerror(-err));
	if (!keep && uplinks == 1) {
		int n;

		err = remove_all(c, &n);
		if (err)
			return err;
		detached = n > 0;
		unpinned = true;
	} else {
		int unbound;

		err = vfwd_uplink_remove(c->pin_dir, &c->t, id, &detached,
					 &unbound, why, sizeof(why));
		if (err)
			return cli_err(c, err, "interface %s: %s", name, why);
		cli_note_unbound(c, unbound);
	}

	if (c->quiet)
		return 0;
	if (c->json) {
		json_obj_open(&c->j);
		json_kv_str(&c->j, "uplink", name);
		json_kv_bool(&c->j, "detached", detached);
		json_kv_bool(&c->j, "maps_removed", unpinned);
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("detached vfwd from %s%s\n", name,
		       unpinned ? "; removed the tables"
		       : keep	? "; tables kept"
				: "; tables kept for the other uplinks");
	}
	return 0;
}
