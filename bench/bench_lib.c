// SPDX-License-Identifier: GPL-2.0
/* What the benchmarks share; see bench_lib.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include "vfwd_maps.h"
#include "vfwd_tables.h"
#include "bench_lib.h"

const __u8 bench_src_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};
const __u8 bench_guest_mac[ETH_ALEN] = {0x52, 0x54, 0, 0, 0, 0x02};

/* Room for one "ip link" command with two interface names. */
#define CMD_LEN 256

/* The 802.1Q tag after the MACs: TPID, then the TCI holding the VID. */
#define TAG_OFF (2 * ETH_ALEN)
#define VLAN_HLEN 4

#define NO_IPV6                                                                \
	"sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "                         \
	"net.ipv6.conf.default.disable_ipv6=1"

#define MODEL_KEY "model name"
#define CPUINFO_LINE 256

/* The shared options, in the order of the table bench_getopt() builds; a
 * benchmark's own options go after SHARED_OWN_AT of them. */
static const struct {
	unsigned int bit;
	struct option opt;
} shared_opts[] = {
	{BENCH_OPT_ROUNDS, {"rounds", required_argument, NULL, 'r'}},
	{BENCH_OPT_FRAMES, {"frames", required_argument, NULL, 'n'}},
	{BENCH_OPT_JSON, {"json", required_argument, NULL, 'j'}},
	{BENCH_OPT_QUICK, {"quick", no_argument, NULL, 'q'}},
};

#define SHARED_OWN_AT 2
#define NSHARED ((int)(sizeof(shared_opts) / sizeof(shared_opts[0])))

static const struct option help_opt = {"help", no_argument, NULL, 'h'};

/* A whole decimal number in [min, max], or -EINVAL. */
static int arg_int(const char *s, int min, int max, int *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || end == s || *end || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static int shared_opt(struct bench_opts *o, int opt, const char *arg,
		      bool *rounds_set)
{
	switch (opt) {
	case 'r':
		*rounds_set = true;
		return arg_int(arg, 1, BENCH_MAX_ROUNDS, &o->rounds);
	case 'n':
		return arg_int(arg, 1, INT_MAX, &o->frames);
	case 'j':
		o->json = arg;
		return 0;
	case 'q':
		o->quick = true;
		return 0;
	default:
		return -EINVAL;
	}
}

static int count_opts(const struct option *opts)
{
	int n = 0;

	while (opts[n].name)
		n++;
	return n;
}

/* The getopt_long() table: the shared options asked for with the
 * benchmark's own, then --help and the end.  The order is the one the
 * benchmarks had, which getopt_long() shows when an abbreviation is
 * ambiguous. */
static void build_opts(struct option *opts, unsigned int shared,
		       const struct option *own)
{
	int n = 0;

	for (int i = 0; i < NSHARED; i++) {
		if (i == SHARED_OWN_AT)
			for (int k = 0; own[k].name; k++)
				opts[n++] = own[k];
		if (shared & shared_opts[i].bit)
			opts[n++] = shared_opts[i].opt;
	}
	opts[n++] = help_opt;
	opts[n] = (struct option){NULL};
}

int bench_getopt(int argc, char **argv, unsigned int shared,
		 const struct option *own, const char *usage,
		 struct bench_opts *o,
		 int (*parse)(void *ctx, int opt, char *arg), void *ctx)
{
	/* The shared ones, own ones, --help and the end. */
	struct option opts[NSHARED + count_opts(own) + 2];
	bool rounds_set = false;
	int opt, err = 0;

	build_opts(opts, shared, own);
	while (!err && (opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return BENCH_HELP;
		}
		err = parse(ctx, opt, optarg);
		if (err == BENCH_OPT_SHARED)
			err = shared_opt(o, opt, optarg, &rounds_set);
	}
	if (!err && optind < argc)
		err = -EINVAL;
	if (err) {
		fputs(usage, stderr);
		return err;
	}
	if (o->quick && !rounds_set && o->quick_rounds)
		o->rounds = o->quick_rounds;
	return 0;
}

/* What bench_args() parses into. */
struct args_ctx {
	const struct bench_arg_spec *spec;
	struct bench_args *a;
};

static int args_opt(void *ctx, int opt, char *arg)
{
	const struct args_ctx *c = ctx;
	const struct bench_arg_spec *spec = c->spec;
	struct bench_args *a = c->a;

	switch (opt) {
	case 's':
		return arg_int(arg, spec->min_size, spec->max_size, &a->size);
	case 'b':
		return spec->extra & BENCH_ARG_BATCH
			       ? arg_int(arg, 1, spec->max_batch, &a->batch)
			       : -EINVAL;
	case 'j':
		return spec->extra & BENCH_ARG_JSON ? BENCH_OPT_SHARED
						    : -EINVAL;
	default:
		return BENCH_OPT_SHARED;
	}
}

int bench_args(int argc, char **argv, const struct bench_arg_spec *spec,
	       struct bench_args *a)
{
	static const struct option own[] = {
		{"size", required_argument, NULL, 's'},
		{"batch", required_argument, NULL, 'b'},
		{NULL},
	};
	struct bench_opts o = {.rounds = BENCH_DEF_ROUNDS,
			       .frames = BENCH_DEF_FRAMES};
	struct args_ctx ctx = {spec, a};
	int err;

	*a = (struct bench_args){.size = BENCH_DEF_SIZE};
	err = bench_getopt(argc, argv,
			   BENCH_OPT_ROUNDS | BENCH_OPT_FRAMES | BENCH_OPT_JSON,
			   own, spec->usage, &o, args_opt, &ctx);
	a->rounds = o.rounds;
	a->frames = o.frames;
	a->json = o.json;
	a->help = err == BENCH_HELP;
	return err < 0 ? err : 0;
}

int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		int err = -errno;

		fprintf(stderr, "%s: sched_setaffinity: %s\n",
			program_invocation_short_name, strerror(-err));
		return err;
	}
	return 0;
}

int bench_sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc) {
		fprintf(stderr, "%s: '%s' failed (%d)\n",
			program_invocation_short_name, cmd, rc);
		return -EIO;
	}
	return 0;
}

static int add_veth(const char *a, const char *b)
{
	char cmd[CMD_LEN];

	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s && "
		 "ip link set %s up && ip link set %s up",
		 a, b, a, b);
	return bench_sh(cmd);
}

int bench_netns(const struct bench_links *l, struct bench_ifindex *ix)
{
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNET): %s\n",
			program_invocation_short_name, strerror(errno));
		return -errno;
	}
	/* No IPv6: its router and listener solicitations would reach the
	 * sink and be counted as benchmark frames. */
	if (bench_sh(NO_IPV6) || bench_sh("ip link set lo up") ||
	    add_veth(l->uplink, l->wire) || add_veth(l->port, l->sink))
		return -EIO;
	ix->uplink = if_nametoindex(l->uplink);
	ix->port = if_nametoindex(l->port);
	ix->sink = if_nametoindex(l->sink);
	return ix->uplink && ix->port && ix->sink ? 0 : -ENODEV;
}

int bench_vfwd_open(struct vfwd_bpf **vf, __u32 uplink_port)
{
	struct bpf_map *m;

	*vf = vfwd_bpf__open();
	if (!*vf)
		return -errno;
	bpf_object__for_each_map(m, (*vf)->obj) bpf_map__set_pin_path(m, NULL);
	(*vf)->rodata->cfg_uplink_port = uplink_port;
	return 0;
}

int bench_set_uplink(struct vfwd_bpf *vf, __u32 id, int ifindex,
		     const char *name)
{
	struct vfwd_port up = {.kind = VFWD_PORT_UPLINK, .ifindex = ifindex};

	snprintf(up.name, sizeof(up.name), "%s", name);
	return bpf_map_update_elem(bpf_map__fd(vf->maps.vfwd_port_v4), &id, &up,
				   BPF_ANY)
		       ? -errno
		       : 0;
}

int bench_mac_put(struct vfwd_bpf *vf, const struct vfwd_mac_key *k,
		  const struct vfwd_mac_val *v)
{
	/* The loaded object's MAC table, installed on first use (objects
	 * loaded without pins start with an empty slot). */
	int fd = vfwd_mac_table_ensure(bpf_map__fd(vf->maps.vfwd_macs_v4),
				       NULL),
	    err;

	if (fd < 0)
		return fd;
	err = bpf_map_update_elem(fd, k, v, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

int bench_attach_sink(int ifindex, const struct bpf_program *prog)
{
	/* A frame redirected into a veth is dropped unless its peer runs
	 * XDP; the sink program is that peer. */
	return bpf_xdp_attach(ifindex, bpf_program__fd(prog),
			      XDP_FLAGS_DRV_MODE, NULL);
}

void bench_frame(__u8 *f, __u32 len, const __u8 *dst, __u16 vid, __u16 proto)
{
	__u32 off = TAG_OFF;

	/* The payload is zeros: nothing on the benchmarks' paths looks past
	 * the EtherType (no --rps, so no flow hash). */
	memset(f, 0, len);
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, bench_src_mac, ETH_ALEN);
	if (vid != VFWD_VID_NONE) {
		f[off] = ETH_P_8021Q >> 8;
		f[off + 1] = ETH_P_8021Q & 0xff;
		f[off + 2] = vid >> 8;
		f[off + 3] = vid & 0xff;
		off += VLAN_HLEN;
	}
	f[off] = proto >> 8;
	f[off + 1] = proto & 0xff;
}

static double ts_ns(const struct timespec *t)
{
	return t->tv_sec * (double)BENCH_NSEC_PER_SEC + t->tv_nsec;
}

int bench_test_run(int prog_fd, int ifindex, const __u8 *frame, __u32 len,
		   __u32 repeat, __u32 batch, struct bench_call *c)
{
	struct xdp_md ctx_in = {.data_end = len, .ingress_ifindex = ifindex};
	/* The batch is the test run's NAPI budget: frames between two
	 * redirect flushes and two BH re-enables. */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = batch);
	struct timespec a, b, ca, cb;
	int err;

	/* The thread's own CPU clock is exact (and, with paravirt steal
	 * accounting, leaves steal out); its schedstat lags by up to a
	 * tick while it runs. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
	clock_gettime(CLOCK_MONOTONIC, &a);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
	if (err)
		return -errno;
	c->wall_ns = ts_ns(&b) - ts_ns(&a);
	c->cpu_ns = ts_ns(&cb) - ts_ns(&ca);
	return 0;
}

int bench_percpu_zero(int map_fd, __u32 key, size_t size, int ncpus)
{
	void *z = calloc(ncpus, size);
	int err = 0;

	if (!z)
		return -ENOMEM;
	if (bpf_map_update_elem(map_fd, &key, z, BPF_ANY))
		err = -errno;
	free(z);
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct bench_spread bench_spread(double *x, int n)
{
	struct bench_spread s;

	qsort(x, n, sizeof(double), cmp_double);
	s.med = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	s.min = x[0];
	s.max = x[n - 1];
	return s;
}

/* The "model name" of the first CPU in /proc/cpuinfo. */
static void cpu_model(char *buf, size_t len)
{
	char line[CPUINFO_LINE];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, MODEL_KEY, strlen(MODEL_KEY)) || !colon)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

void bench_host(struct bench_host *h)
{
	memset(h, 0, sizeof(*h));
	if (uname(&h->uts))
		snprintf(h->uts.release, sizeof(h->uts.release), "unknown");
	cpu_model(h->cpu, sizeof(h->cpu));
	h->ncpus = libbpf_num_possible_cpus();
}
