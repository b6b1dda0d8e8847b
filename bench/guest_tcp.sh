#!/usr/bin/env bash
# Guest TCP throughput through vfwd against a Linux bridge, on the same two
# QEMU guests (TCG, 1 vCPU each, default virtio-net offloads), measured
# with iperf3 (Debian's) inside the guests and in the wire namespace:
#   guest->wire   guest a sends to an iperf3 server in the wire namespace
#   guest->guest  guest a sends to an iperf3 server in guest b
# Configurations, interleaved round by round (the order flips each round):
#   vfwd    vfwd attached with --bum flood, no bridge anywhere
#   bridge  a Linux bridge with the same uplink veth and taps, in its own
#           namespace with bridge-nf-call-* off, and no vfwd at all
# Prints the median and min/max Mbit/s per path and configuration, and
# writes the raw samples as JSON to $OUT (default build/bench/guest_tcp.json).
#
# Under TCG the guests' emulated CPUs, not the host path, bound the
# throughput; the ratio says how much of that budget each path leaves.
#
# usage: bench/guest_tcp.sh [ROUNDS] [SECONDS]
set -u
ROUNDS=${1:-3}
SECS=${2:-5}
TEST_NAME=guest_tcp
source "$(dirname "$0")/../tests/lib.sh"
VM_IMG=$B/vm-bench
source "$ROOT/tests/vm/vm_lib.sh"
OUT=${OUT:-$B/bench/guest_tcp.json}

WIRE=$PFX-w
HOST=$PFX-h
UP=${PFX}u
W=${PFX}w
BR=${PFX}br
TAPA=${PFX}a
TAPB=${PFX}b
MA=52:54:00:3b:00:02
MB=52:54:00:3b:00:03
IPW=10.61.0.1
IPA=10.61.0.2
IPB=10.61.0.3
export VFWD_NETNS=$HOST

die() {
	echo "guest_tcp: $*" >&2
	FAILED=1
	exit 1
}

VM_EXTRA_BINS=/usr/bin/iperf3 "$ROOT/tests/vm/build-guest.sh" "$VM_IMG" ||
	die "cannot build the benchmark guest (iperf3 missing? run make deps)"
command -v iperf3 >/dev/null || die "iperf3 is missing: run make deps"

add_netns "$WIRE" && add_netns "$HOST" &&
	add_veth_ns "$UP" "$HOST" "$W" "$WIRE" &&
	ip -n "$WIRE" addr add "$IPW/24" dev "$W" &&
	vm_tap "$HOST" "$TAPA" 1 && vm_tap "$HOST" "$TAPB" 1 ||
	die "cannot build the topology"
# The bridge baseline must not pay for iptables (design §8).
ip netns exec "$HOST" modprobe br_netfilter 2>/dev/null
for f in iptables ip6tables arptables; do
	ip netns exec "$HOST" sysctl -qw "net.bridge.bridge-nf-call-$f=0" 2>/dev/null
done
ip netns exec "$WIRE" iperf3 -s -D --logfile "$TMPD/iperf-wire.log" ||
	die "cannot start iperf3 in the wire namespace"

# Each switch starts from nothing: no bridge, no vfwd.
clear_paths() {
	ip -n "$HOST" link del "$BR" 2>/dev/null
	# Detaching the last uplink removes the tables and every guest
	# filter: nothing of vfwd is left on the path.
	vfwd detach "$UP" >/dev/null 2>&1
	return 0
}
use_vfwd() {
	clear_paths
	vfwd attach "$UP" --bum flood >/dev/null &&
		vfwd port add a --dev "$TAPA" >/dev/null &&
		vfwd port add b --dev "$TAPB" >/dev/null &&
		vfwd mac add "$MA" --port a >/dev/null &&
		vfwd mac add "$MB" --port b >/dev/null
}
use_bridge() {
	clear_paths
	ip -n "$HOST" link add "$BR" type bridge &&
		ip -n "$HOST" link set "$UP" master "$BR" &&
		ip -n "$HOST" link set "$TAPA" master "$BR" &&
		ip -n "$HOST" link set "$TAPB" master "$BR" &&
		ip -n "$HOST" link set "$BR" up
}

vm_start a "$HOST" "$TAPA" "$MA" "$IPA/24" 1 vfwd.role=client
vm_start b "$HOST" "$TAPB" "$MB" "$IPB/24" 1 vfwd.role=client
vm_wait a && vm_wait b || die "guests did not boot"
vm_exec b "/usr/bin/iperf3 -s -D" >/dev/null || die "cannot start iperf3 in guest b"

# Mbit/s received, from iperf3's summary line.
measure() {
	vm_exec a "/usr/bin/iperf3 -c $1 -t $SECS -f m" $((SECS + 60)) |
		awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }'
}

declare -A S
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order="vfwd bridge"; else order="bridge vfwd"; fi
	for cfg in $order; do
		"use_$cfg" || die "cannot switch to $cfg"
		# Let ARP and the bridge's forwarding state settle.
		vm_exec a "ping -q -c 2 -W 2 $IPW; ping -q -c 2 -W 2 $IPB" >/dev/null
		for path in wire guest; do
			[ $path = wire ] && ip=$IPW || ip=$IPB
			v=$(measure "$ip")
			[ -n "$v" ] || die "$cfg guest->$path: no iperf3 result"
			S[$cfg.$path]="${S[$cfg.$path]:-} $v"
			echo "round $r $cfg guest->$path $v Mbit/s"
		done
	done
done

mkdir -p "$(dirname "$OUT")"
python3 - "$OUT" "$ROUNDS" "$SECS" \
	"${S[vfwd.wire]}" "${S[bridge.wire]}" "${S[vfwd.guest]}" "${S[bridge.guest]}" <<'PY'
import json, statistics, sys, platform
out, rounds, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = ["vfwd.wire", "bridge.wire", "vfwd.guest", "bridge.guest"]
samples = {n: [float(x) for x in v.split()] for n, v in zip(names, sys.argv[4:])}
res = {"benchmark": "guest_tcp", "rounds": rounds, "seconds": secs,
       "kernel": platform.release(), "unit": "Mbit/s", "samples": samples}
json.dump(res, open(out, "w"), indent=1)
print("%-14s %-7s %9s %9s %9s" % ("path", "config", "median", "min", "max"))
for path in ("wire", "guest"):
    for cfg in ("vfwd", "bridge"):
        s = samples["%s.%s" % (cfg, path)]
        print("%-14s %-7s %9.1f %9.1f %9.1f" % ("guest->" + path, cfg,
              statistics.median(s), min(s), max(s)))
    v = statistics.median(samples["vfwd." + path])
    b = statistics.median(samples["bridge." + path])
    print("%-14s vfwd/bridge = %.2f" % ("guest->" + path, v / b))
print("raw samples: " + out)
PY
finish
