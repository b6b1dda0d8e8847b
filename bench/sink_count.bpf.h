/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The body of the benchmarks' XDP sinks (cpumap_hop.bpf.c's hop_sink,
 * paths_sink.bpf.c's paths_sink): count the frame per CPU in its slot,
 * stamp every SINK_STAMP_EVERY-th, and drop it.  A sink program only
 * decides which slot a frame belongs to.  Each object that includes this
 * has its own sink_count map, which its benchmark reads.
 */
#ifndef VFWD_SINK_COUNT_BPF_H
#define VFWD_SINK_COUNT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sink_stat.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SINK_SLOTS);
	__type(key, __u32);
	__type(value, struct sink_stat);
} sink_count SEC(".maps");

static __always_inline int sink_count_drop(__u32 slot)
{
	struct sink_stat *st;

	/* Per CPU: plain updates are exact. */
	st = bpf_map_lookup_elem(&sink_count, &slot);
	if (!st)
		return XDP_DROP;
	if (sink_stamp_due(st))
		sink_stamp(st, bpf_ktime_get_ns());
	st->frames++;
	return XDP_DROP;
}

#endif /* VFWD_SINK_COUNT_BPF_H */
