// SPDX-License-Identifier: GPL-2.0
/* The intent journal's accessors (maps/vfwd_maps.h, struct vfwd_intent). */
#include <errno.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

static const __u32 intent_slot;

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
	default:
		return "none";
	}
}
