// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-sink: counts the frames a test sends through vfwd.
 *
 *   vfwd-sink --tap NAME [--queues N] [--out FILE] [--ready FILE]
 *             [--stamps FILE]
 *   vfwd-sink --packet IFNAME [--out FILE] [--ready FILE] [--stamps FILE]
 *
 * --tap creates a tap and reads it, as QEMU would: a frame redirected into
 * a tap without a reader is dropped, so the sink is the guest stand-in.
 * --packet counts what arrives on an existing interface (a veth end) with
 * an AF_PACKET socket.
 *
 * Frames are counted by {destination MAC, outermost VLAN id}, by tap
 * queue and by flow and queue.  After setup the word "ready" goes to
 * --ready FILE; on SIGTERM or SIGINT one JSON document goes to --out FILE
 * (default stdout):
 *
 *   {"total": N, "bytes": B, "by_dst": {"52:54:00:00:00:01/0": n, ...},
 *    "by_queue": [n0, ...], "drops": D,
 *    "by_flow": {"10.0.0.1:1024>10.0.0.2:9/udp": [n0, ...],
 *                "[2001:db8::1]:1024>[2001:db8::2]:9/tcp": [n0, ...], ...},
 *    "flows_multi_queue": M}
 *
 * bytes counts frames as they were on the wire (no FCS), including a VLAN
 * tag the kernel moved into skb metadata.  by_dst has an "other" key for
 * frames beyond the key limit or too short to carry a destination MAC.
 * drops is what the packet socket lost for lack of buffer (0 for taps).
 *
 * by_flow lets a test check that each flow stays on one queue.  A flow is
 * an IPv4 or IPv6 packet carrying UDP or TCP, behind at most one VLAN tag
 * (802.1Q or 802.1ad; inline, or moved into skb metadata on a packet
 * socket).  IPv6 extension headers are not followed and non-first IPv4
 * fragments carry no ports, so those frames, like all others, are left out
 * of by_flow.  Each flow maps to one count per queue read (one entry for
 * --packet), in the order of by_queue.  Flows beyond the flow limit are
 * summed per queue under an "other" key.  flows_multi_queue is the number
 * of by_flow keys, "other" not included, seen on more than one queue.
 *
 * --stamps FILE writes one record (tests/tools/stamp.h) for each frame
 * that carries a vfwd-gen --stamp stamp: IPv4/UDP behind at most one tag,
 * the stamp at the start of the UDP payload.  The JSON document then has
 * a "stamped" count as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define PROG "vfwd-sink"
#include "stamp.h"
#include "tool_util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Distinct {MAC, VID} keys kept; more are summed under "other".  The
 * hash index is at least twice as large so that linear probes stay
 * short. */
#define SINK_MAX_KEYS 4096
#define SINK_HASH_BITS 13
#define SINK_HASH_SLOTS (1U << SINK_HASH_BITS)
/* 2^64 / golden ratio: multiplicative (Fibonacci) hashing. */
#define SINK_HASH_MULT 0x9e3779b97f4a7c15ULL

/* Distinct flows kept in by_flow; more are summed under "other".  Each
 * flow holds one counter per possible queue (2 KiB), so this bounds the
 * table to 2 MiB, and a test has far fewer flows.  The hash index is at
 * least twice as large, as for the {MAC, VID} keys. */
#define SINK_MAX_FLOWS 1024
#define SINK_FLOW_HASH_BITS 11
#define SINK_FLOW_HASH_SLOTS (1U << SINK_FLOW_HASH_BITS)
/* FNV-1a, 64-bit: folds the flow key's bytes into one word. */
#define SINK_FNV_OFFSET 0xcbf29ce484222325ULL
#define SINK_FNV_PRIME 0x100000001b3ULL

/* The kernel's MAX_TAP_QUEUES. */
#define SINK_MAX_QUEUES 256

/* A tap read must hold the whole frame or the rest is lost; 64 KiB covers
 * any frame a tap without IFF_VNET_HDR hands out. */
#define SINK_TAP_BUF 65536

/* IPv4's IHL counts 32-bit words in 4 bits: 60 bytes at most. */
#define SINK_IPV4_IHL_UNIT 4
#define SINK_IPV4_IHL_MAX 0xf
#define SINK_IPV4_MAX_HLEN (SINK_IPV4_IHL_MAX * SINK_IPV4_IHL_UNIT)
/* A UDP or TCP header starts with the source and destination ports. */
#define SINK_L4_PORTS_LEN 4

/* Packet sockets report a frame's full length with MSG_TRUNC, so only the
 * headers the keys need are copied: Ethernet, one tag, the longest IP
 * header (IPv4 with options; IPv6's is 40 bytes) and the ports, or the
 * UDP header and a stamp. */
#define SINK_L4_SNAP (sizeof(struct udphdr) + sizeof(struct vfwd_stamp))
_Static_assert(SINK_L4_SNAP >= SINK_L4_PORTS_LEN, "ports in the snap");
#define SINK_PKT_SNAP (ETH_HLEN + VLAN_HLEN + SINK_IPV4_MAX_HLEN + SINK_L4_SNAP)
#define SINK_PKT_BATCH 64
/* Socket buffer for bursts of several Mpps from vfwd-gen; root may exceed
 * net.core.rmem_max with SO_RCVBUFFORCE. */
#define SINK_PKT_RCVBUF (64 << 20)

/* Frames read from one fd before polling again, so a flood on one queue
 * neither starves the others nor delays SIGTERM. */
#define SINK_DRAIN_BUDGET 1024

#define VLAN_HLEN 4
#define VLAN_VID_MASK 0x0fff
#define IPV4_VERSION 4
#define IPV6_VERSION 6
/* The version is the top nibble of an IPv6 header's first byte. */
#define IPV6_VERSION_SHIFT 4

#define TUN_DEV "/dev/net/tun"
#define IPV6_DISABLE_FMT "/proc/sys/net/ipv6/conf/%s/disable_ipv6"

/* "xx:xx:xx:xx:xx:xx/4095" plus NUL. */
#define SINK_KEY_STR_LEN 24
/* "[addr]:65535>[addr]:65535/udp" plus NUL; INET6_ADDRSTRLEN counts a
 * NUL of its own, so this is a few bytes more than needed. */
#define SINK_FLOW_STR_LEN                                                      \
	(2 * (INET6_ADDRSTRLEN + sizeof("[]:65535")) + sizeof(">/udp"))

/* XDP_PASS program name; the kernel keeps BPF_OBJ_NAME_LEN - 1 chars. */
#define SINK_XDP_NAME "vfwd_sink_pass"

/* A counting key packs {MAC, VID} into one integer: the MAC's 48 bits
 * above a 16-bit VID field. */
#define SINK_KEY_VID_BITS 16

struct sink_entry {
	uint64_t key; /* see sink_key() */
	uint64_t count;
};

/* A flow as parsed from the frame.  Zeroed before it is filled, so that
 * padding and the unused tail of an IPv4 address compare equal. */
struct sink_flow_key {
	uint8_t saddr[sizeof(struct in6_addr)]; /* IPv4 in the first 4 */
	uint8_t daddr[sizeof(struct in6_addr)];
	uint16_t sport; /* host order */
	uint16_t dport;
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto; /* IPPROTO_UDP or IPPROTO_TCP */
};

struct sink_flow {
	struct sink_flow_key key;
	uint64_t by_queue[SINK_MAX_QUEUES];
};

struct sink_stats {
	uint64_t total;
	uint64_t bytes;
	uint64_t other;
	uint64_t drops;
	unsigned int nqueues;
	uint64_t by_queue[SINK_MAX_QUEUES];
	unsigned int nkeys;
	struct sink_entry entries[SINK_MAX_KEYS];
	/* Index into entries plus one; 0 is an empty slot. */
	uint16_t slots[SINK_HASH_SLOTS];
	unsigned int nflows;
	struct sink_flow flows[SINK_MAX_FLOWS];
	/* Per queue, frames of flows beyond SINK_MAX_FLOWS. */
	uint64_t flow_other[SINK_MAX_QUEUES];
	/* Index into flows plus one; 0 is an empty slot. */
	uint16_t flow_slots[SINK_FLOW_HASH_SLOTS];
	bool stamping; /* --stamps given */
	FILE *stamps; /* --stamps, while open */
	uint64_t stamped;
};

struct sink_opts {
	const char *tap;
	const char *packet;
	unsigned int queues;
	const char *out;
	const char *ready;
	const char *stamps;
};

static volatile sig_atomic_t sink_stop;

static void on_signal(int sig)
{
	sink_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --tap NAME [--queues N] [--out FILE] [--ready FILE]\n"
		"       %s --packet IFNAME [--out FILE] [--ready FILE]\n"
		"  --tap NAME      create tap NAME and count what is sent into it\n"
		"  --queues N      multiqueue tap with N queues (1-%d, default 1)\n"
		"  --packet IFNAME count frames received on IFNAME (attaches an\n"
		"                  XDP_PASS program so redirected frames arrive)\n"
		"  --out FILE      JSON counters on SIGTERM/SIGINT (default stdout)\n"
		"  --ready FILE    write \"ready\" here once counting has started\n"
		"  --stamps FILE   write a record of each stamped frame here\n",
		PROG, PROG, SINK_MAX_QUEUES);
}

static uint64_t sink_key(const uint8_t *mac, unsigned int vid)
{
	uint64_t key = 0;
	int i;

	for (i = 0; i < ETH_ALEN; i++)
		key = key << CHAR_BIT | mac[i];
	return key << SINK_KEY_VID_BITS | vid;
}

/* Formats a key as "xx:xx:xx:xx:xx:xx/vid", the inverse of sink_key(). */
static void sink_key_str(uint64_t key, char buf[SINK_KEY_STR_LEN])
{
	uint64_t bits = key >> SINK_KEY_VID_BITS;
	uint8_t mac[ETH_ALEN];
	int i;

	for (i = ETH_ALEN - 1; i >= 0; i--, bits >>= CHAR_BIT)
		mac[i] = bits;
	snprintf(buf, SINK_KEY_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x/%u",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
		 (unsigned int)(key & VLAN_VID_MASK));
}

/* Fibonacci hashing: the key's low bits are the VID and a MAC's low bits
 * are often sequential, so mix before taking the top bits. */
static unsigned int sink_hash(uint64_t key)
{
	return (key * SINK_HASH_MULT) >> (64 - SINK_HASH_BITS);
}
_Static_assert(SINK_HASH_SLOTS >= 2 * SINK_MAX_KEYS, "probe length");
_Static_assert(SINK_MAX_KEYS < UINT16_MAX, "slots[] index width");

static void sink_count_key(struct sink_stats *st, uint64_t key)
{
	unsigned int h = sink_hash(key);
	struct sink_entry *e;

	for (;; h = (h + 1) % SINK_HASH_SLOTS) {
		if (!st->slots[h])
			break;
		e = &st->entries[st->slots[h] - 1];
		if (e->key == key) {
			e->count++;
			return;
		}
	}
	if (st->nkeys == SINK_MAX_KEYS) {
		st->other++;
		return;
	}
	e = &st->entries[st->nkeys++];
	e->key = key;
	e->count = 1;
	st->slots[h] = st->nkeys;
}

/* Outermost VLAN id of a frame still carrying its tags, 0 if untagged. */
static unsigned int frame_vid(const uint8_t *frame, size_t len)
{
	uint16_t proto, tci;

	if (len < ETH_HLEN + VLAN_HLEN)
		return 0;
	proto = frame[2 * ETH_ALEN] << 8 | frame[2 * ETH_ALEN + 1];
	if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
		return 0;
	tci = frame[ETH_HLEN] << 8 | frame[ETH_HLEN + 1];
	return tci & VLAN_VID_MASK;
}

static uint16_t get_be16(const uint8_t *p)
{
	return p[0] << CHAR_BIT | p[1];
}

/* Source and destination port, the first fields of UDP and TCP. */
static void flow_ports(const uint8_t *l4, struct sink_flow_key *k)
{
	k->sport = get_be16(l4);
	k->dport = get_be16(l4 + sizeof(uint16_t));
}

/* Keys the IPv4 packet pkt, len bytes of it captured; false if it has no
 * ports to key on. */
static bool ipv4_flow(const uint8_t *pkt, size_t len, struct sink_flow_key *k)
{
	struct iphdr ip;
	size_t hlen;

	if (len < sizeof(ip))
		return false;
	/* Behind a 14-byte Ethernet header the addresses are unaligned. */
	memcpy(&ip, pkt, sizeof(ip));
	hlen = ip.ihl * SINK_IPV4_IHL_UNIT;
	if (ip.version != IPV4_VERSION || hlen < sizeof(ip))
		return false;
	/* Only the first fragment carries the L4 header. */
	if (ntohs(ip.frag_off) & IP_OFFMASK)
		return false;
	if (ip.protocol != IPPROTO_UDP && ip.protocol != IPPROTO_TCP)
		return false;
	if (len < hlen + SINK_L4_PORTS_LEN)
		return false;
	k->family = AF_INET;
	k->proto = ip.protocol;
	memcpy(k->saddr, &ip.saddr, sizeof(ip.saddr));
	memcpy(k->daddr, &ip.daddr, sizeof(ip.daddr));
	flow_ports(pkt + hlen, k);
	return true;
}

/* As ipv4_flow(), for IPv6; extension headers are not followed. */
static bool ipv6_flow(const uint8_t *pkt, size_t len, struct sink_flow_key *k)
{
	struct ip6_hdr ip6;

	if (len < sizeof(ip6) + SINK_L4_PORTS_LEN)
		return false;
	memcpy(&ip6, pkt, sizeof(ip6));
	if (ip6.ip6_vfc >> IPV6_VERSION_SHIFT != IPV6_VERSION)
		return false;
	if (ip6.ip6_nxt != IPPROTO_UDP && ip6.ip6_nxt != IPPROTO_TCP)
		return false;
	k->family = AF_INET6;
	k->proto = ip6.ip6_nxt;
	memcpy(k->saddr, &ip6.ip6_src, sizeof(ip6.ip6_src));
	memcpy(k->daddr, &ip6.ip6_dst, sizeof(ip6.ip6_dst));
	flow_ports(pkt + sizeof(ip6), k);
	return true;
}

/*
 * The EtherType of a frame behind at most one tag, and in *off where its
 * payload starts; -1 if the frame is too short.  tag_stripped: the kernel
 * moved a tag into metadata, so that one tag is used up and the frame may
 * not carry another inline.
 */
static int frame_l3(const uint8_t *frame, size_t len, bool tag_stripped,
		    size_t *off)
{
	uint16_t proto;

	*off = ETH_HLEN;
	if (len < ETH_HLEN)
		return -1;
	proto = get_be16(frame + 2 * ETH_ALEN);
	if (!tag_stripped && (proto == ETH_P_8021Q || proto == ETH_P_8021AD)) {
		*off += VLAN_HLEN;
		if (len < *off)
			return -1;
		/* The tag ends with the EtherType it encapsulates. */
		proto = get_be16(frame + *off - sizeof(proto));
	}
	return proto;
}

/* The stamp at the start of an IPv4/UDP frame's payload; false for a
 * frame without one. */
static bool frame_stamp(const uint8_t *frame, size_t len, bool tag_stripped,
			struct vfwd_stamp *stamp)
{
	struct iphdr ip;
	size_t off;

	if (frame_l3(frame, len, tag_stripped, &off) != ETH_P_IP ||
	    len < off + sizeof(ip))
		return false;
	memcpy(&ip, frame + off, sizeof(ip));
	if (ip.version != IPV4_VERSION ||
	    ip.ihl * SINK_IPV4_IHL_UNIT < sizeof(ip) ||
	    ip.protocol != IPPROTO_UDP || (ntohs(ip.frag_off) & IP_OFFMASK))
		return false;
	off += ip.ihl * SINK_IPV4_IHL_UNIT + sizeof(struct udphdr);
	if (len < off + sizeof(*stamp))
		return false;
	memcpy(stamp, frame + off, sizeof(*stamp));
	return stamp->magic == VFWD_STAMP_MAGIC;
}

/* Records a stamped frame for --stamps. */
static void sink_record_stamp(struct sink_stats *st, const uint8_t *frame,
			      unsigned int vid, const struct vfwd_stamp *stamp,
			      uint64_t recv_ns)
{
	struct vfwd_stamp_rec rec = {
		.vid = vid,
		.seq = stamp->seq,
		.sent_ns = stamp->sent_ns,
		.recv_ns = recv_ns,
	};

	memcpy(rec.dst, frame, ETH_ALEN);
	st->stamped++;
	/* A failed write shows in ferror() when the file is closed. */
	fwrite(&rec, sizeof(rec), 1, st->stamps);
}

/*
 * Keys a frame by its UDP or TCP flow; false for any other frame.
 * tag_stripped: the kernel moved a tag into metadata, so that one tag is
 * used up and the frame may not carry another inline.
 */
static bool frame_flow(const uint8_t *frame, size_t len, bool tag_stripped,
		       struct sink_flow_key *k)
{
	size_t off;
	int proto = frame_l3(frame, len, tag_stripped, &off);

	if (proto < 0)
		return false;
	memset(k, 0, sizeof(*k));
	switch (proto) {
	case ETH_P_IP:
		return ipv4_flow(frame + off, len - off, k);
	case ETH_P_IPV6:
		return ipv6_flow(frame + off, len - off, k);
	default:
		return false;
	}
}

static unsigned int sink_flow_hash(const struct sink_flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = SINK_FNV_OFFSET;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * SINK_FNV_PRIME;
	return (h * SINK_HASH_MULT) >> (64 - SINK_FLOW_HASH_BITS);
}
_Static_assert(SINK_FLOW_HASH_SLOTS >= 2 * SINK_MAX_FLOWS, "probe length");
_Static_assert(SINK_MAX_FLOWS < UINT16_MAX, "flow_slots[] index width");

static void sink_count_flow(struct sink_stats *st, unsigned int queue,
			    const struct sink_flow_key *key)
{
	unsigned int h = sink_flow_hash(key);
	struct sink_flow *f;

	for (;; h = (h + 1) % SINK_FLOW_HASH_SLOTS) {
		if (!st->flow_slots[h])
			break;
		f = &st->flows[st->flow_slots[h] - 1];
		if (!memcmp(&f->key, key, sizeof(*key))) {
			f->by_queue[queue]++;
			return;
		}
	}
	if (st->nflows == SINK_MAX_FLOWS) {
		st->flow_other[queue]++;
		return;
	}
	f = &st->flows[st->nflows++];
	/* memcpy, not assignment: lookups memcmp the padding too. */
	memcpy(&f->key, key, sizeof(*key));
	f->by_queue[queue] = 1;
	st->flow_slots[h] = st->nflows;
}

/* Formats a flow as "SRC:SPORT>DST:DPORT/udp", IPv6 addresses in
 * brackets. */
static void sink_flow_str(const struct sink_flow_key *k,
			  char buf[SINK_FLOW_STR_LEN])
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const char *fmt =
		k->family == AF_INET6 ? "[%s]:%u>[%s]:%u/%s" : "%s:%u>%s:%u/%s";

	inet_ntop(k->family, k->saddr, src, sizeof(src));
	inet_ntop(k->family, k->daddr, dst, sizeof(dst));
	snprintf(buf, SINK_FLOW_STR_LEN, fmt, src, k->sport, dst, k->dport,
		 k->proto == IPPROTO_TCP ? "tcp" : "udp");
}

/*
 * Counts one frame.  frame holds the first caplen bytes of a wire_len
 * byte frame; aux_vid >= 0 is a tag the kernel stripped into metadata,
 * which was the outermost one.  recv_ns: when the read that returned it
 * returned (with --stamps).
 */
static void sink_count(struct sink_stats *st, unsigned int queue,
		       const uint8_t *frame, size_t caplen, size_t wire_len,
		       int aux_vid, uint64_t recv_ns)
{
	struct sink_flow_key flow;
	struct vfwd_stamp stamp;
	unsigned int vid;

	st->total++;
	st->bytes += wire_len;
	st->by_queue[queue]++;
	if (frame_flow(frame, caplen, aux_vid >= 0, &flow))
		sink_count_flow(st, queue, &flow);
	if (caplen < ETH_ALEN) {
		st->other++;
		return;
	}
	vid = aux_vid >= 0 ? (unsigned int)aux_vid : frame_vid(frame, caplen);
	sink_count_key(st, sink_key(frame, vid));
	if (st->stamps && frame_stamp(frame, caplen, aux_vid >= 0, &stamp))
		sink_record_stamp(st, frame, vid, &stamp, recv_ns);
}

/* The receive time for --stamps, read after the read returned. */
static uint64_t sink_recv_ns(const struct sink_stats *st)
{
	return st->stamps ? vfwd_stamp_now() : 0;
}

static int write_ready(const char *path)
{
	static const char word[] = "ready\n";
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, word, sizeof(word) - 1);
	if (n < 0)
		err = -errno;
	else if (n != sizeof(word) - 1)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* Writes counts[0..n-1] as a JSON array. */
static void write_counts(FILE *f, const uint64_t *counts, unsigned int n)
{
	unsigned int i;

	fputc('[', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%llu", i ? ", " : "",
			(unsigned long long)counts[i]);
	fputc(']', f);
}

/* Number of queues[0..n-1] with a nonzero count. */
static unsigned int queues_used(const uint64_t *counts, unsigned int n)
{
	unsigned int i, used = 0;

	for (i = 0; i < n; i++)
		used += counts[i] != 0;
	return used;
}

static int write_json(const struct sink_stats *st, const char *path)
{
	const struct sink_entry *e;
	const struct sink_flow *fl;
	const char *sep = "";
	char key[SINK_KEY_STR_LEN];
	char flow[SINK_FLOW_STR_LEN];
	unsigned int i, multi = 0;
	FILE *f = stdout;

	if (path) {
		f = fopen(path, "w");
		if (!f)
			return -errno;
	}
	fprintf(f, "{\"total\": %llu, \"bytes\": %llu, \"by_dst\": {",
		(unsigned long long)st->total, (unsigned long long)st->bytes);
	for (i = 0; i < st->nkeys; i++) {
		e = &st->entries[i];
		sink_key_str(e->key, key);
		fprintf(f, "%s\"%s\": %llu", sep, key,
			(unsigned long long)e->count);
		sep = ", ";
	}
	if (st->other)
		fprintf(f, "%s\"other\": %llu", sep,
			(unsigned long long)st->other);
	fprintf(f, "}, \"by_queue\": ");
	write_counts(f, st->by_queue, st->nqueues);
	fprintf(f, ", \"drops\": %llu, \"by_flow\": {",
		(unsigned long long)st->drops);
	sep = "";
	for (i = 0; i < st->nflows; i++) {
		fl = &st->flows[i];
		sink_flow_str(&fl->key, flow);
		fprintf(f, "%s\"%s\": ", sep, flow);
		write_counts(f, fl->by_queue, st->nqueues);
		if (queues_used(fl->by_queue, st->nqueues) > 1)
			multi++;
		sep = ", ";
	}
	if (queues_used(st->flow_other, st->nqueues)) {
		fprintf(f, "%s\"other\": ", sep);
		write_counts(f, st->flow_other, st->nqueues);
	}
	fprintf(f, "}, \"flows_multi_queue\": %u", multi);
	if (st->stamping)
		fprintf(f, ", \"stamped\": %llu",
			(unsigned long long)st->stamped);
	fprintf(f, "}\n");

	if (f == stdout)
		return fflush(f) ? -errno : 0;
	return fclose(f) ? -errno : 0;
}

/* ---- tap mode ---------------------------------------------------------- */

/*
 * The kernel sends IPv6 router and multicast listener solicitations out of
 * a new interface; on a tap those would reach the sink and be counted as
 * forwarded traffic.  A tap the sink owns has no use for IPv6.
 */
static int tap_disable_ipv6(const char *name)
{
	char path[sizeof(IPV6_DISABLE_FMT) + IFNAMSIZ];
	int fd, err = 0;

	snprintf(path, sizeof(path), IPV6_DISABLE_FMT, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		/* No IPv6 in this kernel or namespace: nothing to silence. */
		return errno == ENOENT ? 0 : -errno;
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

static int set_if_up(const char *name)
{
	struct ifreq ifr = {0};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

/* Opens queue fds[0..n-1] of tap name; a multiqueue tap gets one queue per
 * TUNSETIFF on a fresh /dev/net/tun fd. */
static int tap_open(const char *name, unsigned int n, struct pollfd *fds)
{
	struct ifreq ifr;
	unsigned int i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			int err = -errno;

			errmsg("tap %s: cannot open " TUN_DEV ": %s", name,
			       strerror(-err));
			return err;
		}
		memset(&ifr, 0, sizeof(ifr));
		strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		if (n > 1)
			ifr.ifr_flags |= IFF_MULTI_QUEUE;
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			int err = -errno;

			errmsg("tap %s: cannot attach queue %u: %s", name, i,
			       strerror(-err));
			close(fd);
			return err;
		}
		fds[i].fd = fd;
		fds[i].events = POLLIN;
	}
	return 0;
}

/* Reads up to a budget of frames from one tap queue. */
static int tap_drain(struct sink_stats *st, int fd, unsigned int queue,
		     uint8_t *buf)
{
	ssize_t n;
	int i;

	for (i = 0; i < SINK_DRAIN_BUDGET; i++) {
		n = read(fd, buf, SINK_TAP_BUF);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		sink_count(st, queue, buf, n, n, -1, sink_recv_ns(st));
	}
	return 0;
}

/* ---- packet mode ------------------------------------------------------- */

/*
 * A frame XDP-redirected into a veth is dropped unless the receiving end
 * runs XDP (only then is its NAPI ring set up), so the sink brings a
 * program that passes everything.  It is attached as a BPF link: the
 * kernel detaches it when the sink exits, however it exits.
 */
static int xdp_pass_attach(const char *ifname, int ifindex, int *prog_fd,
			   int *link_fd)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K,
		 .dst_reg = BPF_REG_0,
		 .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	int err;

	*link_fd = -1;
	*prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, SINK_XDP_NAME, "GPL", insns,
				 ARRAY_SIZE(insns), NULL);
	if (*prog_fd < 0) {
		err = *prog_fd;
		errmsg("program " SINK_XDP_NAME ": cannot load: %s",
		       strerror(-err));
		return err;
	}
	*link_fd = bpf_link_create(*prog_fd, ifindex, BPF_XDP, &lopts);
	if (*link_fd >= 0)
		return 0;
	err = *link_fd;
	*link_fd = -1;
	if (err == -EBUSY) {
		/* Some XDP program is already attached; it keeps the
		 * NAPI ring up just as well, and it is not ours to replace. */
		errmsg("device %s: keeping the XDP program already attached",
		       ifname);
		return 0;
	}
	errmsg("device %s: cannot attach " SINK_XDP_NAME " in native mode: %s",
	       ifname, strerror(-err));
	return err;
}

static int packet_open(const char *ifname, int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int one = 1, rcvbuf = SINK_PKT_RCVBUF;
	const char *what;
	int fd, err;

	/* Protocol 0 receives nothing until bind, so no frame from another
	 * interface slips in before the socket is bound to ours. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		errmsg("device %s: cannot create packet socket: %s", ifname,
		       strerror(-err));
		return err;
	}
	what = "ignore outgoing frames";
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof(one)))
		goto fail;
	what = "enable VLAN auxdata";
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		goto fail;
	what = "size the receive buffer";
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		goto fail;
	what = "bind";
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	return fd;
fail:
	err = -errno;
	errmsg("device %s: packet socket cannot %s: %s", ifname, what,
	       strerror(-err));
	close(fd);
	return err;
}

/* The stripped tag from PACKET_AUXDATA, or -1 if the frame had none. */
static int packet_aux_vid(struct msghdr *msg)
{
	const struct tpacket_auxdata *aux;
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_PACKET ||
		    cmsg->cmsg_type != PACKET_AUXDATA ||
		    cmsg->cmsg_len < CMSG_LEN(sizeof(*aux)))
			continue;
		aux = (const void *)CMSG_DATA(cmsg);
		if (aux->tp_status & TP_STATUS_VLAN_VALID)
			return aux->tp_vlan_tci & VLAN_VID_MASK;
	}
	return -1;
}

struct packet_batch {
	struct mmsghdr msgs[SINK_PKT_BATCH];
	struct iovec iov[SINK_PKT_BATCH];
	uint8_t snap[SINK_PKT_BATCH][SINK_PKT_SNAP];
	union {
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct cmsghdr align;
	} ctl[SINK_PKT_BATCH];
};

static int packet_drain(struct sink_stats *st, int fd, struct packet_batch *b)
{
	unsigned int done = 0, i;
	size_t len, caplen;
	uint64_t recv_ns;
	int n, vid;

	while (done < SINK_DRAIN_BUDGET) {
		for (i = 0; i < SINK_PKT_BATCH; i++) {
			b->iov[i].iov_base = b->snap[i];
			b->iov[i].iov_len = SINK_PKT_SNAP;
			memset(&b->msgs[i], 0, sizeof(b->msgs[i]));
			b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
			b->msgs[i].msg_hdr.msg_iovlen = 1;
			b->msgs[i].msg_hdr.msg_control = b->ctl[i].buf;
			b->msgs[i].msg_hdr.msg_controllen =
				sizeof(b->ctl[i].buf);
		}
		/* MSG_TRUNC: msg_len is the frame's length, not the copy's. */
		n = recvmmsg(fd, b->msgs, SINK_PKT_BATCH,
			     MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		recv_ns = sink_recv_ns(st);
		for (i = 0; i < (unsigned int)n; i++) {
			len = b->msgs[i].msg_len;
			caplen = len < SINK_PKT_SNAP ? len : SINK_PKT_SNAP;
			vid = packet_aux_vid(&b->msgs[i].msg_hdr);
			/* The kernel took the tag out of the frame; count the
			 * frame as it was on the wire. */
			sink_count(st, 0, b->snap[i], caplen,
				   len + (vid >= 0 ? VLAN_HLEN : 0), vid,
				   recv_ns);
		}
		done += n;
		if (n < SINK_PKT_BATCH)
			return 0;
	}
	return 0;
}

static void packet_drops(struct sink_stats *st, int fd)
{
	struct tpacket_stats ps;
	socklen_t len = sizeof(ps);

	/* Reading the statistics resets them; this is read once, at exit. */
	if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &ps, &len))
		st->drops = ps.tp_drops;
}

/* ---- main -------------------------------------------------------------- */

static int parse_args(int argc, char **argv, struct sink_opts *opts)
{
	static const struct option longopts[] = {
		{"tap", required_argument, NULL, 't'},
		{"packet", required_argument, NULL, 'p'},
		{"queues", required_argument, NULL, 'q'},
		{"out", required_argument, NULL, 'o'},
		{"ready", required_argument, NULL, 'r'},
		{"stamps", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	unsigned long v;
	char *end;
	int c;

	opts->queues = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			opts->tap = optarg;
			break;
		case 'p':
			opts->packet = optarg;
			break;
		case 'q':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v < 1 ||
			    v > SINK_MAX_QUEUES) {
				errmsg("option --queues: invalid value '%s': must be 1-%d",
				       optarg, SINK_MAX_QUEUES);
				return -EINVAL;
			}
			opts->queues = v;
			break;
		case 'o':
			opts->out = optarg;
			break;
		case 'r':
			opts->ready = optarg;
			break;
		case 's':
			opts->stamps = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		errmsg("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!!opts->tap == !!opts->packet) {
		errmsg("exactly one of --tap and --packet is required");
		return -EINVAL;
	}
	if (opts->packet && opts->queues != 1) {
		errmsg("--queues only applies to --tap");
		return -EINVAL;
	}
	if (strlen(opts->tap ? opts->tap : opts->packet) >= IFNAMSIZ) {
		errmsg("interface name '%s' is longer than %d characters",
		       opts->tap ? opts->tap : opts->packet, IFNAMSIZ - 1);
		return -EINVAL;
	}
	return 0;
}

/* SIGTERM and SIGINT stay blocked except inside ppoll(), so a signal can
 * never fall between the stop check and the wait. */
static int setup_signals(sigset_t *waitmask)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, waitmask))
		return -errno;
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -errno;
	return 0;
}

static struct sink_stats sink_stats;

int main(int argc, char **argv)
{
	struct sink_opts opts = {0};
	struct sink_stats *st = &sink_stats;
	struct pollfd fds[SINK_MAX_QUEUES];
	struct packet_batch *batch = NULL;
	uint8_t *tapbuf = NULL;
	int prog_fd = -1, link_fd = -1, ifindex = 0;
	const char *name;
	sigset_t waitmask;
	unsigned int i, nfds;
	int err, ret = 1;

	if (parse_args(argc, argv, &opts))
		return 1;
	name = opts.tap ? opts.tap : opts.packet;
	nfds = opts.tap ? opts.queues : 1;
	for (i = 0; i < nfds; i++)
		fds[i].fd = -1;
	st->nqueues = nfds;

	err = setup_signals(&waitmask);
	if (err) {
		errmsg("cannot install signal handlers: %s", strerror(-err));
		return 1;
	}

	if (opts.tap) {
		tapbuf = malloc(SINK_TAP_BUF);
		if (!tapbuf) {
			errmsg("tap %s: cannot allocate the read buffer", name);
			goto out;
		}
		if (tap_open(name, nfds, fds))
			goto out;
		err = tap_disable_ipv6(name);
		if (err) {
			errmsg("tap %s: cannot disable IPv6: %s", name,
			       strerror(-err));
			goto out;
		}
		err = set_if_up(name);
		if (err) {
			errmsg("tap %s: cannot set it up: %s", name,
			       strerror(-err));
			goto out;
		}
	} else {
		ifindex = if_nametoindex(name);
		if (!ifindex) {
			errmsg("device %s: cannot resolve ifindex: %s", name,
			       strerror(errno));
			goto out;
		}
		batch = malloc(sizeof(*batch));
		if (!batch) {
			errmsg("device %s: cannot allocate receive buffers",
			       name);
			goto out;
		}
		fds[0].fd = packet_open(name, ifindex);
		if (fds[0].fd < 0)
			goto out;
		fds[0].events = POLLIN;
		if (xdp_pass_attach(name, ifindex, &prog_fd, &link_fd))
			goto out;
	}

	if (opts.stamps) {
		st->stamping = true;
		st->stamps = fopen(opts.stamps, "we");
		if (!st->stamps) {
			errmsg("stamps file %s: cannot create: %s", opts.stamps,
			       strerror(errno));
			goto out;
		}
	}

	if (opts.ready) {
		err = write_ready(opts.ready);
		if (err) {
			errmsg("ready file %s: cannot write: %s", opts.ready,
			       strerror(-err));
			goto out;
		}
	}

	while (!sink_stop) {
		if (ppoll(fds, nfds, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			errmsg("%s: poll failed: %s", name, strerror(errno));
			goto out;
		}
		for (i = 0; i < nfds; i++) {
			if (!(fds[i].revents & (POLLIN | POLLERR)))
				continue;
			err = opts.tap ? tap_drain(st, fds[i].fd, i, tapbuf)
				       : packet_drain(st, fds[i].fd, batch);
			if (err) {
				errmsg("%s: read from queue %u failed: %s",
				       name, i, strerror(-err));
				goto out;
			}
		}
	}

	/* Frames already queued when the signal came were delivered before
	 * it; count them too so a test can stop the sink right after the
	 * generator returns. */
	for (i = 0; i < nfds; i++) {
		err = opts.tap ? tap_drain(st, fds[i].fd, i, tapbuf)
			       : packet_drain(st, fds[i].fd, batch);
		if (err)
			break;
	}
	if (opts.packet)
		packet_drops(st, fds[0].fd);
	if (st->stamps) {
		err = ferror(st->stamps) ? -EIO : 0;
		if (fclose(st->stamps) && !err)
			err = -errno;
		st->stamps = NULL;
		if (err) {
			errmsg("stamps file %s: cannot write: %s", opts.stamps,
			       strerror(-err));
			goto out;
		}
	}

	err = write_json(st, opts.out);
	if (err) {
		errmsg("output %s: cannot write: %s",
		       opts.out ? opts.out : "stdout", strerror(-err));
		goto out;
	}
	ret = 0;
out:
	if (link_fd >= 0)
		close(link_fd);
	if (prog_fd >= 0)
		close(prog_fd);
	for (i = 0; i < nfds; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (st->stamps)
		fclose(st->stamps);
	free(batch);
	free(tapbuf);
	return ret;
}
