/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-side rules: where a frame that a guest sent may go.  One
 * definition for every kind of guest port: vfwd_guest (tc, on taps and
 * veths) and vfwd_xguest (XDP, run by vfwd-vhost on the frames of AF_XDP
 * ports) parse the frame in their own context, call vfwd_guest_rules,
 * and carry out its verdict with their own helpers.
 *
 * The rules, in order: malformed frames and tags on access ports are
 * dropped; a source MAC not bound to the port is dropped (anti-spoofing,
 * the boundary between tenants; vfwd never learns MACs from guests);
 * then:
 *   destination bound to another port -> that port (VM to VM), if it is
 *                          on the same uplink, else dropped;
 *   broadcast/multicast -> the uplink's BUM policy;
 *   one of the host's own MACs on the uplink's LAN -> the kernel;
 *   any other unicast   -> out of the port's uplink, in both BUM modes.
 */
#ifndef VFWD_GUEST_RULES_BPF_H
#define VFWD_GUEST_RULES_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_parse.bpf.h"

struct vfwd_guest_frame {
	struct vfwd_l2 l2; /* key.vid: the frame's VLAN on the vfwd side */
	__u8 src[VFWD_ETH_ALEN];
	bool tagged; /* carries a tag (in the data or in skb metadata) */
};

/*
 * Work out the frame's VLAN.  On tc the stack usually strips an
 * 802.1Q/802.1ad tag into skb metadata before ingress runs (vlan_present,
 * vlan_proto, vlan_tci), but a test run (and any path that skips that)
 * leaves it in the data, so both are checked; XDP sees tags only in the
 * data.  Returns VFWD_R_FWD or why the frame is not switched.
 */
static __always_inline __u32 vfwd_guest_parse(void *data, void *data_end,
					      bool vlan_present,
					      __be16 vlan_proto, __u16 vlan_tci,
					      const struct vfwd_port *me,
					      struct vfwd_guest_frame *f)
{
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
	f->tagged = vlan_present || vfwd_eth_tagged(eth);
	if (me->vid) {
		/* An access port's guest sees and sends untagged frames
		 * only; a tag is an attempt to reach another VLAN. */
		if (f->tagged)
			return VFWD_R_ACCESS_TAGGED;
		f->l2.key.vid = me->vid;
		return VFWD_R_FWD;
	}
	if (!vlan_present)
		return reason;
	/* Tag in metadata: any tag still in the data is a second one, so
	 * the frame is QinQ whatever that inner tag holds (as the uplink
	 * would classify the same frame on the wire). */
	if (vfwd_eth_tagged(eth) || vlan_proto != bpf_htons(ETH_P_8021Q))
		return VFWD_R_QINQ;
	vid = vlan_tci & VFWD_VID_MASK;
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

/* The port's uplink slot, or NULL when it has none (or the slot is no
 * longer an uplink). */
static __always_inline struct vfwd_port *
vfwd_guest_uplink(const struct vfwd_port *me)
{
	__u32 up_id = me->uplink_id;
	struct vfwd_port *up;

	if (!up_id)
		return NULL;
	up = bpf_map_lookup_elem(&vfwd_port_v4, &up_id);
	return up && up->kind == VFWD_PORT_UPLINK ? up : NULL;
}

/* Where the rules send a frame. */
enum vfwd_guest_dest {
	VFWD_GD_DROP = 0, /* refused: count, drop */
	VFWD_GD_SPOOF, /* refused for its source MAC: count, drop */
	VFWD_GD_PASS, /* to the kernel */
	VFWD_GD_PORT, /* to port to, if its device is there */
	VFWD_GD_UPLINK, /* out of the port's uplink (up is not NULL) */
	VFWD_GD_BUM, /* the uplink's BUM policy */
};

struct vfwd_guest_verdict {
	__u32 dest; /* enum vfwd_guest_dest */
	__u32 reason; /* what the frame is counted under, for DROP, PASS
		       * and BUM */
	__u32 to; /* GD_PORT: the destination port */
	bool tag; /* GD_PORT: it leaves tagged with the frame's VID (a trunk
		   * binding); untagged to an access port */
};

/* Apply the rules to frame f of port self (me), whose parse gave reason;
 * macs is the live MAC table, up the port's uplink or NULL. */
static __always_inline void
vfwd_guest_rules(void *macs, __u32 self, const struct vfwd_port *me,
		 const struct vfwd_port *up, const struct vfwd_guest_frame *f,
		 __u32 reason, struct vfwd_guest_verdict *v)
{
	struct vfwd_mac_val *hit;
	struct vfwd_port *dst;
	__u32 to;

	v->reason = reason;
	switch (reason) {
	case VFWD_R_FWD:
		break;
	case VFWD_R_QINQ:
	case VFWD_R_PRIO_TAG:
		/* Valid, but not for vfwd's single-tag table: like the
		 * uplink, leave it to the kernel, after the source check. */
		if ((me->flags & VFWD_PORT_F_SPOOFCHK) &&
		    !vfwd_guest_src_ok(macs, f, self))
			v->dest = VFWD_GD_SPOOF;
		else
			v->dest = VFWD_GD_PASS;
		return;
	default:
		v->dest = VFWD_GD_DROP;
		return;
	}
	if (me->flags & VFWD_PORT_F_SPOOFCHK) {
		if (!vfwd_guest_src_ok(macs, f, self)) {
			v->dest = VFWD_GD_SPOOF;
			return;
		}
	} else if (f->l2.key.vid && !me->vid &&
		   !vfwd_guest_src_ok(macs, f, self)) {
		/* --no-spoofchk trusts a guest's source addresses, not its
		 * choice of network: a tagged frame from a port without an
		 * access VLAN still needs a MAC of this port bound on that
		 * VLAN (a trunk binding), or it could hop into any VLAN. */
		v->reason = VFWD_R_VLAN_DENIED;
		v->dest = VFWD_GD_DROP;
		return;
	}
	if (f->l2.key.mac[0] & 1) {
		v->reason = vfwd_classify_group(&f->l2);
		v->dest = VFWD_GD_BUM;
		return;
	}
	hit = bpf_map_lookup_elem(macs, &f->l2.key);
	if (!hit) {
		if (up && vfwd_is_host_mac(up, f->l2.key.mac)) {
			v->reason = VFWD_R_HOST;
			v->dest = VFWD_GD_PASS;
			return;
		}
		/* Every guest's MACs are bound (vfwd never learns them), so
		 * an unknown destination is on the wire: out of the uplink
		 * in both BUM modes.  Flooding it to the VLAN's guests would
		 * deliver nothing and show every guest's outbound traffic
		 * to its neighbours.  No uplink bound: leave it to the
		 * kernel (a bridge may still carry it), and say so. */
		if (up) {
			v->reason = VFWD_R_UPLINK;
			v->dest = VFWD_GD_UPLINK;
		} else {
			v->reason = VFWD_R_NO_UPLINK;
			v->dest = VFWD_GD_PASS;
		}
		return;
	}
	to = hit->port_id;
	if (to == self) {
		v->reason = VFWD_R_HAIRPIN;
		v->dest = VFWD_GD_DROP;
		return;
	}
	/* The MAC table is host-wide, but a guest reaches only the guests
	 * of its own uplink's network, as its floods do.  uplink_id is
	 * compared as stored, so two ports bound to no uplink (0) are one
	 * network.  Before any device check: another network's port being
	 * down is none of this guest's business. */
	dst = bpf_map_lookup_elem(&vfwd_port_v4, &to);
	if (!dst || dst->uplink_id != me->uplink_id) {
		v->reason = VFWD_R_OTHER_UPLINK;
		v->dest = VFWD_GD_DROP;
		return;
	}
	v->reason = VFWD_R_FWD;
	v->dest = VFWD_GD_PORT;
	v->to = to;
	v->tag = !(hit->flags & VFWD_MAC_ACCESS);
}

#endif /* VFWD_GUEST_RULES_BPF_H */
