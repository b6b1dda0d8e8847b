/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU steering in vfwd_uplink: a port with a CPU set gets its frames
 * finished on one of its CPUs instead of the CPU that took the NIC's
 * interrupt.  The frame goes through the CPUMAP to that CPU's kthread,
 * where vfwd_cpu (vfwd_cpu.bpf.h) redirects it into the port's device.
 * tun's ndo_xdp_xmit picks the tap queue as smp_processor_id() % queues,
 * so the CPU chosen here also chooses the guest queue.
 */
#ifndef VFWD_STEER_BPF_H
#define VFWD_STEER_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_flow.bpf.h"
#include "vfwd_cfg.bpf.h"

/* Whether frames for port p are steered to one of its CPUs. */
static __always_inline bool vfwd_port_steers(const struct vfwd_port *p)
{
	return !cfg_generic && p && p->ncpus && p->placement != VFWD_PLACE_OFF;
}

/* Which of p's CPUs: without --rps always the first (vCPU 0's), so a
 * single-queue guest sees its flows in order and on one CPU; with --rps
 * the flow hash picks one, and a flow always picks the same. */
static __always_inline __u32 vfwd_steer_index(const struct vfwd_port *p,
					      __u32 hash)
{
	if (!(p->flags & VFWD_PORT_F_RPS))
		return 0;
	return vfwd_flow_pick(hash, p->ncpus);
}

/*
 * Send the frame to CPU slot idx of port p through the CPUMAP, with the
 * port id in the metadata.  Returns XDP_REDIRECT, or -1 when the caller
 * should deliver it directly: the frame is already on that CPU, or could
 * not be steered (no metadata room, or no CPUMAP entry for the CPU).  A
 * frame is never lost because steering is unavailable.
 */
static __always_inline int vfwd_steer(struct xdp_md *ctx,
				      const struct vfwd_port *p, __u32 port_id,
				      __u32 idx)
{
	struct vfwd_cpu_meta *m;
	__u32 cpu;

	/* ncpus is at most VFWD_MAX_VCPUS, but the verifier does not know
	 * what the CLI wrote.  The empty asm makes idx opaque to clang:
	 * otherwise it may fold this check into the hash arithmetic as a
	 * mask on the 64-bit product, which the verifier cannot follow to
	 * the array index (seen after small unrelated edits). */
	asm volatile("" : "+r"(idx));
	if (idx >= VFWD_MAX_VCPUS)
		return -1;
	cpu = p->cpus[idx];
	/* Already there: the hop would only queue the frame for this CPU's
	 * own cpumap kthread, to be delivered on this CPU into the same tap
	 * queue.  Measured (bench/cpumap_hop): that costs ~300 ns of CPU per
	 * frame and cut the rate to 0.3x of a direct redirect. */
	if (cpu == bpf_get_smp_processor_id())
		return -1;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return -1;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return -1;
	m->port_id = port_id;
	m->uplink_id = cfg_uplink_port;
	m->cpu = cpu;
	m->magic = VFWD_CPU_META_MAGIC;
	if (bpf_redirect_map(&vfwd_cpu_v2, cpu, 0) == XDP_REDIRECT)
		return XDP_REDIRECT;
	/* Delivered directly after all: take the metadata off again so the
	 * frame leaves exactly as a port without CPUs would send it. */
	bpf_xdp_adjust_meta(ctx, (int)sizeof(*m));
	return -1;
}

#endif /* VFWD_STEER_BPF_H */
