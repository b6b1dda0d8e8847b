/* SPDX-License-Identifier: GPL-2.0 */
/* VLAN tag removal for the XDP programs.  (vfwd_xguest's tag pushes are
 * written by vfwd-vhost: loader/xguest_emit.c.) */
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

#endif /* VFWD_XDP_VLAN_BPF_H */
