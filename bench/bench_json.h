/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The start of a benchmark's JSON results file, with the JSON writer the
 * CLI uses too (lib/json.c), for the tools that write one.
 */
#ifndef VFWD_BENCH_JSON_H
#define VFWD_BENCH_JSON_H

#include "json.h"

/* Create path and start an indented document in j, its outer object
 * open; j->out is the file, for the caller to close.  -errno, with a
 * message, if path cannot be created. */
int bench_json_open(struct json *j, const char *path);

#endif /* VFWD_BENCH_JSON_H */
