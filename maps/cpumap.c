// SPDX-License-Identifier: GPL-2.0
/* Typed access to the CPU map (CPUMAP): CPU id -> {qsize, program}. */
#include <errno.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

int vfwd_cpumap_get(const struct vfwd_tables *t, __u32 cpu, __u32 *qsize,
		    __u32 *prog_id)
{
	struct bpf_cpumap_val v = {};

	/* The kernel reports the program by id on lookup. */
	if (bpf_map_lookup_elem(t->cpu_fd, &cpu, &v))
		return -errno;
	*qsize = v.qsize;
	*prog_id = v.bpf_prog.id;
	return 0;
}

int vfwd_cpumap_set(const struct vfwd_tables *t, __u32 cpu, __u32 qsize,
		    int prog_fd)
{
	struct bpf_cpumap_val v = {.qsize = qsize, .bpf_prog.fd = prog_fd};

	return bpf_map_update_elem(t->cpu_fd, &cpu, &v, BPF_ANY) ? -errno : 0;
}

int vfwd_cpumap_del(const struct vfwd_tables *t, __u32 cpu)
{
	if (bpf_map_delete_elem(t->cpu_fd, &cpu))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}
