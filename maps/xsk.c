// SPDX-License-Identifier: GPL-2.0
/* AF_XDP ports: their XSKMAP slots and vfwd-vhost's counters. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

bool vfwd_port_is_xsk(const struct vfwd_port *p)
{
	return p->kind == VFWD_PORT_XSK;
}

bool vfwd_port_is_vm(const struct vfwd_port *p)
{
	return vfwd_port_is_guest(p) || vfwd_port_is_xsk(p);
}

int vfwd_xsk_slots_clear(const struct vfwd_tables *t, __u32 id)
{
	int ret = 0;

	if (id >= VFWD_MAX_PORTS)
		return -EINVAL;
	/* The kernel cannot be asked which slots hold a socket (an XSKMAP
	 * lookup from userspace is EOPNOTSUPP), so every slot of the port
	 * is deleted: 64 syscalls, only on port del. */
	for (__u32 q = 0; q < VFWD_XSK_QUEUES; q++) {
		__u32 slot = vfwd_xsk_slot(id, q);

		if (bpf_map_delete_elem(t->xsk_fd, &slot) && errno != ENOENT &&
		    !ret)
			ret = -errno;
	}
	return ret;
}

int vfwd_xstat_get(const struct vfwd_tables *t, __u32 id,
		   struct vfwd_xsk_stats *s)
{
	return bpf_map_lookup_elem(t->xstat_fd, &id, s) ? -errno : 0;
}

int vfwd_xstat_clear(const struct vfwd_tables *t, __u32 id)
{
	struct vfwd_xsk_stats s = {};

	return bpf_map_update_elem(t->xstat_fd, &id, &s, BPF_ANY) ? -errno : 0;
}

enum vfwd_xsk_state vfwd_xsk_state(const struct vfwd_xsk_stats *s)
{
	/* A daemon killed with -9 leaves its last state behind: trust it
	 * only while that process lives. */
	if (!s->daemon_pid || s->daemon_pid > (__u64)INT32_MAX ||
	    (kill((pid_t)s->daemon_pid, 0) && errno == ESRCH))
		return VFWD_XSK_DOWN;
	return s->state;
}

const char *vfwd_xsk_state_str(enum vfwd_xsk_state state)
{
	switch (state) {
	case VFWD_XSK_UP:
		return "up";
	case VFWD_XSK_WAITING:
		return "waiting";
	default:
		return "no-daemon";
	}
}

const char *vfwd_xsk_mode_str(__u32 mode)
{
	switch (mode) {
	case VFWD_XSK_MODE_COPY:
		return "copy";
	case VFWD_XSK_MODE_ZEROCOPY:
		return "zerocopy";
	default:
		return "none";
	}
}
