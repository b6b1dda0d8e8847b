// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-gen: test traffic generator.
 *
 * There is no pktgen on the test hosts, so frames are injected with
 * BPF_PROG_TEST_RUN in live-frame mode (BPF_F_TEST_XDP_LIVE_FRAMES): the
 * kernel builds `repeat` copies of our frame and runs gen_tx on each as if
 * it had been received on --dev.  gen_tx returns XDP_TX, which live mode
 * turns into a redirect back out of --dev, so on a veth the frames appear
 * on the peer at several Mpps from one core.
 *
 * Some kernels refuse live-frame test runs (EPERM; the one these tests
 * run on now does).  Then the frames go out through an AF_PACKET socket
 * bound to --dev instead, in batches with sendmmsg() and past the qdisc
 * (PACKET_QDISC_BYPASS): slower, but what reaches the peer is the same.
 * Frames shorter than an Ethernet header cannot be sent either way there.
 *
 *   vfwd-gen --dev IFNAME --dst MAC [--src MAC] [--vlan VID] [--qinq]
 *            [--count N] [--size BYTES] [--flows N] [--gap-us N]
 *            [--len N] [--raw HEX]
 *   vfwd-gen --dev IFNAME --dst MAC --stamp [--macs N] [--rate PPS]
 *            [--src MAC] [--vlan VID] [--qinq] [--count N] [--size BYTES]
 *
 * The default frame is Ethernet [802.1Q | 802.1ad + 802.1Q] IPv4/UDP
 * 10.0.0.1:1024+flow -> 10.0.0.2:9 with valid checksums, --size bytes long
 * (no FCS).  --len truncates it, --raw replaces it.
 *
 * --stamp makes every frame different: its UDP payload starts with a
 * stamp (tests/tools/stamp.h) holding its sequence number and the
 * CLOCK_MONOTONIC time just before it was handed to the kernel, and its
 * UDP checksum is 0 (none, as IPv4 allows).  Frames go round-robin to
 * the --macs destinations --dst, --dst + 1, ..., at --rate frames a
 * second (default: as fast as they go), through the AF_PACKET socket, as
 * a live test run can only repeat one frame.  SIGTERM or SIGINT ends the
 * stream early; either way the output says how many frames were sent.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gen_tx.skel.h"
#include "gen_send.h"
#include "stamp.h"

#define PROG "vfwd-gen"
#include "tool_util.h"
#include "vfwd_tables.h"

/* Frame sizes exclude the FCS.  60 is the Ethernet minimum; 1514 is a
 * 1500-byte MTU frame, and a veth accepts one VLAN tag beyond that
 * (xdp_ok_fwd_dev allows mtu + hard_header_len + VLAN_HLEN). */
#define GEN_SIZE_DEFAULT 64
#define GEN_SIZE_MIN 60
#define GEN_SIZE_MAX 1514
#define GEN_VLAN_HLEN 4
#define GEN_SIZE_MAX_TAGGED (GEN_SIZE_MAX + GEN_VLAN_HLEN)

/* --raw frames are bounded only by what the kernel accepts for a live
 * test run (one page minus head- and tailroom); this just bounds parsing. */
#define GEN_RAW_MAX 4096

#define GEN_COUNT_DEFAULT 1ULL

#define GEN_VID_MIN 1
#define GEN_VID_MAX 4094
/* The inner (customer) tag of a --qinq frame.  Tests care about the outer
 * tag; the inner one only has to be a valid, recognisable VID. */
#define GEN_QINQ_INNER_VID 100

/* Flow f uses UDP source port GEN_SPORT_BASE + f, so flows are distinct
 * and stay below 65536. */
#define GEN_SPORT_BASE 1024
#define GEN_FLOWS_MAX (UINT16_MAX - GEN_SPORT_BASE + 1)
#define GEN_DPORT 9 /* discard: nothing answers it if a frame leaks out */

#define GEN_UDP_CSUM_ZERO 0xffff

#define GEN_IP_SRC "10.0.0.1"
#define GEN_IP_DST "10.0.0.2"
#define GEN_IP_TTL 64
#define GEN_IPV4_VERSION 4
#define GEN_IPV4_IHL 5 /* 20-byte header, no options */

/* BPF_PROG_TEST_RUN refuses data shorter than ETH_HLEN.  A shorter frame
 * is made by passing ETH_HLEN bytes and declaring the first ones XDP
 * metadata (ctx_in.data), which the kernel requires to be a multiple of 4
 * and at most 32 bytes (xdp_metalen_invalid()).  Older kernels (6.1)
 * accept this; newer ones also check the length after the metadata and
 * refuse it, which main() reports as such. */
#define GEN_META_ALIGN 4
#define GEN_META_MAX 32

/* --gap-us: at most a second between two flows. */
#define GEN_GAP_US_MAX 1000000

/* --stamp: at most this many destinations, counted up in the MAC's low
 * 24 bits (the bytes after the OUI), and at most this rate. */
#define GEN_MACS_MAX 65536
#define GEN_MAC_COUNTER_BITS 24
#define GEN_RATE_MAX 10000000
#define GEN_NSEC_PER_SEC 1000000000ULL
/* At --rate, a batch holds about this much time's worth of frames: the
 * frames of one batch share a send time, a little before their own. */
#define GEN_STAMP_BATCH_NS 1000000ULL

static const uint8_t gen_default_src[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};

struct gen_opts {
	const char *dev;
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	bool have_dst;
	unsigned int vid; /* 0: untagged */
	bool qinq;
	unsigned long long count;
	unsigned int size;
	unsigned int flows;
	unsigned int gap_us; /* pause between two flows' shares */
	unsigned int len; /* 0: no truncation */
	uint8_t *raw;
	size_t raw_len;
	bool stamp;
	unsigned int macs; /* --stamp: destinations from dst */
	unsigned int rate; /* --stamp: frames a second, 0 unpaced */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --dev IFNAME --dst MAC [--src MAC] [--vlan VID]\n"
		"         [--qinq] [--count N] [--size BYTES] [--flows N]\n"
		"         [--gap-us N] [--len N] [--raw HEX]\n"
		"  --dev IFNAME  inject on IFNAME (resolved in the current netns)\n"
		"  --dst MAC     destination MAC (not needed with --raw)\n"
		"  --src MAC     source MAC (default 02:00:00:00:00:01)\n"
		"  --vlan VID    add an 802.1Q tag with VID (1-4094)\n"
		"  --qinq        make the --vlan tag an 802.1ad outer tag and add an\n"
		"                inner 802.1Q tag with VID %d\n"
		"  --count N     frames to send (default 1)\n"
		"  --size BYTES  frame size without FCS (%d-%d, %d tagged; default %d)\n"
		"  --flows N     spread --count over N UDP source ports from %d\n"
		"  --gap-us N    pause N microseconds between two flows' frames\n"
		"  --len N       truncate the frame to N bytes (below 14: only 2, 6, 10)\n"
		"  --raw HEX     send exactly these bytes (overrides all but --count)\n"
		"  --stamp       stamp each frame with its sequence number and send\n"
		"                time (AF_PACKET; SIGTERM stops early)\n"
		"  --macs N      --stamp: round-robin over N MACs from --dst (1-%d)\n"
		"  --rate PPS    --stamp: send PPS frames a second (1-%d)\n",
		PROG, GEN_QINQ_INNER_VID, GEN_SIZE_MIN, GEN_SIZE_MAX,
		GEN_SIZE_MAX_TAGGED, GEN_SIZE_DEFAULT, GEN_SPORT_BASE,
		GEN_MACS_MAX, GEN_RATE_MAX);
}

/* libbpf's info messages are noise for a one-line tool; keep warnings. */
static int gen_libbpf_print(enum libbpf_print_level level, const char *fmt,
			    va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int parse_ull(const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long long v;
	int err;

	err = parse_ull(s, min, max, &v);
	if (err)
		return err;
	*out = v;
	return 0;
}

/* Hex digit pairs; ':' and whitespace between bytes are allowed so that
 * a frame can be pasted from tcpdump -xx or written as a MAC-like list. */
static int parse_hex(const char *s, uint8_t **out, size_t *out_len)
{
	uint8_t *buf;
	size_t n = 0;
	int hi, lo;

	buf = malloc(GEN_RAW_MAX);
	if (!buf)
		return -ENOMEM;
	while (*s) {
		if (*s == ':' || *s == ' ' || *s == '\t' || *s == '\n') {
			s++;
			continue;
		}
		hi = vfwd_hexval(s[0]);
		lo = hi < 0 ? -1 : vfwd_hexval(s[1]);
		if (lo < 0 || n == GEN_RAW_MAX) {
			free(buf);
			return lo < 0 ? -EINVAL : -E2BIG;
		}
		buf[n++] = hi << 4 | lo;
		s += 2;
	}
	if (!n) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

/* RFC 1071 one's-complement sum of 16-bit big-endian words, folded to
 * 16 bits (and complemented) by csum_fold(). */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint8_t *put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
	return p + 2;
}

static uint8_t *put_vlan(uint8_t *p, uint16_t tpid, unsigned int vid)
{
	p = put_be16(p, tpid);
	return put_be16(p, vid);
}

/* Builds the default frame for one flow into buf (opts->size bytes, zero
 * payload).  Sizes were validated against the header lengths already.
 * Headers are assembled in stack structs and copied in because the frame
 * buffer is not aligned for them after an odd number of VLAN tags. */
static void build_frame(const struct gen_opts *opts, unsigned int flow,
			uint8_t *buf)
{
	struct iphdr iph = {
		.version = GEN_IPV4_VERSION,
		.ihl = GEN_IPV4_IHL,
		.ttl = GEN_IP_TTL,
		.protocol = IPPROTO_UDP,
	};
	struct udphdr udph = {
		.source = htons(GEN_SPORT_BASE + flow),
		.dest = htons(GEN_DPORT),
	};
	unsigned int ip_len, udp_len;
	uint8_t *p = buf, *udp;
	uint32_t sum;

	memset(buf, 0, opts->size);
	memcpy(p, opts->dst, ETH_ALEN);
	p += ETH_ALEN;
	memcpy(p, opts->src, ETH_ALEN);
	p += ETH_ALEN;
	if (opts->vid && opts->qinq) {
		p = put_vlan(p, ETH_P_8021AD, opts->vid);
		p = put_vlan(p, ETH_P_8021Q, GEN_QINQ_INNER_VID);
	} else if (opts->vid) {
		p = put_vlan(p, ETH_P_8021Q, opts->vid);
	}
	p = put_be16(p, ETH_P_IP);

	ip_len = opts->size - (p - buf);
	udp_len = ip_len - sizeof(iph);

	iph.tot_len = htons(ip_len);
	inet_pton(AF_INET, GEN_IP_SRC, &iph.saddr);
	inet_pton(AF_INET, GEN_IP_DST, &iph.daddr);
	iph.check = htons(csum_fold(csum_add(0, &iph, sizeof(iph))));
	memcpy(p, &iph, sizeof(iph));
	p += sizeof(iph);

	udp = p;
	udph.len = htons(udp_len);
	memcpy(udp, &udph, sizeof(udph));

	/* UDP checksum over the pseudo header and the datagram, so that a
	 * receiving stack would accept the frame as well. */
	sum = csum_add(0, &iph.saddr, sizeof(iph.saddr));
	sum = csum_add(sum, &iph.daddr, sizeof(iph.daddr));
	sum += IPPROTO_UDP + udp_len;
	sum = csum_add(sum, udp, udp_len);
	udph.check = htons(csum_fold(sum));
	/* 0 means "no checksum" in UDP over IPv4; its one's-complement
	 * twin, all ones, is sent instead (RFC 768). */
	if (!udph.check)
		udph.check = GEN_UDP_CSUM_ZERO;
	memcpy(udp + offsetof(struct udphdr, check), &udph.check,
	       sizeof(udph.check));
}

/* Bytes of headers before the default frame's UDP payload. */
static unsigned int gen_hlen(const struct gen_opts *opts)
{
	unsigned int tags = !opts->vid ? 0 : opts->qinq ? 2 : 1;

	return ETH_HLEN + tags * GEN_VLAN_HLEN + sizeof(struct iphdr) +
	       sizeof(struct udphdr);
}

static uint64_t gen_mac_u64(const uint8_t *mac)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < ETH_ALEN; i++)
		v = v << CHAR_BIT | mac[i];
	return v;
}

static void gen_mac_put(uint8_t *mac, uint64_t v)
{
	int i;

	for (i = ETH_ALEN - 1; i >= 0; i--, v >>= CHAR_BIT)
		mac[i] = v;
}

static uint64_t gen_mac_counter_mask(void)
{
	return (1ULL << GEN_MAC_COUNTER_BITS) - 1;
}

static int len_is_buildable(unsigned int len)
{
	unsigned int meta;

	if (len >= ETH_HLEN)
		return 1;
	meta = ETH_HLEN - len;
	return meta % GEN_META_ALIGN == 0 && meta <= GEN_META_MAX;
}

static int parse_args(int argc, char **argv, struct gen_opts *opts)
{
	enum {
		O_DEV = 1,
		O_DST,
		O_SRC,
		O_VLAN,
		O_QINQ,
		O_COUNT,
		O_SIZE,
		O_FLOWS,
		O_GAP,
		O_LEN,
		O_RAW,
		O_STAMP,
		O_MACS,
		O_RATE,
		O_HELP
	};
	static const struct option longopts[] = {
		{"dev", required_argument, NULL, O_DEV},
		{"dst", required_argument, NULL, O_DST},
		{"src", required_argument, NULL, O_SRC},
		{"vlan", required_argument, NULL, O_VLAN},
		{"qinq", no_argument, NULL, O_QINQ},
		{"count", required_argument, NULL, O_COUNT},
		{"size", required_argument, NULL, O_SIZE},
		{"flows", required_argument, NULL, O_FLOWS},
		{"gap-us", required_argument, NULL, O_GAP},
		{"len", required_argument, NULL, O_LEN},
		{"raw", required_argument, NULL, O_RAW},
		{"stamp", no_argument, NULL, O_STAMP},
		{"macs", required_argument, NULL, O_MACS},
		{"rate", required_argument, NULL, O_RATE},
		{"help", no_argument, NULL, O_HELP},
		{0},
	};
	bool have_size = false, have_flows = false;
	unsigned int max;
	int c, err;

	memcpy(opts->src, gen_default_src, ETH_ALEN);
	opts->count = GEN_COUNT_DEFAULT;
	opts->size = GEN_SIZE_DEFAULT;
	opts->flows = 1;
	opts->macs = 1;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case O_DEV:
			opts->dev = optarg;
			break;
		case O_DST:
			err = vfwd_mac_parse(optarg, opts->dst);
			opts->have_dst = true;
			break;
		case O_SRC:
			err = vfwd_mac_parse(optarg, opts->src);
			break;
		case O_VLAN:
			err = parse_uint(optarg, GEN_VID_MIN, GEN_VID_MAX,
					 &opts->vid);
			break;
		case O_QINQ:
			opts->qinq = true;
			break;
		case O_COUNT:
			err = parse_ull(optarg, 1, ULLONG_MAX, &opts->count);
			break;
		case O_SIZE:
			err = parse_uint(optarg, GEN_SIZE_MIN,
					 GEN_SIZE_MAX_TAGGED, &opts->size);
			have_size = true;
			break;
		case O_GAP:
			err = parse_uint(optarg, 0, GEN_GAP_US_MAX,
					 &opts->gap_us);
			break;
		case O_FLOWS:
			err = parse_uint(optarg, 1, GEN_FLOWS_MAX,
					 &opts->flows);
			have_flows = true;
			break;
		case O_LEN:
			err = parse_uint(optarg, 1, GEN_SIZE_MAX_TAGGED,
					 &opts->len);
			break;
		case O_RAW:
			free(opts->raw);
			err = parse_hex(optarg, &opts->raw, &opts->raw_len);
			break;
		case O_STAMP:
			opts->stamp = true;
			break;
		case O_MACS:
			err = parse_uint(optarg, 1, GEN_MACS_MAX, &opts->macs);
			break;
		case O_RATE:
			err = parse_uint(optarg, 1, GEN_RATE_MAX, &opts->rate);
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (err) {
			errmsg("option --%s: invalid value '%s': %s",
			       longopts[c - 1].name, optarg,
			       err == -ERANGE ? "out of range"
					      : strerror(-err));
			return err;
		}
	}
	if (optind < argc) {
		errmsg("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!opts->dev) {
		errmsg("--dev is required");
		return -EINVAL;
	}
	if (opts->stamp &&
	    (opts->raw || opts->len || have_flows || opts->gap_us)) {
		errmsg("--stamp sends frames of its own: leave out --raw, --len, --flows and --gap-us");
		return -EINVAL;
	}
	if (!opts->stamp && (opts->macs != 1 || opts->rate)) {
		errmsg("--macs and --rate need --stamp");
		return -EINVAL;
	}
	if (opts->raw) {
		if (!len_is_buildable(opts->raw_len)) {
			errmsg("--raw: a %zu-byte frame cannot be injected: below %d bytes only 2, 6 or 10 work (the rest of %d bytes becomes XDP metadata, which must be a multiple of %d)",
			       opts->raw_len, ETH_HLEN, ETH_HLEN,
			       GEN_META_ALIGN);
			return -EINVAL;
		}
		return 0;
	}
	if (!opts->have_dst) {
		errmsg("--dst is required without --raw");
		return -EINVAL;
	}
	if (opts->qinq && !opts->vid) {
		errmsg("--qinq needs --vlan for the outer tag");
		return -EINVAL;
	}
	max = opts->vid ? GEN_SIZE_MAX_TAGGED : GEN_SIZE_MAX;
	if (have_size && opts->size > max) {
		errmsg("--size %u: an untagged frame is at most %u bytes",
		       opts->size, max);
		return -ERANGE;
	}
	if (opts->len > opts->size) {
		errmsg("--len %u: longer than the %u-byte frame", opts->len,
		       opts->size);
		return -EINVAL;
	}
	if (opts->stamp &&
	    opts->size < gen_hlen(opts) + sizeof(struct vfwd_stamp)) {
		errmsg("--stamp: a %u-byte frame has no room for the %zu-byte stamp after its %u bytes of headers",
		       opts->size, sizeof(struct vfwd_stamp), gen_hlen(opts));
		return -EINVAL;
	}
	if (opts->stamp &&
	    ((gen_mac_u64(opts->dst) & gen_mac_counter_mask()) + opts->macs -
	     1) >> GEN_MAC_COUNTER_BITS) {
		errmsg("--macs %u: counting up from --dst would run past its last three bytes",
		       opts->macs);
		return -ERANGE;
	}
	if (opts->len && !len_is_buildable(opts->len)) {
		errmsg("--len %u: below %d bytes only 2, 6 or 10 work (the rest of %d bytes becomes XDP metadata, which must be a multiple of %d)",
		       opts->len, ETH_HLEN, ETH_HLEN, GEN_META_ALIGN);
		return -EINVAL;
	}
	return 0;
}

/* Sends the default frame, --count split over --flows templates. */
static int gen_run_flows(const struct gen_opts *opts, struct gen_sender *g)
{
	unsigned long long share;
	size_t len = opts->len ? opts->len : opts->size;
	uint8_t *frame;
	unsigned int f;
	int err = 0;

	frame = malloc(opts->size);
	if (!frame)
		return -ENOMEM;
	for (f = 0; f < opts->flows; f++) {
		/* The first count % flows templates take one extra frame. */
		share = opts->count / opts->flows +
			(f < opts->count % opts->flows);
		if (!share)
			break;
		if (f && opts->gap_us)
			usleep(opts->gap_us);
		build_frame(opts, f, frame);
		err = gen_send(g, frame, len, share);
		if (err)
			break;
	}
	free(frame);
	return err;
}

static volatile sig_atomic_t gen_stop;

static void gen_on_signal(int sig)
{
	gen_stop = 1;
}

/* When frame seq is due at --rate, from start. */
static uint64_t gen_due_ns(uint64_t start, unsigned long long seq,
			   unsigned int rate)
{
	return start + seq / rate * GEN_NSEC_PER_SEC +
	       seq % rate * GEN_NSEC_PER_SEC / rate;
}

/* Sleeps until due (CLOCK_MONOTONIC); false if a signal came first. */
static bool gen_sleep_until(uint64_t due)
{
	struct timespec ts = {
		.tv_sec = due / GEN_NSEC_PER_SEC,
		.tv_nsec = due % GEN_NSEC_PER_SEC,
	};

	return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0;
}

/* --stamp: up to --count stamped frames, until a signal; *sent says how
 * many went out. */
static int gen_run_stamped(const struct gen_opts *opts, struct gen_sender *g,
			   unsigned long long *sent)
{
	struct sigaction sa = {.sa_handler = gen_on_signal};
	struct vfwd_stamp st = {.magic = VFWD_STAMP_MAGIC};
	unsigned int hlen = gen_hlen(opts), batch = GEN_PKT_BATCH, i, n;
	uint64_t base = gen_mac_u64(opts->dst), start, now;
	uint8_t *frames[GEN_PKT_BATCH], *buf;
	const uint16_t no_csum = 0;
	int err = 0;

	if (opts->rate)
		batch = opts->rate * GEN_STAMP_BATCH_NS / GEN_NSEC_PER_SEC;
	batch = batch < 1 ? 1 : batch > GEN_PKT_BATCH ? GEN_PKT_BATCH : batch;
	buf = malloc((size_t)batch * opts->size);
	if (!buf)
		return -ENOMEM;
	build_frame(opts, 0, buf);
	/* The stamp differs in every frame: no checksum to keep valid. */
	memcpy(buf + hlen - sizeof(struct udphdr) +
		       offsetof(struct udphdr, check),
	       &no_csum, sizeof(no_csum));
	frames[0] = buf;
	for (i = 1; i < batch; i++) {
		frames[i] = buf + (size_t)i * opts->size;
		memcpy(frames[i], buf, opts->size);
	}
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)) {
		free(buf);
		return -errno;
	}

	*sent = 0;
	start = vfwd_stamp_now();
	while (*sent < opts->count && !gen_stop) {
		if (opts->rate &&
		    !gen_sleep_until(gen_due_ns(start, *sent, opts->rate)))
			continue;
		n = opts->count - *sent < batch ? opts->count - *sent : batch;
		for (i = 0; i < n; i++)
			gen_mac_put(frames[i], base + (*sent + i) % opts->macs);
		now = vfwd_stamp_now();
		for (i = 0; i < n; i++) {
			st.seq = *sent + i;
			st.sent_ns = now;
			memcpy(frames[i] + hlen, &st, sizeof(st));
		}
		err = gen_send_each(g, frames, opts->size, n);
		if (err)
			break;
		*sent += n;
	}
	free(buf);
	return err;
}

int main(int argc, char **argv)
{
	struct gen_opts opts = {0};
	struct gen_sender g = {.pkt_fd = -1};
	struct gen_tx_bpf *skel;
	unsigned long long sent;
	size_t frame_len;
	int ifindex, err;

	if (parse_args(argc, argv, &opts))
		return 1;

	ifindex = if_nametoindex(opts.dev);
	if (!ifindex) {
		errmsg("device %s: cannot resolve ifindex: %s", opts.dev,
		       strerror(errno));
		return 1;
	}

	libbpf_set_print(gen_libbpf_print);
	skel = gen_tx_bpf__open_and_load();
	if (!skel) {
		errmsg("program gen_tx: cannot load: %s", strerror(errno));
		return 1;
	}

	g.prog_fd = bpf_program__fd(skel->progs.gen_tx);
	g.ifindex = ifindex;
	frame_len = opts.raw ? opts.raw_len : opts.len ? opts.len : opts.size;
	sent = opts.count;
	if (opts.stamp)
		err = gen_run_stamped(&opts, &g, &sent);
	else if (opts.raw)
		err = gen_send(&g, opts.raw, opts.raw_len, opts.count);
	else
		err = gen_run_flows(&opts, &g);
	gen_tx_bpf__destroy(skel);
	if (g.pkt_fd >= 0)
		close(g.pkt_fd);
	free(opts.raw);
	if (err == -EINVAL && frame_len < ETH_HLEN) {
		/* Kernels with the XDP frags test_run rework (6.18 among them)
		 * check the length after the metadata, so no frame shorter
		 * than an Ethernet header can be injected any more. */
		errmsg("device %s: kernel refuses the %zu-byte frame: BPF_PROG_TEST_RUN needs at least %d bytes after the XDP metadata",
		       opts.dev, frame_len, ETH_HLEN);
		return 1;
	}
	if (err) {
		errmsg("device %s: sending failed (%s): %s", opts.dev,
		       g.pkt_fd >= 0 ? "AF_PACKET" : "live-frame test run",
		       strerror(-err));
		return 1;
	}
	printf(PROG ": sent %llu frames on %s\n", sent, opts.dev);
	return 0;
}
