// SPDX-License-Identifier: GPL-2.0
/* Writing a guest's frame as vfwd_xguest's answer says it leaves
 * (loader/xguest.h).  Apart from the loader so that the program tests can
 * check what the daemon would send without loading anything. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include "xguest.h"

_Static_assert(VFWD_XGUEST_GROW == 4, "one 802.1Q tag: TPID and TCI");

int vfwd_xguest_emit(const struct vfwd_xguest_ent *e, const void *frame,
		     __u32 len, void *out, __u32 cap)
{
	const __u32 macs = 2 * ETH_ALEN;
	const __u8 *f = frame;
	__u8 *o = out;
	__u16 tpid, tci;

	switch (e->tag) {
	case VFWD_XG_TAG_KEEP:
		if (cap < len)
			return -ENOSPC;
		memcpy(o, f, len);
		return len;
	case VFWD_XG_TAG_PUSH:
		if (len < macs || cap < len + VFWD_XGUEST_GROW)
			return len < macs ? -EINVAL : -ENOSPC;
		memcpy(o, f, macs);
		tpid = htons(ETH_P_8021Q);
		tci = htons(e->vid & VFWD_VID_MASK);
		memcpy(o + macs, &tpid, sizeof(tpid));
		memcpy(o + macs + sizeof(tpid), &tci, sizeof(tci));
		memcpy(o + macs + VFWD_XGUEST_GROW, f + macs, len - macs);
		return len + VFWD_XGUEST_GROW;
	case VFWD_XG_TAG_POP:
		/* The program saw a tag there: 802.1Q or 802.1ad. */
		if (len < macs + VFWD_XGUEST_GROW + sizeof(tpid))
			return -EINVAL;
		if (cap < len - VFWD_XGUEST_GROW)
			return -ENOSPC;
		memcpy(o, f, macs);
		memcpy(o + macs, f + macs + VFWD_XGUEST_GROW,
		       len - macs - VFWD_XGUEST_GROW);
		return len - VFWD_XGUEST_GROW;
	default:
		return -EINVAL;
	}
}
