/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the BPF_PROG_TEST_RUN tests: a crafted-frame builder, a
 * per-CPU counter reader, and the one-line-per-case result reporting that
 * tests/run.sh counts.
 */
#ifndef VFWD_PROG_TEST_H
#define VFWD_PROG_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An 802.1Q/802.1ad tag on the wire: TPID then TCI. */
#define FRAME_TAG_LEN 4
/* Two tags are enough to build every QinQ shape the programs check for. */
#define FRAME_MAX_TAGS 2
/* Largest frame a test builds: a full-size frame with both tags. */
#define FRAME_MAX_LEN (ETH_FRAME_LEN + FRAME_MAX_TAGS * FRAME_TAG_LEN)
/* TCI layout: 3 bits of priority (PCP), the DEI bit, 12 bits of VID. */
#define FRAME_PCP_SHIFT 13
#define FRAME_DEI 0x1000

struct frame_tag {
	__u16 tpid;
	__u16 tci;
};

/*
 * A frame as a test table row describes it.  len is the length on the
 * wire; it may be shorter than the headers, which is how truncated tags
 * are made, and longer, in which case a payload pattern fills the rest.
 */
struct frame_spec {
	__u8 dst[ETH_ALEN];
	__u8 src[ETH_ALEN];
	struct frame_tag tags[FRAME_MAX_TAGS];
	unsigned int ntags;
	__u16 proto; /* EtherType after the tags */
	unsigned int len;
};

/*
 * Write the frame into buf.  The payload is a counting pattern rather than
 * zeroes so that a program rewriting bytes it should not touch shows up
 * when the output is compared with the input.  Returns 0 or -errno.
 */
static inline int frame_build(const struct frame_spec *f, __u8 *buf, size_t cap)
{
	__u8 hdr[ETH_HLEN + FRAME_MAX_TAGS * FRAME_TAG_LEN];
	size_t hlen = 0, i;

	if (f->ntags > FRAME_MAX_TAGS || f->len > cap)
		return -EINVAL;

	memcpy(hdr, f->dst, ETH_ALEN);
	memcpy(hdr + ETH_ALEN, f->src, ETH_ALEN);
	hlen = 2 * ETH_ALEN;
	for (i = 0; i < f->ntags; i++) {
		hdr[hlen++] = f->tags[i].tpid >> 8;
		hdr[hlen++] = f->tags[i].tpid & 0xff;
		hdr[hlen++] = f->tags[i].tci >> 8;
		hdr[hlen++] = f->tags[i].tci & 0xff;
	}
	hdr[hlen++] = f->proto >> 8;
	hdr[hlen++] = f->proto & 0xff;

	memcpy(buf, hdr, f->len < hlen ? f->len : hlen);
	for (i = hlen; i < f->len; i++)
		buf[i] = (__u8)i;
	return 0;
}

/*
 * Read key of a per-CPU map whose value consists of __u64 counters only
 * (every vfwd counter struct does) and store the sum over all possible
 * CPUs of each counter in sum.  The kernel copies one value per possible
 * CPU, each rounded up to 8 bytes.  Returns 0 or -errno.
 */
static inline int percpu_sum_u64(int map_fd, __u32 key, __u64 *sum,
				 size_t value_size)
{
	size_t stride = (value_size + sizeof(__u64) - 1) & ~(sizeof(__u64) - 1);
	size_t n = value_size / sizeof(__u64);
	int ncpus = libbpf_num_possible_cpus();
	__u64 *buf;
	size_t i;
	int cpu, err;

	if (ncpus < 0)
		return ncpus;
	if (value_size % sizeof(__u64))
		return -EINVAL;
	buf = calloc(ncpus, stride);
	if (!buf)
		return -ENOMEM;
	err = bpf_map_lookup_elem(map_fd, &key, buf);
	if (err) {
		err = -errno;
		goto out;
	}
	memset(sum, 0, n * sizeof(*sum));
	for (cpu = 0; cpu < ncpus; cpu++) {
		const __u64 *v = (const __u64 *)((char *)buf + cpu * stride);

		for (i = 0; i < n; i++)
			sum[i] += v[i];
	}
out:
	free(buf);
	return err;
}

/* What differed in one case, gathered into the single FAIL line. */
struct report {
	char msg[2048];
	size_t len;
	int nfail;
};

static inline void __attribute__((format(printf, 2, 3)))
report_fail(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len >= sizeof(r->msg) - 1) {
		r->nfail++;
		return;
	}
	if (r->nfail) {
		n = snprintf(r->msg + r->len, sizeof(r->msg) - r->len, "; ");
		r->len += n;
	}
	va_start(ap, fmt);
	n = vsnprintf(r->msg + r->len, sizeof(r->msg) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += n;
	if (r->len >= sizeof(r->msg))
		r->len = sizeof(r->msg) - 1;
	r->nfail++;
}

static inline void report_u64(struct report *r, const char *what,
			      __u64 expected, __u64 got)
{
	if (expected != got)
		report_fail(r, "%s: expected %llu, got %llu", what,
			    (unsigned long long)expected,
			    (unsigned long long)got);
}

/* Print the case's result line; returns whether the case passed. */
static inline bool report_print(const char *suite, const char *name,
				const struct report *r)
{
	if (!r->nfail) {
		printf("PASS: %s/%s\n", suite, name);
		return true;
	}
	printf("FAIL: %s/%s: %s\n", suite, name, r->msg);
	return false;
}

#endif /* VFWD_PROG_TEST_H */
