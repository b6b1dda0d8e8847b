// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' topology, built in two private network namespaces that
 * exist only as this process's file descriptors (so they vanish with it,
 * whatever way it ends), and vfwd set up through its real CLI with a
 * private pin directory, removed at exit.
 *
 *   NS_VFWD                                NS_BASE (bridge-nf-call-* = 0)
 *   gen:dropw -> dropu [sink]  xdp-drop    gen:bw -> bu -+- pbbr -> bp1 -> bs1 [sink]
 *   gen:floorw -> flooru [floor]           gen:bg -> bgp +     (bw [sink] for
 *                 -> floorp -> floors [sink]                    guest -> uplink)
 *   gen:vw -> vu [vfwd_uplink] -> vp1 -> vs1 [sink]   gen:mw -> mu -> macvtap mvt
 *                              -> vtap [reader]                 -> /dev node [reader]
 *                              -> vp2 (--cpus OTHER_CPU) -> vs2 [sink]
 *   gen:vg -> vgp [vfwd_guest] -> vu -> vw [sink]  (guest -> uplink)
 *                              -> vp1 -> vs1 [sink] (guest -> guest)
 *
 * "gen:X" is where the generator's XDP_TX sends from: frames arrive on
 * X's peer.  A veth peer that runs no XDP program gets GRO on instead (bu,
 * bgp, mu, vgp): a frame sent into a veth is dropped unless its peer has
 * XDP or GRO, which enables the NAPI that receives it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "paths.h"

/* Room for a command with the vfwd CLI's path and the pin directory. */
#define CMD_LEN (3 * PATH_MAX)
#define PIN_ROOT "/sys/fs/bpf"
/* bpffs refuses names with a dot (EPERM), hence the dash. */
#define PIN_PREFIX "bench_paths-"
#define TMP_TEMPLATE "/tmp/bench_paths.XXXXXX"
#define MVT_NODE "macvtap"
/* A read must hold the whole frame, or the rest is lost. */
#define READ_BUF 2048

#define BRIDGE "pbbr"
#define MACVTAP "mvt"

/* Wire hosts: the frames' sender is bench_src_mac, and this one the
 * guests' destination. */
static const __u8 wire_dst[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x06};
/* Guests, with QEMU's OUI: the veth port (and the floor's and bridge's
 * port) is bench_guest_mac; then the tap, the steered port, the sending
 * guest, the macvtap. */
static const __u8 tap_mac[ETH_ALEN] = {0x52, 0x54, 0, 0, 0, 0x03};
static const __u8 cpu_mac[ETH_ALEN] = {0x52, 0x54, 0, 0, 0, 0x04};
static const __u8 guest_mac[ETH_ALEN] = {0x52, 0x54, 0, 0, 0, 0x05};
static const __u8 mvt_mac[ETH_ALEN] = {0x52, 0x54, 0, 0, 0, 0x07};

#define MAC_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define MAC_ARG(m) (m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]

const struct path paths_table[P_COUNT] = {
	[P_XDP_DROP] = {"xdp-drop", NS_VFWD, "dropw", bench_src_mac,
			bench_guest_mac, S_DROP},
	[P_FLOOR] = {"floor", NS_VFWD, "floorw", bench_src_mac, bench_guest_mac,
		     S_FLOOR},
	[P_VFWD_VETH] = {"vfwd-veth", NS_VFWD, "vw", bench_src_mac,
			 bench_guest_mac, S_VPORT},
	[P_VFWD_TAP] = {"vfwd-tap", NS_VFWD, "vw", bench_src_mac, tap_mac,
			S_VTAP},
	[P_VFWD_CPUMAP] = {"vfwd-cpumap", NS_VFWD, "vw", bench_src_mac, cpu_mac,
			   S_VCPU},
	[P_VFWD_GUEST_UPLINK] = {"vfwd-guest-uplink", NS_VFWD, "vg", guest_mac,
				 wire_dst, S_VWIRE},
	[P_VFWD_GUEST_GUEST] = {"vfwd-guest-guest", NS_VFWD, "vg", guest_mac,
				bench_guest_mac, S_VPORT},
	[P_BRIDGE] = {"bridge", NS_BASE, "bw", bench_src_mac, bench_guest_mac,
		      S_BPORT},
	[P_BRIDGE_GUEST_UPLINK] = {"bridge-guest-uplink", NS_BASE, "bg",
				   guest_mac, wire_dst, S_BWIRE},
	[P_BRIDGE_GUEST_GUEST] = {"bridge-guest-guest", NS_BASE, "bg",
				  guest_mac, bench_guest_mac, S_BPORT},
	[P_MACVTAP] = {"macvtap", NS_BASE, "mw", bench_src_mac, mvt_mac,
		       S_MACVTAP},
};

static const struct sink sink_init[S_COUNT] = {
	[S_DROP] = {"dropu", NS_VFWD},	  [S_FLOOR] = {"floors", NS_VFWD},
	[S_VPORT] = {"vs1", NS_VFWD},	  [S_VTAP] = {"vtap", NS_VFWD},
	[S_VCPU] = {"vs2", NS_VFWD},	  [S_VWIRE] = {"vw", NS_VFWD},
	[S_BPORT] = {"bs1", NS_BASE},	  [S_BWIRE] = {"bw", NS_BASE},
	[S_MACVTAP] = {MACVTAP, NS_BASE},
};

int paths_enter(struct paths_env *e, enum ns_id ns)
{
	if (e->cur_ns == (int)ns)
		return 0;
	if (setns(e->nsfd[ns], CLONE_NEWNET)) {
		fprintf(stderr, PROG ": setns: %s\n", strerror(errno));
		return -errno;
	}
	e->cur_ns = ns;
	return 0;
}

/* Run a shell command in namespace ns (system() forks from this thread,
 * so the child starts in the thread's namespace). */
static int __attribute__((format(printf, 3, 4)))
sh(struct paths_env *e, enum ns_id ns, const char *fmt, ...)
{
	char cmd[CMD_LEN];
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	err = paths_enter(e, ns);
	return err ? err : bench_sh(cmd);
}

/* The vfwd CLI on the private pin directory, in NS_VFWD.  Only the
 * network namespace differs from the host's, so bpffs is the host's and
 * the pins are where the CLI expects them. */
#define vfwd(e, fmt, ...)                                                      \
	sh(e, NS_VFWD, "%s --pin-path %s " fmt " >/dev/null", (e)->vfwd,       \
	   (e)->pin, ##__VA_ARGS__)

static int veth(struct paths_env *e, enum ns_id ns, const char *a,
		const char *b)
{
	return sh(e, ns,
		  "ip link add %s type veth peer name %s && "
		  "ip link set %s up && ip link set %s up",
		  a, b, a, b);
}

/* A fresh namespace, kept by a file descriptor; the calling thread is
 * left in it. */
static int new_ns(struct paths_env *e, enum ns_id ns)
{
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, PROG ": unshare(CLONE_NEWNET): %s\n",
			strerror(errno));
		return -errno;
	}
	e->nsfd[ns] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (e->nsfd[ns] < 0)
		return -errno;
	e->cur_ns = ns;
	/* No IPv6: its router and listener solicitations would reach the
	 * sinks as strays. */
	return sh(e, ns,
		  "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		  "net.ipv6.conf.default.disable_ipv6=1 && ip link set lo up");
}

static int attach_sink(struct paths_env *e, struct sink *s)
{
	int ifindex, err;

	err = paths_enter(e, s->ns);
	if (err)
		return err;
	s->skel = paths_sink_bpf__open_and_load();
	if (!s->skel)
		return -errno;
	ifindex = if_nametoindex(s->dev);
	if (!ifindex)
		return -ENODEV;
	/* Native XDP: frames redirected into the veth's peer arrive as XDP
	 * frames; skbs (bridge, tc redirect) are run through the same
	 * program by veth's XDP-on-skb path. */
	return bpf_xdp_attach(ifindex,
			      bpf_program__fd(s->skel->progs.paths_sink),
			      XDP_FLAGS_DRV_MODE, NULL)
		       ? -errno
		       : 0;
}

/* Is this the benchmark's IPv4/UDP frame?  As the XDP sink decides. */
static bool frame_ours(const __u8 *f, ssize_t n)
{
	const struct iphdr *ip = (const void *)(f + PATHS_ETH_HLEN);
	const struct udphdr *udp = (const void *)(f + PATHS_UDP_OFF);

	return n >= PATHS_UDP_OFF + PATHS_UDP_HLEN &&
	       f[2 * ETH_ALEN] == ETH_P_IP >> 8 &&
	       f[2 * ETH_ALEN + 1] == (ETH_P_IP & 0xff) &&
	       ip->protocol == IPPROTO_UDP && udp->dest == htons(PATHS_DPORT);
}

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * BENCH_NSEC_PER_SEC + t.tv_nsec;
}

static void *reader_main(void *arg)
{
	struct tap_reader *r = arg;
	__u8 buf[READ_BUF];
	struct sink_stat *st;
	ssize_t n;

	for (;;) {
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		pthread_mutex_lock(&r->lock);
		st = &r->st[frame_ours(buf, n) ? SINK_SLOT_OURS
					       : SINK_SLOT_STRAY];
		/* Stamped like the XDP sink, with the same clock
		 * (bpf_ktime_get_ns is CLOCK_MONOTONIC). */
		if (sink_stamp_due(st))
			sink_stamp(st, now_ns());
		st->frames++;
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

/* Start r's thread on OTHER_CPU, reading r->fd. */
static int reader_start(struct tap_reader *r)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	pthread_mutex_init(&r->lock, NULL);
	CPU_ZERO(&set);
	CPU_SET(OTHER_CPU, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	err = pthread_create(&r->thread, &attr, reader_main, r);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	r->running = true;
	return 0;
}

/* Create tap name and read it, as QEMU does (no vnet header here). */
static int tap_open(struct paths_env *e, const char *name, struct tap_reader *r)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int err = paths_enter(e, NS_VFWD);

	if (err)
		return err;
	r->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(r->fd, TUNSETIFF, &ifr))
		return -errno;
	err = sh(e, NS_VFWD, "ip link set %s up", name);
	return err ? err : reader_start(r);
}

static int setup_ceiling_floor(struct paths_env *e)
{
	__u8 key[ETH_ALEN + sizeof(__u16)] = {};
	struct bpf_devmap_val dv = {.bpf_prog.fd = -1};
	__u32 slot = 0;
	int err, up;

	err = veth(e, NS_VFWD, "dropw", "dropu");
	if (!err)
		err = attach_sink(e, &e->s[S_DROP]);
	if (!err)
		err = veth(e, NS_VFWD, "floorw", "flooru");
	if (!err)
		err = veth(e, NS_VFWD, "floorp", "floors");
	if (!err)
		err = attach_sink(e, &e->s[S_FLOOR]);
	if (err)
		return err;
	e->floor = paths_floor_bpf__open_and_load();
	if (!e->floor)
		return -errno;
	memcpy(key, bench_guest_mac, ETH_ALEN);
	dv.ifindex = if_nametoindex("floorp");
	up = if_nametoindex("flooru");
	if (!dv.ifindex || !up)
		return -ENODEV;
	if (bpf_map_update_elem(bpf_map__fd(e->floor->maps.floor_mac), key,
				&slot, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(e->floor->maps.floor_tx), &slot,
				&dv, BPF_ANY) ||
	    bpf_xdp_attach(up, bpf_program__fd(e->floor->progs.paths_floor),
			   XDP_FLAGS_DRV_MODE, NULL))
		return -errno;
	return 0;
}

/* vfwd with its real CLI: the uplink, a veth port, a tap port, a port
 * steered to OTHER_CPU, and a guest's veth port; the MACs they own.
 * Anti-spoofing stays on, so the guest's source MAC is bound too. */
static int setup_vfwd(struct paths_env *e)
{
	static const char *const pairs[][2] = {
		{"vw", "vu"}, {"vp1", "vs1"}, {"vp2", "vs2"}, {"vg", "vgp"}};
	int err = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]) && !err; i++)
		err = veth(e, NS_VFWD, pairs[i][0], pairs[i][1]);
	if (!err)
		err = sh(e, NS_VFWD, "ethtool -K vgp gro on >/dev/null");
	for (int s = S_VPORT; s <= S_VWIRE && !err; s++)
		if (s != S_VTAP)
			err = attach_sink(e, &e->s[s]);
	if (!err)
		err = tap_open(e, "vtap", &e->readers[0]);
	if (err)
		return err;
	e->s[S_VTAP].tap = &e->readers[0];
	e->pinned = true;
	err = vfwd(e, "attach vu");
	if (!err)
		err = vfwd(e, "port add vp1 --dev vp1");
	if (!err)
		err = vfwd(e, "port add vtap --dev vtap");
	if (!err)
		err = vfwd(e, "port add vp2 --dev vp2 --cpus %d", OTHER_CPU);
	if (!err)
		err = vfwd(e, "port add vg --dev vgp");
	if (!err)
		err = vfwd(e, "mac add " MAC_FMT " --port vp1",
			   MAC_ARG(bench_guest_mac));
	if (!err)
		err = vfwd(e, "mac add " MAC_FMT " --port vtap",
			   MAC_ARG(tap_mac));
	if (!err)
		err = vfwd(e, "mac add " MAC_FMT " --port vp2",
			   MAC_ARG(cpu_mac));
	if (!err)
		err = vfwd(e, "mac add " MAC_FMT " --port vg",
			   MAC_ARG(guest_mac));
	return err;
}

/*
 * br_netfilter's bridge-nf-call-* sysctls are per network namespace on
 * this kernel (6.18; checked: a new namespace starts with its own copy,
 * at 1, and setting it there leaves the host's at 1).  They exist only
 * when br_netfilter is loaded (here built in, CONFIG_BRIDGE_NETFILTER=y),
 * so they are set to 0 where they exist, and their absence means the
 * bridge has no netfilter hooks to skip.
 */
static int setup_bridge(struct paths_env *e)
{
	static const char *const pairs[][2] = {
		{"bw", "bu"}, {"bp1", "bs1"}, {"bg", "bgp"}};
	int err;

	err = paths_enter(e, NS_BASE);
	if (err)
		return err;
	e->br_nf =
		!access("/proc/sys/net/bridge/bridge-nf-call-iptables", F_OK);
	if (e->br_nf)
		err = sh(e, NS_BASE,
			 "sysctl -qw net.bridge.bridge-nf-call-iptables=0 "
			 "net.bridge.bridge-nf-call-ip6tables=0 "
			 "net.bridge.bridge-nf-call-arptables=0");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]) && !err; i++)
		err = veth(e, NS_BASE, pairs[i][0], pairs[i][1]);
	if (!err)
		err = sh(e, NS_BASE,
			 "ethtool -K bu gro on >/dev/null && "
			 "ethtool -K bgp gro on >/dev/null && "
			 "ip link add " BRIDGE " type bridge && "
			 "ip link set " BRIDGE " up && "
			 "ip link set bu master " BRIDGE " && "
			 "ip link set bp1 master " BRIDGE " && "
			 "ip link set bgp master " BRIDGE);
	/* Static entries, like vfwd's MAC table: the bridge forwards to one
	 * port rather than flooding until it learns. */
	if (!err)
		err = sh(e, NS_BASE,
			 "bridge fdb add " MAC_FMT " dev bp1 master static && "
			 "bridge fdb add " MAC_FMT " dev bu master static",
			 MAC_ARG(bench_guest_mac), MAC_ARG(wire_dst));
	if (!err)
		err = attach_sink(e, &e->s[S_BPORT]);
	if (!err)
		err = attach_sink(e, &e->s[S_BWIRE]);
	return err;
}

/*
 * A macvtap on an uplink veth, read through its character device.  Its
 * node would come from udev, which this machine may not run, and its
 * number from sysfs, which shows the namespace it was mounted in: so
 * sysfs is mounted afresh in a private mount namespace (unshare -m) that
 * lives for one command, and the node is made in a private directory.
 * On failure, *why says what failed and the path is skipped.
 */
static int setup_macvtap(struct paths_env *e, char *why, size_t len)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	struct tap_reader *r = &e->readers[1];
	char cmd[CMD_LEN], node[DIR_LEN + sizeof(MVT_NODE) + 1];
	unsigned int maj, min;
	FILE *f;
	int n;

	if (veth(e, NS_BASE, "mw", "mu") ||
	    sh(e, NS_BASE,
	       "ethtool -K mu gro on >/dev/null && "
	       "ip link add link mu name " MACVTAP
	       " type macvtap mode bridge && "
	       "ip link set " MACVTAP " address " MAC_FMT " up",
	       MAC_ARG(mvt_mac))) {
		snprintf(why, len, "cannot create a macvtap on a veth");
		return -EIO;
	}
	snprintf(cmd, sizeof(cmd),
		 "unshare -m sh -c 'mount -t sysfs sysfs /sys && "
		 "cat /sys/class/net/%s/macvtap/tap*/dev'",
		 MACVTAP);
	f = popen(cmd, "r");
	n = f ? fscanf(f, "%u:%u", &maj, &min) : 0;
	if (f)
		pclose(f);
	if (n != 2) {
		snprintf(why, len, "cannot find the macvtap's device number");
		return -EIO;
	}
	snprintf(e->tmpdir, sizeof(e->tmpdir), TMP_TEMPLATE);
	if (!mkdtemp(e->tmpdir)) {
		e->tmpdir[0] = '\0';
		snprintf(why, len, "mkdtemp: %s", strerror(errno));
		return -errno;
	}
	snprintf(node, sizeof(node), "%s/" MVT_NODE, e->tmpdir);
	if (mknod(node, S_IFCHR | S_IRUSR | S_IWUSR, makedev(maj, min))) {
		snprintf(why, len, "mknod %u:%u: %s", maj, min,
			 strerror(errno));
		return -errno;
	}
	r->fd = open(node, O_RDWR | O_CLOEXEC);
	if (r->fd < 0) {
		snprintf(why, len, "open %.*s: %s", DIR_LEN, node,
			 strerror(errno));
		return -errno;
	}
	/* A macvtap starts with a virtio-net header on every frame; the
	 * flags the tap port's reader uses drop it, so both read plain
	 * frames. */
	if (ioctl(r->fd, TUNSETIFF, &ifr)) {
		snprintf(why, len, "TUNSETIFF: %s", strerror(errno));
		return -errno;
	}
	e->s[S_MACVTAP].tap = r;
	return reader_start(r);
}

/* Pin directories of earlier runs that were killed before their exit
 * handler ran: their process is gone. */
static void remove_stale_pins(void)
{
	char cmd[CMD_LEN];
	glob_t g;

	if (glob(PIN_ROOT "/" PIN_PREFIX "*", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i] + strlen(PIN_ROOT "/" PIN_PREFIX);
		pid_t pid = atoi(p);

		if (pid > 0 && kill(pid, 0) && errno == ESRCH) {
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'",
				 g.gl_pathv[i]);
			bench_sh(cmd);
		}
	}
	globfree(&g);
}

static int find_vfwd(struct paths_env *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -errno;
	self[n] = '\0';
	snprintf(e->vfwd, sizeof(e->vfwd), "%s/vfwd", dirname(self));
	if (access(e->vfwd, X_OK)) {
		fprintf(stderr, PROG ": %s: %s (build it first)\n", e->vfwd,
			strerror(errno));
		return -ENOENT;
	}
	return 0;
}

static int setup_gen(struct paths_env *e)
{
	e->gen = gen_flows_bpf__open_and_load();
	if (!e->gen)
		return -errno;
	for (int p = 0; p < P_COUNT; p++) {
		int err;

		/* An unselected path's devices may not exist (macvtap is
		 * only set up when asked for). */
		if (!e->p[p].selected)
			continue;
		err = paths_enter(e, e->p[p].ns);
		if (err)
			return err;
		e->p[p].gen_ifindex = if_nametoindex(e->p[p].gen_dev);
		if (!e->p[p].gen_ifindex && !e->p[p].skip[0])
			return -ENODEV;
	}
	return 0;
}

int paths_setup(struct paths_env *e)
{
	char why[WHY_LEN];
	int err;

	bool sel[P_COUNT];

	/* The table, with the caller's selection kept. */
	for (int p = 0; p < P_COUNT; p++)
		sel[p] = e->p[p].selected;
	memcpy(e->p, paths_table, sizeof(e->p));
	for (int p = 0; p < P_COUNT; p++)
		e->p[p].selected = sel[p];
	memcpy(e->s, sink_init, sizeof(e->s));
	e->readers[0].fd = e->readers[1].fd = -1;
	e->nsfd[NS_VFWD] = e->nsfd[NS_BASE] = -1;
	e->cur_ns = -1;
	snprintf(e->pin, sizeof(e->pin), PIN_ROOT "/" PIN_PREFIX "%d",
		 getpid());
	remove_stale_pins();
	err = find_vfwd(e);
	if (!err)
		err = new_ns(e, NS_BASE);
	if (!err)
		err = new_ns(e, NS_VFWD);
	if (!err)
		err = setup_ceiling_floor(e);
	if (!err)
		err = setup_vfwd(e);
	if (!err)
		err = setup_bridge(e);
	if (err)
		return err;
	if (e->p[P_MACVTAP].selected && setup_macvtap(e, why, sizeof(why)) < 0)
		snprintf(e->p[P_MACVTAP].skip, WHY_LEN, "%s", why);
	return setup_gen(e);
}

/* Everything outside the namespaces: the pins and the macvtap's node.
 * The namespaces, their devices and programs go with the process. */
void paths_cleanup(struct paths_env *e)
{
	char cmd[CMD_LEN];

	if (e->pinned) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->pin);
		bench_sh(cmd);
		e->pinned = false;
	}
	if (e->tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->tmpdir);
		bench_sh(cmd);
		e->tmpdir[0] = '\0';
	}
}
