// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths: the forwarding rate of vfwd's paths side by side with a
 * ceiling, a floor and the kernel's own (issue 6, part 1).  In one run,
 * round by round, every path x frame size x flow count once per round in
 * a rotating order:
 *
 *   xdp-drop             XDP_DROP on the uplink veth: the ceiling;
 *   floor                a MAC hash lookup and bpf_redirect_map() into a
 *                        DEVMAP (paths_floor.bpf.c) -> veth -> sink: the
 *                        least any redirect costs;
 *   vfwd-veth            vfwd_uplink -> veth port -> sink;
 *   vfwd-tap             vfwd_uplink -> tap port -> a reader thread on
 *                        OTHER_CPU (the tap is the subject);
 *   vfwd-cpumap          vfwd_uplink -> port with --cpus OTHER_CPU:
 *                        CPUMAP -> vfwd_cpu on OTHER_CPU -> veth -> sink;
 *   vfwd-guest-uplink    a guest's frames into a veth port (tc ingress,
 *                        vfwd_guest) -> out of the uplink -> sink on the
 *                        wire side;
 *   vfwd-guest-guest     guest veth port -> vfwd_guest -> another veth
 *                        port -> sink;
 *   bridge, bridge-guest-uplink, bridge-guest-guest
 *                        the same endpoints through a Linux bridge, in its
 *                        own namespace with bridge-nf-call-* off;
 *   macvtap              a macvtap on an uplink veth, read through its
 *                        character device by a thread on OTHER_CPU.
 *
 * Traffic: BPF_PROG_TEST_RUN live frames from a thread pinned to GEN_CPU,
 * through gen_flows.bpf.c, which returns XDP_TX on the generator's veth
 * so that each frame arrives on its peer as if from a wire; it sets the
 * UDP source port per frame for the flow count.  Frames are
 * Ethernet/IPv4/UDP, --sizes bytes without FCS.  Sinks are veth peers
 * running paths_sink.bpf.c (count per CPU, stamp, drop) or tap readers.
 * Whatever runs where the generator's redirects land runs in the
 * generator's softirq on GEN_CPU, so for the same-CPU paths the
 * generator's rate is the path's rate.
 *
 * Per run: frames sent, frames delivered at the sink once the queues have
 * drained, the generator call's wall time, and:
 *
 *   Mpps       delivered rate, timed by the sink itself: frames between
 *              its first and last time stamp (every 64th frame) / the
 *              time between them.  These stamps span the generator's run,
 *              so this is the rate frames came out while it ran; unlike
 *              frames / call wall time it holds neither the call's fixed
 *              cost (~24 ms of set-up and teardown per call on 6.18,
 *              measured at the start and printed) nor the settle delay.
 *   offered    frames sent / (call wall time - that fixed cost): what the
 *              generator pushed; above Mpps where a path drops (a tap
 *              whose reader falls behind, a full CPUMAP queue).
 *   Gbit/s     Mpps x frame bytes (no FCS, preamble or gap) x 8.
 *   deliv%     delivered / sent.
 *
 * The median, min and max over the rounds are reported, and the ratios
 * vfwd-veth/floor and vfwd-veth/bridge of the medians.
 *
 * Duration: without --frames, a calibration pass (every combination
 * once, CAL_FRAMES frames, also a warm-up) measures each one's rate and
 * overhead, and the frame count is the largest that fits the budget
 * (DEF_BUDGET_S, QUICK_BUDGET_S with --quick); the estimate is printed.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "paths.h"

#define DEF_ROUNDS 5
#define QUICK_ROUNDS 3
/* The whole default run should stay under 4 minutes on a quiet machine.
 * make bench-quick (bench/run.sh --quick) gives all its tools 110 s
 * together, this one first, so --quick takes about a third of it.  What
 * setup and calibration take is deducted. */
#define DEF_BUDGET_S 220.0
#define QUICK_BUDGET_S 40.0
#define CAL_FRAMES 50000
/* Frame counts the calibration may choose: enough stamps for a rate
 * (1 in 64 of 100k frames) at the least, and at most what a fast path
 * needs to dwarf the call's fixed cost.  Rounded down to a quantum. */
#define MIN_FRAMES 100000
#define MAX_FRAMES 20000000
#define FRAMES_QUANTUM 10000
/* Calibration runs that deliver less than this are reported. */
#define WARN_PCT 50.0
#define LIST_SEP ","

static const int def_sizes[] = {64, 512, 1500};
static const int def_flows[] = {1, 64};
static const int quick_sizes[] = {64};

static struct paths_env env;
/* Set by SIGINT, SIGTERM or SIGHUP: stop after the current run. */
static volatile sig_atomic_t stop;
static struct sample_set samples;

static const char usage_text[] =
	"usage: bench_paths [--rounds N] [--frames N] [--sizes 64,512,1500]\n"
	"                   [--flows 1,64] [--paths a,b,...] [--json FILE]\n"
	"                   [--quick]\n"
	"  Forwarding rate of vfwd's paths against XDP_DROP, a minimal\n"
	"  redirect, a Linux bridge and macvtap; root, CPUs 0 and 1.\n"
	"  --frames   frames per run (default: sized to the time budget)\n"
	"  --quick    3 rounds, 64 bytes, a shorter budget (make bench-quick)\n"
	"  paths: xdp-drop floor vfwd-veth vfwd-tap vfwd-cpumap\n"
	"         vfwd-guest-uplink vfwd-guest-guest bridge\n"
	"         bridge-guest-uplink bridge-guest-guest macvtap\n";

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / (double)BENCH_NSEC_PER_SEC;
}

/* A comma-separated list of whole numbers in [min, max]. */
static int parse_list(char *s, int *v, int max_n, int min, int max)
{
	char *tok, *save, *end;
	int n = 0;

	for (tok = strtok_r(s, LIST_SEP, &save); tok;
	     tok = strtok_r(NULL, LIST_SEP, &save)) {
		long x = strtol(tok, &end, 10);

		if (*end || x < min || x > max || n == max_n)
			return -EINVAL;
		v[n++] = x;
	}
	return n ? n : -EINVAL;
}

static int parse_paths(char *s, bool *sel)
{
	char *tok, *save;

	memset(sel, 0, P_COUNT * sizeof(*sel));
	for (tok = strtok_r(s, LIST_SEP, &save); tok;
	     tok = strtok_r(NULL, LIST_SEP, &save)) {
		int p;

		for (p = 0; p < P_COUNT && strcmp(tok, paths_table[p].name);
		     p++)
			;
		if (p == P_COUNT) {
			fprintf(stderr, PROG ": unknown path '%s'\n", tok);
			return -EINVAL;
		}
		sel[p] = true;
	}
	return 0;
}

/* What parse_args() parses into, and whether --sizes was given. */
struct args_ctx {
	struct paths_opts *o;
	bool *sel;
	bool have_sizes;
};

static int args_opt(void *ctx, int opt, char *arg)
{
	struct args_ctx *c = ctx;
	struct paths_opts *o = c->o;
	int n;

	switch (opt) {
	case 's':
		n = parse_list(arg, o->sizes, MAX_SIZES, MIN_SIZE, MAX_SIZE);
		o->nsizes = n;
		c->have_sizes = true;
		return n < 0 ? n : 0;
	case 'f':
		n = parse_list(arg, o->flows, MAX_FLOWS, 1, MAX_FLOW_COUNT);
		o->nflows = n;
		return n < 0 ? n : 0;
	case 'p':
		return parse_paths(arg, c->sel);
	default:
		return BENCH_OPT_SHARED;
	}
}

/* 0, BENCH_HELP, or -EINVAL (see bench_getopt()). */
static int parse_args(int argc, char **argv, struct paths_opts *o, bool *sel)
{
	static const struct option own[] = {
		{"sizes", required_argument, NULL, 's'},
		{"flows", required_argument, NULL, 'f'},
		{"paths", required_argument, NULL, 'p'},
		{NULL},
	};
	/* frames 0: sized from the calibration */
	struct bench_opts b = {.rounds = DEF_ROUNDS,
			       .quick_rounds = QUICK_ROUNDS};
	struct args_ctx ctx = {.o = o, .sel = sel};
	int err;

	*o = (struct paths_opts){.budget_s = DEF_BUDGET_S};
	memcpy(o->sizes, def_sizes, sizeof(def_sizes));
	o->nsizes = sizeof(def_sizes) / sizeof(def_sizes[0]);
	memcpy(o->flows, def_flows, sizeof(def_flows));
	o->nflows = sizeof(def_flows) / sizeof(def_flows[0]);
	for (int p = 0; p < P_COUNT; p++)
		sel[p] = true;
	err = bench_getopt(argc, argv,
			   BENCH_OPT_ROUNDS | BENCH_OPT_FRAMES |
				   BENCH_OPT_JSON | BENCH_OPT_QUICK,
			   own, usage_text, &b, args_opt, &ctx);
	if (err)
		return err;
	o->rounds = b.rounds;
	o->frames = b.frames;
	o->json = b.json;
	o->quick = b.quick;
	/* --quick presets what was not given explicitly. */
	if (o->quick) {
		o->budget_s = QUICK_BUDGET_S;
		if (!ctx.have_sizes) {
			memcpy(o->sizes, quick_sizes, sizeof(quick_sizes));
			o->nsizes =
				sizeof(quick_sizes) / sizeof(quick_sizes[0]);
		}
	}
	return 0;
}

/* QEMU processes (the VM tests share this machine): their load is
 * reported, not waited out. */
static int count_qemu(void)
{
	char path[PATH_MAX], comm[64];
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, "qemu-system", strlen("qemu-system")))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

static void print_host(void)
{
	double load[3] = {0};

	getloadavg(load, 3);
	printf("host: kernel %s, %s, %d CPUs; load %.2f %.2f %.2f; "
	       "qemu-system processes: %d\n",
	       env.host.uts.release, env.host.cpu, env.host.ncpus, load[0],
	       load[1], load[2], count_qemu());
}

/* The combinations of a round, in a fixed order; the rounds rotate it. */
struct combo {
	enum path_id p;
	int si, fi;
};

static int combos(struct combo *c)
{
	int n = 0;

	for (int p = 0; p < P_COUNT; p++) {
		if (!env.p[p].selected || env.p[p].skip[0])
			continue;
		for (int si = 0; si < env.o.nsizes; si++)
			for (int fi = 0; fi < env.o.nflows; fi++)
				c[n++] = (struct combo){p, si, fi};
	}
	return n;
}

static int run_one(const struct combo *c, long frames, struct sample *s)
{
	int err = paths_run(&env, c->p, env.o.sizes[c->si], env.o.flows[c->fi],
			    frames, s);

	if (err)
		fprintf(stderr, PROG ": %s, %d bytes, %d flows: %s\n",
			env.p[c->p].name, env.o.sizes[c->si],
			env.o.flows[c->fi], strerror(-err));
	return err;
}

/*
 * Every combination once with CAL_FRAMES frames: a warm-up, a check that
 * each path delivers, and each one's time model: T(N) = overhead + N /
 * rate.  Returns the frame count for the budget (or --frames) and prints
 * the estimated duration.
 */
static long calibrate(const struct combo *c, int n, double t0)
{
	double sum_over = 0, sum_inv = 0, left, est;
	long frames = env.o.frames;
	struct sample s;

	for (int i = 0; i < n; i++) {
		double t = mono_s(), active, rate;

		if (run_one(&c[i], CAL_FRAMES, &s))
			return -1;
		active = s.wall_ns - env.call_ns;
		rate = CAL_FRAMES / (active > 0 ? active : s.wall_ns);
		sum_inv += 1 / rate;
		sum_over +=
			(mono_s() - t) * BENCH_NSEC_PER_SEC - CAL_FRAMES / rate;
		if (s.pct < WARN_PCT || s.stray)
			printf("calibration: %s, %d B, %d flows: delivered "
			       "%.1f%%, %llu stray frames\n",
			       env.p[c[i].p].name, env.o.sizes[c[i].si],
			       env.o.flows[c[i].fi], s.pct,
			       (unsigned long long)s.stray);
	}
	/* ns per round: sum_over + frames * sum_inv */
	left = (env.o.budget_s - (mono_s() - t0)) * BENCH_NSEC_PER_SEC;
	if (!frames) {
		frames = (left / env.o.rounds - sum_over) / sum_inv;
		frames -= frames % FRAMES_QUANTUM;
		if (frames < MIN_FRAMES)
			frames = MIN_FRAMES;
		if (frames > MAX_FRAMES)
			frames = MAX_FRAMES;
	}
	est = env.o.rounds * (sum_over + frames * sum_inv) / BENCH_NSEC_PER_SEC;
	printf("%d rounds x %d runs x %ld frames: about %.0f s (setup and "
	       "calibration took %.0f s; budget %.0f s)\n",
	       env.o.rounds, n, frames, est, mono_s() - t0, env.o.budget_s);
	fflush(stdout);
	return frames;
}

/* Each round ends with its duration and the generator's share of
 * GEN_CPU during its calls (its CPU time, softirqs included, over their
 * wall time): well below that of the other rounds means other load took
 * the CPU, and that round's samples are slow for reasons not the path's. */
static int run_rounds(const struct combo *c, int n, long frames)
{
	for (int r = 0; r < env.o.rounds; r++) {
		/* Rotate by a share of the round, so that each combination
		 * runs early in some rounds and late in others. */
		int off = r * n / env.o.rounds;
		double t = mono_s(), wall = 0, cpu = 0;

		for (int i = 0; i < n; i++) {
			const struct combo *k = &c[(i + off) % n];
			struct sample *s = &samples.s[k->p][k->si][k->fi][r];

			if (run_one(k, frames, s))
				return -1;
			wall += s->wall_ns;
			cpu += s->cpu_ns;
		}
		printf("round %d/%d: %.0f s, generator on CPU %d %.0f%% of "
		       "its calls' wall time\n",
		       r + 1, env.o.rounds, mono_s() - t, GEN_CPU,
		       BENCH_PCT * cpu / wall);
		fflush(stdout);
	}
	return 0;
}

static void cleanup(void)
{
	paths_cleanup(&env);
}

/* A signal ends the run: the test run in progress returns -EINTR, or
 * the next run is not started; the exit handler then removes the pins.
 * The namespaces go with the process. */
static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	static struct combo c[P_COUNT * MAX_SIZES * MAX_FLOWS];
	struct sigaction sa = {.sa_handler = on_signal};
	bool sel[P_COUNT];
	double t0 = mono_s();
	long frames;
	int n, err;

	err = parse_args(argc, argv, &env.o, sel);
	if (err)
		return err == BENCH_HELP ? 0 : 2;
	bench_host(&env.host);
	if (env.host.ncpus <= OTHER_CPU) {
		fprintf(stderr, PROG ": needs CPUs %d and %d\n", GEN_CPU,
			OTHER_CPU);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(cleanup);
	/* The generator's thread runs the test runs: its CPU is GEN_CPU. */
	if (bench_pin(GEN_CPU))
		return 1;
	print_host();
	for (int p = 0; p < P_COUNT; p++)
		env.p[p].selected = sel[p];
	err = paths_setup(&env);
	if (err) {
		fprintf(stderr, PROG ": set-up failed: %s\n", strerror(-err));
		return 1;
	}
	for (int p = 0; p < P_COUNT; p++) {
		if (sel[p] && env.p[p].skip[0])
			printf("skipped %s: %s\n", env.p[p].name,
			       env.p[p].skip);
	}
	err = paths_call_overhead(&env);
	if (err) {
		fprintf(stderr, PROG ": test run: %s\n", strerror(-err));
		return 1;
	}
	printf("fixed cost of a test-run call: %.1f ms\n",
	       env.call_ns / BENCH_NSEC_PER_USEC / BENCH_NSEC_PER_USEC);
	n = combos(c);
	frames = calibrate(c, n, t0);
	if (frames < 0)
		return 1;
	env.o.frames = frames;
	if (run_rounds(c, n, frames))
		return 1;
	paths_print(&env, &samples);
	if (env.o.json && paths_write_json(&env, &samples, env.o.json))
		return 1;
	printf("total %.0f s\n", mono_s() - t0);
	return 0;
}
