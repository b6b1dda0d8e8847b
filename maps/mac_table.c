// SPDX-License-Identifier: GPL-2.0
/*
 * The MAC table's lifecycle.  The live table is the HASH in slot
 * VFWD_MAC_SLOT_LIVE of the pinned ARRAY_OF_MAPS vfwd_macs_v4.  A change
 * of many entries builds a new table here, where no program and no other
 * command can see it, and publishes it with one update of that slot.  A
 * command killed before the update leaves only its unfinished table, held
 * by nothing but the dead process's fd, so the kernel frees it.
 */
#include <errno.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "vfwd_tables.h"

/* Entries written per BPF_MAP_UPDATE_BATCH call. */
#define MAC_FILL_CHUNK 4096

int vfwd_mac_table_create(const struct vfwd_mac_btf *b)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int fd;

	/* BTF, when there is some, lets bpftool print named fields. */
	if (b && b->btf_fd >= 0 && b->key_type_id && b->value_type_id) {
		opts.btf_fd = b->btf_fd;
		opts.btf_key_type_id = b->key_type_id;
		opts.btf_value_type_id = b->value_type_id;
	}
	/* Type, sizes and flags must equal the template in
	 * bpf/vfwd_maps.bpf.h, or the kernel refuses it as an inner map. */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, VFWD_MAP_MAC,
			    sizeof(struct vfwd_mac_key),
			    sizeof(struct vfwd_mac_val), VFWD_MAX_MACS, &opts);
	return fd < 0 ? -errno : fd;
}

/* A swap by another process can free the table whose id was just read
 * before its fd is taken: read the slot again.  A handful of tries is
 * plenty, as each one races only one swap (commands hold the lock). */
#define MAC_LIVE_TRIES 8

int vfwd_mac_table_live(int macs_fd)
{
	__u32 slot = VFWD_MAC_SLOT_LIVE, id;
	int fd = -ENOENT;

	for (int i = 0; i < MAC_LIVE_TRIES; i++) {
		/* ENOENT here, and only here, means an empty slot. */
		if (bpf_map_lookup_elem(macs_fd, &slot, &id))
			return -errno;
		fd = bpf_map_get_fd_by_id(id);
		if (fd >= 0)
			return fd;
		fd = -errno;
		if (fd != -ENOENT)
			break;
	}
	/* The slot kept naming tables that were gone: not empty. */
	return fd == -ENOENT ? -ESTALE : fd;
}

int vfwd_mac_table_ensure(int macs_fd, const struct vfwd_mac_btf *b)
{
	__u32 slot = VFWD_MAC_SLOT_LIVE;
	int fd, err;

	fd = vfwd_mac_table_live(macs_fd);
	if (fd != -ENOENT)
		return fd;
	fd = vfwd_mac_table_create(b);
	if (fd < 0)
		return fd;
	/* Map-in-map slots take BPF_ANY only.  Callers hold the pin
	 * directory's lock (or own a private object), so nobody else
	 * installs a table meanwhile. */
	err = bpf_map_update_elem(macs_fd, &slot, &fd, BPF_ANY) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	return vfwd_mac_table_live(macs_fd);
}

int vfwd_mac_table_new(const struct vfwd_tables *t)
{
	struct vfwd_mac_btf b = {.btf_fd = -1};
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	/* The new table gets the live one's BTF. */
	if (bpf_obj_get_info_by_fd(t->mac_fd, &info, &len) == 0 &&
	    info.btf_id) {
		b.btf_fd = bpf_btf_get_fd_by_id(info.btf_id);
		b.key_type_id = info.btf_key_type_id;
		b.value_type_id = info.btf_value_type_id;
	}
	fd = vfwd_mac_table_create(&b);
	if (b.btf_fd >= 0)
		close(b.btf_fd);
	return fd;
}

int vfwd_mac_table_fill(int fd, const struct vfwd_mac_entry *e, size_t n)
{
	struct vfwd_mac_key keys[MAC_FILL_CHUNK];
	struct vfwd_mac_val vals[MAC_FILL_CHUNK];

	for (size_t done = 0; done < n;) {
		__u32 count =
			n - done < MAC_FILL_CHUNK ? n - done : MAC_FILL_CHUNK;

		for (__u32 i = 0; i < count; i++) {
			keys[i] = e[done + i].key;
			vals[i] = e[done + i].val;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL))
			return -errno;
		done += count;
	}
	return 0;
}

int vfwd_mac_table_publish(struct vfwd_tables *t, int fd)
{
	__u32 slot = VFWD_MAC_SLOT_LIVE;

	/* The one kernel operation that makes the new table live: every
	 * program's next lookup sees it, in-flight ones finish on the old
	 * one, which the kernel frees after an RCU grace period. */
	if (bpf_map_update_elem(t->macs_fd, &slot, &fd, BPF_ANY))
		return -errno;
	if (t->mac_fd >= 0)
		close(t->mac_fd);
	t->mac_fd = fd;
	return 0;
}

int vfwd_mac_table_replace(struct vfwd_tables *t,
			   const struct vfwd_mac_entry *e, size_t n)
{
	int fd = vfwd_mac_table_new(t), err;

	if (fd < 0)
		return fd;
	err = vfwd_mac_table_fill(fd, e, n);
	if (!err)
		err = vfwd_mac_table_publish(t, fd);
	if (err)
		close(fd);
	return err;
}

int vfwd_mac_table_refresh(struct vfwd_tables *t)
{
	int fd = vfwd_mac_table_live(t->macs_fd);

	if (fd < 0)
		return fd;
	if (t->mac_fd >= 0)
		close(t->mac_fd);
	t->mac_fd = fd;
	return 0;
}
