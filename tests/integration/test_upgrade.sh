#!/usr/bin/env bash
# Upgrades across a schema bump: an installation made by the previous
# schema's release (built here from git) is taken over by this build's
# `vfwd attach` under steady traffic (docs/vfwd.md, "Upgrade").
#
#   upgrade     0 frames lost at the guests' sinks; every port and MAC
#               carried over, and the counters; the old pins gone; status
#               clean (exit 0, no drift); forwarding on afterwards
#   killed      `vfwd attach` killed with SIGKILL at random moments of the
#               upgrade: the uplink and every guest keep a program and no
#               frame is lost; another command undoes an unpublished
#               upgrade (the old installation intact) and finishes a
#               published one; the next attach ends in the same state as
#               an uncut upgrade
#
# The previous release is built once per commit and kept under
# $VFWD_PREV_CACHE (default /var/cache/vfwd, else build/), so that later
# runs start at once; a clean machine builds it (about 10 s).
source "$(dirname "$0")/../lib.sh"

ROUNDS=${UPGRADE_KILL_ROUNDS:-6}
# Traffic: per round BURST frames to each guest, spread over FLOWS flows
# with GAP_US between two flows, so that frames arrive all through the
# upgrade but never faster than the sinks read them.
BURST=200
FLOWS=20
GAP_US=200
# Extra MACs bound over the ports (no traffic goes to them): the table
# carried over must hold every one.
NMACS=300

WIRE=$PFX-wire
CT=$PFX-ct
UP=${PFX}u
W=${PFX}w
T1=${PFX}t1
T2=${PFX}t2
T3=${PFX}t3
CTH=${PFX}c
CTG=${PFX}g
M1=52:54:00:00:0e:01 # vm1: tap, untagged
M2=52:54:00:00:0e:02 # vm2: tap, access VLAN 100
M3=52:54:00:00:0e:03 # vm3: tap, steered to CPU 1 through the CPUMAP
M4=52:54:00:00:0e:04 # ct1: veth
VID=100

# --- (a) the previous schema's release, from git ---------------------
schema_of() { # COMMIT: VFWD_SCHEMA_VERSION in that commit's schema
	git -C "$ROOT" show "$1:maps/vfwd_maps.h" 2>/dev/null |
		sed -n 's/^#define VFWD_SCHEMA_VERSION \([0-9]*\).*/\1/p'
}
PREV_VER=$(sed -n 's/^#define VFWD_PREV_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$ROOT"/maps/*.h)
CUR_VER=$(sed -n 's/^#define VFWD_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$ROOT/maps/vfwd_maps.h")
if ! git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	echo "SKIP: $TEST_NAME: $ROOT is not a git checkout, so the previous release cannot be built"
	finish
fi
# The previous release is the parent of the commit that bumped the schema.
BUMP=$(git -C "$ROOT" log --format=%H --reverse \
	-S"#define VFWD_SCHEMA_VERSION $CUR_VER" -- maps/vfwd_maps.h | head -1)
PREV_COMMIT=$(git -C "$ROOT" rev-parse --verify -q "$BUMP^")
expect_eq prev_commit_schema "$PREV_VER" "$(schema_of "$PREV_COMMIT")"

# prev_build: the previous release's vfwd at $OLD, built unless cached.
# Built in a temporary directory and renamed into the cache in one step,
# so that a run killed half-way or one running beside it never sees half
# a build.
prev_build() {
	local cache=${VFWD_PREV_CACHE:-/var/cache/vfwd} dir src
	mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=$B
	dir=$cache/prev-$PREV_COMMIT
	OLD=$dir/vfwd
	[ -x "$OLD" ] && return 0
	src=$(mktemp -d "$cache/.prev-build.XXXXXX") || return 1
	if git -C "$ROOT" archive "$PREV_COMMIT" | tar -x -C "$src" &&
		make -C "$src" build/vfwd >"$TMPD/prev-build.log" 2>&1; then
		mkdir -p "$src/out" && cp "$src/build/vfwd" "$src/out/vfwd" &&
			{ mv -T "$src/out" "$dir" 2>/dev/null || [ -x "$OLD" ]; }
	fi
	rm -rf "$src"
	[ -x "$OLD" ] || { tail -5 "$TMPD/prev-build.log" >&2; return 1; }
}
prev_build || { fail prev_build "cannot build commit $PREV_COMMIT (schema v$PREV_VER)"; finish; }
pass prev_build
old() { "$OLD" --pin-path "$PIN" "$@"; }
check prev_makes_v$PREV_VER grep -q "vfwd_port_v$PREV_VER" "$OLD"

# --- (b) the topology, set up by the previous release -----------------
add_netns "$WIRE" && add_netns "$CT" && add_veth "$UP" "$W" "$WIRE" &&
	add_veth "$CTH" "$CTG" "$CT" || { fail setup "netns or veth"; finish; }
# Persistent taps: a guest's sink can stop and start between phases
# without taking the device (and the port) with it.
for t in "$T1" "$T2" "$T3"; do
	ip tuntap add dev "$t" mode tap && track_link "$t" || { fail setup "tap $t"; finish; }
done
CPUS=$(nproc)
# macfile FILE: NMACS MACs spread over the guest ports.
macfile() {
	python3 - "$1" "$NMACS" "$VID" <<'PY'
import sys
path, n, vid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ports = ["vm1", "vm2", "vm3", "ct1"]
with open(path, "w") as f:
    for i in range(n):
        p = ports[i % len(ports)]
        f.write("02:54:00:%02x:%02x:%02x %s%s\n" % (i >> 16 & 255, i >> 8 & 255, i & 255, p, " " + vid if p == "vm2" else ""))
PY
}
macfile "$TMPD/macs"
# old_install: the previous release's installation, as an operator would
# have made it: a --bum flood uplink, tap ports untagged, on an access
# VLAN and steered to a CPU, a veth port, and their MACs.
old_install() {
	local steer=()
	[ "$CPUS" -ge 2 ] && steer=(--cpus 1)
	old attach "$UP" --bum flood &&
		old port add vm1 --dev "$T1" &&
		old port add vm2 --dev "$T2" --vlan "$VID" &&
		old port add vm3 --dev "$T3" "${steer[@]}" &&
		old port add ct1 --dev "$CTH" &&
		old mac add "$M1" --port vm1 &&
		old mac add "$M2" --port vm2 &&
		old mac add "$M3" --port vm3 &&
		old mac add "$M4" --port ct1 &&
		old mac load "$TMPD/macs"
}
check old_install old_install

# What must carry over: each port's settings (not its counters or
# state), every MAC binding, the uplink's mode and BUM policy.
PORT_FIELDS="[(p['id'], p['name'], p['kind'], p['dev'], p['ifindex'], p.get('vlan'), p.get('spoofchk'), p.get('uplink'), p.get('cpus'), p.get('vcpu_cpus'), p.get('cpu_source'), p.get('placement'), p.get('rps'), p.get('macs'), p.get('mode'), p.get('bum')) for p in d]"
ports_of() { "$@" -j port list | jget "$PORT_FIELDS"; }
macs_of() { "$@" mac list | sha256sum; }
PORTS0=$(ports_of old)
MACS0=$(macs_of old)
expect_eq old_macs "$((NMACS + 4))" "$(old mac list | awk 'NR > 1 { n++ } END { print n + 0 }')"
pins_of() { ls "$PIN" | grep -c "_v$1\$"; }
check old_pins_v$PREV_VER [ "$(pins_of "$PREV_VER")" -gt 0 ]
expect_eq old_no_pins_v$CUR_VER 0 "$(pins_of "$CUR_VER")"

# The previous installation, as this version sees it: not read, not
# changed by anything but attach.
refuse refuse_status vfwd status
refuse refuse_port_add vfwd port add vm9 --dev "$T1"
expect_eq refused_changed_nothing "$PORTS0" "$(ports_of old)"

# --- (c) steady traffic ------------------------------------------------
# sinks_start PHASE / sinks_stop PHASE: a sink on every guest, for one
# phase's frames.
sinks_start() {
	start_sink "$1_1" "$SINK" --tap "$T1" &&
		start_sink "$1_2" "$SINK" --tap "$T2" &&
		start_sink "$1_3" "$SINK" --tap "$T3" &&
		start_sink "$1_4" ip netns exec "$CT" "$SINK" --packet "$CTG"
}
sinks_stop() { stop_sink "$1_1" && stop_sink "$1_2" && stop_sink "$1_3" && stop_sink "$1_4"; }
# received PHASE: frames the four sinks counted, each for its own MAC
# (the access VLAN's tag is off at vm2), summed.
received() {
	python3 - "$TMPD/$1" "$M1/0" "$M2/0" "$M3/0" "$M4/0" <<'PY'
import json, sys
print(sum(json.load(open("%s_%d.json" % (sys.argv[1], i + 1)))["by_dst"].get(k, 0)
          for i, k in enumerate(sys.argv[2:])))
PY
}
# Rounds of BURST frames to each guest, until traffic_stop; the rounds
# completed go to $TMPD/rounds, and a failed send to $TMPD/send-failed.
# A stop finishes the round under way, so the count is exact.
TRAFFIC_PID=
traffic_start() {
	rm -f "$TMPD/rounds" "$TMPD/send-failed"
	(
		stop=0 n=0
		trap 'stop=1' TERM
		send() { ip netns exec "$WIRE" "$GEN" --dev "$W" --count "$BURST" \
			--flows "$FLOWS" --gap-us "$GAP_US" "$@" >/dev/null 2>&1 ||
			echo "$*" >>"$TMPD/send-failed"; }
		while [ "$stop" = 0 ]; do
			send --dst "$M1"
			send --dst "$M2" --vlan "$VID"
			send --dst "$M3"
			send --dst "$M4"
			n=$((n + 1))
			echo "$n" >"$TMPD/rounds"
		done
	) &
	TRAFFIC_PID=$!
	_pids+=("$TRAFFIC_PID")
	# Under way before anything else happens.
	for _ in $(seq 100); do [ -s "$TMPD/rounds" ] && return 0; sleep 0.05; done
	return 1
}
# traffic_stop: SENT is set to the frames sent to the four guests since
# traffic_start.  Not run in a subshell: only this shell can wait for
# the sender to finish its last round.
traffic_stop() {
	kill -TERM "$TRAFFIC_PID" 2>/dev/null
	wait "$TRAFFIC_PID" 2>/dev/null
	SENT=$(($(cat "$TMPD/rounds") * BURST * 4))
}
# sent_now: frames sent so far (rounds completed).
sent_now() { echo $(($(cat "$TMPD/rounds") * BURST * 4)); }
# settle: what is in flight reaches the sinks before they stop.  A frame
# steered to a CPU waits in the CPUMAP's queue until that CPU's kthread
# runs, which on a busy host can take a while: wait until the guests'
# tx counters (counted there) stop moving, for at most 10 s.
guests_tx() { vfwd stats 2>/dev/null | awk '$2 == "tap" || $2 == "veth" { n += $5 } END { print n + 0 }'; }
settle() {
	local a b
	a=$(guests_tx)
	for _ in $(seq 50); do
		sleep 0.2
		b=$(guests_tx)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
}
# per_sink PHASE: each sink's count, for a message.
per_sink() {
	echo "vm1 $(sink_count "$1_1" "$M1/0") vm2 $(sink_count "$1_2" "$M2/0") vm3 $(sink_count "$1_3" "$M3/0") ct1 $(sink_count "$1_4" "$M4/0")"
}

# --- (d) the upgrade, under traffic -----------------------------------
rx0=$(old -j stats | jget "[p['rx_packets'] for p in d['ports'] if p['name']=='$UP'][0]")
sinks_start up || { fail setup "sinks"; finish; }
traffic_start || fail traffic_start "no round completed"
sleep 0.5
# Counted by the previous release and copied: at least what was sent
# before the upgrade began.
before=$(sent_now)
t0=$(date +%s%N)
check upgrade vfwd attach "$UP"
UPGRADE_MS=$((($(date +%s%N) - t0) / 1000000))
sleep 0.5
traffic_stop
sent=$SENT
settle
sinks_stop up || fail sinks_stop "a sink did not report"
got=$(received up)
echo "  upgrade took ${UPGRADE_MS} ms; frames sent $sent, received $got, lost $((sent - got))" >&2
check traffic_sent [ ! -e "$TMPD/send-failed" ]
expect_ge traffic_enough 4000 "$sent" "frames sent through the upgrade"
expect_eq upgrade_no_frame_lost "$sent" "$got"
[ "$sent" = "$got" ] || echo "  per guest: $(per_sink up); $(vfwd stats | grep -E 'tap|veth' | tr -s ' ' | tr '\n' ';')" >&2

# --- (e) everything carried over ---------------------------------------
expect_eq ports_carried "$PORTS0" "$(ports_of vfwd)"
expect_eq macs_carried "$MACS0" "$(macs_of vfwd)"
expect_eq old_pins_gone 0 "$(pins_of "$PREV_VER")"
check status_clean vfwd status
expect_eq status_no_drift "True 0" "$(vfwd -j status | jget "'%s %d' % (d['ok'], sum(len(p['drift']) for p in d['ports'] + d['uplinks']))")"
expect_eq bum_kept flood "$(vfwd -j status | jget "d['uplinks'][0]['bum']")"
expect_ge counters_carried "$((rx0 + before))" "$(port_stat "$UP" rx_packets)" "uplink rx_packets after the upgrade"
# The programs are this build's: they count in this schema's tables.
fwd0=$(reason_stat fwd)
sinks_start after || fail setup "sinks after"
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M1" --count 100 >/dev/null
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M3" --count 100 >/dev/null
settle
sinks_stop after
expect_eq forwards_after "100 100" "$(sink_count after_1 "$M1/0") $(sink_count after_3 "$M3/0")"
expect_eq counts_in_v$CUR_VER 200 "$(($(reason_stat fwd) - fwd0))"
# A second attach is a plain hot upgrade again.
vfwd attach "$UP" >"$TMPD/again.out" 2>&1
expect_eq attach_again "0 0" "$? $(grep -c upgraded "$TMPD/again.out")"

# --- (f) killed during the upgrade --------------------------------------
# Each round: the previous release's installation anew, traffic, the
# upgrade killed after a random delay (up to 1.25 times the time it took
# above, so some kills come after it finished), then the next attach.
# upgrade_state: where a killed upgrade stopped, from the pins and the
# new schema's journal (maps/vfwd_maps.h: op at byte 0, flags at byte 12;
# VFWD_OP_UPGRADE is 8, VFWD_INTENT_F_PUBLISH 4): old (nothing made yet),
# building (not published: undone next), publishing (finished next), new.
upgrade_state() {
	local j=$PIN/vfwd_intent_v$CUR_VER b
	if [ ! -e "$j" ]; then echo old; return; fi
	# The value's bytes, one a word: both fields are little-endian and
	# below 256, so their first byte is the whole of them.
	b=($(bpftool map dump pinned "$j" | sed -n '/^value:/,/^Found/p' | grep -v ':\|Found'))
	if [ "${b[0]:-}" = 08 ]; then
		if (((16#${b[12]} & 4) != 0)); then echo publishing; else echo building; fi
	elif [ "$(pins_of "$PREV_VER")" = 0 ]; then
		echo new
	else
		echo other
	fi
}
has_filter() { tc filter show dev "$1" ingress 2>/dev/null | grep -q vfwd_guest; }
xdp_is_vfwd() { ip -d link show dev "$UP" | grep -q 'prog/xdp id'; }
bad=0
note_bad() {
	bad=$((bad + 1))
	[ "$bad" -le 5 ] && echo "  $1" >&2
}
states=""
sent_all=0
got_all=0
for i in $(seq "$ROUNDS"); do
	vfwd detach --all >/dev/null 2>&1 || note_bad "round $i: detach --all failed"
	old_install >/dev/null 2>&1 || { note_bad "round $i: the previous release's installation failed"; continue; }
	sinks_start k$i || { note_bad "round $i: sinks"; continue; }
	traffic_start || note_bad "round $i: no traffic"
	sleep 0.2
	"$VFWD_BIN" --pin-path "$PIN" attach "$UP" >/dev/null 2>&1 &
	pid=$!
	# Odd rounds within its first eighth, where it builds the new
	# tables; even ones anywhere, most often where it publishes.
	if [ $((i % 2)) = 1 ]; then
		d=$((RANDOM % (UPGRADE_MS / 8 + 2)))
	else
		d=$((RANDOM % (UPGRADE_MS + UPGRADE_MS / 4 + 2)))
	fi
	sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# Old or new, but served: a program on the uplink, a filter on
	# every guest.
	xdp_is_vfwd || note_bad "round $i: no XDP program on $UP after the kill"
	for t in "$T1" "$T2" "$T3" "$CTH"; do
		has_filter "$t" || note_bad "round $i: no filter on $t after the kill"
	done
	state=$(upgrade_state)
	states="$states $state"
	[ "$state" != other ] || note_bad "round $i: pins of both schemas and no upgrade in the journal"
	# A command other than attach: it undoes an upgrade that had not
	# published (and, like any, refuses the old tables), or finishes one
	# that had.
	case $state in
	building)
		vfwd port set vm1 --spoofchk >"$TMPD/other.out" 2>&1 &&
			note_bad "round $i: port set worked on the previous schema's tables"
		grep -q "interrupted before it published" "$TMPD/other.out" ||
			note_bad "round $i: port set did not say it undid the upgrade: $(tr '\n' ' ' <"$TMPD/other.out")"
		[ "$(pins_of "$CUR_VER")" = 0 ] || note_bad "round $i: the unpublished tables were not removed"
		[ "$(ports_of old)" = "$PORTS0" ] || note_bad "round $i: the previous installation changed"
		;;
	publishing)
		vfwd port set vm1 --spoofchk >"$TMPD/other.out" 2>&1 ||
			note_bad "round $i: port set did not finish the upgrade: $(tr '\n' ' ' <"$TMPD/other.out")"
		[ "$(pins_of "$PREV_VER")" = 0 ] || note_bad "round $i: port set left v$PREV_VER pins"
		;;
	esac
	sleep 0.2
	vfwd attach "$UP" >"$TMPD/next.out" 2>&1 ||
		note_bad "round $i: the next attach failed: $(tr '\n' ' ' <"$TMPD/next.out")"
	sleep 0.2
	traffic_stop
	sent=$SENT
	settle
	sinks_stop k$i || note_bad "round $i: a sink did not report"
	got=$(received k$i)
	sent_all=$((sent_all + sent))
	got_all=$((got_all + got))
	[ "$sent" = "$got" ] || note_bad "round $i: sent $sent, received $got: $(per_sink k$i) (killed after $d ms, at $state)"
	[ "$(ports_of vfwd)" = "$PORTS0" ] || note_bad "round $i: the ports differ"
	[ "$(macs_of vfwd)" = "$MACS0" ] || note_bad "round $i: the MACs differ"
	[ "$(pins_of "$PREV_VER")" = 0 ] || note_bad "round $i: v$PREV_VER pins left"
	vfwd status >/dev/null 2>&1 || note_bad "round $i: status exited $?: $(vfwd status 2>&1 | grep -E 'drift|pending|not ok' | tr '\n' ' ')"
done
echo "  kill rounds: the upgrade stopped at:$states; frames sent $sent_all, received $got_all" >&2
expect_eq killed_old_or_new_then_finished 0 "$bad"
expect_eq killed_no_frame_lost "$sent_all" "$got_all"
check killed_cleanup vfwd detach --all

finish
