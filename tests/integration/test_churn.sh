#!/usr/bin/env bash
# Table churn (issue 13, part 5): 100,000 MAC moves while traffic flows,
# and no frame delivered to a port that did not own its MAC at that
# moment.
#
#   wire ns --veth--> u [vfwd_uplink] --> tap t0    (vfwd-sink, port vm0)
#                                     \-> veth c1 -- g1 in ct ns (ct1)
#                                     \-> tap t2    (vfwd-sink, port vm2)
#
# vfwd-gen --stamp sends frames round-robin to MACS destination MACs, each
# stamped with a sequence number and its send time; each sink records
# every stamped frame with its receive time (tests/tools/stamp.h).  MAC i
# is bound to port i % 3 and only ever moves between that port and the
# next one, so the third port must never see it.  tests/integration/
# churn.py moves MACs with the CLI, one command after another: batches of
# 1 to MACS moves with `mac load --replace`, and every fourth command a
# single `mac add --replace` (100,000 single commands would take an hour
# and a half: measured on an idle machine, a `mac add` takes ~55 ms, and
# a load ~65 ms whether it moves 60 MACs or 3,000).  It logs
# CLOCK_MONOTONIC before and after each command, and the check holds every
# received frame against the owners its MAC can have had between the
# frame's send and receive times (churn.py says why that is sound and
# strict).  Then: every frame sent was forwarded (none missed the table),
# traffic flowed at every port during the churn, and the final table is
# the driver's.
source "$(dirname "$0")/../lib.sh"

# Debian's Python: a python3 earlier in PATH may be another, slower to
# start (this test asks many questions of JSON files).
PYD=${PYTHON:-/usr/bin/python3}
# pj FILE EXPR: EXPR over the JSON document in FILE, bound to "d".
pj() {
	"$PYD" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"
}
CHURN=$(dirname "$0")/churn.py
WIRE=$PFX-wire
CT=$PFX-ct
UP=${PFX}u
W=${PFX}w
T0=${PFX}t0
C1=${PFX}c1
G1=${PFX}g1
T2=${PFX}t2
PORTS=vm0,ct1,vm2
BASE=52:54:00:c0:00:00
MACS=${CHURN_MACS:-2000}
UPDATES=${CHURN_UPDATES:-100000}
RATE=${CHURN_RATE:-15000}    # frames a second over all MACs
SEED=${CHURN_SEED:-$RANDOM}
LOG=$TMPD/churn.log

add_netns "$WIRE" && add_netns "$CT" && add_veth "$UP" "$W" "$WIRE" &&
	add_veth "$C1" "$G1" "$CT" || { fail setup "netns or veth"; finish; }
start_sink vm0 "$SINK" --tap "$T0" --stamps "$TMPD/vm0.stamps" &&
	track_link "$T0" &&
	start_sink ct1 ip netns exec "$CT" "$SINK" --packet "$G1" \
		--stamps "$TMPD/ct1.stamps" &&
	start_sink vm2 "$SINK" --tap "$T2" --stamps "$TMPD/vm2.stamps" &&
	track_link "$T2" || { fail setup "sinks"; finish; }
check attach vfwd attach "$UP"
check port_add_vm0 vfwd port add vm0 --dev "$T0"
check port_add_ct1 vfwd port add ct1 --dev "$C1"
check port_add_vm2 vfwd port add vm2 --dev "$T2"

churn() {
	"$PYD" "$CHURN" "$1" --vfwd "$VFWD_BIN" --pin "$PIN" --base "$BASE" \
		--macs "$MACS" --ports "$PORTS" --log "$LOG" "${@:2}"
}
check bind churn bind

# Traffic from the wire to every MAC, until stopped.
nsenter --net="/run/netns/$WIRE" "$GEN" --dev "$W" --dst "$BASE" --stamp \
	--macs "$MACS" --rate "$RATE" --count 1000000000000 \
	>"$TMPD/gen.out" 2>"$TMPD/gen.err" &
GEN_PID=$!
_pids+=("$GEN_PID")
sleep 1

echo "# churn: $UPDATES MAC moves over $MACS MACs, seed $SEED, $RATE frames/s"
if churn churn --updates "$UPDATES" --seed "$SEED" >"$TMPD/churn.out" 2>"$TMPD/churn.err"; then
	pass churn_commands
else
	fail churn_commands "$(tr '\n' ' ' <"$TMPD/churn.err")"
fi
sleep 0.5
kill -TERM "$GEN_PID"
wait "$GEN_PID"
sent=$(sed -n 's/^vfwd-gen: sent \([0-9]*\) frames.*/\1/p' "$TMPD/gen.out")
[ -n "$sent" ] || { fail traffic "vfwd-gen: $(cat "$TMPD/gen.err")"; finish; }
sleep 0.3
for s in vm0 ct1 vm2; do
	stop_sink "$s" || fail "sink_$s" "sink $s wrote no counts: $(cat "$TMPD/$s.err")"
done
vfwd -j mac list >"$TMPD/final.json"

# The driver's own summary, or the moves its log holds if it stopped.
if [ -s "$TMPD/churn.out" ]; then
	echo "# churn: $(cat "$TMPD/churn.out")"
	made=$(pj "$TMPD/churn.out" "d['updates']")
else
	made=$("$PYD" -c 'import json, sys; print(sum(len(json.loads(l)["moves"]) for l in list(open(sys.argv[1]))[1:]))' "$LOG")
fi
expect_ge updates "$UPDATES" "$made" "MAC moves made"

# Every frame the generator sent was forwarded to some port: not one of
# them missed the table while it changed.
vfwd -j stats >"$TMPD/stats.json"
expect_eq all_forwarded "$sent" "$(pj "$TMPD/stats.json" "d['reasons']['fwd']['packets']")"
expect_eq none_unknown 0 "$(pj "$TMPD/stats.json" "d['reasons']['unknown']['packets']")"
expect_eq none_port_down 0 "$(pj "$TMPD/stats.json" "d['reasons']['port_down']['packets']")"

churn check --sent "$sent" --final "$TMPD/final.json" \
	--stamps "vm0=$TMPD/vm0.stamps" --stamps "ct1=$TMPD/ct1.stamps" \
	--stamps "vm2=$TMPD/vm2.stamps" >"$TMPD/check.json" 2>"$TMPD/check.err" ||
	{ fail check "churn.py check: $(cat "$TMPD/check.err")"; finish; }
r() { pj "$TMPD/check.json" "$1"; }
echo "# check: sent $sent, $(r "d['summary']")"

if [ "$(r "d['violations']")" = 0 ]; then
	pass no_frame_to_non_owner
else
	fail no_frame_to_non_owner "$(r "d['violations']") frames: $(r "'; '.join(d['examples'][:5])")"
fi
expect_eq no_duplicates 0 "$(r "d['duplicates']")"
if [ "$(r "d['final_table_ok']")" = True ]; then
	pass final_table_is_drivers
else
	fail final_table_is_drivers "differences (entry and port, either side): $(r "', '.join(d['final_table_diff'])")"
fi
expect_eq final_table_size "$MACS" "$(r "d['final_table_entries']")"
# Traffic flowed at every port while the table churned, and followed the
# moves: most moves were seen at the new owner before the next one.
# The floors are far below what a run gives (see the "# check" line).
min=$(($(r "int(d['churn_seconds'] * $RATE)") / 10))
for p in vm0 ct1 vm2; do
	expect_ge "traffic_during_churn_$p" "$min" \
		"$(r "d['per_port_during_churn']['$p']")" "frames at $p during the churn"
done
expect_ge decisive_frames $((min * 3)) "$(r "d['decisive']")" \
	"frames with one legal port"
expect_ge moves_followed "$(r "d['moves'] // 4")" \
	"$(r "d['moves_seen_at_new_owner']")" "moves seen at the new owner"

finish
