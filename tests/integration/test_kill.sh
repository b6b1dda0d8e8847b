#!/usr/bin/env bash
# Crash safety: every multi-step command is killed with SIGKILL at random
# moments, and after each kill the state must be the old one or the new
# one, never a mix; the next command must work and clean up what the dead
# one left (docs/architecture.md, "State model").
#
#   mac load --replace   all of the MACs on the old port, or all on the new
#   mac load             all of the file's MACs, or none of them
#   port add             the port complete (filter, devmap entry) or absent;
#                        absent after the next command: no filter, no qdisc
#   port del             the port complete with its MACs, or, after the next
#                        command, gone with its MACs, filter and qdisc
#   port set --dev       the port on its old device or its new one; after the
#                        next command only that device has a filter and qdisc
#   first attach         after the next command (detach), no pins and no XDP
#   detach               (the last uplink, or with --keep-maps) after the next
#                        command the installation whole, or gone: no port, MAC,
#                        filter or qdisc left of it
#   re-attach            our program on the uplink, every port's filter there
#
# Bounded: KILL_ROUNDS kills per command (20 by default), each at a delay
# drawn from the command's own measured run time.
source "$(dirname "$0")/../lib.sh"

ROUNDS=${KILL_ROUNDS:-20}
# MACs moved by mac load --replace: enough that the command runs for tens
# of milliseconds, so kills land inside it.
NMACS=${KILL_MACS:-20000}
# MACs per plain mac load; a fresh set each round (they accumulate).
NLOAD=500
# MACs owned by the port that port del removes.
NDEL=200

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
UP2=${PFX}v
W2=${PFX}x
T1=${PFX}t1
T2=${PFX}t2
T3=${PFX}t3
T4=${PFX}t4
PIN2=$PIN-first

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" && add_veth "$UP2" "$W2" "$WIRE" ||
	{ fail setup veth; finish; }
for t in "$T1" "$T2" "$T3" "$T4"; do
	ip tuntap add dev "$t" mode tap && track_link "$t" || { fail setup tap; finish; }
done
_hooks+=(kill_cleanup)
kill_cleanup() {
	"$VFWD_BIN" --pin-path "$PIN2" detach "$UP2" >/dev/null 2>&1
	rm -rf "$PIN2"
}

check attach vfwd attach "$UP"
check port_vm1 vfwd port add vm1 --dev "$T1"
check port_vm2 vfwd port add vm2 --dev "$T2"

# macfile FILE PORT FIRST COUNT [PREFIX]: COUNT MACs from FIRST on PORT.
macfile() {
	python3 - "$@" <<'PY'
import sys
path, port, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pfx = sys.argv[5] if len(sys.argv) > 5 else "52:54"
with open(path, "w") as f:
    for i in range(first, first + count):
        f.write("%s:%02x:%02x:%02x:%02x %s\n" % (pfx, i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255, port))
PY
}
# macs_of PORT [PREFIX]: how many MACs (starting with PREFIX) PORT owns.
macs_of() {
	vfwd mac list | awk -v p="$1" -v x="${2:-}" '$3 == p && index($1, x) == 1 { n++ } END { print n + 0 }'
}
# run_ms CMD...: how long CMD takes, in milliseconds.
run_ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
# killed MS [--pin-path DIR] ARGS...: start the vfwd binary with ARGS (on
# $PIN unless a pin path is given), SIGKILL it after a random delay of at
# most MS milliseconds (a little more, so some kills come after it
# finished).  The binary itself, not the shell function around it: a
# killed subshell would leave the command running.
killed() {
	local ms=$1 d pin=$PIN
	shift
	if [ "$1" = --pin-path ]; then
		pin=$2
		shift 2
	fi
	"$VFWD_BIN" --pin-path "$pin" "$@" >/dev/null 2>&1 &
	local pid=$!
	d=$((RANDOM % (ms + ms / 4 + 2)))
	sleep "$(printf '0.%03d' "$d")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
# has_filter DEV: vfwd's tc filter is on DEV's ingress.
has_filter() { tc filter show dev "$1" ingress 2>/dev/null | grep -q vfwd_guest; }
has_clsact() { tc qdisc show dev "$1" 2>/dev/null | grep -q clsact; }
# A write command that changes nothing, so that it only runs the repair.
settle() { vfwd port set vm1 --spoofchk >/dev/null 2>&1; }
# status_rc: the exit status of vfwd status (0 all as it should be, 3 a
# difference or a pending journal entry is reported).
status_rc() {
	vfwd status >/dev/null 2>&1
	echo $?
}
# After a kill, status either finds nothing wrong or reports it; after the
# next changing command, nothing is wrong.
check_reported() {
	local rc
	rc=$(status_rc)
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || note_bad "$1: status exited $rc"
}
check_settled() {
	local rc
	rc=$(status_rc)
	[ "$rc" = 0 ] || note_bad "$1: status exited $rc after the next command: $(vfwd status 2>&1 | grep -E 'drift|pending' | tr '\n' ' ')"
}
# port_ok NAME DEV: NAME is a complete port: filter on DEV, devmap entry.
port_ok() {
	has_filter "$2" &&
		[ "$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='$1'][0]")" != gone ]
}
port_listed() { vfwd -j port list | jget "int(any(p['name']=='$1' for p in d))"; }

bad=0
note_bad() {
	bad=$((bad + 1))
	[ "$bad" -le 5 ] && echo "  $1" >&2
}

# --- mac load --replace: NMACS MACs move between vm1 and vm2 as a whole.
macfile "$TMPD/on1" vm1 0 "$NMACS"
macfile "$TMPD/on2" vm2 0 "$NMACS"
check replace_setup vfwd mac load "$TMPD/on1"
ms=$(run_ms vfwd mac load --replace "$TMPD/on2")
run_ms vfwd mac load --replace "$TMPD/on1" >/dev/null
bad=0
for i in $(seq "$ROUNDS"); do
	f=$TMPD/on$((i % 2 + 1))
	killed "$ms" mac load --replace "$f"
	n1=$(macs_of vm1)
	n2=$(macs_of vm2)
	if ! { [ "$n1" = "$NMACS" ] && [ "$n2" = 0 ]; } &&
		! { [ "$n1" = 0 ] && [ "$n2" = "$NMACS" ]; }; then
		note_bad "round $i: vm1 $n1, vm2 $n2"
	fi
done
expect_eq replace_all_or_nothing 0 "$bad"
# The next command works, and moves every MAC: one left behind on its old
# port is exactly the bug a partial replace would have.
check replace_next vfwd mac load --replace "$TMPD/on2"
expect_eq replace_next_moved_all "0 $NMACS" "$(macs_of vm1) $(macs_of vm2)"

# --- mac load: a fresh set of NLOAD MACs each round, all or none of it.
ms=$(run_ms vfwd mac load "$TMPD/on2")
bad=0
for i in $(seq "$ROUNDS"); do
	pfx=$(printf '02:%02x' "$i")
	macfile "$TMPD/load$i" vm1 0 "$NLOAD" "$pfx"
	killed "$ms" mac load "$TMPD/load$i"
	n=$(macs_of vm1 "$pfx")
	[ "$n" = 0 ] || [ "$n" = "$NLOAD" ] || note_bad "round $i: $n of $NLOAD loaded"
	[ "$(macs_of vm2)" = "$NMACS" ] || note_bad "round $i: vm2's MACs changed"
done
expect_eq load_all_or_nothing 0 "$bad"
check load_next vfwd mac load "$TMPD/load1"

# --- port add: complete or absent; absent leaves nothing on the device.
macs_total() { vfwd mac list | awk 'NR > 1 { n++ } END { print n + 0 }'; }
macs0=$(macs_total)
check add_clean_before bash -c "! tc qdisc show dev $T3 | grep -q clsact"
ms=$(run_ms vfwd port add vm3 --dev "$T3")
vfwd port del vm3 >/dev/null
bad=0
for i in $(seq "$ROUNDS"); do
	killed "$ms" port add vm3 --dev "$T3"
	[ "$(macs_total)" = "$macs0" ] || note_bad "round $i: the MAC table changed"
	if [ "$(port_listed vm3)" = 1 ]; then
		port_ok vm3 "$T3" || note_bad "round $i: vm3 listed but incomplete"
	fi
	check_reported "round $i"
	settle
	check_settled "round $i"
	if [ "$(port_listed vm3)" = 1 ]; then
		port_ok vm3 "$T3" || note_bad "round $i: vm3 incomplete after repair"
		vfwd port del vm3 >/dev/null || note_bad "round $i: port del failed"
	fi
	has_filter "$T3" && note_bad "round $i: filter left on $T3"
	has_clsact "$T3" && note_bad "round $i: clsact left on $T3"
	status=$(vfwd -j status 2>&1)
	[ -n "$status" ] || note_bad "round $i: status failed"
done
expect_eq port_add_complete_or_absent 0 "$bad"
check port_add_next vfwd port add vm3 --dev "$T3"

# --- port del --force: complete with its MACs, or gone with all of it.
macfile "$TMPD/vm3" vm3 0 "$NDEL" 06:00
check del_macs vfwd mac load "$TMPD/vm3"
ms=$(run_ms vfwd port del vm3 --force)
vfwd port add vm3 --dev "$T3" >/dev/null && vfwd mac load "$TMPD/vm3" >/dev/null
bad=0
for i in $(seq "$ROUNDS"); do
	killed "$ms" port del vm3 --force
	n=$(macs_of vm3)
	[ "$n" = 0 ] || [ "$n" = "$NDEL" ] || note_bad "round $i: vm3 has $n of $NDEL MACs"
	check_reported "round $i"
	settle
	check_settled "round $i"
	if [ "$(port_listed vm3)" = 1 ]; then
		port_ok vm3 "$T3" || note_bad "round $i: vm3 incomplete after repair"
		[ "$(macs_of vm3)" = "$NDEL" ] || note_bad "round $i: vm3 kept $(macs_of vm3) MACs"
	else
		[ "$(macs_of vm3 06:00)" = 0 ] || note_bad "round $i: vm3's MACs outlived it"
		has_filter "$T3" && note_bad "round $i: filter left on $T3"
		has_clsact "$T3" && note_bad "round $i: clsact left on $T3"
		vfwd port add vm3 --dev "$T3" >/dev/null || note_bad "round $i: port add failed"
		vfwd mac load "$TMPD/vm3" >/dev/null || note_bad "round $i: mac load failed"
	fi
done
expect_eq port_del_complete_or_gone 0 "$bad"

# --- port set --dev: a move between two taps.  The port is on one of
# them; after the next command the other has neither filter nor qdisc.
port_dev() { vfwd -j port list | jget "[p['dev'] for p in d if p['name']=='vm3'][0]"; }
ms=$(run_ms vfwd port set vm3 --dev "$T4")
vfwd port set vm3 --dev "$T3" >/dev/null
bad=0
for i in $(seq "$ROUNDS"); do
	if [ "$(port_dev)" = "$T3" ]; then to=$T4; else to=$T3; fi
	killed "$ms" port set vm3 --dev "$to"
	[ "$(macs_of vm3)" = "$NDEL" ] || note_bad "round $i: vm3 has $(macs_of vm3) MACs after the kill"
	check_reported "round $i"
	settle
	check_settled "round $i"
	on=$(port_dev)
	if [ "$on" = "$T3" ]; then off=$T4; elif [ "$on" = "$T4" ]; then off=$T3; else
		note_bad "round $i: vm3 on '$on'"
		continue
	fi
	port_ok vm3 "$on" || note_bad "round $i: vm3 incomplete on $on"
	has_filter "$off" && note_bad "round $i: filter left on $off"
	has_clsact "$off" && note_bad "round $i: clsact left on $off"
	[ "$(macs_of vm3)" = "$NDEL" ] || note_bad "round $i: vm3 has $(macs_of vm3) MACs"
done
expect_eq port_move_old_or_new 0 "$bad"
check port_move_next vfwd port set vm3 --dev "$T3"

# --- first attach, into a pin path of its own: the next command (detach)
# leaves either a working uplink it then removes, or nothing at all.
xdp_on() { ip link show dev "$1" | grep -q 'prog/xdp'; }
v2() { "$VFWD_BIN" --pin-path "$PIN2" "$@"; }
ms=$(run_ms v2 attach "$UP2")
v2 detach "$UP2" >/dev/null
bad=0
for i in $(seq "$ROUNDS"); do
	killed "$ms" --pin-path "$PIN2" attach "$UP2"
	v2 detach "$UP2" >/dev/null 2>&1
	[ -e "$PIN2" ] && note_bad "round $i: $PIN2 left: $(ls "$PIN2" | tr '\n' ' ')"
	xdp_on "$UP2" && note_bad "round $i: XDP left on $UP2"
	rm -rf "$PIN2"
	ip link set dev "$UP2" xdp off 2>/dev/null
done
expect_eq first_attach_clean 0 "$bad"
check first_attach_next v2 attach "$UP2"
check first_attach_next_detach v2 detach "$UP2"

# --- detach, on a pin path of its own with WN ports (so that taking their
# filters off takes a while, and kills land there): the last uplink and
# --keep-maps, alternately.  The next command is the same detach again.
# After it, for the last uplink: nothing left (no pins, no filter, qdisc
# or XDP); for --keep-maps: the uplink gone, every port whole.
WN=6
wtap() { echo "${PFX}w$1"; }
for k in $(seq 2 "$WN"); do
	ip tuntap add dev "$(wtap "$k")" mode tap && track_link "$(wtap "$k")" || fail setup_wtap "tap $k"
done
wdev() { if [ "$1" = 1 ]; then echo "$T4"; else wtap "$1"; fi; }
w_make() {
	local k
	v2 attach "$UP2" >/dev/null || return 1
	for k in $(seq "$WN"); do
		v2 port add "w$k" --dev "$(wdev "$k")" >/dev/null || return 1
	done
	v2 mac load "$TMPD/w1" >/dev/null
}
macfile "$TMPD/w1" w1 0 "$NDEL" 0a:00
w_listed() { v2 -j port list | jget "len([p for p in d if p['name'].startswith('w')])"; }
w1_macs() { v2 mac list | awk '$3 == "w1" { n++ } END { print n + 0 }'; }
check detach_setup w_make
ms=$(run_ms v2 detach "$UP2")
check detach_setup_again w_make
bad=0
for i in $(seq "$ROUNDS"); do
	if [ $((i % 2)) = 0 ]; then keep=--keep-maps; else keep=; fi
	killed "$ms" --pin-path "$PIN2" detach "$UP2" $keep
	v2 detach "$UP2" $keep >/dev/null 2>&1
	xdp_on "$UP2" && note_bad "round $i: XDP left on $UP2"
	if [ -n "$keep" ]; then
		rc=$(v2 status >/dev/null 2>&1; echo $?)
		[ "$rc" = 0 ] || note_bad "round $i: status exited $rc: $(v2 status 2>&1 | grep -E 'drift|pending|half' | tr '\n' ' ')"
		[ "$(v2 -j status | jget "len(d['uplinks'])")" = 0 ] || note_bad "round $i: the uplink is still there"
		[ "$(w_listed)" = "$WN" ] || note_bad "round $i: $(w_listed) of $WN ports left"
		[ "$(w1_macs)" = "$NDEL" ] || note_bad "round $i: w1 kept $(w1_macs) MACs"
		for k in $(seq "$WN"); do
			has_filter "$(wdev "$k")" || note_bad "round $i: w$k without its filter"
		done
		v2 attach "$UP2" >/dev/null || note_bad "round $i: attach again failed"
	else
		[ -e "$PIN2" ] && note_bad "round $i: $PIN2 left: $(ls "$PIN2" | tr '\n' ' ')"
		for k in $(seq "$WN"); do
			has_filter "$(wdev "$k")" && note_bad "round $i: filter left on $(wdev "$k")"
			has_clsact "$(wdev "$k")" && note_bad "round $i: clsact left on $(wdev "$k")"
		done
		rm -rf "$PIN2"
		w_make || note_bad "round $i: the installation could not be made again"
	fi
done
expect_eq detach_done_by_the_next 0 "$bad"
check detach_next v2 detach "$UP2"
check detach_next_gone [ ! -e "$PIN2" ]

# --- re-attach (hot upgrade): the uplink keeps a vfwd program and every
# port keeps its filter, whenever the kill lands.
ms=$(run_ms vfwd attach "$UP")
bad=0
for i in $(seq "$ROUNDS"); do
	killed "$ms" attach "$UP"
	[ "$(vfwd -j status | jget "d['uplinks'][0]['program']")" = attached ] ||
		note_bad "round $i: uplink program not attached"
	for t in "$T1" "$T2" "$T3"; do
		has_filter "$t" || note_bad "round $i: no filter on $t"
	done
	[ "$(macs_of vm2)" = "$NMACS" ] || note_bad "round $i: MAC table changed"
	check_reported "round $i"
done
expect_eq reattach_always_served 0 "$bad"
check reattach_next vfwd attach "$UP"

finish
