// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' sink, on the far end of every path (the peer of the veth
 * the path delivers into), and for the xdp-drop path on the uplink
 * itself: counts the frames per CPU, time-stamps every
 * PATHS_STAMP_EVERY-th, and drops them.  One instance is loaded per sink
 * device, so each has its own counters.  Frames delivered as skbs (bridge,
 * tc redirect) reach it through veth's XDP-on-skb path.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "paths_sink.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PATHS_SLOTS);
	__type(key, __u32);
	__type(value, struct paths_stat);
} paths_count SEC(".maps");

/* Is this an IPv4/UDP frame to the benchmark's port? */
static __always_inline bool ours(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = data + PATHS_ETH_HLEN;
	struct udphdr *udp = data + PATHS_UDP_OFF;

	if ((void *)(udp + 1) > data_end)
		return false;
	return eth->h_proto == bpf_htons(ETH_P_IP) &&
	       ip->protocol == IPPROTO_UDP &&
	       udp->dest == bpf_htons(PATHS_DPORT);
}

SEC("xdp")
int paths_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 slot = ours(data, data_end) ? PATHS_SLOT_OURS : PATHS_SLOT_STRAY;
	struct paths_stat *st;
	__u64 now;

	/* Per CPU: plain updates are exact. */
	st = bpf_map_lookup_elem(&paths_count, &slot);
	if (!st)
		return XDP_DROP;
	if (!(st->frames & (PATHS_STAMP_EVERY - 1))) {
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
