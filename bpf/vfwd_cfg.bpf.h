/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load-time constants (.rodata), set by the loader before each load.
 * Every uplink attach and every guest port loads its own instance of the
 * object, so these cost nothing per frame and let the verifier prune what
 * an instance never needs.
 */
#ifndef VFWD_CFG_BPF_H
#define VFWD_CFG_BPF_H

#include <linux/types.h>

/* vfwd_uplink: its own port id, for its rx counters. */
const volatile __u32 cfg_uplink_port = 0;
/* vfwd_uplink: --bum flood, so broadcast, multicast and unknown unicast go
 * to every guest port of the frame's VLAN instead of to the kernel. */
const volatile __u32 cfg_bum_flood = 0;
/* vfwd_uplink: attached in skb (generic XDP) mode.  Such an uplink does
 * not steer to CPUs: generic XDP drops the metadata on the way through the
 * CPUMAP (measured on kernel 6.18: vfwd_cpu saw none and every steered
 * frame went to the kernel), and the tap would pick its queue by flow hash
 * rather than by CPU anyway. */
const volatile __u32 cfg_generic = 0;
/* vfwd_guest and vfwd_egress: the port the instance serves. */
const volatile __u32 cfg_port_id = 0;

#endif /* VFWD_CFG_BPF_H */
