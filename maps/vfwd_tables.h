/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed accessors for the pinned vfwd maps.  This is the only userspace
 * code that knows map layouts; the loader and the CLI call these.  Every
 * function returns 0 or a negative errno.
 */
#ifndef VFWD_TABLES_H
#define VFWD_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include "vfwd_maps.h"

/* Text forms: "52:54:00:12:34:56" plus NUL. */
#define VFWD_MAC_STRLEN 18

struct vfwd_tables {
	int macs_fd; /* the pinned ARRAY_OF_MAPS holding the live table */
	int mac_fd; /* the live MAC table (its own fd, from macs_fd) */
	int intent_fd;
	int port_fd;
	int tx_fd;
	int stats_fd;
	int reason_fd;
	int flood_fd;
	int vlan_fd;
	int cpu_fd;
	int xsk_fd; /* XSKMAP: vfwd-vhost's sockets */
	int xstat_fd; /* vfwd-vhost's counters */
	int relay_fd; /* where vfwd-vhost's relay is */
	int xrelay_fd; /* XSKMAP: vfwd-vhost's sockets on the relay */
};

/* Open the maps pinned under pin_dir and check that each has the type and
 * sizes this build expects.  -ENOENT when no state is pinned there. */
int vfwd_tables_open(struct vfwd_tables *t, const char *pin_dir);
void vfwd_tables_close(struct vfwd_tables *t);
/* How many of this build's pins exist under pin_dir (*present), out of
 * how many (the return value): some but not all is what a first command
 * killed while it created the maps leaves. */
int vfwd_tables_pins(const char *pin_dir, int *present);
/* Remove every vfwd pin under pin_dir, then the directory itself. */
int vfwd_tables_unpin(const char *pin_dir);
/* The same, but the directory stays: other pins (the previous schema's,
 * during an upgrade) may be in it. */
int vfwd_tables_unpin_pins(const char *pin_dir);
/* max_entries of a map sized by the host's possible CPUs. */
#define VFWD_MAX_IS_CPUS 0
/* 0 when the map fd (pinned at path, for the message) has this type,
 * these sizes and max_entries (VFWD_MAX_IS_CPUS: one per possible CPU);
 * -EPROTO, said on stderr, when it has another layout. */
int vfwd_map_check(int fd, const char *path, __u32 type, __u32 key_size,
		   __u32 value_size, __u32 max_entries);
/* The name of the map a pinned-file name belongs to, for error messages. */
extern const char *const vfwd_map_names[];

/* Numbers: canonical decimal only, digits with no sign, spaces or
 * leading zero (0 itself is "0"), from min to max.  -EINVAL when s is
 * not written so, -ERANGE when the value is outside min..max. */
int vfwd_parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);
/* The same for a number at the start of s: parsing stops at the first
 * non-digit, and *end points there (also on error). */
int vfwd_parse_u32_prefix(const char *s, const char **end, __u32 min, __u32 max,
			  __u32 *out);

/* MAC addresses. */
/* Value of one hex digit, or -1. */
int vfwd_hexval(char c);
int vfwd_mac_parse(const char *s, __u8 mac[VFWD_ETH_ALEN]);
void vfwd_mac_format(const __u8 mac[VFWD_ETH_ALEN], char buf[VFWD_MAC_STRLEN]);
bool vfwd_mac_is_unicast(const __u8 mac[VFWD_ETH_ALEN]);
/* A VLAN id VFWD_VID_MIN..VFWD_VID_MAX, as vfwd_parse_u32 reads it. */
int vfwd_vid_parse(const char *s, __u16 *vid);

/* MAC table. */
int vfwd_mac_get(const struct vfwd_tables *t, const struct vfwd_mac_key *k,
		 struct vfwd_mac_val *v);
/* replace: overwrite an entry bound elsewhere; else -EEXIST for those. */
int vfwd_mac_put(const struct vfwd_tables *t, const struct vfwd_mac_key *k,
		 const struct vfwd_mac_val *v, bool replace);
int vfwd_mac_del(const struct vfwd_tables *t, const struct vfwd_mac_key *k);

struct vfwd_mac_entry {
	struct vfwd_mac_key key;
	struct vfwd_mac_val val;
};
/* Order by MAC, then VID: the order of vfwd_mac_dump, which callers that
 * merge against a dump must sort by too. */
int vfwd_mac_key_cmp(const struct vfwd_mac_key *a,
		     const struct vfwd_mac_key *b);
/* Read the whole table into a malloc'd array sorted by vfwd_mac_key_cmp. */
int vfwd_mac_dump(const struct vfwd_tables *t, struct vfwd_mac_entry **out,
		  size_t *n);
/* The same for the MAC table fd (any table of this layout). */
int vfwd_mac_dump_fd(int fd, struct vfwd_mac_entry **out, size_t *n);

/* The MAC table as a whole (maps/mac_table.c).  BTF ids for a table's
 * key and value, so that bpftool prints named fields; btf_fd -1: none. */
struct vfwd_mac_btf {
	int btf_fd;
	__u32 key_type_id;
	__u32 value_type_id;
};
/* A new, empty, unpublished table: an fd, or -errno. */
int vfwd_mac_table_create(const struct vfwd_mac_btf *b);
/* The same, with the BTF of t's live table. */
int vfwd_mac_table_new(const struct vfwd_tables *t);
/* An fd of the live table in macs_fd; -ENOENT when the slot is empty. */
int vfwd_mac_table_live(int macs_fd);
/* The live table, first creating and installing one if the slot is empty
 * (maps just created). */
int vfwd_mac_table_ensure(int macs_fd, const struct vfwd_mac_btf *b);
/* Write n entries into the unpublished table fd. */
int vfwd_mac_table_fill(int fd, const struct vfwd_mac_entry *e, size_t n);
/* Make table fd live in one update; t->mac_fd then is fd (t owns it). */
int vfwd_mac_table_publish(struct vfwd_tables *t, int fd);
/* t->mac_fd again from the live slot.  A program that keeps its tables
 * open while other processes run vfwd (a benchmark, a daemon) must call
 * this before it uses the MAC table: a swap by another process leaves
 * its fd on the old, unpublished table. */
int vfwd_mac_table_refresh(struct vfwd_tables *t);
/* Build a table of exactly e[0..n) and publish it: all or nothing. */
int vfwd_mac_table_replace(struct vfwd_tables *t,
			   const struct vfwd_mac_entry *e, size_t n);

/* Intent journal (maps/intent.c).  get: -ENOENT when it is empty. */
int vfwd_intent_get(const struct vfwd_tables *t, struct vfwd_intent *in);
int vfwd_intent_put(const struct vfwd_tables *t, const struct vfwd_intent *in);
/* An entry for op on slot id, by this process; p (may be NULL) gives the
 * device and the name. */
void vfwd_intent_init(struct vfwd_intent *in, __u32 op, __u32 id,
		      const struct vfwd_port *p);
/* Whether slot in->port_id still holds the port the entry names (same
 * device and name), read into *p: what tells a published change from an
 * unpublished one, and keeps recovery off a slot reused since. */
bool vfwd_intent_slot(const struct vfwd_tables *t, const struct vfwd_intent *in,
		      struct vfwd_port *p);
int vfwd_intent_clear(const struct vfwd_tables *t);
const char *vfwd_intent_op_str(__u32 op);

/* Port table and tx devmap. */
int vfwd_port_get(const struct vfwd_tables *t, __u32 id, struct vfwd_port *p);
int vfwd_port_put(const struct vfwd_tables *t, __u32 id,
		  const struct vfwd_port *p);
/* Free the slot: zero the entry and its counters, drop its devmap entry. */
int vfwd_port_clear(const struct vfwd_tables *t, __u32 id);
/* Lookups over used slots: return the id, or -ENOENT. */
int vfwd_port_find_name(const struct vfwd_tables *t, const char *name,
			struct vfwd_port *p);
int vfwd_port_find_ifindex(const struct vfwd_tables *t, __u32 ifindex,
			   struct vfwd_port *p);
/* A free id, or -ENOSPC when the table is full. */
int vfwd_port_alloc(const struct vfwd_tables *t);
bool vfwd_port_name_valid(const char *name);
const char *vfwd_port_kind_str(__u8 kind);
/* A guest port: a tap or a veth (not free, not an uplink). */
bool vfwd_port_is_guest(const struct vfwd_port *p);

int vfwd_tx_set(const struct vfwd_tables *t, __u32 id, __u32 ifindex);
int vfwd_tx_del(const struct vfwd_tables *t, __u32 id);
/* 1 if the port has a live devmap entry, 0 if not, or -errno. */
int vfwd_tx_present(const struct vfwd_tables *t, __u32 id);
/* The device the port's tx entry points at; -ENOENT when it has none. */
int vfwd_tx_get(const struct vfwd_tables *t, __u32 id, __u32 *ifindex);

/* Flood devmap: the port's device with its vfwd_egress instance. */
int vfwd_flood_set(const struct vfwd_tables *t, __u32 id, __u32 ifindex,
		   int egress_prog_fd);
int vfwd_flood_del(const struct vfwd_tables *t, __u32 id);
/* The port's flood entry: its device, and the id of its egress program
 * (0 when it has none); -ENOENT when the port has no entry. */
int vfwd_flood_get(const struct vfwd_tables *t, __u32 id, __u32 *ifindex,
		   __u32 *prog_id);
/* Rebuild every VLAN's flood group from the port table: each guest port
 * (tap, veth) belongs to the group of its access VID, 0 for untagged. */
int vfwd_vlan_sync(const struct vfwd_tables *t);

/* AF_XDP ports (maps/xsk.c). */
bool vfwd_port_is_xsk(const struct vfwd_port *p);
/* A port of a guest, of any kind: tap, veth or xsk. */
bool vfwd_port_is_vm(const struct vfwd_port *p);
/* Delete every XSKMAP slot of port id: its sockets no longer receive. */
int vfwd_xsk_slots_clear(const struct vfwd_tables *t, __u32 id);
/* vfwd-vhost's counters and state for port id. */
int vfwd_xstat_get(const struct vfwd_tables *t, __u32 id,
		   struct vfwd_xsk_stats *s);
int vfwd_xstat_clear(const struct vfwd_tables *t, __u32 id);
/* The state s says, or VFWD_XSK_DOWN when the daemon that wrote it is
 * gone. */
enum vfwd_xsk_state vfwd_xsk_state(const struct vfwd_xsk_stats *s);
/* "up", "waiting", "no-daemon": stable, used in JSON. */
const char *vfwd_xsk_state_str(enum vfwd_xsk_state state);
/* "copy", "zerocopy", "none": stable, used in JSON. */
const char *vfwd_xsk_mode_str(__u32 mode);

/* CPU map: which CPUs have a cpumap kthread running vfwd_cpu. */
/* The entry of cpu: its queue size and program id; -ENOENT if none. */
int vfwd_cpumap_get(const struct vfwd_tables *t, __u32 cpu, __u32 *qsize,
		    __u32 *prog_id);
int vfwd_cpumap_set(const struct vfwd_tables *t, __u32 cpu, __u32 qsize,
		    int prog_fd);
/* 0 also when cpu had no entry. */
int vfwd_cpumap_del(const struct vfwd_tables *t, __u32 cpu);

/* Counters, summed over CPUs. */
int vfwd_stats_read(const struct vfwd_tables *t, __u32 id,
		    struct vfwd_port_stats *s);
int vfwd_stats_clear(const struct vfwd_tables *t, __u32 id);
/* The port's counters per possible CPU: a malloc'd array of *ncpu. */
int vfwd_stats_read_cpus(const struct vfwd_tables *t, __u32 id,
			 struct vfwd_port_stats **per_cpu, int *ncpu);
int vfwd_reason_read(const struct vfwd_tables *t, __u32 reason,
		     struct vfwd_reason_ctr *c);
/* Short stable names ("fwd", "runt", ...) used by the CLI and its JSON. */
const char *vfwd_reason_str(__u32 reason);

#endif /* VFWD_TABLES_H */
