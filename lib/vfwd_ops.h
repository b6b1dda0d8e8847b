/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library layer: vfwd's operations (ports, MACs, uplinks, the repair
 * of drift), written once in publish-last order and shared by the CLI and
 * every later front end (apply, the libvirt hook, vfwd-vhost).  cli/ only
 * parses arguments and prints.  Functions return 0 or a negative errno
 * and explain a failure in the caller's error buffer; they print nothing.
 */
#ifndef VFWD_OPS_H
#define VFWD_OPS_H

#include <stddef.h>
#include "vfwd_tables.h"
#include "vfwd_loader.h"

/* An error message buffer: "what failed and why", one line. */
#define VFWD_ERRLEN 512
/* What every number an operator gives must look like, for messages (see
 * vfwd_parse_u32). */
#define VFWD_DECIMAL                                                           \
	"in plain decimal (digits only, no sign, spaces or leading zeros)"

/* MAC bindings as files hold them (lib/mac_file.c). */
/* The VLAN a MAC of port p is bound on.  An access port's MACs live on
 * its own VLAN: *vid is set to it when not given, and any other VID is
 * -EINVAL.  Other ports take *vid as given (0: untagged). */
int vfwd_mac_binding_vid(const struct vfwd_port *p, bool given, __u16 *vid);
/* Flags of a MAC entry bound to port p. */
__u32 vfwd_mac_binding_flags(const struct vfwd_port *p);
/* One line of a MAC file, parsed. */
struct vfwd_mac_line {
	struct vfwd_mac_key key;
	__u32 port_id;
	__u32 flags; /* of the new entry: vfwd_mac_binding_flags() */
	int line;
};
/* Parse line lineno of file (modified in place): "MAC PORT [VID]", '#'
 * starts a comment.  ports[] is the port table by id, with guest ports
 * only (other slots have an empty name).  0 with *it filled, 1 for a
 * blank or comment line, or -errno with "file:line: why" in err. */
int vfwd_mac_line_parse(const char *file, int lineno, char *line,
			const struct vfwd_port *ports, struct vfwd_mac_line *it,
			char *err, size_t errlen);

/* MACs (lib/mac_ops.c). */
struct vfwd_mac_load_stats {
	size_t added, moved, same;
	long conflict; /* -EEXIST: index in e[] of the entry bound elsewhere */
	__u32 conflict_port; /* ... and the port it is bound to */
};
/* Add e[0..n) (sorted by vfwd_mac_key_cmp, one entry per key) to the MAC
 * table in one publish.  Without replace, a key bound to another port is
 * -EEXIST and nothing changes; with it, the entry moves. */
int vfwd_mac_load(struct vfwd_tables *t, const struct vfwd_mac_entry *e,
		  size_t n, bool replace, struct vfwd_mac_load_stats *st,
		  char *err, size_t errlen);
/* Remove every MAC of port_id in one publish; *dropped says how many. */
int vfwd_mac_drop_port(struct vfwd_tables *t, __u32 port_id, size_t *dropped,
		       char *err, size_t errlen);

/* Ports and uplinks (lib/port_ops.c). */
/* Write the journal entry a multi-step change begins with; err says why
 * it could not be written. */
int vfwd_intent_begin(const struct vfwd_tables *t, const struct vfwd_intent *in,
		      char *err, size_t errlen);
/* The host's only uplink (*id), none (0), or -EEXIST when several. */
int vfwd_only_uplink(const struct vfwd_tables *t, __u32 *id, int *count);
/* Guest ports that follow the only uplink (no --uplink) are bound to it,
 * or to none when there are zero or several; ports bound with --uplink
 * to a slot that is no longer an uplink lose that binding.  *unbound:
 * ports following the default that have none because there are several. */
int vfwd_bind_uplinks(const struct vfwd_tables *t, int *unbound);
/* Make guest port p (validated, with its CPU set) in free slot id: CPUMAP
 * entries, devmap entries, clsact and filter, then the slot (publish),
 * then the flood groups.  Sets VFWD_PORT_F_OWN_CLSACT in p when it makes
 * the qdisc.  On failure nothing is left. */
int vfwd_port_create(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     struct vfwd_port *p, char *err, size_t errlen);
/* Remove guest port id: its MACs (one publish), its slot (publish), then
 * its filter, qdisc, devmap entries and CPUs.  Once begun it is always
 * finished, by this command or the next.  *macs: MACs removed. */
int vfwd_port_delete(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     size_t *macs, char *err, size_t errlen);
/* AF_XDP ports (lib/xsk_ops.c): p (validated) into free slot id, in one
 * publish; vfwd-vhost makes the sockets when it sees it.  Removed by
 * vfwd_port_delete, which releases the port's XSKMAP slots before it
 * clears the slot. */
int vfwd_xsk_port_create(struct vfwd_tables *t, __u32 id,
			 const struct vfwd_port *p, char *err, size_t errlen);
/* port set of an AF_XDP port: the slot as next says. */
int vfwd_xsk_port_update(struct vfwd_tables *t, __u32 id,
			 const struct vfwd_port *next, char *err,
			 size_t errlen);
/* Uplinks (lib/uplink_ops.c).  p is the uplink's slot as it will be
 * (name, ifindex, xdp_mode, flags with the BUM policy, host MACs).
 * create: a first attach into free slot id, under the journal; the guest
 * ports are bound to it (*unbound as vfwd_bind_uplinks says).  update:
 * attach again over slot id, which holds old; *replaced says whether a
 * running program was swapped. */
int vfwd_uplink_create(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       const struct vfwd_port *p, __u32 *prog_id, int *unbound,
		       char *err, size_t errlen);
int vfwd_uplink_update(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       const struct vfwd_port *old, const struct vfwd_port *p,
		       bool *replaced, __u32 *prog_id, int *unbound, char *err,
		       size_t errlen);
/* A first attach's journal entry: *forward when its program is on the
 * device (published), else the slot and binding are undone. */
int vfwd_attach_recover(const char *pin_dir, struct vfwd_tables *t,
			const struct vfwd_intent *in, bool *forward, char *err,
			size_t errlen);
/* Detach uplink id, leaving the tables (other uplinks, or --keep-maps):
 * program off, slot cleared (publish), ports bound again, under the
 * journal; once begun always finished. */
int vfwd_uplink_remove(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		       bool *detached, int *unbound, char *err, size_t errlen);
int vfwd_detach_recover(const char *pin_dir, struct vfwd_tables *t,
			const struct vfwd_intent *in, char *err, size_t errlen);
/* Remove the installation: journal VFWD_OP_DESTROY, every uplink's
 * program and every guest filter and vfwd-made qdisc off, then the pins
 * (the journal's last) and the directory.  t is closed by it.
 * *detached: uplinks whose program it took off. */
int vfwd_destroy(const char *pin_dir, struct vfwd_tables *t, int *detached,
		 char *err, size_t errlen);
/* 1 when pin_dir's journal says a removal was interrupted, 0 if not (or
 * no journal), -errno. */
int vfwd_destroy_pending(const char *pin_dir);
/* Finish such a removal with whatever pins are left: 1 done, 0 nothing
 * pending, -errno with err. */
int vfwd_destroy_resume(const char *pin_dir, char *err, size_t errlen);
/* Take this installation's vfwd_uplink off uplink up's device, if it is
 * there (*detached says so); a foreign program is left alone. */
int vfwd_uplink_release(const char *pin_dir, const struct vfwd_port *up,
			bool *detached, char *err, size_t errlen);
/* Remove this installation's filter from every guest port's device, and
 * the clsact qdiscs port add made; the tables are left as they are.
 * Repeating it after a kill finishes it. */
int vfwd_guests_release(const char *pin_dir, const struct vfwd_tables *t,
			char *err, size_t errlen);
/* Apply port set: old is the slot as it is, next as it will be (checked,
 * with its CPU set).  attach: load the port's programs onto next's
 * device (a move when its ifindex differs, else an upgrade in place).
 * Sets or clears VFWD_PORT_F_OWN_CLSACT in next for a move.  On failure
 * the port is as it was (lib/port_set.c). */
int vfwd_port_update(const char *pin_dir, struct vfwd_tables *t, __u32 id,
		     const struct vfwd_port *old, struct vfwd_port *next,
		     bool attach, char *err, size_t errlen);
/* The journal's PORT_SET entry: *forward says whether it was finished
 * (published) or taken back. */
int vfwd_port_set_recover(const char *pin_dir, struct vfwd_tables *t,
			  const struct vfwd_intent *in, bool *forward,
			  char *err, size_t errlen);
/* port sync: ports ids[0..n) get the CPU sets of next[] (old[] is what
 * their slots hold now), CPUMAP entries made before and pruned after.  On
 * failure every port is put back. */
int vfwd_ports_resteer(const char *pin_dir, const struct vfwd_tables *t,
		       const __u32 *ids, const struct vfwd_port *old,
		       const struct vfwd_port *next, unsigned int n, char *err,
		       size_t errlen);
/* CPUMAP entries for exactly the CPUs the port table steers to. */
int vfwd_cpus_prune(const char *pin_dir, const struct vfwd_tables *t, char *err,
		    size_t errlen);
/* 0 when vfwd's tc slot on ifindex is empty or holds this installation's
 * filter; -EBUSY (err says whose it is and how to remove it) when it holds
 * another's, which vfwd never replaces; -errno when it cannot be asked.
 * vfwd_port_create, vfwd_port_update and the repair ask it first. */
int vfwd_filter_slot_free(const char *pin_dir, __u32 ifindex, char *err,
			  size_t errlen);
/* Take this installation's tc filter off ifindex (another's stays), and
 * with clsact also the qdisc if nothing else uses it; 0 when the device
 * is gone. */
int vfwd_filter_release(const char *pin_dir, __u32 ifindex, bool clsact);
/* Finish or undo what a killed command left in the intent journal
 * (own_create: this command made the tables, so a VFWD_OP_CREATE entry is
 * its own and nothing was left).
 * 0: nothing was pending; 1: msg says what was done; -errno: msg says
 * what failed (the journal still holds it). */
int vfwd_recover(const char *pin_dir, struct vfwd_tables *t, bool own_create,
		 char *msg, size_t msglen);

/*
 * Drift: a difference between what the tables say the kernel should have
 * for an uplink or a guest port and what the kernel really has, for
 * instance a tc filter someone deleted behind vfwd's back (lib/drift.c).
 * The short names (vfwd_drift_kind_str) are part of `vfwd -j status`:
 * never rename one, only add.
 */
enum vfwd_drift_kind {
	/* The kernel could not be asked; nothing is known either way. */
	VFWD_DRIFT_CHECK_FAILED,
	/* The device with the recorded ifindex no longer exists here. */
	VFWD_DRIFT_DEV_GONE,
	/* Uplinks: the device has another name than the recorded one. */
	VFWD_DRIFT_RENAMED,
	/* Uplinks: no XDP program on the device. */
	VFWD_DRIFT_XDP_MISSING,
	/* Uplinks: an XDP program that is not vfwd_uplink. */
	VFWD_DRIFT_XDP_FOREIGN,
	/* Uplinks: a vfwd_uplink of another installation (pin path). */
	VFWD_DRIFT_XDP_OTHER_VFWD,
	/* Uplinks: attached in another mode than the recorded one. */
	VFWD_DRIFT_XDP_MODE,
	/* Uplinks: loaded for another uplink, or another BUM policy. */
	VFWD_DRIFT_XDP_CONFIG,
	/* Guest ports: no filter in vfwd's tc slot on the device. */
	VFWD_DRIFT_FILTER_MISSING,
	/* Guest ports: the filter there does not use this installation's
	 * tables (another installation's, or another tool's). */
	VFWD_DRIFT_FILTER_FOREIGN,
	/* Guest ports: the filter was loaded for another port. */
	VFWD_DRIFT_FILTER_PORT,
	/* Guest ports: no tx devmap entry, or one for another device. */
	VFWD_DRIFT_TX_MISSING,
	VFWD_DRIFT_TX_WRONG,
	/* Guest ports: no flood devmap entry, one for another device or
	 * with another port's egress program, or one without an egress
	 * program. */
	VFWD_DRIFT_FLOOD_MISSING,
	VFWD_DRIFT_FLOOD_WRONG,
	VFWD_DRIFT_FLOOD_NO_EGRESS,
	/* Guest ports: a CPU the port steers to has no CPUMAP entry, or one
	 * without vfwd_cpu or with another queue size. */
	VFWD_DRIFT_CPUMAP_MISSING,
	VFWD_DRIFT_CPUMAP_WRONG,
	/* AF_XDP ports: the XSKMAP slots holding a socket are not the ones
	 * vfwd-vhost says it filled; or sockets are there although no
	 * daemon serves a connected guest. */
	VFWD_DRIFT_XSK_SLOTS,
	VFWD_DRIFT_XSK_STALE,
	VFWD_DRIFT_KIND_COUNT,
};

/* A human sentence: what differs, what it means, and how to repair it. */
#define VFWD_DRIFT_MSGLEN 320

struct vfwd_drift {
	__u32 port_id; /* the uplink's or guest port's slot */
	char name[VFWD_NAME_LEN]; /* its name in the port table */
	enum vfwd_drift_kind kind;
	char msg[VFWD_DRIFT_MSGLEN];
};

/* A growing array of differences; zero-initialise it before use. */
struct vfwd_drift_list {
	struct vfwd_drift *items;
	size_t n;
	size_t cap;
};

void vfwd_drift_list_free(struct vfwd_drift_list *l);
/* Add a copy of *e at the end: 0 or -ENOMEM. */
int vfwd_drift_append(struct vfwd_drift_list *l, const struct vfwd_drift *e);
/* "dev_gone", "filter_missing", ...: stable, used in JSON. */
const char *vfwd_drift_kind_str(enum vfwd_drift_kind kind);
/* How many differences l holds for port_id. */
size_t vfwd_drift_count(const struct vfwd_drift_list *l, __u32 port_id);
/* Whether l holds a difference of that kind for port_id. */
bool vfwd_drift_has(const struct vfwd_drift_list *l, __u32 port_id,
		    enum vfwd_drift_kind kind);

/* Append the differences of slot id (port p, as read from the table) to
 * l.  Free slots and AF_XDP ports have none.  0, or -ENOMEM; a kernel
 * query that fails is a VFWD_DRIFT_CHECK_FAILED entry, not an error. */
int vfwd_drift_check_port(const char *pin_dir, const struct vfwd_tables *t,
			  __u32 id, const struct vfwd_port *p,
			  struct vfwd_drift_list *l);
/* The same for every uplink and port in the table, in slot order.
 * -errno when the port table cannot be read. */
int vfwd_drift_check(const char *pin_dir, const struct vfwd_tables *t,
		     struct vfwd_drift_list *l);

/*
 * Repair (lib/repair.c): put a guest port's kernel objects back as the
 * tables say: its tx devmap entry, its tc filter and flood entry (loaded
 * anew and attached with REPLACE, so the guest is never unfiltered), and
 * the CPUMAP entries of its CPUs.  A port whose device is gone cannot be
 * repaired (it needs 'port set NAME --dev'), nor one whose tc slot holds
 * a filter that is not this installation's (vfwd never replaces those).
 * Uplinks are repaired by re-running attach.
 */
enum vfwd_repair_flags {
	/* Load and attach this build's programs even where nothing
	 * drifted: a hot upgrade, or 'port set NAME' re-applying a port.
	 * For vfwd_repair_all also a new vfwd_cpu in every CPUMAP entry. */
	VFWD_REPAIR_RELOAD = 1U << 0,
};

struct vfwd_repair_result {
	struct vfwd_drift_list fixed; /* the differences found and repaired */
	unsigned int ports; /* guest ports looked at */
	unsigned int repaired; /* of those, ports that had drifted */
	unsigned int gone; /* vfwd_repair_all: skipped, device gone */
};
/* Zero-initialise it before use; free it after. */
void vfwd_repair_result_free(struct vfwd_repair_result *r);

/* Repair guest port id.  -ENODEV when its device is gone. */
int vfwd_repair_port(const char *pin_dir, const struct vfwd_tables *t, __u32 id,
		     unsigned int flags, struct vfwd_repair_result *res,
		     char *errbuf, size_t errlen);
/* Repair every guest port whose device exists.  A failing port does not
 * stop the others; the first failure is returned and explained. */
int vfwd_repair_all(const char *pin_dir, const struct vfwd_tables *t,
		    unsigned int flags, struct vfwd_repair_result *res,
		    char *errbuf, size_t errlen);

#endif /* VFWD_OPS_H */
