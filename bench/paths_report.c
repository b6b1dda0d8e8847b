// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' report: the median, min and max of each path x size x
 * flows over the rounds, as a table on stdout (with the ratios
 * vfwd-veth/floor and vfwd-veth/bridge) and as JSON:
 *
 *   {"tool": "paths", "config": {...},
 *    "results": [{"group": "paths", "name", "size", "flows", "metric",
 *                 "unit", "samples": [one per round], "median", "min",
 *                 "max", "note"}, ...],
 *    "skipped": [{"name", "why"}],
 *    "runs": [{"name", "size", "flows", "round", "sent", "delivered",
 *              "stray", "wall_ns", "gen_cpu_ns", "offered_mpps"}, ...]}
 *
 * with metrics "mpps" (Mpps), "gbps" (Gbit/s) and "delivered_pct" (%);
 * "runs" holds the raw counts behind them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "json.h"
#include "bench_json.h"
#include "paths.h"

enum metric {
	M_MPPS,
	M_GBPS,
	M_PCT,
	M_COUNT,
};

static const char *const metric_name[M_COUNT] = {"mpps", "gbps",
						 "delivered_pct"};
static const char *const metric_unit[M_COUNT] = {"Mpps", "Gbit/s", "%"};

/* What a reader needs to know about a path's numbers. */
static const char *const path_note[P_COUNT] = {
	[P_XDP_DROP] = "XDP_DROP on the uplink veth: the ceiling",
	[P_FLOOR] =
		"MAC hash + bpf_redirect_map into a DEVMAP -> veth: the floor of any redirect",
	[P_VFWD_TAP] =
		"counted by a reader thread on CPU 1, one read() per frame; the tap ring drops what it cannot take",
	[P_VFWD_CPUMAP] =
		"port steered to CPU 1: CPUMAP hop, the sink runs on CPU 1; the queue drops what CPU 1 cannot take",
	[P_VFWD_GUEST_UPLINK] =
		"injected into the guest's veth port (GRO on), vfwd_guest on tc ingress, out of the uplink",
	[P_VFWD_GUEST_GUEST] =
		"injected into the guest's veth port (GRO on), vfwd_guest on tc ingress, into another veth port",
	[P_BRIDGE] =
		"Linux bridge, own namespace, bridge-nf-call-* off, static fdb entry; uplink veth with GRO on",
	[P_BRIDGE_GUEST_UPLINK] =
		"Linux bridge: guest veth port (GRO on) -> bridge -> uplink",
	[P_BRIDGE_GUEST_GUEST] =
		"Linux bridge: guest veth port (GRO on) -> bridge -> port",
	[P_MACVTAP] =
		"macvtap (bridge mode) on an uplink veth with GRO on, read through its device node by a thread on CPU 1",
};

static double metric_of(const struct sample *s, enum metric m)
{
	return m == M_MPPS ? s->mpps : m == M_GBPS ? s->gbps : s->pct;
}

static bool measured(const struct paths_env *e, int p)
{
	return e->p[p].selected && !e->p[p].skip[0];
}

static struct bench_spread spread(const struct paths_env *e,
				  const struct sample_set *set, int p, int si,
				  int fi, enum metric m)
{
	double x[BENCH_MAX_ROUNDS];

	for (int r = 0; r < e->o.rounds; r++)
		x[r] = metric_of(&set->s[p][si][fi][r], m);
	return bench_spread(x, e->o.rounds);
}

static void print_ratio(const struct paths_env *e, const struct sample_set *set,
			int a, int b)
{
	if (!measured(e, a) || !measured(e, b))
		return;
	printf("%s/%s (median Mpps):", e->p[a].name, e->p[b].name);
	for (int si = 0; si < e->o.nsizes; si++)
		for (int fi = 0; fi < e->o.nflows; fi++) {
			double x = spread(e, set, a, si, fi, M_MPPS).med;
			double y = spread(e, set, b, si, fi, M_MPPS).med;

			printf("  %dB/%df %.2f", e->o.sizes[si], e->o.flows[fi],
			       y > 0 ? x / y : 0);
		}
	printf("\n");
}

void paths_print(const struct paths_env *e, const struct sample_set *set)
{
	printf("\n%d rounds x %ld frames per run; generator on CPU %d; "
	       "median (min-max)\n",
	       e->o.rounds, e->o.frames, GEN_CPU);
	for (int si = 0; si < e->o.nsizes; si++) {
		printf("\n%d-byte frames\n%-20s", e->o.sizes[si], "path");
		for (int fi = 0; fi < e->o.nflows; fi++)
			printf(" | %3d flow(s): Mpps          deliv%%  Gbit/s",
			       e->o.flows[fi]);
		printf("\n");
		for (int p = 0; p < P_COUNT; p++) {
			if (!measured(e, p))
				continue;
			printf("%-20s", e->p[p].name);
			for (int fi = 0; fi < e->o.nflows; fi++) {
				struct bench_spread m =
					spread(e, set, p, si, fi, M_MPPS);
				struct bench_spread d =
					spread(e, set, p, si, fi, M_PCT);
				struct bench_spread g =
					spread(e, set, p, si, fi, M_GBPS);

				printf(" | %5.2f (%5.2f-%5.2f) %6.1f %7.2f",
				       m.med, m.min, m.max, d.med, g.med);
			}
			printf("\n");
		}
	}
	printf("\n");
	print_ratio(e, set, P_VFWD_VETH, P_FLOOR);
	print_ratio(e, set, P_VFWD_VETH, P_BRIDGE);
	for (int p = 0; p < P_COUNT; p++)
		if (e->p[p].selected && e->p[p].skip[0])
			printf("skipped %s: %s\n", e->p[p].name, e->p[p].skip);
}

static void json_int_list(struct json *j, const char *k, const int *v, int n)
{
	json_key(j, k);
	json_arr_open(j);
	for (int i = 0; i < n; i++)
		json_u64(j, v[i]);
	json_arr_close(j);
}

static void write_config(struct json *j, const struct paths_env *e)
{
	json_key(j, "config");
	json_obj_open(j);
	json_kv_u64(j, "rounds", e->o.rounds);
	json_kv_u64(j, "frames", e->o.frames);
	json_kv_u64(j, "gen_cpu", GEN_CPU);
	json_kv_u64(j, "other_cpu", OTHER_CPU);
	json_int_list(j, "sizes", e->o.sizes, e->o.nsizes);
	json_int_list(j, "flows", e->o.flows, e->o.nflows);
	json_key(j, "paths");
	json_arr_open(j);
	for (int p = 0; p < P_COUNT; p++)
		if (measured(e, p))
			json_str(j, e->p[p].name);
	json_arr_close(j);
	json_kv_bool(j, "quick", e->o.quick);
	json_key(j, "call_fixed_ms");
	json_double(j, e->call_ns / BENCH_NSEC_PER_USEC / BENCH_NSEC_PER_USEC);
	json_kv_str(j, "bridge_nf_call",
		    e->br_nf ? "0 in the bridge's namespace (per-netns sysctls)"
			     : "absent (br_netfilter not loaded)");
	json_kv_str(j, "kernel", e->host.uts.release);
	json_kv_str(j, "cpu", e->host.cpu);
	json_kv_u64(j, "ncpus", e->host.ncpus);
	json_obj_close(j);
}

static void write_result(struct json *j, const struct paths_env *e,
			 const struct sample_set *set, int p, int si, int fi,
			 enum metric m)
{
	struct bench_spread sp = spread(e, set, p, si, fi, m);

	json_obj_open(j);
	json_kv_str(j, "group", "paths");
	json_kv_str(j, "name", e->p[p].name);
	json_kv_u64(j, "size", e->o.sizes[si]);
	json_kv_u64(j, "flows", e->o.flows[fi]);
	json_kv_str(j, "metric", metric_name[m]);
	json_kv_str(j, "unit", metric_unit[m]);
	json_key(j, "samples");
	json_arr_open(j);
	for (int r = 0; r < e->o.rounds; r++)
		json_double(j, metric_of(&set->s[p][si][fi][r], m));
	json_arr_close(j);
	json_key(j, "median");
	json_double(j, sp.med);
	json_key(j, "min");
	json_double(j, sp.min);
	json_key(j, "max");
	json_double(j, sp.max);
	if (path_note[p])
		json_kv_str(j, "note", path_note[p]);
	json_obj_close(j);
}

static void write_runs(struct json *j, const struct paths_env *e,
		       const struct sample_set *set)
{
	json_key(j, "runs");
	json_arr_open(j);
	for (int p = 0; p < P_COUNT; p++) {
		if (!measured(e, p))
			continue;
		for (int si = 0; si < e->o.nsizes; si++)
			for (int fi = 0; fi < e->o.nflows; fi++)
				for (int r = 0; r < e->o.rounds; r++) {
					const struct sample *s =
						&set->s[p][si][fi][r];

					json_obj_open(j);
					json_kv_str(j, "name", e->p[p].name);
					json_kv_u64(j, "size", e->o.sizes[si]);
					json_kv_u64(j, "flows", e->o.flows[fi]);
					json_kv_u64(j, "round", r);
					json_kv_u64(j, "sent", s->sent);
					json_kv_u64(j, "delivered",
						    s->delivered);
					json_kv_u64(j, "stray", s->stray);
					json_key(j, "wall_ns");
					json_double(j, s->wall_ns);
					json_key(j, "gen_cpu_ns");
					json_double(j, s->cpu_ns);
					json_key(j, "offered_mpps");
					json_double(j, s->offered_mpps);
					json_obj_close(j);
				}
	}
	json_arr_close(j);
}

int paths_write_json(const struct paths_env *e, const struct sample_set *set,
		     const char *path)
{
	struct json j;
	int err = bench_json_open(&j, path);

	if (err)
		return err;
	json_kv_str(&j, "tool", "paths");
	write_config(&j, e);
	json_key(&j, "results");
	json_arr_open(&j);
	for (int p = 0; p < P_COUNT; p++) {
		if (!measured(e, p))
			continue;
		for (int si = 0; si < e->o.nsizes; si++)
			for (int fi = 0; fi < e->o.nflows; fi++)
				for (int m = 0; m < M_COUNT; m++)
					write_result(&j, e, set, p, si, fi, m);
	}
	json_arr_close(&j);
	json_key(&j, "skipped");
	json_arr_open(&j);
	for (int p = 0; p < P_COUNT; p++) {
		if (!e->p[p].selected || !e->p[p].skip[0])
			continue;
		json_obj_open(&j);
		json_kv_str(&j, "name", e->p[p].name);
		json_kv_str(&j, "why", e->p[p].skip);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	write_runs(&j, e, set);
	json_obj_close(&j);
	err = json_end(&j);
	if (fclose(j.out)) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	if (err)
		return err;
	printf("JSON: %s\n", path);
	return 0;
}
