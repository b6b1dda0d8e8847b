// SPDX-License-Identifier: GPL-2.0
/*
 * The one BPF compilation unit.  All vfwd programs live in one object so
 * that the maps are defined exactly once and userspace has one skeleton;
 * the loader turns autoload off for the programs a given step does not
 * need.  Each program keeps its own header.
 */
#include "vfwd_uplink.bpf.h"
#include "vfwd_egress.bpf.h"
#include "vfwd_guest.bpf.h"
#include "vfwd_cpu.bpf.h"
#include "vfwd_xguest.bpf.h"
#include "vfwd_xsk_probe.bpf.h"
#include "vfwd_xmit.bpf.h"

char LICENSE[] SEC("license") = "GPL";
