#!/usr/bin/env bash
# vfwd demo: forward frames from a (simulated) wire into a (simulated) guest.
#
#   make deps && make demo          (as root)
#
# Topology, all of it created here and removed on exit:
#
#   netns WIRE              root namespace
#   ┌────────────┐  veth   ┌──────────────────────┐          ┌─────────────┐
#   │ w0         │─────────│ UPLINK  [XDP vfwd]   │─redirect→│ TAP (vm1)   │
#   │ vfwd-gen   │         │  unknown/broadcast → │          │ vfwd-sink   │
#   └────────────┘         │  kernel (XDP_PASS)   │          │ = the guest │
#                          └──────────────────────┘          └─────────────┘
#
# vfwd-gen injects frames on w0 (the "wire"); they arrive on UPLINK, where
# vfwd_uplink looks up {destination MAC, VLAN} and redirects hits into the
# tap.  vfwd-sink holds the tap open the way QEMU would and counts what it
# reads.  vfwd keeps its tables under a private pin path, so the demo never
# touches a real installation at /sys/fs/bpf/vfwd.
set -euo pipefail
cd "$(dirname "$0")/.."

B=${VFWD_BUILD:-build}
VFWD=$B/vfwd
GEN=$B/vfwd-gen
SINK=$B/vfwd-sink

# Unique names: "vd" + 4 hex digits; interface names stay within 15 chars.
PFX=vd$(printf '%04x' $(((RANDOM ^ $$) & 0xffff)))
WIRE=$PFX-wire           # network namespace holding the wire end
UPLINK=$PFX-up           # the host's "NIC": vfwd attaches here
TAP=$PFX-vm1             # the guest's tap
PIN=/sys/fs/bpf/vfwd-demo-$PFX
TMPD=$(mktemp -d "/tmp/vfwd-demo-$PFX.XXXXXX")
GUEST_MAC=52:54:00:00:00:01
GUEST_VLAN=100
UNKNOWN_MAC=52:54:00:00:00:99
BCAST=ff:ff:ff:ff:ff:ff
# A tap queue holds 1000 frames (its txqueuelen); bursts up to that size
# reach the reader even if it falls behind.
N_UNTAGGED=1000
N_TAGGED=100
N_UNKNOWN=50
N_BCAST=20
N_AFTER=10

SINK_PID=

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	[ -n "$SINK_PID" ] && kill -TERM "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
	if [ -d "$PIN" ]; then
		"$VFWD" --pin-path "$PIN" detach "$UPLINK" >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	ip link del "$UPLINK" 2>/dev/null      # also removes w0 and any XDP program
	ip link del "$TAP" 2>/dev/null
	ip netns del "$WIRE" 2>/dev/null
	rm -rf "$TMPD"
	if [ "$rc" -eq 0 ]; then
		echo; echo "demo finished; everything it created is removed."
	else
		echo; echo "demo FAILED (exit $rc); everything it created is removed." >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "demo: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }
# Show a command, then run it.  "vfwd" stands for the built binary with
# --pin-path $PIN.
show() { printf '$ %s\n' "$*"; "$@"; }
vfwd() { "$VFWD" --pin-path "$PIN" "$@"; }
# Send frames from the wire side.  Shown as the real command.
gen() { show ip netns exec "$WIRE" "$GEN" --dev w0 "$@"; }
# jq-like helper: evaluate a Python expression over the JSON on stdin as d.
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

[ "$(id -u)" = 0 ] || die "run as root (XDP, bpffs and network namespaces need it)"
for f in "$VFWD" "$GEN" "$SINK"; do
	[ -x "$f" ] || die "$f is missing; run 'make demo' (it builds it)"
done
for c in ip ethtool python3; do
	command -v "$c" >/dev/null || die "'$c' is missing; run 'make deps'"
done

echo "vfwd demo: names start with $PFX, tables pinned under $PIN"
echo "(every 'vfwd' below runs as '$VFWD --pin-path $PIN')"

step "1. Topology: netns $WIRE with w0 <-veth-> $UPLINK, and tap $TAP"
ip netns add "$WIRE"
ip -n "$WIRE" link set lo up
ip link add "$UPLINK" type veth peer name w0 netns "$WIRE"
# A real NIC never hands XDP partial-checksum or GSO frames; make the wire
# veth behave like one.  No IPv6, so no router solicitations add noise.
ip netns exec "$WIRE" ethtool -K w0 tx off tso off gso off >/dev/null
ip netns exec "$WIRE" sysctl -qw net.ipv6.conf.w0.disable_ipv6=1
sysctl -qw "net.ipv6.conf.$UPLINK.disable_ipv6=1"
ip link set "$UPLINK" up
ip -n "$WIRE" link set w0 up
# The guest stand-in: creates the tap, reads it until SIGTERM, then writes
# its counts as JSON.  It disables IPv6 on the tap itself.
"$SINK" --tap "$TAP" --ready "$TMPD/ready" --out "$TMPD/sink.json" 2>"$TMPD/sink.err" &
SINK_PID=$!
for _ in $(seq 100); do
	[ -s "$TMPD/ready" ] && break
	kill -0 "$SINK_PID" 2>/dev/null || break
	sleep 0.05
done
[ -s "$TMPD/ready" ] || die "vfwd-sink did not start: $(cat "$TMPD/sink.err")"
echo "wire: $WIRE/w0    uplink: $UPLINK    guest tap: $TAP (read by vfwd-sink, pid $SINK_PID)"

step "2. Attach vfwd to the uplink, add the guest's tap as port vm1, bind its MAC"
show vfwd attach "$UPLINK"
show vfwd port add vm1 --dev "$TAP"
show vfwd mac add "$GUEST_MAC" --port vm1
show vfwd mac add "$GUEST_MAC" --port vm1 --vlan "$GUEST_VLAN"

step "3. Traffic from the wire"
echo "# to the guest, untagged and on VLAN $GUEST_VLAN: redirected into $TAP"
gen --dst "$GUEST_MAC" --count "$N_UNTAGGED"
gen --dst "$GUEST_MAC" --vlan "$GUEST_VLAN" --count "$N_TAGGED"
echo "# to an unknown MAC and to broadcast: passed to the host kernel (BUM policy 'pass')"
gen --dst "$UNKNOWN_MAC" --count "$N_UNKNOWN"
gen --dst "$BCAST" --count "$N_BCAST"

step "4. What vfwd reports"
show vfwd status
echo
show vfwd stats

step "5. What the guest's tap reader counted"
sleep 0.2 # let the reader drain the tap queue
kill -TERM "$SINK_PID"
wait "$SINK_PID" || die "vfwd-sink failed: $(cat "$TMPD/sink.err")"
SINK_PID=
cat "$TMPD/sink.json"

# Check the numbers agree, so the demo fails loudly if forwarding breaks.
want=$((N_UNTAGGED + N_TAGGED))
got=$(jget 'd["total"]' <"$TMPD/sink.json")
fwd=$(vfwd -j stats | jget 'd["reasons"]["fwd"]["packets"]')
seen=$(vfwd -j stats | jget '[p["rx_packets"] for p in d["ports"] if p["kind"] == "uplink"][0]')
sum=$(vfwd -j stats | jget 'sum(r["packets"] for r in d["reasons"].values())')
[ "$got" = "$want" ] || die "the tap reader got $got frames, expected $want"
[ "$fwd" = "$want" ] || die "vfwd counted $fwd forwarded frames, expected $want"
[ "$sum" = "$seen" ] || die "reasons add up to $sum, but the uplink saw $seen frames"
echo "OK: the guest got all $want frames addressed to it; the uplink saw $seen frames, each counted under one reason."

step "6. Hot upgrade: re-running attach swaps the program and keeps the tables"
show vfwd attach "$UPLINK"
show vfwd mac list

step "7. The guest goes away (its tap disappears with its reader)"
# The kernel drops the tap from vfwd's devmap by itself; vfwd shows the
# port as gone, and frames for its MACs count as port_down and go to the
# kernel (BUM policy) instead.
show vfwd port list
gen --dst "$GUEST_MAC" --count "$N_AFTER"
show vfwd stats --port vm1

step "8. Detach: the last uplink takes the tables with it"
show vfwd detach "$UPLINK"
[ ! -e "$PIN" ] || die "$PIN still exists after detach"
