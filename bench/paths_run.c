// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' measurement: the frame, one generator call, the wait until
 * the frames in flight are through, and the sample the sink and the
 * clocks give; and the fixed cost of a call.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "paths.h"

/* After a run, poll the sink until SETTLE_STABLE reads SETTLE_US apart
 * agree: the CPUMAP queue, the veth rings and a tap's ring hold a few
 * thousand frames, drained within a millisecond or two once their CPU
 * is free.  Give up after SETTLE_TRIES (a second) on an overloaded host. */
#define SETTLE_US 10000
#define SETTLE_STABLE 2
#define SETTLE_TRIES 100
/* One-batch calls timed to find the fixed cost of a test-run call. */
#define CALL_PROBES 5
/* A live test run's batch: the kernel's default, NAPI_POLL_WEIGHT, a
 * driver's NAPI budget. */
#define GEN_BATCH 64

#define IPV4_VERSION 4
#define IPV4_IHL (PATHS_IP_HLEN / 4)
#define GEN_TTL 64
#define BITS_PER_BYTE 8
/* Mpps x bits per frame / 1000 = Gbit/s */
#define MBIT_PER_GBIT 1000.0

/* TEST-NET-1 addresses (RFC 5737): never routed anywhere. */
#define IP_SRC "192.0.2.1"
#define IP_DST "192.0.2.2"

/* RFC 1071 checksum of an IPv4 header. */
static __u16 ip_csum(const void *hdr, size_t len)
{
	const __u8 *p = hdr;
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Ethernet + IPv4 (valid header checksum) + UDP to PATHS_DPORT with
 * checksum 0 (none, valid over IPv4), zero payload; size bytes without
 * FCS.  The generator sets the source port per frame. */
static void build_frame(__u8 *f, int size, const __u8 *src, const __u8 *dst)
{
	struct iphdr ip = {
		.version = IPV4_VERSION,
		.ihl = IPV4_IHL,
		.ttl = GEN_TTL,
		.protocol = IPPROTO_UDP,
		.tot_len = htons(size - PATHS_ETH_HLEN),
	};
	struct udphdr udp = {
		.source = htons(PATHS_SPORT_BASE),
		.dest = htons(PATHS_DPORT),
		.len = htons(size - PATHS_UDP_OFF),
	};

	memset(f, 0, size);
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[2 * ETH_ALEN] = ETH_P_IP >> 8;
	f[2 * ETH_ALEN + 1] = ETH_P_IP & 0xff;
	inet_pton(AF_INET, IP_SRC, &ip.saddr);
	inet_pton(AF_INET, IP_DST, &ip.daddr);
	ip.check = htons(ip_csum(&ip, sizeof(ip)));
	memcpy(f + PATHS_ETH_HLEN, &ip, sizeof(ip));
	memcpy(f + PATHS_UDP_OFF, &udp, sizeof(udp));
}

/* A sink's slot over all CPUs: frames, the first and last stamp, and
 * the frames between the stamps. */
struct sink_read {
	__u64 frames, first_ns, last_ns, stamped;
};

static void add_stat(struct sink_read *r, const struct sink_stat *st)
{
	if (!st->frames)
		return;
	r->frames += st->frames;
	if (!r->first_ns || st->first_ns < r->first_ns)
		r->first_ns = st->first_ns;
	if (st->last_ns > r->last_ns)
		r->last_ns = st->last_ns;
	r->stamped += st->last_n - st->first_n;
}

/* A tap reader's slot, taken (and zeroed if asked) under its lock. */
static void tap_read(struct tap_reader *t, __u32 slot, bool zero,
		     struct sink_read *r)
{
	pthread_mutex_lock(&t->lock);
	add_stat(r, &t->st[slot]);
	if (zero)
		memset(&t->st[slot], 0, sizeof(t->st[slot]));
	pthread_mutex_unlock(&t->lock);
}

/* Read a sink's slot, and zero it if asked. */
static void sink_read(struct paths_env *e, struct sink *s, __u32 slot,
		      bool zero, struct sink_read *r)
{
	struct sink_stat st[e->host.ncpus];
	int fd;

	memset(r, 0, sizeof(*r));
	if (s->tap) {
		tap_read(s->tap, slot, zero, r);
		return;
	}
	fd = bpf_map__fd(s->skel->maps.sink_count);
	if (bpf_map_lookup_elem(fd, &slot, st))
		return;
	for (int i = 0; i < e->host.ncpus; i++)
		add_stat(r, &st[i]);
	if (zero)
		bench_percpu_zero(fd, slot, sizeof(st[0]), e->host.ncpus);
}

/* Wait until the sink's count has stopped moving. */
static void settle(struct paths_env *e, struct sink *s, struct sink_read *r)
{
	__u64 prev;
	int stable = 0;

	sink_read(e, s, SINK_SLOT_OURS, false, r);
	for (int i = 0; i < SETTLE_TRIES && stable < SETTLE_STABLE; i++) {
		prev = r->frames;
		usleep(SETTLE_US);
		sink_read(e, s, SINK_SLOT_OURS, false, r);
		stable = r->frames == prev ? stable + 1 : 0;
	}
}

static int gen_call(struct paths_env *e, enum path_id p, const __u8 *frame,
		    int size, int flows, __u32 repeat, struct bench_call *c)
{
	int err = paths_enter(e, e->p[p].ns);

	if (err)
		return err;
	e->gen->data->gen_flows = flows;
	return bench_test_run(bpf_program__fd(e->gen->progs.gen_flows_tx),
			      e->p[p].gen_ifindex, frame, size, repeat,
			      GEN_BATCH, c);
}

int paths_run(struct paths_env *e, enum path_id p, int size, int flows,
	      long frames, struct sample *s)
{
	struct sink *sk = &e->s[e->p[p].sink];
	__u8 frame[MAX_SIZE];
	struct sink_read ours, stray;
	struct bench_call c;
	double active;
	int err;

	build_frame(frame, size, e->p[p].src, e->p[p].dst);
	sink_read(e, sk, SINK_SLOT_OURS, true, &ours);
	sink_read(e, sk, SINK_SLOT_STRAY, true, &stray);
	err = gen_call(e, p, frame, size, flows, frames, &c);
	if (err)
		return err;
	settle(e, sk, &ours);
	sink_read(e, sk, SINK_SLOT_STRAY, false, &stray);

	memset(s, 0, sizeof(*s));
	s->sent = frames;
	s->delivered = ours.frames;
	s->stray = stray.frames;
	s->wall_ns = c.wall_ns;
	s->cpu_ns = c.cpu_ns;
	s->pct = BENCH_PCT * ours.frames / frames;
	/* The delivered rate is timed by the sink's own stamps, which span
	 * the generator's run (plus the drain of a queue at its end), with
	 * neither the call's fixed cost nor any polling in it. */
	if (ours.last_ns > ours.first_ns)
		s->mpps = ours.stamped * BENCH_NSEC_PER_USEC /
			  (ours.last_ns - ours.first_ns);
	active = c.wall_ns - e->call_ns;
	if (active > 0)
		s->offered_mpps = frames * BENCH_NSEC_PER_USEC / active;
	s->gbps = s->mpps * size * BITS_PER_BYTE / MBIT_PER_GBIT;
	return 0;
}

/* The fixed cost of one test-run call (set-up and teardown), from the
 * median wall time of CALL_PROBES calls of one batch on the xdp-drop
 * path.  It is subtracted from the wall time for the offered rate. */
int paths_call_overhead(struct paths_env *e)
{
	double wall[CALL_PROBES];
	__u8 frame[MIN_SIZE];
	struct bench_call c;
	int err = 0;

	build_frame(frame, MIN_SIZE, e->p[P_XDP_DROP].src,
		    e->p[P_XDP_DROP].dst);
	for (int i = 0; i < CALL_PROBES && !err; i++) {
		err = gen_call(e, P_XDP_DROP, frame, MIN_SIZE, 1, GEN_BATCH,
			       &c);
		wall[i] = c.wall_ns;
	}
	if (err)
		return err;
	e->call_ns = bench_spread(wall, CALL_PROBES).med;
	return 0;
}
