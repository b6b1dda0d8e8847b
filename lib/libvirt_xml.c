// SPDX-License-Identifier: GPL-2.0
/*
 * The domain XML libvirt hands its qemu hook, read with libxml2: the
 * domain's name, its interfaces and vfwd's elements in its <metadata>.
 * libxml2 rather than a parser of our own because libvirt itself is built
 * on it: every host that runs the hook already has it, and it reads
 * whatever libvirt writes (namespaces, entities, CDATA) as libvirt means
 * it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "libvirt_xml.h"

/* Names of enum vfwd_placement, as --placement takes them. */
static const char *const placement_names[] = {
	[VFWD_PLACE_OFF] = "off",
	[VFWD_PLACE_SAME_CPU] = "same-cpu",
	[VFWD_PLACE_SAME_NODE] = "same-node",
};
#define N_PLACEMENTS (sizeof(placement_names) / sizeof(placement_names[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static bool in_vfwd_ns(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, VFWD_LV_NS);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_el(c, name) && !c->ns)
			return c;
	return NULL;
}

/* An attribute's value in buf, "" when absent; -ENAMETOOLONG when it does
 * not fit. */
static int attr(const xmlNode *n, const char *name, char *buf, size_t len)
{
	xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
	size_t l;

	buf[0] = '\0';
	if (!v)
		return 0;
	l = strlen((const char *)v);
	if (l < len)
		memcpy(buf, v, l + 1);
	xmlFree(v);
	return l < len ? 0 : -ENAMETOOLONG;
}

static int parse_mac(const char *s, __u8 mac[VFWD_ETH_ALEN])
{
	if (vfwd_mac_parse(s, mac) || !vfwd_mac_is_unicast(mac))
		return -EINVAL;
	return 0;
}

static int parse_iface(const xmlNode *n, struct vfwd_lv_iface *i, char *err,
		       size_t errlen)
{
	char mac[VFWD_MAC_STRLEN + 1], mode[VFWD_LV_TYPE_LEN];
	const xmlNode *m = child(n, "mac"), *tg = child(n, "target");
	const xmlNode *src = child(n, "source");

	memset(i, 0, sizeof(*i));
	i->line = (int)xmlGetLineNo(n);
	if (attr(n, "type", i->type, sizeof(i->type)))
		return fail(err, errlen,
			    "line %d: <interface>: type is too long", i->line);
	if (!strcmp(i->type, "ethernet"))
		i->kind = VFWD_LV_IF_ETHERNET;
	else if (!strcmp(i->type, "vhostuser"))
		i->kind = VFWD_LV_IF_VHOSTUSER;
	else
		i->kind = VFWD_LV_IF_OTHER;
	if (attr(m, "address", mac, sizeof(mac)) ||
	    (mac[0] && parse_mac(mac, i->mac)))
		return fail(
			err, errlen,
			"line %d: <interface type='%s'>: <mac address='%s'> is not a unicast MAC",
			i->line, i->type, mac);
	i->has_mac = mac[0] != '\0';
	/* Only the interfaces vfwd may serve must fit its limits: the
	 * others are libvirt's business. */
	if (i->kind == VFWD_LV_IF_OTHER)
		return 0;
	if (attr(tg, "dev", i->dev, sizeof(i->dev)))
		return fail(
			err, errlen,
			"line %d: <interface type='%s'>: <target dev> is longer than %d characters",
			i->line, i->type, IFNAMSIZ - 1);
	if (i->kind != VFWD_LV_IF_VHOSTUSER)
		return 0;
	if (attr(src, "path", i->socket, sizeof(i->socket)))
		return fail(
			err, errlen,
			"line %d: <interface type='vhostuser'>: <source path> is longer than %d characters",
			i->line, VFWD_VHOST_PATH_LEN - 1);
	attr(src, "mode", mode, sizeof(mode));
	i->qemu_client = !strcmp(mode, "client");
	return 0;
}

static int on_off(const char *v, int *out)
{
	if (!strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "off"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

/* One attribute of a <vfwd:port>. */
static int meta_attr(struct vfwd_lv_meta *m, const char *key, const char *v,
		     char *err, size_t errlen)
{
	size_t len = strlen(v);
	__u16 vid;

	if (!strcmp(key, "mac")) {
		if (parse_mac(v, m->mac))
			return fail(err, errlen,
				    "mac='%s' is not a unicast MAC", v);
		m->has_mac = true;
	} else if (!strcmp(key, "dev") || !strcmp(key, "uplink")) {
		char *dst = key[0] == 'd' ? m->dev : m->uplink;

		if (!len || len >= IFNAMSIZ)
			return fail(
				err, errlen,
				"%s='%s' is not an interface name (1 to %d characters)",
				key, v, IFNAMSIZ - 1);
		memcpy(dst, v, len + 1);
	} else if (!strcmp(key, "name")) {
		if (!vfwd_port_name_valid(v))
			return fail(
				err, errlen,
				"name='%s' is not a port name (1 to %d letters, digits, '-', '_' or '.')",
				v, VFWD_NAME_LEN - 1);
		memcpy(m->name, v, len + 1);
	} else if (!strcmp(key, "vlan")) {
		if (vfwd_vid_parse(v, &vid))
			return fail(err, errlen,
				    "vlan='%s' is not a VLAN id (%d to %d)", v,
				    VFWD_VID_MIN, VFWD_VID_MAX);
		m->vid = vid;
	} else if (!strcmp(key, "rps") || !strcmp(key, "spoofchk")) {
		if (on_off(v, key[0] == 'r' ? &m->rps : &m->spoofchk))
			return fail(err, errlen, "%s='%s': use on or off", key,
				    v);
	} else if (!strcmp(key, "placement")) {
		for (size_t k = 0; k < N_PLACEMENTS; k++)
			if (!strcmp(v, placement_names[k]))
				m->placement = (int)k;
		if (m->placement < 0)
			return fail(
				err, errlen,
				"placement='%s': use same-cpu, same-node or off",
				v);
	} else {
		/* A misspelt attribute would silently do nothing. */
		return fail(
			err, errlen,
			"unknown attribute '%s' (mac, dev, name, vlan, rps, spoofchk, placement, uplink)",
			key);
	}
	return 0;
}

static int parse_meta(const xmlNode *n, struct vfwd_lv_meta *m, char *err,
		      size_t errlen)
{
	char why[VFWD_ERRLEN];

	memset(m, 0, sizeof(*m));
	m->vid = m->rps = m->spoofchk = m->placement = -1;
	m->line = (int)xmlGetLineNo(n);
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
		int ret = meta_attr(m, (const char *)a->name,
				    v ? (const char *)v : "", why, sizeof(why));

		xmlFree(v);
		if (ret)
			return fail(err, errlen, "line %d: <vfwd:port>: %s",
				    m->line, why);
	}
	return 0;
}

/* Grow *arr (of *n items of size sz) by one zeroed item. */
static void *grow(void **arr, size_t *n, size_t sz)
{
	char *p = realloc(*arr, (*n + 1) * sz);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

static int add_meta(const xmlNode *n, struct vfwd_lv_domain *d, char *err,
		    size_t errlen)
{
	struct vfwd_lv_meta *m =
		grow((void **)&d->meta, &d->n_meta, sizeof(*m));

	if (!m) {
		fail(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return parse_meta(n, m, err, errlen);
}

/* vfwd's elements in <metadata>: <vfwd:ports> holding <vfwd:port>s, or
 * one <vfwd:port>.  Anything else in vfwd's namespace is an error. */
static int parse_metadata(const xmlNode *md, struct vfwd_lv_domain *d,
			  char *err, size_t errlen)
{
	int ret = 0;

	for (const xmlNode *c = md ? md->children : NULL; c && !ret;
	     c = c->next) {
		if (!in_vfwd_ns(c))
			continue;
		if (is_el(c, VFWD_LV_EL_PORT)) {
			ret = add_meta(c, d, err, errlen);
			continue;
		}
		if (!is_el(c, VFWD_LV_EL_PORTS))
			return fail(
				err, errlen,
				"line %d: unknown element <%s> in vfwd's namespace %s (use <ports> or <port>)",
				(int)xmlGetLineNo(c), (const char *)c->name,
				VFWD_LV_NS);
		for (const xmlNode *p = c->children; p && !ret; p = p->next) {
			if (p->type != XML_ELEMENT_NODE)
				continue;
			if (!in_vfwd_ns(p) || !is_el(p, VFWD_LV_EL_PORT))
				return fail(
					err, errlen,
					"line %d: <vfwd:ports> may only hold <vfwd:port> elements, not <%s>",
					(int)xmlGetLineNo(p),
					(const char *)p->name);
			ret = add_meta(p, d, err, errlen);
		}
	}
	return ret;
}

static int parse_domain(const xmlNode *dom, struct vfwd_lv_domain *d, char *err,
			size_t errlen)
{
	const xmlNode *name = child(dom, "name"), *devs = child(dom, "devices");
	xmlChar *s = name ? xmlNodeGetContent(name) : NULL;
	size_t len = s ? strlen((const char *)s) : 0;
	int ret;

	if (s && len < sizeof(d->name))
		memcpy(d->name, s, len + 1);
	xmlFree(s);
	if (!len || len >= sizeof(d->name))
		return fail(
			err, errlen,
			"the domain has no <name>, or one longer than %d characters",
			VFWD_LV_NAME_LEN - 1);
	for (const xmlNode *c = devs ? devs->children : NULL; c; c = c->next) {
		struct vfwd_lv_iface *i;

		if (!is_el(c, "interface"))
			continue;
		i = grow((void **)&d->ifaces, &d->n_ifaces, sizeof(*i));
		if (!i) {
			fail(err, errlen, "out of memory");
			return -ENOMEM;
		}
		ret = parse_iface(c, i, err, errlen);
		if (ret)
			return ret;
	}
	return parse_metadata(child(dom, "metadata"), d, err, errlen);
}

int vfwd_lv_parse(const char *buf, size_t len, struct vfwd_lv_domain *d,
		  char *err, size_t errlen)
{
	/* No network access and no entity expansion: the document is
	 * libvirt's, but a parser that fetches or expands nothing cannot be
	 * made to. */
	const int flags =
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	const xmlNode *root;
	xmlDoc *doc;
	int ret;

	memset(d, 0, sizeof(*d));
	if (len > (size_t)INT32_MAX)
		return fail(err, errlen, "the document is too large");
	doc = xmlReadMemory(buf, (int)len, "domain.xml", NULL, flags);
	if (!doc) {
		const xmlError *e = xmlGetLastError();

		const char *msg = e && e->message ? e->message : "?";

		/* libxml2's messages end in a newline. */
		return fail(err, errlen, "line %d: not well-formed XML: %.*s",
			    e ? e->line : 0, (int)strcspn(msg, "\n"), msg);
	}
	root = xmlDocGetRootElement(doc);
	/* libvirt's status files wrap the domain in <domstatus>. */
	if (root && is_el(root, "domstatus"))
		root = child(root, "domain");
	if (!root || !is_el(root, "domain"))
		ret = fail(err, errlen, "the document is not a <domain>");
	else
		ret = parse_domain(root, d, err, errlen);
	xmlFreeDoc(doc);
	if (ret)
		vfwd_lv_free(d);
	return ret;
}

void vfwd_lv_free(struct vfwd_lv_domain *d)
{
	free(d->ifaces);
	free(d->meta);
	memset(d, 0, sizeof(*d));
}

bool vfwd_lv_candidate(const struct vfwd_lv_iface *i)
{
	return i->kind != VFWD_LV_IF_OTHER;
}
