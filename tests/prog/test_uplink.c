// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-1 tests of the vfwd_uplink XDP program: each table row is a crafted
 * frame run once through BPF_PROG_TEST_RUN, checked for the XDP action,
 * for the frame that comes out, for exactly one reason counter moving by
 * one frame of the right size, and for the uplink's rx and the target
 * port's tx counters.  Rows marked flood run on a second instance loaded
 * with cfg_bum_flood set (--bum flood), rows marked generic on a third
 * loaded with cfg_generic set (an skb-mode uplink), each with maps of its
 * own.
 *
 * Nothing is pinned and nothing is attached: the maps live only as long as
 * this process, and a non-live test run returns XDP_REDIRECT without
 * transmitting, so the loopback device in the tx devmap is never touched
 * and the (empty) flood devmap is never walked.
 *
 * stdout carries only the PASS:/FAIL: lines tests/run.sh counts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "skel.h"
#include "prog_test.h"

#define SUITE "uplink"

/* Port ids the tests use.  DOWN_PORT has a port slot and MAC entries but no
 * tx devmap entry, which is what a port whose device vanished looks like. */
#define UPLINK_PORT 1
#define GUEST_PORT 2
#define VLAN_GUEST_PORT 3
#define DOWN_PORT 4
/* A guest on an access port of TEST_VID: its MAC entry has
 * VFWD_MAC_ACCESS, so frames to it lose their tag on the way. */
#define ACCESS_PORT 5
/* A second uplink, and ports that do not follow UPLINK_PORT, the uplink
 * the program under test serves: a live guest of the other uplink (bound
 * untagged, and on TEST_VID as an access port), one of its ports whose
 * device vanished, and a live guest that follows no uplink.  None of them
 * may get a frame from UPLINK_PORT. */
#define OTHER_UPLINK_PORT 6
#define ELSEWHERE_PORT 7
#define DOWN_ELSEWHERE_PORT 8
#define UNBOUND_PORT 9
/* A MAC entry may name a port id past the port table (the CLI never
 * writes one): no slot, so no port of this uplink.  It has a tx devmap
 * entry, which a DEVMAP_HASH takes under any key, so only the port check
 * keeps the frame from being delivered. */
#define NO_SLOT_PORT VFWD_MAX_PORTS

/* The loopback device always exists, and non-live test runs never send. */
#define LO_IFINDEX 1

#define TEST_VID 100
#define OTHER_VID 200
#define RESERVED_VID 4095
#define TEST_PCP 5

/* The size of a typical small test frame: room for an IPv4 header. */
#define SMALL_FRAME_LEN 100

/* Addresses on one line each; clang-format would spread them over four. */
/* clang-format off */
#define MAC_GUEST { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }
#define MAC_VLAN_GUEST { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 }
#define MAC_DOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x04 }
#define MAC_ACCESS { 0x02, 0x00, 0x00, 0x00, 0x00, 0x05 }
#define MAC_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 }
#define MAC_DOWN_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x08 }
#define MAC_UNBOUND { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 }
#define MAC_NO_SLOT { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a }
#define MAC_UNKNOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 }
#define MAC_PEER { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 }
#define MAC_BCAST { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define MAC_MCAST_V4 { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }
#define MAC_MCAST_V6 { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }

#define TAG_Q(tci) { ETH_P_8021Q, (tci) }
#define TAG_AD(tci) { ETH_P_8021AD, (tci) }

/*
 * The full-table case fills every slot with keys derived from an index:
 * MAC 02:f0:00:00:hi:lo of index / 2, untagged for even indexes and tagged
 * TEST_VID for odd ones, so each MAC exists both untagged and tagged.  Only
 * the target maps to GUEST_PORT; every other entry, its untagged twin
 * included, maps to VLAN_GUEST_PORT, so a wrong hit shows up as tx there.
 */
/* First byte: locally administered unicast, like every test address. */
#define FILL_MAC_OUI0 0x02
#define FILL_MAC_OUI1 0xf0
#define FILL_TARGET_MAC_IDX 0x4000
#define FILL_TARGET_IDX (2 * FILL_TARGET_MAC_IDX + 1)
#define MAC_FILL_TARGET                                                        \
	{ FILL_MAC_OUI0, FILL_MAC_OUI1, 0x00, 0x00, FILL_TARGET_MAC_IDX >> 8,  \
	  FILL_TARGET_MAC_IDX & 0xff }
/* One key beyond the full table; it has a different second byte. */
#define MAC_FILL_EXTRA { FILL_MAC_OUI0, FILL_MAC_OUI1 + 1, 0, 0, 0, 0 }
/* clang-format on */

struct uplink_env {
	struct vfwd_bpf *skel;
	int prog_fd;
	struct vfwd_tables t; /* the skeleton's maps */
};

/* The program instances: BUM policy pass, --bum flood, and skb mode. */
static struct uplink_env pass_env, flood_env, generic_env;

struct uplink_case {
	const char *name;
	struct frame_spec frame;
	/* Non-zero: the program sees only runt_len bytes of the frame (see
	 * run_frame()).  BPF_PROG_TEST_RUN refuses input shorter than
	 * ETH_HLEN, so this is the way to show the program a runt. */
	unsigned int runt_len;
	/* Run on the --bum flood instance instead of the pass one. */
	bool flood;
	/* Run on the skb-mode (cfg_generic) instance instead. */
	bool generic;
	/* The program removes the frame's tag: what comes out is the frame
	 * without it, and tx and the reason count the shorter frame. */
	bool pop;
	/* Run before the counters are snapshotted; 0 or -errno. */
	int (*setup)(struct uplink_env *env, struct report *rep);

	int action;
	enum vfwd_reason reason;
	__u32 tx_port; /* port whose tx counters rise; 0 for none */
	__u64 rx_dropped; /* expected rise of the uplink's rx_dropped */
	__u64 rx_passed; /* expected rise of the uplink's rx_passed */
};

#define EXPECT_FWD(port)                                                       \
	.action = XDP_REDIRECT, .reason = VFWD_R_FWD, .tx_port = (port)
#define EXPECT_PASS(r) .action = XDP_PASS, .reason = (r), .rx_passed = 1
#define EXPECT_DROP(r) .action = XDP_DROP, .reason = (r), .rx_dropped = 1
/* Flood mode: the flood devmap's egress programs count the copies, the
 * uplink only the reason. */
#define EXPECT_FLOOD(r) .action = XDP_REDIRECT, .reason = (r)

static int fill_mac_table(struct uplink_env *env, struct report *rep);

static const struct uplink_case cases[] = {
	{
		.name = "fwd_untagged",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_FWD(GUEST_PORT),
	},
	{
		/* The shortest frame the runt check lets through. */
		.name = "fwd_header_only",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		EXPECT_FWD(GUEST_PORT),
	},
	{
		.name = "unknown_unicast",
		.frame = {.dst = MAC_UNKNOWN,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_UNKNOWN),
	},
	{
		.name = "vlan_hit",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_FWD(VLAN_GUEST_PORT),
	},
	{
		/* Priority and DEI bits are not part of the VID. */
		.name = "vlan_hit_pcp_dei",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_PCP << FRAME_PCP_SHIFT |
					 FRAME_DEI | TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_FWD(VLAN_GUEST_PORT),
	},
	{
		/* A whole tag and nothing after it: not truncated. */
		.name = "vlan_hit_header_only",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN + FRAME_TAG_LEN},
		EXPECT_FWD(VLAN_GUEST_PORT),
	},
	{
		.name = "vlan_miss_other_vid",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(OTHER_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_UNKNOWN),
	},
	{
		.name = "vlan_miss_tagged_frame_untagged_entry",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_UNKNOWN),
	},
	{
		.name = "vlan_miss_untagged_frame_tagged_entry",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_UNKNOWN),
	},
	{
		.name = "bcast",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .proto = ETH_P_ARP,
			  .len = ETH_ZLEN},
		EXPECT_PASS(VFWD_R_BCAST),
	},
	{
		.name = "bcast_vlan",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_ARP,
			  .len = ETH_ZLEN},
		EXPECT_PASS(VFWD_R_BCAST),
	},
	{
		.name = "mcast_ipv4",
		.frame = {.dst = MAC_MCAST_V4,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_MCAST),
	},
	{
		.name = "mcast_ipv6",
		.frame = {.dst = MAC_MCAST_V6,
			  .src = MAC_PEER,
			  .proto = ETH_P_IPV6,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_MCAST),
	},
	{
		.name = "mcast_ipv6_vlan",
		.frame = {.dst = MAC_MCAST_V6,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IPV6,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_MCAST),
	},
	{
		.name = "runt_2",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		.runt_len = 2,
		EXPECT_DROP(VFWD_R_RUNT),
	},
	{
		.name = "runt_6",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		.runt_len = 6,
		EXPECT_DROP(VFWD_R_RUNT),
	},
	{
		.name = "runt_10",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		.runt_len = 10,
		EXPECT_DROP(VFWD_R_RUNT),
	},
	{
		/* TPID says a tag follows, but the frame ends there. */
		.name = "vlan_trunc_14",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_8021Q,
			  .len = ETH_HLEN},
		EXPECT_DROP(VFWD_R_VLAN_TRUNC),
	},
	{
		/* TCI present, inner EtherType cut off. */
		.name = "vlan_trunc_16",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN + FRAME_TAG_LEN / 2},
		EXPECT_DROP(VFWD_R_VLAN_TRUNC),
	},
	{
		.name = "qinq_8021ad",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_AD(TEST_VID), TAG_Q(OTHER_VID)},
			  .ntags = 2,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_QINQ),
	},
	{
		.name = "qinq_8021q_8021q",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID), TAG_Q(OTHER_VID)},
			  .ntags = 2,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_QINQ),
	},
	{
		.name = "qinq_8021q_8021ad",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID), TAG_AD(OTHER_VID)},
			  .ntags = 2,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_QINQ),
	},
	{
		.name = "prio_tag",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_PCP << FRAME_PCP_SHIFT |
					 VFWD_VID_NONE)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_PRIO_TAG),
	},
	{
		.name = "bad_vid_4095",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(RESERVED_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_BAD_VID),
	},
	{
		.name = "bad_src_mcast",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_MCAST_V4,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_BAD_SRC),
	},
	{
		.name = "bad_src_bcast",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_BCAST,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_BAD_SRC),
	},
	{
		.name = "port_down",
		.frame = {.dst = MAC_DOWN,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_PASS(VFWD_R_PORT_DOWN),
	},
	{
		.name = "fwd_len_60",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_ZLEN},
		EXPECT_FWD(GUEST_PORT),
	},
	{
		.name = "fwd_len_1514",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN},
		EXPECT_FWD(GUEST_PORT),
	},
	{
		.name = "fwd_vlan_len_1518",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN + FRAME_TAG_LEN},
		EXPECT_FWD(VLAN_GUEST_PORT),
	},
	{
		.name = "access_pop",
		.frame = {.dst = MAC_ACCESS,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.pop = true,
		EXPECT_FWD(ACCESS_PORT),
	},
	{
		.name = "access_pop_pcp_dei",
		.frame = {.dst = MAC_ACCESS,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_PCP << FRAME_PCP_SHIFT |
					 FRAME_DEI | TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IPV6,
			  .len = SMALL_FRAME_LEN},
		.pop = true,
		EXPECT_FWD(ACCESS_PORT),
	},
	{
		/* Tag and nothing after it: a bare Ethernet header remains. */
		.name = "access_pop_header_only",
		.frame = {.dst = MAC_ACCESS,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN + FRAME_TAG_LEN},
		.pop = true,
		EXPECT_FWD(ACCESS_PORT),
	},
	{
		.name = "access_pop_len_1518",
		.frame = {.dst = MAC_ACCESS,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = ETH_FRAME_LEN + FRAME_TAG_LEN},
		.pop = true,
		EXPECT_FWD(ACCESS_PORT),
	},
	{
		/* The access flag on an untagged entry: nothing to pop. */
		.name = "access_flag_untagged",
		.frame = {.dst = MAC_ACCESS,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_FWD(ACCESS_PORT),
	},
	{
		.name = "flood_bcast",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .proto = ETH_P_ARP,
			  .len = ETH_ZLEN},
		.flood = true,
		EXPECT_FLOOD(VFWD_R_BCAST),
	},
	{
		/* Flooded tagged: each port's egress program pops the tag. */
		.name = "flood_bcast_vlan",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_ARP,
			  .len = ETH_ZLEN},
		.flood = true,
		EXPECT_FLOOD(VFWD_R_BCAST),
	},
	{
		.name = "flood_mcast",
		.frame = {.dst = MAC_MCAST_V6,
			  .src = MAC_PEER,
			  .proto = ETH_P_IPV6,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_FLOOD(VFWD_R_MCAST),
	},
	{
		.name = "flood_unknown",
		.frame = {.dst = MAC_UNKNOWN,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_FLOOD(VFWD_R_UNKNOWN),
	},
	{
		.name = "flood_unknown_vlan",
		.frame = {.dst = MAC_VLAN_GUEST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(OTHER_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_FLOOD(VFWD_R_UNKNOWN),
	},
	{
		.name = "flood_port_down",
		.frame = {.dst = MAC_DOWN,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_FLOOD(VFWD_R_PORT_DOWN),
	},
	{
		/* Known unicast is switched as in pass mode. */
		.name = "flood_fwd",
		.frame = {.dst = MAC_GUEST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_FWD(GUEST_PORT),
	},
	{
		.name = "flood_access_pop",
		.frame = {.dst = MAC_ACCESS,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		.pop = true,
		EXPECT_FWD(ACCESS_PORT),
	},
	{
		/* Not BUM: QinQ and priority tags still go to the kernel. */
		.name = "flood_qinq",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_AD(TEST_VID), TAG_Q(OTHER_VID)},
			  .ntags = 2,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_PASS(VFWD_R_QINQ),
	},
	{
		.name = "flood_prio_tag",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_PCP << FRAME_PCP_SHIFT |
					 VFWD_VID_NONE)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_PASS(VFWD_R_PRIO_TAG),
	},
	{
		/* Malformed frames are dropped, never flooded. */
		.name = "flood_runt_10",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = ETH_HLEN},
		.runt_len = 10,
		.flood = true,
		EXPECT_DROP(VFWD_R_RUNT),
	},
	{
		.name = "flood_vlan_trunc",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .proto = ETH_P_8021Q,
			  .len = ETH_HLEN},
		.flood = true,
		EXPECT_DROP(VFWD_R_VLAN_TRUNC),
	},
	{
		.name = "flood_bad_vid",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(RESERVED_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_DROP(VFWD_R_BAD_VID),
	},
	{
		.name = "flood_bad_src",
		.frame = {.dst = MAC_BCAST,
			  .src = MAC_MCAST_V4,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_DROP(VFWD_R_BAD_SRC),
	},

	/* A frame is delivered only to a port of the uplink it came in on;
	 * the rest is dropped, and no port transmits it. */
	{
		.name = "other_uplink",
		.frame = {.dst = MAC_ELSEWHERE,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Dropped before the tag would come off: the frame is
		 * untouched. */
		.name = "other_uplink_access_no_pop",
		.frame = {.dst = MAC_ELSEWHERE,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Another network's port, up or down: not port_down, which
		 * would take this uplink's BUM policy. */
		.name = "other_uplink_port_down",
		.frame = {.dst = MAC_DOWN_ELSEWHERE,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		/* A port bound to no uplink receives from none. */
		.name = "unbound_port",
		.frame = {.dst = MAC_UNBOUND,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "no_port_slot",
		.frame = {.dst = MAC_NO_SLOT,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Not BUM: dropped, never flooded. */
		.name = "flood_other_uplink",
		.frame = {.dst = MAC_ELSEWHERE,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "flood_unbound_port",
		.frame = {.dst = MAC_UNBOUND,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.flood = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	/* An skb-mode uplink reads the port too, although it never steers.
	 * (test_cpu's generic_uplink_direct shows it still delivers to its
	 * own ports.) */
	{
		.name = "generic_other_uplink",
		.frame = {.dst = MAC_ELSEWHERE,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.generic = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "generic_other_uplink_access_no_pop",
		.frame = {.dst = MAC_ELSEWHERE,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.generic = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "generic_unbound_port",
		.frame = {.dst = MAC_UNBOUND,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.generic = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		.name = "generic_no_port_slot",
		.frame = {.dst = MAC_NO_SLOT,
			  .src = MAC_PEER,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.generic = true,
		EXPECT_DROP(VFWD_R_OTHER_UPLINK),
	},
	{
		/* Replaces the MAC table, so it runs last. */
		.name = "full_mac_table",
		.frame = {.dst = MAC_FILL_TARGET,
			  .src = MAC_PEER,
			  .tags = {TAG_Q(TEST_VID)},
			  .ntags = 1,
			  .proto = ETH_P_IP,
			  .len = SMALL_FRAME_LEN},
		.setup = fill_mac_table,
		EXPECT_FWD(GUEST_PORT),
	},
};

/* Ports whose every counter is compared before and after each case. */
static const __u32 tracked_ports[] = {
	UPLINK_PORT,	GUEST_PORT,	     VLAN_GUEST_PORT,
	DOWN_PORT,	ACCESS_PORT,	     OTHER_UPLINK_PORT,
	ELSEWHERE_PORT, DOWN_ELSEWHERE_PORT, UNBOUND_PORT,
};

static int read_counters(const struct uplink_env *env, struct prog_counters *c)
{
	return prog_read_counters(env->t.reason_fd, env->t.stats_fd,
				  tracked_ports, ARRAY_SIZE(tracked_ports), c);
}

/*
 * What every counter of port should have risen by after case c: the
 * uplink's rx by the frame it saw, the target's tx by the frame it was
 * sent, which is shorter when the tag came off.
 */
static void expected_port_delta(const struct uplink_case *c, __u32 port,
				__u64 seen, __u64 sent,
				struct vfwd_port_stats *d)
{
	memset(d, 0, sizeof(*d));
	if (port == UPLINK_PORT) {
		d->rx_packets = 1;
		d->rx_bytes = seen;
		d->rx_dropped = c->rx_dropped;
		d->rx_passed = c->rx_passed;
	}
	if (port == c->tx_port) {
		d->tx_packets = 1;
		d->tx_bytes = sent;
	}
}

static void check_counters(const struct uplink_case *c, __u64 seen, __u64 sent,
			   const struct prog_counters *before,
			   const struct prog_counters *after,
			   struct report *rep)
{
	struct vfwd_port_stats exp[ARRAY_SIZE(tracked_ports)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tracked_ports); i++)
		expected_port_delta(c, tracked_ports[i], seen, sent, &exp[i]);
	/* The reason counts the frame as it leaves, like tx. */
	prog_check_counters(before, after, c->reason, sent, tracked_ports, exp,
			    ARRAY_SIZE(tracked_ports), rep);
}

static void run_case(const struct uplink_case *c, struct report *rep)
{
	struct uplink_env *env = c->flood     ? &flood_env
				 : c->generic ? &generic_env
					      : &pass_env;
	__u8 in[FRAME_MAX_LEN], out[FRAME_MAX_LEN], exp[FRAME_MAX_LEN];
	struct prog_counters before, after;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned int exp_len = c->frame.len;
	__u64 seen, sent;
	int err;

	err = frame_build(&c->frame, in, sizeof(in));
	if (err) {
		report_fail(rep, "setup: frame_build: %s", strerror(-err));
		return;
	}
	seen = c->runt_len ? c->runt_len : c->frame.len;
	/* Apart from a popped tag, the uplink program only classifies: the
	 * frame, metadata included, must come back exactly as it went in. */
	memcpy(exp, in, c->frame.len);
	if (c->pop)
		exp_len = frame_pop_tag(in, c->frame.len, exp);
	sent = seen - (c->frame.len - exp_len);

	if (c->setup) {
		err = c->setup(env, rep);
		if (err) {
			report_fail(rep, "setup: %s", strerror(-err));
			return;
		}
	}

	err = read_counters(env, &before);
	if (err) {
		report_fail(rep, "setup: reading counters: %s", strerror(-err));
		return;
	}
	err = xdp_run_frame(env->prog_fd, in, c->frame.len, c->runt_len, out,
			    sizeof(out), &opts);
	if (err) {
		report_fail(rep, "bpf_prog_test_run_opts: %s", strerror(-err));
		return;
	}
	err = read_counters(env, &after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}

	prog_check_xdp_action(rep, c->action, opts.retval);
	prog_check_output(rep, exp, exp_len, out, opts.data_size_out, c->pop);
	check_counters(c, seen, sent, &before, &after, rep);
}

/* Remove every entry, so that a fill knows exactly how many there are. */
static int clear_mac_table(int fd)
{
	struct vfwd_mac_key key;

	while (!bpf_map_get_next_key(fd, NULL, &key)) {
		if (bpf_map_delete_elem(fd, &key))
			return -errno;
	}
	return errno == ENOENT ? 0 : -errno;
}

static void fill_key(__u32 idx, struct vfwd_mac_key *k)
{
	__u32 mac_idx = idx / 2;

	memset(k, 0, sizeof(*k));
	k->mac[0] = FILL_MAC_OUI0;
	k->mac[1] = FILL_MAC_OUI1;
	k->mac[4] = mac_idx >> 8;
	k->mac[5] = mac_idx & 0xff;
	k->vid = idx % 2 ? TEST_VID : VFWD_VID_NONE;
}

static int fill_mac_table(struct uplink_env *env, struct report *rep)
{
	const __u32 total = VFWD_MAX_MACS;
	const struct vfwd_mac_key extra = {.mac = MAC_FILL_EXTRA};
	struct vfwd_mac_val val = {.port_id = GUEST_PORT,
				   .flags = VFWD_MAC_STATIC};
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	struct vfwd_mac_key *keys;
	struct vfwd_mac_val *vals;
	__u32 i, done = 0, n;
	int err;

	err = clear_mac_table(env->t.mac_fd);
	if (err)
		return err;

	keys = calloc(total, sizeof(*keys));
	vals = calloc(total, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < total; i++) {
		fill_key(i, &keys[i]);
		vals[i].port_id =
			i == FILL_TARGET_IDX ? GUEST_PORT : VLAN_GUEST_PORT;
		vals[i].flags = VFWD_MAC_STATIC;
	}
	/* Batch updates take no BPF_NOEXIST, so a key generated twice would
	 * overwrite silently; the extra insert below catches that too. */
	while (done < total) {
		n = total - done;
		err = bpf_map_update_batch(env->t.mac_fd, keys + done,
					   vals + done, &n, &bopts);
		if (err) {
			err = -errno;
			fprintf(stderr, "update_batch failed after %u of %u\n",
				done, total);
			goto out;
		}
		done += n;
	}

	/* Prove the table really is full: one more key must not fit. */
	err = bpf_map_update_elem(env->t.mac_fd, &extra, &val, BPF_NOEXIST);
	if (!err)
		report_fail(rep, "setup: MAC table took entry %u, not full",
			    total + 1);
	else if (errno != E2BIG)
		report_fail(rep,
			    "setup: extra MAC entry: expected E2BIG, got %s",
			    strerror(errno));
	err = 0;
out:
	free(keys);
	free(vals);
	return err;
}

/* A port of kind on loopback, following uplink (0: none), with a tx
 * devmap entry if live. */
static int add_port(const struct uplink_env *env, __u32 id, const char *name,
		    __u8 kind, __u32 uplink, bool live)
{
	struct vfwd_port port = {
		.ifindex = LO_IFINDEX, .uplink_id = uplink, .kind = kind};
	struct bpf_devmap_val dev = {.ifindex = LO_IFINDEX};

	snprintf(port.name, sizeof(port.name), "%s", name);
	if (bpf_map_update_elem(env->t.port_fd, &id, &port, BPF_ANY))
		return -errno;
	if (live && bpf_map_update_elem(env->t.tx_fd, &id, &dev, BPF_NOEXIST))
		return -errno;
	return 0;
}

static int add_mac(const struct uplink_env *env, const __u8 *mac, __u16 vid,
		   __u32 port_id, __u32 flags)
{
	struct vfwd_mac_key key = {.vid = vid};
	struct vfwd_mac_val val = {.port_id = port_id,
				   .flags = VFWD_MAC_STATIC | flags};

	memcpy(key.mac, mac, sizeof(key.mac));
	if (bpf_map_update_elem(env->t.mac_fd, &key, &val, BPF_NOEXIST))
		return -errno;
	return 0;
}

static int populate(const struct uplink_env *env)
{
	static const __u8 mac_guest[] = MAC_GUEST;
	static const __u8 mac_vlan_guest[] = MAC_VLAN_GUEST;
	static const __u8 mac_down[] = MAC_DOWN;
	static const __u8 mac_access[] = MAC_ACCESS;
	static const __u8 mac_elsewhere[] = MAC_ELSEWHERE;
	static const __u8 mac_down_elsewhere[] = MAC_DOWN_ELSEWHERE;
	static const __u8 mac_unbound[] = MAC_UNBOUND;
	static const __u8 mac_no_slot[] = MAC_NO_SLOT;
	const struct bpf_devmap_val lo = {.ifindex = LO_IFINDEX};
	const __u32 no_slot = NO_SLOT_PORT;
	int err;

	/* The uplink itself has no tx entry: vfwd_uplink never sends a
	 * frame back out of the device it came in on.  The guests follow
	 * it, as the CLI binds every port to the host's only uplink. */
	err = add_port(env, UPLINK_PORT, "uplink0", VFWD_PORT_UPLINK, 0, false);
	if (!err)
		err = add_port(env, GUEST_PORT, "tap-guest", VFWD_PORT_TAP,
			       UPLINK_PORT, true);
	if (!err)
		err = add_port(env, VLAN_GUEST_PORT, "tap-vlan", VFWD_PORT_TAP,
			       UPLINK_PORT, true);
	if (!err)
		err = add_port(env, DOWN_PORT, "tap-down", VFWD_PORT_TAP,
			       UPLINK_PORT, false);
	if (!err)
		err = add_port(env, ACCESS_PORT, "tap-access", VFWD_PORT_TAP,
			       UPLINK_PORT, true);
	if (!err)
		err = add_mac(env, mac_guest, VFWD_VID_NONE, GUEST_PORT, 0);
	if (!err)
		err = add_mac(env, mac_vlan_guest, TEST_VID, VLAN_GUEST_PORT,
			      0);
	if (!err)
		err = add_mac(env, mac_down, VFWD_VID_NONE, DOWN_PORT, 0);
	if (!err)
		err = add_mac(env, mac_access, TEST_VID, ACCESS_PORT,
			      VFWD_MAC_ACCESS);
	/* Not what the CLI writes, but the program must not pop a tag the
	 * frame does not have just because the entry says access. */
	if (!err)
		err = add_mac(env, mac_access, VFWD_VID_NONE, ACCESS_PORT,
			      VFWD_MAC_ACCESS);

	if (!err)
		err = add_port(env, OTHER_UPLINK_PORT, "uplink1",
			       VFWD_PORT_UPLINK, 0, false);
	if (!err)
		err = add_port(env, ELSEWHERE_PORT, "tap-elsewhere",
			       VFWD_PORT_TAP, OTHER_UPLINK_PORT, true);
	if (!err)
		err = add_port(env, DOWN_ELSEWHERE_PORT, "tap-down-else",
			       VFWD_PORT_TAP, OTHER_UPLINK_PORT, false);
	if (!err)
		err = add_port(env, UNBOUND_PORT, "tap-unbound", VFWD_PORT_TAP,
			       0, true);
	if (!err &&
	    bpf_map_update_elem(env->t.tx_fd, &no_slot, &lo, BPF_NOEXIST))
		err = -errno;
	if (!err)
		err = add_mac(env, mac_elsewhere, VFWD_VID_NONE, ELSEWHERE_PORT,
			      0);
	if (!err)
		err = add_mac(env, mac_elsewhere, TEST_VID, ELSEWHERE_PORT,
			      VFWD_MAC_ACCESS);
	if (!err)
		err = add_mac(env, mac_down_elsewhere, VFWD_VID_NONE,
			      DOWN_ELSEWHERE_PORT, 0);
	if (!err)
		err = add_mac(env, mac_unbound, VFWD_VID_NONE, UNBOUND_PORT, 0);
	if (!err)
		err = add_mac(env, mac_no_slot, VFWD_VID_NONE, NO_SLOT_PORT, 0);
	return err;
}

static int env_open(struct uplink_env *env, bool bum_flood, bool generic)
{
	int err;

	env->skel = vfwd_bpf__open();
	if (!env->skel)
		return -errno;
	err = prog_isolate(env->skel->obj);
	if (err)
		return err;
	bpf_program__set_autoload(env->skel->progs.vfwd_uplink, true);
	env->skel->rodata->cfg_uplink_port = UPLINK_PORT;
	env->skel->rodata->cfg_bum_flood = bum_flood;
	env->skel->rodata->cfg_generic = generic;
	err = vfwd_bpf__load(env->skel);
	if (err)
		return err;

	env->prog_fd = bpf_program__fd(env->skel->progs.vfwd_uplink);
	vfwd_skel_tables(env->skel, &env->t);
	return populate(env);
}

int main(void)
{
	bool all_passed = true;
	size_t i;
	int err;

	libbpf_set_print(prog_print_stderr);
	err = env_open(&pass_env, false, false);
	if (!err)
		err = env_open(&flood_env, true, false);
	if (!err)
		err = env_open(&generic_env, false, true);
	if (err) {
		printf("FAIL: %s/setup: loading vfwd_uplink: %s\n", SUITE,
		       strerror(-err));
		vfwd_bpf__destroy(pass_env.skel);
		vfwd_bpf__destroy(flood_env.skel);
		vfwd_bpf__destroy(generic_env.skel);
		return 1;
	}

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct report rep = {};

		run_case(&cases[i], &rep);
		if (!report_print(SUITE, cases[i].name, &rep))
			all_passed = false;
		fflush(stdout);
	}

	vfwd_bpf__destroy(pass_env.skel);
	vfwd_bpf__destroy(flood_env.skel);
	vfwd_bpf__destroy(generic_env.skel);
	return all_passed ? 0 : 1;
}
