// SPDX-License-Identifier: GPL-2.0
/*
 * Device facts from rtnetlink: a device's master and a tap's queues.
 * rtnetlink answers for the caller's network namespace; sysfs would show
 * the one it was mounted in (see loader/netdev.c), which is wrong under
 * `nsenter --net`.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "vfwd_loader.h"
#include "nl.h"

/* One RTM_NEWLINK reply: a few hundred bytes of attributes, plus
 * IFLA_STATS64 and friends; 16 KiB is plenty. */
#define LINK_REPLY_MAX 16384

struct link_reply {
	char buf[LINK_REPLY_MAX];
	struct rtattr *attrs; /* the first IFLA_* attribute */
	int len; /* bytes of attributes */
};

int vfwd_nl_send(const void *req, size_t len)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (send(fd, req, len, 0) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int vfwd_nl_error(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);

	return e->error ? e->error : -EPROTO;
}

static int link_get(__u32 ifindex, struct link_reply *r)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = {.nlmsg_len = sizeof(req),
		       .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST},
		.ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex},
	};
	struct nlmsghdr *nh = (struct nlmsghdr *)r->buf;
	int fd, len, err = 0;

	fd = vfwd_nl_send(&req, sizeof(req));
	if (fd < 0)
		return fd;
	len = recv(fd, r->buf, sizeof(r->buf), 0);
	if (len < 0) {
		err = -errno;
		goto out;
	}
	if (!NLMSG_OK(nh, (unsigned int)len)) {
		err = -EPROTO;
		goto out;
	}
	if (nh->nlmsg_type == NLMSG_ERROR) {
		err = vfwd_nl_error(nh);
		goto out;
	}
	r->attrs = IFLA_RTA(NLMSG_DATA(nh));
	r->len = IFLA_PAYLOAD(nh);
out:
	close(fd);
	return err;
}

/* The attribute of type type among the len bytes at rta, or NULL. */
static struct rtattr *attr_find(struct rtattr *rta, int len,
				unsigned short type)
{
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == type)
			return rta;
	return NULL;
}

int vfwd_dev_master(__u32 ifindex, __u32 *master)
{
	static struct link_reply r;
	struct rtattr *a;
	int err;

	*master = 0;
	err = link_get(ifindex, &r);
	if (err)
		return err;
	a = attr_find(r.attrs, r.len, IFLA_MASTER);
	if (a)
		*master = *(__u32 *)RTA_DATA(a);
	return 0;
}

/*
 * tun reports its queues in IFLA_LINKINFO/IFLA_INFO_DATA: whether it was
 * made multiqueue, and for a multiqueue tap how many queues have a reader
 * (QEMU's fds).  Those
 * attached queues are what ndo_xdp_xmit divides by, not the device's
 * allocated queues (256 for any multiqueue tap).
 */
int vfwd_dev_tap_queues(__u32 ifindex, __u32 *queues, bool *multi)
{
	static struct link_reply r;
	struct rtattr *info, *data, *a;
	int err;

	*queues = 0;
	*multi = false;
	err = link_get(ifindex, &r);
	if (err)
		return err;
	info = attr_find(r.attrs, r.len, IFLA_LINKINFO);
	data = info ? attr_find(RTA_DATA(info), RTA_PAYLOAD(info),
				IFLA_INFO_DATA)
		    : NULL;
	a = data ? attr_find(RTA_DATA(data), RTA_PAYLOAD(data),
			     IFLA_TUN_MULTI_QUEUE)
		 : NULL;
	if (!a)
		return -EOPNOTSUPP;
	*multi = *(__u8 *)RTA_DATA(a);
	if (*multi) {
		a = attr_find(RTA_DATA(data), RTA_PAYLOAD(data),
			      IFLA_TUN_NUM_QUEUES);
		*queues = a ? *(__u32 *)RTA_DATA(a) : 0;
		return 0;
	}
	/* tun reports no queue count for a single-queue tap: it has its one
	 * queue when a reader has it open, which is also what turns its
	 * carrier on. */
	a = attr_find(r.attrs, r.len, IFLA_CARRIER);
	*queues = a && *(__u8 *)RTA_DATA(a);
	return 0;
}
