// SPDX-License-Identifier: GPL-2.0
/*
 * The relay veth pair between the kernel and vfwd-vhost (maps/vfwd_xsk_maps.h,
 * "The relay"): made or taken over by the daemon, removed by the last
 * `vfwd detach`.  Its names follow from the pin directory, so each
 * installation has its own and any process can find it.
 *
 * iproute2 would make a veth in one line, but the product does not shell
 * out; libbpf and libxdp have no link creation.  So the RTM_NEWLINK
 * request is built here, with the few attributes a veth pair needs.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "vfwd_loader.h"
#include "nl.h"
#include "skel.h"

/* Large enough for one RTM_NEWLINK of a veth pair: two names, two MTUs,
 * the kind and the nested peer. */
#define RELAY_REQ_MAX 512
/* An answer to a request with NLM_F_ACK: one error message. */
#define RELAY_ACK_MAX 1024
/* One queue per end: every frame crosses on queue 0, where vfwd-vhost
 * binds its sockets (an AF_XDP socket gets only its own queue's). */
#define RELAY_QUEUES 1

void vfwd_relay_names(const char *pin_dir, char k[IF_NAMESIZE],
		      char d[IF_NAMESIZE])
{
	__u32 h = vfwd_pin_dir_hash(pin_dir);

	/* "vfr" + 8 hex digits + end: 12 of the 15 characters allowed. */
	snprintf(k, IF_NAMESIZE, "vfr%08xk", h);
	snprintf(d, IF_NAMESIZE, "vfr%08xd", h);
}

struct nlreq {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[RELAY_REQ_MAX];
};

static struct rtattr *attr_put(struct nlreq *r, unsigned short type,
			       const void *data, size_t len)
{
	struct rtattr *a = (void *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (data)
		memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void attr_end(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (char *)r + r->nh.nlmsg_len - (char *)nest;
}

/* Send a request with NLM_F_ACK and return the kernel's verdict. */
static int nl_do(struct nlreq *r)
{
	char buf[RELAY_ACK_MAX];
	struct nlmsghdr *nh = (void *)buf;
	int fd, n, err;

	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	fd = vfwd_nl_send(r, r->nh.nlmsg_len);
	if (fd < 0)
		return fd;
	n = recv(fd, buf, sizeof(buf), 0);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (n < (int)sizeof(*nh) || nh->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	err = vfwd_nl_error(nh);
	return err == -EPROTO ? 0 : err; /* an ACK says error 0 */
}

static void req_init(struct nlreq *r, __u16 type, __u16 flags)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = flags;
	r->ifi.ifi_family = AF_UNSPEC;
}

static int veth_create(const char *k, const char *d)
{
	const __u32 mtu = VFWD_RELAY_MTU, queues = RELAY_QUEUES;
	struct rtattr *info, *data, *peer;
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
	struct nlreq r;

	req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	attr_put(&r, IFLA_IFNAME, k, strlen(k) + 1);
	attr_put(&r, IFLA_MTU, &mtu, sizeof(mtu));
	attr_put(&r, IFLA_NUM_TX_QUEUES, &queues, sizeof(queues));
	attr_put(&r, IFLA_NUM_RX_QUEUES, &queues, sizeof(queues));
	info = attr_put(&r, IFLA_LINKINFO, NULL, 0);
	attr_put(&r, IFLA_INFO_KIND, "veth", sizeof("veth"));
	data = attr_put(&r, IFLA_INFO_DATA, NULL, 0);
	/* The peer's attributes follow its own ifinfomsg. */
	peer = attr_put(&r, VETH_INFO_PEER, &pifi, sizeof(pifi));
	attr_put(&r, IFLA_IFNAME, d, strlen(d) + 1);
	attr_put(&r, IFLA_MTU, &mtu, sizeof(mtu));
	attr_put(&r, IFLA_NUM_TX_QUEUES, &queues, sizeof(queues));
	attr_put(&r, IFLA_NUM_RX_QUEUES, &queues, sizeof(queues));
	attr_end(&r, peer);
	attr_end(&r, data);
	attr_end(&r, info);
	return nl_do(&r);
}

static int link_up(__u32 ifindex)
{
	struct nlreq r;

	req_init(&r, RTM_NEWLINK, 0);
	r.ifi.ifi_index = (int)ifindex;
	r.ifi.ifi_flags = IFF_UP;
	r.ifi.ifi_change = IFF_UP;
	return nl_do(&r);
}

static int link_del(__u32 ifindex)
{
	struct nlreq r;

	req_init(&r, RTM_DELLINK, 0);
	r.ifi.ifi_index = (int)ifindex;
	return nl_do(&r);
}

/* No IPv6 on the relay: its link-local address and router solicitations
 * would be frames nobody asked for.  Best effort: without IPv6 in the
 * kernel the file does not exist. */
static void no_ipv6(const char *ifname)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs("1", f);
	fclose(f);
}

/*
 * No transmit offloads on the kernel end: a tap guest's frames arrive
 * with partial checksums and as 64 KiB GSO frames (QEMU's virtio-net
 * default), and an XSK guest, to whom vfwd-vhost offers no offloads,
 * needs them whole.  Without the features, the kernel segments and
 * checksums them on their way into k (validate_xmit_skb), as it does
 * for an uplink without offloads.  Turning off checksumming takes TSO
 * with it.
 */
static int no_tx_offloads(const char *ifname)
{
	struct ethtool_value ev = {.cmd = ETHTOOL_STXCSUM, .data = 0};
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

static int attach_progs(struct vfwd_bpf *skel, __u32 k, __u32 d, char *err,
			size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = k,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = VFWD_TC_HANDLE,
		    .priority = VFWD_TC_PRIO, .flags = BPF_TC_F_REPLACE);
	bool present = false;
	int ret;

	/* Native XDP on the daemon end: veth runs it on frames its peer
	 * sends, and only native XDP can redirect into an XSKMAP there. */
	ret = bpf_xdp_attach((int)d, bpf_program__fd(skel->progs.vfwd_xrelay),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot attach vfwd_xrelay: %s",
			 strerror(-ret));
		return ret;
	}
	/* Asked first: libbpf logs the kernel's complaint about an existing
	 * qdisc even though EEXIST is fine here (a daemon taking over). */
	ret = vfwd_clsact_present(k, &present);
	if (!ret && !present)
		ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST) {
		snprintf(err, errlen, "cannot add a clsact qdisc: %s",
			 strerror(-ret));
		return ret;
	}
	opts.prog_fd = bpf_program__fd(skel->progs.vfwd_xhost);
	ret = bpf_tc_attach(&hook, &opts);
	if (ret)
		snprintf(err, errlen, "cannot attach vfwd_xhost: %s",
			 strerror(-ret));
	return ret;
}

int vfwd_relay_up(const char *pin_dir, const struct vfwd_tables *t, __u64 pid,
		  struct vfwd_relay *out, char *err, size_t errlen)
{
	char kname[IF_NAMESIZE], dname[IF_NAMESIZE];
	struct vfwd_relay r = {.daemon_pid = pid};
	struct vfwd_bpf *skel = NULL;
	__u32 zero = 0;
	int ret;

	vfwd_relay_names(pin_dir, kname, dname);
	r.ifindex_k = if_nametoindex(kname);
	r.ifindex_d = if_nametoindex(dname);
	if (!r.ifindex_k || !r.ifindex_d) {
		/* Half a pair cannot be: one end's deletion takes the
		 * other.  None: make it. */
		ret = veth_create(kname, dname);
		if (ret && ret != -EEXIST) {
			snprintf(err, errlen,
				 "cannot create the veth pair %s/%s: %s", kname,
				 dname, strerror(-ret));
			return ret;
		}
		r.ifindex_k = if_nametoindex(kname);
		r.ifindex_d = if_nametoindex(dname);
		if (!r.ifindex_k || !r.ifindex_d) {
			snprintf(err, errlen,
				 "veth pair %s/%s: gone after creation", kname,
				 dname);
			return -ENODEV;
		}
	}
	no_ipv6(kname);
	no_ipv6(dname);
	ret = no_tx_offloads(kname);
	if (ret) {
		snprintf(err, errlen,
			 "cannot turn off transmit offloads on %s: %s", kname,
			 strerror(-ret));
		return ret;
	}
	if ((ret = link_up(r.ifindex_k)) || (ret = link_up(r.ifindex_d))) {
		snprintf(err, errlen, "cannot set %s/%s up: %s", kname, dname,
			 strerror(-ret));
		return ret;
	}
	skel = vfwd_skel_open_msg(pin_dir, &ret, err, errlen);
	if (!skel)
		return ret;
	bpf_program__set_autoload(skel->progs.vfwd_xrelay, true);
	bpf_program__set_autoload(skel->progs.vfwd_xhost, true);
	bpf_program__set_autoload(skel->progs.vfwd_xflood, true);
	ret = vfwd_skel_load_msg(skel, pin_dir,
				 "vfwd_xrelay/vfwd_xhost/vfwd_xflood", err,
				 errlen);
	if (!ret)
		ret = attach_progs(skel, r.ifindex_k, r.ifindex_d, err, errlen);
	/* A member of every uplink's flood (--bum flood), under a key no
	 * port has: the daemon copies the wire's floods to xsk guests. */
	if (!ret &&
	    (ret = vfwd_flood_set(t, VFWD_RELAY_FLOOD_KEY, r.ifindex_k,
				  bpf_program__fd(skel->progs.vfwd_xflood))))
		snprintf(err, errlen,
			 "cannot add the relay to the flood devmap: %s",
			 strerror(-ret));
	/* Published last: until now vfwd_guest sends no frame to the relay. */
	if (!ret && bpf_map_update_elem(t->relay_fd, &zero, &r, BPF_ANY)) {
		ret = -errno;
		snprintf(err, errlen, "cannot publish the relay: %s",
			 strerror(-ret));
	}
	vfwd_bpf__destroy(skel);
	if (!ret && out)
		*out = r;
	return ret;
}

int vfwd_relay_down(const char *pin_dir)
{
	char kname[IF_NAMESIZE], dname[IF_NAMESIZE];
	__u32 k;

	vfwd_relay_names(pin_dir, kname, dname);
	k = if_nametoindex(kname);
	if (!k)
		return 0;
	/* Deleting one end of a veth deletes the pair, with the programs
	 * attached to it. */
	return link_del(k);
}
