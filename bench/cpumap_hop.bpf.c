// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only program for bench/cpumap_hop.c, which measures what the
 * CPUMAP hop of CPU steering costs against a direct devmap redirect:
 *   hop_sink  XDP on the far end of the port's veth: counts the frames
 *             that arrive, time-stamps some of them so that the benchmark
 *             can compute the delivered rate, and drops them
 *             (sink_count.bpf.h).  The counters are per CPU, so the
 *             benchmark also sees which CPU finished each variant's
 *             frames (the veth NAPI runs on the CPU that redirected into
 *             the veth: the generator's for "direct" and
 *             "steer-same-cpu", the cpumap kthread's for
 *             "steer-other-cpu").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hop_sink.h"
#include "sink_count.bpf.h"

SEC("xdp")
int hop_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 slot = SINK_SLOT_STRAY;

	if ((void *)(eth + 1) <= data_end &&
	    eth->h_proto == bpf_htons(HOP_ETHERTYPE))
		slot = SINK_SLOT_OURS;
	return sink_count_drop(slot);
}

char LICENSE[] SEC("license") = "GPL";
