// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-1 tests of vfwd_uplink's xsk branch ("xsk-uplink" rows): a frame
 * for a MAC bound to an XSK port is redirected into the XSKMAP slot
 * vfwd_xsk_slot(port, rx queue).  Real AF_XDP sockets (libxdp, copy mode,
 * no program of libxdp's) are bound to given queues of a multi-queue veth
 * and put in their slots; each row runs one frame with the veth as
 * ingress device and a chosen rx_queue_index and checks the XDP action,
 * the frame that comes out (a popped tag), one reason counter and every
 * tracked port's counters.  A non-live test run only decides a redirect,
 * so one extra row runs a frame with BPF_F_TEST_XDP_LIVE_FRAMES and reads
 * it from the socket's rx ring.  (vfwd_xguest: test_xguest.c.)
 *
 * The process first moves into a network namespace of its own and makes
 * its veths there: they, and the sockets bound to them, go away with the
 * process however it ends.  Nothing is pinned and nothing is attached.
 *
 * What cannot be produced here: an XSKMAP slot that holds a socket bound
 * to another queue than the slot says.  The program cannot tell (the
 * kernel drops such a frame after XDP_REDIRECT was returned, design §5),
 * so no row tries.
 *
 * stdout carries only the PASS:/FAIL: lines tests/run.sh counts.
 */
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "xsk_test.h"

#define SUITE_UPLINK "xsk-uplink"

/* Shell command buffer: "ip link add" with two names and queue counts. */
#define CMD_LEN 192

/* The uplink's device: a veth with UPLINK_QUEUES rx queues, and one with
 * one more queue than the XSKMAP has per port, the only way to show the
 * program a queue past VFWD_XSK_QUEUES. */
#define DEV_UPLINK "vx-up"
#define DEV_WIDE "vx-wide"
#define UPLINK_QUEUES 4
#define WIDE_QUEUES (VFWD_XSK_QUEUES + 1)

/* Port ids of the uplink rows.  XSK_ACCESS follows XSK_PORT, so that
 * XSK_PORT's slot for queue VFWD_XSK_QUEUES would be XSK_ACCESS's slot for
 * queue 0, which holds a socket: a missing queue check shows up as a
 * redirect. */
#define UP_PORT 1 /* the uplink under test (cfg_uplink_port) */
#define UP_OTHER 2 /* another uplink */
#define XSK_PORT 3 /* sockets on queue 2 of DEV_UPLINK, 63 of DEV_WIDE */
#define XSK_ACCESS 4 /* access port of TEST_VID; socket on queue 0 */
#define XSK_EMPTY 5 /* no socket at all: no vfwd-vhost */
#define XSK_ELSEWHERE 6 /* UP_OTHER's; socket on queue 1 */
_Static_assert(XSK_ACCESS == XSK_PORT + 1, "queue-overflow alias");

#define XSK_PORT_QUEUE 2
#define XSK_ACCESS_QUEUE 0
#define XSK_ELSEWHERE_QUEUE 1
#define XSK_LAST_QUEUE (VFWD_XSK_QUEUES - 1)

/* UMEM of each socket: a few frames, all of them in the fill ring. */
#define UMEM_FRAMES 16
#define UMEM_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define XSK_RING_SIZE 16
/* Run a shell command; 0 if it ran and exited 0. */
static int __attribute__((format(printf, 1, 2))) run_cmd(const char *fmt, ...)
{
	char cmd[CMD_LEN];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "command failed: %s\n", cmd);
		return -ECHILD;
	}
	return 0;
}

/*
 * AF_XDP sockets.  Each has a UMEM of its own, fully handed to the kernel
 * through the fill ring, so that a frame the live row delivers has a
 * buffer.
 */
struct test_sock {
	const char *dev;
	__u32 queue;
	__u32 port; /* XSKMAP slot vfwd_xsk_slot(port, queue) */

	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_ring_cons rx;
};

static struct test_sock socks[] = {
	{.dev = DEV_UPLINK, .queue = XSK_PORT_QUEUE, .port = XSK_PORT},
	{.dev = DEV_UPLINK, .queue = XSK_ACCESS_QUEUE, .port = XSK_ACCESS},
	{.dev = DEV_UPLINK,
	 .queue = XSK_ELSEWHERE_QUEUE,
	 .port = XSK_ELSEWHERE},
	{.dev = DEV_WIDE, .queue = XSK_LAST_QUEUE, .port = XSK_PORT},
};

static int sock_open(struct test_sock *s)
{
	const size_t size = UMEM_FRAMES * UMEM_FRAME_SIZE;
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_SIZE,
		.tx_size = XSK_RING_SIZE,
		/* vfwd_uplink is the program; libxdp must not load its own. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	__u32 idx, i;
	int err;

	s->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->area == MAP_FAILED) {
		s->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&s->umem, s->area, size, &s->fill, &s->comp,
			       NULL);
	if (err)
		return err;
	err = xsk_socket__create(&s->xsk, s->dev, s->queue, s->umem, &s->rx,
				 NULL, &cfg);
	if (err)
		return err;
	if (xsk_ring_prod__reserve(&s->fill, UMEM_FRAMES, &idx) != UMEM_FRAMES)
		return -ENOSPC;
	for (i = 0; i < UMEM_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&s->fill, idx + i) =
			(__u64)i * UMEM_FRAME_SIZE;
	xsk_ring_prod__submit(&s->fill, UMEM_FRAMES);
	return 0;
}

static void sock_close(struct test_sock *s)
{
	if (s->xsk)
		xsk_socket__delete(s->xsk);
	if (s->umem)
		xsk_umem__delete(s->umem);
	if (s->area)
		munmap(s->area, UMEM_FRAMES * UMEM_FRAME_SIZE);
	s->xsk = NULL;
	s->umem = NULL;
	s->area = NULL;
}

/* Take every frame waiting in s's rx ring; the first is copied into buf
 * (cap bytes), its length into *len.  Returns how many there were. */
static unsigned int sock_take(struct test_sock *s, __u8 *buf, size_t cap,
			      unsigned int *len)
{
	unsigned int n, i;
	__u32 idx, fidx;

	n = xsk_ring_cons__peek(&s->rx, XSK_RING_SIZE, &idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, idx + i);

		if (i == 0) {
			*len = d->len;
			memcpy(buf, xsk_umem__get_data(s->area, d->addr),
			       d->len < cap ? d->len : cap);
		}
		/* Back to the fill ring, for the next frame. */
		if (xsk_ring_prod__reserve(&s->fill, 1, &fidx) == 1) {
			*xsk_ring_prod__fill_addr(&s->fill, fidx) =
				xsk_umem__extract_addr(d->addr);
			xsk_ring_prod__submit(&s->fill, 1);
		}
	}
	xsk_ring_cons__release(&s->rx, n);
	return n;
}

/* A private network namespace with the two multi-queue veths. */
static int net_setup(int *up_ifindex, int *wide_ifindex)
{
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	err = run_cmd("ip link add %s numrxqueues %d numtxqueues %d type veth "
		      "peer name %s-p numrxqueues %d numtxqueues %d",
		      DEV_UPLINK, UPLINK_QUEUES, UPLINK_QUEUES, DEV_UPLINK,
		      UPLINK_QUEUES, UPLINK_QUEUES);
	if (!err)
		err = run_cmd("ip link add %s numrxqueues %d numtxqueues %d "
			      "type veth peer name %s-p",
			      DEV_WIDE, WIDE_QUEUES, WIDE_QUEUES, DEV_WIDE);
	if (!err)
		err = run_cmd("ip link set %s up && ip link set %s-p up && "
			      "ip link set %s up && ip link set %s-p up",
			      DEV_UPLINK, DEV_UPLINK, DEV_WIDE, DEV_WIDE);
	if (err)
		return err;
	*up_ifindex = if_nametoindex(DEV_UPLINK);
	*wide_ifindex = if_nametoindex(DEV_WIDE);
	if (!*up_ifindex || !*wide_ifindex)
		return -errno;
	return 0;
}
/* vfwd_uplink with --bum pass and with --bum flood. */
static struct test_env pass_env, flood_env;

/*
 * ======================== vfwd_uplink, xsk branch ========================
 */

static int uplink_populate(const struct test_env *env)
{
	static const __u8 mac_xsk[] = MAC_XSK;
	static const __u8 mac_access[] = MAC_XSK_ACCESS;
	static const __u8 mac_empty[] = MAC_XSK_EMPTY;
	static const __u8 mac_elsewhere[] = MAC_XSK_ELSEWHERE;
	size_t i;
	int err;

	err = put_port(env, UP_PORT, DEV_UPLINK, VFWD_PORT_UPLINK, 0, 0, 0);
	if (!err)
		err = put_port(env, UP_OTHER, "uplink1", VFWD_PORT_UPLINK, 0, 0,
			       0);
	if (!err)
		err = put_port(env, XSK_PORT, "xsk-port", VFWD_PORT_XSK,
			       UP_PORT, 0, 0);
	if (!err)
		err = put_port(env, XSK_ACCESS, "xsk-access", VFWD_PORT_XSK,
			       UP_PORT, TEST_VID, 0);
	if (!err)
		err = put_port(env, XSK_EMPTY, "xsk-empty", VFWD_PORT_XSK,
			       UP_PORT, 0, 0);
	if (!err)
		err = put_port(env, XSK_ELSEWHERE, "xsk-else", VFWD_PORT_XSK,
			       UP_OTHER, 0, 0);
	if (!err)
		err = put_mac(env, mac_xsk, VFWD_VID_NONE, XSK_PORT, 0);
	/* A trunk binding: frames to it keep their tag. */
	if (!err)
		err = put_mac(env, mac_xsk, TEST_VID, XSK_PORT, 0);
	if (!err)
		err = put_mac(env, mac_access, TEST_VID, XSK_ACCESS,
			      VFWD_MAC_ACCESS);
	if (!err)
		err = put_mac(env, mac_empty, VFWD_VID_NONE, XSK_EMPTY, 0);
	if (!err)
		err = put_mac(env, mac_elsewhere, VFWD_VID_NONE, XSK_ELSEWHERE,
			      0);
	for (i = 0; !err && i < ARRAY_SIZE(socks); i++) {
		__u32 slot = vfwd_xsk_slot(socks[i].port, socks[i].queue);
		int fd = xsk_socket__fd(socks[i].xsk);

		if (bpf_map_update_elem(env->t.xsk_fd, &slot, &fd, BPF_NOEXIST))
			err = -errno;
	}
	return err;
}

struct uplink_case {
	const char *name;
	struct frame_spec frame;
	__u32 queue; /* ctx rx_queue_index */
	bool wide; /* received on DEV_WIDE rather than DEV_UPLINK */
	bool flood; /* run on the --bum flood instance */
	bool pop; /* the frame's tag comes off */

	int action;
	enum vfwd_reason reason;
	__u32 tx_port; /* port whose tx counters rise; 0 for none */
	bool rx_dropped;
	bool rx_passed;
};

#define EXPECT_FWD(port)                                                       \
	.action = XDP_REDIRECT, .reason = VFWD_R_FWD, .tx_port = (port)
#define EXPECT_PASS(r) .action = XDP_PASS, .reason = (r), .rx_passed = true
#define EXPECT_DROP(r) .action = XDP_DROP, .reason = (r), .rx_dropped = true
#define EXPECT_FLOOD(r) .action = XDP_REDIRECT, .reason = (r)

static const struct uplink_case uplink_cases[] = {
	/* (a) The slot of the queue the frame came in on, and only it. */
	{
		.name = "slot_of_queue",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = XSK_PORT_QUEUE,
		EXPECT_FWD(XSK_PORT),
	},
	{
		/* Same frame, a queue whose slot is empty: the sockets of
		 * XSK_PORT on queue 2 and of other ports on queues 0 and 1
		 * must not be taken for it. */
		.name = "other_queue_empty_slot",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = XSK_ACCESS_QUEUE,
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	{
		.name = "other_queue_empty_slot_q1",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = XSK_ELSEWHERE_QUEUE,
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	{
		.name = "other_queue_empty_slot_q3",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = UPLINK_QUEUES - 1,
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	{
		/* A trunk binding: redirected with its tag. */
		.name = "trunk_keeps_tag",
		.frame = FRAME_TAGGED(MAC_XSK, MAC_WIRE, TEST_VID),
		.queue = XSK_PORT_QUEUE,
		EXPECT_FWD(XSK_PORT),
	},
	{
		.name = "fwd_len_1514",
		.frame = {.dst = MAC_XSK,
			  .src = MAC_WIRE,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN},
		.queue = XSK_PORT_QUEUE,
		EXPECT_FWD(XSK_PORT),
	},
	/* (b) No socket in any of the port's slots. */
	{
		.name = "empty_port_down",
		.frame = FRAME(MAC_XSK_EMPTY, MAC_WIRE),
		.queue = 0,
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	{
		.name = "empty_port_down_flood",
		.frame = FRAME(MAC_XSK_EMPTY, MAC_WIRE),
		.queue = 0,
		.flood = true,
		EXPECT_FLOOD(VFWD_R_PORT_DOWN),
	},
	{
		.name = "other_queue_port_down_flood",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = UPLINK_QUEUES - 1,
		.flood = true,
		EXPECT_FLOOD(VFWD_R_PORT_DOWN),
	},
	/* (c) Queues at the edge of the XSKMAP's share per port, on a veth
	 * with VFWD_XSK_QUEUES + 1 queues. */
	{
		.name = "last_queue",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = XSK_LAST_QUEUE,
		.wide = true,
		EXPECT_FWD(XSK_PORT),
	},
	{
		/* vfwd_xsk_slot(XSK_PORT, 64) is XSK_ACCESS's slot for
		 * queue 0, which holds a socket: only the queue check keeps
		 * the frame out of it. */
		.name = "queue_past_xsk_queues",
		.frame = FRAME(MAC_XSK, MAC_WIRE),
		.queue = VFWD_XSK_QUEUES,
		.wide = true,
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	/* (d) An access binding: the tag comes off, after the redirect. */
	{
		.name = "access_pop",
		.frame = FRAME_TAGGED(MAC_XSK_ACCESS, MAC_WIRE, TEST_VID),
		.queue = XSK_ACCESS_QUEUE,
		.pop = true,
		EXPECT_FWD(XSK_ACCESS),
	},
	{
		.name = "access_pop_pcp_dei",
		.frame = FRAME_TAGGED(MAC_XSK_ACCESS, MAC_WIRE,
				      TEST_PCP << FRAME_PCP_SHIFT | FRAME_DEI |
					      TEST_VID),
		.queue = XSK_ACCESS_QUEUE,
		.pop = true,
		EXPECT_FWD(XSK_ACCESS),
	},
	{
		/* Not redirected: the tag stays, the frame is passed whole. */
		.name = "access_empty_slot_no_pop",
		.frame = FRAME_TAGGED(MAC_XSK_ACCESS, MAC_WIRE, TEST_VID),
		.queue = XSK_PORT_QUEUE,
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	/* (e) Another uplink's port, even with a socket on this queue. */
	{
		.name = "other_uplink",
		.frame = FRAME(MAC_XSK_ELSEWHERE, MAC_WIRE),
		.queue = XSK_ELSEWHERE_QUEUE,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "other_uplink_flood",
		.frame = FRAME(MAC_XSK_ELSEWHERE, MAC_WIRE),
		.queue = XSK_ELSEWHERE_QUEUE,
		.flood = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
};

static const __u32 uplink_tracked[] = {
	UP_PORT, UP_OTHER, XSK_PORT, XSK_ACCESS, XSK_EMPTY, XSK_ELSEWHERE,
};

static int up_ifindex, wide_ifindex;

static void uplink_check_counters(const struct uplink_case *c, __u64 seen,
				  __u64 sent,
				  const struct prog_counters *before,
				  const struct prog_counters *after,
				  struct report *rep)
{
	struct vfwd_port_stats exp[ARRAY_SIZE(uplink_tracked)];
	size_t i;

	memset(exp, 0, sizeof(exp));
	for (i = 0; i < ARRAY_SIZE(uplink_tracked); i++) {
		if (uplink_tracked[i] == UP_PORT) {
			exp[i].rx_packets = 1;
			exp[i].rx_bytes = seen;
			exp[i].rx_dropped = c->rx_dropped;
			exp[i].rx_passed = c->rx_passed;
		}
		if (uplink_tracked[i] == c->tx_port) {
			exp[i].tx_packets = 1;
			exp[i].tx_bytes = sent;
		}
	}
	/* The reason counts the frame as it leaves, like tx. */
	prog_check_counters(before, after, c->reason, sent, uplink_tracked, exp,
			    ARRAY_SIZE(uplink_tracked), rep);
}

/* Run in[0..len) once, as received on queue of device ifindex. */
static int uplink_run(int prog_fd, int ifindex, __u32 queue, const __u8 *in,
		      unsigned int len, __u8 *out, unsigned int cap,
		      __u32 flags, struct bpf_test_run_opts *opts)
{
	struct xdp_md ctx = {.data_end = len,
			     .ingress_ifindex = ifindex,
			     .rx_queue_index = queue};

	opts->data_in = in;
	opts->data_size_in = len;
	opts->data_out = out;
	opts->data_size_out = out ? cap : 0;
	opts->ctx_in = &ctx;
	opts->ctx_size_in = sizeof(ctx);
	opts->flags = flags;
	opts->repeat = 1;
	return bpf_prog_test_run_opts(prog_fd, opts) ? -errno : 0;
}

static void run_uplink_case(const struct uplink_case *c, struct report *rep)
{
	struct test_env *env = c->flood ? &flood_env : &pass_env;
	__u8 in[FRAME_MAX_LEN], out[FRAME_MAX_LEN], exp[FRAME_MAX_LEN];
	struct prog_counters before, after;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned int exp_len = c->frame.len;
	int err;

	err = frame_build(&c->frame, in, sizeof(in));
	if (err) {
		report_fail(rep, "setup: frame_build: %s", strerror(-err));
		return;
	}
	memcpy(exp, in, c->frame.len);
	if (c->pop)
		exp_len = frame_pop_tag(in, c->frame.len, exp);

	err = prog_read_counters(env->t.reason_fd, env->t.stats_fd,
				 uplink_tracked, ARRAY_SIZE(uplink_tracked),
				 &before);
	if (err) {
		report_fail(rep, "setup: reading counters: %s", strerror(-err));
		return;
	}
	err = uplink_run(env->prog_fd, c->wide ? wide_ifindex : up_ifindex,
			 c->queue, in, c->frame.len, out, sizeof(out), 0,
			 &opts);
	if (err) {
		report_fail(rep, "bpf_prog_test_run_opts: %s", strerror(-err));
		return;
	}
	err = prog_read_counters(env->t.reason_fd, env->t.stats_fd,
				 uplink_tracked, ARRAY_SIZE(uplink_tracked),
				 &after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}

	prog_check_xdp_action(rep, c->action, opts.retval);
	prog_check_output(rep, exp, exp_len, out, opts.data_size_out, c->pop);
	uplink_check_counters(c, c->frame.len, exp_len, &before, &after, rep);
}

/*
 * A live test run executes the redirect.  The kernel gives a live run's
 * frames an rx queue of its own making, queue 0 of the ingress device,
 * so the frame goes to XSK_ACCESS's socket on queue 0: it must arrive
 * in that socket's rx ring, tag popped, and in no other socket.
 */
/* Why the live case could not run here, or NULL. */
static const char *live_skip;

static void run_live_case(struct report *rep)
{
	static const struct frame_spec f =
		FRAME_TAGGED(MAC_XSK_ACCESS, MAC_WIRE, TEST_VID);
	static const struct uplink_case c = {
		.pop = true,
		EXPECT_FWD(XSK_ACCESS),
	};
	__u8 in[FRAME_MAX_LEN], exp[FRAME_MAX_LEN], got[FRAME_MAX_LEN];
	struct prog_counters before, after;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned int exp_len, got_len = 0, n;
	size_t i;
	int err;

	err = frame_build(&f, in, sizeof(in));
	if (err) {
		report_fail(rep, "setup: frame_build: %s", strerror(-err));
		return;
	}
	exp_len = frame_pop_tag(in, f.len, exp);
	/* Nothing may be waiting from an earlier run. */
	for (i = 0; i < ARRAY_SIZE(socks); i++)
		sock_take(&socks[i], got, sizeof(got), &got_len);
	err = prog_read_counters(pass_env.t.reason_fd, pass_env.t.stats_fd,
				 uplink_tracked, ARRAY_SIZE(uplink_tracked),
				 &before);
	if (err) {
		report_fail(rep, "setup: reading counters: %s", strerror(-err));
		return;
	}
	err = uplink_run(pass_env.prog_fd, up_ifindex, XSK_ACCESS_QUEUE, in,
			 f.len, NULL, 0, BPF_F_TEST_XDP_LIVE_FRAMES, &opts);
	if (err == -EPERM || err == -EOPNOTSUPP) {
		/* Real frames into real sockets are also what
		 * integration/test_vhost checks, on veths. */
		live_skip = "the kernel refuses live XDP test runs "
			    "(BPF_F_TEST_XDP_LIVE_FRAMES): "
			    "integration/test_vhost covers real delivery";
		return;
	}
	if (err) {
		report_fail(rep, "bpf_prog_test_run_opts (live): %s",
			    strerror(-err));
		return;
	}
	err = prog_read_counters(pass_env.t.reason_fd, pass_env.t.stats_fd,
				 uplink_tracked, ARRAY_SIZE(uplink_tracked),
				 &after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}
	uplink_check_counters(&c, f.len, exp_len, &before, &after, rep);

	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		bool want = socks[i].port == XSK_ACCESS;
		char what[64];

		got_len = 0;
		n = sock_take(&socks[i], got, sizeof(got), &got_len);
		snprintf(what, sizeof(what), "frames in socket %s/q%u",
			 socks[i].dev, socks[i].queue);
		report_u64(rep, what, want, n);
		if (!want || n != 1)
			continue;
		if (got_len != exp_len)
			report_fail(rep, "received length: expected %u, got %u",
				    exp_len, got_len);
		else if (memcmp(got, exp, exp_len))
			report_fail(rep, "received frame: not the input "
					 "without its tag");
	}
}

/*
 * ================================ main ================================
 */

static void teardown(void)
{
	size_t i;

	vfwd_bpf__destroy(pass_env.skel);
	vfwd_bpf__destroy(flood_env.skel);
	for (i = 0; i < ARRAY_SIZE(socks); i++)
		sock_close(&socks[i]);
}

int main(void)
{
	bool all_passed = true;
	struct report rep;
	size_t i;
	int err;

	libbpf_set_print(prog_print_stderr);
	err = net_setup(&up_ifindex, &wide_ifindex);
	if (err) {
		printf("FAIL: %s/setup: network namespace and devices: %s\n",
		       SUITE_UPLINK, strerror(-err));
		return 1;
	}
	for (i = 0; !err && i < ARRAY_SIZE(socks); i++) {
		err = sock_open(&socks[i]);
		if (err)
			printf("FAIL: %s/setup: AF_XDP socket on %s queue %u: "
			       "%s\n",
			       SUITE_UPLINK, socks[i].dev, socks[i].queue,
			       strerror(-err));
	}
	if (!err) {
		err = env_open(&pass_env, false, UP_PORT, false);
		if (!err)
			err = uplink_populate(&pass_env);
		if (!err)
			err = env_open(&flood_env, false, UP_PORT, true);
		if (!err)
			err = uplink_populate(&flood_env);
		if (err)
			printf("FAIL: %s/setup: loading vfwd_uplink: %s\n",
			       SUITE_UPLINK, strerror(-err));
	}
	if (err) {
		teardown();
		return 1;
	}

	for (i = 0; i < ARRAY_SIZE(uplink_cases); i++) {
		memset(&rep, 0, sizeof(rep));
		run_uplink_case(&uplink_cases[i], &rep);
		if (!report_print(SUITE_UPLINK, uplink_cases[i].name, &rep))
			all_passed = false;
		fflush(stdout);
	}
	memset(&rep, 0, sizeof(rep));
	run_live_case(&rep);
	if (live_skip && !rep.nfail)
		printf("SKIP: %s/live_delivered_to_socket: %s\n", SUITE_UPLINK,
		       live_skip);
	else if (!report_print(SUITE_UPLINK, "live_delivered_to_socket", &rep))
		all_passed = false;
	fflush(stdout);

	teardown();
	return all_passed ? 0 : 1;
}
