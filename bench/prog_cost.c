// SPDX-License-Identifier: GPL-2.0
/*
 * bench/prog_cost: the CPU cost of each vfwd program per frame, from
 * non-live BPF_PROG_TEST_RUN, net of a stub program of the same type
 * measured the same way (issue 6, "program cost").
 *
 * Cases (prog_cost_env.c): vfwd_uplink on a hit (redirect to a port), a
 * miss and a broadcast (both passed to the kernel), and a frame for a
 * port steered to the other CPU (the CPUMAP decision; a non-live run only
 * records the redirect); vfwd_egress keeping or dropping a flood copy;
 * vfwd_cpu finishing a steered frame; vfwd_guest sending to another port
 * and to the uplink.  Each untagged ("none"), 802.1Q-tagged and kept
 * ("trunk"), and tagged for an access port ("access", where the tag comes
 * off or goes on), with MAC tables of 1, 1,000 and 65,536 entries.
 *
 * Stubs: a case that ends in XDP_REDIRECT is measured against an XDP stub
 * that does one bpf_redirect_map() into a DEVMAP_HASH (the kind of map
 * vfwd's tx map is), so the result is what vfwd adds to any redirect;
 * XDP cases that pass or drop against a stub returning XDP_PASS; and
 * vfwd_guest against a tc stub returning TC_ACT_OK.  Each result also
 * carries the raw median and the stub's, so the other subtraction is a
 * line of arithmetic away.
 *
 * Rounds are interleaved: each round measures every (case, size) and
 * every stub once, in an order that rotates from round to round, and a
 * case's sample in a round is net of its stub in the same round.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "bench_lib.h"
#include "prog_cost.h"
#include "prog_cost_json.h"

#define PROG "prog_cost"

/* How long one measurement should take, by default and with --quick. */
#define TARGET_MS 75
#define QUICK_TARGET_MS 10
#define QUICK_ROUNDS 5
#define NSEC_PER_MSEC 1000000.0
/* Calibration: iterations and calls of the probe that sizes them. */
#define PROBE_REPEAT 100000
#define PROBE_CALLS 1000
/* The goal for vfwd_uplink's hit at the largest table. */
#define GOAL_NS 15.0

#define USAGE                                                                  \
	"usage: " PROG " [--rounds N] [--repeat N] [--json FILE] [--quick]\n"  \
	"  --rounds N   rounds, each measuring every case once (default 7)\n"  \
	"  --repeat N   test-run iterations per measurement (default: sized\n" \
	"               so that one takes ~75 ms)\n"                           \
	"  --json FILE  also write the results as JSON\n"                      \
	"  --quick      5 rounds of ~10 ms measurements (under 20 s)\n"

struct opts {
	int rounds;
	__u32 repeat; /* 0: calibrate */
	const char *json;
	bool quick;
};

/* One thing measured per round: a case at a size, or a stub. */
struct item {
	int c, s; /* c < 0: stub */
	enum pc_stub stub;
	enum pc_mode mode;
};

struct run {
	struct opts o;
	struct pc_env *env;
	int home_cpu, steer_cpu;
	__u32 repeat, calls;
	struct item *items;
	int nitems;
	double *raw; /* [item][round] */
};

static int parse_u32(const char *s, __u32 min, __u32 max, __u32 *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static int opts_opt(void *ctx, int opt, char *arg)
{
	struct opts *o = ctx;

	if (opt == 'n')
		return parse_u32(arg, 1, UINT_MAX, &o->repeat);
	return BENCH_OPT_SHARED;
}

/* 0, BENCH_HELP, or -EINVAL (see bench_getopt()). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option own[] = {
		{"repeat", required_argument, NULL, 'n'},
		{NULL},
	};
	struct bench_opts b = {.rounds = BENCH_DEF_ROUNDS,
			       .quick_rounds = QUICK_ROUNDS};
	int err;

	*o = (struct opts){};
	err = bench_getopt(argc, argv,
			   BENCH_OPT_ROUNDS | BENCH_OPT_JSON | BENCH_OPT_QUICK,
			   own, USAGE, &b, opts_opt, o);
	if (err)
		return err;
	o->rounds = b.rounds;
	o->json = b.json;
	o->quick = b.quick;
	return 0;
}

/* Run on the first CPU this process may use; steer to the next one it
 * may use, or -1 if there is none. */
static int pin_home(int *home, int *steer)
{
	cpu_set_t set;

	*home = *steer = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (*home < 0)
			*home = cpu;
		else if (*steer < 0)
			*steer = cpu;
	}
	CPU_ZERO(&set);
	CPU_SET(*home, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* A count from a ratio: at least 1, at most what a __u32 holds. */
static __u32 count_of(double x)
{
	return x < 1 ? 1 : x > UINT_MAX ? UINT_MAX : (__u32)x;
}

static double mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * (double)BENCH_NSEC_PER_SEC + t.tv_nsec;
}

/* Size repeat and calls so that a measurement of vfwd_uplink's hit at
 * the largest table takes about target_ms: cheaper cases and the stubs
 * take less, the dearest a few times more. */
static int calibrate(struct run *r, double target_ms)
{
	const double target = target_ms * NSEC_PER_MSEC;
	int big = PC_NSIZES - 1, single = -1;
	double ns, t0;
	int err;

	for (int c = 0; c < pc_ncases() && single < 0; c++)
		if (pc_case(c)->mode == PC_SINGLE)
			single = c;
	/* Case 0 is the hit in REPEAT mode; warm it up, then probe. */
	err = pc_run_case(r->env, 0, big, PROBE_REPEAT, 1, &ns);
	if (!err)
		err = pc_run_case(r->env, 0, big, PROBE_REPEAT, 1, &ns);
	if (err)
		return err;
	r->repeat = r->o.repeat ? r->o.repeat : count_of(target / ns);
	t0 = mono_ns();
	err = pc_run_case(r->env, single, big, 1, PROBE_CALLS, &ns);
	if (err)
		return err;
	/* A single-run call is a whole syscall: time it from outside. */
	r->calls = count_of(target / ((mono_ns() - t0) / PROBE_CALLS));
	return 0;
}

static int build_items(struct run *r)
{
	int n = 0, max = pc_ncases() * PC_NSIZES + PC_NSTUBS * PC_NMODES;

	r->items = calloc(max, sizeof(*r->items));
	if (!r->items)
		return -ENOMEM;
	for (int c = 0; c < pc_ncases(); c++) {
		if (!pc_case_runs(r->env, c))
			continue;
		for (int s = 0; s < PC_NSIZES; s++)
			r->items[n++] = (struct item){.c = c, .s = s};
	}
	for (int st = 0; st < PC_NSTUBS; st++)
		for (int m = 0; m < PC_NMODES; m++)
			r->items[n++] =
				(struct item){.c = -1, .stub = st, .mode = m};
	r->nitems = n;
	r->raw = calloc((size_t)n * r->o.rounds, sizeof(*r->raw));
	return r->raw ? 0 : -ENOMEM;
}

static double *raw_at(const struct run *r, int item, int round)
{
	return &r->raw[(size_t)item * r->o.rounds + round];
}

static int run_rounds(struct run *r)
{
	for (int round = 0; round < r->o.rounds; round++) {
		/* Each round starts further along the list, so no item is
		 * always measured right after the same neighbour or at the
		 * same point of a round. */
		int start = round * r->nitems / r->o.rounds;

		for (int k = 0; k < r->nitems; k++) {
			int i = (start + k) % r->nitems;
			const struct item *it = &r->items[i];
			int err = it->c < 0 ? pc_run_stub(r->env, it->stub,
							  it->mode, r->repeat,
							  r->calls,
							  raw_at(r, i, round))
					    : pc_run_case(r->env, it->c, it->s,
							  r->repeat, r->calls,
							  raw_at(r, i, round));

			if (err)
				return err;
		}
		fprintf(stderr, "%s: round %d of %d done\n", PROG, round + 1,
			r->o.rounds);
	}
	return 0;
}

static int stub_item(const struct run *r, enum pc_stub st, enum pc_mode m)
{
	for (int i = 0; i < r->nitems; i++)
		if (r->items[i].c < 0 && r->items[i].stub == st &&
		    r->items[i].mode == m)
			return i;
	return -1;
}

static int case_item(const struct run *r, int c, int s)
{
	for (int i = 0; i < r->nitems; i++)
		if (r->items[i].c == c && r->items[i].s == s)
			return i;
	return -1;
}

/* The samples of item i, net of its stub when stub_i >= 0. */
struct summary {
	double net[BENCH_MAX_ROUNDS];
	struct bench_spread spread, raw, stub;
};

static void summarize(const struct run *r, int i, int stub_i,
		      struct summary *sm)
{
	double x[BENCH_MAX_ROUNDS], y[BENCH_MAX_ROUNDS];
	int n = r->o.rounds;

	for (int k = 0; k < n; k++) {
		x[k] = *raw_at(r, i, k);
		y[k] = stub_i >= 0 ? *raw_at(r, stub_i, k) : 0;
		sm->net[k] = x[k] - y[k];
	}
	sm->raw = bench_spread(x, n);
	sm->stub = bench_spread(y, n);
	memcpy(x, sm->net, n * sizeof(*x));
	sm->spread = bench_spread(x, n);
}

/* Median of case c at size s, net of stub st in the case's mode; NAN
 * if the case did not run. */
static double net_median(const struct run *r, int c, int s, enum pc_stub st)
{
	int i = case_item(r, c, s);
	struct summary sm;

	if (i < 0)
		return NAN;
	summarize(r, i, stub_item(r, st, pc_case(c)->mode), &sm);
	return sm.spread.med;
}

static int find_case(const char *name, const char *vlan, enum pc_mode m)
{
	for (int c = 0; c < pc_ncases(); c++) {
		const struct pc_case_info *ci = pc_case(c);

		if (!strcmp(ci->name, name) && !strcmp(ci->vlan, vlan) &&
		    ci->mode == m)
			return c;
	}
	return -1;
}

static const char *const mode_names[PC_NMODES] = {"repeat", "single"};

static void report(const struct run *r, const struct bench_host *h)
{
	int hit = find_case("vfwd_uplink/hit", "none", PC_REPEAT);
	int hit1 = find_case("vfwd_uplink/hit", "none", PC_SINGLE);
	int steer = find_case("vfwd_uplink/steer", "none", PC_SINGLE);
	int big = PC_NSIZES - 1;
	double goal;

	printf("%s: kernel %s, %s, %d CPUs; pinned to CPU %d", PROG,
	       h->uts.release, h->cpu, h->ncpus, r->home_cpu);
	if (r->steer_cpu >= 0)
		printf(", steering to CPU %d", r->steer_cpu);
	printf("\n%d rounds; repeat mode: %u iterations per test run; "
	       "single mode: %u test runs of one iteration\n",
	       r->o.rounds, r->repeat, r->calls);
	printf("ns per frame: median [min, max] over the rounds, net of the "
	       "stub; RAW and STUB are medians before subtracting\n\n");

	printf("%-22s %-7s %8s %8s %8s\n", "STUB (raw)", "MODE", "MEDIAN",
	       "MIN", "MAX");
	for (int st = 0; st < PC_NSTUBS; st++) {
		for (int m = 0; m < PC_NMODES; m++) {
			struct summary sm;

			summarize(r, stub_item(r, st, m), -1, &sm);
			printf("%-22s %-7s %8.2f %8.2f %8.2f\n",
			       pc_stub_names[st], mode_names[m], sm.raw.med,
			       sm.raw.min, sm.raw.max);
		}
	}

	printf("\n%-22s %-7s %-6s %7s  %8s %8s %8s  %8s %8s %s\n", "CASE",
	       "MODE", "VLAN", "MACS", "NET", "MIN", "MAX", "RAW", "STUB",
	       "STUB_PROG");
	for (int c = 0; c < pc_ncases(); c++) {
		const struct pc_case_info *ci = pc_case(c);

		for (int s = 0; s < PC_NSIZES; s++) {
			int i = case_item(r, c, s);
			struct summary sm;

			if (i < 0)
				continue;
			summarize(r, i, stub_item(r, ci->stub, ci->mode), &sm);
			printf("%-22s %-7s %-6s %7u  %8.2f %8.2f %8.2f  %8.2f %8.2f %s\n",
			       ci->name, mode_names[ci->mode], ci->vlan,
			       pc_case_macs(c, s), sm.spread.med, sm.spread.min,
			       sm.spread.max, sm.raw.med, sm.stub.med,
			       pc_stub_names[ci->stub]);
		}
	}

	goal = net_median(r, hit, big, PC_STUB_XDP_REDIRECT);
	printf("\nvfwd_uplink/hit at %u MACs: %.2f ns over the redirect stub, "
	       "%.2f ns over the XDP_PASS stub; goal <= %.0f ns over the "
	       "stub: %s\n",
	       pc_sizes[big], goal, net_median(r, hit, big, PC_STUB_XDP_PASS),
	       GOAL_NS, goal <= GOAL_NS ? "met" : "MISSED");
	if (steer < 0 || !pc_case_runs(r->env, steer)) {
		printf("CPUMAP decision: not measured (one CPU only)\n");
		return;
	}
	for (int s = 0; s < PC_NSIZES; s++)
		printf("CPUMAP decision at %u MACs: steer - hit (single mode) = "
		       "%.2f ns\n",
		       pc_sizes[s],
		       net_median(r, steer, s, PC_STUB_XDP_REDIRECT) -
			       net_median(r, hit1, s, PC_STUB_XDP_REDIRECT));
}

static int write_json(const struct run *r)
{
	struct json j;

	if (!pc_json_open(&j, r->o.json, PROG, r->o.rounds, r->repeat,
			  r->home_cpu))
		return -EIO;
	for (int c = 0; c < pc_ncases(); c++) {
		const struct pc_case_info *ci = pc_case(c);

		for (int s = 0; s < PC_NSIZES; s++) {
			int i = case_item(r, c, s);
			struct summary sm;
			struct pc_result res = {
				.group = pc_mode_groups[ci->mode],
				.name = ci->name,
				.vlan = ci->vlan,
				.metric = "ns_per_packet",
				.unit = "ns",
				.macs = pc_case_macs(c, s),
				.n = r->o.rounds,
				.updates_per_sec = NAN,
			};

			if (i < 0)
				continue;
			summarize(r, i, stub_item(r, ci->stub, ci->mode), &sm);
			res.samples = sm.net;
			res.raw_median = sm.raw.med;
			res.stub_median = sm.stub.med;
			pc_json_result(&j, &res);
		}
	}
	return pc_json_close(&j, r->o.json);
}

int main(int argc, char **argv)
{
	struct run r = {};
	struct bench_host h;
	int err;

	err = parse_opts(argc, argv, &r.o);
	if (err)
		return err == BENCH_HELP ? 0 : 2;
	libbpf_set_print(NULL);
	err = pin_home(&r.home_cpu, &r.steer_cpu);
	if (err) {
		fprintf(stderr, "%s: pinning to a CPU: %s\n", PROG,
			strerror(-err));
		return 1;
	}
	/* A private network namespace: the devmaps name its loopback, and
	 * nothing here can reach a host interface. */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNET): %s\n", PROG,
			strerror(errno));
		return 1;
	}
	bench_host(&h);
	err = pc_env_open(&r.env, r.steer_cpu);
	if (!err)
		err = calibrate(&r, r.o.quick ? QUICK_TARGET_MS : TARGET_MS);
	if (!err)
		err = build_items(&r);
	if (!err)
		err = run_rounds(&r);
	if (!err) {
		report(&r, &h);
		if (r.o.json)
			err = write_json(&r);
	}
	pc_env_close(r.env);
	free(r.items);
	free(r.raw);
	return err ? 1 : 0;
}
