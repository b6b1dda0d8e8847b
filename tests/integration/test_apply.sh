#!/usr/bin/env bash
# Declarative configuration (issue 13, part 1; docs/config.md):
#
#   apply -f FILE       makes the installation match; a second run changes
#                       nothing and says so; --dry-run prints the plan
#                       (text and -j) and changes nothing;
#   dump-config         writes the state in the same format: dump-config |
#                       apply -f - is a no-op, in YAML and in JSON;
#   order               a MAC moving to a new port while a guest is sent
#                       frames: none lost (new port, move, then removal);
#   bad files           syntax, unknown key, bad value, MAC bound twice,
#                       missing device: error names file, line and key, and
#                       nothing changes;
#   tap gone and back   apply puts the port onto the new tap;
#   kill -9             of apply at random moments, 20 times: between kills
#                       no MAC points at a missing port; the next command
#                       finishes the apply, leaving exactly A or B.
#
#   wire ns --veth--> u [vfwd_uplink] --> taps t1 t2 t3 (vfwd-sink)
#                                     \-> veth c -- g in ct ns (vfwd-sink)
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
CT=$PFX-ct
UP=${PFX}u
W=${PFX}w
T1=${PFX}t1
T2=${PFX}t2
T3=${PFX}t3
CTH=${PFX}c
CTG=${PFX}g
M1=52:54:00:00:0a:01
M2=52:54:00:00:0a:02
M3=52:54:00:00:0a:03
M4=52:54:00:00:0a:04
M5=52:54:00:00:0a:05
ROUNDS=${KILL_ROUNDS:-20}
# Frames to each guest while apply runs, one every GAP_US (one frame per
# flow, vfwd-gen pauses between flows): about 3 s, longer than an apply,
# and slow enough for the sinks to keep up.
NFRAMES=6000
GAP_US=400

add_netns "$WIRE" && add_netns "$CT" && add_veth "$UP" "$W" "$WIRE" &&
	add_veth "$CTH" "$CTG" "$CT" || { fail setup "netns or veth"; finish; }
# Persistent taps: they stay when a sink stops, as a guest's tap stays
# while QEMU runs.
for t in 1 2 3; do
	track_link "${PFX}t$t"
	ip tuntap add dev "${PFX}t$t" mode tap &&
		start_sink "tap$t" "$SINK" --tap "${PFX}t$t" || { fail setup "tap sink $t"; finish; }
done
start_sink ct "$(command -v ip)" netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }

# A: three guests.  B: vm2's guest has moved to vm3 (a new tap, a new
# MAC too), vm1 loses anti-spoofing, the uplink floods BUM, ct1 becomes
# an access port of VLAN 100, and an AF_XDP port x1 comes (no vfwd-vhost
# needed: it only serves what the tables say).
A=$TMPD/a.yaml
B=$TMPD/b.yaml
cat >"$A" <<EOF
# vfwd test configuration A
uplinks:
  - dev: $UP
    mode: native
    bum: pass
ports:
  - name: vm1
    dev: $T1
  - name: vm2
    dev: $T2
  - name: ct1
    dev: $CTH
macs:
  - {mac: "$M1", port: vm1}
  - {mac: "$M2", port: vm2}
  - {mac: "$M3", port: ct1}
EOF
cat >"$B" <<EOF
uplinks:
  - dev: $UP
    bum: flood
ports:
  - name: vm1
    dev: $T1
    spoofchk: false
  - name: vm3
    dev: $T3
    cpus: "0"
  - name: ct1
    dev: $CTH
    vlan: 100
  - name: x1
    xsk: true
    vhost-socket: $TMPD/x1.sock
macs:
  - {mac: "$M1", port: vm1}
  - {mac: "$M2", port: vm3}
  - {mac: "$M5", port: x1}
  - {mac: "$M4", port: vm3}
  - {mac: "$M3", port: ct1}
EOF

# steps: the (op kind name) lines of a -j plan, sorted.
steps() { jget "'\n'.join(sorted('%s %s %s' % (s['op'], s['kind'], s['name']) for s in d['steps']))"; }
has_state() { [ -d "$PIN" ] && ls "$PIN" | grep -q .; }

# ---- a dry run on a host with nothing set up ----
out=$(vfwd -j apply -f "$A" --dry-run 2>&1)
got=$(echo "$out" | steps 2>/dev/null)
want=$(printf '%s\n' "add mac $M1 vlan 0" "add mac $M2 vlan 0" "add mac $M3 vlan 0" \
	"add port ct1" "add port vm1" "add port vm2" "add uplink $UP" | sort)
expect_eq dry_run_fresh_plan "$want" "$got"
if has_state; then fail dry_run_fresh_nothing_made "pins under $PIN"; else pass dry_run_fresh_nothing_made; fi

# ---- apply, and again ----
check apply_a vfwd apply -f "$A"
expect_eq apply_a_ports "vm1 vm2 ct1" "$(vfwd -j port list | jget "' '.join(p['name'] for p in d if p['kind'] != 'uplink')")"
expect_eq apply_a_macs 3 "$(vfwd -j mac list | jget 'len(d)')"
expect_eq apply_a_status 0 "$(vfwd status >/dev/null 2>&1; echo $?)"
snap=$(state_snapshot)
out=$(vfwd apply -f "$A" 2>&1)
check apply_again_says_so grep -q "no changes" <<<"$out"
expect_eq apply_again_json_changes 0 "$(vfwd -j apply -f "$A" | jget "d['changes']")"
expect_eq apply_again_unchanged "$snap" "$(state_snapshot)"
DUMP_A=$(vfwd dump-config)

# ---- dump-config | apply -f -: a no-op in YAML and in JSON ----
expect_eq dump_yaml_roundtrip 0 "$(vfwd dump-config | vfwd -j apply -f - | jget "d['changes']")"
expect_eq dump_json_roundtrip 0 "$(vfwd -j dump-config | vfwd -j apply -f - | jget "d['changes']")"
vfwd -j dump-config >"$TMPD/a.json"
check dump_json_is_json python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMPD/a.json"
expect_eq dump_json_file_roundtrip 0 "$(vfwd -j apply -f "$TMPD/a.json" | jget "d['changes']")"
expect_eq dump_unchanged "$snap" "$(state_snapshot)"

# ---- the plan from A to B, in text and -j, changing nothing ----
got=$(vfwd -j apply -f "$B" --dry-run | steps)
want=$(printf '%s\n' "change uplink $UP" "change port vm1" "add port vm3" "change port ct1" \
	"add port x1" "change mac $M2 vlan 0" "add mac $M4 vlan 0" "add mac $M3 vlan 100" \
	"add mac $M5 vlan 0" "remove mac $M3 vlan 0" "remove port vm2" | sort)
expect_eq dry_run_plan_json "$want" "$got"
out=$(vfwd apply -f "$B" --dry-run)
check dry_run_plan_text grep -q "~ port ct1: vlan 0 -> 100" <<<"$out"
check dry_run_says_nothing_changed grep -q "dry run: nothing was changed" <<<"$out"
expect_eq dry_run_unchanged "$snap" "$(state_snapshot)"

# ---- bad files: nothing changes, the error names file, line and key ----
# bad NAME KEY LINE CONTENT: apply of CONTENT must fail naming it.
bad() {
	local f=$TMPD/bad-$1.yaml out rc
	printf '%s\n' "$4" >"$f"
	out=$(vfwd apply -f "$f" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		fail "bad_$1" "apply accepted it: $out"
	elif ! grep -q "$f:$3: .*$2" <<<"$out"; then
		fail "bad_$1" "the message does not name $f:$3 and $2: $out"
	else
		pass "bad_$1"
	fi
}
bad syntax "syntax error" 3 "ports:
  - name: vm1
    dev: a: b"
bad unknown_key "key 'vlna'" 4 "ports:
  - name: vm1
    dev: $T1
    vlna: 3"
bad bad_vlan "key 'vlan'" 4 "ports:
  - name: vm1
    dev: $T1
    vlan: 5000"
bad mac_twice "key 'mac'" 7 "ports:
  - name: vm1
    dev: $T1
macs:
  - mac: $M1
    port: vm1
  - mac: $M1
    port: vm1"
bad missing_device "key 'dev'" 2 "ports:
  - name: vm1
    dev: ${PFX}nodev"
bad bad_mac "key 'mac'" 5 "ports:
  - name: vm1
    dev: $T1
macs:
  - mac: 01:00:5e:00:00:01
    port: vm1"
expect_eq bad_files_unchanged "$snap" "$(state_snapshot)"

# ---- A to B under traffic: M2's guest moves from vm2 to vm3 ----
send() {
	ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$1" --count "$NFRAMES" \
		--flows "$NFRAMES" --gap-us "$GAP_US" >/dev/null 2>&1
}
send "$M1" &
g1=$!
send "$M2" &
g2=$!
_pids+=("$g1" "$g2")
sleep 0.5
check apply_b_under_traffic vfwd apply -f "$B"
# The move happened while frames were still being sent.
check apply_b_inside_traffic kill -0 "$g2"
wait "$g1" "$g2"
sleep 0.3
for s in tap1 tap2 tap3; do stop_sink "$s"; done
expect_eq order_unmoved_guest_all "$NFRAMES" "$(sink_count tap1 "$M1/0")"
moved=$(($(sink_count tap2 "$M2/0") + $(sink_count tap3 "$M2/0")))
expect_eq order_moved_guest_none_lost "$NFRAMES" "$moved"
expect_ge order_moved_guest_reached_new 1 "$(sink_count tap3 "$M2/0")" "frames to $M2 on vm3's tap"
expect_eq apply_b_ports "ct1 vm1 vm3 x1" "$(vfwd -j port list | jget "' '.join(sorted(p['name'] for p in d if p['kind'] != 'uplink'))")"
expect_eq apply_b_mac_moved vm3 "$(vfwd -j mac list | jget "[m['port'] for m in d if m['mac']=='$M2'][0]")"
expect_eq apply_b_status 0 "$(vfwd status >/dev/null 2>&1; echo $?)"
expect_eq apply_b_again 0 "$(vfwd -j apply -f "$B" | jget "d['changes']")"
DUMP_B=$(vfwd dump-config)

# ---- vm3's tap deleted and back: apply restores the port ----
port_state() { vfwd -j port list | jget "[p['state'] for p in d if p['name']=='$1'][0]"; }
ip link del "$T3"
expect_eq tap_gone_state gone "$(port_state vm3)"
ip tuntap add dev "$T3" mode tap
start_sink tap3b "$SINK" --tap "$T3" || fail tap_back "tap sink did not start"
out=$(vfwd apply -f "$B" 2>&1)
check tap_back_apply_moves grep -q "~ port vm3: dev (gone) -> $T3" <<<"$out"
expect_eq tap_back_state up "$(port_state vm3)"
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M4" --count 100 >/dev/null 2>&1
sleep 0.3
stop_sink tap3b
expect_eq tap_back_delivers 100 "$(sink_count tap3b "$M4/0")"
expect_eq tap_back_status 0 "$(vfwd status >/dev/null 2>&1; echo $?)"
expect_eq tap_back_dump "$DUMP_B" "$(vfwd dump-config)"

# ---- the kernel differs from the tables: apply repairs it ----
tc filter del dev "$T1" ingress
expect_eq drift_seen 3 "$(vfwd status >/dev/null 2>&1; echo $?)"
out=$(vfwd apply -f "$B" 2>&1)
check drift_repair_planned grep -q "~ port vm1: repair: filter_missing" <<<"$out"
expect_eq drift_repaired 0 "$(vfwd status >/dev/null 2>&1; echo $?)"

# ---- --merge: the file's ports added and changed, nothing removed ----
cat >"$TMPD/m.yaml" <<EOF
ports:
  - name: vm2
    dev: $T2
    spoofchk: false
macs:
  - {mac: "$M1", port: vm2}
EOF
got=$(vfwd -j apply -f "$TMPD/m.yaml" --merge --dry-run | steps)
expect_eq merge_plan "$(printf '%s\n' "add port vm2" "change mac $M1 vlan 0" | sort)" "$got"
check merge_apply vfwd apply -f "$TMPD/m.yaml" --merge
expect_eq merge_kept_ports "ct1 vm1 vm2 vm3 x1" "$(vfwd -j port list | jget "' '.join(sorted(p['name'] for p in d if p['kind'] != 'uplink'))")"
expect_eq merge_moved vm2 "$(vfwd -j mac list | jget "[m['port'] for m in d if m['mac']=='$M1'][0]")"
expect_eq merge_macs 5 "$(vfwd -j mac list | jget 'len(d)')"
check merge_back vfwd apply -f "$B"
expect_eq merge_back_dump "$DUMP_B" "$(vfwd dump-config)"

# ---- kill -9 of apply, alternating A and B ----
t0=$(date +%s%N)
vfwd apply -f "$A" >/dev/null 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
DUMP_A2=$(vfwd dump-config)
expect_eq kill_setup_dump_a "$DUMP_A" "$DUMP_A2"
pending=0 dangling=0 wrong=0 blocked=0
for i in $(seq "$ROUNDS"); do
	[ $((i % 2)) = 1 ] && f=$B || f=$A
	"$VFWD_BIN" --pin-path "$PIN" apply -f "$f" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' $((RANDOM % (ms + ms / 4 + 2))))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -e "$(apply_record)" ] && pending=$((pending + 1))
	# The state as the kill left it, read without finishing anything:
	# every MAC points at a port that exists.
	if ! vfwd -j mac list >"$TMPD/macs.json" 2>/dev/null ||
		! vfwd -j port list >"$TMPD/ports.json" 2>/dev/null; then
		blocked=$((blocked + 1))
		continue
	fi
	python3 - "$TMPD/macs.json" "$TMPD/ports.json" <<'PY' || dangling=$((dangling + 1))
import json, sys
macs = json.load(open(sys.argv[1]))
ports = {p["name"] for p in json.load(open(sys.argv[2]))}
sys.exit(0 if all(m["port"] in ports for m in macs) else 1)
PY
	# The next changing command (dump-config takes the lock) finishes
	# it: the state is all of A or all of B.
	now=$(vfwd dump-config 2>/dev/null) || { blocked=$((blocked + 1)); continue; }
	[ "$now" = "$DUMP_A" ] || [ "$now" = "$DUMP_B" ] || {
		wrong=$((wrong + 1))
		[ "$wrong" = 1 ] && diff <(echo "$DUMP_A") <(echo "$now") | head -20 >&2
	}
done
echo "  $ROUNDS kills of apply (each within ${ms}ms); $pending left an apply in progress"
expect_eq kill_never_dangling 0 "$dangling"
expect_eq kill_never_blocked 0 "$blocked"
expect_eq kill_old_or_new 0 "$wrong"
expect_ge kill_landed_inside 1 "$pending" "kills that left an apply in progress"
[ -e "$(apply_record)" ] && fail kill_record_cleared "$(apply_record) is still there" || pass kill_record_cleared
vfwd status >"$TMPD/status.txt" 2>&1
rc=$?
expect_eq kill_status_settled 0 "$rc"
[ "$rc" = 0 ] || grep -iE "drift|pending|gone" "$TMPD/status.txt" | head -5 >&2
stop_sink ct
finish
