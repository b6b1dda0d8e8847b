/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarative configuration (docs/config.md): what `vfwd apply -f FILE`
 * makes the installation match and what `vfwd dump-config` writes.  The
 * file is YAML (JSON is YAML too), read and written with libfyaml, so the
 * project has no parser or emitter of its own.  Every item remembers the
 * line it came from so that a later check (a device missing, a MAC bound
 * twice) can still name the file, the line and the key.
 */
#ifndef VFWD_CONFIG_H
#define VFWD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "vfwd_maps.h"

/* "0-3,8" as a CPU list: what --cpus takes. */
#define VFWD_CFG_CPUS_LEN 256

struct vfwd_cfg_uplink {
	char dev[IFNAMSIZ];
	__u8 xdp_mode; /* enum vfwd_xdp_mode; NATIVE unless given */
	bool bum_flood; /* bum: flood (else pass) */
	int line;
};

struct vfwd_cfg_port {
	char name[VFWD_NAME_LEN];
	char dev[IFNAMSIZ]; /* tap or veth; "" for an AF_XDP port */
	bool xsk;
	char vhost_socket[VFWD_VHOST_PATH_LEN];
	bool vhost_server;
	__u16 vid; /* 0: untagged */
	char uplink[IFNAMSIZ]; /* "" : the host's only uplink */
	bool spoofchk; /* on unless "spoofchk: false" */
	char cpus[VFWD_CFG_CPUS_LEN]; /* "" : none */
	__u32 vm_pid; /* 0: none */
	__u8 placement; /* enum vfwd_placement; SAME_CPU unless given */
	bool placement_set;
	bool rps;
	int line;
};

struct vfwd_cfg_mac {
	__u8 mac[VFWD_ETH_ALEN];
	__u16 vid; /* 0: untagged, or the access port's VLAN */
	bool vid_set;
	char port[VFWD_NAME_LEN];
	int line;
};

struct vfwd_config {
	struct vfwd_cfg_uplink *uplinks;
	size_t n_uplinks;
	struct vfwd_cfg_port *ports;
	size_t n_ports;
	struct vfwd_cfg_mac *macs;
	size_t n_macs;
};

/* Read file ("-": standard input) into *cfg (zeroed first).  Syntax,
 * unknown keys, bad values, duplicate names and MACs bound twice are
 * -EINVAL with "FILE:LINE: key 'KEY': why" in err; nothing is kept. */
int vfwd_config_read(const char *file, struct vfwd_config *cfg, char *err,
		     size_t errlen);
/* The same from a buffer; name is what messages call it. */
int vfwd_config_parse(const char *name, const char *buf, size_t len,
		      struct vfwd_config *cfg, char *err, size_t errlen);
void vfwd_config_free(struct vfwd_config *cfg);
struct vfwd_tables;
/* What the tables hold, as a configuration: ports in slot order, MACs in
 * table order.  A port whose device is gone has dev "". */
int vfwd_config_from_tables(const struct vfwd_tables *t,
			    struct vfwd_config *cfg);
/* "native"/"skb" and "off"/"same-cpu"/"same-node", as the file spells
 * them. */
const char *vfwd_cfg_mode_str(__u8 mode);
const char *vfwd_cfg_placement_str(__u8 placement);
/* Write cfg as YAML, or as JSON (compact, or indented with pretty). */
int vfwd_config_write(const struct vfwd_config *cfg, FILE *out, bool json,
		      bool pretty);

/* The record of an apply in progress (lib/apply_record.c): the target
 * configuration, the file it came from and apply's flags.  read: -ENOENT
 * when there is none. */
int vfwd_apply_record_path(const char *pin_dir, char *buf, size_t len);
int vfwd_apply_record_write(const char *pin_dir, const struct vfwd_config *want,
			    const char *file, unsigned int flags);
int vfwd_apply_record_read(const char *pin_dir, struct vfwd_config *cfg,
			   char *file, size_t flen, unsigned int *flags,
			   char *err, size_t errlen);
int vfwd_apply_record_clear(const char *pin_dir);

#endif /* VFWD_CONFIG_H */
