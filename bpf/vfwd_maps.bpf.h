/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map definitions.  Layouts come from maps/vfwd_maps.h; this file only says
 * which kind of map holds them.  Every map is BTF-typed, so `bpftool map
 * dump` prints named fields, and pinned by name, so each program instance
 * that the loader opens (one per uplink, one per hot upgrade) shares the
 * same tables.
 */
#ifndef VFWD_MAPS_BPF_H
#define VFWD_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "vfwd_maps.h"

/* The MAC table: a HASH {dst MAC, VID} -> port, held in the one slot of
 * an ARRAY_OF_MAPS.  A change of many entries (mac load, port del --force)
 * builds a whole new table that no program can see and publishes it with
 * one update of that slot, so a reader, and a command killed half-way,
 * only ever leave the old table or the new one (docs/architecture.md,
 * "State model").  Single entries are changed in place.
 *
 * Preallocated (the default): an update never allocates in the data path
 * and a full table fails cleanly with E2BIG instead of failing later.
 * This is the template the kernel checks every table against; the tables
 * themselves are created by userspace (maps/mac_table.c), with BTF.
 * Sizes rather than __type(): clang 14 emits the key and value structs
 * of a map type that is only ever pointed to as BTF forward
 * declarations, and libbpf cannot size those. */
struct vfwd_mac_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VFWD_MAX_MACS);
	__uint(key_size, sizeof(struct vfwd_mac_key));
	__uint(value_size, sizeof(struct vfwd_mac_val));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, VFWD_MAC_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	/* Last: it is a flexible array member. */
	__array(values, struct vfwd_mac_inner);
} vfwd_macs_v4 SEC(".maps");

/* Never created (loader/skel.c turns it off): it only carries the BTF of
 * the MAC table's key and value, which the tables userspace creates take
 * so that `bpftool map dump` prints named fields. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct vfwd_mac_key);
	__type(value, struct vfwd_mac_val);
} vfwd_mac_btf SEC(".maps");

/* The live MAC table, or NULL (never, once the loader made it).  The
 * verifier inlines the ARRAY_OF_MAPS lookup (a bounds check and a load),
 * so the indirection costs a few instructions per frame.  A program that
 * looks up several keys of one frame fetches the table once: it then
 * sees one table for all of them, even across a swap. */
static __always_inline void *vfwd_mac_table(void)
{
	__u32 slot = VFWD_MAC_SLOT_LIVE;

	return bpf_map_lookup_elem(&vfwd_macs_v4, &slot);
}

/* The MAC entry of key k in the live table, or NULL. */
static __always_inline struct vfwd_mac_val *
vfwd_mac_lookup(const struct vfwd_mac_key *k)
{
	void *tbl = vfwd_mac_table();

	return tbl ? bpf_map_lookup_elem(tbl, k) : NULL;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct vfwd_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_port_v4 SEC(".maps");

/* DEVMAP_HASH rather than DEVMAP: keyed by port id, sparse, and the kernel
 * removes an entry by itself when its device is unregistered, which is how
 * a vanished tap shows up as "port down" instead of a dangling ifindex.
 * Pinned by the loader itself, not by libbpf: see loader/skel.c. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} vfwd_tx_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct vfwd_port_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_stats_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VFWD_REASON_SLOTS);
	/* Keyed by enum vfwd_reason, declared as __u32: the kernel takes only
	 * a 4-byte int as an array map's BTF key and drops the BTF otherwise. */
	__type(key, __u32);
	__type(value, struct vfwd_reason_ctr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_reason_v4 SEC(".maps");

/* Flood targets of the uplink in --bum flood mode: every guest port, each
 * entry with its own vfwd_egress instance that drops frames of other VLANs
 * and pops the tag for access ports.  Pinned by the loader, like the tx
 * devmap (loader/skel.c). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} vfwd_flood_v4 SEC(".maps");

/* VLAN -> guest ports, for vfwd_guest's floods (maps/vfwd_maps.h).  Not
 * preallocated: a group is 4 KiB and most hosts use a few VLANs; only the
 * CLI updates it, never the data path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VFWD_VID_MAX + 1);
	__type(key, __u32);
	__type(value, struct vfwd_flood_group);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_vlan_v4 SEC(".maps");

/* CPU steering: CPU id -> {queue size, vfwd_cpu program}.  Entries exist
 * only for CPUs some port steers to (loader/cpumap.c).  max_entries is set
 * by the loader to the host's possible CPUs before load: the kernel refuses
 * a CPUMAP larger than NR_CPUS, and a fixed guess would either waste a
 * slot per CPU the host cannot have or be too small. */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_cpu_v4 SEC(".maps");

/* The intent journal (maps/vfwd_maps.h): userspace only, defined here so
 * that it is created and pinned with the other maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vfwd_intent);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_intent_v4 SEC(".maps");

/* AF_XDP ports: slot vfwd_xsk_slot(port, rx queue) -> the socket that
 * vfwd-vhost bound to that queue of the port's uplink (maps/vfwd_xsk_maps.h).
 * An empty slot fails the redirect, and the frame counts as port_down. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, VFWD_XSK_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_xsk_v4 SEC(".maps");

/* vfwd-vhost's per-port counters, written by the daemon through an
 * mmap of the map; no program uses it.  Defined here so that it is
 * created and pinned with the other maps, BTF-typed for bpftool. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct vfwd_xsk_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_xstat_v4 SEC(".maps");

/* Where vfwd-vhost's relay veth is (maps/vfwd_xsk_maps.h, struct
 * vfwd_relay): read by vfwd_guest for frames to XSK ports. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vfwd_relay);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_relay_v4 SEC(".maps");

/* port_id -> vfwd-vhost's socket for that XSK port on the relay's daemon
 * end, where vfwd_xrelay puts what tap and veth guests send it. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vfwd_xrelay_v4 SEC(".maps");

#endif /* VFWD_MAPS_BPF_H */
