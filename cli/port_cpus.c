// SPDX-License-Identifier: GPL-2.0
/*
 * A port's CPU set: --cpus LIST or --vm-pid PID, --placement and --rps,
 * checked and turned into the port entry's cpus[], and shown by port list
 * and status.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "vfwd_cpus.h"

/* Where CPU topology and QEMU's threads are read from. */
#define SYSFS_ROOT "/sys"
#define PROC_ROOT "/proc"
/* Longest message the CPU helpers write. */
#define CPU_MSG_LEN 256
/* --vm-pid takes what a pid_t holds.  The kernel's own bound (pid_max,
 * at most 2^22) is left to the lookup, whose "no process with PID N" says
 * more than a range would. */
#define VM_PID_MAX ((__u32)INT32_MAX)

static const char *const placement_names[] = {
	[VFWD_PLACE_OFF] = "off",
	[VFWD_PLACE_SAME_CPU] = "same-cpu",
	[VFWD_PLACE_SAME_NODE] = "same-node",
};
#define N_PLACEMENTS (sizeof(placement_names) / sizeof(placement_names[0]))

const char *cli_placement_str(__u8 placement)
{
	return placement < N_PLACEMENTS ? placement_names[placement] : "?";
}

const char *cli_cpu_source_str(__u8 source)
{
	switch (source) {
	case VFWD_CPUSRC_CPUS:
		return "cpus";
	case VFWD_CPUSRC_VM_PID:
		return "vm-pid";
	default:
		return "none";
	}
}

void cli_cpu_req_init(struct cli_cpu_req *r)
{
	memset(r, 0, sizeof(*r));
	r->placement = -1;
	r->rps = -1;
}

bool cli_cpu_req_any(const struct cli_cpu_req *r)
{
	return r->cpus || r->vm_pid || r->placement >= 0 || r->rps >= 0;
}

int cli_cpu_opt(struct vfwd_ctx *c, int opt, const char *arg,
		struct cli_cpu_req *r)
{
	__u32 v;

	switch (opt) {
	case CLI_OPT_CPUS:
		r->cpus = arg;
		return 0;
	case CLI_OPT_VM_PID:
		if (vfwd_parse_u32(arg, 1, VM_PID_MAX, &v))
			return cli_err(
				c, -EINVAL,
				"invalid --vm-pid '%s': use a process id from 1 to %u, " CLI_DECIMAL,
				arg, VM_PID_MAX);
		r->vm_pid = v;
		return 0;
	case CLI_OPT_PLACEMENT:
		for (size_t i = 0; i < N_PLACEMENTS; i++)
			if (strcmp(arg, placement_names[i]) == 0) {
				r->placement = i;
				return 0;
			}
		return cli_err(
			c, -EINVAL,
			"invalid --placement '%s': use same-cpu, same-node or off",
			arg);
	case CLI_OPT_RPS:
	case CLI_OPT_NO_RPS:
		/* One setting, two spellings: the last must not win. */
		if (r->rps >= 0)
			return cli_err(
				c, -EINVAL,
				"options --rps and --no-rps contradict each other; give one");
		r->rps = opt == CLI_OPT_RPS;
		return 0;
	}
	return -ENOENT;
}

/* The CPU vCPU v runs on: its only allowed CPU when pinned, else the
 * lowest online one it may use, with a warning that steering cannot
 * follow a vCPU the scheduler moves. */
static int vcpu_cpu(struct vfwd_ctx *c, const char *port, pid_t pid,
		    const struct vfwd_vcpu *v, const struct vfwd_cpuset *online)
{
	char list[VFWD_CPULIST_MAX];
	int cpu;

	if (vfwd_cpuset_count(&v->allowed) == 1)
		return vfwd_cpuset_first(&v->allowed);
	for (cpu = vfwd_cpuset_first(&v->allowed); cpu >= 0;
	     cpu = vfwd_cpuset_next(&v->allowed, cpu))
		if (vfwd_cpuset_has(online, cpu))
			break;
	if (cpu < 0)
		return cli_err(
			c, -ENXIO,
			"port '%s': vCPU %u (thread %d) of QEMU process %d may run on no online CPU",
			port, v->index, v->tid, pid);
	if (vfwd_cpuset_format(&v->allowed, list, sizeof(list)))
		snprintf(list, sizeof(list), "many");
	cli_warn(
		c,
		"port '%s': vCPU %u (thread %d) of QEMU process %d is not pinned (it may run on CPUs %s); its frames go to CPU %d. Pin each vCPU to one CPU (virsh vcpupin, or taskset -pc CPU TID) and run 'vfwd port sync %s' so the frames follow it",
		port, v->index, v->tid, pid, list, cpu, port);
	return cpu;
}

/* Read vCPU i's CPU for i < *n from QEMU process pid into cpus[]. */
static int read_vm(struct vfwd_ctx *c, const char *port, pid_t pid, __u16 *cpus,
		   unsigned int *n)
{
	static struct vfwd_vcpu vcpus[VFWD_MAX_VCPUS];
	struct vfwd_cpuset online;
	char msg[CPU_MSG_LEN];
	int err, cpu;

	err = vfwd_vm_vcpus(PROC_ROOT, pid, vcpus, VFWD_MAX_VCPUS, n, msg,
			    sizeof(msg));
	if (err)
		return cli_err(c, err, "port '%s': --vm-pid: %s", port, msg);
	err = vfwd_cpus_online(SYSFS_ROOT, &online);
	if (err)
		return cli_err(
			c, err,
			"port '%s': --vm-pid: cannot read the host's online CPUs from /sys/devices/system/cpu/online: %s",
			port, strerror(-err));
	for (unsigned int i = 0; i < *n; i++) {
		cpu = vcpu_cpu(c, port, pid, &vcpus[i], &online);
		if (cpu < 0)
			return cpu;
		cpus[i] = cpu;
	}
	if (*n == VFWD_MAX_VCPUS)
		cli_note(
			c,
			"port '%s': vfwd steers over the first %d vCPUs of a guest",
			port, VFWD_MAX_VCPUS);
	return 0;
}

static unsigned int distinct_cpus(const __u16 *cpus, unsigned int n)
{
	struct vfwd_cpuset s;

	vfwd_cpuset_zero(&s);
	for (unsigned int i = 0; i < n; i++)
		vfwd_cpuset_add(&s, cpus[i]);
	return vfwd_cpuset_count(&s);
}

/* The CPU set from --cpus / --vm-pid / port sync into next. */
static int take_source(struct vfwd_ctx *c, const struct cli_cpu_req *r,
		       struct vfwd_port *next)
{
	unsigned int n = 0;
	int err;

	if (r->cpus && strcmp(r->cpus, "none") == 0) {
		next->cpu_source = VFWD_CPUSRC_NONE;
		next->vm_pid = 0;
		next->ncpus = 0;
		next->flags &= ~VFWD_PORT_F_RPS;
		return 0;
	}
	if (r->cpus) {
		err = vfwd_cpulist_parse(r->cpus, next->vcpu_cpus,
					 VFWD_MAX_VCPUS, &n);
		if (err == -E2BIG)
			return cli_err(c, err, "--cpus '%s': more than %d CPUs",
				       r->cpus, VFWD_MAX_VCPUS);
		if (err)
			return cli_err(
				c, err,
				"invalid --cpus '%s': list CPU ids in vCPU order, each once and " CLI_DECIMAL
				", e.g. 2,3 or 4-7%s",
				r->cpus, r->is_set ? ", or none" : "");
		next->cpu_source = VFWD_CPUSRC_CPUS;
		next->vm_pid = 0;
	} else if (r->vm_pid || r->resync) {
		pid_t pid = r->vm_pid ? r->vm_pid : next->vm_pid;

		err = read_vm(c, next->name, pid, next->vcpu_cpus, &n);
		if (err)
			return err;
		next->cpu_source = VFWD_CPUSRC_VM_PID;
		next->vm_pid = pid;
	} else {
		return 0;
	}
	/* A port that had no CPUs gets the default placement. */
	if (!next->ncpus)
		next->placement = VFWD_PLACE_SAME_CPU;
	next->ncpus = n;
	return 0;
}

/* Tell the operator when a multiqueue guest cannot get one queue per CPU
 * (tun picks the queue as CPU % attached queues). */
static void check_queues(struct vfwd_ctx *c, struct vfwd_port *next)
{
	unsigned int used;
	bool multi;
	__u32 q;

	next->nqueues = 0;
	if (next->kind != VFWD_PORT_TAP ||
	    vfwd_dev_tap_queues(next->ifindex, &q, &multi))
		return;
	next->nqueues = q;
	if (!(next->flags & VFWD_PORT_F_RPS))
		return;
	used = distinct_cpus(next->cpus, next->ncpus);
	if (!q)
		cli_note(
			c,
			"port '%s': its tap has no reader yet, so the queue each CPU's frames land in is not known; QEMU's queues=N sets it",
			next->name);
	else if (q < used)
		cli_warn(
			c,
			"port '%s': its tap has %u queue%s with a reader but --rps spreads over %u CPUs; frames from CPU n land in queue n %% %u, so several CPUs share a queue and the guest takes their interrupts on fewer vCPUs. Give QEMU -netdev tap,queues=%u and -device virtio-net-pci,mq=on,vectors=%u",
			next->name, q, q == 1 ? "" : "s", used, q, used,
			2 * used + 2);
}

int cli_port_cpus(struct vfwd_ctx *c, const struct cli_cpu_req *r,
		  struct vfwd_port *next)
{
	char msg[CPU_MSG_LEN];
	struct vfwd_port up;
	int err;

	if (r->cpus && r->vm_pid)
		return cli_err(
			c, -EINVAL,
			"port '%s': --cpus and --vm-pid both give the CPU set; use one",
			next->name);
	err = take_source(c, r, next);
	if (err)
		return err;
	if (r->placement >= 0)
		next->placement = r->placement;
	if (r->rps == 1)
		next->flags |= VFWD_PORT_F_RPS;
	else if (r->rps == 0)
		next->flags &= ~VFWD_PORT_F_RPS;

	if (!next->ncpus) {
		if (r->placement >= 0 || r->rps == 1)
			return cli_err(
				c, -EINVAL,
				"port '%s': --placement and --rps need a CPU set: give --cpus LIST or --vm-pid PID",
				next->name);
		return 0;
	}
	err = vfwd_cpus_check(SYSFS_ROOT, next->vcpu_cpus, next->ncpus, msg,
			      sizeof(msg));
	if (err)
		return cli_err(c, err, "port '%s': %s", next->name, msg);
	err = vfwd_place(SYSFS_ROOT, next->placement, next->vcpu_cpus,
			 next->ncpus, next->cpus, msg, sizeof(msg));
	if (err)
		return cli_err(c, err, "port '%s': placement %s: %s",
			       next->name, cli_placement_str(next->placement),
			       msg);
	if (next->flags & VFWD_PORT_F_RPS) {
		if (next->placement == VFWD_PLACE_OFF)
			return cli_err(
				c, -EINVAL,
				"port '%s': --rps spreads frames over the port's CPUs, but --placement off does not steer them; choose same-cpu or same-node",
				next->name);
		if (distinct_cpus(next->cpus, next->ncpus) < 2)
			return cli_err(
				c, -EINVAL,
				"port '%s': --rps needs at least two CPUs to spread flows over, and this port's frames all go to CPU %u; give more CPUs or drop --rps",
				next->name, next->cpus[0]);
	}
	check_queues(c, next);
	if (vfwd_port_steer_ncpus(next) && cli_port_uplink(c, next, &up) &&
	    up.xdp_mode == VFWD_XDP_MODE_SKB)
		cli_warn(c, "%s", cli_generic_cpus_msg(next, up.name));
	return 0;
}

const char *cli_generic_cpus_msg(const struct vfwd_port *p, const char *uplink)
{
	static char msg[CPU_MSG_LEN * 2];

	snprintf(
		msg, sizeof(msg),
		"port '%s': its uplink %s runs in skb (generic XDP) mode, which cannot steer frames to CPUs; they are delivered on the CPU that received them. Attach %s in native mode for CPU steering",
		p->name, uplink, uplink);
	return msg;
}

/* "1,0" for the first n of cpus. */
/* NUMA nodes of the port's CPUs as a set. */
static void port_nodes(const struct vfwd_port *p, struct vfwd_cpuset *nodes)
{
	int node;

	vfwd_cpuset_zero(nodes);
	for (unsigned int i = 0; i < p->ncpus && i < VFWD_MAX_VCPUS; i++) {
		node = vfwd_cpu_node(SYSFS_ROOT, p->cpus[i]);
		if (node >= 0)
			vfwd_cpuset_add(nodes, node);
	}
}

void cli_port_cpus_json(struct vfwd_ctx *c, const struct vfwd_port *p)
{
	struct vfwd_cpuset nodes;
	struct json *j = &c->j;
	unsigned int n = p->ncpus < VFWD_MAX_VCPUS ? p->ncpus : VFWD_MAX_VCPUS;

	json_key(j, "cpus");
	json_arr_open(j);
	for (unsigned int i = 0; i < n; i++)
		json_u64(j, p->cpus[i]);
	json_arr_close(j);
	json_key(j, "vcpu_cpus");
	json_arr_open(j);
	for (unsigned int i = 0; i < n; i++)
		json_u64(j, p->vcpu_cpus[i]);
	json_arr_close(j);
	json_kv_str(j, "cpu_source", cli_cpu_source_str(p->cpu_source));
	json_key(j, "vm_pid");
	if (p->cpu_source == VFWD_CPUSRC_VM_PID)
		json_u64(j, p->vm_pid);
	else
		json_null(j);
	json_kv_str(j, "placement",
		    n ? cli_placement_str(p->placement) : "off");
	json_kv_bool(j, "rps", p->flags & VFWD_PORT_F_RPS);
	json_key(j, "numa_nodes");
	json_arr_open(j);
	port_nodes(p, &nodes);
	for (int i = vfwd_cpuset_first(&nodes); i >= 0;
	     i = vfwd_cpuset_next(&nodes, i))
		json_u64(j, i);
	json_arr_close(j);
	json_kv_u64(j, "tap_queues", p->nqueues);
}

void cli_port_cpus_text(const struct vfwd_port *p, char *buf, size_t len)
{
	char cpus[CLI_CPUS_TEXT_LEN], nodes_s[CLI_CPUS_TEXT_LEN];
	struct vfwd_cpuset nodes;
	unsigned int n = p->ncpus < VFWD_MAX_VCPUS ? p->ncpus : VFWD_MAX_VCPUS;

	if (!n) {
		snprintf(buf, len, "-");
		return;
	}
	vfwd_cpulist_format(p->cpus, n, cpus, sizeof(cpus));
	port_nodes(p, &nodes);
	if (vfwd_cpuset_format(&nodes, nodes_s, sizeof(nodes_s)))
		snprintf(nodes_s, sizeof(nodes_s), "?");
	if (p->cpu_source == VFWD_CPUSRC_VM_PID)
		snprintf(buf, len, "%s (vm-pid %u, %s%s, node %s)", cpus,
			 p->vm_pid, cli_placement_str(p->placement),
			 p->flags & VFWD_PORT_F_RPS ? ", rps" : "", nodes_s);
	else
		snprintf(buf, len, "%s (%s, %s%s, node %s)", cpus,
			 cli_cpu_source_str(p->cpu_source),
			 cli_placement_str(p->placement),
			 p->flags & VFWD_PORT_F_RPS ? ", rps" : "", nodes_s);
}
