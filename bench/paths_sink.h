/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench/paths' BPF programs (gen_flows.bpf.c, paths_sink.bpf.c,
 * paths_floor.bpf.c) and its userspace share: the benchmark frame's
 * fixed layout, and (sink_stat.h) the sink's counters.
 */
#ifndef VFWD_PATHS_SINK_H
#define VFWD_PATHS_SINK_H

#include <linux/types.h>
#include "sink_stat.h"

/* Every benchmark frame is Ethernet (untagged) + IPv4 without options +
 * UDP, so the programs find the UDP header at a fixed offset. */
#define PATHS_ETH_HLEN 14
#define PATHS_IP_HLEN 20
#define PATHS_UDP_OFF (PATHS_ETH_HLEN + PATHS_IP_HLEN)
#define PATHS_UDP_HLEN 8

/* Flow f is UDP source port PATHS_SPORT_BASE + f (above the well-known
 * ports); the destination is discard, which nothing answers should a
 * frame ever leak, and which the sink checks to tell the benchmark's
 * frames from strays. */
#define PATHS_SPORT_BASE 1024
#define PATHS_DPORT 9

#endif /* VFWD_PATHS_SINK_H */
