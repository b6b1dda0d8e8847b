/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-side rules for frames that an XSK port's guest sends.
 *
 * vfwd-vhost takes such frames out of the guest's TX vring in userspace,
 * where no tc hook sees them.  Rather than write the rules a second time
 * in C, the daemon runs each frame through vfwd_xguest, an XDP build of
 * the same rules vfwd_guest applies on a tap (bpf/vfwd_guest_rules.bpf.h),
 * with BPF_PROG_TEST_RUN: one syscall a frame, which also counts the
 * frame on the port and under its reason like any other.  The program
 * says where the frame goes; the daemon moves it there.
 */
#ifndef VFWD_XGUEST_H
#define VFWD_XGUEST_H

#include <stddef.h>
#include <linux/types.h>
#include "vfwd_maps.h"

/* What to do with a frame a guest sent (enum vfwd_xguest_action is in
 * maps/vfwd_maps.h: the program says it). */
struct vfwd_xguest_verdict {
	__u32 action; /* enum vfwd_xguest_action */
	__u32 port_id; /* VFWD_XG_UPLINK: the uplink; VFWD_XG_PORT: the
			* destination port */
	__u32 reason; /* enum vfwd_reason the frame was counted under */
	__u32 off; /* where in out the frame to send starts */
	__u32 len; /* and its length */
};

/* The program's output is its metadata and the frame, and a tag push
 * adds one 802.1Q header: out needs len + this. */
#define VFWD_XGUEST_GROW (sizeof(struct vfwd_xguest_meta) + 4)

struct vfwd_xguest;

/* Load vfwd_xguest against the tables pinned in pin_dir. */
int vfwd_xguest_open(const char *pin_dir, struct vfwd_xguest **g, char *err,
		     size_t errlen);
void vfwd_xguest_close(struct vfwd_xguest *g);
/* Apply the rules to frame[0..len), sent by the guest of XSK port
 * port_id.  The frame as it must leave (an access VLAN's tag pushed for
 * the uplink, say) is written to out + v->off, v->len bytes; out holds
 * cap bytes, at least len + VFWD_XGUEST_GROW.  0 with *v filled, or -errno when the program
 * could not be run (the frame was then not counted). */
int vfwd_xguest_run(struct vfwd_xguest *g, __u32 port_id, const void *frame,
		    __u32 len, void *out, __u32 cap,
		    struct vfwd_xguest_verdict *v);

#endif /* VFWD_XGUEST_H */
