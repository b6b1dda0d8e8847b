// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' traffic generator.  Run through BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES on the generator-side veth: XDP_TX is turned
 * into a transmit out of that veth, so each frame arrives on its peer as
 * if received from a wire.  Before that, the frame's UDP source port is
 * set from a per-CPU frame counter modulo gen_flows, so that one test run
 * carries gen_flows flows in turn.  The port is rewritten for one flow
 * too, so that 1 and 64 flows cost the generator the same.  Only the UDP
 * port changes and the UDP checksum is 0 (none, valid over IPv4), so no
 * checksum needs fixing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "paths_sink.h"

/* Set by the benchmark before each run (the skeleton maps .data). */
__u32 gen_flows = 1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_seq SEC(".maps");

SEC("xdp")
int gen_flows_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 *sport = data + PATHS_UDP_OFF;
	__u32 key = 0, flows = gen_flows;
	__u64 *seq;

	if ((void *)(sport + 1) > data_end)
		return XDP_TX;
	seq = bpf_map_lookup_elem(&gen_seq, &key);
	if (!seq || !flows)
		return XDP_TX;
	/* Live frames reuse their pages with the bytes the last run left,
	 * so the port is written every time. */
	*sport = bpf_htons(PATHS_SPORT_BASE + *seq % flows);
	(*seq)++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
