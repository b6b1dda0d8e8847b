/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter updates.  Both maps are per-CPU arrays, so plain increments are
 * exact without atomics, and the verifier inlines the array lookups.
 */
#ifndef VFWD_COUNT_BPF_H
#define VFWD_COUNT_BPF_H

#include "vfwd_maps.bpf.h"

static __always_inline struct vfwd_port_stats *vfwd_port_stats(__u32 port_id)
{
	return bpf_map_lookup_elem(&vfwd_stats_v4, &port_id);
}

static __always_inline void vfwd_count_reason(__u32 reason, __u64 bytes)
{
	struct vfwd_reason_ctr *c;

	c = bpf_map_lookup_elem(&vfwd_reason_v4, &reason);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void vfwd_count_tx(__u32 port_id, __u64 bytes)
{
	struct vfwd_port_stats *s = vfwd_port_stats(port_id);

	if (s) {
		s->tx_packets++;
		s->tx_bytes += bytes;
	}
}

static __always_inline void vfwd_count_flood(__u32 port_id, __u64 bytes)
{
	struct vfwd_port_stats *s = vfwd_port_stats(port_id);

	if (s) {
		s->tx_packets++;
		s->tx_bytes += bytes;
		s->flood_packets++;
	}
}

#endif /* VFWD_COUNT_BPF_H */
