// SPDX-License-Identifier: GPL-2.0
/*
 * CPUMAP entries: one per CPU that some port steers frames to, each with
 * the vfwd_cpu program and a queue of VFWD_CPUMAP_QSIZE frames.  Every
 * entry costs a kthread on its CPU, so CPUs no port uses have none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "vfwd_loader.h"
#include "skel.h"

/* The CPUs port p's frames may finish on (vfwd_port_steer_ncpus). */
static void port_cpus_used(const struct vfwd_port *p, bool *used, int ncpus)
{
	__u32 n = p->kind == VFWD_PORT_FREE ? 0 : vfwd_port_steer_ncpus(p);

	for (__u32 i = 0; i < n; i++)
		if (p->cpus[i] < ncpus)
			used[p->cpus[i]] = true;
}

static int cpus_in_use(const struct vfwd_tables *t, bool *used, int ncpus)
{
	struct vfwd_port p;
	int err;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		err = vfwd_port_get(t, id, &p);
		if (err)
			return err;
		port_cpus_used(&p, used, ncpus);
	}
	return 0;
}

/* A vfwd_cpu instance bound to the pinned maps; the caller destroys the
 * skeleton once the CPUMAP holds the program. */
static struct vfwd_bpf *load_cpu_prog(const char *pin_dir, char *errbuf,
				      size_t errlen)
{
	struct vfwd_bpf *skel;
	int err;

	skel = vfwd_skel_open_msg(pin_dir, &err, errbuf, errlen);
	if (!skel)
		return NULL;
	bpf_program__set_autoload(skel->progs.vfwd_cpu, true);
	err = vfwd_skel_load_msg(skel, pin_dir, "the CPU program (vfwd_cpu)",
				 errbuf, errlen);
	if (err) {
		vfwd_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

static int sync_cpu(const char *pin_dir, const struct vfwd_tables *t, __u32 cpu,
		    bool used, bool refresh, struct vfwd_bpf **skel,
		    char *errbuf, size_t errlen)
{
	__u32 qsize, prog_id;
	bool have;
	int err;

	err = vfwd_cpumap_get(t, cpu, &qsize, &prog_id);
	if (err && err != -ENOENT) {
		snprintf(errbuf, errlen,
			 "cannot read CPU %u's CPUMAP entry: %s", cpu,
			 strerror(-err));
		return err;
	}
	have = !err;
	if (!used) {
		err = have ? vfwd_cpumap_del(t, cpu) : 0;
		if (err)
			snprintf(errbuf, errlen,
				 "cannot remove CPU %u's CPUMAP entry: %s", cpu,
				 strerror(-err));
		return err;
	}
	if (have && !refresh && qsize == VFWD_CPUMAP_QSIZE && prog_id)
		return 0;
	if (!*skel) {
		*skel = load_cpu_prog(pin_dir, errbuf, errlen);
		if (!*skel)
			return -errno;
	}
	/* The kernel starts the CPU's kthread here (or replaces it; the old
	 * one drains its queue before it stops). */
	err = vfwd_cpumap_set(t, cpu, VFWD_CPUMAP_QSIZE,
			      bpf_program__fd((*skel)->progs.vfwd_cpu));
	if (err)
		snprintf(errbuf, errlen,
			 "cannot create CPU %u's CPUMAP entry: %s", cpu,
			 strerror(-err));
	return err;
}

int vfwd_cpumap_sync(const char *pin_dir, const struct vfwd_tables *t,
		     const __u16 *extra, unsigned int nextra, bool refresh,
		     char *errbuf, size_t errlen)
{
	struct vfwd_bpf *skel = NULL;
	int ncpus = libbpf_num_possible_cpus(), err;
	bool *used;

	if (ncpus < 0) {
		snprintf(errbuf, errlen, "cannot count the host's CPUs: %s",
			 strerror(-ncpus));
		return ncpus;
	}
	used = calloc(ncpus, sizeof(*used));
	if (!used) {
		snprintf(errbuf, errlen, "cannot track %d CPUs: out of memory",
			 ncpus);
		return -ENOMEM;
	}
	err = cpus_in_use(t, used, ncpus);
	if (err)
		snprintf(errbuf, errlen, "cannot read the port table: %s",
			 strerror(-err));
	for (unsigned int i = 0; !err && i < nextra; i++)
		if (extra[i] < ncpus)
			used[extra[i]] = true;
	for (int cpu = 0; !err && cpu < ncpus; cpu++)
		err = sync_cpu(pin_dir, t, cpu, used[cpu], refresh, &skel,
			       errbuf, errlen);
	vfwd_bpf__destroy(skel);
	free(used);
	return err;
}
