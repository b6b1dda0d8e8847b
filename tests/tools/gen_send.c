// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-gen's senders (gen_send.h).  Live-frame mode is fast (several Mpps
 * from one core); some kernels refuse it with EPERM, and then the frames
 * go out through an AF_PACKET socket bound to the device, in batches with
 * sendmmsg() and past the qdisc (PACKET_QDISC_BYPASS): slower, but what
 * reaches the peer is the same.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gen_send.h"

static int pkt_open(struct gen_sender *g)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = g->ifindex,
	};
	int one = 1;

	/* Protocol 0: this socket only sends, it never receives. */
	g->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (g->pkt_fd < 0)
		return -errno;
	if (setsockopt(g->pkt_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)) ||
	    bind(g->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

/* Sends msg[0..n-1] through the AF_PACKET socket.  ENOBUFS means the
 * device queue was full: wait for it and send the rest. */
static int pkt_sendmmsg(struct gen_sender *g, struct mmsghdr *msg,
			unsigned int n)
{
	int sent;

	while (n) {
		sent = sendmmsg(g->pkt_fd, msg, n, 0);
		if (sent < 0) {
			if (errno == ENOBUFS || errno == EAGAIN ||
			    errno == EINTR) {
				sched_yield();
				continue;
			}
			return -errno;
		}
		msg += sent;
		n -= sent;
	}
	return 0;
}

/* count copies of frame through the AF_PACKET socket. */
static int pkt_send(struct gen_sender *g, const uint8_t *frame, size_t len,
		    unsigned long long count)
{
	struct mmsghdr msg[GEN_PKT_BATCH];
	struct iovec iov = {.iov_base = (void *)frame, .iov_len = len};
	unsigned int i, n;
	int err;

	if (len < ETH_HLEN)
		return -EINVAL;
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < GEN_PKT_BATCH; i++) {
		msg[i].msg_hdr.msg_iov = &iov;
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (count) {
		n = count > GEN_PKT_BATCH ? GEN_PKT_BATCH : count;
		err = pkt_sendmmsg(g, msg, n);
		if (err)
			return err;
		count -= n;
	}
	return 0;
}

/* Sends count copies of frame out of ifindex through gen_tx. */
static int live_send(int prog_fd, int ifindex, const uint8_t *frame, size_t len,
		     unsigned long long count)
{
	uint8_t short_buf[ETH_HLEN] = {0};
	struct xdp_md ctx = {
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    /* 0: the kernel's default batch (NAPI_POLL_WEIGHT). */
		    .batch_size = 0);
	int err, repeat;

	if (len < ETH_HLEN) {
		/* Everything before ctx.data is metadata, not frame. */
		ctx.data = ETH_HLEN - len;
		memcpy(short_buf + ctx.data, frame, len);
		topts.data_in = short_buf;
		topts.data_size_in = ETH_HLEN;
	} else {
		topts.data_in = frame;
		topts.data_size_in = len;
	}
	ctx.data_end = topts.data_size_in;

	/* repeat is an int; larger counts take several runs. */
	while (count) {
		repeat = count > INT_MAX ? INT_MAX : count;
		topts.repeat = repeat;
		err = bpf_prog_test_run_opts(prog_fd, &topts);
		if (err)
			return err;
		count -= repeat;
	}
	return 0;
}

int gen_send(struct gen_sender *g, const uint8_t *frame, size_t len,
	     unsigned long long count)
{
	int err;

	if (g->pkt_fd < 0) {
		err = live_send(g->prog_fd, g->ifindex, frame, len, count);
		if (err != -EPERM && err != -EOPNOTSUPP)
			return err;
		err = pkt_open(g);
		if (err)
			return err;
	}
	return pkt_send(g, frame, len, count);
}

int gen_send_each(struct gen_sender *g, uint8_t *const *frames, size_t len,
		  unsigned int n)
{
	struct mmsghdr msg[GEN_PKT_BATCH];
	struct iovec iov[GEN_PKT_BATCH];
	unsigned int i;
	int err;

	if (len < ETH_HLEN || n > GEN_PKT_BATCH)
		return -EINVAL;
	if (g->pkt_fd < 0) {
		err = pkt_open(g);
		if (err)
			return err;
	}
	memset(msg, 0, n * sizeof(msg[0]));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = len;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	return pkt_sendmmsg(g, msg, n);
}
