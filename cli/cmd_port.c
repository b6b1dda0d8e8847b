// SPDX-License-Identifier: GPL-2.0
/* vfwd port add | set | del | list (sync: cli/port_sync.c) */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

#define PORT_ADD_ARGS                                                                                                                                         \
	"port add NAME --dev IFNAME [--vlan VID] [--uplink NAME] [--no-spoofchk] [--cpus LIST | --vm-pid PID] [--placement same-cpu|same-node|off] [--rps]\n" \
	"       vfwd port add NAME --xsk --vhost-socket PATH [--vhost-server] [--vlan VID] [--uplink NAME] [--no-spoofchk]"
#define PORT_SET_ARGS                                                          \
	"port set NAME [--dev IFNAME] [--vlan VID|none] [--uplink NAME|auto] [--spoofchk|--no-spoofchk] [--cpus LIST|none | --vm-pid PID] [--placement same-cpu|same-node|off] [--rps|--no-rps]"
#define PORT_ADD_USAGE "usage: vfwd " PORT_ADD_ARGS
#define PORT_SET_USAGE "usage: vfwd " PORT_SET_ARGS
#define PORT_DEL_USAGE "usage: vfwd port del NAME [--force]"

/* Options port add and port set share. */
static const struct option port_opts[] = {
	{"dev", required_argument, NULL, 'd'},
	{"vlan", required_argument, NULL, 'V'},
	{"uplink", required_argument, NULL, 'U'},
	{"spoofchk", no_argument, NULL, 's'},
	{"no-spoofchk", no_argument, NULL, 'S'},
	{"cpus", required_argument, NULL, CLI_OPT_CPUS},
	{"vm-pid", required_argument, NULL, CLI_OPT_VM_PID},
	{"placement", required_argument, NULL, CLI_OPT_PLACEMENT},
	{"rps", no_argument, NULL, CLI_OPT_RPS},
	{"no-rps", no_argument, NULL, CLI_OPT_NO_RPS},
	{"xsk", no_argument, NULL, CLI_OPT_XSK},
	{"vhost-socket", required_argument, NULL, CLI_OPT_VHOST_SOCKET},
	{"vhost-server", no_argument, NULL, CLI_OPT_VHOST_SERVER},
};
#define N_PORT_OPTS (sizeof(port_opts) / sizeof(port_opts[0]))

/* Parse the shared options; returns 0 or -errno after an error line. */
static int parse_port_opts(struct vfwd_ctx *c, int argc, char **argv,
			   bool is_set, const char *usage, struct port_req *r)
{
	struct option opts[N_PORT_OPTS + 1] = {};
	struct cli_getopt g = {.opts = opts, .usage = usage};
	int opt, err;

	memcpy(opts, port_opts, sizeof(port_opts));
	memset(r, 0, sizeof(*r));
	r->spoofchk = -1;
	cli_cpu_req_init(&r->cpu);
	r->cpu.is_set = is_set;
	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		switch (opt) {
		case 'd':
			r->ifname = optarg;
			break;
		case 'V':
			r->vlan_set = true;
			if (is_set && strcmp(optarg, "none") == 0) {
				r->vid = VFWD_VID_NONE;
				break;
			}
			if (vfwd_vid_parse(optarg, &r->vid))
				return cli_err(
					c, -ERANGE,
					"invalid VLAN '%s': use a VLAN id from %d to %d " CLI_DECIMAL
					"%s",
					optarg, VFWD_VID_MIN, VFWD_VID_MAX,
					is_set ? ", or none" : "");
			break;
		case 'U':
			r->uplink = optarg;
			break;
		case 's':
		case 'S':
			/* One setting, two spellings: as with an option
			 * given twice, the last must not silently win. */
			if (r->spoofchk >= 0)
				return cli_err(
					c, -EINVAL,
					"options --spoofchk and --no-spoofchk contradict each other; give one");
			r->spoofchk = opt == 's';
			break;
		case CLI_OPT_XSK:
			r->xsk = true;
			break;
		case CLI_OPT_VHOST_SOCKET:
			r->vhost_socket = optarg;
			break;
		case CLI_OPT_VHOST_SERVER:
			r->vhost_server = true;
			break;
		default:
			err = cli_cpu_opt(c, opt, optarg, &r->cpu);
			if (!err)
				break;
			if (err != -ENOENT)
				return err;
			return cli_bad_opt(c, argv, usage);
		}
	}
	if (opt < 0)
		return opt;
	if (optind != argc - 1)
		return cli_err(c, -EINVAL, "%s", usage);
	return 0;
}

/* The uplink named by --uplink. */
static int find_uplink(struct vfwd_ctx *c, const char *name, __u32 *id)
{
	struct vfwd_port up;
	int i = vfwd_port_find_name(&c->t, name, &up);

	if (i < 0 || up.kind != VFWD_PORT_UPLINK)
		return cli_err(
			c, -ENOENT,
			"--uplink %s: no such uplink (see 'vfwd status')",
			name);
	*id = i;
	return 0;
}

/* A device a guest port may use; fills *kind. */
static int check_dev(struct vfwd_ctx *c, const char *ifname,
		     struct vfwd_dev_info *dev, __u8 *kind, int self)
{
	char why[VFWD_ERRLEN];
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
	/* Asked here too, so the command is refused before it begins. */
	err = vfwd_filter_slot_free(c->pin_dir, dev->ifindex, why, sizeof(why));
	if (err)
		return cli_err(c, err, "interface %s: %s", ifname, why);
	return 0;
}

static void print_port_done(struct vfwd_ctx *c, const char *verb, int id,
			    const struct vfwd_port *p)
{
	__u32 counts[VFWD_MAX_PORTS], total;

	if (c->quiet)
		return;
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
	struct port_req r;
	int err;

	err = parse_port_opts(c, argc, argv, false, PORT_ADD_USAGE, &r);
	if (err)
		return err;
	err = cli_port_kind_opts(c, &r, r.xsk);
	if (err)
		return err;
	if (!r.ifname && !r.xsk)
		return cli_err(c, -EINVAL, PORT_ADD_USAGE);
	return cli_port_add(c, argv[optind], &r);
}

int cli_port_add(struct vfwd_ctx *c, const char *name,
		 const struct port_req *rq)
{
	const struct port_req r = *rq;
	struct vfwd_dev_info dev;
	struct vfwd_port p = {};
	char why[VFWD_ERRLEN];
	__u32 uplink_id = 0;
	int id, err;

	if (!vfwd_port_name_valid(name))
		return cli_err(
			c, -EINVAL,
			"invalid port name '%s': use 1-%d letters, digits, '-', '_' or '.', not starting with '-', and not '.' or '..'",
			name, VFWD_NAME_LEN - 1);

	err = ctx_open(c, CTX_CREATE);
	if (err)
		return err;
	if (vfwd_port_find_name(&c->t, name, &p) >= 0)
		return cli_err(c, -EEXIST, "port '%s' already exists", name);
	memset(&p, 0, sizeof(p));
	if (!r.xsk) {
		err = check_dev(c, r.ifname, &dev, &p.kind, -1);
		if (err)
			return err;
	}
	err = r.uplink ? find_uplink(c, r.uplink, &uplink_id)
		       : cli_default_uplink(c, name, &uplink_id);
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
	p.ifindex = r.xsk ? 0 : dev.ifindex;
	p.vid = r.vid;
	p.uplink_id = uplink_id;
	/* Anti-spoofing is on unless turned off: it is what keeps one
	 * tenant from sending as another. */
	p.flags = r.spoofchk == 0 ? 0 : VFWD_PORT_F_SPOOFCHK;
	if (r.uplink)
		p.flags |= VFWD_PORT_F_UPLINK_SET;
	if (r.xsk) {
		err = cli_port_add_xsk(c, name, &r, &p, id);
		if (!err)
			print_port_done(c, "added", id, &p);
		return err;
	}
	err = cli_port_cpus(c, &r.cpu, &p);
	if (err)
		return err;
	/* Everything else, published last (lib/port_ops.c). */
	err = vfwd_port_create(c->pin_dir, &c->t, id, &p, why, sizeof(why));
	if (err)
		return cli_err(c, err, "port '%s': device %s: %s", name,
			       r.ifname, why);
	print_port_done(c, "added", id, &p);
	return 0;
}

/* Count the MACs bound to port id. */
static int port_macs(struct vfwd_ctx *c, int id, size_t *owned)
{
	__u32 counts[VFWD_MAX_PORTS], total;
	int err = cli_mac_counts(c, counts, &total);

	if (!err)
		*owned = counts[id];
	return err;
}

/* The guest port port set works on: uplinks are attach's. */
static int guest_port_lookup(struct vfwd_ctx *c, const char *name,
			     struct vfwd_port *p)
{
	int id = cli_port_lookup(c, name, p);

	if (id >= 0 && p->kind == VFWD_PORT_UPLINK)
		return cli_err(
			c, -EINVAL,
			"port '%s' is an uplink; re-run 'vfwd attach' instead",
			p->name);
	return id;
}

/* port set NAME with no option: put the port back into the kernel as the
 * tables have it (lib/repair.c), loading its programs anew. */
static int port_reapply(struct vfwd_ctx *c, const char *name)
{
	struct vfwd_repair_result res = {};
	char why[VFWD_ERRLEN];
	struct vfwd_port p;
	int id, err;

	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	id = guest_port_lookup(c, name, &p);
	if (id < 0)
		return id;
	if (vfwd_port_is_xsk(&p)) {
		/* Its only kernel objects are vfwd-vhost's sockets, which
		 * the daemon keeps as the slot says. */
		print_port_done(c, "re-applied", id, &p);
		return 0;
	}
	err = vfwd_repair_port(c->pin_dir, &c->t, id, VFWD_REPAIR_RELOAD, &res,
			       why, sizeof(why));
	if (err) {
		vfwd_repair_result_free(&res);
		return cli_err(c, err, "%s", why);
	}
	if (c->json) {
		print_port_done(c, "re-applied", id, &p);
	} else {
		printf("re-applied port %s (id %d, %s %s)", p.name, id,
		       vfwd_port_kind_str(p.kind), cli_port_state(c, id, &p));
		for (size_t i = 0; i < res.fixed.n; i++)
			printf("%s%s", i ? ", " : "; repaired ",
			       vfwd_drift_kind_str(res.fixed.items[i].kind));
		printf("\n");
	}
	vfwd_repair_result_free(&res);
	return 0;
}

static int port_set(struct vfwd_ctx *c, int argc, char **argv)
{
	struct port_req r;
	int err;

	err = parse_port_opts(c, argc, argv, true, PORT_SET_USAGE, &r);
	if (err)
		return err;
	if (r.xsk || r.vhost_socket || r.vhost_server)
		return cli_err(
			c, -EINVAL,
			"port set cannot change a port's kind or vhost-user socket; 'vfwd port del' it and add it again");
	if (!r.ifname && !r.vlan_set && !r.uplink && r.spoofchk < 0 &&
	    !cli_cpu_req_any(&r.cpu))
		return port_reapply(c, argv[optind]);
	return cli_port_set(c, argv[optind], &r);
}

int cli_port_set(struct vfwd_ctx *c, const char *name,
		 const struct port_req *rq)
{
	const struct port_req r = *rq;
	struct vfwd_dev_info dev = {};
	struct vfwd_port p, next;
	size_t owned = 0;
	char why[VFWD_ERRLEN];
	int id, err;

	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	id = guest_port_lookup(c, name, &p);
	if (id < 0)
		return id;
	err = cli_port_kind_opts(c, &r, vfwd_port_is_xsk(&p));
	if (err)
		return err;
	next = p;
	if (r.ifname) {
		err = check_dev(c, r.ifname, &dev, &next.kind, id);
		if (err)
			return err;
		next.ifindex = dev.ifindex;
	}
	if (r.vlan_set && r.vid != p.vid) {
		err = port_macs(c, id, &owned);
		if (err)
			return err;
		/* Its MAC entries are keyed by the old VLAN: moving them
		 * silently would re-home a guest onto another network. */
		if (owned)
			return cli_err(
				c, -EBUSY,
				"port '%s' owns %zu MAC%s on its current VLAN; delete them with 'vfwd mac del', change the VLAN, then add them again",
				p.name, owned, owned == 1 ? "" : "s");
		next.vid = r.vid;
	}
	if (r.uplink && strcmp(r.uplink, "auto") == 0) {
		/* Back to following the host's only uplink. */
		err = cli_default_uplink(c, p.name, &next.uplink_id);
		if (err)
			return err;
		next.flags &= ~VFWD_PORT_F_UPLINK_SET;
	} else if (r.uplink) {
		err = find_uplink(c, r.uplink, &next.uplink_id);
		if (err)
			return err;
		next.flags |= VFWD_PORT_F_UPLINK_SET;
	}
	if (r.spoofchk >= 0) {
		next.flags &= ~VFWD_PORT_F_SPOOFCHK;
		if (r.spoofchk)
			next.flags |= VFWD_PORT_F_SPOOFCHK;
	}
	/* A new device may have other queues, a new uplink another XDP
	 * mode: check the CPU set against them again. */
	if (cli_cpu_req_any(&r.cpu) || ((r.ifname || r.uplink) && next.ncpus)) {
		err = cli_port_cpus(c, &r.cpu, &next);
		if (err)
			return err;
	}
	if (vfwd_port_is_xsk(&p)) {
		err = vfwd_xsk_port_update(&c->t, id, &next, why, sizeof(why));
		if (err)
			return cli_err(c, err, "port '%s': %s", p.name, why);
		print_port_done(c, "updated", id, &next);
		return 0;
	}
	/* Published last, the move under the journal (lib/port_set.c). */
	err = vfwd_port_update(c->pin_dir, &c->t, id, &p, &next,
			       r.ifname != NULL, why, sizeof(why));
	if (err)
		return cli_err(c, err, "port '%s': %s%s: %s", p.name,
			       r.ifname ? "cannot move to device "
					: "cannot update it",
			       r.ifname ? r.ifname : "", why);
	print_port_done(c, "updated", id, &next);
	return 0;
}

static int port_del(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{NULL},
	};
	struct cli_getopt g = {.opts = opts, .usage = PORT_DEL_USAGE};
	bool force = false;
	int opt;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0)
		force = opt == 'f';
	if (opt < 0)
		return opt;
	if (optind != argc - 1)
		return cli_err(c, -EINVAL, PORT_DEL_USAGE);
	return cli_port_del(c, argv[optind], force);
}

int cli_port_del(struct vfwd_ctx *c, const char *name, bool force)
{
	struct vfwd_port p;
	char why[VFWD_ERRLEN];
	size_t owned = 0;
	int id, err;

	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	id = cli_port_lookup(c, name, &p);
	if (id < 0)
		return id;
	if (p.kind == VFWD_PORT_UPLINK)
		return cli_err(c, -EINVAL,
			       "port '%s' is an uplink; use 'vfwd detach %s'",
			       p.name, p.name);
	err = port_macs(c, id, &owned);
	if (err)
		return err;
	if (owned && !force)
		return cli_err(
			c, -EBUSY,
			"port '%s' still owns %zu MAC%s; delete them with 'vfwd mac del' or use --force",
			p.name, owned, owned == 1 ? "" : "s");
	/* MACs, slot, filter, qdisc, devmap entries, CPUs: once begun,
	 * finished by this command or the next (lib/port_ops.c). */
	err = vfwd_port_delete(c->pin_dir, &c->t, id, &owned, why, sizeof(why));
	if (err)
		return cli_err(c, err, "port '%s': cannot delete it: %s",
			       p.name, why);
	if (c->quiet)
		return 0;
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
	struct vfwd_drift_list d = {};
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
	/* STATE is what the kernel has, not what the tables claim. */
	err = cli_drift_check(c, &d);
	if (err)
		return err;
	if (c->json)
		json_arr_open(&c->j);
	else
		printf("%-4s %-15s %-7s %-15s %-8s %-5s %-5s %-5s %-15s %-5s %s\n",
		       "ID", "NAME", "KIND", "DEVICE", "IFINDEX", "STATE",
		       "VLAN", "SPOOF", "UPLINK", "MACS", "CPUS");
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (vfwd_port_get(&c->t, id, &p) || p.kind == VFWD_PORT_FREE)
			continue;
		if (c->json) {
			cli_port_json_drift(c, id, &p, counts[id], &d);
			continue;
		}
		if (vfwd_dev_by_index(p.ifindex, &dev))
			snprintf(dev.name, sizeof(dev.name), "-");
		printf("%-4u %-15s %-7s %-15s %-8u %-5s ", id, p.name,
		       vfwd_port_kind_str(p.kind), dev.name, p.ifindex,
		       cli_port_state_drift(c, id, &p, &d));
		if (p.kind == VFWD_PORT_UPLINK) {
			printf("%-5s %-5s %-15s -     -\n", "-", "-",
			       p.flags & VFWD_PORT_F_BUM_FLOOD ? "(bum flood)"
							       : "(bum pass)");
			continue;
		}
		cli_port_guest_cols(c, &p, counts[id]);
	}
	if (c->json) {
		json_arr_close(&c->j);
		json_end(&c->j);
	}
	if (d.n)
		cli_note(
			c,
			"%zu difference%s between the tables and the kernel (STATE drift or gone); see 'vfwd status'",
			d.n, d.n == 1 ? "" : "s");
	vfwd_drift_list_free(&d);
	return 0;
}

static const struct cli_cmd port_cmds[] = {
	{"add", port_add, PORT_ADD_ARGS},
	{"set", port_set, PORT_SET_ARGS},
	{"sync", cli_port_sync, CLI_PORT_SYNC_ARGS},
	{"del", port_del, "port del NAME [--force]"},
	{"list", port_list, "port list"},
	{NULL},
};

int cmd_port(struct vfwd_ctx *c, int argc, char **argv)
{
	return cli_dispatch(c, port_cmds, "port subcommand", argc - 1,
			    argv + 1);
}
