/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench/paths' BPF programs (gen_flows.bpf.c, paths_sink.bpf.c,
 * paths_floor.bpf.c) and its userspace share: the benchmark frame's
 * fixed layout, and the sink's counters.
 */
#ifndef VFWD_PATHS_SINK_H
#define VFWD_PATHS_SINK_H

#include <linux/types.h>

/* Every benchmark frame is Ethernet (untagged) + IPv4 without options +
 * UDP, so the programs find the UDP header at a fixed offset. */
#define PATHS_ETH_HLEN 14
#define PATHS_IP_HLEN 20
#define PATHS_UDP_OFF (PATHS_ETH_HLEN + PATHS_IP_HLEN)
#define PATHS_UDP_HLEN 8

/* Flow f is UDP source port PATHS_SPORT_BASE + f (above the well-known
 * ports); the destination is discard, which nothing answers should a
 * frame ever leak, and which the sink checks to tell the benchmark's
 * frames from strays. */
#define PATHS_SPORT_BASE 1024
#define PATHS_DPORT 9

/* The sink's slots: the benchmark's frames, and anything else that
 * reaches it (which would mean a namespace is not as quiet as assumed,
 * or a path delivers what it should not). */
enum paths_slot {
	PATHS_SLOT_OURS,
	PATHS_SLOT_STRAY,
	PATHS_SLOTS,
};

/* Per slot and CPU: frames, and when stamped frames arrived: the
 * first_n-th (0-based) at first_ns, the last_n-th at last_ns
 * (CLOCK_MONOTONIC), so the delivered rate is timed where frames come
 * out, without the generator's fixed per-call cost in it. */
struct paths_stat {
	__u64 frames;
	__u64 first_ns;
	__u64 last_ns;
	__u64 first_n;
	__u64 last_n;
};

/* Every PATHS_STAMP_EVERY-th frame is time-stamped: reading the clock on
 * every frame costs tens of ns (measured by bench/cpumap_hop), 1 in 64
 * under 1 ns a frame.  A power of two. */
#define PATHS_STAMP_EVERY 64

#endif /* VFWD_PATHS_SINK_H */
