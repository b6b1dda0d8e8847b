// SPDX-License-Identifier: GPL-2.0
/*
 * Single values of the configuration file (lib/config_int.h): read as the
 * text the file holds and checked by vfwd's own rules, and the line an
 * error is on.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "config_int.h"
#include "vfwd_ops.h"
#include "vfwd_tables.h"

/* The line node n starts on, counted from 1 as editors do (libfyaml
 * counts from 0).  libfyaml 0.7 gives marks only for tokens, so a
 * mapping or list is placed by its first scalar; 0 when it has none. */
int cfg_node_line(struct fy_node *n)
{
	const struct fy_mark *m;
	struct fy_node_pair *pair;
	void *it = NULL;

	if (!n)
		return 0;
	if (fy_node_is_scalar(n)) {
		m = fy_token_start_mark(fy_node_get_scalar_token(n));
		return m ? m->line + 1 : 0;
	}
	if (fy_node_is_sequence(n))
		return cfg_node_line(fy_node_sequence_iterate(n, &it));
	pair = fy_node_mapping_iterate(n, &it);
	return pair ? cfg_node_line(fy_node_pair_key(pair)) : 0;
}

static int cfg_vbad(struct cfg_ctx *x, int line, const char *key,
		    const char *fmt, va_list ap)
{
	size_t off;

	off = snprintf(x->err, x->errlen, "%s:%d: ", x->file, line);
	if (key && off < x->errlen)
		off += snprintf(x->err + off, x->errlen - off,
				"key '%s': ", key);
	if (off < x->errlen)
		vsnprintf(x->err + off, x->errlen - off, fmt, ap);
	return -EINVAL;
}

int cfg_bad(struct cfg_ctx *x, struct fy_node *n, const char *key,
	    const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cfg_vbad(x, cfg_node_line(n), key, fmt, ap);
	va_end(ap);
	return ret;
}

int cfg_bad_at(struct cfg_ctx *x, int line, const char *key, const char *fmt,
	       ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cfg_vbad(x, line, key, fmt, ap);
	va_end(ap);
	return ret;
}

/* The text of scalar n into buf (NUL-terminated); a value that is not
 * a scalar or does not fit is an error naming key. */
int cfg_scalar(struct cfg_ctx *x, struct fy_node *n, const char *key, char *buf,
	       size_t size)
{
	const char *s;
	size_t len;

	if (!n || fy_node_get_type(n) != FYNT_SCALAR)
		return cfg_bad(x, n, key, "expected a single value, not a %s",
			       n && fy_node_is_mapping(n) ? "mapping" : "list");
	s = fy_node_get_scalar(n, &len);
	if (!s || len >= size || memchr(s, '\0', len))
		return cfg_bad(x, n, key,
			       "value too long (at most %zu characters)",
			       size - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int cfg_bool(struct cfg_ctx *x, struct fy_node *n, const char *key, bool *out)
{
	char v[8];
	int err = cfg_scalar(x, n, key, v, sizeof(v));

	if (err)
		return err;
	if (strcmp(v, "true") && strcmp(v, "false"))
		return cfg_bad(x, n, key, "'%s' is not true or false", v);
	*out = v[0] == 't';
	return 0;
}

int cfg_name(struct cfg_ctx *x, struct fy_node *n, const char *key, char *out,
	     size_t size)
{
	int err = cfg_scalar(x, n, key, out, size);

	if (!err && !vfwd_port_name_valid(out))
		return cfg_bad(
			x, n, key,
			"invalid name '%s': use 1-%d letters, digits, '-', '_' or '.', not starting with '-'",
			out, VFWD_NAME_LEN - 1);
	return err;
}

/* A device name as the kernel takes one (its dev_valid_name): 1 to 15
 * characters, not "." or "..", no '/', ':' or white space. */
int cfg_dev(struct cfg_ctx *x, struct fy_node *n, const char *key, char *out,
	    size_t size)
{
	int err = cfg_scalar(x, n, key, out, size);

	if (err)
		return err;
	if (!out[0] || !strcmp(out, ".") || !strcmp(out, "..") ||
	    strpbrk(out, "/: \t\r\n\v\f"))
		return cfg_bad(
			x, n, key,
			"invalid device name '%s': 1-%d characters, not '.' or '..', without '/', ':' or spaces",
			out, IFNAMSIZ - 1);
	return 0;
}

int cfg_vid(struct cfg_ctx *x, struct fy_node *n, const char *key, __u16 *vid)
{
	char v[16];
	__u32 u;
	int err = cfg_scalar(x, n, key, v, sizeof(v));

	if (err)
		return err;
	/* 0 is how the file says "untagged", as the dump writes it. */
	if (vfwd_parse_u32(v, 0, VFWD_VID_MAX, &u))
		return cfg_bad(
			x, n, key,
			"invalid VLAN '%s': use 0 (untagged) or %d to %d " VFWD_DECIMAL,
			v, VFWD_VID_MIN, VFWD_VID_MAX);
	*vid = u;
	return 0;
}

/* One of names[0..n): its index into *out. */
int cfg_word(struct cfg_ctx *x, struct fy_node *n, const char *key,
	     const char *const *names, size_t count, __u8 *out)
{
	char v[32];
	int err = cfg_scalar(x, n, key, v, sizeof(v));

	if (err)
		return err;
	for (size_t i = 0; i < count; i++)
		if (names[i] && strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return cfg_bad(x, n, key, "invalid value '%s'", v);
}

/* The line of byte off of buf, from 1. */
static int cfg_line_of(const char *buf, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

/* A YAML stream is UTF-8 text without control characters but tab and
 * line breaks (its c-printable set).  libfyaml 0.7.12 spins forever on
 * a directive line with malformed UTF-8 or control characters in it
 * (found by tests/fuzz/fuzz_config.c; the inputs are in its corpus), so
 * both are refused before it sees them.  UTF-8 is checked by glibc's
 * iconv, converting to UTF-8 itself. */
int cfg_check_text(struct cfg_ctx *x, const char *buf, size_t len)
{
	char scratch[4096], *in = (char *)buf, *out;
	size_t inleft = len, outleft;
	iconv_t cd;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = buf[i];

		if ((ch < ' ' && ch != '\t' && ch != '\n' && ch != '\r') ||
		    ch == 0x7f)
			return cfg_bad_at(
				x, cfg_line_of(buf, i), NULL,
				"syntax error: control character 0x%02x (YAML allows none but tab and line breaks)",
				ch);
	}
	cd = iconv_open("UTF-8", "UTF-8");
	if (cd == (iconv_t)-1)
		return 0; /* cannot check: libfyaml checks what it can */
	while (inleft) {
		out = scratch;
		outleft = sizeof(scratch);
		if (iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1 ||
		    errno == E2BIG)
			continue;
		iconv_close(cd);
		return cfg_bad_at(x, cfg_line_of(buf, in - buf), NULL,
				  "syntax error: not UTF-8 text (byte 0x%02x)",
				  (unsigned char)*in);
	}
	iconv_close(cd);
	return 0;
}
