// SPDX-License-Identifier: GPL-2.0
/*
 * MAC bindings as files hold them (lib/vfwd_ops.h): one "MAC PORT [VID]"
 * per line, '#' starts a comment.  The rules of a binding (an access
 * port's MACs are bound on its VLAN) live here too, so that `mac add`,
 * `mac load` and later front ends apply the same ones.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfwd_ops.h"

/* Fields of a line: MAC, PORT and an optional VID. */
#define MAC_LINE_FIELDS 3

int vfwd_mac_binding_vid(const struct vfwd_port *p, bool given, __u16 *vid)
{
	if (!p->vid)
		return 0;
	if (!given) {
		*vid = p->vid;
		return 0;
	}
	return *vid == p->vid ? 0 : -EINVAL;
}

__u32 vfwd_mac_binding_flags(const struct vfwd_port *p)
{
	return VFWD_MAC_STATIC | (p->vid ? VFWD_MAC_ACCESS : 0);
}

int vfwd_mac_line_parse(const char *file, int lineno, char *line,
			const struct vfwd_port *ports, struct vfwd_mac_line *it,
			char *err, size_t errlen)
{
	char *f[MAC_LINE_FIELDS], *save = NULL, *hash = strchr(line, '#');
	int n = 0;

	if (hash)
		*hash = '\0';
	for (char *tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAC_LINE_FIELDS) {
			snprintf(
				err, errlen,
				"%s:%d: too many fields; expected MAC PORT [VID]",
				file, lineno);
			return -EINVAL;
		}
		f[n++] = tok;
	}
	if (n == 0)
		return 1; /* blank or comment */
	if (n < 2) {
		snprintf(err, errlen, "%s:%d: expected MAC PORT [VID]", file,
			 lineno);
		return -EINVAL;
	}
	memset(it, 0, sizeof(*it));
	it->line = lineno;
	if (vfwd_mac_parse(f[0], it->key.mac) ||
	    !vfwd_mac_is_unicast(it->key.mac)) {
		snprintf(
			err, errlen,
			"%s:%d: invalid MAC '%s': expected a unicast address like 52:54:00:12:34:56",
			file, lineno, f[0]);
		return -EINVAL;
	}
	if (n == MAC_LINE_FIELDS && vfwd_vid_parse(f[2], &it->key.vid)) {
		snprintf(err, errlen,
			 "%s:%d: invalid VLAN '%s': use %d to %d " VFWD_DECIMAL,
			 file, lineno, f[2], VFWD_VID_MIN, VFWD_VID_MAX);
		return -ERANGE;
	}
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		const struct vfwd_port *p = &ports[id];

		if (!p->name[0] || strncmp(p->name, f[1], VFWD_NAME_LEN))
			continue;
		if (vfwd_mac_binding_vid(p, n == MAC_LINE_FIELDS,
					 &it->key.vid)) {
			snprintf(
				err, errlen,
				"%s:%d: port '%s' is an access port of VLAN %u: its MACs are bound on VLAN %u (leave out the VID)",
				file, lineno, p->name, p->vid, p->vid);
			return -EINVAL;
		}
		it->port_id = id;
		it->flags = vfwd_mac_binding_flags(p);
		return 0;
	}
	snprintf(
		err, errlen,
		"%s:%d: port '%s' does not exist or is an uplink (see 'vfwd port list')",
		file, lineno, f[1]);
	return -ENOENT;
}
