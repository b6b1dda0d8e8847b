// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_XDP side of `port add` (cli/cmd_port.c): which options such a
 * port takes, its vhost-user socket path, and the one write that makes it
 * (lib/xsk_ops.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "vfwd_ops.h"

/* The options of an AF_XDP port: no device and no CPU set (vfwd-vhost
 * reads its sockets), but a vhost-user socket.  For other ports, none of
 * the xsk options. */
int cli_port_kind_opts(struct vfwd_ctx *c, const struct port_req *r, bool xsk)
{
	if (!xsk) {
		if (r->vhost_socket || r->vhost_server)
			return cli_err(
				c, -EINVAL,
				"--vhost-socket and --vhost-server are for AF_XDP ports (--xsk)");
		return 0;
	}
	if (r->ifname)
		return cli_err(
			c, -EINVAL,
			"--xsk and --dev exclude each other: an AF_XDP port has no device of its own; vfwd-vhost serves its guest on --vhost-socket");
	if (cli_cpu_req_any(&r->cpu))
		return cli_err(
			c, -EINVAL,
			"--cpus, --vm-pid, --placement and --rps steer a tap's queues; an AF_XDP port's sockets are read by vfwd-vhost on its own CPUs (vfwd-vhost --poll)");
	return 0;
}

/* An AF_XDP port's vhost-user socket: an absolute path that fits a
 * sockaddr_un, in a directory that exists, used by no other port. */
static int check_vhost_path(struct vfwd_ctx *c, const char *path)
{
	char dir[VFWD_VHOST_PATH_LEN];
	struct vfwd_port other;
	struct stat st;
	char *slash;

	if (path[0] != '/')
		return cli_err(
			c, -EINVAL,
			"--vhost-socket %s: give an absolute path (vfwd-vhost runs in another directory)",
			path);
	if (strlen(path) >= VFWD_VHOST_PATH_LEN)
		return cli_err(
			c, -ENAMETOOLONG,
			"--vhost-socket %s: longer than a UNIX socket path may be (%d bytes)",
			path, VFWD_VHOST_PATH_LEN - 1);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash[1])
		return cli_err(
			c, -EINVAL,
			"--vhost-socket %s: names a directory, not a socket",
			path);
	*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return cli_err(c, -ENOENT,
			       "--vhost-socket %s: directory %s does not exist",
			       path, dir);
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++)
		if (!vfwd_port_get(&c->t, id, &other) &&
		    vfwd_port_is_xsk(&other) &&
		    strcmp(other.vhost_path, path) == 0)
			return cli_err(c, -EBUSY,
				       "--vhost-socket %s: port '%s' uses it",
				       path, other.name);
	return 0;
}

/* port add NAME --xsk: the slot alone (lib/xsk_ops.c); vfwd-vhost makes
 * the sockets when it sees it. */
int cli_port_add_xsk(struct vfwd_ctx *c, const char *name,
		     const struct port_req *r, struct vfwd_port *p, int id)
{
	char why[VFWD_ERRLEN];
	int err;

	if (!r->vhost_socket)
		return cli_err(
			c, -EINVAL,
			"--xsk needs --vhost-socket PATH: the socket QEMU serves (-chardev socket,server=on), or that vfwd-vhost creates with --vhost-server");
	err = check_vhost_path(c, r->vhost_socket);
	if (err)
		return err;
	p->kind = VFWD_PORT_XSK;
	snprintf(p->vhost_path, sizeof(p->vhost_path), "%s", r->vhost_socket);
	if (r->vhost_server)
		p->flags |= VFWD_PORT_F_VHOST_SERVER;
	err = vfwd_xsk_port_create(&c->t, id, p, why, sizeof(why));
	if (err)
		return cli_err(c, err, "port '%s': %s", name, why);
	return 0;
}
