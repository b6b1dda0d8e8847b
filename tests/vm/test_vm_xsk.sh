#!/usr/bin/env bash
# Real guests on AF_XDP ports (issue 12): two QEMU guests whose NICs are
# vhost-user virtio-net served by vfwd-vhost, and a third on a tap port.
#
#   wire netns         root netns
#   ┌──────────┐ veth ┌───────────────────────────────────────────────┐
#   │ w (.1)   ├──────┤ u ──XDP──XSKMAP──→ vfwd-vhost ══vhost-user══╗ │
#   └──────────┘      │                         ║                 ║ │
#                     │                  guest a (.2)      guest b (.3)
#                     │  tap c ─ guest c (.4)  ══relay veth══ vfwd-vhost │
#                     └───────────────────────────────────────────────┘
#
# QEMU serves each socket (server=on,wait=off) and vfwd-vhost connects as
# the client, the default.  The guests ping the wire and each other, move
# 1 MiB each way over TCP with the wire byte-exact, and ARP (broadcast)
# works in both directions.  The tap guest and an xsk guest reach each
# other through vfwd-vhost's relay veth (ping, 1 MiB each way over TCP).
# Broadcasts do not cross between tap and xsk guests yet, so those two
# get each other's MAC as a static neighbour.  vfwd-vhost killed with SIGKILL and started
# again takes the guests back: guest a keeps its link and traffic
# resumes.  Guest b killed: guest a keeps flowing.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vm_lib.sh"

VHOST=$B/vfwd-vhost
WIRE=$PFX-w
UP=${PFX}u
W=${PFX}w
MA=52:54:00:3b:00:02
MB=52:54:00:3b:00:03
MC=52:54:00:3b:00:04
TAPC=${PFX}c
IPW=10.51.0.1
IPA=10.51.0.2
IPB=10.51.0.3
IPC=10.51.0.4
SOCKA=$TMPD/a.sock
SOCKB=$TMPD/b.sock
MIB=1048576

t_start=$SECONDS
check guest_image vm_image
[ "$FAILED" = 0 ] || finish

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" &&
	ip -n "$WIRE" addr add "$IPW/24" dev "$W" &&
	ip tuntap add dev "$TAPC" mode tap && track_link "$TAPC" &&
	sysctl -qw "net.ipv6.conf.$TAPC.disable_ipv6=1" &&
	ip link set "$TAPC" up ||
	{
		fail setup "namespace and veth"
		finish
	}

VHOST_PID=
start_vhost() {
	"$VHOST" --pin-path "$PIN" >>"$TMPD/vhost.log" 2>&1 &
	VHOST_PID=$!
	_pids+=("$VHOST_PID")
}
_vhost_report() {
	[ "$FAILED" = 0 ] && return 0
	echo "--- vfwd-vhost log:"
	tail -n 40 "$TMPD/vhost.log"
}
_hooks+=(_vhost_report)
state() { vfwd -j port list | jget "[p['state'] for p in d if p['name']=='$1'][0]"; }
wait_state() { # PORT STATE
	for _ in $(seq 300); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
wping() { ip netns exec "$WIRE" busybox ping -q -c "$2" -W 2 "$1"; }

check attach vfwd attach "$UP"
check port_add_a vfwd port add vma --xsk --vhost-socket "$SOCKA"
check port_add_b vfwd port add vmb --xsk --vhost-socket "$SOCKB"
check mac_add_a vfwd mac add "$MA" --port vma
check mac_add_b vfwd mac add "$MB" --port vmb
check port_add_c vfwd port add vmc --dev "$TAPC"
check mac_add_c vfwd mac add "$MC" --port vmc
start_vhost

vm_start_vhost a "$SOCKA" "$MA" "$IPA/24"
vm_start_vhost b "$SOCKB" "$MB" "$IPB/24"
vm_start c "" "$TAPC" "$MC" "$IPC/24"
check boot_a vm_wait a
check boot_b vm_wait b
check boot_c vm_wait c
check served_a wait_state vma up
check served_b wait_state vmb up
[ "$FAILED" = 0 ] || finish
t_boot=$SECONDS

# --- wire <-> guest: ARP both ways, ping, 1 MiB each way over TCP --------
check ping_a_to_wire vm_exec a "ping -q -c 3 -W 2 $IPW"
check ping_wire_to_b wping "$IPB" 3
check ping_wire_to_a wping "$IPA" 3
head -c "$MIB" /dev/urandom >"$TMPD/to_a"
check tcp_wire_to_a_send vm_tcp_send "$WIRE" "$IPA" "$TMPD/to_a"
expect_eq tcp_wire_to_a_intact "$(digest "$TMPD/to_a")" "$(vm_rx a 1)"
check tcp_a_to_wire_fetch vm_tcp_fetch "$WIRE" "$IPA" "$TMPD/from_a"
expect_eq tcp_a_to_wire_intact "$(vm_payload a)" "$(digest "$TMPD/from_a")"
# Every byte the guest received from the wire came through its socket.
to_a=$(vfwd -j stats | jget "[p['xsk']['to_guest_bytes'] for p in d['ports'] if p['name']=='vma'][0]")
expect_ge to_a_through_xsk "$MIB" "$to_a" "bytes vfwd-vhost put into guest a's vring"

# --- guest <-> guest, vring to vring ---------------------------------------
check ping_a_to_b vm_exec a "ping -q -c 3 -W 2 $IPB"
pa=$(vm_payload a)
check tcp_a_to_b_send vm_exec a "nc $IPB 5001 </payload"
expect_eq tcp_a_to_b_intact "$pa" "$(vm_rx b 1)"

# --- tap guest <-> xsk guest, through the relay ----------------------------
check static_neigh_a vm_exec a "arp -i eth0 -s $IPC $MC"
check static_neigh_c vm_exec c "arp -i eth0 -s $IPA $MA"
check ping_a_to_c vm_exec a "ping -q -c 3 -W 2 $IPC"
check ping_c_to_a vm_exec c "ping -q -c 3 -W 2 $IPA"
check tcp_a_to_c_send vm_exec a "nc $IPC 5001 </payload"
expect_eq tcp_a_to_c_intact "$pa" "$(vm_rx c 1)"
pc=$(vm_payload c)
check tcp_c_to_a_send vm_exec c "nc $IPA 5001 </payload"
expect_eq tcp_c_to_a_intact "$pc" "$(vm_rx a 2)"
t_traffic=$SECONDS

# --- vfwd-vhost killed and restarted: guest a keeps its link --------------
kill -KILL "$VHOST_PID"
wait "$VHOST_PID" 2>/dev/null
expect_eq killed_state_a no-daemon "$(state vma)"
start_vhost
check restart_served_a wait_state vma up
check restart_ping_wire_to_a wping "$IPA" 3
expect_eq restart_guest_link_up 1 "$(vm_exec a 'cat /sys/class/net/eth0/carrier')"
head -c "$MIB" /dev/urandom >"$TMPD/to_a2"
check restart_tcp_send vm_tcp_send "$WIRE" "$IPA" "$TMPD/to_a2"
expect_eq restart_tcp_intact "$(digest "$TMPD/to_a2")" "$(vm_rx a 3)"

# --- guest b killed: guest a keeps flowing --------------------------------
# vm_start's pid is the `timeout` that runs QEMU: kill QEMU itself.
pkill -KILL -P "$_vm_pid_b"
check b_gone wait_state vmb waiting
check after_b_killed_ping_a wping "$IPA" 3
check after_b_killed_a_to_wire vm_exec a "ping -q -c 3 -W 2 $IPW"

kill -TERM "$VHOST_PID" 2>/dev/null
wait "$VHOST_PID" 2>/dev/null
expect_eq daemon_clean_exit 0 "$?"
echo "TIME: $TEST_NAME: boot $((t_boot - t_start)) s, traffic $((t_traffic - t_boot)) s, total $((SECONDS - t_start)) s"
finish
