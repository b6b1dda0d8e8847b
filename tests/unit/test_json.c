// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the JSON writer (lib/json.c): what it prints, byte for
 * byte, one line and indented; the strings libfyaml gets wrong on its own
 * (number-like, spaces at either end, bytes that are not UTF-8); NaN;
 * a root array written element by element; the failures it reports; and
 * json_read_u64.  Needs neither root nor BPF.  Prints "PASS: json/<name>"
 * or "FAIL: json/<name>: <why>" per check and exits 1 if any failed.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static int failures;

/* PASS when ok, else FAIL with fmt saying what was got and wanted. */
static void check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: json/%s\n", name);
		return;
	}
	failures++;
	printf("FAIL: json/%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* A writer into memory, and what it wrote. */
struct sink {
	struct json j;
	char *buf;
	size_t len;
};

static void sink_open(struct sink *s, bool pretty)
{
	s->buf = NULL;
	s->len = 0;
	json_init(&s->j, open_memstream(&s->buf, &s->len), pretty);
}

/* End the document; its text is s->buf.  json_end's return. */
static int sink_end(struct sink *s)
{
	int err = json_end(&s->j);

	fclose(s->j.out);
	return err;
}

static void expect_text(const char *name, struct sink *s, const char *want)
{
	check(name, s->buf && !strcmp(s->buf, want), "got '%s', want '%s'",
	      s->buf ? s->buf : "(nothing)", want);
	free(s->buf);
}

/* One of each kind of value, nested. */
static void sample(struct json *j)
{
	json_obj_open(j);
	json_kv_str(j, "name", "vm1");
	json_kv_u64(j, "max", UINT64_MAX);
	json_kv_bool(j, "up", true);
	json_key(j, "dev");
	json_null(j);
	json_key(j, "rate");
	json_double(j, 1.0 / 3);
	json_key(j, "cpus");
	json_arr_open(j);
	json_u64(j, 0);
	json_u64(j, 1);
	json_arr_close(j);
	json_key(j, "drift");
	json_arr_open(j);
	json_arr_close(j);
	json_key(j, "xsk");
	json_obj_open(j);
	json_obj_close(j);
	json_obj_close(j);
}

static void test_layout(void)
{
	struct sink s;

	sink_open(&s, false);
	sample(&s.j);
	check("compact_rc", sink_end(&s) == 0, "json_end failed");
	expect_text("compact", &s,
		    "{\"name\": \"vm1\", \"max\": 18446744073709551615, "
		    "\"up\": true, \"dev\": null, \"rate\": 0.333, "
		    "\"cpus\": [0, 1], \"drift\": [], \"xsk\": {}}\n");

	/* -p: the layout the writer always had. */
	sink_open(&s, true);
	sample(&s.j);
	sink_end(&s);
	expect_text("pretty", &s,
		    "{\n  \"name\": \"vm1\",\n"
		    "  \"max\": 18446744073709551615,\n  \"up\": true,\n"
		    "  \"dev\": null,\n  \"rate\": 0.333,\n"
		    "  \"cpus\": [\n    0,\n    1\n  ],\n  \"drift\": [],\n"
		    "  \"xsk\": {}\n}\n");

	/* The same writer, document after document. */
	sink_open(&s, false);
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "a", 1);
	json_obj_close(&s.j);
	json_end(&s.j);
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "b", 2);
	json_obj_close(&s.j);
	sink_end(&s);
	expect_text("two_documents", &s, "{\"a\": 1}\n{\"b\": 2}\n");
}

static void test_strings(void)
{
	struct sink s;

	sink_open(&s, false);
	json_arr_open(&s.j);
	/* Strings that read as other JSON values stay strings. */
	json_str(&s.j, "100");
	json_str(&s.j, "-1.5e3");
	json_str(&s.j, "true");
	json_str(&s.j, "null");
	json_str(&s.j, "");
	/* Spaces at either end, which a plain YAML scalar drops. */
	json_str(&s.j, " a ");
	json_str(&s.j, "   ");
	json_str(&s.j, "x\\ ");
	/* Escapes. */
	json_str(&s.j, "q\"b\\n\nt\t\x01");
	/* Not UTF-8: U+FFFD for each such byte; UTF-8 as it is. */
	json_str(&s.j, "a\xff\xc3(\xc3\xa9");
	json_str(&s.j, NULL);
	json_arr_close(&s.j);
	check("strings_rc", sink_end(&s) == 0, "json_end failed");
	expect_text("strings", &s,
		    "[\"100\", \"-1.5e3\", \"true\", \"null\", \"\", \" a \", "
		    "\"   \", \"x\\\\ \", \"q\\\"b\\\\n\\nt\\t\\u0001\", "
		    "\"a\xef\xbf\xbd\xef\xbf\xbd(\xc3\xa9\", null]\n");

	/* Keys go the same way. */
	sink_open(&s, false);
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "100", 1);
	json_kv_u64(&s.j, " k ", 2);
	json_obj_close(&s.j);
	sink_end(&s);
	expect_text("keys", &s, "{\"100\": 1, \" k \": 2}\n");
}

static void test_numbers(void)
{
	struct sink s;

	sink_open(&s, false);
	json_arr_open(&s.j);
	json_double(&s.j, -0.0001);
	json_double(&s.j, 2.5);
	/* JSON has no number for these. */
	json_double(&s.j, NAN);
	json_double(&s.j, INFINITY);
	json_double(&s.j, -INFINITY);
	json_arr_close(&s.j);
	check("not_finite_rc", sink_end(&s) == 0, "json_end failed");
	expect_text("not_finite", &s, "[-0.000, 2.500, null, null, null]\n");
}

/* A root array is written as each element is complete. */
static void test_stream(void)
{
	struct sink s;
	size_t after_first;

	sink_open(&s, true);
	json_arr_open(&s.j);
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "i", 0);
	json_obj_close(&s.j);
	fflush(s.j.out);
	after_first = s.len;
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "i", 1);
	json_obj_close(&s.j);
	json_u64(&s.j, 2);
	json_arr_close(&s.j);
	check("stream_rc", sink_end(&s) == 0, "json_end failed");
	check("stream_first_early",
	      after_first == strlen("[\n  {\n    \"i\": 0\n  }"),
	      "%zu bytes written after the first element", after_first);
	/* What libfyaml prints for the whole array at once. */
	expect_text("stream_pretty", &s,
		    "[\n  {\n    \"i\": 0\n  },\n  {\n    \"i\": 1\n  },\n"
		    "  2\n]\n");

	sink_open(&s, false);
	json_arr_open(&s.j);
	json_u64(&s.j, 1);
	json_arr_open(&s.j);
	json_arr_close(&s.j);
	json_arr_close(&s.j);
	sink_end(&s);
	expect_text("stream_compact", &s, "[1, []]\n");

	sink_open(&s, false);
	json_arr_open(&s.j);
	json_arr_close(&s.j);
	sink_end(&s);
	expect_text("empty_array", &s, "[]\n");
}

/* Calls out of order: the rest is written, the first failure returned. */
static void test_failures(void)
{
	struct sink s;
	int err;

	sink_open(&s, false);
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "a", 1);
	json_kv_u64(&s.j, "a", 2);
	json_kv_u64(&s.j, "b", 3);
	json_obj_close(&s.j);
	err = sink_end(&s);
	check("duplicate_key_rc", err == -EEXIST, "%d", err);
	expect_text("duplicate_key", &s, "{\"a\": 1, \"b\": 3}\n");

	sink_open(&s, false);
	json_obj_open(&s.j);
	json_u64(&s.j, 1);
	json_kv_u64(&s.j, "b", 2);
	json_obj_close(&s.j);
	err = sink_end(&s);
	check("value_without_key_rc", err == -EINVAL, "%d", err);
	expect_text("value_without_key", &s, "{\"b\": 2}\n");

	sink_open(&s, false);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_arr_open(&s.j);
	json_u64(&s.j, 1);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_arr_close(&s.j);
	err = sink_end(&s);
	check("too_deep_rc", err == -E2BIG, "%d", err);
	free(s.buf);

	sink_open(&s, false);
	json_obj_open(&s.j);
	json_kv_u64(&s.j, "a", 1);
	err = sink_end(&s);
	check("left_open_rc", err == -EINVAL, "%d", err);
	expect_text("left_open", &s, "{\"a\": 1}\n");
}

static void test_read(void)
{
	const char *doc = "{\"tables\": {\"macs\": {\"used\": 12, \"max\": "
			  "65536}}, \"name\": \"34\", \"big\": "
			  "18446744073709551616}";
	uint64_t v = 0;
	int err;

	err = json_read_u64(doc, "/tables/macs/used", &v);
	check("read_u64", !err && v == 12, "err %d, value %llu", err,
	      (unsigned long long)v);
	err = json_read_u64(doc, "/tables/ports/used", &v);
	check("read_missing", err == -ENOENT, "%d", err);
	/* "34" is a string. */
	err = json_read_u64(doc, "/name", &v);
	check("read_string", err == -ENOENT, "%d", err);
	err = json_read_u64(doc, "/big", &v);
	check("read_too_big", err == -ENOENT, "%d", err);
	err = json_read_u64("{\"a\": ", "/a", &v);
	check("read_not_json", err == -EINVAL, "%d", err);
}

int main(void)
{
	test_layout();
	test_strings();
	test_numbers();
	test_stream();
	test_failures();
	test_read();
	return failures ? 1 : 0;
}
