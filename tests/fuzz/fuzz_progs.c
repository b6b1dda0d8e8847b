// SPDX-License-Identifier: GPL-2.0
/*
 * Program fuzzer: random and mutated frames through vfwd's forwarding
 * programs with BPF_PROG_TEST_RUN, checking after every frame the
 * invariants that make vfwd a boundary between tenants:
 *
 *   one reason    every frame is counted under exactly one reason;
 *   no VLAN hop   a frame sent to a port is for a MAC bound to that port
 *                 on the frame's VLAN (and reaches an access port
 *                 untagged);
 *   no spoofing   a guest's frame that is not dropped has a source MAC
 *                 bound to that guest's port (on the frame's VLAN for a
 *                 plain frame; an access port's guest sends untagged
 *                 frames only);
 *   well formed   nothing shorter than an Ethernet header, and nothing
 *                 with a group source MAC, is sent to a port.
 *
 * Programs: vfwd_uplink (frames from the wire), vfwd_guest on a trunk
 * port and on an access port (frames from tap guests), vfwd_xguest
 * (bursts from an AF_XDP guest).  Frames are built from the topology's
 * MACs and VLANs, then mutated (bytes flipped, lengths cut): most are
 * near-valid, which is where the rules are.  vfwd_egress (on a trunk and
 * on an access port) gets the frames the uplink floods.  vfwd_cpu gets
 * frames with and without the uplink's steering record (itself fuzzed):
 * without it a frame passes untouched, with it the record comes off and
 * the frame goes to the record's port, counted there once, or is dropped
 * and counted on the record's uplink.  The relay's XDP programs:
 * vfwd_xrelay takes only relay-tagged frames and hands them on with the
 * tag off; vfwd_xflood puts the flood tag on.  (vfwd_xhost, on tc, needs
 * a VLAN tag in the skb's metadata, which a test run cannot give it.)
 *
 * usage: fuzz_progs [--frames N] [--seed S]   (N per program; default
 * 100000, seed from the clock, printed so a failure can be replayed).
 * Prints PASS:/FAIL: lines per program, as tests/run.sh counts them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "fuzz_progs.h"
#include "prog_test.h"

#define DEFAULT_FRAMES 100000
const __u32 fuzz_tracked[FUZZ_NTRACKED] = {UP, PA, PB, PC, PX};

void failed(struct result *r, unsigned long n, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (!r->failures++) {
		off = snprintf(r->first, sizeof(r->first), "frame %lu: ", n);
		va_start(ap, fmt);
		vsnprintf(r->first + off, sizeof(r->first) - off, fmt, ap);
		va_end(ap);
	}
}

/* Counter deltas of one run: reasons counted, and the port whose
 * tx_packets rose (0: none; -1: several). */
static void deltas(const struct prog_counters *a, const struct prog_counters *b,
		   __u64 *reasons, int *to)
{
	*reasons = 0;
	for (int i = 0; i < VFWD_REASON_SLOTS; i++)
		*reasons += b->reason[i].packets - a->reason[i].packets;
	*to = 0;
	for (size_t i = 0; i < FUZZ_NTRACKED; i++)
		if (b->port[i].tx_packets != a->port[i].tx_packets)
			*to = *to ? -1 : (int)fuzz_tracked[i];
}

/* Whatever was sent to port `to`: well formed, and its MAC bound there
 * on the frame's VLAN. */
static void check_sent(struct result *r, const __u8 *f, unsigned int len,
		       int to, const char *what)
{
	int vid = plain_vid(f, len);

	if (to < 0) {
		failed(r, r->frames, "%s: counted as sent to several ports",
		       what);
		return;
	}
	if (len < ETH_HLEN || (f[ETH_ALEN] & 1)) {
		failed(r, r->frames,
		       "%s: a malformed frame (len %u) was sent to port %d",
		       what, len, to);
		return;
	}
	if (to == UP)
		return;
	if (vid < 0 || bound_port(f, (__u16)vid) != (__u32)to)
		failed(r, r->frames,
		       "%s: frame for %02x:..:%02x VLAN %d sent to port %d, which it is not bound to",
		       what, f[0], f[5], vid, to);
}

int read_ctrs(struct env *e, struct prog_counters *c)
{
	return prog_read_counters(e->t.reason_fd, e->t.stats_fd, fuzz_tracked,
				  FUZZ_NTRACKED, c);
}

/* One frame of len bytes through e's program.  1: run, with its return
 * code, its output's length in *out_len and the port counted as sent
 * to in *to, the reasons checked; 0: too short for a test run; -1: the
 * counters could not be read (failed). */
static int run_one(struct env *e, __u8 *f, unsigned int len, __u8 *out,
		   __u32 *retval, __u32 *out_len, int *to, struct result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = len,
		    .data_out = out, .data_size_out = FUZZ_FRAME_MAX + 8,
		    .repeat = 1);
	struct prog_counters a, b;
	__u64 reasons;

	if (read_ctrs(e, &a)) {
		failed(r, r->frames, "reading counters");
		return -1;
	}
	if (bpf_prog_test_run_opts(e->prog_fd, &o)) {
		r->skipped++; /* shorter than the kernel takes */
		return 0;
	}
	if (read_ctrs(e, &b)) {
		failed(r, r->frames, "reading counters");
		return -1;
	}
	deltas(&a, &b, &reasons, to);
	if (reasons != 1)
		failed(r, r->frames, "counted under %llu reasons",
		       (unsigned long long)reasons);
	*retval = o.retval;
	*out_len = o.data_size_out;
	return 1;
}

/* What a single-frame program did with frame f (len bytes): its return
 * code, its output, the port counted as sent to. */
struct verdict {
	const __u8 *f;
	unsigned int len;
	__u32 ret;
	const __u8 *out;
	__u32 out_len;
	int to;
};

/* vfwd_uplink, frames from the wire. */
static void check_uplink(const struct verdict *v, struct result *r)
{
	if (v->ret == XDP_REDIRECT || v->to)
		check_sent(r, v->f, v->len, v->to, "uplink");
	/* An access port's guest gets its frames untagged. */
	if (v->ret == XDP_REDIRECT && (v->to == PB || v->to == PC) &&
	    v->out_len >= ETH_HLEN &&
	    (v->out[12] << 8 | v->out[13]) == ETH_P_8021Q)
		failed(r, r->frames, "uplink: tagged frame to access port %d",
		       v->to);
}

/* The guest of port self may send this frame (its source is its own). */
static bool source_ok(const __u8 *f, unsigned int len, __u32 self,
		      __u16 access_vid)
{
	int vid = plain_vid(f, len);
	const __u8 *src = f + ETH_ALEN;

	if (access_vid)
		return vid == 0 && bound_port(src, access_vid) == self;
	if (vid >= 0)
		return bound_port(src, (__u16)vid) == self;
	return bound_anywhere_to(src, self);
}

/* vfwd_guest on port self (an access port of access_vid, or a trunk). */
static __u32 guest_self;
static __u16 guest_access_vid;
static void check_guest(const struct verdict *v, struct result *r)
{
	__u32 self = guest_self;
	__u16 access_vid = guest_access_vid;

	if (v->ret != TC_ACT_SHOT && !source_ok(v->f, v->len, self, access_vid))
		failed(r, r->frames,
		       "guest %u: a frame with source %02x:..:%02x (len %u) was not dropped (action %d)",
		       self, v->f[6], v->f[11], v->len, v->ret);
	if (!v->to)
		return;
	/* An access port's frames travel on its VLAN. */
	if (access_vid && v->to != UP && v->to > 0 &&
	    bound_port(v->f, access_vid) != (__u32)v->to)
		failed(r, r->frames,
		       "guest %u: frame sent to port %d outside VLAN %u", self,
		       v->to, access_vid);
	else if (!access_vid)
		check_sent(r, v->f, v->len, v->to, "guest");
}

/* n frames through e's single-frame program, each checked by check. */
static void fuzz_single(struct env *e, unsigned long n, struct result *r,
			void (*check)(const struct verdict *, struct result *))
{
	__u8 f[FUZZ_FRAME_MAX], out[FUZZ_FRAME_MAX + 8];
	struct verdict v = {.f = f, .out = out};
	int ok;

	for (r->frames = 0; r->frames < n; r->frames++) {
		v.len = make_frame(f);
		ok = run_one(e, f, v.len, out, &v.ret, &v.out_len, &v.to, r);
		if (ok < 0)
			return;
		if (ok)
			check(&v, r);
	}
}

static void fuzz_xguest(struct env *e, unsigned long n, struct result *r)
{
	static __u8 frames[VFWD_XG_BATCH][FUZZ_FRAME_MAX];
	static __u8 heads[VFWD_XG_BATCH * VFWD_XG_HEAD];
	struct vfwd_xguest_batch *bt = &e->skel->bss->vfwd_xg_batch;
	unsigned int lens[VFWD_XG_BATCH];
	struct prog_counters a, b;
	__u64 reasons;
	int to;

	for (r->frames = 0; r->frames < n;) {
		unsigned int nb = 1 + fuzz_rnd() % VFWD_XG_BATCH, size = 0;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = heads,
			    .repeat = 1);

		memset(bt, 0, sizeof(*bt));
		for (unsigned int i = 0; i < nb; i++) {
			unsigned int h;

			lens[i] = make_frame(frames[i]);
			h = lens[i] < VFWD_XG_HEAD ? lens[i] : VFWD_XG_HEAD;
			memset(heads + i * VFWD_XG_HEAD, 0, VFWD_XG_HEAD);
			memcpy(heads + i * VFWD_XG_HEAD, frames[i], h);
			bt->e[i].port_id = PX;
			bt->e[i].len = lens[i];
			size = i * VFWD_XG_HEAD + vfwd_xguest_slot(lens[i]);
		}
		bt->n = nb;
		o.data_size_in = size;
		if (read_ctrs(e, &a)) {
			failed(r, r->frames, "reading counters");
			return;
		}
		if (bpf_prog_test_run_opts(e->prog_fd, &o) ||
		    o.retval != XDP_PASS || bt->done != nb) {
			failed(r, r->frames,
			       "xguest: a batch of %u was not answered (retval %u, done %u)",
			       nb, o.retval, bt->done);
			return;
		}
		if (read_ctrs(e, &b)) {
			failed(r, r->frames, "reading counters");
			return;
		}
		deltas(&a, &b, &reasons, &to);
		if (reasons != nb)
			failed(r, r->frames,
			       "xguest: %u frames counted under %llu reasons",
			       nb, (unsigned long long)reasons);
		for (unsigned int i = 0; i < nb; i++, r->frames++) {
			const struct vfwd_xguest_ent *x = &bt->e[i];
			const __u8 *f = frames[i];

			if (x->action != VFWD_XG_DROP &&
			    !source_ok(f, lens[i], PX, 0))
				failed(r, r->frames,
				       "xguest: frame with source %02x:..:%02x (len %u) not dropped (action %u)",
				       f[6], f[11], lens[i], x->action);
			if (x->action == VFWD_XG_PORT)
				check_sent(r, f, lens[i], (int)x->to, "xguest");
		}
	}
}

/*
 * vfwd_egress on port self (VLAN vid): the copies of the uplink's floods,
 * which are only frames the uplink parsed (untagged, or one 802.1Q tag
 * with a valid VID; the rest it passes to the kernel), so only those are
 * offered.  A copy of the port's VLAN goes through untagged and otherwise
 * as it came; any other is dropped (ingress: the uplink's device).
 */
int run_devmap(struct env *e, __u8 *f, unsigned int len, __u8 *out, __u32 size,
	       struct bpf_test_run_opts *o, struct result *r)
{
	struct xdp_md ctx = {.data_end = len, .ingress_ifindex = LO_IFINDEX};

	o->sz = sizeof(*o);
	o->data_in = f;
	o->data_size_in = len;
	o->data_out = out;
	o->data_size_out = size;
	o->ctx_in = &ctx;
	o->ctx_size_in = sizeof(ctx);
	o->repeat = 1;
	if (!bpf_prog_test_run_opts(e->prog_fd, o))
		return 0;
	r->skipped++;
	return -1;
}

static void fuzz_egress(struct env *e, __u32 self, __u16 vid, unsigned long n,
			struct result *r)
{
	__u8 f[FUZZ_FRAME_MAX], out[FUZZ_FRAME_MAX + 8];

	for (r->frames = 0; r->frames < n; r->frames++) {
		unsigned int len = make_frame(f);
		struct bpf_test_run_opts o = {};
		int fv;

		if (run_devmap(e, f, len, out, sizeof(out), &o, r))
			continue;
		fv = plain_vid(f, len);
		if (fv < 0) {
			r->skipped++; /* never a flood copy */
			continue;
		}
		if ((o.retval == XDP_PASS) != (fv == vid)) {
			failed(r, r->frames,
			       "egress %u: a VLAN %d frame (len %u) %s at a port of VLAN %u",
			       self, fv, len,
			       o.retval == XDP_PASS ? "let through" : "dropped",
			       vid);
			continue;
		}
		if (o.retval != XDP_PASS)
			continue;
		if (o.data_size_out < ETH_HLEN ||
		    (out[12] << 8 | out[13]) == ETH_P_8021Q ||
		    memcmp(out, f, 2 * ETH_ALEN) ||
		    memcmp(out + 2 * ETH_ALEN, f + 2 * ETH_ALEN + (vid ? 4 : 0),
			   len - 2 * ETH_ALEN - (vid ? 4 : 0)))
			failed(r, r->frames,
			       "egress %u: the copy let through is not the frame untagged",
			       self);
	}
}

static void report(const char *name, const struct result *r)
{
	if (r->failures)
		printf("FAIL: fuzz/progs/%s: %lu of %lu frames broke an invariant; first: %s\n",
		       name, r->failures, r->frames, r->first);
	else
		printf("PASS: fuzz/progs/%s: %lu frames (%lu not checked: too short for a test run, or for egress never a flood copy)\n",
		       name, r->frames, r->skipped);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"frames", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{NULL},
	};
	unsigned long n = DEFAULT_FRAMES;
	struct env up = {}, ga = {}, gb = {}, xg = {}, ea = {}, eb = {},
		   cp = {}, xr = {}, xf = {};
	struct result r;
	int opt, err, bad = 0;

	fuzz_rng_state = (__u64)time(NULL) * 2654435761ULL | 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			fuzz_rng_state = strtoull(optarg, NULL, 0) | 1;
		else
			return 2;
	}
	fprintf(stderr, "fuzz_progs: --seed %llu --frames %lu\n",
		(unsigned long long)fuzz_rng_state, n);
	libbpf_set_print(prog_print_stderr);
	if ((err = env_open(&up, pick_uplink, 0)) ||
	    (err = env_open(&ga, pick_guest, PA)) ||
	    (err = env_open(&gb, pick_guest, PB)) ||
	    (err = env_open(&xg, pick_xguest, 0)) ||
	    (err = env_open(&ea, pick_egress, PA)) ||
	    (err = env_open(&eb, pick_egress, PB)) ||
	    (err = env_open(&cp, pick_cpu, 0)) ||
	    (err = env_open(&xr, pick_xrelay, 0)) ||
	    (err = env_open(&xf, pick_xflood, 0))) {
		printf("FAIL: fuzz/progs/setup: loading the programs: %s\n",
		       strerror(-err));
		return 1;
	}
	memset(&r, 0, sizeof(r));
	fuzz_single(&up, n, &r, check_uplink);
	report("uplink", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	guest_self = PA;
	guest_access_vid = 0;
	fuzz_single(&ga, n, &r, check_guest);
	report("guest_trunk", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	guest_self = PB;
	guest_access_vid = VID_A;
	fuzz_single(&gb, n, &r, check_guest);
	report("guest_access", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	fuzz_xguest(&xg, n, &r);
	report("xguest", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	fuzz_egress(&ea, PA, 0, n, &r);
	report("egress_trunk", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	fuzz_egress(&eb, PB, VID_A, n, &r);
	report("egress_access", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	fuzz_cpu(&cp, n, &r);
	report("cpu", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	fuzz_xrelay(&xr, n, &r);
	report("xrelay", &r);
	bad |= r.failures != 0;
	memset(&r, 0, sizeof(r));
	fuzz_xflood(&xf, n, &r);
	report("xflood", &r);
	bad |= r.failures != 0;
	vfwd_bpf__destroy(ea.skel);
	vfwd_bpf__destroy(eb.skel);
	vfwd_bpf__destroy(up.skel);
	vfwd_bpf__destroy(ga.skel);
	vfwd_bpf__destroy(gb.skel);
	vfwd_bpf__destroy(xg.skel);
	return bad;
}
