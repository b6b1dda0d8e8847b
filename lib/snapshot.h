/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every counter of an installation at one moment (lib/snapshot.c), and
 * the Prometheus text exposition of it (lib/prom.c): shared by `vfwd
 * stats` (text, -j, --prometheus) and vfwd-exporter, so that each shows
 * the same numbers under the same names.
 */
#ifndef VFWD_SNAPSHOT_H
#define VFWD_SNAPSHOT_H

#include <stdbool.h>
#include <stdio.h>
#include "vfwd_tables.h"

/* CPUs whose CPUMAP counters a snapshot holds: more than vfwd's
 * test and bench hosts have by far; a larger host's higher CPUs are
 * summed into the last slot rather than lost. */
#define VFWD_SNAP_CPUS 1024

struct vfwd_snapshot {
	double t; /* CLOCK_MONOTONIC seconds */
	bool used[VFWD_MAX_PORTS]; /* slots taken (the one asked for) */
	struct vfwd_port info[VFWD_MAX_PORTS]; /* every slot's entry */
	struct vfwd_port_stats port[VFWD_MAX_PORTS];
	struct vfwd_reason_ctr reason[VFWD_R_COUNT];
	/* AF_XDP ports: vfwd-vhost's counters (maps/vfwd_maps.h) */
	struct vfwd_xsk_stats xsk[VFWD_MAX_PORTS];
	/* Tap and veth ports: what their device refused of the frames
	 * redirected to it (bpf/vfwd_xmit.bpf.h), when xmit_on: the drop
	 * counter is attached. */
	bool xmit_on;
	struct vfwd_xmit_ctr xmit[VFWD_MAX_PORTS];
	/* What vfwd_uplink steered into the CPUMAP, per CPU: processed
	 * (sent) and dropped, queue full (bpf/vfwd_xmit.bpf.h), for the
	 * first ncpus CPUs, when cpumap_on. */
	bool cpumap_on;
	int ncpus;
	struct vfwd_xmit_ctr cpumap[VFWD_SNAP_CPUS];
};

/* Read every port's counters (only that slot when only >= 0), the
 * reasons', the AF_XDP ports' daemon counters and, through pin_dir's
 * pinned link, the post-redirect drops.  0 or -errno. */
int vfwd_snapshot_take(const struct vfwd_tables *t, const char *pin_dir,
		       int only, struct vfwd_snapshot *s);
/* Whether port slot id has post-redirect drop counts in s. */
bool vfwd_snapshot_has_xmit(const struct vfwd_snapshot *s, int id);

/* What each reason's frames became: "pass", "drop", "redirect" or "bum"
 * (the uplink's BUM policy). */
const char *vfwd_reason_action_str(__u32 reason);

/* vfwd-vhost's counters of an AF_XDP port, by name: X(field, help). */
#define VFWD_XSK_COUNTERS(X)                                                               \
	X(to_guest_packets, "Frames put into the guest's RX vring.")                       \
	X(to_guest_bytes, "Bytes put into the guest's RX vring.")                          \
	X(from_guest_packets, "Frames the guest sent.")                                    \
	X(from_guest_bytes, "Bytes the guest sent.")                                       \
	X(tx_sent,                                                                         \
	  "Guest frames handed on (AF_XDP tx ring, another guest, the relay).")            \
	X(ring_full,                                                                       \
	  "Frames the kernel dropped: the AF_XDP socket's rx ring was full.")              \
	X(fill_empty, "Frames the kernel dropped: the fill ring was empty.")               \
	X(no_vring_buf, "Frames dropped: the guest's RX vring had no buffer.")             \
	X(rx_invalid,                                                                      \
	  "Frames the kernel dropped on an AF_XDP socket (invalid descriptors, no room).") \
	X(tx_dropped, "Guest frames that could not be handed on.")

/* Write s in the Prometheus text exposition format (version 0.0.4):
 * every port counter, every reason counter, the AF_XDP ports' daemon
 * counters, each with # HELP and # TYPE.  Labels: port, kind, uplink
 * (the port's uplink, or the uplink itself), reason, action.  0, or
 * -EIO when out could not be written. */
int vfwd_prom_write(FILE *out, const struct vfwd_snapshot *s);

#endif /* VFWD_SNAPSHOT_H */
