/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_guest: tc (clsact ingress, direct action) on each guest device, so
 * it sees every frame the guest sends.  It is tc and not XDP because
 * guests send partial-checksum and GSO frames: the skb carries that state
 * and bpf_redirect lets the kernel finish checksums and segment on the
 * way out (design §1).
 *
 * In order: drop malformed frames and tags on access ports, drop frames
 * whose source MAC is not bound to this port (anti-spoofing, the boundary
 * between tenants; vfwd never learns MACs from guests), then deliver:
 *   destination bound to another port -> redirect to it (VM to VM), if
 *                          that port is on the same uplink, else drop;
 *   broadcast/multicast -> the uplink's BUM policy: pass to the kernel,
 *                          or flood to the VLAN's ports and the uplink;
 *   any other unicast   -> out of the port's uplink, in both modes.
 * Each frame counts once under a reason and on this port's rx.
 */
#ifndef VFWD_GUEST_BPF_H
#define VFWD_GUEST_BPF_H

#include <linux/pkt_cls.h>
#include "vfwd_maps.bpf.h"
#include "vfwd_parse.bpf.h"
#include "vfwd_count.bpf.h"
#include "vfwd_cfg.bpf.h"

struct vfwd_guest_frame {
	struct vfwd_l2 l2; /* key.vid: the frame's VLAN on the vfwd side */
	__u8 src[VFWD_ETH_ALEN];
	bool tagged; /* carries a tag (in the data or in skb metadata) */
};

/*
 * Work out the frame's VLAN.  The stack usually strips an 802.1Q/802.1ad
 * tag into skb metadata before tc ingress runs, but a test run (and any
 * path that skips that) leaves it in the data, so both are checked.
 * Returns VFWD_R_FWD or why the frame is not switched.
 */
static __always_inline __u32 vfwd_guest_parse(struct __sk_buff *skb,
					      const struct vfwd_port *me,
					      struct vfwd_guest_frame *f)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 reason;
	__u16 vid;

	reason = vfwd_parse_l2(data, data_end, &f->l2);
	if (reason == VFWD_R_RUNT || reason == VFWD_R_BAD_SRC)
		return reason;
	/* Past RUNT, the Ethernet header is there (the verifier wants to
	 * see the check again). */
	if ((void *)(eth + 1) > data_end)
		return VFWD_R_RUNT;
	__builtin_memcpy(f->src, eth->h_source, VFWD_ETH_ALEN);
	f->tagged = skb->vlan_present || vfwd_eth_tagged(eth);

	if (me->vid) {
		/* An access port's guest sees and sends untagged frames
		 * only; a tag is an attempt to reach another VLAN. */
		if (f->tagged)
			return VFWD_R_ACCESS_TAGGED;
		f->l2.key.vid = me->vid;
		return VFWD_R_FWD;
	}
	if (!skb->vlan_present)
		return reason;
	/* Tag in metadata: any tag still in the data is a second one, so
	 * the frame is QinQ whatever that inner tag holds (as the uplink
	 * would classify the same frame on the wire). */
	if (vfwd_eth_tagged(eth) || skb->vlan_proto != bpf_htons(ETH_P_8021Q))
		return VFWD_R_QINQ;
	vid = skb->vlan_tci & VFWD_VID_MASK;
	if (vid == VFWD_VID_NONE)
		return VFWD_R_PRIO_TAG;
	if (vid > VFWD_VID_MAX)
		return VFWD_R_BAD_VID;
	f->l2.key.vid = vid;
	return VFWD_R_FWD;
}

/* The source MAC must be bound to this port on the frame's VLAN, in the
 * MAC table macs. */
static __always_inline bool
vfwd_guest_src_ok(void *macs, const struct vfwd_guest_frame *f, __u32 self)
{
	struct vfwd_mac_key k = {.vid = f->l2.key.vid};
	struct vfwd_mac_val *v;

	__builtin_memcpy(k.mac, f->src, VFWD_ETH_ALEN);
	v = bpf_map_lookup_elem(macs, &k);
	return v && v->port_id == self;
}

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
	p = bpf_map_lookup_elem(&vfwd_port_v3, &id);
	if (!p || p->uplink_id != c->uplink_id)
		return 0;
	dv = bpf_map_lookup_elem(&vfwd_tx_v3, &id);
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

	c.g = bpf_map_lookup_elem(&vfwd_vlan_v3, &vid);
	if (!c.g)
		return;
	n = c.g->nports;
	if (n > VFWD_FLOOD_MAX)
		n = VFWD_FLOOD_MAX;
	bpf_loop(n, vfwd_flood_one, &c, 0);
}

/* In 16-bit halves: both sides are only 2-byte aligned (host_macs[1]
 * sits at offset 182 of the port entry), and the verifier refuses
 * misaligned stack loads. */
static __always_inline bool vfwd_mac_eq(const __u8 *a, const __u8 *b)
{
	const __u16 *x = (const __u16 *)a, *y = (const __u16 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2];
}

/* Is mac one of the host's own addresses on the uplink's LAN?  An
 * all-zero slot is unused. */
static __always_inline bool vfwd_is_host_mac(const struct vfwd_port *up,
					     const __u8 *mac)
{
	for (int i = 0; i < VFWD_HOST_MACS; i++)
		if ((up->host_macs[i][0] | up->host_macs[i][1] |
		     up->host_macs[i][2] | up->host_macs[i][3] |
		     up->host_macs[i][4] | up->host_macs[i][5]) &&
		    vfwd_mac_eq(up->host_macs[i], mac))
			return true;
	return false;
}

SEC("tc")
int vfwd_guest(struct __sk_buff *skb)
{
	__u64 bytes = skb->len;
	__u32 self = cfg_port_id, reason, up_id;
	struct vfwd_port_stats *st = vfwd_port_stats(self);
	struct vfwd_port *me, *up = NULL;
	struct bpf_devmap_val *dv;
	struct vfwd_guest_frame f = {};
	struct vfwd_mac_val *hit;
	bool flood = false;
	void *macs;

	if (st) {
		st->rx_packets++;
		st->rx_bytes += bytes;
	}
	me = bpf_map_lookup_elem(&vfwd_port_v3, &self);
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
	if (up_id) {
		up = bpf_map_lookup_elem(&vfwd_port_v3, &up_id);
		if (up && up->kind != VFWD_PORT_UPLINK)
			up = NULL;
	}
	flood = up && (up->flags & VFWD_PORT_F_BUM_FLOOD);

	reason = vfwd_guest_parse(skb, me, &f);
	switch (reason) {
	case VFWD_R_FWD:
		break;
	case VFWD_R_QINQ:
	case VFWD_R_PRIO_TAG:
		/* Valid, but not for vfwd's single-tag table: like the
		 * uplink, leave it to the kernel, after the source check. */
		if ((me->flags & VFWD_PORT_F_SPOOFCHK) &&
		    !vfwd_guest_src_ok(macs, &f, self))
			goto spoof;
		goto pass;
	default:
		goto drop;
	}
	if (me->flags & VFWD_PORT_F_SPOOFCHK) {
		if (!vfwd_guest_src_ok(macs, &f, self))
			goto spoof;
	} else if (f.l2.key.vid && !me->vid &&
		   !vfwd_guest_src_ok(macs, &f, self)) {
		/* --no-spoofchk trusts a guest's source addresses, not its
		 * choice of network: a tagged frame from a port without an
		 * access VLAN still needs a MAC of this port bound on that
		 * VLAN (a trunk binding), or it could hop into any VLAN. */
		reason = VFWD_R_VLAN_DENIED;
		goto drop;
	}

	if (f.l2.key.mac[0] & 1) {
		reason = vfwd_classify_group(&f.l2);
		goto bum;
	}
	hit = bpf_map_lookup_elem(macs, &f.l2.key);
	if (!hit) {
		if (up && vfwd_is_host_mac(up, f.l2.key.mac)) {
			reason = VFWD_R_HOST;
			goto pass;
		}
		/* Every guest's MACs are bound (vfwd never learns them), so
		 * an unknown destination is on the wire: out of the uplink
		 * in both BUM modes.  Flooding it to the VLAN's guests would
		 * deliver nothing and show every guest's outbound traffic
		 * to its neighbours. */
		goto uplink;
	}
	if (hit->port_id == self) {
		reason = VFWD_R_HAIRPIN;
		goto drop;
	}
	{
		__u32 to = hit->port_id;
		struct vfwd_port *dst;

		/* The MAC table is host-wide, but a guest reaches only the
		 * guests of its own uplink's network, as its floods do
		 * (vfwd_flood_one).  uplink_id is compared as stored, so
		 * two ports bound to no uplink (0) are one network.  Before
		 * the device check: another network's port being down is
		 * none of this guest's business. */
		dst = bpf_map_lookup_elem(&vfwd_port_v3, &to);
		if (!dst || dst->uplink_id != up_id) {
			reason = VFWD_R_OTHER_UPLINK;
			goto drop;
		}
		dv = bpf_map_lookup_elem(&vfwd_tx_v3, &to);
		if (!dv) {
			reason = VFWD_R_PORT_DOWN;
			goto bum;
		}
		if (vfwd_guest_set_tag(skb, &f,
				       !(hit->flags & VFWD_MAC_ACCESS)))
			goto drop_err;
		vfwd_count_tx(to, bytes);
		vfwd_count_reason(VFWD_R_FWD, bytes);
		return bpf_redirect(dv->ifindex, 0);
	}

bum:
	if (!flood)
		goto pass;
	/* Members get the frame untagged (they are this VLAN's access
	 * ports, or untagged ports for VLAN 0); the uplink gets it last,
	 * tagged, by redirect rather than by one more clone. */
	if (vfwd_guest_set_tag(skb, &f, false))
		goto drop_err;
	vfwd_guest_flood(skb, self, up_id, f.l2.key.vid, bytes);
	vfwd_count_reason(reason, bytes);
	/* flood implies an uplink; the verifier needs to see it. */
	if (!up)
		return TC_ACT_SHOT;
	if (f.l2.key.vid &&
	    bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), f.l2.key.vid))
		return TC_ACT_SHOT;
	vfwd_count_flood(up_id, bytes);
	return bpf_redirect(up->ifindex, 0);

uplink:
	if (!up) {
		/* No uplink bound: leave it to the kernel (a bridge may
		 * still carry it), and say so in the reasons. */
		reason = VFWD_R_NO_UPLINK;
		goto pass;
	}
	if (vfwd_guest_set_tag(skb, &f, true))
		goto drop_err;
	vfwd_count_tx(up_id, bytes);
	vfwd_count_reason(VFWD_R_UPLINK, bytes);
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
