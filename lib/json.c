// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer (see json.h), on libfyaml: the calls build a libfyaml
 * document, a stack of the open arrays and objects and a pending key
 * saying where the next value goes, and json_end prints it with
 * libfyaml's JSON emitter.
 */
#include <errno.h>
#include <inttypes.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

/*
 * libfyaml's JSON modes: all on one line, or indented by two spaces, as
 * -p always was.  No width limit: JSON mode never folds a string, but
 * that is the emitter's choice, not a promise of its flags.
 */
#define JSON_COMPACT (FYECF_MODE_JSON_ONELINE | FYECF_WIDTH_INF)
#define JSON_PRETTY (FYECF_MODE_JSON | FYECF_INDENT_2 | FYECF_WIDTH_INF)
/* The indentation of JSON_PRETTY, for a root array's elements, which are
 * written one by one. */
#define JSON_PRETTY_INDENT "  "

/*
 * In JSON mode libfyaml prints a plain scalar that reads as a number,
 * true, false or null bare, so a port named "100" would come out as the
 * number 100.  Such a string is tagged as a string, which makes it quote
 * it.  Only such a string: a tag costs libfyaml as much memory and time
 * as the string itself.
 */
#define JSON_STR_TAG "!!str"
/* Three decimals, as the writer always printed: the benchmarks' samples
 * and the rates of stats --interval are read at that precision. */
#define JSON_DOUBLE_FMT "%.3f"

/* What json_end says for the first failure of a document. */
static void fail(struct json *j, int err, const char *why)
{
	if (j->err)
		return;
	j->err = err;
	j->why = why;
}

static void node_free(struct fy_node *n)
{
	if (n)
		fy_node_free(n);
}

void json_init(struct json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

/* The document, made at its first value; NULL, recorded, if it cannot
 * be. */
static struct fy_document *doc(struct json *j)
{
	if (!j->doc) {
		j->doc = fy_document_create(NULL);
		if (!j->doc)
			fail(j, -ENOMEM, "out of memory");
	}
	return j->doc;
}

/* ---- strings ------------------------------------------------------------ */

/* U+FFFD, which stands for bytes that are not UTF-8 (RFC 8259 8.1). */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"
#define UTF8_REPLACEMENT_LEN (sizeof(UTF8_REPLACEMENT) - 1)

/* A UTF-8 continuation byte: 10xxxxxx. */
#define UTF8_TAIL_MIN 0x80
#define UTF8_TAIL_MAX 0xbf

/*
 * The well-formed UTF-8 sequences, as RFC 3629 section 4 lists them: the
 * range of the first byte, the length, and the range of the second byte,
 * which is narrower where a wider one would allow an overlong form, a
 * surrogate or more than U+10FFFF.
 */
static const struct utf8_form {
	unsigned char first_min, first_max, len, second_min, second_max;
} utf8_forms[] = {
	{0x00, 0x7f, 1, 0, 0},
	{0xc2, 0xdf, 2, UTF8_TAIL_MIN, UTF8_TAIL_MAX},
	{0xe0, 0xe0, 3, 0xa0, UTF8_TAIL_MAX},
	{0xe1, 0xec, 3, UTF8_TAIL_MIN, UTF8_TAIL_MAX},
	{0xed, 0xed, 3, UTF8_TAIL_MIN, 0x9f},
	{0xee, 0xef, 3, UTF8_TAIL_MIN, UTF8_TAIL_MAX},
	{0xf0, 0xf0, 4, 0x90, UTF8_TAIL_MAX},
	{0xf1, 0xf3, 4, UTF8_TAIL_MIN, UTF8_TAIL_MAX},
	{0xf4, 0xf4, 4, UTF8_TAIL_MIN, 0x8f},
};

/* The length of the UTF-8 sequence at s, or 0 if there is none there.
 * left: the bytes from s to the end of the string. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	const struct utf8_form *f = utf8_forms;
	const struct utf8_form *end =
		utf8_forms + sizeof(utf8_forms) / sizeof(utf8_forms[0]);

	while (f < end && (s[0] < f->first_min || s[0] > f->first_max))
		f++;
	if (f == end || f->len > left)
		return 0;
	if (f->len > 1 && (s[1] < f->second_min || s[1] > f->second_max))
		return 0;
	for (size_t i = 2; i < f->len; i++)
		if (s[i] < UTF8_TAIL_MIN || s[i] > UTF8_TAIL_MAX)
			return 0;
	return f->len;
}

/*
 * s, or when it is not all UTF-8 a copy (for the caller to free, in
 * *copy) with U+FFFD for each byte that is not: JSON text is UTF-8, and
 * libfyaml writes such a byte as "\xNN", which JSON has no escape for.
 * NULL if out of memory.
 */
static const char *utf8_clean(const char *s, size_t *len, char **copy)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, at = 0, out = 0;
	char *c;

	*copy = NULL;
	while (at < *len && (n = utf8_len(p + at, *len - at)))
		at += n;
	if (at == *len)
		return s;
	/* Each bad byte grows into a replacement character. */
	c = malloc(*len * UTF8_REPLACEMENT_LEN + 1);
	if (!c)
		return NULL;
	for (at = 0; at < *len; at += n ? n : 1) {
		n = utf8_len(p + at, *len - at);
		if (n) {
			memcpy(c + out, s + at, n);
			out += n;
		} else {
			memcpy(c + out, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
			out += UTF8_REPLACEMENT_LEN;
		}
	}
	c[out] = '\0';
	*len = out;
	*copy = c;
	return c;
}

/* Whether node n holds exactly the len bytes at s. */
static bool holds(struct fy_node *n, const char *s, size_t len)
{
	size_t got;
	const char *t = fy_node_get_scalar(n, &got);

	return t && got == len && !memcmp(t, s, len);
}

/*
 * libfyaml 0.7.12 makes a string that would do as a plain YAML scalar a
 * plain one, and prints it without its leading and trailing spaces
 * (" a " comes out as "a").  Such a string is made from YAML source
 * instead, in a form that holds it with no escaping at all: a literal
 * block with an explicit indentation keeps every character of its one
 * line, spaces included; a double-quoted scalar keeps a string of nothing
 * but spaces, which a block takes for an empty line.  A plain scalar is
 * one line of printable characters, so the source always parses.  NULL
 * if it cannot be made.
 */
static struct fy_node *str_from_source(struct json *j, const char *s,
				       size_t len)
{
	const char *fmt = strspn(s, " ") == len ? "\"%s\"" : "|2-\n  %s\n";
	struct fy_node *n;
	char *src;
	int srclen;

	/* Never so: a line break makes libfyaml quote it. */
	if (strpbrk(s, "\r\n"))
		return NULL;
	srclen = asprintf(&src, fmt, s);
	if (srclen < 0)
		return NULL;
	/* The node keeps the source, and the document frees it. */
	n = fy_node_build_from_malloc_string(j->doc, src, srclen);
	if (n && !holds(n, s, len)) {
		fy_node_free(n);
		n = NULL;
	}
	return n;
}

/* Whether s starts or ends with a space, which a plain scalar loses. */
static bool edge_space(const char *s, size_t len)
{
	return len && (s[0] == ' ' || s[len - 1] == ' ');
}

/* The characters a JSON number is made of (RFC 8259 6). */
#define JSON_NUMBER_CHARS "0123456789+-.eE"

/* Whether libfyaml might print s bare: a superset of the strings that
 * read as a number, true, false or null, spaces around them included. */
static bool needs_str_tag(const char *s, size_t len)
{
	return !len || edge_space(s, len) ||
	       strspn(s, JSON_NUMBER_CHARS) == len || !strcmp(s, "true") ||
	       !strcmp(s, "false") || !strcmp(s, "null");
}

/* A string node holding s exactly (but for bytes that are not UTF-8), or
 * NULL with the failure recorded. */
static struct fy_node *str_node(struct json *j, const char *s)
{
	size_t len = strlen(s);
	struct fy_node *n = NULL;
	char *copy;

	if (!doc(j))
		return NULL;
	s = utf8_clean(s, &len, &copy);
	if (s)
		n = fy_node_create_scalar_copy(j->doc, s, len);
	if (n && fy_node_get_style(n) == FYNS_PLAIN && edge_space(s, len)) {
		struct fy_node *exact = str_from_source(j, s, len);

		if (exact) {
			fy_node_free(n);
			n = exact;
		} else {
			/* Keep going with what libfyaml makes of it. */
			fail(j, -EILSEQ,
			     "a string libfyaml cannot hold exactly");
		}
	}
	if (n && needs_str_tag(s, len) &&
	    fy_node_set_tag(n, JSON_STR_TAG, FY_NT)) {
		fy_node_free(n);
		n = NULL;
	}
	free(copy);
	if (!n)
		fail(j, -ENOMEM, "out of memory");
	return n;
}

/* A number, true, false or null: a plain scalar, which libfyaml's JSON
 * mode prints bare. */
static struct fy_node *plain_node(struct json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct fy_node *plain_node(struct json *j, const char *fmt, ...)
{
	struct fy_node *n;
	va_list ap;

	if (!doc(j))
		return NULL;
	va_start(ap, fmt);
	n = fy_node_create_vscalarf(j->doc, fmt, ap);
	va_end(ap);
	if (!n)
		fail(j, -ENOMEM, "out of memory");
	return n;
}

/* ---- the tree ------------------------------------------------------------ */

/* The innermost open array or object; NULL at the top level, or inside
 * one that was dropped. */
static struct fy_node *top(const struct json *j)
{
	if (!j->depth || j->depth > JSON_MAX_DEPTH)
		return NULL;
	return j->open[j->depth - 1];
}

/*
 * Put n where the next value goes: under the pending key of the innermost
 * open object, at the end of the innermost open array, or as the
 * document.  n may be NULL (it could not be made; that is recorded).  On
 * failure n is freed and false returned.
 */
static bool attach(struct json *j, struct fy_node *n)
{
	struct fy_node *key = j->key, *parent = top(j);

	j->key = NULL;
	if (!n)
		goto drop;
	if (!j->depth) {
		if (j->has_root) {
			fail(j, -EINVAL, "a second value after the document");
			goto drop;
		}
		/* json_key refuses a key here, so there is none. */
		if (fy_document_set_root(j->doc, n)) {
			fail(j, -EINVAL, "a document libfyaml refuses");
			goto drop;
		}
		j->has_root = true;
		return true;
	}
	/* In something dropped: so is this, already said. */
	if (!parent)
		goto drop;
	if (fy_node_is_sequence(parent)) {
		if (!fy_node_sequence_append(parent, n))
			return true;
		fail(j, -ENOMEM, "out of memory");
		goto drop;
	}
	if (!key) {
		fail(j, -EINVAL, "a value with no key in an object");
		goto drop;
	}
	if (!fy_node_mapping_append(parent, key, n))
		return true;
	/* libfyaml refuses a key the object already has. */
	if (fy_node_mapping_lookup_pair(parent, key))
		fail(j, -EEXIST, "a key given twice in an object");
	else
		fail(j, -ENOMEM, "out of memory");
drop:
	node_free(key);
	node_free(n);
	return false;
}

/* A new array or object, or NULL with the failure recorded. */
static struct fy_node *container(struct json *j, enum fy_node_type type)
{
	struct fy_node *n;

	if (!doc(j))
		return NULL;
	n = type == FYNT_MAPPING ? fy_node_create_mapping(j->doc)
				 : fy_node_create_sequence(j->doc);
	if (!n)
		fail(j, -ENOMEM, "out of memory");
	return n;
}

static void stream_items(struct json *j, struct fy_node *seq);

/* A complete element of a root array goes out now. */
static void stream_root(struct json *j)
{
	struct fy_node *root = top(j);

	if (j->depth == 1 && root && fy_node_is_sequence(root))
		stream_items(j, root);
}

/* A number, string, true, false or null, which is complete as it is. */
static void add_value(struct json *j, struct fy_node *n)
{
	if (attach(j, n))
		stream_root(j);
}

/* Open n, a new array or object (NULL if it could not be made). */
static void open_(struct json *j, struct fy_node *n)
{
	if (j->depth >= JSON_MAX_DEPTH) {
		fail(j, -E2BIG, "nested deeper than JSON_MAX_DEPTH");
		node_free(n);
		node_free(j->key);
		j->key = NULL;
		n = NULL;
	} else if (!attach(j, n)) {
		n = NULL;
	}
	if (j->depth < JSON_MAX_DEPTH)
		j->open[j->depth] = n;
	j->depth++;
}

static void close_(struct json *j, enum fy_node_type type)
{
	struct fy_node *n = top(j);

	if (!j->depth) {
		fail(j, -EINVAL, "a close with nothing open");
		return;
	}
	if (j->key) {
		fail(j, -EINVAL, "a key with no value");
		node_free(j->key);
		j->key = NULL;
	}
	if (n && fy_node_get_type(n) != type)
		fail(j, -EINVAL, "an array closed as an object, or back");
	j->depth--;
	stream_root(j);
}

void json_obj_open(struct json *j)
{
	open_(j, container(j, FYNT_MAPPING));
}

void json_obj_close(struct json *j)
{
	close_(j, FYNT_MAPPING);
}

void json_arr_open(struct json *j)
{
	open_(j, container(j, FYNT_SEQUENCE));
}

void json_arr_close(struct json *j)
{
	close_(j, FYNT_SEQUENCE);
}

void json_key(struct json *j, const char *key)
{
	struct fy_node *parent = top(j);

	if (j->key) {
		fail(j, -EINVAL, "a key with no value");
		node_free(j->key);
		j->key = NULL;
	}
	if (!j->depth || (parent && !fy_node_is_mapping(parent))) {
		fail(j, -EINVAL, "a key outside an object");
		return;
	}
	/* Inside something dropped, the key goes too (attach drops the
	 * value). */
	if (parent)
		j->key = str_node(j, key);
}

void json_str(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	add_value(j, str_node(j, s));
}

void json_u64(struct json *j, uint64_t v)
{
	add_value(j, plain_node(j, "%" PRIu64, v));
}

void json_double(struct json *j, double v)
{
	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	add_value(j, plain_node(j, JSON_DOUBLE_FMT, v));
}

void json_bool(struct json *j, bool v)
{
	add_value(j, plain_node(j, "%s", v ? "true" : "false"));
}

void json_null(struct json *j)
{
	add_value(j, plain_node(j, "%s", "null"));
}

/* ---- output -------------------------------------------------------------- */

static enum fy_emitter_cfg_flags emit_flags(const struct json *j)
{
	return j->pretty ? JSON_PRETTY : JSON_COMPACT;
}

/*
 * Write out and free the elements of the root array seq, with the "[",
 * separators and indentation libfyaml puts around them when it prints the
 * whole array; json_end writes the "]".
 */
static void stream_items(struct json *j, struct fy_node *seq)
{
	struct fy_node *item;

	while ((item = fy_node_sequence_get_by_index(seq, 0))) {
		char *text = fy_emit_node_to_string(
			item, emit_flags(j) | FYECF_NO_ENDING_NEWLINE);

		if (!text) {
			fail(j, -ENOMEM, "out of memory");
		} else {
			if (!j->streamed)
				fputc('[', j->out);
			else
				fputs(j->pretty ? "," : ", ", j->out);
			if (j->pretty) {
				/* One more level for each line of it; a JSON
				 * string never holds a raw line break. */
				fputs("\n" JSON_PRETTY_INDENT, j->out);
				for (const char *c = text; *c; c++) {
					fputc(*c, j->out);
					if (*c == '\n')
						fputs(JSON_PRETTY_INDENT,
						      j->out);
				}
			} else {
				fputs(text, j->out);
			}
			free(text);
			j->streamed++;
		}
		/* Never the same one twice. */
		if (!fy_node_sequence_remove(seq, item)) {
			fail(j, -EINVAL, "an element libfyaml keeps");
			return;
		}
		fy_node_free(item);
	}
}

int json_end(struct json *j)
{
	int err;

	if (j->key) {
		fail(j, -EINVAL, "a key with no value");
		node_free(j->key);
		j->key = NULL;
	}
	if (j->depth)
		fail(j, -EINVAL, "an array or object left open");
	if (j->streamed) {
		stream_items(j, fy_document_root(j->doc));
		fputs(j->pretty ? "\n]\n" : "]\n", j->out);
	} else if (j->has_root) {
		/* It ends the document with a newline. */
		if (fy_emit_document_to_fp(j->doc, emit_flags(j), j->out))
			fail(j, -EIO, "cannot write it");
	} else {
		/* Nothing was written: an empty line, as before. */
		fputc('\n', j->out);
	}
	if (fflush(j->out))
		fail(j, -errno, "cannot write it");
	err = j->err;
	if (err)
		fprintf(stderr, "%s: JSON output: %s\n",
			program_invocation_short_name, j->why);
	if (j->doc)
		fy_document_destroy(j->doc);
	json_init(j, j->out, j->pretty);
	return err;
}

void json_kv_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

void json_kv_u64(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_u64(j, v);
}

void json_kv_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}

/* ---- reading back -------------------------------------------------------- */

#define DECIMAL_BASE 10

int json_read_u64(const char *text, const char *path, uint64_t *v)
{
	/* libfyaml says on stderr where text is not JSON. */
	const struct fy_parse_cfg cfg = {
		.flags = FYPCF_JSON_FORCE,
	};
	struct fy_document *d;
	struct fy_node *n;
	const char *s;
	size_t len;
	uint64_t x = 0;
	int err = 0;

	d = fy_document_build_from_string(&cfg, text, FY_NT);
	if (!d)
		return -EINVAL;
	n = fy_node_by_path(fy_document_root(d), path, FY_NT,
			    FYNWF_DONT_FOLLOW);
	/* A number is a plain scalar: "12" in quotes is a string. */
	s = n && fy_node_get_style(n) == FYNS_PLAIN
		    ? fy_node_get_scalar(n, &len)
		    : NULL;
	if (!s || !len)
		err = -ENOENT;
	for (size_t i = 0; !err && i < len; i++) {
		unsigned int digit = (unsigned char)s[i] - '0';

		if (digit >= DECIMAL_BASE ||
		    x > (UINT64_MAX - digit) / DECIMAL_BASE)
			err = -ENOENT;
		else
			x = x * DECIMAL_BASE + digit;
	}
	fy_document_destroy(d);
	if (!err)
		*v = x;
	return err;
}
