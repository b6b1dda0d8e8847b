// SPDX-License-Identifier: GPL-2.0
/* Per-CPU counters: read summed over CPUs, or reset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_tables.h"

/* The kernel copies per-CPU values out at 8-byte strides per possible CPU;
 * both value structs are multiples of 8 already (asserted in the schema). */
static int percpu_read(int fd, __u32 key, void **vals, int *ncpu, size_t size)
{
	int n = libbpf_num_possible_cpus();

	if (n < 0)
		return n;
	*vals = calloc(n, size);
	if (!*vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, *vals)) {
		int err = -errno;

		free(*vals);
		return err;
	}
	*ncpu = n;
	return 0;
}

int vfwd_stats_read_cpus(const struct vfwd_tables *t, __u32 id,
			 struct vfwd_port_stats **per_cpu, int *ncpu)
{
	return percpu_read(t->stats_fd, id, (void **)per_cpu, ncpu,
			   sizeof(**per_cpu));
}

int vfwd_stats_read(const struct vfwd_tables *t, __u32 id,
		    struct vfwd_port_stats *s)
{
	struct vfwd_port_stats *v;
	int n, err;

	err = vfwd_stats_read_cpus(t, id, &v, &n);
	if (err)
		return err;
	memset(s, 0, sizeof(*s));
	for (int c = 0; c < n; c++) {
		s->rx_packets += v[c].rx_packets;
		s->rx_bytes += v[c].rx_bytes;
		s->tx_packets += v[c].tx_packets;
		s->tx_bytes += v[c].tx_bytes;
		s->rx_dropped += v[c].rx_dropped;
		s->rx_passed += v[c].rx_passed;
		s->spoof_dropped += v[c].spoof_dropped;
		s->flood_packets += v[c].flood_packets;
	}
	free(v);
	return 0;
}

int vfwd_stats_clear(const struct vfwd_tables *t, __u32 id)
{
	int n = libbpf_num_possible_cpus();
	void *zero;
	int err = 0;

	if (n < 0)
		return n;
	zero = calloc(n, sizeof(struct vfwd_port_stats));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(t->stats_fd, &id, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}

int vfwd_reason_read(const struct vfwd_tables *t, __u32 reason,
		     struct vfwd_reason_ctr *c)
{
	struct vfwd_reason_ctr *v;
	int n, err;

	err = percpu_read(t->reason_fd, reason, (void **)&v, &n, sizeof(*v));
	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < n; i++) {
		c->packets += v[i].packets;
		c->bytes += v[i].bytes;
	}
	free(v);
	return 0;
}

static const char *const reason_names[VFWD_R_COUNT] = {
	[VFWD_R_FWD] = "fwd",
	[VFWD_R_BCAST] = "bcast",
	[VFWD_R_MCAST] = "mcast",
	[VFWD_R_UNKNOWN] = "unknown",
	[VFWD_R_PORT_DOWN] = "port_down",
	[VFWD_R_QINQ] = "qinq",
	[VFWD_R_PRIO_TAG] = "prio_tag",
	[VFWD_R_RUNT] = "runt",
	[VFWD_R_VLAN_TRUNC] = "vlan_trunc",
	[VFWD_R_BAD_VID] = "bad_vid",
	[VFWD_R_BAD_SRC] = "bad_src",
	[VFWD_R_SPOOF] = "spoof",
	[VFWD_R_ACCESS_TAGGED] = "access_tagged",
	[VFWD_R_UPLINK] = "uplink",
	[VFWD_R_NO_UPLINK] = "no_uplink",
	[VFWD_R_HAIRPIN] = "hairpin",
	[VFWD_R_ERROR] = "error",
	[VFWD_R_HOST] = "host",
	[VFWD_R_VLAN_DENIED] = "vlan_denied",
	[VFWD_R_OTHER_UPLINK] = "other_uplink",
};

const char *vfwd_reason_str(__u32 reason)
{
	if (reason < VFWD_R_COUNT && reason_names[reason])
		return reason_names[reason];
	return "?";
}
