// SPDX-License-Identifier: GPL-2.0
/*
 * DPDK's EAL, for rte_vhost and its mbufs only: no PCI, no telemetry, no
 * multi-process, and hugepages only when the host has them free.
 *
 * Measured here (design §5): EAL runs without hugepages with --no-huge
 * and -m 128, which refuses --in-memory; as root it still makes an empty
 * runtime directory, /var/run/dpdk/<prefix>, removed again at exit.  With
 * hugepages, --in-memory keeps its files unlinked, so a daemon killed
 * with -9 leaves no hugepages allocated behind.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include "vhost.h"

/* EAL memory: the mbuf pool (~9 MiB) and rte_vhost's per-device state,
 * with room for many guests.  Guest memory is mmapped from the front end,
 * not taken from here. */
#define VH_EAL_MEM_MB 128
#define VH_PREFIX_FMT VH_PROG "-%d"
/* Where EAL keeps its runtime directories when run as root. */
#define VH_DPDK_RUN_DIR "/var/run/dpdk"

/* Enough free hugepages for -m, and a hugetlbfs to take them from. */
static bool hugepages_free(void)
{
	unsigned long free_pages = 0, size_kb = 0;
	char line[256];
	bool mounted = false;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(f);
	if (free_pages * size_kb < VH_EAL_MEM_MB * 1024UL)
		return false;
	f = fopen("/proc/mounts", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " hugetlbfs "))
			mounted = true;
	fclose(f);
	return mounted;
}

static void rm_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Runtime directories of earlier vfwd-vhost processes that were killed
 * before they could remove theirs. */
static void rm_stale_dirs(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(VH_DPDK_RUN_DIR);
	int pid;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (sscanf(e->d_name, VH_PREFIX_FMT, &pid) != 1 || pid <= 0)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", VH_DPDK_RUN_DIR,
			 e->d_name);
		rm_dir(path);
	}
	closedir(d);
}

static int first_cpu(const cpu_set_t *s)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, s))
			return c;
	return 0;
}

int vh_eal_init(const struct vh_opts *o, char *prefix, size_t len)
{
	char mem[16], cpu[16], fp[64];
	char *argv[20];
	int argc = 0, ret;
	bool huge = hugepages_free();
	cpu_set_t orig;

	/* EAL pins the calling thread to its main lcore.  The control
	 * thread should not be pinned, so its affinity is put back after. */
	if (sched_getaffinity(0, sizeof(orig), &orig))
		CPU_ZERO(&orig);
	snprintf(prefix, len, VH_PREFIX_FMT, (int)getpid());
	snprintf(fp, sizeof(fp), "--file-prefix=%s", prefix);
	snprintf(mem, sizeof(mem), "%d", VH_EAL_MEM_MB);
	snprintf(cpu, sizeof(cpu), "%d",
		 first_cpu(o->poll ? &o->poll_cpus : &orig));
	rm_stale_dirs();

	argv[argc++] = VH_PROG;
	if (huge) {
		argv[argc++] = "--in-memory";
	} else {
		argv[argc++] = "--no-huge";
		argv[argc++] = "--no-shconf";
	}
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = fp;
	argv[argc++] = "--log-level=lib.eal:warning";
	argv[argc++] = "--log-level=lib.vhost.config:warning";
	argv[argc++] = "-l";
	argv[argc++] = cpu;
	argv[argc] = NULL;

	/* Every log line on stderr, as the daemon's own; EAL's default
	 * writes to stdout and syslog. */
	rte_openlog_stream(stderr);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		vh_err("cannot initialise DPDK's EAL: %s",
		       rte_strerror(rte_errno));
		return -rte_errno;
	}
	if (CPU_COUNT(&orig))
		sched_setaffinity(0, sizeof(orig), &orig);
	vh_dbg("EAL up: %s, main lcore on CPU %s",
	       huge ? "hugepages" : "no hugepages", cpu);
	return 0;
}

void vh_eal_cleanup(const char *prefix)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* Only ever our own directory. */
	if (strstr(dir, prefix))
		rm_dir(dir);
}
