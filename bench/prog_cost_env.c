// SPDX-License-Identifier: GPL-2.0
/*
 * bench/prog_cost's programs, tables and cases.
 *
 * vfwd's object is loaded once per MAC table size, each with private maps
 * (nothing pinned, nothing attached), with all four programs: vfwd_uplink,
 * vfwd_egress and vfwd_cpu as plain XDP (the kernel refuses test runs of
 * devmap and cpumap programs; the instructions are the same), and
 * vfwd_guest as tc.  Every port that receives a redirect has loopback as
 * its device: a non-live test run only records where a redirect goes and
 * never sends.  The process runs in a private network namespace anyway
 * (prog_cost.c), so that loopback is its own.
 *
 * A case's table holds the entries the case's frame needs (its
 * destination, and for vfwd_guest the sender's own MAC, which
 * anti-spoofing looks up) plus filler entries up to the size: a table of
 * 1 holds only what the case needs, or one filler entry if it needs none.
 * Switching cases swaps only those few entries.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "vfwd_tables.h"
#include "vfwd.skel.h"
#include "skel.h"
#include "bench_lib.h"
#include "stub.skel.h"
#include "prog_cost.h"

/* Port ids.  SELF is the port vfwd_guest and vfwd_egress serve
 * (cfg_port_id); each case rewrites its slot. */
#define UPLINK_PORT 1
#define SELF_PORT 2
#define PEER_PORT 3 /* untagged guest, also bound on TEST_VID as a trunk */
#define ACCESS_PORT 4 /* access port of TEST_VID */
#define STEER_PORT 5 /* untagged guest whose frames go to the other CPU */

#define TEST_VID 100
#define LO_IFINDEX 1
/* No CPUMAP program: a non-live test run only records the redirect. */
#define NO_PROG_FD (-1)

#define FRAME_LEN 64
#define VLAN_HLEN 4
/* Room for the metadata vfwd puts in front of a frame, and the frame. */
#define RUN_MAX (FRAME_LEN + sizeof(struct vfwd_cpu_meta))

/* Entries a case needs at most: the sender's MAC and the destination. */
#define PC_MAX_NEED 2

/* Filler MACs: locally administered, a second byte no case MAC has, and
 * the index in the last three bytes (enough for VFWD_MAX_MACS). */
#define FILL_B0 0x02
#define FILL_B1 0xf1
#define BYTE_BITS 8
#define BYTE_MASK 0xff

const __u32 pc_sizes[PC_NSIZES] = {1, 1000, VFWD_MAX_MACS};
const char *const pc_stub_names[PC_NSTUBS] = {"xdp_pass", "xdp_redirect",
					      "tc_ok"};
const char *const pc_mode_groups[PC_NMODES] = {"prog_cost", "prog_cost_single"};

/* clang-format off */
static const __u8 mac_peer[ETH_ALEN] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x03};
static const __u8 mac_access[ETH_ALEN] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x04};
static const __u8 mac_steer[ETH_ALEN] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x05};
static const __u8 mac_self[ETH_ALEN] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};
static const __u8 mac_unknown[ETH_ALEN] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x99};
/* A host on the wire: the sender of wire frames, and where a guest's
 * frames to the uplink go.  Never bound. */
static const __u8 mac_wire[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
static const __u8 mac_bcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
/* clang-format on */

enum pc_prog {
	P_UPLINK,
	P_EGRESS,
	P_CPU,
	P_GUEST,
};

struct pc_mac_need {
	const __u8 *mac; /* NULL: unused slot */
	__u16 vid;
	__u32 port;
	__u32 flags;
};

struct pc_case_def {
	struct pc_case_info info;
	enum pc_prog prog;
	const __u8 *dst, *src;
	__u16 tag; /* VID of the frame's 802.1Q tag; 0: untagged */
	__u16 self_vid; /* SELF's access VLAN (vfwd_guest, vfwd_egress) */
	struct pc_mac_need need[PC_MAX_NEED];
	__u32 expect; /* the program's return code */
	/* vfwd's CPU steering record in front of the frame (pushed with
	 * bpf_xdp_adjust_head, part of the frame data): before the run, and
	 * after it (vfwd_cpu takes it off). */
	bool meta_in;
	bool meta_out;
	bool steer; /* needs a second CPU */
};

#define INFO(n, v, m, s)                                                       \
	.info = {.name = (n), .vlan = (v), .mode = (m), .stub = (s)}
#define NEED(m, v, p, f)                                                       \
	{                                                                      \
		.mac = (m), .vid = (v), .port = (p), .flags = (f)              \
	}
#define SELF_NEED(v, f) NEED(mac_self, (v), SELF_PORT, (f))
#define ACC VFWD_MAC_ACCESS

static const struct pc_case_def cases[] = {
	/* vfwd_uplink: a frame from the wire. */
	{INFO("vfwd_uplink/hit", "none", PC_REPEAT, PC_STUB_XDP_REDIRECT),
	 .prog = P_UPLINK, .dst = mac_peer, .src = mac_wire,
	 .need = {NEED(mac_peer, VFWD_VID_NONE, PEER_PORT, 0)},
	 .expect = XDP_REDIRECT},
	{INFO("vfwd_uplink/hit", "trunk", PC_REPEAT, PC_STUB_XDP_REDIRECT),
	 .prog = P_UPLINK, .dst = mac_peer, .src = mac_wire, .tag = TEST_VID,
	 .need = {NEED(mac_peer, TEST_VID, PEER_PORT, 0)},
	 .expect = XDP_REDIRECT},
	{INFO("vfwd_uplink/miss", "none", PC_REPEAT, PC_STUB_XDP_PASS),
	 .prog = P_UPLINK, .dst = mac_unknown, .src = mac_wire,
	 .expect = XDP_PASS},
	{INFO("vfwd_uplink/miss", "trunk", PC_REPEAT, PC_STUB_XDP_PASS),
	 .prog = P_UPLINK, .dst = mac_unknown, .src = mac_wire, .tag = TEST_VID,
	 .expect = XDP_PASS},
	{INFO("vfwd_uplink/bcast", "none", PC_REPEAT, PC_STUB_XDP_PASS),
	 .prog = P_UPLINK, .dst = mac_bcast, .src = mac_wire,
	 .expect = XDP_PASS},
	/* The reference for the single-run cases below: the same frame as
	 * the first case, measured their way. */
	{INFO("vfwd_uplink/hit", "none", PC_SINGLE, PC_STUB_XDP_REDIRECT),
	 .prog = P_UPLINK, .dst = mac_peer, .src = mac_wire,
	 .need = {NEED(mac_peer, VFWD_VID_NONE, PEER_PORT, 0)},
	 .expect = XDP_REDIRECT},
	/* The tag comes off: the frame changes, so one run per call. */
	{INFO("vfwd_uplink/hit", "access", PC_SINGLE, PC_STUB_XDP_REDIRECT),
	 .prog = P_UPLINK, .dst = mac_access, .src = mac_wire, .tag = TEST_VID,
	 .need = {NEED(mac_access, TEST_VID, ACCESS_PORT, ACC)},
	 .expect = XDP_REDIRECT},
	/* To the CPUMAP: the steering record goes on, so one run per call
	 * too. */
	{INFO("vfwd_uplink/steer", "none", PC_SINGLE, PC_STUB_XDP_REDIRECT),
	 .prog = P_UPLINK, .dst = mac_steer, .src = mac_wire,
	 .need = {NEED(mac_steer, VFWD_VID_NONE, STEER_PORT, 0)},
	 .expect = XDP_REDIRECT, .meta_out = true, .steer = true},

	/* vfwd_egress: the copy of a flood for port SELF. */
	{INFO("vfwd_egress/keep", "none", PC_REPEAT, PC_STUB_XDP_PASS),
	 .prog = P_EGRESS, .dst = mac_bcast, .src = mac_wire,
	 .expect = XDP_PASS},
	/* A tagged flood on a port without that VLAN. */
	{INFO("vfwd_egress/drop", "trunk", PC_REPEAT, PC_STUB_XDP_PASS),
	 .prog = P_EGRESS, .dst = mac_bcast, .src = mac_wire, .tag = TEST_VID,
	 .expect = XDP_DROP},
	{INFO("vfwd_egress/keep", "access", PC_SINGLE, PC_STUB_XDP_PASS),
	 .prog = P_EGRESS, .dst = mac_bcast, .src = mac_wire, .tag = TEST_VID,
	 .self_vid = TEST_VID, .expect = XDP_PASS},

	/* vfwd_cpu: a frame the uplink steered, with its steering record,
	 * which comes off: one run per call. */
	{INFO("vfwd_cpu/redirect", "none", PC_SINGLE, PC_STUB_XDP_REDIRECT),
	 .prog = P_CPU, .dst = mac_peer, .src = mac_wire,
	 .expect = XDP_REDIRECT, .meta_in = true},

	/* vfwd_guest: a frame the guest on SELF sent. */
	{INFO("vfwd_guest/to_port", "none", PC_REPEAT, PC_STUB_TC_OK),
	 .prog = P_GUEST, .dst = mac_peer, .src = mac_self,
	 .need = {SELF_NEED(VFWD_VID_NONE, 0),
		  NEED(mac_peer, VFWD_VID_NONE, PEER_PORT, 0)},
	 .expect = TC_ACT_REDIRECT},
	{INFO("vfwd_guest/to_port", "trunk", PC_REPEAT, PC_STUB_TC_OK),
	 .prog = P_GUEST, .dst = mac_peer, .src = mac_self, .tag = TEST_VID,
	 .need = {SELF_NEED(TEST_VID, 0),
		  NEED(mac_peer, TEST_VID, PEER_PORT, 0)},
	 .expect = TC_ACT_REDIRECT},
	/* Access port to access port of the same VLAN: untagged both
	 * sides, nothing to push or pop. */
	{INFO("vfwd_guest/to_port", "access", PC_REPEAT, PC_STUB_TC_OK),
	 .prog = P_GUEST, .dst = mac_access, .src = mac_self,
	 .self_vid = TEST_VID,
	 .need = {SELF_NEED(TEST_VID, ACC),
		  NEED(mac_access, TEST_VID, ACCESS_PORT, ACC)},
	 .expect = TC_ACT_REDIRECT},
	{INFO("vfwd_guest/to_uplink", "none", PC_REPEAT, PC_STUB_TC_OK),
	 .prog = P_GUEST, .dst = mac_wire, .src = mac_self,
	 .need = {SELF_NEED(VFWD_VID_NONE, 0)}, .expect = TC_ACT_REDIRECT},
	{INFO("vfwd_guest/to_uplink", "trunk", PC_REPEAT, PC_STUB_TC_OK),
	 .prog = P_GUEST, .dst = mac_wire, .src = mac_self, .tag = TEST_VID,
	 .need = {SELF_NEED(TEST_VID, 0)}, .expect = TC_ACT_REDIRECT},
	/* The tag goes on: one run per call. */
	{INFO("vfwd_guest/to_uplink", "access", PC_SINGLE, PC_STUB_TC_OK),
	 .prog = P_GUEST, .dst = mac_wire, .src = mac_self,
	 .self_vid = TEST_VID, .need = {SELF_NEED(TEST_VID, ACC)},
	 .expect = TC_ACT_REDIRECT},
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* One instance of vfwd's object and its MAC table at one size. */
struct pc_table {
	struct vfwd_bpf *skel;
	struct vfwd_tables t;
	int prog_fd[P_GUEST + 1];
	__u32 size;
	__u32 filler; /* filler entries in the table now */
	int installed; /* the case whose entries are in; -1: none */
};

struct pc_env {
	struct pc_table tab[PC_NSIZES];
	struct stub_bpf *stub;
	int steer_cpu;
	int home_cpu;
};

/* What one test run is given and must give back. */
struct run_spec {
	__u8 in[RUN_MAX];
	__u32 len; /* steering record included */
	__u32 meta; /* steering record bytes at the front */
	bool xdp;
	__u32 expect;
	__u32 meta_out;
	const char *what; /* for messages */
};

int pc_ncases(void)
{
	return NCASES;
}

const struct pc_case_info *pc_case(int c)
{
	return &cases[c].info;
}

bool pc_case_runs(const struct pc_env *env, int c)
{
	return !cases[c].steer || env->steer_cpu >= 0;
}

static __u32 case_nneed(const struct pc_case_def *d)
{
	__u32 n = 0;

	while (n < PC_MAX_NEED && d->need[n].mac)
		n++;
	return n;
}

__u32 pc_case_macs(int c, int s)
{
	__u32 n = case_nneed(&cases[c]);

	return n > pc_sizes[s] ? n : pc_sizes[s];
}

/* ---- frames and test runs ---- */

/* dst, src, an 802.1Q tag unless vid is 0, IPv4's EtherType, zeros. */
static void frame_put(__u8 *f, const __u8 *dst, const __u8 *src, __u16 vid)
{
	__u8 *p = f + 2 * ETH_ALEN;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	if (vid) {
		*p++ = ETH_P_8021Q >> BYTE_BITS;
		*p++ = ETH_P_8021Q & BYTE_MASK;
		*p++ = vid >> BYTE_BITS;
		*p++ = vid & BYTE_MASK;
	}
	*p++ = ETH_P_IP >> BYTE_BITS;
	*p = ETH_P_IP & BYTE_MASK;
}

static void case_spec(const struct pc_env *env, const struct pc_case_def *d,
		      struct run_spec *rs)
{
	/* What vfwd_uplink would have left for vfwd_cpu: the port it
	 * looked up, the uplink, and this CPU. */
	const struct vfwd_cpu_meta m = {.port_id = PEER_PORT,
					.uplink_id = UPLINK_PORT,
					.cpu = env->home_cpu,
					.magic = VFWD_CPU_META_MAGIC};

	memset(rs, 0, sizeof(*rs));
	rs->meta = d->meta_in ? sizeof(m) : 0;
	if (d->meta_in)
		memcpy(rs->in, &m, sizeof(m));
	frame_put(rs->in + rs->meta, d->dst, d->src, d->tag);
	rs->len = rs->meta + FRAME_LEN;
	rs->xdp = d->prog != P_GUEST;
	rs->expect = d->expect;
	rs->meta_out = d->meta_out ? sizeof(m) : 0;
	rs->what = d->info.name;
}

static double thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * (double)BENCH_NSEC_PER_SEC + t.tv_nsec;
}

/* One BPF_PROG_TEST_RUN of repeat iterations, checked against rs.  The
 * XDP context says that the frame came in on
 * loopback (the uplink's device here, which vfwd_egress checks). */
static int run_once(int fd, const struct run_spec *rs, __u32 repeat,
		    __u32 *duration)
{
	struct xdp_md ctx_in = {.data_end = rs->len,
				.ingress_ifindex = LO_IFINDEX};
	struct xdp_md ctx_out = {};
	__u8 out[RUN_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = rs->in,
		    .data_size_in = rs->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	if (rs->xdp) {
		o.ctx_in = &ctx_in;
		o.ctx_size_in = sizeof(ctx_in);
		o.ctx_out = &ctx_out;
		o.ctx_size_out = sizeof(ctx_out);
	}
	if (bpf_prog_test_run_opts(fd, &o)) {
		fprintf(stderr, "%s: %s: test run: %s\n",
			program_invocation_short_name, rs->what,
			strerror(errno));
		return -errno;
	}
	if (o.retval != rs->expect ||
	    (rs->xdp && o.data_size_out != FRAME_LEN + rs->meta_out)) {
		fprintf(stderr,
			"%s: %s: returned %u with %u bytes out, expected %u with %u: the case does not take the path it names\n",
			program_invocation_short_name, rs->what, o.retval,
			o.data_size_out, rs->expect, FRAME_LEN + rs->meta_out);
		return -EPROTO;
	}
	*duration = o.duration;
	return 0;
}

/*
 * ns per frame.  REPEAT: the calling thread's CPU time over the one call,
 * divided by repeat; the kernel's own duration is whole ns, too coarse
 * for differences of a few ns, and the syscall around the loop is lost
 * in 10^5..10^7 iterations.  SINGLE: the mean of the kernel's duration
 * of each call, which covers the program run and not the syscall.
 */
static int measure(int fd, const struct run_spec *rs, enum pc_mode mode,
		   __u32 repeat, __u32 calls, double *ns)
{
	double t0, sum = 0;
	__u32 d;
	int err;

	if (mode == PC_REPEAT) {
		t0 = thread_cpu_ns();
		err = run_once(fd, rs, repeat, &d);
		*ns = (thread_cpu_ns() - t0) / repeat;
		return err;
	}
	for (__u32 i = 0; i < calls; i++) {
		err = run_once(fd, rs, 1, &d);
		if (err)
			return err;
		sum += d;
	}
	*ns = sum / calls;
	return 0;
}

/* ---- tables ---- */

static void fill_key(__u32 i, struct vfwd_mac_key *k)
{
	memset(k, 0, sizeof(*k));
	k->mac[0] = FILL_B0;
	k->mac[1] = FILL_B1;
	k->mac[3] = i >> (2 * BYTE_BITS) & BYTE_MASK;
	k->mac[4] = i >> BYTE_BITS & BYTE_MASK;
	k->mac[5] = i & BYTE_MASK;
}

static void need_key(const struct pc_mac_need *n, struct vfwd_mac_key *k,
		     struct vfwd_mac_val *v)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->mac, n->mac, ETH_ALEN);
	k->vid = n->vid;
	v->port_id = n->port;
	v->flags = VFWD_MAC_STATIC | n->flags;
}

/* Port SELF as case d wants it: a tap on loopback, anti-spoofing on,
 * leaving by the uplink, access port of d->self_vid if any. */
static int self_put(struct pc_table *tb, const struct pc_case_def *d)
{
	struct vfwd_port p = {.ifindex = LO_IFINDEX,
			      .uplink_id = UPLINK_PORT,
			      .kind = VFWD_PORT_TAP,
			      .vid = d->self_vid,
			      .flags = VFWD_PORT_F_SPOOFCHK};

	snprintf(p.name, sizeof(p.name), "self");
	return vfwd_port_put(&tb->t, SELF_PORT, &p);
}

/* Make the table hold case c's entries and filler up to its size.  The
 * previous case's entries go first, so a full table has room. */
static int install(struct pc_table *tb, int c)
{
	const struct pc_case_def *d = &cases[c];
	__u32 n = case_nneed(d), want = tb->size > n ? tb->size - n : 0;
	struct vfwd_mac_val v = {.port_id = PEER_PORT,
				 .flags = VFWD_MAC_STATIC};
	struct vfwd_mac_key k;
	int err = 0;

	if (tb->installed == c)
		return 0;
	if (tb->installed >= 0) {
		const struct pc_case_def *old = &cases[tb->installed];

		for (__u32 i = 0; i < case_nneed(old); i++) {
			need_key(&old->need[i], &k, &v);
			err = vfwd_mac_del(&tb->t, &k);
			if (err && err != -ENOENT)
				return err;
		}
		tb->installed = -1;
	}
	v = (struct vfwd_mac_val){.port_id = PEER_PORT,
				  .flags = VFWD_MAC_STATIC};
	for (; tb->filler > want; tb->filler--) {
		fill_key(tb->filler - 1, &k);
		err = vfwd_mac_del(&tb->t, &k);
		if (err)
			return err;
	}
	for (; tb->filler < want; tb->filler++) {
		fill_key(tb->filler, &k);
		err = vfwd_mac_put(&tb->t, &k, &v, true);
		if (err)
			return err;
	}
	for (__u32 i = 0; i < n; i++) {
		need_key(&d->need[i], &k, &v);
		err = vfwd_mac_put(&tb->t, &k, &v, true);
		if (err)
			return err;
	}
	err = self_put(tb, d);
	if (!err)
		tb->installed = c;
	return err;
}

static int port_add(struct pc_table *tb, __u32 id, const struct vfwd_port *p,
		    bool tx)
{
	int err = vfwd_port_put(&tb->t, id, p);

	if (!err && tx)
		err = vfwd_tx_set(&tb->t, id, LO_IFINDEX);
	return err;
}

/* The ports every case shares: the uplink, and the guests frames are
 * redirected to, each on loopback. */
static int ports_add(struct pc_table *tb, int steer_cpu)
{
	struct vfwd_port up = {.kind = VFWD_PORT_UPLINK, .ifindex = LO_IFINDEX};
	struct vfwd_port peer = {.kind = VFWD_PORT_TAP,
				 .ifindex = LO_IFINDEX,
				 .uplink_id = UPLINK_PORT,
				 .flags = VFWD_PORT_F_SPOOFCHK};
	struct vfwd_port acc = peer, steer = peer;
	int err;

	snprintf(up.name, sizeof(up.name), "uplink");
	snprintf(peer.name, sizeof(peer.name), "peer");
	snprintf(acc.name, sizeof(acc.name), "access");
	acc.vid = TEST_VID;
	err = port_add(tb, UPLINK_PORT, &up, false);
	if (!err)
		err = port_add(tb, PEER_PORT, &peer, true);
	if (!err)
		err = port_add(tb, ACCESS_PORT, &acc, true);
	if (err || steer_cpu < 0)
		return err;
	/* One vCPU on the other CPU, as `port add --cpus` writes it. */
	snprintf(steer.name, sizeof(steer.name), "steer");
	steer.placement = VFWD_PLACE_SAME_CPU;
	steer.cpu_source = VFWD_CPUSRC_CPUS;
	steer.ncpus = 1;
	steer.cpus[0] = steer.vcpu_cpus[0] = steer_cpu;
	err = port_add(tb, STEER_PORT, &steer, true);
	if (!err)
		err = vfwd_cpumap_set(&tb->t, steer_cpu, VFWD_CPUMAP_QSIZE,
				      NO_PROG_FD);
	return err;
}

static int table_open(struct pc_table *tb, __u32 size, int steer_cpu)
{
	struct vfwd_bpf *s;
	int err, ncpus = libbpf_num_possible_cpus();

	tb->size = size;
	tb->installed = -1;
	if (ncpus < 0)
		return ncpus;
	err = bench_vfwd_open(&tb->skel, UPLINK_PORT);
	if (err)
		return err;
	s = tb->skel;
	s->rodata->cfg_port_id = SELF_PORT;
	/* One CPUMAP slot per possible CPU, as the loader sizes it. */
	err = bpf_map__set_max_entries(s->maps.vfwd_cpu_v4, ncpus);
	/* The kernel test-runs only plain XDP programs, not devmap or
	 * cpumap ones. */
	if (!err)
		err = bpf_program__set_expected_attach_type(
			s->progs.vfwd_egress, BPF_XDP);
	if (!err)
		err = bpf_program__set_expected_attach_type(s->progs.vfwd_cpu,
							    BPF_XDP);
	if (!err)
		err = vfwd_bpf__load(s);
	if (err)
		return err;
	vfwd_skel_tables(s, &tb->t);
	tb->prog_fd[P_UPLINK] = bpf_program__fd(s->progs.vfwd_uplink);
	tb->prog_fd[P_EGRESS] = bpf_program__fd(s->progs.vfwd_egress);
	tb->prog_fd[P_CPU] = bpf_program__fd(s->progs.vfwd_cpu);
	tb->prog_fd[P_GUEST] = bpf_program__fd(s->progs.vfwd_guest);
	err = ports_add(tb, steer_cpu);
	/* Fill now, so the first round does not pay for it. */
	if (!err)
		err = install(tb, 0);
	return err;
}

static int stub_open(struct pc_env *env)
{
	struct bpf_devmap_val dv = {.ifindex = LO_IFINDEX,
				    .bpf_prog.fd = NO_PROG_FD};
	__u32 key = PEER_PORT;
	int err;

	env->stub = stub_bpf__open();
	if (!env->stub)
		return -errno;
	env->stub->rodata->stub_port = key;
	err = stub_bpf__load(env->stub);
	if (err)
		return err;
	return bpf_map_update_elem(bpf_map__fd(env->stub->maps.stub_tx), &key,
				   &dv, BPF_ANY)
		       ? -errno
		       : 0;
}

int pc_env_open(struct pc_env **out, int steer_cpu)
{
	struct pc_env *env = calloc(1, sizeof(*env));
	int err = 0;

	if (!env)
		return -ENOMEM;
	env->steer_cpu = steer_cpu;
	env->home_cpu = sched_getcpu();
	for (int s = 0; s < PC_NSIZES && !err; s++) {
		err = table_open(&env->tab[s], pc_sizes[s], steer_cpu);
		if (err)
			fprintf(stderr,
				"%s: vfwd's programs with a table of %u MACs: %s\n",
				program_invocation_short_name, pc_sizes[s],
				strerror(-err));
	}
	if (!err) {
		err = stub_open(env);
		if (err)
			fprintf(stderr, "%s: the stub programs: %s\n",
				program_invocation_short_name, strerror(-err));
	}
	if (err) {
		pc_env_close(env);
		return err;
	}
	*out = env;
	return 0;
}

void pc_env_close(struct pc_env *env)
{
	if (!env)
		return;
	for (int s = 0; s < PC_NSIZES; s++)
		vfwd_bpf__destroy(env->tab[s].skel);
	stub_bpf__destroy(env->stub);
	free(env);
}

int pc_run_case(struct pc_env *env, int c, int s, __u32 repeat, __u32 calls,
		double *ns)
{
	struct pc_table *tb = &env->tab[s];
	const struct pc_case_def *d = &cases[c];
	struct run_spec rs;
	int err = install(tb, c);

	if (err) {
		fprintf(stderr, "%s: %s: MAC table of %u: %s\n",
			program_invocation_short_name, d->info.name, tb->size,
			strerror(-err));
		return err;
	}
	case_spec(env, d, &rs);
	return measure(tb->prog_fd[d->prog], &rs, d->info.mode, repeat, calls,
		       ns);
}

int pc_run_stub(struct pc_env *env, enum pc_stub stub, enum pc_mode mode,
		__u32 repeat, __u32 calls, double *ns)
{
	static const __u32 expect[PC_NSTUBS] = {XDP_PASS, XDP_REDIRECT,
						TC_ACT_OK};
	struct bpf_program *progs[PC_NSTUBS] = {
		env->stub->progs.stub_xdp_pass,
		env->stub->progs.stub_xdp_redirect,
		env->stub->progs.stub_tc_ok,
	};
	struct run_spec rs = {.len = FRAME_LEN,
			      .xdp = stub != PC_STUB_TC_OK,
			      .expect = expect[stub],
			      .what = pc_stub_names[stub]};

	/* The first case's frame; a stub never looks at it. */
	frame_put(rs.in, mac_peer, mac_wire, VFWD_VID_NONE);
	return measure(bpf_program__fd(progs[stub]), &rs, mode, repeat, calls,
		       ns);
}
