/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The program fuzzer's shared pieces (tests/fuzz/fuzz_progs.c runs the
 * programs and checks the invariants):
 *   fuzz_topo.c    the topology every program instance is loaded with:
 *                  ports, MAC bindings, and what they say of a frame;
 *   fuzz_frames.c  the frames: seeded random, built from the topology's
 *                  MACs and VLANs, then mutated;
 *   fuzz_hops.c    the programs after the port is chosen: vfwd_cpu and
 *                  the relay's.
 */
#ifndef VFWD_FUZZ_PROGS_H
#define VFWD_FUZZ_PROGS_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "vfwd.skel.h"
#include "vfwd_tables.h"

/* The loopback device exists everywhere; non-live runs never send. */
#define LO_IFINDEX 1
/* Frames up to this long: headers and some payload are all the rules
 * look at. */
#define FUZZ_FRAME_MAX 128
#define VID_A 100
#define VID_C 200

/* The topology: one uplink, three tap ports, one AF_XDP port. */
enum {
	UP = 1,
	PA = 2, /* trunk: MAC_A untagged and on VID_A */
	PB = 3, /* access port of VID_A */
	PC = 4, /* access port of VID_C */
	PX = 5, /* AF_XDP port, untagged */
	NPORTS = 6,
};
extern const __u8 mac_a[ETH_ALEN], mac_b[ETH_ALEN], mac_c[ETH_ALEN],
	mac_x[ETH_ALEN];

/* One program instance over tables of its own, with the topology. */
struct env {
	struct vfwd_bpf *skel;
	int prog_fd;
	struct vfwd_tables t;
};
/* Load the program pick chooses, for port_id (cfg_port_id), and write the
 * topology into its tables.  0 or -errno. */
int env_open(struct env *e, struct bpf_program *(*pick)(struct vfwd_bpf *),
	     __u32 port_id);
struct bpf_program *pick_uplink(struct vfwd_bpf *s);
struct bpf_program *pick_guest(struct vfwd_bpf *s);
struct bpf_program *pick_egress(struct vfwd_bpf *s);
struct bpf_program *pick_xguest(struct vfwd_bpf *s);
struct bpf_program *pick_cpu(struct vfwd_bpf *s);
struct bpf_program *pick_xrelay(struct vfwd_bpf *s);
struct bpf_program *pick_xflood(struct vfwd_bpf *s);

/* The port a (mac, vid) is bound to, or 0. */
__u32 bound_port(const __u8 *mac, __u16 vid);
/* Whether mac is bound to port on any VLAN. */
bool bound_anywhere_to(const __u8 *mac, __u32 port);
/* The VLAN of a plain frame (untagged, or one 802.1Q tag with a valid
 * VID and no second tag): 0 or the VID; -1 for anything else. */
int plain_vid(const __u8 *f, unsigned int len);

/* The generator's state: a printed seed replays a run. */
extern __u64 fuzz_rng_state;
__u32 fuzz_rnd(void);
/* A frame into f (FUZZ_FRAME_MAX bytes); returns its length. */
unsigned int make_frame(__u8 *f);

/* A program's run of frames (fuzz_progs.c): its first failure kept. */
struct result {
	unsigned long frames, skipped, failures;
	char first[512];
};
void failed(struct result *r, unsigned long n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ports whose counters are read around every run, and reading them. */
#define FUZZ_NTRACKED 5
extern const __u32 fuzz_tracked[FUZZ_NTRACKED];
struct prog_counters;
int read_ctrs(struct env *e, struct prog_counters *c);
/* Frame f (len bytes) through a devmap program, as a copy the uplink
 * (ingress LO_IFINDEX) redirected: its output into out (size bytes).
 * 0, or -1 when the kernel refused the run (counted as skipped). */
int run_devmap(struct env *e, __u8 *f, unsigned int len, __u8 *out, __u32 size,
	       struct bpf_test_run_opts *o, struct result *r);

/* The programs after the port is chosen (fuzz_hops.c). */
void fuzz_cpu(struct env *e, unsigned long n, struct result *r);
void fuzz_xrelay(struct env *e, unsigned long n, struct result *r);
void fuzz_xflood(struct env *e, unsigned long n, struct result *r);

#endif /* VFWD_FUZZ_PROGS_H */
