// SPDX-License-Identifier: GPL-2.0
/*
 * bench/paths' floor: the least any MAC-steered redirect can do, to
 * compare vfwd_uplink with.  Look the destination MAC up in a hash map,
 * whose value is a DEVMAP slot, and bpf_redirect_map() into it; drop on a
 * miss.  No VLAN, no counters, no policy: vfwd's cost over this is what
 * its features cost.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* Key padded to 8 bytes: the same size as vfwd's {MAC, VID} key. */
struct floor_key {
	__u8 mac[ETH_ALEN];
	__u16 pad;
};

/* A few ports are enough: the benchmark uses one. */
#define FLOOR_PORTS 16

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLOOR_PORTS);
	__type(key, struct floor_key);
	__type(value, __u32);
} floor_mac SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, FLOOR_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} floor_tx SEC(".maps");

SEC("xdp")
int paths_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct floor_key k = {};
	__u32 *slot;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(k.mac, eth->h_dest, ETH_ALEN);
	slot = bpf_map_lookup_elem(&floor_mac, &k);
	if (!slot)
		return XDP_DROP;
	return bpf_redirect_map(&floor_tx, *slot, 0);
}

char LICENSE[] SEC("license") = "GPL";
