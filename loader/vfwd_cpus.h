/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host CPUs: CPU sets and the kernel's cpulist text format, the CPU and
 * NUMA topology from sysfs, QEMU's vCPU threads from proc, and where a
 * port's frames are finished (placement).  The sysfs and proc roots are
 * parameters ("/sys", "/proc" in the product) so tests can point them at
 * fake trees.  Functions return 0 or a negative errno and print nothing;
 * those that take msg/len write a one-line reason there on error.
 */
#ifndef VFWD_CPUS_H
#define VFWD_CPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "vfwd_maps.h"

/* Largest CPU id + 1 vfwd handles.  Port tables store CPU ids as __u16, so
 * anything up to 65536 would fit there; 4096 is chosen because it is more
 * than the largest KVM hosts have today, yet keeps a struct vfwd_cpuset at
 * 512 bytes, small enough to live on the stack. */
#define VFWD_CPU_LIMIT 4096
#define VFWD_CPUSET_WORDS (VFWD_CPU_LIMIT / 64)

_Static_assert(VFWD_CPU_LIMIT % 64 == 0, "cpuset words must be whole");
_Static_assert(VFWD_CPU_LIMIT <= 65536, "CPU ids are stored as __u16");

/* Room for any cpulist text of CPUs below VFWD_CPU_LIMIT.  The longest is
 * every other CPU listed singly, "0,2,...,4094\n": 9,686 bytes with the
 * NUL.  A longer sysfs or proc list must name a CPU beyond the limit. */
#define VFWD_CPULIST_MAX 12288

struct vfwd_cpuset {
	__u64 bits[VFWD_CPUSET_WORDS];
};

void vfwd_cpuset_zero(struct vfwd_cpuset *s);
/* Ignores cpu >= VFWD_CPU_LIMIT. */
void vfwd_cpuset_add(struct vfwd_cpuset *s, unsigned int cpu);
bool vfwd_cpuset_has(const struct vfwd_cpuset *s, unsigned int cpu);
unsigned int vfwd_cpuset_count(const struct vfwd_cpuset *s);
/* Lowest CPU, -1 if empty. */
int vfwd_cpuset_first(const struct vfwd_cpuset *s);
/* Next CPU after prev, -1 at the end. */
int vfwd_cpuset_next(const struct vfwd_cpuset *s, int prev);

/* Kernel cpulist format: "0-3,8,10-11"; whitespace (a newline) may
 * follow.  -EINVAL on a syntax error, an empty string or a reversed range;
 * -ERANGE for a CPU >= VFWD_CPU_LIMIT. */
int vfwd_cpuset_parse(const char *list, struct vfwd_cpuset *s);
/* Format as a cpulist with ranges ("0-3,8"); "" for an empty set.
 * -ENOSPC if it does not fit in len bytes. */
int vfwd_cpuset_format(const struct vfwd_cpuset *s, char *buf, size_t len);
/* cpus[0..n) in order, as "2,3,1": what vfwd_cpulist_parse reads back. */
void vfwd_cpulist_format(const __u16 *cpus, unsigned int n, char *buf,
			 size_t len);
/* An ordered CPU list, as --cpus takes it: index i is vCPU i, so "1,0,3"
 * keeps that order.  Ranges are expanded ascending.  A CPU listed twice is
 * -EINVAL, more than max CPUs -E2BIG, other errors as vfwd_cpuset_parse.
 * *n is the number of CPUs stored in cpus[]. */
int vfwd_cpulist_parse(const char *list, __u16 *cpus, unsigned int max,
		       unsigned int *n);

/* <sysfs>/devices/system/cpu/possible and .../online. */
int vfwd_cpus_possible(const char *sysfs, struct vfwd_cpuset *s);
int vfwd_cpus_online(const char *sysfs, struct vfwd_cpuset *s);
/* NUMA node of cpu (>= 0), from the nodeN entry of
 * <sysfs>/devices/system/cpu/cpuC.  0 on a kernel without NUMA (no such
 * entry); -ENOENT when the CPU's directory is missing. */
int vfwd_cpu_node(const char *sysfs, unsigned int cpu);
/* CPUs of node, from <sysfs>/devices/system/node/nodeN/cpulist; without
 * that file node 0 is all online CPUs (a kernel without NUMA). */
int vfwd_node_cpus(const char *sysfs, int node, struct vfwd_cpuset *s);
/* Each cpus[i] must be a possible and online CPU: -ENODEV for a CPU the
 * host does not have, -ENXIO for an offline one. */
int vfwd_cpus_check(const char *sysfs, const __u16 *cpus, unsigned int n,
		    char *msg, size_t len);

/*
 * Placement: vcpu_cpus[i] is the host CPU vCPU i runs on; out[i] is set to
 * the CPU that finishes vCPU i's frames.
 *  SAME_CPU:  vcpu_cpus[i].
 *  SAME_NODE: a CPU on vcpu_cpus[i]'s NUMA node that runs none of this
 *             VM's vCPUs, so vfwd's work neither preempts a vCPU nor
 *             leaves its memory node.  Per node, the node's online CPUs
 *             minus all vcpu_cpus are handed out round-robin, ascending,
 *             in vCPU index order; a node with none left keeps the vCPU's
 *             own CPU.
 *  OFF:       vcpu_cpus[i], recorded for display, not used for steering.
 */
int vfwd_place(const char *sysfs, enum vfwd_placement pl,
	       const __u16 *vcpu_cpus, unsigned int n, __u16 *out, char *msg,
	       size_t len);

/* A QEMU vCPU thread. */
struct vfwd_vcpu {
	unsigned int index; /* n of the thread name "CPU n/KVM", "CPU n/TCG" */
	pid_t tid;
	struct vfwd_cpuset allowed; /* the thread's affinity */
};

/* pid's vCPU threads (named "CPU <n>/<ACCEL>", which QEMU does with
 * -name ...,debug-threads=on), read from <proc>/PID/task, sorted by
 * index; at most max, the lowest indices.  -ESRCH: no such process;
 * -EINVAL: not a QEMU process; -ENOENT: no vCPU threads. */
int vfwd_vm_vcpus(const char *proc, pid_t pid, struct vfwd_vcpu *out,
		  unsigned int max, unsigned int *n, char *msg, size_t len);

/* Helpers shared by the CPU files. */
/* Read a whole small file into buf as a string; -EFBIG when it does not
 * fit. */
int vfwd_read_text(const char *path, char *buf, size_t len);
/* A cpulist that may also be empty (a memory-only node's cpulist). */
int vfwd_cpuset_parse_any(const char *list, struct vfwd_cpuset *s);
/* snprintf into msg when the caller gave one. */
void vfwd_cpus_msg(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* VFWD_CPUS_H */
