// SPDX-License-Identifier: GPL-2.0
/*
 * The one parser for the whole numbers vfwd reads: command-line values
 * (VIDs, CPU ids, PIDs, counts), the VID column of a MAC file, and the
 * numbers in the kernel's sysfs and proc files.
 */
#include <errno.h>
#include "vfwd_tables.h"

#define DECIMAL_BASE 10

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Canonical decimal only: digits, no sign, no spaces, no leading zero
 * except for 0 itself.  strtol() would take "010" as 10 and " +5" as 5,
 * so a typo or a value meant as octal would silently become another
 * number; a number has one spelling here, the one vfwd prints back.
 */
int vfwd_parse_u32_prefix(const char *s, const char **end, __u32 min, __u32 max,
			  __u32 *out)
{
	unsigned long long acc = 0;
	bool big = false;

	*end = s;
	if (!is_digit(*s))
		return -EINVAL;
	if (s[0] == '0' && is_digit(s[1]))
		return -EINVAL;
	/* Stop accumulating once past max, so long strings cannot wrap. */
	for (; is_digit(*s); s++) {
		if (!big)
			acc = acc * DECIMAL_BASE + (unsigned int)(*s - '0');
		if (acc > max)
			big = true;
	}
	*end = s;
	if (big || acc < min)
		return -ERANGE;
	*out = (__u32)acc;
	return 0;
}

int vfwd_parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	const char *end;
	__u32 v;
	int err;

	err = vfwd_parse_u32_prefix(s, &end, min, max, &v);
	/* Junk after the digits is a syntax error even when the digits
	 * alone are out of range: "99999x" is not a number at all. */
	if (*end && (err == 0 || err == -ERANGE))
		return -EINVAL;
	if (err)
		return err;
	*out = v;
	return 0;
}
