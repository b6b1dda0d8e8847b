/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_egress: devmap egress program on each entry of the flood devmap.
 * The uplink floods a broadcast to every guest port at once
 * (BPF_F_BROADCAST); this program, one instance per port, keeps only the
 * frames of the port's own VLAN, pops the tag for an access port, and
 * counts the copy as the port's tx and flood.
 */
#ifndef VFWD_EGRESS_BPF_H
#define VFWD_EGRESS_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_parse.bpf.h"
#include "vfwd_count.bpf.h"
#include "vfwd_xdp_vlan.bpf.h"
#include "vfwd_cfg.bpf.h"

SEC("xdp/devmap")
int vfwd_egress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 id = cfg_port_id, up_id;
	struct vfwd_vlan_hdr *vh;
	struct vfwd_port *p, *up;
	struct ethhdr *eth = data;
	__u16 vid = VFWD_VID_NONE;

	p = bpf_map_lookup_elem(&vfwd_port_v4, &id);
	if (!p || (void *)(eth + 1) > data_end)
		return XDP_DROP;
	/* Only floods from the port's own uplink: the same VID behind two
	 * uplinks is two different LANs.  ingress_ifindex is the device the
	 * broadcast came in on. */
	up_id = p->uplink_id;
	up = bpf_map_lookup_elem(&vfwd_port_v4, &up_id);
	if (!up || up->kind != VFWD_PORT_UPLINK ||
	    up->ifindex != ctx->ingress_ifindex)
		return XDP_DROP;
	/* The uplink floods only frames it parsed: untagged, or one 802.1Q
	 * tag with a valid VID. */
	if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
		vh = (void *)(eth + 1);
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		vid = bpf_ntohs(vh->tci) & VFWD_VID_MASK;
	}
	if (vid != p->vid)
		return XDP_DROP;
	if (vid) {
		if (vfwd_xdp_pop_tag(ctx))
			return XDP_DROP;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
	}
	vfwd_count_flood(id, data_end - data);
	return XDP_PASS;
}

#endif /* VFWD_EGRESS_BPF_H */
