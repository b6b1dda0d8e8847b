// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-gen's injector.  Run through BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX is turned into a redirect out of the
 * ingress device, so every frame the test run builds is transmitted on
 * that device.  The program therefore only has to say "transmit".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int gen_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
