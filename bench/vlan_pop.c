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
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "vlan_pop.skel.h"

#define UPLINK_PORT 1
#define ACCESS_PORT 2
#define ACCESS_VID 100

/* Defaults: 7 rounds give a median with a spread; 2M frames per run take
 * about a second per variant, long enough to dwarf timer noise. */
#define DEF_ROUNDS 7
#define DEF_FRAMES 2000000
#define DEF_SIZE 64
#define MAX_SIZE 1518
#define NSEC_PER_SEC 1000000000ULL
#define SETTLE_US 20000
/* Below this share delivered, a run measures losses, not forwarding. */
#define MIN_DELIVERED_PCT 99

/* Offsets in the crafted frame: MACs, the tag, then an IPv4 EtherType. */
#define TAG_OFF (2 * ETH_ALEN)
#define VLAN_HLEN 4

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
	int uplink_ifindex, port_ifindex, sink_ifindex;
	int ncpus;
};

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc) {
		fprintf(stderr, "vlan_pop: '%s' failed (%d)\n", cmd, rc);
		return -EIO;
	}
	return 0;
}

/* Two veth pairs in a fresh namespace: "u" plays the uplink the frames
 * come in on; "p" is the access port, and its peer "s" the sink. */
static int make_netns(struct env *e)
{
	if (unshare(CLONE_NEWNET)) {
		perror("vlan_pop: unshare(CLONE_NEWNET)");
		return -errno;
	}
	/* No IPv6: its router and listener solicitations would reach the
	 * sink and be counted as benchmark frames. */
	if (sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1") ||
	    sh("ip link set lo up") ||
	    sh("ip link add u type veth peer name w") ||
	    sh("ip link add p type veth peer name s") ||
	    sh("ip link set u up && ip link set w up && ip link set p up && ip link set s up"))
		return -EIO;
	e->uplink_ifindex = if_nametoindex("u");
	e->port_ifindex = if_nametoindex("p");
	e->sink_ifindex = if_nametoindex("s");
	return e->uplink_ifindex && e->port_ifindex && e->sink_ifindex
		       ? 0
		       : -ENODEV;
}

static int load(struct env *e)
{
	struct bpf_map *m;
	int err;

	e->vf = vfwd_bpf__open();
	e->bp = vlan_pop_bpf__open();
	if (!e->vf || !e->bp)
		return -errno;
	/* Private maps: never the pins of a real installation. */
	bpf_object__for_each_map(m, e->vf->obj) bpf_map__set_pin_path(m, NULL);
	e->vf->rodata->cfg_uplink_port = UPLINK_PORT;
	err = vfwd_bpf__load(e->vf);
	if (err)
		return err;
	err = bpf_map__reuse_fd(e->bp->maps.vfwd_port_v2,
				bpf_map__fd(e->vf->maps.vfwd_port_v2));
	if (err)
		return err;
	e->bp->rodata->cfg_port_id = ACCESS_PORT;
	e->bp->rodata->cfg_vid = ACCESS_VID;
	err = vlan_pop_bpf__load(e->bp);
	if (err)
		return err;
	/* A frame redirected into a veth is dropped unless its peer runs
	 * XDP; the sink program is that peer. */
	return bpf_xdp_attach(e->sink_ifindex,
			      bpf_program__fd(e->bp->progs.bench_sink),
			      XDP_FLAGS_DRV_MODE, NULL);
}

static int set_ports(struct env *e)
{
	struct vfwd_port up = {.kind = VFWD_PORT_UPLINK,
			       .ifindex = e->uplink_ifindex};
	struct vfwd_port ap = {.kind = VFWD_PORT_VETH,
			       .ifindex = e->port_ifindex,
			       .vid = ACCESS_VID};
	int fd = bpf_map__fd(e->vf->maps.vfwd_port_v2);
	__u32 k = UPLINK_PORT;

	snprintf(up.name, sizeof(up.name), "u");
	snprintf(ap.name, sizeof(ap.name), "p");
	if (bpf_map_update_elem(fd, &k, &up, BPF_ANY))
		return -errno;
	k = ACCESS_PORT;
	return bpf_map_update_elem(fd, &k, &ap, BPF_ANY) ? -errno : 0;
}

/* Point the MAC entry and the port's tx entry at one variant. */
static int set_variant(struct env *e, enum variant v, const __u8 *mac)
{
	struct vfwd_mac_key k = {.vid = ACCESS_VID};
	struct vfwd_mac_val val = {.port_id = ACCESS_PORT,
				   .flags = VFWD_MAC_STATIC};
	struct bpf_devmap_val dv = {.ifindex = e->port_ifindex,
				    .bpf_prog.fd = -1};
	__u32 id = ACCESS_PORT;

	memcpy(k.mac, mac, ETH_ALEN);
	if (v == V_INLINE)
		val.flags |= VFWD_MAC_ACCESS;
	if (v == V_EGRESS)
		dv.bpf_prog.fd = bpf_program__fd(e->bp->progs.bench_pop_egress);
	if (bpf_map_update_elem(bpf_map__fd(e->vf->maps.vfwd_mac_v2), &k, &val,
				BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(e->vf->maps.vfwd_tx_v2), &id, &dv,
				BPF_ANY))
		return -errno;
	return 0;
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
	memset(vals, 0, sizeof(vals));
	bpf_map_update_elem(fd, &slot, vals, BPF_ANY);
	return sum;
}

static int run_once(struct env *e, const __u8 *frame, __u32 len, __u32 frames,
		    double *ns, __u64 *untagged, __u64 *tagged)
{
	struct xdp_md ctx_in = {.data_end = len,
				.ingress_ifindex = e->uplink_ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = frames,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	struct timespec a, b;
	int err;

	take_count(e, 0);
	take_count(e, 1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	err = bpf_prog_test_run_opts(bpf_program__fd(e->vf->progs.vfwd_uplink),
				     &opts);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (err)
		return -errno;
	*ns = ((b.tv_sec - a.tv_sec) * (double)NSEC_PER_SEC +
	       (b.tv_nsec - a.tv_nsec)) /
	      frames;
	/* The sink's NAPI may still hold the last batch: let it drain so
	 * that its frames are counted for this run, not the next one. */
	usleep(SETTLE_US);
	*untagged = take_count(e, 0);
	*tagged = take_count(e, 1);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void build_frame(__u8 *f, __u32 len, const __u8 *dst)
{
	static const __u8 src[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};

	/* The rest is an IPv4 EtherType and a zero payload: the programs
	 * under test never look past the tag. */
	memset(f, 0, len);
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[TAG_OFF] = ETH_P_8021Q >> 8;
	f[TAG_OFF + 1] = ETH_P_8021Q & 0xff;
	f[TAG_OFF + 2] = ACCESS_VID >> 8;
	f[TAG_OFF + 3] = ACCESS_VID & 0xff;
	f[TAG_OFF + VLAN_HLEN] = ETH_P_IP >> 8;
	f[TAG_OFF + VLAN_HLEN + 1] = ETH_P_IP & 0xff;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vlan_pop [--rounds N] [--frames N] [--size BYTES]\n"
		"  Compares inline tag pop against a devmap egress program; root.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rounds", required_argument, NULL, 'r'},
		{"frames", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL},
	};
	static const __u8 dst[ETH_ALEN] = {0x52, 0x54, 0, 0, 0, 0x02};
	int rounds = DEF_ROUNDS, frames = DEF_FRAMES, size = DEF_SIZE, opt, err;
	double ns[V_COUNT][64], med[V_COUNT];
	__u64 got[V_COUNT] = {};
	__u8 frame[MAX_SIZE];
	struct env e = {};

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			frames = atoi(optarg);
			break;
		case 's':
			size = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64 || frames < 1 ||
	    size < ETH_HLEN + VLAN_HLEN || size > MAX_SIZE) {
		usage(stderr);
		return 2;
	}
	e.ncpus = libbpf_num_possible_cpus();
	err = make_netns(&e);
	if (!err)
		err = load(&e);
	if (!err)
		err = set_ports(&e);
	if (err) {
		fprintf(stderr, "vlan_pop: set-up failed: %s\n",
			strerror(-err));
		return 1;
	}
	build_frame(frame, size, dst);

	for (int r = 0; r < rounds; r++) {
		/* Rotate the order every round so that no variant always
		 * runs first (caches, frequency ramps). */
		for (int i = 0; i < V_COUNT; i++) {
			enum variant v = (r + i) % V_COUNT;
			__u64 untagged = 0, tagged = 0, want = frames;

			err = set_variant(&e, v, dst);
			if (!err)
				err = run_once(&e, frame, size, frames,
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
	printf("%-8s %10s %10s %10s %8s %10s  (%d rounds of %d frames of %d bytes)\n",
	       "variant", "median_ns", "min_ns", "max_ns", "Mpps", "delivered",
	       rounds, frames, size);
	for (int v = 0; v < V_COUNT; v++) {
		qsort(ns[v], rounds, sizeof(double), cmp_double);
		med[v] = ns[v][rounds / 2];
		printf("%-8s %10.1f %10.1f %10.1f %8.2f %9.3f%%\n", vnames[v],
		       med[v], ns[v][0], ns[v][rounds - 1], 1e3 / med[v],
		       100.0 * got[v] / ((double)frames * rounds));
	}
	printf("pop cost over tagged: inline %+.1f ns, egress %+.1f ns\n",
	       med[V_INLINE] - med[V_TAGGED], med[V_EGRESS] - med[V_TAGGED]);
	vlan_pop_bpf__destroy(e.bp);
	vfwd_bpf__destroy(e.vf);
	return 0;
}
