/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd map schema: the single source of truth for every key, value, enum
 * and limit shared between the BPF programs (bpf/) and userspace (maps/,
 * loader/, cli/).  Both sides include this file and nothing else defines
 * these layouts.
 *
 * Rules for this file:
 *  - only fixed-width __u* types, explicit padding, and a _Static_assert on
 *    every struct size, so that clang -target bpf and gcc agree on layout;
 *  - a layout change bumps VFWD_SCHEMA_VERSION and with it every map name
 *    suffix, so an upgraded loader never reuses an incompatible pinned map
 *    (libbpf would refuse it anyway, but with a much less helpful error);
 *  - fields later features need (CPU sets, AF_XDP slots, access VLANs,
 *    uplink selection) are already here so those features fill them in
 *    without a schema bump.
 */
#ifndef VFWD_MAPS_H
#define VFWD_MAPS_H

#include <linux/types.h>

/* 2: struct vfwd_port gained vcpu_cpus[] (CPU steering), and the CPU map
 * was added.
 * 3: the MAC table became an inner map of vfwd_macs_v4 (swapped whole by
 * mac load), and the intent journal vfwd_intent_v3 was added.
 * 4: AF_XDP ports: struct vfwd_port gained vhost_path[], and the XSKMAP
 * vfwd_xsk_v4 and vfwd-vhost's counters vfwd_xstat_v4 were added. */
#define VFWD_SCHEMA_VERSION 4

/* Map names carry the schema version.  The kernel keeps 15 characters of
 * a map name (BPF_OBJ_NAME_LEN - 1), and libbpf pins by that name. */
/* The MAC table: pinned as the outer map VFWD_MAP_MACS, whose slot
 * VFWD_MAC_SLOT_LIVE holds the live table (named VFWD_MAP_MAC, unpinned:
 * the outer map keeps it alive).  One slot: a table is replaced whole. */
#define VFWD_MAP_MACS "vfwd_macs_v4"
#define VFWD_MAP_MAC "vfwd_mac_v4"
#define VFWD_MAC_SLOTS 1
#define VFWD_MAC_SLOT_LIVE 0
#define VFWD_MAP_INTENT "vfwd_intent_v4"
#define VFWD_MAP_PORT "vfwd_port_v4"
#define VFWD_MAP_TX "vfwd_tx_v4"
#define VFWD_MAP_STATS "vfwd_stats_v4"
#define VFWD_MAP_REASON "vfwd_reason_v4"
#define VFWD_MAP_FLOOD "vfwd_flood_v4"
#define VFWD_MAP_VLAN "vfwd_vlan_v4"
#define VFWD_MAP_CPU "vfwd_cpu_v4"
#define VFWD_MAP_XSK "vfwd_xsk_v4"
#define VFWD_MAP_XSTAT "vfwd_xstat_v4"
#define VFWD_MAP_RELAY "vfwd_relay_v4"
#define VFWD_MAP_XRELAY "vfwd_xrelay_v4"

/* The pinned bpf_link of vfwd_xmit_trace (bpf/vfwd_xmit.bpf.h), beside
 * the maps: its map of post-redirect drops is reached through it. */
#define VFWD_LINK_XMIT "vfwd_xmit_link"
#define VFWD_MAP_XMIT "vfwd_xmit_v4"
/* Devices the drop counter keeps at once (an LRU: least recently
 * transmitted to goes first); twice the ports, for devices that come and
 * go. */
#define VFWD_XMIT_DEVS (2 * VFWD_MAX_PORTS)
/* The pinned bpf_link of vfwd_cpumap_trace: frames vfwd_uplink steered
 * into the CPUMAP and the CPUMAP dropped (its queue to a CPU full), per
 * CPU, in a map like vfwd_xmit_v4 under the key VFWD_XMIT_CPU_KEY | cpu
 * (device ifindexes never have that bit). */
#define VFWD_LINK_CPUMAP "vfwd_cpumap_link"
#define VFWD_XMIT_CPU_KEY (1U << 31)

/* Default pin directory; every map above is pinned by name below it. */
#define VFWD_PIN_ROOT "/sys/fs/bpf"
#define VFWD_PIN_DIR VFWD_PIN_ROOT "/vfwd"

/* Port ids index the port ARRAY.  Id 0 is never handed out so that a zero
 * port_id in a MAC entry or metadata can mean "none".  1024 covers a dense
 * KVM host (hundreds of VMs with a couple of NICs each) while keeping the
 * per-CPU stats array small: 1024 * sizeof(struct vfwd_port_stats) per CPU. */
#define VFWD_MAX_PORTS 1024
#define VFWD_PORT_ID_MIN 1

/* 64k MACs: 16 bytes of key+value per entry, ~1 MiB of preallocated hash
 * buckets; large enough for every guest on a host plus static entries. */
#define VFWD_MAX_MACS 65536

/* vCPUs tracked per port for CPU steering.  QEMU guests larger than this
 * use the first VFWD_MAX_VCPUS vCPUs for steering only. */
#define VFWD_MAX_VCPUS 64

/* Interface and port names: IFNAMSIZ, including the terminating NUL. */
#define VFWD_NAME_LEN 16

/* 802.1Q: 12-bit VID; 0 means priority-tagged, 4095 is reserved. */
#define VFWD_VID_NONE 0
#define VFWD_VID_MIN 1
#define VFWD_VID_MAX 4094
#define VFWD_VID_MASK 0x0fff

#define VFWD_ETH_ALEN 6

/* MAC table: HASH  {dst MAC, VLAN} -> {port}.  vid 0 is untagged. */
struct vfwd_mac_key {
	__u8 mac[VFWD_ETH_ALEN];
	__u16 vid;
};

enum vfwd_mac_flags {
	VFWD_MAC_STATIC = 1U << 0, /* added by an operator (all are, for now) */
	/* The port is an access port of this entry's VLAN: the uplink pops
	 * the tag before delivery.  Kept here, not looked up in the port
	 * table, so the uplink's hot path stays one hash lookup. */
	VFWD_MAC_ACCESS = 1U << 1,
};

struct vfwd_mac_val {
	__u32 port_id;
	__u32 flags; /* enum vfwd_mac_flags */
};

enum vfwd_port_kind {
	VFWD_PORT_FREE = 0, /* unused slot */
	VFWD_PORT_UPLINK = 1, /* physical NIC (or test veth) with vfwd_uplink */
	VFWD_PORT_TAP = 2, /* tun/tap device read by QEMU */
	VFWD_PORT_VETH = 3, /* veth pair end, for containers and tests */
	VFWD_PORT_XSK = 4, /* AF_XDP socket served by the vhost-user backend */
};

enum vfwd_port_flags {
	VFWD_PORT_F_SPOOFCHK = 1U
			       << 0, /* guest side: drop foreign source MACs */
	VFWD_PORT_F_RPS = 1U << 1, /* spread flows over the port's CPUs */
	VFWD_PORT_F_BUM_FLOOD = 1U << 2, /* uplink: --bum flood (else pass) */
	/* guest ports: uplink_id was chosen with --uplink, so it is not
	 * re-pointed when uplinks come and go */
	VFWD_PORT_F_UPLINK_SET = 1U << 3,
	/* guest ports: port add created the device's clsact qdisc, so port
	 * del removes it again once no other filter uses it */
	VFWD_PORT_F_OWN_CLSACT = 1U << 4,
	/* XSK ports: vfwd-vhost creates the vhost-user socket and QEMU
	 * connects to it (else QEMU serves it and vfwd-vhost connects) */
	VFWD_PORT_F_VHOST_SERVER = 1U << 5,
};

enum vfwd_xdp_mode {
	VFWD_XDP_MODE_NONE = 0,
	VFWD_XDP_MODE_NATIVE = 1,
	VFWD_XDP_MODE_SKB = 2,
};

enum vfwd_placement {
	VFWD_PLACE_OFF = 0,
	VFWD_PLACE_SAME_CPU = 1,
	VFWD_PLACE_SAME_NODE = 2,
};

enum vfwd_cpu_source {
	VFWD_CPUSRC_NONE = 0,
	VFWD_CPUSRC_CPUS = 1, /* --cpus LIST */
	VFWD_CPUSRC_VM_PID =
		2, /* --vm-pid PID: read from QEMU's vCPU threads */
};

/* Host MACs kept per uplink: its own and its bridge master's. */
#define VFWD_HOST_MACS 2

/* A vhost-user socket path, NUL included: sizeof(sockaddr_un.sun_path). */
#define VFWD_VHOST_PATH_LEN 108

/* Port table: ARRAY  port_id -> port.  The name lives here too, so the
 * pinned maps are the whole state: there is no userspace database to get
 * out of step with the kernel. */
struct vfwd_port {
	char name[VFWD_NAME_LEN]; /* NUL-terminated; "" in a free slot */
	__u32 ifindex; /* device; 0 for XSK ports */
	__u32 uplink_id; /* guest ports: uplink port id to leave by; 0 = none
			  * resolved (the CLI binds the host's only uplink) */
	__u8 kind; /* enum vfwd_port_kind */
	__u8 xdp_mode; /* uplinks: enum vfwd_xdp_mode */
	__u8 placement; /* enum vfwd_placement */
	__u8 cpu_source; /* enum vfwd_cpu_source */
	__u16 vid; /* access VLAN; 0 = untagged/trunk, frames unchanged */
	__u16 ncpus; /* valid entries in cpus[] */
	__u32 flags; /* enum vfwd_port_flags */
	__u32 xsk_slot; /* unused: an XSK port's slots follow from its id
			 * (vfwd_xsk_slot) */
	__u32 vm_pid; /* cpu_source == VM_PID: the QEMU process */
	__u32 nqueues; /* tap queues seen when the CPU set was last set */
	/* CPU steering.  vcpu_cpus[i] is the host CPU vCPU i runs on, as
	 * given with --cpus or read from QEMU's threads; cpus[i] is the CPU
	 * that finishes the frames meant for vCPU i after the placement
	 * policy.  Both hold ncpus entries; the data path reads only cpus[]. */
	__u16 cpus[VFWD_MAX_VCPUS];
	__u16 vcpu_cpus[VFWD_MAX_VCPUS];
	/* Uplinks: the host's own MACs on this uplink's LAN (the device's,
	 * and its bridge master's when it has one), refreshed by attach.  A
	 * guest's frame to one of them goes to the kernel, not out of the
	 * uplink: on a bridged host that is how guests reach the host. */
	__u8 host_macs[VFWD_HOST_MACS][VFWD_ETH_ALEN];
	__u8 reserved[8]; /* zero; room for later per-port settings */
	/* XSK ports: the vhost-user socket vfwd-vhost serves the guest on
	 * (NUL-terminated; "" for other kinds).  Here, not in a map of its
	 * own, so that writing the slot publishes the whole port. */
	char vhost_path[VFWD_VHOST_PATH_LEN];
};

/* How many of port p's cpus[] its frames are steered to: none when it
 * has no CPU set or placement is off, the first only without --rps (a
 * single-queue guest then keeps its flows in order on one CPU), all of
 * them with --rps.  The one rule the data path, the CPUMAP bookkeeping
 * and the CLI share. */
static inline __u32 vfwd_port_steer_ncpus(const struct vfwd_port *p)
{
	if (!p->ncpus || p->placement == VFWD_PLACE_OFF)
		return 0;
	if (!(p->flags & VFWD_PORT_F_RPS))
		return 1;
	return p->ncpus < VFWD_MAX_VCPUS ? p->ncpus : VFWD_MAX_VCPUS;
}

/* Per-port counters, PERCPU_ARRAY port_id -> stats.  Direction is that of
 * the host device, as `ip -s link` shows it: rx = frames vfwd received from
 * the device (the wire for an uplink, the guest for a tap), tx = frames vfwd
 * sent into the device (toward the guest for a tap). */
struct vfwd_port_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 rx_dropped; /* received from this device and dropped by vfwd */
	__u64 rx_passed; /* received and handed to the kernel stack */
	__u64 spoof_dropped; /* guest frames with a source MAC not its own */
	__u64 flood_packets; /* BUM copies sent out of this port */
};

/* Why vfwd did what it did with a frame.  Every frame vfwd sees is counted
 * under exactly one reason, in PERCPU_ARRAY reason -> count, so the sum of
 * all reasons equals the frames seen.  Values are ABI: append only. */
enum vfwd_reason {
	VFWD_R_FWD = 0, /* unicast hit: redirected to its port */
	VFWD_R_BCAST = 1, /* broadcast: BUM policy (pass) */
	VFWD_R_MCAST = 2, /* multicast: BUM policy (pass) */
	VFWD_R_UNKNOWN = 3, /* unicast, no {MAC, VLAN} entry: BUM policy */
	VFWD_R_PORT_DOWN =
		4, /* hit, but the port has no live device: BUM policy */
	VFWD_R_QINQ = 5, /* 802.1ad or a second tag: passed to the kernel */
	VFWD_R_PRIO_TAG = 6, /* 802.1Q tag with VID 0: passed to the kernel */
	VFWD_R_RUNT = 7, /* shorter than an Ethernet header: dropped */
	VFWD_R_VLAN_TRUNC =
		8, /* 802.1Q TPID but no room for the tag: dropped */
	VFWD_R_BAD_VID = 9, /* 802.1Q VID 4095 (reserved): dropped */
	VFWD_R_BAD_SRC = 10, /* source MAC is multicast/broadcast: dropped */
	/* Guest side (vfwd_guest, frames a guest sent): */
	VFWD_R_SPOOF = 11, /* source MAC not bound to the sending port */
	VFWD_R_ACCESS_TAGGED = 12, /* VLAN tag on an access port: dropped */
	VFWD_R_UPLINK = 13, /* sent out of the port's uplink */
	VFWD_R_NO_UPLINK = 14, /* for the uplink, but the port has none */
	VFWD_R_HAIRPIN = 15, /* addressed to the sender itself: dropped */
	VFWD_R_ERROR = 16, /* a helper failed (out of memory): dropped */
	VFWD_R_HOST = 17, /* for one of the host's own MACs: to the kernel */
	VFWD_R_VLAN_DENIED = 18, /* tagged, on a VLAN the port is not on */
	/* The destination is bound to a port of another uplink's network:
	 * two uplinks are two LANs, so vfwd never carries a frame between
	 * them.  Dropped. */
	VFWD_R_OTHER_UPLINK = 19,
	VFWD_R_COUNT, /* number of reasons in use */
};

/* What vfwd does with a frame of each reason: the one mapping the
 * programs and the CLI share. */
enum vfwd_action {
	VFWD_ACT_PASS = 0, /* to the kernel */
	VFWD_ACT_DROP = 1,
	VFWD_ACT_REDIRECT = 2, /* to a port, or out of an uplink */
	VFWD_ACT_BUM = 3, /* the uplink's BUM policy: pass, or flood */
};

static inline enum vfwd_action vfwd_reason_action(__u32 reason)
{
	switch (reason) {
	case VFWD_R_FWD:
	case VFWD_R_UPLINK:
		return VFWD_ACT_REDIRECT;
	case VFWD_R_BCAST:
	case VFWD_R_MCAST:
	case VFWD_R_UNKNOWN:
	case VFWD_R_PORT_DOWN:
		return VFWD_ACT_BUM;
	/* Malformed or refused frames never reach a guest, and the kernel
	 * would drop most of them too. */
	case VFWD_R_RUNT:
	case VFWD_R_VLAN_TRUNC:
	case VFWD_R_BAD_VID:
	case VFWD_R_BAD_SRC:
	case VFWD_R_SPOOF:
	case VFWD_R_ACCESS_TAGGED:
	case VFWD_R_HAIRPIN:
	case VFWD_R_ERROR:
	case VFWD_R_VLAN_DENIED:
	case VFWD_R_OTHER_UPLINK:
		return VFWD_ACT_DROP;
	/* Valid, but not vfwd's to switch (QinQ, priority tags, frames for
	 * the host, no uplink): the kernel's. */
	default:
		return VFWD_ACT_PASS;
	}
}

/* The reasons array is sized with room to grow so new reasons need no
 * schema bump. */
#define VFWD_REASON_SLOTS 64
_Static_assert(VFWD_R_COUNT <= VFWD_REASON_SLOTS, "reason slots exhausted");

/* Flood groups: HASH  VID -> the guest ports of that VLAN (VID 0: the
 * untagged ports), kept sorted by the CLI.  vfwd_guest walks it to clone a
 * broadcast to each member; the uplink floods through the flood devmap
 * instead, whose per-port egress programs filter by VLAN.  A group can
 * hold every port: vfwd_guest walks it with bpf_loop, so its size does not
 * weigh on the verifier, and the map is not preallocated, so only VLANs in
 * use take memory (4 KiB each). */
#define VFWD_FLOOD_MAX VFWD_MAX_PORTS
_Static_assert(VFWD_FLOOD_MAX >= VFWD_MAX_PORTS - VFWD_PORT_ID_MIN,
	       "a flood group must hold every port");

struct vfwd_flood_group {
	__u32 nports;
	__u32 port_ids[VFWD_FLOOD_MAX];
};

/* CPU steering (vfwd_uplink -> CPUMAP -> vfwd_cpu on the chosen CPU).
 *
 * vfwd_uplink pushes this in front of the frame (bpf_xdp_adjust_head;
 * bpf_xdp_adjust_meta is refused by this machine's kernel) so that
 * vfwd_cpu, on the other CPU, redirects without parsing again, and takes
 * it off before the frame goes on.  16 bytes: well inside the 256 bytes
 * of headroom XDP guarantees. */
struct vfwd_cpu_meta {
	__u32 port_id; /* the port the uplink looked up */
	__u32 uplink_id; /* the uplink the frame came in on, for its drops */
	__u32 cpu; /* the CPU the uplink chose; tests read it back */
	__u32 magic; /* VFWD_CPU_META_MAGIC: metadata vfwd wrote */
};
/* "vfwd" in ASCII.  The cpumap program treats a frame without it as one
 * that did not come from vfwd_uplink and leaves it alone. */
#define VFWD_CPU_META_MAGIC 0x76667764

/*
 * Queue size of each CPUMAP entry: how many frames may wait for the target
 * CPU's cpumap kthread.  1024 is about one NIC RX ring (mlx5 and virtio
 * default to 1024 descriptors, ixgbe/i40e to 512), so the target CPU can
 * absorb a full ring's burst while it is busy running the vCPU, and it
 * matches the tap queue behind it (tx_queue_len 1000 by default): a deeper
 * queue would only move drops to the tap and add latency.  Memory is
 * 8 bytes a slot, per CPU in use.
 */
#define VFWD_CPUMAP_QSIZE 1024

/* The AF_XDP ports' part of the schema: vfwd_xsk_maps.h. */
#include "vfwd_xsk_maps.h"

/* tc attachment of vfwd_guest on a port device's clsact ingress hook.
 * A fixed handle and priority identify vfwd's filter among others an
 * operator may have there ("vf" in ASCII; priority 1 runs it first). */
#define VFWD_TC_HANDLE 0x7666
#define VFWD_TC_PRIO 1

/*
 * Intent journal: ARRAY, one slot.  A command whose change takes several
 * kernel operations that cannot be made one (a port's filter, its devmap
 * entries and its slot; an uplink's XDP attachment and its slot) writes
 * what it is about to do here first and clears it after the last step.
 * The next command that changes state finds a non-empty journal after it
 * takes the lock, and rolls the interrupted change forward (it was
 * published) or back (it was not) before doing anything else.  One slot
 * is enough: the pin-directory lock lets one command change state at a
 * time.  Only userspace reads it; the programs never do.
 */
enum vfwd_intent_op {
	VFWD_OP_NONE = 0,
	VFWD_OP_PORT_ADD = 1, /* published by writing the port's slot */
	VFWD_OP_PORT_DEL = 2, /* always rolled forward once begun */
	VFWD_OP_ATTACH = 3, /* first attach: published by the uplink's slot */
	/* The tables were just made; the first command that made them
	 * clears it when it succeeds.  Left behind, it means that command
	 * died, so empty tables are not state anyone asked for. */
	VFWD_OP_CREATE = 4,
	/* port set: published by writing the port's slot; a move (another
	 * device, new_ifindex) is finished or undone, anything else only
	 * has its derived state (flood groups, CPUMAP) redone */
	VFWD_OP_PORT_SET = 5,
	/* detach of one uplink that leaves the tables: always finished */
	VFWD_OP_DETACH = 6,
	/* the whole installation is being removed (the last detach,
	 * detach --all): always finished, with whatever pins are left;
	 * the journal's own pin goes last */
	VFWD_OP_DESTROY = 7,
	/* attach is carrying an installation of the previous schema over
	 * to this one (lib/upgrade.c).  Pinned with these tables, before
	 * any of them: while it holds, the previous schema's tables are
	 * still there.  Without VFWD_INTENT_F_PUBLISH it is undone (these
	 * tables go, the old installation never stopped forwarding); with
	 * it, finished. */
	VFWD_OP_UPGRADE = 8,
};

enum vfwd_intent_flags {
	/* PORT_ADD, PORT_SET: the command created the (new) device's clsact
	 * qdisc; PORT_DEL: the port had made its device's */
	VFWD_INTENT_F_CLSACT = 1U << 0,
	/* PORT_SET: the port had made its old device's clsact qdisc */
	VFWD_INTENT_F_OLD_CLSACT = 1U << 1,
	/* UPGRADE: these tables are complete, and programs that use them
	 * may be on the devices already */
	VFWD_INTENT_F_PUBLISH = 1U << 2,
};

struct vfwd_intent {
	__u32 op; /* enum vfwd_intent_op */
	__u32 port_id;
	__u32 ifindex; /* the device the command attaches to or detaches */
	__u32 flags; /* enum vfwd_intent_flags */
	__u32 pid; /* the command's process, for the operator */
	__u32 new_ifindex; /* PORT_SET: the device it moves to, else 0 */
	char name[VFWD_NAME_LEN]; /* the port or uplink */
};

struct vfwd_reason_ctr {
	__u64 packets;
	__u64 bytes;
};

/* What the kernel did with the frames XDP redirected to one device
 * through a DEVMAP (its ndo_xdp_xmit): per device ifindex, from the
 * xdp:xdp_devmap_xmit tracepoint.  sent - drops arrived in the device's
 * queue; drops are what it refused (a tap whose guest does not read, a
 * full ring, a device going down). */
struct vfwd_xmit_ctr {
	__u64 sent;
	__u64 drops;
};

_Static_assert(sizeof(struct vfwd_mac_key) == 8, "vfwd_mac_key layout");
_Static_assert(sizeof(struct vfwd_mac_val) == 8, "vfwd_mac_val layout");
_Static_assert(sizeof(struct vfwd_port) == 432, "vfwd_port layout");
_Static_assert(sizeof(struct vfwd_port_stats) == 64, "vfwd_port_stats layout");
_Static_assert(sizeof(struct vfwd_cpu_meta) == 16, "vfwd_cpu_meta layout");
_Static_assert(sizeof(struct vfwd_reason_ctr) == 16, "vfwd_reason_ctr layout");
_Static_assert(sizeof(struct vfwd_intent) == 24 + VFWD_NAME_LEN,
	       "vfwd_intent layout");
_Static_assert(sizeof(struct vfwd_flood_group) == 4 + 4 * VFWD_FLOOD_MAX,
	       "vfwd_flood_group layout");

#endif /* VFWD_MAPS_H */
