/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench/cpumap_hop.bpf.c's sink and bench/cpumap_hop share: the
 * frames' EtherType and the layout of the sink's per-CPU counters.
 */
#ifndef VFWD_HOP_SINK_H
#define VFWD_HOP_SINK_H

#include <linux/types.h>
#include <linux/if_ether.h>

/* IEEE 802 local experimental EtherType: nothing in the kernel parses it,
 * and the sink tells the benchmark's frames from strays by it. */
#define HOP_ETHERTYPE ETH_P_802_EX1

/* Frames with the benchmark's EtherType, and anything else that reaches
 * the sink (which would mean the namespace is not as quiet as assumed). */
enum hop_slot {
	HOP_SLOT_OURS,
	HOP_SLOT_STRAY,
	HOP_SLOTS,
};

/* Per slot and CPU: frames, and when sampled frames arrived: the
 * first_n-th (0-based) at first_ns, the last_n-th at last_ns
 * (bpf_ktime_get_ns, CLOCK_MONOTONIC), so the benchmark can time delivery
 * itself rather than around its own calls. */
struct hop_stat {
	__u64 frames;
	__u64 first_ns;
	__u64 last_ns;
	__u64 first_n;
	__u64 last_n;
};

/* Every HOP_STAMP_EVERY-th frame is time-stamped: reading the clock costs
 * tens of ns here (measured: ~50 ns/frame when every frame was), which
 * would weigh on whichever CPU runs the sink; 1 in 64 costs under 1 ns a
 * frame and leaves out at most 63 frames at each end of a run of
 * millions.  A power of two. */
#define HOP_STAMP_EVERY 64

#endif /* VFWD_HOP_SINK_H */
