// SPDX-License-Identifier: GPL-2.0
/*
 * MAC operations that change many entries: loading a file's worth, and
 * removing every MAC of a port.  Both build the complete new table and
 * publish it in one update (maps/mac_table.c), so the programs, and a
 * command killed at any moment, see the old table or the new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vfwd_ops.h"

int vfwd_mac_load(struct vfwd_tables *t, const struct vfwd_mac_entry *e,
		  size_t n, bool replace, struct vfwd_mac_load_stats *st,
		  char *err, size_t errlen)
{
	struct vfwd_mac_entry *cur, *next;
	size_t ncur, out = 0, i = 0, j = 0;
	int ret;

	memset(st, 0, sizeof(*st));
	st->conflict = -1;
	ret = vfwd_mac_dump(t, &cur, &ncur);
	if (ret) {
		snprintf(err, errlen, "MAC table: cannot read it: %s",
			 strerror(-ret));
		return ret;
	}
	next = calloc(ncur + n, sizeof(*next));
	if (!next) {
		free(cur);
		snprintf(err, errlen, "MAC table: out of memory");
		return -ENOMEM;
	}
	/* Both are sorted by key: the new table is the merge, each of the
	 * file's entries taking the place of the old one of its key. */
	while (i < n || j < ncur) {
		int c = i == n	    ? 1
			: j == ncur ? -1
				    : vfwd_mac_key_cmp(&e[i].key, &cur[j].key);

		if (c > 0) {
			next[out++] = cur[j++];
			continue;
		}
		if (c < 0) {
			st->added++;
		} else if (cur[j].val.port_id == e[i].val.port_id) {
			st->same++;
			j++;
		} else if (!replace) {
			st->conflict = i;
			st->conflict_port = cur[j].val.port_id;
			ret = -EEXIST;
			snprintf(err, errlen,
				 "MAC already bound to another port");
			goto out;
		} else {
			st->moved++;
			j++;
		}
		next[out++] = e[i++];
	}
	if (out > VFWD_MAX_MACS) {
		ret = -E2BIG;
		snprintf(
			err, errlen,
			"MAC table full: %zu entries + %zu new > %d; nothing was loaded",
			ncur, st->added, VFWD_MAX_MACS);
		goto out;
	}
	ret = vfwd_mac_table_replace(t, next, out);
	if (ret)
		snprintf(
			err, errlen,
			"MAC table: cannot build and publish the new table: %s; nothing was loaded",
			strerror(-ret));
out:
	free(cur);
	free(next);
	return ret;
}

int vfwd_mac_drop_port(struct vfwd_tables *t, __u32 port_id, size_t *dropped,
		       char *err, size_t errlen)
{
	struct vfwd_mac_entry *e;
	size_t n, out = 0;
	int ret;

	*dropped = 0;
	ret = vfwd_mac_dump(t, &e, &n);
	if (ret) {
		snprintf(err, errlen, "MAC table: cannot read it: %s",
			 strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].val.port_id != port_id)
			e[out++] = e[i];
	*dropped = n - out;
	/* Nothing of the port's: the table stays as it is. */
	ret = *dropped ? vfwd_mac_table_replace(t, e, out) : 0;
	if (ret)
		snprintf(
			err, errlen,
			"MAC table: cannot publish it without the port's MACs: %s",
			strerror(-ret));
	free(e);
	return ret;
}
