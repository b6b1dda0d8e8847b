/* SPDX-License-Identifier: GPL-2.0 */
/* Loader-internal: the rtnetlink request both loader/netlink.c (device
 * facts) and loader/clsact.c (qdiscs and filters) send. */
#ifndef VFWD_NL_H
#define VFWD_NL_H

#include <stddef.h>
#include <linux/netlink.h>

/* Open an rtnetlink socket and send the len-byte request req on it: the
 * socket, for the caller to read the answer from and close, or -errno. */
int vfwd_nl_send(const void *req, size_t len);
/* The errno a NLMSG_ERROR message carries, as -errno (-EPROTO for one
 * that says 0, which a request without NLM_F_ACK never gets). */
int vfwd_nl_error(const struct nlmsghdr *nh);

#endif /* VFWD_NL_H */
