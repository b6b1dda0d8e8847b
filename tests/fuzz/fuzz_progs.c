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
 * on an access port) gets the frames the uplink floods.  Not covered
 * yet: vfwd_cpu (it trusts the uplink's record) and the relay programs.
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
#include "vfwd.skel.h"
#include "skel.h"
#include "prog_test.h"

#define DEFAULT_FRAMES 100000
/* The loopback device exists everywhere; non-live runs never send. */
#define LO_IFINDEX 1
/* Frames up to this long: headers and some payload are all the rules
 * look at. */
#define FUZZ_FRAME_MAX 128
#define MUTATIONS_MAX 4
/* Mutations hit the headers: MACs, up to two tags, the EtherType. */
#define HEADER_BYTES 22
#define VID_A 100
#define VID_C 200

/* The topology: one uplink, three tap ports, one AF_XDP port. */
enum {
	UP = 1,
	PA = 2, /* trunk: MAC_A untagged and on VID_A */
	PB = 3, /* access port of VID_A */
	PC = 4, /* access port of VID_C */
	PX = 5, /* AF_XDP port, untagged */
	NPORTS = 6,
};
static const __u32 tracked[] = {UP, PA, PB, PC, PX};
#define NTRACKED (sizeof(tracked) / sizeof(tracked[0]))

static const __u8 mac_a[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0a};
static const __u8 mac_b[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0b};
static const __u8 mac_c[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0c};
static const __u8 mac_x[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0e};

struct binding {
	const __u8 *mac;
	__u16 vid;
	__u32 port;
};
static const struct binding bindings[] = {
	{mac_a, 0, PA},	    {mac_a, VID_A, PA}, {mac_b, VID_A, PB},
	{mac_c, VID_C, PC}, {mac_x, 0, PX},
};
#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

struct env {
	struct vfwd_bpf *skel;
	int prog_fd;
	struct vfwd_tables t;
};

static __u64 rng_state;
static __u32 rnd(void)
{
	/* xorshift64*: fast, and a printed seed replays a run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (__u32)((rng_state * 2685821657736338717ULL) >> 32);
}

/* The port a (mac, vid) is bound to, or 0. */
static __u32 bound_port(const __u8 *mac, __u16 vid)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		if (bindings[i].vid == vid &&
		    !memcmp(bindings[i].mac, mac, ETH_ALEN))
			return bindings[i].port;
	return 0;
}

static bool bound_anywhere_to(const __u8 *mac, __u32 port)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		if (bindings[i].port == port &&
		    !memcmp(bindings[i].mac, mac, ETH_ALEN))
			return true;
	return false;
}

static int put_port(struct env *e, __u32 id, __u8 kind, __u16 vid)
{
	struct vfwd_port p = {.kind = kind, .vid = vid};
	struct bpf_devmap_val lo = {.ifindex = LO_IFINDEX};

	if (kind != VFWD_PORT_UPLINK) {
		p.uplink_id = UP;
		p.flags = VFWD_PORT_F_SPOOFCHK;
	}
	if (kind != VFWD_PORT_XSK)
		p.ifindex = LO_IFINDEX;
	snprintf(p.name, sizeof(p.name), "p%u", id);
	if (bpf_map_update_elem(e->t.port_fd, &id, &p, BPF_ANY))
		return -errno;
	if (kind == VFWD_PORT_TAP &&
	    bpf_map_update_elem(e->t.tx_fd, &id, &lo, BPF_ANY))
		return -errno;
	return 0;
}

static int env_open(struct env *e,
		    struct bpf_program *(*pick)(struct vfwd_bpf *),
		    __u32 port_id)
{
	struct bpf_program *prog;
	int err;

	e->skel = vfwd_bpf__open();
	if (!e->skel)
		return -errno;
	err = prog_isolate(e->skel->obj);
	if (err)
		return err;
	prog = pick(e->skel);
	bpf_program__set_autoload(prog, true);
	/* The kernel refuses test runs of a devmap egress program: the
	 * same instructions loaded as plain XDP (as tests/prog does). */
	if (prog == e->skel->progs.vfwd_egress) {
		err = bpf_program__set_expected_attach_type(prog, BPF_XDP);
		if (err)
			return err;
	}
	e->skel->rodata->cfg_uplink_port = UP;
	e->skel->rodata->cfg_port_id = port_id;
	err = vfwd_bpf__load(e->skel);
	if (err)
		return err;
	e->prog_fd = bpf_program__fd(prog);
	vfwd_skel_tables(e->skel, &e->t);
	if (e->t.mac_fd < 0)
		return e->t.mac_fd;
	if ((err = put_port(e, UP, VFWD_PORT_UPLINK, 0)) ||
	    (err = put_port(e, PA, VFWD_PORT_TAP, 0)) ||
	    (err = put_port(e, PB, VFWD_PORT_TAP, VID_A)) ||
	    (err = put_port(e, PC, VFWD_PORT_TAP, VID_C)) ||
	    (err = put_port(e, PX, VFWD_PORT_XSK, 0)))
		return err;
	for (size_t i = 0; i < NBINDINGS; i++) {
		struct vfwd_mac_key k = {.vid = bindings[i].vid};
		struct vfwd_mac_val v = {.port_id = bindings[i].port,
					 .flags = VFWD_MAC_STATIC};

		if (bindings[i].port == PB || bindings[i].port == PC)
			v.flags |= VFWD_MAC_ACCESS;
		memcpy(k.mac, bindings[i].mac, ETH_ALEN);
		if (bpf_map_update_elem(e->t.mac_fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static struct bpf_program *pick_uplink(struct vfwd_bpf *s)
{
	return s->progs.vfwd_uplink;
}
static struct bpf_program *pick_guest(struct vfwd_bpf *s)
{
	return s->progs.vfwd_guest;
}
static struct bpf_program *pick_egress(struct vfwd_bpf *s)
{
	return s->progs.vfwd_egress;
}
static struct bpf_program *pick_xguest(struct vfwd_bpf *s)
{
	return s->progs.vfwd_xguest;
}

/* A MAC for a frame: one of the topology's, a group address, or noise. */
static void pick_mac(__u8 *m)
{
	static const __u8 bcast[ETH_ALEN] = {0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff};
	static const __u8 mcast[ETH_ALEN] = {0x01, 0x00, 0x5e, 0, 0, 1};
	const __u8 *choice[] = {mac_a, mac_b, mac_c, mac_x, bcast, mcast};
	__u32 r = rnd() % (sizeof(choice) / sizeof(choice[0]) + 2);

	if (r < sizeof(choice) / sizeof(choice[0])) {
		memcpy(m, choice[r], ETH_ALEN);
		return;
	}
	for (int i = 0; i < ETH_ALEN; i++)
		m[i] = (__u8)rnd();
}

static __u16 pick_vid(void)
{
	static const __u16 vids[] = {0, VID_A, VID_C, 300, 4095};
	__u32 r = rnd() % (sizeof(vids) / sizeof(vids[0]) + 1);

	return r < sizeof(vids) / sizeof(vids[0]) ? vids[r]
						  : (__u16)(rnd() & 0xfff);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* A frame: MACs, zero to two tags, an EtherType, payload; then a few
 * header bytes flipped and maybe a cut.  Returns its length. */
static unsigned int make_frame(__u8 *f)
{
	unsigned int len = 2 * ETH_ALEN, ntags = rnd() % 3, cut;

	pick_mac(f);
	pick_mac(f + ETH_ALEN);
	for (unsigned int i = 0; i < ntags; i++) {
		put16(f + len, (rnd() % 4) ? ETH_P_8021Q : ETH_P_8021AD);
		put16(f + len + 2, (__u16)((rnd() % 8) << 13) | pick_vid());
		len += 4;
	}
	put16(f + len, (rnd() % 2) ? ETH_P_IP : (__u16)rnd());
	len += 2;
	for (unsigned int i = len; i < FUZZ_FRAME_MAX; i++)
		f[i] = (__u8)i;
	len = ETH_ZLEN + rnd() % (FUZZ_FRAME_MAX - ETH_ZLEN);
	for (unsigned int i = rnd() % (MUTATIONS_MAX + 1); i; i--)
		f[rnd() % HEADER_BYTES] ^= (__u8)(1u << (rnd() % 8));
	/* One in eight is cut short, often inside the headers. */
	if (rnd() % 8 == 0) {
		cut = rnd() % (HEADER_BYTES + 4);
		if (cut < len)
			len = cut;
	}
	return len;
}

/* The VLAN of a plain frame (untagged, or one 802.1Q tag with a valid
 * VID and no second tag): 0 or the VID; -1 for anything else. */
static int plain_vid(const __u8 *f, unsigned int len)
{
	__u16 proto, vid, inner;

	if (len < ETH_HLEN)
		return -1;
	proto = (__u16)(f[12] << 8 | f[13]);
	if (proto == ETH_P_8021AD)
		return -1;
	if (proto != ETH_P_8021Q)
		return 0;
	if (len < ETH_HLEN + 4)
		return -1;
	vid = (__u16)((f[14] << 8 | f[15]) & 0xfff);
	inner = (__u16)(f[16] << 8 | f[17]);
	if (vid == 0 || vid == 4095 || inner == ETH_P_8021Q ||
	    inner == ETH_P_8021AD)
		return -1;
	return vid;
}

struct result {
	unsigned long frames, skipped, failures;
	char first[512];
};

static void failed(struct result *r, unsigned long n, const char *fmt, ...)
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
	for (size_t i = 0; i < NTRACKED; i++)
		if (b->port[i].tx_packets != a->port[i].tx_packets)
			*to = *to ? -1 : (int)tracked[i];
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

static int read_ctrs(struct env *e, struct prog_counters *c)
{
	return prog_read_counters(e->t.reason_fd, e->t.stats_fd, tracked,
				  NTRACKED, c);
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
		unsigned int nb = 1 + rnd() % VFWD_XG_BATCH, size = 0;
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
static void fuzz_egress(struct env *e, __u32 self, __u16 vid, unsigned long n,
			struct result *r)
{
	__u8 f[FUZZ_FRAME_MAX], out[FUZZ_FRAME_MAX + 8];
	struct xdp_md ctx;

	for (r->frames = 0; r->frames < n; r->frames++) {
		unsigned int len = make_frame(f);
		int fv;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
			    .data_size_in = len, .data_out = out,
			    .data_size_out = sizeof(out), .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

		memset(&ctx, 0, sizeof(ctx));
		ctx.data_end = len;
		ctx.ingress_ifindex = LO_IFINDEX;
		if (bpf_prog_test_run_opts(e->prog_fd, &o)) {
			r->skipped++;
			continue;
		}
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
	struct env up = {}, ga = {}, gb = {}, xg = {}, ea = {}, eb = {};
	struct result r;
	int opt, err, bad = 0;

	rng_state = (__u64)time(NULL) * 2654435761ULL | 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			rng_state = strtoull(optarg, NULL, 0) | 1;
		else
			return 2;
	}
	fprintf(stderr, "fuzz_progs: --seed %llu --frames %lu\n",
		(unsigned long long)rng_state, n);
	libbpf_set_print(prog_print_stderr);
	if ((err = env_open(&up, pick_uplink, 0)) ||
	    (err = env_open(&ga, pick_guest, PA)) ||
	    (err = env_open(&gb, pick_guest, PB)) ||
	    (err = env_open(&xg, pick_xguest, 0)) ||
	    (err = env_open(&ea, pick_egress, PA)) ||
	    (err = env_open(&eb, pick_egress, PB))) {
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
	vfwd_bpf__destroy(ea.skel);
	vfwd_bpf__destroy(eb.skel);
	vfwd_bpf__destroy(up.skel);
	vfwd_bpf__destroy(ga.skel);
	vfwd_bpf__destroy(gb.skel);
	vfwd_bpf__destroy(xg.skel);
	return bad;
}
