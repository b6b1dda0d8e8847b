// SPDX-License-Identifier: GPL-2.0
/*
 * One xsk port as a vhost-user device (rte_vhost), and the life of its
 * guest: connected (new_device) -> sockets made, data path attached, slots
 * published -> gone (destroy_device) -> slots emptied, data path detached,
 * sockets closed.
 *
 * By default vfwd-vhost is the vhost-user client and QEMU serves the
 * socket (OVS's dpdkvhostuserclient model): the library reconnects by
 * itself, every second, to a server that restarts, and a restarted
 * vfwd-vhost takes its guests back without them restarting.
 *
 * The callbacks run on the library's vhost-events thread, or inside
 * rte_vhost_driver_unregister() on the control thread, which therefore
 * never holds vh->lock while it calls that.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/virtio_net.h>
#include <rte_vhost.h>
#include "vhost.h"

/*
 * Offloads off: the guest then sends whole frames with full checksums
 * and expects the same.  What we carry comes from and goes to an AF_XDP
 * socket, which has no checksum or segmentation metadata, and the wire
 * would get partial checksums and 64 KiB super-frames otherwise.  MQ off:
 * one queue pair is served.
 */
#define VH_FEATURES_OFF                                                        \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |     \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |                                   \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO) | \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) | \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |   \
	 (1ULL << VIRTIO_NET_F_MQ))

/* Under vh->lock. */
static struct vh_port *port_by_path(struct vh_daemon *d, const char *path)
{
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (d->ports[id] && strcmp(d->ports[id]->path, path) == 0)
			return d->ports[id];
	return NULL;
}

static struct vh_port *port_by_vid(struct vh_daemon *d, int vid)
{
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (d->ports[id] && d->ports[id]->vid == vid)
			return d->ports[id];
	return NULL;
}

/* ---- guest connection, under vh->lock ---- */

void vh_port_connect(struct vh_daemon *d, struct vh_port *p)
{
	int err;

	if (p->vid < 0 || p->attached || p->removing)
		return;
	err = vh_xsk_port_open(d, p);
	if (err) {
		/* The guest is served without the wire (other guests still
		 * reach it); the scan retries when the uplink changes. */
		if (err != p->sock_err)
			vh_err("port %s: guest connected, but no AF_XDP sockets on its uplink: %s",
			       p->name,
			       err == -ENOLINK ? "the port has no uplink"
					       : strerror(-err));
		p->sock_err = err;
	} else {
		p->sock_err = 0;
	}
	err = vh_relay_port_open(d, p);
	if (err)
		vh_err("port %s: no socket on the relay (tap and veth guests and the host cannot reach it): %s",
		       p->name, strerror(-err));
	vh_dp_attach(&d->dp, p);
	p->attached = true;
	/* Published last: until now the uplink counted the frames as
	 * port_down; from now on they reach the guest. */
	if (p->nsocks && vh_xsk_port_publish(d, p))
		p->sock_err = -EIO;
	vh_relay_port_publish(d, p);
	vh_xstat_state(d, p, VFWD_XSK_UP);
	vh_info("port %s: serving guest on %s, %u socket%s on %s (%s)", p->name,
		p->path, p->nsocks, p->nsocks == 1 ? "" : "s",
		p->nsocks ? p->ifname : "-",
		p->mode == VFWD_XSK_MODE_ZEROCOPY ? "zero-copy"
		: p->mode == VFWD_XSK_MODE_COPY	  ? "copy mode"
						  : "no wire");
}

void vh_port_release(struct vh_daemon *d, struct vh_port *p)
{
	if (!p->attached)
		return;
	/* Slots first: the uplink counts frames for the guest as
	 * port_down from here on, instead of filling rings nobody reads. */
	vh_xsk_port_unpublish(d, p);
	vh_relay_port_unpublish(d, p);
	vh_dp_detach(&d->dp, p);
	vh_xsk_port_close(d, p);
	vh_relay_port_close(d, p);
	p->attached = false;
	vh_xstat_state(d, p, VFWD_XSK_WAITING);
}

/* ---- rte_vhost callbacks ---- */

static int on_new_device(int vid)
{
	struct vh_daemon *d = vh;
	char path[PATH_MAX];
	struct vh_port *p;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)))
		return -1;
	vh_lock(d);
	p = port_by_path(d, path);
	/* A server socket accepts any number of front ends; a port has
	 * one guest. */
	if (p && (p->removing || p->vid >= 0))
		p = NULL;
	if (p)
		p->vid = vid;
	vh_unlock(d);
	if (!p) {
		vh_err("%s: refusing a second front end (device %d): the port has a guest, or is going away",
		       path, vid);
		return -1;
	}
	vh_dbg("port %s: guest connected on %s (device %d)", p->name, path,
	       vid);
	/* The sockets are made on the control thread: binding takes a
	 * while, and the library's event thread serves every guest. */
	eventfd_write(d->ctl_wake, 1);
	return 0;
}

static void on_destroy_device(int vid)
{
	struct vh_daemon *d = vh;
	struct vh_port *p;

	vh_lock(d);
	p = port_by_vid(d, vid);
	if (p) {
		/* Returns once the data path has let go of vid: the
		 * library frees the device after this callback. */
		vh_port_release(d, p);
		p->vid = -1;
		vh_info("port %s: guest gone from %s", p->name, p->path);
	}
	vh_unlock(d);
}

/* Runs with the device's vrings locked (SET_VRING_KICK and the like),
 * while the data path may be spinning on one of those locks: it must
 * not wait for anything. */
static int on_vring_state_changed(int vid, uint16_t queue, int enable)
{
	vh_dp_kick_refresh(&vh->dp);
	return 0;
}

static const struct rte_vhost_device_ops vh_ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
};

/* ---- registration, on the control thread ---- */

struct vh_port *vh_port_add(struct vh_daemon *d, __u32 id,
			    const struct vfwd_port *tp)
{
	struct vh_port *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->id = id;
	memcpy(p->name, tp->name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = '\0';
	memcpy(p->path, tp->vhost_path, sizeof(p->path));
	p->path[sizeof(p->path) - 1] = '\0';
	p->server = tp->flags & VFWD_PORT_F_VHOST_SERVER;
	p->uplink_id = tp->uplink_id;
	p->access_vid = tp->vid;
	p->vid = -1;
	p->xs = d->xstat ? &d->xstat[id] : NULL;
	if (p->xs) {
		/* Counters go on from where the last daemon left them. */
		p->base_ring_full = p->xs->ring_full;
		p->base_fill_empty = p->xs->fill_empty;
		p->base_rx_invalid = p->xs->rx_invalid;
	}
	vh_lock(d);
	d->ports[id] = p;
	vh_unlock(d);
	return p;
}

/* In server mode the socket is ours to create.  One left by a killed
 * daemon makes bind() fail; it is stale if nobody accepts on it. */
static int server_path_free(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, err;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* VFWD_VHOST_PATH_LEN is sizeof(sun_path): it always fits. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
	close(fd);
	if (!err)
		return -EADDRINUSE;
	if (err != ECONNREFUSED)
		return -err;
	return unlink(path) ? -errno : 0;
}

static const char *reg_strerror(int err)
{
	switch (err) {
	case -EEXIST:
		return "the path exists and is not a socket";
	case -EADDRINUSE:
		return "another process serves it";
	default:
		return strerror(-err);
	}
}

int vh_port_register(struct vh_daemon *d, struct vh_port *p)
{
	uint64_t flags = p->server ? 0 : RTE_VHOST_USER_CLIENT;
	const char *step;
	int err = 0;

	if (p->registered)
		return 0;
	if (p->server && (err = server_path_free(p->path))) {
		step = "create the vhost-user socket";
		goto fail;
	}
	step = "register the vhost-user driver";
	if (rte_vhost_driver_register(p->path, flags))
		goto fail_rte;
	step = "turn off the offload features";
	if (rte_vhost_driver_disable_features(p->path, VH_FEATURES_OFF))
		goto fail_unreg;
	step = "register the callbacks";
	if (rte_vhost_driver_callback_register(p->path, &vh_ops))
		goto fail_unreg;
	step = p->server ? "listen on the socket" : "start connecting";
	if (rte_vhost_driver_start(p->path))
		goto fail_unreg;
	p->registered = true;
	p->reg_err = 0;
	vh_xstat_state(d, p, VFWD_XSK_WAITING);
	vh_info("port %s: %s %s", p->name,
		p->server ? "listening on" : "connecting to", p->path);
	return 0;
fail_unreg:
	rte_vhost_driver_unregister(p->path);
fail_rte:
	err = -EIO;
fail:
	if (err != p->reg_err)
		vh_err("port %s: cannot %s %s: %s%s", p->name, step, p->path,
		       err == -EIO ? "rte_vhost refused (see its log above)"
				   : reg_strerror(err),
		       "; retrying");
	p->reg_err = err;
	return err;
}

void vh_port_remove(struct vh_daemon *d, struct vh_port *p)
{
	vh_lock(d);
	p->removing = true;
	vh_unlock(d);
	/* Closes the connection, and calls destroy_device here for a
	 * running guest; a server socket is unlinked. */
	if (p->registered)
		rte_vhost_driver_unregister(p->path);
	vh_lock(d);
	vh_port_release(d, p);
	vh_xstat_state(d, p, VFWD_XSK_DOWN);
	d->ports[p->id] = NULL;
	vh_unlock(d);
	vh_info("port %s: no longer served", p->name);
	free(p->socks);
	free(p);
}
