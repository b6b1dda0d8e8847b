// SPDX-License-Identifier: GPL-2.0
/* Tasks' times and states from /proc; see task_stat.h. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "task_stat.h"

/* /proc/PID/comm shows a kthread's full name on recent kernels, and the
 * task comm, cut to TASK_COMM_LEN - 1 characters, on older ones. */
#define TASK_COMM_LEN 16
/* Longer than any kthread name the benchmarks look for. */
#define NAME_LEN 64
#define PROC_PATH_LEN 64
/* /proc/PID/stat up to the state: the pid and a comm of at most
 * TASK_COMM_LEN. */
#define STAT_HEAD_LEN 256

/* /proc/PID/file, opened for reading; NULL if it cannot be. */
static FILE *proc_open(pid_t pid, const char *file)
{
	char path[PROC_PATH_LEN];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return fopen(path, "r");
}

struct task_times task_times(pid_t pid)
{
	unsigned long long run, wait;
	struct task_times t = {};
	FILE *f = pid ? proc_open(pid, "schedstat") : NULL;

	if (!f)
		return t;
	if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
		t.run = run;
		t.wait = wait;
	}
	fclose(f);
	return t;
}

bool task_runnable(pid_t pid)
{
	FILE *f = pid ? proc_open(pid, "stat") : NULL;
	char buf[STAT_HEAD_LEN], *p;
	bool r = false;

	if (!f)
		return false;
	/* The state follows the parenthesised comm, which may itself hold
	 * spaces and parentheses: look after the last ')'. */
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		r = p && p[1] == ' ' && p[2] == 'R';
	}
	fclose(f);
	return r;
}

/* Whether a task's /proc comm names name: equal, or its start when the
 * kernel showed the cut task comm. */
static bool comm_is(const char *comm, const char *name)
{
	size_t n = strlen(comm);

	if (n == TASK_COMM_LEN - 1)
		return !strncmp(comm, name, n);
	return !strcmp(comm, name);
}

/* Whether the task pid's comm names name. */
static bool task_named(pid_t pid, const char *name)
{
	FILE *f = proc_open(pid, "comm");
	char comm[NAME_LEN];
	bool r = false;

	if (!f)
		return false;
	if (fgets(comm, sizeof(comm), f)) {
		comm[strcspn(comm, "\n")] = '\0';
		r = comm_is(comm, name);
	}
	fclose(f);
	return r;
}

int task_find(const char *name, pid_t *pids)
{
	struct dirent *d;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < TASK_FIND_MAX) {
		pid_t pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = atoi(d->d_name);
		if (task_named(pid, name))
			pids[n++] = pid;
	}
	closedir(dir);
	return n;
}

static bool pid_in(pid_t pid, const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

pid_t task_started(const char *name, const pid_t *before, int nb)
{
	pid_t after[TASK_FIND_MAX], pid = 0;
	int na = task_find(name, after), found = 0;

	for (int i = 0; i < na; i++) {
		if (pid_in(after[i], before, nb))
			continue;
		pid = found++ ? 0 : after[i];
	}
	return pid;
}
