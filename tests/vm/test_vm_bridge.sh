#!/usr/bin/env bash
# Real guests on vfwd in the default `pass` mode (issue 3).
#
#   wire netns              host netns (vfwd attached on the uplink)
#   ┌──────────┐   veth    ┌──────────────────────────────────────────┐
#   │ w (.1)   ├───────────┤ u ──XDP──┬──DEVMAP──→ tap a ─ guest a (.2) │
#   └──────────┘           │   └─pass─┤ br        tap b ─ guest b (.3) │
#                          └──────────────────────────────────────────┘
#
# vfwd carries every unicast frame.  Its XDP program on the uplink puts
# the wire's frames for a bound MAC straight into the guest's tap (reason
# `fwd`).  The tc program that `port add` puts on each tap runs before the
# bridge sees a guest's frame: unicast to the other guest goes straight
# into that guest's tap (reason `fwd`), other unicast straight out of the
# uplink (reason `uplink`).  The Linux bridge carries only what vfwd
# passes to the kernel in this default `pass` mode: broadcast and
# multicast from either side, and unknown unicast from the wire.  Learning
# and unknown-unicast flooding are off on the taps, so the bridge can
# never deliver a unicast frame to a guest: whatever unicast reaches a
# guest from the wire took vfwd's XDP path.  Guest a has one vCPU and a
# single-queue tap; guest b has two vCPUs on a two-queue tap.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vm_lib.sh"

WIRE=$PFX-w
HOST=$PFX-h
UP=${PFX}u
W=${PFX}w
BR=${PFX}br
TAPA=${PFX}a
TAPB=${PFX}b
MA=52:54:00:3a:00:02
MB=52:54:00:3a:00:03
IPW=10.50.0.1
IPA=10.50.0.2
IPB=10.50.0.3
MIB=1048576

export VFWD_NETNS=$HOST
t_start=$SECONDS

check guest_image vm_image
[ "$FAILED" = 0 ] || finish

add_netns "$WIRE" && add_netns "$HOST" &&
	add_veth_ns "$UP" "$HOST" "$W" "$WIRE" &&
	ip -n "$WIRE" addr add "$IPW/24" dev "$W" &&
	vm_tap "$HOST" "$TAPA" 1 && vm_tap "$HOST" "$TAPB" 2 &&
	ip -n "$HOST" link add "$BR" type bridge &&
	ip netns exec "$HOST" sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=1" &&
	ip -n "$HOST" link set "$UP" master "$BR" &&
	ip -n "$HOST" link set "$TAPA" master "$BR" &&
	ip -n "$HOST" link set "$TAPB" master "$BR" &&
	bridge -n "$HOST" link set dev "$TAPA" learning off flood off &&
	bridge -n "$HOST" link set dev "$TAPB" learning off flood off &&
	ip -n "$HOST" link set "$BR" up ||
	{
		fail setup "namespaces, veth, taps or bridge"
		finish
	}

check attach vfwd attach "$UP"
check port_add_a vfwd port add vma --dev "$TAPA"
check port_add_b vfwd port add vmb --dev "$TAPB"
check mac_add_a vfwd mac add "$MA" --port vma
check mac_add_b vfwd mac add "$MB" --port vmb
# The taps live in the host namespace, not in vfwd's mount namespace's
# sysfs view: vfwd must still see them as taps.
expect_eq ports_are_taps "vma:tap vmb:tap" \
	"$(vfwd -j port list | jget "' '.join(sorted('%s:%s' % (p['name'], p['kind']) for p in d if p['kind'] != 'uplink'))")"

# Both guests boot side by side: on TCG the boot is the slow part.
vm_start a "$HOST" "$TAPA" "$MA" "$IPA/24" 1
vm_start b "$HOST" "$TAPB" "$MB" "$IPB/24" 2
check boot_a vm_wait a
check boot_b vm_wait b
[ "$FAILED" = 0 ] || finish
t_boot=$SECONDS

wping() { ip netns exec "$WIRE" busybox ping -q -c "$2" -W 2 "$1"; }

# --- the multiqueue guest really runs two queue pairs ---------------------
expect_eq mq_guest_queues "rx-0 rx-1 tx-0 tx-1" \
	"$(vm_exec b 'ls -1 /sys/class/net/eth0/queues' | tr '\n' ' ' | sed 's/ $//')"
expect_eq mq_guest_vcpus 2 "$(vm_exec b 'grep -c ^processor /proc/cpuinfo')"

# --- 1. wire <-> guest: ping, and 1 MiB each way over TCP -------------------
check ping_wire_to_a wping "$IPA" 5
check ping_a_to_wire vm_exec a "ping -q -c 3 -W 2 $IPW"
check ping_wire_to_b wping "$IPB" 5
check ping_b_to_wire vm_exec b "ping -q -c 3 -W 2 $IPW"

tx0=$(port_stat vma tx_bytes)
head -c "$MIB" /dev/urandom >"$TMPD/to_a"
check tcp_wire_to_a_send vm_tcp_send "$WIRE" "$IPA" "$TMPD/to_a"
expect_eq tcp_wire_to_a_intact "$(digest "$TMPD/to_a")" "$(vm_rx a 1)"
upl0=$(reason_bytes uplink)
check tcp_a_to_wire_fetch vm_tcp_fetch "$WIRE" "$IPA" "$TMPD/from_a"
expect_eq tcp_a_to_wire_intact "$(vm_payload a)" "$(digest "$TMPD/from_a")"
# Guest a's frames went straight out of the uplink from the tap's tc
# program, not through the bridge.
upl=$(($(reason_bytes uplink) - upl0))
if [ "$upl" -ge "$MIB" ]; then pass a_to_wire_reason_uplink; else
	fail a_to_wire_reason_uplink "uplink grew by $upl bytes during a 1 MiB transfer"
fi

head -c "$MIB" /dev/urandom >"$TMPD/to_b"
check tcp_wire_to_b_send vm_tcp_send "$WIRE" "$IPB" "$TMPD/to_b"
expect_eq tcp_wire_to_b_intact "$(digest "$TMPD/to_b")" "$(vm_rx b 1)"
check tcp_b_to_wire_fetch vm_tcp_fetch "$WIRE" "$IPB" "$TMPD/from_b"
expect_eq tcp_b_to_wire_intact "$(vm_payload b)" "$(digest "$TMPD/from_b")"

# The unicast toward the guests went through XDP: the tap ports sent at
# least the 1 MiB each guest's sink read (plus headers and pings), and
# every frame vfwd redirected is accounted as `fwd` on the uplink.
txa=$(port_stat vma tx_bytes)
txb=$(port_stat vmb tx_bytes)
if [ $((txa - tx0)) -ge "$MIB" ]; then pass xdp_path_a_bytes; else
	fail xdp_path_a_bytes "vma tx grew by $((txa - tx0)) bytes during a 1 MiB transfer"
fi
if [ "$txb" -ge "$MIB" ]; then pass xdp_path_b_bytes; else
	fail xdp_path_b_bytes "vmb tx is $txb bytes after a 1 MiB transfer"
fi
expect_eq xdp_fwd_equals_port_tx \
	$(($(port_stat vma tx_packets) + $(port_stat vmb tx_packets))) \
	"$(reason_stat fwd)"
# ARP requests from the wire were broadcast and went to the bridge.
if [ "$(reason_stat bcast)" -gt 0 ]; then pass broadcast_passed; else
	fail broadcast_passed "no broadcast frame was passed to the kernel"
fi

# --- 3. mac del cuts a guest off, mac add restores it ---------------------
check mac_del_a vfwd mac del "$MA"
unk0=$(reason_stat unknown)
if wping "$IPA" 3 >/dev/null 2>&1; then
	fail mac_del_cuts_off "guest a still answers ping after mac del"
else
	pass mac_del_cuts_off
fi
# The frames for a now count as unknown unicast and were passed; the
# bridge may not deliver them, so guest a saw none of them.
if [ $(($(reason_stat unknown) - unk0)) -ge 3 ]; then pass mac_del_counts_unknown; else
	fail mac_del_counts_unknown "unknown grew by $(($(reason_stat unknown) - unk0)), expected >= 3"
fi
check mac_del_other_guest_unaffected wping "$IPB" 3
check mac_add_a_again vfwd mac add "$MA" --port vma
check mac_add_restores wping "$IPA" 3
head -c "$MIB" /dev/urandom >"$TMPD/to_a2"
check tcp_after_restore_send vm_tcp_send "$WIRE" "$IPA" "$TMPD/to_a2"
expect_eq tcp_after_restore_intact "$(digest "$TMPD/to_a2")" "$(vm_rx a 2)"

# --- 2. two guests on one host reach each other ---------------------------
# Each guest's tap gets the static bridge entry libvirt would set up from
# the domain's configuration (learning stays off).  The bridge never gets
# to use it for unicast: vfwd_guest, on the tap's tc ingress, redirects a
# frame for the other guest's MAC into its tap first (reason `fwd`).  The
# bridge still carries the ARP broadcasts.
check fdb_a bridge -n "$HOST" fdb add "$MA" dev "$TAPA" master static
check fdb_b bridge -n "$HOST" fdb add "$MB" dev "$TAPB" master static
check ping_a_to_b vm_exec a "ping -q -c 3 -W 2 $IPB"
check ping_b_to_a vm_exec b "ping -q -c 3 -W 2 $IPA"
pa=$(vm_payload a)
pb=$(vm_payload b)
fwd0=$(reason_bytes fwd)
check tcp_a_to_b_send vm_exec a "nc $IPB 5001 </payload"
expect_eq tcp_a_to_b_intact "$pa" "$(vm_rx b 2)"
check tcp_b_to_a_send vm_exec b "nc $IPA 5001 </payload"
expect_eq tcp_b_to_a_intact "$pb" "$(vm_rx a 3)"
fwd=$(($(reason_bytes fwd) - fwd0))
if [ "$fwd" -ge $((2 * MIB)) ]; then pass guest_to_guest_reason_fwd; else
	fail guest_to_guest_reason_fwd "fwd grew by $fwd bytes during two 1 MiB transfers"
fi

echo "TIME: test_vm_bridge: boot $((t_boot - t_start)) s, total $((SECONDS - t_start)) s"

finish
