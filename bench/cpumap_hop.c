// SPDX-License-Identifier: GPL-2.0
/*
 * bench/cpumap_hop: what does CPU steering's CPUMAP hop cost against the
 * direct devmap redirect?  Measured side by side, round by round:
 *
 *   direct           vfwd_uplink -> tx devmap -> veth (port without
 *                    CPUs);
 *   steer-same-cpu   the port steered to the generator's own CPU: since
 *                    vfwd_uplink delivers a frame that is already on its
 *                    target CPU directly (bpf/vfwd_steer.bpf.h), this is
 *                    direct plus the steering decision, with no hop.
 *                    Before that short circuit, it measured a hop through
 *                    the same CPU's own cpumap kthread;
 *   steer-other-cpu  the port steered to the other CPU: vfwd_uplink ->
 *                    CPUMAP entry of OTHER_CPU -> vfwd_cpu in that CPU's
 *                    cpumap kthread -> devmap -> veth.  The hop.
 *
 * Frames are BPF_PROG_TEST_RUN live frames through the real vfwd_uplink,
 * sent from a thread pinned to GEN_CPU, redirected (directly or through
 * the hop) into a veth whose far end counts them per CPU with XDP and
 * drops them.  Everything runs in a private network namespace made for
 * the run and gone when the process exits, so nothing on the host is
 * touched.  Both CPUs' CPUMAP entries (and kthreads) exist throughout.
 *
 * Where the work runs.  A veth's ndo_xdp_xmit schedules the peer's NAPI
 * on the CPU that called it, and both the test run's batch loop and the
 * cpumap kthread run their redirects under local_bh_disable(), so the
 * sink's NAPI (the veth receive path and hop_sink) runs as a softirq on
 * the CPU that made the last redirect, when that CPU re-enables BHs:
 *
 *   direct           everything on GEN_CPU, in the generator's context;
 *   steer-same-cpu   the same: GEN_CPU's cpumap kthread stays idle (its
 *                    kth% shows whether anything reached it);
 *   steer-other-cpu  the uplink and the enqueue on GEN_CPU; vfwd_cpu, the
 *                    devmap xmit, the veth NAPI and the sink on
 *                    OTHER_CPU.
 *
 * The per-CPU sink counter shows this for each run ("sink on").
 *
 * What each number includes (per variant: median, min and max over the
 * rounds):
 *
 *   ns/frame   wall time of the test-run call / frames sent.  direct and
 *              steer-same-cpu: the whole path.  steer-other-cpu: only the
 *              producer half (uplink, metadata, CPUMAP enqueue, flush and
 *              kthread wake-up, and refilling the page pool with pages
 *              that come back from the other CPU late or not at all); the
 *              consumer half runs in parallel and shows in Mpps and
 *              kth_cpu.  In all three, wall time also holds whatever else
 *              GEN_CPU ran (other tasks, hypervisor steal): see other%.
 *              It also holds a fixed cost per call, measured and printed
 *              first: the test run's set-up and teardown, about 25 ms on
 *              6.18 once a batch has run (apparently page_pool_destroy()
 *              waiting for an RCU grace period while pages are in flight:
 *              a one-frame call takes 0.1 ms), by the end of which the
 *              CPUMAP queue has drained.
 *   Mpps       frames delivered / the time they took to arrive, from time
 *              stamps the sink takes itself (bpf_ktime_get_ns() on every
 *              64th frame: frames between the first and the last stamp /
 *              time between them).  This is the rate at which frames came
 *              out, with neither the call's fixed cost, nor a poll
 *              interval, nor a settle delay in it: counting over the
 *              call's wall time would carry the first, waiting for a
 *              poller to see the count stop the others.  For direct and
 *              steer-same-cpu it is the generator's rate; for
 *              steer-other-cpu that of the slower of producer and
 *              consumer, including the drain of the queue after the
 *              generator stopped.
 *   deliv%     frames the sink counted once the queues drained / frames
 *              sent.  The rest were dropped at the CPUMAP enqueue (its
 *              ring full): qdrop% = frames sent that never reached the
 *              port's tx count (kept by vfwd_cpu after a hop, by the
 *              uplink when it delivers directly).
 *   gen_cpu    CPU time of the generator thread / frames sent: its share
 *              of the path, including softirqs it ran (the sink's NAPI in
 *              direct and steer-same-cpu) and the enqueue of frames the
 *              CPUMAP dropped.  Unlike wall time it leaves out other
 *              tasks and steal.
 *   kth_cpu    CPU time of the cpumap kthread of the CPU steered to /
 *              frames the port sent: vfwd_cpu, the devmap xmit, and the
 *              sink's NAPI, which runs in the kthread's context when it
 *              re-enables BHs.  That holds while the kernel charges
 *              softirq time to the task it interrupts (no
 *              CONFIG_IRQ_TIME_ACCOUNTING, as here); with it, this column
 *              would miss the sink's NAPI.  About 0 in steer-same-cpu.
 *   kth%       the kthread's CPU time / wall time of the call, and
 *   kwait%     the time it spent runnable but waiting for its CPU (other
 *              tasks there) / wall time.  A kthread that is neither
 *              running nor waiting has emptied its queue; one that waits
 *              while the CPUMAP drops is short of CPU, not slow.
 *   path_cpu   gen_cpu + kth_cpu: the CPU one frame costs end to end,
 *              wherever it ran; the least noisy measure of the hop, as
 *              neither neighbours nor steal are in it.
 *   other%     share of GEN_CPU's wall time spent on neither the
 *              generator nor (steer-same-cpu) its kthread: the noise.
 *
 * Cost over direct = median(steer-*) - median(direct), of wall ns/frame
 * (the generator's view) and of path_cpu; Mpps ratio = median(steer-*) /
 * median(direct).  For steer-other-cpu that is the hop's cost; for
 * steer-same-cpu, that of deciding not to hop.
 *
 * Output: a table, the costs, and with --json FILE the same as JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h"
#include "hop_sink.h"
#include "cpumap_hop.h"

/* Untagged frames without FCS: the Ethernet minimum up to what a veth
 * with a 1500-byte MTU accepts. */
#define MIN_SIZE ETH_ZLEN
#define MAX_SIZE ETH_FRAME_LEN
/* A live test run's batch: the kernel's default (NAPI_POLL_WEIGHT, a
 * driver's NAPI budget) and its limit (TEST_XDP_MAX_BATCH). */
#define DEF_BATCH 64
#define MAX_BATCH 256

/* Below this share delivered, the direct baseline measures losses, not
 * forwarding, and the run is refused. */
#define MIN_DIRECT_PCT 99.0

#define STR_(x) #x
#define STR(x) STR_(x)

#define USAGE_CPUS "CPUs " STR(GEN_CPU) " and " STR(OTHER_CPU)

static const struct bench_arg_spec spec = {
	.usage = "usage: cpumap_hop [--rounds N] [--frames N] [--size BYTES]\n"
		 "                  [--batch N] [--json FILE]\n"
		 "  Cost of vfwd's CPUMAP hop against a direct redirect;\n"
		 "  root, " USAGE_CPUS ".\n",
	.extra = BENCH_ARG_BATCH | BENCH_ARG_JSON,
	.min_size = MIN_SIZE,
	.max_size = MAX_SIZE,
	.max_batch = MAX_BATCH,
};

/* All rounds; the variants' order rotates every round so that no variant
 * always runs first (caches, frequency ramps, a neighbour's load). */
static int run_rounds(struct hop_env *e, const struct bench_args *a,
		      const __u8 *frame, struct sample (*smp)[BENCH_MAX_ROUNDS])
{
	for (int r = 0; r < a->rounds; r++) {
		for (int i = 0; i < V_COUNT; i++) {
			enum variant v = (r + i) % V_COUNT;
			struct sample *s = &smp[v][r];
			int err;

			err = hop_set_variant(e, v);
			if (!err)
				err = hop_run(e, v, frame, a->size, a->frames,
					      s);
			if (err) {
				fprintf(stderr, PROG ": %s: %s\n",
					hop_vnames[v], strerror(-err));
				return err;
			}
			/* The baseline must be whole, or every comparison
			 * with it measures losses; the steered variants
			 * may lose frames, which is reported, not fatal. */
			if (v == V_DIRECT &&
			    s->delivered_pct < MIN_DIRECT_PCT) {
				fprintf(stderr,
					PROG
					": direct delivered only %.2f%% of the frames\n",
					s->delivered_pct);
				return -EIO;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct sample smp[V_COUNT][BENCH_MAX_ROUNDS];
	struct hop_report rep[V_COUNT];
	__u8 frame[MAX_SIZE];
	struct bench_args a;
	struct hop_env e = {};
	int err;

	err = bench_args(argc, argv, &spec, &a);
	if (err || a.help)
		return err ? 2 : 0;
	e.batch = a.batch ? a.batch : DEF_BATCH;
	bench_host(&e.host);
	if (e.host.ncpus <= OTHER_CPU) {
		fprintf(stderr, PROG ": needs CPUs %d and %d\n", GEN_CPU,
			OTHER_CPU);
		return 1;
	}
	/* The test run executes in this thread, so its CPU is the one
	 * "same" and "other" refer to. */
	if (bench_pin(GEN_CPU))
		return 1;
	err = hop_setup(&e);
	if (err) {
		fprintf(stderr, PROG ": set-up failed: %s\n", strerror(-err));
		return 1;
	}
	bench_frame(frame, a.size, bench_guest_mac, VFWD_VID_NONE,
		    HOP_ETHERTYPE);
	err = hop_call_overhead(&e, frame, a.size);
	if (err) {
		fprintf(stderr, PROG ": test run: %s\n", strerror(-err));
		return 1;
	}
	if (run_rounds(&e, &a, frame, smp))
		return 1;
	for (int v = 0; v < V_COUNT; v++)
		hop_summarize(smp[v], a.rounds, &rep[v]);
	hop_print(&e, &a, rep);
	if (a.json && hop_write_json(a.json, &e, &a, rep))
		return 1;
	cpumap_hop_bpf__destroy(e.hp);
	vfwd_bpf__destroy(e.vf);
	return 0;
}
