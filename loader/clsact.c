// SPDX-License-Identifier: GPL-2.0
/*
 * The clsact qdisc of a guest port's device: whether it is there, and how
 * many filters use it.  port add creates the qdisc when the device has
 * none, and port del removes it again, but only when no filter but
 * vfwd's ever used it: destroying a clsact drops every filter on both of
 * its hooks, someone else's included.  libbpf 1.1 can create and destroy
 * the qdisc but not list filters, so this asks rtnetlink.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/libbpf.h>
#include "vfwd_loader.h"
#include "nl.h"

/* A dump reply: a qdisc or filter message is a few hundred bytes; the
 * kernel fills at most one page (or 8 KiB) per recv. */
#define DUMP_BUF 32768

/* Run one rtnetlink dump of type type for ifindex (parent: 0 for every
 * qdisc, else the filters under that parent) and call fn on each
 * message.  Returns 0 or -errno. */
static int tc_dump(__u16 type, __u32 ifindex, __u32 parent,
		   void (*fn)(struct nlmsghdr *nh, void *arg), void *arg)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = {.nlmsg_len = sizeof(req),
		       .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.tc = {.tcm_family = AF_UNSPEC,
		       .tcm_ifindex = ifindex,
		       .tcm_parent = parent},
	};
	static char buf[DUMP_BUF];
	int fd, len, err = 0;
	bool done = false;

	fd = vfwd_nl_send(&req, sizeof(req));
	if (fd < 0)
		return fd;
	while (!done && !err) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			err = -errno;
			break;
		}
		for (; NLMSG_OK(nh, (unsigned int)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				err = vfwd_nl_error(nh);
				break;
			}
			fn(nh, arg);
		}
	}
	close(fd);
	return err;
}

struct qdisc_find {
	__u32 ifindex;
	bool found;
};

static void is_clsact(struct nlmsghdr *nh, void *arg)
{
	struct qdisc_find *q = arg;
	struct tcmsg *tc = NLMSG_DATA(nh);
	struct rtattr *a = TCA_RTA(tc);
	int len = TCA_PAYLOAD(nh);

	if ((__u32)tc->tcm_ifindex != q->ifindex ||
	    tc->tcm_parent != TC_H_CLSACT)
		return;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == TCA_KIND &&
		    strcmp(RTA_DATA(a), "clsact") == 0)
			q->found = true;
}

int vfwd_clsact_present(__u32 ifindex, bool *present)
{
	struct qdisc_find q = {.ifindex = ifindex};
	int err = tc_dump(RTM_GETQDISC, ifindex, 0, is_clsact, &q);

	*present = q.found;
	return err;
}

/* Filter dumps list each filter once per handle, plus one header
 * message per (priority, protocol) chain that carries no handle. */
static void count_filter(struct nlmsghdr *nh, void *arg)
{
	struct tcmsg *tc = NLMSG_DATA(nh);

	if (nh->nlmsg_type == RTM_NEWTFILTER && tc->tcm_handle)
		(*(int *)arg)++;
}

int vfwd_clsact_filters(__u32 ifindex, int *n)
{
	static const __u32 hooks[] = {TC_H_MIN_INGRESS, TC_H_MIN_EGRESS};
	int err = 0;

	*n = 0;
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]) && !err; i++)
		err = tc_dump(RTM_GETTFILTER, ifindex,
			      TC_H_MAKE(TC_H_CLSACT, hooks[i]), count_filter,
			      n);
	return err;
}

int vfwd_clsact_release(__u32 ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	bool present;
	int n, err;

	err = vfwd_clsact_present(ifindex, &present);
	if (err == -ENODEV || (!err && !present))
		return 0;
	if (!err)
		err = vfwd_clsact_filters(ifindex, &n);
	if (err)
		return err;
	/* Someone else's filter uses it now: it stays, with theirs. */
	if (n)
		return 0;
	err = bpf_tc_hook_destroy(&hook);
	return err == -ENOENT || err == -ENODEV ? 0 : err;
}
