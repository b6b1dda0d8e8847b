/* SPDX-License-Identifier: GPL-2.0 */
/* VLAN tag removal and insertion for the XDP programs. */
#ifndef VFWD_XDP_VLAN_BPF_H
#define VFWD_XDP_VLAN_BPF_H

#include "vfwd_parse.bpf.h"

/* Remove the 802.1Q tag in front of the EtherType, in place: the MACs
 * move 4 bytes toward the payload and the head follows them.  The caller
 * has parsed the tag.  Returns 0, or -1 if the frame is too short. */
static __always_inline int vfwd_xdp_pop_tag(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 macs[2 * VFWD_ETH_ALEN];

	if (data + sizeof(struct ethhdr) + sizeof(struct vfwd_vlan_hdr) >
	    data_end)
		return -1;
	__builtin_memcpy(macs, data, sizeof(macs));
	__builtin_memcpy(data + sizeof(struct vfwd_vlan_hdr), macs,
			 sizeof(macs));
	return bpf_xdp_adjust_head(ctx, sizeof(struct vfwd_vlan_hdr)) ? -1 : 0;
}

/* Insert an 802.1Q tag with vid in front of the EtherType: the head
 * grows by 4 bytes and the MACs move to the new start.  Returns 0, or -1
 * if there is no headroom or the frame is too short. */
static __always_inline int vfwd_xdp_push_tag(struct xdp_md *ctx, __u16 vid)
{
	void *data, *data_end;
	__u8 macs[2 * VFWD_ETH_ALEN];
	__be16 *tag;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vfwd_vlan_hdr)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(struct ethhdr) + sizeof(struct vfwd_vlan_hdr) >
	    data_end)
		return -1;
	__builtin_memcpy(macs, data + sizeof(struct vfwd_vlan_hdr),
			 sizeof(macs));
	__builtin_memcpy(data, macs, sizeof(macs));
	/* TPID and TCI go between the MACs and the old EtherType, which
	 * stays where it was. */
	tag = data + sizeof(macs);
	tag[0] = bpf_htons(ETH_P_8021Q);
	tag[1] = bpf_htons(vid & VFWD_VID_MASK);
	return 0;
}

#endif /* VFWD_XDP_VLAN_BPF_H */
