/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON writer of vfwd's programs: the CLI's `-j` output (one document
 * on stdout, on one line, or indented with -p) and the benchmarks' result
 * files.  Callers say what to write, value by value, in document order;
 * the document is built with libfyaml and printed by json_end.  Nesting,
 * commas, quoting and escapes are libfyaml's.
 *
 * A document that is an array streams: each element is written out (and
 * freed) as soon as it is complete, so a long array such as mac list's
 * takes the memory of one element, and stats --interval shows each
 * interval as it ends (it flushes j->out).
 *
 * A failure (out of memory, or a call out of order such as a value with no
 * key in an object) does not stop the writer: what can be written still
 * is, and json_end reports the first failure once, on stderr, and returns
 * it.
 */
#ifndef VFWD_JSON_H
#define VFWD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Deep enough for vfwd's documents (stats nests four levels); anything
 * deeper is left out, and reported. */
#define JSON_MAX_DEPTH 16

struct fy_document;
struct fy_node;

/* The writer's state; the fields are the writer's own, but for out. */
struct json {
	FILE *out;
	bool pretty;
	/* The document being built: NULL until its first value. */
	struct fy_document *doc;
	/* The open arrays and objects, outermost first.  NULL for one that
	 * could not be made: what goes into it is dropped. */
	struct fy_node *open[JSON_MAX_DEPTH];
	/* How many are open, those beyond JSON_MAX_DEPTH included. */
	int depth;
	/* An object's key, waiting for its value. */
	struct fy_node *key;
	bool has_root;
	/* The document's first failure, -errno, 0 when none, and what it
	 * was. */
	int err;
	const char *why;
	/* Elements of a root array already written out. */
	unsigned long streamed;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);
/* A string, always quoted ("100" stays a string); NULL is written null. */
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
/* Three decimals; NaN and the infinities, which JSON has no number for,
 * are written null. */
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/*
 * Print the document, ending with a newline, and free it: j is ready for
 * the next document.  0, or the document's first failure (-errno), also
 * said on stderr; -EIO if it could not be written.
 */
int json_end(struct json *j);

/* key + value shorthands */
void json_kv_str(struct json *j, const char *k, const char *v);
void json_kv_u64(struct json *j, const char *k, uint64_t v);
void json_kv_bool(struct json *j, const char *k, bool v);

/*
 * Read back: the number at path (keys separated by '/', as in
 * "/tables/macs/used") in the JSON document text, for programs that read
 * vfwd's -j output.  0, -ENOENT if there is no such number, -EINVAL if
 * text is not JSON.
 */
int json_read_u64(const char *text, const char *path, uint64_t *v);

#endif /* VFWD_JSON_H */
