#!/usr/bin/env bash
# CPU steering and an uplink in skb (generic XDP) mode.  Generic XDP loses
# the metadata vfwd_cpu needs on the way through the CPUMAP, so such an
# uplink delivers a port's frames directly, on the CPU that received them,
# and the CLI warns that the port's CPU set has no effect there.  Without
# that, steered frames would go to the kernel instead of the guest.
#
# vfwd-gen cannot feed an skb-mode uplink (its live frames reach a veth
# peer only through native XDP), so the wire sends real UDP from sockets.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
M1=52:54:00:00:06:01
IPW=10.61.0.1
IPG=10.61.0.2
FLOWS=64
PER_FLOW=5

add_netns "$WIRE" || { fail setup "netns"; finish; }
add_veth "$UP" "$W" "$WIRE" || { fail setup "veth"; finish; }
ip -n "$WIRE" addr add "$IPW/24" dev "$W" &&
	ip -n "$WIRE" neigh add "$IPG" lladdr "$M1" dev "$W" ||
	{ fail setup "wire address"; finish; }
start_sink tap "$SINK" --tap "$TAP" --queues 2 || { fail setup "tap sink"; finish; }
track_link "$TAP"

# FLOWS UDP flows of PER_FLOW datagrams each, sent from CPU 0.
send_udp() {
	taskset -c 0 ip netns exec "$WIRE" python3 -c '
import socket, sys
src, dst, flows, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 20000 + i))
    for _ in range(n):
        s.sendto(b"vfwd", (dst, 9))
    s.close()' "$IPW" "$IPG" "$FLOWS" "$PER_FLOW"
}

check attach_skb vfwd attach "$UP" --mode skb
vfwd port add vm1 --dev "$TAP" --cpus 1 >"$TMPD/add.out" 2>"$TMPD/add.err"
expect_eq port_add_exit 0 "$?"
if grep -q 'warning: .*skb (generic XDP) mode.*cannot steer' "$TMPD/add.err"; then
	pass port_add_warns
else
	fail port_add_warns "no warning on stderr: $(tr '\n' ' ' <"$TMPD/add.err")"
fi
check mac_add vfwd mac add "$M1" --port vm1
expect_eq cpus_recorded "[1]" "$(vfwd -j port list | jget "[p['cpus'] for p in d if p['name'] == 'vm1'][0]")"

total=$((FLOWS * PER_FLOW))
send_udp
sleep 0.5
expect_eq fwd "$total" "$(reason_stat fwd)"
expect_eq port_tx "$total" "$(port_stat vm1 tx_packets)"
# Delivered where the frames came in (CPU 0), not steered to CPU 1.
expect_eq per_cpu_tx_cpu1 0 "$(vfwd -j stats --per-cpu --port vm1 |
	jget "sum(e['tx_packets'] for e in d['ports'][0]['per_cpu'] if e['cpu'] == 1)")"
stop_sink tap
expect_eq delivered "$total" "$(jget "d['total']" <"$TMPD/tap.json")"

finish
