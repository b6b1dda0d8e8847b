/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_xguest: the guest-side rules (vfwd_guest_rules) for the frames an
 * AF_XDP port's guest sends.  Those frames leave the guest's TX vring in
 * vfwd-vhost, in userspace, where no tc hook sees them; the daemon runs
 * each through this program with BPF_PROG_TEST_RUN (loader/xguest.c).
 * It never sees a device: the daemon names the sending port in the
 * metadata in front of the frame (struct vfwd_xguest_meta), and the
 * program answers there with where the frame goes, having set its tag
 * and counted it as vfwd_guest would.  The return code is XDP_DROP for
 * a refused frame and XDP_PASS for any other.
 */
#ifndef VFWD_XGUEST_BPF_H
#define VFWD_XGUEST_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_count.bpf.h"
#include "vfwd_xdp_vlan.bpf.h"
#include "vfwd_guest_rules.bpf.h"

/* The XDP side of vfwd_guest_set_tag: tag only in the data. */
static __always_inline int vfwd_xguest_set_tag(struct xdp_md *ctx,
					       const struct vfwd_guest_frame *f,
					       bool want_tag)
{
	if (!want_tag || !f->l2.key.vid)
		return f->tagged ? vfwd_xdp_pop_tag(ctx) : 0;
	if (f->tagged)
		return 0;
	return vfwd_xdp_push_tag(ctx, f->l2.key.vid);
}

/* Write the answer into the metadata, wherever a tag change moved it. */
static __always_inline int vfwd_xguest_say(struct xdp_md *ctx, __u32 action,
					   __u32 to, __u32 reason)
{
	struct vfwd_xguest_meta *m = (void *)(long)ctx->data_meta;

	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	m->action = action;
	m->to = to;
	m->reason = reason;
	return action == VFWD_XG_DROP ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int vfwd_xguest(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vfwd_xguest_meta *m = (void *)(long)ctx->data_meta;
	__u64 bytes = data_end - data;
	struct vfwd_guest_verdict v = {};
	struct vfwd_guest_frame f = {};
	struct vfwd_port_stats *st;
	struct vfwd_port *me, *up, *dst;
	__u32 self, reason;
	void *macs;

	/* No metadata: not a frame from vfwd-vhost; nothing to answer. */
	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	self = m->port_id;
	st = vfwd_port_stats(self);
	if (st) {
		st->rx_packets++;
		st->rx_bytes += bytes;
	}
	me = bpf_map_lookup_elem(&vfwd_port_v4, &self);
	macs = vfwd_mac_table();
	/* Only an XSK port's frames come here; anything else fails closed
	 * (a cleared slot has the spoof check off). */
	if (!me || me->kind != VFWD_PORT_XSK || !macs) {
		reason = VFWD_R_ERROR;
		goto drop;
	}
	up = vfwd_guest_uplink(me);
	reason = vfwd_guest_parse(data, data_end, false, 0, 0, me, &f);
	vfwd_guest_rules(macs, self, me, up, &f, reason, &v);
	reason = v.reason;
	switch (v.dest) {
	case VFWD_GD_PORT:
		/* An AF_XDP port is delivered by the daemon itself; any
		 * other needs its device, as on a tap. */
		dst = bpf_map_lookup_elem(&vfwd_port_v4, &v.to);
		if (!dst || (dst->kind != VFWD_PORT_XSK &&
			     !bpf_map_lookup_elem(&vfwd_tx_v4, &v.to))) {
			reason = VFWD_R_PORT_DOWN;
			goto bum;
		}
		if (vfwd_xguest_set_tag(ctx, &f, v.tag))
			goto drop_err;
		vfwd_count_tx(v.to, bytes);
		vfwd_count_reason(VFWD_R_FWD, bytes);
		return vfwd_xguest_say(ctx, VFWD_XG_PORT, v.to, VFWD_R_FWD);
	case VFWD_GD_UPLINK:
		if (vfwd_xguest_set_tag(ctx, &f, true))
			goto drop_err;
		vfwd_count_tx(me->uplink_id, bytes);
		vfwd_count_reason(VFWD_R_UPLINK, bytes);
		return vfwd_xguest_say(ctx, VFWD_XG_UPLINK, me->uplink_id,
				       VFWD_R_UPLINK);
	case VFWD_GD_BUM:
		goto bum;
	case VFWD_GD_PASS:
		goto pass;
	case VFWD_GD_SPOOF:
		if (st)
			st->spoof_dropped++;
		reason = VFWD_R_SPOOF;
		goto drop;
	default:
		goto drop;
	}

bum:
	if (!up || !(up->flags & VFWD_PORT_F_BUM_FLOOD))
		goto pass;
	/* The daemon sends the copies; the members get the frame
	 * untagged, as vfwd_guest's flood does. */
	if (vfwd_xguest_set_tag(ctx, &f, false))
		goto drop_err;
	vfwd_count_reason(reason, bytes);
	return vfwd_xguest_say(ctx, VFWD_XG_FLOOD, me->uplink_id, reason);
pass:
	vfwd_count_reason(reason, bytes);
	if (st)
		st->rx_passed++;
	return vfwd_xguest_say(ctx, VFWD_XG_HOST, me->uplink_id, reason);
drop_err:
	reason = VFWD_R_ERROR;
drop:
	vfwd_count_reason(reason, bytes);
	if (st)
		st->rx_dropped++;
	return vfwd_xguest_say(ctx, VFWD_XG_DROP, 0, reason);
}

#endif /* VFWD_XGUEST_BPF_H */
