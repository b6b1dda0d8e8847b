/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/cpumap_hop's pieces: set-up (hop_setup.c), one measured run
 * (hop_run.c), and the report (hop_report.c).  What is measured and how
 * is told in cpumap_hop.c.
 */
#ifndef VFWD_CPUMAP_HOP_H
#define VFWD_CPUMAP_HOP_H

#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "bench_lib.h"
#include "cpumap_hop.skel.h"

#define PROG "cpumap_hop"

#define UPLINK_PORT 1
#define HOP_PORT 2

/* The generator is pinned to GEN_CPU; steer-other-cpu steers to
 * OTHER_CPU. */
#define GEN_CPU 0
#define OTHER_CPU 1
/* Index of a CPU in the per-CPU arrays below: 0 for GEN_CPU, 1 for
 * OTHER_CPU. */
#define HOP_CPUS 2

enum variant {
	V_DIRECT,
	V_STEER_SAME,
	V_STEER_OTHER,
	V_COUNT,
};

extern const char *const hop_vnames[V_COUNT];

/* One run of one variant; CPU times are per frame, -1 when unknown. */
struct sample {
	double ns; /* wall ns per frame sent */
	double mpps; /* delivered between the sink's first and last stamp */
	double delivered_pct; /* delivered once the queues drained */
	double qdrop_pct; /* lost before vfwd_cpu ran (CPUMAP ring full) */
	double gen_cpu_ns; /* generator thread, per frame sent */
	double kth_cpu_ns; /* cpumap kthread, per frame it handled */
	double kth_busy_pct; /* its CPU time over the wall time */
	double kth_wait_pct; /* its run-queue wait over the wall time */
	double path_cpu_ns; /* gen_cpu_ns + kth_cpu_ns */
	double other_pct; /* GEN_CPU's wall time spent on neither */
};

struct hop_env {
	struct vfwd_bpf *vf;
	struct cpumap_hop_bpf *hp;
	struct bench_ifindex ix;
	struct bench_host host;
	__u32 batch; /* frames per test-run batch */
	double call_ns; /* fixed wall time of one test-run call */
	/* cpumap kthreads of GEN_CPU and OTHER_CPU; 0 when not found */
	pid_t kthread[HOP_CPUS];
	__u64 sink_on[V_COUNT][HOP_CPUS]; /* frames each CPU's sink counted */
	__u64 stray; /* frames the sink saw that were not the benchmark's */
};

/* hop_setup.c: the namespace, the programs, both CPUs' CPUMAP entries and
 * the tables; then the port as each variant wants it. */
int hop_setup(struct hop_env *e);
int hop_set_variant(struct hop_env *e, enum variant v);

/* hop_run.c: the fixed cost of a test-run call, and one measured run. */
int hop_call_overhead(struct hop_env *e, const __u8 *frame, __u32 len);
int hop_run(struct hop_env *e, enum variant v, const __u8 *frame, __u32 len,
	    __u32 frames, struct sample *s);

/* Median, min, max of each quantity of struct sample over the rounds;
 * -1 throughout where a round could not measure it. */
struct hop_report {
	struct bench_spread ns, mpps, delivered, qdrop, gen_cpu, kth_cpu,
		kth_busy, kth_wait, path_cpu, other;
};

/* hop_report.c: the spreads, the table on stdout, and the JSON file. */
void hop_summarize(const struct sample *s, int rounds, struct hop_report *r);
void hop_print(const struct hop_env *e, const struct bench_args *a,
	       const struct hop_report *rep);
int hop_write_json(const char *path, const struct hop_env *e,
		   const struct bench_args *a, const struct hop_report *rep);

#endif /* VFWD_CPUMAP_HOP_H */
