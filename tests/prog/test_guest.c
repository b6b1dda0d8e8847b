// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-1 tests of the guest-side programs:
 *  - vfwd_guest, tc ingress of a guest port: each row sets up the port the
 *    program serves (access VLAN, flags, uplink), runs one crafted frame
 *    through BPF_PROG_TEST_RUN and checks the tc verdict, the frame that
 *    comes out, exactly one reason counter, every tracked port's counters
 *    and the copies a flood put on the wire;
 *  - vfwd_egress, the flood devmap's egress program: verdict, output
 *    frame and the port's tx/flood counters.
 *
 * bpf_clone_redirect really transmits during a test run, so the process
 * first moves into a network namespace of its own and creates a veth pair
 * there for every port with a device; an AF_PACKET socket on each port's
 * end sees what was sent into it.  The namespace goes away with the
 * process: nothing to clean up, nothing on the host touched.  bpf_redirect
 * only records its target, which a test run never acts on, so a redirect
 * verdict is checked through the counters the program keeps for it.
 *
 * What a test run cannot show:
 *  - runts: the kernel refuses skb test input shorter than ETH_HLEN, so
 *    vfwd_guest's RUNT branch is never reached here;
 *  - a tag the stack already moved into skb metadata: a test run cannot
 *    set skb->vlan_tci, so the tag always sits in the data and the
 *    skb->vlan_present branches of vfwd_guest_parse() are never taken;
 *  - a pushed tag: bpf_skb_vlan_push puts it in skb metadata, which
 *    neither data_out nor ctx_out carry, so rows that push (frames to a
 *    trunk binding or the uplink from an access port) check that the data
 *    is unchanged and nothing more;
 *  - a failed tag push or pop (drop_err), which needs an allocation to
 *    fail; the ERROR reason itself is reached through a port id that has
 *    no slot.
 *
 * stdout carries only the PASS:/FAIL: lines tests/run.sh counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "skel.h"
#include "prog_test.h"

#define SUITE_GUEST "guest"
#define SUITE_EGRESS "egress"

/*
 * Port ids.  SELF is the port both programs serve (cfg_port_id); the rows
 * rewrite its slot.  The rest are fixed for the whole run.
 */
#define UPLINK_PASS 1 /* uplink with the default BUM policy, pass */
#define SELF 2
#define PEER 3 /* untagged guest, also bound on TEST_VID as a trunk */
#define PEER_ACCESS 4 /* access port of TEST_VID */
#define UPLINK_FLOOD 5 /* uplink with --bum flood */
#define DOWN 6 /* slot and MACs, no tx devmap entry: a vanished device */
#define DEAD_DEV 7 /* tx devmap entry, but its device is down */
#define PEER_OTHER 8 /* access port of OTHER_VID */
/* A tap slot that claims BUM_FLOOD: a guest's uplink_id pointing here
 * must count as no uplink at all, flag or not. */
#define NOT_UPLINK 9
#define FREE_SLOT 10 /* never written */
/* An untagged guest of the other uplink: in VLAN 0's flood group, but a
 * flood from SELF's uplink must never reach it. */
#define PEER_ELSEWHERE 11
/* Like DOWN (a slot and a MAC, no tx devmap entry), on UPLINK_PASS and on
 * no uplink: a sender reaches only ports of its own uplink, so each
 * network has its own vanished port. */
#define DOWN_PASS 12
#define DOWN_UNBOUND 13
/* An untagged guest that follows no uplink (uplink_id 0). */
#define PEER_UNBOUND 14
/* A MAC entry may name a port id past the port table (the CLI never
 * writes one): no slot, so no port of SELF's network. */
#define NO_SLOT_PORT VFWD_MAX_PORTS

/* The uplink of PEER, PEER_ACCESS, PEER_OTHER, DOWN and DEAD_DEV, which
 * SELF follows in the rows that send to them.  It has --bum flood, so its
 * peers are the flood rows' members too; known unicast is switched the
 * same in both BUM modes. */
#define PEER_UPLINK UPLINK_FLOOD

#define TEST_VID 100
#define OTHER_VID 200
#define NO_GROUP_VID 300 /* a VLAN with no flood group */
#define UNBOUND_VID 400 /* a VLAN no MAC is bound on */
#define RESERVED_VID 4095
#define TEST_PCP 5

/* The size of a typical small test frame: room for an IPv4 header. */
#define SMALL_FRAME_LEN 100

/* The kernel attaches a devmap egress program only for an fd above 0. */
#define DEVMAP_NO_PROG (-1)

/* Ports a row can expect a flood copy on: every member plus the uplink. */
#define FLOOD_EXPECT_MAX 4
/* Largest flood group the tests build. */
#define TEST_GROUP_MAX 5

/* Shell command buffer: "ip link add" with two interface names. */
#define CMD_LEN 128

/* clang-format off */
#define MAC_SELF { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }
#define MAC_SELF_UNTAGGED { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 }
#define MAC_PEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 }
#define MAC_ACCESS_PEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x04 }
#define MAC_DOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x06 }
#define MAC_DOWN_PASS { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c }
#define MAC_DOWN_UNBOUND { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0d }
#define MAC_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b }
#define MAC_UNBOUND_PEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0e }
#define MAC_NO_SLOT { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0f }
#define MAC_OTHER_PEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x08 }
#define MAC_UNKNOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 }
#define MAC_HOST { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe }
#define MAC_BCAST { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define MAC_MCAST_V4 { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }
#define MAC_MCAST_V6 { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }

#define TAG_Q(tci) { ETH_P_8021Q, (tci) }
#define TAG_AD(tci) { ETH_P_8021AD, (tci) }
#define TCI_PCP_DEI(vid) (TEST_PCP << FRAME_PCP_SHIFT | FRAME_DEI | (vid))
/* clang-format on */

/* One port of the test world.  dev: its end of a veth pair, or NULL. */
struct test_port {
	__u32 id;
	const char *dev;
	__u8 kind;
	__u16 vid;
	__u32 flags;
	__u32 uplink; /* uplink_id of a guest port */
	bool in_devmap; /* has a vfwd_tx_v4 entry */
	bool dev_down; /* the device exists but is not up */
};

static const struct test_port ports[] = {
	{.id = UPLINK_PASS, .dev = "vf-up", .kind = VFWD_PORT_UPLINK},
	{.id = SELF,
	 .dev = "vf-self",
	 .kind = VFWD_PORT_TAP,
	 .in_devmap = true},
	{.id = PEER,
	 .dev = "vf-peer",
	 .kind = VFWD_PORT_TAP,
	 .uplink = UPLINK_FLOOD,
	 .in_devmap = true},
	{.id = PEER_ACCESS,
	 .dev = "vf-acc",
	 .kind = VFWD_PORT_TAP,
	 .vid = TEST_VID,
	 .uplink = UPLINK_FLOOD,
	 .in_devmap = true},
	{.id = UPLINK_FLOOD,
	 .dev = "vf-upf",
	 .kind = VFWD_PORT_UPLINK,
	 .flags = VFWD_PORT_F_BUM_FLOOD},
	{.id = DOWN, .kind = VFWD_PORT_TAP, .uplink = UPLINK_FLOOD},
	{.id = DEAD_DEV,
	 .dev = "vf-dead",
	 .kind = VFWD_PORT_TAP,
	 .uplink = UPLINK_FLOOD,
	 .in_devmap = true,
	 .dev_down = true},
	{.id = PEER_OTHER,
	 .dev = "vf-oth",
	 .kind = VFWD_PORT_TAP,
	 .vid = OTHER_VID,
	 .uplink = UPLINK_FLOOD,
	 .in_devmap = true},
	{.id = PEER_ELSEWHERE,
	 .dev = "vf-else",
	 .kind = VFWD_PORT_TAP,
	 .uplink = UPLINK_PASS,
	 .in_devmap = true},
	{.id = NOT_UPLINK,
	 .kind = VFWD_PORT_TAP,
	 .flags = VFWD_PORT_F_BUM_FLOOD},
	{.id = DOWN_PASS, .kind = VFWD_PORT_TAP, .uplink = UPLINK_PASS},
	{.id = DOWN_UNBOUND, .kind = VFWD_PORT_TAP},
	{.id = PEER_UNBOUND,
	 .dev = "vf-unb",
	 .kind = VFWD_PORT_TAP,
	 .in_devmap = true},
};

struct test_mac {
	__u8 mac[ETH_ALEN];
	__u16 vid;
	__u32 port_id;
	__u32 flags;
};

#define BIND(m, v, p) .mac = m, .vid = (v), .port_id = (p)
static const struct test_mac macs[] = {
	{BIND(MAC_SELF, VFWD_VID_NONE, SELF)},
	{BIND(MAC_SELF, TEST_VID, SELF), .flags = VFWD_MAC_ACCESS},
	{BIND(MAC_SELF_UNTAGGED, VFWD_VID_NONE, SELF)},
	/* Trunk bindings of SELF, so that its tagged frames may use these
	 * VLANs even with the spoof check off. */
	{BIND(MAC_SELF, OTHER_VID, SELF)},
	{BIND(MAC_SELF, NO_GROUP_VID, SELF)},
	{BIND(MAC_PEER, VFWD_VID_NONE, PEER)},
	/* A trunk binding: frames to it keep (or get) their tag. */
	{BIND(MAC_PEER, TEST_VID, PEER)},
	{BIND(MAC_ACCESS_PEER, TEST_VID, PEER_ACCESS),
	 .flags = VFWD_MAC_ACCESS},
	{BIND(MAC_OTHER_PEER, OTHER_VID, PEER_OTHER), .flags = VFWD_MAC_ACCESS},
	{BIND(MAC_DOWN, VFWD_VID_NONE, DOWN)},
	{BIND(MAC_DOWN_PASS, VFWD_VID_NONE, DOWN_PASS)},
	{BIND(MAC_DOWN_UNBOUND, VFWD_VID_NONE, DOWN_UNBOUND)},
	{BIND(MAC_ELSEWHERE, VFWD_VID_NONE, PEER_ELSEWHERE)},
	{BIND(MAC_UNBOUND_PEER, VFWD_VID_NONE, PEER_UNBOUND)},
	{BIND(MAC_NO_SLOT, VFWD_VID_NONE, NO_SLOT_PORT)},
};
#undef BIND

/* Flood groups as the CLI keeps them: sorted, SELF included (the program
 * must skip it), DOWN and DEAD_DEV included (no copy can reach them). */
static const struct {
	__u32 vid;
	__u32 ports[TEST_GROUP_MAX];
	__u32 nports;
} groups[] = {
	{VFWD_VID_NONE, {SELF, PEER, DOWN, DEAD_DEV, PEER_ELSEWHERE}, 5},
	{TEST_VID, {SELF, PEER_ACCESS}, 2},
	{OTHER_VID, {PEER_OTHER}, 1},
};

struct guest_env {
	struct vfwd_bpf *skel;
	int guest_fd;
	int egress_fd;
	struct vfwd_tables t; /* the skeleton's maps */
};

/* main_env serves SELF; noslot_env serves a port id past the port table,
 * the one way to reach the programs' "no port slot" branches. */
static struct guest_env main_env, noslot_env;

/* Per port in ports[]: device ifindex (0: none) and capture socket. */
static int port_ifindex[ARRAY_SIZE(ports)];
static int port_capture[ARRAY_SIZE(ports)];
static __u32 tracked[ARRAY_SIZE(ports)];

struct guest_case {
	const char *name;
	struct frame_spec frame;
	/* SELF's slot for this row. */
	__u16 vid;
	__u32 flags;
	__u32 uplink;
	__u8 self_kind; /* SELF's kind if not a tap; see self_free */
	bool self_free; /* SELF's slot freed (kind VFWD_PORT_FREE) */
	bool no_slot; /* run on noslot_env */

	int action;
	enum vfwd_reason reason;
	__u32 tx_port; /* unicast target whose tx rises; 0 for none */
	/* Ports that get a flood copy: tx and flood_packets rise, and a
	 * member's device sees the frame.  0-terminated. */
	__u32 flood[FLOOD_EXPECT_MAX];
	bool rx_dropped;
	bool rx_passed;
	bool spoof;
	/* The tag in the data comes off: data_out and any flood copy are the
	 * frame without it. */
	bool pop;
};

#define EXPECT_SHOT(r) .action = TC_ACT_SHOT, .reason = (r), .rx_dropped = true
#define EXPECT_SPOOF                                                           \
	.action = TC_ACT_SHOT, .reason = VFWD_R_SPOOF, .rx_dropped = true,     \
	.spoof = true
#define EXPECT_OK(r) .action = TC_ACT_OK, .reason = (r), .rx_passed = true
#define EXPECT_FWD(port)                                                       \
	.action = TC_ACT_REDIRECT, .reason = VFWD_R_FWD, .tx_port = (port)
#define EXPECT_UPLINK                                                          \
	.action = TC_ACT_REDIRECT, .reason = VFWD_R_UPLINK,                    \
	.tx_port = UPLINK_PASS
#define EXPECT_FLOOD(r, ...)                                                   \
	.action = TC_ACT_REDIRECT, .reason = (r), .flood = {__VA_ARGS__}

/* Frames used by many rows. */
#define FRAME(d, s)                                                            \
	{                                                                      \
		.dst = d, .src = s, .proto = ETH_P_IP, .len = SMALL_FRAME_LEN  \
	}
#define FRAME_TAGGED(d, s, vid)                                                \
	{                                                                      \
		.dst = d, .src = s, .tags = {TAG_Q(vid)}, .ntags = 1,          \
		.proto = ETH_P_IP, .len = SMALL_FRAME_LEN                      \
	}
#define FRAME_QINQ(d, s)                                                       \
	{                                                                      \
		.dst = d, .src = s,                                            \
		.tags = {TAG_AD(TEST_VID), TAG_Q(OTHER_VID)}, .ntags = 2,      \
		.proto = ETH_P_IP, .len = SMALL_FRAME_LEN                      \
	}
#define FRAME_PRIO(d, s)                                                       \
	{                                                                      \
		.dst = d, .src = s,                                            \
		.tags = {TAG_Q(TEST_PCP << FRAME_PCP_SHIFT | VFWD_VID_NONE)},  \
		.ntags = 1, .proto = ETH_P_IP, .len = SMALL_FRAME_LEN          \
	}
/* An 802.1Q TPID and the frame ends: no room for the tag. */
#define FRAME_TRUNC_14(d, s)                                                   \
	{                                                                      \
		.dst = d, .src = s, .proto = ETH_P_8021Q, .len = ETH_HLEN      \
	}

static const struct guest_case guest_cases[] = {
	/* Malformed source, whatever the port. */
	{
		.name = "bad_src_mcast",
		.frame = FRAME(MAC_PEER, MAC_MCAST_V4),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_BAD_SRC),
	},
	{
		.name = "bad_src_bcast",
		.frame = FRAME(MAC_PEER, MAC_BCAST),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_BAD_SRC),
	},
	{
		/* Checked before the access port's tag rule. */
		.name = "bad_src_tagged_on_access",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_MCAST_V6, TEST_VID),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_BAD_SRC),
	},
	{
		/* Checked before anti-spoofing: not a spoof. */
		.name = "bad_src_spoofchk",
		.frame = FRAME(MAC_PEER, MAC_MCAST_V4),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_BAD_SRC),
	},

	/* Access port: its guest sends untagged frames only. */
	{
		.name = "access_tagged_own_vid",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF, TEST_VID),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_tagged_other_vid",
		.frame = FRAME_TAGGED(MAC_OTHER_PEER, MAC_SELF, OTHER_VID),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_tagged_8021ad",
		.frame = FRAME_QINQ(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_prio_tag",
		.frame = FRAME_PRIO(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_tag_truncated",
		.frame = FRAME_TRUNC_14(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_tag_bad_vid",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF, RESERVED_VID),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		/* The tag rule comes first: not counted as a spoof. */
		.name = "access_tagged_spoofchk",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_UNKNOWN, TEST_VID),
		.vid = TEST_VID,
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_ACCESS_TAGGED),
	},
	{
		.name = "access_fwd_access_peer",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER_ACCESS),
	},
	{
		/* Gets a TEST_VID tag (skb metadata, not visible here). */
		.name = "access_fwd_trunk_binding",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.vid = TEST_VID,
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		/* Looked up on the port's VLAN, where this MAC is unknown. */
		.name = "access_vlan_isolation",
		.frame = FRAME(MAC_OTHER_PEER, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_UPLINK,
	},
	{
		.name = "access_unknown_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_UPLINK,
	},

	/* Untagged/trunk port: the frame's own tag gives the VLAN. */
	{
		.name = "fwd_untagged",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		/* ARP: for IPv4 and IPv6 the kernel wants the IP header in
		 * a test run's input and refuses it (EINVAL) without. */
		.name = "fwd_header_only",
		.frame = {.dst = MAC_PEER,
			  .src = MAC_SELF,
			  .proto = ETH_P_ARP,
			  .len = ETH_HLEN},
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		.name = "fwd_len_1514",
		.frame = {.dst = MAC_PEER,
			  .src = MAC_SELF,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN},
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		.name = "fwd_tagged_to_access",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF, TEST_VID),
		.uplink = PEER_UPLINK,
		.pop = true,
		EXPECT_FWD(PEER_ACCESS),
	},
	{
		.name = "fwd_tagged_to_access_pcp_dei",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF,
				      TCI_PCP_DEI(TEST_VID)),
		.uplink = PEER_UPLINK,
		.pop = true,
		EXPECT_FWD(PEER_ACCESS),
	},
	{
		.name = "fwd_tagged_to_access_header_only",
		.frame = {.dst = MAC_ACCESS_PEER,
			  .src = MAC_SELF,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN + FRAME_TAG_LEN},
		.uplink = PEER_UPLINK,
		.pop = true,
		EXPECT_FWD(PEER_ACCESS),
	},
	{
		/* A trunk binding keeps the tag the frame came with. */
		.name = "fwd_tagged_trunk_binding",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF, TEST_VID),
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		.name = "fwd_tagged_trunk_binding_len_1518",
		.frame = {.dst = MAC_PEER,
			  .src = MAC_SELF,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN + FRAME_TAG_LEN},
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		/* The host's own MAC goes to the kernel, not the uplink. */
		.name = "host_mac_to_kernel",
		.frame = FRAME(MAC_HOST, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_HOST),
	},
	{
		.name = "host_mac_to_kernel_flood_mode",
		.frame = FRAME(MAC_HOST, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_OK(VFWD_R_HOST),
	},
	{
		/* No spoof check, but MAC_SELF_UNTAGGED is not bound on
		 * TEST_VID: the guest may not put itself on that VLAN. */
		.name = "vlan_denied_without_binding",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF_UNTAGGED, TEST_VID),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_VLAN_DENIED),
	},
	{
		.name = "vlan_denied_to_uplink",
		.frame =
			FRAME_TAGGED(MAC_UNKNOWN, MAC_SELF_UNTAGGED, OTHER_VID),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_VLAN_DENIED),
	},
	{
		/* With the check on, the same frame is a spoof. */
		.name = "vlan_denied_spoofchk_counts_spoof",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF_UNTAGGED, TEST_VID),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		.name = "tagged_vlan_isolation",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF, OTHER_VID),
		.uplink = UPLINK_PASS,
		EXPECT_UPLINK,
	},
	{
		.name = "untagged_vlan_isolation",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_UPLINK,
	},
	{
		.name = "qinq_8021ad",
		.frame = FRAME_QINQ(MAC_PEER, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_QINQ),
	},
	{
		.name = "qinq_8021q_8021q",
		.frame = {.dst = MAC_PEER,
			  .src = MAC_SELF,
			  .tags = {TAG_Q(TEST_VID), TAG_Q(OTHER_VID)},
			  .ntags = 2,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_QINQ),
	},
	{
		.name = "qinq_8021q_8021ad",
		.frame = {.dst = MAC_PEER,
			  .src = MAC_SELF,
			  .tags = {TAG_Q(TEST_VID), TAG_AD(OTHER_VID)},
			  .ntags = 2,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_QINQ),
	},
	{
		.name = "prio_tag",
		.frame = FRAME_PRIO(MAC_PEER, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_PRIO_TAG),
	},
	{
		.name = "vlan_trunc_14",
		.frame = FRAME_TRUNC_14(MAC_PEER, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_VLAN_TRUNC),
	},
	{
		/* TCI present, inner EtherType cut off. */
		.name = "vlan_trunc_16",
		.frame = {.dst = MAC_PEER,
			  .src = MAC_SELF,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN + FRAME_TAG_LEN / 2},
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_VLAN_TRUNC),
	},
	{
		.name = "bad_vid_4095",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF, RESERVED_VID),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_BAD_VID),
	},

	/* Anti-spoofing: {source MAC, frame VLAN} must be bound to SELF. */
	{
		.name = "spoof_unbound_src",
		.frame = FRAME(MAC_PEER, MAC_UNKNOWN),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		.name = "spoof_src_of_other_port",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_PEER),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		/* MAC_SELF is bound on several VLANs, not on this one. */
		.name = "spoof_src_on_wrong_vlan",
		.frame = FRAME_TAGGED(MAC_OTHER_PEER, MAC_SELF, UNBOUND_VID),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		/* An access port's frames are checked on its VLAN. */
		.name = "spoof_access_checks_port_vid",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_SELF_UNTAGGED),
		.vid = TEST_VID,
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		.name = "spoof_qinq",
		.frame = FRAME_QINQ(MAC_PEER, MAC_UNKNOWN),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		.name = "spoof_prio_tag",
		.frame = FRAME_PRIO(MAC_PEER, MAC_UNKNOWN),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SPOOF,
	},
	{
		.name = "spoof_bcast",
		.frame = FRAME(MAC_BCAST, MAC_UNKNOWN),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_FLOOD,
		EXPECT_SPOOF,
	},
	{
		/* Malformed first: dropped as such, not as a spoof. */
		.name = "spoofchk_bad_vid",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_UNKNOWN, RESERVED_VID),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_BAD_VID),
	},
	{
		.name = "spoofchk_vlan_trunc",
		.frame = FRAME_TRUNC_14(MAC_PEER, MAC_UNKNOWN),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_VLAN_TRUNC),
	},
	{
		.name = "spoofchk_ok_untagged",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		.name = "spoofchk_ok_tagged",
		.frame = FRAME_TAGGED(MAC_PEER, MAC_SELF, TEST_VID),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},
	{
		.name = "spoofchk_ok_access",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER_ACCESS),
	},
	{
		.name = "spoofchk_ok_qinq",
		.frame = FRAME_QINQ(MAC_PEER, MAC_SELF),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_QINQ),
	},
	{
		.name = "spoofchk_ok_bcast",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_BCAST),
	},
	{
		/* Without the flag any unicast source goes. */
		.name = "no_spoofchk_foreign_src",
		.frame = FRAME(MAC_PEER, MAC_ACCESS_PEER),
		.uplink = PEER_UPLINK,
		EXPECT_FWD(PEER),
	},

	/* Delivery. */
	{
		.name = "hairpin",
		.frame = FRAME(MAC_SELF, MAC_PEER),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_HAIRPIN),
	},
	{
		.name = "hairpin_access",
		.frame = FRAME(MAC_SELF, MAC_PEER),
		.vid = TEST_VID,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_HAIRPIN),
	},
	{
		.name = "hairpin_tagged",
		.frame = FRAME_TAGGED(MAC_SELF, MAC_SELF, TEST_VID),
		.uplink = UPLINK_FLOOD,
		EXPECT_SHOT(VFWD_R_HAIRPIN),
	},
	{
		.name = "port_down",
		.frame = FRAME(MAC_DOWN_PASS, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_PORT_DOWN),
	},
	{
		.name = "port_down_no_uplink",
		.frame = FRAME(MAC_DOWN_UNBOUND, MAC_SELF),
		EXPECT_OK(VFWD_R_PORT_DOWN),
	},
	{
		.name = "unknown_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_UPLINK,
	},
	{
		.name = "unknown_uplink_tagged",
		.frame = FRAME_TAGGED(MAC_UNKNOWN, MAC_SELF, TEST_VID),
		.uplink = UPLINK_PASS,
		EXPECT_UPLINK,
	},
	{
		.name = "unknown_no_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		EXPECT_OK(VFWD_R_NO_UPLINK),
	},
	{
		.name = "unknown_uplink_id_not_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.uplink = NOT_UPLINK,
		EXPECT_OK(VFWD_R_NO_UPLINK),
	},
	{
		.name = "unknown_uplink_id_free_slot",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.uplink = FREE_SLOT,
		EXPECT_OK(VFWD_R_NO_UPLINK),
	},
	{
		.name = "unknown_uplink_id_out_of_range",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.uplink = VFWD_MAX_PORTS,
		EXPECT_OK(VFWD_R_NO_UPLINK),
	},
	{
		.name = "bcast_pass",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_BCAST),
	},
	{
		.name = "mcast_pass",
		.frame = FRAME(MAC_MCAST_V6, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_OK(VFWD_R_MCAST),
	},
	{
		.name = "bcast_no_uplink",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		EXPECT_OK(VFWD_R_BCAST),
	},
	{
		/* BUM_FLOOD on a slot that is no uplink: no flood. */
		.name = "bcast_uplink_id_not_uplink",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.uplink = NOT_UPLINK,
		EXPECT_OK(VFWD_R_BCAST),
	},

	/* --bum flood: a copy to every other live port of the VLAN, then
	 * the frame itself to the uplink. */
	{
		.name = "flood_bcast",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_FLOOD(VFWD_R_BCAST, PEER, UPLINK_FLOOD),
	},
	{
		.name = "flood_bcast_len_1514",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_SELF,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN},
		.uplink = UPLINK_FLOOD,
		EXPECT_FLOOD(VFWD_R_BCAST, PEER, UPLINK_FLOOD),
	},
	{
		.name = "flood_mcast",
		.frame = FRAME(MAC_MCAST_V4, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_FLOOD(VFWD_R_MCAST, PEER, UPLINK_FLOOD),
	},
	{
		/* Unknown unicast is for the wire: out of the uplink, not
		 * flooded to the other guests. */
		.name = "flood_mode_unknown_to_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		.action = TC_ACT_REDIRECT,
		.reason = VFWD_R_UPLINK,
		.tx_port = UPLINK_FLOOD,
	},
	{
		.name = "flood_port_down",
		.frame = FRAME(MAC_DOWN, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_FLOOD(VFWD_R_PORT_DOWN, PEER, UPLINK_FLOOD),
	},
	{
		.name = "flood_access_bcast",
		.frame = FRAME(MAC_BCAST, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_FLOOD,
		EXPECT_FLOOD(VFWD_R_BCAST, PEER_ACCESS, UPLINK_FLOOD),
	},
	{
		.name = "flood_mode_access_unknown_to_uplink",
		.frame = FRAME(MAC_UNKNOWN, MAC_SELF),
		.vid = TEST_VID,
		.uplink = UPLINK_FLOOD,
		.action = TC_ACT_REDIRECT,
		.reason = VFWD_R_UPLINK,
		.tx_port = UPLINK_FLOOD,
	},
	{
		/* Members are access ports: their copy loses the tag. */
		.name = "flood_tagged_bcast",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_SELF, TEST_VID),
		.uplink = UPLINK_FLOOD,
		.pop = true,
		EXPECT_FLOOD(VFWD_R_BCAST, PEER_ACCESS, UPLINK_FLOOD),
	},
	{
		.name = "flood_tagged_other_vlan",
		.frame = FRAME_TAGGED(MAC_MCAST_V6, MAC_SELF, OTHER_VID),
		.uplink = UPLINK_FLOOD,
		.pop = true,
		EXPECT_FLOOD(VFWD_R_MCAST, PEER_OTHER, UPLINK_FLOOD),
	},
	{
		.name = "flood_tagged_no_group",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_SELF, NO_GROUP_VID),
		.uplink = UPLINK_FLOOD,
		.pop = true,
		EXPECT_FLOOD(VFWD_R_BCAST, UPLINK_FLOOD),
	},
	{
		/* Known unicast is switched as in pass mode. */
		.name = "flood_mode_fwd",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_FWD(PEER),
	},
	{
		.name = "flood_mode_qinq",
		.frame = FRAME_QINQ(MAC_BCAST, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_OK(VFWD_R_QINQ),
	},

	/* Two uplinks are two networks: a guest reaches only the guests of
	 * its own uplink, or with none the guests of none.  The rest is
	 * dropped, no port transmits it, and no tag comes off or goes on. */
	{
		.name = "other_uplink",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "other_uplink_tagged_to_access",
		.frame = FRAME_TAGGED(MAC_ACCESS_PEER, MAC_SELF, TEST_VID),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "other_uplink_from_access",
		.frame = FRAME(MAC_ACCESS_PEER, MAC_SELF),
		.vid = TEST_VID,
		.flags = VFWD_PORT_F_SPOOFCHK,
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Not flooded either, although its uplink floods. */
		.name = "other_uplink_flood_mode",
		.frame = FRAME(MAC_ELSEWHERE, MAC_SELF),
		.uplink = UPLINK_FLOOD,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Another network's port, up or down: not port_down, which
		 * would take the BUM policy. */
		.name = "other_uplink_port_down",
		.frame = FRAME(MAC_DOWN, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "unbound_to_bound",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "bound_to_unbound",
		.frame = FRAME(MAC_UNBOUND_PEER, MAC_SELF),
		.uplink = PEER_UPLINK,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Ports of no uplink are one network (passes on the
		 * programs before the check too: it guards the check). */
		.name = "unbound_to_unbound",
		.frame = FRAME(MAC_UNBOUND_PEER, MAC_SELF),
		EXPECT_FWD(PEER_UNBOUND),
	},
	{
		.name = "dst_no_port_slot",
		.frame = FRAME(MAC_NO_SLOT, MAC_SELF),
		.uplink = UPLINK_PASS,
		EXPECT_SHOT(VFWD_R_OTHER_UPLINK),
	},

	/* cfg_port_id with no port slot: the loader never does this. */
	{
		.name = "no_port_slot",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.no_slot = true,
		.action = TC_ACT_SHOT,
		.reason = VFWD_R_ERROR,
	},
	{
		/* A filter that outlived its port: the slot was freed (spoof
		 * check off, no VLAN).  It must fail closed. */
		.name = "freed_slot_fails_closed",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.self_free = true,
		EXPECT_SHOT(VFWD_R_ERROR),
	},
	{
		.name = "uplink_slot_fails_closed",
		.frame = FRAME(MAC_PEER, MAC_SELF),
		.self_kind = VFWD_PORT_UPLINK,
		EXPECT_SHOT(VFWD_R_ERROR),
	},
};

struct egress_case {
	const char *name;
	struct frame_spec frame;
	unsigned int runt_len; /* see xdp_run_frame() */
	__u16 vid; /* SELF's access VLAN */
	/* The uplink the flood comes in on (default UPLINK_PASS, which is
	 * SELF's uplink); SELF follows no uplink with self_unbound. */
	__u32 from;
	bool self_unbound;
	bool no_slot; /* run on noslot_env */
	int action;
	bool pop; /* the tag comes off */
	bool counted; /* SELF's tx and flood_packets rise */
};

#define EGRESS_KEEP .action = XDP_PASS, .counted = true
#define EGRESS_DROP .action = XDP_DROP

static const struct egress_case egress_cases[] = {
	{
		.name = "flood_from_another_uplink",
		.frame = FRAME(MAC_BCAST, MAC_PEER),
		.from = UPLINK_FLOOD,
		EGRESS_DROP,
	},
	{
		.name = "port_without_uplink",
		.frame = FRAME(MAC_BCAST, MAC_PEER),
		.self_unbound = true,
		EGRESS_DROP,
	},
	{
		.name = "untagged_on_untagged_port",
		.frame = FRAME(MAC_BCAST, MAC_PEER),
		EGRESS_KEEP,
	},
	{
		.name = "untagged_on_untagged_port_len_1514",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN},
		EGRESS_KEEP,
	},
	{
		.name = "tagged_on_access_port",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_PEER, TEST_VID),
		.vid = TEST_VID,
		.pop = true,
		EGRESS_KEEP,
	},
	{
		.name = "tagged_on_access_port_pcp_dei",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_PEER,
				      TCI_PCP_DEI(TEST_VID)),
		.vid = TEST_VID,
		.pop = true,
		EGRESS_KEEP,
	},
	{
		.name = "tagged_on_access_port_header_only",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_ARP,
			  .len = ETH_HLEN + FRAME_TAG_LEN},
		.vid = TEST_VID,
		.pop = true,
		EGRESS_KEEP,
	},
	{
		.name = "tagged_on_access_port_len_1518",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN + FRAME_TAG_LEN},
		.vid = TEST_VID,
		.pop = true,
		EGRESS_KEEP,
	},
	{
		.name = "tagged_on_other_access_port",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_PEER, TEST_VID),
		.vid = OTHER_VID,
		EGRESS_DROP,
	},
	{
		.name = "tagged_on_untagged_port",
		.frame = FRAME_TAGGED(MAC_BCAST, MAC_PEER, TEST_VID),
		EGRESS_DROP,
	},
	{
		.name = "untagged_on_access_port",
		.frame = FRAME(MAC_BCAST, MAC_PEER),
		.vid = TEST_VID,
		EGRESS_DROP,
	},
	{
		.name = "vlan_trunc_14",
		.frame = FRAME_TRUNC_14(MAC_BCAST, MAC_PEER),
		EGRESS_DROP,
	},
	{
		.name = "vlan_trunc_16",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN + FRAME_TAG_LEN / 2},
		.vid = TEST_VID,
		EGRESS_DROP,
	},
	{
		.name = "runt_10",
		.frame = FRAME(MAC_BCAST, MAC_PEER),
		.runt_len = 10,
		EGRESS_DROP,
	},
	{
		.name = "no_port_slot",
		.frame = FRAME(MAC_BCAST, MAC_PEER),
		.no_slot = true,
		EGRESS_DROP,
	},
};

static const char *tc_action_name(int act)
{
	switch (act) {
	case TC_ACT_OK:
		return "TC_ACT_OK";
	case TC_ACT_SHOT:
		return "TC_ACT_SHOT";
	case TC_ACT_REDIRECT:
		return "TC_ACT_REDIRECT";
	default:
		return "other";
	}
}

static const char *xdp_action_name(int act)
{
	switch (act) {
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	default:
		return "other";
	}
}

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

/* IPv6 would have every new device send router solicitations and the
 * like, which the capture sockets would then see next to the copies. */
static void quiet_ipv6(void)
{
	static const char *const knobs[] = {
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
	};
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		fd = open(knobs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* no IPv6: nothing to quiet */
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "%s: %s\n", knobs[i], strerror(errno));
		close(fd);
	}
}

static int capture_open(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int one = 1, fd;

	/* Protocol 0 receives nothing before bind(), so no frame of another
	 * device slips in first. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* One captured frame: bytes, direction, and whether it carried a tag in
 * skb metadata (which AF_PACKET reports apart from the data). */
struct captured {
	__u8 data[FRAME_MAX_LEN];
	int len;
	__u8 pkttype;
	bool meta_tag;
};

/* Read one frame; 1 if there was one, 0 if none, or -errno. */
static int capture_read(int fd, struct captured *f)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = f->data, .iov_len = sizeof(f->data)};
	struct sockaddr_ll from;
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	f->len = n;
	f->pkttype = from.sll_pkttype;
	f->meta_tag = false;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		const struct tpacket_auxdata *aux;

		if (cmsg->cmsg_level != SOL_PACKET ||
		    cmsg->cmsg_type != PACKET_AUXDATA)
			continue;
		aux = (const void *)CMSG_DATA(cmsg);
		f->meta_tag = aux->tp_status & TP_STATUS_VLAN_VALID;
	}
	return 1;
}

static int capture_drain(void)
{
	struct captured f;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		if (port_capture[i] < 0)
			continue;
		while ((n = capture_read(port_capture[i], &f)) > 0)
			;
		if (n < 0)
			return n;
	}
	return 0;
}

static bool in_list(const __u32 *list, size_t n, __u32 id)
{
	size_t i;

	for (i = 0; i < n && list[i]; i++)
		if (list[i] == id)
			return true;
	return false;
}

/*
 * What each device saw: one copy on every flood member's device, exactly
 * exp (the frame as the member should get it: untagged, MACs intact),
 * sent out of it and carrying no tag in metadata either; nothing anywhere
 * else.  Uplinks see nothing: they get the frame by bpf_redirect.
 */
static void check_captures(const struct guest_case *c, const __u8 *exp,
			   unsigned int exp_len, struct report *rep)
{
	struct captured f;
	char what[64];
	size_t i;
	int n, got;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		bool want = ports[i].kind != VFWD_PORT_UPLINK &&
			    in_list(c->flood, FLOOD_EXPECT_MAX, ports[i].id);

		if (port_capture[i] < 0)
			continue;
		for (got = 0;; got++) {
			n = capture_read(port_capture[i], &f);
			if (n < 0) {
				report_fail(rep, "capture on %s: %s",
					    ports[i].dev, strerror(-n));
				break;
			}
			if (!n)
				break;
			if (f.pkttype != PACKET_OUTGOING)
				report_fail(rep, "%s: copy not sent out of it",
					    ports[i].dev);
			if (f.meta_tag)
				report_fail(rep, "%s: copy tagged in metadata",
					    ports[i].dev);
			if (f.len != (int)exp_len)
				report_fail(rep,
					    "%s: copy length: expected "
					    "%u, got %d",
					    ports[i].dev, exp_len, f.len);
			else if (memcmp(f.data, exp, exp_len))
				report_fail(rep,
					    "%s: copy differs from the "
					    "expected frame",
					    ports[i].dev);
		}
		snprintf(what, sizeof(what), "copies sent into %s",
			 ports[i].dev);
		report_u64(rep, what, want, got);
	}
}

/* The ifindex of port id's device, 0 if it has none. */
static __u32 dev_ifindex(__u32 id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ports); i++)
		if (ports[i].id == id)
			return port_ifindex[i];
	return 0;
}

static int write_self_kind(const struct guest_env *env, __u8 kind, __u16 vid,
			   __u32 flags, __u32 uplink)
{
	struct vfwd_port p = {
		.kind = kind,
		.vid = vid,
		.flags = flags,
		.uplink_id = uplink,
	};
	__u32 id = SELF;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ports); i++)
		if (ports[i].id == SELF)
			p.ifindex = port_ifindex[i];
	snprintf(p.name, sizeof(p.name), "%s", "vf-self");
	return bpf_map_update_elem(env->t.port_fd, &id, &p, BPF_ANY) ? -errno
								     : 0;
}

static int read_counters(const struct guest_env *env, struct prog_counters *c)
{
	return prog_read_counters(env->t.reason_fd, env->t.stats_fd, tracked,
				  ARRAY_SIZE(tracked), c);
}

/* What every tracked port's counters should have risen by after c. */
static void guest_expected(const struct guest_case *c, __u64 bytes,
			   struct vfwd_port_stats *exp)
{
	size_t i;

	memset(exp, 0, ARRAY_SIZE(tracked) * sizeof(*exp));
	for (i = 0; i < ARRAY_SIZE(tracked); i++) {
		struct vfwd_port_stats *d = &exp[i];

		if (tracked[i] == SELF && !c->no_slot) {
			d->rx_packets = 1;
			d->rx_bytes = bytes;
			d->rx_dropped = c->rx_dropped;
			d->rx_passed = c->rx_passed;
			d->spoof_dropped = c->spoof;
		}
		if (tracked[i] == c->tx_port) {
			d->tx_packets++;
			d->tx_bytes += bytes;
		}
		if (in_list(c->flood, FLOOD_EXPECT_MAX, tracked[i])) {
			d->tx_packets++;
			d->tx_bytes += bytes;
			d->flood_packets++;
		}
	}
}

static void run_guest_case(const struct guest_case *c, struct report *rep)
{
	struct guest_env *env = c->no_slot ? &noslot_env : &main_env;
	__u8 in[FRAME_MAX_LEN], out[FRAME_MAX_LEN], exp[FRAME_MAX_LEN];
	struct vfwd_port_stats exp_stats[ARRAY_SIZE(tracked)];
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

	err = write_self_kind(&main_env,
			      c->self_free   ? VFWD_PORT_FREE
			      : c->self_kind ? c->self_kind
					     : VFWD_PORT_TAP,
			      c->vid, c->flags, c->uplink);
	if (!err)
		err = capture_drain();
	if (!err)
		err = read_counters(env, &before);
	if (err) {
		report_fail(rep, "setup: %s", strerror(-err));
		return;
	}

	opts.data_in = in;
	opts.data_size_in = c->frame.len;
	opts.data_out = out;
	opts.data_size_out = sizeof(out);
	opts.repeat = 1;
	if (bpf_prog_test_run_opts(env->guest_fd, &opts)) {
		report_fail(rep, "bpf_prog_test_run_opts: %s", strerror(errno));
		return;
	}
	err = read_counters(env, &after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}

	if (opts.retval != (__u32)c->action)
		report_fail(rep, "action: expected %s, got %s (%u)",
			    tc_action_name(c->action),
			    tc_action_name(opts.retval), opts.retval);
	prog_check_output(rep, exp, exp_len, out, opts.data_size_out, c->pop);
	guest_expected(c, c->frame.len, exp_stats);
	prog_check_counters(&before, &after, c->reason, c->frame.len, tracked,
			    exp_stats, ARRAY_SIZE(tracked), rep);
	check_captures(c, exp, exp_len, rep);
}

static void run_egress_case(const struct egress_case *c, struct report *rep)
{
	struct guest_env *env = c->no_slot ? &noslot_env : &main_env;
	__u8 in[FRAME_MAX_LEN], out[FRAME_MAX_LEN], exp[FRAME_MAX_LEN];
	struct vfwd_port_stats exp_stats[ARRAY_SIZE(tracked)];
	struct prog_counters before, after;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned int exp_len = c->frame.len;
	size_t i;
	int err;

	err = frame_build(&c->frame, in, sizeof(in));
	if (err) {
		report_fail(rep, "setup: frame_build: %s", strerror(-err));
		return;
	}
	memcpy(exp, in, c->frame.len);
	if (c->pop)
		exp_len = frame_pop_tag(in, c->frame.len, exp);

	err = write_self_kind(&main_env, VFWD_PORT_TAP, c->vid, 0,
			      c->self_unbound ? 0 : UPLINK_PASS);
	if (!err)
		err = read_counters(env, &before);
	if (err) {
		report_fail(rep, "setup: %s", strerror(-err));
		return;
	}
	err = xdp_run_frame_on(
		env->egress_fd, dev_ifindex(c->from ? c->from : UPLINK_PASS),
		in, c->frame.len, c->runt_len, out, sizeof(out), &opts);
	if (err) {
		report_fail(rep, "bpf_prog_test_run_opts: %s", strerror(-err));
		return;
	}
	err = read_counters(env, &after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}

	if (opts.retval != (__u32)c->action)
		report_fail(rep, "action: expected %s, got %s (%u)",
			    xdp_action_name(c->action),
			    xdp_action_name(opts.retval), opts.retval);
	prog_check_output(rep, exp, exp_len, out, opts.data_size_out, c->pop);

	/* The copy is counted as it leaves; no reason moves, the uplink
	 * counted it when it flooded. */
	memset(exp_stats, 0, sizeof(exp_stats));
	for (i = 0; i < ARRAY_SIZE(tracked); i++) {
		if (tracked[i] != SELF || !c->counted)
			continue;
		exp_stats[i].tx_packets = 1;
		exp_stats[i].tx_bytes = exp_len;
		exp_stats[i].flood_packets = 1;
	}
	prog_check_counters(&before, &after, VFWD_REASON_SLOTS, 0, tracked,
			    exp_stats, ARRAY_SIZE(tracked), rep);
}

/* A private network namespace with a veth pair per port device. */
static int net_setup(void)
{
	size_t i;
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	quiet_ipv6();
	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		const char *dev = ports[i].dev;

		port_capture[i] = -1;
		if (!dev)
			continue;
		/* The peer end must be up too: a veth without carrier has
		 * no qdisc yet and drops what is sent into it. */
		err = run_cmd("ip link add %s type veth peer name %s-p", dev,
			      dev);
		if (!err)
			err = run_cmd("ip link set %s-p up", dev);
		if (!err && !ports[i].dev_down)
			err = run_cmd("ip link set %s up", dev);
		if (err)
			return err;
		port_ifindex[i] = if_nametoindex(dev);
		if (!port_ifindex[i])
			return -errno;
		/* A device that is down transmits nothing to watch, and a
		 * packet socket on it only reports ENETDOWN. */
		if (ports[i].dev_down)
			continue;
		port_capture[i] = capture_open(port_ifindex[i]);
		if (port_capture[i] < 0)
			return port_capture[i];
	}
	return 0;
}

static int populate(const struct guest_env *env)
{
	static const __u8 host_mac[ETH_ALEN] = MAC_HOST;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		const struct test_port *tp = &ports[i];
		struct vfwd_port p = {
			.ifindex = port_ifindex[i],
			.kind = tp->kind,
			.vid = tp->vid,
			.flags = tp->flags,
			.uplink_id = tp->uplink,
		};
		struct bpf_devmap_val dv = {
			.ifindex = port_ifindex[i],
			.bpf_prog.fd = DEVMAP_NO_PROG,
		};

		snprintf(p.name, sizeof(p.name), "%s",
			 tp->dev ? tp->dev : "no-dev");
		/* Uplinks know the host's MAC, as attach sets it (the bridge
		 * master's slot). */
		if (tp->kind == VFWD_PORT_UPLINK)
			memcpy(p.host_macs[1], host_mac, ETH_ALEN);
		if (bpf_map_update_elem(env->t.port_fd, &tp->id, &p, BPF_ANY))
			return -errno;
		if (tp->in_devmap && bpf_map_update_elem(env->t.tx_fd, &tp->id,
							 &dv, BPF_NOEXIST))
			return -errno;
	}
	for (i = 0; i < ARRAY_SIZE(macs); i++) {
		struct vfwd_mac_key k = {.vid = macs[i].vid};
		struct vfwd_mac_val v = {
			.port_id = macs[i].port_id,
			.flags = VFWD_MAC_STATIC | macs[i].flags,
		};

		memcpy(k.mac, macs[i].mac, sizeof(k.mac));
		if (bpf_map_update_elem(env->t.mac_fd, &k, &v, BPF_NOEXIST))
			return -errno;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		struct vfwd_flood_group g = {.nports = groups[i].nports};

		for (j = 0; j < groups[i].nports; j++)
			g.port_ids[j] = groups[i].ports[j];
		if (bpf_map_update_elem(env->t.vlan_fd, &groups[i].vid, &g,
					BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

static int env_open(struct guest_env *env, __u32 port_id)
{
	int err;

	env->skel = vfwd_bpf__open();
	if (!env->skel)
		return -errno;
	err = prog_isolate(env->skel->obj);
	if (err)
		return err;
	bpf_program__set_autoload(env->skel->progs.vfwd_guest, true);
	bpf_program__set_autoload(env->skel->progs.vfwd_egress, true);
	/* The kernel refuses BPF_PROG_TEST_RUN for a program loaded as a
	 * devmap egress program (EINVAL), so vfwd_egress is loaded as plain
	 * XDP: the same instructions, only the attach point differs. */
	err = bpf_program__set_expected_attach_type(
		env->skel->progs.vfwd_egress, BPF_XDP);
	if (err)
		return err;
	env->skel->rodata->cfg_port_id = port_id;
	err = vfwd_bpf__load(env->skel);
	if (err)
		return err;

	env->guest_fd = bpf_program__fd(env->skel->progs.vfwd_guest);
	env->egress_fd = bpf_program__fd(env->skel->progs.vfwd_egress);
	vfwd_skel_tables(env->skel, &env->t);
	return populate(env);
}

int main(void)
{
	bool all_passed = true;
	size_t i;
	int err;

	libbpf_set_print(prog_print_stderr);
	for (i = 0; i < ARRAY_SIZE(ports); i++)
		tracked[i] = ports[i].id;

	err = net_setup();
	if (err) {
		printf("FAIL: %s/setup: network namespace and devices: %s\n",
		       SUITE_GUEST, strerror(-err));
		return 1;
	}
	err = env_open(&main_env, SELF);
	if (!err)
		err = env_open(&noslot_env, VFWD_MAX_PORTS);
	if (err) {
		printf("FAIL: %s/setup: loading vfwd_guest and vfwd_egress: "
		       "%s\n",
		       SUITE_GUEST, strerror(-err));
		vfwd_bpf__destroy(main_env.skel);
		vfwd_bpf__destroy(noslot_env.skel);
		return 1;
	}

	for (i = 0; i < ARRAY_SIZE(guest_cases); i++) {
		struct report rep = {};

		run_guest_case(&guest_cases[i], &rep);
		if (!report_print(SUITE_GUEST, guest_cases[i].name, &rep))
			all_passed = false;
		fflush(stdout);
	}
	for (i = 0; i < ARRAY_SIZE(egress_cases); i++) {
		struct report rep = {};

		run_egress_case(&egress_cases[i], &rep);
		if (!report_print(SUITE_EGRESS, egress_cases[i].name, &rep))
			all_passed = false;
		fflush(stdout);
	}

	vfwd_bpf__destroy(main_env.skel);
	vfwd_bpf__destroy(noslot_env.skel);
	return all_passed ? 0 : 1;
}
