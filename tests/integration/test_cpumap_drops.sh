#!/usr/bin/env bash
# Counters that tell the truth about the CPUMAP (issue 13, part 3): a
# frame vfwd_uplink steers to a guest's CPU is counted as fwd when it is
# redirected into the CPUMAP, and as sent to its port (tx_packets) by
# vfwd_cpu once it left the CPU's queue.  When that CPU is busy the queue
# overflows; vfwd_cpumap_trace counts what it dropped, so that
#   fwd = tx_packets of the port + cpumap dropped
# and stats, -j and the Prometheus text all show it.
#
#   wire ns --veth--> u [vfwd_uplink] --CPUMAP(cpu B)--> tap t (vfwd-sink)
# The generator runs on CPU A, a SCHED_FIFO busy loop holds CPU B.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
M1=52:54:00:00:0c:01
N=200000
read -r A B < <(python3 -c 'import os; c=sorted(os.sched_getaffinity(0)); print(c[0], c[-1])')
if [ "$A" = "$B" ]; then
	echo "SKIP: $TEST_NAME: needs two CPUs to starve one (this host has one usable)"
	finish
fi

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" || { fail setup "netns or veth"; finish; }
track_link "$TAP"
ip tuntap add dev "$TAP" mode tap && start_sink tap "$SINK" --tap "$TAP" ||
	{ fail setup "tap sink"; finish; }
check attach vfwd attach "$UP"
check port_add vfwd port add vm1 --dev "$TAP" --cpus "$B"
check mac_add vfwd mac add "$M1" --port vm1

# CPU B busy for the whole burst: the cpumap kthread gets no turn, so
# its queue overflows.  Killed from here (CPU A), never by a process
# that would itself wait for CPU B.
taskset -c "$B" chrt -f 50 sh -c 'while :; do :; done' &
busy=$!
_pids+=("$busy")
sleep 0.2
ip netns exec "$WIRE" taskset -c "$A" "$GEN" --dev "$W" --dst "$M1" --count "$N" >/dev/null
kill -9 "$busy"
wait "$busy" 2>/dev/null
sleep 0.5
stop_sink tap

vfwd -j stats >"$TMPD/stats.json"
read -r fwd tx dropped steered < <(/usr/bin/python3 - "$TMPD/stats.json" "$B" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpu = int(sys.argv[2])
q = [c for c in (d["cpumap"] or []) if c["cpu"] == cpu]
tx = [p["tx_packets"] for p in d["ports"] if p["name"] == "vm1"][0]
print(d["reasons"]["fwd"]["packets"], tx, q[0]["dropped"] if q else -1,
      q[0]["steered"] if q else -1)
PY
)
echo "  fwd $fwd, vm1 tx $tx, CPU $B steered $steered dropped $dropped"
expect_eq all_forwarded "$N" "$fwd"
expect_ge queue_overflowed 1 "$dropped" "frames the CPUMAP dropped"
expect_eq books_balance "$fwd" "$((tx + dropped))"
expect_le steered_at_most_fwd "$fwd" "$steered" "steered"
vfwd stats >"$TMPD/stats.txt"
check text_shows_drops grep -Eq "^$B +$steered +$dropped\$" "$TMPD/stats.txt"
vfwd stats --prometheus >"$TMPD/metrics.txt"
check prom_shows_drops grep -qx "vfwd_cpumap_dropped_total{cpu=\"$B\"} $dropped" "$TMPD/metrics.txt"
check promtool_accepts promtool check metrics <"$TMPD/metrics.txt"
finish
