// SPDX-License-Identifier: GPL-2.0
/* Host CPUs and NUMA nodes from sysfs, and placement of a port's work. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vfwd_cpus.h"
#include "vfwd_tables.h"

/* Room for a CPU set in a message; a set too long for it is summarised. */
#define SET_TEXT_LEN 128
/* place_same_node(): a vCPU whose frames already have a CPU.  Node ids
 * are >= 0. */
#define PLACED (-1)

void vfwd_cpus_msg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

int vfwd_read_text(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t r;
	char extra;
	int fd, err = 0;

	if (len == 0)
		return -EFBIG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs and proc report no useful size: read until EOF. */
	while (off < len - 1) {
		r = read(fd, buf + off, len - 1 - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	buf[off] = '\0';
	/* Full buffer: only a clean EOF means the whole file is in it. */
	if (off == len - 1) {
		do
			r = read(fd, &extra, 1);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			err = -errno;
		else if (r > 0)
			err = -EFBIG;
	}
out:
	close(fd);
	return err;
}

static int read_cpulist(const char *path, bool allow_empty,
			struct vfwd_cpuset *s)
{
	char *buf;
	int err;

	buf = malloc(VFWD_CPULIST_MAX);
	if (!buf)
		return -ENOMEM;
	err = vfwd_read_text(path, buf, VFWD_CPULIST_MAX);
	/* Longer than any list of CPUs below the limit can be. */
	if (err == -EFBIG)
		err = -ERANGE;
	if (!err)
		err = allow_empty ? vfwd_cpuset_parse_any(buf, s)
				  : vfwd_cpuset_parse(buf, s);
	free(buf);
	return err;
}

static int read_cpu_file(const char *sysfs, const char *name,
			 struct vfwd_cpuset *s)
{
	char path[PATH_MAX];
	int w;

	w = snprintf(path, sizeof(path), "%s/devices/system/cpu/%s", sysfs,
		     name);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	return read_cpulist(path, false, s);
}

int vfwd_cpus_possible(const char *sysfs, struct vfwd_cpuset *s)
{
	return read_cpu_file(sysfs, "possible", s);
}

int vfwd_cpus_online(const char *sysfs, struct vfwd_cpuset *s)
{
	return read_cpu_file(sysfs, "online", s);
}

int vfwd_cpu_node(const char *sysfs, unsigned int cpu)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int node;
	int w, ret = 0;
	DIR *dir;

	w = snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu%u", sysfs,
		     cpu);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	dir = opendir(path);
	if (!dir)
		return -errno;
	/* The kernel links cpuC/nodeN to the CPU's node; without NUMA there
	 * is no link and everything is node 0. */
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "node", 4) ||
		    vfwd_parse_u32(de->d_name + 4, 0, INT_MAX, &node))
			continue;
		ret = (int)node;
		break;
	}
	closedir(dir);
	return ret;
}

int vfwd_node_cpus(const char *sysfs, int node, struct vfwd_cpuset *s)
{
	char path[PATH_MAX];
	int w, err;

	if (node < 0)
		return -EINVAL;
	w = snprintf(path, sizeof(path),
		     "%s/devices/system/node/node%d/cpulist", sysfs, node);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	/* A memory-only node has an empty cpulist: an empty set, no error. */
	err = read_cpulist(path, true, s);
	if (err == -ENOENT && node == 0)
		return vfwd_cpus_online(sysfs, s);
	return err;
}

/* s as a cpulist for a message, or a summary when it is too long. */
static void set_text(const struct vfwd_cpuset *s, char *buf, size_t len)
{
	if (vfwd_cpuset_count(s) == 0)
		snprintf(buf, len, "none");
	else if (vfwd_cpuset_format(s, buf, len))
		snprintf(buf, len, "%u CPUs from %d", vfwd_cpuset_count(s),
			 vfwd_cpuset_first(s));
}

/* The host's CPUs of list name ("possible", "online") into s; on
 * failure, why in msg. */
static int host_cpus(const char *sysfs, const char *name, struct vfwd_cpuset *s,
		     char *msg, size_t len)
{
	int err = read_cpu_file(sysfs, name, s);

	if (err)
		vfwd_cpus_msg(msg, len,
			      "cannot read the host's %s CPUs from %s: %s",
			      name, sysfs, strerror(-err));
	return err;
}

int vfwd_cpus_check(const char *sysfs, const __u16 *cpus, unsigned int n,
		    char *msg, size_t len)
{
	struct vfwd_cpuset possible, online;
	char text[SET_TEXT_LEN];
	unsigned int i;
	int err;

	err = host_cpus(sysfs, "possible", &possible, msg, len);
	if (!err)
		err = host_cpus(sysfs, "online", &online, msg, len);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (!vfwd_cpuset_has(&possible, cpus[i])) {
			set_text(&possible, text, sizeof(text));
			vfwd_cpus_msg(
				msg, len,
				"CPU %u does not exist on this host (CPUs %s)",
				cpus[i], text);
			return -ENODEV;
		}
		if (!vfwd_cpuset_has(&online, cpus[i])) {
			set_text(&online, text, sizeof(text));
			vfwd_cpus_msg(msg, len,
				      "CPU %u is offline (online CPUs: %s)",
				      cpus[i], text);
			return -ENXIO;
		}
	}
	return 0;
}

/* The CPU that is pick-th in s, counting round and round. */
static int nth_cpu(const struct vfwd_cpuset *s, unsigned int count,
		   unsigned int pick)
{
	int cpu = vfwd_cpuset_first(s);

	for (pick %= count; pick; pick--)
		cpu = vfwd_cpuset_next(s, cpu);
	return cpu;
}

/* SAME_NODE: see vfwd_place() in vfwd_cpus.h. */
static int place_same_node(const char *sysfs, const __u16 *vcpu_cpus,
			   unsigned int n, __u16 *out, char *msg, size_t len)
{
	struct vfwd_cpuset online, used, cand;
	unsigned int i, k, ncand, pick;
	int *nodes, node, err = 0;

	err = host_cpus(sysfs, "online", &online, msg, len);
	if (err)
		return err;
	nodes = calloc(n, sizeof(*nodes));
	if (!nodes) {
		vfwd_cpus_msg(msg, len, "cannot place %u vCPUs: out of memory",
			      n);
		return -ENOMEM;
	}
	vfwd_cpuset_zero(&used);
	for (i = 0; i < n; i++) {
		vfwd_cpuset_add(&used, vcpu_cpus[i]);
		nodes[i] = vfwd_cpu_node(sysfs, vcpu_cpus[i]);
		if (nodes[i] == -ENOENT) {
			vfwd_cpus_msg(
				msg, len,
				"CPU %u of vCPU %u does not exist on this host",
				vcpu_cpus[i], i);
			err = -ENODEV;
			goto out;
		}
		if (nodes[i] < 0) {
			err = nodes[i];
			vfwd_cpus_msg(msg, len,
				      "cannot read the NUMA node of CPU %u: %s",
				      vcpu_cpus[i], strerror(-err));
			goto out;
		}
	}
	/* One pass per node, from its lowest-indexed vCPU not yet placed. */
	for (i = 0; i < n; i++) {
		node = nodes[i];
		if (node == PLACED)
			continue;
		err = vfwd_node_cpus(sysfs, node, &cand);
		if (err) {
			vfwd_cpus_msg(
				msg, len,
				"cannot read the CPUs of NUMA node %d: %s",
				node, strerror(-err));
			goto out;
		}
		for (k = 0; k < VFWD_CPUSET_WORDS; k++)
			cand.bits[k] &= online.bits[k] & ~used.bits[k];
		ncand = vfwd_cpuset_count(&cand);
		pick = 0;
		for (k = i; k < n; k++) {
			if (nodes[k] != node)
				continue;
			out[k] = ncand ? (__u16)nth_cpu(&cand, ncand, pick++)
				       : vcpu_cpus[k];
			nodes[k] = PLACED;
		}
	}
out:
	free(nodes);
	return err;
}

int vfwd_place(const char *sysfs, enum vfwd_placement pl,
	       const __u16 *vcpu_cpus, unsigned int n, __u16 *out, char *msg,
	       size_t len)
{
	unsigned int i;

	switch (pl) {
	case VFWD_PLACE_OFF:
	case VFWD_PLACE_SAME_CPU:
		for (i = 0; i < n; i++)
			out[i] = vcpu_cpus[i];
		return 0;
	case VFWD_PLACE_SAME_NODE:
		if (n == 0)
			return 0;
		return place_same_node(sysfs, vcpu_cpus, n, out, msg, len);
	}
	vfwd_cpus_msg(msg, len, "unknown placement %d", (int)pl);
	return -EINVAL;
}
