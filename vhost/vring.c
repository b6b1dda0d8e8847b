// SPDX-License-Identifier: GPL-2.0
/*
 * Moving frames, on the data-path thread only.
 *
 * Wire -> guest: a socket's rx ring -> copy into mbufs -> the guest's RX
 * vring (rte_vhost_enqueue_burst, which copies into guest memory); the
 * UMEM frames go straight back to the fill ring.
 *
 * Guest -> anywhere: the guest's TX vring (rte_vhost_dequeue_burst) ->
 * vfwd_xguest, the guest-side rules in BPF, one run per burst, which
 * says where each frame goes -> the frame written as it must leave (its
 * tag pushed or popped) into a UMEM TX frame -> the uplink socket's tx
 * ring, or a copy into another guest's RX vring or the relay.
 *
 * Counters (struct vfwd_xsk_stats of the port): to_guest_* what entered
 * the guest's RX vring, no_vring_buf what it had no buffer for;
 * from_guest_* what the guest sent; tx_sent what was handed on (an AF_XDP
 * tx ring, or another guest's RX vring), tx_dropped what could not be
 * (no uplink socket, tx ring full, destination guest full or gone, or a
 * destination not served yet).  Frames the rules refuse are counted by
 * the program, under their reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_vhost.h>
#include "vhost.h"
#include "xguest.h"

/* ---- wire -> guest ---- */

/* One burst from a socket's rx ring into the guest.  The UMEM frames are
 * copied out and recycled before the enqueue: the fill ring then never
 * waits for the guest. */
static unsigned int sock_to_guest(struct vh_dp *dp, struct vh_port *p,
				  struct vh_sock *s)
{
	struct rte_mbuf *m[VH_BURST];
	struct vh_umem *um = s->um;
	unsigned int n, got = 0, sent;
	__u32 idx, fidx;
	__u64 bytes = 0;

	n = xsk_ring_cons__peek(&s->rx, VH_BURST, &idx);
	if (!n)
		return 0;
	/* Every rx frame came out of the fill ring, which is as large as
	 * the rx frame set: there is always room to give n back. */
	if (xsk_ring_prod__reserve(&um->fill, n, &fidx) != n) {
		vh_err("port %s: fill ring of %s queue %u has no room: frames lost",
		       p->name, p->ifname, s->queue);
		xsk_ring_cons__release(&s->rx, n);
		return n;
	}
	if (rte_pktmbuf_alloc_bulk(dp->pool, m, n) == 0)
		got = n;
	for (unsigned int i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, idx + i);

		if (got) {
			char *dst = rte_pktmbuf_append(m[i], d->len);

			if (dst)
				rte_memcpy(dst, vh_umem_data(um, d->addr),
					   d->len);
		}
		*xsk_ring_prod__fill_addr(&um->fill, fidx + i) =
			vh_umem_chunk(d->addr);
	}
	xsk_ring_prod__submit(&um->fill, n);
	xsk_ring_cons__release(&s->rx, n);
	/* Zero-copy drivers sleep until told the fill ring has frames. */
	if (xsk_ring_prod__needs_wakeup(&um->fill))
		recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	if (!got) {
		/* No mbufs: the pool is sized so this does not happen. */
		p->xs->no_vring_buf += n;
		return n;
	}
	sent = rte_vhost_enqueue_burst(p->dp.vid, VH_VQ_RX, m, n);
	for (unsigned int i = 0; i < sent; i++)
		bytes += rte_pktmbuf_pkt_len(m[i]);
	p->xs->to_guest_packets += sent;
	p->xs->to_guest_bytes += bytes;
	p->xs->no_vring_buf += n - sent;
	/* rte_vhost copied what it took; the mbufs stay ours. */
	rte_pktmbuf_free_bulk(m, n);
	return n;
}

void vh_wire_to_guest(struct vh_dp *dp, struct vh_port *p)
{
	bool more = false;

	for (unsigned int q = 0; q < p->nsocks; q++)
		if (sock_to_guest(dp, p, &p->socks[q]) == VH_BURST)
			more = true;
	/* What tap and veth guests sent it, through the relay. */
	if (p->relay_open && sock_to_guest(dp, p, &p->relay) == VH_BURST)
		more = true;
	p->dp.rx_more = more;
	p->dp.rx_ready = false;
}

/* ---- guest -> uplink ---- */

/*
 * Hand the tx ring to the kernel.  In copy mode a sendto() sends up to
 * the socket's budget (32 frames unless raised, see xsk_port.c) and says
 * EAGAIN while more wait or the completion ring is full: reap and kick
 * again, a bounded number of times; what is left goes on the next round
 * (tx_pending).  EBUSY means the device dropped one frame (veth: its
 * peer's ring was full), which the kernel completed unsent.  Zero-copy
 * drivers need a kick only when they ask for one.
 *
 * tx_sent counts what the kernel took from the ring and did not drop.
 */
void vh_sock_tx_flush(struct vh_sock *s)
{
	__u32 cons;
	__u64 dropped = 0;

	for (unsigned int i = 0; i < VH_TX_MAX_KICKS; i++) {
		if (xsk_prod_nb_free(&s->tx, VH_RING_SIZE) == VH_RING_SIZE)
			break;
		if (!xsk_ring_prod__needs_wakeup(&s->tx))
			break;
		if (sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) == 0)
			continue;
		if (errno == EBUSY)
			dropped++;
		else if (errno != EAGAIN && errno != ENOBUFS)
			break;
		vh_umem_reap(s->um);
	}
	vh_umem_reap(s->um);
	cons = __atomic_load_n(s->tx.consumer, __ATOMIC_ACQUIRE);
	s->xs->tx_sent += (__u32)(cons - s->tx_cons) - dropped;
	s->xs->tx_dropped += dropped;
	s->tx_cons = cons;
	s->tx_pending =
		xsk_prod_nb_free(&s->tx, VH_RING_SIZE) != VH_RING_SIZE &&
		xsk_ring_prod__needs_wakeup(&s->tx);
}

/* How many frames the port can send to the wire now: its socket's free
 * tx descriptors and UMEM TX frames.  The guest's frames wait in its
 * vring until there is room, as they would for a NIC, instead of being
 * dropped here. */
static unsigned int tx_room(struct vh_sock *s)
{
	unsigned int room;

	if (!s)
		return VH_BURST;
	if (s->um->n_tx_free < VH_BURST)
		vh_umem_reap(s->um);
	room = xsk_prod_nb_free(&s->tx, VH_BURST);
	if (room > s->um->n_tx_free)
		room = s->um->n_tx_free;
	return room < VH_BURST ? room : VH_BURST;
}

/* ---- guest -> guest ---- */

struct vh_fwd {
	struct vh_port *to;
	struct rte_mbuf *m;
};

/* Deliver the burst's guest-to-guest frames, one enqueue per
 * destination. */
static void fwd_flush(struct vh_port *src, struct vh_fwd *f, unsigned int n)
{
	struct rte_mbuf *m[VH_BURST];

	for (unsigned int i = 0; i < n; i++) {
		struct vh_port *to = f[i].to;
		unsigned int k = 0, sent;
		__u64 bytes = 0;

		if (!to)
			continue;
		for (unsigned int j = i; j < n; j++) {
			if (f[j].to == to) {
				m[k++] = f[j].m;
				f[j].to = NULL;
			}
		}
		sent = rte_vhost_enqueue_burst(to->dp.vid, VH_VQ_RX, m, k);
		for (unsigned int j = 0; j < sent; j++)
			bytes += rte_pktmbuf_pkt_len(m[j]);
		to->xs->to_guest_packets += sent;
		to->xs->to_guest_bytes += bytes;
		to->xs->no_vring_buf += k - sent;
		src->xs->tx_sent += sent;
		src->xs->tx_dropped += k - sent;
		rte_pktmbuf_free_bulk(m, k);
	}
}

static struct rte_mbuf *mbuf_copy(struct vh_dp *dp, const void *data, __u32 len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	char *dst;

	if (!m)
		return NULL;
	dst = rte_pktmbuf_append(m, len);
	if (!dst) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_memcpy(dst, data, len);
	return m;
}

/* ---- guest -> anywhere ---- */

/* The kind of port id as of the last scan: read without the lock, as
 * one aligned word the control thread rewrites in place. */
static __u32 vh_port_kind(__u32 id)
{
	return vh->scan[id].kind;
}

struct vh_txctx {
	struct vh_sock *s; /* the port's socket that sends to the wire */
	unsigned int queued; /* descriptors reserved in its tx ring */
	struct vh_sock *r; /* its socket on the relay, or NULL */
	unsigned int rqueued; /* descriptors reserved in that one's */
	struct vh_fwd fwd[VH_BURST];
	unsigned int nfwd;
};

/* Put the tag tpid/tci at dst, as it sits after the MACs. */
static unsigned char *put_tag(unsigned char *dst, __u16 tpid, __u16 tci)
{
	dst[0] = tpid >> 8;
	dst[1] = tpid & 0xff;
	dst[2] = tci >> 8;
	dst[3] = tci & 0xff;
	return dst + VH_VLAN_HLEN;
}

/*
 * A copy of frame f into a UMEM TX frame of its own on socket s, queued
 * in its tx ring (*queued counts what the caller submits): an access
 * port's frame leaves for the wire or the host with its tag, which the
 * rules left off, and one for the relay with a relay tag naming relay_to
 * in front of that.  Counted as tx_dropped when there is no room.
 */
static void tx_copy(struct vh_port *p, struct vh_sock *s, unsigned int *queued,
		    const unsigned char *f, __u32 len, __u32 relay_to,
		    bool vlan)
{
	__u32 tags = (relay_to ? VFWD_RELAY_HLEN : 0) +
		     (vlan && p->access_vid ? VH_VLAN_HLEN : 0),
	      idx;
	struct vh_umem *um;
	unsigned char *dst;
	__u64 addr;

	if (!s || len < VH_MACS_LEN || len + tags > VH_FRAME_SIZE) {
		p->xs->tx_dropped++;
		return;
	}
	um = s->um;
	if (vh_umem_tx_alloc(um, &addr)) {
		p->xs->tx_dropped++;
		return;
	}
	if (xsk_ring_prod__reserve(&s->tx, 1, &idx) != 1) {
		vh_umem_tx_free(um, addr);
		p->xs->tx_dropped++;
		return;
	}
	dst = vh_umem_data(um, addr);
	memcpy(dst, f, VH_MACS_LEN);
	dst += VH_MACS_LEN;
	if (relay_to)
		dst = put_tag(dst, VFWD_RELAY_TO_KERNEL_TPID, (__u16)relay_to);
	if (vlan && p->access_vid)
		dst = put_tag(dst, VH_TPID_8021Q, p->access_vid & VH_VID_MASK);
	memcpy(dst, f + VH_MACS_LEN, len - VH_MACS_LEN);
	xsk_ring_prod__tx_desc(&s->tx, idx)->addr = addr;
	xsk_ring_prod__tx_desc(&s->tx, idx)->len = len + tags;
	(*queued)++;
}

/*
 * A guest's flood (--bum flood) to the tap and veth ports of its VLAN on
 * its uplink, one copy each through the relay, untagged as the uplink's
 * own flood delivers it (vfwd_egress).  The port table is the last
 * scan's, read without the lock: a port added since gets the next
 * flood.  Tagged floods from a port without a VLAN are left out.
 */
static void flood_to_ports(struct vh_port *p, struct vh_txctx *c,
			   const unsigned char *f, __u32 len)
{
	__u16 tpid = len > VH_MACS_LEN + 1 ? (__u16)(f[12] << 8 | f[13]) : 0;

	if (!c->r || (!p->access_vid && tpid == VH_TPID_8021Q))
		return;
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		const struct vfwd_port *m = &vh->scan[id];

		if ((m->kind != VFWD_PORT_TAP && m->kind != VFWD_PORT_VETH) ||
		    m->uplink_id != p->uplink_id || m->vid != p->access_vid)
			continue;
		tx_copy(p, c->r, &c->rqueued, f, len, id, false);
	}
}

/* One frame the guest sent, with the rules' answer e: move it. */
static void guest_frame(struct vh_dp *dp, struct vh_port *p, struct vh_txctx *c,
			struct rte_mbuf *m, const struct vfwd_xguest_ent *e)
{
	__u32 len = rte_pktmbuf_pkt_len(m), cap = sizeof(dp->bounce_out);
	struct vh_umem *um = c->s ? c->s->um : NULL;
	unsigned char *out = dp->bounce_out;
	__u64 addr = VH_NO_FRAME;
	struct rte_mbuf *copy;
	const void *data;
	__u32 idx;
	int olen;

	if (e->action == VFWD_XG_DROP)
		return;
	data = rte_pktmbuf_read(m, 0, len, dp->bounce_in);
	/* A frame for the wire is written straight into a UMEM TX frame,
	 * not copied again (room for a pushed tag only when one is). */
	if (e->action == VFWD_XG_UPLINK && um &&
	    len + (e->tag == VFWD_XG_TAG_PUSH ? VFWD_XGUEST_GROW : 0) <=
		    VH_FRAME_SIZE &&
	    !vh_umem_tx_alloc(um, &addr)) {
		out = vh_umem_data(um, addr);
		cap = VH_FRAME_SIZE;
	}
	if (data && e->tag == VFWD_XG_TAG_KEEP && addr == VH_NO_FRAME) {
		/* Left as sent and copied again wherever it goes (the relay,
		 * another guest, the flood copies): read it where it is. */
		out = (unsigned char *)data;
		olen = (int)len;
	} else {
		olen = data ? vfwd_xguest_emit(e, data, len, out, cap)
			    : -EINVAL;
	}
	if (olen < 0) {
		p->xs->tx_dropped++;
		goto out;
	}
	switch (e->action) {
	case VFWD_XG_UPLINK:
		/* A guest leaves by its own uplink, where its sockets are. */
		if (addr == VH_NO_FRAME || e->to != p->uplink_id ||
		    xsk_ring_prod__reserve(&c->s->tx, 1, &idx) != 1) {
			p->xs->tx_dropped++;
			break;
		}
		xsk_ring_prod__tx_desc(&c->s->tx, idx)->addr = addr;
		xsk_ring_prod__tx_desc(&c->s->tx, idx)->len = olen;
		c->queued++;
		addr = VH_NO_FRAME; /* the ring has it now */
		break;
	case VFWD_XG_PORT:
		if (e->to >= VFWD_MAX_PORTS) {
			p->xs->tx_dropped++;
			break;
		}
		/* A tap or veth port (the rules checked it has a device):
		 * through the relay, the frame as the rules left it. */
		if (!dp->by_id[e->to] && vh_port_kind(e->to) != VFWD_PORT_XSK) {
			tx_copy(p, c->r, &c->rqueued, out, olen, e->to, false);
			break;
		}
		/* Another guest of this daemon: vring to vring, no kernel.
		 * Not attached (its guest is away): dropped. */
		if (!dp->by_id[e->to] || !(copy = mbuf_copy(dp, out, olen))) {
			p->xs->tx_dropped++;
			break;
		}
		c->fwd[c->nfwd].to = dp->by_id[e->to];
		c->fwd[c->nfwd++].m = copy;
		break;
	case VFWD_XG_FLOOD:
	case VFWD_XG_HOST:
		/* A broadcast or multicast, in either BUM mode: to the
		 * other xsk guests of its VLAN and out of its uplink; in
		 * the pass mode (VFWD_XG_HOST) to the kernel too, into the
		 * uplink's receive path through the relay, as a tap guest's
		 * goes to the kernel on its tap.  (Under --bum flood, tap
		 * ports do not get it yet.) */
		if (!(out[0] & 1)) {
			/* Unicast for the host itself: into the uplink's
			 * receive path, through the relay, tagged as the
			 * wire would have it. */
			tx_copy(p, c->r, &c->rqueued, out, olen, e->to, true);
			break;
		}
		p->xs->tx_sent += vh_bum_from_guest(dp, p, out, olen);
		if (e->to != p->uplink_id)
			break;
		tx_copy(p, c->s, &c->queued, out, olen, 0, true);
		if (e->action == VFWD_XG_FLOOD)
			flood_to_ports(p, c, out, olen);
		if (e->action == VFWD_XG_HOST) {
			/* The packet socket on the uplink will see this
			 * copy come in; the guests got theirs above. */
			memcpy(p->dp.bum_src, out + ETH_ALEN, ETH_ALEN);
			tx_copy(p, c->r, &c->rqueued, out, olen, e->to, true);
		}
		break;
	default:
		p->xs->tx_dropped++;
		break;
	}
out:
	if (addr != VH_NO_FRAME)
		vh_umem_tx_free(um, addr);
}

/* The rules for a whole burst in one program run.  Frames too large to
 * be moved (past bounce_in) are dropped here, uncounted by the program;
 * ans[i] is NULL for them, and for all when the run failed. */
static void guest_rules(struct vh_dp *dp, struct vh_port *p,
			struct rte_mbuf **m, unsigned int n,
			const struct vfwd_xguest_ent **ans)
{
	unsigned char head[VFWD_XG_HEAD];
	int idx[VH_BURST], err;
	unsigned int i;

	for (i = 0; i < n; i++) {
		__u32 len = rte_pktmbuf_pkt_len(m[i]);
		const void *h;

		p->xs->from_guest_packets++;
		p->xs->from_guest_bytes += len;
		idx[i] = -1;
		if (len > sizeof(dp->bounce_in))
			continue;
		h = rte_pktmbuf_read(
			m[i], 0, len < VFWD_XG_HEAD ? len : VFWD_XG_HEAD, head);
		if (h)
			idx[i] = vfwd_xguest_add(dp->xg, p->id, h, len);
	}
	if (vfwd_xguest_queued(dp->xg) && (err = vfwd_xguest_run(dp->xg))) {
		/* At most once a second: it may fail for every burst. */
		static time_t said;
		time_t now = time(NULL);

		if (now != said) {
			said = now;
			vh_err("port %s: the guest rules (vfwd_xguest) did not run: %s: frames dropped",
			       p->name, strerror(-err));
		}
		for (i = 0; i < n; i++)
			idx[i] = -1;
	}
	for (i = 0; i < n; i++) {
		ans[i] =
			idx[i] >= 0 ? vfwd_xguest_answer(dp->xg, idx[i]) : NULL;
		if (!ans[i])
			p->xs->tx_dropped++;
	}
}

/* One dequeue burst of at most room frames, moved on.  Returns the
 * frames dequeued. */
static unsigned int guest_burst(struct vh_dp *dp, struct vh_port *p,
				unsigned int room)
{
	struct rte_mbuf *m[VH_BURST];
	const struct vfwd_xguest_ent *ans[VH_BURST];
	struct vh_txctx c = {.s = p->nsocks ? &p->socks[0] : NULL,
			     .r = p->relay_open ? &p->relay : NULL};
	unsigned int n;

	n = rte_vhost_dequeue_burst(p->dp.vid, VH_VQ_TX, dp->pool, m, room);
	if (!n)
		return 0;
	guest_rules(dp, p, m, n, ans);
	for (unsigned int i = 0; i < n; i++)
		if (ans[i])
			guest_frame(dp, p, &c, m[i], ans[i]);
	rte_pktmbuf_free_bulk(m, n);
	if (c.queued) {
		xsk_ring_prod__submit(&c.s->tx, c.queued);
		vh_sock_tx_flush(c.s);
		if (c.s->tx_pending)
			p->dp.sock_pending = true;
	}
	if (c.rqueued) {
		xsk_ring_prod__submit(&c.r->tx, c.rqueued);
		vh_sock_tx_flush(c.r);
		if (c.r->tx_pending)
			p->dp.sock_pending = true;
	}
	fwd_flush(p, c.fwd, c.nfwd);
	return n;
}

/*
 * Drain the guest's TX vring with its kicks off, then turn them on and
 * look once more before sleeping: a frame queued in between would
 * otherwise wait for the next kick.  Under VIRTIO_RING_F_EVENT_IDX the
 * guest kicks only when it passes the avail index we last published, and
 * only enabling publishes it, so this is also what re-arms the kick.
 * With --poll the kicks stay off.  Out of room to send, the kicks stay
 * off too: the data path comes back when the kernel has completed some.
 */
void vh_guest_to_any(struct vh_dp *dp, struct vh_port *p)
{
	struct vh_sock *s = p->nsocks ? &p->socks[0] : NULL;
	unsigned int n = 0, room, bursts = 0;
	eventfd_t v;

	if (p->dp.kicked && p->dp.kickfd >= 0)
		eventfd_read(p->dp.kickfd, &v);
	p->dp.kicked = false;
	if (p->dp.notify_on) {
		rte_vhost_enable_guest_notification(p->dp.vid, VH_VQ_TX, 0);
		p->dp.notify_on = false;
	}
	p->dp.tx_blocked = false;
	do {
		room = tx_room(s);
		if (!room) {
			p->dp.tx_blocked = true;
			p->dp.tx_more = false;
			return;
		}
		n = guest_burst(dp, p, room);
	} while (n == room && ++bursts < VH_BUDGET_BURSTS);
	p->dp.tx_more = n == room;
	if (p->dp.tx_more || dp->poll)
		return;
	rte_vhost_enable_guest_notification(p->dp.vid, VH_VQ_TX, 1);
	p->dp.notify_on = true;
	room = tx_room(s);
	if (room && guest_burst(dp, p, room))
		p->dp.tx_more = true;
	else if (!room)
		p->dp.tx_blocked = true;
}

/*
 * Before a port's sockets close: its slots are empty already, so what is
 * left in the rx rings goes back to the fill ring (the guest is gone:
 * no_vring_buf), and the tx rings are flushed.  Frames left in a closed
 * socket's rings would be lost to the shared UMEM for good.
 */
static void sock_quiesce(struct vh_port *p, struct vh_sock *s)
{
	struct vh_umem *um = s->um;
	__u32 idx, fidx;
	unsigned int n;

	while ((n = xsk_ring_cons__peek(&s->rx, VH_BURST, &idx))) {
		if (xsk_ring_prod__reserve(&um->fill, n, &fidx) != n)
			break;
		for (unsigned int i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&um->fill, fidx + i) =
				vh_umem_chunk(
					xsk_ring_cons__rx_desc(&s->rx, idx + i)
						->addr);
		xsk_ring_prod__submit(&um->fill, n);
		xsk_ring_cons__release(&s->rx, n);
		p->xs->no_vring_buf += n;
	}
	vh_sock_tx_flush(s);
}

void vh_port_quiesce(struct vh_port *p)
{
	for (unsigned int q = 0; q < p->nsocks; q++)
		sock_quiesce(p, &p->socks[q]);
	if (p->relay_open)
		sock_quiesce(p, &p->relay);
}
