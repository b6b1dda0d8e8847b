/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The previous schema, v3, frozen: the names and the one layout that
 * differs from this schema's, so that `vfwd attach` can read an
 * installation made by the previous vfwd release and carry it over
 * (maps/upgrade.c, lib/upgrade.c).  Nothing here ever changes.  The next
 * schema bump replaces this file with a frozen copy of vfwd_maps.h's v4
 * names and layouts: one release upgrades from the one before it.
 *
 * Every other v3 value has the layout of its v4 namesake (struct
 * vfwd_mac_key, vfwd_mac_val, vfwd_port_stats, vfwd_reason_ctr,
 * vfwd_flood_group, vfwd_intent, bpf_devmap_val, bpf_cpumap_val), which
 * the asserts at the end hold v4 to.
 */
#ifndef VFWD_MAPS_V3_H
#define VFWD_MAPS_V3_H

#include "vfwd_maps.h"

#define VFWD_PREV_SCHEMA_VERSION 3

#define VFWD_V3_MAP_MACS "vfwd_macs_v3"
#define VFWD_V3_MAP_INTENT "vfwd_intent_v3"
#define VFWD_V3_MAP_PORT "vfwd_port_v3"
#define VFWD_V3_MAP_TX "vfwd_tx_v3"
#define VFWD_V3_MAP_STATS "vfwd_stats_v3"
#define VFWD_V3_MAP_REASON "vfwd_reason_v3"
#define VFWD_V3_MAP_FLOOD "vfwd_flood_v3"
#define VFWD_V3_MAP_VLAN "vfwd_vlan_v3"
#define VFWD_V3_MAP_CPU "vfwd_cpu_v3"

/* v3's port slot: v4's without vhost_path[], and with 4 reserved bytes
 * where v4 has 8. */
struct vfwd_port_v3 {
	char name[VFWD_NAME_LEN];
	__u32 ifindex;
	__u32 uplink_id;
	__u8 kind;
	__u8 xdp_mode;
	__u8 placement;
	__u8 cpu_source;
	__u16 vid;
	__u16 ncpus;
	__u32 flags;
	__u32 xsk_slot;
	__u32 vm_pid;
	__u32 nqueues;
	__u16 cpus[VFWD_MAX_VCPUS];
	__u16 vcpu_cpus[VFWD_MAX_VCPUS];
	__u8 host_macs[VFWD_HOST_MACS][VFWD_ETH_ALEN];
	__u8 reserved[4];
};

/* v3's sizes, from its vfwd_maps.h. */
#define VFWD_V3_PORT_SIZE 320
#define VFWD_V3_INTENT_SIZE 40
#define VFWD_V3_STATS_SIZE 64
#define VFWD_V3_REASON_SIZE 16
#define VFWD_V3_MAC_KEY_SIZE 8
#define VFWD_V3_MAC_VAL_SIZE 8
/* v3 had these limits too; a v4 that changes one needs another
 * conversion than a copy. */
#define VFWD_V3_MAX_PORTS 1024
#define VFWD_V3_REASON_SLOTS 64

_Static_assert(sizeof(struct vfwd_port_v3) == VFWD_V3_PORT_SIZE,
	       "vfwd_port_v3 layout");
_Static_assert(sizeof(struct vfwd_intent) == VFWD_V3_INTENT_SIZE,
	       "vfwd_intent: v3 layout");
_Static_assert(sizeof(struct vfwd_port_stats) == VFWD_V3_STATS_SIZE,
	       "vfwd_port_stats: v3 layout");
_Static_assert(sizeof(struct vfwd_reason_ctr) == VFWD_V3_REASON_SIZE,
	       "vfwd_reason_ctr: v3 layout");
_Static_assert(sizeof(struct vfwd_mac_key) == VFWD_V3_MAC_KEY_SIZE &&
		       sizeof(struct vfwd_mac_val) == VFWD_V3_MAC_VAL_SIZE,
	       "vfwd_mac_key/val: v3 layout");
_Static_assert(VFWD_MAX_PORTS == VFWD_V3_MAX_PORTS &&
		       VFWD_REASON_SLOTS == VFWD_V3_REASON_SLOTS,
	       "port and reason limits: v3's");

#endif /* VFWD_MAPS_V3_H */
