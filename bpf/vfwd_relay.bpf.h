/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay between the kernel and vfwd-vhost (maps/vfwd_xsk_maps.h, "The
 * relay"): a veth pair whose kernel end k carries vfwd_xhost on tc
 * ingress and whose daemon end d carries vfwd_xrelay.  Frames on it wear
 * a relay tag after their MACs: TPID VFWD_RELAY_ETHERTYPE, then the port
 * id, where an 802.1Q tag would sit.
 */
#ifndef VFWD_RELAY_BPF_H
#define VFWD_RELAY_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_xdp_vlan.bpf.h"

/* A frame on the relay, up to its original EtherType. */
struct vfwd_relay_hdr {
	__u8 macs[2 * VFWD_ETH_ALEN];
	__be16 tpid; /* VFWD_RELAY_ETHERTYPE */
	__be16 port_id;
	__be16 type; /* the frame's own EtherType */
};

/* Kernel to daemon: the frame a tap or veth guest sent to XSK port
 * port_id, into that port's socket on the relay.  No socket there (the
 * guest went away since vfwd_guest looked): XDP_DROP. */
SEC("xdp")
int vfwd_xrelay(struct xdp_md *ctx)
{
	struct vfwd_relay_hdr *h = (void *)(long)ctx->data;
	__u32 port_id;

	if ((void *)(h + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	/* A flood from the wire: to the daemon's flood socket with its tag,
	 * which says the uplink. */
	if (h->tpid == bpf_htons(VFWD_RELAY_FLOOD_ETHERTYPE))
		return bpf_redirect_map(&vfwd_xrelay_v4, VFWD_RELAY_FLOOD_KEY,
					XDP_DROP);
	if (h->tpid != bpf_htons(VFWD_RELAY_ETHERTYPE))
		return XDP_DROP;
	port_id = bpf_ntohs(h->port_id);
	/* The relay tag comes off as an 802.1Q tag would. */
	if (vfwd_xdp_pop_tag(ctx))
		return XDP_DROP;
	return bpf_redirect_map(&vfwd_xrelay_v4, port_id, XDP_DROP);
}

/* The relay's entry in the flood devmap: each flood copy from an uplink
 * in --bum flood mode gets a tag saying which uplink it came in on. */
SEC("xdp/devmap")
int vfwd_xflood(struct xdp_md *ctx)
{
	struct vfwd_relay_hdr *h;
	__u8 macs[2 * VFWD_ETH_ALEN];

	if (bpf_xdp_adjust_head(ctx, -VFWD_RELAY_HLEN))
		return XDP_DROP;
	h = (void *)(long)ctx->data;
	if ((void *)(h + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	__builtin_memcpy(macs, h->macs + VFWD_RELAY_HLEN, sizeof(macs));
	__builtin_memcpy(h->macs, macs, sizeof(macs));
	h->tpid = bpf_htons(VFWD_RELAY_FLOOD_ETHERTYPE);
	h->port_id = bpf_htons((__u16)ctx->ingress_ifindex);
	return XDP_PASS;
}

/* Daemon to kernel: a frame an XSK guest sent to port_id, which is an
 * uplink (the host: into the uplink's receive path, as if it came from
 * the wire) or a tap or veth port (out of its device, to its guest).  The
 * receive path on k moved the relay tag (802.1ad) into the skb's
 * metadata.  The guest rules already counted the frame. */
SEC("tc")
int vfwd_xhost(struct __sk_buff *skb)
{
	struct bpf_devmap_val *dv;
	struct vfwd_port *p;
	__u32 port_id;

	if (!skb->vlan_present ||
	    skb->vlan_proto != bpf_htons(VFWD_RELAY_TO_KERNEL_TPID))
		return TC_ACT_SHOT;
	port_id = skb->vlan_tci & VFWD_VID_MASK;
	p = bpf_map_lookup_elem(&vfwd_port_v4, &port_id);
	if (!p || bpf_skb_vlan_pop(skb))
		return TC_ACT_SHOT;
	if (p->kind == VFWD_PORT_UPLINK)
		return bpf_redirect(p->ifindex, BPF_F_INGRESS);
	dv = bpf_map_lookup_elem(&vfwd_tx_v4, &port_id);
	if (!dv)
		return TC_ACT_SHOT;
	return bpf_redirect(dv->ifindex, 0);
}

/* tc: the relay's kernel end if XSK port `to` can take a frame through
 * it now (a relay, and the port's guest served), else 0. */
static __always_inline __u32 vfwd_relay_to(__u32 to)
{
	__u32 zero = 0;
	struct vfwd_relay *r = bpf_map_lookup_elem(&vfwd_relay_v4, &zero);
	struct vfwd_xsk_stats *xs = bpf_map_lookup_elem(&vfwd_xstat_v4, &to);

	if (!r || !xs || xs->state != VFWD_XSK_UP)
		return 0;
	return r->ifindex_k;
}

/* tc: put the relay tag for port `to` after the MACs.  The head grows
 * by 4 bytes in front of the frame (bpf_skb_change_head works for any
 * frame; bpf_skb_adjust_room only for IP), then the MACs move to the new
 * start and the tag takes their old place.  0, or -1. */
static __always_inline int vfwd_skb_push_relay(struct __sk_buff *skb, __u32 to)
{
	struct vfwd_relay_hdr h;

	if (skb->vlan_present)
		/* A tag in skb metadata would go before ours on the relay,
		 * where the XDP end cannot see it.  The relay serves access
		 * ports and ports without a VLAN, whose frames carry none. */
		return -1;
	if (bpf_skb_change_head(skb, VFWD_RELAY_HLEN, 0) ||
	    bpf_skb_load_bytes(skb, VFWD_RELAY_HLEN, h.macs, sizeof(h.macs)))
		return -1;
	h.tpid = bpf_htons(VFWD_RELAY_ETHERTYPE);
	h.port_id = bpf_htons((__u16)to);
	if (bpf_skb_store_bytes(skb, 0, &h,
				offsetof(struct vfwd_relay_hdr, type), 0))
		return -1;
	return 0;
}

#endif /* VFWD_RELAY_BPF_H */
