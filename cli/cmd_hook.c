// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd libvirt-hook: libvirt's qemu hook (docs/integration.md, "libvirt").
 * libvirt runs every executable in /etc/libvirt/hooks/qemu.d/ with
 * "DOMAIN OP SUBOP EXTRA" and the domain XML on standard input; make
 * install puts a symlink to vfwd there, and main() sends a vfwd run by
 * that name here.  The hook reads which interfaces are vfwd's
 * (lib/libvirt_ports.c) and hands them to the apply engine: merged in
 * when the guest starts, removed when it stops.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "vfwd_cpus.h"
#include "config.h"
#include "libvirt_xml.h"

#define HOOK_USAGE                                                             \
	"libvirt-hook [--config FILE] [--run-dir DIR] DOMAIN OP SUBOP [EXTRA]"
/* Where the host's configuration is, as vfwd.service applies it. */
#define HOOK_CONFIG "/etc/vfwd/vfwd.yaml"
/* Where libvirt's QEMU driver keeps DOMAIN.pid (its runstatedir). */
#define HOOK_RUN_DIR "/run/libvirt/qemu"
/* A domain XML is a few kilobytes; a runaway input is refused. */
#define HOOK_XML_MAX (16U << 20)
#define HOOK_XML_CHUNK 65536
/* A pid file holds a decimal pid and a newline. */
#define PID_TEXT_LEN 32

/* What the hook does for each operation libvirt runs it with. */
enum hook_action {
	HOOK_IGNORE, /* everything else: exit 0, touch nothing */
	HOOK_CHECK, /* prepare: validate (a failure stops the start) */
	HOOK_REGISTER, /* started: register (a failure stops the guest) */
	HOOK_REREGISTER, /* reconnect: register again, never fail */
	HOOK_REMOVE, /* stopped, release: remove, never fail */
};

static const struct {
	const char *op;
	enum hook_action action;
} hook_ops[] = {
	{"prepare", HOOK_CHECK},	{"started", HOOK_REGISTER},
	{"reconnect", HOOK_REREGISTER}, {"stopped", HOOK_REMOVE},
	{"release", HOOK_REMOVE},
};

struct hook {
	struct vfwd_ctx *c;
	const char *domain;
	const char *op;
	const char *config;
	const char *run_dir;
	enum hook_action action;
};

static void hook_log(const struct hook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hook_log(const struct hook *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vfwd: libvirt-hook: domain '%s' %s: ", h->domain,
		h->op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A failure: at prepare and started it fails the hook, and libvirt then
 * refuses or stops the guest; elsewhere it is only logged, because a
 * failing reconnect hook makes libvirt kill a running guest and nothing
 * good comes of failing a stop. */
static int hook_fail(const struct hook *h, int err, const char *what,
		     const char *why)
{
	bool fatal = h->action == HOOK_CHECK || h->action == HOOK_REGISTER;

	hook_log(h, "%s: %s%s", what, why, fatal ? "" : " (ignored)");
	return fatal ? err : 0;
}

static void hook_note(void *arg, const char *msg)
{
	hook_log(arg, "%s", msg);
}

static int read_stdin(char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	ssize_t r;

	for (;;) {
		if (cap - n < HOOK_XML_CHUNK) {
			char *nb;

			if (cap >= HOOK_XML_MAX) {
				free(buf);
				return -EFBIG;
			}
			cap += HOOK_XML_CHUNK;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* QEMU's pid, from the pid file libvirt writes before `started`. */
static int read_vm_pid(const struct hook *h, __u32 *pid)
{
	char path[PATH_MAX], text[PID_TEXT_LEN], why[VFWD_ERRLEN + PATH_MAX];
	int n, err;

	n = snprintf(path, sizeof(path), "%s/%s.pid", h->run_dir, h->domain);
	if (n < 0 || (size_t)n >= sizeof(path))
		return hook_fail(h, -ENAMETOOLONG, "QEMU's pid file",
				 "the path is too long");
	err = vfwd_read_text(path, text, sizeof(text));
	if (!err) {
		text[strcspn(text, "\n")] = '\0';
		err = vfwd_parse_u32(text, 1, INT32_MAX, pid);
	}
	if (err) {
		snprintf(
			why, sizeof(why),
			"cannot read a pid from %s: %s (the port's CPUs cannot follow the guest)",
			path, strerror(-err));
		return hook_fail(h, err, "QEMU's pid", why);
	}
	return 0;
}

/* The host's configuration: *cfg stays empty (metadata only) when the
 * file does not exist. */
static int read_config(const struct hook *h, struct vfwd_config *cfg)
{
	char why[VFWD_ERRLEN];
	int err;

	memset(cfg, 0, sizeof(*cfg));
	if (access(h->config, F_OK) && errno == ENOENT)
		return 0;
	err = vfwd_config_read(h->config, cfg, why, sizeof(why));
	if (err)
		return hook_fail(h, err, "configuration", why);
	return 0;
}

static bool has_candidate(const struct vfwd_lv_domain *d)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (vfwd_lv_candidate(&d->ifaces[i]))
			return true;
	return false;
}

static void log_ports(const struct hook *h, const char *what,
		      const struct vfwd_config *want)
{
	char list[VFWD_ERRLEN] = "";
	size_t off = 0;

	for (size_t k = 0; k < want->n_ports && off < sizeof(list); k++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					k ? ", " : "", want->ports[k].name);
	hook_log(h, "%s %zu port%s: %s", what, want->n_ports,
		 want->n_ports == 1 ? "" : "s", list);
}

static int map(const struct hook *h, const struct vfwd_lv_domain *d,
	       struct vfwd_lv_map_opts *o, struct vfwd_config *want)
{
	char why[VFWD_ERRLEN];
	int err;

	o->note = hook_note;
	o->note_arg = (void *)h;
	err = vfwd_lv_map(d, o, want, why, sizeof(why));
	if (err)
		return hook_fail(h, err, "interfaces", why);
	return 0;
}

/* prepare: check everything, register nothing but the vhost-user ports
 * whose socket vfwd-vhost must serve before QEMU connects to it. */
static int hook_check(struct hook *h, const struct vfwd_lv_domain *d,
		      const struct vfwd_config *cfg, const char *what)
{
	struct vfwd_lv_map_opts o = {.purpose = VFWD_LV_CHECK, .cfg = cfg};
	struct vfwd_config want;
	int err;

	err = map(h, d, &o, &want);
	if (err || !want.n_ports)
		return err;
	vfwd_config_free(&want);
	o.purpose = VFWD_LV_REGISTER_EARLY;
	err = map(h, d, &o, &want);
	if (!err && want.n_ports) {
		log_ports(h, "registering vhost-user server", &want);
		err = cli_apply(h->c, &want, what, CLI_APPLY_MERGE);
		if (err)
			err = hook_fail(h, err, "registration", "see above");
	}
	vfwd_config_free(&want);
	return err;
}

static int hook_register(struct hook *h, const struct vfwd_lv_domain *d,
			 const struct vfwd_config *cfg, const char *what)
{
	struct vfwd_lv_map_opts o = {.purpose = VFWD_LV_REGISTER, .cfg = cfg};
	struct vfwd_config want;
	int err;

	err = read_vm_pid(h, &o.vm_pid);
	if (err)
		return err;
	err = map(h, d, &o, &want);
	if (err || !want.n_ports)
		return err;
	log_ports(h, "registering", &want);
	err = cli_apply(h->c, &want, what, CLI_APPLY_MERGE);
	if (err)
		err = hook_fail(h, err, "registration", "see above");
	vfwd_config_free(&want);
	return err;
}

static int hook_remove(struct hook *h, const struct vfwd_lv_domain *d,
		       const struct vfwd_config *cfg, const char *what)
{
	struct vfwd_lv_map_opts o = {.purpose = VFWD_LV_REMOVE, .cfg = cfg};
	struct vfwd_config want;
	int present = 0, err;

	/* No state, nothing registered: stay silent and change nothing. */
	vfwd_tables_pins(h->c->pin_dir, &present);
	if (!present)
		return 0;
	err = ctx_open(h->c, CTX_READ);
	if (err)
		return 0;
	o.t = &h->c->t;
	err = map(h, d, &o, &want);
	ctx_close(h->c, false);
	if (err || !want.n_ports)
		return 0;
	log_ports(h, "removing", &want);
	if (cli_apply(h->c, &want, what, CLI_APPLY_REMOVE))
		hook_log(h, "removal: failed (ignored; see above)");
	vfwd_config_free(&want);
	return 0;
}

static int hook_run(struct hook *h)
{
	struct vfwd_config cfg;
	struct vfwd_lv_domain d;
	char why[VFWD_ERRLEN], what[VFWD_ERRLEN];
	size_t len = 0;
	char *xml = NULL;
	int err;

	/* Read even for an operation vfwd ignores, so that libvirt never
	 * writes the XML into a closed pipe. */
	err = read_stdin(&xml, &len);
	if (err)
		return hook_fail(h, err, "domain XML on standard input",
				 strerror(-err));
	/* Any other operation (start, migrate, restore, attach, ...) is no
	 * business of vfwd's. */
	if (h->action == HOOK_IGNORE) {
		free(xml);
		return 0;
	}
	err = vfwd_lv_parse(xml, len, &d, why, sizeof(why));
	free(xml);
	if (err)
		return hook_fail(h, err, "domain XML", why);
	/* A domain with no interface vfwd could serve and no vfwd metadata
	 * is none of its business: not even a broken configuration stops
	 * it. */
	if (!has_candidate(&d) && !d.n_meta) {
		vfwd_lv_free(&d);
		return 0;
	}
	err = read_config(h, &cfg);
	if (err) {
		vfwd_lv_free(&d);
		return err;
	}
	/* How apply's messages name where a port came from. */
	snprintf(what, sizeof(what), "libvirt domain '%s'", d.name);
	switch (h->action) {
	case HOOK_CHECK:
		err = hook_check(h, &d, &cfg, what);
		break;
	case HOOK_REGISTER:
	case HOOK_REREGISTER:
		err = hook_register(h, &d, &cfg, what);
		break;
	case HOOK_REMOVE:
		err = hook_remove(h, &d, &cfg, what);
		break;
	case HOOK_IGNORE:
		break;
	}
	vfwd_config_free(&cfg);
	vfwd_lv_free(&d);
	return err;
}

int cli_libvirt_hook(struct vfwd_ctx *c, int argc, char **argv, bool options)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"run-dir", required_argument, NULL, 'r'},
		{NULL},
	};
	struct cli_getopt g = {.opts = opts,
			       .usage = "usage: vfwd " HOOK_USAGE};
	struct hook h = {
		.c = c, .config = HOOK_CONFIG, .run_dir = HOOK_RUN_DIR};
	int opt, first = 1;

	/* libvirt reads a hook's standard output as a replacement domain
	 * XML for some operations (migrate, restore, save): everything the
	 * hook and the apply engine print goes to standard error. */
	fflush(stdout);
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return cli_err(c, -errno,
			       "libvirt-hook: cannot redirect output: %s",
			       strerror(errno));
	if (options) {
		while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
			if (opt == 'c')
				h.config = optarg;
			else
				h.run_dir = optarg;
		}
		if (opt < 0)
			return opt;
		first = optind;
	}
	/* libvirt passes DOMAIN OP SUBOP EXTRA ("-" when it has none). */
	if (argc - first < 3 || argc - first > 4)
		return cli_err(c, -EINVAL, "usage: vfwd " HOOK_USAGE);
	h.domain = argv[first];
	h.op = argv[first + 1];
	if (!h.domain[0] || strchr(h.domain, '/'))
		return cli_err(c, -EINVAL,
			       "libvirt-hook: invalid domain name '%s'",
			       h.domain);
	h.action = HOOK_IGNORE;
	for (size_t k = 0; k < sizeof(hook_ops) / sizeof(hook_ops[0]); k++)
		if (!strcmp(h.op, hook_ops[k].op))
			h.action = hook_ops[k].action;
	return hook_run(&h);
}

int cmd_libvirt_hook(struct vfwd_ctx *c, int argc, char **argv)
{
	return cli_libvirt_hook(c, argc, argv, true);
}
