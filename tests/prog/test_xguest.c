// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-1 tests of vfwd_xguest ("xguest" rows), which vfwd-vhost runs on
 * each burst of frames an xsk guest sends: the batch in the program's
 * .bss and the frames' heads in the data, as loader/xguest.c lays them
 * out.  Each single-frame row checks the return code, the answer in the
 * entry, the frame as loader/xguest_emit.c then writes it (a tag pushed
 * or popped), one reason counter and every tracked port's counters; the
 * "xguest-batch" rows run several of those frames in one run and check
 * each answer and the sum of the counters, or a batch the program must
 * refuse without counting anything.  Nothing is pinned, attached or
 * sent: the program decides, the daemon would move the frames.
 *
 * stdout carries only the PASS:/FAIL: lines tests/run.sh counts.
 */
#include <stdlib.h>

#include "xsk_test.h"
#include "xguest.h"

#define SUITE_XGUEST "xguest"
#define SUITE_XG_BATCH "xguest-batch"

/* Port ids of the xguest rows.  SELF is the sender; the rows rewrite its
 * slot.  The rest are fixed for the whole run. */
#define XG_UPLINK 1 /* --bum pass, knows the host's MAC */
#define XG_UPLINK_FLOOD 2 /* --bum flood */
#define SELF 3
#define PEER 4 /* XSK on XG_UPLINK, untagged and a trunk of TEST_VID */
#define PEER_ACCESS 5 /* XSK on XG_UPLINK, access port of TEST_VID */
#define ELSEWHERE 6 /* XSK on XG_UPLINK_FLOOD */
#define TAP_LIVE 7 /* tap on XG_UPLINK with a tx devmap entry */
#define TAP_DOWN 8 /* tap on XG_UPLINK, no tx devmap entry */
#define TAP_DOWN_FLOOD 9 /* the same on XG_UPLINK_FLOOD */
#define PEER_FLOOD 10 /* XSK on XG_UPLINK_FLOOD, untagged */
#define FREE_SLOT 11 /* never written */
#define NO_SLOT_PORT VFWD_MAX_PORTS /* past the port table */
/* The output a program that pushed an 802.1Q tag of vid should give. */
static unsigned int frame_push_tag(const __u8 *in, unsigned int len, __u16 vid,
				   __u8 *out)
{
	const unsigned int macs = 2 * ETH_ALEN;

	memcpy(out, in, macs);
	out[macs] = ETH_P_8021Q >> 8;
	out[macs + 1] = ETH_P_8021Q & 0xff;
	out[macs + 2] = vid >> 8;
	out[macs + 3] = vid & 0xff;
	memcpy(out + macs + FRAME_TAG_LEN, in + macs, len - macs);
	return len + FRAME_TAG_LEN;
}
static struct test_env xg_env;

/*
 * ============================== vfwd_xguest ==============================
 */

/* One port of the xguest rows' world. */
struct xg_port {
	__u32 id;
	const char *name;
	__u8 kind;
	__u32 uplink;
	__u16 vid;
	__u32 flags;
	bool in_devmap;
};

static const struct xg_port xg_ports[] = {
	{XG_UPLINK, "uplink0", VFWD_PORT_UPLINK, 0, 0, 0, false},
	{XG_UPLINK_FLOOD, "uplink1", VFWD_PORT_UPLINK, 0, 0,
	 VFWD_PORT_F_BUM_FLOOD, false},
	{PEER, "xsk-peer", VFWD_PORT_XSK, XG_UPLINK, 0, 0, false},
	{PEER_ACCESS, "xsk-acc", VFWD_PORT_XSK, XG_UPLINK, TEST_VID, 0, false},
	{ELSEWHERE, "xsk-else", VFWD_PORT_XSK, XG_UPLINK_FLOOD, 0, 0, false},
	{TAP_LIVE, "tap-live", VFWD_PORT_TAP, XG_UPLINK, 0, 0, true},
	{TAP_DOWN, "tap-down", VFWD_PORT_TAP, XG_UPLINK, 0, 0, false},
	{TAP_DOWN_FLOOD, "tap-down-f", VFWD_PORT_TAP, XG_UPLINK_FLOOD, 0, 0,
	 false},
	{PEER_FLOOD, "xsk-peer-f", VFWD_PORT_XSK, XG_UPLINK_FLOOD, 0, 0, false},
};

struct xg_mac {
	__u8 mac[ETH_ALEN];
	__u16 vid;
	__u32 port_id;
	__u32 flags;
};

#define BIND(m, v, p) .mac = m, .vid = (v), .port_id = (p)
static const struct xg_mac xg_macs[] = {
	{BIND(MAC_SELF, VFWD_VID_NONE, SELF)},
	/* SELF as the access port of TEST_VID, as port add --vlan binds. */
	{BIND(MAC_SELF, TEST_VID, SELF), .flags = VFWD_MAC_ACCESS},
	/* A trunk binding of SELF. */
	{BIND(MAC_SELF, OTHER_VID, SELF)},
	{BIND(MAC_PEER, VFWD_VID_NONE, PEER)},
	/* A trunk binding: frames to it keep (or get) their tag. */
	{BIND(MAC_PEER, TEST_VID, PEER)},
	{BIND(MAC_ACCESS_PEER, TEST_VID, PEER_ACCESS),
	 .flags = VFWD_MAC_ACCESS},
	{BIND(MAC_ELSEWHERE, VFWD_VID_NONE, ELSEWHERE)},
	{BIND(MAC_TAP, VFWD_VID_NONE, TAP_LIVE)},
	{BIND(MAC_TAP_DOWN, VFWD_VID_NONE, TAP_DOWN)},
	{BIND(MAC_TAP_DOWN_FLOOD, VFWD_VID_NONE, TAP_DOWN_FLOOD)},
	{BIND(MAC_PEER_FLOOD, VFWD_VID_NONE, PEER_FLOOD)},
};
#undef BIND

static int xg_populate(const struct test_env *env)
{
	static const __u8 host_mac[ETH_ALEN] = MAC_HOST;
	const struct bpf_devmap_val lo = {.ifindex = LO_IFINDEX};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(xg_ports); i++) {
		const struct xg_port *xp = &xg_ports[i];

		err = put_port(env, xp->id, xp->name, xp->kind, xp->uplink,
			       xp->vid, xp->flags);
		if (err)
			return err;
		if (xp->in_devmap && bpf_map_update_elem(env->t.tx_fd, &xp->id,
							 &lo, BPF_NOEXIST))
			return -errno;
	}
	/* The uplink knows the host's MAC, as attach sets it (the bridge
	 * master's slot). */
	for (i = 0; i < ARRAY_SIZE(xg_ports); i++) {
		struct vfwd_port p;

		if (xg_ports[i].kind != VFWD_PORT_UPLINK)
			continue;
		if (bpf_map_lookup_elem(env->t.port_fd, &xg_ports[i].id, &p))
			return -errno;
		memcpy(p.host_macs[1], host_mac, ETH_ALEN);
		if (bpf_map_update_elem(env->t.port_fd, &xg_ports[i].id, &p,
					BPF_EXIST))
			return -errno;
	}
	for (i = 0; i < ARRAY_SIZE(xg_macs); i++) {
		err = put_mac(env, xg_macs[i].mac, xg_macs[i].vid,
			      xg_macs[i].port_id, xg_macs[i].flags);
		if (err)
			return err;
	}
	return 0;
}

struct xg_case {
	const char *name;
	struct frame_spec frame;
	/* Non-zero: the guest sent only sent_len bytes of the frame. */
	unsigned int sent_len;
	__u32 sender; /* port id in the metadata; 0: SELF */
	/* SELF's slot for this row: spoofchk is on unless no_spoofchk,
	 * the uplink is XG_UPLINK unless flood (XG_UPLINK_FLOOD) or
	 * no_uplink (none). */
	__u16 vid;
	bool no_spoofchk;
	bool flood;
	bool no_uplink;

	int action; /* XDP return code */
	__u32 xg_action; /* enum vfwd_xguest_action in the metadata */
	__u32 to;
	enum vfwd_reason reason;
	__u32 tx_port; /* port whose tx counters rise; 0 for none */
	bool rx_dropped;
	bool rx_passed;
	bool spoof;
	bool push; /* a tag of the port's VID is pushed */
	bool pop; /* the frame's tag comes off */
};

#define XG_UPLINK_TO(up)                                                       \
	.action = XDP_PASS, .xg_action = VFWD_XG_UPLINK, .to = (up),           \
	.reason = VFWD_R_UPLINK, .tx_port = (up)
#define XG_PORT_TO(p)                                                          \
	.action = XDP_PASS, .xg_action = VFWD_XG_PORT, .to = (p),              \
	.reason = VFWD_R_FWD, .tx_port = (p)
#define XG_HOST(up, r)                                                         \
	.action = XDP_PASS, .xg_action = VFWD_XG_HOST, .to = (up),             \
	.reason = (r), .rx_passed = true
/* Flooding takes --bum flood: SELF follows XG_UPLINK_FLOOD in these rows. */
#define XG_FLOOD(r)                                                            \
	.action = XDP_PASS, .xg_action = VFWD_XG_FLOOD, .to = XG_UPLINK_FLOOD, \
	.reason = (r), .flood = true
#define XG_DROP(r)                                                             \
	.action = XDP_DROP, .xg_action = VFWD_XG_DROP, .to = 0, .reason = (r), \
	.rx_dropped = true
#define XG_SPOOF XG_DROP(VFWD_R_SPOOF), .spoof = true
static const struct xg_case xg_cases[] = {
	/* Unknown unicast: out of the port's uplink, in both BUM modes. */
	{
		.name = "unknown_to_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		XG_UPLINK_TO(XG_UPLINK),
	},
	{
		.name = "unknown_to_uplink_bum_flood",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.flood = true,
		XG_UPLINK_TO(XG_UPLINK_FLOOD),
	},
	{
		/* A trunk binding's frame leaves with its tag. */
		.name = "trunk_tagged_to_uplink",
		.frame = FRAME_TAGGED(MAC_UNKNOWN, MAC_SELF, OTHER_VID),
		XG_UPLINK_TO(XG_UPLINK),
	},
	{
		.name = "unknown_no_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.no_uplink = true,
		XG_HOST(0, VFWD_R_NO_UPLINK),
	},

	/* Anti-spoofing. */
	{
		.name = "spoof_unbound_src",
		.frame = FRAME(MAC_UNKNOWN, MAC_SPOOF),
		XG_SPOOF,
	},
	{
		.name = "spoof_other_ports_src",
		.frame = FRAME(MAC_UNKNOWN, MAC_PEER),
		XG_SPOOF,
	},
	{
		.name = "spoof_src_not_on_vlan",
		.frame = FRAME_TAGGED(MAC_UNKNOWN, MAC_SELF, UNBOUND_VID),
		XG_SPOOF,
	},
	{
		/* Checked before the destination: no broadcast either. */
		.name = "spoof_bcast",
		.frame = FRAME(MAC_BCAST, MAC_SPOOF),
		.flood = true,
		XG_SPOOF,
	},
	{
		.name = "no_spoofchk",
		.frame = FRAME(MAC_UNKNOWN, MAC_SPOOF),
		.no_spoofchk = true,
		XG_UPLINK_TO(XG_UPLINK),
	},
	{
		/* --no-spoofchk still keeps a trunk in its VLANs. */
		.name = "no_spoofchk_vlan_denied",
		.frame = FRAME_TAGGED(MAC_UNKNOWN, MAC_SPOOF, UNBOUND_VID),
		.no_spoofchk = true,
		XG_DROP(VFWD_R_VLAN_DENIED),
	},
	{
		.name = "bad_src_mcast",
		.frame = FRAME(MAC_UNKNOWN, MAC_MCAST_V6),
		XG_DROP(VFWD_R_BAD_SRC),
	},

	/* Access port of TEST_VID. */
	{
		.name = "access_push_to_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.vid = TEST_VID,
		.push = true,
		XG_UPLINK_TO(XG_UPLINK),
	},
	{
		.name = "access_push_to_uplink_len_1514",
		.frame = {.dst = MAC_UNKNOWN,
			  .src = MAC_SELF,
			  .proto = ETH_P_IPV6,
			  .len = ETH_FRAME_LEN},
		.vid = TEST_VID,
		.push = true,
		XG_UPLINK_TO(XG_UPLINK),
	},
	{
		.name = "access_push_header_only",
		.frame = {.dst = MAC_UNKNOWN,
			  .src = MAC_SELF,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		.vid = TEST_VID,
		.push = true,
		XG_UPLINK_TO(XG_UPLINK),
	},
	{
		.name = "access_tagged",
		.frame = FRAME_TAGGED(MAC_UNKNOWN, MAC_SELF, TEST_VID),
		.vid = TEST_VID,
		XG_DROP(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_tagged_other_vid",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF, OTHER_VID),
		.vid = TEST_VID,
		XG_DROP(VFWD_R_ACCESS_TAGGED),
	},
	{
		/* To a trunk binding of TEST_VID: it gets the tag. */
		.name = "access_push_to_trunk_port",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.vid = TEST_VID,
		.push = true,
		XG_PORT_TO(PEER),
	},
	{
		/* To another access port of TEST_VID: untagged. */
		.name = "access_to_access_port",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		XG_PORT_TO(PEER_ACCESS),
	},
	{
		/* Flood members get an access port's frame untagged. */
		.name = "access_bcast_flood_untagged",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.vid = TEST_VID,
		XG_FLOOD(VFWD_R_BCAST),
	},

	/* To another port. */
	{
		.name = "to_xsk_port",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		XG_PORT_TO(PEER),
	},
	{
		.name = "to_xsk_port_bum_flood",
		.frame = FRAME(MAC_PEER_FLOOD, MAC_SELF),
		.flood = true,
		XG_PORT_TO(PEER_FLOOD),
	},
	{
		/* Trunk to trunk binding: the tag stays. */
		.name = "to_xsk_port_trunk_tagged",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF, TEST_VID),
		XG_PORT_TO(PEER),
	},
	{
		/* Trunk to an access binding: the tag comes off. */
		.name = "to_xsk_access_port_pop",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF, TEST_VID),
		.pop = true,
		XG_PORT_TO(PEER_ACCESS),
	},
	{
		.name = "to_tap_with_devmap_entry",
		.frame = FRAME(MAC_TAP, MAC_SELF),
		XG_PORT_TO(TAP_LIVE),
	},
	{
		.name = "to_tap_down",
		.frame = FRAME(MAC_TAP_DOWN, MAC_SELF),
		XG_HOST(XG_UPLINK, VFWD_R_PORT_DOWN),
	},
	{
		.name = "to_tap_down_bum_flood",
		.frame = FRAME(MAC_TAP_DOWN_FLOOD, MAC_SELF),
		XG_FLOOD(VFWD_R_PORT_DOWN),
	},
	{
		.name = "other_uplink",
		.frame = FRAME(MAC_ELSEWHERE, MAC_SELF),
		XG_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "hairpin",
		.frame = FRAME(MAC_SELF, MAC_SELF),
		XG_DROP(VFWD_R_HAIRPIN),
	},

	/* BUM and the host. */
	{
		.name = "bcast_bum_pass",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		XG_HOST(XG_UPLINK, VFWD_R_BCAST),
	},
	{
		.name = "bcast_bum_flood",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		XG_FLOOD(VFWD_R_BCAST),
	},
	{
		/* The copies are made from the frame with its tag: each
		 * needs its VLAN (members untagged, the wire tagged). */
		.name = "bcast_bum_flood_trunk_keeps_tag",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_SELF, OTHER_VID),
		XG_FLOOD(VFWD_R_BCAST),
	},
	{
		.name = "mcast_bum_pass",
		.frame = FRAME(MAC_MCAST_V6, MAC_SELF),
		XG_HOST(XG_UPLINK, VFWD_R_MCAST),
	},
	{
		.name = "bcast_no_uplink",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.no_uplink = true,
		XG_HOST(0, VFWD_R_BCAST),
	},
	{
		.name = "host_mac",
		.frame = FRAME(MAC_HOST, MAC_SELF),
		XG_HOST(XG_UPLINK, VFWD_R_HOST),
	},
	{
		.name = "qinq_to_host",
		.frame = FRAME_QINQ(MAC_UNKNOWN, MAC_SELF),
		XG_HOST(XG_UPLINK, VFWD_R_QINQ),
	},

	/* What vfwd-vhost must never send, and malformed frames. */
	{
		.name = "sender_is_tap",
		.frame = FRAME(MAC_UNKNOWN, MAC_TAP),
		.sender = TAP_LIVE,
		XG_DROP(VFWD_R_ERROR),
	},
	{
		.name = "sender_is_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.sender = XG_UPLINK,
		XG_DROP(VFWD_R_ERROR),
	},
	{
		.name = "sender_free_slot",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.sender = FREE_SLOT,
		XG_DROP(VFWD_R_ERROR),
	},
	{
		.name = "sender_no_slot",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.sender = NO_SLOT_PORT,
		XG_DROP(VFWD_R_ERROR),
	},
	{
		.name = "runt_10",
		.frame = {.dst = MAC_UNKNOWN,
			  .src = MAC_SELF,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		.sent_len = 10,
		XG_DROP(VFWD_R_RUNT),
	},
	{
		.name = "vlan_trunc",
		.frame = {.dst = MAC_UNKNOWN,
			  .src = MAC_SELF,
			  .proto = ETH_P_8021Q,
			  .len = ETH_HLEN},
		XG_DROP(VFWD_R_VLAN_TRUNC),
	},
};

static const __u32 xg_tracked[] = {
	XG_UPLINK,	XG_UPLINK_FLOOD, SELF,	    PEER,
	PEER_ACCESS,	ELSEWHERE,	 TAP_LIVE,  TAP_DOWN,
	TAP_DOWN_FLOOD, PEER_FLOOD,	 FREE_SLOT,
};

static int xg_write_self(const struct xg_case *c)
{
	__u32 flags = c->no_spoofchk ? 0 : VFWD_PORT_F_SPOOFCHK;
	__u32 uplink = c->no_uplink ? 0
		       : c->flood   ? XG_UPLINK_FLOOD
				    : XG_UPLINK;

	return put_port(&xg_env, SELF, "xsk-self", VFWD_PORT_XSK, uplink,
			c->vid, flags);
}

static const char *xg_action_name(__u32 a)
{
	static const char *const names[] = {
		[VFWD_XG_DROP] = "drop",   [VFWD_XG_UPLINK] = "uplink",
		[VFWD_XG_PORT] = "port",   [VFWD_XG_HOST] = "host",
		[VFWD_XG_FLOOD] = "flood",
	};

	return a < ARRAY_SIZE(names) && names[a] ? names[a] : "unknown";
}

/* One frame of a batch: the row it comes from, as the guest sent it. */
struct xg_frame {
	const struct xg_case *c;
	__u8 data[FRAME_MAX_LEN];
	unsigned int len; /* as sent */
	__u32 sender;
};

static int xg_frame_make(const struct xg_case *c, struct xg_frame *f)
{
	int err = frame_build(&c->frame, f->data, sizeof(f->data));

	f->c = c;
	f->len = c->sent_len ? c->sent_len : c->frame.len;
	f->sender = c->sender ? c->sender : SELF;
	return err;
}

/*
 * Run frames f[0..nf) as loader/xguest.c does: entry i in the program's
 * .bss batch, frame i's head at i * VFWD_XG_HEAD.  n_claim entries are
 * claimed (nf when negative) and the data is data_delta bytes longer
 * than described.  Returns the XDP return code, or -errno.
 */
static int xg_run(const struct xg_frame *f, unsigned int nf, int n_claim,
		  int data_delta)
{
	static __u8 heads[(VFWD_XG_BATCH + 1) * VFWD_XG_HEAD];
	struct vfwd_xguest_batch *b = &xg_env.skel->bss->vfwd_xg_batch;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = heads, .repeat = 1);
	unsigned int i, size = 0;

	if (nf > VFWD_XG_BATCH + 1 || !nf)
		return -EINVAL;
	memset(heads, 0, sizeof(heads));
	memset(b, 0, sizeof(*b));
	for (i = 0; i < nf && i < VFWD_XG_BATCH; i++) {
		unsigned int n =
			f[i].len < VFWD_XG_HEAD ? f[i].len : VFWD_XG_HEAD;

		b->e[i].port_id = f[i].sender;
		b->e[i].len = f[i].len;
		memcpy(heads + i * VFWD_XG_HEAD, f[i].data, n);
		size = i * VFWD_XG_HEAD + vfwd_xguest_slot(f[i].len);
	}
	/* Past VFWD_XG_BATCH there is no entry: only the data grows. */
	if (nf > VFWD_XG_BATCH)
		size = nf * VFWD_XG_HEAD;
	b->n = n_claim < 0 ? nf : (unsigned int)n_claim;
	opts.data_size_in = size + data_delta;
	if (bpf_prog_test_run_opts(xg_env.prog_fd, &opts))
		return -errno;
	return opts.retval;
}

/* Entry e's answer for frame f, and what the daemon would send. */
static void xg_check_answer(const struct xg_frame *f,
			    const struct vfwd_xguest_ent *e, const char *pfx,
			    struct report *rep)
{
	const struct xg_case *c = f->c;
	__u8 exp[FRAME_MAX_LEN + FRAME_TAG_LEN];
	__u8 out[FRAME_MAX_LEN + FRAME_TAG_LEN];
	unsigned int exp_len = f->len;
	char nbuf[16], what[64];
	int olen;

	snprintf(what, sizeof(what), "%sport_id", pfx);
	report_u64(rep, what, f->sender, e->port_id);
	if (e->action != c->xg_action)
		report_fail(rep, "%saction: expected %s, got %s (%u)", pfx,
			    xg_action_name(c->xg_action),
			    xg_action_name(e->action), e->action);
	snprintf(what, sizeof(what), "%sto", pfx);
	report_u64(rep, what, c->to, e->to);
	if (e->reason != (__u32)c->reason)
		report_fail(rep, "%sreason: expected %s, got %s", pfx,
			    prog_reason_name(c->reason, nbuf, sizeof(nbuf)),
			    prog_reason_name(e->reason, nbuf, sizeof(nbuf)));
	snprintf(what, sizeof(what), "%stag", pfx);
	report_u64(rep, what,
		   c->push  ? VFWD_XG_TAG_PUSH
		   : c->pop ? VFWD_XG_TAG_POP
			    : VFWD_XG_TAG_KEEP,
		   e->tag);
	if (c->xg_action == VFWD_XG_DROP)
		return;
	memcpy(exp, f->data, f->len);
	if (c->push)
		exp_len = frame_push_tag(f->data, f->len, c->vid, exp);
	else if (c->pop)
		exp_len = frame_pop_tag(f->data, f->len, exp);
	olen = vfwd_xguest_emit(e, f->data, f->len, out, sizeof(out));
	if (olen < 0)
		report_fail(rep, "%semit: %s", pfx, strerror(-olen));
	else if ((unsigned int)olen != exp_len || memcmp(out, exp, exp_len))
		report_fail(rep, "%semitted frame: %s", pfx,
			    c->push  ? "not the input with a tag pushed"
			    : c->pop ? "not the input without its tag"
				     : "not the input as it was");
}

/* What frame f adds to the tracked ports' and reason counters. */
static void xg_expect(const struct xg_frame *f,
		      struct vfwd_port_stats *exp_stats,
		      struct vfwd_reason_ctr *exp_reason)
{
	const struct xg_case *c = f->c;
	size_t i;

	exp_reason[c->reason].packets++;
	exp_reason[c->reason].bytes += f->len;
	/* The sender's rx, and the frame as the guest sent it on the tx
	 * of its destination (a pushed or popped tag is not counted, as
	 * in vfwd_guest). */
	for (i = 0; i < ARRAY_SIZE(xg_tracked); i++) {
		struct vfwd_port_stats *d = &exp_stats[i];

		if (xg_tracked[i] == f->sender) {
			d->rx_packets++;
			d->rx_bytes += f->len;
			d->rx_dropped += c->rx_dropped;
			d->rx_passed += c->rx_passed;
			d->spoof_dropped += c->spoof;
		}
		if (xg_tracked[i] == c->tx_port) {
			d->tx_packets++;
			d->tx_bytes += f->len;
		}
	}
}

/* Run frames f[0..nf) in one batch; expect each row's answer, or, when
 * aborted, XDP_ABORTED and nothing counted. */
static void xg_run_check(const struct xg_frame *f, unsigned int nf, int n_claim,
			 int data_delta, bool aborted, struct report *rep)
{
	struct vfwd_port_stats exp_stats[ARRAY_SIZE(xg_tracked)] = {};
	struct vfwd_reason_ctr exp_reason[VFWD_REASON_SLOTS] = {};
	const struct vfwd_xguest_batch *b = &xg_env.skel->bss->vfwd_xg_batch;
	struct prog_counters before, after;
	char pfx[24];
	unsigned int i;
	int ret, err;

	err = prog_read_counters(xg_env.t.reason_fd, xg_env.t.stats_fd,
				 xg_tracked, ARRAY_SIZE(xg_tracked), &before);
	if (err) {
		report_fail(rep, "setup: reading counters: %s", strerror(-err));
		return;
	}
	ret = xg_run(f, nf, n_claim, data_delta);
	if (ret < 0) {
		report_fail(rep, "bpf_prog_test_run_opts: %s", strerror(-ret));
		return;
	}
	err = prog_read_counters(xg_env.t.reason_fd, xg_env.t.stats_fd,
				 xg_tracked, ARRAY_SIZE(xg_tracked), &after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}
	prog_check_xdp_action(rep, aborted ? XDP_ABORTED : XDP_PASS, ret);
	report_u64(rep, "batch.done", aborted ? 0 : nf, b->done);
	for (i = 0; !aborted && i < nf; i++) {
		snprintf(pfx, sizeof(pfx), nf > 1 ? "e[%u]." : "", i);
		xg_check_answer(&f[i], &b->e[i], pfx, rep);
		xg_expect(&f[i], exp_stats, exp_reason);
	}
	prog_check_counters_n(&before, &after, exp_reason, xg_tracked,
			      exp_stats, ARRAY_SIZE(xg_tracked), rep);
}

static void run_xg_case(const struct xg_case *c, struct report *rep)
{
	struct xg_frame f;
	int err;

	err = xg_frame_make(c, &f);
	if (!err)
		err = xg_write_self(c);
	if (err) {
		report_fail(rep, "setup: %s", strerror(-err));
		return;
	}
	xg_run_check(&f, 1, -1, 0, false, rep);
}

/* Batch rows: frames of the single rows (all with SELF as its default
 * row has it), or a batch laid out wrongly. */
struct xg_batch_case {
	const char *name;
	const char *rows[VFWD_XG_BATCH + 1]; /* names of xg_cases rows */
	unsigned int repeat; /* the first row this many times instead */
	bool claim; /* n in the batch is n_claim, not the frames' count */
	unsigned int n_claim;
	int data_delta; /* bytes more data than the entries describe */
	bool aborted;
};

static const struct xg_batch_case xg_batch_cases[] = {
	{
		/* Every fate at once, a runt and a header-only frame among
		 * them: each answered on its own. */
		.name = "mixed",
		.rows = {"unknown_to_uplink", "spoof_unbound_src",
			 "to_xsk_port", "runt_10", "to_xsk_access_port_pop",
			 "bcast_bum_pass", "vlan_trunc", "sender_is_tap",
			 "host_mac", "hairpin", "to_tap_with_devmap_entry",
			 "qinq_to_host"},
	},
	{
		.name = "full",
		.rows = {"unknown_to_uplink"},
		.repeat = VFWD_XG_BATCH,
	},
	{
		/* A runt last: its padded head ends the data. */
		.name = "runt_last",
		.rows = {"to_xsk_port", "runt_10"},
	},
	{
		/* A head in the data, but n = 0. */
		.name = "empty",
		.rows = {"unknown_to_uplink"},
		.claim = true,
		.n_claim = 0,
		.aborted = true,
	},
	{
		.name = "more_than_batch",
		.rows = {"unknown_to_uplink"},
		.repeat = VFWD_XG_BATCH + 1,
		.aborted = true,
	},
	{
		.name = "data_short",
		.rows = {"unknown_to_uplink", "to_xsk_port"},
		.data_delta = -1,
		.aborted = true,
	},
	{
		.name = "data_long",
		.rows = {"unknown_to_uplink", "to_xsk_port"},
		.data_delta = 1,
		.aborted = true,
	},
	{
		/* Fewer entries claimed than heads given. */
		.name = "claims_fewer",
		.rows = {"unknown_to_uplink", "to_xsk_port"},
		.claim = true,
		.n_claim = 1,
		.aborted = true,
	},
};

static const struct xg_case *xg_case_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(xg_cases); i++)
		if (!strcmp(xg_cases[i].name, name))
			return &xg_cases[i];
	return NULL;
}

static void run_xg_batch_case(const struct xg_batch_case *bc,
			      struct report *rep)
{
	static struct xg_frame f[VFWD_XG_BATCH + 1];
	const struct xg_case *c;
	unsigned int nf = 0;
	int err;

	for (unsigned int i = 0; i < ARRAY_SIZE(bc->rows) && bc->rows[i]; i++) {
		c = xg_case_named(bc->rows[i]);
		if (!c || (err = xg_frame_make(c, &f[nf++]))) {
			report_fail(rep, "setup: row %s: %s", bc->rows[i],
				    c ? strerror(-err) : "no such row");
			return;
		}
	}
	for (; nf < bc->repeat; nf++)
		f[nf] = f[0];
	err = xg_write_self(f[0].c);
	if (err) {
		report_fail(rep, "setup: %s", strerror(-err));
		return;
	}
	xg_run_check(f, nf, bc->claim ? (int)bc->n_claim : -1, bc->data_delta,
		     bc->aborted, rep);
}

/*
 * ================================ main ================================
 */

int main(void)
{
	bool all_passed = true;
	struct report rep;
	size_t i;
	int err;

	libbpf_set_print(prog_print_stderr);
	err = env_open(&xg_env, true, XG_UPLINK, false);
	if (!err)
		err = xg_populate(&xg_env);
	if (err) {
		printf("FAIL: %s/setup: loading vfwd_xguest: %s\n",
		       SUITE_XGUEST, strerror(-err));
		vfwd_bpf__destroy(xg_env.skel);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(xg_cases); i++) {
		memset(&rep, 0, sizeof(rep));
		run_xg_case(&xg_cases[i], &rep);
		if (!report_print(SUITE_XGUEST, xg_cases[i].name, &rep))
			all_passed = false;
		fflush(stdout);
	}
	for (i = 0; i < ARRAY_SIZE(xg_batch_cases); i++) {
		memset(&rep, 0, sizeof(rep));
		run_xg_batch_case(&xg_batch_cases[i], &rep);
		if (!report_print(SUITE_XG_BATCH, xg_batch_cases[i].name, &rep))
			all_passed = false;
		fflush(stdout);
	}
	vfwd_bpf__destroy(xg_env.skel);
	return all_passed ? 0 : 1;
}
