/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader: bpffs and the pin directory, the state lock, creating the pinned
 * maps, loading and attaching the uplink program, and facts about network
 * devices.  Functions return 0 or a negative errno; they print nothing
 * except where noted, so the CLI decides how errors are shown.
 */
#ifndef VFWD_LOADER_H
#define VFWD_LOADER_H

#include <stdbool.h>
#include "vfwd_tables.h"

/* Pin files must be private to root: anyone who can open a map pin can
 * rewrite the forwarding tables. */
#define PIN_DIR_MODE 0700

/* Why pin_dir cannot be a pin path as written ("it is not an absolute
 * path", "it has a '..' component"), or NULL when it can. */
const char *vfwd_pin_path_fault(const char *pin_dir);
/* Make sure pin_dir can hold pins.  When the default bpffs mount point is
 * not mounted it is mounted and *mounted set.  -EINVAL when
 * vfwd_pin_path_fault() finds fault with pin_dir, -EBUSY when it is the
 * root of a bpffs mount (vfwd's state is a directory below one), -ENOTSUP
 * when pin_dir or its parent is not a bpffs.  create=false only checks
 * and returns -ENOENT when pin_dir does not exist. */
int vfwd_pin_dir_prepare(const char *pin_dir, bool create, bool *mounted);

/* Exclusive lock on the pin directory for the life of the process; the
 * directory must exist.  Returns the held fd or -errno. */
int vfwd_lock(const char *pin_dir);
/* A short, stable name part from the pin directory, for what lives
 * outside it (the relay's devices, an interrupted apply's record). */
__u32 vfwd_pin_dir_hash(const char *pin_dir);

/* Create (if missing) and pin every vfwd map under pin_dir.  libbpf reuses
 * pins that already exist and refuses ones with another layout.  *fresh
 * (may be NULL): this call made the tables, so the intent journal's
 * VFWD_OP_CREATE entry is this process's own. */
int vfwd_maps_create(const char *pin_dir, bool *fresh);
/* The same, with op (enum vfwd_intent_op) in the journal of tables this
 * call makes: VFWD_OP_UPGRADE for the tables an upgrade fills. */
int vfwd_maps_create_op(const char *pin_dir, __u32 op, bool *fresh);

/* Capabilities: CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN. */
int vfwd_check_privileges(void);

/* Network devices. */
enum vfwd_dev_type {
	VFWD_DEV_OTHER = 0,
	VFWD_DEV_TAP,
	VFWD_DEV_TUN, /* layer-3 tun: no Ethernet frames, never a port */
	VFWD_DEV_VETH,
};
struct vfwd_dev_info {
	__u32 ifindex;
	char name[VFWD_NAME_LEN];
	char driver[32];
	enum vfwd_dev_type type;
	bool up; /* IFF_UP */
	bool running; /* IFF_RUNNING: carrier, and for a tap an attached reader */
	bool loopback; /* IFF_LOOPBACK */
	bool ether; /* link type ARPHRD_ETHER: it carries Ethernet frames */
	__u16 hw_type; /* the link type, ARPHRD_* (for messages) */
	__u8 mac[VFWD_ETH_ALEN];
};
/* By name; -ENODEV when no such device. */
int vfwd_dev_by_name(const char *name, struct vfwd_dev_info *d);
/* By ifindex; -ENODEV when the device is gone. */
int vfwd_dev_by_index(__u32 ifindex, struct vfwd_dev_info *d);
/* The device's master (a bridge, say), or 0 in *master when none. */
int vfwd_dev_master(__u32 ifindex, __u32 *master);
/* A tap's queues that have a reader, and whether it is multiqueue;
 * -EOPNOTSUPP for devices that are not tun/tap. */
int vfwd_dev_tap_queues(__u32 ifindex, __u32 *queues, bool *multi);

/* Uplink XDP program. */
struct vfwd_xdp_state {
	__u32 prog_id; /* 0 when nothing is attached */
	enum vfwd_xdp_mode mode;
	char prog_name[VFWD_NAME_LEN];
	int nprogs; /* >1: a libxdp dispatcher with several programs */
	bool is_vfwd; /* a single vfwd_uplink program */
	bool ours; /* ... using the maps pinned in this pin directory */
};
int vfwd_xdp_query(__u32 ifindex, const char *pin_dir,
		   struct vfwd_xdp_state *st);
/* Load a fresh vfwd_uplink instance bound to the pinned maps and attach
 * it; if a vfwd_uplink is already attached in the same mode it is replaced
 * atomically (XDP_FLAGS_REPLACE), so no frame meets an empty hook.
 * bum_flood: broadcast/multicast/unknown go to the flood devmap.
 * *replaced says which happened; *prog_id is the new program. */
int vfwd_uplink_attach(const char *pin_dir, __u32 ifindex, __u32 port_id,
		       enum vfwd_xdp_mode mode, bool bum_flood, bool *replaced,
		       __u32 *prog_id, char *errbuf, size_t errlen);
/* Detach the program with id prog_id (only that one) from ifindex. */
int vfwd_uplink_detach(__u32 ifindex, enum vfwd_xdp_mode mode, __u32 prog_id);

const char *vfwd_xdp_mode_str(enum vfwd_xdp_mode mode);

/* The post-redirect drop counters (loader/xmit.c, bpf/vfwd_xmit.bpf.h):
 * what devices refused of the frames redirected to them, and what the
 * CPUMAP's queues had no room for. */
enum vfwd_xmit_which {
	VFWD_XMIT_DEVICES, /* key: device ifindex */
	VFWD_XMIT_CPUMAP, /* key: VFWD_XMIT_CPU_KEY | cpu */
	VFWD_XMIT_COUNT,
};
/* Attach both and pin their links in pin_dir, unless pinned there
 * already (their counters then go on).  0, or -errno with the reason in
 * err. */
int vfwd_xmit_ensure(const char *pin_dir, char *err, size_t errlen);
/* A counter's map (struct vfwd_xmit_ctr per key), through its pinned
 * link: an fd, or -ENOENT when it is not attached. */
int vfwd_xmit_map_open(const char *pin_dir, enum vfwd_xmit_which w);
/* The counters of key summed over the CPUs that counted (zero when
 * nothing was counted under it since counting began).  0 or -errno. */
int vfwd_xmit_read(int map_fd, __u32 key, struct vfwd_xmit_ctr *sum);

/* Guest-port programs.  Load an instance for port_id, attach vfwd_guest
 * to ifindex's tc ingress (replacing vfwd's earlier filter there) and put
 * vfwd_egress on the port's flood devmap entry. */
int vfwd_guest_attach(const char *pin_dir, const struct vfwd_tables *t,
		      __u32 port_id, __u32 ifindex, char *errbuf,
		      size_t errlen);
/* Remove vfwd's tc filter from ifindex; 0 if it is not there. */
int vfwd_guest_detach(__u32 ifindex);
/* The clsact qdisc (loader/clsact.c): whether ifindex has one, how many
 * tc filters it holds on both hooks, and removing it when it holds none
 * (0 too when it is not there). */
int vfwd_clsact_present(__u32 ifindex, bool *present);
int vfwd_clsact_filters(__u32 ifindex, int *n);
int vfwd_clsact_release(__u32 ifindex);
/* Id of the program in vfwd's tc filter slot on ifindex, 0 if none. */
int vfwd_guest_query(__u32 ifindex, __u32 *prog_id);
/* Whether program prog_id uses the MAC table pinned under pin_dir, i.e.
 * belongs to that installation: this schema's table, or while an upgrade
 * is under way the previous schema's (a program of the release being
 * replaced, which the upgrade swaps out). */
bool vfwd_prog_uses_pins(__u32 prog_id, const char *pin_dir);

/* The load-time constants (.rodata) of a running vfwd program instance:
 * which uplink or guest port it was loaded for.  -ENOENT when the program
 * has no vfwd .rodata (it is not a vfwd program). */
struct vfwd_prog_cfg {
	__u32 uplink_port; /* vfwd_uplink: its uplink's port id */
	__u32 bum_flood; /* vfwd_uplink: --bum flood */
	__u32 generic; /* vfwd_uplink: attached in skb mode */
	__u32 port_id; /* vfwd_guest, vfwd_egress: the port served */
};
int vfwd_prog_cfg(__u32 prog_id, struct vfwd_prog_cfg *cfg);

/* CPU steering.  Make the CPUMAP hold an entry, with the vfwd_cpu
 * program, for exactly the CPUs some port steers to plus extra[nextra]
 * (CPUs a port is about to use: their entries must exist before the port
 * points at them), and none for other CPUs.  refresh: load a new vfwd_cpu
 * into every entry (a hot upgrade) instead of keeping the ones there. */
int vfwd_cpumap_sync(const char *pin_dir, const struct vfwd_tables *t,
		     const __u16 *extra, unsigned int nextra, bool refresh,
		     char *errbuf, size_t errlen);

/* Which XSKMAP slots of port_id hold a socket (bit q: its socket on
 * uplink rx queue q), asked of the kernel (loader/xsk_probe.c). */
int vfwd_xsk_queues(const char *pin_dir, __u32 port_id, __u64 *queues);

/* vfwd-vhost's relay veth pair (loader/relay.c, maps/vfwd_maps.h "The
 * relay").  Its two names, from the pin directory. */
void vfwd_relay_names(const char *pin_dir, char k[16], char d[16]);
/* Make the pair (or take over the one there), attach vfwd_xhost and
 * vfwd_xrelay, and publish it in vfwd_relay_v4 for pid; *out gets what
 * was published.  0 or -errno with err filled. */
int vfwd_relay_up(const char *pin_dir, const struct vfwd_tables *t, __u64 pid,
		  struct vfwd_relay *out, char *err, size_t errlen);
/* Remove the pair, if there is one (the last detach). */
int vfwd_relay_down(const char *pin_dir);

/* libbpf/libxdp log output: silent unless verbose. */
void vfwd_set_verbose(bool verbose);

#endif /* VFWD_LOADER_H */
