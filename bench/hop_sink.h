/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench/cpumap_hop.bpf.c's sink and bench/cpumap_hop share: the
 * frames' EtherType, and (sink_stat.h) the sink's per-CPU counters.
 */
#ifndef VFWD_HOP_SINK_H
#define VFWD_HOP_SINK_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include "sink_stat.h"

/* IEEE 802 local experimental EtherType: nothing in the kernel parses it,
 * and the sink tells the benchmark's frames from strays by it. */
#define HOP_ETHERTYPE ETH_P_802_EX1

#endif /* VFWD_HOP_SINK_H */
