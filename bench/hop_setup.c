// SPDX-License-Identifier: GPL-2.0
/*
 * bench/cpumap_hop's set-up: a private namespace, vfwd and the sink
 * loaded, a CPUMAP entry (and so a cpumap kthread) for both CPUs, the
 * uplink, the port's tx and MAC entries; and the port's CPU set for each
 * variant.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "task_stat.h"
#include "cpumap_hop.h"

/* The cpumap kthread is "cpumap/<cpu>/map:<id>". */
#define CPUMAP_COMM_FMT "cpumap/%u/map:%u"
#define KTHREAD_NAME_LEN 64

/* Two veth pairs: "hopup" plays the uplink the frames come in on (its
 * peer "hopwire" only exists to bring it up); "hopport" is the steered
 * port, and its peer "hopsink" the sink. */
static const struct bench_links links = {
	.uplink = "hopup",
	.wire = "hopwire",
	.port = "hopport",
	.sink = "hopsink",
};

/*
 * Create the CPUMAP entry of cpu and find the kthread it started.  The
 * kthread's comm holds the map id but may be cut short, so another
 * process's cpumap kthread could match it: the one that was not there
 * before the entry is ours.  If that is not exactly one task, *kthread
 * is 0 and the kthread's CPU time is reported as unknown.
 */
static int add_cpu(struct hop_env *e, __u32 cpu, __u32 map_id, pid_t *kthread)
{
	struct bpf_cpumap_val v = {
		.qsize = VFWD_CPUMAP_QSIZE,
		.bpf_prog.fd = bpf_program__fd(e->vf->progs.vfwd_cpu),
	};
	char comm[KTHREAD_NAME_LEN];
	pid_t before[TASK_FIND_MAX];
	int nb;

	snprintf(comm, sizeof(comm), CPUMAP_COMM_FMT, cpu, map_id);
	nb = task_find(comm, before);
	if (bpf_map_update_elem(bpf_map__fd(e->vf->maps.vfwd_cpu_v4), &cpu, &v,
				BPF_ANY))
		return -errno;
	*kthread = task_started(comm, before, nb);
	if (!*kthread)
		fprintf(stderr,
			PROG
			": cannot tell CPU %u's cpumap kthread; its CPU time is not reported\n",
			cpu);
	return 0;
}

static int load(struct hop_env *e)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	int err;

	err = bench_vfwd_open(&e->vf, UPLINK_PORT);
	if (err)
		return err;
	e->hp = cpumap_hop_bpf__open();
	if (!e->hp)
		return -errno;
	/* One CPUMAP slot per possible CPU, as the loader does
	 * (loader/skel.c). */
	err = bpf_map__set_max_entries(e->vf->maps.vfwd_cpu_v4, e->host.ncpus);
	if (err)
		return err;
	err = vfwd_bpf__load(e->vf);
	if (err)
		return err;
	err = cpumap_hop_bpf__load(e->hp);
	if (err)
		return err;
	/* Both CPUs' entries exist for the whole run, like a host where
	 * ports steer to both; a variant only changes the port's CPU set,
	 * so no kthread is started or stopped between runs. */
	if (bpf_obj_get_info_by_fd(bpf_map__fd(e->vf->maps.vfwd_cpu_v4), &info,
				   &info_len))
		return -errno;
	err = add_cpu(e, GEN_CPU, info.id, &e->kthread[0]);
	if (!err)
		err = add_cpu(e, OTHER_CPU, info.id, &e->kthread[1]);
	if (err)
		return err;
	return bench_attach_sink(e->ix.sink, e->hp->progs.hop_sink);
}

/* The uplink, the port's tx entry and its MAC entry.  The port entry is
 * written for each variant (hop_set_variant). */
static int set_tables(struct hop_env *e)
{
	struct vfwd_mac_key k = {.vid = VFWD_VID_NONE};
	struct vfwd_mac_val val = {.port_id = HOP_PORT,
				   .flags = VFWD_MAC_STATIC};
	struct bpf_devmap_val dv = {.ifindex = e->ix.port, .bpf_prog.fd = -1};
	__u32 id = HOP_PORT;
	int err;

	err = bench_set_uplink(e->vf, UPLINK_PORT, e->ix.uplink, links.uplink);
	if (err)
		return err;
	memcpy(k.mac, bench_guest_mac, ETH_ALEN);
	if (bpf_map_update_elem(bpf_map__fd(e->vf->maps.vfwd_tx_v4), &id, &dv,
				BPF_ANY))
		return -errno;
	return bench_mac_put(e->vf, &k, &val);
}

int hop_setup(struct hop_env *e)
{
	int err = bench_netns(&links, &e->ix);

	if (!err)
		err = load(e);
	if (!err)
		err = set_tables(e);
	return err;
}

/* The port as the CLI leaves it for each variant: no CPU set, or
 * --cpus N with the default placement. */
int hop_set_variant(struct hop_env *e, enum variant v)
{
	struct vfwd_port p = {.kind = VFWD_PORT_VETH,
			      .ifindex = e->ix.port,
			      .uplink_id = UPLINK_PORT};
	__u32 id = HOP_PORT;

	snprintf(p.name, sizeof(p.name), "%s", links.port);
	if (v != V_DIRECT) {
		__u16 cpu = v == V_STEER_SAME ? GEN_CPU : OTHER_CPU;

		p.ncpus = 1;
		p.placement = VFWD_PLACE_SAME_CPU;
		p.cpu_source = VFWD_CPUSRC_CPUS;
		p.cpus[0] = cpu;
		p.vcpu_cpus[0] = cpu;
	}
	return bpf_map_update_elem(bpf_map__fd(e->vf->maps.vfwd_port_v4), &id,
				   &p, BPF_ANY)
		       ? -errno
		       : 0;
}
