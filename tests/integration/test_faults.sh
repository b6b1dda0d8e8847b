#!/usr/bin/env bash
# Faults under traffic (issue 13, part 5), counted at the sinks:
#
#   a guest's tap is deleted   nothing crashes, the port shows `gone`, no
#                              frame is counted as sent to it (they count
#                              as port_down), the other guest keeps
#                              receiving; the tap comes back and
#                              `port set --dev` restores delivery;
#   the uplink goes down/up    forwarding resumes by itself.
#
#   wire ns --veth--> u [vfwd_uplink] --> tap t (vfwd-sink, port vm1)
#                                     \-> veth c -- g in ct ns (port ct1)
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
CT=$PFX-ct
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
CTH=${PFX}c
CTG=${PFX}g
M1=52:54:00:00:0f:01   # vm1, the tap
M3=52:54:00:00:0f:03   # ct1, the veth
# Traffic: bursts of BURST frames to each guest, PAUSE s apart, until
# stopped (vfwd-gen at full speed would fill the sinks' queues).
BURST=50
PAUSE=0.02

add_netns "$WIRE" && add_netns "$CT" && add_veth "$UP" "$W" "$WIRE" &&
	add_veth "$CTH" "$CTG" "$CT" || { fail setup "netns or veth"; finish; }
start_sink tap1 "$SINK" --tap "$TAP" || { fail setup "tap sink"; finish; }
track_link "$TAP"
start_sink ct1 ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }
check attach vfwd attach "$UP"
check port_add_tap vfwd port add vm1 --dev "$TAP"
check port_add_veth vfwd port add ct1 --dev "$CTH"
check mac_add_m1 vfwd mac add "$M1" --port vm1
check mac_add_m3 vfwd mac add "$M3" --port ct1

TRAFFIC_PID=
traffic_start() {
	(
		trap 'exit 0' TERM
		while :; do
			# The uplink may be down: a failed send is part of the
			# fault, not an error of the test.
			ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M1" --count "$BURST" >/dev/null 2>&1
			ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M3" --count "$BURST" >/dev/null 2>&1
			sleep "$PAUSE"
		done
	) &
	TRAFFIC_PID=$!
	_pids+=("$TRAFFIC_PID")
}
traffic_stop() {
	kill -TERM "$TRAFFIC_PID" 2>/dev/null
	wait "$TRAFFIC_PID" 2>/dev/null
}
port_state() { vfwd -j port list | jget "[p['state'] for p in d if p['name']=='$1'][0]"; }
vm1_gone() { [ "$(port_state vm1)" = gone ]; }
ct1_sent_above() { [ "$(port_stat ct1 tx_packets)" -gt "$1" ]; }
wait_for() { # SECONDS COMMAND...: until COMMAND succeeds
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}

# ---- a guest's tap deleted under traffic ----
traffic_start
sleep 1
# The tap's reader ends, and the tap (not persistent) goes with it.
stop_sink tap1
got_before=$(sink_count tap1 "$M1/0")
expect_ge tap_got_traffic_before 1 "$got_before" "frames the tap guest got before"
if wait_for 5 vm1_gone; then pass tap_deleted_port_gone; else
	fail tap_deleted_port_gone "vm1 is $(port_state vm1)"
fi
# From now on nothing is counted as sent to vm1: its frames are port_down.
tx0=$(port_stat vm1 tx_packets)
down0=$(reason_stat port_down)
ct0=$(port_stat ct1 tx_packets)
sleep 1
expect_eq tap_deleted_nothing_sent "$tx0" "$(port_stat vm1 tx_packets)"
expect_ge tap_deleted_counted_port_down $((down0 + BURST)) "$(reason_stat port_down)" "port_down"
expect_ge tap_deleted_other_guest_flows $((ct0 + BURST)) "$(port_stat ct1 tx_packets)" "ct1 tx_packets"
expect_eq tap_deleted_status_reports 3 "$(vfwd status >/dev/null 2>&1; echo $?)"
# The tap comes back (a new device, a new ifindex): port set --dev
# puts vm1 on it, and frames reach it again.
start_sink tap2 "$SINK" --tap "$TAP" || fail tap_back "tap sink did not start"
check tap_back_port_set vfwd port set vm1 --dev "$TAP"
expect_eq tap_back_state "$(port_state ct1)" "$(port_state vm1)"
sleep 1
stop_sink tap2
expect_ge tap_back_delivers 1 "$(sink_count tap2 "$M1/0")" "frames on the new tap"
start_sink tap3 "$SINK" --tap "$TAP" || true
check tap_back_port_set_again vfwd port set vm1 --dev "$TAP"

# ---- the uplink down and up under traffic ----
stop_sink ct1
ct_before=$(sink_count ct1 "$M3/0")
expect_ge ct1_got_traffic 1 "$ct_before" "frames ct1 got so far"
check uplink_down ip link set "$UP" down
sleep 1
ct_down=$(port_stat ct1 tx_packets)
sleep 0.5
expect_eq uplink_down_nothing_forwarded "$ct_down" "$(port_stat ct1 tx_packets)"
check uplink_up ip link set "$UP" up
if wait_for 5 ct1_sent_above "$ct_down"; then
	pass uplink_up_forwarding_resumes
else
	fail uplink_up_forwarding_resumes "ct1 tx_packets still $ct_down"
fi
# Counted where they arrive, from after the uplink came back.
start_sink ct3 ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }
sleep 1
traffic_stop
sleep 0.3
stop_sink ct3
expect_ge uplink_up_frames_arrive 1 "$(sink_count ct3 "$M3/0")" "frames at ct1 after the uplink came back"
expect_eq uplink_up_status_clean 0 "$(vfwd status >/dev/null 2>&1; echo $?)"
stop_sink tap3
finish
