// SPDX-License-Identifier: GPL-2.0
/*
 * Writing the declarative configuration (vfwd dump-config) with libfyaml:
 * the document is built as a tree and emitted as YAML or JSON, so what
 * apply reads back is the library's own output.
 */
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "vfwd_tables.h"

struct cfg_out {
	struct fy_document *doc;
	bool json;
	int err;
};

/* A string scalar.  In JSON a plain scalar that looks like a number is
 * printed bare (a port named "100" would become a number), so strings
 * carry the !!str tag there, which makes libfyaml quote them.  YAML is
 * read back as text (lib/config.c), so it needs no tag. */
static struct fy_node *str(struct cfg_out *o, const char *s)
{
	struct fy_node *n = fy_node_create_scalar_copy(o->doc, s, strlen(s));

	if (n && o->json && fy_node_set_tag(n, "!!str", FY_NT))
		n = NULL;
	if (!n)
		o->err = -ENOMEM;
	return n;
}

static struct fy_node *num(struct cfg_out *o, unsigned long v)
{
	struct fy_node *n = fy_node_create_scalarf(o->doc, "%lu", v);

	if (!n)
		o->err = -ENOMEM;
	return n;
}

static struct fy_node *boolean(struct cfg_out *o, bool v)
{
	struct fy_node *n =
		fy_node_create_scalar(o->doc, v ? "true" : "false", FY_NT);

	if (!n)
		o->err = -ENOMEM;
	return n;
}

static void put(struct cfg_out *o, struct fy_node *map, const char *key,
		struct fy_node *v)
{
	struct fy_node *k = str(o, key);

	if (!o->err && (!v || fy_node_mapping_append(map, k, v)))
		o->err = -ENOMEM;
}

static struct fy_node *map(struct cfg_out *o)
{
	struct fy_node *n = fy_node_create_mapping(o->doc);

	if (!n)
		o->err = -ENOMEM;
	return n;
}

static void append(struct cfg_out *o, struct fy_node *seq, struct fy_node *v)
{
	if (!o->err && (!v || fy_node_sequence_append(seq, v)))
		o->err = -ENOMEM;
}

static struct fy_node *uplink_node(struct cfg_out *o,
				   const struct vfwd_cfg_uplink *u)
{
	struct fy_node *m = map(o);

	put(o, m, "dev", str(o, u->dev));
	put(o, m, "mode", str(o, vfwd_cfg_mode_str(u->xdp_mode)));
	put(o, m, "bum", str(o, u->bum_flood ? "flood" : "pass"));
	return m;
}

static struct fy_node *port_node(struct cfg_out *o,
				 const struct vfwd_cfg_port *p)
{
	struct fy_node *m = map(o);

	put(o, m, "name", str(o, p->name));
	if (p->xsk) {
		put(o, m, "xsk", boolean(o, true));
		put(o, m, "vhost-socket", str(o, p->vhost_socket));
		put(o, m, "vhost-server", boolean(o, p->vhost_server));
	} else {
		put(o, m, "dev", str(o, p->dev));
	}
	put(o, m, "vlan", num(o, p->vid));
	if (p->uplink[0])
		put(o, m, "uplink", str(o, p->uplink));
	put(o, m, "spoofchk", boolean(o, p->spoofchk));
	if (p->cpus[0])
		put(o, m, "cpus", str(o, p->cpus));
	if (p->vm_pid)
		put(o, m, "vm-pid", num(o, p->vm_pid));
	if (p->cpus[0] || p->vm_pid) {
		put(o, m, "placement",
		    str(o, vfwd_cfg_placement_str(p->placement)));
		put(o, m, "rps", boolean(o, p->rps));
	}
	return m;
}

static struct fy_node *mac_node(struct cfg_out *o, const struct vfwd_cfg_mac *e)
{
	struct fy_node *m = map(o);
	char s[VFWD_MAC_STRLEN];

	vfwd_mac_format(e->mac, s);
	put(o, m, "mac", str(o, s));
	put(o, m, "port", str(o, e->port));
	put(o, m, "vlan", num(o, e->vid));
	return m;
}

static struct fy_node *build(struct cfg_out *o, const struct vfwd_config *cfg)
{
	struct fy_node *root = map(o), *s;

	s = fy_node_create_sequence(o->doc);
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		append(o, s, uplink_node(o, &cfg->uplinks[i]));
	put(o, root, "uplinks", s);
	s = fy_node_create_sequence(o->doc);
	for (size_t i = 0; i < cfg->n_ports; i++)
		append(o, s, port_node(o, &cfg->ports[i]));
	put(o, root, "ports", s);
	s = fy_node_create_sequence(o->doc);
	for (size_t i = 0; i < cfg->n_macs; i++)
		append(o, s, mac_node(o, &cfg->macs[i]));
	put(o, root, "macs", s);
	return root;
}

/* JSON indented this many spaces with -p, as the -j writer does. */
#define CFG_JSON_INDENT FYECF_INDENT_2

int vfwd_config_write(const struct vfwd_config *cfg, FILE *out, bool json,
		      bool pretty)
{
	struct cfg_out o = {.json = json};
	enum fy_emitter_cfg_flags flags;
	struct fy_node *root;
	int ret;

	o.doc = fy_document_create(NULL);
	if (!o.doc)
		return -ENOMEM;
	root = build(&o, cfg);
	if (!o.err && fy_document_set_root(o.doc, root))
		o.err = -ENOMEM;
	if (o.err) {
		fy_document_destroy(o.doc);
		return o.err;
	}
	if (json)
		flags = pretty ? FYECF_MODE_JSON | CFG_JSON_INDENT
			       : FYECF_MODE_JSON_ONELINE;
	else
		flags = FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF;
	ret = fy_emit_document_to_fp(o.doc, flags, out) ? -EIO : 0;
	fy_document_destroy(o.doc);
	return ret;
}
