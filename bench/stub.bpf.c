// SPDX-License-Identifier: GPL-2.0
/*
 * Stub programs for bench/prog_cost: what a BPF_PROG_TEST_RUN of a
 * program costs when the program does (next to) nothing.  prog_cost
 * subtracts them from vfwd's programs, measured the same way, so that the
 * test-run machinery (context set-up, BH disable, the timer) is not
 * charged to vfwd.
 *
 *  stub_xdp_pass      XDP_PASS: the baseline of vfwd's XDP programs on
 *                     paths that end in pass or drop;
 *  stub_xdp_redirect  one bpf_redirect_map() into a DEVMAP_HASH, the map
 *                     type and key vfwd's tx map has: the baseline of the
 *                     paths that end in a redirect, so that only what vfwd
 *                     adds to any redirect is left;
 *  stub_tc_ok         TC_ACT_OK: the baseline of vfwd_guest.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* The key the redirect stub sends to, set before load to the port id
 * vfwd_uplink's hit redirects to. */
const volatile __u32 stub_port = 0;

/* One slot: the stub only ever sends to stub_port. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} stub_tx SEC(".maps");

SEC("xdp")
int stub_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int stub_xdp_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&stub_tx, stub_port, 0);
}

SEC("tc")
int stub_tc_ok(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
