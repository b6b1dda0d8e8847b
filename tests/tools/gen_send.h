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

#endif /* VFWD_GEN_SEND_H */
