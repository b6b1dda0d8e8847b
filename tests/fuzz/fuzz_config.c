// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the configuration parser (lib/config.c) and writer
 * (lib/config_write.c).  Whatever the parser accepts must be a valid
 * configuration (names valid, VLANs in range, unicast MACs, no MAC bound
 * twice, every MAC's port listed), and writing it out and reading that
 * back, as YAML and as JSON, must give the same configuration: what
 * `dump-config | apply -f -` relies on.  A refusal must name the file and
 * a line.  AddressSanitizer catches the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "vfwd_ops.h"
#include "vfwd_tables.h"

#define NAME "f.yaml"

static void check_valid(const struct vfwd_config *c)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		const struct vfwd_cfg_port *p = &c->ports[i];

		if (!vfwd_port_name_valid(p->name) || p->vid > VFWD_VID_MAX)
			abort();
		if (p->xsk ? !p->vhost_socket[0] || p->dev[0] : !p->dev[0])
			abort();
	}
	for (size_t i = 0; i < c->n_macs; i++) {
		const struct vfwd_cfg_mac *m = &c->macs[i];
		bool found = false;

		if (!vfwd_mac_is_unicast(m->mac) || m->vid > VFWD_VID_MAX)
			abort();
		for (size_t j = 0; j < c->n_ports; j++)
			found |= !strcmp(c->ports[j].name, m->port);
		for (size_t j = 0; j < i; j++)
			if (!memcmp(c->macs[j].mac, m->mac, VFWD_ETH_ALEN) &&
			    c->macs[j].vid == m->vid)
				abort();
		if (!found)
			abort();
	}
}

/* Equal but for the lines items came from. */
static void check_same(const struct vfwd_config *a, const struct vfwd_config *b)
{
	if (a->n_uplinks != b->n_uplinks || a->n_ports != b->n_ports ||
	    a->n_macs != b->n_macs)
		abort();
	for (size_t i = 0; i < a->n_uplinks; i++) {
		struct vfwd_cfg_uplink x, y;

		/* memcpy, not assignment: memcmp below compares the padding
		 * too, which calloc zeroed and assignment may not copy. */
		memcpy(&x, &a->uplinks[i], sizeof(x));
		memcpy(&y, &b->uplinks[i], sizeof(y));
		x.line = y.line = 0;
		if (memcmp(&x, &y, sizeof(x)))
			abort();
	}
	for (size_t i = 0; i < a->n_ports; i++) {
		struct vfwd_cfg_port x, y;

		memcpy(&x, &a->ports[i], sizeof(x));
		memcpy(&y, &b->ports[i], sizeof(y));

		/* Placement is written only with a CPU set, where it
		 * means something; the parser's default fills it in. */
		x.line = y.line = 0;
		x.placement_set = y.placement_set = false;
		if (!x.cpus[0] && !x.vm_pid)
			x.placement = y.placement;
		if (memcmp(&x, &y, sizeof(x)))
			abort();
	}
	for (size_t i = 0; i < a->n_macs; i++) {
		const struct vfwd_cfg_mac *x = &a->macs[i], *y = &b->macs[i];

		if (memcmp(x->mac, y->mac, VFWD_ETH_ALEN) || x->vid != y->vid ||
		    strcmp(x->port, y->port))
			abort();
	}
}

static void round_trip(const struct vfwd_config *c, bool json)
{
	struct vfwd_config back;
	char err[VFWD_ERRLEN];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || vfwd_config_write(c, f, json, false) || fclose(f))
		abort();
	if (vfwd_config_parse(NAME, buf, len, &back, err, sizeof(err)))
		abort();
	check_same(c, &back);
	vfwd_config_free(&back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfwd_config c;
	char err[VFWD_ERRLEN] = "";

	if (vfwd_config_parse(NAME, (const char *)data, size, &c, err,
			      sizeof(err))) {
		if (strncmp(err, NAME ":", strlen(NAME ":")))
			abort(); /* a refusal names the file and line */
		return 0;
	}
	check_valid(&c);
	round_trip(&c, false);
	round_trip(&c, true);
	vfwd_config_free(&c);
	return 0;
}
