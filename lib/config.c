// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the declarative configuration (docs/config.md) with libfyaml.
 * The document is walked key by key: every value is taken as the text
 * the file holds and checked by vfwd's own rules (vfwd_parse_u32 and
 * friends), so "vlan: 0100" is refused exactly as --vlan 0100 is.
 */
#include <errno.h>
#include <libfyaml.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config_int.h"
#include "vfwd_cpus.h"
#include "vfwd_ops.h"
#include "vfwd_tables.h"

static const char *const mode_names[] = {
	[VFWD_XDP_MODE_NATIVE] = "native",
	[VFWD_XDP_MODE_SKB] = "skb",
};
static const char *const bum_names[] = {"pass", "flood"};
static const char *const placement_names[] = {
	[VFWD_PLACE_OFF] = "off",
	[VFWD_PLACE_SAME_CPU] = "same-cpu",
	[VFWD_PLACE_SAME_NODE] = "same-node",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *vfwd_cfg_mode_str(__u8 mode)
{
	return mode < N_OF(mode_names) && mode_names[mode] ? mode_names[mode]
							   : "?";
}

const char *vfwd_cfg_placement_str(__u8 placement)
{
	return placement < N_OF(placement_names) ? placement_names[placement]
						 : "?";
}

/* A mapping's keys must all be known: a typo ("vlna") is an error, not a
 * setting silently left at its default. */
typedef int (*key_fn)(struct cfg_ctx *x, const char *key, struct fy_node *v,
		      void *item);

static int walk_map(struct cfg_ctx *x, struct fy_node *map, const char *what,
		    key_fn fn, void *item)
{
	struct fy_node_pair *pair;
	void *it = NULL;
	char key[32];
	int err;

	if (!fy_node_is_mapping(map))
		return cfg_bad(x, map, NULL,
			       "%s%s must be a mapping of keys to values",
			       strcmp(what, "the file") ? "each " : "", what);
	while ((pair = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *k = fy_node_pair_key(pair);

		err = cfg_scalar(x, k, what, key, sizeof(key));
		if (err)
			return err;
		err = fn(x, key, fy_node_pair_value(pair), item);
		if (err == -ENOENT)
			return cfg_bad(x, k, key, "unknown key in %s", what);
		if (err)
			return err;
	}
	return 0;
}

static int uplink_key(struct cfg_ctx *x, const char *key, struct fy_node *v,
		      void *item)
{
	struct vfwd_cfg_uplink *u = item;
	__u8 w = 0;
	int err;

	if (strcmp(key, "dev") == 0)
		return cfg_dev(x, v, key, u->dev, sizeof(u->dev));
	if (strcmp(key, "mode") == 0)
		return cfg_word(x, v, key, mode_names, N_OF(mode_names),
				&u->xdp_mode);
	if (strcmp(key, "bum") == 0) {
		err = cfg_word(x, v, key, bum_names, N_OF(bum_names), &w);
		u->bum_flood = w;
		return err;
	}
	return -ENOENT;
}

static int port_key(struct cfg_ctx *x, const char *key, struct fy_node *v,
		    void *item)
{
	struct vfwd_cfg_port *p = item;
	char num[16];
	int err;

	if (strcmp(key, "name") == 0)
		return cfg_name(x, v, key, p->name, sizeof(p->name));
	if (strcmp(key, "dev") == 0)
		return cfg_dev(x, v, key, p->dev, sizeof(p->dev));
	if (strcmp(key, "xsk") == 0)
		return cfg_bool(x, v, key, &p->xsk);
	if (strcmp(key, "vhost-socket") == 0)
		return cfg_scalar(x, v, key, p->vhost_socket,
				  sizeof(p->vhost_socket));
	if (strcmp(key, "vhost-server") == 0)
		return cfg_bool(x, v, key, &p->vhost_server);
	if (strcmp(key, "vlan") == 0)
		return cfg_vid(x, v, key, &p->vid);
	if (strcmp(key, "uplink") == 0)
		return cfg_scalar(x, v, key, p->uplink, sizeof(p->uplink));
	if (strcmp(key, "spoofchk") == 0)
		return cfg_bool(x, v, key, &p->spoofchk);
	if (strcmp(key, "cpus") == 0) {
		__u16 cpus[VFWD_MAX_VCPUS];
		unsigned int n;

		err = cfg_scalar(x, v, key, p->cpus, sizeof(p->cpus));
		if (!err &&
		    vfwd_cpulist_parse(p->cpus, cpus, VFWD_MAX_VCPUS, &n))
			return cfg_bad(
				x, v, key,
				"invalid CPU list '%s': list at most %d CPU ids in vCPU order, each once and " VFWD_DECIMAL
				", e.g. 2,3 or 4-7",
				p->cpus, VFWD_MAX_VCPUS);
		/* Kept as dump-config writes it: "4-7 " and "4,5,6,7" are
		 * one setting. */
		if (!err) {
			memset(p->cpus, 0, sizeof(p->cpus));
			vfwd_cpulist_format(cpus, n, p->cpus, sizeof(p->cpus));
		}
		return err;
	}
	if (strcmp(key, "vm-pid") == 0) {
		err = cfg_scalar(x, v, key, num, sizeof(num));
		if (!err && vfwd_parse_u32(num, 1, INT32_MAX, &p->vm_pid))
			return cfg_bad(x, v, key,
				       "invalid process id '%s': " VFWD_DECIMAL,
				       num);
		return err;
	}
	if (strcmp(key, "placement") == 0) {
		p->placement_set = true;
		return cfg_word(x, v, key, placement_names,
				N_OF(placement_names), &p->placement);
	}
	if (strcmp(key, "rps") == 0)
		return cfg_bool(x, v, key, &p->rps);
	return -ENOENT;
}

static int mac_key(struct cfg_ctx *x, const char *key, struct fy_node *v,
		   void *item)
{
	struct vfwd_cfg_mac *m = item;
	char s[VFWD_MAC_STRLEN + 1];
	int err;

	if (strcmp(key, "mac") == 0) {
		err = cfg_scalar(x, v, key, s, sizeof(s));
		if (!err &&
		    (vfwd_mac_parse(s, m->mac) || !vfwd_mac_is_unicast(m->mac)))
			return cfg_bad(
				x, v, key,
				"invalid MAC '%s': use a unicast address such as 52:54:00:12:34:56",
				s);
		return err;
	}
	if (strcmp(key, "port") == 0)
		return cfg_name(x, v, key, m->port, sizeof(m->port));
	if (strcmp(key, "vlan") == 0) {
		m->vid_set = true;
		return cfg_vid(x, v, key, &m->vid);
	}
	return -ENOENT;
}

/* A required key a walk left empty. */
static int need(struct cfg_ctx *x, struct fy_node *n, const char *what,
		const char *key, const char *val)
{
	return val[0] ? 0 : cfg_bad(x, n, key, "missing in %s", what);
}

static int check_uplink(struct cfg_ctx *x, struct fy_node *n, void *item)
{
	struct vfwd_cfg_uplink *u = item;

	return need(x, n, "uplink", "dev", u->dev);
}

static int check_port(struct cfg_ctx *x, struct fy_node *n, void *item)
{
	struct vfwd_cfg_port *p = item;
	int err = need(x, n, "port", "name", p->name);

	if (err)
		return err;
	if (p->xsk && p->dev[0])
		return cfg_bad(
			x, n, "dev",
			"port '%s' is an AF_XDP port (xsk: true): it has a vhost-socket, not a device",
			p->name);
	if (p->xsk)
		err = need(x, n, "port", "vhost-socket", p->vhost_socket);
	else if (p->vhost_socket[0] || p->vhost_server)
		return cfg_bad(
			x, n, "vhost-socket",
			"port '%s' has no 'xsk: true': only AF_XDP ports have a vhost-user socket",
			p->name);
	else
		err = need(x, n, "port", "dev", p->dev);
	if (err)
		return err;
	if (p->cpus[0] && p->vm_pid)
		return cfg_bad(x, n, "vm-pid",
			       "port '%s' has both cpus and vm-pid; give one",
			       p->name);
	if ((p->placement_set || p->rps) && !p->cpus[0] && !p->vm_pid)
		return cfg_bad(
			x, n, p->rps ? "rps" : "placement",
			"port '%s': placement and rps need a CPU set: give cpus or vm-pid",
			p->name);
	if (p->xsk && (p->cpus[0] || p->vm_pid || p->rps))
		return cfg_bad(
			x, n,
			p->rps	    ? "rps"
			: p->vm_pid ? "vm-pid"
				    : "cpus",
			"port '%s': AF_XDP ports are not steered to CPUs",
			p->name);
	return 0;
}

static int check_mac(struct cfg_ctx *x, struct fy_node *n, void *item)
{
	struct vfwd_cfg_mac *m = item;
	static const __u8 zero[VFWD_ETH_ALEN];
	int err = need(x, n, "mac", "port", m->port);

	if (!err && !memcmp(m->mac, zero, sizeof(zero)))
		return cfg_bad(x, n, "mac", "missing in mac");
	return err;
}

/* One kind of top-level item: how to read it and check it. */
struct item_kind {
	const char *what;
	size_t size;
	void (*init)(void *item); /* defaults before the keys; may be NULL */
	key_fn key;
	int (*check)(struct cfg_ctx *x, struct fy_node *n, void *item);
};

/* A top-level list: each item a mapping read into a new slot of *arr. */
static int walk_list(struct cfg_ctx *x, struct fy_node *list, const char *key,
		     const struct item_kind *k, void **arr, size_t *n)
{
	const size_t elem = k->size;
	struct fy_node *item;
	void *it = NULL;
	int err, count;

	if (!fy_node_is_sequence(list))
		return cfg_bad(x, list, key, "expected a list of %ss", k->what);
	count = fy_node_sequence_item_count(list);
	*arr = calloc(count ? count : 1, elem);
	if (!*arr)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(list, &it))) {
		char *slot = (char *)*arr + *n * elem;

		if (k->init)
			k->init(slot);
		err = walk_map(x, item, k->what, k->key, slot);
		if (!err)
			err = k->check(x, item, slot);
		if (err)
			return err;
		/* Every item keeps its line: later checks name it. */
		*(int *)(slot + elem - sizeof(int)) = cfg_node_line(item);
		(*n)++;
	}
	return 0;
}

/* The "line" member is the last of each item struct (walk_list). */
_Static_assert(sizeof(struct vfwd_cfg_uplink) -
			       offsetof(struct vfwd_cfg_uplink, line) ==
		       sizeof(int),
	       "vfwd_cfg_uplink: line last");
_Static_assert(sizeof(struct vfwd_cfg_port) -
			       offsetof(struct vfwd_cfg_port, line) ==
		       sizeof(int),
	       "vfwd_cfg_port: line last");
_Static_assert(sizeof(struct vfwd_cfg_mac) -
			       offsetof(struct vfwd_cfg_mac, line) ==
		       sizeof(int),
	       "vfwd_cfg_mac: line last");

/* The defaults: what `attach` and `port add` do without options. */
static void uplink_init(void *item)
{
	struct vfwd_cfg_uplink *u = item;

	u->xdp_mode = VFWD_XDP_MODE_NATIVE;
}

static void port_init(void *item)
{
	struct vfwd_cfg_port *p = item;

	p->spoofchk = true;
	p->placement = VFWD_PLACE_SAME_CPU;
}

static const struct item_kind uplink_kind = {
	"uplink",     sizeof(struct vfwd_cfg_uplink), uplink_init, uplink_key,
	check_uplink,
};
static const struct item_kind port_kind = {
	"port", sizeof(struct vfwd_cfg_port), port_init, port_key, check_port,
};
static const struct item_kind mac_kind = {
	"mac", sizeof(struct vfwd_cfg_mac), NULL, mac_key, check_mac,
};

/* Names, devices and MAC keys that appear twice, checked across the
 * whole file once every item is read. */
static int check_unique(struct cfg_ctx *x, struct vfwd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->uplinks[i].dev, cfg->uplinks[j].dev))
				return cfg_bad_at(
					x, cfg->uplinks[i].line, "dev",
					"uplink %s is listed twice (also at line %d)",
					cfg->uplinks[i].dev,
					cfg->uplinks[j].line);
	for (size_t i = 0; i < cfg->n_ports; i++) {
		struct vfwd_cfg_port *p = &cfg->ports[i];

		for (size_t j = 0; j < i; j++) {
			struct vfwd_cfg_port *q = &cfg->ports[j];

			if (!strcmp(p->name, q->name))
				return cfg_bad_at(
					x, p->line, "name",
					"port '%s' is listed twice (also at line %d)",
					p->name, q->line);
			if (p->dev[0] && !strcmp(p->dev, q->dev))
				return cfg_bad_at(
					x, p->line, "dev",
					"device %s is already port '%s' (line %d)",
					p->dev, q->name, q->line);
		}
		for (size_t j = 0; j < cfg->n_uplinks; j++)
			if (p->dev[0] && !strcmp(p->dev, cfg->uplinks[j].dev))
				return cfg_bad_at(
					x, p->line, "dev",
					"device %s is already an uplink (line %d)",
					p->dev, cfg->uplinks[j].line);
	}
	return 0;
}

/* The ports MACs name: a MAC's port must be in the file, and one key
 * (MAC and VLAN) bound once.  A port's uplink is checked by apply, which
 * knows whether the file is the whole installation. */
static int check_refs(struct cfg_ctx *x, struct vfwd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_macs; i++) {
		struct vfwd_cfg_mac *m = &cfg->macs[i];
		const struct vfwd_cfg_port *p = NULL;
		char s[VFWD_MAC_STRLEN];

		for (size_t j = 0; j < cfg->n_ports && !p; j++)
			if (!strcmp(m->port, cfg->ports[j].name))
				p = &cfg->ports[j];
		vfwd_mac_format(m->mac, s);
		if (!p)
			return cfg_bad_at(
				x, m->line, "port",
				"MAC %s is bound to port '%s', which the file does not list under 'ports'",
				s, m->port);
		/* An access port's MACs live on its own VLAN. */
		if (m->vid_set && p->vid && m->vid != p->vid)
			return cfg_bad_at(
				x, m->line, "vlan",
				"MAC %s: port '%s' is an access port of VLAN %u; its MACs are on that VLAN",
				s, p->name, p->vid);
		if (!m->vid_set)
			m->vid = p->vid;
		for (size_t j = 0; j < i; j++) {
			struct vfwd_cfg_mac *o = &cfg->macs[j];

			if (!memcmp(o->mac, m->mac, VFWD_ETH_ALEN) &&
			    o->vid == m->vid)
				return cfg_bad_at(
					x, m->line, "mac",
					"MAC %s (VLAN %u) is bound twice: to '%s' here and to '%s' at line %d",
					s, m->vid, m->port, o->port, o->line);
		}
	}
	return 0;
}

static int top_key(struct cfg_ctx *x, const char *key, struct fy_node *v,
		   void *item)
{
	struct vfwd_config *cfg = item;

	/* Each list once: libfyaml refuses a key given twice. */
	if (strcmp(key, "uplinks") == 0)
		return walk_list(x, v, key, &uplink_kind,
				 (void **)&cfg->uplinks, &cfg->n_uplinks);
	if (strcmp(key, "ports") == 0)
		return walk_list(x, v, key, &port_kind, (void **)&cfg->ports,
				 &cfg->n_ports);
	if (strcmp(key, "macs") == 0)
		return walk_list(x, v, key, &mac_kind, (void **)&cfg->macs,
				 &cfg->n_macs);
	return -ENOENT;
}

void vfwd_config_free(struct vfwd_config *cfg)
{
	free(cfg->uplinks);
	free(cfg->ports);
	free(cfg->macs);
	memset(cfg, 0, sizeof(*cfg));
}

/* The first error libfyaml collected, as "FILE:LINE: why". */
static int syntax_error(struct cfg_ctx *x, struct fy_diag *diag)
{
	struct fy_diag_error *e;
	void *it = NULL;

	e = diag ? fy_diag_errors_iterate(diag, &it) : NULL;
	if (!e)
		snprintf(x->err, x->errlen, "%s: not a valid YAML document",
			 x->file);
	else
		/* Unlike node marks, collected errors count lines from 1. */
		snprintf(x->err, x->errlen, "%s:%d: syntax error: %s", x->file,
			 e->line, e->msg);
	return -EINVAL;
}

int vfwd_config_parse(const char *name, const char *buf, size_t len,
		      struct vfwd_config *cfg, char *err, size_t errlen)
{
	struct cfg_ctx x = {.file = name, .err = err, .errlen = errlen};
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG};
	struct fy_document *doc = NULL;
	struct fy_node *root;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = cfg_check_text(&x, buf, len);
	if (ret)
		return ret;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.colorize = false;
	pcfg.diag = fy_diag_create(&dcfg);
	if (!pcfg.diag) {
		snprintf(err, errlen, "%s: cannot parse it: out of memory",
			 name);
		return -ENOMEM;
	}
	/* Collected, not printed: the message is vfwd's one line. */
	fy_diag_set_collect_errors(pcfg.diag, true);
	doc = fy_document_build_from_string(&pcfg, buf, len);
	if (!doc || fy_document_resolve(doc)) {
		ret = syntax_error(&x, pcfg.diag);
		goto out;
	}
	root = fy_document_root(doc);
	/* An empty file is an installation with nothing in it. */
	ret = root ? walk_map(&x, root, "the file", top_key, cfg) : 0;
	if (!ret)
		ret = check_unique(&x, cfg);
	if (!ret)
		ret = check_refs(&x, cfg);
out:
	if (ret)
		vfwd_config_free(cfg);
	fy_document_destroy(doc);
	fy_diag_destroy(pcfg.diag);
	return ret;
}

/* Config files are small; a limit keeps a wrong path (a device, a huge
 * log) from being read whole. */
#define CFG_MAX_BYTES (16U << 20)

int vfwd_config_read(const char *file, struct vfwd_config *cfg, char *err,
		     size_t errlen)
{
	bool stdin_ = strcmp(file, "-") == 0;
	FILE *f = stdin_ ? stdin : fopen(file, "r");
	const char *name = stdin_ ? "<stdin>" : file;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open it: %s", file,
			 strerror(errno));
		return ret;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 4096;
			nb = cap <= CFG_MAX_BYTES ? realloc(buf, cap) : NULL;
			if (!nb) {
				snprintf(
					err, errlen,
					"%s: cannot read it: larger than %u bytes or out of memory",
					name, CFG_MAX_BYTES);
				ret = -EFBIG;
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got)
			continue;
		if (ferror(f)) {
			ret = -EIO;
			snprintf(err, errlen, "%s: cannot read it: %s", name,
				 strerror(errno));
			goto out;
		}
		break;
	}
	ret = vfwd_config_parse(name, buf, len, cfg, err, errlen);
out:
	free(buf);
	if (!stdin_)
		fclose(f);
	return ret;
}
