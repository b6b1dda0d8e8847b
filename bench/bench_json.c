// SPDX-License-Identifier: GPL-2.0
/* The start of a benchmark's JSON results file; see bench_json.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bench_json.h"

int bench_json_open(struct json *j, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		int err = -errno;

		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			path, strerror(-err));
		return err;
	}
	json_init(j, f, true);
	json_obj_open(j);
	return 0;
}
