/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd-vhost: serves the guests of vfwd's AF_XDP ports (VFWD_PORT_XSK)
 * over vhost-user.
 *
 *   wire -> vfwd_uplink -> XSKMAP slot (port, rx queue) -> AF_XDP socket
 *        -> UMEM -> mbuf -> rte_vhost_enqueue_burst -> guest RX vring
 *   guest TX vring -> rte_vhost_dequeue_burst -> vfwd_xguest (the guest
 *        rules, in BPF) -> AF_XDP TX on the uplink, or another guest's
 *        RX vring
 *
 * Threads:
 *  - main (control): options, EAL, and every 500 ms a scan of the port
 *    table: registers a vhost-user driver per xsk port, makes the AF_XDP
 *    sockets of a guest that connected, publishes their XSKMAP slots;
 *  - vhost-events (the library's): new_device, destroy_device,
 *    vring_state_changed;
 *  - data path (vhost/dp.c): moves frames; sleeps in epoll on the
 *    sockets and the guests' kick eventfds, or spins with --poll.
 *
 * Ownership: vh->lock guards the port registry, each port's connection
 * state and the UMEM list.  The data path takes no lock: it learns of a
 * port's guest and sockets through a mailbox (dp_attach/dp_detach), and
 * whoever detaches waits until it has let go.  Functions return 0 or a
 * negative errno.
 */
#ifndef VFWD_VHOST_H
#define VFWD_VHOST_H

#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "vfwd_maps.h"
#include "vfwd_tables.h"

#define VH_PROG "vfwd-vhost"

/* How often the control thread reads the port table: ports added or
 * removed take effect within a second, and a read of the whole table is
 * one batched syscall. */
#define VH_SCAN_MS 500

/*
 * UMEM, one per (uplink, rx queue).  A 2 KiB frame holds a 1518-byte
 * frame (1500 MTU, Ethernet header and one VLAN tag) behind the
 * XDP_PACKET_HEADROOM (256 bytes) the kernel reserves in front of every
 * received frame, and two frames share a page.  Half the frames circulate
 * between the fill ring and the sockets' rx rings, the other half carry
 * what guests transmit.  2048 per direction is the depth of one rx or tx
 * ring, so a full ring never waits for frames: 8 MiB per queue.
 */
#define VH_FRAME_SIZE 2048
#define VH_RING_SIZE 2048
#define VH_RX_FRAMES VH_RING_SIZE
#define VH_TX_FRAMES VH_RING_SIZE
#define VH_UMEM_FRAMES (VH_RX_FRAMES + VH_TX_FRAMES)
#define VH_NO_FRAME (~0ULL)

/* Frames per burst: rte_vhost moves at most 32 per enqueue or dequeue
 * call (its MAX_PKT_BURST), and a copy-mode AF_XDP socket sends at most
 * 32 per sendto() (the kernel's TX_BATCH_SIZE). */
#define VH_BURST 32
/* A dequeue burst goes through the guest rules in one program run. */
_Static_assert(VH_BURST <= VFWD_XG_BATCH, "one vfwd_xguest run per burst");
/* Bursts per port and direction before the data path moves on to the
 * next port, so a busy guest does not starve the others. */
#define VH_BUDGET_BURSTS 8
/* sendto() kicks per flush of a socket's tx ring: a full ring of
 * VH_RING_SIZE at 32 frames per kick, plus room for EAGAIN retries. */
#define VH_TX_MAX_KICKS (VH_RING_SIZE / VH_BURST + 8)
/* The largest frame a guest may hand us: a 9000-byte jumbo frame with
 * its Ethernet header and two tags.  Such frames only reach other guests;
 * the wire takes what fits a UMEM frame. */
#define VH_MAX_FRAME 9026

/* The mbuf pool: mbufs live only during one burst (dequeued frames, and
 * the copies for another guest), so a few bursts' worth plus the
 * per-lcore cache is plenty; 4095 (2^n - 1, the mempool's optimum)
 * mbufs of 2 KiB data are ~9 MiB of EAL memory. */
#define VH_POOL_MBUFS 4095
#define VH_POOL_CACHE 256

/* virtio-net queue indexes of the one queue pair served: the guest's
 * receive queue (we enqueue) and its transmit queue (we dequeue). */
#define VH_VQ_RX 0
#define VH_VQ_TX 1

/* ---- logging ---- */
extern bool vh_verbose;
#define vh_err(fmt, ...) fprintf(stderr, VH_PROG ": " fmt "\n", ##__VA_ARGS__)
#define vh_info(fmt, ...) fprintf(stderr, VH_PROG ": " fmt "\n", ##__VA_ARGS__)
#define vh_dbg(fmt, ...)                                                       \
	do {                                                                   \
		if (vh_verbose)                                                \
			fprintf(stderr, VH_PROG ": " fmt "\n", ##__VA_ARGS__); \
	} while (0)

/* ---- UMEM (vhost/umem.c) ---- */
struct vh_umem {
	struct vh_umem *next;
	__u32 ifindex;
	__u32 queue;
	struct xsk_umem *umem;
	void *area;
	struct xsk_ring_prod fill; /* shared by every socket of the queue */
	struct xsk_ring_cons comp;
	__u32 mode; /* enum vfwd_xsk_mode, set by its first socket */
	unsigned int users; /* sockets bound with it */
	bool filled; /* the fill ring got its frames */
	/* TX frames not in flight: a stack, data path only. */
	unsigned int n_tx_free;
	__u64 tx_free[VH_TX_FRAMES];
};

struct vh_daemon;
int vh_umem_get(struct vh_daemon *d, __u32 ifindex, __u32 queue,
		struct vh_umem **out);
void vh_umem_put(struct vh_daemon *d, struct vh_umem *um);
int vh_umem_fill(struct vh_umem *um);
/* TX frames (data path). */
int vh_umem_tx_alloc(struct vh_umem *um, __u64 *addr);
void vh_umem_tx_free(struct vh_umem *um, __u64 addr);
unsigned int vh_umem_reap(struct vh_umem *um);
static inline void *vh_umem_data(const struct vh_umem *um, __u64 addr)
{
	return (char *)um->area + addr;
}
/* The frame (chunk) an address inside it belongs to. */
static inline __u64 vh_umem_chunk(__u64 addr)
{
	return addr & ~(__u64)(VH_FRAME_SIZE - 1);
}

/* ---- one AF_XDP socket (vhost/xsk_port.c) ---- */
struct vh_sock {
	struct xsk_socket *xsk;
	/* libxdp keeps pointers to these: a socket never moves */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct vh_umem *um;
	struct vfwd_xsk_stats *xs; /* its port's counters */
	int fd;
	__u32 queue;
	__u32 tx_cons; /* the tx ring's consumer index at the last flush */
	bool tx_pending; /* descriptors the kernel has not taken yet */
};

/* Ethernet as the data path builds it: MACs, then tags of 4 bytes. */
#define VH_MACS_LEN 12
#define VH_VLAN_HLEN 4
#define VH_TPID_8021Q 0x8100
#define VH_VID_MASK 0x0fff

/* ---- epoll data in the data path: what fired, and for which port (or
 * which uplink's packet socket) ---- */
enum vh_ev {
	VH_EV_WAKE = 0,
	VH_EV_KICK = 1,
	VH_EV_RX = 2,
	VH_EV_BUM = 3,
	VH_EV_FLOOD = 4,
};
#define VH_EV(type, id) (((__u64)(type) << 32) | (id))
#define VH_EV_TYPE(u) ((__u32)((u) >> 32))
#define VH_EV_ID(u) ((__u32)(u))

/* ---- broadcasts from the wire (vhost/bum.c) ---- */
/* Uplinks with a served guest at once: a host has a handful of NICs; a
 * guest on an uplink past this gets no broadcasts from the wire, and the
 * daemon says so. */
#define VH_MAX_UPLINKS 64

struct vh_bum_sock {
	int fd; /* AF_PACKET on the uplink, group addresses only */
	__u32 uplink_id;
	unsigned int users; /* attached ports on the uplink; 0: slot free */
	bool ready; /* epoll said readable */
	bool more; /* the budget ran out: more may wait */
};

/* ---- the data path's view of a port (vhost/dp.c, vhost/vring.c) ---- */
struct vh_dp_port {
	int vid;
	int kickfd; /* guest TX kick eventfd in the epoll set, or -1 */
	bool notify_on; /* guest TX kicks armed (notifications enabled) */
	bool kicked; /* the kick eventfd fired */
	bool rx_ready; /* a socket has frames */
	bool rx_more; /* a burst was full: more may wait */
	bool tx_more;
	bool tx_blocked; /* no room to send: the guest's frames wait */
	bool sock_pending; /* a socket's tx ring still holds frames */
	__u32 bum_uplink; /* the packet socket it holds a use of, or 0 */
	/* The source MAC of its last broadcast given to the host: the
	 * packet socket skips that copy when it comes back in. */
	unsigned char bum_src[6];
	unsigned int idx; /* in dp->ports[] */
};

/* ---- a served xsk port ---- */
struct vh_port {
	__u32 id;
	char name[VFWD_NAME_LEN];
	char path[VFWD_VHOST_PATH_LEN];
	bool server; /* VFWD_PORT_F_VHOST_SERVER */
	__u32 uplink_id; /* from the port table, at the last scan */
	__u16 access_vid; /* its access VLAN, likewise; 0: none */
	bool registered; /* rte_vhost driver started */
	int reg_err; /* last registration error, logged once */
	bool removing;
	/* The guest: vid from new_device until destroy_device.  attached:
	 * sockets made, in the data path, slots published. */
	int vid;
	bool attached;
	int sock_err; /* why it has no sockets (logged once), or 0 */
	__u32 ifindex; /* the uplink its sockets are bound to */
	char ifname[IF_NAMESIZE];
	unsigned int nsocks;
	__u32 mode;
	struct vh_sock *socks; /* VFWD_XSK_QUEUES */
	/* Its socket on the relay's daemon end (vhost/relay.c): what tap
	 * and veth guests send it arrives there, and what it sends the
	 * host and tap or veth ports leaves there. */
	struct vh_sock relay;
	bool relay_open;
	struct vfwd_xsk_stats *xs; /* its entry in the mmapped vfwd_xstat */
	/* XDP_STATISTICS of its closed sockets, and what the entry held
	 * when this daemon took the port: the counters stay monotonic over
	 * reconnects and daemon restarts. */
	__u64 base_ring_full, base_fill_empty, base_rx_invalid;
	struct vh_dp_port dp; /* data path's, while attached */
};

/* ---- data path (vhost/dp.c) ---- */
enum vh_cmd_op {
	VH_CMD_ATTACH,
	VH_CMD_DETACH,
	VH_CMD_FLOOD, /* the relay's flood socket, or none (sock NULL) */
};

struct vh_cmd {
	enum vh_cmd_op op;
	struct vh_port *port;
	struct vh_sock *sock;
	bool done;
	struct vh_cmd *next;
};

struct rte_mempool;
struct rte_mbuf;
struct vfwd_xguest;

struct vh_dp {
	pthread_t thread;
	bool started;
	int epfd;
	int wakefd;
	bool poll; /* --poll: spin, never sleep */
	cpu_set_t cpus; /* --poll: where */
	struct rte_mempool *pool;
	struct vfwd_xguest *xg; /* set while ports are attached */
	atomic_bool stop;
	atomic_bool kick_stale; /* a vring changed: re-read kick fds */
	/* mailbox */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct vh_cmd *cmds;
	atomic_bool pending;
	/* attached ports; by_id for guest-to-guest delivery */
	unsigned int nports;
	struct vh_port *ports[VFWD_MAX_PORTS];
	struct vh_port *by_id[VFWD_MAX_PORTS];
	struct vh_bum_sock bum[VH_MAX_UPLINKS];
	/* The relay's flood socket (vhost/relay.c), data path's while set. */
	struct vh_sock *flood;
	bool flood_ready;
	/* scratch: a guest frame in one piece, and xguest's output when no
	 * UMEM frame is at hand */
	unsigned char bounce_in[VH_MAX_FRAME];
	unsigned char bounce_out[VH_MAX_FRAME + 64];
};

int vh_dp_start(struct vh_dp *dp);
void vh_dp_stop(struct vh_dp *dp);
/* Hand a port to the data path / take it back; both wait until done. */
void vh_dp_attach(struct vh_dp *dp, struct vh_port *p);
void vh_dp_detach(struct vh_dp *dp, struct vh_port *p);
/* From vring_state_changed: never blocks. */
void vh_dp_kick_refresh(struct vh_dp *dp);
/* Hand the data path the relay's flood socket, or take it back (NULL);
 * waits until done. */
void vh_dp_set_flood(struct vh_dp *dp, struct vh_sock *s);

/* ---- frame movement (vhost/vring.c), data path only ---- */
void vh_wire_to_guest(struct vh_dp *dp, struct vh_port *p);
void vh_guest_to_any(struct vh_dp *dp, struct vh_port *p);
void vh_sock_tx_flush(struct vh_sock *s);
/* At detach: hand back what is still in the port's rings. */
void vh_port_quiesce(struct vh_port *p);

/* ---- broadcasts (vhost/bum.c), data path only ---- */
/* Take / drop a use of the packet socket on a port's uplink. */
void vh_bum_get(struct vh_dp *dp, struct vh_port *p);
void vh_bum_put(struct vh_dp *dp, struct vh_port *p);
/* Drain the packet sockets that have frames (all: every one); returns
 * whether one has more waiting. */
bool vh_bum_run(struct vh_dp *dp, bool all);
/* A frame to the guests of VLAN vid on uplink_id but from; the untagged
 * frame is its MACs and what follows off.  Returns the copies made. */
unsigned int vh_bum_to_guests(struct vh_dp *dp, const struct vh_port *from,
			      __u32 uplink_id, const unsigned char *f,
			      unsigned int len, __u16 vid, unsigned int off);
/* Drain the relay's flood socket: floods from uplinks in --bum flood
 * mode, to the guests of their VLAN.  Returns whether more may wait. */
bool vh_bum_flood_run(struct vh_dp *dp);
/* A guest's broadcast, as the rules left it, to the other guests of its
 * VLAN on its uplink. */
unsigned int vh_bum_from_guest(struct vh_dp *dp, const struct vh_port *from,
			       const unsigned char *f, unsigned int len);

/* ---- AF_XDP sockets of a port (vhost/xsk_port.c), under vh->lock ---- */
/* One socket on (ifname, queue) with UMEM um; zero-copy if the driver
 * offers it.  Closing folds its statistics into p's counters. */
int vh_sock_open(struct vh_sock *s, struct vh_umem *um, const char *ifname,
		 __u32 queue);
void vh_sock_close(struct vh_daemon *d, struct vh_port *p, struct vh_sock *s);
int vh_xsk_port_open(struct vh_daemon *d, struct vh_port *p);
void vh_xsk_port_close(struct vh_daemon *d, struct vh_port *p);
int vh_xsk_port_publish(struct vh_daemon *d, struct vh_port *p);
void vh_xsk_port_unpublish(struct vh_daemon *d, struct vh_port *p);
/* The uplink a port's sockets should be bound to: ifindex and rx queue
 * count, or -errno (no uplink, device gone). */
int vh_xsk_port_target(struct vh_daemon *d, const struct vh_port *p,
		       __u32 *ifindex, unsigned int *nq);

/* ---- the relay veth (vhost/relay.c), under vh->lock ---- */
/* Make or take over the installation's relay; false without one. */
bool vh_relay_setup(struct vh_daemon *d);
/* Before the tables close: the flood socket goes. */
void vh_relay_release(struct vh_daemon *d);
int vh_relay_port_open(struct vh_daemon *d, struct vh_port *p);
void vh_relay_port_close(struct vh_daemon *d, struct vh_port *p);
int vh_relay_port_publish(struct vh_daemon *d, struct vh_port *p);
void vh_relay_port_unpublish(struct vh_daemon *d, struct vh_port *p);

/* ---- counters (vhost/stats.c) ---- */
int vh_xstat_map(struct vh_daemon *d);
void vh_xstat_unmap(struct vh_daemon *d);
void vh_xstat_state(struct vh_daemon *d, struct vh_port *p, __u32 state);
/* Socket statistics into the entry; under vh->lock. */
void vh_xstat_sockets(struct vh_port *p);
/* Fold a socket's statistics into the port's base before it closes. */
void vh_xstat_sock_closed(struct vh_port *p, struct vh_sock *s);

/* ---- vhost-user ports (vhost/vport.c) ---- */
struct vh_port *vh_port_add(struct vh_daemon *d, __u32 id,
			    const struct vfwd_port *tp);
int vh_port_register(struct vh_daemon *d, struct vh_port *p);
void vh_port_remove(struct vh_daemon *d, struct vh_port *p);
/* Under vh->lock: give a connected guest its sockets; take them away. */
void vh_port_connect(struct vh_daemon *d, struct vh_port *p);
void vh_port_release(struct vh_daemon *d, struct vh_port *p);

/* ---- tables and the scan (vhost/scan.c) ---- */
void vh_scan(struct vh_daemon *d);
void vh_release_all(struct vh_daemon *d);

/* ---- EAL (vhost/eal.c) ---- */
struct vh_opts {
	const char *pin_dir;
	bool poll;
	cpu_set_t poll_cpus;
};
int vh_eal_init(const struct vh_opts *o, char *prefix, size_t len);
void vh_eal_cleanup(const char *prefix);

/* ---- the daemon ---- */
struct vh_daemon {
	const char *pin_dir;
	pid_t pid;
	pthread_mutex_t lock;
	bool have_tables;
	bool waiting_logged; /* "no tables" said once */
	struct vfwd_tables t;
	__u32 port_map_id; /* to tell our tables from newer ones */
	struct vfwd_xsk_stats *xstat; /* mmapped vfwd_xstat */
	size_t xstat_len;
	struct vfwd_xguest *xg;
	/* The relay veth, when it could be made (have_relay). */
	bool have_relay;
	struct vfwd_relay relay;
	char relay_d[IF_NAMESIZE];
	struct vh_sock flood; /* on the daemon end, slot VFWD_RELAY_FLOOD_KEY */
	bool flood_open;
	struct vh_port *ports[VFWD_MAX_PORTS];
	struct vh_umem *umems;
	struct vfwd_port *scan; /* the port table, VFWD_MAX_PORTS entries */
	int ctl_wake; /* eventfd: a guest connected */
	struct vh_dp dp;
};

/* rte_vhost callbacks carry no user pointer. */
extern struct vh_daemon *vh;

static inline void vh_lock(struct vh_daemon *d)
{
	pthread_mutex_lock(&d->lock);
}

static inline void vh_unlock(struct vh_daemon *d)
{
	pthread_mutex_unlock(&d->lock);
}

#endif /* VFWD_VHOST_H */
