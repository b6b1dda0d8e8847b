/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_cpu: the CPUMAP program.  It runs in the cpumap kthread of the CPU
 * vfwd_uplink chose, and redirects the frame into its port's device from
 * there, so the tap queue (smp_processor_id() % queues) and the cache the
 * frame warms are that CPU's.  The uplink already looked the frame up and
 * left the port id in a record in front of it: nothing is parsed again
 * here.  It
 * also checked that the port follows the uplink the frame came in on,
 * before it chose to steer, so the port's slot is not read again here: a
 * port moved to another uplink meanwhile may still get the frames that
 * were queued for it, as a frame already redirected would be delivered.
 */
#ifndef VFWD_CPU_BPF_H
#define VFWD_CPU_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_count.bpf.h"

SEC("xdp/cpumap")
int vfwd_cpu(struct xdp_md *ctx)
{
	struct vfwd_cpu_meta *m = (void *)(long)ctx->data;
	struct vfwd_port_stats *up;
	__u32 port_id, uplink_id;
	void *data, *data_end;

	/* Only vfwd_uplink fills this CPUMAP, and always with its steering
	 * record in front (vfwd_steer.bpf.h): a frame without the magic
	 * came some other way, and the kernel gets it untouched rather than
	 * a guest a guess. */
	if ((void *)(m + 1) > (void *)(long)ctx->data_end ||
	    m->magic != VFWD_CPU_META_MAGIC)
		return XDP_PASS;
	port_id = m->port_id;
	uplink_id = m->uplink_id;
	/* The record never leaves this program. */
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(*m)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (bpf_redirect_map(&vfwd_tx_v4, port_id, 0) == XDP_REDIRECT) {
		/* Counted here, on the CPU that finishes the frame, so the
		 * per-CPU counters show how a port's frames spread. */
		vfwd_count_tx(port_id, data_end - data);
		return XDP_REDIRECT;
	}
	/* The port's device went away after the uplink checked it.  The
	 * frame was counted as forwarded there; count the loss on the
	 * uplink it came from. */
	up = vfwd_port_stats(uplink_id);
	if (up)
		up->rx_dropped++;
	return XDP_DROP;
}

#endif /* VFWD_CPU_BPF_H */
