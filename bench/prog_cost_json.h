/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON document bench/prog_cost and bench/control write:
 *   {"tool": T, "config": {"rounds": N, "repeat": N, "cpu": C},
 *    "results": [{"group", "name", "macs", "vlan", "metric", "unit",
 *                 "samples", "median", "min", "max", ...extras}, ...]}
 */
#ifndef VFWD_PROG_COST_JSON_H
#define VFWD_PROG_COST_JSON_H

#include <stdio.h>
#include <linux/types.h>
#include "json.h"

struct pc_result {
	const char *group, *name, *vlan, *metric, *unit;
	__u32 macs;
	const double *samples;
	int n;
	/* Extras: NAN leaves them out. */
	double raw_median, stub_median, updates_per_sec;
};

/* Open path and start the document; NULL, with a message, on failure. */
FILE *pc_json_open(struct json *j, const char *path, const char *tool,
		   int rounds, __u32 repeat, int cpu);
void pc_json_result(struct json *j, const struct pc_result *r);
/* Finish the document and close the file; -errno if writing failed. */
int pc_json_close(struct json *j, const char *path);

#endif /* VFWD_PROG_COST_JSON_H */
