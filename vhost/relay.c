// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-vhost's end of the relay veth (maps/vfwd_xsk_maps.h, "The relay").
 * The daemon makes the pair, or takes over the one a previous daemon
 * left, when it opens the tables; the last `vfwd detach` removes it.
 * Each served guest gets one AF_XDP socket on the daemon end, queue 0,
 * published in vfwd_xrelay_v4[port]: vfwd_xrelay puts there what tap and
 * veth guests send to the port, and the daemon sends on it what the
 * guest sends to the host or to a tap or veth port.
 *
 * Everything here runs under vh->lock, like vhost/xsk_port.c.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "vhost.h"
#include "vfwd_loader.h"

/* The relay is made with one queue per end (loader/relay.c), so every
 * frame crosses on queue 0, where the sockets are bound: a redirect into
 * a socket bound to another queue would be dropped silently. */
#define VH_RELAY_QUEUE 0

/* The daemon's socket for floods from the wire (VFWD_RELAY_FLOOD_KEY),
 * handed to the data path and published last. */
static int flood_open(struct vh_daemon *d)
{
	__u32 key = VFWD_RELAY_FLOOD_KEY;
	struct vh_umem *um;
	int err;

	vh_lock(d);
	err = vh_umem_get(d, d->relay.ifindex_d, VH_RELAY_QUEUE, &um);
	if (!err) {
		err = vh_sock_open(&d->flood, um, d->relay_d, VH_RELAY_QUEUE);
		if (!err)
			err = vh_umem_fill(um);
		if (err && d->flood.xsk)
			vh_sock_close(d, NULL, &d->flood);
		else if (err && !um->users)
			vh_umem_put(d, um);
	}
	vh_unlock(d);
	if (err)
		return err;
	d->flood_open = true;
	vh_dp_set_flood(&d->dp, &d->flood);
	if (bpf_map_update_elem(d->t.xrelay_fd, &key, &d->flood.fd, BPF_ANY)) {
		err = -errno;
		vh_relay_release(d);
	}
	return err;
}

bool vh_relay_setup(struct vh_daemon *d)
{
	char msg[256], k[IF_NAMESIZE];
	int err;

	err = vfwd_relay_up(d->pin_dir, &d->t, (__u64)d->pid, &d->relay, msg,
			    sizeof(msg));
	if (err) {
		vh_err("no relay veth: tap and veth guests cannot reach xsk guests, nor xsk guests the host: %s",
		       msg);
		d->have_relay = false;
		return false;
	}
	vfwd_relay_names(d->pin_dir, k, d->relay_d);
	vh_dbg("relay %s/%s up", k, d->relay_d);
	d->have_relay = true;
	err = flood_open(d);
	if (err)
		vh_err("no flood socket on the relay: under --bum flood, xsk guests get no broadcasts from the wire: %s",
		       strerror(-err));
	return true;
}

void vh_relay_release(struct vh_daemon *d)
{
	__u32 key = VFWD_RELAY_FLOOD_KEY;

	if (!d->flood_open)
		return;
	bpf_map_delete_elem(d->t.xrelay_fd, &key);
	vh_dp_set_flood(&d->dp, NULL);
	vh_lock(d);
	vh_sock_close(d, NULL, &d->flood);
	vh_unlock(d);
	d->flood_open = false;
}

int vh_relay_port_open(struct vh_daemon *d, struct vh_port *p)
{
	struct vh_umem *um;
	int err;

	if (!d->have_relay || p->relay_open)
		return 0;
	err = vh_umem_get(d, d->relay.ifindex_d, VH_RELAY_QUEUE, &um);
	if (err)
		return err;
	err = vh_sock_open(&p->relay, um, d->relay_d, VH_RELAY_QUEUE);
	p->relay.xs = p->xs;
	if (!err)
		err = vh_umem_fill(um);
	if (err) {
		if (p->relay.xsk)
			vh_sock_close(d, p, &p->relay);
		else if (!um->users)
			vh_umem_put(d, um);
		return err;
	}
	p->relay_open = true;
	return 0;
}

void vh_relay_port_close(struct vh_daemon *d, struct vh_port *p)
{
	if (!p->relay_open)
		return;
	vh_sock_close(d, p, &p->relay);
	p->relay_open = false;
}

int vh_relay_port_publish(struct vh_daemon *d, struct vh_port *p)
{
	__u32 id = p->id;

	if (!p->relay_open)
		return 0;
	if (bpf_map_update_elem(d->t.xrelay_fd, &id, &p->relay.fd, BPF_ANY)) {
		int err = -errno;

		vh_err("port %s: cannot put its relay socket into %s: %s",
		       p->name, VFWD_MAP_XRELAY, strerror(-err));
		return err;
	}
	return 0;
}

void vh_relay_port_unpublish(struct vh_daemon *d, struct vh_port *p)
{
	__u32 id = p->id;

	if (p->relay_open && bpf_map_delete_elem(d->t.xrelay_fd, &id) &&
	    errno != ENOENT)
		vh_err("port %s: cannot empty its relay slot: %s", p->name,
		       strerror(errno));
}
