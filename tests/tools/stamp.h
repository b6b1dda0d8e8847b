/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame stamps, for tests that check when a frame was sent against where
 * it arrived (tests/integration/test_churn.sh).  vfwd-gen --stamp writes
 * a stamp at the start of each frame's UDP payload; vfwd-sink --stamps
 * FILE appends one record per stamped frame it receives.  Generator and
 * sink run on one host, so both are in its byte order, and the times are
 * CLOCK_MONOTONIC, which every process of the host shares.
 */
#ifndef VFWD_STAMP_H
#define VFWD_STAMP_H

#include <stdint.h>
#include <time.h>

/* "vfst" */
#define VFWD_STAMP_MAGIC 0x76667374U

/* In the UDP payload, unaligned.  sent_ns is read just before the frame
 * is handed to the kernel, so the frame cannot have been forwarded
 * earlier. */
struct vfwd_stamp {
	uint32_t magic;
	uint64_t seq; /* 0, 1, ... in the order the generator sends */
	uint64_t sent_ns;
} __attribute__((packed));
_Static_assert(sizeof(struct vfwd_stamp) == 20, "stamp layout");

/* One record of vfwd-sink --stamps, Python struct "=6sHQQQ".  recv_ns is
 * read after the read that returned the frame, so the frame had been
 * forwarded before it. */
struct vfwd_stamp_rec {
	uint8_t dst[6];
	uint16_t vid; /* outermost VLAN as received, 0 untagged */
	uint64_t seq;
	uint64_t sent_ns;
	uint64_t recv_ns;
};
_Static_assert(sizeof(struct vfwd_stamp_rec) == 32, "record layout");

static inline uint64_t vfwd_stamp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif /* VFWD_STAMP_H */
