/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layer-2 parsing and classification shared by every vfwd program.  It
 * works on plain data/data_end pointers so the XDP programs and the tc
 * guest program use the same code; only the context type differs.
 */
#ifndef VFWD_PARSE_BPF_H
#define VFWD_PARSE_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vfwd_maps.h"

/* The 4 bytes after the MACs of an 802.1Q/802.1ad frame. */
struct vfwd_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct vfwd_l2 {
	struct vfwd_mac_key key; /* {dst MAC, VID}; VID 0 when untagged */
	__be16 proto; /* EtherType after any tag */
	__u16 hdr_len; /* bytes of Ethernet + tag */
};

/*
 * Parse Ethernet and at most one 802.1Q tag into l2.  Returns VFWD_R_FWD
 * when the frame is one vfwd may switch, else the reason it may not.
 *
 * QinQ (an 802.1ad outer tag, or 802.1Q followed by another tag) is not
 * switched: vfwd's table is keyed by one VID and guessing which tag an
 * operator meant would forward frames into the wrong tenant.  Such frames
 * go to the kernel, where QinQ sub-interfaces can take them.
 */
static __always_inline __u32 vfwd_parse_l2(void *data, void *data_end,
					   struct vfwd_l2 *l2)
{
	struct ethhdr *eth = data;
	struct vfwd_vlan_hdr *vh;
	__u16 vid;

	if ((void *)(eth + 1) > data_end)
		return VFWD_R_RUNT;
	/* A multicast or broadcast source address is invalid on any LAN. */
	if (eth->h_source[0] & 1)
		return VFWD_R_BAD_SRC;

	__builtin_memcpy(l2->key.mac, eth->h_dest, VFWD_ETH_ALEN);
	l2->key.vid = VFWD_VID_NONE;
	l2->proto = eth->h_proto;
	l2->hdr_len = sizeof(*eth);

	if (eth->h_proto == bpf_htons(ETH_P_8021AD))
		return VFWD_R_QINQ;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return VFWD_R_FWD;

	vh = (void *)(eth + 1);
	if ((void *)(vh + 1) > data_end)
		return VFWD_R_VLAN_TRUNC;
	if (vh->encap_proto == bpf_htons(ETH_P_8021Q) ||
	    vh->encap_proto == bpf_htons(ETH_P_8021AD))
		return VFWD_R_QINQ;

	vid = bpf_ntohs(vh->tci) & VFWD_VID_MASK;
	/* VID 0 only carries a priority; the kernel treats such a frame as
	 * untagged, a guest may not, so leave it to the kernel. */
	if (vid == VFWD_VID_NONE)
		return VFWD_R_PRIO_TAG;
	if (vid > VFWD_VID_MAX)
		return VFWD_R_BAD_VID;

	l2->key.vid = vid;
	l2->proto = vh->encap_proto;
	l2->hdr_len = sizeof(*eth) + sizeof(*vh);
	return VFWD_R_FWD;
}

/* Whether the Ethernet header in data is followed by a VLAN tag of either
 * kind.  The caller has checked that the header is there. */
static __always_inline bool vfwd_eth_tagged(const struct ethhdr *eth)
{
	return eth->h_proto == bpf_htons(ETH_P_8021Q) ||
	       eth->h_proto == bpf_htons(ETH_P_8021AD);
}

/* Group bit of the destination: broadcast or multicast. */
static __always_inline __u32 vfwd_classify_group(const struct vfwd_l2 *l2)
{
	const __u8 *m = l2->key.mac;

	if ((m[0] & m[1] & m[2] & m[3] & m[4] & m[5]) == 0xff)
		return VFWD_R_BCAST;
	return VFWD_R_MCAST;
}

#endif /* VFWD_PARSE_BPF_H */
