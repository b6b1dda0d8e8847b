// SPDX-License-Identifier: GPL-2.0
/*
 * UMEMs: one per (uplink, rx queue), shared by the sockets of every xsk
 * port bound to that queue.  The kernel lets only one buffer pool serve a
 * (device, queue): a second socket there must share the first one's UMEM
 * (XDP_SHARED_UMEM) and with it its fill and completion rings.
 *
 * Frames [0, VH_RX_FRAMES) circulate: fill ring -> kernel -> a socket's
 * rx ring -> data path -> fill ring.  Frames after them carry what guests
 * send: free stack -> xguest output -> a tx ring -> completion ring ->
 * free stack.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "vhost.h"

static struct vh_umem *umem_find(struct vh_daemon *d, __u32 ifindex,
				 __u32 queue)
{
	for (struct vh_umem *um = d->umems; um; um = um->next)
		if (um->ifindex == ifindex && um->queue == queue)
			return um;
	return NULL;
}

int vh_umem_get(struct vh_daemon *d, __u32 ifindex, __u32 queue,
		struct vh_umem **out)
{
	struct xsk_umem_config cfg = {
		.fill_size = VH_RING_SIZE,
		.comp_size = VH_RING_SIZE,
		.frame_size = VH_FRAME_SIZE,
		.frame_headroom = 0,
		.flags = 0,
	};
	size_t size = (size_t)VH_UMEM_FRAMES * VH_FRAME_SIZE;
	struct vh_umem *um = umem_find(d, ifindex, queue);
	int err;

	if (um) {
		*out = um;
		return 0;
	}
	um = calloc(1, sizeof(*um));
	if (!um)
		return -ENOMEM;
	um->ifindex = ifindex;
	um->queue = queue;
	/* Page-aligned anonymous memory: the kernel pins it when the UMEM
	 * is registered. */
	um->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (um->area == MAP_FAILED) {
		err = -errno;
		free(um);
		return err;
	}
	err = xsk_umem__create(&um->umem, um->area, size, &um->fill, &um->comp,
			       &cfg);
	if (err) {
		munmap(um->area, size);
		free(um);
		return err;
	}
	for (unsigned int i = 0; i < VH_TX_FRAMES; i++)
		um->tx_free[i] = (__u64)(VH_RX_FRAMES + i) * VH_FRAME_SIZE;
	um->n_tx_free = VH_TX_FRAMES;
	um->next = d->umems;
	d->umems = um;
	*out = um;
	return 0;
}

void vh_umem_put(struct vh_daemon *d, struct vh_umem *um)
{
	struct vh_umem **pp;

	if (um->users)
		return;
	for (pp = &d->umems; *pp; pp = &(*pp)->next) {
		if (*pp == um) {
			*pp = um->next;
			break;
		}
	}
	/* Its last socket is gone, so libxdp lets go of the UMEM. */
	xsk_umem__delete(um->umem);
	munmap(um->area, (size_t)VH_UMEM_FRAMES * VH_FRAME_SIZE);
	free(um);
}

/* Give the kernel every receive frame.  Done once, before the first slot
 * that uses the UMEM is published: with an empty fill ring every frame
 * that arrives is dropped (counted as fill_empty). */
int vh_umem_fill(struct vh_umem *um)
{
	__u32 idx;

	if (um->filled)
		return 0;
	if (xsk_ring_prod__reserve(&um->fill, VH_RX_FRAMES, &idx) !=
	    VH_RX_FRAMES)
		return -ENOSPC;
	for (unsigned int i = 0; i < VH_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&um->fill, idx + i) =
			(__u64)i * VH_FRAME_SIZE;
	xsk_ring_prod__submit(&um->fill, VH_RX_FRAMES);
	um->filled = true;
	return 0;
}

/* Completed transmissions back to the free stack.  The kernel returns
 * the address it was given; the chunk is found from it whatever offset a
 * sender used. */
unsigned int vh_umem_reap(struct vh_umem *um)
{
	__u32 idx;
	unsigned int n = xsk_ring_cons__peek(&um->comp, VH_RING_SIZE, &idx);

	for (unsigned int i = 0; i < n; i++) {
		__u64 addr = *xsk_ring_cons__comp_addr(&um->comp, idx + i);

		if (um->n_tx_free < VH_TX_FRAMES)
			um->tx_free[um->n_tx_free++] = vh_umem_chunk(addr);
	}
	if (n)
		xsk_ring_cons__release(&um->comp, n);
	return n;
}

int vh_umem_tx_alloc(struct vh_umem *um, __u64 *addr)
{
	if (!um->n_tx_free && !vh_umem_reap(um))
		return -ENOBUFS;
	if (!um->n_tx_free)
		return -ENOBUFS;
	*addr = um->tx_free[--um->n_tx_free];
	return 0;
}

void vh_umem_tx_free(struct vh_umem *um, __u64 addr)
{
	if (um->n_tx_free < VH_TX_FRAMES)
		um->tx_free[um->n_tx_free++] = vh_umem_chunk(addr);
}
