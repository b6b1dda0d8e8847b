// SPDX-License-Identifier: GPL-2.0
/*
 * bench/cpumap_hop's report: the spread of each quantity over the rounds,
 * a table on stdout with the hop's cost, and the same as JSON.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include "vfwd_maps.h"
#include "json.h"
#include "bench_json.h"
#include "cpumap_hop.h"

#define NSEC_PER_MSEC 1000000.0
/* Room for one number of the table, and how many columns of a row may
 * be "-" (fmt1). */
#define NUM_LEN 16
#define FMT_COLS 5

const char *const hop_vnames[V_COUNT] = {"direct", "steer-same-cpu",
					 "steer-other-cpu"};

/* Each quantity of struct sample, where its spread goes in struct
 * hop_report, and its name in the JSON file. */
struct column {
	size_t sample_off, report_off;
	const char *json;
};

#define COLUMN(field, spread, name)                                            \
	{                                                                      \
		offsetof(struct sample, field),                                \
			offsetof(struct hop_report, spread), name              \
	}

static const struct column columns[] = {
	COLUMN(ns, ns, "ns_per_frame"),
	COLUMN(mpps, mpps, "mpps"),
	COLUMN(delivered_pct, delivered, "delivered_pct"),
	COLUMN(qdrop_pct, qdrop, "cpumap_drop_pct"),
	COLUMN(gen_cpu_ns, gen_cpu, "generator_cpu_ns_per_frame"),
	COLUMN(kth_cpu_ns, kth_cpu, "kthread_cpu_ns_per_frame"),
	COLUMN(kth_busy_pct, kth_busy, "kthread_busy_pct"),
	COLUMN(kth_wait_pct, kth_wait, "kthread_wait_pct"),
	COLUMN(path_cpu_ns, path_cpu, "path_cpu_ns_per_frame"),
	COLUMN(other_pct, other, "gen_cpu_other_pct"),
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static const struct bench_spread *spread_at(const struct hop_report *r,
					    const struct column *c)
{
	return (const void *)((const char *)r + c->report_off);
}

/* Spread of column c over rounds samples; -1 throughout if any round
 * could not measure it. */
static struct bench_spread spread_of(const struct sample *s, int rounds,
				     const struct column *c)
{
	struct bench_spread r = {-1, -1, -1};
	double x[BENCH_MAX_ROUNDS];

	for (int i = 0; i < rounds; i++) {
		x[i] = *(const double *)((const char *)&s[i] + c->sample_off);
		if (x[i] < 0)
			return r;
	}
	return bench_spread(x, rounds);
}

void hop_summarize(const struct sample *s, int rounds, struct hop_report *r)
{
	for (size_t i = 0; i < NCOLUMNS; i++) {
		struct bench_spread *to =
			(void *)((char *)r + columns[i].report_off);

		*to = spread_of(s, rounds, &columns[i]);
	}
}

/* Share of a variant's delivered frames that each CPU's sink counted. */
static void sink_share(const struct hop_env *e, enum variant v, double *pct)
{
	__u64 all = e->sink_on[v][0] + e->sink_on[v][1];

	for (int c = 0; c < HOP_CPUS; c++)
		pct[c] = all ? BENCH_PCT * e->sink_on[v][c] / all : 0;
}

/* "%.1f" of x into buf, or "-" when not measured. */
static const char *fmt1(char *buf, size_t len, double x)
{
	if (x < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", x);
	return buf;
}

void hop_print(const struct hop_env *e, const struct bench_args *a,
	       const struct hop_report *rep)
{
	const struct hop_report *d = &rep[V_DIRECT];
	char b[FMT_COLS][NUM_LEN];

	printf("kernel %s, %d CPUs (%s)\n", e->host.uts.release, e->host.ncpus,
	       e->host.cpu);
	printf("%d rounds of %d frames of %d bytes, batch %u, generator on CPU %d\n",
	       a->rounds, a->frames, a->size, e->batch, GEN_CPU);
	printf("fixed cost of a test-run call: %.1f ms, %.1f ns/frame of every ns/frame below\n",
	       e->call_ns / NSEC_PER_MSEC, e->call_ns / a->frames);
	printf("%-15s %-25s %-20s %s\n", "variant", "ns/frame med (min-max)",
	       "Mpps med (min-max)", "delivered% med (min-max)");
	for (int v = 0; v < V_COUNT; v++) {
		const struct hop_report *r = &rep[v];

		printf("%-15s %7.1f (%6.1f-%7.1f) %6.2f (%5.2f-%5.2f) %6.2f (%6.2f-%6.2f)\n",
		       hop_vnames[v], r->ns.med, r->ns.min, r->ns.max,
		       r->mpps.med, r->mpps.min, r->mpps.max, r->delivered.med,
		       r->delivered.min, r->delivered.max);
	}
	printf("%-15s %6s %7s %7s %5s %6s %8s %6s  %s   (medians; CPU in ns/frame)\n",
	       "where", "qdrop%", "gen_cpu", "kth_cpu", "kth%", "kwait%",
	       "path_cpu", "other%", "sink on");
	for (int v = 0; v < V_COUNT; v++) {
		const struct hop_report *r = &rep[v];
		double on[HOP_CPUS];

		sink_share(e, v, on);
		printf("%-15s %6.2f %7.1f %7s %5s %6s %8s %6s  CPU%d %.0f%%, CPU%d %.0f%%\n",
		       hop_vnames[v], r->qdrop.med, r->gen_cpu.med,
		       fmt1(b[0], sizeof(b[0]), r->kth_cpu.med),
		       fmt1(b[1], sizeof(b[1]), r->kth_busy.med),
		       fmt1(b[2], sizeof(b[2]), r->kth_wait.med),
		       fmt1(b[3], sizeof(b[3]), r->path_cpu.med),
		       fmt1(b[4], sizeof(b[4]), r->other.med), GEN_CPU, on[0],
		       OTHER_CPU, on[1]);
	}
	for (int v = V_STEER_SAME; v < V_COUNT; v++) {
		const struct hop_report *r = &rep[v];

		printf("over direct, %-15s %+7.1f ns/frame wall, ",
		       hop_vnames[v], r->ns.med - d->ns.med);
		if (r->path_cpu.min < 0)
			printf("%7s", "-");
		else
			printf("%+7.1f", r->path_cpu.med - d->path_cpu.med);
		printf(" ns/frame CPU, Mpps x%.2f\n",
		       r->mpps.med / d->mpps.med);
	}
	if (e->stray)
		printf("warning: the sink saw %llu frames that were not the benchmark's\n",
		       (unsigned long long)e->stray);
}

static void json_kv_double(struct json *j, const char *k, double v)
{
	json_key(j, k);
	json_double(j, v);
}

/* One "name": {median, min, max} member; null when not measured. */
static void json_spread(struct json *j, const char *name, struct bench_spread s)
{
	json_key(j, name);
	if (s.min < 0) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_kv_double(j, "median", s.med);
	json_kv_double(j, "min", s.min);
	json_kv_double(j, "max", s.max);
	json_obj_close(j);
}

static void json_variant(struct json *j, const struct hop_env *e,
			 enum variant v, const struct hop_report *rep)
{
	const struct hop_report *r = &rep[v], *d = &rep[V_DIRECT];
	double on[HOP_CPUS];

	json_key(j, hop_vnames[v]);
	json_obj_open(j);
	for (size_t i = 0; i < NCOLUMNS; i++)
		json_spread(j, columns[i].json, *spread_at(r, &columns[i]));
	if (v != V_DIRECT) {
		json_kv_double(j, "hop_cost_ns", r->ns.med - d->ns.med);
		json_kv_double(j, "mpps_ratio", r->mpps.med / d->mpps.med);
		if (r->path_cpu.min >= 0)
			json_kv_double(j, "hop_cpu_cost_ns",
				       r->path_cpu.med - d->path_cpu.med);
	}
	sink_share(e, v, on);
	json_key(j, "sink_cpu_pct");
	json_arr_open(j);
	for (int c = 0; c < HOP_CPUS; c++)
		json_double(j, on[c]);
	json_arr_close(j);
	json_obj_close(j);
}

int hop_write_json(const char *path, const struct hop_env *e,
		   const struct bench_args *a, const struct hop_report *rep)
{
	struct json j;
	int err = bench_json_open(&j, path);

	if (err)
		return err;
	json_kv_str(&j, "benchmark", PROG);
	json_kv_str(&j, "kernel", e->host.uts.release);
	json_kv_str(&j, "cpu", e->host.cpu);
	json_kv_u64(&j, "ncpus", e->host.ncpus);
	json_kv_u64(&j, "rounds", a->rounds);
	json_kv_u64(&j, "frames", a->frames);
	json_kv_u64(&j, "frame_size", a->size);
	json_kv_u64(&j, "generator_cpu", GEN_CPU);
	json_kv_u64(&j, "other_cpu", OTHER_CPU);
	json_kv_u64(&j, "batch", e->batch);
	json_kv_u64(&j, "cpumap_qsize", VFWD_CPUMAP_QSIZE);
	json_kv_double(&j, "call_overhead_ms", e->call_ns / NSEC_PER_MSEC);
	json_kv_u64(&j, "stray_frames", e->stray);
	json_key(&j, "variants");
	json_obj_open(&j);
	for (int v = 0; v < V_COUNT; v++)
		json_variant(&j, e, v, rep);
	json_obj_close(&j);
	json_obj_close(&j);
	err = json_end(&j);
	if (fclose(j.out) && !err)
		err = -errno;
	return err;
}
