// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mac load's line parser (vfwd_mac_line_parse).  The
 * input is a MAC file; each line is parsed against a fixed port table as
 * `mac load` would, and what the parser accepts must be a binding the
 * table could hold: a unicast MAC, a VID in range, an existing guest
 * port, an access port's MACs on its own VLAN, the port's flags.  A
 * refusal must say which line.  AddressSanitizer catches the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vfwd_ops.h"

/* mac load's longest line (cli/cmd_mac.c LOAD_LINE_MAX). */
#define LINE_MAX_LEN 256
#define TRUNK_ID 3
#define ACCESS_ID 7
#define ACCESS_VID 100

static struct vfwd_port ports[VFWD_MAX_PORTS];

static void setup(void)
{
	strcpy(ports[TRUNK_ID].name, "vm1");
	ports[TRUNK_ID].kind = VFWD_PORT_TAP;
	strcpy(ports[ACCESS_ID].name, "vm2");
	ports[ACCESS_ID].kind = VFWD_PORT_TAP;
	ports[ACCESS_ID].vid = ACCESS_VID;
}

static void check_line(char *line, int lineno)
{
	char err[VFWD_ERRLEN] = "";
	char where[32];
	struct vfwd_mac_line it;
	int ret;

	ret = vfwd_mac_line_parse("f", lineno, line, ports, &it, err,
				  sizeof(err));
	if (ret == 1)
		return;
	if (ret < 0) {
		snprintf(where, sizeof(where), "f:%d: ", lineno);
		if (strncmp(err, where, strlen(where)))
			abort(); /* a refusal names the file and line */
		return;
	}
	if (ret != 0 || it.line != lineno || !vfwd_mac_is_unicast(it.key.mac))
		abort();
	if (it.key.vid > VFWD_VID_MAX)
		abort();
	if (it.port_id != TRUNK_ID && it.port_id != ACCESS_ID)
		abort();
	if (it.port_id == ACCESS_ID &&
	    (it.key.vid != ACCESS_VID ||
	     it.flags != (VFWD_MAC_STATIC | VFWD_MAC_ACCESS)))
		abort();
	if (it.port_id == TRUNK_ID && it.flags != VFWD_MAC_STATIC)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[LINE_MAX_LEN + 1];
	size_t i = 0, start = 0;
	int lineno = 0;

	if (!ports[TRUNK_ID].name[0])
		setup();
	/* Lines as fgets() hands them to mac load: at most LINE_MAX_LEN
	 * bytes, NUL-free (a NUL ends the string early, as it would). */
	for (i = 0; i <= size; i++) {
		size_t n;

		if (i < size && data[i] != '\n' && i - start < LINE_MAX_LEN)
			continue;
		n = i - start;
		memcpy(line, data + start, n);
		line[n] = '\0';
		check_line(line, ++lineno);
		start = i + 1;
	}
	return 0;
}
