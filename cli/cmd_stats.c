// SPDX-License-Identifier: GPL-2.0
/* vfwd stats: per-port counters and per-reason counts, once or as rates. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "snapshot.h"

#define STATS_USAGE                                                            \
	"usage: vfwd stats [--port NAME] [--interval SEC] [--count N] | [--port NAME] --per-cpu | [--port NAME] --prometheus"
#define NSEC_PER_SEC 1000000000.0
#define BITS_PER_BYTE 8
/*
 * Longest --interval: one hour.  A rate is for watching traffic change;
 * averaged over more than an hour it hides what it is meant to show, and
 * a larger value is far more likely a slip (milliseconds typed as
 * seconds) than a wish to wait a day for the first line.  It also keeps
 * the sleep well inside what a timespec holds.
 */
#define INTERVAL_MAX_SEC 3600
/* Fraction digits of --interval: nanoseconds, nanosleep()'s resolution;
 * more would be dropped without a word. */
#define INTERVAL_FRAC_DIGITS 9
#define DECIMAL_BASE 10

static void xsk_fields(struct json *j, const struct vfwd_xsk_stats *x)
{
#define X(f, help) json_kv_u64(j, #f, x->f);
	VFWD_XSK_COUNTERS(X)
#undef X
}

/* The AF_XDP ports' daemon counters, after the port table. */
static void print_xsk_text(const struct vfwd_snapshot *s)
{
	bool head = false;

	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (!s->used[id] || !vfwd_port_is_xsk(&s->info[id]))
			continue;
		if (!head) {
			printf("\n%-15s", "XSK PORT");
#define X(f, help) printf(" %s", #f);
			VFWD_XSK_COUNTERS(X)
#undef X
			printf("\n");
			head = true;
		}
		printf("%-15s", s->info[id].name);
#define X(f, help) printf(" %*llu", (int)sizeof(#f) - 1, s->xsk[id].f);
		VFWD_XSK_COUNTERS(X)
#undef X
		printf("\n");
	}
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* The counter columns of one port (or one port on one CPU), shared by
 * the totals and --per-cpu. */
static void counter_heads(void)
{
	printf("%12s %14s %12s %14s %10s %10s %10s %10s", "RX_PACKETS",
	       "RX_BYTES", "TX_PACKETS", "TX_BYTES", "RX_DROPPED", "RX_PASSED",
	       "SPOOF_DROP", "FLOOD_TX");
}

static void counter_cols(const struct vfwd_port_stats *p)
{
	printf("%12llu %14llu %12llu %14llu %10llu %10llu %10llu %10llu",
	       p->rx_packets, p->rx_bytes, p->tx_packets, p->tx_bytes,
	       p->rx_dropped, p->rx_passed, p->spoof_dropped, p->flood_packets);
}

static void counter_fields(struct json *j, const struct vfwd_port_stats *p)
{
	json_kv_u64(j, "rx_packets", p->rx_packets);
	json_kv_u64(j, "rx_bytes", p->rx_bytes);
	json_kv_u64(j, "tx_packets", p->tx_packets);
	json_kv_u64(j, "tx_bytes", p->tx_bytes);
	json_kv_u64(j, "rx_dropped", p->rx_dropped);
	json_kv_u64(j, "rx_passed", p->rx_passed);
	json_kv_u64(j, "spoof_dropped", p->spoof_dropped);
	json_kv_u64(j, "flood_packets", p->flood_packets);
}

static bool counters_zero(const struct vfwd_port_stats *p)
{
	static const struct vfwd_port_stats zero;

	return !memcmp(p, &zero, sizeof(zero));
}

/* --per-cpu: where each port's frames were handled, CPU by CPU (CPUs that
 * handled none are left out).  With CPU steering this shows how a port's
 * flows spread over its CPUs. */
static int print_per_cpu(struct vfwd_ctx *c, const struct vfwd_snapshot *s)
{
	struct json *j = &c->j;
	struct vfwd_port_stats *v;
	int n, err;

	if (c->json) {
		json_obj_open(j);
		json_key(j, "ports");
		json_arr_open(j);
	} else {
		printf("%-15s %-4s ", "PORT", "CPU");
		counter_heads();
		printf("\n");
	}
	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (!s->used[id])
			continue;
		err = vfwd_stats_read_cpus(&c->t, id, &v, &n);
		if (err)
			return cli_err(
				c, err,
				"stats: port '%s': cannot read counters: %s",
				s->info[id].name, strerror(-err));
		if (c->json) {
			json_obj_open(j);
			json_kv_u64(j, "id", id);
			json_kv_str(j, "name", s->info[id].name);
			json_key(j, "per_cpu");
			json_arr_open(j);
		}
		for (int cpu = 0; cpu < n; cpu++) {
			if (counters_zero(&v[cpu]))
				continue;
			if (!c->json) {
				printf("%-15s %-4d ", s->info[id].name, cpu);
				counter_cols(&v[cpu]);
				printf("\n");
				continue;
			}
			json_obj_open(j);
			json_kv_u64(j, "cpu", cpu);
			counter_fields(j, &v[cpu]);
			json_obj_close(j);
		}
		free(v);
		if (c->json) {
			json_arr_close(j);
			json_obj_close(j);
		}
	}
	if (c->json) {
		json_arr_close(j);
		json_obj_close(j);
		json_end(j);
	}
	return 0;
}

/* What the CPUMAP took in and dropped per CPU, for CPUs it was used on:
 * the reason fwd counts a steered frame when the uplink redirects it,
 * the port's tx_packets when it left the queue; dropped is the rest. */
static void print_cpumap(struct vfwd_ctx *c, const struct vfwd_snapshot *s)
{
	struct json *j = &c->j;
	bool head = false;

	if (c->json) {
		/* null: not counted (the counter is not attached). */
		json_key(j, "cpumap");
		if (!s->cpumap_on) {
			json_null(j);
			return;
		}
		json_arr_open(j);
	}
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct vfwd_xmit_ctr *q = &s->cpumap[cpu];

		if (!q->sent && !q->drops)
			continue;
		if (c->json) {
			json_obj_open(j);
			json_kv_u64(j, "cpu", cpu);
			json_kv_u64(j, "steered", q->sent);
			json_kv_u64(j, "dropped", q->drops);
			json_obj_close(j);
			continue;
		}
		if (!head)
			printf("\n%-4s %12s %12s\n", "CPU", "STEERED",
			       "CPUMAP_DROP");
		head = true;
		printf("%-4d %12llu %12llu\n", cpu, q->sent, q->drops);
	}
	if (c->json)
		json_arr_close(j);
}

static void print_totals(struct vfwd_ctx *c, const struct vfwd_snapshot *s)
{
	struct json *j = &c->j;

	if (c->json) {
		json_obj_open(j);
		json_key(j, "ports");
		json_arr_open(j);
	} else {
		printf("%-15s %-7s ", "PORT", "KIND");
		counter_heads();
		printf(" %10s\n", "TX_DROPPED");
	}
	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		const struct vfwd_port_stats *p = &s->port[id];

		if (!s->used[id])
			continue;
		if (!c->json) {
			printf("%-15s %-7s ", s->info[id].name,
			       vfwd_port_kind_str(s->info[id].kind));
			counter_cols(p);
			if (vfwd_snapshot_has_xmit(s, id))
				printf(" %10llu\n", s->xmit[id].drops);
			else
				printf(" %10s\n", "-");
			continue;
		}
		json_obj_open(j);
		json_kv_u64(j, "id", id);
		json_kv_str(j, "name", s->info[id].name);
		json_kv_str(j, "kind", vfwd_port_kind_str(s->info[id].kind));
		counter_fields(j, p);
		/* What the device refused after the redirect: tx_packets
		 * less this arrived.  null: not counted (not a tap or veth,
		 * or the drop counter is not attached). */
		json_key(j, "tx_dropped");
		if (vfwd_snapshot_has_xmit(s, id))
			json_u64(j, s->xmit[id].drops);
		else
			json_null(j);
		if (vfwd_port_is_xsk(&s->info[id])) {
			json_key(j, "xsk");
			json_obj_open(j);
			xsk_fields(j, &s->xsk[id]);
			json_obj_close(j);
		}
		json_obj_close(j);
	}
	if (c->json) {
		json_arr_close(j);
		json_key(j, "reasons");
		json_obj_open(j);
	} else {
		print_xsk_text(s);
		printf("\n%-14s %-9s %12s %14s\n", "REASON", "ACTION",
		       "PACKETS", "BYTES");
	}
	for (__u32 r = 0; r < VFWD_R_COUNT; r++) {
		if (!c->json) {
			printf("%-14s %-9s %12llu %14llu\n", vfwd_reason_str(r),
			       vfwd_reason_action_str(r), s->reason[r].packets,
			       s->reason[r].bytes);
			continue;
		}
		json_key(j, vfwd_reason_str(r));
		json_obj_open(j);
		json_kv_str(j, "action", vfwd_reason_action_str(r));
		json_kv_u64(j, "packets", s->reason[r].packets);
		json_kv_u64(j, "bytes", s->reason[r].bytes);
		json_obj_close(j);
	}
	if (c->json)
		json_obj_close(j);
	print_cpumap(c, s);
	if (c->json) {
		json_obj_close(j);
		json_end(j);
	}
}

static double rate(__u64 now, __u64 then, double dt)
{
	return now >= then ? (now - then) / dt : 0;
}

/* One interval's rates; a port added meanwhile starts from zero. */
static void print_rates(struct vfwd_ctx *c, const struct vfwd_snapshot *a,
			const struct vfwd_snapshot *b)
{
	double dt = b->t - a->t;
	struct json *j = &c->j;

	if (c->json) {
		json_obj_open(j);
		json_key(j, "interval");
		json_double(j, dt);
		json_key(j, "ports");
		json_arr_open(j);
	} else {
		printf("%-15s %12s %14s %12s %14s %10s\n", "PORT", "RX_PPS",
		       "RX_BPS", "TX_PPS", "TX_BPS", "DROP_PPS");
	}
	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		const struct vfwd_port_stats *x = &b->port[id];
		struct vfwd_port_stats zero = {};
		const struct vfwd_port_stats *o =
			a->used[id] ? &a->port[id] : &zero;
		double rxp, rxb, txp, txb, drp;

		if (!b->used[id])
			continue;
		rxp = rate(x->rx_packets, o->rx_packets, dt);
		rxb = rate(x->rx_bytes, o->rx_bytes, dt) * BITS_PER_BYTE;
		txp = rate(x->tx_packets, o->tx_packets, dt);
		txb = rate(x->tx_bytes, o->tx_bytes, dt) * BITS_PER_BYTE;
		drp = rate(x->rx_dropped, o->rx_dropped, dt);
		if (!c->json) {
			printf("%-15s %12.0f %14.0f %12.0f %14.0f %10.0f\n",
			       b->info[id].name, rxp, rxb, txp, txb, drp);
			continue;
		}
		json_obj_open(j);
		json_kv_str(j, "name", b->info[id].name);
		json_key(j, "rx_pps");
		json_double(j, rxp);
		json_key(j, "rx_bps");
		json_double(j, rxb);
		json_key(j, "tx_pps");
		json_double(j, txp);
		json_key(j, "tx_bps");
		json_double(j, txb);
		json_key(j, "rx_drop_pps");
		json_double(j, drp);
		json_obj_close(j);
	}
	if (c->json) {
		json_arr_close(j);
		json_obj_close(j);
		fflush(stdout);
	} else {
		printf("\n");
		fflush(stdout);
	}
}

/*
 * --interval SEC: a decimal like 1, 0.5 or 2.25, above 0 and at most
 * INTERVAL_MAX_SEC.  Parsed by hand, not with strtod(), which also takes
 * "inf", "nan", "1e999" (infinity), hex floats and leading spaces: an
 * infinite interval never prints and never ends.
 */
static int parse_interval(const char *s, struct timespec *ts)
{
	const char *p;
	__u32 sec, nsec = 0;
	int digits = 0, err;

	err = vfwd_parse_u32_prefix(s, &p, 0, INTERVAL_MAX_SEC, &sec);
	if (err)
		return err;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++digits > INTERVAL_FRAC_DIGITS)
				return -EINVAL;
			nsec = nsec * DECIMAL_BASE + (__u32)(*p - '0');
		}
		if (!digits)
			return -EINVAL;
		for (; digits < INTERVAL_FRAC_DIGITS; digits++)
			nsec *= DECIMAL_BASE;
	}
	if (*p)
		return -EINVAL;
	if ((!sec && !nsec) || (sec == INTERVAL_MAX_SEC && nsec))
		return -ERANGE;
	ts->tv_sec = sec;
	ts->tv_nsec = nsec;
	return 0;
}

int cmd_stats(struct vfwd_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"interval", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'n'},
		{"per-cpu", no_argument, NULL, 'c'},
		{"prometheus", no_argument, NULL, 'P'},
		{NULL},
	};
	bool per_cpu = false, prom = false;
	const char *pname = NULL;
	struct timespec interval = {};
	bool interval_given = false;
	__u32 count = 0;
	struct cli_getopt g = {.opts = opts, .usage = STATS_USAGE};
	struct vfwd_snapshot *s[2];
	struct vfwd_port p;
	int opt, err, only = -1;

	while ((opt = cli_getopt(c, argc, argv, &g)) > 0) {
		switch (opt) {
		case 'p':
			pname = optarg;
			break;
		case 'i':
			if (parse_interval(optarg, &interval))
				return cli_err(
					c, -EINVAL,
					"stats: invalid --interval '%s'; give seconds above 0 and at most %d as a plain decimal, like 1 or 0.5",
					optarg, INTERVAL_MAX_SEC);
			interval_given = true;
			break;
		case 'n':
			if (vfwd_parse_u32(optarg, 1, UINT32_MAX, &count))
				return cli_err(
					c, -EINVAL,
					"stats: invalid --count '%s'; give a whole number from 1 to %u " CLI_DECIMAL,
					optarg, UINT32_MAX);
			break;
		case 'c':
			per_cpu = true;
			break;
		case 'P':
			prom = true;
			break;
		}
	}
	if (opt < 0)
		return opt;
	if (optind != argc || (count && !interval_given) ||
	    (per_cpu && interval_given) ||
	    (prom && (per_cpu || interval_given)))
		return cli_err(
			c, -EINVAL, "%s%s", STATS_USAGE,
			prom && (per_cpu || interval_given)
				? " (--prometheus prints the totals once, as a scrape would see them)"
			: per_cpu && interval_given
				? " (--per-cpu shows totals; it takes no --interval)"
			: count ? " (--count needs --interval)"
				: "");
	if (prom && c->json)
		return cli_err(
			c, -EINVAL,
			"stats: -j and --prometheus are two output formats; give one");
	err = ctx_open(c, CTX_READ);
	if (err)
		return err;
	if (pname) {
		only = cli_port_lookup(c, pname, &p);
		if (only < 0)
			return only;
	}
	s[0] = calloc(1, sizeof(*s[0]));
	s[1] = calloc(1, sizeof(*s[1]));
	if (!s[0] || !s[1]) {
		err = cli_err(c, -ENOMEM, "stats: out of memory");
		goto out;
	}
	err = vfwd_snapshot_take(&c->t, c->pin_dir, only, s[0]);
	if (err) {
		err = cli_err(c, err, "stats: cannot read counters: %s",
			      strerror(-err));
		goto out;
	}
	if (per_cpu) {
		err = print_per_cpu(c, s[0]);
		goto out;
	}
	if (prom) {
		err = vfwd_prom_write(stdout, s[0]);
		if (err)
			err = cli_err(c, err,
				      "stats: cannot write the metrics: %s",
				      strerror(-err));
		goto out;
	}
	if (!interval_given) {
		print_totals(c, s[0]);
		goto out;
	}

	/* Interval mode: -j streams one JSON array, closed on exit or on
	 * Ctrl-C, so the output stays one document. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (c->json)
		json_arr_open(&c->j);
	for (__u32 i = 0; !stop && (!count || i < count); i++) {
		struct timespec ts = interval;
		struct vfwd_snapshot *t;

		while (nanosleep(&ts, &ts) && !stop)
			;
		if (stop)
			break;
		err = vfwd_snapshot_take(&c->t, c->pin_dir, only, s[1]);
		if (err) {
			err = cli_err(c, err, "stats: cannot read counters: %s",
				      strerror(-err));
			break;
		}
		print_rates(c, s[0], s[1]);
		t = s[0];
		s[0] = s[1];
		s[1] = t;
	}
	if (c->json) {
		json_arr_close(&c->j);
		json_end(&c->j);
	}
out:
	free(s[0]);
	free(s[1]);
	return err;
}
