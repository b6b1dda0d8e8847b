// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only programs for bench/vlan_pop.c, which measures how the
 * uplink should remove the 802.1Q tag in front of an access port:
 *   bench_pop_egress  the alternative to vfwd's inline pop: a devmap egress
 *                     program that reads the port's VLAN and pops the tag,
 *                     the least such a program must do;
 *   bench_sink        XDP on the far end of the port's veth: counts frames,
 *                     tagged and untagged, and drops them.  It puts the tag
 *                     back into a popped frame: live test-run frames are
 *                     recycled with their data pointers reset but not their
 *                     bytes, so the next run of the page would otherwise
 *                     see the MACs shifted by 4.  Both popping variants pay
 *                     for this equally.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vfwd_maps.h"
#include "vfwd_xdp_vlan.bpf.h"

/* Shared with vfwd's skeleton by the benchmark (bpf_map__reuse_fd). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VFWD_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct vfwd_port);
} vfwd_port_v4 SEC(".maps");

enum sink_slot {
	SINK_UNTAGGED,
	SINK_TAGGED,
	SINK_SLOTS,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SINK_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

const volatile __u32 cfg_port_id = 0;
/* The VLAN the benchmark's frames carry, restored by bench_sink. */
const volatile __u16 cfg_vid = 0;

#define VLAN_HLEN 4

SEC("xdp/devmap")
int bench_pop_egress(struct xdp_md *ctx)
{
	__u32 id = cfg_port_id;
	struct vfwd_port *p;

	/* The same pop as vfwd's inline one (bpf/vfwd_xdp_vlan.bpf.h), so
	 * the two variants differ only in where it runs. */
	p = bpf_map_lookup_elem(&vfwd_port_v4, &id);
	if (!p)
		return XDP_DROP;
	if (!p->vid)
		return XDP_PASS;
	return vfwd_xdp_pop_tag(ctx) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 slot = SINK_UNTAGGED;
	__u64 *n;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q))
		slot = SINK_TAGGED;
	n = bpf_map_lookup_elem(&sink_count, &slot);
	if (n)
		(*n)++;
	if (slot == SINK_UNTAGGED &&
	    bpf_xdp_adjust_head(ctx, -VLAN_HLEN) == 0) {
		__u8 macs[2 * ETH_ALEN];
		__be16 *tag;

		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (data + ETH_HLEN + VLAN_HLEN > data_end)
			return XDP_DROP;
		__builtin_memcpy(macs, data + VLAN_HLEN, sizeof(macs));
		__builtin_memcpy(data, macs, sizeof(macs));
		tag = data + sizeof(macs);
		tag[0] = bpf_htons(ETH_P_8021Q);
		tag[1] = bpf_htons(cfg_vid);
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
