/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_uplink: XDP on the host's physical NIC.  Looks up {dst MAC, VID}
 * and redirects a hit straight into the owning guest's device through the
 * tx devmap, if that guest's port follows this uplink.  Everything else
 * follows the uplink's BUM policy or, for malformed frames and another
 * uplink's ports, is dropped.  Each frame is counted once under its
 * reason and once on the uplink's rx counters.
 */
#ifndef VFWD_UPLINK_BPF_H
#define VFWD_UPLINK_BPF_H

#include "vfwd_maps.bpf.h"
#include "vfwd_parse.bpf.h"
#include "vfwd_count.bpf.h"
#include "vfwd_xdp_vlan.bpf.h"
#include "vfwd_cfg.bpf.h"
#include "vfwd_steer.bpf.h"

/* What happens to a frame that vfwd does not switch (vfwd_reason_action):
 * malformed frames, and frames for a port of another uplink, are dropped;
 * valid ones not for a known port go to the kernel, so a host bridge or
 * stack keeps handling ARP, DHCP and the rest, unless --bum flood sends
 * the BUM ones to the guests. */
static __always_inline int vfwd_uplink_verdict(__u32 reason)
{
	return vfwd_reason_action(reason) == VFWD_ACT_DROP ? XDP_DROP
							   : XDP_PASS;
}

/* Pop the tag of a frame for an access port, once: the frame's key then
 * says untagged.  Returns 0, or -1 if the frame is too short (it cannot
 * be: the parse saw the whole tag). */
static __always_inline int vfwd_uplink_pop(struct xdp_md *ctx,
					   const struct vfwd_mac_val *hit,
					   struct vfwd_l2 *l2, __u64 *bytes)
{
	if (!(hit->flags & VFWD_MAC_ACCESS) || !l2->key.vid)
		return 0;
	if (vfwd_xdp_pop_tag(ctx))
		return -1;
	l2->key.vid = VFWD_VID_NONE;
	*bytes -= sizeof(struct vfwd_vlan_hdr);
	return 0;
}

/* The frame's verdict when it is not switched: the BUM policy for a
 * broadcast, multicast, unknown or down destination, else pass or drop.
 * Counts the frame under reason and on the uplink's rx counters up. */
static __always_inline int vfwd_uplink_other(struct vfwd_port_stats *up,
					     __u32 reason, __u64 bytes)
{
	int act;

	if (cfg_bum_flood && vfwd_reason_action(reason) == VFWD_ACT_BUM) {
		/* Every guest port's egress program keeps the frames of its
		 * own VLAN and counts them; the uplink itself is never in
		 * the flood map, and EXCLUDE_INGRESS keeps it that way. */
		vfwd_count_reason(reason, bytes);
		return bpf_redirect_map(&vfwd_flood_v4, 0,
					BPF_F_BROADCAST |
						BPF_F_EXCLUDE_INGRESS);
	}
	act = vfwd_uplink_verdict(reason);
	vfwd_count_reason(reason, bytes);
	if (up) {
		if (act == XDP_DROP)
			up->rx_dropped++;
		else
			up->rx_passed++;
	}
	return act;
}

/*
 * A hit on an AF_XDP port: into the XSKMAP slot of the port's socket on
 * the queue the frame came in on (maps/vfwd_xsk_maps.h, vfwd_xsk_slot).  The
 * socket there is bound to exactly this queue, so the kernel accepts the
 * frame; any other queue's socket would drop it after XDP_REDIRECT was
 * returned, where no counter of ours sees it.  An empty slot (no
 * vfwd-vhost, or its guest is not connected) fails the redirect (flags
 * 0: XDP_ABORTED) and the frame is a port_down, handled by the BUM
 * policy like a tap whose device is gone.  AF_XDP ports are never
 * steered to CPUs: vfwd-vhost reads the socket on its own CPU.
 */
static __always_inline int vfwd_uplink_xsk(struct xdp_md *ctx,
					   struct vfwd_port_stats *up,
					   const struct vfwd_mac_val *hit,
					   struct vfwd_l2 *l2, __u64 bytes)
{
	__u32 q = ctx->rx_queue_index;
	int act;

	if (q >= VFWD_XSK_QUEUES)
		return vfwd_uplink_other(up, VFWD_R_PORT_DOWN, bytes);
	act = bpf_redirect_map(&vfwd_xsk_v4, vfwd_xsk_slot(hit->port_id, q), 0);
	if (act != XDP_REDIRECT)
		return vfwd_uplink_other(up, VFWD_R_PORT_DOWN, bytes);
	/* As for a devmap target: the redirect only recorded the slot, so
	 * the tag can come off after it. */
	if (vfwd_uplink_pop(ctx, hit, l2, &bytes))
		return vfwd_uplink_other(up, VFWD_R_ERROR, bytes);
	vfwd_count_tx(hit->port_id, bytes);
	vfwd_count_reason(VFWD_R_FWD, bytes);
	return act;
}

SEC("xdp")
int vfwd_uplink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct vfwd_port_stats *up = vfwd_port_stats(cfg_uplink_port);
	struct vfwd_mac_val *hit;
	struct vfwd_port *p;
	struct vfwd_l2 l2;
	int act, cpu;
	__u32 reason;

	if (up) {
		up->rx_packets++;
		up->rx_bytes += bytes;
	}

	reason = vfwd_parse_l2(data, data_end, &l2);
	if (reason != VFWD_R_FWD)
		goto other;
	if (l2.key.mac[0] & 1) {
		reason = vfwd_classify_group(&l2);
		goto other;
	}
	hit = vfwd_mac_lookup(&l2.key);
	if (!hit) {
		reason = VFWD_R_UNKNOWN;
		goto other;
	}
	/* The MAC table is host-wide, but two uplinks are two networks: a
	 * frame is delivered only to a port of the uplink it came in on.
	 * One read of the port's slot (an array lookup the verifier
	 * inlines) serves this check and the steering below, in both XDP
	 * modes.  Port id 0 is never an uplink's, so a port bound to no
	 * uplink (uplink_id 0) receives from none; no slot at all (an id
	 * past the table) is no port of this uplink either.  The check
	 * comes before the device's: another network's port is not this
	 * frame's business, up or down. */
	p = bpf_map_lookup_elem(&vfwd_port_v4, &hit->port_id);
	if (!p || p->uplink_id != cfg_uplink_port) {
		reason = VFWD_R_OTHER_UPLINK;
		goto other;
	}
	if (p->kind == VFWD_PORT_XSK)
		return vfwd_uplink_xsk(ctx, up, hit, &l2, bytes);
	/* An skb-mode uplink never steers (cfg_generic). */
	cpu = cfg_generic ? VFWD_NO_CPU
			  : vfwd_steer_cpu(p, data, data_end, &l2);
	/* A frame already on its CPU is delivered here: through the CPUMAP
	 * it would only wait for this CPU's own kthread and end in the same
	 * tap queue.  Measured (bench/cpumap_hop): ~300 ns of CPU per frame
	 * and 0.3x the rate of a direct redirect. */
	if (cpu != VFWD_NO_CPU && cpu != (int)bpf_get_smp_processor_id()) {
		/* The frame leaves this CPU, so whether the port's device
		 * is there is asked now: a missing devmap entry (the kernel
		 * removed it with the device) is a port down here. */
		if (!bpf_map_lookup_elem(&vfwd_tx_v4, &hit->port_id))
			goto down;
		if (vfwd_uplink_pop(ctx, hit, &l2, &bytes))
			goto error;
		if (vfwd_steer(ctx, hit->port_id, cpu) == XDP_REDIRECT) {
			/* tx is counted by vfwd_cpu, on the CPU that
			 * finishes the frame. */
			vfwd_count_reason(VFWD_R_FWD, bytes);
			return XDP_REDIRECT;
		}
	}
	/* Flags 0: a missing devmap entry returns XDP_ABORTED rather than
	 * XDP_REDIRECT, which is how a port whose device vanished (the
	 * kernel removed its entry) is told apart from a delivered frame.
	 * The redirect only records the target, so the tag can still be
	 * popped after it. */
	act = bpf_redirect_map(&vfwd_tx_v4, hit->port_id, 0);
	if (act == XDP_REDIRECT) {
		if (vfwd_uplink_pop(ctx, hit, &l2, &bytes))
			goto error;
		vfwd_count_tx(hit->port_id, bytes);
		vfwd_count_reason(VFWD_R_FWD, bytes);
		return act;
	}
down:
	reason = VFWD_R_PORT_DOWN;
	goto other;
error:
	reason = VFWD_R_ERROR;

other:
	return vfwd_uplink_other(up, reason, bytes);
}

#endif /* VFWD_UPLINK_BPF_H */
