/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AF_XDP ports' part of vfwd's shared schema (maps/vfwd_maps.h, which
 * includes it; BPF and userspace read both): the XSKMAP slots, the relay
 * between the kernel and vfwd-vhost, the daemon's counters, and
 * vfwd_xguest's batch.
 */
#ifndef VFWD_XSK_MAPS_H
#define VFWD_XSK_MAPS_H

#include "vfwd_maps.h"

/*
 * AF_XDP ports (VFWD_PORT_XSK).  vfwd_uplink redirects a frame for such
 * a port into the XSKMAP vfwd_xsk_v4, where vfwd-vhost keeps one AF_XDP
 * socket per (port, uplink rx queue).  An AF_XDP socket receives only what
 * arrives on the one (device, queue) it is bound to, and a redirect to a
 * socket bound elsewhere is dropped by the kernel after XDP_REDIRECT has
 * been returned, silently (design §5).  So the slot is chosen by the
 * queue the frame came in on, and the socket in it is bound to exactly
 * that queue of the port's uplink.
 *
 * 64 queues: a NIC gives at most one rx queue per CPU by default, and
 * the hosts vfwd targets have up to 64 CPUs per NUMA node; frames on a
 * queue past that are counted as port_down.  The XSKMAP holds a pointer
 * per slot: 1024 ports x 64 queues is 512 KiB, allocated once.
 */
#define VFWD_XSK_QUEUES 64
#define VFWD_XSK_SLOTS (VFWD_MAX_PORTS * VFWD_XSK_QUEUES)

/*
 * The relay: a veth pair per installation, made by vfwd-vhost, between
 * the kernel and the daemon, for what neither an uplink nor an AF_XDP
 * socket on it can carry.  A tap or veth guest's frame for an XSK port
 * leaves vfwd_guest into the kernel end (k) with a relay tag naming the
 * port, and vfwd_xrelay on the daemon end (d) puts it into the port's
 * socket there (vfwd_xrelay_v4[port]).  A frame an XSK guest sends to
 * the host or to a tap or veth port goes the other way: the daemon sends
 * it on d with a relay tag naming the target port, and vfwd_xhost on k's
 * tc ingress delivers it (into the uplink's receive path for the host,
 * out of the device for a port).
 *
 * The relay tag sits where an 802.1Q tag would, after the MACs, and
 * carries the port id; it never leaves the relay.  Toward the daemon its
 * TPID is one of the IEEE's local experimental EtherTypes, which XDP on
 * the daemon end reads and pops inline.  Toward the kernel it is an
 * 802.1ad tag: the kernel's receive path on k moves it into the skb's
 * metadata, where vfwd_xhost pops it whatever the frame carries
 * (bpf_skb_adjust_room, the other way to remove bytes at tc, handles
 * only IPv4 and IPv6 frames; ARP must pass too).
 */
#define VFWD_RELAY_ETHERTYPE 0x88B5
#define VFWD_RELAY_TO_KERNEL_TPID 0x88A8
/* A flood from an uplink in --bum flood mode, for the daemon to copy to
 * the xsk guests of its VLAN: the relay is a member of the flood devmap
 * under key VFWD_RELAY_FLOOD_KEY (port id 0 is never a port), whose
 * egress program tags each copy with this TPID and the low 16 bits of
 * the uplink's ifindex, and vfwd_xrelay hands it to the daemon's socket
 * in vfwd_xrelay_v4[VFWD_RELAY_FLOOD_KEY], tag and all. */
#define VFWD_RELAY_FLOOD_ETHERTYPE 0x88B6
#define VFWD_RELAY_FLOOD_KEY 0
#define VFWD_RELAY_HLEN 4
/* The relay's MTU: a 1500-byte guest frame with one 802.1Q tag and the
 * relay tag.  An XDP program on a veth needs the MTU to fit one page
 * with the kernel's headroom; larger guest frames do not use the relay. */
#define VFWD_RELAY_MTU (1500 + 4 + VFWD_RELAY_HLEN)

/* vfwd_relay_v4[0]: where the relay is, written by vfwd-vhost. */
struct vfwd_relay {
	__u32 ifindex_k; /* the kernel end, with vfwd_xhost on tc ingress */
	__u32 ifindex_d; /* the daemon end, with vfwd_xrelay */
	__u64 daemon_pid; /* who made it; 0: no relay */
};

/* The XSKMAP slot of port_id's socket on its uplink's rx queue. */
static inline __u32 vfwd_xsk_slot(__u32 port_id, __u32 queue)
{
	return port_id * VFWD_XSK_QUEUES + queue;
}

/*
 * vfwd-vhost's counters for one XSK port: ARRAY port_id -> this, mmapped
 * by the daemon (BPF_F_MMAPABLE) and written in place, so `vfwd stats`
 * and `bpftool map dump` read them without talking to the daemon.  The
 * BPF programs never touch it.  "to guest" is the wire-to-guest
 * direction (the port's tx), "from guest" the other.
 */
enum vfwd_xsk_state {
	VFWD_XSK_DOWN = 0, /* no daemon serves the port */
	VFWD_XSK_WAITING = 1, /* served, no guest connected */
	VFWD_XSK_UP = 2, /* a guest is connected and its queues are ready */
};

enum vfwd_xsk_mode {
	VFWD_XSK_MODE_NONE = 0, /* no socket bound yet */
	VFWD_XSK_MODE_COPY = 1,
	VFWD_XSK_MODE_ZEROCOPY = 2,
};

struct vfwd_xsk_stats {
	__u64 to_guest_packets; /* put into the guest's RX vring */
	__u64 to_guest_bytes;
	__u64 from_guest_packets; /* taken from the guest's TX vring */
	__u64 from_guest_bytes;
	__u64 ring_full; /* the socket's rx ring was full: kernel dropped */
	__u64 fill_empty; /* the fill ring was empty when a frame came */
	__u64 no_vring_buf; /* the guest had no RX buffer: dropped */
	__u64 rx_invalid; /* the kernel dropped it on the socket (rx_dropped) */
	__u64 tx_dropped; /* from the guest, no room in the tx ring: dropped */
	__u64 tx_sent; /* from the guest, handed to an AF_XDP tx ring */
	__u64 daemon_pid; /* the vfwd-vhost serving it, 0 when none */
	__u32 state; /* enum vfwd_xsk_state */
	__u32 mode; /* enum vfwd_xsk_mode of its sockets */
	__u32 nslots; /* XSKMAP slots it filled (uplink rx queues) */
	__u32 reserved;
	__u64 updated_ns; /* CLOCK_MONOTONIC of the daemon's last write */
	__u64 reserved2[2];
};

/* vfwd_xsk_probe's frame (bpf/vfwd_xsk_probe.bpf.h): in, the port; out,
 * bit q set when slot vfwd_xsk_slot(port_id, q) holds a socket. */
struct vfwd_xsk_probe {
	__u32 port_id;
	__u32 pad;
	__u64 queues;
};
_Static_assert(VFWD_XSK_QUEUES <= 64, "one bit a queue in vfwd_xsk_probe");

/*
 * vfwd_xguest: the guest-side rules for frames an AF_XDP port's guest
 * sends, run by vfwd-vhost with BPF_PROG_TEST_RUN (loader/xguest.h), on
 * a batch of frames per run: one syscall costs about 1 us here
 * (measured), as much as the rest of a frame's switching.  The frames
 * are not changed by the program; it only decides, and the daemon
 * writes each frame as it must leave.  So only each frame's head is
 * handed in: entry i of struct vfwd_xguest_batch describes the frame
 * whose first vfwd_xguest_slot(len) bytes sit at offset
 * i * VFWD_XG_HEAD of the test run's data.
 */
enum vfwd_xguest_action {
	VFWD_XG_DROP = 0, /* refused (spoofed, malformed, ...): counted */
	VFWD_XG_UPLINK = 1, /* out of uplink `to`, to the wire */
	VFWD_XG_PORT = 2, /* to guest port `to` */
	VFWD_XG_HOST = 3, /* to the kernel on the port's uplink */
	VFWD_XG_FLOOD = 4, /* BUM under --bum flood: the VLAN's ports and
			    * the uplink */
};

/* What becomes of the frame's 802.1Q tag on its way out. */
enum vfwd_xguest_tag {
	VFWD_XG_TAG_KEEP = 0, /* as the guest sent it */
	VFWD_XG_TAG_PUSH = 1, /* untagged: push a tag of `vid` */
	VFWD_XG_TAG_POP = 2, /* tagged: take the tag off */
};

struct vfwd_xguest_ent {
	__u32 port_id; /* in: the XSK port whose guest sent the frame */
	__u32 len; /* in: the whole frame's length (counted, checked) */
	__u32 action; /* out: enum vfwd_xguest_action */
	__u32 to; /* out: the uplink or destination port */
	__u32 reason; /* out: enum vfwd_reason it was counted under */
	__u16 tag; /* out: enum vfwd_xguest_tag */
	__u16 vid; /* out: VFWD_XG_TAG_PUSH: the VID to push */
};

/* Frames in one run: vfwd-vhost's dequeue burst.  The verifier walks the
 * program's loop once per entry, so this also bounds its work. */
#define VFWD_XG_BATCH 32
/* The head of a frame the rules may read: Ethernet and up to two tags
 * take 22 bytes; a cache line leaves room. */
#define VFWD_XG_HEAD 64
/* The Ethernet header, the least the XDP helpers leave a frame. */
#define VFWD_XG_MIN_HEAD 14

/* The batch lives in vfwd_xguest's .bss, which the daemon maps: no
 * syscall to hand the entries in or to read the answers. */
struct vfwd_xguest_batch {
	__u32 n; /* in: entries e[0..n) */
	__u32 done; /* out: entries answered */
	struct vfwd_xguest_ent e[VFWD_XG_BATCH];
};

/* How many bytes of a frame of len bytes the daemon hands in: all of a
 * short one (a 14-byte tagged frame must look truncated), at most
 * VFWD_XG_HEAD, and at least an Ethernet header's worth, padding a runt
 * (which the program knows by len). */
static inline __u32 vfwd_xguest_slot(__u32 len)
{
	if (len > VFWD_XG_HEAD)
		return VFWD_XG_HEAD;
	return len < VFWD_XG_MIN_HEAD ? VFWD_XG_MIN_HEAD : len;
}

_Static_assert(sizeof(struct vfwd_xsk_stats) == 16 * 8,
	       "vfwd_xsk_stats layout");
_Static_assert(sizeof(struct vfwd_relay) == 16, "vfwd_relay layout");
_Static_assert(VFWD_MAX_PORTS <= 0xffff, "a port id fits the relay tag");
_Static_assert((__u64)VFWD_XSK_SLOTS <= 0xffffffffULL,
	       "XSKMAP slots fit a u32");
_Static_assert(sizeof(struct vfwd_xguest_ent) == 24, "vfwd_xguest_ent layout");
/* The linear part of a test run's XDP frame on x86-64: a page less XDP's
 * headroom and skb_shared_info (measured: 3520 bytes; past that the
 * kernel moves the rest into fragments the program does not see).  The
 * batch's heads must fit in it. */
#define VFWD_XG_LINEAR_MAX 3520
_Static_assert(VFWD_XG_BATCH *VFWD_XG_HEAD <= VFWD_XG_LINEAR_MAX,
	       "xguest batch size");

#endif /* VFWD_XSK_MAPS_H */
