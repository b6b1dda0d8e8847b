/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow hash for --rps: which of a port's CPUs finishes a frame.  A flow is
 * the 5-tuple of TCP and UDP over IPv4 and IPv6, the address pair and
 * protocol for other IP traffic and for fragments, and the MAC pair for
 * everything else.  A flow must always hash the same, so any frame whose
 * ports may be missing (every IPv4 fragment, the first one included, and
 * IPv6 with extension headers) hashes without ports: otherwise the first
 * fragment and the rest of a datagram would land on different CPUs and
 * could reach the guest out of order.
 */
#ifndef VFWD_FLOW_BPF_H
#define VFWD_FLOW_BPF_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "vfwd_parse.bpf.h"

/* 2^32 divided by the golden ratio: multiplying by it moves every input
 * bit into the high bits, which are the ones vfwd_flow_pick uses. */
#define VFWD_HASH_MUL 0x9e3779b1U
/* IPv4 flags/fragment offset: MF plus the 13-bit offset. */
#define VFWD_IP_FRAG_MASK 0x3fff
/* IPv4 header length is counted in 32-bit words. */
#define VFWD_IP_IHL_UNIT 4
#define VFWD_IP_IHL_MIN 5

static __always_inline __u32 vfwd_hash_word(__u32 h, __u32 w)
{
	h = (h ^ w) * VFWD_HASH_MUL;
	return h ^ (h >> 15);
}

static __always_inline __u32 vfwd_hash_words(__u32 h, const __u32 *w, int n)
{
#pragma unroll
	for (int i = 0; i < n; i++)
		h = vfwd_hash_word(h, w[i]);
	return h;
}

/* TCP and UDP both start with the two ports. */
static __always_inline __u32 vfwd_hash_ports(__u32 h, void *l4, void *data_end)
{
	__u32 *ports = l4;

	if ((void *)(ports + 1) > data_end)
		return h;
	return vfwd_hash_word(h, *ports);
}

static __always_inline bool vfwd_proto_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* ip has a valid header length (the caller checked ihl). */
static __always_inline __u32 vfwd_hash_ipv4(__u32 h, struct iphdr *ip,
					    void *data_end)
{
	__u32 ihl = ip->ihl;

	h = vfwd_hash_word(h, ip->saddr);
	h = vfwd_hash_word(h, ip->daddr);
	h = vfwd_hash_word(h, ip->protocol);
	if (!vfwd_proto_has_ports(ip->protocol) ||
	    (ip->frag_off & bpf_htons(VFWD_IP_FRAG_MASK)))
		return h;
	return vfwd_hash_ports(h, (void *)ip + ihl * VFWD_IP_IHL_UNIT,
			       data_end);
}

static __always_inline __u32 vfwd_hash_ipv6(__u32 h, struct ipv6hdr *ip6,
					    void *data_end)
{
	h = vfwd_hash_words(h, (const __u32 *)&ip6->saddr,
			    sizeof(ip6->saddr) / sizeof(__u32));
	h = vfwd_hash_words(h, (const __u32 *)&ip6->daddr,
			    sizeof(ip6->daddr) / sizeof(__u32));
	h = vfwd_hash_word(h, ip6->nexthdr);
	if (!vfwd_proto_has_ports(ip6->nexthdr))
		return h;
	return vfwd_hash_ports(h, ip6 + 1, data_end);
}

/* The MAC pair, as three 32-bit words assembled byte by byte (the MACs
 * are only 2-byte aligned). */
static __always_inline __u32 vfwd_hash_macs(__u32 h, const struct ethhdr *eth)
{
	const __u8 *m = eth->h_dest;

#pragma unroll
	for (int i = 0; i < 2 * VFWD_ETH_ALEN; i += sizeof(__u32))
		h = vfwd_hash_word(h, (__u32)m[i] << 24 |
					      (__u32)m[i + 1] << 16 |
					      (__u32)m[i + 2] << 8 | m[i + 3]);
	return h;
}

/* Hash of the frame's flow.  l2 is the uplink's parse of the frame. */
static __always_inline __u32 vfwd_flow_hash(void *data, void *data_end,
					    const struct vfwd_l2 *l2)
{
	__u32 off = l2->hdr_len, h = 0;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	void *l3;

	if ((void *)(eth + 1) > data_end)
		return 0;
	/* Bounded so the verifier accepts data + off as a packet pointer. */
	if (off > sizeof(struct ethhdr) + sizeof(struct vfwd_vlan_hdr))
		return vfwd_hash_macs(h, eth);
	l3 = data + off;
	ip = l3;
	if (l2->proto == bpf_htons(ETH_P_IP) && (void *)(ip + 1) <= data_end) {
		/* A header length below the minimum is no IPv4 header to
		 * trust: such a frame hashes as non-IP. */
		if (ip->ihl >= VFWD_IP_IHL_MIN)
			return vfwd_hash_ipv4(h, ip, data_end);
	} else if (l2->proto == bpf_htons(ETH_P_IPV6) &&
		   l3 + sizeof(struct ipv6hdr) <= data_end) {
		return vfwd_hash_ipv6(h, l3, data_end);
	}
	return vfwd_hash_macs(h, eth);
}

/* One of n CPUs for hash h: the high bits scaled to n, which spreads as
 * evenly as h does without a division in the data path. */
static __always_inline __u32 vfwd_flow_pick(__u32 h, __u32 n)
{
	h ^= h >> 13;
	h *= VFWD_HASH_MUL;
	h ^= h >> 16;
	return (__u32)(((__u64)h * n) >> 32);
}

#endif /* VFWD_FLOW_BPF_H */
