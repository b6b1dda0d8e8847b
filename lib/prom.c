// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition format (version 0.0.4) of a snapshot
 * (lib/snapshot.h).  Written by hand: it is a few printf lines per
 * family, and Debian has no C client library for it (its Prometheus
 * clients are Go, Python and Java).  Families are written whole, one
 * after the other, each with # HELP and # TYPE, as the format asks.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "snapshot.h"

/* The port counters: X(field, help). */
#define PORT_COUNTERS(X)                                                                                  \
	X(rx_packets,                                                                                     \
	  "Frames vfwd received from the port (an uplink: from the wire; a guest port: from the guest).") \
	X(rx_bytes, "Bytes vfwd received from the port.")                                                 \
	X(tx_packets,                                                                                     \
	  "Frames vfwd sent to the port (redirected; what the device did with them is not seen here).")   \
	X(tx_bytes, "Bytes vfwd sent to the port.")                                                       \
	X(rx_dropped, "Frames received from the port that vfwd dropped.")                                 \
	X(rx_passed,                                                                                      \
	  "Frames received from the port that vfwd handed to the kernel.")                                \
	X(spoof_dropped,                                                                                  \
	  "Guest frames dropped for a source MAC not bound to the port.")                                 \
	X(flood_packets,                                                                                  \
	  "Broadcast, multicast and unknown-unicast copies sent out of the port.")

/* A label value with \, " and newline escaped, as the format asks. */
static void put_label(FILE *out, const char *name, const char *v)
{
	fprintf(out, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

/* The uplink a slot belongs to: itself for an uplink, none ("") for a
 * port bound to no uplink. */
static const char *uplink_of(const struct vfwd_snapshot *s, int id)
{
	__u32 up = s->info[id].uplink_id;

	if (s->info[id].kind == VFWD_PORT_UPLINK)
		return s->info[id].name;
	return up && up < VFWD_MAX_PORTS && s->info[up].kind == VFWD_PORT_UPLINK
		       ? s->info[up].name
		       : "";
}

static void port_labels(FILE *out, const struct vfwd_snapshot *s, int id)
{
	fputc('{', out);
	put_label(out, "port", s->info[id].name);
	fputc(',', out);
	put_label(out, "kind", vfwd_port_kind_str(s->info[id].kind));
	fputc(',', out);
	put_label(out, "uplink", uplink_of(s, id));
	fputc('}', out);
}

static void port_family(FILE *out, const struct vfwd_snapshot *s,
			const char *name, const char *help, size_t off,
			bool xsk)
{
	bool head = false;

	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		const void *base = xsk ? (const void *)&s->xsk[id]
				       : (const void *)&s->port[id];

		if (!s->used[id] || (xsk && !vfwd_port_is_xsk(&s->info[id])))
			continue;
		if (!head) {
			family(out, name, help);
			head = true;
		}
		fputs(name, out);
		port_labels(out, s, id);
		fprintf(out, " %llu\n",
			*(const unsigned long long *)((const char *)base +
						      off));
	}
}

/* Tap and veth ports' post-redirect drops, while they are counted. */
static void xmit_family(FILE *out, const struct vfwd_snapshot *s)
{
	static const char name[] = "vfwd_port_tx_dropped_total";
	bool head = false;

	for (int id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		if (!vfwd_snapshot_has_xmit(s, id))
			continue;
		if (!head) {
			family(out, name,
			       "Frames vfwd sent to the port that its device refused (tx_packets less this arrived).");
			head = true;
		}
		fputs(name, out);
		port_labels(out, s, id);
		fprintf(out, " %llu\n", s->xmit[id].drops);
	}
}

/* What vfwd_uplink steered into the CPUMAP, per CPU, and what of it the
 * CPU's queue had no room for. */
static void cpumap_family(FILE *out, const struct vfwd_snapshot *s,
			  const char *name, const char *help, bool drops)
{
	if (!s->cpumap_on)
		return;
	family(out, name, help);
	for (int cpu = 0; cpu < s->ncpus; cpu++)
		fprintf(out, "%s{cpu=\"%d\"} %llu\n", name, cpu,
			drops ? s->cpumap[cpu].drops : s->cpumap[cpu].sent);
}

static void reason_family(FILE *out, const struct vfwd_snapshot *s,
			  const char *name, const char *help, bool bytes)
{
	family(out, name, help);
	for (__u32 r = 0; r < VFWD_R_COUNT; r++) {
		fprintf(out, "%s{", name);
		put_label(out, "reason", vfwd_reason_str(r));
		fputc(',', out);
		put_label(out, "action", vfwd_reason_action_str(r));
		fprintf(out, "} %llu\n",
			bytes ? s->reason[r].bytes : s->reason[r].packets);
	}
}

int vfwd_prom_write(FILE *out, const struct vfwd_snapshot *s)
{
#define X(f, help)                                                             \
	port_family(out, s, "vfwd_port_" #f "_total", help,                    \
		    offsetof(struct vfwd_port_stats, f), false);
	PORT_COUNTERS(X)
#undef X
	xmit_family(out, s);
	cpumap_family(out, s, "vfwd_cpumap_steered_total",
		      "Frames vfwd steered into the CPUMAP queue of the CPU.",
		      false);
	cpumap_family(
		out, s, "vfwd_cpumap_dropped_total",
		"Frames steered to the CPU that its CPUMAP queue had no room for (counted as fwd, never sent to their port).",
		true);
	reason_family(
		out, s, "vfwd_reason_packets_total",
		"Frames vfwd handled, by why it did what it did (every frame under exactly one reason).",
		false);
	reason_family(out, s, "vfwd_reason_bytes_total",
		      "Bytes vfwd handled, by reason.", true);
#define X(f, help)                                                             \
	port_family(out, s, "vfwd_xsk_" #f "_total", help,                     \
		    offsetof(struct vfwd_xsk_stats, f), true);
	VFWD_XSK_COUNTERS(X)
#undef X
	return fflush(out) || ferror(out) ? -EIO : 0;
}
