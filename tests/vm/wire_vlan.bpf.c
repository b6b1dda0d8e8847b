// SPDX-License-Identifier: GPL-2.0
/*
 * VLAN interfaces for the test wire of tests/vm/test_vm_flood.sh, on
 * kernels built without 802.1Q support (CONFIG_VLAN_8021Q unset: no
 * `ip link add ... type vlan`).  The test compiles this with clang at run
 * time and attaches it with tc (clsact ingress, direct action) in the wire
 * namespace:
 *
 *   trunk (the wire's end of the uplink veth)      VLAN v's access veth
 *   ingress: tag v -> pop, redirect to  ────────→  tv  ⇄  wv (address)
 *   egress  ←──────────── push tag v, redirect ←── tv ingress
 *
 * Each VLAN is a veth pair: wv holds the VLAN's address, tv is attached.
 * Untagged frames on the trunk go on to its own stack; other VLANs are
 * dropped.  Built with the ifindexes as constants:
 *   -DWIRE_TRUNK=<trunk ifindex>
 *   -DWIRE_VLANS='WIRE_VLAN(VID, <tv ifindex>) ...'
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int wire_vlan(struct __sk_buff *skb)
{
	__u32 to, vid;

	if (skb->ifindex == WIRE_TRUNK) {
		/* The stack moves a tag into skb metadata before tc. */
		if (!skb->vlan_present)
			return TC_ACT_OK;
		switch (skb->vlan_tci & 0x0fff) {
#define WIRE_VLAN(v, ifindex)                                                  \
	case v:                                                                \
		to = ifindex;                                                  \
		break;
			WIRE_VLANS
#undef WIRE_VLAN
		default:
			return TC_ACT_SHOT;
		}
		if (bpf_skb_vlan_pop(skb))
			return TC_ACT_SHOT;
		return bpf_redirect(to, 0);
	}
	switch (skb->ifindex) {
#define WIRE_VLAN(v, ifindex)                                                  \
	case ifindex:                                                          \
		vid = v;                                                       \
		break;
		WIRE_VLANS
#undef WIRE_VLAN
	default:
		return TC_ACT_SHOT;
	}
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid))
		return TC_ACT_SHOT;
	return bpf_redirect(WIRE_TRUNK, 0);
}

char LICENSE[] SEC("license") = "GPL";
