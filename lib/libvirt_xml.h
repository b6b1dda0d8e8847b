/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvirt domains as the qemu hook sees them (docs/integration.md,
 * "libvirt"): the domain XML libvirt hands the hook on standard input,
 * parsed with libxml2 (lib/libvirt_xml.c), and the mapping of its
 * interfaces to vfwd ports, from the host's configuration and the
 * domain's own <metadata> (lib/libvirt_ports.c).  Nothing here changes
 * vfwd's state: the result is a struct vfwd_config for the apply engine.
 */
#ifndef VFWD_LIBVIRT_XML_H
#define VFWD_LIBVIRT_XML_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "vfwd_ops.h"
#include "vfwd_tables.h"

/* The namespace of vfwd's elements in a domain's <metadata>.  A URI
 * under the reserved .example domain: it only has to be unique and
 * stable, and names no server.  The trailing 1 is the format's version. */
#define VFWD_LV_NS "https://vfwd.example/xmlns/libvirt/1"
/* libvirt keeps one top-level element per namespace in <metadata>
 * (measured: a second one is dropped by virsh define), so several ports
 * live in a container; a lone <vfwd:port> is accepted too. */
#define VFWD_LV_EL_PORTS "ports"
#define VFWD_LV_EL_PORT "port"

/* A domain name as libvirt allows it in a path (/run/libvirt/qemu/NAME.pid). */
#define VFWD_LV_NAME_LEN 256
/* An interface's type attribute, kept for messages ("bridge", ...). */
#define VFWD_LV_TYPE_LEN 32
/* Port names of vhost-user interfaces, which have no tap: this prefix and
 * the MAC's 12 hex digits (docs/integration.md, "Port names"). */
#define VFWD_LV_VHOST_PREFIX "vu-"

enum vfwd_lv_if_kind {
	VFWD_LV_IF_OTHER, /* never vfwd's: bridge, network, direct, ... */
	VFWD_LV_IF_ETHERNET, /* a tap QEMU is given */
	VFWD_LV_IF_VHOSTUSER, /* a vhost-user socket: an AF_XDP port */
};

struct vfwd_lv_iface {
	enum vfwd_lv_if_kind kind;
	char type[VFWD_LV_TYPE_LEN];
	bool has_mac;
	__u8 mac[VFWD_ETH_ALEN];
	/* <target dev>: the tap; "" when libvirt has not named it (yet). */
	char dev[IFNAMSIZ];
	/* vhostuser: <source path> and whether QEMU is the client
	 * (mode='client'), so that vfwd-vhost must serve the socket. */
	char socket[VFWD_VHOST_PATH_LEN];
	bool qemu_client;
	int line;
};

/* One <vfwd:port>: unset fields are -1 or "". */
struct vfwd_lv_meta {
	bool has_mac;
	__u8 mac[VFWD_ETH_ALEN];
	char dev[IFNAMSIZ];
	char name[VFWD_NAME_LEN];
	int vid; /* 0: untagged ("none"), -1: not given */
	int rps; /* 1 on, 0 off, -1 not given */
	int spoofchk;
	int placement; /* enum vfwd_placement, -1 not given */
	char uplink[IFNAMSIZ];
	int line;
};

struct vfwd_lv_domain {
	char name[VFWD_LV_NAME_LEN];
	struct vfwd_lv_iface *ifaces;
	size_t n_ifaces;
	struct vfwd_lv_meta *meta;
	size_t n_meta;
};

/* Parse a domain XML document (what `virsh dumpxml` prints, or libvirt's
 * <domstatus> wrapper around it) into *d.  A document that is not XML, not
 * a domain, or holds an invalid vfwd element is -EINVAL with "line N:
 * why" in err; *d is then empty. */
int vfwd_lv_parse(const char *buf, size_t len, struct vfwd_lv_domain *d,
		  char *err, size_t errlen);
void vfwd_lv_free(struct vfwd_lv_domain *d);

/* Whether an interface is one vfwd can serve (ethernet or vhostuser). */
bool vfwd_lv_candidate(const struct vfwd_lv_iface *i);

/* What vfwd_lv_map is for. */
enum vfwd_lv_purpose {
	/* prepare: check the domain; names may be unknown yet */
	VFWD_LV_CHECK,
	/* started, reconnect: every port, complete */
	VFWD_LV_REGISTER,
	/* prepare: only the vhost-user ports whose socket vfwd-vhost
	 * serves (QEMU connects to it as it starts) */
	VFWD_LV_REGISTER_EARLY,
	/* stopped, release: the names of the ports to remove */
	VFWD_LV_REMOVE,
};

struct vfwd_lv_map_opts {
	enum vfwd_lv_purpose purpose;
	/* The host's configuration; NULL or empty: metadata only. */
	const struct vfwd_config *cfg;
	/* QEMU's pid for ports whose CPUs follow it; 0: none. */
	__u32 vm_pid;
	/* VFWD_LV_REMOVE: the state, to find ports whose tap name libvirt
	 * no longer shows through the MAC bound to them, and to leave out
	 * ports that are not there.  NULL: names from the XML only. */
	const struct vfwd_tables *t;
	/* A note about something ignored (a metadata element that the
	 * configuration overrides); may be NULL. */
	void (*note)(void *arg, const char *msg);
	void *note_arg;
};

/*
 * The ports (and MACs) domain d's interfaces map to, into *want (zeroed
 * first), by the rules of docs/integration.md ("Which interfaces are
 * vfwd's").  Invalid metadata and conflicts with the configuration are
 * -EINVAL with the interface, the element and why in err; *want is then
 * empty.  With VFWD_LV_REMOVE nothing is an error that can be worked
 * around: what cannot be matched is left out.
 */
int vfwd_lv_map(const struct vfwd_lv_domain *d,
		const struct vfwd_lv_map_opts *o, struct vfwd_config *want,
		char *err, size_t errlen);

#endif /* VFWD_LIBVIRT_XML_H */
