/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_xguest: the guest-side rules (vfwd_guest_rules) for the frames an
 * AF_XDP port's guest sends.  Those frames leave the guest's TX vring in
 * vfwd-vhost, in userspace, where no tc hook sees them; the daemon runs
 * them through this program with BPF_PROG_TEST_RUN (loader/xguest.c), a
 * burst at a time.  It never sees a device nor a whole frame: the daemon
 * fills struct vfwd_xguest_batch (this program's .bss, which it maps)
 * with the sending port and length of each frame and puts each frame's
 * head in the data, entry i at i * VFWD_XG_HEAD (maps/vfwd_xsk_maps.h).  The
 * program counts each frame as vfwd_guest would and answers in its entry
 * where it goes and what becomes of its tag; the daemon then writes the
 * frame out.  Returns XDP_PASS when every entry was answered, XDP_ABORTED
 * (nothing counted) when the batch is not laid out as described.
 */
#ifndef VFWD_XGUEST_BPF_H
#define VFWD_XGUEST_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_count.bpf.h"
#include "vfwd_guest_rules.bpf.h"

struct vfwd_xguest_batch vfwd_xg_batch;

/* The tag change vfwd_guest makes with vfwd_guest_set_tag, as an answer:
 * a tagged frame leaves tagged only when want_tag and it has a VID. */
static __always_inline void vfwd_xguest_tag(struct vfwd_xguest_ent *e,
					    const struct vfwd_guest_frame *f,
					    bool want_tag)
{
	e->vid = 0;
	if (!want_tag || !f->l2.key.vid) {
		e->tag = f->tagged ? VFWD_XG_TAG_POP : VFWD_XG_TAG_KEEP;
		return;
	}
	e->tag = f->tagged ? VFWD_XG_TAG_KEEP : VFWD_XG_TAG_PUSH;
	if (e->tag == VFWD_XG_TAG_PUSH)
		e->vid = f->l2.key.vid;
}

static __always_inline void
vfwd_xguest_say(struct vfwd_xguest_ent *e, __u32 action, __u32 to, __u32 reason)
{
	e->action = action;
	e->to = to;
	e->reason = reason;
}

/*
 * One frame, entry i, whose head is [data, data_end).  A global function:
 * the verifier checks it once, not once per pass of the batch loop.
 */
__noinline int vfwd_xguest_frame(struct xdp_md *ctx, __u32 i)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vfwd_guest_verdict v = {};
	struct vfwd_guest_frame f = {};
	struct vfwd_port_stats *st;
	struct vfwd_port *me, *up, *dst;
	struct vfwd_xguest_ent *e;
	__u32 self, reason;
	__u64 bytes;
	void *macs;

	if (i >= VFWD_XG_BATCH)
		return -1;
	e = &vfwd_xg_batch.e[i];
	self = e->port_id;
	bytes = e->len;
	e->tag = VFWD_XG_TAG_KEEP;
	e->vid = 0;
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
	/* A runt's head was padded to an Ethernet header: its length
	 * tells. */
	if (e->len < VFWD_XG_MIN_HEAD)
		reason = VFWD_R_RUNT;
	else
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
		vfwd_xguest_tag(e, &f, v.tag);
		vfwd_count_tx(v.to, bytes);
		vfwd_count_reason(VFWD_R_FWD, bytes);
		vfwd_xguest_say(e, VFWD_XG_PORT, v.to, VFWD_R_FWD);
		return 0;
	case VFWD_GD_UPLINK:
		vfwd_xguest_tag(e, &f, true);
		vfwd_count_tx(me->uplink_id, bytes);
		vfwd_count_reason(VFWD_R_UPLINK, bytes);
		vfwd_xguest_say(e, VFWD_XG_UPLINK, me->uplink_id,
				VFWD_R_UPLINK);
		return 0;
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
	/* The daemon makes the copies from the frame as the guest sent
	 * it, tag kept: each copy needs the frame's VLAN (members get it
	 * untagged, as from vfwd_guest's flood; the wire tagged), which a
	 * popped frame would have lost. */
	vfwd_count_reason(reason, bytes);
	vfwd_xguest_say(e, VFWD_XG_FLOOD, me->uplink_id, reason);
	return 0;
pass:
	vfwd_count_reason(reason, bytes);
	if (st)
		st->rx_passed++;
	vfwd_xguest_say(e, VFWD_XG_HOST, me->uplink_id, reason);
	return 0;
drop:
	vfwd_count_reason(reason, bytes);
	if (st)
		st->rx_dropped++;
	vfwd_xguest_say(e, VFWD_XG_DROP, 0, reason);
	return 0;
}

/*
 * The entries from the last to the first, each frame's head cut out of
 * the data with bpf_xdp_adjust_head/_tail so that the rules see exactly
 * its bytes: data_end can only shrink (growing the tail again would
 * zero what it uncovers), so the batch is walked backwards.
 */
SEC("xdp")
int vfwd_xguest(struct xdp_md *ctx)
{
	__u32 n = vfwd_xg_batch.n, total, cur_off = 0, cur_end;
	int k;

	vfwd_xg_batch.done = 0;
	if (!n || n > VFWD_XG_BATCH)
		return XDP_ABORTED;
	total = ctx->data_end - ctx->data;
	/* The data must hold exactly the heads the entries describe:
	 * checked before anything is counted. */
	if (total != (n - 1) * VFWD_XG_HEAD +
			     vfwd_xguest_slot(vfwd_xg_batch.e[n - 1].len))
		return XDP_ABORTED;
	cur_end = total;
	for (k = 0; k < VFWD_XG_BATCH; k++) {
		__u32 i = n - 1 - k, off, end;

		if (k >= n)
			break;
		if (i >= VFWD_XG_BATCH)
			return XDP_ABORTED;
		off = i * VFWD_XG_HEAD;
		end = off + vfwd_xguest_slot(vfwd_xg_batch.e[i].len);
		/* Head first: moving the tail below the current head would
		 * be refused. */
		if (off != cur_off &&
		    bpf_xdp_adjust_head(ctx, (int)off - (int)cur_off))
			return XDP_ABORTED;
		cur_off = off;
		if (end != cur_end &&
		    bpf_xdp_adjust_tail(ctx, (int)end - (int)cur_end))
			return XDP_ABORTED;
		cur_end = end;
		vfwd_xguest_frame(ctx, i);
		vfwd_xg_batch.done++;
	}
	return XDP_PASS;
}

#endif /* VFWD_XGUEST_BPF_H */
