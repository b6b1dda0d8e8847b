// SPDX-License-Identifier: GPL-2.0
/* MAC address text forms and the MAC table accessors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "vfwd_tables.h"

/* Entries fetched per BPF_MAP_LOOKUP_BATCH call when dumping the table:
 * large enough that a full 64k table takes a handful of syscalls. */
#define MAC_DUMP_CHUNK 4096

int vfwd_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Accepts six two-digit hex groups separated by ':' or '-', the forms
 * `ip link` and libvirt print. */
int vfwd_mac_parse(const char *s, __u8 mac[VFWD_ETH_ALEN])
{
	char sep = 0;

	for (int i = 0; i < VFWD_ETH_ALEN; i++) {
		int hi = vfwd_hexval(s[0]),
		    lo = hi < 0 ? -1 : vfwd_hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = hi << 4 | lo;
		s += 2;
		if (i == VFWD_ETH_ALEN - 1)
			break;
		if (*s != ':' && *s != '-')
			return -EINVAL;
		if (sep && *s != sep)
			return -EINVAL;
		sep = *s++;
	}
	return *s ? -EINVAL : 0;
}

void vfwd_mac_format(const __u8 mac[VFWD_ETH_ALEN], char buf[VFWD_MAC_STRLEN])
{
	snprintf(buf, VFWD_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Only individual, non-zero addresses can own a guest: the group bit marks
 * multicast and broadcast, which the data path never looks up. */
bool vfwd_mac_is_unicast(const __u8 mac[VFWD_ETH_ALEN])
{
	static const __u8 zero[VFWD_ETH_ALEN];

	return !(mac[0] & 1) && memcmp(mac, zero, VFWD_ETH_ALEN) != 0;
}

int vfwd_vid_parse(const char *s, __u16 *vid)
{
	__u32 v;
	int err;

	err = vfwd_parse_u32(s, VFWD_VID_MIN, VFWD_VID_MAX, &v);
	if (err)
		return err;
	*vid = (__u16)v;
	return 0;
}

int vfwd_mac_get(const struct vfwd_tables *t, const struct vfwd_mac_key *k,
		 struct vfwd_mac_val *v)
{
	return bpf_map_lookup_elem(t->mac_fd, k, v) ? -errno : 0;
}

int vfwd_mac_put(const struct vfwd_tables *t, const struct vfwd_mac_key *k,
		 const struct vfwd_mac_val *v, bool replace)
{
	struct vfwd_mac_val old;

	if (!replace && vfwd_mac_get(t, k, &old) == 0 &&
	    old.port_id != v->port_id)
		return -EEXIST;
	/* A preallocated hash that is full fails with E2BIG, even for BPF_ANY
	 * on a new key; an existing key can always be overwritten. */
	return bpf_map_update_elem(t->mac_fd, k, v, BPF_ANY) ? -errno : 0;
}

int vfwd_mac_del(const struct vfwd_tables *t, const struct vfwd_mac_key *k)
{
	return bpf_map_delete_elem(t->mac_fd, k) ? -errno : 0;
}

int vfwd_mac_key_cmp(const struct vfwd_mac_key *a, const struct vfwd_mac_key *b)
{
	int c = memcmp(a->mac, b->mac, VFWD_ETH_ALEN);

	return c ? c : (int)a->vid - (int)b->vid;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct vfwd_mac_entry *x = a, *y = b;

	return vfwd_mac_key_cmp(&x->key, &y->key);
}

int vfwd_mac_dump(const struct vfwd_tables *t, struct vfwd_mac_entry **out,
		  size_t *n)
{
	return vfwd_mac_dump_fd(t->mac_fd, out, n);
}

int vfwd_mac_dump_fd(int fd, struct vfwd_mac_entry **out, size_t *n)
{
	struct vfwd_mac_key keys[MAC_DUMP_CHUNK];
	struct vfwd_mac_val vals[MAC_DUMP_CHUNK];
	struct vfwd_mac_entry *all;
	__u32 in_batch, out_batch, count;
	bool first = true;
	size_t used = 0;
	int err = 0;

	all = calloc(VFWD_MAX_MACS, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (;;) {
		count = MAC_DUMP_CHUNK;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch,
					   &out_batch, keys, vals, &count,
					   NULL);
		err = err ? -errno : 0;
		if (err && err != -ENOENT)
			break;
		for (__u32 i = 0; i < count && used < VFWD_MAX_MACS; i++) {
			all[used].key = keys[i];
			all[used].val = vals[i];
			used++;
		}
		/* ENOENT marks the last batch, which may still hold entries. */
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in_batch = out_batch;
		first = false;
	}
	if (err) {
		free(all);
		return err;
	}
	qsort(all, used, sizeof(*all), entry_cmp);
	*out = all;
	*n = used;
	return 0;
}
