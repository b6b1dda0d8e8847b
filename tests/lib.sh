# Shared helpers for the shell tests (tier 2).  Source it; it sets up a
# unique name prefix, a private pin path, and cleanup that runs on exit
# even when a test fails half-way.
#
# Result lines follow tests/run.sh:  PASS: name | FAIL: name: why | SKIP: ...

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${VFWD_BUILD:-$ROOT/build}
VFWD_BIN=$B/vfwd
GEN=$B/vfwd-gen
SINK=$B/vfwd-sink

# Unique per run: interface names are at most 15 characters, so the
# prefix is short (2 letters + 4 hex digits) and suffixes stay short too.
ID=$(printf '%04x' $(( (RANDOM ^ $$) & 0xffff )))
PFX=${TEST_PFX:-vt}$ID
PIN=/sys/fs/bpf/vfwd-test-$PFX
TMPD=$(mktemp -d /tmp/vfwd-$PFX.XXXXXX)
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
FAILED=0
# Debian's python3 for the JSON helpers below: a python3 earlier on PATH
# may be a shim that takes most of a second to start, and tests call
# these hundreds of times.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

_netns=()
_links=()
_pids=()
# Functions run first at exit, e.g. to print a guest's console when a test
# failed (tests/vm/vm_lib.sh).
_hooks=()

# pin_hash: the FNV-1a hash of this test's pin path in 8 hex digits, as
# loader/pin_dir.c makes it for what lives outside the pin directory.
pin_hash() {
	local h=2166136261 i c
	for ((i = 0; i < ${#PIN}; i++)); do
		printf -v c '%d' "'${PIN:i:1}"
		h=$(((h ^ c) * 16777619 & 0xffffffff))
	done
	printf '%08x\n' "$h"
}
# relay_name SUFFIX: the name of vfwd-vhost's relay veth end (k or d):
# "vfr", the hash, the suffix (loader/relay.c).
relay_name() { printf 'vfr%s%s\n' "$(pin_hash)" "$1"; }
# The record of an apply in progress (lib/apply_record.c).
apply_record() { printf '/run/vfwd/apply-%s.yaml\n' "$(pin_hash)"; }

cleanup() {
	local p n l h
	for h in "${_hooks[@]}"; do "$h"; done
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
	for l in "${_links[@]}"; do ip link del "$l" 2>/dev/null; done
	# A test that started vfwd-vhost and died before its last detach.
	ip link del "$(relay_name k)" 2>/dev/null
	for n in "${_netns[@]}"; do ip netns del "$n" 2>/dev/null; done
	# Detach anything still holding our pins, then remove them.
	if [ -d "$PIN" ]; then
		for l in $(ls /sys/class/net); do
			case $l in "$PFX"*) ip link set dev "$l" xdp off 2>/dev/null ;; esac
		done
		rm -rf "$PIN"
	fi
	rm -f "$(apply_record)" "$(apply_record).tmp"
	rm -rf "$TMPD"
}
trap cleanup EXIT
# Signals (a closed output pipe included) end the test through the EXIT
# trap, so nothing is left behind.
trap 'exit 130' INT TERM HUP PIPE

# With VFWD_NETNS set, vfwd runs in that network namespace but keeps the
# host's mounts: `ip netns exec` would remount /sys and hide the pins in
# /sys/fs/bpf (design §8), nsenter --net does not.
vfwd() {
	if [ -n "${VFWD_NETNS:-}" ]; then
		nsenter --net="/run/netns/$VFWD_NETNS" "$VFWD_BIN" --pin-path "$PIN" "$@"
	else
		"$VFWD_BIN" --pin-path "$PIN" "$@"
	fi
}

pass() { echo "PASS: $TEST_NAME/$1"; }
fail() {
	echo "FAIL: $TEST_NAME/$1: $2"
	FAILED=1
}
# check NAME COMMAND... : PASS when the command succeeds.  Its output is
# kept out of the result stream and shown only when it fails.
check() {
	local name=$1
	shift
	if "$@" >"$TMPD/check.out" 2>&1; then
		pass "$name"
	else
		fail "$name" "'$*' failed: $(tr '\n' ' ' <"$TMPD/check.out")"
	fi
}
# refuse NAME COMMAND... : PASS when the command fails with a one-line
# error on stderr and nothing on stdout, as every refusal must.
refuse() {
	local name=$1 lines
	shift
	if "$@" >"$TMPD/refuse.out" 2>"$TMPD/refuse.err"; then
		fail "$name" "'$*' succeeded but should have been refused"
		return
	fi
	lines=$(wc -l <"$TMPD/refuse.err")
	if [ "$lines" -ne 1 ] || [ -s "$TMPD/refuse.out" ]; then
		fail "$name" "expected one error line, got: $(cat "$TMPD/refuse.out" "$TMPD/refuse.err" | tr '\n' '|')"
		return
	fi
	pass "$name"
}
# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
# expect_ge NAME MIN GOT WHAT, expect_le NAME MAX GOT WHAT, expect_lt NAME
# MAX GOT WHAT: the number GOT against a bound; WHAT names it in a FAIL.
expect_ge() { _expect_cmp "$1" -ge ">=" "$2" "$3" "$4"; }
expect_le() { _expect_cmp "$1" -le "<=" "$2" "$3" "$4"; }
expect_lt() { _expect_cmp "$1" -lt "<" "$2" "$3" "$4"; }
_expect_cmp() { # NAME TEST-OP SHOWN-OP BOUND GOT WHAT
	if [ "$5" "$2" "$4" ]; then pass "$1"; else
		fail "$1" "$6: $5, expected $3 $4"
	fi
}

add_netns() {
	ip netns add "$1" || return 1
	_netns+=("$1")
	ip -n "$1" link set lo up
}
# veth pair: $1 stays in the root namespace, $2 goes into netns $3.
add_veth() {
	ip link add "$1" type veth peer name "$2" netns "$3" || return 1
	_links+=("$1")
	# A real NIC never hands XDP partial-checksum or GSO frames; make the
	# test wire behave like one (design §8).
	ip netns exec "$3" ethtool -K "$2" tx off tso off gso off >/dev/null 2>&1
	ip netns exec "$3" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	ip link set "$1" up
	ip -n "$3" link set "$2" up
}
# veth pair between two namespaces: $1 in netns $2, $3 in netns $4.  The
# second end is the wire side and gets the same NIC-like offloads.
add_veth_ns() {
	ip link add "$1" netns "$2" type veth peer name "$3" netns "$4" || return 1
	ip netns exec "$4" ethtool -K "$3" tx off tso off gso off >/dev/null 2>&1
	ip netns exec "$2" sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	ip netns exec "$4" sysctl -qw "net.ipv6.conf.$3.disable_ipv6=1"
	ip -n "$2" link set "$1" up
	ip -n "$4" link set "$3" up
}
track_link() { _links+=("$1"); }

# start_sink NAME ARGS... : run vfwd-sink in the background until stop_sink.
# Output JSON goes to $TMPD/NAME.json.
start_sink() {
	local name=$1
	shift
	rm -f "$TMPD/$name.ready" "$TMPD/$name.json"
	"$@" --ready "$TMPD/$name.ready" --out "$TMPD/$name.json" \
		2>"$TMPD/$name.err" &
	local pid=$!
	_pids+=("$pid")
	eval "SINK_PID_$name=$pid"
	for _ in $(seq 100); do
		[ -s "$TMPD/$name.ready" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "sink $name did not start: $(cat "$TMPD/$name.err")" >&2
	return 1
}
stop_sink() {
	local pid
	eval "pid=\${SINK_PID_$1:-}"
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -s "$TMPD/$1.json" ]
}
# sink_count NAME KEY : frames counted for KEY ("total", or "mac/vid").
sink_count() {
	"$PY" - "$TMPD/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
k = sys.argv[2]
print(d["total"] if k == "total" else d["by_dst"].get(k, 0))
PY
}

# jget EXPR [ARG...] : evaluate a Python expression over the JSON document
# on stdin, bound to "d"; the ARGs are in sys.argv[2:].
jget() {
	"$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$@"
}

# Port and reason counters from `vfwd -j stats`.
port_stat() { vfwd -j stats | jget "[p['$2'] for p in d['ports'] if p['name']=='$1'][0]"; }
reason_stat() { vfwd -j stats | jget "d['reasons']['$1']['packets']"; }

# Snapshot of every table, to prove a refused command changed nothing.
state_snapshot() {
	{
		vfwd -j port list
		vfwd -j mac list | sha256sum
		# Raw dumps too, in case the CLI hides a field; the MAC table
		# is covered by mac list (bpftool is slow on 64k entries).
		for m in vfwd_port_v4 vfwd_tx_v4; do
			bpftool map dump pinned "$PIN/$m" 2>&1 | sha256sum
		done
	} 2>&1
}

finish() {
	exit "$FAILED"
}
