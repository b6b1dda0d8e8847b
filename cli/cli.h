/* SPDX-License-Identifier: GPL-2.0 */
/* Shared state and helpers of the vfwd command line. */
#ifndef VFWD_CLI_H
#define VFWD_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include "json.h"
#include "vfwd_tables.h"
#include "vfwd_loader.h"
#include "vfwd_ops.h"
#include "upgrade.h"

/* Exit statuses of vfwd (docs/vfwd.md, "Exit status"). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* the command failed */
	CLI_EXIT_USAGE = 2, /* a bad global option, or no command */
	/* status: it worked, and found the kernel differing from the
	 * tables (drift). */
	CLI_EXIT_DRIFT = 3,
};

struct vfwd_ctx {
	const char *pin_dir;
	bool json;
	bool pretty;
	bool verbose;
	/* apply runs commands as its steps: they print nothing of their
	 * own, and the state apply opened stays open across them */
	bool quiet;
	struct json j;
	struct vfwd_tables t;
	bool tables_open;
	bool created; /* this command created the maps: undo if it fails */
	bool own_create; /* ... and pinned the journal itself */
	/* detach --all: a journal entry that cannot be finished does not
	 * stop it (it removes everything anyway) */
	bool recover_optional;
	/* attach: tables of the previous schema are carried over to this
	 * one (lib/upgrade.c); other commands refuse them */
	bool may_upgrade;
	bool upgraded; /* ... and this command did, as upgrade says */
	struct vfwd_upgrade_result upgrade;
	int lock_fd;
	/* The exit status of a command that succeeded: CLI_EXIT_OK unless
	 * the command chose another (cli_set_exit).  A failure is always
	 * CLI_EXIT_FAILED. */
	enum cli_exit exit_code;
};

/* A successful command's exit status, when it is not CLI_EXIT_OK. */
void cli_set_exit(struct vfwd_ctx *c, enum cli_exit code);

/* How a command needs the state: read it, change it, or create it when
 * absent.  Changing and creating take the pin-directory lock. */
enum ctx_access {
	CTX_READ,
	CTX_WRITE,
	CTX_CREATE,
};

int ctx_open(struct vfwd_ctx *c, enum ctx_access access);
/* failed: the command failed, so maps it created are removed again. */
void ctx_close(struct vfwd_ctx *c, bool failed);

/* Print one error line ("vfwd: ..." on stderr, or {"error": "..."} with
 * -j) and return err, which must be a negative errno. */
int cli_err(struct vfwd_ctx *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A bad option inside a getopt loop: names it, then the usage, on one line
 * (getopt's own messages are off so an error stays one line). */
int cli_bad_opt(struct vfwd_ctx *c, char **argv, const char *usage);
/* One command's option parsing: its table of long options (every val
 * > 0), the usage line for errors, and which options it has seen. */
struct cli_getopt {
	const struct option *opts;
	const char *usage;
	/* short spellings, as getopt takes them ("f:"), each the val of
	 * its long option; NULL: none */
	const char *shorts;
	unsigned long long seen; /* bit i: opts[i] was given */
};
/* Options a table may have for the checks of cli_getopt (bits of seen). */
#define CLI_OPTS_MAX 64
/* getopt_long with the checks every command makes: an unknown option or
 * one missing its argument (named, with the usage), and an option given
 * twice, are one error line each.  No vfwd option takes a list by
 * repetition, so a second --port would otherwise silently win over the
 * first.  Returns the option's val, 0 after the last option, or -errno
 * after the error line. */
int cli_getopt(struct vfwd_ctx *c, int argc, char **argv, struct cli_getopt *g);
/* Informational line on stderr (text mode only: JSON stays one document). */
void cli_note(struct vfwd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A warning on stderr, also with -j (stdout stays one JSON document). */
void cli_warn(struct vfwd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What every number on the command line must look like, for error
 * messages (see vfwd_parse_u32). */
#define CLI_DECIMAL VFWD_DECIMAL

/* A command or subcommand table entry. */
struct cli_cmd {
	const char *name;
	int (*fn)(struct vfwd_ctx *c, int argc, char **argv);
	const char *usage;
};
int cli_dispatch(struct vfwd_ctx *c, const struct cli_cmd *cmds,
		 const char *what, int argc, char **argv);
void cli_usage(FILE *f, const struct cli_cmd *cmds);

/* Port helpers shared by port, mac, stats and status. */
int cli_port_lookup(struct vfwd_ctx *c, const char *name, struct vfwd_port *p);
/* "up", "down" (admin down or no carrier/reader), "gone" (the device
 * disappeared, so the kernel dropped it from the tx devmap), or "drift"
 * (the device is there, but what vfwd put in the kernel for the port is
 * not as the tables say: see 'vfwd status').  It checks the port. */
const char *cli_port_state(struct vfwd_ctx *c, __u32 id,
			   const struct vfwd_port *p);
/* The same from differences already found: d holds those of port id, or
 * of every port. */
const char *cli_port_state_drift(struct vfwd_ctx *c, __u32 id,
				 const struct vfwd_port *p,
				 const struct vfwd_drift_list *d);
/* The differences of port id in d, as the key "drift" of the open JSON
 * object: an array of {"kind", "message"}. */
void cli_drift_json(struct vfwd_ctx *c, const struct vfwd_drift_list *d,
		    __u32 id);
/* The same as text lines under a table row: "    drift: KIND: MESSAGE". */
void cli_drift_text(const struct vfwd_drift_list *d, __u32 id);
/* Every difference between the tables and the kernel (lib/drift.c), or
 * -errno after an error line. */
int cli_drift_check(struct vfwd_ctx *c, struct vfwd_drift_list *d);
/* MACs per port id, from one pass over the table. */
int cli_mac_counts(struct vfwd_ctx *c, __u32 counts[VFWD_MAX_PORTS],
		   __u32 *total);
/* Port p as a JSON object, with its state and its differences ("drift"):
 * found here, or, with the _drift form, taken from d (as above). */
void cli_port_json(struct vfwd_ctx *c, __u32 id, const struct vfwd_port *p,
		   __u32 macs);
void cli_port_json_drift(struct vfwd_ctx *c, __u32 id,
			 const struct vfwd_port *p, __u32 macs,
			 const struct vfwd_drift_list *d);
/* Text columns VLAN, SPOOF, UPLINK and MACS of a guest port, and a
 * newline. */
void cli_port_guest_cols(struct vfwd_ctx *c, const struct vfwd_port *p,
			 __u32 macs);
/* An AF_XDP port's vhost-user socket and daemon state, as JSON keys. */
void cli_port_xsk_json(struct vfwd_ctx *c, __u32 id, const struct vfwd_port *p);
/* The uplink guest port p leaves by, into *up; false when it has none. */
bool cli_port_uplink(struct vfwd_ctx *c, const struct vfwd_port *p,
		     struct vfwd_port *up);

/* CPU steering options of port add/set (cli/port_cpus.c).  Option
 * values for getopt_long, outside the range of short options. */
enum cli_cpu_opt {
	CLI_OPT_CPUS = 0x100,
	CLI_OPT_VM_PID,
	CLI_OPT_PLACEMENT,
	CLI_OPT_RPS,
	CLI_OPT_NO_RPS,
	CLI_OPT_XSK,
	CLI_OPT_VHOST_SOCKET,
	CLI_OPT_VHOST_SERVER,
};
struct cli_cpu_req {
	const char *cpus; /* --cpus LIST, or "none" (port set) */
	unsigned int vm_pid; /* --vm-pid; 0: not given */
	int placement; /* enum vfwd_placement; -1: not given */
	int rps; /* 1 --rps, 0 --no-rps, -1 not given */
	bool resync; /* port sync: read the port's QEMU process again */
	bool is_set; /* port set, not port add */
};
void cli_cpu_req_init(struct cli_cpu_req *r);
bool cli_cpu_req_any(const struct cli_cpu_req *r);
/* Take option opt with argument arg into r: 0, -ENOENT if opt is not a
 * CPU option, or -errno after an error line. */
int cli_cpu_opt(struct vfwd_ctx *c, int opt, const char *arg,
		struct cli_cpu_req *r);
/* Resolve r against next (the port as it will be): read the CPU set,
 * check every CPU, apply the placement, validate --rps, and warn about
 * too few tap queues.  Changes only *next. */
int cli_port_cpus(struct vfwd_ctx *c, const struct cli_cpu_req *r,
		  struct vfwd_port *next);

/* What a port add or set command asked for. */
struct port_req {
	const char *ifname;
	const char *uplink;
	bool vlan_set;
	__u16 vid; /* with vlan_set: 0 = untagged */
	int spoofchk; /* -1: unchanged (add: on) */
	struct cli_cpu_req cpu;
	bool xsk; /* an AF_XDP port served by vfwd-vhost */
	const char *vhost_socket;
	bool vhost_server;
};

/* AF_XDP ports (cli/port_xsk.c).  The options a port of this kind takes
 * (xsk: an AF_XDP port): 0, or -errno after an error line. */
int cli_port_kind_opts(struct vfwd_ctx *c, const struct port_req *r, bool xsk);
/* port add NAME --xsk: check the socket path and make the port in slot id
 * from *p; 0 or -errno after an error line. */
int cli_port_add_xsk(struct vfwd_ctx *c, const char *name,
		     const struct port_req *r, struct vfwd_port *p, int id);
/* port sync [NAME] (cli/port_sync.c). */
#define CLI_PORT_SYNC_ARGS "port sync [NAME]"
int cli_port_sync(struct vfwd_ctx *c, int argc, char **argv);
const char *cli_placement_str(__u8 placement);
/* Why port p of a generic-mode uplink is not steered. */
const char *cli_generic_cpus_msg(const struct vfwd_port *p, const char *uplink);
const char *cli_cpu_source_str(__u8 source);
/* The port's CPU fields as JSON keys of the open object. */
void cli_port_cpus_json(struct vfwd_ctx *c, const struct vfwd_port *p);
/* "1,0 (vm-pid 123, same-cpu, rps, node 0)", or "-" without CPUs: up
 * to VFWD_MAX_VCPUS five-digit CPU ids and the words around them. */
#define CLI_CPUS_TEXT_LEN (VFWD_MAX_VCPUS * 6 + 128)
void cli_port_cpus_text(const struct vfwd_port *p, char *buf, size_t len);

/* Tell the operator about the guest ports vfwd_bind_uplinks left without
 * an uplink because there are several (a note, not an error). */
void cli_note_unbound(struct vfwd_ctx *c, int unbound);
/* The uplink a new guest port follows by default: the only one (*id), or
 * none (0); -EEXIST (after an error line) when there are several. */
int cli_default_uplink(struct vfwd_ctx *c, const char *port, __u32 *id);

/* The commands apply runs as its steps, after their options are parsed
 * (cli/cmd_port.c, cli/cmd_uplink.c).  Each opens the state unless it is
 * open already. */
int cli_port_add(struct vfwd_ctx *c, const char *name,
		 const struct port_req *r);
int cli_port_set(struct vfwd_ctx *c, const char *name,
		 const struct port_req *r);
int cli_port_del(struct vfwd_ctx *c, const char *name, bool force);
/* bum: 1 flood, 0 pass, or CLI_BUM_KEEP: the uplink's policy as it is
 * (pass for a first attach). */
#define CLI_BUM_KEEP (-1)
int cli_attach(struct vfwd_ctx *c, const char *ifname, enum vfwd_xdp_mode mode,
	       int bum);
/* Detach one uplink; the last one also removes the tables unless
 * keep. */
int cli_detach(struct vfwd_ctx *c, const char *name, bool keep);

/* vfwd apply (cli/cmd_apply.c): make the installation match want, read
 * from file (named in messages), in the order that keeps every guest's
 * traffic flowing: uplinks and new ports first, then MACs added and
 * moved, then MACs, ports and uplinks removed.  Everything in want is
 * checked against the host first: a bad item changes nothing.  Prints
 * the plan (with CLI_APPLY_DRY_RUN) or what was done, as text or -j.
 * Opens the state itself (ctx_open); 0 or -errno after an error line. */
enum cli_apply_flags {
	CLI_APPLY_DRY_RUN = 1U << 0, /* print the plan, change nothing */
	/* add and change what want names, remove nothing else: the libvirt
	 * hook's registration of one domain's ports */
	CLI_APPLY_MERGE = 1U << 1,
	/* remove the ports want names (and their MACs), nothing else */
	CLI_APPLY_REMOVE = 1U << 2,
};
struct vfwd_config;
int cli_apply(struct vfwd_ctx *c, const struct vfwd_config *want,
	      const char *file, unsigned int flags);
/* Finish an apply a killed command left (its record, lib/apply_record.c):
 * ctx_open calls it for every command that changes state.  It never
 * fails the command: what cannot be finished is a warning. */
int cli_apply_resume(struct vfwd_ctx *c);

/* Commands. */
int cmd_attach(struct vfwd_ctx *c, int argc, char **argv);
int cmd_detach(struct vfwd_ctx *c, int argc, char **argv);
int cmd_port(struct vfwd_ctx *c, int argc, char **argv);
int cmd_mac(struct vfwd_ctx *c, int argc, char **argv);
int cmd_stats(struct vfwd_ctx *c, int argc, char **argv);
int cmd_status(struct vfwd_ctx *c, int argc, char **argv);
int cmd_apply(struct vfwd_ctx *c, int argc, char **argv);
int cmd_dump_config(struct vfwd_ctx *c, int argc, char **argv);
int cmd_libvirt_hook(struct vfwd_ctx *c, int argc, char **argv);

/* libvirt's qemu hook (cli/cmd_hook.c): argv as libvirt passes it (DOMAIN
 * OP SUBOP EXTRA after argv[0]), with the command's options when options
 * is set.  Prints nothing on standard output. */
int cli_libvirt_hook(struct vfwd_ctx *c, int argc, char **argv, bool options);
/* A vfwd run as a file in this directory is libvirt's qemu hook. */
#define CLI_HOOK_DIR_SUFFIX "hooks/qemu.d"

#endif /* VFWD_CLI_H */
