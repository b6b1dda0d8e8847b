/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/paths' pieces: the topology (paths_setup.c), one measured run
 * (paths_run.c) and the report (paths_report.c).  What is measured, and
 * how, is told in paths.c.
 */
#ifndef VFWD_PATHS_H
#define VFWD_PATHS_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/types.h>
#include "bench_lib.h"
#include "paths_sink.h"
#include "gen_flows.skel.h"
#include "paths_sink.skel.h"
#include "paths_floor.skel.h"

#define PROG "bench_paths"

/* The generator (and so every same-CPU path) runs on GEN_CPU; the
 * cpumap port steers to OTHER_CPU, where the tap readers also run, as a
 * guest's vCPU would on its own CPU. */
#define GEN_CPU 0
#define OTHER_CPU 1

/* Bounds of the lists given with --sizes and --flows. */
#define MAX_SIZES 8
#define MAX_FLOWS 8
/* Untagged frames without FCS: the Ethernet minimum up to what a veth
 * with a 1500-byte MTU accepts. */
#define MIN_SIZE ETH_ZLEN
#define MAX_SIZE ETH_FRAME_LEN
/* UDP source ports from PATHS_SPORT_BASE must stay below 65536. */
#define MAX_FLOW_COUNT 4096

/* Room for a "why skipped" text. */
#define WHY_LEN 200
/* Room for the pin directory and the macvtap node's directory. */
#define DIR_LEN 128

/* The two private network namespaces: vfwd's, which also holds the
 * xdp-drop and floor paths, and the kernel baselines' (bridge, macvtap),
 * with br_netfilter's hooks off. */
enum ns_id {
	NS_VFWD,
	NS_BASE,
	NS_COUNT,
};

enum path_id {
	P_XDP_DROP,
	P_FLOOR,
	P_VFWD_VETH,
	P_VFWD_TAP,
	P_VFWD_CPUMAP,
	P_VFWD_GUEST_UPLINK,
	P_VFWD_GUEST_GUEST,
	P_BRIDGE,
	P_BRIDGE_GUEST_UPLINK,
	P_BRIDGE_GUEST_GUEST,
	P_MACVTAP,
	P_COUNT,
};

/* Where a path's frames are counted: an XDP sink on a veth, or a reader
 * thread on a tap or macvtap. */
enum sink_id {
	S_DROP, /* the xdp-drop uplink itself */
	S_FLOOR,
	S_VPORT, /* vfwd's veth port; also guest -> guest */
	S_VTAP,
	S_VCPU,
	S_VWIRE, /* wire side of vfwd's uplink: guest -> uplink */
	S_BPORT,
	S_BWIRE,
	S_MACVTAP,
	S_COUNT,
};

/* A tap (or macvtap) reader: a thread on OTHER_CPU that reads and counts
 * frames as QEMU would, one read() per frame.  Its counters are taken and
 * reset under the lock; uncontended, it costs tens of ns against the
 * microsecond of a read(). */
struct tap_reader {
	int fd;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	struct sink_stat st[SINK_SLOTS];
};

struct sink {
	const char *dev; /* device name, or the tap's */
	enum ns_id ns;
	struct paths_sink_bpf *skel; /* XDP sink; NULL for a tap reader */
	struct tap_reader *tap;
};

struct path {
	const char *name;
	enum ns_id ns;
	const char *gen_dev; /* the generator's veth: frames leave its peer */
	const __u8 *src, *dst;
	enum sink_id sink;
	int gen_ifindex;
	bool selected; /* by --paths */
	char skip[WHY_LEN]; /* not empty: not measured, and why */
};

/* Options (paths.c). */
struct paths_opts {
	int rounds;
	long frames; /* 0: sized from the calibration */
	int sizes[MAX_SIZES], nsizes;
	int flows[MAX_FLOWS], nflows;
	double budget_s; /* the run's target duration, with --frames unset */
	bool quick;
	const char *json;
};

struct paths_env {
	struct paths_opts o;
	struct bench_host host;
	int nsfd[NS_COUNT];
	int cur_ns;
	char pin[DIR_LEN]; /* vfwd's private pin directory */
	char vfwd[PATH_MAX]; /* the vfwd CLI */
	char tmpdir[DIR_LEN]; /* the macvtap's device node */
	bool pinned; /* pin exists and must be removed */
	bool br_nf; /* br_netfilter's sysctls exist (and were set to 0) */
	struct gen_flows_bpf *gen;
	struct paths_floor_bpf *floor;
	struct path p[P_COUNT];
	struct sink s[S_COUNT];
	struct tap_reader readers[2];
	double call_ns; /* fixed cost of one test-run call */
};

/* One run of one path, size and flow count. */
struct sample {
	__u64 sent, delivered, stray;
	double wall_ns; /* the generator's test-run call */
	double cpu_ns; /* the generator thread's CPU time in it */
	double mpps; /* delivered, timed at the sink */
	double offered_mpps; /* sent / (wall - fixed call cost) */
	double gbps; /* mpps x frame bits */
	double pct; /* delivered / sent */
};

/* Samples of every path x size x flows x round. */
struct sample_set {
	struct sample s[P_COUNT][MAX_SIZES][MAX_FLOWS][BENCH_MAX_ROUNDS];
};

/* paths_setup.c: the paths (names, endpoints) and the topology. */
extern const struct path paths_table[P_COUNT];
int paths_setup(struct paths_env *e);
void paths_cleanup(struct paths_env *e);
int paths_enter(struct paths_env *e, enum ns_id ns);

/* paths_run.c */
int paths_call_overhead(struct paths_env *e);
int paths_run(struct paths_env *e, enum path_id p, int size, int flows,
	      long frames, struct sample *s);

/* paths_report.c */
void paths_print(const struct paths_env *e, const struct sample_set *set);
int paths_write_json(const struct paths_env *e, const struct sample_set *set,
		     const char *path);

#endif /* VFWD_PATHS_H */
