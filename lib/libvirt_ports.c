// SPDX-License-Identifier: GPL-2.0
/*
 * Which of a libvirt domain's interfaces are vfwd's, and as which ports
 * (docs/integration.md, "Which interfaces are vfwd's").  An interface is
 * vfwd's when the host's configuration names its tap, its vhost-user
 * socket or its MAC, or when a <vfwd:port> element in the domain's
 * metadata names it.  The configuration wins over the metadata: it is
 * the host operator's, the metadata travels with the domain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libvirt_xml.h"

/* No <vfwd:port> for an interface. */
#define NO_META (-1)

struct lv_map {
	const struct vfwd_lv_domain *d;
	const struct vfwd_lv_map_opts *o;
	bool lenient; /* removal: skip what cannot be matched */
	struct vfwd_config *want;
	char *err;
	size_t errlen;
};

static int fail(struct lv_map *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct lv_map *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, m->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void note(struct lv_map *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct lv_map *m, const char *fmt, ...)
{
	char msg[VFWD_ERRLEN];
	va_list ap;

	if (!m->o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->o->note(m->o->note_arg, msg);
}

static bool mac_eq(const __u8 *a, const __u8 *b)
{
	return !memcmp(a, b, VFWD_ETH_ALEN);
}

/* How a message names an interface: its MAC, else its line. */
static const char *if_str(const struct vfwd_lv_iface *i, char *buf, size_t len)
{
	char mac[VFWD_MAC_STRLEN];

	if (i->has_mac) {
		vfwd_mac_format(i->mac, mac);
		snprintf(buf, len, "interface %s (type '%s', line %d)", mac,
			 i->type, i->line);
	} else {
		snprintf(buf, len, "interface of type '%s' at line %d", i->type,
			 i->line);
	}
	return buf;
}

/* Does element e name interface i?  An element without mac and dev names
 * the domain's only candidate interface (lone). */
static bool meta_names(const struct vfwd_lv_meta *e,
		       const struct vfwd_lv_iface *i, bool lone)
{
	if (!e->has_mac && !e->dev[0])
		return lone && vfwd_lv_candidate(i);
	if (e->has_mac && !(i->has_mac && mac_eq(e->mac, i->mac)))
		return false;
	if (e->dev[0] && strcmp(e->dev, i->dev))
		return false;
	return true;
}

/* meta_of[i]: the element naming interface i, or NO_META.  Every element
 * must name exactly one interface vfwd can serve, and no interface may be
 * named twice. */
static int match_meta(struct lv_map *m, int *meta_of)
{
	const struct vfwd_lv_domain *d = m->d;
	size_t cand = 0;
	char ifs[VFWD_ERRLEN];

	for (size_t i = 0; i < d->n_ifaces; i++) {
		meta_of[i] = NO_META;
		cand += vfwd_lv_candidate(&d->ifaces[i]);
	}
	for (size_t k = 0; k < d->n_meta; k++) {
		const struct vfwd_lv_meta *e = &d->meta[k];
		long hit = -1;
		size_t n = 0;

		if (!e->has_mac && !e->dev[0] && cand != 1) {
			if (m->lenient)
				continue;
			return fail(
				m,
				"line %d: <vfwd:port> names no mac or dev, and domain '%s' has %zu interfaces of type ethernet or vhostuser: give mac='...' to say which",
				e->line, d->name, cand);
		}
		for (size_t i = 0; i < d->n_ifaces; i++)
			if (meta_names(e, &d->ifaces[i], cand == 1)) {
				hit = (long)i;
				n++;
			}
		if (n != 1) {
			/* Removal: the tap's name may be gone from the
			 * XML already; the element still names the port. */
			if (m->lenient)
				continue;
			return fail(
				m,
				"line %d: <vfwd:port> names %s of domain '%s' (match by mac, or by dev for a <target dev> the domain sets)",
				e->line,
				n ? "more than one interface" : "no interface",
				d->name);
		}
		if (!vfwd_lv_candidate(&d->ifaces[hit])) {
			if (m->lenient)
				continue;
			return fail(
				m,
				"line %d: <vfwd:port> names %s: vfwd serves only interfaces of type ethernet and vhostuser",
				e->line,
				if_str(&d->ifaces[hit], ifs, sizeof(ifs)));
		}
		if (meta_of[hit] != NO_META) {
			if (m->lenient)
				continue;
			return fail(
				m,
				"lines %d and %d: two <vfwd:port> elements name %s",
				d->meta[meta_of[hit]].line, e->line,
				if_str(&d->ifaces[hit], ifs, sizeof(ifs)));
		}
		meta_of[hit] = (int)k;
	}
	return 0;
}

/* The configuration's port for interface i, by its tap or socket first,
 * else by its MAC; NULL when it names none.  A port found by MAC must be
 * of the interface's kind and on its tap or socket. */
static int match_cfg(struct lv_map *m, const struct vfwd_lv_iface *i,
		     const struct vfwd_cfg_port **out)
{
	const struct vfwd_config *cfg = m->o->cfg;
	const struct vfwd_cfg_port *p = NULL;
	bool xsk = i->kind == VFWD_LV_IF_VHOSTUSER;
	char ifs[VFWD_ERRLEN];

	*out = NULL;
	if (!cfg)
		return 0;
	for (size_t k = 0; k < cfg->n_ports && !p; k++) {
		const struct vfwd_cfg_port *c = &cfg->ports[k];

		if (!xsk && !c->xsk && i->dev[0] && !strcmp(c->dev, i->dev))
			p = c;
		if (xsk && c->xsk && i->socket[0] &&
		    !strcmp(c->vhost_socket, i->socket))
			p = c;
	}
	for (size_t k = 0; k < cfg->n_macs && !p && i->has_mac; k++) {
		if (!mac_eq(cfg->macs[k].mac, i->mac))
			continue;
		for (size_t j = 0; j < cfg->n_ports && !p; j++)
			if (!strcmp(cfg->ports[j].name, cfg->macs[k].port))
				p = &cfg->ports[j];
		if (!p)
			continue;
		/* At prepare a libvirt-named tap has no name yet. */
		if (p->xsk != xsk ||
		    (!xsk && i->dev[0] && strcmp(p->dev, i->dev)) ||
		    (xsk && strcmp(p->vhost_socket, i->socket))) {
			if (m->lenient)
				return 0;
			return fail(
				m,
				"the configuration binds the MAC of %s to port '%s' (%s %s), but the domain gives it %s %s",
				if_str(i, ifs, sizeof(ifs)), p->name,
				p->xsk ? "AF_XDP port with socket"
				       : "tap port on",
				p->xsk ? p->vhost_socket : p->dev,
				xsk ? "socket" : "tap",
				xsk ? i->socket : i->dev);
		}
	}
	*out = p;
	return 0;
}

static int add_port(struct lv_map *m, const struct vfwd_cfg_port *p)
{
	struct vfwd_config *w = m->want;
	struct vfwd_cfg_port *n;

	for (size_t k = 0; k < w->n_ports; k++)
		if (!strcmp(w->ports[k].name, p->name)) {
			if (m->lenient)
				return 0;
			return fail(
				m,
				"lines %d and %d: two interfaces of domain '%s' are port '%s'",
				w->ports[k].line, p->line, m->d->name, p->name);
		}
	n = realloc(w->ports, (w->n_ports + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	w->ports = n;
	w->ports[w->n_ports++] = *p;
	return 0;
}

static int add_mac(struct lv_map *m, const struct vfwd_cfg_mac *e)
{
	struct vfwd_config *w = m->want;
	struct vfwd_cfg_mac *n;

	for (size_t k = 0; k < w->n_macs; k++)
		if (mac_eq(w->macs[k].mac, e->mac) &&
		    w->macs[k].vid == e->vid &&
		    !strcmp(w->macs[k].port, e->port))
			return 0;
	n = realloc(w->macs, (w->n_macs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	w->macs = n;
	w->macs[w->n_macs++] = *e;
	return 0;
}

/* The port a <vfwd:port> element makes of interface i; p->name stays ""
 * when the name is not known from the XML (a tap libvirt names at start). */
static void meta_port(struct lv_map *m, const struct vfwd_lv_iface *i,
		      const struct vfwd_lv_meta *e, struct vfwd_cfg_port *p)
{
	memset(p, 0, sizeof(*p));
	p->line = i->line;
	if (e->name[0]) {
		strcpy(p->name, e->name);
	} else if (i->kind == VFWD_LV_IF_VHOSTUSER && i->has_mac) {
		/* "vu-" and 12 hex digits: 15 characters, and unique as
		 * long as the MAC is, which vfwd already requires. */
		snprintf(p->name, sizeof(p->name),
			 VFWD_LV_VHOST_PREFIX "%02x%02x%02x%02x%02x%02x",
			 i->mac[0], i->mac[1], i->mac[2], i->mac[3], i->mac[4],
			 i->mac[5]);
	} else if (i->kind == VFWD_LV_IF_ETHERNET) {
		strcpy(p->name, i->dev);
	}
	strcpy(p->dev, i->dev);
	if (i->kind == VFWD_LV_IF_VHOSTUSER) {
		p->xsk = true;
		p->dev[0] = '\0';
		strcpy(p->vhost_socket, i->socket);
		p->vhost_server = i->qemu_client;
	}
	p->vid = e->vid > 0 ? (__u16)e->vid : 0;
	strcpy(p->uplink, e->uplink);
	p->spoofchk = e->spoofchk != 0;
	p->rps = e->rps == 1;
	p->placement =
		e->placement >= 0 ? (__u8)e->placement : VFWD_PLACE_SAME_CPU;
	p->placement_set = e->placement >= 0;
	p->vm_pid = m->o->vm_pid;
}

/* Removal: the name of the guest port that MAC i->mac is bound to in the
 * state, for a tap whose name libvirt no longer shows. */
static void name_from_state(struct lv_map *m, const struct vfwd_lv_iface *i,
			    struct vfwd_cfg_port *p)
{
	struct vfwd_mac_entry *e;
	struct vfwd_port sp;
	size_t n;

	if (!m->o->t || !i->has_mac || vfwd_mac_dump(m->o->t, &e, &n))
		return;
	for (size_t k = 0; k < n; k++)
		if (mac_eq(e[k].key.mac, i->mac) &&
		    !vfwd_port_get(m->o->t, e[k].val.port_id, &sp) &&
		    vfwd_port_is_vm(&sp)) {
			snprintf(p->name, sizeof(p->name), "%s", sp.name);
			break;
		}
	free(e);
}

static int map_iface(struct lv_map *m, const struct vfwd_lv_iface *i,
		     const struct vfwd_lv_meta *e)
{
	const struct vfwd_cfg_port *c;
	struct vfwd_cfg_port p;
	struct vfwd_cfg_mac mac;
	char ifs[VFWD_ERRLEN];
	int err;

	err = match_cfg(m, i, &c);
	if (err || (!c && !e))
		return err;
	if (c && e)
		note(m,
		     "%s: the configuration's port '%s' wins; <vfwd:port> at line %d is ignored",
		     if_str(i, ifs, sizeof(ifs)), c->name, e->line);
	if (c) {
		p = *c;
		if (!p.xsk && !p.dev[0])
			strcpy(p.dev, i->dev);
		/* CPUs the configuration does not fix follow the guest. */
		if (!p.cpus[0] && !p.vm_pid)
			p.vm_pid = m->o->vm_pid;
	} else {
		meta_port(m, i, e, &p);
	}
	if (m->o->purpose == VFWD_LV_REGISTER_EARLY &&
	    !(p.xsk && p.vhost_server))
		return 0;
	if (!p.name[0] && m->o->purpose == VFWD_LV_REMOVE)
		name_from_state(m, i, &p);
	if (!p.name[0]) {
		/* At prepare libvirt has not named the tap yet: nothing to
		 * check about the name. */
		if (m->o->purpose == VFWD_LV_CHECK || m->lenient)
			return 0;
		return fail(m, "%s: no <target dev>, so no port name",
			    if_str(i, ifs, sizeof(ifs)));
	}
	if (p.xsk && !p.vhost_socket[0]) {
		if (m->lenient)
			return 0;
		return fail(m, "%s: no <source path>: vfwd needs the socket",
			    if_str(i, ifs, sizeof(ifs)));
	}
	err = add_port(m, &p);
	if (err || m->o->purpose == VFWD_LV_REMOVE || !i->has_mac)
		return err;
	memset(&mac, 0, sizeof(mac));
	memcpy(mac.mac, i->mac, VFWD_ETH_ALEN);
	/* As the configuration reader resolves a MAC without a VLAN: an
	 * access port's MACs live on its VLAN. */
	mac.vid = p.vid;
	strcpy(mac.port, p.name);
	mac.line = i->line;
	err = add_mac(m, &mac);
	for (size_t k = 0; c && !err && k < m->o->cfg->n_macs; k++)
		if (!strcmp(m->o->cfg->macs[k].port, c->name))
			err = add_mac(m, &m->o->cfg->macs[k]);
	return err;
}

/* Removal: <vfwd:port dev=...> elements that no interface shows any more
 * still name their port. */
static int removal_orphans(struct lv_map *m, const int *meta_of)
{
	for (size_t k = 0; k < m->d->n_meta; k++) {
		const struct vfwd_lv_meta *e = &m->d->meta[k];
		struct vfwd_cfg_port p = {0};
		bool used = false;

		for (size_t i = 0; i < m->d->n_ifaces; i++)
			used |= meta_of[i] == (int)k;
		if (used || !e->dev[0])
			continue;
		snprintf(p.name, sizeof(p.name), "%s",
			 e->name[0] ? e->name : e->dev);
		p.line = e->line;
		if (add_port(m, &p))
			return -ENOMEM;
	}
	return 0;
}

/* Removal: only the ports the state has (a second event finds them gone). */
static void removal_present(struct lv_map *m)
{
	struct vfwd_config *w = m->want;
	struct vfwd_port sp;
	size_t n = 0;

	if (!m->o->t)
		return;
	for (size_t k = 0; k < w->n_ports; k++) {
		int id = vfwd_port_find_name(m->o->t, w->ports[k].name, &sp);

		if (id > 0 && vfwd_port_is_vm(&sp))
			w->ports[n++] = w->ports[k];
	}
	w->n_ports = n;
}

int vfwd_lv_map(const struct vfwd_lv_domain *d,
		const struct vfwd_lv_map_opts *o, struct vfwd_config *want,
		char *err, size_t errlen)
{
	struct lv_map m = {.d = d,
			   .o = o,
			   .lenient = o->purpose == VFWD_LV_REMOVE,
			   .want = want,
			   .err = err,
			   .errlen = errlen};
	int *meta_of = calloc(d->n_ifaces + 1, sizeof(*meta_of));
	int ret;

	memset(want, 0, sizeof(*want));
	if (!meta_of)
		return -ENOMEM;
	ret = match_meta(&m, meta_of);
	for (size_t i = 0; !ret && i < d->n_ifaces; i++) {
		const struct vfwd_lv_iface *ifc = &d->ifaces[i];

		if (!vfwd_lv_candidate(ifc))
			continue;
		ret = map_iface(&m, ifc,
				meta_of[i] == NO_META ? NULL
						      : &d->meta[meta_of[i]]);
	}
	if (!ret && m.lenient)
		ret = removal_orphans(&m, meta_of);
	if (!ret && m.lenient)
		removal_present(&m);
	free(meta_of);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (ret) {
		free(want->ports);
		free(want->macs);
		memset(want, 0, sizeof(*want));
	}
	return ret;
}
