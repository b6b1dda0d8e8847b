// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the host CPU code (loader/cpuset.c, topology.c, vcpu.c)
 * against fake sysfs and proc trees built in a temporary directory, plus a
 * few checks against this machine's real /sys and /proc, and of the number
 * parser they share with the CLI (maps/num.c).  Prints
 * "PASS: cpus/<name>" or "FAIL: cpus/<name>: <why>" per check and exits 1
 * if any check failed.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "vfwd_cpus.h"
#include "vfwd_tables.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TEXT_LEN 256
/* Directories nftw() may hold open while removing the tree. */
#define RM_OPEN_FDS 16

#define ROOT_TEMPLATE "/tmp/vfwd-test-cpus.XXXXXX"

static int failures;
static char root[sizeof(ROOT_TEMPLATE)];

static void pass(const char *name)
{
	printf("PASS: cpus/%s\n", name);
}

/* PASS when ok, else FAIL with fmt saying what was got and wanted. */
static void check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		pass(name);
		return;
	}
	failures++;
	printf("FAIL: cpus/%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- building the fake trees ------------------------------------------ */

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Path under the temporary root. */
static void at(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", root, rel);
}

static int put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	char *slash;
	int err;

	at(path, sizeof(path), rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	err = mkdirs(path);
	*slash = '/';
	if (err)
		goto fail;
	f = fopen(path, "w");
	if (!f) {
		err = -errno;
		goto fail;
	}
	fputs(text, f);
	if (fclose(f)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	printf("FAIL: cpus/setup: cannot create %s: %s\n", path,
	       strerror(-err));
	failures++;
	return err;
}

static int dir(const char *rel)
{
	char path[PATH_MAX];
	int err;

	at(path, sizeof(path), rel);
	err = mkdirs(path);
	if (err) {
		printf("FAIL: cpus/setup: cannot create %s: %s\n", path,
		       strerror(-err));
		failures++;
	}
	return err;
}

static int link_to(const char *target, const char *rel)
{
	char path[PATH_MAX];
	char *slash;
	int err;

	at(path, sizeof(path), rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	err = mkdirs(path);
	*slash = '/';
	if (!err && symlink(target, path))
		err = -errno;
	if (err) {
		printf("FAIL: cpus/setup: cannot link %s: %s\n", path,
		       strerror(-err));
		failures++;
	}
	return err;
}

/* A thread of a fake process: its comm and status files. */
static int task(int pid, int tid, const char *comm, const char *allowed)
{
	char rel[PATH_MAX], text[TEXT_LEN];

	snprintf(rel, sizeof(rel), "proc/%d/task/%d/comm", pid, tid);
	snprintf(text, sizeof(text), "%s\n", comm);
	if (put(rel, text))
		return -1;
	snprintf(rel, sizeof(rel), "proc/%d/task/%d/status", pid, tid);
	snprintf(
		text, sizeof(text),
		"Name:\t%s\nState:\tS (sleeping)\nCpus_allowed:\tff\nCpus_allowed_list:\t%s\nMems_allowed_list:\t0\n",
		comm, allowed);
	return put(rel, text);
}

/*
 * sys-a: two CPUs, CPU 1 offline.
 * sys-b: NUMA, node0 = CPUs 0-3, node1 = CPUs 4-7, all online.
 * sys-c: no NUMA (no nodeN entries, no node directory), CPUs 0-1.
 * sys-big: a possible list naming CPUs beyond VFWD_CPU_LIMIT.
 */
static int build_sysfs(void)
{
	char rel[PATH_MAX], target[PATH_MAX];
	int cpu;

	if (put("sys-a/devices/system/cpu/possible", "0-1\n") ||
	    put("sys-a/devices/system/cpu/online", "0\n"))
		return -1;

	if (put("sys-b/devices/system/cpu/possible", "0-7\n") ||
	    put("sys-b/devices/system/cpu/online", "0-7\n") ||
	    put("sys-b/devices/system/node/node0/cpulist", "0-3\n") ||
	    put("sys-b/devices/system/node/node1/cpulist", "4-7\n"))
		return -1;
	for (cpu = 0; cpu < 8; cpu++) {
		/* As on a real system: cpuC/nodeN links to the node. */
		snprintf(rel, sizeof(rel),
			 "sys-b/devices/system/cpu/cpu%d/node%d", cpu, cpu / 4);
		snprintf(target, sizeof(target), "../../node/node%d", cpu / 4);
		if (link_to(target, rel))
			return -1;
	}

	if (put("sys-c/devices/system/cpu/possible", "0-1\n") ||
	    put("sys-c/devices/system/cpu/online", "0-1\n") ||
	    put("sys-c/devices/system/cpu/cpu0/online", "1\n") ||
	    put("sys-c/devices/system/cpu/cpu1/online", "1\n"))
		return -1;

	if (put("sys-big/devices/system/cpu/possible", "0-9999\n"))
		return -1;
	return 0;
}

/*
 * proc/100: QEMU with two TCG vCPU threads among others.
 * proc/200: not QEMU (sleep).
 * proc/300: QEMU started without debug-threads=on.
 * proc/400: exe unreadable, main thread named like QEMU.
 * proc/600: QEMU whose binary was replaced since it started.
 */
static int build_proc(void)
{
	if (link_to("/usr/bin/qemu-system-x86_64", "proc/100/exe") ||
	    put("proc/100/comm", "qemu-system-x86\n") ||
	    task(100, 100, "qemu-system-x86", "0-7") ||
	    task(100, 101, "CPU 1/TCG", "3") ||
	    task(100, 102, "CPU 0/TCG", "2,5") ||
	    task(100, 103, "worker", "0-7") ||
	    task(100, 105, "CPU /TCG", "0") || task(100, 106, "CPU 2/", "0") ||
	    task(100, 107, "CPU 3/T G", "0") ||
	    /* A thread that exited between readdir() and reading it. */
	    dir("proc/100/task/104"))
		return -1;

	if (link_to("/usr/bin/sleep", "proc/200/exe") ||
	    put("proc/200/comm", "sleep\n") || task(200, 200, "sleep", "0-7"))
		return -1;

	if (link_to("/usr/bin/qemu-system-aarch64", "proc/300/exe") ||
	    put("proc/300/comm", "qemu-system-aar\n") ||
	    task(300, 300, "qemu-system-aar", "0-7") ||
	    task(300, 301, "worker", "0-7"))
		return -1;

	if (put("proc/400/comm", "qemu-system-x86\n") ||
	    task(400, 400, "qemu-system-x86", "0-7") ||
	    task(400, 401, "CPU 0/KVM", "1"))
		return -1;

	if (link_to("/usr/bin/qemu-kvm (deleted)", "proc/600/exe") ||
	    task(600, 600, "qemu-kvm", "0-7") ||
	    task(600, 601, "CPU 0/KVM", "6"))
		return -1;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	if (root[0] && nftw(root, rm_one, RM_OPEN_FDS, FTW_DEPTH | FTW_PHYS))
		printf("FAIL: cpus/cleanup: cannot remove %s: %s\n", root,
		       strerror(errno));
}

/* ---- checks ------------------------------------------------------------ */

static const char *fmt_set(const struct vfwd_cpuset *s, char *buf, size_t len)
{
	if (vfwd_cpuset_format(s, buf, len))
		snprintf(buf, len, "<unformattable>");
	return buf;
}

/* parse(list) gives err, and on success formats back to want. */
static void parse_case(const char *name, const char *list, int err,
		       const char *want)
{
	struct vfwd_cpuset s;
	char got[TEXT_LEN];
	int ret;

	ret = vfwd_cpuset_parse(list, &s);
	if (ret != err) {
		check(name, false, "parse(\"%s\") = %d, want %d", list, ret,
		      err);
		return;
	}
	if (err) {
		pass(name);
		return;
	}
	fmt_set(&s, got, sizeof(got));
	check(name, !strcmp(got, want),
	      "parse(\"%s\") formats as \"%s\", want \"%s\"", list, got, want);
}

static void test_cpuset(void)
{
	struct vfwd_cpuset s;
	char buf[TEXT_LEN];
	int c[5], ret;

	parse_case("parse_ranges", "0-3,8,10-11\n", 0, "0-3,8,10-11");
	parse_case("parse_single", "5", 0, "5");
	parse_case("parse_pair_is_range", "0,1", 0, "0-1");
	parse_case("parse_unordered", "3,1,2", 0, "1-3");
	parse_case("parse_last_cpu", "4095", 0, "4095");
	parse_case("parse_trailing_space", "0-1 \t\n", 0, "0-1");
	parse_case("parse_open_range", "1-", -EINVAL, NULL);
	parse_case("parse_letter", "a", -EINVAL, NULL);
	parse_case("parse_reversed", "3-1", -EINVAL, NULL);
	parse_case("parse_empty", "", -EINVAL, NULL);
	parse_case("parse_blank", "\n", -EINVAL, NULL);
	parse_case("parse_double_comma", "1,,2", -EINVAL, NULL);
	parse_case("parse_trailing_comma", "1,", -EINVAL, NULL);
	parse_case("parse_negative", "-1", -EINVAL, NULL);
	parse_case("parse_junk_after", "1x", -EINVAL, NULL);
	parse_case("parse_limit", "4096", -ERANGE, NULL);
	parse_case("parse_range_past_limit", "0-5000", -ERANGE, NULL);
	parse_case("parse_huge", "99999999999999999999", -ERANGE, NULL);
	/* Each CPU id is canonical decimal: one spelling per number. */
	parse_case("parse_leading_zero", "01", -EINVAL, NULL);
	parse_case("parse_double_zero", "00", -EINVAL, NULL);
	parse_case("parse_leading_zero_range_end", "0-03", -EINVAL, NULL);
	parse_case("parse_leading_zero_later", "1,02", -EINVAL, NULL);

	ret = vfwd_cpuset_parse("2,5,64,4095", &s);
	c[0] = vfwd_cpuset_first(&s);
	c[1] = vfwd_cpuset_next(&s, c[0]);
	c[2] = vfwd_cpuset_next(&s, c[1]);
	c[3] = vfwd_cpuset_next(&s, c[2]);
	c[4] = vfwd_cpuset_next(&s, c[3]);
	check("iterate",
	      !ret && c[0] == 2 && c[1] == 5 && c[2] == 64 && c[3] == 4095 &&
		      c[4] == -1 && vfwd_cpuset_count(&s) == 4,
	      "ret %d, got %d,%d,%d,%d,%d count %u, want 2,5,64,4095,-1 count 4",
	      ret, c[0], c[1], c[2], c[3], c[4], vfwd_cpuset_count(&s));

	vfwd_cpuset_zero(&s);
	vfwd_cpuset_add(&s, VFWD_CPU_LIMIT);
	check("add_past_limit",
	      vfwd_cpuset_count(&s) == 0 && vfwd_cpuset_first(&s) == -1 &&
		      !vfwd_cpuset_has(&s, VFWD_CPU_LIMIT),
	      "count %u first %d", vfwd_cpuset_count(&s),
	      vfwd_cpuset_first(&s));

	strcpy(buf, "junk");
	ret = vfwd_cpuset_format(&s, buf, sizeof(buf));
	check("format_empty", ret == 0 && !strcmp(buf, ""),
	      "ret %d text \"%s\", want 0 \"\"", ret, buf);

	vfwd_cpuset_parse("0-3,8", &s);
	ret = vfwd_cpuset_format(&s, buf, strlen("0-3,8") + 1);
	check("format_exact_fit", ret == 0 && !strcmp(buf, "0-3,8"),
	      "ret %d text \"%s\"", ret, buf);
	ret = vfwd_cpuset_format(&s, buf, strlen("0-3,8"));
	check("format_enospc", ret == -ENOSPC, "ret %d, want %d", ret, -ENOSPC);
}

static void test_cpulist(void)
{
	__u16 cpus[4];
	unsigned int n = 99;
	int ret;

	ret = vfwd_cpulist_parse("1,0", cpus, ARRAY_SIZE(cpus), &n);
	check("list_order", !ret && n == 2 && cpus[0] == 1 && cpus[1] == 0,
	      "ret %d n %u cpus %u,%u, want 0 2 1,0", ret, n, cpus[0], cpus[1]);

	ret = vfwd_cpulist_parse("3,0-1\n", cpus, ARRAY_SIZE(cpus), &n);
	check("list_range",
	      !ret && n == 3 && cpus[0] == 3 && cpus[1] == 0 && cpus[2] == 1,
	      "ret %d n %u cpus %u,%u,%u, want 0 3 3,0,1", ret, n, cpus[0],
	      cpus[1], cpus[2]);

	ret = vfwd_cpulist_parse("1,0,1", cpus, ARRAY_SIZE(cpus), &n);
	check("list_duplicate", ret == -EINVAL, "ret %d, want %d", ret,
	      -EINVAL);
	ret = vfwd_cpulist_parse("0-2,2", cpus, ARRAY_SIZE(cpus), &n);
	check("list_duplicate_in_range", ret == -EINVAL, "ret %d, want %d", ret,
	      -EINVAL);

	ret = vfwd_cpulist_parse("0-3", cpus, ARRAY_SIZE(cpus), &n);
	check("list_full", !ret && n == 4, "ret %d n %u, want 0 4", ret, n);
	ret = vfwd_cpulist_parse("0-4", cpus, ARRAY_SIZE(cpus), &n);
	check("list_e2big", ret == -E2BIG, "ret %d, want %d", ret, -E2BIG);

	ret = vfwd_cpulist_parse("0,x", cpus, ARRAY_SIZE(cpus), &n);
	check("list_syntax", ret == -EINVAL, "ret %d, want %d", ret, -EINVAL);
	ret = vfwd_cpulist_parse("4096", cpus, ARRAY_SIZE(cpus), &n);
	check("list_range_error", ret == -ERANGE, "ret %d, want %d", ret,
	      -ERANGE);

	/* --cpus: "02" is not CPU 2, "0-01" not 0-1. */
	ret = vfwd_cpulist_parse("02", cpus, ARRAY_SIZE(cpus), &n);
	check("list_leading_zero", ret == -EINVAL, "ret %d, want %d", ret,
	      -EINVAL);
	ret = vfwd_cpulist_parse("0-01", cpus, ARRAY_SIZE(cpus), &n);
	check("list_leading_zero_range", ret == -EINVAL, "ret %d, want %d", ret,
	      -EINVAL);
	ret = vfwd_cpulist_parse("1,00", cpus, ARRAY_SIZE(cpus), &n);
	check("list_double_zero", ret == -EINVAL, "ret %d, want %d", ret,
	      -EINVAL);
}

/* vfwd_parse_u32(s, min, max) gives err, and on success want. */
static void u32_case(const char *name, const char *s, __u32 min, __u32 max,
		     int err, __u32 want)
{
	__u32 v = 0;
	int ret = vfwd_parse_u32(s, min, max, &v);

	check(name, ret == err && (err || v == want),
	      "parse_u32(\"%s\", %u, %u) = %d value %u, want %d value %u", s,
	      min, max, ret, v, err, want);
}

static void test_parse_u32(void)
{
	const char *end = NULL;
	__u32 v = 0;
	int ret;

	u32_case("u32_plain", "42", 0, 100, 0, 42);
	u32_case("u32_zero", "0", 0, 100, 0, 0);
	u32_case("u32_min", "1", 1, 100, 0, 1);
	u32_case("u32_max", "4294967295", 0, UINT32_MAX, 0, UINT32_MAX);
	u32_case("u32_below_min", "0", 1, 100, -ERANGE, 0);
	u32_case("u32_above_max", "101", 0, 100, -ERANGE, 0);
	u32_case("u32_wraps", "4294967296", 0, UINT32_MAX, -ERANGE, 0);
	u32_case("u32_huge", "99999999999999999999999", 0, UINT32_MAX, -ERANGE,
		 0);
	u32_case("u32_leading_zero", "010", 0, 100, -EINVAL, 0);
	u32_case("u32_zeros", "00", 0, 100, -EINVAL, 0);
	u32_case("u32_leading_space", " 5", 0, 100, -EINVAL, 0);
	u32_case("u32_trailing_space", "5 ", 0, 100, -EINVAL, 0);
	u32_case("u32_plus", "+5", 0, 100, -EINVAL, 0);
	u32_case("u32_minus", "-1", 0, 100, -EINVAL, 0);
	u32_case("u32_minus_zero", "-0", 0, 100, -EINVAL, 0);
	u32_case("u32_empty", "", 0, 100, -EINVAL, 0);
	u32_case("u32_hex", "0x10", 0, 100, -EINVAL, 0);
	u32_case("u32_exponent", "1e2", 0, 1000, -EINVAL, 0);
	u32_case("u32_fraction", "1.0", 0, 100, -EINVAL, 0);
	u32_case("u32_big_junk", "99999x", 0, 100, -EINVAL, 0);

	ret = vfwd_parse_u32_prefix("12/KVM", &end, 0, 100, &v);
	check("u32_prefix", !ret && v == 12 && end && !strcmp(end, "/KVM"),
	      "ret %d value %u rest \"%s\"", ret, v, end ? end : "(null)");
	end = NULL;
	ret = vfwd_parse_u32_prefix("x", &end, 0, 100, &v);
	check("u32_prefix_no_digit", ret == -EINVAL && end && !strcmp(end, "x"),
	      "ret %d rest \"%s\"", ret, end ? end : "(null)");
}

static void test_sysfs(void)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], big[PATH_MAX];
	char text[TEXT_LEN], msg[TEXT_LEN];
	struct vfwd_cpuset s;
	__u16 cpus[2];
	int ret;

	at(a, sizeof(a), "sys-a");
	at(b, sizeof(b), "sys-b");
	at(c, sizeof(c), "sys-c");
	at(big, sizeof(big), "sys-big");

	ret = vfwd_cpus_possible(a, &s);
	check("possible",
	      !ret && !strcmp(fmt_set(&s, text, sizeof(text)), "0-1"),
	      "ret %d set \"%s\", want 0 \"0-1\"", ret, text);
	ret = vfwd_cpus_online(a, &s);
	check("online", !ret && !strcmp(fmt_set(&s, text, sizeof(text)), "0"),
	      "ret %d set \"%s\", want 0 \"0\"", ret, text);
	ret = vfwd_cpus_possible(big, &s);
	check("possible_past_limit", ret == -ERANGE, "ret %d, want %d", ret,
	      -ERANGE);
	ret = vfwd_cpus_online(big, &s);
	check("online_missing", ret == -ENOENT, "ret %d, want %d", ret,
	      -ENOENT);

	cpus[0] = 0;
	cpus[1] = 7;
	msg[0] = '\0';
	ret = vfwd_cpus_check(a, cpus, 2, msg, sizeof(msg));
	check("check_nonexistent",
	      ret == -ENODEV &&
		      !strcmp(msg,
			      "CPU 7 does not exist on this host (CPUs 0-1)"),
	      "ret %d msg \"%s\"", ret, msg);
	cpus[1] = 1;
	msg[0] = '\0';
	ret = vfwd_cpus_check(a, cpus, 2, msg, sizeof(msg));
	check("check_offline",
	      ret == -ENXIO &&
		      !strcmp(msg, "CPU 1 is offline (online CPUs: 0)"),
	      "ret %d msg \"%s\"", ret, msg);
	ret = vfwd_cpus_check(a, cpus, 1, msg, sizeof(msg));
	check("check_ok", ret == 0, "ret %d msg \"%s\"", ret, msg);

	ret = vfwd_cpu_node(b, 5);
	check("node_of_cpu", ret == 1, "ret %d, want 1", ret);
	ret = vfwd_cpu_node(b, 0);
	check("node_of_cpu0", ret == 0, "ret %d, want 0", ret);
	ret = vfwd_cpu_node(c, 1);
	check("node_without_numa", ret == 0, "ret %d, want 0", ret);
	ret = vfwd_cpu_node(c, 5);
	check("node_missing_cpu", ret == -ENOENT, "ret %d, want %d", ret,
	      -ENOENT);

	ret = vfwd_node_cpus(b, 1, &s);
	check("node_cpus",
	      !ret && !strcmp(fmt_set(&s, text, sizeof(text)), "4-7"),
	      "ret %d set \"%s\", want 0 \"4-7\"", ret, text);
	ret = vfwd_node_cpus(c, 0, &s);
	check("node_cpus_without_numa",
	      !ret && !strcmp(fmt_set(&s, text, sizeof(text)), "0-1"),
	      "ret %d set \"%s\", want 0 \"0-1\"", ret, text);
	ret = vfwd_node_cpus(c, 1, &s);
	check("node_cpus_missing_node", ret == -ENOENT, "ret %d, want %d", ret,
	      -ENOENT);
}

/* vfwd_place() on sys-b gives want[]. */
static void place_case(const char *name, enum vfwd_placement pl,
		       const __u16 *vcpus, const __u16 *want, unsigned int n)
{
	char sysfs[PATH_MAX], msg[TEXT_LEN] = "";
	__u16 out[VFWD_MAX_VCPUS];
	unsigned int i;
	int ret;

	at(sysfs, sizeof(sysfs), "sys-b");
	memset(out, 0xff, sizeof(out));
	ret = vfwd_place(sysfs, pl, vcpus, n, out, msg, sizeof(msg));
	if (ret) {
		check(name, false, "ret %d: %s", ret, msg);
		return;
	}
	for (i = 0; i < n; i++) {
		if (out[i] != want[i]) {
			check(name, false,
			      "vCPU %u on CPU %u placed on %u, want %u", i,
			      vcpus[i], out[i], want[i]);
			return;
		}
	}
	pass(name);
}

static void test_place(void)
{
	static const __u16 three[] = {0, 1, 4}, three_node[] = {2, 3, 5};
	static const __u16 mixed[] = {0, 4, 1, 5, 6},
			   mixed_node[] = {2, 7, 3, 7, 7};
	static const __u16 full[] = {0, 1, 2, 3, 4},
			   full_node[] = {0, 1, 2, 3, 5};
	static const __u16 missing[] = {0, 9};
	char sysfs[PATH_MAX], msg[TEXT_LEN] = "";
	__u16 out[2];
	int ret;

	place_case("place_same_cpu", VFWD_PLACE_SAME_CPU, three, three, 3);
	place_case("place_same_node", VFWD_PLACE_SAME_NODE, three, three_node,
		   3);
	place_case("place_same_node_round_robin", VFWD_PLACE_SAME_NODE, mixed,
		   mixed_node, 5);
	place_case("place_same_node_full", VFWD_PLACE_SAME_NODE, full,
		   full_node, 5);
	place_case("place_off", VFWD_PLACE_OFF, three, three, 3);

	at(sysfs, sizeof(sysfs), "sys-b");
	ret = vfwd_place(sysfs, VFWD_PLACE_SAME_NODE, missing, 2, out, msg,
			 sizeof(msg));
	check("place_missing_cpu",
	      ret == -ENODEV && strstr(msg, "CPU 9") != NULL,
	      "ret %d msg \"%s\", want %d naming CPU 9", ret, msg, -ENODEV);
	ret = vfwd_place(sysfs, (enum vfwd_placement)7, three, 3, out, msg,
			 sizeof(msg));
	check("place_unknown", ret == -EINVAL, "ret %d, want %d", ret, -EINVAL);
}

static void test_vcpus(void)
{
	char proc[PATH_MAX], msg[TEXT_LEN], a0[TEXT_LEN], a1[TEXT_LEN];
	struct vfwd_vcpu v[4];
	unsigned int n = 99;
	int ret;

	at(proc, sizeof(proc), "proc");

	msg[0] = '\0';
	ret = vfwd_vm_vcpus(proc, 100, v, ARRAY_SIZE(v), &n, msg, sizeof(msg));
	if (ret || n != 2) {
		check("vcpus", false, "ret %d n %u msg \"%s\", want 0 2", ret,
		      n, msg);
	} else {
		fmt_set(&v[0].allowed, a0, sizeof(a0));
		fmt_set(&v[1].allowed, a1, sizeof(a1));
		check("vcpus",
		      v[0].index == 0 && v[0].tid == 102 &&
			      !strcmp(a0, "2,5") && v[1].index == 1 &&
			      v[1].tid == 101 && !strcmp(a1, "3"),
		      "got [%u tid %d on %s] [%u tid %d on %s], want [0 tid 102 on 2,5] [1 tid 101 on 3]",
		      v[0].index, (int)v[0].tid, a0, v[1].index, (int)v[1].tid,
		      a1);
	}

	ret = vfwd_vm_vcpus(proc, 100, v, 1, &n, msg, sizeof(msg));
	check("vcpus_max", !ret && n == 1 && v[0].index == 0 && v[0].tid == 102,
	      "ret %d n %u first index %u tid %d, want 0 1 0 102", ret, n,
	      v[0].index, (int)v[0].tid);

	ret = vfwd_vm_vcpus(proc, 400, v, ARRAY_SIZE(v), &n, msg, sizeof(msg));
	check("vcpus_comm_fallback",
	      !ret && n == 1 && v[0].tid == 401 &&
		      !strcmp(fmt_set(&v[0].allowed, a0, sizeof(a0)), "1"),
	      "ret %d n %u msg \"%s\"", ret, n, msg);

	ret = vfwd_vm_vcpus(proc, 600, v, ARRAY_SIZE(v), &n, msg, sizeof(msg));
	check("vcpus_deleted_binary", !ret && n == 1 && v[0].tid == 601,
	      "ret %d n %u msg \"%s\"", ret, n, msg);

	msg[0] = '\0';
	ret = vfwd_vm_vcpus(proc, 200, v, ARRAY_SIZE(v), &n, msg, sizeof(msg));
	check("vcpus_not_qemu",
	      ret == -EINVAL && strstr(msg, "/usr/bin/sleep") &&
		      strstr(msg, "PID 200"),
	      "ret %d msg \"%s\", want %d naming PID 200 and /usr/bin/sleep",
	      ret, msg, -EINVAL);

	msg[0] = '\0';
	ret = vfwd_vm_vcpus(proc, 300, v, ARRAY_SIZE(v), &n, msg, sizeof(msg));
	check("vcpus_no_threads",
	      ret == -ENOENT && strstr(msg, "debug-threads=on") &&
		      strstr(msg, "300"),
	      "ret %d msg \"%s\", want %d naming 300 and debug-threads=on", ret,
	      msg, -ENOENT);

	msg[0] = '\0';
	ret = vfwd_vm_vcpus(proc, 500, v, ARRAY_SIZE(v), &n, msg, sizeof(msg));
	check("vcpus_no_process",
	      ret == -ESRCH && !strcmp(msg, "no process with PID 500"),
	      "ret %d msg \"%s\", want %d", ret, msg, -ESRCH);
}

/* This machine: whatever it has, CPU 0 is online and has a node. */
static void test_real(void)
{
	char msg[TEXT_LEN] = "";
	struct vfwd_vcpu v[1];
	struct vfwd_cpuset s;
	unsigned int n;
	int ret;

	ret = vfwd_cpus_online("/sys", &s);
	check("real_online", !ret && vfwd_cpuset_has(&s, 0), "ret %d, CPU 0 %s",
	      ret, vfwd_cpuset_has(&s, 0) ? "listed" : "missing");
	ret = vfwd_cpu_node("/sys", 0);
	check("real_node", ret >= 0, "ret %d, want >= 0", ret);

	ret = vfwd_vm_vcpus("/proc", getpid(), v, ARRAY_SIZE(v), &n, msg,
			    sizeof(msg));
	check("real_self_not_qemu", ret == -EINVAL,
	      "ret %d msg \"%s\", want %d", ret, msg, -EINVAL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(strcpy(root, ROOT_TEMPLATE))) {
		printf("FAIL: cpus/setup: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (build_sysfs() || build_proc()) {
		cleanup();
		return 1;
	}
	test_cpuset();
	test_cpulist();
	test_parse_u32();
	test_sysfs();
	test_place();
	test_vcpus();
	test_real();
	cleanup();
	return failures ? 1 : 0;
}
