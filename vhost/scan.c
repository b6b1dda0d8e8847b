// SPDX-License-Identifier: GPL-2.0
/*
 * The control thread's view of the installation: the pinned tables, read
 * every VH_SCAN_MS.  The port table is the whole state (there is no
 * daemon configuration): each xsk port in it gets a vhost-user driver,
 * and a port that leaves it loses its driver.  When the tables go away
 * (the last `vfwd detach` unpins them) everything is let go, map fds
 * included, and the daemon waits for tables to appear again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "vhost.h"
#include "xguest.h"

static int map_id(int fd, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

static int tables_open(struct vh_daemon *d)
{
	char msg[256];
	int err;

	err = vfwd_tables_open(&d->t, d->pin_dir);
	if (err) {
		if (!d->waiting_logged)
			vh_info("no vfwd tables in %s (%s): waiting for them",
				d->pin_dir,
				err == -ENOENT ? "nothing set up yet"
					       : strerror(-err));
		d->waiting_logged = true;
		return err;
	}
	err = map_id(d->t.port_fd, &d->port_map_id);
	if (!err && (err = vh_xstat_map(d)))
		vh_err("cannot mmap %s/%s: %s", d->pin_dir, VFWD_MAP_XSTAT,
		       strerror(-err));
	if (!err &&
	    (err = vfwd_xguest_open(d->pin_dir, &d->xg, msg, sizeof(msg))))
		vh_err("cannot load the guest rules (vfwd_xguest): %s", msg);
	if (err) {
		vh_xstat_unmap(d);
		vfwd_tables_close(&d->t);
		d->waiting_logged = true;
		return err;
	}
	d->dp.xg = d->xg;
	d->have_tables = true;
	/* Without a relay the xsk guests still reach the wire and each
	 * other; vh_relay_setup says what is missing. */
	vh_relay_setup(d);
	d->waiting_logged = false;
	vh_info("serving the xsk ports of %s", d->pin_dir);
	return 0;
}

static void tables_close(struct vh_daemon *d)
{
	vh_relay_release(d);
	d->dp.xg = NULL;
	vfwd_xguest_close(d->xg);
	d->xg = NULL;
	vh_xstat_unmap(d);
	vfwd_tables_close(&d->t);
	d->have_tables = false;
	d->have_relay = false;
}

/* Unpinned, or pinned anew by someone else (a detach and an attach in
 * between two scans): either way not the tables we hold. */
static bool tables_gone(struct vh_daemon *d)
{
	char path[PATH_MAX];
	__u32 id = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", d->pin_dir, VFWD_MAP_PORT);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT;
	err = map_id(fd, &id);
	close(fd);
	return !err && id != d->port_map_id;
}

/* The whole port table in one syscall (ARRAY maps support batched
 * lookups): 1024 single lookups every 500 ms would cost the idle daemon
 * more than everything else it does. */
static int ports_read(struct vh_daemon *d)
{
	static __u32 keys[VFWD_MAX_PORTS];
	__u32 count = VFWD_MAX_PORTS, out_batch = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int err;

	err = bpf_map_lookup_batch(d->t.port_fd, NULL, &out_batch, keys,
				   d->scan, &count, &opts);
	if (err && errno != ENOENT)
		return -errno;
	if (count != VFWD_MAX_PORTS)
		return -EIO;
	return 0;
}

static bool same_port(const struct vh_port *p, const struct vfwd_port *tp)
{
	return strncmp(p->name, tp->name, VFWD_NAME_LEN) == 0 &&
	       strncmp(p->path, tp->vhost_path, VFWD_VHOST_PATH_LEN) == 0 &&
	       p->server == !!(tp->flags & VFWD_PORT_F_VHOST_SERVER);
}

static bool servable(const struct vfwd_port *tp)
{
	return tp->kind == VFWD_PORT_XSK && tp->vhost_path[0] == '/' &&
	       memchr(tp->vhost_path, '\0', VFWD_VHOST_PATH_LEN);
}

/* A connected guest whose sockets no longer match its uplink (another
 * uplink chosen, queues added with ethtool -L, the uplink back after it
 * was missing) gets new ones. */
static void resync(struct vh_daemon *d, struct vh_port *p)
{
	unsigned int nq = 0;
	__u32 ifindex = 0;

	if (!p->attached)
		return;
	if (vh_xsk_port_target(d, p, &ifindex, &nq))
		ifindex = 0, nq = 0;
	if (ifindex == p->ifindex && nq == p->nsocks)
		return;
	if (!ifindex && !p->nsocks)
		return;
	vh_info("port %s: uplink changed, rebinding its sockets", p->name);
	vh_port_release(d, p);
	vh_port_connect(d, p);
}

void vh_release_all(struct vh_daemon *d)
{
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (d->ports[id])
			vh_port_remove(d, d->ports[id]);
}

void vh_scan(struct vh_daemon *d)
{
	int err;

	if (d->have_tables && tables_gone(d)) {
		vh_info("the tables in %s are gone: letting go of every port",
			d->pin_dir);
		vh_release_all(d);
		tables_close(d);
	}
	if (!d->have_tables && tables_open(d))
		return;
	err = ports_read(d);
	if (err) {
		vh_err("cannot read the port table %s/%s: %s", d->pin_dir,
		       VFWD_MAP_PORT, strerror(-err));
		return;
	}
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		const struct vfwd_port *tp = &d->scan[id];
		struct vh_port *p = d->ports[id];

		if (p && (!servable(tp) || !same_port(p, tp))) {
			vh_port_remove(d, p);
			p = NULL;
		}
		if (!servable(tp))
			continue;
		if (!p && !(p = vh_port_add(d, id, tp)))
			continue;
		vh_port_register(d, p);
		vh_lock(d);
		p->uplink_id = tp->uplink_id;
		p->access_vid = tp->vid;
		resync(d, p);
		vh_port_connect(d, p);
		vh_xstat_sockets(p);
		vh_unlock(d);
	}
}
