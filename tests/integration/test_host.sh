#!/usr/bin/env bash
# vfwd beside the host's own stack: on a bridged host (the host's address on
# the bridge that holds the uplink), guests still reach the host; re-running
# attach keeps the BUM policy; a second uplink unbinds ports that followed
# the only one, and says so; two uplinks are two networks, and a frame on
# one for a port of the other (or of none) is dropped, not delivered.
#
#   wire ns         host ns: bridge br (10.70.0.254) holding u and g      guest ns
#   w (.1) ──veth── u [vfwd_uplink]       g [vfwd_guest] ──veth── c (.2)
#   x      ──veth── v [vfwd_uplink]       h [vfwd_guest] ──veth── d      guest2 ns
#   (v and h, the second uplink and its port, come late and are not bridged)
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-w
HOST=$PFX-h
GUEST=$PFX-g
GUEST2=$PFX-k
UP=${PFX}u
W=${PFX}w
G=${PFX}g
C=${PFX}c
UP2=${PFX}v
W2=${PFX}x
BR=${PFX}br
G2=${PFX}h
C2=${PFX}d
MC=52:54:00:3c:00:02
M2=52:54:00:3c:00:03   # c2, the second uplink's port
IPW=10.70.0.1
IPC=10.70.0.2
IPH=10.70.0.254
export VFWD_NETNS=$HOST

add_netns "$WIRE" && add_netns "$HOST" && add_netns "$GUEST" &&
	add_veth_ns "$UP" "$HOST" "$W" "$WIRE" &&
	add_veth_ns "$G" "$HOST" "$C" "$GUEST" &&
	ip -n "$GUEST" link set "$C" address "$MC" &&
	ip -n "$WIRE" addr add "$IPW/24" dev "$W" &&
	ip -n "$GUEST" addr add "$IPC/24" dev "$C" &&
	ip -n "$HOST" link add "$BR" type bridge &&
	ip -n "$HOST" link set "$UP" master "$BR" &&
	ip -n "$HOST" link set "$G" master "$BR" &&
	ip -n "$HOST" addr add "$IPH/24" dev "$BR" &&
	ip -n "$HOST" link set "$BR" up ||
	{
		fail setup "namespaces, veth or bridge"
		finish
	}
# Frames XDP redirects into a veth are dropped unless its peer runs XDP or
# has GRO on (design §8): the guest end gets GRO.
ip netns exec "$GUEST" ethtool -K "$C" gro on >/dev/null

check attach vfwd attach "$UP"
check port_add vfwd port add c1 --dev "$G"
check mac_add vfwd mac add "$MC" --port c1

gping() { ip netns exec "$GUEST" busybox ping -q -c "$2" -W 2 "$1" >/dev/null; }
# gen DEV ARGS... : frames injected from the wire side DEV (w: the first
# uplink's wire, x: the second's), vfwd-gen's one UDP flow by default.
gen() { ip netns exec "$WIRE" "$GEN" --dev "$1" "${@:2}" >/dev/null; }
# sink_gen NAME : frames of vfwd-gen's default flow that sink NAME saw.
# The guest end also gets ARP and ping, which this leaves out.
sink_gen() {
	python3 - "$TMPD/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(d["by_flow"].get("10.0.0.1:1024>10.0.0.2:9/udp", [0])))
PY
}

# Another installation (its own pin path) may not take over this port's
# device: its tc filter slot holds our vfwd_guest.
other() {
	nsenter --net="/run/netns/$HOST" "$VFWD_BIN" --pin-path "$PIN-other" "$@"
}
refuse other_install_refused other port add c9 --dev "$G"
check other_install_left_nothing test ! -e "$PIN-other"
rm -rf "$PIN-other"
check own_filter_kept bash -c "ip netns exec $HOST tc filter show dev $G ingress | grep -q vfwd_guest"

# The guest reaches the host's address on the bridge: its frames to the
# bridge's MAC go to the kernel (reason host) instead of out of the uplink.
check guest_to_host gping "$IPH" 3
if [ "$(reason_stat host)" -ge 3 ]; then pass host_reason_counted; else
	fail host_reason_counted "reason host is $(reason_stat host), expected >= 3"
fi
# The wire and the guest reach each other: guest->wire leaves the uplink
# straight away (reason uplink), wire->guest is redirected by XDP (fwd).
check guest_to_wire gping "$IPW" 3
if [ "$(reason_stat uplink)" -ge 3 ]; then pass uplink_reason_counted; else
	fail uplink_reason_counted "reason uplink is $(reason_stat uplink)"
fi
if [ "$(reason_stat fwd)" -ge 3 ]; then pass fwd_reason_counted; else
	fail fwd_reason_counted "reason fwd is $(reason_stat fwd)"
fi
check wire_to_host ip netns exec "$WIRE" busybox ping -q -c 2 -W 2 "$IPH"

# Both host MACs are known to the uplink: the device's and the bridge's.
br_mac=$(ip netns exec "$HOST" cat "/sys/class/net/$BR/address")
up_mac=$(ip netns exec "$HOST" cat "/sys/class/net/$UP/address")
expect_eq host_macs_in_table "$up_mac $br_mac" \
	"$(bpftool -j map dump pinned "$PIN/vfwd_port_v4" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    v = e["formatted"]["value"]
    if v["kind"] == 1:
        print(" ".join(":".join("%02x" % b for b in m) for m in v["host_macs"]))')"

# Re-running attach without --bum keeps the policy it had.
check attach_flood vfwd attach "$UP" --bum flood
check reattach vfwd attach "$UP"
expect_eq reattach_keeps_flood flood \
	"$(vfwd -j status | jget "d['uplinks'][0]['bum']")"
check attach_pass vfwd attach "$UP" --bum pass
expect_eq explicit_bum_pass pass \
	"$(vfwd -j status | jget "d['uplinks'][0]['bum']")"

# A second uplink: the port followed the only one, now follows none, and
# attach says so on stderr (text mode).
ip link add "$UP2" netns "$HOST" type veth peer name "$W2" netns "$WIRE" &&
	ip -n "$HOST" link set "$UP2" up && ip -n "$WIRE" link set "$W2" up
vfwd attach "$UP2" >"$TMPD/a2.out" 2>"$TMPD/a2.err"
if grep -q "now follows none" "$TMPD/a2.err"; then pass second_uplink_note; else
	fail second_uplink_note "no note on stderr: $(cat "$TMPD/a2.err")"
fi
expect_eq port_unbound None \
	"$(vfwd -j port list | jget "[p['uplink'] for p in d if p['name']=='c1'][0]")"
# A port that follows no uplink receives from none: a frame on the uplink
# it used to follow is dropped as other_uplink.  Not passed either, or the
# bridge would deliver it to c1 all the same.  The wire's ARP entry for c
# is pinned first: a unicast probe of c's MAC, which the wire sends a few
# seconds after the pings, would count in the exact sums below.
ip -n "$WIRE" neigh replace "$IPC" lladdr "$MC" dev "$W" nud permanent
start_sink c1 ip netns exec "$GUEST" "$SINK" --packet "$C" ||
	fail setup "sink on c1"
ou0=$(reason_stat other_uplink)
dr0=$(port_stat "$UP" rx_dropped)
tx0=$(port_stat c1 tx_packets)
gen "$W" --dst "$MC" --count 20
sleep 0.3
expect_eq unbound_other_uplink $((ou0 + 20)) "$(reason_stat other_uplink)"
expect_eq unbound_uplink_dropped $((dr0 + 20)) "$(port_stat "$UP" rx_dropped)"
expect_eq unbound_not_delivered "$tx0" "$(port_stat c1 tx_packets)"
refuse uplink_auto_ambiguous vfwd port set c1 --uplink auto
refuse port_add_needs_uplink vfwd port add c2 --dev "$C"
check bind_explicit vfwd port set c1 --uplink "$UP"
expect_eq port_bound_explicitly "$UP" \
	"$(vfwd -j port list | jget "[p['uplink'] for p in d if p['name']=='c1'][0]")"
check guest_to_wire_two_uplinks gping "$IPW" 2

# Two uplinks, a port on each: c1 on u, c2 on v.  A frame for a port's MAC
# is delivered from its own uplink only; from the other it is dropped as
# other_uplink and counted on that uplink's rx_dropped, and no port sends
# it.
add_netns "$GUEST2" && add_veth_ns "$G2" "$HOST" "$C2" "$GUEST2" &&
	ip netns exec "$GUEST2" ethtool -K "$C2" gro on >/dev/null ||
	fail setup "second guest's veth"
check port_add_second vfwd port add c2 --dev "$G2" --uplink "$UP2"
check mac_add_second vfwd mac add "$M2" --port c2
start_sink c2 ip netns exec "$GUEST2" "$SINK" --packet "$C2" ||
	fail setup "sink on c2"
ou0=$(reason_stat other_uplink)
fwd0=$(reason_stat fwd)
dr1=$(port_stat "$UP" rx_dropped)
dr2=$(port_stat "$UP2" rx_dropped)
tx1=$(port_stat c1 tx_packets)
gen "$W2" --dst "$MC" --count 30   # on v, for u's port: dropped
gen "$W" --dst "$M2" --count 40    # on u, for v's port: dropped
sleep 0.3
expect_eq cross_other_uplink $((ou0 + 70)) "$(reason_stat other_uplink)"
expect_eq cross_dropped_on_v $((dr2 + 30)) "$(port_stat "$UP2" rx_dropped)"
expect_eq cross_dropped_on_u $((dr1 + 40)) "$(port_stat "$UP" rx_dropped)"
expect_eq cross_c1_no_tx "$tx1" "$(port_stat c1 tx_packets)"
expect_eq cross_c2_no_tx 0 "$(port_stat c2 tx_packets)"
gen "$W2" --dst "$M2" --count 50   # on v, for v's port: delivered
gen "$W" --dst "$MC" --count 60    # on u, for u's port: delivered
sleep 0.3
expect_eq own_fwd $((fwd0 + 110)) "$(reason_stat fwd)"
expect_eq own_other_uplink_unchanged $((ou0 + 70)) "$(reason_stat other_uplink)"
expect_eq own_c2_tx 50 "$(port_stat c2 tx_packets)"
expect_eq own_c1_tx $((tx1 + 60)) "$(port_stat c1 tx_packets)"
stop_sink c1 && stop_sink c2 || fail sinks "sink did not write its counts"
# What the guests' ends really got: only the frames from their own uplink.
expect_eq sink_c1_own_only 60 "$(sink_gen c1)"
expect_eq sink_c2_own_only 50 "$(sink_gen c2)"
check mac_del_second vfwd mac del "$M2"
check port_del_second vfwd port del c2
# Back to one uplink: an explicit binding stays; auto follows the only one.
check detach_second vfwd detach "$UP2"
check uplink_auto vfwd port set c1 --uplink auto
expect_eq port_follows_only "$UP" \
	"$(vfwd -j port list | jget "[p['uplink'] for p in d if p['name']=='c1'][0]")"

finish
