/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the AF_XDP program tests share (test_xsk.c: vfwd_uplink's xsk
 * branch; test_xguest.c: vfwd_xguest): the loopback device, VLANs, MACs
 * and frame rows, and a program instance over tables of its own.
 */
#ifndef VFWD_XSK_TEST_H
#define VFWD_XSK_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "skel.h"
#include "prog_test.h"

/* The loopback device always exists, and non-live test runs never send. */
#define LO_IFINDEX 1

#define TEST_VID 100
#define OTHER_VID 200
#define UNBOUND_VID 400 /* no MAC is bound on it */
#define TEST_PCP 5

/* The size of a typical small test frame: room for an IPv4 header. */
#define SMALL_FRAME_LEN 100

/* clang-format off */
#define MAC_XSK { 0x02, 0x00, 0x00, 0x00, 0x10, 0x03 }
#define MAC_XSK_ACCESS { 0x02, 0x00, 0x00, 0x00, 0x10, 0x04 }
#define MAC_XSK_EMPTY { 0x02, 0x00, 0x00, 0x00, 0x10, 0x05 }
#define MAC_XSK_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x10, 0x06 }
#define MAC_WIRE { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 }

#define MAC_SELF { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 }
#define MAC_PEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x04 }
#define MAC_ACCESS_PEER { 0x02, 0x00, 0x00, 0x00, 0x00, 0x05 }
#define MAC_ELSEWHERE { 0x02, 0x00, 0x00, 0x00, 0x00, 0x06 }
#define MAC_TAP { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 }
#define MAC_TAP_DOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x08 }
#define MAC_TAP_DOWN_FLOOD { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 }
#define MAC_PEER_FLOOD { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a }
#define MAC_SPOOF { 0x02, 0x00, 0x00, 0x00, 0x00, 0x66 }
#define MAC_UNKNOWN { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 }
#define MAC_HOST { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe }
#define MAC_BCAST { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define MAC_MCAST_V6 { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }

#define TAG_Q(tci) { ETH_P_8021Q, (tci) }
#define TAG_AD(tci) { ETH_P_8021AD, (tci) }
/* clang-format on */

#define FRAME(d, s)                                                            \
	{                                                                      \
		.dst = d, .src = s, .proto = ETH_P_IP, .len = SMALL_FRAME_LEN  \
	}
#define FRAME_TAGGED(d, s, tci)                                                \
	{                                                                      \
		.dst = d, .src = s, .tags = {TAG_Q(tci)}, .ntags = 1,          \
		.proto = ETH_P_IP, .len = SMALL_FRAME_LEN                      \
	}
#define FRAME_QINQ(d, s)                                                       \
	{                                                                      \
		.dst = d, .src = s,                                            \
		.tags = {TAG_AD(TEST_VID), TAG_Q(OTHER_VID)}, .ntags = 2,      \
		.proto = ETH_P_IP, .len = SMALL_FRAME_LEN                      \
	}

struct test_env {
	struct vfwd_bpf *skel;
	int prog_fd;
	struct vfwd_tables t; /* the skeleton's maps */
};

/* Load the object with only vfwd_xguest, or only vfwd_uplink serving
 * uplink_port with the BUM policy bum_flood, and no pins. */
static inline int env_open(struct test_env *env, bool xguest, __u32 uplink_port,
			   bool bum_flood)
{
	struct bpf_program *prog;
	int err;

	env->skel = vfwd_bpf__open();
	if (!env->skel)
		return -errno;
	err = prog_isolate(env->skel->obj);
	if (err)
		return err;
	prog = xguest ? env->skel->progs.vfwd_xguest
		      : env->skel->progs.vfwd_uplink;
	bpf_program__set_autoload(prog, true);
	env->skel->rodata->cfg_uplink_port = uplink_port;
	env->skel->rodata->cfg_bum_flood = bum_flood;
	err = vfwd_bpf__load(env->skel);
	if (err)
		return err;
	env->prog_fd = bpf_program__fd(prog);
	vfwd_skel_tables(env->skel, &env->t);
	return env->t.mac_fd < 0 ? env->t.mac_fd : 0;
}

static inline int put_port(const struct test_env *env, __u32 id,
			   const char *name, __u8 kind, __u32 uplink, __u16 vid,
			   __u32 flags)
{
	struct vfwd_port p = {
		.uplink_id = uplink, .kind = kind, .vid = vid, .flags = flags};

	if (kind != VFWD_PORT_XSK)
		p.ifindex = LO_IFINDEX;
	snprintf(p.name, sizeof(p.name), "%s", name);
	return bpf_map_update_elem(env->t.port_fd, &id, &p, BPF_ANY) ? -errno
								     : 0;
}

static inline int put_mac(const struct test_env *env, const __u8 *mac,
			  __u16 vid, __u32 port_id, __u32 flags)
{
	struct vfwd_mac_key k = {.vid = vid};
	struct vfwd_mac_val v = {.port_id = port_id,
				 .flags = VFWD_MAC_STATIC | flags};

	memcpy(k.mac, mac, sizeof(k.mac));
	return bpf_map_update_elem(env->t.mac_fd, &k, &v, BPF_NOEXIST) ? -errno
								       : 0;
}

#endif /* VFWD_XSK_TEST_H */
