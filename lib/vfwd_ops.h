/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library layer: vfwd's operations (ports, MACs, uplinks, the repair
 * of drift), written once in publish-last order and shared by the CLI and
 * every later front end (apply, the libvirt hook, vfwd-vhost).  cli/ only
 * parses arguments and prints.  Functions return 0 or a negative errno
 * and explain a failure in the caller's error buffer; they print nothing.
 */
#ifndef VFWD_OPS_H
#define VFWD_OPS_H

#include <stddef.h>
#include "vfwd_tables.h"
#include "vfwd_loader.h"

/* An error message buffer: "what failed and why", one line. */
#define VFWD_ERRLEN 512

#endif /* VFWD_OPS_H */
