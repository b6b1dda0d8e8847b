/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfwd-exporter: serves an installation's counters to Prometheus at
 * /metrics, read from the pinned maps at each scrape (lib/snapshot.h),
 * over libmicrohttpd.
 */
#ifndef VFWD_EXPORTER_H
#define VFWD_EXPORTER_H

#include <stdbool.h>
#include <netinet/in.h>

/*
 * The default port.  Prometheus keeps a list of exporters' default ports
 * (its wiki, "Default port allocations"), whose range 9100-9999 has been
 * fully handed out since 2023; vfwd has no entry there.  9989 is used as
 * the default here and can be changed with --listen; see
 * docs/integration.md before exposing it beyond the host.
 */
#define EXP_DEFAULT_LISTEN "127.0.0.1:9989"
#define EXP_PORT_MAX 65535

struct exp_listen {
	bool v6;
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
};

/* Parse "ADDR:PORT" ("[ADDR6]:PORT" for IPv6; an empty ADDR is every
 * IPv4 address).  0 or -EINVAL. */
int exp_parse_listen(const char *s, struct exp_listen *l);

/* The body of one scrape of the installation at pin_dir, in a malloc()ed
 * buffer: its metrics, or only vfwd_up 0 when its tables cannot be read
 * (why in err).  0, or -errno when not even that could be made. */
int exp_render(const char *pin_dir, char **body, size_t *len, char *err,
	       size_t errlen);

#endif /* VFWD_EXPORTER_H */
