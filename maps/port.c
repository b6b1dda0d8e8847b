// SPDX-License-Identifier: GPL-2.0
/* Port table and tx devmap accessors. */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

int vfwd_port_get(const struct vfwd_tables *t, __u32 id, struct vfwd_port *p)
{
	if (id >= VFWD_MAX_PORTS)
		return -ERANGE;
	return bpf_map_lookup_elem(t->port_fd, &id, p) ? -errno : 0;
}

int vfwd_port_put(const struct vfwd_tables *t, __u32 id,
		  const struct vfwd_port *p)
{
	if (id < VFWD_PORT_ID_MIN || id >= VFWD_MAX_PORTS)
		return -ERANGE;
	return bpf_map_update_elem(t->port_fd, &id, p, BPF_ANY) ? -errno : 0;
}

int vfwd_port_clear(const struct vfwd_tables *t, __u32 id)
{
	struct vfwd_port empty = {};
	int err, e2;

	/* devmap first: once it is gone the data path stops delivering to the
	 * slot, so the zeroed counters below stay zero. */
	err = vfwd_tx_del(t, id);
	if (err == -ENOENT)
		err = 0;
	e2 = vfwd_port_put(t, id, &empty);
	if (!err)
		err = e2;
	e2 = vfwd_stats_clear(t, id);
	return err ? err : e2;
}

typedef bool (*port_match_fn)(const struct vfwd_port *p, const void *arg);

static int port_find(const struct vfwd_tables *t, port_match_fn match,
		     const void *arg, struct vfwd_port *out)
{
	struct vfwd_port p;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		int err = vfwd_port_get(t, id, &p);

		if (err)
			return err;
		if (p.kind != VFWD_PORT_FREE && match(&p, arg)) {
			if (out)
				*out = p;
			return id;
		}
	}
	return -ENOENT;
}

static bool match_name(const struct vfwd_port *p, const void *arg)
{
	return strncmp(p->name, arg, VFWD_NAME_LEN) == 0;
}

static bool match_ifindex(const struct vfwd_port *p, const void *arg)
{
	return p->ifindex && p->ifindex == *(const __u32 *)arg;
}

int vfwd_port_find_name(const struct vfwd_tables *t, const char *name,
			struct vfwd_port *p)
{
	return port_find(t, match_name, name, p);
}

int vfwd_port_find_ifindex(const struct vfwd_tables *t, __u32 ifindex,
			   struct vfwd_port *p)
{
	return port_find(t, match_ifindex, &ifindex, p);
}

int vfwd_port_alloc(const struct vfwd_tables *t)
{
	struct vfwd_port p;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		int err = vfwd_port_get(t, id, &p);

		if (err)
			return err;
		if (p.kind == VFWD_PORT_FREE)
			return id;
	}
	return -ENOSPC;
}

/* Names are shown in tables and used on command lines: keep them to what
 * interface names allow, minus characters a shell would mangle.  "." and
 * ".." are refused, as the kernel's dev_valid_name() refuses them: in any
 * path made from a name they mean a directory, not an entry of one. */
bool vfwd_port_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= VFWD_NAME_LEN || name[0] == '-')
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

bool vfwd_port_is_guest(const struct vfwd_port *p)
{
	return p->kind == VFWD_PORT_TAP || p->kind == VFWD_PORT_VETH;
}

const char *vfwd_port_kind_str(__u8 kind)
{
	switch (kind) {
	case VFWD_PORT_UPLINK:
		return "uplink";
	case VFWD_PORT_TAP:
		return "tap";
	case VFWD_PORT_VETH:
		return "veth";
	case VFWD_PORT_XSK:
		return "xsk";
	default:
		return "free";
	}
}

int vfwd_tx_set(const struct vfwd_tables *t, __u32 id, __u32 ifindex)
{
	/* No devmap egress program: fd -1 (the kernel attaches one only for
	 * fd > 0). */
	struct bpf_devmap_val v = {.ifindex = ifindex, .bpf_prog.fd = -1};

	return bpf_map_update_elem(t->tx_fd, &id, &v, BPF_ANY) ? -errno : 0;
}

int vfwd_tx_del(const struct vfwd_tables *t, __u32 id)
{
	return bpf_map_delete_elem(t->tx_fd, &id) ? -errno : 0;
}

int vfwd_tx_present(const struct vfwd_tables *t, __u32 id)
{
	struct bpf_devmap_val v;

	if (bpf_map_lookup_elem(t->tx_fd, &id, &v) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int vfwd_tx_get(const struct vfwd_tables *t, __u32 id, __u32 *ifindex)
{
	struct bpf_devmap_val v;

	if (bpf_map_lookup_elem(t->tx_fd, &id, &v))
		return -errno;
	*ifindex = v.ifindex;
	return 0;
}
