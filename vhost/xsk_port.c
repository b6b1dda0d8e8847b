// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_XDP sockets of one xsk port: one per rx queue of its uplink,
 * each bound to exactly that queue, and each put into the XSKMAP slot
 * vfwd_xsk_slot(port, queue).  A socket receives only what arrives on the
 * (device, queue) it is bound to, and the kernel silently drops a
 * redirect to a socket bound elsewhere (design §5), so the uplink program
 * picks the slot by the frame's rx queue.
 *
 * Everything here runs under vh->lock, on the control thread or in
 * destroy_device.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "vhost.h"

/* setsockopt(SOL_XDP) that raises a copy-mode socket's frames per
 * sendto() (TX_BATCH_SIZE, 32), in the uapi since Linux 6.17. */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif
/* One data-path round of a guest's frames: VH_BUDGET_BURSTS bursts. */
#define VH_TX_BUDGET (VH_BURST * VH_BUDGET_BURSTS)

/* Rx queues the device has now: the rx-N entries of its sysfs queues
 * directory (real_num_rx_queues; `ethtool -L` changes it). */
static int rx_queue_count(const char *ifname, unsigned int *nq)
{
	char path[128];
	struct dirent *e;
	unsigned int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir)))
		if (strncmp(e->d_name, "rx-", 3) == 0)
			n++;
	closedir(dir);
	/* Queues past the XSKMAP's per-port slots are not served: the
	 * uplink program counts their frames as port_down. */
	*nq = n ? (n < VFWD_XSK_QUEUES ? n : VFWD_XSK_QUEUES) : 1;
	return 0;
}

int vh_xsk_port_target(struct vh_daemon *d, const struct vh_port *p,
		       __u32 *ifindex, unsigned int *nq)
{
	struct vfwd_port up;
	char ifname[IF_NAMESIZE];
	int err;

	if (!p->uplink_id)
		return -ENOLINK;
	err = vfwd_port_get(&d->t, p->uplink_id, &up);
	if (err)
		return err;
	if (up.kind != VFWD_PORT_UPLINK || !up.ifindex)
		return -ENOLINK;
	if (!if_indextoname(up.ifindex, ifname))
		return -ENODEV;
	err = rx_queue_count(ifname, nq);
	if (err)
		return err;
	*ifindex = up.ifindex;
	return 0;
}

static __u32 sock_mode(int fd)
{
	struct xdp_options opts = {};
	socklen_t len = sizeof(opts);

	if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len))
		return VFWD_XSK_MODE_NONE;
	return opts.flags & XDP_OPTIONS_ZEROCOPY ? VFWD_XSK_MODE_ZEROCOPY
						 : VFWD_XSK_MODE_COPY;
}

/*
 * One socket on (ifname, queue) with the queue's UMEM.  The first socket
 * of a UMEM chooses the mode for all: zero-copy if the driver offers it,
 * else copy (veth refuses XDP_ZEROCOPY with EOPNOTSUPP).  The others
 * join it with XDP_SHARED_UMEM (libxdp sets that, and ignores our bind
 * flags then).  libxdp never loads or attaches a program here: the
 * uplink runs vfwd's, and the slot is ours to fill.
 */
int vh_sock_open(struct vh_sock *s, struct vh_umem *um, const char *ifname,
		 __u32 queue)
{
	unsigned int tx_budget;
	struct xsk_socket_config cfg = {
		.rx_size = VH_RING_SIZE,
		.tx_size = VH_RING_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP,
	};
	int err;

	memset(s, 0, sizeof(*s));
	err = xsk_socket__create_shared(&s->xsk, ifname, queue, um->umem,
					&s->rx, &s->tx, &um->fill, &um->comp,
					&cfg);
	if (err && !um->users) {
		vh_dbg("%s queue %u: no zero-copy (%s), using copy mode",
		       ifname, queue, strerror(-err));
		cfg.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
		err = xsk_socket__create_shared(&s->xsk, ifname, queue,
						um->umem, &s->rx, &s->tx,
						&um->fill, &um->comp, &cfg);
	}
	if (err)
		return err;
	s->fd = xsk_socket__fd(s->xsk);
	s->queue = queue;
	s->um = um;
	s->tx_cons = *s->tx.consumer;
	/* Copy mode: let one sendto() send a whole round of the guest's
	 * frames instead of 32.  Kernels before 6.17 lack the option and
	 * keep 32; that only costs more kicks. */
	tx_budget = VH_TX_BUDGET;
	setsockopt(s->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &tx_budget,
		   sizeof(tx_budget));
	if (!um->users)
		um->mode = sock_mode(s->fd);
	um->users++;
	return 0;
}

void vh_sock_close(struct vh_daemon *d, struct vh_port *p, struct vh_sock *s)
{
	struct vh_umem *um = s->um;

	if (p)
		vh_xstat_sock_closed(p, s);
	xsk_socket__delete(s->xsk);
	s->xsk = NULL;
	um->users--;
	vh_umem_put(d, um);
}

int vh_xsk_port_open(struct vh_daemon *d, struct vh_port *p)
{
	unsigned int nq;
	__u32 ifindex;
	int err;

	err = vh_xsk_port_target(d, p, &ifindex, &nq);
	if (err)
		return err;
	if (!if_indextoname(ifindex, p->ifname))
		return -ENODEV;
	if (!p->socks) {
		p->socks = calloc(VFWD_XSK_QUEUES, sizeof(*p->socks));
		if (!p->socks)
			return -ENOMEM;
	}
	p->ifindex = ifindex;
	p->nsocks = 0;
	for (unsigned int q = 0; q < nq; q++) {
		struct vh_umem *um;

		err = vh_umem_get(d, ifindex, q, &um);
		if (err) {
			vh_err("port %s: cannot make the UMEM for %s queue %u: %s",
			       p->name, p->ifname, q, strerror(-err));
			goto fail;
		}
		err = vh_sock_open(&p->socks[q], um, p->ifname, q);
		p->socks[q].xs = p->xs;
		if (!err)
			err = vh_umem_fill(um);
		if (err) {
			vh_err("port %s: cannot bind an AF_XDP socket to %s queue %u: %s",
			       p->name, p->ifname, q, strerror(-err));
			if (!um->users)
				vh_umem_put(d, um);
			goto fail;
		}
		p->nsocks++;
	}
	p->mode = p->nsocks ? p->socks[0].um->mode : VFWD_XSK_MODE_NONE;
	return 0;
fail:
	vh_xsk_port_close(d, p);
	return err;
}

void vh_xsk_port_close(struct vh_daemon *d, struct vh_port *p)
{
	for (unsigned int q = 0; q < p->nsocks; q++)
		vh_sock_close(d, p, &p->socks[q]);
	p->nsocks = 0;
	p->mode = VFWD_XSK_MODE_NONE;
}

int vh_xsk_port_publish(struct vh_daemon *d, struct vh_port *p)
{
	for (unsigned int q = 0; q < p->nsocks; q++) {
		__u32 slot = vfwd_xsk_slot(p->id, q);
		int fd = p->socks[q].fd;

		if (bpf_map_update_elem(d->t.xsk_fd, &slot, &fd, BPF_ANY)) {
			int err = -errno;

			vh_err("port %s: cannot put the socket of %s queue %u into XSKMAP slot %u: %s",
			       p->name, p->ifname, q, slot, strerror(errno));
			vh_xsk_port_unpublish(d, p);
			return err;
		}
	}
	return 0;
}

/* Empty slots make the uplink count the port's frames as port_down, so
 * nothing for a guest that is gone vanishes without a counter. */
void vh_xsk_port_unpublish(struct vh_daemon *d, struct vh_port *p)
{
	for (unsigned int q = 0; q < p->nsocks; q++) {
		__u32 slot = vfwd_xsk_slot(p->id, q);

		if (bpf_map_delete_elem(d->t.xsk_fd, &slot) && errno != ENOENT)
			vh_err("port %s: cannot empty XSKMAP slot %u: %s",
			       p->name, slot, strerror(errno));
	}
}
