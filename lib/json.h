/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for `-j` output: one document on stdout,
 * compact by default, indented with -p.  Commas and nesting are tracked
 * here so command code only says what to emit.
 */
#ifndef VFWD_JSON_H
#define VFWD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Deep enough for vfwd's documents (stats nests four levels). */
#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Finish the document with a newline. */
void json_end(struct json *j);

/* key + value shorthands */
void json_kv_str(struct json *j, const char *k, const char *v);
void json_kv_u64(struct json *j, const char *k, uint64_t v);
void json_kv_bool(struct json *j, const char *k, bool v);

#endif /* VFWD_JSON_H */
