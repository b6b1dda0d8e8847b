// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-1 tests of CPU steering: vfwd_uplink sending a port's frames
 * through the CPUMAP with vfwd's steering record in front of them (pushed
 * with bpf_xdp_adjust_head: this kernel refuses bpf_xdp_adjust_meta), the
 * flow hash
 * that picks the CPU with --rps, the fallbacks to direct delivery, and
 * vfwd_cpu, the CPUMAP program that finishes a frame on the chosen CPU.
 *
 * As in test_uplink.c, nothing is pinned and nothing is attached: the maps
 * live as long as this process.  A non-live test run only records where a
 * redirect goes, so the CPUMAP entries need no program, and no frame
 * reaches the loopback device in the tx devmap.  Every run passes the XDP
 * context in and reads it back, and checks that no program leaves XDP
 * metadata (ctx_out.data).  The steering record is part of the frame data
 * the kernel returns: whatever the uplink's output has in front of the
 * frame it was expected to send is the record, and is checked field by
 * field.
 *
 * Two more instances of the object share those maps: one whose vfwd_cpu
 * is a real CPUMAP program, for the one case that sends frames live
 * (BPF_F_TEST_XDP_LIVE_FRAMES) through the CPUMAP and checks on which CPU
 * vfwd_cpu counted them, and one whose vfwd_uplink is loaded for an
 * skb-mode uplink (cfg_generic).  In the live case vfwd_cpu's redirect
 * into lo fails after the count, since lo cannot take XDP frames, which
 * is harmless.
 *
 * The flow hash is not reimplemented here.  The RPS cases check what a
 * flow hash must give instead of exact CPUs: every frame of a flow (and
 * its repeat) on one CPU, frames that must hash alike doing so, and flows
 * that differ where the hash looks spreading over both CPUs.
 *
 * stdout carries only the PASS:/FAIL:/SKIP: lines tests/run.sh counts.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/ip6.h>
#include <linux/bpf.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "skel.h"
#include "prog_test.h"

#define SUITE "cpu"

/*
 * Port ids.  Every steered port has two CPUs; which of CPU_A and CPU_B
 * comes first in cpus[] says which one a port without --rps must use.
 */
#define UPLINK_PORT 1
/* cpus {CPU_B, CPU_A}, no --rps: always CPU_B, cpus[0], never index 0. */
#define STEER_PORT 2
/* cpus {CPU_A, CPU_B} with --rps; bound untagged and as a trunk of
 * TEST_VID. */
#define RPS_PORT 3
/* Access port of TEST_VID, cpus {CPU_B, CPU_A}, no --rps. */
#define ACCESS_PORT 4
/* Access port of TEST_VID with --rps. */
#define ACCESS_RPS_PORT 5
/* Two CPUs and --rps, but placement off: not steered at all. */
#define OFF_PORT 6
/* Placement set, but no CPUs: not steered either. */
#define NOCPUS_PORT 7
/* Steered to the first CPU id past the possible ones: no CPUMAP entry. */
#define BEYOND_PORT 8
/* Steered, but no tx devmap entry: a port whose device vanished. */
#define DOWN_PORT 9
/* An uplink that only appears in metadata given to vfwd_cpu, to tell the
 * metadata's uplink from the program's own cfg_uplink_port. */
#define OTHER_UPLINK 10
/* cpus {HOME_CPU, CPU_B}, no --rps: its frames are already on their CPU,
 * so the uplink delivers them directly instead of through the CPUMAP. */
#define HOME_PORT 11
/* Steered ports that do not follow UPLINK_PORT, the uplink the program
 * under test serves: like STEER_PORT, HOME_PORT and ACCESS_PORT, but on
 * OTHER_UPLINK, and like STEER_PORT on no uplink at all.  No frame from
 * UPLINK_PORT may reach them, through the CPUMAP or directly. */
#define STEER_ELSEWHERE 12
#define HOME_ELSEWHERE 13
#define ACCESS_ELSEWHERE 14
#define STEER_UNBOUND 15

/* The CPUs the steered ports use; the test needs both to exist. */
#define CPU_A 0
#define CPU_B 1
#define TEST_CPUS 2
#define CPU_BIT(cpu) (1U << (cpu))
/* The CPU the test runs on (pinned in main): a test run executes on the
 * calling CPU, and the uplink skips the CPUMAP for a frame that is already
 * on its target CPU, so which CPU that is decides what a run returns. */
#define HOME_CPU CPU_A
#define BOTH_CPUS (CPU_BIT(CPU_A) | CPU_BIT(CPU_B))

/* The loopback device always exists, and non-live test runs never send. */
#define LO_IFINDEX 1

#define TEST_VID 100

/* Frames of the RPS cases: room for Ethernet, a tag, IPv6, a fragment
 * header and TCP, and a payload after them. */
#define FLOW_FRAME_LEN 128
/* Flows per RPS case.  With a fair hash over two CPUs, fewer than 20% of
 * 64 flows on either one has a probability of about 5e-7; the inputs are
 * fixed, so a hash that passes once always does. */
#define RPS_FLOWS 64
#define RPS_MIN_SHARE_PCT 20
#define PERCENT 100

/* Addresses from the documentation ranges (RFC 5737, RFC 3849). */
#define PEER4 0xc0000201 /* 192.0.2.1 */
#define GUEST4 0xc0000202 /* 192.0.2.2 */
/* Byte of an address a case varies per flow: the last. */
#define IP4_HOST_BYTE 3
#define IP6_ADDR_LEN 16
#define IP6_HOST_BYTE 15
/* First host number a case varies to, so no flow reuses PEER's. */
#define HOST_BASE 10

/* Flow i of a case that varies ports comes from SPORT_BASE + i; every
 * flow of a case that varies something else from SPORT_FIXED. */
#define SPORT_BASE 40000
#define SPORT_FIXED SPORT_BASE
#define DPORT 5001

/* IPv4 frag_off bits (host order); the offset is in 8-byte units. */
#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFSET_MASK 0x1fff
/* IPv6 fragment header (host order): offset in 8-byte units above three
 * flag bits, of which the lowest is M (more fragments). */
#define IP6_FRAG_OFF_SHIFT 3
#define IP6_FRAG_M 0x0001
/* The smallest hop-by-hop options header: 8 bytes (hdrlen 0), its two
 * fixed bytes followed by one PadN option filling the rest. */
#define IP6_HBH_LEN 8
#define IP6_TLV_HDR_LEN 2
#define IP6_PADN_LEN                                                           \
	(IP6_HBH_LEN - sizeof(struct ipv6_opt_hdr) - IP6_TLV_HDR_LEN)
/* A datagram cut into three fragments of 1480 bytes of payload each (a
 * 1500-byte MTU less the IPv4 header); offsets count 8-byte units. */
#define FRAG_PARTS 3
#define FRAG_PAYLOAD 1480
#define FRAG_UNIT 8
#define FRAG_STEP_UNITS (FRAG_PAYLOAD / FRAG_UNIT)
#define FRAG_ID_BASE 0x1000
/* What a fragment after the first carries where the first has its ports;
 * distinct for every fragment of every datagram. */
#define FILLER_BASE 0x5a5a0000

/* IPv4 Router Alert option (RFC 2113): type, length, 16-bit value, one
 * 32-bit word in all.  It moves the ports 4 bytes past where a fixed
 * 20-byte header would put them. */
struct ip4_opt_ra {
	__u8 type;
	__u8 len;
	__be16 value;
};
#define IP4_OPT_WORDS (sizeof(struct ip4_opt_ra) / sizeof(__u32))

#define IP_TTL_DEFAULT 64
#define IP4_VERSION 4
#define IP6_VERSION 6

/* ARP over Ethernet for IPv4. */
#define ARP_HLEN_ETH 6
#define ARP_PLEN_IP4 4

/* A plain small test frame: room for an IPv4 header and then some. */
#define SMALL_FRAME_LEN 100

/* clang-format off */
#define MAC_STEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }
#define MAC_RPS { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 }
#define MAC_ACCESS { 0x02, 0x00, 0x00, 0x00, 0x00, 0x04 }
#define MAC_ACCESS_RPS { 0x02, 0x00, 0x00, 0x00, 0x00, 0x05 }
#define MAC_OFF { 0x02, 0x00, 0x00, 0x00, 0x00, 0x06 }
#define MAC_NOCPUS { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 }
#define MAC_BEYOND { 0x02, 0x00, 0x00, 0x00, 0x00, 0x08 }
#define MAC_DOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 }
#define MAC_HOME { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b }
#define MAC_STEER_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c }
#define MAC_HOME_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0d }
#define MAC_ACCESS_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0e }
#define MAC_STEER_UNBOUND { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0f }
#define MAC_PEER { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 }
/* clang-format on */
/* Sources of the non-IP flows: MAC_PEER with the last byte varied. */
#define MAC_SRC_VARY_BYTE 5

static const __u8 mac_steer[ETH_ALEN] = MAC_STEER;
static const __u8 mac_rps[ETH_ALEN] = MAC_RPS;
static const __u8 mac_access[ETH_ALEN] = MAC_ACCESS;
static const __u8 mac_access_rps[ETH_ALEN] = MAC_ACCESS_RPS;
static const __u8 mac_off[ETH_ALEN] = MAC_OFF;
static const __u8 mac_nocpus[ETH_ALEN] = MAC_NOCPUS;
static const __u8 mac_beyond[ETH_ALEN] = MAC_BEYOND;
static const __u8 mac_down[ETH_ALEN] = MAC_DOWN;
static const __u8 mac_home[ETH_ALEN] = MAC_HOME;
static const __u8 mac_steer_elsewhere[ETH_ALEN] = MAC_STEER_ELSEWHERE;
static const __u8 mac_home_elsewhere[ETH_ALEN] = MAC_HOME_ELSEWHERE;
static const __u8 mac_access_elsewhere[ETH_ALEN] = MAC_ACCESS_ELSEWHERE;
static const __u8 mac_steer_unbound[ETH_ALEN] = MAC_STEER_UNBOUND;
static const __u8 mac_peer[ETH_ALEN] = MAC_PEER;

/* 2001:db8::1 and 2001:db8::2 */
/* clang-format off */
static const __u8 peer6[IP6_ADDR_LEN] = { 0x20, 0x01, 0x0d, 0xb8, [IP6_HOST_BYTE] = 1 };
static const __u8 guest6[IP6_ADDR_LEN] = { 0x20, 0x01, 0x0d, 0xb8, [IP6_HOST_BYTE] = 2 };
/* clang-format on */

struct cpu_env {
	struct vfwd_bpf *skel;
	int uplink_fd; /* vfwd_uplink */
	int cpu_fd; /* vfwd_cpu */
	struct vfwd_tables t; /* the skeleton's maps */
	int possible_cpus;
};

static struct cpu_env env;

/* Ports whose every counter is compared before and after each run. */
static const __u32 tracked_ports[] = {
	UPLINK_PORT,	 STEER_PORT,	   RPS_PORT,	  ACCESS_PORT,
	ACCESS_RPS_PORT, OFF_PORT,	   NOCPUS_PORT,	  BEYOND_PORT,
	DOWN_PORT,	 OTHER_UPLINK,	   HOME_PORT,	  STEER_ELSEWHERE,
	HOME_ELSEWHERE,	 ACCESS_ELSEWHERE, STEER_UNBOUND,
};

/* ---- frames ---- */

/*
 * A frame of one flow.  IPv4 and ARP use the first 4 bytes of the
 * addresses.  Ports are written only where a real frame has them: TCP or
 * UDP, and the first fragment; anywhere else the 4 bytes where they would
 * be hold filler.
 */
struct flow {
	__u8 dst[ETH_ALEN];
	__u8 src[ETH_ALEN];
	__u16 vid; /* 0: untagged */
	__u16 ethertype;
	__u8 proto; /* IPv4 protocol, or IPv6 upper-layer protocol */
	__u8 saddr[IP6_ADDR_LEN];
	__u8 daddr[IP6_ADDR_LEN];
	__u16 sport;
	__u16 dport;
	/* IPv4: frag_off (flags and offset); IPv6 with frag6: the fragment
	 * header's offset and M bit. */
	__u16 frag;
	bool frag6; /* IPv6: a fragment header before the upper layer */
	bool hbh; /* IPv6: a hop-by-hop options header before it */
	bool router_alert; /* IPv4: one Router Alert option (ihl 6) */
	__u16 ra_value;
	__u32 id; /* fragment identification */
	__u32 filler;
};

static void put32(__u8 *p, __u32 v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

static void flow_base(struct flow *f, const __u8 *dst, __u16 ethertype,
		      __u8 proto)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->dst, dst, ETH_ALEN);
	memcpy(f->src, mac_peer, ETH_ALEN);
	f->ethertype = ethertype;
	f->proto = proto;
	if (ethertype == ETH_P_IPV6) {
		memcpy(f->saddr, peer6, sizeof(peer6));
		memcpy(f->daddr, guest6, sizeof(guest6));
	} else {
		put32(f->saddr, PEER4);
		put32(f->daddr, GUEST4);
	}
	f->sport = SPORT_FIXED;
	f->dport = DPORT;
}

static bool proto_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* The upper-layer header: ports when the frame carries them, filler in
 * their place when it does not. */
static void build_l4(const struct flow *f, __u8 *l4, const __u8 *end,
		     bool first_frag)
{
	struct udphdr udp = {
		.source = htons(f->sport),
		.dest = htons(f->dport),
		.len = htons(end - l4),
	};
	struct tcphdr tcp = {
		.source = htons(f->sport),
		.dest = htons(f->dport),
		.doff = sizeof(tcp) / sizeof(__u32),
		.ack = 1,
	};

	if (!proto_has_ports(f->proto) || !first_frag)
		put32(l4, f->filler);
	else if (f->proto == IPPROTO_UDP)
		memcpy(l4, &udp, sizeof(udp));
	else
		memcpy(l4, &tcp, sizeof(tcp));
}

static void build_ipv4(const struct flow *f, __u8 *l3, const __u8 *end)
{
	struct iphdr ip = {
		.version = IP4_VERSION,
		.ihl = sizeof(ip) / sizeof(__u32) +
		       (f->router_alert ? IP4_OPT_WORDS : 0),
		.tot_len = htons(end - l3),
		.id = htons(f->id),
		.frag_off = htons(f->frag),
		.ttl = IP_TTL_DEFAULT,
		.protocol = f->proto,
	};
	__u8 *l4 = l3 + sizeof(ip);

	memcpy(&ip.saddr, f->saddr, sizeof(ip.saddr));
	memcpy(&ip.daddr, f->daddr, sizeof(ip.daddr));
	memcpy(l3, &ip, sizeof(ip));
	if (f->router_alert) {
		struct ip4_opt_ra ra = {
			.type = IPOPT_RA,
			.len = sizeof(ra),
			.value = htons(f->ra_value),
		};

		memcpy(l4, &ra, sizeof(ra));
		l4 += sizeof(ra);
	}
	/* The first fragment (offset 0, MF set) has the ports. */
	build_l4(f, l4, end, !(f->frag & IP4_OFFSET_MASK));
}

static void build_ipv6(const struct flow *f, __u8 *l3, const __u8 *end)
{
	struct ipv6hdr ip6 = {
		.version = IP6_VERSION,
		.hop_limit = IP_TTL_DEFAULT,
	};
	const struct ipv6_opt_hdr hbh = {.nexthdr = f->proto, .hdrlen = 0};
	const __u8 padn[IP6_TLV_HDR_LEN] = {IPV6_TLV_PADN, IP6_PADN_LEN};
	const struct ip6_frag frag = {
		.ip6f_nxt = f->proto,
		.ip6f_offlg = htons(f->frag),
		.ip6f_ident = htonl(f->id),
	};
	__u8 *p = l3 + sizeof(ip6);
	bool first = true;

	ip6.payload_len = htons(end - p);
	memcpy(&ip6.saddr, f->saddr, sizeof(ip6.saddr));
	memcpy(&ip6.daddr, f->daddr, sizeof(ip6.daddr));
	if (f->hbh) {
		ip6.nexthdr = IPPROTO_HOPOPTS;
		memcpy(p, &hbh, sizeof(hbh));
		memcpy(p + sizeof(hbh), padn, sizeof(padn));
		memset(p + sizeof(hbh) + sizeof(padn), 0, IP6_PADN_LEN);
		p += IP6_HBH_LEN;
	} else if (f->frag6) {
		ip6.nexthdr = IPPROTO_FRAGMENT;
		memcpy(p, &frag, sizeof(frag));
		p += sizeof(frag);
		first = !(f->frag >> IP6_FRAG_OFF_SHIFT);
	} else {
		ip6.nexthdr = f->proto;
	}
	memcpy(l3, &ip6, sizeof(ip6));
	build_l4(f, p, end, first);
}

static void build_arp(const struct flow *f, __u8 *l3)
{
	struct arphdr arp = {
		.ar_hrd = htons(ARPHRD_ETHER),
		.ar_pro = htons(ETH_P_IP),
		.ar_hln = ARP_HLEN_ETH,
		.ar_pln = ARP_PLEN_IP4,
		.ar_op = htons(ARPOP_REQUEST),
	};
	__u8 *p = l3 + sizeof(arp);

	memcpy(l3, &arp, sizeof(arp));
	memcpy(p, f->src, ETH_ALEN);
	p += ETH_ALEN;
	memcpy(p, f->saddr, ARP_PLEN_IP4);
	p += ARP_PLEN_IP4;
	memset(p, 0, ETH_ALEN);
	p += ETH_ALEN;
	memcpy(p, f->daddr, ARP_PLEN_IP4);
}

/* Write f's frame, len bytes, into buf.  Returns 0 or -errno. */
static int flow_build(const struct flow *f, unsigned int len, __u8 *buf,
		      size_t cap)
{
	struct frame_spec spec = {
		.ntags = f->vid ? 1 : 0,
		.tags = {{ETH_P_8021Q, f->vid}},
		.proto = f->ethertype,
		.len = len,
	};
	__u8 *l3;
	int err;

	memcpy(spec.dst, f->dst, ETH_ALEN);
	memcpy(spec.src, f->src, ETH_ALEN);
	err = frame_build(&spec, buf, cap);
	if (err)
		return err;
	l3 = buf + ETH_HLEN + spec.ntags * FRAME_TAG_LEN;
	switch (f->ethertype) {
	case ETH_P_IP:
		build_ipv4(f, l3, buf + len);
		break;
	case ETH_P_IPV6:
		build_ipv6(f, l3, buf + len);
		break;
	case ETH_P_ARP:
		build_arp(f, l3);
		break;
	}
	return 0;
}

/* ---- running and checking ---- */

/* What a test run gave back. */
struct run_out {
	__u32 action;
	/* From the metadata on: the kernel returns data_meta..data_end. */
	__u8 buf[XDP_META_MAX + FRAME_MAX_LEN];
	unsigned int len;
	unsigned int meta_len; /* ctx_out.data */
};

/*
 * Run prog_fd once on len bytes of in, of which the first meta_len are
 * XDP metadata.  The context always goes both ways, so the metadata
 * length of the output is known even when the input had none.
 */
static int xdp_run_ctx(int prog_fd, const __u8 *in, unsigned int len,
		       unsigned int meta_len, struct run_out *r)
{
	struct xdp_md ctx_in = {.data = meta_len, .data_end = len};
	struct xdp_md ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = r->buf, .data_size_out = sizeof(r->buf),
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out),
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	r->action = opts.retval;
	r->len = opts.data_size_out;
	r->meta_len = ctx_out.data;
	/* No fragments here, so the context's end is the output's. */
	if (r->meta_len > r->len || ctx_out.data_end != r->len)
		return -EPROTO;
	return 0;
}

static int read_counters(struct prog_counters *c)
{
	return prog_read_counters(env.t.reason_fd, env.t.stats_fd,
				  tracked_ports, ARRAY_SIZE(tracked_ports), c);
}

/* What one vfwd_uplink run must do with a frame. */
struct uplink_expect {
	__u32 action;
	__u32 reason;
	/* The port the frame's MAC belongs to; metadata must name it. */
	__u32 port;
	/* Steered: metadata in front of the frame naming one of these CPUs,
	 * or, when HOME_CPU is one of them, no metadata and a direct
	 * delivery counted by the uplink (the frame was on its CPU already).
	 * 0: no metadata at all. */
	__u32 cpu_mask;
	/* Port whose tx the uplink counts (a direct redirect); 0: none, the
	 * steered frame's tx is vfwd_cpu's to count. */
	__u32 tx_port;
	bool pop; /* the frame leaves without its tag */
	__u64 rx_passed; /* rise of the uplink's rx_passed */
	__u64 rx_dropped; /* rise of the uplink's rx_dropped */
	/* The vfwd_uplink instance to run; 0: env's. */
	int prog_fd;
};

/* Forwarded to port p through the CPUMAP, to one of the CPUs in mask. */
#define EXPECT_STEERED(p, mask)                                                \
	.action = XDP_REDIRECT, .reason = VFWD_R_FWD, .port = (p),             \
	.cpu_mask = (mask)
/* Forwarded to port p directly, its tx counted by the uplink. */
#define EXPECT_DIRECT(p)                                                       \
	.action = XDP_REDIRECT, .reason = VFWD_R_FWD, .port = (p),             \
	.tx_port = (p)
/* Dropped because port p is not the uplink's: no metadata, the frame
 * untouched (a tag included), no port's tx counted anywhere. */
#define EXPECT_OTHER_UPLINK(p)                                                 \
	.action = XDP_DROP, .reason = VFWD_R_OTHER_UPLINK, .port = (p),        \
	.rx_dropped = 1

/*
 * Run one frame through vfwd_uplink and check everything: the action, the
 * metadata (length, then every field), the frame after it, exactly one
 * reason, and every tracked port's counters.  The output is left in r;
 * *cpu is the metadata's CPU when there is metadata.  Returns whether the
 * run added no failure.
 */
static bool uplink_check(const __u8 *in, unsigned int len,
			 const struct uplink_expect *e, struct report *rep,
			 struct run_out *r, __u32 *cpu)
{
	struct vfwd_port_stats exp[ARRAY_SIZE(tracked_ports)] = {};
	__u8 exp_frame[FRAME_MAX_LEN];
	struct prog_counters before, after;
	unsigned int exp_len = len, exp_meta;
	struct vfwd_cpu_meta m;
	int nfail = rep->nfail, err;
	size_t i;

	__u32 tx_port = e->tx_port;

	memcpy(exp_frame, in, len);
	if (e->pop)
		exp_len = frame_pop_tag(in, len, exp_frame);
	exp_meta = e->cpu_mask ? sizeof(m) : 0;

	err = read_counters(&before);
	if (err) {
		report_fail(rep, "setup: reading counters: %s", strerror(-err));
		return false;
	}
	err = xdp_run_ctx(e->prog_fd ? e->prog_fd : env.uplink_fd, in, len, 0,
			  r);
	if (err) {
		report_fail(rep, "vfwd_uplink test run: %s", strerror(-err));
		return false;
	}
	err = read_counters(&after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return false;
	}

	prog_check_xdp_action(rep, e->action, r->action);
	if (r->meta_len)
		report_fail(rep, "XDP metadata: expected none, got %u bytes",
			    r->meta_len);
	/* The record, if any: what is in front of the expected frame. */
	r->meta_len = r->len > exp_len ? r->len - exp_len : 0;
	if (exp_meta && !r->meta_len && (e->cpu_mask & CPU_BIT(HOME_CPU))) {
		/* Steered to the CPU it is on: delivered directly. */
		exp_meta = 0;
		tx_port = e->port;
		*cpu = HOME_CPU;
	}
	if (r->meta_len != exp_meta) {
		report_fail(rep, "steering record: expected %u bytes, got %u",
			    exp_meta, r->meta_len);
	} else if (exp_meta) {
		memcpy(&m, r->buf, sizeof(m));
		report_u64(rep, "meta.port_id", e->port, m.port_id);
		report_u64(rep, "meta.uplink_id", UPLINK_PORT, m.uplink_id);
		report_u64(rep, "meta.magic", VFWD_CPU_META_MAGIC, m.magic);
		if (m.cpu >= TEST_CPUS || !(e->cpu_mask & CPU_BIT(m.cpu)))
			report_fail(
				rep,
				"meta.cpu: %u, not one of the CPUs in mask 0x%x",
				m.cpu, e->cpu_mask);
		*cpu = m.cpu;
	}
	if (r->len - r->meta_len != exp_len)
		report_fail(rep, "output frame length: expected %u, got %u",
			    exp_len, r->len - r->meta_len);
	else if (memcmp(r->buf + r->meta_len, exp_frame, exp_len))
		report_fail(rep, "output frame: %s",
			    e->pop ? "not the input without its tag"
				   : "not the input");

	for (i = 0; i < ARRAY_SIZE(tracked_ports); i++) {
		if (tracked_ports[i] == UPLINK_PORT) {
			exp[i].rx_packets = 1;
			exp[i].rx_bytes = len;
			exp[i].rx_passed = e->rx_passed;
			exp[i].rx_dropped = e->rx_dropped;
		}
		if (tracked_ports[i] == tx_port) {
			exp[i].tx_packets = 1;
			exp[i].tx_bytes = exp_len;
		}
	}
	/* The reason counts the frame as it leaves, without metadata. */
	prog_check_counters(&before, &after, e->reason, exp_len, tracked_ports,
			    exp, ARRAY_SIZE(tracked_ports), rep);
	return rep->nfail == nfail;
}

/* What one vfwd_cpu run must do. */
struct cpu_expect {
	__u32 action;
	__u32 tx_port; /* port whose tx rises by the frame; 0: none */
	__u32 dropped_on; /* port whose rx_dropped rises by one; 0: none */
};

/*
 * Run vfwd_cpu on meta_len bytes of steering record followed by a frame
 * of frame_len bytes, all in in.  A frame it passes to the kernel comes
 * out exactly as it went in; one it takes (redirected, or dropped for a
 * port that is gone) comes out without the record.  It counts no reason.
 */
static void cpu_check(const __u8 *in, unsigned int meta_len,
		      unsigned int frame_len, const struct cpu_expect *e,
		      struct report *rep)
{
	struct vfwd_port_stats exp[ARRAY_SIZE(tracked_ports)] = {};
	struct prog_counters before, after;
	unsigned int len = meta_len + frame_len;
	struct run_out r;
	size_t i;
	int err;

	err = read_counters(&before);
	if (err) {
		report_fail(rep, "setup: reading counters: %s", strerror(-err));
		return;
	}
	err = xdp_run_ctx(env.cpu_fd, in, len, 0, &r);
	if (err) {
		report_fail(rep, "vfwd_cpu test run: %s", strerror(-err));
		return;
	}
	err = read_counters(&after);
	if (err) {
		report_fail(rep, "reading counters: %s", strerror(-err));
		return;
	}

	prog_check_xdp_action(rep, e->action, r.action);
	report_u64(rep, "XDP metadata length", 0, r.meta_len);
	if (e->action != XDP_PASS) {
		in += meta_len;
		len = frame_len;
	}
	if (r.len != len)
		report_fail(rep, "output length: expected %u, got %u", len,
			    r.len);
	else if (memcmp(r.buf, in, len))
		report_fail(rep, "output: %s",
			    e->action == XDP_PASS
				    ? "modified by the program"
				    : "not the frame behind the record");

	for (i = 0; i < ARRAY_SIZE(tracked_ports); i++) {
		if (tracked_ports[i] == e->tx_port) {
			exp[i].tx_packets = 1;
			exp[i].tx_bytes = frame_len;
		}
		if (tracked_ports[i] == e->dropped_on)
			exp[i].rx_dropped = 1;
	}
	prog_check_counters(&before, &after, VFWD_REASON_SLOTS, 0,
			    tracked_ports, exp, ARRAY_SIZE(tracked_ports), rep);
}

/* ---- RPS cases: many flows, checked for properties of the hash ---- */

struct rps_case {
	const char *name;
	/* Frame part of flow i: a flow is nparts frames (the fragments of a
	 * datagram, or one frame). */
	void (*gen)(unsigned int i, unsigned int part, struct flow *f);
	unsigned int nparts;
	__u32 port;
	__u32 cpu_mask;
	bool pop;
	/* Across flows: spread over every CPU of cpu_mask with at least
	 * RPS_MIN_SHARE_PCT each, or all on one CPU because the flows differ
	 * only where the hash must not look. */
	bool spread;
};

/* UDP/IPv4 to the RPS port, flow i from source port SPORT_BASE + i. */
static void gen_udp4(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IP, IPPROTO_UDP);
	f->sport = SPORT_BASE + i;
}

static void gen_tcp6(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IPV6, IPPROTO_TCP);
	f->sport = SPORT_BASE + i;
}

/* DF is a flag, not a fragment: such frames keep their ports in the hash
 * (Linux sets DF on all TCP it sends). */
static void gen_tcp4_df(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IP, IPPROTO_TCP);
	f->frag = IP4_DF;
	f->sport = SPORT_BASE + i;
}

/* A Router Alert option in front of the ports that vary. */
static void gen_opt_ports(unsigned int i, unsigned int part, struct flow *f)
{
	gen_udp4(i, part, f);
	f->router_alert = true;
}

/* Fixed ports behind a Router Alert option whose value varies: a hash
 * that took the ports from a 20-byte header would read the option. */
static void gen_opt_value(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IP, IPPROTO_UDP);
	f->router_alert = true;
	f->ra_value = i;
}

/* Datagram i, fragment part: the first carries the UDP header (MF set),
 * the others payload where it had its ports, the last without MF. */
static void gen_frag4(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IP, IPPROTO_UDP);
	f->saddr[IP4_HOST_BYTE] = HOST_BASE + i;
	f->sport = SPORT_BASE + i;
	f->id = FRAG_ID_BASE + i;
	f->frag = part * FRAG_STEP_UNITS | (part + 1 < FRAG_PARTS ? IP4_MF : 0);
	f->filler = FILLER_BASE + i * FRAG_PARTS + part;
}

static void gen_frag6(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IPV6, IPPROTO_UDP);
	f->saddr[IP6_HOST_BYTE] = HOST_BASE + i;
	f->sport = SPORT_BASE + i;
	f->frag6 = true;
	f->id = FRAG_ID_BASE + i;
	f->frag = part * FRAG_STEP_UNITS << IP6_FRAG_OFF_SHIFT |
		  (part + 1 < FRAG_PARTS ? IP6_FRAG_M : 0);
	f->filler = FILLER_BASE + i * FRAG_PARTS + part;
}

/* UDP behind a hop-by-hop header, ports varying: the next header is not
 * TCP or UDP, so the hash takes addresses and that next header only. */
static void gen_hbh6(unsigned int i, unsigned int part, struct flow *f)
{
	gen_tcp6(i, part, f);
	f->proto = IPPROTO_UDP;
	f->hbh = true;
}

/* ICMP between the same addresses, its header varying. */
static void gen_icmp4_body(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IP, IPPROTO_ICMP);
	f->filler = FILLER_BASE + i;
}

static void gen_icmp4_addrs(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_IP, IPPROTO_ICMP);
	f->saddr[IP4_HOST_BYTE] = HOST_BASE + i;
}

/* ARP between the same MACs, for different addresses. */
static void gen_arp_body(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_ARP, 0);
	f->saddr[IP4_HOST_BYTE] = HOST_BASE + i;
}

/* ARP from a different source MAC each. */
static void gen_arp_macs(unsigned int i, unsigned int part, struct flow *f)
{
	flow_base(f, mac_rps, ETH_P_ARP, 0);
	f->src[MAC_SRC_VARY_BYTE] = HOST_BASE + i;
}

/* gen_udp4 on the RPS port's trunk binding: tagged, tag kept. */
static void gen_trunk(unsigned int i, unsigned int part, struct flow *f)
{
	gen_udp4(i, part, f);
	f->vid = TEST_VID;
}

static void gen_access(unsigned int i, unsigned int part, struct flow *f)
{
	gen_trunk(i, part, f);
	memcpy(f->dst, mac_access_rps, ETH_ALEN);
}

/* gen_udp4 to the port without --rps. */
static void gen_no_rps(unsigned int i, unsigned int part, struct flow *f)
{
	gen_udp4(i, part, f);
	memcpy(f->dst, mac_steer, ETH_ALEN);
}

/* Flows to the RPS port that must spread over both its CPUs (each flow
 * of nparts frames on one), or all land on one CPU. */
#define RPS_SPREAD(n, g, parts)                                                \
	{                                                                      \
		.name = (n), .gen = (g), .nparts = (parts), .port = RPS_PORT,  \
		.cpu_mask = BOTH_CPUS, .spread = true                          \
	}
#define RPS_ONE_CPU(n, g)                                                      \
	{                                                                      \
		.name = (n), .gen = (g), .nparts = 1, .port = RPS_PORT,        \
		.cpu_mask = BOTH_CPUS                                          \
	}

static const struct rps_case rps_cases[] = {
	RPS_SPREAD("rps_udp4_ports_spread", gen_udp4, 1),
	RPS_SPREAD("rps_tcp6_ports_spread", gen_tcp6, 1),
	RPS_SPREAD("rps_tcp4_df_ports_spread", gen_tcp4_df, 1),
	RPS_SPREAD("rps_ipv4_options_ports_spread", gen_opt_ports, 1),
	RPS_ONE_CPU("rps_ipv4_options_not_ports", gen_opt_value),
	/* Each datagram's fragments on one CPU; datagrams spread. */
	RPS_SPREAD("rps_ipv4_fragments_one_cpu", gen_frag4, FRAG_PARTS),
	RPS_SPREAD("rps_ipv6_fragments_one_cpu", gen_frag6, FRAG_PARTS),
	RPS_ONE_CPU("rps_ipv6_ext_header_no_ports", gen_hbh6),
	RPS_ONE_CPU("rps_icmp4_body_ignored", gen_icmp4_body),
	RPS_SPREAD("rps_icmp4_addrs_spread", gen_icmp4_addrs, 1),
	RPS_ONE_CPU("rps_non_ip_same_macs", gen_arp_body),
	RPS_SPREAD("rps_non_ip_mac_pairs_spread", gen_arp_macs, 1),
	/* Hashed on L3 past the tag, which stays on. */
	RPS_SPREAD("rps_trunk_vlan_l3_spread", gen_trunk, 1),
	/* Hashed on L3 past the tag, which comes off. */
	{
		.name = "rps_access_vlan_l3_spread",
		.gen = gen_access,
		.nparts = 1,
		.port = ACCESS_RPS_PORT,
		.cpu_mask = BOTH_CPUS,
		.pop = true,
		.spread = true,
	},
	/* Without --rps every flow goes to cpus[0]. */
	{
		.name = "steer_no_rps_first_cpu",
		.gen = gen_no_rps,
		.nparts = 1,
		.port = STEER_PORT,
		.cpu_mask = CPU_BIT(CPU_B),
	},
};

static void run_rps_case(const struct rps_case *c, struct report *rep)
{
	const struct uplink_expect e = {
		EXPECT_STEERED(c->port, c->cpu_mask),
		.pop = c->pop,
	};
	unsigned int count[TEST_CPUS] = {};
	__u8 in[FRAME_MAX_LEN];
	__u32 first_cpu = 0;
	struct run_out r;
	struct flow f;
	unsigned int i, part, cpu;

	for (i = 0; i < RPS_FLOWS; i++) {
		__u32 flow_cpu = 0, got = 0;

		/* Every part, then the first again: a repeat of a flow must
		 * pick the CPU it picked before. */
		for (part = 0; part <= c->nparts; part++) {
			c->gen(i, part % c->nparts, &f);
			if (flow_build(&f, FLOW_FRAME_LEN, in, sizeof(in))) {
				report_fail(rep, "setup: flow_build");
				return;
			}
			if (!uplink_check(in, FLOW_FRAME_LEN, &e, rep, &r,
					  &got)) {
				report_fail(rep, "(flow %u, frame %u)", i,
					    part);
				return;
			}
			if (!part) {
				flow_cpu = got;
			} else if (got != flow_cpu) {
				report_fail(
					rep,
					"flow %u: frame %u%s on CPU %u, frame 0 on CPU %u",
					i, part % c->nparts,
					part == c->nparts ? " (repeat)" : "",
					got, flow_cpu);
				return;
			}
		}
		count[flow_cpu]++;
		if (!i) {
			first_cpu = flow_cpu;
		} else if (!c->spread && flow_cpu != first_cpu) {
			report_fail(
				rep,
				"flow %u on CPU %u, flow 0 on CPU %u: the flows differ only where the hash must not look",
				i, flow_cpu, first_cpu);
			return;
		}
	}
	if (!c->spread)
		return;
	for (cpu = 0; cpu < TEST_CPUS; cpu++) {
		if (!(c->cpu_mask & CPU_BIT(cpu)))
			continue;
		if (count[cpu] * PERCENT < RPS_FLOWS * RPS_MIN_SHARE_PCT)
			report_fail(
				rep,
				"CPU %u got %u of %u flows, expected at least %u%%",
				cpu, count[cpu], RPS_FLOWS, RPS_MIN_SHARE_PCT);
	}
}

/* ---- single-frame cases ---- */

static int build_small(const __u8 *dst, __u16 vid, __u8 *buf)
{
	struct flow f;

	flow_base(&f, dst, ETH_P_IP, IPPROTO_UDP);
	f.vid = vid;
	return flow_build(&f, SMALL_FRAME_LEN, buf, FRAME_MAX_LEN);
}

/* Run a small UDP/IPv4 frame to dst (tagged vid unless 0) and check it. */
static void uplink_small(const __u8 *dst, __u16 vid,
			 const struct uplink_expect *e, struct report *rep)
{
	__u8 in[FRAME_MAX_LEN];
	struct run_out r;
	__u32 cpu;

	if (build_small(dst, vid, in)) {
		report_fail(rep, "setup: flow_build");
		return;
	}
	uplink_check(in, SMALL_FRAME_LEN, e, rep, &r, &cpu);
}

/* A small UDP/IPv4 frame to mac (tagged vid unless 0) through vfwd_uplink,
 * and what the uplink must do with it. */
struct frame_case {
	const char *name;
	const __u8 *mac;
	__u16 vid;
	struct uplink_expect e;
};
#define FRAME_CASE(n, m, v, ...)                                               \
	{                                                                      \
		.name = (n), .mac = (m), .vid = (v), .e = { __VA_ARGS__ }      \
	}

static const struct frame_case frame_cases[] = {
	/* Without --rps: metadata {port, uplink, cpus[0], magic}, the reason
	 * but not the port's tx counted. */
	FRAME_CASE("steer_no_rps", mac_steer, 0,
		   EXPECT_STEERED(STEER_PORT, CPU_BIT(CPU_B))),
	/* Steered to the CPU the frame is on: no hop through the CPUMAP (it
	 * would only queue the frame for this CPU's own kthread), no
	 * metadata, tx counted by the uplink. */
	FRAME_CASE("steer_home_cpu_direct", mac_home, 0,
		   EXPECT_DIRECT(HOME_PORT)),
	/* The tag comes off before the metadata goes on, and the reason
	 * counts the untagged frame. */
	FRAME_CASE("access_steer_pop", mac_access, TEST_VID,
		   EXPECT_STEERED(ACCESS_PORT, CPU_BIT(CPU_B)), .pop = true),
	/* Placement off: delivered directly, without metadata, tx counted by
	 * the uplink, although the port has CPUs and --rps. */
	FRAME_CASE("placement_off_direct", mac_off, 0, EXPECT_DIRECT(OFF_PORT)),
	FRAME_CASE("no_cpus_direct", mac_nocpus, 0, EXPECT_DIRECT(NOCPUS_PORT)),
	/* A CPU the CPUMAP cannot hold: delivered directly instead of lost,
	 * and counted as such.  It leaves as an unsteered port's frame
	 * would, without the metadata written for a vfwd_cpu that will
	 * never see it. */
	FRAME_CASE("fallback_cpu_beyond_possible", mac_beyond, 0,
		   EXPECT_DIRECT(BEYOND_PORT)),
	/* A steered port without a device: port down, the BUM policy (pass),
	 * and the frame untouched. */
	FRAME_CASE("steer_port_down", mac_down, 0, .action = XDP_PASS,
		   .reason = VFWD_R_PORT_DOWN, .port = DOWN_PORT,
		   .rx_passed = 1),
	/* Steering never takes a frame past the uplink check: a port of
	 * another uplink, or of none, gets nothing, whichever CPU it wants
	 * and whether the frame would pass through the CPUMAP or not. */
	FRAME_CASE("steer_other_uplink", mac_steer_elsewhere, 0,
		   EXPECT_OTHER_UPLINK(STEER_ELSEWHERE)),
	FRAME_CASE("steer_home_cpu_other_uplink", mac_home_elsewhere, 0,
		   EXPECT_OTHER_UPLINK(HOME_ELSEWHERE)),
	FRAME_CASE("access_steer_other_uplink_no_pop", mac_access_elsewhere,
		   TEST_VID, EXPECT_OTHER_UPLINK(ACCESS_ELSEWHERE)),
	FRAME_CASE("steer_unbound_port", mac_steer_unbound, 0,
		   EXPECT_OTHER_UPLINK(STEER_UNBOUND)),
};

/* No CPUMAP program: the kernel attaches one only for an fd > 0. */
#define NO_PROG_FD (-1)

/* Give cpu a CPUMAP entry running prog_fd.  A non-live test run never
 * runs that program, so most cases need none.  The queue size is the
 * product's. */
static int cpumap_add(__u32 cpu, int prog_fd)
{
	struct bpf_cpumap_val v = {.qsize = VFWD_CPUMAP_QSIZE,
				   .bpf_prog.fd = prog_fd};

	return bpf_map_update_elem(env.t.cpu_fd, &cpu, &v, BPF_ANY) ? -errno
								    : 0;
}

/* A possible CPU whose entry is gone (the loader removed it, or has not
 * added it yet): delivered directly, and a popped tag is popped once. */
static void case_fallback_no_entry(struct report *rep)
{
	const struct uplink_expect e = {EXPECT_DIRECT(STEER_PORT)};
	const struct uplink_expect e_access = {EXPECT_DIRECT(ACCESS_PORT),
					       .pop = true};
	__u32 cpu = CPU_B;
	int err;

	if (bpf_map_delete_elem(env.t.cpu_fd, &cpu)) {
		report_fail(rep, "setup: deleting CPU %u's entry: %s", cpu,
			    strerror(errno));
		return;
	}
	uplink_small(mac_steer, 0, &e, rep);
	uplink_small(mac_access, TEST_VID, &e_access, rep);
	err = cpumap_add(cpu, NO_PROG_FD);
	if (err)
		report_fail(rep, "teardown: restoring CPU %u's entry: %s", cpu,
			    strerror(-err));
}

/* What the uplink sends through the CPUMAP is what vfwd_cpu takes: the
 * port's tx counted once, with the bytes the reason counted. */
static void case_pipeline(struct report *rep)
{
	const struct uplink_expect e = {
		EXPECT_STEERED(ACCESS_PORT, CPU_BIT(CPU_B)),
		.pop = true,
	};
	const struct cpu_expect ce = {
		.action = XDP_REDIRECT,
		.tx_port = ACCESS_PORT,
	};
	__u8 in[FRAME_MAX_LEN];
	struct run_out r;
	__u32 cpu;

	if (build_small(mac_access, TEST_VID, in)) {
		report_fail(rep, "setup: flow_build");
		return;
	}
	if (!uplink_check(in, SMALL_FRAME_LEN, &e, rep, &r, &cpu))
		return;
	cpu_check(r.buf, r.meta_len, r.len - r.meta_len, &ce, rep);
}

/* Run vfwd_cpu on metadata m followed by a small frame. */
static void cpu_case(const struct vfwd_cpu_meta *m, const struct cpu_expect *e,
		     struct report *rep)
{
	__u8 in[sizeof(*m) + FRAME_MAX_LEN];

	if (build_small(mac_rps, 0, in + sizeof(*m))) {
		report_fail(rep, "setup: flow_build");
		return;
	}
	memcpy(in, m, sizeof(*m));
	cpu_check(in, sizeof(*m), SMALL_FRAME_LEN, e, rep);
}

/* vfwd_cpu on a small frame behind metadata m, and what it must do. */
static const struct {
	const char *name;
	struct vfwd_cpu_meta m;
	struct cpu_expect e;
} meta_cases[] = {
	/* tx counted on the port, with the frame's bytes, not the
	 * metadata's. */
	{"cpu_good_meta",
	 {RPS_PORT, UPLINK_PORT, CPU_A, VFWD_CPU_META_MAGIC},
	 {.action = XDP_REDIRECT, .tx_port = RPS_PORT}},
	{"cpu_bad_magic",
	 {RPS_PORT, UPLINK_PORT, CPU_A, ~VFWD_CPU_META_MAGIC},
	 {.action = XDP_PASS}},
	/* The port's device went away after the uplink checked: the frame is
	 * lost and counted on the uplink the metadata names, not on this
	 * instance's cfg_uplink_port. */
	{"cpu_port_gone",
	 {DOWN_PORT, OTHER_UPLINK, CPU_A, VFWD_CPU_META_MAGIC},
	 {.action = XDP_DROP, .dropped_on = OTHER_UPLINK}},
};

/* A plain frame, no record in front: its bytes where the magic would
 * be are the ethertype and the IP header's first bytes.  The kernel gets
 * it as it came. */
static void case_cpu_no_meta(struct report *rep)
{
	const struct cpu_expect e = {.action = XDP_PASS};
	__u8 in[FRAME_MAX_LEN];

	if (build_small(mac_rps, 0, in)) {
		report_fail(rep, "setup: flow_build");
		return;
	}
	cpu_check(in, 0, SMALL_FRAME_LEN, &e, rep);
}

/* A runt shorter than a record, ending in the magic: the program must
 * not read past the end to find it. */
static void case_cpu_short_meta(struct report *rep)
{
	const struct vfwd_cpu_meta m = {RPS_PORT, UPLINK_PORT, CPU_A,
					VFWD_CPU_META_MAGIC};
	const unsigned int short_len = sizeof(m) - 1;
	const struct cpu_expect e = {.action = XDP_PASS};
	__u8 in[sizeof(m)];

	memcpy(in, (const __u8 *)&m + 1, short_len);
	cpu_check(in, 0, short_len, &e, rep);
}

/* ---- other instances of the object, on the same maps ---- */

/*
 * Open another instance of the object whose maps are env's, as the loader
 * opens each program against the pinned maps.  Only .rodata and the other
 * internal maps are the instance's own.  The caller loads it.
 */
static int open_shared(struct vfwd_bpf **out)
{
	struct bpf_map *map, *orig;
	struct vfwd_bpf *skel;
	int err;

	skel = *out = vfwd_bpf__open();
	if (!skel)
		return -errno;
	err = prog_isolate(skel->obj);
	if (err)
		return err;
	bpf_object__for_each_map(map, skel->obj)
	{
		if (bpf_map__is_internal(map))
			continue;
		orig = bpf_object__find_map_by_name(env.skel->obj,
						    bpf_map__name(map));
		if (!orig)
			return -ENOENT;
		err = bpf_map__reuse_fd(map, bpf_map__fd(orig));
		if (err)
			return err;
	}
	return 0;
}

/* vfwd_uplink as loaded for an uplink in skb (generic XDP) mode, where
 * the uplink does not steer; NULL if it cannot be loaded,
 * and then generic_err says why. */
static struct vfwd_bpf *generic_skel;
static int generic_err;

static int generic_open(void)
{
	int err = open_shared(&generic_skel);

	if (err)
		return err;
	generic_skel->rodata->cfg_uplink_port = UPLINK_PORT;
	generic_skel->rodata->cfg_generic = true;
	bpf_program__set_autoload(generic_skel->progs.vfwd_uplink, true);
	return vfwd_bpf__load(generic_skel);
}

/* A steered port behind a generic-mode uplink is delivered directly, as if
 * it had no CPUs: a CPUMAP takes generic-XDP frames as skbs, which the
 * cpumap program sees differently. */
static void case_generic_direct(struct report *rep)
{
	struct uplink_expect e = {EXPECT_DIRECT(STEER_PORT)};

	if (!generic_skel) {
		report_fail(rep,
			    "vfwd_uplink with cfg_generic does not load: %s",
			    strerror(-generic_err));
		return;
	}
	e.prog_fd = bpf_program__fd(generic_skel->progs.vfwd_uplink);
	uplink_small(mac_steer, 0, &e, rep);
	/* --rps changes nothing, and an access port's tag still comes off. */
	e.port = e.tx_port = ACCESS_RPS_PORT;
	e.pop = true;
	uplink_small(mac_access_rps, TEST_VID, &e, rep);
}

/* The skb-mode uplink never steers, but it reads the port all the same:
 * another uplink's ports, and ports of none, get nothing from it. */
static void case_generic_other_uplink(struct report *rep)
{
	struct uplink_expect e = {EXPECT_OTHER_UPLINK(STEER_ELSEWHERE)};

	if (!generic_skel) {
		report_fail(rep,
			    "vfwd_uplink with cfg_generic does not load: %s",
			    strerror(-generic_err));
		return;
	}
	e.prog_fd = bpf_program__fd(generic_skel->progs.vfwd_uplink);
	uplink_small(mac_steer_elsewhere, 0, &e, rep);
	e.port = ACCESS_ELSEWHERE;
	uplink_small(mac_access_elsewhere, TEST_VID, &e, rep);
	e.port = STEER_UNBOUND;
	uplink_small(mac_steer_unbound, 0, &e, rep);
}

/* ---- live: through the CPUMAP for real ---- */

/* Frames per live run: enough that one counted on the wrong CPU shows. */
#define LIVE_FRAMES 8
/* How long the CPUMAP kthreads get to run vfwd_cpu on them, and how often
 * the counters are looked at meanwhile. */
#define LIVE_WAIT_MS 2000
#define LIVE_POLL_MS 10
#define USEC_PER_MSEC 1000

/* Why the case that ran last was skipped, if it was. */
static const char *case_skip;

/*
 * A second instance of the object on env's maps, whose vfwd_cpu keeps its
 * CPUMAP attach type, so it can go into the CPUMAP entries and run on the
 * target CPUs' kthreads as in production.  NULL if it cannot be loaded,
 * and then live_err says why.
 */
static struct vfwd_bpf *live_skel;
static int live_err;

static int live_open(void)
{
	int err = open_shared(&live_skel);

	if (err)
		return err;
	bpf_program__set_autoload(live_skel->progs.vfwd_cpu, true);
	return vfwd_bpf__load(live_skel);
}

/* Port id's counters on every possible CPU, into per_cpu. */
static int read_port_cpus(__u32 id, struct vfwd_port_stats *per_cpu)
{
	_Static_assert(sizeof(struct vfwd_port_stats) % sizeof(__u64) == 0,
		       "per-CPU values are 8-byte aligned");
	return bpf_map_lookup_elem(env.t.stats_fd, &id, per_cpu) ? -errno : 0;
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * Send LIVE_FRAMES copies of a frame that the uplink steers to target
 * through the uplink for real, from the other CPU, and wait for vfwd_cpu
 * to count them.  They must all be counted on target: the CPUMAP took
 * them there and the metadata survived the trip.  The uplink's own rx
 * must be on the other CPU, or the case proves nothing.
 */
static void live_one(__u32 target, const __u8 *in, unsigned int len,
		     struct report *rep)
{
	const __u32 from = target == CPU_A ? CPU_B : CPU_A;
	const __u32 ids[] = {RPS_PORT, UPLINK_PORT};
	struct vfwd_port_stats *before[ARRAY_SIZE(ids)] = {},
			       *after[ARRAY_SIZE(ids)] = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .repeat = LIVE_FRAMES, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	__u64 tx = 0, exp;
	int waited, err, cpu;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		before[i] = calloc(env.possible_cpus, sizeof(*before[i]));
		after[i] = calloc(env.possible_cpus, sizeof(*after[i]));
		if (!before[i] || !after[i]) {
			report_fail(rep, "setup: out of memory");
			goto out;
		}
	}
	err = pin_self(from);
	if (err) {
		report_fail(rep, "setup: moving to CPU %u: %s", from,
			    strerror(-err));
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(ids) && !err; i++)
		err = read_port_cpus(ids[i], before[i]);
	if (!err && bpf_prog_test_run_opts(env.uplink_fd, &opts)) {
		err = -errno;
		/* Before Linux 5.18 there are no live XDP test runs, and
		 * some kernels refuse them (EPERM).  integration/test_cpus
		 * sends real frames through a real CPUMAP instead. */
		if (err == -EINVAL || err == -EOPNOTSUPP || err == -EPERM) {
			case_skip =
				"the kernel refuses live XDP test runs (BPF_F_TEST_XDP_LIVE_FRAMES)";
			goto out;
		}
	}
	if (err) {
		report_fail(rep, "to CPU %u: live test run: %s", target,
			    strerror(-err));
		goto out;
	}
	for (waited = 0;; waited += LIVE_POLL_MS) {
		for (i = 0; i < ARRAY_SIZE(ids) && !err; i++)
			err = read_port_cpus(ids[i], after[i]);
		if (err) {
			report_fail(rep, "reading counters: %s",
				    strerror(-err));
			goto out;
		}
		for (tx = 0, cpu = 0; cpu < env.possible_cpus; cpu++)
			tx += after[0][cpu].tx_packets -
			      before[0][cpu].tx_packets;
		if (tx >= LIVE_FRAMES || waited >= LIVE_WAIT_MS)
			break;
		usleep(LIVE_POLL_MS * USEC_PER_MSEC);
	}
	for (cpu = 0; cpu < env.possible_cpus; cpu++) {
		char what[64];

		exp = (__u32)cpu == target ? LIVE_FRAMES : 0;
		snprintf(what, sizeof(what),
			 "to CPU %u: port%u.tx_packets delta on CPU %d", target,
			 RPS_PORT, cpu);
		report_u64(rep, what, exp,
			   after[0][cpu].tx_packets -
				   before[0][cpu].tx_packets);
		snprintf(what, sizeof(what),
			 "to CPU %u: port%u.tx_bytes delta on CPU %d", target,
			 RPS_PORT, cpu);
		report_u64(rep, what, exp * len,
			   after[0][cpu].tx_bytes - before[0][cpu].tx_bytes);
		exp = (__u32)cpu == from ? LIVE_FRAMES : 0;
		snprintf(what, sizeof(what),
			 "to CPU %u: port%u.rx_packets delta on CPU %d", target,
			 UPLINK_PORT, cpu);
		report_u64(rep, what, exp,
			   after[1][cpu].rx_packets -
				   before[1][cpu].rx_packets);
	}
out:
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		free(before[i]);
		free(after[i]);
	}
}

/* Flows steered to each CPU, found with non-live runs; then each sent
 * live, with vfwd_cpu in the CPUMAP entries. */
static void case_live_cpumap(struct report *rep)
{
	__u8 in[TEST_CPUS][FRAME_MAX_LEN], probe[FRAME_MAX_LEN];
	bool found[TEST_CPUS] = {};
	struct vfwd_cpu_meta m;
	cpu_set_t old;
	struct run_out r;
	struct flow f;
	unsigned int i, cpu;
	int err;

	/* As the loader loads it: a failure is the product's. */
	if (!live_skel) {
		report_fail(
			rep,
			"vfwd_cpu does not load as a CPUMAP program: %s (verifier log on stderr)",
			strerror(-live_err));
		return;
	}
	for (i = 0; i < RPS_FLOWS; i++) {
		gen_udp4(i, 0, &f);
		err = flow_build(&f, FLOW_FRAME_LEN, probe, sizeof(probe));
		if (!err)
			err = xdp_run_ctx(env.uplink_fd, probe, FLOW_FRAME_LEN,
					  0, &r);
		if (err) {
			report_fail(rep, "setup: flow %u: %s", i,
				    strerror(-err));
			return;
		}
		/* The steering record is what precedes the probe frame.
		 * None: the flow's CPU is the one the probe ran on, so the
		 * uplink delivered it directly. */
		r.meta_len =
			r.len > FLOW_FRAME_LEN ? r.len - FLOW_FRAME_LEN : 0;
		if (r.meta_len == 0) {
			m.cpu = HOME_CPU;
		} else if (r.meta_len == sizeof(m)) {
			memcpy(&m, r.buf, sizeof(m));
		} else {
			report_fail(
				rep,
				"setup: flow %u: %u bytes of steering record",
				i, r.meta_len);
			return;
		}
		if (m.cpu < TEST_CPUS && !found[m.cpu]) {
			found[m.cpu] = true;
			memcpy(in[m.cpu], probe, FLOW_FRAME_LEN);
		}
	}
	for (cpu = 0; cpu < TEST_CPUS; cpu++) {
		if (!found[cpu]) {
			report_fail(rep, "setup: no flow steered to CPU %u",
				    cpu);
			return;
		}
	}

	if (sched_getaffinity(0, sizeof(old), &old)) {
		report_fail(rep, "setup: sched_getaffinity: %s",
			    strerror(errno));
		return;
	}
	for (cpu = 0, err = 0; cpu < TEST_CPUS && !err; cpu++)
		err = cpumap_add(cpu,
				 bpf_program__fd(live_skel->progs.vfwd_cpu));
	if (err) {
		report_fail(rep, "setup: CPUMAP entry with vfwd_cpu: %s",
			    strerror(-err));
	} else {
		for (cpu = 0; cpu < TEST_CPUS && !case_skip; cpu++)
			live_one(cpu, in[cpu], FLOW_FRAME_LEN, rep);
	}
	/* Back to entries without a program, and to every CPU. */
	for (cpu = 0; cpu < TEST_CPUS; cpu++) {
		err = cpumap_add(cpu, NO_PROG_FD);
		if (err)
			report_fail(rep, "teardown: CPU %u's entry: %s", cpu,
				    strerror(-err));
	}
	if (sched_setaffinity(0, sizeof(old), &old))
		report_fail(rep, "teardown: sched_setaffinity: %s",
			    strerror(errno));
}

static const struct {
	const char *name;
	void (*run)(struct report *rep);
} single_cases[] = {
	{"fallback_cpu_no_entry", case_fallback_no_entry},
	{"pipeline_uplink_to_cpu", case_pipeline},
	{"cpu_no_meta", case_cpu_no_meta},
	{"cpu_short_meta", case_cpu_short_meta},
	{"generic_uplink_direct", case_generic_direct},
	{"generic_uplink_other_uplink", case_generic_other_uplink},
	{"live_cpumap_delivery", case_live_cpumap},
};

/* Print the result line of the case that ran last: SKIP if it set
 * case_skip and found nothing wrong.  Returns false if it failed. */
static bool case_print(const char *name, const struct report *rep)
{
	bool passed = true;

	if (case_skip && !rep->nfail)
		printf("SKIP: %s/%s: %s\n", SUITE, name, case_skip);
	else
		passed = report_print(SUITE, name, rep);
	case_skip = NULL;
	fflush(stdout);
	return passed;
}

/* ---- setup ---- */

struct port_def {
	__u32 id;
	const char *name;
	__u8 kind;
	__u32 uplink; /* uplink_id: the uplink a guest port follows */
	bool live; /* has a tx devmap entry */
	__u8 placement;
	__u16 ncpus;
	__u16 cpus[TEST_CPUS];
	__u32 flags;
};

/* Marks a cpus[] entry to be replaced by the first CPU id that is not
 * possible on this host, known only at run time. */
#define CPU_BEYOND_POSSIBLE 0xffff

/* A tap following uplink up, with a tx devmap entry, steered to its two
 * CPUs, in that order; TAP_STEERED on the test's uplink. */
#define TAP_STEERED_ON(up, first, second, place)                               \
	.kind = VFWD_PORT_TAP, .uplink = (up), .live = true,                   \
	.placement = (place), .ncpus = TEST_CPUS, .cpus = {(first), (second)}
#define TAP_STEERED(first, second, place)                                      \
	TAP_STEERED_ON(UPLINK_PORT, first, second, place)

static const struct port_def port_defs[] = {
	/* The uplinks have no tx entry: vfwd never sends back out of one.
	 * The guests follow UPLINK_PORT, the uplink the tests send on. */
	{.id = UPLINK_PORT, .name = "uplink0", .kind = VFWD_PORT_UPLINK},
	{.id = OTHER_UPLINK, .name = "uplink1", .kind = VFWD_PORT_UPLINK},
	{.id = STEER_PORT,
	 .name = "tap-steer",
	 TAP_STEERED(CPU_B, CPU_A, VFWD_PLACE_SAME_CPU)},
	{.id = RPS_PORT,
	 .name = "tap-rps",
	 TAP_STEERED(CPU_A, CPU_B, VFWD_PLACE_SAME_NODE),
	 .flags = VFWD_PORT_F_RPS},
	{.id = ACCESS_PORT,
	 .name = "tap-access",
	 TAP_STEERED(CPU_B, CPU_A, VFWD_PLACE_SAME_CPU)},
	{.id = ACCESS_RPS_PORT,
	 .name = "tap-access-rps",
	 TAP_STEERED(CPU_A, CPU_B, VFWD_PLACE_SAME_CPU),
	 .flags = VFWD_PORT_F_RPS},
	{.id = OFF_PORT,
	 .name = "tap-off",
	 TAP_STEERED(CPU_A, CPU_B, VFWD_PLACE_OFF),
	 .flags = VFWD_PORT_F_RPS},
	{.id = NOCPUS_PORT,
	 .name = "tap-nocpus",
	 .kind = VFWD_PORT_TAP,
	 .uplink = UPLINK_PORT,
	 .live = true,
	 .placement = VFWD_PLACE_SAME_CPU},
	{.id = BEYOND_PORT,
	 .name = "tap-beyond",
	 .kind = VFWD_PORT_TAP,
	 .uplink = UPLINK_PORT,
	 .live = true,
	 .placement = VFWD_PLACE_SAME_CPU,
	 .ncpus = 1,
	 .cpus = {CPU_BEYOND_POSSIBLE}},
	/* No tx devmap entry: its device is gone. */
	{.id = DOWN_PORT,
	 .name = "tap-down",
	 .kind = VFWD_PORT_TAP,
	 .uplink = UPLINK_PORT,
	 .placement = VFWD_PLACE_SAME_CPU,
	 .ncpus = TEST_CPUS,
	 .cpus = {CPU_B, CPU_A}},
	{.id = HOME_PORT,
	 .name = "tap-home",
	 TAP_STEERED(HOME_CPU, CPU_B, VFWD_PLACE_SAME_CPU)},
	{.id = STEER_ELSEWHERE,
	 .name = "tap-steer-else",
	 TAP_STEERED_ON(OTHER_UPLINK, CPU_B, CPU_A, VFWD_PLACE_SAME_CPU)},
	{.id = HOME_ELSEWHERE,
	 .name = "tap-home-else",
	 TAP_STEERED_ON(OTHER_UPLINK, HOME_CPU, CPU_B, VFWD_PLACE_SAME_CPU)},
	{.id = ACCESS_ELSEWHERE,
	 .name = "tap-access-else",
	 TAP_STEERED_ON(OTHER_UPLINK, CPU_B, CPU_A, VFWD_PLACE_SAME_CPU)},
	/* Bound to no uplink (uplink_id 0). */
	{.id = STEER_UNBOUND,
	 .name = "tap-unbound",
	 TAP_STEERED_ON(0, CPU_B, CPU_A, VFWD_PLACE_SAME_CPU)},
};

static const struct {
	const __u8 *mac;
	__u16 vid;
	__u32 port;
	__u32 flags;
} mac_defs[] = {
	{mac_steer, VFWD_VID_NONE, STEER_PORT, 0},
	{mac_rps, VFWD_VID_NONE, RPS_PORT, 0},
	/* The same port as a trunk of TEST_VID: the tag stays on. */
	{mac_rps, TEST_VID, RPS_PORT, 0},
	{mac_access, TEST_VID, ACCESS_PORT, VFWD_MAC_ACCESS},
	{mac_access_rps, TEST_VID, ACCESS_RPS_PORT, VFWD_MAC_ACCESS},
	{mac_off, VFWD_VID_NONE, OFF_PORT, 0},
	{mac_nocpus, VFWD_VID_NONE, NOCPUS_PORT, 0},
	{mac_beyond, VFWD_VID_NONE, BEYOND_PORT, 0},
	{mac_down, VFWD_VID_NONE, DOWN_PORT, 0},
	{mac_home, VFWD_VID_NONE, HOME_PORT, 0},
	{mac_steer_elsewhere, VFWD_VID_NONE, STEER_ELSEWHERE, 0},
	{mac_home_elsewhere, VFWD_VID_NONE, HOME_ELSEWHERE, 0},
	{mac_access_elsewhere, TEST_VID, ACCESS_ELSEWHERE, VFWD_MAC_ACCESS},
	{mac_steer_unbound, VFWD_VID_NONE, STEER_UNBOUND, 0},
};

static int add_port(const struct port_def *d)
{
	struct vfwd_port port = {
		.ifindex = LO_IFINDEX,
		.uplink_id = d->uplink,
		.kind = d->kind,
		.placement = d->placement,
		.cpu_source = d->ncpus ? VFWD_CPUSRC_CPUS : VFWD_CPUSRC_NONE,
		.ncpus = d->ncpus,
		.flags = d->flags,
	};
	struct bpf_devmap_val dev = {.ifindex = LO_IFINDEX};
	unsigned int i;

	snprintf(port.name, sizeof(port.name), "%s", d->name);
	for (i = 0; i < d->ncpus; i++) {
		port.cpus[i] = d->cpus[i] == CPU_BEYOND_POSSIBLE
				       ? env.possible_cpus
				       : d->cpus[i];
		port.vcpu_cpus[i] = port.cpus[i];
	}
	if (bpf_map_update_elem(env.t.port_fd, &d->id, &port, BPF_ANY))
		return -errno;
	if (d->live &&
	    bpf_map_update_elem(env.t.tx_fd, &d->id, &dev, BPF_NOEXIST))
		return -errno;
	return 0;
}

static int populate(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(port_defs); i++) {
		err = add_port(&port_defs[i]);
		if (err)
			return err;
	}
	for (i = 0; i < ARRAY_SIZE(mac_defs); i++) {
		struct vfwd_mac_key key = {.vid = mac_defs[i].vid};
		struct vfwd_mac_val val = {
			.port_id = mac_defs[i].port,
			.flags = VFWD_MAC_STATIC | mac_defs[i].flags,
		};

		memcpy(key.mac, mac_defs[i].mac, sizeof(key.mac));
		if (bpf_map_update_elem(env.t.mac_fd, &key, &val, BPF_NOEXIST))
			return -errno;
	}
	err = cpumap_add(CPU_A, NO_PROG_FD);
	if (!err)
		err = cpumap_add(CPU_B, NO_PROG_FD);
	return err;
}

static int env_open(void)
{
	struct vfwd_bpf *skel;
	int err;

	skel = env.skel = vfwd_bpf__open();
	if (!skel)
		return -errno;
	err = prog_isolate(skel->obj);
	if (err)
		return err;
	/* One CPUMAP slot per possible CPU, as vfwd_skel_open sizes it: the
	 * object's placeholder of 1 would make CPU_B unreachable. */
	err = bpf_map__set_max_entries(skel->maps.vfwd_cpu_v4,
				       env.possible_cpus);
	if (err)
		return err;
	bpf_program__set_autoload(skel->progs.vfwd_uplink, true);
	bpf_program__set_autoload(skel->progs.vfwd_cpu, true);
	/*
	 * The kernel refuses BPF_PROG_TEST_RUN for XDP programs meant for a
	 * CPUMAP or DEVMAP entry (EINVAL from bpf_prog_test_run_xdp).  The
	 * code is the same whatever the attach point, and the context it
	 * reads (data, data_end) is too, so vfwd_cpu is loaded
	 * here as a plain XDP program.  It could then not go into a CPUMAP
	 * entry, which a non-live test run does not need.
	 */
	err = bpf_program__set_expected_attach_type(skel->progs.vfwd_cpu,
						    BPF_XDP);
	if (err)
		return err;
	skel->rodata->cfg_uplink_port = UPLINK_PORT;
	err = vfwd_bpf__load(skel);
	if (err)
		return err;

	env.uplink_fd = bpf_program__fd(skel->progs.vfwd_uplink);
	env.cpu_fd = bpf_program__fd(skel->progs.vfwd_cpu);
	vfwd_skel_tables(skel, &env.t);
	return populate();
}

int main(void)
{
	bool all_passed = true;
	size_t i;
	int err;

	libbpf_set_print(prog_print_stderr);
	env.possible_cpus = libbpf_num_possible_cpus();
	if (env.possible_cpus < 0) {
		printf("FAIL: %s/setup: counting possible CPUs: %s\n", SUITE,
		       strerror(-env.possible_cpus));
		return 1;
	}
	if (env.possible_cpus < TEST_CPUS) {
		printf("SKIP: %s/all: needs %d possible CPUs, the host has %d\n",
		       SUITE, TEST_CPUS, env.possible_cpus);
		return 0;
	}
	err = pin_self(HOME_CPU);
	if (err) {
		printf("FAIL: %s/setup: pinning to CPU %d: %s\n", SUITE,
		       HOME_CPU, strerror(-err));
		return 1;
	}
	err = env_open();
	if (err) {
		printf("FAIL: %s/setup: loading vfwd_uplink and vfwd_cpu: %s\n",
		       SUITE, strerror(-err));
		vfwd_bpf__destroy(env.skel);
		return 1;
	}
	/* Each needed by one case only, which fails when it is missing. */
	live_err = live_open();
	if (live_err) {
		vfwd_bpf__destroy(live_skel);
		live_skel = NULL;
	}
	generic_err = generic_open();
	if (generic_err) {
		vfwd_bpf__destroy(generic_skel);
		generic_skel = NULL;
	}

	for (i = 0; i < ARRAY_SIZE(frame_cases); i++) {
		struct report rep = {};

		uplink_small(frame_cases[i].mac, frame_cases[i].vid,
			     &frame_cases[i].e, &rep);
		all_passed &= case_print(frame_cases[i].name, &rep);
	}
	for (i = 0; i < ARRAY_SIZE(meta_cases); i++) {
		struct report rep = {};

		cpu_case(&meta_cases[i].m, &meta_cases[i].e, &rep);
		all_passed &= case_print(meta_cases[i].name, &rep);
	}
	for (i = 0; i < ARRAY_SIZE(single_cases); i++) {
		struct report rep = {};

		single_cases[i].run(&rep);
		all_passed &= case_print(single_cases[i].name, &rep);
	}
	for (i = 0; i < ARRAY_SIZE(rps_cases); i++) {
		struct report rep = {};

		run_rps_case(&rps_cases[i], &rep);
		all_passed &= case_print(rps_cases[i].name, &rep);
	}

	vfwd_bpf__destroy(generic_skel);
	vfwd_bpf__destroy(live_skel);
	vfwd_bpf__destroy(env.skel);
	return all_passed ? 0 : 1;
}
