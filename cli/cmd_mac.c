// SPDX-License-Identifier: GPL-2.0
/* vfwd mac add | del | list | load */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAC_ADD_USAGE                                                          \
	"usage: vfwd mac add MAC --port NAME [--vlan VID] [--replace]"
#define MAC_DEL_USAGE "usage: vfwd mac del MAC [--vlan VID]"
#define MAC_LIST_USAGE "usage: vfwd mac list [--port NAME]"
#define MAC_LOAD_USAGE "usage: vfwd mac load FILE [--replace]"

/* mac load: longest line accepted ("MAC PORT VID" plus comment). */
#define LOAD_LINE_MAX 256

static int parse_mac(struct vfwd_ctx *c, const char *s, __u8 *mac)
{
	if (vfwd_mac_parse(s, mac))
		return cli_err(
			c, -EINVAL,
			"invalid MAC '%s': expected six hex pairs like 52:54:00:12:34:56",
			s);
	if (!vfwd_mac_is_unicast(mac))
		return cli_err(
			c, -EINVAL,
			"MAC %s is multicast, broadcast or zero; only a unicast address can belong to a port",
			s);
	return 0;
}

static int parse_vid(struct vfwd_ctx *c, const char *s, __u16 *vid)
{
	if (vfwd_vid_parse(s, vid))
		return cli_err(
			c, -ERANGE,
			"invalid VLAN '%s': use a VLAN id from %d to %d " CLI_DECIMAL,
			s, VFWD_VID_MIN, VFWD_VID_MAX);
	return 0;
}

/* The guest port a MAC may be bound to. */
static int target_port(struct vfwd_ctx *c, const char *name,
		       struct vfwd_port *p)
{
	int id = cli_port_lookup(c, name, p);

	if (id >= 0 && p->kind == VFWD_PORT_UPLINK)
		return cli_err(
			c, -EINVAL,
			"port '%s' is an uplink; MACs are bound to guest ports",
			name);
	return id;
}

static void key_str(const struct vfwd_mac_key *k, char *buf, size_t len)
{
	char mac[VFWD_MAC_STRLEN];

	vfwd_mac_format(k->mac, mac);
	if (k->vid)
		snprintf(buf, len, "%s vlan %u", mac, k->vid);
	else
		snprintf(buf, len, "%s", mac);
}

static int port_name(struct vfwd_ctx *c, __u32 id, char *buf)
{
	struct vfwd_port p;

	if (vfwd_port_get(&c->t, id, &p) || p.kind == VFWD_PORT_FREE)
		return snprintf(buf, VFWD_NAME_LEN, "#%u", id), -ENOENT;
	snprintf(buf, VFWD_NAME_LEN, "%s", p.name);
	return 0;
}

static int mac_add(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"vlan", required_argument, NULL, 'V'},
		{"replace", no_argument, NULL, 'r'},
		{NULL},
	};
	struct vfwd_mac_key k = {};
	struct vfwd_mac_val v = {.flags = VFWD_MAC_STATIC}, old;
	const char *pname = NULL;
	char ks[64], oldname[VFWD_NAME_LEN];
	struct cli_getopt g = {.opts = opts, .usage = MAC_ADD_USAGE};
	struct vfwd_port p;
	bool replace = false, vlan_given = false;
	int opt, id, err;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		switch (opt) {
		case 'p':
			pname = optarg;
			break;
		case 'V':
			if ((err = parse_vid(c, optarg, &k.vid)))
				return err;
			vlan_given = true;
			break;
		case 'r':
			replace = true;
			break;
		}
	}
	if (opt < 0)
		return opt;
	if (optind != argc - 1 || !pname)
		return cli_err(c, -EINVAL, MAC_ADD_USAGE);
	if ((err = parse_mac(c, argv[optind], k.mac)))
		return err;

	err = ctx_open(c, CTX_CREATE);
	if (err)
		return err;
	id = target_port(c, pname, &p);
	if (id < 0)
		return id;
	if (vfwd_mac_binding_vid(&p, vlan_given, &k.vid))
		return cli_err(
			c, -EINVAL,
			"port '%s' is an access port of VLAN %u: its MACs are bound on VLAN %u (leave out --vlan)",
			p.name, p.vid, p.vid);
	v.port_id = id;
	v.flags = vfwd_mac_binding_flags(&p);
	key_str(&k, ks, sizeof(ks));
	if (vfwd_mac_get(&c->t, &k, &old) == 0 && old.port_id != v.port_id &&
	    !replace) {
		port_name(c, old.port_id, oldname);
		return cli_err(
			c, -EEXIST,
			"MAC %s is already bound to port '%s'; use --replace to move it",
			ks, oldname);
	}
	err = vfwd_mac_put(&c->t, &k, &v, true);
	if (err == -E2BIG)
		return cli_err(
			c, err,
			"MAC table full (%d entries); delete unused entries with 'vfwd mac del'",
			VFWD_MAX_MACS);
	if (err)
		return cli_err(c, err, "MAC %s: cannot add it: %s", ks,
			       strerror(-err));
	if (c->json) {
		char mac[VFWD_MAC_STRLEN];

		vfwd_mac_format(k.mac, mac);
		json_obj_open(&c->j);
		json_kv_str(&c->j, "mac", mac);
		json_kv_u64(&c->j, "vlan", k.vid);
		json_kv_str(&c->j, "port", p.name);
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("MAC %s -> port %s\n", ks, p.name);
	}
	return 0;
}

/* mac del without --vlan: the untagged entry, or else, as mac add did it,
 * the entry of an access port on that port's VLAN. */
static int access_entry_vid(struct vfwd_ctx *c, struct vfwd_mac_key *k)
{
	struct vfwd_mac_entry *e;
	struct vfwd_mac_val v;
	size_t n;
	int err;

	if (vfwd_mac_get(&c->t, k, &v) == 0)
		return 0;
	err = vfwd_mac_dump(&c->t, &e, &n);
	if (err)
		return cli_err(c, err, "MAC table: cannot read it: %s",
			       strerror(-err));
	/* Only when that is unambiguous: one access entry for this MAC. */
	for (size_t i = 0; i < n; i++) {
		if (memcmp(e[i].key.mac, k->mac, VFWD_ETH_ALEN) ||
		    !(e[i].val.flags & VFWD_MAC_ACCESS))
			continue;
		if (k->vid) {
			char ks[VFWD_MAC_STRLEN];

			free(e);
			vfwd_mac_format(k->mac, ks);
			return cli_err(
				c, -EINVAL,
				"MAC %s is bound on several access VLANs; name one with --vlan",
				ks);
		}
		k->vid = e[i].key.vid;
	}
	free(e);
	return 0;
}

static int mac_del(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"vlan", required_argument, NULL, 'V'},
		{NULL},
	};
	struct cli_getopt g = {.opts = opts, .usage = MAC_DEL_USAGE};
	struct vfwd_mac_key k = {};
	bool vlan_given = false;
	char ks[64];
	int opt, err;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		if ((err = parse_vid(c, optarg, &k.vid)))
			return err;
		vlan_given = true;
	}
	if (opt < 0)
		return opt;
	if (optind != argc - 1)
		return cli_err(c, -EINVAL, MAC_DEL_USAGE);
	if ((err = parse_mac(c, argv[optind], k.mac)))
		return err;
	err = ctx_open(c, CTX_WRITE);
	if (err)
		return err;
	if (!vlan_given) {
		err = access_entry_vid(c, &k);
		if (err)
			return err;
	}
	key_str(&k, ks, sizeof(ks));
	err = vfwd_mac_del(&c->t, &k);
	if (err == -ENOENT)
		return cli_err(
			c, err,
			"MAC %s is not in the table (see 'vfwd mac list')", ks);
	if (err)
		return cli_err(c, err, "MAC %s: cannot delete it: %s", ks,
			       strerror(-err));
	if (c->json) {
		char mac[VFWD_MAC_STRLEN];

		vfwd_mac_format(k.mac, mac);
		json_obj_open(&c->j);
		json_kv_str(&c->j, "deleted", mac);
		json_kv_u64(&c->j, "vlan", k.vid);
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("deleted MAC %s\n", ks);
	}
	return 0;
}

static int mac_list(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{NULL},
	};
	struct vfwd_mac_entry *e;
	struct vfwd_port p;
	const char *pname = NULL;
	char mac[VFWD_MAC_STRLEN], pn[VFWD_NAME_LEN];
	struct cli_getopt g = {.opts = opts, .usage = MAC_LIST_USAGE};
	int opt, err, only = -1;
	size_t n;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0)
		pname = optarg;
	if (opt < 0)
		return opt;
	if (optind != argc)
		return cli_err(c, -EINVAL, MAC_LIST_USAGE);
	if ((err = ctx_open(c, CTX_READ)))
		return err;
	if (pname) {
		only = target_port(c, pname, &p);
		if (only < 0)
			return only;
	}
	err = vfwd_mac_dump(&c->t, &e, &n);
	if (err)
		return cli_err(c, err, "MAC table: cannot read it: %s",
			       strerror(-err));
	if (c->json)
		json_arr_open(&c->j);
	else
		printf("%-17s %-4s %s\n", "MAC", "VLAN", "PORT");
	for (size_t i = 0; i < n; i++) {
		if (only >= 0 && e[i].val.port_id != (__u32)only)
			continue;
		vfwd_mac_format(e[i].key.mac, mac);
		port_name(c, e[i].val.port_id, pn);
		if (c->json) {
			json_obj_open(&c->j);
			json_kv_str(&c->j, "mac", mac);
			json_kv_u64(&c->j, "vlan", e[i].key.vid);
			json_kv_str(&c->j, "port", pn);
			json_kv_u64(&c->j, "port_id", e[i].val.port_id);
			json_obj_close(&c->j);
		} else {
			char vid[8] = "-";

			if (e[i].key.vid)
				snprintf(vid, sizeof(vid), "%u", e[i].key.vid);
			printf("%-17s %-4s %s\n", mac, vid, pn);
		}
	}
	free(e);
	if (c->json) {
		json_arr_close(&c->j);
		json_end(&c->j);
	}
	return 0;
}

/* mac load: one "MAC PORT [VID]" per line, '#' starts a comment.  The
 * whole file is parsed and checked first; then the new table (the old
 * one with the file's entries in it) is built where no program can see
 * it and published in one update (lib/mac_ops.c), so the table has all
 * of the file or none of it, even if the command is killed. */
static int item_cmp(const void *a, const void *b)
{
	const struct vfwd_mac_line *x = a, *y = b;
	int c = vfwd_mac_key_cmp(&x->key, &y->key);

	return c ? c : x->line - y->line;
}

static int load_read(struct vfwd_ctx *c, const char *file,
		     struct vfwd_mac_line **items, size_t *n)
{
	/* Guest ports by id; other slots keep an empty name. */
	static struct vfwd_port ports[VFWD_MAX_PORTS];
	char line[LOAD_LINE_MAX], ebuf[VFWD_ERRLEN];
	struct vfwd_mac_line *v;
	int lineno = 0, err = 0;
	FILE *f;

	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		struct vfwd_port *p = &ports[id];

		if (vfwd_port_get(&c->t, id, p) || p->kind == VFWD_PORT_FREE ||
		    p->kind == VFWD_PORT_UPLINK)
			memset(p, 0, sizeof(*p));
	}
	f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
	if (!f)
		return cli_err(c, -errno, "MAC file %s: cannot open it: %s",
			       file, strerror(errno));
	/* One slot past the table size, to report an oversized file. */
	v = calloc(VFWD_MAX_MACS + 1, sizeof(*v));
	if (!v) {
		err = cli_err(c, -ENOMEM, "MAC file %s: out of memory", file);
		goto out;
	}
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			err = cli_err(c, -EINVAL, "%s:%d: line too long", file,
				      lineno);
			break;
		}
		err = vfwd_mac_line_parse(file, lineno, line, ports, &v[*n],
					  ebuf, sizeof(ebuf));
		if (err < 0) {
			cli_err(c, err, "%s", ebuf);
			break;
		}
		if (err == 1) {
			err = 0;
			continue;
		}
		if (++*n > VFWD_MAX_MACS) {
			err = cli_err(
				c, -E2BIG,
				"MAC file %s has more than %d entries, the size of the MAC table",
				file, VFWD_MAX_MACS);
			break;
		}
	}
	if (!err && ferror(f))
		err = cli_err(c, -EIO, "MAC file %s: read error", file);
out:
	if (f != stdin)
		fclose(f);
	if (err)
		free(v);
	else
		*items = v;
	return err;
}

/* Sort, drop exact repeats, refuse one MAC bound to two ports. */
static int load_dedup(struct vfwd_ctx *c, const char *file,
		      struct vfwd_mac_line *v, size_t *n)
{
	size_t out = 0;

	qsort(v, *n, sizeof(*v), item_cmp);
	for (size_t i = 0; i < *n; i++) {
		if (out && vfwd_mac_key_cmp(&v[out - 1].key, &v[i].key) == 0) {
			if (v[out - 1].port_id != v[i].port_id) {
				char ks[64];

				key_str(&v[i].key, ks, sizeof(ks));
				return cli_err(
					c, -EINVAL,
					"%s:%d: MAC %s is bound to two ports (also line %d)",
					file, v[i].line, ks, v[out - 1].line);
			}
			continue;
		}
		v[out++] = v[i];
	}
	*n = out;
	return 0;
}

static int mac_load(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"replace", no_argument, NULL, 'r'},
		{NULL},
	};
	struct vfwd_mac_load_stats st;
	struct vfwd_mac_entry *e = NULL;
	struct vfwd_mac_line *v = NULL;
	struct cli_getopt g = {.opts = opts, .usage = MAC_LOAD_USAGE};
	char why[VFWD_ERRLEN];
	bool replace = false;
	const char *file;
	size_t n = 0;
	int opt, err;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0)
		replace = opt == 'r';
	if (opt < 0)
		return opt;
	if (optind != argc - 1)
		return cli_err(c, -EINVAL, MAC_LOAD_USAGE);
	file = argv[optind];
	err = ctx_open(c, CTX_CREATE);
	if (err)
		return err;
	err = load_read(c, file, &v, &n);
	if (!err)
		err = load_dedup(c, file, v, &n);
	if (err)
		goto out;
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e) {
		err = cli_err(c, -ENOMEM, "MAC file %s: out of memory", file);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		e[i] = (struct vfwd_mac_entry){
			.key = v[i].key,
			.val = {.port_id = v[i].port_id, .flags = v[i].flags}};
	err = vfwd_mac_load(&c->t, e, n, replace, &st, why, sizeof(why));
	if (err == -EEXIST && st.conflict >= 0) {
		char ks[64], pn[VFWD_NAME_LEN];

		key_str(&v[st.conflict].key, ks, sizeof(ks));
		port_name(c, st.conflict_port, pn);
		err = cli_err(
			c, err,
			"%s:%d: MAC %s is already bound to port '%s'; use --replace to move it (nothing was loaded)",
			file, v[st.conflict].line, ks, pn);
		goto out;
	}
	if (err) {
		err = cli_err(c, err, "MAC file %s: %s", file, why);
		goto out;
	}
	if (c->json) {
		json_obj_open(&c->j);
		json_kv_str(&c->j, "file", file);
		json_kv_u64(&c->j, "entries", n);
		json_kv_u64(&c->j, "added", st.added);
		json_kv_u64(&c->j, "moved", st.moved);
		json_kv_u64(&c->j, "unchanged", st.same);
		json_obj_close(&c->j);
		json_end(&c->j);
	} else {
		printf("loaded %zu MACs from %s: %zu added, %zu moved, %zu unchanged\n",
		       n, file, st.added, st.moved, st.same);
	}
out:
	free(e);
	free(v);
	return err;
}

static const struct cli_cmd mac_cmds[] = {
	{"add", mac_add, "mac add MAC --port NAME [--vlan VID] [--replace]"},
	{"del", mac_del, "mac del MAC [--vlan VID]"},
	{"list", mac_list, "mac list [--port NAME]"},
	{"load", mac_load, "mac load FILE [--replace]"},
	{NULL},
};

int cmd_mac(struct vfwd_ctx *c, int argc, char **argv)
{
	return cli_dispatch(c, mac_cmds, "mac subcommand", argc - 1, argv + 1);
}
