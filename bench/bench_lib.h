/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks share: their command line, their frames' MACs, the
 * CPU they run on, the private network namespace they run in, vfwd's
 * skeleton with private maps, the test frame, one timed
 * BPF_PROG_TEST_RUN call, per-CPU counters, the spread of samples, and a
 * line about the host.  Error messages are prefixed with the program's
 * name.
 */
#ifndef VFWD_BENCH_LIB_H
#define VFWD_BENCH_LIB_H

#include "vfwd_maps.h"
#include <stdbool.h>
#include <stddef.h>
#include <getopt.h>
#include <sys/utsname.h>
#include <linux/types.h>
#include "vfwd.skel.h"

/* 7 rounds give a median with a spread; 2M frames take about a second
 * per variant, long enough to dwarf timer noise. */
#define BENCH_DEF_ROUNDS 7
#define BENCH_DEF_FRAMES 2000000
#define BENCH_DEF_SIZE 64
#define BENCH_MAX_ROUNDS 64

#define BENCH_NSEC_PER_SEC 1000000000ULL
/* ns per frame -> Mpps, and frames per ns -> Mpps */
#define BENCH_NSEC_PER_USEC 1000.0
#define BENCH_PCT 100.0

/* The benchmarks' frames from the wire: their sender (a locally
 * administered address), and the guest port they are for (QEMU's OUI). */
extern const __u8 bench_src_mac[];
extern const __u8 bench_guest_mac[];

/* Options that several benchmarks take, spelled and parsed alike by
 * bench_getopt(); a mask of them says which a benchmark takes. */
#define BENCH_OPT_ROUNDS (1U << 0) /* --rounds N, 1..BENCH_MAX_ROUNDS */
#define BENCH_OPT_FRAMES (1U << 1) /* --frames N, 1..INT_MAX */
#define BENCH_OPT_JSON (1U << 2) /* --json FILE */
#define BENCH_OPT_QUICK (1U << 3) /* --quick */

/* Their values; the caller sets the defaults first. */
struct bench_opts {
	int rounds, frames;
	const char *json;
	bool quick;
	int quick_rounds; /* rounds with --quick and no --rounds; 0: rounds */
};

/* bench_getopt(): --help was given, and answered. */
#define BENCH_HELP 1
/* A benchmark's parse(): the option is one of the shared ones. */
#define BENCH_OPT_SHARED 1

/* Parse the command line: the shared options in mask shared into o, and
 * own (a getopt_long() table ending in {NULL}) through parse(ctx, opt,
 * arg), which is given every option first ('?' for an unknown one) and
 * returns 0, -EINVAL or BENCH_OPT_SHARED.  --help is answered here.
 * Returns 0; BENCH_HELP after printing usage on stdout; or -EINVAL after
 * printing it on stderr, for a bad option or value or an argument left
 * over. */
int bench_getopt(int argc, char **argv, unsigned int shared,
		 const struct option *own, const char *usage,
		 struct bench_opts *o,
		 int (*parse)(void *ctx, int opt, char *arg), void *ctx);

/* Optional arguments a benchmark takes, besides --rounds, --frames and
 * --size. */
#define BENCH_ARG_BATCH (1U << 0)
#define BENCH_ARG_JSON (1U << 1)

struct bench_arg_spec {
	const char *usage; /* printed for --help and bad arguments */
	unsigned int extra; /* BENCH_ARG_* */
	int min_size, max_size; /* frame bytes */
	int max_batch; /* with BENCH_ARG_BATCH */
};

struct bench_args {
	int rounds, frames, size;
	int batch; /* 0: the kernel's default */
	const char *json; /* NULL: no JSON file */
	bool help; /* --help was given and answered */
};

/* Parse the command line into a (defaults for what is not given).
 * Returns 0, or -EINVAL after printing the usage. */
int bench_args(int argc, char **argv, const struct bench_arg_spec *spec,
	       struct bench_args *a);

/* Pin the calling thread to cpu; -errno, with a message, if it fails. */
int bench_pin(int cpu);

/* Run a shell command; -EIO, with a message, if it fails. */
int bench_sh(const char *cmd);

/* The two veth pairs of the namespace: frames "come in" on uplink, whose
 * peer wire only exists to bring it up; port is the port the uplink
 * redirects to, and its peer sink runs the counting XDP program. */
struct bench_links {
	const char *uplink, *wire, *port, *sink;
};

struct bench_ifindex {
	int uplink, port, sink;
};

/* Move this process into a fresh, unnamed network namespace (gone when
 * the process exits) with the links l, up, and report their ifindexes. */
int bench_netns(const struct bench_links *l, struct bench_ifindex *ix);

/* vfwd's skeleton opened with private maps (never the pins of a real
 * installation) and uplink_port as its uplink; not loaded yet. */
int bench_vfwd_open(struct vfwd_bpf **vf, __u32 uplink_port);

/* Port entry id: the uplink, on ifindex. */
int bench_set_uplink(struct vfwd_bpf *vf, __u32 id, int ifindex,
		     const char *name);

/* Write one entry into the object's live MAC table. */
int bench_mac_put(struct vfwd_bpf *vf, const struct vfwd_mac_key *k,
		  const struct vfwd_mac_val *v);

/* Attach a sink program to the port's peer. */
int bench_attach_sink(int ifindex, const struct bpf_program *prog);

/* A frame of len bytes to dst from a fixed local MAC, tagged with vid
 * unless it is VFWD_VID_NONE, then EtherType proto and zeros. */
void bench_frame(__u8 *f, __u32 len, const __u8 *dst, __u16 vid, __u16 proto);

/* Wall and calling-thread CPU time of one call, in ns. */
struct bench_call {
	double wall_ns, cpu_ns;
};

/* One live-frames test run of repeat copies of frame through prog, as
 * if received on ifindex, batch frames per NAPI-like batch (0: the
 * kernel's default). */
int bench_test_run(int prog_fd, int ifindex, const __u8 *frame, __u32 len,
		   __u32 repeat, __u32 batch, struct bench_call *c);

/* Zero the per-CPU value of key (ncpus of size bytes each). */
int bench_percpu_zero(int map_fd, __u32 key, size_t size, int ncpus);

/* Median, min and max of n samples. */
struct bench_spread {
	double med, min, max;
};

/* Sorts x. */
struct bench_spread bench_spread(double *x, int n);

/* The kernel, the first CPU's model name ("unknown" when /proc/cpuinfo
 * has none) and the number of CPUs. */
#define BENCH_CPU_MODEL_LEN 128

struct bench_host {
	struct utsname uts;
	char cpu[BENCH_CPU_MODEL_LEN];
	int ncpus; /* possible CPUs */
};

void bench_host(struct bench_host *h);

#endif /* VFWD_BENCH_LIB_H */
