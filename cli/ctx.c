// SPDX-License-Identifier: GPL-2.0
/* Opening the state for a command, errors, and command dispatch. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

int cli_err(struct vfwd_ctx *c, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->json) {
		/* Like bpftool: with -j the error is the document on stdout. */
		struct json j;

		json_init(&j, stdout, c->pretty);
		json_obj_open(&j);
		json_kv_str(&j, "error", msg);
		json_obj_close(&j);
		json_end(&j);
	} else {
		fprintf(stderr, "vfwd: %s\n", msg);
	}
	return err < 0 ? err : -EINVAL;
}

void cli_set_exit(struct vfwd_ctx *c, enum cli_exit code)
{
	c->exit_code = code;
}

int cli_bad_opt(struct vfwd_ctx *c, char **argv, const char *usage)
{
	/* After a failed getopt_long, optind is past the offending word. */
	return cli_err(c, -EINVAL, "invalid or incomplete option '%s'; %s",
		       argv[optind - 1], usage);
}

int cli_getopt(struct vfwd_ctx *c, int argc, char **argv, struct cli_getopt *g)
{
	int opt, idx = -1;

	opt = getopt_long(argc, argv, g->shorts ? g->shorts : "", g->opts,
			  &idx);
	if (opt == -1)
		return 0;
	/* A short option: its long option's index, for the checks below. */
	for (int i = 0; idx < 0 && opt != '?' && opt != ':' && g->opts[i].name;
	     i++)
		if (g->opts[i].val == opt)
			idx = i;
	/* getopt_long sets idx only for a long option it recognised. */
	if (opt == '?' || opt == ':' || idx < 0)
		return cli_bad_opt(c, argv, g->usage);
	/* Option tables are far smaller; a larger one goes unchecked
	 * rather than refused. */
	if (idx < CLI_OPTS_MAX) {
		if (g->seen & (1ULL << idx))
			return cli_err(
				c, -EINVAL,
				"option --%s given twice; give each option once",
				g->opts[idx].name);
		g->seen |= 1ULL << idx;
	}
	return opt;
}

/* One line on stderr: "vfwd: " prefix fmt. */
static void stderr_line(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "vfwd: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_warn(struct vfwd_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stderr_line("warning: ", fmt, ap);
	va_end(ap);
}

void cli_note(struct vfwd_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->json)
		return;
	va_start(ap, fmt);
	stderr_line("", fmt, ap);
	va_end(ap);
}

/* Whether the tables hold nothing: no port, no uplink, no MAC. */
static bool tables_empty(struct vfwd_ctx *c)
{
	struct vfwd_mac_entry *e;
	struct vfwd_port p;
	size_t n;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (vfwd_port_get(&c->t, id, &p) || p.kind != VFWD_PORT_FREE)
			return false;
	if (vfwd_mac_dump(&c->t, &e, &n))
		return false;
	free(e);
	return n == 0;
}

/* Before a command changes anything: finish or undo what a killed one
 * left (lib/port_ops.c).  If that leaves empty tables, this command
 * counts as the first one, so a failure removes them. */
static int ctx_recover(struct vfwd_ctx *c)
{
	char msg[VFWD_ERRLEN];
	int ret = vfwd_recover(c->pin_dir, &c->t, c->own_create, msg,
			       sizeof(msg));

	if (ret < 0 && c->recover_optional) {
		cli_warn(
			c,
			"an interrupted command left work that cannot be finished or undone (%s); going on, as this command removes everything",
			msg);
		return 0;
	}
	if (ret < 0)
		return cli_err(
			c, ret,
			"pin path %s: an interrupted command left work that cannot be finished or undone: %s (nothing else was changed; see 'vfwd status')",
			c->pin_dir, msg);
	if (ret > 0) {
		cli_note(c, "%s", msg);
		if (tables_empty(c))
			c->created = true;
	}
	return 0;
}

/* The pin directory ready (made when mode creates), and locked for a
 * command that changes state. */
static int ctx_prepare(struct vfwd_ctx *c, enum ctx_access mode)
{
	bool mounted = false;
	int err;

	err = vfwd_pin_dir_prepare(c->pin_dir, mode == CTX_CREATE, &mounted);
	if (mounted)
		cli_note(c, "bpffs was not mounted; mounted it at %s",
			 VFWD_PIN_ROOT);
	if (err == -EINVAL)
		return cli_err(
			c, err,
			"invalid pin path '%s': %s; give an absolute path without '.' or '..' components, such as %s",
			c->pin_dir, vfwd_pin_path_fault(c->pin_dir),
			VFWD_PIN_DIR);
	if (err == -EBUSY) {
		/* The suggestion below it, without the path's trailing '/'. */
		int len = (int)strlen(c->pin_dir);

		while (len > 1 && c->pin_dir[len - 1] == '/')
			len--;
		return cli_err(
			c, err,
			"pin path %s is the root of a BPF filesystem; vfwd keeps its state in a directory of its own below one, which detach removes: use --pin-path %.*s/vfwd or another directory below it",
			c->pin_dir, len, c->pin_dir);
	}
	if (err == -ENOENT)
		return cli_err(
			c, err,
			"no vfwd state at %s: nothing is set up yet (start with 'vfwd attach IFNAME' or 'vfwd port add')",
			c->pin_dir);
	if (err == -ENOTSUP)
		return cli_err(
			c, err,
			"pin path %s is not on a BPF filesystem; mount one with 'mount -t bpf bpf DIR' or use --pin-path under %s",
			c->pin_dir, VFWD_PIN_ROOT);
	if (err)
		return cli_err(c, err, "pin path %s: cannot prepare it: %s",
			       c->pin_dir, strerror(-err));

	if (mode != CTX_READ) {
		c->lock_fd = vfwd_lock(c->pin_dir);
		if (c->lock_fd < 0)
			return cli_err(
				c, c->lock_fd,
				"pin path %s: cannot lock it: %s (was the state removed meanwhile?)",
				c->pin_dir, strerror(-c->lock_fd));
	}
	return 0;
}

/* A removal of the whole installation that a killed command left half
 * done is finished before anything else (lib/uplink_ops.c); a read-only
 * command says so and reads nothing. */
static int ctx_finish_removal(struct vfwd_ctx *c, enum ctx_access mode)
{
	char why[VFWD_ERRLEN];
	int ret;

	if (mode == CTX_READ) {
		ret = vfwd_destroy_pending(c->pin_dir);
		if (ret > 0)
			return cli_err(
				c, -ESTALE,
				"vfwd state at %s is half removed: a detach was interrupted; the next vfwd command that changes state finishes the removal",
				c->pin_dir);
		return 0;
	}
	ret = vfwd_destroy_resume(c->pin_dir, why, sizeof(why));
	if (ret < 0)
		return cli_err(
			c, ret,
			"pin path %s: an interrupted removal of the tables cannot be finished: %s",
			c->pin_dir, why);
	if (!ret)
		return 0;
	cli_note(c,
		 "a removal of the tables at %s was interrupted; finished it",
		 c->pin_dir);
	/* The directory this command locked is gone: start again. */
	close(c->lock_fd);
	c->lock_fd = -1;
	return ctx_prepare(c, mode);
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* The note an upgrade leaves: what was carried over. */
static void upgrade_note(struct vfwd_ctx *c, const char *what)
{
	const struct vfwd_upgrade_result *r = &c->upgrade;

	cli_note(
		c,
		"%s the tables at %s from schema v%d to v%d: %u port%s (%u uplink%s) and %zu MAC%s carried over; the programs of %u guest port%s and %u uplink%s swapped; the schema v%d tables removed",
		what, c->pin_dir, VFWD_PREV_SCHEMA_VERSION, VFWD_SCHEMA_VERSION,
		r->copied.ports, plural(r->copied.ports), r->copied.uplinks,
		plural(r->copied.uplinks), r->copied.macs,
		plural(r->copied.macs), r->guests, plural(r->guests),
		r->uplinks, plural(r->uplinks), VFWD_PREV_SCHEMA_VERSION);
	if (r->gone)
		cli_note(c, "%u guest port%s had no device and kept no program",
			 r->gone, r->gone == 1 ? "" : "s");
}

/* Tables of the previous schema (lib/upgrade.c): attach carries them
 * over, other changing commands finish an upgrade that published and
 * refuse otherwise, and read-only commands read only a finished one. */
static int ctx_upgrade(struct vfwd_ctx *c, enum ctx_access mode)
{
	char why[VFWD_ERRLEN];
	int state, err;

	state = vfwd_upgrade_state(c->pin_dir);
	if (state < 0)
		return cli_err(
			c, state,
			"pin path %s: cannot read the intent journal: %s",
			c->pin_dir, strerror(-state));
	if (state == VFWD_UPGRADE_NONE)
		return 0;
	/* A published upgrade has complete tables: readers read them (and
	 * status reports the journal); writers finish it first. */
	if (state == VFWD_UPGRADE_PUBLISHING && mode == CTX_READ)
		return 0;
	if (state == VFWD_UPGRADE_PUBLISHING) {
		err = vfwd_upgrade_finish(c->pin_dir, &c->upgrade, why,
					  sizeof(why));
		if (err)
			return cli_err(
				c, err,
				"pin path %s: an interrupted upgrade cannot be finished: %s",
				c->pin_dir, why);
		upgrade_note(c,
			     "an upgrade was interrupted; finished upgrading");
		return 0;
	}
	if (mode != CTX_READ && c->may_upgrade) {
		err = vfwd_upgrade(c->pin_dir, &c->upgrade, why, sizeof(why));
		if (err)
			return cli_err(c, err,
				       "pin path %s: cannot upgrade: %s",
				       c->pin_dir, why);
		c->upgraded = true;
		upgrade_note(c, "upgraded");
		return 0;
	}
	/* Tables an upgrade left half made go; the old ones stay. */
	if (mode != CTX_READ && state == VFWD_UPGRADE_BUILDING) {
		err = vfwd_upgrade_undo(c->pin_dir, why, sizeof(why));
		if (err)
			return cli_err(c, err, "pin path %s: %s", c->pin_dir,
				       why);
		cli_note(
			c,
			"an upgrade of the tables at %s was interrupted before it published; removed the schema v%d tables it had made",
			c->pin_dir, VFWD_SCHEMA_VERSION);
	}
	if (state == VFWD_UPGRADE_MIXED)
		return cli_err(
			c, -EEXIST,
			"pin path %s holds tables of schema v%d and v%d and no upgrade is under way; remove one installation (detach with its own vfwd version) or use another --pin-path",
			c->pin_dir, VFWD_PREV_SCHEMA_VERSION,
			VFWD_SCHEMA_VERSION);
	return cli_err(
		c, -EPROTO,
		"the tables at %s are of schema v%d, made by an earlier vfwd release; 'vfwd attach IFNAME' with this version upgrades them in place, without stopping forwarding (docs/vfwd.md, \"Upgrade\")",
		c->pin_dir, VFWD_PREV_SCHEMA_VERSION);
}

int ctx_open(struct vfwd_ctx *c, enum ctx_access mode)
{
	bool fresh = false;
	int err;

	/* A step of apply: the state apply opened is the one to use. */
	if (c->tables_open)
		return 0;
	err = vfwd_check_privileges();
	if (err)
		return cli_err(
			c, err,
			"permission denied: vfwd needs root (CAP_BPF and CAP_NET_ADMIN); run it with sudo");
	err = ctx_prepare(c, mode);
	if (!err)
		err = ctx_finish_removal(c, mode);
	if (!err)
		err = ctx_upgrade(c, mode);
	if (err)
		return err;
	if (mode != CTX_READ) {
		int present;

		vfwd_tables_pins(c->pin_dir, &present);
		/* Some pins but not all are what a first command killed
		 * while it made the maps leaves: the maps are completed
		 * below, and its VFWD_OP_CREATE journal entry (pinned
		 * first) makes ctx_recover count this command as the first,
		 * so they go again if it fails too. */
		c->created = mode == CTX_CREATE && !present;
		/* A changing command also adds the maps an older vfwd did
		 * not have (existing pins are reused as they are), so state
		 * made by an earlier version keeps working. */
		err = mode == CTX_CREATE || present
			      ? vfwd_maps_create(c->pin_dir, &fresh)
			      : 0;
		/* This command pinned the journal: its VFWD_OP_CREATE is
		 * its own, not one a dead command left. */
		c->own_create = fresh;
		c->created |= fresh;
		if (err)
			return cli_err(
				c, err,
				"maps under %s: cannot create or reuse them: %s (run with -v for details)",
				c->pin_dir, strerror(-err));
	}
	err = vfwd_tables_open(&c->t, c->pin_dir);
	if (err == -ENOENT && mode == CTX_READ) {
		int present, total = vfwd_tables_pins(c->pin_dir, &present);

		if (present)
			return cli_err(
				c, err,
				"incomplete vfwd state at %s (%d of %d maps): a first command was interrupted; the next vfwd command that changes state completes or removes it",
				c->pin_dir, present, total);
	}
	if (err == -ENOENT)
		return cli_err(
			c, err,
			"no vfwd state at %s: nothing is set up yet (start with 'vfwd attach IFNAME' or 'vfwd port add')",
			c->pin_dir);
	if (err)
		return cli_err(c, err, "maps under %s: cannot open them: %s",
			       c->pin_dir, strerror(-err));
	c->tables_open = true;
	if (mode == CTX_READ)
		return 0;
	err = ctx_recover(c);
	return err ? err : cli_apply_resume(c);
}

void ctx_close(struct vfwd_ctx *c, bool failed)
{
	struct vfwd_intent in;
	bool pending = false;

	if (c->tables_open && vfwd_intent_get(&c->t, &in) == 0) {
		/* The first command that made the tables succeeded: they
		 * are state now (loader/skel.c, intent_precreate). */
		if (!failed && c->created && in.op == VFWD_OP_CREATE)
			vfwd_intent_clear(&c->t);
		/* Work a failed command published but could not finish
		 * (the journal still names it) is state: it stays for the
		 * next command to finish, and so do the tables. */
		pending = in.op != VFWD_OP_CREATE;
	}
	if (c->tables_open)
		vfwd_tables_close(&c->t);
	c->tables_open = false;
	/* A refused first command must not leave empty tables behind: the
	 * state is all or nothing from the very first command on.  The lock
	 * is still held, so nobody else has started using them. */
	if (failed && c->created && !pending)
		vfwd_tables_unpin(c->pin_dir);
	/* A pin directory with no pins (its first command was killed
	 * before it made any) goes too; rmdir leaves one with state. */
	else if (failed && c->lock_fd >= 0)
		rmdir(c->pin_dir);
	c->created = false;
	c->own_create = false;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

void cli_usage(FILE *f, const struct cli_cmd *cmds)
{
	for (; cmds->name; cmds++)
		fprintf(f, "  vfwd %s\n", cmds->usage);
}

/* "a, b, c": the names of a command table, for one-line errors. */
static void cmd_names(const struct cli_cmd *cmds, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; cmds->name && off < len; cmds++)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				cmds->name);
}

int cli_dispatch(struct vfwd_ctx *c, const struct cli_cmd *cmds,
		 const char *what, int argc, char **argv)
{
	const struct cli_cmd *cmd;
	char names[256];

	cmd_names(cmds, names, sizeof(names));
	if (argc < 1)
		return cli_err(c, -EINVAL, "missing %s; one of: %s", what,
			       names);
	for (cmd = cmds; cmd->name; cmd++) {
		if (strcmp(cmd->name, argv[0]) == 0) {
			/* optind = 0 makes getopt reinitialise for the
			 * command's own argv. */
			optind = 0;
			return cmd->fn(c, argc, argv);
		}
	}
	return cli_err(c, -EINVAL, "unknown %s '%s'; one of: %s", what, argv[0],
		       names);
}
