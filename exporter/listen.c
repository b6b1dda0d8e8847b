// SPDX-License-Identifier: GPL-2.0
/* --listen ADDR:PORT for vfwd-exporter (exporter/exporter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "exporter.h"

/* "127.0.0.1:9000", "[::1]:9000", or ":9000" (every IPv4 address).
 * Numeric only: an exporter binds what it is told, it does not resolve
 * names at start-up. */
int exp_parse_listen(const char *s, struct exp_listen *l)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t hlen;
	char *end;
	long port;

	/* Digits only: strtol would also take a sign or spaces. */
	if (!colon || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end || errno || port < 1 || port > EXP_PORT_MAX)
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(l, 0, sizeof(*l));
	if (host[0] == '[') {
		if (hlen < 2 || host[hlen - 1] != ']')
			return -EINVAL;
		host[hlen - 1] = '\0';
		l->v6 = true;
		l->a6.sin6_family = AF_INET6;
		l->a6.sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &l->a6.sin6_addr) == 1
			       ? 0
			       : -EINVAL;
	}
	l->a4.sin_family = AF_INET;
	l->a4.sin_port = htons((uint16_t)port);
	if (!hlen) {
		l->a4.sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return inet_pton(AF_INET, host, &l->a4.sin_addr) == 1 ? 0 : -EINVAL;
}
