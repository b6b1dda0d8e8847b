// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only program for bench/cpumap_hop.c, which measures what the
 * CPUMAP hop of CPU steering costs against a direct devmap redirect:
 *   hop_sink  XDP on the far end of the port's veth: counts the frames
 *             that arrive, time-stamps some of them so that the benchmark
 *             can compute the delivered rate, and drops them.  The
 *             counters are per CPU, so the benchmark also sees which CPU
 *             finished each variant's frames (the veth NAPI runs on the
 *             CPU that redirected into the veth: the generator's for
 *             "direct" and "steer-same-cpu", the cpumap kthread's for
 *             "steer-other-cpu").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hop_sink.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOP_SLOTS);
	__type(key, __u32);
	__type(value, struct hop_stat);
} hop_count SEC(".maps");

SEC("xdp")
int hop_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 slot = HOP_SLOT_STRAY;
	struct hop_stat *st;
	__u64 now;

	if ((void *)(eth + 1) <= data_end &&
	    eth->h_proto == bpf_htons(HOP_ETHERTYPE))
		slot = HOP_SLOT_OURS;
	/* Per-CPU: plain updates are exact. */
	st = bpf_map_lookup_elem(&hop_count, &slot);
	if (!st)
		return XDP_DROP;
	if (!(st->frames & (HOP_STAMP_EVERY - 1))) {
		now = bpf_ktime_get_ns();
		if (!st->first_ns) {
			st->first_ns = now;
			st->first_n = st->frames;
		}
		st->last_ns = now;
		st->last_n = st->frames;
	}
	st->frames++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
