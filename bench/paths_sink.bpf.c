// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' sink, on the far end of every path (the peer of the veth
 * the path delivers into), and for the xdp-drop path on the uplink
 * itself: counts the frames per CPU, time-stamps every
 * SINK_STAMP_EVERY-th, and drops them (sink_count.bpf.h).  One instance
 * is loaded per sink device, so each has its own counters.  Frames
 * delivered as skbs (bridge, tc redirect) reach it through veth's
 * XDP-on-skb path.
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
#include "sink_count.bpf.h"

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

	return sink_count_drop(ours(data, data_end) ? SINK_SLOT_OURS
						    : SINK_SLOT_STRAY);
}

char LICENSE[] SEC("license") = "GPL";
