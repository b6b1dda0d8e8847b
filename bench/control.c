// SPDX-License-Identifier: GPL-2.0
/*
 * bench/control: how fast the MAC table can be written (issue 6,
 * "control plane").
 *
 *  mac_put_api       VFWD_MAX_MACS distinct MACs written with
 *                    vfwd_mac_put(), the typed accessor the CLI uses, on
 *                    tables made by vfwd_maps_create(); updates per second.
 *                    replace is true, as in `mac add` and `mac load`, which
 *                    check for conflicts before they write: false would add
 *                    one lookup per entry.
 *  mac_load_cli_64k  one `vfwd mac load FILE` of a file of VFWD_MAX_MACS
 *                    entries, timed from fork to exit (parse, checks
 *                    against the table, writes, and exec itself); then
 *                    `vfwd -j status` must count VFWD_MAX_MACS MACs.
 *
 * Both run in a private pin directory under /sys/fs/bpf, removed at exit,
 * and a private network namespace, where a veth stands in for the
 * guest's device that `port add` needs (the MACs of a file must belong
 * to an existing port).  Between rounds the MACs are deleted again with
 * vfwd_mac_del(), untimed: the cheapest reset that leaves the tables and
 * the port as they were (a new pin directory would repeat `port add`,
 * and `vfwd mac del` is one exec per MAC).  The table is checked empty
 * before each round, so every round writes new entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "vfwd_maps.h"
#include "vfwd_tables.h"
#include "vfwd_loader.h"
#include "bench_lib.h"
#include "json.h"
#include "prog_cost_json.h"

#define PROG "control"

#define QUICK_ROUNDS 5
/* The port the MACs belong to, and the veth pair standing in for its
 * device (the peer only exists because a veth comes in pairs). */
#define PORT_NAME "bench0"
#define PORT_DEV "vfb-port"
#define PEER_DEV "vfb-peer"
/* Locally administered, second byte unlike anything else of vfwd's
 * benchmarks, the index in the last three bytes. */
#define MAC_B0 0x02
#define MAC_B1 0xbc
#define BYTE_BITS 8
#define BYTE_MASK 0xff

/* Where `vfwd -j status` gives the MAC table's count:
 * {"tables": {"macs": {"used": N, "max": M}, ...}} (docs/vfwd.md, status),
 * and `vfwd -j mac load` the MACs it added: {"added": N, ...}. */
#define STATUS_MACS "/tables/macs/used"
#define LOAD_ADDED "/added"

/* Longest command line and output we build or read. */
#define CMD_LEN 512
#define OUT_LEN 4096

#define USAGE                                                                  \
	"usage: " PROG " [--rounds N] [--json FILE] [--quick] [--vfwd PATH]\n" \
	"  --rounds N   rounds of each measurement (default 7)\n"              \
	"  --json FILE  also write the results as JSON\n"                      \
	"  --quick      5 rounds\n"                                            \
	"  --vfwd PATH  the vfwd binary (default: vfwd next to this one)\n"

struct opts {
	int rounds;
	const char *json;
	char vfwd[PATH_MAX];
};

/* What the exit handler removes. */
static char pin_dir[PATH_MAX];
static char mac_file[PATH_MAX];

static void cleanup(void)
{
	if (mac_file[0])
		unlink(mac_file);
	if (pin_dir[0])
		vfwd_tables_unpin(pin_dir);
}

static void on_signal(int sig)
{
	cleanup();
	_exit(128 + sig);
}

static int opts_opt(void *ctx, int opt, char *arg)
{
	struct opts *o = ctx;

	if (opt != 'v')
		return BENCH_OPT_SHARED;
	snprintf(o->vfwd, sizeof(o->vfwd), "%s", arg);
	return 0;
}

/* 0, BENCH_HELP, or -errno (-EINVAL: see bench_getopt()). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option own[] = {
		{"vfwd", required_argument, NULL, 'v'},
		{NULL},
	};
	struct bench_opts b = {.rounds = BENCH_DEF_ROUNDS,
			       .quick_rounds = QUICK_ROUNDS};
	char self[PATH_MAX];
	ssize_t n;
	int err;

	*o = (struct opts){};
	err = bench_getopt(argc, argv,
			   BENCH_OPT_ROUNDS | BENCH_OPT_JSON | BENCH_OPT_QUICK,
			   own, USAGE, &b, opts_opt, o);
	if (err)
		return err;
	o->rounds = b.rounds;
	o->json = b.json;
	if (o->vfwd[0])
		return 0;
	/* The build puts vfwd and the benchmarks in one directory. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	snprintf(o->vfwd, sizeof(o->vfwd), "%s/vfwd", dirname(self));
	return 0;
}

static int pin_first_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : cpu;
}

static double mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * (double)BENCH_NSEC_PER_SEC + t.tv_nsec;
}

static void mac_key(__u32 i, struct vfwd_mac_key *k)
{
	memset(k, 0, sizeof(*k));
	k->mac[0] = MAC_B0;
	k->mac[1] = MAC_B1;
	k->mac[3] = i >> (2 * BYTE_BITS) & BYTE_MASK;
	k->mac[4] = i >> BYTE_BITS & BYTE_MASK;
	k->mac[5] = i & BYTE_MASK;
}

static int mac_count(const struct vfwd_tables *t, size_t *n)
{
	struct vfwd_mac_entry *all;
	int err = vfwd_mac_dump(t, &all, n);

	if (!err)
		free(all);
	return err;
}

/* Delete every MAC a round wrote, and check the table is empty.  The
 * live table first: a vfwd mac load swapped in a new one. */
static int reset(struct vfwd_tables *t)
{
	struct vfwd_mac_key k;
	size_t n;
	int err = vfwd_mac_table_refresh(t);

	if (err)
		return err;
	for (__u32 i = 0; i < VFWD_MAX_MACS; i++) {
		mac_key(i, &k);
		err = vfwd_mac_del(t, &k);
		if (err && err != -ENOENT)
			return err;
	}
	err = mac_count(t, &n);
	if (!err && n) {
		fprintf(stderr, "%s: %zu MACs left after the reset\n", PROG, n);
		err = -EEXIST;
	}
	return err;
}

/* One round of the API: updates per second. */
static int api_round(struct vfwd_tables *t, __u32 port_id, double *ups)
{
	struct vfwd_mac_val v = {.port_id = port_id, .flags = VFWD_MAC_STATIC};
	struct vfwd_mac_key k;
	double t0, t1;
	size_t n;
	int err = 0;

	t0 = mono_ns();
	for (__u32 i = 0; i < VFWD_MAX_MACS && !err; i++) {
		mac_key(i, &k);
		err = vfwd_mac_put(t, &k, &v, true);
	}
	t1 = mono_ns();
	if (!err)
		err = mac_count(t, &n);
	if (err)
		return err;
	if (n != VFWD_MAX_MACS) {
		fprintf(stderr, "%s: %zu MACs in the table after the puts\n",
			PROG, n);
		return -EPROTO;
	}
	*ups = VFWD_MAX_MACS / ((t1 - t0) / BENCH_NSEC_PER_SEC);
	return reset(t);
}

/*
 * Run vfwd with args (a NULL-terminated list after the program name),
 * its stdout into out; *secs is the time from fork to its exit.
 */
static int run_vfwd(struct opts *o, char *const args[], char *out, size_t len,
		    double *secs)
{
	size_t got = 0;
	int fds[2], status;
	double t0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	t0 = mono_ns();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(o->vfwd, args);
		perror(o->vfwd);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (secs)
		*secs = (mono_ns() - t0) / BENCH_NSEC_PER_SEC;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: %s", PROG, o->vfwd);
		for (int i = 1; args[i]; i++)
			fprintf(stderr, " %s", args[i]);
		fprintf(stderr, " failed (status 0x%x): %s\n", status, out);
		return -EIO;
	}
	return 0;
}

/* The count `vfwd -j status` gives for the MAC table. */
static int status_macs(struct opts *o, long *macs)
{
	char *const args[] = {o->vfwd, "-j",	 "--pin-path",
			      pin_dir, "status", NULL};
	char out[OUT_LEN];
	uint64_t used;
	int err = run_vfwd(o, args, out, sizeof(out), NULL);

	if (err)
		return err;
	if (json_read_u64(out, STATUS_MACS, &used)) {
		fprintf(stderr, "%s: vfwd status said: %s\n", PROG, out);
		return -EPROTO;
	}
	*macs = used;
	return 0;
}

/* One round of the CLI: one `mac load` of the whole file. */
static int cli_round(struct opts *o, struct vfwd_tables *t, int round,
		     double *secs)
{
	char *const args[] = {o->vfwd, "-j",   "--pin-path", pin_dir,
			      "mac",   "load", mac_file,     NULL};
	char out[OUT_LEN];
	uint64_t added;
	long macs;
	int err = run_vfwd(o, args, out, sizeof(out), secs);

	if (err)
		return err;
	/* Every entry new, in the one command. */
	if (json_read_u64(out, LOAD_ADDED, &added) || added != VFWD_MAX_MACS) {
		fprintf(stderr, "%s: mac load said: %s\n", PROG, out);
		return -EPROTO;
	}
	err = status_macs(o, &macs);
	if (err)
		return err;
	printf("  round %d: vfwd mac load of %d MACs: %.3f s; vfwd status "
	       "then counts %ld MACs\n",
	       round + 1, VFWD_MAX_MACS, *secs, macs);
	if (macs != VFWD_MAX_MACS)
		return -EPROTO;
	return reset(t);
}

static int write_mac_file(void)
{
	struct vfwd_mac_key k;
	char mac[VFWD_MAC_STRLEN];
	FILE *f;

	snprintf(mac_file, sizeof(mac_file), "/tmp/vfwd-bench-%d.macs",
		 getpid());
	f = fopen(mac_file, "w");
	if (!f)
		return -errno;
	fprintf(f, "# MAC PORT: %d entries for bench/control\n", VFWD_MAX_MACS);
	for (__u32 i = 0; i < VFWD_MAX_MACS; i++) {
		mac_key(i, &k);
		vfwd_mac_format(k.mac, mac);
		fprintf(f, "%s %s\n", mac, PORT_NAME);
	}
	return fclose(f) ? -errno : 0;
}

/* Tables, a port on the veth, and the file to load. */
static int setup(struct opts *o, struct vfwd_tables *t, __u32 *port_id)
{
	char *const add[] = {o->vfwd,	"--pin-path", pin_dir,	"port", "add",
			     PORT_NAME, "--dev",      PORT_DEV, NULL};
	char out[OUT_LEN], cmd[CMD_LEN];
	struct vfwd_port p;
	int err, id;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNET): %s\n", PROG,
			strerror(errno));
		return -errno;
	}
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s && "
		 "ip link set %s up && ip link set %s up",
		 PORT_DEV, PEER_DEV, PORT_DEV, PEER_DEV);
	err = bench_sh(cmd);
	if (err)
		return err;
	snprintf(pin_dir, sizeof(pin_dir), "%s/vfwd-bench-%d", VFWD_PIN_ROOT,
		 getpid());
	err = vfwd_maps_create(pin_dir, NULL);
	if (!err)
		err = vfwd_tables_open(t, pin_dir);
	if (err) {
		fprintf(stderr, "%s: tables in %s: %s\n", PROG, pin_dir,
			strerror(-err));
		return err;
	}
	err = run_vfwd(o, add, out, sizeof(out), NULL);
	if (err)
		return err;
	id = vfwd_port_find_name(t, PORT_NAME, &p);
	if (id < 0)
		return id;
	*port_id = id;
	err = write_mac_file();
	if (err)
		fprintf(stderr, "%s: writing the MAC file: %s\n", PROG,
			strerror(-err));
	return err;
}

static void summary(const char *what, const char *unit, double *x, int n)
{
	double y[BENCH_MAX_ROUNDS];
	struct bench_spread s;

	memcpy(y, x, n * sizeof(*y));
	s = bench_spread(y, n);
	printf("%-18s median %12.3f %s  [%.3f, %.3f]\n", what, s.med, unit,
	       s.min, s.max);
}

static int write_json(const struct opts *o, int cpu, double *api, double *cli)
{
	double y[BENCH_MAX_ROUNDS];
	struct pc_result r = {.group = "control",
			      .macs = VFWD_MAX_MACS,
			      .vlan = "none",
			      .n = o->rounds,
			      .raw_median = NAN,
			      .stub_median = NAN,
			      .updates_per_sec = NAN};
	struct json j;

	if (!pc_json_open(&j, o->json, PROG, o->rounds, VFWD_MAX_MACS, cpu))
		return -EIO;
	r.name = "mac_put_api";
	r.metric = "updates_per_sec";
	r.unit = "1/s";
	r.samples = api;
	pc_json_result(&j, &r);
	r.name = "mac_load_cli_64k";
	r.metric = "seconds";
	r.unit = "s";
	r.samples = cli;
	memcpy(y, cli, o->rounds * sizeof(*y));
	r.updates_per_sec = VFWD_MAX_MACS / bench_spread(y, o->rounds).med;
	pc_json_result(&j, &r);
	return pc_json_close(&j, o->json);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	double api[BENCH_MAX_ROUNDS], cli[BENCH_MAX_ROUNDS],
		cli_ups[BENCH_MAX_ROUNDS];
	struct vfwd_tables t = {};
	struct opts o;
	__u32 port_id = 0;
	int cpu, err;

	err = parse_opts(argc, argv, &o);
	if (err)
		return err == BENCH_HELP ? 0 : 2;
	cpu = pin_first_cpu();
	if (cpu < 0) {
		fprintf(stderr, "%s: pinning to a CPU: %s\n", PROG,
			strerror(-cpu));
		return 1;
	}
	atexit(cleanup);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = setup(&o, &t, &port_id);
	if (err)
		return 1;
	printf("%s: pin path %s, %d rounds of %d MACs, pinned to CPU %d\n",
	       PROG, pin_dir, o.rounds, VFWD_MAX_MACS, cpu);
	/* Interleaved: the API, then the CLI, in every round. */
	for (int i = 0; i < o.rounds && !err; i++) {
		err = api_round(&t, port_id, &api[i]);
		if (!err)
			err = cli_round(&o, &t, i, &cli[i]);
		if (!err)
			cli_ups[i] = VFWD_MAX_MACS / cli[i];
	}
	if (err) {
		fprintf(stderr, "%s: %s\n", PROG, strerror(-err));
		vfwd_tables_close(&t);
		return 1;
	}
	summary("mac_put_api", "updates/s", api, o.rounds);
	summary("mac_load_cli_64k", "s", cli, o.rounds);
	summary("  as updates/s", "updates/s", cli_ups, o.rounds);
	if (o.json)
		err = write_json(&o, cpu, api, cli);
	vfwd_tables_close(&t);
	return err ? 1 : 0;
}
