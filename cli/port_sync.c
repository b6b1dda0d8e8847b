// SPDX-License-Identifier: GPL-2.0
/* vfwd port sync [NAME]: steer ports that follow a QEMU process to its
 * vCPUs' CPUs again. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* Whether a port's CPU set changed (not, say, its tap's queue count). */
static bool cpus_changed(const struct vfwd_port *a, const struct vfwd_port *b)
{
	return a->ncpus != b->ncpus ||
	       memcmp(a->cpus, b->cpus, sizeof(a->cpus)) ||
	       memcmp(a->vcpu_cpus, b->vcpu_cpus, sizeof(a->vcpu_cpus));
}

/* The ports port sync works on: those following a QEMU process, or the
 * one named.  Fills ids[] and returns how many, or -errno. */
static int sync_targets(struct vfwd_ctx *c, const char *name, __u32 *ids)
{
	struct vfwd_port p;
	int n = 0, id;

	if (name) {
		id = cli_port_lookup(c, name, &p);
		if (id < 0)
			return id;
		if (p.cpu_source != VFWD_CPUSRC_VM_PID)
			return cli_err(
				c, -EINVAL,
				"port '%s' does not follow a QEMU process; its CPUs came from %s (give it --vm-pid PID)",
				p.name, p.ncpus ? "--cpus" : "nowhere");
		ids[n++] = id;
		return n;
	}
	for (id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (!vfwd_port_get(&c->t, id, &p) && p.kind != VFWD_PORT_FREE &&
		    p.cpu_source == VFWD_CPUSRC_VM_PID)
			ids[n++] = id;
	return n;
}

/*
 * port sync [NAME]: read the vCPU pinning of each port's QEMU process
 * again (the guest was repinned) and steer to the new CPUs.  All ports
 * are read first and written only if every read worked, so a failure
 * changes nothing.
 */
int cli_port_sync(struct vfwd_ctx *c, int argc, char **argv)
{
	static struct vfwd_port old[VFWD_MAX_PORTS], next[VFWD_MAX_PORTS];
	__u32 counts[VFWD_MAX_PORTS], total, ids[VFWD_MAX_PORTS];
	struct cli_cpu_req r;
	char why[VFWD_ERRLEN];
	int n, err;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cli_err(c, -EINVAL, "usage: vfwd " CLI_PORT_SYNC_ARGS);
	err = ctx_open(c, CTX_WRITE);
	if (!err)
		err = cli_mac_counts(c, counts, &total);
	if (err)
		return err;
	n = sync_targets(c, argc == 2 ? argv[1] : NULL, ids);
	if (n < 0)
		return n;
	cli_cpu_req_init(&r);
	r.resync = true;
	r.is_set = true;
	for (int i = 0; i < n; i++) {
		err = vfwd_port_get(&c->t, ids[i], &old[i]);
		if (err)
			return cli_err(c, err, "port table: cannot read it: %s",
				       strerror(-err));
		next[i] = old[i];
		err = cli_port_cpus(c, &r, &next[i]);
		if (err)
			return err;
	}
	err = vfwd_ports_resteer(c->pin_dir, &c->t, ids, old, next, n, why,
				 sizeof(why));
	if (err)
		return cli_err(c, err, "port sync: %s", why);
	if (c->json)
		json_arr_open(&c->j);
	for (int i = 0; i < n; i++) {
		char text[CLI_CPUS_TEXT_LEN];

		if (c->json) {
			cli_port_json(c, ids[i], &next[i], counts[ids[i]]);
			continue;
		}
		cli_port_cpus_text(&next[i], text, sizeof(text));
		printf("%s port %s: CPUs %s\n",
		       cpus_changed(&old[i], &next[i]) ? "updated"
						       : "unchanged",
		       next[i].name, text);
	}
	if (c->json) {
		json_arr_close(&c->j);
		json_end(&c->j);
	} else if (!n) {
		printf("no port follows a QEMU process (--vm-pid)\n");
	}
	return 0;
}
