/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_guest: tc (clsact ingress, direct action) on each guest device, so
 * it sees every frame the guest sends.  It is tc and not XDP because
 * guests send partial-checksum and GSO frames: the skb carries that state
 * and bpf_redirect lets the kernel finish checksums and segment on the
 * way out (design §1).
 *
 * The rules are vfwd_guest_rules (bpf/vfwd_guest_rules.bpf.h), shared with
 * the AF_XDP ports' vfwd_xguest; this program carries out their verdict
 * with tc's helpers: bpf_redirect to a port or the uplink, the kernel,
 * or a flood of clones to the VLAN's ports and the uplink.  Each frame
 * counts once under a reason and on this port's rx.
 */
#ifndef VFWD_GUEST_BPF_H
#define VFWD_GUEST_BPF_H

#include <linux/pkt_cls.h>
#include "vfwd_maps.bpf.h"
#include "vfwd_parse.bpf.h"
#include "vfwd_count.bpf.h"
#include "vfwd_cfg.bpf.h"
#include "vfwd_guest_rules.bpf.h"
#include "vfwd_relay.bpf.h"

/* Frames to an access port or flood members leave untagged; frames to
 * the uplink or a port bound on this VLAN without being its access port
 * (a trunk binding) leave tagged with the frame's VID. */
static __always_inline int vfwd_guest_set_tag(struct __sk_buff *skb,
					      const struct vfwd_guest_frame *f,
					      bool want_tag)
{
	if (!want_tag || !f->l2.key.vid)
		return f->tagged ? bpf_skb_vlan_pop(skb) : 0;
	if (f->tagged)
		return 0;
	return bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), f->l2.key.vid);
}

struct vfwd_flood_ctx {
	struct __sk_buff *skb;
	struct vfwd_flood_group *g;
	__u64 bytes;
	__u32 self;
	__u32 uplink_id;
};

/* One member of a flood: clone the frame to it unless it is the sender
 * or belongs to another uplink's network (the same VID behind two
 * uplinks is two different LANs).  The tx devmap says whether the
 * member's device still exists. */
static long vfwd_flood_one(__u32 i, void *data)
{
	struct vfwd_flood_ctx *c = data;
	struct bpf_devmap_val *dv;
	struct vfwd_port *p;
	__u32 id;

	if (i >= VFWD_FLOOD_MAX)
		return 1;
	id = c->g->port_ids[i];
	if (id == c->self)
		return 0;
	p = bpf_map_lookup_elem(&vfwd_port_v4, &id);
	if (!p || p->uplink_id != c->uplink_id)
		return 0;
	dv = bpf_map_lookup_elem(&vfwd_tx_v4, &id);
	if (dv && bpf_clone_redirect(c->skb, dv->ifindex, 0) == 0)
		vfwd_count_flood(id, c->bytes);
	return 0;
}

/* Clone the frame to every other port of its VLAN.  bpf_loop, not a
 * plain loop: the verifier checks the callback once, where walking even
 * 256 iterations with their branches exceeded its instruction budget. */
static __always_inline void vfwd_guest_flood(struct __sk_buff *skb, __u32 self,
					     __u32 uplink_id, __u32 vid,
					     __u64 bytes)
{
	struct vfwd_flood_ctx c = {.skb = skb,
				   .bytes = bytes,
				   .self = self,
				   .uplink_id = uplink_id};
	__u32 n;

	c.g = bpf_map_lookup_elem(&vfwd_vlan_v4, &vid);
	if (!c.g)
		return;
	n = c.g->nports;
	if (n > VFWD_FLOOD_MAX)
		n = VFWD_FLOOD_MAX;
	bpf_loop(n, vfwd_flood_one, &c, 0);
}

SEC("tc")
int vfwd_guest(struct __sk_buff *skb)
{
	__u64 bytes = skb->len;
	__u32 self = cfg_port_id, reason, up_id;
	struct vfwd_port_stats *st = vfwd_port_stats(self);
	struct vfwd_guest_verdict v = {};
	struct vfwd_guest_frame f = {};
	struct vfwd_port *me, *up;
	struct bpf_devmap_val *dv;
	__u32 relay;
	void *macs;

	if (st) {
		st->rx_packets++;
		st->rx_bytes += bytes;
	}
	me = bpf_map_lookup_elem(&vfwd_port_v4, &self);
	/* A filter that outlived its port (a freed or reused slot) must fail
	 * closed: a cleared slot has the spoof check off. */
	if (!me || (me->kind != VFWD_PORT_TAP && me->kind != VFWD_PORT_VETH)) {
		reason = VFWD_R_ERROR;
		goto drop;
	}
	/* One MAC table for the source check and the destination. */
	macs = vfwd_mac_table();
	if (!macs) {
		reason = VFWD_R_ERROR;
		goto drop;
	}
	up_id = me->uplink_id;
	up = vfwd_guest_uplink(me);
	reason = vfwd_guest_parse(
		(void *)(long)skb->data, (void *)(long)skb->data_end,
		skb->vlan_present, skb->vlan_proto, skb->vlan_tci, me, &f);
	vfwd_guest_rules(macs, self, me, up, &f, reason, &v);
	reason = v.reason;
	switch (v.dest) {
	case VFWD_GD_PORT:
		dv = bpf_map_lookup_elem(&vfwd_tx_v4, &v.to);
		if (!dv) {
			/* An XSK port has no device: its guest is reached
			 * through vfwd-vhost's relay, while it is served. */
			relay = vfwd_relay_to(v.to);
			if (relay)
				goto to_relay;
			reason = VFWD_R_PORT_DOWN;
			goto bum;
		}
		if (vfwd_guest_set_tag(skb, &f, v.tag))
			goto drop_err;
		vfwd_count_tx(v.to, bytes);
		vfwd_count_reason(VFWD_R_FWD, bytes);
		return bpf_redirect(dv->ifindex, 0);
	case VFWD_GD_UPLINK:
		if (!up) /* never: the rules checked; the verifier cannot */
			goto drop_err;
		if (vfwd_guest_set_tag(skb, &f, true))
			goto drop_err;
		vfwd_count_tx(up_id, bytes);
		vfwd_count_reason(VFWD_R_UPLINK, bytes);
		return bpf_redirect(up->ifindex, 0);
	case VFWD_GD_BUM:
		goto bum;
	case VFWD_GD_PASS:
		goto pass;
	case VFWD_GD_SPOOF:
		goto spoof;
	default:
		goto drop;
	}

to_relay:
	if (vfwd_guest_set_tag(skb, &f, v.tag) ||
	    vfwd_skb_push_relay(skb, v.to))
		goto drop_err;
	/* Counted as the frame the guest gets, without the relay tag. */
	vfwd_count_tx(v.to, bytes);
	vfwd_count_reason(VFWD_R_FWD, bytes);
	return bpf_redirect(relay, 0);

bum:
	if (!up || !(up->flags & VFWD_PORT_F_BUM_FLOOD))
		goto pass;
	/* Members get the frame untagged (they are this VLAN's access
	 * ports, or untagged ports for VLAN 0); the uplink gets it last,
	 * tagged, by redirect rather than by one more clone. */
	if (vfwd_guest_set_tag(skb, &f, false))
		goto drop_err;
	vfwd_guest_flood(skb, self, up_id, f.l2.key.vid, bytes);
	vfwd_count_reason(reason, bytes);
	if (f.l2.key.vid &&
	    bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), f.l2.key.vid))
		return TC_ACT_SHOT;
	vfwd_count_flood(up_id, bytes);
	return bpf_redirect(up->ifindex, 0);

pass:
	vfwd_count_reason(reason, bytes);
	if (st)
		st->rx_passed++;
	return TC_ACT_OK;
spoof:
	reason = VFWD_R_SPOOF;
	if (st)
		st->spoof_dropped++;
	goto drop;
drop_err:
	/* bpf_skb_vlan_push/pop only fail when the skb cannot be made
	 * writable (out of memory). */
	reason = VFWD_R_ERROR;
drop:
	vfwd_count_reason(reason, bytes);
	if (st)
		st->rx_dropped++;
	return TC_ACT_SHOT;
}

#endif /* VFWD_GUEST_BPF_H */
