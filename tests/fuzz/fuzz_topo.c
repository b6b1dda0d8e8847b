// SPDX-License-Identifier: GPL-2.0
/* The program fuzzer's topology (tests/fuzz/fuzz_progs.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "fuzz_progs.h"
#include "skel.h"
#include "prog_test.h"

const __u8 mac_a[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0a};
const __u8 mac_b[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0b};
const __u8 mac_c[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0c};
const __u8 mac_x[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x0e};

struct binding {
	const __u8 *mac;
	__u16 vid;
	__u32 port;
};
static const struct binding bindings[] = {
	{mac_a, 0, PA},	    {mac_a, VID_A, PA}, {mac_b, VID_A, PB},
	{mac_c, VID_C, PC}, {mac_x, 0, PX},
};
#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

/* The port a (mac, vid) is bound to, or 0. */
__u32 bound_port(const __u8 *mac, __u16 vid)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		if (bindings[i].vid == vid &&
		    !memcmp(bindings[i].mac, mac, ETH_ALEN))
			return bindings[i].port;
	return 0;
}

bool bound_anywhere_to(const __u8 *mac, __u32 port)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		if (bindings[i].port == port &&
		    !memcmp(bindings[i].mac, mac, ETH_ALEN))
			return true;
	return false;
}

static int put_port(struct env *e, __u32 id, __u8 kind, __u16 vid)
{
	struct vfwd_port p = {.kind = kind, .vid = vid};
	struct bpf_devmap_val lo = {.ifindex = LO_IFINDEX};

	if (kind != VFWD_PORT_UPLINK) {
		p.uplink_id = UP;
		p.flags = VFWD_PORT_F_SPOOFCHK;
	}
	if (kind != VFWD_PORT_XSK)
		p.ifindex = LO_IFINDEX;
	snprintf(p.name, sizeof(p.name), "p%u", id);
	if (bpf_map_update_elem(e->t.port_fd, &id, &p, BPF_ANY))
		return -errno;
	if (kind == VFWD_PORT_TAP &&
	    bpf_map_update_elem(e->t.tx_fd, &id, &lo, BPF_ANY))
		return -errno;
	return 0;
}

int env_open(struct env *e, struct bpf_program *(*pick)(struct vfwd_bpf *),
	     __u32 port_id)
{
	struct bpf_program *prog;
	int err;

	e->skel = vfwd_bpf__open();
	if (!e->skel)
		return -errno;
	err = prog_isolate(e->skel->obj);
	if (err)
		return err;
	prog = pick(e->skel);
	bpf_program__set_autoload(prog, true);
	/* The kernel refuses test runs of devmap and cpumap programs:
	 * the same instructions loaded as plain XDP (as tests/prog does). */
	if (prog == e->skel->progs.vfwd_egress ||
	    prog == e->skel->progs.vfwd_cpu ||
	    prog == e->skel->progs.vfwd_xflood) {
		err = bpf_program__set_expected_attach_type(prog, BPF_XDP);
		if (err)
			return err;
	}
	e->skel->rodata->cfg_uplink_port = UP;
	e->skel->rodata->cfg_port_id = port_id;
	err = vfwd_bpf__load(e->skel);
	if (err)
		return err;
	e->prog_fd = bpf_program__fd(prog);
	vfwd_skel_tables(e->skel, &e->t);
	if (e->t.mac_fd < 0)
		return e->t.mac_fd;
	if ((err = put_port(e, UP, VFWD_PORT_UPLINK, 0)) ||
	    (err = put_port(e, PA, VFWD_PORT_TAP, 0)) ||
	    (err = put_port(e, PB, VFWD_PORT_TAP, VID_A)) ||
	    (err = put_port(e, PC, VFWD_PORT_TAP, VID_C)) ||
	    (err = put_port(e, PX, VFWD_PORT_XSK, 0)))
		return err;
	for (size_t i = 0; i < NBINDINGS; i++) {
		struct vfwd_mac_key k = {.vid = bindings[i].vid};
		struct vfwd_mac_val v = {.port_id = bindings[i].port,
					 .flags = VFWD_MAC_STATIC};

		if (bindings[i].port == PB || bindings[i].port == PC)
			v.flags |= VFWD_MAC_ACCESS;
		memcpy(k.mac, bindings[i].mac, ETH_ALEN);
		if (bpf_map_update_elem(e->t.mac_fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

struct bpf_program *pick_uplink(struct vfwd_bpf *s)
{
	return s->progs.vfwd_uplink;
}
struct bpf_program *pick_guest(struct vfwd_bpf *s)
{
	return s->progs.vfwd_guest;
}
struct bpf_program *pick_egress(struct vfwd_bpf *s)
{
	return s->progs.vfwd_egress;
}
struct bpf_program *pick_xguest(struct vfwd_bpf *s)
{
	return s->progs.vfwd_xguest;
}
struct bpf_program *pick_cpu(struct vfwd_bpf *s)
{
	return s->progs.vfwd_cpu;
}
struct bpf_program *pick_xrelay(struct vfwd_bpf *s)
{
	return s->progs.vfwd_xrelay;
}
struct bpf_program *pick_xflood(struct vfwd_bpf *s)
{
	return s->progs.vfwd_xflood;
}

/* The VLAN of a plain frame (untagged, or one 802.1Q tag with a valid
 * VID and no second tag): 0 or the VID; -1 for anything else. */
int plain_vid(const __u8 *f, unsigned int len)
{
	__u16 proto, vid, inner;

	if (len < ETH_HLEN)
		return -1;
	proto = (__u16)(f[12] << 8 | f[13]);
	if (proto == ETH_P_8021AD)
		return -1;
	if (proto != ETH_P_8021Q)
		return 0;
	if (len < ETH_HLEN + 4)
		return -1;
	vid = (__u16)((f[14] << 8 | f[15]) & 0xfff);
	inner = (__u16)(f[16] << 8 | f[17]);
	if (vid == 0 || vid == 4095 || inner == ETH_P_8021Q ||
	    inner == ETH_P_8021AD)
		return -1;
	return vid;
}
