// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd apply -f FILE [--dry-run] and vfwd dump-config.
 *
 * apply reads the file (lib/config.c), checks it against the host, reads
 * the installation as a configuration (lib/config_state.c), computes the
 * steps (lib/plan.c) and takes them with the same code as the commands
 * (port add/set/del, attach, detach), in an order that keeps every guest
 * forwarding: uplinks, then ports, then the MAC table in one publish,
 * then what goes.  docs/config.md says what is atomic and what is not.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "apply.h"

#define APPLY_USAGE "usage: vfwd apply -f FILE|- [--dry-run] [--merge]"
#define DUMP_USAGE "usage: vfwd dump-config"

/* The file's items against the host, before anything changes: every
 * error names the file, the line and the key. */
static int check_host(struct vfwd_ctx *c, const struct vfwd_config *want,
		      const struct vfwd_config *cur, const char *file,
		      unsigned int flags)
{
	struct vfwd_dev_info dev;
	char proc[32];

	for (size_t i = 0; i < want->n_uplinks; i++) {
		const struct vfwd_cfg_uplink *u = &want->uplinks[i];

		if (vfwd_dev_by_name(u->dev, &dev))
			return cli_err(
				c, -ENODEV,
				"%s:%d: key 'dev': uplink %s: no such device; nothing was changed",
				file, u->line, u->dev);
	}
	for (size_t i = 0; i < want->n_ports; i++) {
		const struct vfwd_cfg_port *p = &want->ports[i];
		bool found = !p->uplink[0];

		if (flags & CLI_APPLY_REMOVE)
			continue;
		if (!p->xsk && vfwd_dev_by_name(p->dev, &dev))
			return cli_err(
				c, -ENODEV,
				"%s:%d: key 'dev': port '%s': device %s: no such device; nothing was changed",
				file, p->line, p->name, p->dev);
		if (!p->xsk && dev.type != VFWD_DEV_TAP &&
		    dev.type != VFWD_DEV_VETH)
			return cli_err(
				c, -EINVAL,
				"%s:%d: key 'dev': port '%s': device %s is not a tap or veth device; nothing was changed",
				file, p->line, p->name, p->dev);
		snprintf(proc, sizeof(proc), "/proc/%u", p->vm_pid);
		if (p->vm_pid && access(proc, F_OK))
			return cli_err(
				c, -ESRCH,
				"%s:%d: key 'vm-pid': port '%s': no process with PID %u; nothing was changed",
				file, p->line, p->name, p->vm_pid);
		/* The uplink a port names is in the file; a merge may also
		 * name one the installation has. */
		for (size_t j = 0; j < want->n_uplinks && !found; j++)
			found = !strcmp(p->uplink, want->uplinks[j].dev);
		for (size_t j = 0;
		     (flags & CLI_APPLY_MERGE) && j < cur->n_uplinks && !found;
		     j++)
			found = !strcmp(p->uplink, cur->uplinks[j].dev);
		if (!found)
			return cli_err(
				c, -ENOENT,
				"%s:%d: key 'uplink': port '%s' leaves by uplink %s, which the file does not list under 'uplinks'; nothing was changed",
				file, p->line, p->name, p->uplink);
	}
	return 0;
}

static const char op_sign[] = {
	[VFWD_PLAN_ADD] = '+',
	[VFWD_PLAN_CHANGE] = '~',
	[VFWD_PLAN_REMOVE] = '-',
};

static void print_plan(struct vfwd_ctx *c, const struct apply_run *a,
		       const char *file, bool dry_run)
{
	char name[64];

	if (c->json) {
		json_obj_open(&c->j);
		json_kv_str(&c->j, "file", file);
		json_kv_bool(&c->j, "dry_run", dry_run);
		json_kv_u64(&c->j, "changes", a->plan->n);
		json_key(&c->j, "steps");
		json_arr_open(&c->j);
	} else if (!a->plan->n) {
		printf("%s: no changes; the installation already matches\n",
		       file);
		return;
	} else {
		printf("%s: %zu change%s%s\n", file, a->plan->n,
		       a->plan->n == 1 ? "" : "s",
		       dry_run ? " (dry run: nothing was changed)" : "");
	}
	for (size_t i = 0; i < a->plan->n; i++) {
		const struct vfwd_plan_step *s = &a->plan->steps[i];

		vfwd_plan_step_name(s, a->cur, a->want, name, sizeof(name));
		if (!c->json) {
			printf("  %c %s %s%s%s\n", op_sign[s->op],
			       vfwd_plan_kind_str(s->kind), name,
			       s->what[0] ? ": " : "", s->what);
			continue;
		}
		json_obj_open(&c->j);
		json_kv_str(&c->j, "op", vfwd_plan_op_str(s->op));
		json_kv_str(&c->j, "kind", vfwd_plan_kind_str(s->kind));
		json_kv_str(&c->j, "name", name);
		json_kv_str(&c->j, "what", s->what);
		json_obj_close(&c->j);
	}
	if (c->json) {
		json_arr_close(&c->j);
		json_obj_close(&c->j);
		json_end(&c->j);
	}
}

static unsigned int plan_flags(unsigned int flags)
{
	return (flags & CLI_APPLY_MERGE ? VFWD_PLAN_MERGE : 0) |
	       (flags & CLI_APPLY_REMOVE ? VFWD_PLAN_REMOVE_NAMED : 0);
}

/* Make the installation (open) match want; *plan_out gets the plan.
 * Prints nothing but errors. */
static int apply_steps(struct vfwd_ctx *c, const struct vfwd_config *want,
		       const char *file, unsigned int flags,
		       struct vfwd_config *cur, struct vfwd_plan *plan,
		       bool record)
{
	struct apply_run a = {.cur = cur, .want = want, .plan = plan};
	bool quiet = c->quiet;
	int err;

	a.flags = flags;
	/* A dry run on a host with nothing set up yet: everything is new. */
	err = c->tables_open ? vfwd_config_from_tables(&c->t, cur) : 0;
	if (err)
		return cli_err(c, err, "tables under %s: cannot read them: %s",
			       c->pin_dir, strerror(-err));
	err = check_host(c, want, cur, file, flags);
	if (!err)
		err = vfwd_plan_make(cur, want, plan_flags(flags), plan);
	if (!err && c->tables_open && !(flags & CLI_APPLY_REMOVE))
		err = apply_plan_repairs(c, cur, want, plan);
	if (err)
		return err < 0 && err != -ENOMEM
			       ? err
			       : cli_err(c, err, "out of memory");
	if (!plan->n || (flags & CLI_APPLY_DRY_RUN))
		return 0;
	/* Published before the first change: from here on, a kill leaves
	 * an apply the next command finishes (lib/apply_record.c). */
	if (record) {
		err = vfwd_apply_record_write(c->pin_dir, want, file,
					      flags & ~CLI_APPLY_DRY_RUN);
		if (err)
			return cli_err(
				c, err,
				"apply %s: cannot write the record of the apply in progress under /run/vfwd: %s; nothing was changed",
				file, strerror(-err));
	}
	c->quiet = true;
	err = apply_run_steps(c, &a);
	c->quiet = quiet;
	return err;
}

/* After a step failed: the installation back as it was (cur), with the
 * same steps, so a failed apply leaves no partial state behind. */
static void roll_back(struct vfwd_ctx *c, const struct vfwd_config *cur,
		      const char *file)
{
	struct vfwd_config now;
	struct vfwd_plan plan;
	int err;

	err = apply_steps(c, cur, "(the state before the apply)", 0, &now,
			  &plan, false);
	if (err)
		cli_warn(
			c,
			"apply %s: could not put the installation back as it was; it is between the two states: fix the cause and run apply again",
			file);
	else
		cli_note(c, "apply %s: put the installation back as it was",
			 file);
	vfwd_plan_free(&plan);
	vfwd_config_free(&now);
}

int cli_apply(struct vfwd_ctx *c, const struct vfwd_config *want,
	      const char *file, unsigned int flags)
{
	struct vfwd_config cur;
	struct vfwd_plan plan;
	struct apply_run a = {.want = want, .cur = &cur, .plan = &plan};
	int present = 0, err;

	memset(&plan, 0, sizeof(plan));
	memset(&cur, 0, sizeof(cur));
	/* A dry run reads, and changes nothing, not even to finish an
	 * interrupted command; with no state yet it compares against an
	 * empty installation. */
	if (flags & CLI_APPLY_DRY_RUN)
		vfwd_tables_pins(c->pin_dir, &present);
	err = flags & CLI_APPLY_DRY_RUN ? (present ? ctx_open(c, CTX_READ) : 0)
					: ctx_open(c, CTX_CREATE);
	if (err)
		return err;
	err = apply_steps(c, want, file, flags, &cur, &plan, true);
	if (err && plan.n && !(flags & CLI_APPLY_DRY_RUN))
		roll_back(c, &cur, file);
	if (plan.n && !(flags & CLI_APPLY_DRY_RUN))
		vfwd_apply_record_clear(c->pin_dir);
	if (!err && !c->quiet)
		print_plan(c, &a, file, flags & CLI_APPLY_DRY_RUN);
	vfwd_plan_free(&plan);
	vfwd_config_free(&cur);
	return err;
}

int cli_apply_resume(struct vfwd_ctx *c)
{
	char file[PATH_MAX], why[VFWD_ERRLEN];
	struct vfwd_config want, cur;
	struct vfwd_plan plan = {};
	unsigned int flags;
	bool quiet = c->quiet;
	int err;

	err = vfwd_apply_record_read(c->pin_dir, &want, file, sizeof(file),
				     &flags, why, sizeof(why));
	if (err == -ENOENT)
		return 0;
	if (err) {
		cli_warn(
			c,
			"an interrupted apply left a record that cannot be read (%s); removed it",
			why);
		vfwd_apply_record_clear(c->pin_dir);
		return 0;
	}
	c->quiet = true;
	err = apply_steps(c, &want, file, flags, &cur, &plan, false);
	c->quiet = quiet;
	/* Not finished is not a reason to block every later command: the
	 * operator is told, and apply again is the way on. */
	if (err)
		cli_warn(
			c,
			"an apply of %s was interrupted and cannot be finished; the installation is between two states: run 'vfwd apply' again",
			file);
	else
		cli_note(
			c,
			"an apply of %s was interrupted; finished it (%zu change%s)",
			file, plan.n, plan.n == 1 ? "" : "s");
	vfwd_apply_record_clear(c->pin_dir);
	vfwd_plan_free(&plan);
	vfwd_config_free(&cur);
	vfwd_config_free(&want);
	return 0;
}

int cmd_apply(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"dry-run", no_argument, NULL, 'n'},
		{"merge", no_argument, NULL, 'm'},
		{NULL},
	};
	struct cli_getopt g = {
		.opts = opts, .usage = APPLY_USAGE, .shorts = "f:"};
	struct vfwd_config want;
	char why[VFWD_ERRLEN];
	const char *file = NULL;
	unsigned int flags = 0;
	int opt, err;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		if (opt == 'f')
			file = optarg;
		else if (opt == 'm')
			flags |= CLI_APPLY_MERGE;
		else
			flags |= CLI_APPLY_DRY_RUN;
	}
	if (opt < 0)
		return opt;
	if (!file || optind != argc)
		return cli_err(c, -EINVAL, APPLY_USAGE);
	err = vfwd_config_read(file, &want, why, sizeof(why));
	if (err)
		return cli_err(c, err, "%s; nothing was changed", why);
	err = cli_apply(c, &want, strcmp(file, "-") ? file : "<stdin>", flags);
	vfwd_config_free(&want);
	return err;
}

int cmd_dump_config(struct vfwd_ctx *c, int argc, char **argv)
{
	struct vfwd_config cur;
	int err;

	if (argc != 1)
		return cli_err(c, -EINVAL, DUMP_USAGE);
	/* Under the lock: an apply in progress is finished first, and no
	 * other command changes the tables while they are read. */
	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	err = vfwd_config_from_tables(&c->t, &cur);
	if (err)
		return cli_err(c, err, "tables under %s: cannot read them: %s",
			       c->pin_dir, strerror(-err));
	for (size_t i = 0; i < cur.n_ports; i++)
		if (!cur.ports[i].xsk && !cur.ports[i].dev[0])
			cli_warn(
				c,
				"port '%s': its device is gone, so the dump has no 'dev' for it; apply refuses such a file until you add the device",
				cur.ports[i].name);
	err = vfwd_config_write(&cur, stdout, c->json, c->pretty);
	vfwd_config_free(&cur);
	if (err)
		return cli_err(c, err, "dump-config: cannot write it: %s",
			       strerror(-err));
	return 0;
}
