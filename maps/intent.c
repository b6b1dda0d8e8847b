// SPDX-License-Identifier: GPL-2.0
/* The intent journal's accessors (maps/vfwd_maps.h, struct vfwd_intent). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

static const __u32 intent_slot;

void vfwd_intent_init(struct vfwd_intent *in, __u32 op, __u32 id,
		      const struct vfwd_port *p)
{
	memset(in, 0, sizeof(*in));
	in->op = op;
	in->port_id = id;
	in->pid = getpid();
	if (p) {
		in->ifindex = p->ifindex;
		snprintf(in->name, sizeof(in->name), "%s", p->name);
	}
}

bool vfwd_intent_slot(const struct vfwd_tables *t, const struct vfwd_intent *in,
		      struct vfwd_port *p)
{
	return vfwd_port_get(t, in->port_id, p) == 0 &&
	       p->kind != VFWD_PORT_FREE && p->ifindex == in->ifindex &&
	       strncmp(p->name, in->name, VFWD_NAME_LEN) == 0;
}

int vfwd_intent_get(const struct vfwd_tables *t, struct vfwd_intent *in)
{
	if (bpf_map_lookup_elem(t->intent_fd, &intent_slot, in))
		return -errno;
	return in->op == VFWD_OP_NONE ? -ENOENT : 0;
}

int vfwd_intent_put(const struct vfwd_tables *t, const struct vfwd_intent *in)
{
	/* One array update: the entry is the old one or the new one. */
	return bpf_map_update_elem(t->intent_fd, &intent_slot, in, BPF_ANY)
		       ? -errno
		       : 0;
}

int vfwd_intent_clear(const struct vfwd_tables *t)
{
	struct vfwd_intent none = {};

	return vfwd_intent_put(t, &none);
}

const char *vfwd_intent_op_str(__u32 op)
{
	switch (op) {
	case VFWD_OP_PORT_ADD:
		return "port add";
	case VFWD_OP_PORT_DEL:
		return "port del";
	case VFWD_OP_ATTACH:
		return "attach";
	case VFWD_OP_CREATE:
		return "table creation";
	case VFWD_OP_PORT_SET:
		return "port set";
	case VFWD_OP_DETACH:
		return "detach";
	case VFWD_OP_DESTROY:
		return "removal of the tables";
	case VFWD_OP_UPGRADE:
		return "upgrade of the tables";
	default:
		return "none";
	}
}
