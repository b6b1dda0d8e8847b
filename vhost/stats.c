// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's counters live in the pinned ARRAY vfwd_xstat (one struct
 * vfwd_xsk_stats per port id), mmapped here (the map is BPF_F_MMAPABLE)
 * and written in place, so `vfwd stats` and `bpftool map dump` read them
 * without asking the daemon.  The data path adds the frame counters; the
 * control thread writes the state and copies the sockets' XDP_STATISTICS.
 * Each field has one writer, and readers accept a torn view across
 * fields.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "vhost.h"

int vh_xstat_map(struct vh_daemon *d)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = sizeof(struct vfwd_xsk_stats) * VFWD_MAX_PORTS;
	void *m;

	/* An ARRAY's values are mapped from offset 0, back to back (the
	 * value size, 128, is a multiple of 8), the whole rounded up to a
	 * page. */
	len = (len + page - 1) / page * page;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->t.xstat_fd,
		 0);
	if (m == MAP_FAILED)
		return -errno;
	d->xstat = m;
	d->xstat_len = len;
	return 0;
}

void vh_xstat_unmap(struct vh_daemon *d)
{
	if (d->xstat)
		munmap(d->xstat, d->xstat_len);
	d->xstat = NULL;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void vh_xstat_state(struct vh_daemon *d, struct vh_port *p, __u32 state)
{
	struct vfwd_xsk_stats *xs = p->xs;

	if (!xs)
		return;
	xs->state = state;
	xs->mode = state == VFWD_XSK_UP ? p->mode : VFWD_XSK_MODE_NONE;
	xs->nslots = state == VFWD_XSK_UP ? p->nsocks : 0;
	xs->daemon_pid = state == VFWD_XSK_DOWN ? 0 : (__u64)d->pid;
	xs->updated_ns = now_ns();
}

static int sock_stats(const struct vh_sock *s, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	return getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, st, &len) ? -errno
								    : 0;
}

/*
 * The kernel's per-socket drops.  rx_ring_full: the socket's rx ring was
 * full (the data path fell behind); rx_fill_ring_empty_descs: no frame in
 * the shared fill ring; rx_dropped: every frame the kernel dropped on the
 * socket, those for an empty fill ring included, so what it has beyond
 * those (a frame too long for a UMEM frame), with rx_invalid_descs, is
 * what rx_invalid counts.  (It used to count rx_dropped whole, and so
 * repeated fill_empty.)  A socket's counters start at zero, so closed
 * sockets' are kept in the base.
 */
static __u64 sock_invalid(const struct xdp_statistics *st)
{
	__u64 other = st->rx_dropped > st->rx_fill_ring_empty_descs
			      ? st->rx_dropped - st->rx_fill_ring_empty_descs
			      : 0;

	return st->rx_invalid_descs + other;
}
void vh_xstat_sockets(struct vh_port *p)
{
	__u64 full = p->base_ring_full, empty = p->base_fill_empty,
	      invalid = p->base_rx_invalid;
	struct xdp_statistics st;

	if (!p->xs)
		return;
	for (unsigned int q = 0; q < p->nsocks; q++) {
		if (sock_stats(&p->socks[q], &st))
			continue;
		full += st.rx_ring_full;
		empty += st.rx_fill_ring_empty_descs;
		invalid += sock_invalid(&st);
	}
	p->xs->ring_full = full;
	p->xs->fill_empty = empty;
	p->xs->rx_invalid = invalid;
	p->xs->updated_ns = now_ns();
}

void vh_xstat_sock_closed(struct vh_port *p, struct vh_sock *s)
{
	struct xdp_statistics st;

	if (sock_stats(s, &st))
		return;
	p->base_ring_full += st.rx_ring_full;
	p->base_fill_empty += st.rx_fill_ring_empty_descs;
	p->base_rx_invalid += sock_invalid(&st);
}
