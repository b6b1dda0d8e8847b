// SPDX-License-Identifier: GPL-2.0
/* Rules that tie MAC entries and uplinks to guest ports. */
#include <errno.h>
#include <string.h>
#include "cli.h"

int cli_mac_vlan(const struct vfwd_port *p, bool given, __u16 *vid)
{
	if (!p->vid)
		return 0;
	if (!given) {
		*vid = p->vid;
		return 0;
	}
	return *vid == p->vid ? 0 : -EINVAL;
}

__u32 cli_mac_flags(const struct vfwd_port *p)
{
	return VFWD_MAC_STATIC | (p->vid ? VFWD_MAC_ACCESS : 0);
}

/* The only uplink's id, 0 when there is none, -EEXIST when several. */
static int only_uplink(struct vfwd_ctx *c, __u32 *id, int *count)
{
	struct vfwd_port p;
	int err;

	*id = 0;
	*count = 0;
	for (__u32 i = VFWD_PORT_ID_MIN; i < VFWD_MAX_PORTS; i++) {
		err = vfwd_port_get(&c->t, i, &p);
		if (err)
			return err;
		if (p.kind == VFWD_PORT_UPLINK) {
			*id = i;
			(*count)++;
		}
	}
	if (*count > 1) {
		*id = 0;
		return -EEXIST;
	}
	return 0;
}

int cli_default_uplink(struct vfwd_ctx *c, const char *port, __u32 *id)
{
	int err, n;

	err = only_uplink(c, id, &n);
	if (err == -EEXIST)
		return cli_err(
			c, err,
			"port '%s': this host has %d uplinks; choose one with --uplink NAME (see 'vfwd status')",
			port, n);
	if (err)
		return cli_err(c, err, "port table: cannot read it: %s",
			       strerror(-err));
	return 0;
}

int cli_bind_uplinks(struct vfwd_ctx *c, int *unbound)
{
	struct vfwd_port p, up;
	__u32 only;
	int err, n;

	*unbound = 0;
	err = only_uplink(c, &only, &n);
	if (err && err != -EEXIST)
		return err;
	for (__u32 i = VFWD_PORT_ID_MIN; i < VFWD_MAX_PORTS; i++) {
		__u32 want;

		err = vfwd_port_get(&c->t, i, &p);
		if (err)
			return err;
		if (!vfwd_port_is_guest(&p))
			continue;
		if (p.flags & VFWD_PORT_F_UPLINK_SET) {
			/* An explicit choice is never moved to another
			 * uplink: on a host with several networks that
			 * would carry a tenant onto the wrong one. */
			want = p.uplink_id;
			if (want && (vfwd_port_get(&c->t, want, &up) ||
				     up.kind != VFWD_PORT_UPLINK))
				want = 0;
		} else {
			want = only;
			*unbound += n > 1;
		}
		if (want == p.uplink_id)
			continue;
		p.uplink_id = want;
		err = vfwd_port_put(&c->t, i, &p);
		if (err)
			return err;
	}
	return 0;
}

void cli_note_unbound(struct vfwd_ctx *c, int unbound)
{
	if (unbound)
		cli_note(
			c,
			"%d guest port%s had followed the only uplink and now follow%s none, as there are several; choose with 'vfwd port set NAME --uplink IFNAME'",
			unbound, unbound == 1 ? "" : "s",
			unbound == 1 ? "s" : "");
}
