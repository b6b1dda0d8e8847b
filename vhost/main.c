// SPDX-License-Identifier: GPL-2.0
/*
 * vfwd-vhost [--pin-path DIR] [--poll CPULIST] [-v]
 *
 * Serves every xsk port of one vfwd installation (vhost/vhost.h).  Runs in
 * the foreground and logs to stderr (systemd-friendly); SIGTERM or SIGINT
 * end it cleanly: drivers unregistered, sockets closed, each port's state
 * DOWN.  Nothing it holds is needed to rebuild its state: a new instance
 * reads the port table and takes the ports back.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <bpf/libbpf.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include "vhost.h"
#include "vfwd_cpus.h"
#include "xguest.h"

bool vh_verbose;
struct vh_daemon *vh;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--pin-path DIR] [--poll CPULIST] [-v]\n"
		"  --pin-path DIR  the vfwd installation to serve (default %s)\n"
		"  --poll CPULIST  busy-poll on these CPUs instead of sleeping\n"
		"  -v, --verbose   say more\n",
		VH_PROG, VFWD_PIN_DIR);
}

static int parse_cpus(const char *list, cpu_set_t *out)
{
	struct vfwd_cpuset s;
	int err = vfwd_cpuset_parse(list, &s);

	if (err)
		return err;
	CPU_ZERO(out);
	for (int c = vfwd_cpuset_first(&s); c >= 0;
	     c = vfwd_cpuset_next(&s, c)) {
		if (c >= CPU_SETSIZE)
			return -ERANGE;
		CPU_SET(c, out);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct vh_opts *o)
{
	static const struct option opts[] = {
		{"pin-path", required_argument, NULL, 'p'},
		{"poll", required_argument, NULL, 'P'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, err;

	o->pin_dir = VFWD_PIN_DIR;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pin_dir = optarg;
			break;
		case 'P':
			err = parse_cpus(optarg, &o->poll_cpus);
			if (err) {
				vh_err("--poll %s: not a CPU list like 1 or 2-3,6 (%s)",
				       optarg, strerror(-err));
				return -EINVAL;
			}
			o->poll = true;
			break;
		case 'v':
			vh_verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		vh_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	/* libbpf's debug level narrates every map of the object. */
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !vh_verbose))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Blocked in every thread (EAL's and the library's inherit the mask) and
 * read from a signalfd by the control loop. */
static int signals_setup(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Scan every VH_SCAN_MS, and at once when a guest connects; end on a
 * signal. */
static void control_loop(struct vh_daemon *d, int sigfd)
{
	long long next = 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = sigfd, .events = POLLIN},
			{.fd = d->ctl_wake, .events = POLLIN},
		};
		long long now = now_ms();
		eventfd_t v;

		if (now >= next) {
			vh_scan(d);
			next = now + VH_SCAN_MS;
		}
		if (poll(pfd, 2, next - now_ms() > 0 ? next - now_ms() : 0) <
			    0 &&
		    errno != EINTR)
			break;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
			    si.ssi_signo != SIGHUP) {
				vh_info("%s: shutting down",
					strsignal(si.ssi_signo));
				break;
			}
		}
		if (pfd[1].revents) {
			eventfd_read(d->ctl_wake, &v);
			next = 0;
		}
	}
}

int main(int argc, char **argv)
{
	static struct vh_daemon daemon_state;
	struct vh_daemon *d = &daemon_state;
	struct vh_opts o = {};
	char prefix[64];
	int sigfd, err;

	if (parse_args(argc, argv, &o))
		return 2;
	libbpf_set_print(libbpf_log);
	sigfd = signals_setup();
	if (sigfd < 0) {
		vh_err("cannot set up signal handling: %s", strerror(-sigfd));
		return 1;
	}
	vh = d;
	d->pin_dir = o.pin_dir;
	d->pid = getpid();
	pthread_mutex_init(&d->lock, NULL);
	d->scan = calloc(VFWD_MAX_PORTS, sizeof(*d->scan));
	d->ctl_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!d->scan || d->ctl_wake < 0) {
		vh_err("out of memory or file descriptors");
		return 1;
	}
	if (vh_eal_init(&o, prefix, sizeof(prefix)))
		return 1;
	d->dp.poll = o.poll;
	d->dp.cpus = o.poll_cpus;
	d->dp.pool = rte_pktmbuf_pool_create(
		"vfwd_vhost", VH_POOL_MBUFS, VH_POOL_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (!d->dp.pool) {
		vh_err("cannot create the mbuf pool (%d mbufs): %s",
		       VH_POOL_MBUFS, rte_strerror(rte_errno));
		err = 1;
		goto out_eal;
	}
	err = vh_dp_start(&d->dp);
	if (err) {
		vh_err("cannot start the data-path thread: %s", strerror(-err));
		err = 1;
		goto out_pool;
	}
	vh_info("started (pid %d, %s)", (int)d->pid,
		o.poll ? "busy-polling" : "sleeping in epoll when idle");
	control_loop(d, sigfd);
	/* Guests first: their destroy_device needs the data path. */
	vh_release_all(d);
	vh_relay_release(d);
	vh_dp_stop(&d->dp);
	if (d->have_tables) {
		vfwd_xguest_close(d->xg);
		vh_xstat_unmap(d);
		vfwd_tables_close(&d->t);
	}
	err = 0;
out_pool:
	rte_mempool_free(d->dp.pool);
out_eal:
	vh_eal_cleanup(prefix);
	return err;
}
