/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the BPF_PROG_TEST_RUN tests: a crafted-frame builder, an
 * XDP test-run wrapper that can show a program a runt, per-CPU counter
 * snapshots and their comparison, and the one-line-per-case result
 * reporting that tests/run.sh counts.
 */
#ifndef VFWD_PROG_TEST_H
#define VFWD_PROG_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "vfwd_tables.h"

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

/* Largest XDP metadata area the kernel accepts from a test run. */
#define XDP_META_MAX 32

/*
 * Run an XDP program once on len bytes of in.  With runt_len set, only
 * runt_len bytes are placed where the program can see them, in one of two
 * layouts, because kernels disagree on which they accept:
 *  - the bytes in front become XDP metadata (ctx.data) and the program
 *    sees the last runt_len bytes.  Older kernels (Debian 12's 6.1) take
 *    this; newer ones (6.18) refuse it with EINVAL because fewer than
 *    ETH_HLEN bytes follow the metadata.
 *  - ctx.data_end ends the linear part early and the rest of the input
 *    goes into a fragment, so the program sees the first runt_len bytes.
 *    Newer kernels take this; older ones want data_end == input size.
 * Either way data_end - data is runt_len, which is all a runt check sees.
 */
static inline int xdp_run_frame_on(int prog_fd, __u32 ingress_ifindex,
				   const __u8 *in, unsigned int len,
				   unsigned int runt_len, __u8 *out,
				   unsigned int out_len,
				   struct bpf_test_run_opts *opts)
{
	struct xdp_md ctx = {.ingress_ifindex = ingress_ifindex};
	unsigned int meta_len;

	opts->data_in = in;
	opts->data_size_in = len;
	opts->data_out = out;
	opts->data_size_out = out_len;
	opts->repeat = 1;
	if (!runt_len && !ingress_ifindex)
		return bpf_prog_test_run_opts(prog_fd, opts) ? -errno : 0;
	if (!runt_len) {
		ctx.data_end = len;
		opts->ctx_in = &ctx;
		opts->ctx_size_in = sizeof(ctx);
		return bpf_prog_test_run_opts(prog_fd, opts) ? -errno : 0;
	}
	if (runt_len > len)
		return -EINVAL;

	/* Metadata length must be a multiple of 4, at most 32 bytes. */
	meta_len = len - runt_len;
	if (meta_len % sizeof(__u32) == 0 && meta_len <= XDP_META_MAX) {
		ctx.data = meta_len;
		ctx.data_end = len;
		opts->ctx_in = &ctx;
		opts->ctx_size_in = sizeof(ctx);
		if (!bpf_prog_test_run_opts(prog_fd, opts))
			return 0;
		if (errno != EINVAL)
			return -errno;
		/* Refused before the program ran: counters are untouched. */
		opts->data_size_out = out_len;
	}
	ctx.data = 0;
	ctx.data_end = runt_len;
	opts->ctx_in = &ctx;
	opts->ctx_size_in = sizeof(ctx);
	return bpf_prog_test_run_opts(prog_fd, opts) ? -errno : 0;
}

/* The same, received on no device in particular. */
static inline int xdp_run_frame(int prog_fd, const __u8 *in, unsigned int len,
				unsigned int runt_len, __u8 *out,
				unsigned int out_len,
				struct bpf_test_run_opts *opts)
{
	return xdp_run_frame_on(prog_fd, 0, in, len, runt_len, out, out_len,
				opts);
}

/*
 * The output a program that removed the frame's outer tag should give:
 * the input with the 4 bytes after the MACs cut out.  Comparing against
 * the input, not a rebuilt frame, also catches a payload that moved.
 */
static inline unsigned int frame_pop_tag(const __u8 *in, unsigned int len,
					 __u8 *out)
{
	const unsigned int macs = 2 * ETH_ALEN;

	/* No tag to cut out: a row that expects one fails on the output. */
	if (len < macs + FRAME_TAG_LEN) {
		memcpy(out, in, len);
		return len;
	}
	memcpy(out, in, macs);
	memcpy(out + macs, in + macs + FRAME_TAG_LEN,
	       len - macs - FRAME_TAG_LEN);
	return len - FRAME_TAG_LEN;
}

/* Make an opened object private to the test before its load.  Tests must
 * neither reuse nor leave behind pinned production maps, so every map
 * loses its pin path; and only the programs under test are loaded (the
 * caller turns them back on), so one that does not verify fails its own
 * test, not the others. */
static inline int prog_isolate(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj)
	{
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			return err;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	return 0;
}

/* libbpf's messages go to stderr, keeping stdout to result lines only. */
static inline int prog_print_stderr(enum libbpf_print_level level,
				    const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
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

static inline const char *prog_xdp_action_name(__u32 act)
{
	static const char *const names[] = {
		[XDP_ABORTED] = "XDP_ABORTED",	 [XDP_DROP] = "XDP_DROP",
		[XDP_PASS] = "XDP_PASS",	 [XDP_TX] = "XDP_TX",
		[XDP_REDIRECT] = "XDP_REDIRECT",
	};

	if (act < ARRAY_SIZE(names) && names[act])
		return names[act];
	return "unknown action";
}

/* The XDP action a program returned against the one a case expects. */
static inline void prog_check_xdp_action(struct report *r, __u32 expected,
					 __u32 got)
{
	if (expected != got)
		report_fail(r, "action: expected %s, got %s (%u)",
			    prog_xdp_action_name(expected),
			    prog_xdp_action_name(got), got);
}

/* The frame a test run handed back against the one a case expects: the
 * input, or the input without its tag when pop. */
static inline void prog_check_output(struct report *r, const __u8 *exp,
				     __u32 exp_len, const __u8 *out,
				     __u32 out_len, bool pop)
{
	if (out_len != exp_len)
		report_fail(r, "output length: expected %u, got %u", exp_len,
			    out_len);
	else if (memcmp(exp, out, exp_len))
		report_fail(r, "output frame: %s",
			    pop ? "not the input without its tag"
				: "modified by the program");
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

/* More ports than any test watches. */
#define PROG_MAX_TRACKED 16

/* Every vfwd counter a test compares before and after a run. */
struct prog_counters {
	struct vfwd_reason_ctr reason[VFWD_REASON_SLOTS];
	struct vfwd_port_stats port[PROG_MAX_TRACKED];
};

/* clang-format off */
static const struct {
	const char *name;
	size_t off;
} prog_stat_fields[] = {
#define STAT_FIELD(f) { #f, offsetof(struct vfwd_port_stats, f) }
	STAT_FIELD(rx_packets),
	STAT_FIELD(rx_bytes),
	STAT_FIELD(tx_packets),
	STAT_FIELD(tx_bytes),
	STAT_FIELD(rx_dropped),
	STAT_FIELD(rx_passed),
	STAT_FIELD(spoof_dropped),
	STAT_FIELD(flood_packets),
#undef STAT_FIELD
};
/* clang-format on */

static inline const char *prog_reason_name(__u32 r, char *buf, size_t len)
{
	/* The CLI's names (maps/stats.c), so a report reads like vfwd stats. */
	if (r < VFWD_R_COUNT)
		return vfwd_reason_str(r);
	snprintf(buf, len, "slot%u", r);
	return buf;
}

static inline __u64 prog_stat_get(const struct vfwd_port_stats *s, size_t off)
{
	return *(const __u64 *)((const char *)s + off);
}

/* Snapshot every reason and the stats of the nports ports in ports. */
static inline int prog_read_counters(int reason_fd, int stats_fd,
				     const __u32 *ports, size_t nports,
				     struct prog_counters *c)
{
	size_t i;
	int err;

	if (nports > PROG_MAX_TRACKED)
		return -EINVAL;
	for (i = 0; i < VFWD_REASON_SLOTS; i++) {
		err = percpu_sum_u64(reason_fd, i, (__u64 *)&c->reason[i],
				     sizeof(c->reason[i]));
		if (err)
			return err;
	}
	for (i = 0; i < nports; i++) {
		err = percpu_sum_u64(stats_fd, ports[i], (__u64 *)&c->port[i],
				     sizeof(c->port[i]));
		if (err)
			return err;
	}
	return 0;
}

/* Every reason counter and every tracked port's counters moved by what
 * exp_reason and exp say (several frames' worth): reason r by
 * exp_reason[r], port ports[i] by exp[i]. */
static inline void prog_check_counters_n(
	const struct prog_counters *before, const struct prog_counters *after,
	const struct vfwd_reason_ctr *exp_reason, const __u32 *ports,
	const struct vfwd_port_stats *exp, size_t nports, struct report *rep)
{
	char what[64], nbuf[16];
	size_t i, f;
	__u32 r;

	for (r = 0; r < VFWD_REASON_SLOTS; r++) {
		const char *n = prog_reason_name(r, nbuf, sizeof(nbuf));

		snprintf(what, sizeof(what), "reason[%s].packets delta", n);
		report_u64(rep, what, exp_reason[r].packets,
			   after->reason[r].packets -
				   before->reason[r].packets);
		snprintf(what, sizeof(what), "reason[%s].bytes delta", n);
		report_u64(rep, what, exp_reason[r].bytes,
			   after->reason[r].bytes - before->reason[r].bytes);
	}

	for (i = 0; i < nports; i++) {
		for (f = 0; f < ARRAY_SIZE(prog_stat_fields); f++) {
			size_t off = prog_stat_fields[f].off;

			snprintf(what, sizeof(what), "port%u.%s delta",
				 ports[i], prog_stat_fields[f].name);
			report_u64(
				rep, what, prog_stat_get(&exp[i], off),
				prog_stat_get(&after->port[i], off) -
					prog_stat_get(&before->port[i], off));
		}
	}
}

/*
 * Compare every counter's rise with what a case expects: reason rises by
 * one frame of reason_bytes and every other reason stays put (reason
 * VFWD_REASON_SLOTS: none moves), and port ports[i] rises by exp[i].
 */
static inline void prog_check_counters(const struct prog_counters *before,
				       const struct prog_counters *after,
				       __u32 reason, __u64 reason_bytes,
				       const __u32 *ports,
				       const struct vfwd_port_stats *exp,
				       size_t nports, struct report *rep)
{
	struct vfwd_reason_ctr exp_reason[VFWD_REASON_SLOTS] = {};

	if (reason < VFWD_REASON_SLOTS) {
		exp_reason[reason].packets = 1;
		exp_reason[reason].bytes = reason_bytes;
	}
	prog_check_counters_n(before, after, exp_reason, ports, exp, nports,
			      rep);
}

#endif /* VFWD_PROG_TEST_H */
