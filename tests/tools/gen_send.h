/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How vfwd-gen's frames leave (tests/tools/gen_send.c): a live-frame test
 * run of gen_tx, or, where the kernel refuses those, an AF_PACKET socket.
 */
#ifndef VFWD_GEN_SEND_H
#define VFWD_GEN_SEND_H

#include <stddef.h>
#include <stdint.h>

struct gen_sender {
	int prog_fd; /* gen_tx */
	int ifindex; /* --dev */
	int pkt_fd; /* -1 until the first live run is refused */
};

/* count copies of frame out of g->ifindex: 0 or -errno. */
int gen_send(struct gen_sender *g, const uint8_t *frame, size_t len,
	     unsigned long long count);

/* Frames per sendmmsg() on the AF_PACKET path: enough to amortise the
 * syscall, few enough that a veth peer's 256-entry ring keeps up.  Also
 * the most gen_send_each() takes at once. */
#define GEN_PKT_BATCH 64

/* n (at most GEN_PKT_BATCH) distinct frames of len bytes each, in order,
 * through the AF_PACKET socket (a live test run repeats one frame):
 * 0 or -errno. */
int gen_send_each(struct gen_sender *g, uint8_t *const *frames, size_t len,
		  unsigned int n);

#endif /* VFWD_GEN_SEND_H */
