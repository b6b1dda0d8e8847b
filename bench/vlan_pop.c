// SPDX-License-Identifier: GPL-2.0
/*
 * bench/vlan_pop: how should the uplink remove the 802.1Q tag of a frame
 * for an access port?  Measured side by side, round by round:
 *
 *   tagged   no pop at all: the frame is redirected as it came (floor);
 *   inline   vfwd_uplink pops the tag itself before the redirect (what
 *            vfwd does: VFWD_MAC_ACCESS on the MAC entry);
 *   egress   vfwd_uplink redirects the tagged frame and a devmap egress
 *            program on the port's tx entry pops it.
 *
 * Frames are BPF_PROG_TEST_RUN live frames through the real vfwd_uplink,
 * redirected into a veth whose far end drops them with XDP and counts
 * whether they arrived tagged.  Everything runs in a private network
 * namespace made for the run, so nothing on the host is touched.
 *
 * Output: one line per variant with the median, min and max ns per frame
 * over the rounds, and the extra cost of each pop over "tagged".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "bench_lib.h"
#include "vlan_pop.skel.h"

#define UPLINK_PORT 1
#define ACCESS_PORT 2
#define ACCESS_VID 100

#define VLAN_HLEN 4
/* At least a header and the tag; at most the tag on top of the largest
 * untagged frame a veth with a 1500-byte MTU takes. */
#define MIN_SIZE (ETH_HLEN + VLAN_HLEN)
#define MAX_SIZE (ETH_FRAME_LEN + VLAN_HLEN)
#define SETTLE_US 20000
/* Below this share delivered, a run measures losses, not forwarding. */
#define MIN_DELIVERED_PCT 99

enum variant {
	V_TAGGED,
	V_INLINE,
	V_EGRESS,
	V_COUNT,
};
static const char *const vnames[V_COUNT] = {"tagged", "inline", "egress"};

struct env {
	struct vfwd_bpf *vf;
	struct vlan_pop_bpf *bp;
	struct bench_ifindex ix;
	int ncpus;
};

/* Two veth pairs: "u" plays the uplink the frames come in on; "p" is
 * the access port, and its peer "s" the sink. */
static const struct bench_links links = {
	.uplink = "u", .wire = "w", .port = "p", .sink = "s"};

static int load(struct env *e)
{
	int err;

	err = bench_vfwd_open(&e->vf, UPLINK_PORT);
	if (err)
		return err;
	e->bp = vlan_pop_bpf__open();
	if (!e->bp)
		return -errno;
	err = vfwd_bpf__load(e->vf);
	if (err)
		return err;
	err = bpf_map__reuse_fd(e->bp->maps.vfwd_port_v4,
				bpf_map__fd(e->vf->maps.vfwd_port_v4));
	if (err)
		return err;
	e->bp->rodata->cfg_port_id = ACCESS_PORT;
	e->bp->rodata->cfg_vid = ACCESS_VID;
	err = vlan_pop_bpf__load(e->bp);
	if (err)
		return err;
	return bench_attach_sink(e->ix.sink, e->bp->progs.bench_sink);
}

static int set_ports(struct env *e)
{
	/* A port of the uplink the frames come in on: vfwd_uplink delivers
	 * only to those. */
	struct vfwd_port ap = {.kind = VFWD_PORT_VETH,
			       .ifindex = e->ix.port,
			       .uplink_id = UPLINK_PORT,
			       .vid = ACCESS_VID};
	int fd = bpf_map__fd(e->vf->maps.vfwd_port_v4);
	__u32 k = ACCESS_PORT;
	int err;

	err = bench_set_uplink(e->vf, UPLINK_PORT, e->ix.uplink, links.uplink);
	if (err)
		return err;
	snprintf(ap.name, sizeof(ap.name), "%s", links.port);
	return bpf_map_update_elem(fd, &k, &ap, BPF_ANY) ? -errno : 0;
}

/* Point the MAC entry and the port's tx entry at one variant. */
static int set_variant(struct env *e, enum variant v, const __u8 *mac)
{
	struct vfwd_mac_key k = {.vid = ACCESS_VID};
	struct vfwd_mac_val val = {.port_id = ACCESS_PORT,
				   .flags = VFWD_MAC_STATIC};
	struct bpf_devmap_val dv = {.ifindex = e->ix.port, .bpf_prog.fd = -1};
	__u32 id = ACCESS_PORT;

	memcpy(k.mac, mac, ETH_ALEN);
	if (v == V_INLINE)
		val.flags |= VFWD_MAC_ACCESS;
	if (v == V_EGRESS)
		dv.bpf_prog.fd = bpf_program__fd(e->bp->progs.bench_pop_egress);
	if (bpf_map_update_elem(bpf_map__fd(e->vf->maps.vfwd_tx_v4), &id, &dv,
				BPF_ANY))
		return -errno;
	return bench_mac_put(e->vf, &k, &val);
}

/* Sum a per-CPU sink counter and zero it. */
static __u64 take_count(struct env *e, __u32 slot)
{
	int fd = bpf_map__fd(e->bp->maps.sink_count);
	__u64 vals[e->ncpus], sum = 0;

	if (bpf_map_lookup_elem(fd, &slot, vals))
		return 0;
	for (int i = 0; i < e->ncpus; i++)
		sum += vals[i];
	bench_percpu_zero(fd, slot, sizeof(vals[0]), e->ncpus);
	return sum;
}

static int run_once(struct env *e, const __u8 *frame, __u32 len, __u32 frames,
		    double *ns, __u64 *untagged, __u64 *tagged)
{
	struct bench_call c;
	int err;

	take_count(e, 0);
	take_count(e, 1);
	err = bench_test_run(bpf_program__fd(e->vf->progs.vfwd_uplink),
			     e->ix.uplink, frame, len, frames, 0, &c);
	if (err)
		return err;
	*ns = c.wall_ns / frames;
	/* The sink's NAPI may still hold the last batch: let it drain so
	 * that its frames are counted for this run, not the next one. */
	usleep(SETTLE_US);
	*untagged = take_count(e, 0);
	*tagged = take_count(e, 1);
	return 0;
}

static const struct bench_arg_spec spec = {
	.usage =
		"usage: vlan_pop [--rounds N] [--frames N] [--size BYTES]\n"
		"  Compares inline tag pop against a devmap egress program; root.\n",
	.min_size = MIN_SIZE,
	.max_size = MAX_SIZE,
};

int main(int argc, char **argv)
{
	double ns[V_COUNT][BENCH_MAX_ROUNDS];
	struct bench_spread sp[V_COUNT];
	__u64 got[V_COUNT] = {};
	__u8 frame[MAX_SIZE];
	struct bench_host host;
	struct bench_args a;
	struct env e = {};
	int err;

	err = bench_args(argc, argv, &spec, &a);
	if (err || a.help)
		return err ? 2 : 0;
	bench_host(&host);
	e.ncpus = host.ncpus;
	err = bench_netns(&links, &e.ix);
	if (!err)
		err = load(&e);
	if (!err)
		err = set_ports(&e);
	if (err) {
		fprintf(stderr, "vlan_pop: set-up failed: %s\n",
			strerror(-err));
		return 1;
	}
	bench_frame(frame, a.size, bench_guest_mac, ACCESS_VID, ETH_P_IP);

	for (int r = 0; r < a.rounds; r++) {
		/* Rotate the order every round so that no variant always
		 * runs first (caches, frequency ramps). */
		for (int i = 0; i < V_COUNT; i++) {
			enum variant v = (r + i) % V_COUNT;
			__u64 untagged = 0, tagged = 0, want = a.frames;

			err = set_variant(&e, v, bench_guest_mac);
			if (!err)
				err = run_once(&e, frame, a.size, a.frames,
					       &ns[v][r], &untagged, &tagged);
			if (err) {
				fprintf(stderr, "vlan_pop: %s: %s\n", vnames[v],
					strerror(-err));
				return 1;
			}
			/* A variant that delivered frames in the wrong
			 * form, or hardly any, would be timing something
			 * else.  A few may be lost when the sink's ring
			 * overflows; that is counted, not hidden. */
			got[v] += v == V_TAGGED ? tagged : untagged;
			if ((v == V_TAGGED ? untagged : tagged) ||
			    (v == V_TAGGED ? tagged : untagged) <
				    want * MIN_DELIVERED_PCT / 100) {
				fprintf(stderr,
					"vlan_pop: %s: sink saw %llu untagged, %llu tagged of %llu\n",
					vnames[v], (unsigned long long)untagged,
					(unsigned long long)tagged,
					(unsigned long long)want);
				return 1;
			}
		}
	}
	printf("kernel %s, %d CPUs (%s)\n", host.uts.release, host.ncpus,
	       host.cpu);
	printf("%-8s %10s %10s %10s %8s %10s  (%d rounds of %d frames of %d bytes)\n",
	       "variant", "median_ns", "min_ns", "max_ns", "Mpps", "delivered",
	       a.rounds, a.frames, a.size);
	for (int v = 0; v < V_COUNT; v++) {
		sp[v] = bench_spread(ns[v], a.rounds);
		printf("%-8s %10.1f %10.1f %10.1f %8.2f %9.3f%%\n", vnames[v],
		       sp[v].med, sp[v].min, sp[v].max,
		       BENCH_NSEC_PER_USEC / sp[v].med,
		       BENCH_PCT * got[v] / ((double)a.frames * a.rounds));
	}
	printf("pop cost over tagged: inline %+.1f ns, egress %+.1f ns\n",
	       sp[V_INLINE].med - sp[V_TAGGED].med,
	       sp[V_EGRESS].med - sp[V_TAGGED].med);
	vlan_pop_bpf__destroy(e.bp);
	vfwd_bpf__destroy(e.vf);
	return 0;
}
