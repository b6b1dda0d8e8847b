// SPDX-License-Identifier: GPL-2.0
/* Which XSKMAP slots of a port hold a socket, asked of the kernel through
 * vfwd_xsk_probe (bpf/vfwd_xsk_probe.bpf.h). */
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "skel.h"
#include "vfwd_loader.h"

/* A test run needs at least an Ethernet header's worth of frame; the
 * probe's own struct is shorter.  The minimum Ethernet frame. */
#define PROBE_FRAME_LEN 60

int vfwd_xsk_queues(const char *pin_dir, __u32 port_id, __u64 *queues)
{
	__u8 frame[PROBE_FRAME_LEN] = {};
	struct vfwd_xsk_probe *pr = (struct vfwd_xsk_probe *)frame;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = sizeof(frame), .data_out = frame,
		    .data_size_out = sizeof(frame), .repeat = 1);
	struct vfwd_bpf *skel;
	int err;

	_Static_assert(sizeof(struct vfwd_xsk_probe) <= PROBE_FRAME_LEN,
		       "probe fits the frame");
	skel = vfwd_skel_open(pin_dir);
	if (!skel)
		return -errno ? -errno : -EINVAL;
	bpf_program__set_autoload(skel->progs.vfwd_xsk_probe, true);
	err = vfwd_skel_load(skel, pin_dir);
	if (!err) {
		pr->port_id = port_id;
		err = bpf_prog_test_run_opts(
			      bpf_program__fd(skel->progs.vfwd_xsk_probe),
			      &opts)
			      ? -errno
			      : 0;
	}
	if (!err && opts.retval != XDP_PASS)
		err = -EINVAL;
	if (!err)
		*queues = pr->queues;
	vfwd_bpf__destroy(skel);
	return err;
}
