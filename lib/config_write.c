// SPDX-License-Identifier: GPL-2.0
/*
 * Writing the declarative configuration (vfwd dump-config).  The document
 * is written with the project's one JSON writer (lib/json.c, on
 * libfyaml).  YAML is that JSON read back by libfyaml and emitted in
 * block style: strings keep the double quotes they came with, so none is
 * ever read back as something else (a port named "100", a socket path
 * starting with '!', which libfyaml's emitter would otherwise write as a
 * plain scalar that reads back as a tag).
 */
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "json.h"
#include "vfwd_tables.h"

static void uplink_obj(struct json *j, const struct vfwd_cfg_uplink *u)
{
	json_obj_open(j);
	json_kv_str(j, "dev", u->dev);
	json_kv_str(j, "mode", vfwd_cfg_mode_str(u->xdp_mode));
	json_kv_str(j, "bum", u->bum_flood ? "flood" : "pass");
	json_obj_close(j);
}

static void port_obj(struct json *j, const struct vfwd_cfg_port *p)
{
	json_obj_open(j);
	json_kv_str(j, "name", p->name);
	if (p->xsk) {
		json_kv_bool(j, "xsk", true);
		json_kv_str(j, "vhost-socket", p->vhost_socket);
		json_kv_bool(j, "vhost-server", p->vhost_server);
	} else {
		json_kv_str(j, "dev", p->dev);
	}
	json_kv_u64(j, "vlan", p->vid);
	if (p->uplink[0])
		json_kv_str(j, "uplink", p->uplink);
	json_kv_bool(j, "spoofchk", p->spoofchk);
	if (p->cpus[0])
		json_kv_str(j, "cpus", p->cpus);
	if (p->vm_pid)
		json_kv_u64(j, "vm-pid", p->vm_pid);
	/* Placement and rps mean something only with a CPU set. */
	if (p->cpus[0] || p->vm_pid) {
		json_kv_str(j, "placement",
			    vfwd_cfg_placement_str(p->placement));
		json_kv_bool(j, "rps", p->rps);
	}
	json_obj_close(j);
}

static void mac_obj(struct json *j, const struct vfwd_cfg_mac *m)
{
	char s[VFWD_MAC_STRLEN];

	vfwd_mac_format(m->mac, s);
	json_obj_open(j);
	json_kv_str(j, "mac", s);
	json_kv_str(j, "port", m->port);
	json_kv_u64(j, "vlan", m->vid);
	json_obj_close(j);
}

static int write_json(const struct vfwd_config *cfg, FILE *out, bool pretty)
{
	struct json j;

	json_init(&j, out, pretty);
	json_obj_open(&j);
	json_key(&j, "uplinks");
	json_arr_open(&j);
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		uplink_obj(&j, &cfg->uplinks[i]);
	json_arr_close(&j);
	json_key(&j, "ports");
	json_arr_open(&j);
	for (size_t i = 0; i < cfg->n_ports; i++)
		port_obj(&j, &cfg->ports[i]);
	json_arr_close(&j);
	json_key(&j, "macs");
	json_arr_open(&j);
	for (size_t i = 0; i < cfg->n_macs; i++)
		mac_obj(&j, &cfg->macs[i]);
	json_arr_close(&j);
	json_obj_close(&j);
	return json_end(&j);
}

/* The JSON text as YAML in block style (see above). */
static int write_yaml(const char *json, size_t len, FILE *out)
{
	struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET};
	struct fy_document *doc;
	int ret;

	doc = fy_document_build_from_string(&pcfg, json, len);
	if (!doc)
		return -EINVAL;
	ret = fy_emit_document_to_fp(
		      doc, FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF,
		      out)
		      ? -EIO
		      : 0;
	fy_document_destroy(doc);
	return ret;
}

int vfwd_config_write(const struct vfwd_config *cfg, FILE *out, bool json,
		      bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	if (json)
		return write_json(cfg, out, pretty);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return -errno;
	ret = write_json(cfg, mem, false);
	if (fclose(mem) && !ret)
		ret = -EIO;
	if (!ret)
		ret = write_yaml(buf, len, out);
	free(buf);
	return ret;
}
