// SPDX-License-Identifier: GPL-2.0
/* Rules that tie MAC entries and uplinks to guest ports. */
#include <errno.h>
#include <string.h>
#include "cli.h"

int cli_default_uplink(struct vfwd_ctx *c, const char *port, __u32 *id)
{
	int err, n;

	err = vfwd_only_uplink(&c->t, id, &n);
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

void cli_note_unbound(struct vfwd_ctx *c, int unbound)
{
	if (unbound)
		cli_note(
			c,
			"%d guest port%s had followed the only uplink and now follow%s none, as there are several; choose with 'vfwd port set NAME --uplink IFNAME'",
			unbound, unbound == 1 ? "" : "s",
			unbound == 1 ? "s" : "");
}
