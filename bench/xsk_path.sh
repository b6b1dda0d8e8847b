#!/usr/bin/env bash
# The AF_XDP guest path (issue 12): a guest's vhost-user port behind an
# AF_XDP socket on the uplink, served by three switches side by side, with
# dpdk-testpmd's virtio_user (server=1) as the guest every time:
#
#   vfwd  wire -> vfwd_uplink -> XSKMAP -> vfwd-vhost -> vhost-user
#   dpdk  wire -> DPDK's af_xdp PMD -> testpmd io forwarding -> DPDK's vhost
#         PMD (client=1): DPDK's own path, no MAC lookup at all
#   ovs   wire -> Open vSwitch (netdev datapath, DPDK build) afxdp port ->
#         OpenFlow dl_dst rule -> dpdkvhostuserclient port
#   tap   vfwd's tap path: wire -> vfwd_uplink -> DEVMAP -> tap, and the
#         guest's frames through tc vfwd_guest back out of the uplink.
#         No switch process: the kernel switches.  The guest reads or
#         writes the tap a frame per syscall, as a QEMU tap back end
#         without vhost-net does (vfwd-sink for rx, testpmd's net_tap for
#         tx: see tap_up); so this path differs in the guest's side too,
#         which its CPU time shows.
#
# Each is measured in both directions, per frame size:
#   rx  FRAMES frames sent from the wire namespace with vfwd-gen (which on a
#       kernel refusing live-frame test runs sends with AF_PACKET) to the
#       guest's MAC; delivered = testpmd rxonly's RX-packets.
#   tx  testpmd txonly (source MAC: the guest's) for TX_SECS seconds;
#       delivered = frames that reached the wire end (vfwd-sink's count
#       and its socket's drops), against testpmd's TX-packets; the rate
#       from the wire end's rx_packets over a window in the steady state.
# and idle: the guest connected, no traffic, IDLE_SECS seconds, CPU % of
# each process (vfwd-vhost sleeps in epoll; the other two busy-poll).
#
# CPU time per frame: utime+stime from /proc/PID/stat (every thread of
# the process) of every process on the path, before and after the
# measurement, plus the ksoftirqd threads; the generator's from wait4().
# The kernel's share of the path (the uplink's XDP program and the copy
# into the AF_XDP socket) runs in softirq on the generator's CPU and, with
# tick-based accounting (no CONFIG_IRQ_TIME_ACCOUNTING here), is charged
# to whichever task the tick interrupts, mostly the generator or
# ksoftirqd; the system-wide softirq time from /proc/stat is recorded
# beside it.  So is the whole machine's busy time: what our processes did
# not spend of it ("other") shows when something else competed.
#
# Placement, the same for every switch (2 CPUs): CPU 0 is the host (the
# wire side, generator or sink, and the switch), CPU 1 the guest's vCPU.
# A busy-polling switch therefore takes CPU time from the generator: the
# offered rate differs per switch and is recorded with each sample.
#
# Switches are interleaved round by round (the order flips each round);
# each round starts every switch from nothing and stops it after.  A
# switch that cannot be set up is recorded with its error, never with
# numbers.  Prints median (min-max) per switch, direction and size, and
# writes every raw sample as JSON to $OUT (default build/bench/xsk_path.json).
#
# usage: bench/xsk_path.sh [ROUNDS]
# Environment: XSK_ROUNDS (3, or the argument), XSK_FRAMES (3000000),
# XSK_SIZES ("64 512 1500"), XSK_TX_SECS (5), XSK_IDLE_SECS (10),
# XSK_PATHS ("vfwd tap dpdk ovs"), XSK_KEEP_LOGS (a directory to copy the
# logs into), OUT.
set -u
TEST_NAME=xsk_path
# "vx": its interfaces, pins and DPDK directories are told apart from
# the tests' ("vt") at a glance.
TEST_PFX=${TEST_PFX:-vx}
source "$(dirname "$0")/../tests/lib.sh"
OUT=${OUT:-$B/bench/xsk_path.json}

ROUNDS=${1:-${XSK_ROUNDS:-3}}
FRAMES=${XSK_FRAMES:-3000000}
SIZES=${XSK_SIZES:-"64 512 1500"}
TX_SECS=${XSK_TX_SECS:-5}
IDLE_SECS=${XSK_IDLE_SECS:-10}
PATHS=${XSK_PATHS:-"vfwd tap dpdk ovs"}

VHOST=$B/vfwd-vhost
TESTPMD=$(command -v dpdk-testpmd)
# Debian installs the DPDK build of ovs-vswitchd beside the plain one and
# selects the plain one by default (update-alternatives): call it by path.
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
SOCK=$TMPD/vm1.sock
GUEST_MAC=52:54:00:00:0c:01
# Where the guest's frames go: a MAC nobody has, so every switch sends
# them to the wire.
PEER_MAC=52:54:00:00:0d:01

HOST_CPU=0
GUEST_CPU=1
CLK_TCK=$(getconf CLK_TCK)
# Waiting for a guest to be served: vfwd-vhost reconnects once a second,
# and ovs-vswitchd's main loop, sharing the host CPU with its own PMD
# thread, took up to 7 s here to enable the port's queues.
READY_SECS=30
# After the generator ends, frames still in rings need far less than this
# to reach the guest; testpmd is stopped (and counts) only after it.
SETTLE_SECS=0.5
# The guest transmits for a while before the window opens, so that the
# window sees the steady state, not the connection.
WARMUP_SECS=1
# testpmd busy-polls; `timeout` bounds it if this script is killed
# before it can stop it (cleanup stops it first otherwise).
PMD_MAX_SECS=600

die() {
	echo "xsk_path: $*" >&2
	FAILED=1
	exit 1
}
log() { echo "xsk_path: $*" >&2; }

[ -n "$TESTPMD" ] || die "dpdk-testpmd not found (make deps installs dpdk)"
[ -x "$VHOST" ] && [ -x "$GEN" ] && [ -x "$SINK" ] || die "build/ lacks vfwd-vhost, vfwd-gen or vfwd-sink: run make"
# Run copies: a rebuild of build/ during the run must neither break it nor
# change what is measured half-way.  Their checksums go into the results.
mkdir -p "$TMPD/bin" && cp "$VFWD_BIN" "$VHOST" "$GEN" "$SINK" "$TMPD/bin/" ||
	die "cannot copy the binaries from $B"
(cd "$TMPD/bin" && for f in *; do
	echo "$f $(sha256sum <"$f" | cut -c1-64) $(date -u -r "$B/$f" +%Y-%m-%dT%H:%M:%SZ)"
done) >"$TMPD/binaries"
VFWD_BIN=$TMPD/bin/vfwd VHOST=$TMPD/bin/vfwd-vhost GEN=$TMPD/bin/vfwd-gen SINK=$TMPD/bin/vfwd-sink
for p in $PATHS; do
	case $p in vfwd | tap | dpdk | ovs) ;; *) die "unknown path '$p' in XSK_PATHS" ;; esac
done

SAMPLES=$TMPD/samples.jsonl
: >"$SAMPLES"
# emit KEY=VALUE...: one JSON object per line into $SAMPLES.  A value is
# taken as JSON if it parses (numbers, null), else as a string; "a.b=x"
# nests.
emit() {
	python3 -c '
import json, sys
d = {}
for a in sys.argv[2:]:
    k, v = a.split("=", 1)
    try:
        v = json.loads(v)
    except ValueError:
        pass
    t = d
    *ks, last = k.split(".")
    for x in ks:
        t = t.setdefault(x, {})
    t[last] = v
open(sys.argv[1], "a").write(json.dumps(d) + "\n")' "$SAMPLES" "$@"
}
# Why a switch could not be set up in a round, or a measurement failed.
path_error() { # PATH ROUND WHAT
	log "$1, round $2: $3"
	emit kind=error path="$1" round="$2" error="$3"
}
# The last lines of a log, on one line, for an error message.
log_tail() { grep -v '^ *$' "$1" 2>/dev/null | tail -n "${2:-8}" | tr '\n' '|'; }

# ---- CPU time -------------------------------------------------------------
# Roles of the processes watched in the current measurement: "role:pid".
WATCH=()
# utime+stime of a process in clock ticks.  The process-wide line covers
# every thread, including those that have exited.  Fields are counted
# after the ")" that ends comm, which may itself hold spaces.  Ticks are
# 1/CLK_TCK s: too coarse for a process that sleeps, see proc_run_ns.
proc_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	set -- $s
	echo $(( ${12} + ${13} ))
}
# The scheduler's run time of a process's live threads, in ns
# (/proc/PID/task/*/schedstat): precise, but a thread that exits takes its
# share with it.  It measures the idle cost of a process that sleeps.
proc_run_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
ksoftirqd_ticks() {
	local t=0 p
	for p in $(pgrep -x 'ksoftirqd/[0-9]+'); do t=$((t + $(proc_ticks "$p"))); done
	echo $t
}
# cpu_snap FILE: per watched process ("role:pid" in WATCH) its utime+stime
# and its run time; ksoftirqd's utime+stime; the system-wide softirq and
# busy time (/proc/stat's "cpu" line).  All in ns.
cpu_snap() {
	local e
	{
		for e in "${WATCH[@]}"; do
			echo "cpu_ns.${e%%:*} $(proc_ticks "${e#*:}") tick"
			echo "run_ns.${e%%:*} $(proc_run_ns "${e#*:}") ns"
		done
		echo "cpu_ns.ksoftirqd $(ksoftirqd_ticks) tick"
		# user nice system idle iowait irq softirq steal: user to
		# system, irq and softirq are CPU time something spent, ours or
		# not (idle, iowait and steal are not).
		awk '$1 == "cpu" { print "cpu_ns.softirq_all", $8, "tick"
			print "cpu_ns.busy_all", $2 + $3 + $4 + $7 + $8, "tick" }' /proc/stat
	} >"$1"
}
# cpu_args BEFORE AFTER: "cpu_ns.ROLE=N" and "run_ns.ROLE=N" arguments
# for emit, what was spent between the two snapshots.
cpu_args() {
	awk -v tck="$CLK_TCK" 'NR == FNR { b[$1] = $2; next }
		{ printf "%s=%.0f\n", $1, ($2 - b[$1]) * ($3 == "tick" ? 1e9 / tck : 1) }' "$1" "$2"
}
now() { date +%s.%N; }

# ---- Topology ---------------------------------------------------------------
add_netns "$WIRE" || die "cannot create netns $WIRE"
add_veth "$UP" "$W" "$WIRE" || die "cannot create the veth pair $UP/$W"
# The wire end's receive counter: what reached the wire, in a window.
wire_rx() { ip netns exec "$WIRE" cat "/sys/class/net/$W/statistics/rx_packets"; }

# ---- The guest: dpdk-testpmd with virtio_user ---------------------------------
# As in tests/integration/test_vhost.sh: its virtio_user serves SOCK
# (server=1, as QEMU does with server=on), every switch is the client.
# --stats-period keeps it running (without it testpmd reads stdin, gets
# EOF and quits); SIGTERM makes it print its accumulated statistics.
GUEST_N=0 GUEST_TO= GUEST_PID= GUEST_LOG= GUEST_KIND=pmd
# The guest's port: virtio_user on SOCK, except on the tap path.
VIRTIO_VDEV="net_virtio_user0,path=$SOCK,queues=1,server=1,mac=$GUEST_MAC"
GUEST_VDEV=$VIRTIO_VDEV
# child_of PID: the process `timeout` (PID) runs.
child_of() {
	local c
	for _ in $(seq 50); do
		c=$(pgrep -P "$1" | head -1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.02
	done
	return 1
}
start_guest() { # PATH MODE ARGS...
	local path=$1 mode=$2
	shift 2
	GUEST_N=$((GUEST_N + 1))
	GUEST_LOG=$TMPD/guest-$GUEST_N.log
	GUEST_KIND=pmd
	GUEST_VDEV=$VIRTIO_VDEV
	if [ "$path" = tap ] && [ "$mode" = rxonly ]; then
		GUEST_KIND=sink
		start_sink guest taskset -c "$GUEST_CPU" "$SINK" --tap "$TAP" 2>"$GUEST_LOG"
		eval "GUEST_PID=\${SINK_PID_guest:-}"
		GUEST_TO=$GUEST_PID
		return
	fi
	[ "$path" = tap ] && GUEST_VDEV="net_tap0,iface=$TAP,mac=$GUEST_MAC"
	rm -f "$SOCK"
	# net_tap asks for SIGIO on its tap; one that comes before its
	# handler is in place would end testpmd (or `timeout`, in the same
	# process group): ignored from the start, as an exec'd program
	# inherits.
	trap '' IO
	taskset -c "$GUEST_CPU" timeout -s TERM "$PMD_MAX_SECS" "$TESTPMD" --no-huge -m 512 \
		--no-pci --no-shconf --no-telemetry --file-prefix="vfwd-$PFX-g$GUEST_N" \
		--lcores="(0,1)@$GUEST_CPU" --log-level=lib.eal:warning \
		--vdev="$GUEST_VDEV" \
		-- --total-num-mbufs=16384 --nb-cores=1 --forward-mode="$mode" \
		--stats-period 1 "$@" >"$GUEST_LOG" 2>&1 </dev/null &
	GUEST_TO=$!
	trap - IO
	_pids+=("$GUEST_TO")
	GUEST_PID=$(child_of "$GUEST_TO") || GUEST_PID=
}
stop_guest() {
	[ -n "$GUEST_TO" ] || return 0
	if [ "$GUEST_KIND" = sink ]; then
		stop_sink guest
		GUEST_TO= GUEST_PID=
		return 0
	fi
	kill -TERM "$GUEST_TO" 2>/dev/null
	wait "$GUEST_TO" 2>/dev/null
	GUEST_TO= GUEST_PID=
	rm -rf "/var/run/dpdk/vfwd-$PFX-g$GUEST_N"
}
# The RX-packets / TX-packets of the accumulated statistics testpmd
# prints when it stops.
guest_stat() { # FIELD
	if [ "$GUEST_KIND" = sink ]; then
		[ "$1" = RX-packets ] && sink_count guest "$GUEST_MAC/0"
		return
	fi
	sed -n "/Accumulated forward statistics/,\$p" "$GUEST_LOG" |
		grep -o "$1: *[0-9]*" | head -1 | grep -o '[0-9]*$'
}

# ---- Switch: vfwd -------------------------------------------------------------
VHOST_PID=
vfwd_port_state() { vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]"; }
vfwd_up() {
	vfwd attach "$UP" >/dev/null &&
		vfwd port add vm1 --xsk --vhost-socket "$SOCK" >/dev/null &&
		vfwd mac add "$GUEST_MAC" --port vm1 >/dev/null || {
		SETUP_ERR="vfwd attach/port add/mac add failed"
		return 1
	}
	taskset -c "$HOST_CPU" "$VHOST" --pin-path "$PIN" >>"$TMPD/vhost.log" 2>&1 &
	VHOST_PID=$!
	_pids+=("$VHOST_PID")
	SWITCH_WATCH=("switch:$VHOST_PID")
}
vfwd_down() {
	if [ -n "$VHOST_PID" ]; then
		kill -TERM "$VHOST_PID" 2>/dev/null
		wait "$VHOST_PID" 2>/dev/null
		rm -rf "/var/run/dpdk/vfwd-vhost-$VHOST_PID"
		VHOST_PID=
	fi
	vfwd detach "$UP" >/dev/null 2>&1
	return 0
}
# Before a guest starts: the last one is gone (vfwd says "waiting").
vfwd_idle() {
	for _ in $(seq $((READY_SECS * 10))); do
		[ "$(vfwd_port_state)" = waiting ] && return 0
		sleep 0.1
	done
	return 1
}
vfwd_ready() {
	for _ in $(seq $((READY_SECS * 10))); do
		[ "$(vfwd_port_state)" = up ] && return 0
		kill -0 "$VHOST_PID" 2>/dev/null || break
		sleep 0.1
	done
	READY_ERR="vm1 not up: $(log_tail "$TMPD/vhost.log" 5)"
	return 1
}
# The switch's own counters, "name=N ...", to explain losses.
vfwd_counters() { vfwd -j stats | jget "' '.join('%s=%s' % (k, v) for k, v in [p['xsk'] for p in d['ports'] if p['name']=='vm1'][0].items())"; }

# ---- Switch: vfwd's tap path, the kernel ---------------------------------------
# No switch process.  The guest's side differs per direction, because
# testpmd's net_tap cannot receive what XDP redirects into its tap: it
# keeps an extra queue open on the tap (its first), and the kernel puts a
# redirected frame on queue (CPU % queues), the unread one for frames
# redirected on CPU 0 (measured: all but the first 999 of 300,000 dropped
# at the tap).  So:
#   rx  the guest is vfwd-sink --tap on the guest CPU: it makes the tap
#       (one queue) and reads it, a read() per frame, as a QEMU tap back
#       end without vhost-net does;
#   tx  the guest is testpmd txonly with net_tap, which makes the tap and
#       writes a frame per write().
# The port is added on each new tap and removed after it.
TAP=${PFX}t
tap_up() {
	vfwd attach "$UP" >/dev/null || {
		SETUP_ERR="vfwd attach failed"
		return 1
	}
	SWITCH_WATCH=()
}
tap_down() {
	vfwd port del vm1 --force >/dev/null 2>&1
	vfwd detach "$UP" >/dev/null 2>&1
	return 0
}
# The last guest's tap went with it; so does its port.
tap_idle() {
	for _ in $(seq $((READY_SECS * 10))); do
		if ! ip link show "$TAP" >/dev/null 2>&1; then
			vfwd port del vm1 --force >/dev/null 2>&1
			return 0
		fi
		sleep 0.1
	done
	return 1
}
# The guest's tap is there: serve it.
tap_port() {
	vfwd port add vm1 --dev "$TAP" >/dev/null &&
		vfwd mac add "$GUEST_MAC" --port vm1 >/dev/null
}
# Served as soon as the tap is there: testpmd makes it when its EAL
# starts, well before it sends (frames before the port would go to the
# host's stack, not forwarded).
tap_ready() {
	local served=0
	for _ in $(seq $((READY_SECS * 10))); do
		[ "$served" = 0 ] && ip link show "$TAP" >/dev/null 2>&1 && tap_port && served=1
		if [ "$served" = 1 ]; then
			[ "$GUEST_KIND" = sink ] && return 0
			grep -q "start packet forwarding" "$GUEST_LOG" && return 0
		fi
		kill -0 "$GUEST_PID" 2>/dev/null || break
		sleep 0.1
	done
	READY_ERR="the guest's tap $TAP never came, or vfwd could not serve it: $(log_tail "$GUEST_LOG" 5)"
	return 1
}
# What the tap's queue to the guest could not hold (tx_dropped), what
# vfwd redirected to it, and the guest's frames the tap took in.
tap_counters() {
	local s=/sys/class/net/$TAP/statistics
	echo "tap_tx_dropped=$(cat "$s/tx_dropped") tap_tx_packets=$(cat "$s/tx_packets") tap_rx_packets=$(cat "$s/rx_packets")"
}

# ---- Switch: DPDK testpmd, af_xdp PMD + vhost PMD -------------------------------
SW_N=0 SW_TO= SW_PID= SW_LOG= SW_READY0=0
dpdk_up() {
	SW_N=$((SW_N + 1))
	SW_LOG=$TMPD/dpdk-switch-$SW_N.log
	# io forwarding between port 0 (af_xdp on the uplink's queue 0, the
	# only one of a veth) and port 1 (vhost-user client of the guest's
	# socket, reconnecting until the guest serves it).
	taskset -c "$HOST_CPU" timeout -s TERM "$PMD_MAX_SECS" "$TESTPMD" --no-huge -m 512 \
		--no-pci --no-shconf --no-telemetry --file-prefix="vfwd-$PFX-sw$SW_N" \
		--lcores="(0,1)@$HOST_CPU" --log-level=lib.eal:warning \
		--log-level=pmd.net.af_xdp:info \
		--vdev "net_af_xdp0,iface=$UP" --vdev "net_vhost0,iface=$SOCK,client=1" \
		-- --forward-mode=io --total-num-mbufs=16384 --nb-cores=1 \
		--stats-period 1 >"$SW_LOG" 2>&1 </dev/null &
	SW_TO=$!
	_pids+=("$SW_TO")
	SW_PID=$(child_of "$SW_TO") || SW_PID=
	# Up once it forwards; an af_xdp PMD that cannot start ends testpmd.
	for _ in $(seq $((READY_SECS * 10))); do
		grep -q "packet forwarding - ports=2" "$SW_LOG" && break
		kill -0 "$SW_TO" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "packet forwarding - ports=2" "$SW_LOG" || ! kill -0 "$SW_TO" 2>/dev/null; then
		SETUP_ERR="testpmd with net_af_xdp0,iface=$UP did not start forwarding: $(log_tail "$SW_LOG" 12)"
		return 1
	fi
	SWITCH_WATCH=("switch:$SW_PID")
}
dpdk_down() {
	[ -n "$SW_TO" ] || return 0
	kill -TERM "$SW_TO" 2>/dev/null
	wait "$SW_TO" 2>/dev/null
	SW_TO= SW_PID=
	rm -rf "/var/run/dpdk/vfwd-$PFX-sw$SW_N"
}
# The vhost library says when a (re)connected guest's rings are usable;
# count those lines before the guest starts.
dpdk_idle() {
	SW_READY0=$(grep -c "now ready for processing" "$SW_LOG")
	return 0
}
dpdk_ready() {
	for _ in $(seq $((READY_SECS * 10))); do
		[ "$(grep -c "now ready for processing" "$SW_LOG")" -gt "$SW_READY0" ] && return 0
		kill -0 "$SW_TO" 2>/dev/null || break
		sleep 0.1
	done
	READY_ERR="the switch's vhost port never became ready: $(log_tail "$SW_LOG" 5)"
	return 1
}

# The switch's port counters, "uplink_rx_missed=N ... guest_tx_errors=N",
# from the last statistics testpmd printed (--stats-period 1): after a
# fresh print, so that the second that just ended is in them.  Port 0 is
# the af_xdp port (rx_missed: its socket's rx ring was full), port 1 the
# vhost port; what the guest's ring had no room for, io forwarding drops
# uncounted here: uplink_rx_packets - guest_tx_packets.
dpdk_counters() {
	local n0
	n0=$(grep -c "NIC statistics for port 0" "$SW_LOG")
	for _ in $(seq 30); do
		[ "$(grep -c "NIC statistics for port 0" "$SW_LOG")" -gt "$n0" ] && break
		sleep 0.1
	done
	# A block: its header, then RX-packets, RX-errors, RX-nombuf and
	# TX-packets lines.
	awk '/NIC statistics for port/ { p = ($6 == "0") ? "uplink" : "guest"; n = 0; next }
		++n > 4 { p = "" }
		p != "" && /RX-packets:/ { v[p "_rx_packets"] = $2; v[p "_rx_missed"] = $4 }
		p != "" && /TX-packets:/ { v[p "_tx_packets"] = $2; v[p "_tx_errors"] = $4 }
		END { for (k in v) printf "%s=%s ", k, v[k] }' "$SW_LOG"
}

# ---- Switch: Open vSwitch (DPDK build), afxdp + dpdkvhostuserclient -------------
OVS_N=0 OVS_D= OVS_PID=
BR=${PFX}br
VHU=${PFX}vh
ovs() { # COMMAND ARGS...: an OVS tool on the private instance
	OVS_RUNDIR=$OVS_D OVS_DBDIR=$OVS_D OVS_LOGDIR=$OVS_D OVS_SYSCONFDIR=$OVS_D "$@"
}
vsctl() { ovs ovs-vsctl --db="unix:$OVS_D/db.sock" --timeout=30 "$@"; }
ovs_missing() { # why OVS cannot run here, if it cannot
	local t
	for t in "$OVS_VSWITCHD" ovsdb-server ovsdb-tool ovs-vsctl ovs-ofctl ovs-appctl; do
		command -v "$t" >/dev/null ||
			{ echo "$t not found (apt-get install openvswitch-switch-dpdk; make deps)"; return; }
	done
	[ -f "$OVS_SCHEMA" ] || { echo "$OVS_SCHEMA not found"; return; }
	# The netdev datapath's own port has a fixed name: another instance
	# owns it.
	[ -e /sys/class/net/ovs-netdev ] &&
		echo "an ovs-netdev interface exists: another Open vSwitch netdev datapath runs on this host"
}
ovs_up() {
	OVS_N=$((OVS_N + 1))
	OVS_D=$TMPD/ovs$OVS_N
	mkdir -p "$OVS_D"
	ovs ovsdb-tool create "$OVS_D/conf.db" "$OVS_SCHEMA" &&
		ovs ovsdb-server "$OVS_D/conf.db" --remote="punix:$OVS_D/db.sock" \
			--pidfile="$OVS_D/ovsdb-server.pid" --unixctl="$OVS_D/ovsdb-server.ctl" \
			--log-file="$OVS_D/ovsdb-server.log" --detach --no-chdir 2>>"$OVS_D/start.err" ||
		{ SETUP_ERR="ovsdb-server did not start: $(log_tail "$OVS_D/start.err")"; return 1; }
	# DPDK inside ovs-vswitchd as for testpmd: no hugepages, no PCI, its
	# own runtime directory; its PMD thread on the host CPU.
	vsctl --no-wait init &&
		vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			"other_config:dpdk-extra=--no-huge -m 1024 --legacy-mem --no-pci --no-telemetry --file-prefix=vfwd-$PFX-ovs$OVS_N" \
			"other_config:pmd-cpu-mask=$(printf '0x%x' $((1 << HOST_CPU)))" ||
		{ SETUP_ERR="ovs-vsctl init failed"; return 1; }
	ovs taskset -c "$HOST_CPU" "$OVS_VSWITCHD" "unix:$OVS_D/db.sock" \
		--pidfile="$OVS_D/ovs-vswitchd.pid" --unixctl="$OVS_D/ovs-vswitchd.ctl" \
		--log-file="$OVS_D/ovs-vswitchd.log" --detach --no-chdir 2>>"$OVS_D/start.err" ||
		{ SETUP_ERR="ovs-vswitchd did not start: $(log_tail "$OVS_D/start.err") $(log_tail "$OVS_D/ovs-vswitchd.log")"; return 1; }
	OVS_PID=$(cat "$OVS_D/ovs-vswitchd.pid" 2>/dev/null)
	[ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] ||
		{ SETUP_ERR="DPDK did not initialize in ovs-vswitchd: $(log_tail "$OVS_D/ovs-vswitchd.log")"; return 1; }
	# The flows do what vfwd does: the guest's MAC to the guest, the
	# guest's own source MAC out of the uplink; nothing else.
	vsctl add-br "$BR" -- set bridge "$BR" datapath_type=netdev \
		-- add-port "$BR" "$UP" -- set interface "$UP" type=afxdp \
		-- add-port "$BR" "$VHU" -- set interface "$VHU" type=dpdkvhostuserclient \
		"options:vhost-server-path=$SOCK" >>"$OVS_D/start.err" 2>&1 &&
		ovs ovs-ofctl del-flows "$BR" &&
		ovs ovs-ofctl add-flow "$BR" "in_port=$UP,dl_dst=$GUEST_MAC,actions=output:$VHU" &&
		ovs ovs-ofctl add-flow "$BR" "in_port=$VHU,dl_src=$GUEST_MAC,actions=output:$UP" \
			2>>"$OVS_D/start.err" ||
		{ SETUP_ERR="bridge/ports/flows: $(log_tail "$OVS_D/start.err") $(log_tail "$OVS_D/ovs-vswitchd.log" 5)"; return 1; }
	local e
	e=$(vsctl get interface "$UP" error 2>/dev/null)
	[ -z "$e" ] || [ "$e" = '[]' ] ||
		{ SETUP_ERR="afxdp port $UP: $e: $(log_tail "$OVS_D/ovs-vswitchd.log" 6)"; return 1; }
	SWITCH_WATCH=("switch:$OVS_PID")
}
ovs_down() {
	[ -n "$OVS_D" ] || return 0
	if [ -S "$OVS_D/db.sock" ]; then
		vsctl --if-exists del-br "$BR" >/dev/null 2>&1
		# --cleanup removes the datapath's ports (ovs-netdev, the
		# bridge's tap) that a plain exit leaves behind.
		ovs ovs-appctl --timeout=10 -t "$OVS_D/ovs-vswitchd.ctl" exit --cleanup >/dev/null 2>&1
		ovs ovs-appctl --timeout=10 -t "$OVS_D/ovsdb-server.ctl" exit >/dev/null 2>&1
	fi
	local p f
	for f in ovs-vswitchd ovsdb-server; do
		p=$(cat "$OVS_D/$f.pid" 2>/dev/null) || continue
		kill -TERM "$p" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	for f in "$BR" ovs-netdev; do ip link del "$f" 2>/dev/null; done
	rm -rf "/var/run/dpdk/vfwd-$PFX-ovs$OVS_N"
	OVS_D= OVS_PID=
}
# The ports' counters, "uplink_rx_pkts=N ... guest_tx_drop=N ...", live
# from the datapath (the database's statistics column lags by seconds).
ovs_counters() {
	ovs ovs-ofctl --names dump-ports "$BR" 2>/dev/null | python3 -c '
import re, sys
names = {sys.argv[1]: "uplink", sys.argv[2]: "guest"}
port, out = None, []
for line in sys.stdin:
    line = line.replace(chr(34), "")  # a quoted port name
    m = re.match(r"\s*port\s+([^:]+):\s*(rx|tx)(.*)", line) or re.match(r"\s*()(rx|tx)(.*)", line)
    if not m:
        continue
    if m.group(1):
        port = names.get(m.group(1).strip())
    if port:
        for k, v in re.findall(r"(pkts|drop|errs)=(\d+)", m.group(3)):
            out.append("%s_%s_%s=%s" % (port, m.group(2), k, v))
print(" ".join(out))' "$UP" "$VHU"
}
# The port's link_state goes up when the guest connects, but OVS enables
# its queues (and forwards to it) only seconds later, after its main
# thread has faulted in the guest's memory: wait for both queues'
# "enabled" lines, counted from before the guest starts.
OVS_EN0=0
ovs_enabled() { grep -c "of vhost device '$SOCK' changed to 'enabled'" "$OVS_D/ovs-vswitchd.log"; }
ovs_idle() {
	OVS_EN0=$(ovs_enabled)
	return 0
}
ovs_ready() {
	for _ in $(seq $((READY_SECS * 10))); do
		[ "$(ovs_enabled)" -ge $((OVS_EN0 + 2)) ] && return 0
		kill -0 "$OVS_PID" 2>/dev/null || break
		sleep 0.1
	done
	READY_ERR="$VHU: queues not enabled: $(log_tail "$OVS_D/ovs-vswitchd.log" 5)"
	return 1
}

# Whatever happens, nothing of a switch or guest is left running: lib.sh's
# cleanup runs this first, then kills what is left and removes the rest.
stop_everything() {
	stop_guest
	stop_sink wire >/dev/null 2>&1
	vfwd_down
	dpdk_down
	ovs_down
	rm -rf /var/run/dpdk/vfwd-"$PFX"-*
}
# XSK_KEEP_LOGS=DIR keeps every log (switches, guests, generator) for a
# post-mortem; they are otherwise removed with the rest.
keep_logs() {
	[ -n "${XSK_KEEP_LOGS:-}" ] || return 0
	mkdir -p "$XSK_KEEP_LOGS" && cp -r "$TMPD"/. "$XSK_KEEP_LOGS"/ 2>/dev/null
	find "$XSK_KEEP_LOGS" -type s -delete 2>/dev/null
	return 0
}
_hooks+=(stop_everything keep_logs)

# ---- Measurements -------------------------------------------------------------
# counter_args BEFORE AFTER: "counters.NAME=N" arguments for emit, the
# difference of two "name=N ..." lists.
counter_args() {
	paste -d' ' <(echo "$1" | tr ' ' '\n') <(echo "$2" | tr ' ' '\n') |
		awk -F'[ =]' 'NF == 4 && $1 != "" && $1 == $3 { print "counters." $1 "=" $4 - $2 }'
}

# Start a guest and wait until the switch serves it.
guest_for() { # PATH MODE ARGS...
	local p=$1
	shift
	"${p}_idle" || { READY_ERR="the previous guest was never let go"; return 1; }
	start_guest "$p" "$@"
	[ -n "$GUEST_PID" ] || { READY_ERR="the guest did not start: $(log_tail "$GUEST_LOG")"; return 1; }
	"${p}_ready"
}

# run_gen SIZE: FRAMES frames of SIZE bytes from the wire to the guest's
# MAC, the generator on the host CPU.  Prints its elapsed seconds (from
# fork to exit, so its start-up too), its CPU seconds (wait4) and its exit
# status; gen_sent then says how many frames it sent.
run_gen() {
	: >"$TMPD/gen.log"
	python3 -c '
import os, sys, time
t = time.monotonic()
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.execvp(sys.argv[2], sys.argv[2:])
_, st, ru = os.wait4(pid, 0)
print("%.6f %.6f %d" % (time.monotonic() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(st)))
' "$TMPD/gen.log" taskset -c "$HOST_CPU" ip netns exec "$WIRE" "$GEN" --dev "$W" \
		--dst "$GUEST_MAC" --count "$FRAMES" --size "$1"
}

gen_sent() {
	local n
	n=$(sed -n 's/^vfwd-gen: sent \([0-9]*\) frames.*/\1/p' "$TMPD/gen.log" | tail -1)
	echo "${n:-$FRAMES}"
}

# The generator alone, no switch on the uplink (the kernel drops the
# frames: not for its MAC): the most any switch can be offered.
measure_gen_only() { # ROUND SIZE
	local g
	g=$(run_gen "$2")
	set -- "$1" "$2" $g
	[ "${5:-1}" = 0 ] || { path_error wire "$1" "generator alone, $2 B: $(tail -2 "$TMPD/gen.log" | tr '\n' '|')"; return; }
	emit kind=gen_only round="$1" size="$2" offered="$(gen_sent)" seconds="$3" \
		cpu_ns.generator="$(awk -v s="$4" 'BEGIN { printf "%.0f", s * 1e9 }')"
	log "generator alone, round $1, $2 B: $FRAMES in $3 s"
}

# How the switch set the path up, once per path: the socket mode.
path_info() { # PATH
	case $1 in
	vfwd) emit kind=info path=vfwd "port=$(vfwd -j port list | jget "json.dumps([p for p in d if p['name']=='vm1'][0])" 2>/dev/null)" ;;
	dpdk) emit kind=info path=dpdk "log=$(grep -E '^(init_internals|configure_preferred_busy_poll|eth_rx_queue_setup)' "$SW_LOG" | sort -u | tr '\n' '|')" ;;
	ovs) emit kind=info path=ovs "log=$(grep -E 'netdev_afxdp.*(XDP mode|xdp-mode)' "$OVS_D/ovs-vswitchd.log" | sed 's/^.*|//' | tr '\n' '|')" ;;
	esac
}

measure_idle() { # PATH ROUND
	local a=$TMPD/a b=$TMPD/b t0 t1
	guest_for "$1" rxonly || { path_error "$1" "$2" "idle: $READY_ERR"; stop_guest; return; }
	[ "$2" = 1 ] && path_info "$1"
	# Let the connection's own work (mapping guest memory) finish.
	sleep 1
	WATCH=("${SWITCH_WATCH[@]}" "guest:$GUEST_PID")
	t0=$(now); cpu_snap "$b"
	sleep "$IDLE_SECS"
	t1=$(now); cpu_snap "$a"
	stop_guest
	emit kind=idle path="$1" round="$2" seconds="$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" \
		$(cpu_args "$b" "$a")
}

measure_rx() { # PATH ROUND SIZE
	local a=$TMPD/a b=$TMPD/b g x0= x1= t0 t1
	guest_for "$1" rxonly || { path_error "$1" "$2" "rx $3 B: $READY_ERR"; stop_guest; return; }
	x0=$("${1}_counters")
	WATCH=("${SWITCH_WATCH[@]}" "guest:$GUEST_PID")
	t0=$(now); cpu_snap "$b"
	g=$(run_gen "$3")
	t1=$(now); cpu_snap "$a"
	sleep "$SETTLE_SECS"
	x1=$("${1}_counters")
	stop_guest
	set -- "$1" "$2" "$3" $g
	if [ "${6:-1}" != 0 ]; then
		path_error "$1" "$2" "rx $3 B: vfwd-gen failed: $(tail -2 "$TMPD/gen.log" | tr '\n' '|')"
		return
	fi
	local got
	got=$(guest_stat RX-packets)
	[ -n "$got" ] || { path_error "$1" "$2" "rx $3 B: no statistics from testpmd: $(log_tail "$GUEST_LOG")"; return; }
	emit kind=rx path="$1" round="$2" size="$3" offered="$(gen_sent)" seconds="$4" delivered="$got" \
		window.seconds="$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" \
		$(cpu_args "$b" "$a") cpu_ns.generator="$(awk -v s="$5" 'BEGIN { printf "%.0f", s * 1e9 }')" \
		$(counter_args "$x0" "$x1")
	log "$1 round $2 rx $3 B: $got of $FRAMES in $4 s"
}

measure_tx() { # PATH ROUND SIZE
	local a=$TMPD/a b=$TMPD/b t0 t1 c0 c1 sent wire drops sink_pid x0 x1
	start_sink wire taskset -c "$HOST_CPU" ip netns exec "$WIRE" "$SINK" --packet "$W" ||
		{ path_error "$1" "$2" "tx $3 B: vfwd-sink did not start"; return; }
	eval "sink_pid=\$SINK_PID_wire"
	# testpmd's txonly frames: Ethernet, IPv4, UDP, padded to SIZE bytes
	# (no FCS, like vfwd-gen's --size); source MAC the port's, the
	# guest's own.
	guest_for "$1" txonly "--eth-peer=0,$PEER_MAC" "--txpkts=$3" || {
		path_error "$1" "$2" "tx $3 B: $READY_ERR"
		stop_guest
		stop_sink wire
		return
	}
	sleep "$WARMUP_SECS"
	WATCH=("${SWITCH_WATCH[@]}" "guest:$GUEST_PID" "sink:$sink_pid")
	x0=$("${1}_counters")
	c0=$(wire_rx); t0=$(now); cpu_snap "$b"
	sleep "$TX_SECS"
	c1=$(wire_rx); t1=$(now); cpu_snap "$a"
	x1=$("${1}_counters")
	stop_guest
	sleep "$SETTLE_SECS"
	stop_sink wire || { path_error "$1" "$2" "tx $3 B: vfwd-sink wrote nothing"; return; }
	sent=$(guest_stat TX-packets)
	wire=$(sink_count wire "$PEER_MAC/0")
	drops=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("drops", 0))' "$TMPD/wire.json")
	[ -n "$sent" ] || { path_error "$1" "$2" "tx $3 B: no statistics from testpmd: $(log_tail "$GUEST_LOG")"; return; }
	# What reached the wire end: the sink's count, and what its packet
	# socket lost for lack of buffer (it shares the host CPU with the
	# switch; nothing else is sent on this wire).
	emit kind=tx path="$1" round="$2" size="$3" offered="$sent" delivered=$((wire + drops)) \
		sink_counted="$wire" sink_drops="$drops" \
		window.seconds="$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" window.wire_rx=$((c1 - c0)) \
		$(cpu_args "$b" "$a") $(counter_args "$x0" "$x1")
	log "$1 round $2 tx $3 B: $((wire + drops)) on the wire ($drops lost by the sink) of $sent sent; $((c1 - c0)) in the ${TX_SECS} s window"
}

# ---- The run ----------------------------------------------------------------------
OVS_WHY=
if [[ " $PATHS " == *" ovs "* ]]; then
	OVS_WHY=$(ovs_missing)
	[ -z "$OVS_WHY" ] || log "ovs: not measured: $OVS_WHY"
fi
START=$(date +%s)
for r in $(seq "$ROUNDS"); do
	order=$PATHS
	[ $((r % 2)) = 0 ] && order=$(echo $PATHS | tr ' ' '\n' | tac | tr '\n' ' ')
	for s in $SIZES; do measure_gen_only "$r" "$s"; done
	for p in $order; do
		if [ $p = ovs ] && [ -n "$OVS_WHY" ]; then
			[ "$r" = 1 ] && emit kind=error path=ovs round=0 error="not measured: $OVS_WHY"
			continue
		fi
		SETUP_ERR= SWITCH_WATCH=()
		log "round $r: $p"
		if ! "${p}_up"; then
			path_error "$p" "$r" "setup: $SETUP_ERR"
			"${p}_down"
			continue
		fi
		measure_idle "$p" "$r"
		for s in $SIZES; do
			measure_rx "$p" "$r" "$s"
			measure_tx "$p" "$r" "$s"
		done
		"${p}_down"
	done
done

# ---- Results ----------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
OVS_VER=$("$OVS_VSWITCHD" --version 2>/dev/null | head -1)
DPDK_VER=$(dpkg-query -W -f '${Version}' dpdk 2>/dev/null)
python3 - "$OUT" "$SAMPLES" "$ROUNDS" "$FRAMES" "$TX_SECS" "$IDLE_SECS" "$SIZES" "$PATHS" \
	"$HOST_CPU" "$GUEST_CPU" "$(( $(date +%s) - START ))" "$OVS_VER" "$TMPD/binaries" "$DPDK_VER" <<'PY'
import json, platform, statistics, sys
(out, samples_file, rounds, frames, tx_secs, idle_secs, sizes, paths,
 host_cpu, guest_cpu, secs, ovs_ver, bins_file, dpdk_ver) = sys.argv[1:]
binaries = {}
for l in open(bins_file):
    name, sha, mtime = l.split()
    binaries[name] = {"sha256": sha, "built": mtime}
recs = [json.loads(l) for l in open(samples_file) if l.strip()]
sizes = [int(s) for s in sizes.split()]
paths = paths.split()
cpu = "unknown"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip()
        break

WHAT = {
    "vfwd": "wire -> vfwd_uplink -> AF_XDP -> vfwd-vhost -> vhost-user guest",
    "tap": "wire -> vfwd_uplink -> DEVMAP -> tap -> guest (rx: vfwd-sink reading the tap, tx: testpmd net_tap writing it; a syscall per frame); back through tc vfwd_guest",
    "dpdk": "wire -> DPDK af_xdp PMD -> testpmd io forwarding -> DPDK vhost PMD (client) -> guest",
    "ovs": "wire -> OVS netdev datapath: afxdp port -> dl_dst flow -> dpdkvhostuserclient -> guest",
}
# /proc/stat's totals over all CPUs: they include the processes above.
SYSTEM_WIDE = ("softirq_all", "busy_all")
samples = []
for r in recs:
    if r["kind"] not in ("rx", "tx"):
        continue
    if r["kind"] == "rx":
        secs_ = r["seconds"]
        r["offered_mpps"] = r["offered"] / secs_ / 1e6
        r["mpps"] = r["delivered"] / secs_ / 1e6
    else:
        w = r["window"]
        r["mpps"] = w["wire_rx"] / w["seconds"] / 1e6
    r["delivered_pct"] = 100.0 * r["delivered"] / r["offered"] if r["offered"] else None
    # the frames the CPU time of the window paid for
    per = r["window"]["wire_rx"] if r["kind"] == "tx" else r["delivered"]
    r["window"]["frames"] = per
    cpu_ns = r.get("cpu_ns", {})
    total = sum(v for k, v in cpu_ns.items() if k not in SYSTEM_WIDE)
    r["cpu_ns"]["total"] = total
    # What else ran on the machine meanwhile (another test, say): the
    # measurement is suspect when it is large.
    r["cpu_ns"]["other"] = cpu_ns["busy_all"] - total
    r["other_cpu_pct"] = r["cpu_ns"]["other"] / 1e9 / r["window"]["seconds"] * 100
    r["cpu_ns_per_frame"] = {k: (v / per if per else None) for k, v in cpu_ns.items()}
    samples.append(r)
idle = []
for r in recs:
    if r["kind"] == "idle":
        r["cpu_pct"] = {k: v / 1e9 / r["seconds"] * 100 for k, v in r.get("cpu_ns", {}).items()}
        r["run_pct"] = {k: v / 1e9 / r["seconds"] * 100 for k, v in r.get("run_ns", {}).items()}
        r["other_cpu_pct"] = r["cpu_pct"]["busy_all"] - sum(
            v for k, v in r["cpu_pct"].items() if k not in SYSTEM_WIDE)
        idle.append(r)
gen_only = []
for r in recs:
    if r["kind"] == "gen_only":
        r["offered_mpps"] = r["offered"] / r["seconds"] / 1e6
        r["cpu_ns_per_frame"] = {"generator": r["cpu_ns"]["generator"] / r["offered"]}
        gen_only.append(r)
info = {r["path"]: {k: v for k, v in r.items() if k not in ("kind", "path")}
        for r in recs if r["kind"] == "info"}
errors = [r for r in recs if r["kind"] == "error"]

def stat(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}

summary = {}
for p in paths:
    for d in ("rx", "tx"):
        for s in sizes:
            ss = [r for r in samples if r["path"] == p and r["kind"] == d and r["size"] == s]
            if not ss:
                continue
            e = summary.setdefault(p, {}).setdefault(d, {})[str(s)] = {
                "offered": stat([r["offered"] for r in ss]),
                "delivered": stat([r["delivered"] for r in ss]),
                "delivered_pct": stat([r["delivered_pct"] for r in ss]),
                "mpps": stat([r["mpps"] for r in ss]),
                "cpu_ns_per_frame": {k: stat([r["cpu_ns_per_frame"].get(k) for r in ss])
                                     for k in sorted({k for r in ss for k in r["cpu_ns_per_frame"]})},
            }
            if d == "rx":
                e["offered_mpps"] = stat([r["offered_mpps"] for r in ss])
    ii = [r for r in idle if r["path"] == p]
    if ii:
        for key in ("cpu_pct", "run_pct"):
            summary.setdefault(p, {})["idle_" + key] = {
                k: stat([r[key].get(k) for r in ii]) for k in sorted({k for r in ii for k in r[key]})}
for s in sizes:
    gg = [r for r in gen_only if r["size"] == s]
    if gg:
        summary.setdefault("generator_alone", {})[str(s)] = {
            "offered_mpps": stat([r["offered_mpps"] for r in gg]),
            "cpu_ns_per_frame": {"generator": stat([r["cpu_ns_per_frame"]["generator"] for r in gg])}}

res = {
    "benchmark": "xsk_path", "kernel": platform.release(), "cpu": cpu,
    "rounds": int(rounds), "frames": int(frames), "sizes": sizes,
    "tx_seconds": float(tx_secs), "idle_seconds": float(idle_secs), "seconds": int(secs),
    "placement": {"host_cpu": int(host_cpu), "guest_cpu": int(guest_cpu),
                  "note": "generator, sink and switch on the host CPU; the guest (testpmd) on the guest CPU"},
    "paths": {p: {"what": WHAT[p],
                  "measured": any(r["path"] == p for r in samples),
                  "info": info.get(p),
                  "errors": [{"round": e["round"], "error": e["error"]} for e in errors if e["path"] == p]}
              for p in paths},
    "versions": {"ovs": ovs_ver or None, "dpdk": dpdk_ver or None},
    "binaries": binaries,
    "units": {"offered": "frames (rx: sent by vfwd-gen; tx: testpmd TX-packets)",
              "delivered": "frames (rx: testpmd RX-packets; tx: reached the wire end: vfwd-sink's count plus what its socket dropped)",
              "mpps": "rx: delivered / generator elapsed s; tx: wire rx_packets in the window / window s",
              "cpu_ns": "CPU ns in the measurement window (rx: around the generator's run; tx: TX_SECS in the steady state)",
              "other_cpu_pct": "cpu_ns.other over the window, in % of one CPU: what else ran (should be near 0)",
              "cpu_ns_per_frame": "cpu_ns / frames delivered in that time",
              "run_ns": "the scheduler's run time of the live threads (/proc/PID/task/*/schedstat), ns",
              "cpu_pct, run_pct": "idle: cpu_ns or run_ns / the idle window, in % of one CPU",
              "generator_alone": "vfwd-gen with no switch on the uplink (the kernel drops the frames): the offered rate's ceiling",
              "roles": "switch: vfwd-vhost, the DPDK testpmd switch or ovs-vswitchd; guest: testpmd virtio_user; "
                       "generator: vfwd-gen (rx); sink: vfwd-sink (tx); ksoftirqd: every ksoftirqd thread; "
                       "total: their sum; softirq_all, busy_all: /proc/stat over all CPUs (softirq time, all busy time), "
                       "which include the above; other: busy_all - total, what else ran"},
    "summary": summary, "samples": samples, "idle": idle, "generator_alone": gen_only,
    "errors": [{"path": e["path"], "round": e["round"], "error": e["error"]} for e in errors],
}
with open(out + ".tmp", "w") as f:
    json.dump(res, f, indent=1)
    f.write("\n")
import os
os.replace(out + ".tmp", out)

def m(x, fmt="%.3f"):
    return "-" if x is None else fmt % x["median"] + (" (" + fmt % x["min"] + "-" + fmt % x["max"] + ")" if x["n"] > 1 else "")
print("%-5s %-3s %5s %-26s %-26s %-22s %-26s %-22s" % ("path", "dir", "size", "offered Mpps / frames", "delivered", "Mpps", "CPU ns/frame switch", "CPU ns/frame total"))
for p in paths:
    for d in ("rx", "tx"):
        for s in sizes:
            e = summary.get(p, {}).get(d, {}).get(str(s))
            if not e:
                continue
            off = m(e.get("offered_mpps")) if d == "rx" else m(e["offered"], "%.0f")
            print("%-5s %-3s %5d %-26s %-26s %-22s %-26s %-22s" % (
                p, d, s, off, m(e["delivered"], "%.0f"), m(e["mpps"]),
                m(e["cpu_ns_per_frame"].get("switch"), "%.0f"), m(e["cpu_ns_per_frame"].get("total"), "%.0f")))
    i = summary.get(p, {}).get("idle_run_pct")
    if i:
        print("%-5s idle CPU %% (run time): %s" % (p, ", ".join("%s %s" % (k, m(v, "%.2f")) for k, v in i.items())))
for s in sizes:
    g = summary.get("generator_alone", {}).get(str(s))
    if g:
        print("generator alone %4d B: %s Mpps" % (s, m(g["offered_mpps"])))
for e in errors:
    print("ERROR %s round %s: %s" % (e["path"], e["round"], e["error"]))
print("raw samples: " + out)
PY
[ $? = 0 ] || FAILED=1
finish
