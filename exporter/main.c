// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-exporter [--listen ADDR:PORT] [--pin-path DIR]: serves /metrics
 * for Prometheus.  A foreground program that logs to stderr, for systemd.
 * libmicrohttpd serves from one internal thread: scrapes are rare (every
 * few seconds at most) and each reads the maps in milliseconds, so they
 * are answered one after the other.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "exporter.h"
#include "vfwd_maps.h"

#define PROG "vfwd-exporter"
#define USAGE                                                                        \
	"usage: " PROG " [--listen ADDR:PORT] [--pin-path DIR]\n"                    \
	"  --listen ADDR:PORT  where to serve /metrics (default " EXP_DEFAULT_LISTEN \
	"; [ADDR6]:PORT for IPv6)\n"                                                 \
	"  --pin-path DIR      the vfwd installation (default " VFWD_PIN_DIR         \
	")\n"
#define METRICS_PATH "/metrics"
/* The exposition format's content type (text format 0.0.4). */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define ERRLEN 512
/* A client idle this long is dropped: the server has one thread and a
 * bounded number of connections, which idle clients must not hold. */
#define CONN_TIMEOUT_SEC 10
#define CONN_LIMIT 64

struct exp_state {
	const char *pin_dir;
	char last_err[ERRLEN]; /* logged once until it changes */
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **req_cls)
{
	static char not_found[] =
		"vfwd-exporter: metrics are at " METRICS_PATH "\n";
	static char bad_method[] = "vfwd-exporter: only GET and HEAD\n";
	struct exp_state *st = cls;
	char err[ERRLEN];
	char *body;
	size_t len;
	int ret;

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     bad_method, strlen(bad_method),
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, METRICS_PATH))
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	ret = exp_render(st->pin_dir, &body, &len, err, sizeof(err));
	if (ret) {
		fprintf(stderr, PROG ": /metrics: cannot make the reply: %s\n",
			strerror(-ret));
		return MHD_NO;
	}
	/* Say why vfwd_up is 0, once per distinct reason. */
	if (strcmp(err, st->last_err)) {
		if (err[0])
			fprintf(stderr, PROG ": %s\n", err);
		else if (st->last_err[0])
			fprintf(stderr, PROG ": tables in %s readable again\n",
				st->pin_dir);
		snprintf(st->last_err, sizeof(st->last_err), "%s", err);
	}
	return reply(conn, MHD_HTTP_OK, PROM_CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"pin-path", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL},
	};
	const char *listen = EXP_DEFAULT_LISTEN;
	struct exp_state st = {.pin_dir = VFWD_PIN_DIR};
	struct exp_listen l;
	struct MHD_Daemon *d;
	unsigned int flags;
	sigset_t sigs;
	int opt, sig;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen = optarg;
			break;
		case 'p':
			st.pin_dir = optarg;
			break;
		case 'h':
			fputs(USAGE, stdout);
			return 0;
		default:
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (exp_parse_listen(listen, &l)) {
		fprintf(stderr,
			PROG
			": --listen '%s': not ADDR:PORT with a numeric address and a port from 1 to %d\n",
			listen, EXP_PORT_MAX);
		return 2;
	}
	/* SIGINT and SIGTERM are waited for below; blocked before the
	 * server's thread starts, so it inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
		(l.v6 ? MHD_USE_IPv6 : 0);
	d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, &st, MHD_OPTION_SOCK_ADDR,
		l.v6 ? (struct sockaddr *)&l.a6 : (struct sockaddr *)&l.a4,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_SEC,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr,
			PROG
			": cannot listen on %s: libmicrohttpd could not bind it (the port in use, the address not this host's, or not permitted)\n",
			listen);
		return 1;
	}
	fprintf(stderr, PROG ": serving %s on http://%s%s\n", st.pin_dir,
		listen, METRICS_PATH);
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	return 0;
}
