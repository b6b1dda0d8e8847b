// SPDX-License-Identifier: GPL-2.0
/* The results document of bench/prog_cost and bench/control. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_lib.h"
#include "bench_json.h"
#include "prog_cost_json.h"

FILE *pc_json_open(struct json *j, const char *path, const char *tool,
		   int rounds, __u32 repeat, int cpu)
{
	if (bench_json_open(j, path))
		return NULL;
	json_kv_str(j, "tool", tool);
	json_key(j, "config");
	json_obj_open(j);
	json_kv_u64(j, "rounds", rounds);
	json_kv_u64(j, "repeat", repeat);
	json_kv_u64(j, "cpu", cpu);
	json_obj_close(j);
	json_key(j, "results");
	json_arr_open(j);
	return j->out;
}

static void kv_double(struct json *j, const char *k, double v)
{
	if (isnan(v))
		return;
	json_key(j, k);
	json_double(j, v);
}

void pc_json_result(struct json *j, const struct pc_result *r)
{
	double *x = malloc(r->n * sizeof(*x));
	struct bench_spread s;

	json_obj_open(j);
	json_kv_str(j, "group", r->group);
	json_kv_str(j, "name", r->name);
	json_kv_u64(j, "macs", r->macs);
	json_kv_str(j, "vlan", r->vlan);
	json_kv_str(j, "metric", r->metric);
	json_kv_str(j, "unit", r->unit);
	json_key(j, "samples");
	json_arr_open(j);
	for (int i = 0; i < r->n; i++)
		json_double(j, r->samples[i]);
	json_arr_close(j);
	/* bench_spread sorts: a copy keeps the samples in round order. */
	if (x) {
		memcpy(x, r->samples, r->n * sizeof(*x));
		s = bench_spread(x, r->n);
		kv_double(j, "median", s.med);
		kv_double(j, "min", s.min);
		kv_double(j, "max", s.max);
		free(x);
	}
	kv_double(j, "raw_median", r->raw_median);
	kv_double(j, "stub_median", r->stub_median);
	kv_double(j, "updates_per_sec", r->updates_per_sec);
	json_obj_close(j);
}

int pc_json_close(struct json *j, const char *path)
{
	FILE *f = j->out;
	int err;

	json_arr_close(j);
	json_obj_close(j);
	err = json_end(j);
	if (!err && ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		fprintf(stderr, "%s: writing %s: %s\n",
			program_invocation_short_name, path, strerror(-err));
	return err;
}
