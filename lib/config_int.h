/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the configuration reader: lib/config.c walks the document,
 * lib/config_value.c reads and checks single values and says where an
 * error is ("FILE:LINE: key 'KEY': why").
 */
#ifndef VFWD_CONFIG_INT_H
#define VFWD_CONFIG_INT_H

#include <libfyaml.h>
#include <stddef.h>
#include "config.h"

/* What a walk needs to name a bad item: the file and the message. */
struct cfg_ctx {
	const char *file;
	char *err;
	size_t errlen;
};

/* The line node n starts on, from 1; 0 when it has none. */
int cfg_node_line(struct fy_node *n);
/* "FILE:LINE: key 'KEY': why" into x->err (key may be NULL), at node n or
 * at a line; both return -EINVAL. */
int cfg_bad(struct cfg_ctx *x, struct fy_node *n, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int cfg_bad_at(struct cfg_ctx *x, int line, const char *key, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/* Values of key at node n, each checked as the command line checks its
 * option: 0, or -EINVAL with the message in x. */
int cfg_scalar(struct cfg_ctx *x, struct fy_node *n, const char *key, char *buf,
	       size_t size);
int cfg_bool(struct cfg_ctx *x, struct fy_node *n, const char *key, bool *out);
int cfg_name(struct cfg_ctx *x, struct fy_node *n, const char *key, char *out,
	     size_t size);
int cfg_dev(struct cfg_ctx *x, struct fy_node *n, const char *key, char *out,
	    size_t size);
int cfg_vid(struct cfg_ctx *x, struct fy_node *n, const char *key, __u16 *vid);
/* One of names[0..count): its index into *out. */
int cfg_word(struct cfg_ctx *x, struct fy_node *n, const char *key,
	     const char *const *names, size_t count, __u8 *out);
/* The text before libfyaml sees it: UTF-8 without control characters. */
int cfg_check_text(struct cfg_ctx *x, const char *buf, size_t len);

#endif /* VFWD_CONFIG_INT_H */
