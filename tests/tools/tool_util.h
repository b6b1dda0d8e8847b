/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the test tools: one-line error messages.  Define PROG (the
 * tool's name) before including. */
#ifndef VFWD_TOOL_UTIL_H
#define VFWD_TOOL_UTIL_H

#include <stdarg.h>
#include <stdio.h>

/* Prints one error line, prefixed with the tool's name. */
static inline void __attribute__((format(printf, 1, 2)))
errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#endif /* VFWD_TOOL_UTIL_H */
