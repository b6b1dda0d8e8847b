// SPDX-License-Identifier: GPL-2.0
/* One reading of every counter of an installation (lib/snapshot.h). */
#include <errno.h>
#include <time.h>
#include "snapshot.h"

#define NSEC_PER_SEC 1000000000.0

int vfwd_snapshot_take(const struct vfwd_tables *t, int only,
		       struct vfwd_snapshot *s)
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
	return 0;
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
