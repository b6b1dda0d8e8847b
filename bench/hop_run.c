// SPDX-License-Identifier: GPL-2.0
/*
 * bench/cpumap_hop's measurements: one test-run call of a variant, the
 * wait until its frames are through, and the sample the sink's counters,
 * the port's tx count and the clocks give; and the fixed cost of a call.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "hop_sink.h"
#include "task_stat.h"
#include "cpumap_hop.h"

/* After a run, poll the sink until two reads SETTLE_US apart agree and
 * the kthread is asleep (settle()): the CPUMAP queue and the veth ring
 * hold at most ~1300 frames, drained in about a millisecond once the
 * kthread has a CPU, so this normally ends at the second read.  Give up
 * after SETTLE_TRIES (a second) on a badly overloaded host. */
#define SETTLE_US 10000
#define SETTLE_TRIES 100
/* One-batch calls timed to find the fixed cost of a test-run call. */
#define CALL_PROBES 5

/* One sink slot over all CPUs. */
struct sink_read {
	__u64 frames;
	__u64 on[HOP_CPUS]; /* frames on GEN_CPU and OTHER_CPU */
	/* Time-stamped frames: the first and last stamp on any CPU, and
	 * how many frames arrived between the stamps of each CPU. */
	__u64 first_ns, last_ns, stamped;
};

/* Read a sink slot, and zero it if asked. */
static void sink_read(struct hop_env *e, __u32 slot, bool zero,
		      struct sink_read *r)
{
	int fd = bpf_map__fd(e->hp->maps.sink_count);
	struct sink_stat st[e->host.ncpus];

	memset(r, 0, sizeof(*r));
	if (bpf_map_lookup_elem(fd, &slot, st))
		return;
	for (int i = 0; i < e->host.ncpus; i++) {
		if (!st[i].frames)
			continue;
		r->frames += st[i].frames;
		if (i == GEN_CPU || i == OTHER_CPU)
			r->on[i == OTHER_CPU] += st[i].frames;
		if (!r->first_ns || st[i].first_ns < r->first_ns)
			r->first_ns = st[i].first_ns;
		if (st[i].last_ns > r->last_ns)
			r->last_ns = st[i].last_ns;
		r->stamped += st[i].last_n - st[i].first_n;
	}
	if (zero)
		bench_percpu_zero(fd, slot, sizeof(st[0]), e->host.ncpus);
}

/* The port's tx_packets over all CPUs: the frames vfwd_cpu redirected
 * (the uplink itself when it delivers directly). */
static __u64 port_tx(struct hop_env *e, bool zero)
{
	int fd = bpf_map__fd(e->vf->maps.vfwd_stats_v4);
	struct vfwd_port_stats st[e->host.ncpus];
	__u32 id = HOP_PORT;
	__u64 sum = 0;

	if (bpf_map_lookup_elem(fd, &id, st))
		return 0;
	for (int i = 0; i < e->host.ncpus; i++)
		sum += st[i].tx_packets;
	if (zero)
		bench_percpu_zero(fd, id, sizeof(st[0]), e->host.ncpus);
	return sum;
}

/*
 * Wait until the frames in flight are delivered, and read the sink.  Its
 * count alone is not enough: a kthread that waits for its CPU holds a
 * full queue while the count stands still.  It sleeps only once its
 * queue is empty, so the frames are through when it is not runnable and
 * the count has stopped.
 */
static void settle(struct hop_env *e, pid_t kthread, struct sink_read *r)
{
	__u64 prev;

	sink_read(e, SINK_SLOT_OURS, false, r);
	for (int i = 0; i < SETTLE_TRIES; i++) {
		prev = r->frames;
		usleep(SETTLE_US);
		sink_read(e, SINK_SLOT_OURS, false, r);
		if (r->frames == prev && !task_runnable(kthread))
			break;
	}
}

/* One test-run call of repeat frames through vfwd_uplink. */
static int test_run(struct hop_env *e, const __u8 *frame, __u32 len,
		    __u32 repeat, struct bench_call *c)
{
	/* The batch is also the frames between two CPUMAP enqueue flushes
	 * and kthread wake-ups. */
	return bench_test_run(bpf_program__fd(e->vf->progs.vfwd_uplink),
			      e->ix.uplink, frame, len, repeat, e->batch, c);
}

/* The sample's columns from what the run measured: the call (wall and
 * generator CPU), the sink, the port's tx count, and the kthread's CPU
 * time and wait. */
static void fill(struct sample *s, enum variant v, bool have_kthread,
		 __u32 frames, const struct bench_call *c,
		 const struct sink_read *sink, __u64 tx,
		 const struct task_times *k)
{
	s->ns = c->wall_ns / frames;
	s->mpps = sink->last_ns > sink->first_ns
			  ? sink->stamped * BENCH_NSEC_PER_USEC /
				    (sink->last_ns - sink->first_ns)
			  : -1;
	s->delivered_pct = BENCH_PCT * sink->frames / frames;
	s->qdrop_pct =
		BENCH_PCT * (frames - (tx < frames ? tx : frames)) / frames;
	s->gen_cpu_ns = c->cpu_ns / frames;
	/* GEN_CPU ran the generator and, in steer-same-cpu, its own
	 * kthread if anything reached it; the rest of its time went to
	 * other tasks and to the hypervisor. */
	s->other_pct = BENCH_PCT *
		       (1 - (c->cpu_ns + (v == V_STEER_SAME ? k->run : 0)) /
				    c->wall_ns);
	/* Clocks read a few us apart can make "nothing else" a hair
	 * negative. */
	if (s->other_pct < 0)
		s->other_pct = 0;
	s->kth_cpu_ns = tx ? k->run / (double)tx : 0;
	s->kth_busy_pct = BENCH_PCT * k->run / c->wall_ns;
	s->kth_wait_pct = BENCH_PCT * k->wait / c->wall_ns;
	s->path_cpu_ns = s->gen_cpu_ns + s->kth_cpu_ns;
	if (v == V_DIRECT || !have_kthread) {
		/* No kthread in the path, or one that could not be told:
		 * its columns are unknown, and so is the path's cost. */
		s->kth_cpu_ns = -1;
		s->kth_busy_pct = -1;
		s->kth_wait_pct = -1;
		if (v == V_STEER_SAME)
			s->other_pct = -1;
		if (v != V_DIRECT)
			s->path_cpu_ns = -1;
	}
}

int hop_run(struct hop_env *e, enum variant v, const __u8 *frame, __u32 len,
	    __u32 frames, struct sample *s)
{
	/* The kthread of the CPU this variant steers to, if any. */
	pid_t kpid = v == V_DIRECT ? 0 : e->kthread[v == V_STEER_SAME ? 0 : 1];
	struct task_times k0, k1, k;
	struct sink_read sink;
	struct bench_call c;
	__u64 tx;
	int err;

	sink_read(e, SINK_SLOT_OURS, true, &sink);
	sink_read(e, SINK_SLOT_STRAY, true, &sink);
	port_tx(e, true);
	k0 = task_times(kpid);
	err = test_run(e, frame, len, frames, &c);
	if (err)
		return err;
	/* Let the CPUMAP queue and the veth ring drain so that their frames
	 * are counted for this run, not the next one.  The kthread is read
	 * once asleep, when its schedstat is up to date. */
	settle(e, kpid, &sink);
	k1 = task_times(kpid);
	tx = port_tx(e, false);
	e->sink_on[v][0] += sink.on[0];
	e->sink_on[v][1] += sink.on[1];
	sink_read(e, SINK_SLOT_STRAY, false, &sink);
	e->stray += sink.frames;
	sink_read(e, SINK_SLOT_OURS, false, &sink);
	k.run = k1.run - k0.run;
	k.wait = k1.wait - k0.wait;
	fill(s, v, kpid, frames, &c, &sink, tx, &k);
	return 0;
}

/* The fixed cost of one test-run call (set-up and teardown), from the
 * median wall time of CALL_PROBES direct calls of one batch each.  It is
 * in every variant's ns/frame: call_ns / frames per frame. */
int hop_call_overhead(struct hop_env *e, const __u8 *frame, __u32 len)
{
	double wall[CALL_PROBES];
	struct sink_read sink;
	struct bench_call c;
	int err = hop_set_variant(e, V_DIRECT);

	for (int i = 0; i < CALL_PROBES && !err; i++) {
		err = test_run(e, frame, len, e->batch, &c);
		wall[i] = c.wall_ns;
	}
	if (err)
		return err;
	settle(e, 0, &sink);
	e->call_ns = bench_spread(wall, CALL_PROBES).med;
	return 0;
}
