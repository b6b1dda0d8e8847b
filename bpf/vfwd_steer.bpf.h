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

/* No CPU: the frame is delivered where it is. */
#define VFWD_NO_CPU (-1)

/*
 * The CPU port p's frame finishes on, or VFWD_NO_CPU when the port is not
 * steered.  Without --rps always the first CPU (vCPU 0's); with --rps the
 * flow hash picks one, and a flow always picks the same.  The hash reads
 * the headers as they came in, so call this before a tag is popped.
 */
static __always_inline int vfwd_steer_cpu(const struct vfwd_port *p, void *data,
					  void *data_end,
					  const struct vfwd_l2 *l2)
{
	__u32 n = vfwd_port_steer_ncpus(p), idx = 0;

	if (!n)
		return VFWD_NO_CPU;
	if (n > 1)
		idx = vfwd_flow_pick(vfwd_flow_hash(data, data_end, l2), n);
	/* n is at most VFWD_MAX_VCPUS, but the verifier does not know what
	 * the CLI wrote.  The empty asm makes idx opaque to clang:
	 * otherwise it may fold this check into the hash arithmetic as a
	 * mask on the 64-bit product, which the verifier cannot follow to
	 * the array index (seen after small unrelated edits). */
	asm volatile("" : "+r"(idx));
	if (idx >= VFWD_MAX_VCPUS)
		return VFWD_NO_CPU;
	return p->cpus[idx];
}

/*
 * Send the frame to cpu through the CPUMAP, with a steering record (port
 * id, uplink, CPU, magic) pushed in front of it.  The record goes in with
 * bpf_xdp_adjust_head, not as XDP metadata: the kernel this project is
 * tested on refuses bpf_xdp_adjust_meta in every XDP program type
 * ("program of this type cannot use helper bpf_xdp_adjust_meta#54",
 * docs/architecture.md), while headroom in front of the frame is always
 * there.  Only vfwd_cpu reads this CPUMAP, and it takes the record off
 * before the frame goes anywhere.  Returns XDP_REDIRECT, or -1 when it
 * could not be steered (no headroom, or no CPUMAP entry for the CPU) and
 * the caller should deliver it directly: a frame is never lost because
 * steering is unavailable.
 */
static __always_inline int vfwd_steer(struct xdp_md *ctx, __u32 port_id,
				      __u32 cpu)
{
	struct vfwd_cpu_meta *m;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(*m)))
		return -1;
	m = (void *)(long)ctx->data;
	if ((void *)(m + 1) > (void *)(long)ctx->data_end) {
		bpf_xdp_adjust_head(ctx, (int)sizeof(*m));
		return -1;
	}
	m->port_id = port_id;
	m->uplink_id = cfg_uplink_port;
	m->cpu = cpu;
	m->magic = VFWD_CPU_META_MAGIC;
	if (bpf_redirect_map(&vfwd_cpu_v4, cpu, 0) == XDP_REDIRECT)
		return XDP_REDIRECT;
	/* Delivered directly after all: take the record off again so the
	 * frame leaves exactly as a port without CPUs would send it. */
	bpf_xdp_adjust_head(ctx, (int)sizeof(*m));
	return -1;
}

#endif /* VFWD_STEER_BPF_H */
