/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd_xmit_trace: counts what the kernel drops after vfwd redirected a
 * frame.  vfwd_uplink counts a frame as sent to a port when it redirects
 * it, but the device may refuse it afterwards (measured: under load a
 * tap delivered 40-50 % of what vfwd counted).  The DEVMAP flush reports
 * each device's sent and dropped frames on the xdp:xdp_devmap_xmit
 * tracepoint; this program adds them up per device in vfwd_xmit_v4.
 * Attached (tp_btf, no tracefs needed) and its link pinned by `vfwd
 * attach`; the map is not pinned: userspace reaches it through the link,
 * so it lives exactly as long as the counting does.
 */
#ifndef VFWD_XMIT_BPF_H
#define VFWD_XMIT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vfwd_maps.h"

/* Only the field read here; CO-RE finds it in the running kernel. */
struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, VFWD_XMIT_DEVS);
	__type(key, __u32);
	__type(value, struct vfwd_xmit_ctr);
} vfwd_xmit_v4 SEC(".maps");

SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(vfwd_xmit_trace, const struct net_device *from_dev,
	     const struct net_device *to_dev, int sent, int drops, int err)
{
	__u32 ifindex = to_dev->ifindex;
	struct vfwd_xmit_ctr *c, zero = {};

	c = bpf_map_lookup_elem(&vfwd_xmit_v4, &ifindex);
	if (!c) {
		bpf_map_update_elem(&vfwd_xmit_v4, &ifindex, &zero,
				    BPF_NOEXIST);
		c = bpf_map_lookup_elem(&vfwd_xmit_v4, &ifindex);
		if (!c)
			return 0;
	}
	if (sent > 0)
		c->sent += sent;
	if (drops > 0)
		c->drops += drops;
	return 0;
}

/* The id of vfwd's CPUMAP (vfwd_cpu_v4), set by the loader: the host may
 * have other CPUMAPs, whose frames are not vfwd's to count. */
const volatile __u32 cfg_cpumap_id = 0;

/* vfwd_cpumap_trace: what the CPUMAP dropped of the frames vfwd_uplink
 * steered.  The uplink counts a steered frame as forwarded when it
 * redirects it, and vfwd_cpu counts it as sent to its port only once it
 * left the CPU's queue; a frame the queue had no room for (the CPU busy
 * elsewhere) is counted nowhere else.  The flush of the CPUMAP's bulk
 * queue reports each CPU's processed and dropped frames here. */
SEC("tp_btf/xdp_cpumap_enqueue")
int BPF_PROG(vfwd_cpumap_trace, int map_id, unsigned int processed,
	     unsigned int drops, int to_cpu)
{
	__u32 key = VFWD_XMIT_CPU_KEY | (__u32)to_cpu;
	struct vfwd_xmit_ctr *c, zero = {};

	if ((__u32)map_id != cfg_cpumap_id)
		return 0;
	c = bpf_map_lookup_elem(&vfwd_xmit_v4, &key);
	if (!c) {
		bpf_map_update_elem(&vfwd_xmit_v4, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&vfwd_xmit_v4, &key);
		if (!c)
			return 0;
	}
	c->sent += processed;
	c->drops += drops;
	return 0;
}

#endif /* VFWD_XMIT_BPF_H */
