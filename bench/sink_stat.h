/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of the benchmarks' sinks (the XDP programs of
 * sink_count.bpf.h, and bench/paths' tap readers) and what reads them:
 * frames per slot and CPU, and when some of them arrived.
 */
#ifndef VFWD_SINK_STAT_H
#define VFWD_SINK_STAT_H

#include <stdbool.h>
#include <linux/types.h>

/* The benchmark's frames, and anything else that reaches a sink (which
 * would mean a namespace is not as quiet as assumed, or a path delivers
 * what it should not). */
enum sink_slot {
	SINK_SLOT_OURS,
	SINK_SLOT_STRAY,
	SINK_SLOTS,
};

/* Per slot and CPU: frames, and when stamped frames arrived: the
 * first_n-th (0-based) at first_ns, the last_n-th at last_ns
 * (CLOCK_MONOTONIC, which bpf_ktime_get_ns reads), so that the benchmark
 * can time delivery where frames come out, rather than around its own
 * calls with their fixed cost. */
struct sink_stat {
	__u64 frames;
	__u64 first_ns;
	__u64 last_ns;
	__u64 first_n;
	__u64 last_n;
};

/* Every SINK_STAMP_EVERY-th frame is time-stamped: reading the clock costs
 * tens of ns in XDP (measured: ~50 ns/frame when every frame was), which
 * would weigh on whichever CPU runs the sink; 1 in 64 costs under 1 ns a
 * frame and leaves out at most 63 frames at each end of a run of
 * millions.  A power of two. */
#define SINK_STAMP_EVERY 64

/* Is the frame st is about to count one to stamp? */
static inline bool sink_stamp_due(const struct sink_stat *st)
{
	return !(st->frames & (SINK_STAMP_EVERY - 1));
}

/* Record that the frame st is about to count arrived at now_ns. */
static inline void sink_stamp(struct sink_stat *st, __u64 now_ns)
{
	if (!st->first_ns) {
		st->first_ns = now_ns;
		st->first_n = st->frames;
	}
	st->last_ns = now_ns;
	st->last_n = st->frames;
}

#endif /* VFWD_SINK_STAT_H */
