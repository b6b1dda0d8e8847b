/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_xsk_probe: which XSKMAP slots of a port hold a socket, for status
 * and drift.  Userspace cannot ask the kernel itself: a lookup in an
 * XSKMAP from the bpf() syscall is EOPNOTSUPP, while a program may look
 * slots up.  Run with BPF_PROG_TEST_RUN on a frame whose first four bytes
 * name the port (struct vfwd_xsk_probe); it answers in the same frame.
 */
#ifndef VFWD_XSK_PROBE_BPF_H
#define VFWD_XSK_PROBE_BPF_H

#include "vfwd_maps.bpf.h"

SEC("xdp")
int vfwd_xsk_probe(struct xdp_md *ctx)
{
	struct vfwd_xsk_probe *pr = (void *)(long)ctx->data;
	__u64 mask = 0;
	__u32 slot;

	if ((void *)(pr + 1) > (void *)(long)ctx->data_end ||
	    pr->port_id >= VFWD_MAX_PORTS)
		return XDP_ABORTED;
	for (__u32 q = 0; q < VFWD_XSK_QUEUES; q++) {
		slot = vfwd_xsk_slot(pr->port_id, q);
		if (bpf_map_lookup_elem(&vfwd_xsk_v4, &slot))
			mask |= 1ULL << q;
	}
	pr->queues = mask;
	return XDP_PASS;
}

#endif /* VFWD_XSK_PROBE_BPF_H */
