// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's vCPU threads, found in proc by their names.  With -name
 * NAME,debug-threads=on (libvirt always sets it) QEMU names each vCPU
 * thread "CPU <n>/<accelerator>", e.g. "CPU 0/KVM".
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "vfwd_cpus.h"
#include "vfwd_tables.h"

/* A comm file holds at most TASK_COMM_LEN (16) bytes and a newline; the
 * rest is headroom.  A longer name is not a vCPU thread's. */
#define COMM_LEN 64
/* Set by readlink() on the exe of a process whose binary was replaced
 * since it started, as a package upgrade does under a running VM. */
#define DELETED_SUFFIX " (deleted)"
#define STATUS_KEY "Cpus_allowed_list:"
/* "it runs <exe path>" for the not-QEMU message. */
#define WHAT_LEN (PATH_MAX + sizeof("it runs "))

static int path_of(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_of(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* A thread or process that exits while we read it shows as one of these. */
static bool vanished(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

static int read_comm(const char *path, char *comm, size_t len)
{
	int err;

	err = vfwd_read_text(path, comm, len);
	if (err)
		return err;
	comm[strcspn(comm, "\n")] = '\0';
	return 0;
}

/* Is pid a QEMU?  *what says what it runs, for the error message. */
static int is_qemu(const char *proc, pid_t pid, bool *yes, char *what,
		   size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], comm[COMM_LEN];
	size_t tlen, slen = strlen(DELETED_SUFFIX);
	const char *base;
	ssize_t r;
	int err;

	err = path_of(path, sizeof(path), "%s/%d/exe", proc, (int)pid);
	if (err)
		return err;
	r = readlink(path, target, sizeof(target) - 1);
	if (r >= 0) {
		target[r] = '\0';
		tlen = (size_t)r;
		if (tlen > slen &&
		    !strcmp(target + tlen - slen, DELETED_SUFFIX))
			target[tlen - slen] = '\0';
		base = strrchr(target, '/');
		base = base ? base + 1 : target;
		*yes = !strncmp(base, "qemu-system-", strlen("qemu-system-")) ||
		       !strcmp(base, "qemu-kvm") || !strcmp(base, "kvm");
		snprintf(what, len, "it runs %s", target);
		return 0;
	}
	/* exe is unreadable for another user's process without ptrace
	 * rights; the name QEMU gives its main thread is the fallback. */
	err = path_of(path, sizeof(path), "%s/%d/comm", proc, (int)pid);
	if (err)
		return err;
	err = read_comm(path, comm, sizeof(comm));
	if (err)
		return err;
	*yes = !strncmp(comm, "qemu", strlen("qemu"));
	snprintf(what, len, "its name is '%s'", comm);
	return 0;
}

/* "CPU <n>/<ACCEL>" with ACCEL a non-empty word: *index = n. */
static bool vcpu_name(const char *comm, unsigned int *index)
{
	const char *p;

	if (strncmp(comm, "CPU ", strlen("CPU ")))
		return false;
	if (vfwd_parse_u32_prefix(comm + strlen("CPU "), &p, 0, UINT_MAX,
				  index) ||
	    *p != '/')
		return false;
	if (!*++p)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p))
			return false;
	return true;
}

/* The Cpus_allowed_list line of a task's status file. */
static int read_affinity(const char *path, struct vfwd_cpuset *s)
{
	/* The key and any cpulist of CPUs below the limit fit in a line. */
	size_t size = sizeof(STATUS_KEY) + VFWD_CPULIST_MAX;
	bool line_start = true, whole;
	int err = -ENODATA;
	char *line, *p;
	size_t l;
	FILE *f;

	line = malloc(size);
	if (!line)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		goto out;
	}
	errno = 0;
	while (fgets(line, (int)size, f)) {
		l = strlen(line);
		whole = l && line[l - 1] == '\n';
		/* Only the start of a line can be the key; fgets() hands a
		 * line longer than the buffer over in pieces. */
		if (line_start &&
		    !strncmp(line, STATUS_KEY, strlen(STATUS_KEY))) {
			if (!whole && !feof(f)) {
				err = -ERANGE;
				break;
			}
			p = line + strlen(STATUS_KEY);
			p += strspn(p, " \t");
			err = vfwd_cpuset_parse(p, s);
			break;
		}
		line_start = whole;
	}
	if (err == -ENODATA && ferror(f))
		err = errno ? -errno : -EIO;
	fclose(f);
out:
	free(line);
	return err;
}

/* Keep out[0..*kept) the lowest max indices, sorted. */
static bool would_keep(const struct vfwd_vcpu *out, unsigned int max,
		       unsigned int kept, unsigned int index)
{
	return kept < max || (max && index < out[max - 1].index);
}

static void keep(struct vfwd_vcpu *out, unsigned int max, unsigned int *kept,
		 const struct vfwd_vcpu *v)
{
	unsigned int pos;

	if (*kept < max)
		pos = (*kept)++;
	else
		pos = max - 1; /* drops the highest */
	for (; pos > 0 && out[pos - 1].index > v->index; pos--)
		out[pos] = out[pos - 1];
	out[pos] = *v;
}

/* Read task tid of pid into v.  1 when it is a vCPU thread, 0 when it is
 * not or has exited meanwhile, or -errno with msg. */
static int read_task(const char *proc, pid_t pid, pid_t tid,
		     const struct vfwd_vcpu *out, unsigned int max,
		     unsigned int kept, struct vfwd_vcpu *v, char *msg,
		     size_t len)
{
	char path[PATH_MAX], comm[COMM_LEN];
	int err;

	err = path_of(path, sizeof(path), "%s/%d/task/%d/comm", proc, (int)pid,
		      (int)tid);
	if (!err)
		err = read_comm(path, comm, sizeof(comm));
	if (vanished(err) || err == -EFBIG)
		return 0;
	if (err)
		goto fail;
	if (!vcpu_name(comm, &v->index))
		return 0;
	v->tid = tid;
	/* Counted but not kept: no need to read its affinity. */
	if (!would_keep(out, max, kept, v->index))
		return 1;
	err = path_of(path, sizeof(path), "%s/%d/task/%d/status", proc,
		      (int)pid, (int)tid);
	if (!err)
		err = read_affinity(path, &v->allowed);
	if (vanished(err))
		return 0;
	if (!err)
		return 1;
fail:
	vfwd_cpus_msg(msg, len, "cannot read thread %d of QEMU process %d: %s",
		      (int)tid, (int)pid, strerror(-err));
	return err;
}

int vfwd_vm_vcpus(const char *proc, pid_t pid, struct vfwd_vcpu *out,
		  unsigned int max, unsigned int *n, char *msg, size_t len)
{
	char path[PATH_MAX], what[WHAT_LEN];
	unsigned int tid, kept = 0, found = 0;
	struct vfwd_vcpu v;
	struct dirent *de;
	struct stat st;
	bool qemu;
	DIR *dir;
	int err;

	*n = 0;
	if (pid <= 0)
		goto no_process;
	err = path_of(path, sizeof(path), "%s/%d", proc, (int)pid);
	if (err)
		goto fail;
	if (stat(path, &st)) {
		err = -errno;
		if (err == -ENOENT)
			goto no_process;
		goto fail;
	}
	err = is_qemu(proc, pid, &qemu, what, sizeof(what));
	if (vanished(err))
		goto no_process;
	if (err)
		goto fail;
	if (!qemu) {
		vfwd_cpus_msg(msg, len, "PID %d is not a QEMU process (%s)",
			      (int)pid, what);
		return -EINVAL;
	}

	err = path_of(path, sizeof(path), "%s/%d/task", proc, (int)pid);
	if (err)
		goto fail;
	dir = opendir(path);
	if (!dir) {
		err = -errno;
		if (err == -ENOENT)
			goto no_process;
		goto fail;
	}
	while ((de = readdir(dir))) {
		if (vfwd_parse_u32(de->d_name, 0, INT_MAX, &tid))
			continue;
		memset(&v, 0, sizeof(v));
		err = read_task(proc, pid, (pid_t)tid, out, max, kept, &v, msg,
				len);
		if (err < 0) {
			closedir(dir);
			return err;
		}
		if (!err)
			continue;
		found++;
		if (would_keep(out, max, kept, v.index))
			keep(out, max, &kept, &v);
	}
	closedir(dir);
	if (!found) {
		vfwd_cpus_msg(
			msg, len,
			"QEMU process %d has no vCPU threads named 'CPU <n>/KVM' or 'CPU <n>/TCG': start QEMU with -name NAME,debug-threads=on (libvirt does this)",
			(int)pid);
		return -ENOENT;
	}
	*n = kept;
	return 0;

no_process:
	vfwd_cpus_msg(msg, len, "no process with PID %d", (int)pid);
	return -ESRCH;
fail:
	vfwd_cpus_msg(msg, len, "cannot read process %d under %s: %s", (int)pid,
		      proc, strerror(-err));
	return err;
}
