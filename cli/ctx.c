// SPDX-License-Identifier: GPL-2.0
/* Opening the state for a command, errors, and command dispatch. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
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

int ctx_open(struct vfwd_ctx *c, enum ctx_access mode)
{
	bool mounted = false;
	int err;

	err = vfwd_check_privileges();
	if (err)
		return cli_err(
			c, err,
			"permission denied: vfwd needs root (CAP_BPF and CAP_NET_ADMIN); run it with sudo");

	err = vfwd_pin_dir_prepare(c->pin_dir, mode == CTX_CREATE, &mounted);
	if (mounted)
		cli_note(c, "bpffs was not mounted; mounted it at %s",
			 VFWD_PIN_ROOT);
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
	if (mode != CTX_READ) {
		char probe[PATH_MAX];
		bool exists;

		snprintf(probe, sizeof(probe), "%s/%s", c->pin_dir,
			 VFWD_MAP_MAC);
		exists = access(probe, F_OK) == 0;
		c->created = mode == CTX_CREATE && !exists;
		/* A changing command also adds the maps an older vfwd did
		 * not have (existing pins are reused as they are), so state
		 * made by an earlier version keeps working. */
		err = mode == CTX_CREATE || exists
			      ? vfwd_maps_create(c->pin_dir)
			      : 0;
		if (err)
			return cli_err(
				c, err,
				"maps under %s: cannot create or reuse them: %s (run with -v for details)",
				c->pin_dir, strerror(-err));
	}
	err = vfwd_tables_open(&c->t, c->pin_dir);
	if (err == -ENOENT)
		return cli_err(
			c, err,
			"no vfwd state at %s: nothing is set up yet (start with 'vfwd attach IFNAME' or 'vfwd port add')",
			c->pin_dir);
	if (err)
		return cli_err(c, err, "maps under %s: cannot open them: %s",
			       c->pin_dir, strerror(-err));
	c->tables_open = true;
	return 0;
}

void ctx_close(struct vfwd_ctx *c, bool failed)
{
	if (c->tables_open)
		vfwd_tables_close(&c->t);
	c->tables_open = false;
	/* A refused first command must not leave empty tables behind: the
	 * state is all or nothing from the very first command on.  The lock
	 * is still held, so nobody else has started using them. */
	if (failed && c->created)
		vfwd_tables_unpin(c->pin_dir);
	c->created = false;
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
