// SPDX-License-Identifier: GPL-2.0
/*
 * Drift: what the kernel really has for each uplink and guest port,
 * against what the port table says it should have.  The tables are
 * vfwd's only state, and anyone with CAP_NET_ADMIN can change the kernel
 * behind its back (`tc filter del`, `ip link set xdp off`, a rename, a
 * bpftool map update).  A deleted filter leaves a guest free to spoof, so
 * `status` must report what is there, not what the tables say.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vfwd_ops.h"

/* Room for the differences of a few ports before the first realloc. */
#define DRIFT_LIST_MIN 8

static const char *const kind_names[VFWD_DRIFT_KIND_COUNT] = {
	[VFWD_DRIFT_CHECK_FAILED] = "check_failed",
	[VFWD_DRIFT_DEV_GONE] = "dev_gone",
	[VFWD_DRIFT_RENAMED] = "renamed",
	[VFWD_DRIFT_XDP_MISSING] = "xdp_missing",
	[VFWD_DRIFT_XDP_FOREIGN] = "xdp_foreign",
	[VFWD_DRIFT_XDP_OTHER_VFWD] = "xdp_other_vfwd",
	[VFWD_DRIFT_XDP_MODE] = "xdp_mode",
	[VFWD_DRIFT_XDP_CONFIG] = "xdp_config",
	[VFWD_DRIFT_FILTER_MISSING] = "filter_missing",
	[VFWD_DRIFT_FILTER_FOREIGN] = "filter_foreign",
	[VFWD_DRIFT_FILTER_PORT] = "filter_port",
	[VFWD_DRIFT_TX_MISSING] = "tx_missing",
	[VFWD_DRIFT_TX_WRONG] = "tx_wrong",
	[VFWD_DRIFT_FLOOD_MISSING] = "flood_missing",
	[VFWD_DRIFT_FLOOD_WRONG] = "flood_wrong",
	[VFWD_DRIFT_FLOOD_NO_EGRESS] = "flood_no_egress",
	[VFWD_DRIFT_CPUMAP_MISSING] = "cpumap_missing",
	[VFWD_DRIFT_CPUMAP_WRONG] = "cpumap_wrong",
	[VFWD_DRIFT_XSK_SLOTS] = "xsk_slots",
	[VFWD_DRIFT_XSK_STALE] = "xsk_stale",
};

const char *vfwd_drift_kind_str(enum vfwd_drift_kind kind)
{
	if ((unsigned int)kind >= VFWD_DRIFT_KIND_COUNT || !kind_names[kind])
		return "unknown";
	return kind_names[kind];
}

void vfwd_drift_list_free(struct vfwd_drift_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int vfwd_drift_append(struct vfwd_drift_list *l, const struct vfwd_drift *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : DRIFT_LIST_MIN;
		void *items = realloc(l->items, cap * sizeof(*l->items));

		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = *e;
	return 0;
}

size_t vfwd_drift_count(const struct vfwd_drift_list *l, __u32 port_id)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].port_id == port_id;
	return n;
}

bool vfwd_drift_has(const struct vfwd_drift_list *l, __u32 port_id,
		    enum vfwd_drift_kind kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].port_id == port_id && l->items[i].kind == kind)
			return true;
	return false;
}

/* What one check is about: the slot, its table entry, and the list. */
struct drift_ctx {
	const char *pin_dir;
	const struct vfwd_tables *t;
	__u32 id;
	const struct vfwd_port *p;
	/* The device's name as the kernel has it now. */
	char dev[VFWD_NAME_LEN];
	struct vfwd_drift_list *l;
	int err; /* -ENOMEM once an append failed */
};

static void add(struct drift_ctx *d, enum vfwd_drift_kind kind, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

static void add(struct drift_ctx *d, enum vfwd_drift_kind kind, const char *fmt,
		...)
{
	struct vfwd_drift e = {.port_id = d->id, .kind = kind};
	va_list ap;

	if (d->err)
		return;
	snprintf(e.name, sizeof(e.name), "%s", d->p->name);
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	d->err = vfwd_drift_append(d->l, &e);
}

/* The device must still exist under the recorded ifindex; fills d->dev.
 * false when it does not (or cannot be asked), after an entry. */
static bool check_dev(struct drift_ctx *d, const char *what, const char *repair)
{
	struct vfwd_dev_info dev;
	int err = vfwd_dev_by_index(d->p->ifindex, &dev);

	if (err == -ENODEV) {
		add(d, VFWD_DRIFT_DEV_GONE,
		    "%s '%s': its device (ifindex %u) is gone, deleted or moved to another network namespace; %s",
		    what, d->p->name, d->p->ifindex, repair);
		return false;
	}
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "%s '%s': cannot read its device (ifindex %u): %s", what,
		    d->p->name, d->p->ifindex, strerror(-err));
		return false;
	}
	snprintf(d->dev, sizeof(d->dev), "%s", dev.name);
	return true;
}

/* The uplink's program as its own attach left it: vfwd_uplink with this
 * installation's tables, in the recorded mode, loaded for this uplink
 * and its BUM policy. */
static void check_uplink_xdp(struct drift_ctx *d)
{
	const struct vfwd_port *p = d->p;
	bool flood = p->flags & VFWD_PORT_F_BUM_FLOOD;
	struct vfwd_xdp_state st;
	struct vfwd_prog_cfg cfg;
	int err;

	err = vfwd_xdp_query(p->ifindex, d->pin_dir, &st);
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "uplink '%s': cannot query the XDP hook of %s: %s", p->name,
		    d->dev, strerror(-err));
		return;
	}
	if (!st.prog_id) {
		add(d, VFWD_DRIFT_XDP_MISSING,
		    "uplink '%s': no XDP program on %s, so frames from the wire are not switched; repair with 'vfwd attach %s'",
		    p->name, d->dev, d->dev);
		return;
	}
	if (st.is_vfwd && !st.ours) {
		add(d, VFWD_DRIFT_XDP_OTHER_VFWD,
		    "uplink '%s': %s runs the vfwd_uplink (prog id %u) of another vfwd installation, not the one using %s",
		    p->name, d->dev, st.prog_id, d->pin_dir);
		return;
	}
	if (!st.ours) {
		add(d, VFWD_DRIFT_XDP_FOREIGN,
		    "uplink '%s': %s runs XDP program '%s' (prog id %u), not vfwd_uplink; remove it (ip link set dev %s xdp off), then run 'vfwd attach %s'",
		    p->name, d->dev, st.prog_name, st.prog_id, d->dev, d->dev);
		return;
	}
	if (st.mode != p->xdp_mode) {
		add(d, VFWD_DRIFT_XDP_MODE,
		    "uplink '%s': vfwd_uplink runs in %s mode on %s, not in the recorded %s mode; run 'vfwd detach %s', then 'vfwd attach %s --mode %s'",
		    p->name, vfwd_xdp_mode_str(st.mode), d->dev,
		    vfwd_xdp_mode_str(p->xdp_mode), p->name, d->dev,
		    vfwd_xdp_mode_str(p->xdp_mode));
		return;
	}
	err = vfwd_prog_cfg(st.prog_id, &cfg);
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "uplink '%s': cannot read the load-time settings of vfwd_uplink (prog id %u): %s",
		    p->name, st.prog_id, strerror(-err));
		return;
	}
	if (cfg.uplink_port != d->id || !!cfg.bum_flood != flood)
		add(d, VFWD_DRIFT_XDP_CONFIG,
		    "uplink '%s': its vfwd_uplink (prog id %u) was loaded for port id %u with bum %s, not for id %u with bum %s; repair with 'vfwd attach %s'",
		    p->name, st.prog_id, cfg.uplink_port,
		    cfg.bum_flood ? "flood" : "pass", d->id,
		    flood ? "flood" : "pass", d->dev);
}

static void check_uplink(struct drift_ctx *d)
{
	const struct vfwd_port *p = d->p;
	char hint[VFWD_DRIFT_MSGLEN];

	snprintf(
		hint, sizeof(hint),
		"attach its replacement with 'vfwd attach IFNAME' or remove it with 'vfwd detach %s'",
		p->name);
	if (!check_dev(d, "uplink", hint))
		return;
	/* The table keys an uplink by its name ('vfwd detach NAME'), and
	 * attach finds it again by ifindex under its new name. */
	if (strncmp(d->dev, p->name, VFWD_NAME_LEN))
		add(d, VFWD_DRIFT_RENAMED,
		    "uplink '%s': its device (ifindex %u) is now named '%s'; run 'vfwd attach %s' to record the new name",
		    p->name, p->ifindex, d->dev, d->dev);
	check_uplink_xdp(d);
}

/* Whether prog_id was loaded for this port (its .rodata cfg_port_id);
 * false after an entry when it cannot be told. */
static bool prog_for_port(struct drift_ctx *d, __u32 prog_id, const char *what,
			  __u32 *port_id)
{
	struct vfwd_prog_cfg cfg;
	int err = vfwd_prog_cfg(prog_id, &cfg);

	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "port '%s': cannot read the load-time settings of its %s (prog id %u): %s",
		    d->p->name, what, prog_id, strerror(-err));
		return false;
	}
	*port_id = cfg.port_id;
	return true;
}

/* vfwd_guest on the device's clsact ingress, in vfwd's slot, using this
 * installation's tables, loaded for this port: the guest's source check. */
static void check_filter(struct drift_ctx *d)
{
	const char *name = d->p->name;
	__u32 prog, port;
	int err;

	err = vfwd_guest_query(d->p->ifindex, &prog);
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "port '%s': cannot query the tc filters of %s: %s", name,
		    d->dev, strerror(-err));
		return;
	}
	if (!prog) {
		add(d, VFWD_DRIFT_FILTER_MISSING,
		    "port '%s': vfwd's tc filter (ingress handle 0x%x pref %d) is missing from %s, so the guest's frames are neither checked for spoofing nor switched; repair with 'vfwd port set %s'",
		    name, VFWD_TC_HANDLE, VFWD_TC_PRIO, d->dev, name);
		return;
	}
	if (!vfwd_prog_uses_pins(prog, d->pin_dir)) {
		add(d, VFWD_DRIFT_FILTER_FOREIGN,
		    "port '%s': the tc filter in vfwd's slot on %s (prog id %u) does not use the tables in %s; remove it (tc filter del dev %s ingress pref %d handle 0x%x bpf), then run 'vfwd port set %s'",
		    name, d->dev, prog, d->pin_dir, d->dev, VFWD_TC_PRIO,
		    VFWD_TC_HANDLE, name);
		return;
	}
	if (prog_for_port(d, prog, "tc filter", &port) && port != d->id)
		add(d, VFWD_DRIFT_FILTER_PORT,
		    "port '%s': the tc filter on %s (prog id %u) was loaded for port id %u, not %u, and checks the guest against that port's MACs; repair with 'vfwd port set %s'",
		    name, d->dev, prog, port, d->id, name);
}

/* The tx devmap entry: where frames for the port are redirected. */
static void check_tx(struct drift_ctx *d)
{
	const char *name = d->p->name;
	__u32 ifindex;
	int err;

	err = vfwd_tx_get(d->t, d->id, &ifindex);
	if (err == -ENOENT) {
		add(d, VFWD_DRIFT_TX_MISSING,
		    "port '%s': no tx devmap entry, so frames for the guest are not delivered; repair with 'vfwd port set %s'",
		    name, name);
		return;
	}
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "port '%s': cannot read its tx devmap entry: %s", name,
		    strerror(-err));
		return;
	}
	if (ifindex != d->p->ifindex)
		add(d, VFWD_DRIFT_TX_WRONG,
		    "port '%s': its tx devmap entry points at ifindex %u, not at %s (ifindex %u), so frames for the guest go elsewhere; repair with 'vfwd port set %s'",
		    name, ifindex, d->dev, d->p->ifindex, name);
}

/* The flood devmap entry: the port's device with its own vfwd_egress. */
static void check_flood(struct drift_ctx *d)
{
	const char *name = d->p->name;
	__u32 ifindex, prog, port;
	int err;

	err = vfwd_flood_get(d->t, d->id, &ifindex, &prog);
	if (err == -ENOENT) {
		add(d, VFWD_DRIFT_FLOOD_MISSING,
		    "port '%s': no flood devmap entry, so floods from the wire do not reach the guest; repair with 'vfwd port set %s'",
		    name, name);
		return;
	}
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "port '%s': cannot read its flood devmap entry: %s", name,
		    strerror(-err));
		return;
	}
	if (ifindex != d->p->ifindex) {
		add(d, VFWD_DRIFT_FLOOD_WRONG,
		    "port '%s': its flood devmap entry points at ifindex %u, not at %s (ifindex %u); repair with 'vfwd port set %s'",
		    name, ifindex, d->dev, d->p->ifindex, name);
		return;
	}
	/* Without vfwd_egress every flood reaches the guest, whatever its
	 * uplink and VLAN: a leak between VLANs. */
	if (!prog) {
		add(d, VFWD_DRIFT_FLOOD_NO_EGRESS,
		    "port '%s': its flood devmap entry has no egress program, so floods of every VLAN and uplink reach the guest; repair with 'vfwd port set %s'",
		    name, name);
		return;
	}
	if (prog_for_port(d, prog, "egress program", &port) && port != d->id)
		add(d, VFWD_DRIFT_FLOOD_WRONG,
		    "port '%s': the egress program of its flood devmap entry (prog id %u) was loaded for port id %u, not %u; repair with 'vfwd port set %s'",
		    name, prog, port, d->id, name);
}

/* Each CPU the port steers to needs a CPUMAP entry running vfwd_cpu
 * (the rule of loader/cpumap.c).  Without one the uplink delivers
 * directly: no frame is lost, but the steering asked for is not done. */
static void check_cpus(struct drift_ctx *d)
{
	const struct vfwd_port *p = d->p;
	__u32 n = vfwd_port_steer_ncpus(p), qsize, prog;
	int err;

	for (__u32 i = 0; i < n; i++) {
		__u32 cpu = p->cpus[i];
		bool seen = false;

		/* vCPUs may share a CPU: report each CPU once. */
		for (__u32 k = 0; k < i && !seen; k++)
			seen = p->cpus[k] == cpu;
		if (seen)
			continue;
		err = vfwd_cpumap_get(d->t, cpu, &qsize, &prog);
		if (err == -ENOENT) {
			add(d, VFWD_DRIFT_CPUMAP_MISSING,
			    "port '%s': CPU %u, which the port steers to, has no CPUMAP entry, so its frames are not steered there; repair with 'vfwd port set %s'",
			    p->name, cpu, p->name);
		} else if (err) {
			add(d, VFWD_DRIFT_CHECK_FAILED,
			    "port '%s': cannot read CPU %u's CPUMAP entry: %s",
			    p->name, cpu, strerror(-err));
		} else if (!prog || qsize != VFWD_CPUMAP_QSIZE) {
			add(d, VFWD_DRIFT_CPUMAP_WRONG,
			    "port '%s': CPU %u's CPUMAP entry has %s and a queue of %u frames, not vfwd_cpu and %d; repair with 'vfwd port set %s'",
			    p->name, cpu, prog ? "a program" : "no program",
			    qsize, VFWD_CPUMAP_QSIZE, p->name);
		}
	}
}

static void check_guest(struct drift_ctx *d)
{
	char hint[VFWD_DRIFT_MSGLEN];
	bool alive;

	snprintf(
		hint, sizeof(hint),
		"point the port at its new device with 'vfwd port set %s --dev IFNAME', or delete it",
		d->p->name);
	alive = check_dev(d, "port", hint);

	/* The CPUMAP entries outlive the device: check them either way. */
	check_cpus(d);
	/* A vanished device took its filter and devmap entries with it:
	 * one difference says it all. */
	if (!alive)
		return;
	check_filter(d);
	check_tx(d);
	check_flood(d);
}

/* An AF_XDP port: the XSKMAP slots that hold a socket, asked of the
 * kernel, against what its daemon says it put there. */
static void check_xsk(struct drift_ctx *d)
{
	const struct vfwd_port *p = d->p;
	struct vfwd_xsk_stats xs = {};
	__u64 queues;
	int err, n;

	err = vfwd_xstat_get(d->t, d->id, &xs);
	if (!err)
		err = vfwd_xsk_queues(d->pin_dir, d->id, &queues);
	if (err) {
		add(d, VFWD_DRIFT_CHECK_FAILED,
		    "port '%s': cannot read its XSKMAP slots: %s", p->name,
		    strerror(-err));
		return;
	}
	n = __builtin_popcountll(queues);
	if (vfwd_xsk_state(&xs) == VFWD_XSK_UP) {
		if ((__u32)n != xs.nslots)
			add(d, VFWD_DRIFT_XSK_SLOTS,
			    "port '%s': vfwd-vhost (pid %llu) says it bound %u sockets, but %d XSKMAP slots hold one; frames on the other uplink queues count as port_down; restart vfwd-vhost",
			    p->name, (unsigned long long)xs.daemon_pid,
			    xs.nslots, n);
	} else if (n) {
		add(d, VFWD_DRIFT_XSK_STALE,
		    "port '%s': %d XSKMAP slots hold a socket although no guest is connected through a running vfwd-vhost; 'vfwd port del' releases them",
		    p->name, n);
	}
}

int vfwd_drift_check_port(const char *pin_dir, const struct vfwd_tables *t,
			  __u32 id, const struct vfwd_port *p,
			  struct vfwd_drift_list *l)
{
	struct drift_ctx d = {
		.pin_dir = pin_dir, .t = t, .id = id, .p = p, .l = l};

	if (p->kind == VFWD_PORT_UPLINK)
		check_uplink(&d);
	else if (vfwd_port_is_guest(p))
		check_guest(&d);
	else if (vfwd_port_is_xsk(p))
		check_xsk(&d);
	/* Free slots have nothing in the kernel. */
	return d.err;
}

int vfwd_drift_check(const char *pin_dir, const struct vfwd_tables *t,
		     struct vfwd_drift_list *l)
{
	struct vfwd_port p;
	int err;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		err = vfwd_port_get(t, id, &p);
		if (!err)
			err = vfwd_drift_check_port(pin_dir, t, id, &p, l);
		if (err)
			return err;
	}
	return 0;
}
