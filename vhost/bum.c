// SPDX-License-Identifier: GPL-2.0
/*
 * Broadcast and multicast for xsk guests, on the data-path thread.
 *
 * From the wire: an XSKMAP cannot be the target of a broadcast redirect,
 * so the uplink program cannot copy a BUM frame into every guest's
 * socket.  In the uplink's `pass` mode it hands such frames to the kernel
 * (XDP_PASS), and there an AF_PACKET socket on the uplink sees them: one
 * per uplink with a served guest, filtered in the kernel to group
 * addresses, in the epoll set like the AF_XDP sockets.  Each frame is
 * copied to the guests of its VLAN on that uplink, untagged, as the flood
 * of a tap port delivers it.  (Under `--bum flood` the uplink redirects
 * BUM frames to the flood devmap and the kernel never sees them: xsk
 * guests get none, a known gap.)
 *
 * From a guest: its broadcasts go to the other xsk guests of its VLAN on
 * its uplink, and out of the uplink (vhost/vring.c).
 *
 * A guest is "of VLAN v" when its access VLAN is v, or when it has none
 * and v is 0 (untagged).  A port without a VLAN gets no tagged BUM here.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_vhost.h>
#include "vhost.h"

/* Frames read from one AF_PACKET socket per wake-up. */
#define VH_BUM_BUDGET 64

/* The tag of a frame: from the packet socket's auxdata (the kernel moved
 * it out of the frame), or inline right after the MACs. *off is where
 * the untagged frame's EtherType starts: 12, or 16 past an inline tag. */
static __u16 frame_vid(const unsigned char *f, unsigned int len,
		       unsigned int *off)
{
	__u16 type;

	*off = 2 * ETH_ALEN;
	if (len < ETH_HLEN + VH_VLAN_HLEN)
		return 0;
	type = (__u16)(f[12] << 8 | f[13]);
	if (type != ETH_P_8021Q)
		return 0;
	*off += VH_VLAN_HLEN;
	return (__u16)((f[14] << 8 | f[15]) & VH_VID_MASK);
}

/* One copy of frame, built from its MACs and the rest from off on. */
static struct rte_mbuf *bum_copy(struct vh_dp *dp, const unsigned char *f,
				 unsigned int len, unsigned int off)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	unsigned int n = len - off + 2 * ETH_ALEN;
	char *dst;

	if (!m)
		return NULL;
	dst = rte_pktmbuf_append(m, n);
	if (!dst) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_memcpy(dst, f, 2 * ETH_ALEN);
	rte_memcpy(dst + 2 * ETH_ALEN, f + off, len - off);
	return m;
}

unsigned int vh_bum_to_guests(struct vh_dp *dp, const struct vh_port *from,
			      __u32 uplink_id, const unsigned char *f,
			      unsigned int len, __u16 vid, unsigned int off)
{
	unsigned int delivered = 0;

	for (unsigned int i = 0; i < dp->nports; i++) {
		struct vh_port *p = dp->ports[i];
		struct rte_mbuf *m;

		if (p == from || p->uplink_id != uplink_id ||
		    p->access_vid != vid)
			continue;
		m = bum_copy(dp, f, len, off);
		if (!m) {
			p->xs->no_vring_buf++;
			continue;
		}
		if (rte_vhost_enqueue_burst(p->dp.vid, VH_VQ_RX, &m, 1) == 1) {
			p->xs->to_guest_packets++;
			p->xs->to_guest_bytes += rte_pktmbuf_pkt_len(m);
			delivered++;
		} else {
			p->xs->no_vring_buf++;
		}
		rte_pktmbuf_free(m);
	}
	return delivered;
}

/* ---- the AF_PACKET sockets on the uplinks ---- */

/* Accept only frames whose destination is a group address (the I/G bit
 * of the first byte): unicast the kernel gets is not the guests'. */
static int bum_filter(int fd)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]),
				  .filter = code};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		return -errno;
	return 0;
}

static int bum_open(__u32 ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)ifindex,
	};
	int one = 1, fd, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The filter goes on before the bind, so no unfiltered frame is
	 * ever queued; the auxdata carries a tag the kernel took out of the
	 * frame.  Outgoing frames count too: the host's own broadcasts (its
	 * ARP requests) and those a bridge forwards from tap guests leave
	 * by the uplink, and xsk guests need them as the wire's.  (AF_XDP
	 * transmissions bypass packet sockets.) */
	err = bum_filter(fd);
	if (!err &&
	    (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	     bind(fd, (struct sockaddr *)&sll, sizeof(sll))))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static struct vh_bum_sock *bum_find(struct vh_dp *dp, __u32 uplink_id)
{
	for (unsigned int i = 0; i < VH_MAX_UPLINKS; i++)
		if (dp->bum[i].users && dp->bum[i].uplink_id == uplink_id)
			return &dp->bum[i];
	return NULL;
}

void vh_bum_get(struct vh_dp *dp, struct vh_port *p)
{
	struct vh_bum_sock *b = p->nsocks ? bum_find(dp, p->uplink_id) : NULL;
	struct epoll_event ev = {.events = EPOLLIN};
	int fd;

	p->dp.bum_uplink = 0;
	if (!p->nsocks)
		return;
	if (b)
		goto got;
	for (unsigned int i = 0; i < VH_MAX_UPLINKS && !b; i++)
		if (!dp->bum[i].users)
			b = &dp->bum[i];
	if (!b)
		return;
	fd = bum_open(p->ifindex);
	if (fd < 0) {
		vh_err("port %s: no broadcasts from %s for its guest: cannot open a packet socket: %s",
		       p->name, p->ifname, strerror(-fd));
		return;
	}
	b->fd = fd;
	b->uplink_id = p->uplink_id;
	ev.data.u64 = VH_EV(VH_EV_BUM, (__u32)(b - dp->bum));
	if (!dp->poll)
		epoll_ctl(dp->epfd, EPOLL_CTL_ADD, fd, &ev);
got:
	b->users++;
	p->dp.bum_uplink = p->uplink_id;
}

void vh_bum_put(struct vh_dp *dp, struct vh_port *p)
{
	struct vh_bum_sock *b;

	if (!p->dp.bum_uplink)
		return;
	b = bum_find(dp, p->dp.bum_uplink);
	p->dp.bum_uplink = 0;
	if (!b || --b->users)
		return;
	if (!dp->poll)
		epoll_ctl(dp->epfd, EPOLL_CTL_DEL, b->fd, NULL);
	close(b->fd);
	b->fd = -1;
}

/* Whether frame f is a broadcast an xsk guest on the uplink gave the host
 * (vhost/vring.c), now seen coming in. */
static bool from_guest(const struct vh_dp *dp, __u32 uplink_id,
		       const unsigned char *f)
{
	for (unsigned int i = 0; i < dp->nports; i++) {
		const struct vh_port *p = dp->ports[i];

		if (p->uplink_id == uplink_id &&
		    !memcmp(p->dp.bum_src, f + ETH_ALEN, ETH_ALEN))
			return true;
	}
	return false;
}

/* Read what waits on one uplink's packet socket, up to a budget, and copy
 * it to the guests.  Returns whether the budget ran out. */
static bool bum_drain(struct vh_dp *dp, struct vh_bum_sock *b)
{
	unsigned char *f = dp->bounce_in;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = {.iov_base = f, .iov_len = sizeof(dp->bounce_in)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	unsigned int i;

	for (i = 0; i < VH_BUM_BUDGET; i++) {
		struct cmsghdr *c;
		unsigned int off;
		ssize_t n;
		__u16 vid;

		msg.msg_control = &ctl;
		msg.msg_controllen = sizeof(ctl);
		n = recvmsg(b->fd, &msg, MSG_DONTWAIT);
		if (n < ETH_HLEN)
			break;
		bool outer_8021ad = false;

		vid = frame_vid(f, (unsigned int)n, &off);
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct tpacket_auxdata a;

			if (c->cmsg_level != SOL_PACKET ||
			    c->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&a, CMSG_DATA(c), sizeof(a));
			if (!(a.tp_status & TP_STATUS_VLAN_VALID))
				continue;
			vid = a.tp_vlan_tci & VH_VID_MASK;
			outer_8021ad =
				(a.tp_status & TP_STATUS_VLAN_TPID_VALID) &&
				a.tp_vlan_tpid != ETH_P_8021Q;
		}
		/* A service tag (QinQ) is no guest's VLAN: the uplink counts
		 * such frames as qinq and hands them to the kernel only.  A
		 * guest's own broadcast coming back from the host has been
		 * delivered to the guests already. */
		if (outer_8021ad || from_guest(dp, b->uplink_id, f))
			continue;
		vh_bum_to_guests(dp, NULL, b->uplink_id, f, (unsigned int)n,
				 vid, off);
	}
	return i == VH_BUM_BUDGET;
}

bool vh_bum_run(struct vh_dp *dp, bool all)
{
	bool more = false;

	for (unsigned int i = 0; i < VH_MAX_UPLINKS; i++) {
		struct vh_bum_sock *b = &dp->bum[i];

		if (!b->users || !(all || b->ready || b->more))
			continue;
		b->ready = false;
		b->more = bum_drain(dp, b);
		more |= b->more;
	}
	return more;
}

/* Guest -> guests: the frame as the rules left it (untagged for an access
 * port, as sent for one without a VLAN). */
unsigned int vh_bum_from_guest(struct vh_dp *dp, const struct vh_port *from,
			       const unsigned char *f, unsigned int len)
{
	unsigned int off;
	__u16 vid = frame_vid(f, len, &off);

	if (from->access_vid) {
		/* An access port's guest sends untagged on its VLAN. */
		vid = from->access_vid;
		off = 2 * ETH_ALEN;
	}
	return vh_bum_to_guests(dp, from, from->uplink_id, f, len, vid, off);
}

/* ---- floods from uplinks in --bum flood mode, through the relay ---- */

/* The uplink whose ifindex has these low 16 bits (the flood tag), among
 * the uplinks of the served guests; 0 if none. */
static __u32 flood_uplink(const struct vh_dp *dp, __u16 ifindex16)
{
	for (unsigned int i = 0; i < dp->nports; i++) {
		const struct vh_port *p = dp->ports[i];

		if (p->nsocks && (__u16)p->ifindex == ifindex16)
			return p->uplink_id;
	}
	return 0;
}

bool vh_bum_flood_run(struct vh_dp *dp)
{
	struct vh_sock *s = dp->flood;
	struct vh_umem *um = s->um;
	unsigned char *f = dp->bounce_in;
	__u32 idx, fidx;
	unsigned int n;

	dp->flood_ready = false;
	n = xsk_ring_cons__peek(&s->rx, VH_BURST, &idx);
	if (!n)
		return false;
	/* As in sock_to_guest: the fill ring is as large as the frames
	 * that can be out, so there is room to give n back. */
	if (xsk_ring_prod__reserve(&um->fill, n, &fidx) != n) {
		xsk_ring_cons__release(&s->rx, n);
		return true;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, idx + i);
		const unsigned char *t = vh_umem_data(um, d->addr);
		unsigned int len = d->len, off;
		__u32 uplink_id;
		__u16 vid;

		*xsk_ring_prod__fill_addr(&um->fill, fidx + i) =
			vh_umem_chunk(d->addr);
		/* MACs, the flood tag (TPID, uplink ifindex), the frame. */
		if (len < ETH_HLEN + VH_VLAN_HLEN ||
		    len - VH_VLAN_HLEN > sizeof(dp->bounce_in))
			continue;
		uplink_id = flood_uplink(dp, (__u16)(t[14] << 8 | t[15]));
		if (!uplink_id)
			continue;
		memcpy(f, t, VH_MACS_LEN);
		memcpy(f + VH_MACS_LEN, t + VH_MACS_LEN + VH_VLAN_HLEN,
		       len - VH_MACS_LEN - VH_VLAN_HLEN);
		len -= VH_VLAN_HLEN;
		vid = frame_vid(f, len, &off);
		vh_bum_to_guests(dp, NULL, uplink_id, f, len, vid, off);
	}
	xsk_ring_prod__submit(&um->fill, n);
	xsk_ring_cons__release(&s->rx, n);
	return n == VH_BURST;
}
