// SPDX-License-Identifier: GPL-2.0
/* One reading of every counter of an installation (lib/snapshot.h). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include "vfwd_loader.h"
#include "snapshot.h"

#define NSEC_PER_SEC 1000000000.0

bool vfwd_snapshot_has_xmit(const struct vfwd_snapshot *s, int id)
{
	__u8 kind = s->info[id].kind;

	return s->xmit_on && s->used[id] &&
	       (kind == VFWD_PORT_TAP || kind == VFWD_PORT_VETH);
}

/* The drop counter's numbers for the tap and veth ports in s; none when
 * it is not attached (an installation made before it, or a kernel
 * without tp_btf). */
static int take_cpumap(const char *pin_dir, struct vfwd_snapshot *s)
{
	int fd = vfwd_xmit_map_open(pin_dir, VFWD_XMIT_CPUMAP), err = 0;
	int ncpus = libbpf_num_possible_cpus();
	struct vfwd_xmit_ctr c;

	s->cpumap_on = fd >= 0;
	s->ncpus = 0;
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (ncpus < 0)
		err = ncpus;
	for (int cpu = 0; !err && cpu < ncpus; cpu++) {
		int slot = cpu < VFWD_SNAP_CPUS ? cpu : VFWD_SNAP_CPUS - 1;

		err = vfwd_xmit_read(fd, VFWD_XMIT_CPU_KEY | cpu, &c);
		if (slot >= s->ncpus) {
			memset(&s->cpumap[slot], 0, sizeof(c));
			s->ncpus = slot + 1;
		}
		s->cpumap[slot].sent += c.sent;
		s->cpumap[slot].drops += c.drops;
	}
	close(fd);
	return err;
}

static int take_xmit(const char *pin_dir, struct vfwd_snapshot *s)
{
	int fd = vfwd_xmit_map_open(pin_dir, VFWD_XMIT_DEVICES), err = 0;

	s->xmit_on = fd >= 0;
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	for (int id = VFWD_PORT_ID_MIN; !err && id < VFWD_MAX_PORTS; id++)
		if (vfwd_snapshot_has_xmit(s, id))
			err = vfwd_xmit_read(fd, s->info[id].ifindex,
					     &s->xmit[id]);
	close(fd);
	return err;
}

int vfwd_snapshot_take(const struct vfwd_tables *t, const char *pin_dir,
		       int only, struct vfwd_snapshot *s)
{
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->t = ts.tv_sec + ts.tv_nsec / NSEC_PER_SEC;
	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		s->used[id] = false;
		/* Every slot's entry, even with only: a port's labels name
		 * its uplink. */
		err = vfwd_port_get(t, id, &s->info[id]);
		if (err)
			return err;
		if (s->info[id].kind == VFWD_PORT_FREE ||
		    (only >= 0 && id != only))
			continue;
		err = vfwd_stats_read(t, id, &s->port[id]);
		if (!err && vfwd_port_is_xsk(&s->info[id]))
			err = vfwd_xstat_get(t, id, &s->xsk[id]);
		if (err)
			return err;
		s->used[id] = true;
	}
	for (__u32 r = 0; r < VFWD_R_COUNT; r++) {
		err = vfwd_reason_read(t, r, &s->reason[r]);
		if (err)
			return err;
	}
	err = take_xmit(pin_dir, s);
	return err ? err : take_cpumap(pin_dir, s);
}

const char *vfwd_reason_action_str(__u32 r)
{
	static const char *const names[] = {
		[VFWD_ACT_PASS] = "pass",
		[VFWD_ACT_DROP] = "drop",
		[VFWD_ACT_REDIRECT] = "redirect",
		[VFWD_ACT_BUM] = "bum",
	};

	return names[vfwd_reason_action(r)];
}
