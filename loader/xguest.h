/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-side rules for frames that an XSK port's guest sends.
 *
 * vfwd-vhost takes such frames out of the guest's TX vring in userspace,
 * where no tc hook sees them.  Rather than write the rules a second time
 * in C, the daemon runs the frames through vfwd_xguest, an XDP build of
 * the same rules vfwd_guest applies on a tap (bpf/vfwd_guest_rules.bpf.h),
 * with BPF_PROG_TEST_RUN: one syscall per burst of up to VFWD_XG_BATCH
 * frames, which also counts each frame on its port and under its reason
 * like any other.  The program says where each frame goes and what
 * becomes of its tag; vfwd_xguest_emit writes the frame that way.
 *
 * Use: vfwd_xguest_add each frame (its index in the batch comes back),
 * vfwd_xguest_run, read the answers with vfwd_xguest_answer; the next
 * vfwd_xguest_add starts a new batch.
 */
#ifndef VFWD_XGUEST_H
#define VFWD_XGUEST_H

#include <stddef.h>
#include <linux/types.h>
#include "vfwd_maps.h"

/* A pushed 802.1Q tag: what vfwd_xguest_emit may add to a frame. */
#define VFWD_XGUEST_GROW 4

struct vfwd_xguest;

/* Load vfwd_xguest against the tables pinned in pin_dir. */
int vfwd_xguest_open(const char *pin_dir, struct vfwd_xguest **g, char *err,
		     size_t errlen);
void vfwd_xguest_close(struct vfwd_xguest *g);
/* Queue a frame of len bytes sent by the guest of XSK port port_id;
 * head holds its first min(len, VFWD_XG_HEAD) bytes.  Returns the
 * frame's index for vfwd_xguest_answer, or -ENOSPC when the batch is
 * full (run it first). */
int vfwd_xguest_add(struct vfwd_xguest *g, __u32 port_id, const void *head,
		    __u32 len);
/* Frames queued since the last run. */
unsigned int vfwd_xguest_queued(const struct vfwd_xguest *g);
/* Apply the rules to the queued frames.  0 when every one was answered;
 * -errno when the program could not be run (no frame was counted). */
int vfwd_xguest_run(struct vfwd_xguest *g);
/* The answer for frame i of the last run; NULL when that run failed. */
const struct vfwd_xguest_ent *vfwd_xguest_answer(const struct vfwd_xguest *g,
						 unsigned int i);
/* Write frame[0..len) as answer e says it leaves (its tag pushed or
 * popped) to out, which holds cap bytes.  Returns the length written, or
 * -ENOSPC when out is too small, -EINVAL when the frame cannot carry the
 * change (no tag to pop). */
int vfwd_xguest_emit(const struct vfwd_xguest_ent *e, const void *frame,
		     __u32 len, void *out, __u32 cap);

#endif /* VFWD_XGUEST_H */
