/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A task's CPU time, run-queue wait and state from /proc, and finding a
 * kthread the kernel just started by its name.  For the benchmarks that
 * need the time of a kernel thread they do not run themselves.
 */
#ifndef VFWD_TASK_STAT_H
#define VFWD_TASK_STAT_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

/* Tasks a name may match at the most (task_find). */
#define TASK_FIND_MAX 8

/* A task's CPU time and time spent waiting on a run queue, in ns. */
struct task_times {
	__u64 run, wait;
};

/* From /proc/PID/schedstat; zeros if it cannot be read or pid is 0. */
struct task_times task_times(pid_t pid);

/* Whether the task is running or waiting for a CPU (state R). */
bool task_runnable(pid_t pid);

/* The tasks whose comm is name (or, cut to the kernel's task comm
 * length, its start), into pids; returns how many, up to
 * TASK_FIND_MAX. */
int task_find(const char *name, pid_t *pids);

/* The one task named name that is not among the nb in before, or 0 if
 * there is none or more than one. */
pid_t task_started(const char *name, const pid_t *before, int nb);

#endif /* VFWD_TASK_STAT_H */
