// SPDX-License-Identifier: GPL-2.0
/*
 * The program fuzzer (tests/fuzz/fuzz_progs.c) for the programs a frame
 * meets after vfwd_uplink or vfwd_guest chose its port: vfwd_cpu, which
 * finishes a steered frame on its CPU, and the relay's XDP programs
 * between the kernel and vfwd-vhost.
 */
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "fuzz_progs.h"
#include "prog_test.h"

/* A frame, with (mostly) vfwd_uplink's steering record in front of it:
 * its port and uplink ids from the topology or random, its magic right
 * or (sometimes) wrong.  Returns the whole length. */
static unsigned int cpu_frame(__u8 *buf, struct vfwd_cpu_meta *m)
{
	unsigned int len;

	memset(m, 0, sizeof(*m));
	if (fuzz_rnd() % 8) {
		m->port_id = fuzz_rnd() % 2 ? fuzz_rnd() % NPORTS : fuzz_rnd();
		m->uplink_id = fuzz_rnd() % 4 ? UP : fuzz_rnd() % NPORTS;
		m->magic = fuzz_rnd() % 16 ? VFWD_CPU_META_MAGIC : fuzz_rnd();
	}
	memcpy(buf, m, sizeof(*m));
	len = make_frame(buf + sizeof(*m));
	/* Sometimes the record alone, or cut short. */
	if (fuzz_rnd() % 16 == 0)
		len = fuzz_rnd() % (sizeof(*m) + 1) - sizeof(*m);
	return len + sizeof(*m);
}

static __u64 stat_of(const struct prog_counters *c, __u32 port, size_t off)
{
	for (size_t i = 0; i < FUZZ_NTRACKED; i++)
		if (fuzz_tracked[i] == port)
			return *(const __u64 *)((const char *)&c->port[i] +
						off);
	return 0;
}

/* vfwd_cpu: finishes frames the uplink steered. */
void fuzz_cpu(struct env *e, unsigned long n, struct result *r)
{
	__u8 f[sizeof(struct vfwd_cpu_meta) + FUZZ_FRAME_MAX];
	__u8 out[sizeof(f) + 8];
	const size_t tx = offsetof(struct vfwd_port_stats, tx_packets);
	const size_t drop = offsetof(struct vfwd_port_stats, rx_dropped);
	struct prog_counters a, b;
	struct vfwd_cpu_meta m;

	for (r->frames = 0; r->frames < n; r->frames++) {
		unsigned int len = cpu_frame(f, &m);
		const size_t hl = sizeof(m);
		bool steered = len >= hl && m.magic == VFWD_CPU_META_MAGIC;
		bool tap =
			m.port_id == PA || m.port_id == PB || m.port_id == PC;
		__u64 tx_d, drop_d;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
			    .data_size_in = len, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		if (read_ctrs(e, &a) ||
		    bpf_prog_test_run_opts(e->prog_fd, &o) ||
		    read_ctrs(e, &b)) {
			r->skipped++;
			continue;
		}
		tx_d = steered ? stat_of(&b, m.port_id, tx) -
					 stat_of(&a, m.port_id, tx)
			       : 0;
		drop_d = steered ? stat_of(&b, m.uplink_id, drop) -
					   stat_of(&a, m.uplink_id, drop)
				 : 0;
		if (!steered) {
			if (o.retval != XDP_PASS || o.data_size_out != len ||
			    memcmp(out, f, len))
				failed(r, r->frames,
				       "cpu: a frame without the record was not passed untouched (action %u)",
				       o.retval);
			continue;
		}
		/* A record with less than an Ethernet header behind it is
		 * never the uplink's: dropped, where counting is moot. */
		if (len - hl < ETH_HLEN) {
			if (o.retval != XDP_DROP)
				failed(r, r->frames,
				       "cpu: a record with %zu bytes behind it: action %u",
				       len - hl, o.retval);
			continue;
		}
		if (o.retval == XDP_REDIRECT) {
			if (!tap || tx_d != 1 || o.data_size_out != len - hl ||
			    memcmp(out, f + hl, len - hl))
				failed(r, r->frames,
				       "cpu: redirect to port %u (tx +%llu) not as the record says",
				       m.port_id, (unsigned long long)tx_d);
		} else if (o.retval != XDP_DROP || tap ||
			   (m.uplink_id == UP && drop_d != 1)) {
			failed(r, r->frames,
			       "cpu: port %u: action %u, uplink drops +%llu",
			       m.port_id, o.retval, (unsigned long long)drop_d);
		}
	}
}

/* vfwd_xrelay: frames from vfwd-vhost's end of the relay, a relay tag
 * (or a flood tag, or none) put after the MACs of a fuzzed frame. */
void fuzz_xrelay(struct env *e, unsigned long n, struct result *r)
{
	__u8 f[FUZZ_FRAME_MAX + VFWD_RELAY_HLEN], out[sizeof(f) + 8];

	for (r->frames = 0; r->frames < n; r->frames++) {
		unsigned int len = make_frame(f);
		__u16 tpid = fuzz_rnd() % 3 == 0   ? VFWD_RELAY_FLOOD_ETHERTYPE
			     : fuzz_rnd() % 2 == 0 ? VFWD_RELAY_ETHERTYPE
						   : fuzz_rnd();
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		if (len >= 2 * ETH_ALEN) {
			memmove(f + 2 * ETH_ALEN + VFWD_RELAY_HLEN,
				f + 2 * ETH_ALEN, len - 2 * ETH_ALEN);
			f[12] = tpid >> 8;
			f[13] = tpid & 0xff;
			f[14] = 0;
			f[15] = fuzz_rnd() % NPORTS;
			len += VFWD_RELAY_HLEN;
		}
		o.data_size_in = len;
		if (bpf_prog_test_run_opts(e->prog_fd, &o)) {
			r->skipped++;
			continue;
		}
		tpid = len >= 14 ? f[12] << 8 | f[13] : 0;
		/* No socket is in the test's XSKMAP: every frame ends
		 * dropped; what matters is that nothing else leaves, and
		 * that the program takes any bytes without fault. */
		if (o.retval != XDP_DROP)
			failed(r, r->frames,
			       "xrelay: a frame (tpid %04x, len %u) left with action %u",
			       tpid, len, o.retval);
	}
}

/* vfwd_xflood: a flood copy for the relay gets the flood tag, with the
 * uplink it came in on, after its MACs; the rest stays as it was. */
void fuzz_xflood(struct env *e, unsigned long n, struct result *r)
{
	__u8 f[FUZZ_FRAME_MAX], out[FUZZ_FRAME_MAX + VFWD_RELAY_HLEN + 8];

	for (r->frames = 0; r->frames < n; r->frames++) {
		unsigned int len = make_frame(f);
		struct bpf_test_run_opts o = {};

		if (run_devmap(e, f, len, out, sizeof(out), &o, r))
			continue;
		if (len < 2 * ETH_ALEN) {
			if (o.retval == XDP_PASS &&
			    o.data_size_out < 2 * ETH_ALEN + VFWD_RELAY_HLEN)
				failed(r, r->frames,
				       "xflood: a %u-byte frame passed malformed",
				       len);
			continue;
		}
		if (o.retval != XDP_PASS ||
		    o.data_size_out != len + VFWD_RELAY_HLEN ||
		    memcmp(out, f, 2 * ETH_ALEN) ||
		    (out[12] << 8 | out[13]) != VFWD_RELAY_FLOOD_ETHERTYPE ||
		    (out[14] << 8 | out[15]) != LO_IFINDEX ||
		    memcmp(out + 16, f + 12, len - 12))
			failed(r, r->frames,
			       "xflood: a %u-byte copy not tagged as a flood from ifindex %d",
			       len, LO_IFINDEX);
	}
}
