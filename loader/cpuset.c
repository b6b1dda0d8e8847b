// SPDX-License-Identifier: GPL-2.0
/* CPU sets and the kernel's cpulist text format ("0-3,8,10-11"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfwd_cpus.h"
#include "vfwd_tables.h"

#define WORD_BITS 64

void vfwd_cpuset_zero(struct vfwd_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void vfwd_cpuset_add(struct vfwd_cpuset *s, unsigned int cpu)
{
	if (cpu < VFWD_CPU_LIMIT)
		s->bits[cpu / WORD_BITS] |= 1ULL << (cpu % WORD_BITS);
}

bool vfwd_cpuset_has(const struct vfwd_cpuset *s, unsigned int cpu)
{
	if (cpu >= VFWD_CPU_LIMIT)
		return false;
	return s->bits[cpu / WORD_BITS] & (1ULL << (cpu % WORD_BITS));
}

unsigned int vfwd_cpuset_count(const struct vfwd_cpuset *s)
{
	unsigned int i, count = 0;

	for (i = 0; i < VFWD_CPUSET_WORDS; i++)
		count += __builtin_popcountll(s->bits[i]);
	return count;
}

int vfwd_cpuset_next(const struct vfwd_cpuset *s, int prev)
{
	unsigned int cpu = prev < 0 ? 0 : (unsigned int)prev + 1;
	unsigned int word;
	__u64 rest;

	while (cpu < VFWD_CPU_LIMIT) {
		word = cpu / WORD_BITS;
		/* The bits of this word at or above cpu. */
		rest = s->bits[word] >> (cpu % WORD_BITS);
		if (rest)
			return cpu + __builtin_ctzll(rest);
		cpu = (word + 1) * WORD_BITS;
	}
	return -1;
}

int vfwd_cpuset_first(const struct vfwd_cpuset *s)
{
	return vfwd_cpuset_next(s, -1);
}

/* Each CPU id of a list is canonical decimal, as vfwd_parse_u32 reads it:
 * "0-3,5" keeps its syntax, but "00" or "0-03" is refused. */
static int parse_cpu(const char **p, unsigned int *cpu)
{
	return vfwd_parse_u32_prefix(*p, p, 0, VFWD_CPU_LIMIT - 1, cpu);
}

static bool only_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return *p == '\0';
}

/* One "N" or "N-M" item at *p, advancing past it and its comma.  Returns
 * 1 when more items follow, 0 after the last one, or -errno. */
static int next_range(const char **p, unsigned int *lo, unsigned int *hi)
{
	int err;

	err = parse_cpu(p, lo);
	if (err)
		return err;
	*hi = *lo;
	if (**p == '-') {
		(*p)++;
		err = parse_cpu(p, hi);
		if (err)
			return err;
	}
	if (*hi < *lo)
		return -EINVAL;
	if (**p == ',') {
		(*p)++;
		return 1;
	}
	return only_space(*p) ? 0 : -EINVAL;
}

int vfwd_cpuset_parse(const char *list, struct vfwd_cpuset *s)
{
	struct vfwd_cpuset tmp;
	unsigned int lo, hi, cpu;
	int more;

	vfwd_cpuset_zero(&tmp);
	do {
		more = next_range(&list, &lo, &hi);
		if (more < 0)
			return more;
		for (cpu = lo; cpu <= hi; cpu++)
			vfwd_cpuset_add(&tmp, cpu);
	} while (more);
	*s = tmp;
	return 0;
}

int vfwd_cpuset_parse_any(const char *list, struct vfwd_cpuset *s)
{
	if (only_space(list)) {
		vfwd_cpuset_zero(s);
		return 0;
	}
	return vfwd_cpuset_parse(list, s);
}

int vfwd_cpuset_format(const struct vfwd_cpuset *s, char *buf, size_t len)
{
	size_t off = 0;
	int lo, hi, next, w;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (lo = vfwd_cpuset_first(s); lo >= 0; lo = next) {
		/* Extend the run while the following CPU is in the set. */
		hi = lo;
		while ((next = vfwd_cpuset_next(s, hi)) == hi + 1)
			hi = next;
		if (hi == lo)
			w = snprintf(buf + off, len - off, "%s%d",
				     off ? "," : "", lo);
		else
			w = snprintf(buf + off, len - off, "%s%d-%d",
				     off ? "," : "", lo, hi);
		if (w < 0 || (size_t)w >= len - off) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		off += (size_t)w;
	}
	return 0;
}

int vfwd_cpulist_parse(const char *list, __u16 *cpus, unsigned int max,
		       unsigned int *n)
{
	struct vfwd_cpuset seen;
	unsigned int lo, hi, cpu, count = 0;
	int more;

	*n = 0;
	vfwd_cpuset_zero(&seen);
	do {
		more = next_range(&list, &lo, &hi);
		if (more < 0)
			return more;
		for (cpu = lo; cpu <= hi; cpu++) {
			/* A CPU twice would put two vCPUs' work on it while
			 * the caller believes they are spread. */
			if (vfwd_cpuset_has(&seen, cpu))
				return -EINVAL;
			if (count == max)
				return -E2BIG;
			vfwd_cpuset_add(&seen, cpu);
			cpus[count++] = (__u16)cpu;
		}
	} while (more);
	*n = count;
	return 0;
}

void vfwd_cpulist_format(const __u16 *cpus, unsigned int n, char *buf,
			 size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? "," : "",
				cpus[i]);
}
