#!/usr/bin/env bash
# Real guests on vfwd with --bum flood and no Linux bridge anywhere
# (issue 4).
#
#   wire netns                   host netns: no bridge, no address
#   ┌──────────────────┐  veth  ┌────────────────────────────────────┐
#   │ w (.0.1) ────────┼────────┼─ u ──XDP──→ tap a ─ guest a (.0.2) │
#   │   w100 (.100.1)  │        │    ←──tc─── tap b ─ guest b (.0.3) │
#   │   w200 (.200.1)  │        └────────────────────────────────────┘
#   └──────────────────┘
#   w100 and w200 are VLANs 100 and 200 of w (wire_vlans below).
#
# Every frame between the guests, and between a guest and the wire, is
# carried by vfwd: the uplink's XDP program (unicast to a bound MAC, and
# floods of broadcast and unknown frames through the flood devmap and its
# egress program), and the tc program `port add` puts on each tap
# (anti-spoofing, guest to guest, floods, out of the uplink).  Nothing
# else in the host namespace could carry a frame: no bridge, no address,
# no forwarding.  The guests keep QEMU's default virtio-net offloads, so
# they send GSO frames with partial checksums.
#
# Both guests have one vCPU (test_vm_bridge.sh covers multiqueue) and an
# 8 MiB source payload.  In order: the wire and guest a (8 MiB each way),
# guest to guest (8 MiB each way), anti-spoofing with a guest that changes
# its MAC, the BUM policy (`pass` leaves no way for ARP), and the guests
# re-homed as access ports of VLANs 100 and 200.  The wire's VLANs need
# clang at run time (wire_vlan.bpf.c, see wire_vlans).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vm_lib.sh"

WIRE=$PFX-w
HOST=$PFX-h
UP=${PFX}u
W=${PFX}w
TAPA=${PFX}a
TAPB=${PFX}b
MA=52:54:00:3b:00:02
MB=52:54:00:3b:00:03
MX=52:54:00:3b:00:66 # bound to no port: guest a's spoofed MAC
IPW=10.51.0.1
IPA=10.51.0.2
IPB=10.51.0.3
IPW100=10.51.100.1
IPA100=10.51.100.2
IPW200=10.51.200.1
IPB200=10.51.200.3
IPA200=10.51.200.2 # guest a's own tagged VLAN 200 interface: must reach nothing
MIB=1048576
SIZE=$((8 * MIB))

export VFWD_NETNS=$HOST
t_start=$SECONDS

# wire_vlans: VLANs 100 and 200 on the wire.  The test kernel is built
# without 802.1Q (CONFIG_VLAN_8021Q unset: no `ip link add ... type
# vlan`), so a small tc program does the tagging (wire_vlan.bpf.c): VLAN V
# is the veth pair ${W}V (its address) and ${PFX}tV, and the program pops
# and pushes the tag on W.  The tag is written into the frame on W, as a
# real NIC puts it on the wire.
wire_vlans() {
	local v d vlans='' ns="ip netns exec $WIRE"
	for v in 100 200; do
		ip -n "$WIRE" link add "$W$v" type veth peer name "${PFX}t$v" || return 1
		for d in "$W$v" "${PFX}t$v"; do
			$ns sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
			ip -n "$WIRE" link set "$d" up || return 1
		done
		$ns ethtool -K "$W$v" tx off tso off gso off >/dev/null || return 1
		vlans+="WIRE_VLAN($v, $($ns cat "/sys/class/net/${PFX}t$v/ifindex")) "
	done
	ip -n "$WIRE" addr add "$IPW100/24" dev "${W}100" &&
		ip -n "$WIRE" addr add "$IPW200/24" dev "${W}200" &&
		$ns ethtool -K "$W" txvlan off >/dev/null &&
		clang -O2 -Wall -target bpf \
			-I"/usr/include/$(cc -print-multiarch)" \
			-DWIRE_TRUNK="$($ns cat "/sys/class/net/$W/ifindex")" \
			-DWIRE_VLANS="$vlans" -c "$ROOT/tests/vm/wire_vlan.bpf.c" \
			-o "$TMPD/wire_vlan.o" || return 1
	for d in "$W" "${PFX}t100" "${PFX}t200"; do
		tc -n "$WIRE" qdisc add dev "$d" clsact &&
			tc -n "$WIRE" filter add dev "$d" ingress bpf direct-action \
				obj "$TMPD/wire_vlan.o" sec tc || return 1
	done
}
# Ping from the wire namespace, and from a guest.
wping() { ip netns exec "$WIRE" busybox ping -q -c "$2" -W 2 "$1"; }
gping() { vm_exec "$1" "ping -q -c $3 -W 2 $2"; }
# refute NAME WHY COMMAND...: PASS when the command fails.
refute() {
	local name=$1 why=$2
	shift 2
	if "$@" >/dev/null 2>&1; then fail "$name" "$why"; else pass "$name"; fi
}

check guest_image vm_image
[ "$FAILED" = 0 ] || finish

add_netns "$WIRE" && add_netns "$HOST" &&
	add_veth_ns "$UP" "$HOST" "$W" "$WIRE" &&
	ip -n "$WIRE" addr add "$IPW/24" dev "$W" &&
	vm_tap "$HOST" "$TAPA" 1 && vm_tap "$HOST" "$TAPB" 1 ||
	{
		fail setup "namespaces, veth or taps"
		finish
	}

check attach_flood vfwd attach "$UP" --bum flood
expect_eq uplink_bum_flood flood \
	"$(vfwd -j status | jget "[u['bum'] for u in d['uplinks'] if u['name']=='$UP'][0]")"
check port_add_a vfwd port add vma --dev "$TAPA"
check port_add_b vfwd port add vmb --dev "$TAPB"
check mac_add_a vfwd mac add "$MA" --port vma
check mac_add_b vfwd mac add "$MB" --port vmb

# Both guests boot side by side: on TCG the boot is the slow part.
vm_start a "$HOST" "$TAPA" "$MA" "$IPA/24" 1 "vfwd.payload=$SIZE"
vm_start b "$HOST" "$TAPB" "$MB" "$IPB/24" 1 "vfwd.payload=$SIZE"
head -c "$SIZE" /dev/urandom >"$TMPD/to_a"
check wire_vlans wire_vlans

# No bridge in any namespace of the test, and nothing routes: only vfwd
# can move a frame between the wire and the taps.
expect_eq no_bridge "" \
	"$(ip -n "$HOST" -o link show type bridge; ip -n "$WIRE" -o link show type bridge)"
expect_eq host_ns_no_forwarding 0 \
	"$(ip netns exec "$HOST" sysctl -n net.ipv4.ip_forward)"
expect_eq host_ns_no_addresses "" "$(ip -n "$HOST" -o -4 addr show scope global)"
# port add put vfwd_guest on each tap's ingress.
for t in "$TAPA" "$TAPB"; do
	if tc -n "$HOST" filter show dev "$t" ingress | grep -q vfwd_guest; then
		pass "guest_prog_on_$t"
	else
		fail "guest_prog_on_$t" "no vfwd_guest filter on $t ingress"
	fi
done

check boot_a vm_wait a
check boot_b vm_wait b
[ "$FAILED" = 0 ] || finish
t_boot=$SECONDS

# --- 1. the wire and guest a ----------------------------------------------
check ping_wire_to_a wping "$IPA" 3
check ping_a_to_wire gping a "$IPW" 3
check ping_wire_to_b wping "$IPB" 3

fwd0=$(reason_bytes fwd)
txa0=$(port_stat vma tx_bytes)
afl0=$(port_stat vma flood_packets)
check tcp_wire_to_a_send vm_tcp_send "$WIRE" "$IPA" "$TMPD/to_a"
expect_eq tcp_wire_to_a_intact "$(digest "$TMPD/to_a")" "$(vm_rx a 1)"
# The wire's frames reached guest a by XDP redirect, not by a flood
# (which would deliver them too): a's tx and the `fwd` reason cover the
# 8 MiB, and a got next to no flooded frame.
expect_ge wire_to_a_port_tx "$SIZE" $(($(port_stat vma tx_bytes) - txa0)) \
	"vma tx_bytes growth during an 8 MiB transfer"
expect_ge wire_to_a_reason_fwd "$SIZE" $(($(reason_bytes fwd) - fwd0)) \
	"fwd bytes growth during an 8 MiB transfer"
expect_lt wire_to_a_not_flooded 16 $(($(port_stat vma flood_packets) - afl0)) \
	"vma flood_packets growth during an 8 MiB transfer"

# Guest a to the wire: the wire's MAC is bound to no port.  Every guest's
# MACs are bound, so an unknown destination is on the wire: it leaves by
# the uplink (reason uplink), in flood mode as in pass mode, and guest b
# gets no copy of a's traffic.
upl0=$(reason_bytes uplink)
uptx0=$(port_stat "$UP" tx_bytes)
upfl0=$(port_stat "$UP" flood_packets)
btx0=$(port_stat vmb tx_bytes)
check tcp_a_to_wire_fetch vm_tcp_fetch "$WIRE" "$IPA" "$TMPD/from_a"
expect_eq tcp_a_to_wire_intact "$(vm_payload a)" "$(digest "$TMPD/from_a")"
expect_ge a_to_wire_uplink_tx "$SIZE" $(($(port_stat "$UP" tx_bytes) - uptx0)) \
	"uplink tx_bytes growth during an 8 MiB transfer"
expect_ge a_to_wire_reason_uplink "$SIZE" $(($(reason_bytes uplink) - upl0)) \
	"uplink bytes growth"
expect_lt a_to_wire_not_flooded 16 $(($(port_stat "$UP" flood_packets) - upfl0)) \
	"uplink flood_packets growth during an 8 MiB transfer"
expect_lt a_to_wire_nothing_to_b 65536 $(($(port_stat vmb tx_bytes) - btx0)) \
	"vmb tx_bytes growth while a sent 8 MiB to the wire"

# --- 2. guest to guest ------------------------------------------------------
check ping_a_to_b gping a "$IPB" 3
check ping_b_to_a gping b "$IPA" 3
pa=$(vm_payload a)
pb=$(vm_payload b)
fwd0=$(reason_bytes fwd)
btx0=$(port_stat vmb tx_bytes)
uptx0=$(port_stat "$UP" tx_bytes)
arx0=$(port_stat vma rx_bytes)
arxp0=$(port_stat vma rx_packets)
check tcp_a_to_b_send vm_exec a "nc $IPB 5001 </payload"
expect_eq tcp_a_to_b_intact "$pa" "$(vm_rx b 1)"
# Guest a sent GSO frames, bigger than any frame on a 1500-byte MTU wire
# (1514 bytes): vfwd_guest switched them whole.  The receiver is another
# TCG guest, slow to acknowledge, so a's small writes (busybox nc) pile
# up into large segments.  (Toward the fast wire they often leave one MTU
# at a time.)
arx=$(($(port_stat vma rx_bytes) - arx0))
arxp=$(($(port_stat vma rx_packets) - arxp0))
expect_ge a_sends_gso_frames 1515 $((arx / (arxp > 0 ? arxp : 1))) \
	"average size of the frames guest a sent (bytes)"
expect_ge a_to_b_port_tx "$SIZE" $(($(port_stat vmb tx_bytes) - btx0)) \
	"vmb tx_bytes growth during an 8 MiB transfer"
# Straight from tap to tap: the wire saw next to nothing of it.
expect_lt a_to_b_not_on_wire "$MIB" $(($(port_stat "$UP" tx_bytes) - uptx0)) \
	"uplink tx_bytes growth during a guest-to-guest transfer"
atx0=$(port_stat vma tx_bytes)
check tcp_b_to_a_send vm_exec b "nc $IPA 5001 </payload"
expect_eq tcp_b_to_a_intact "$pb" "$(vm_rx a 2)"
expect_ge b_to_a_port_tx "$SIZE" $(($(port_stat vma tx_bytes) - atx0)) \
	"vma tx_bytes growth during an 8 MiB transfer"
expect_ge guest_to_guest_reason_fwd $((2 * SIZE)) $(($(reason_bytes fwd) - fwd0)) \
	"fwd bytes growth during two 8 MiB transfers"

expect_eq no_spoof_a 0 "$(port_stat vma spoof_dropped)"
expect_eq no_spoof_b 0 "$(port_stat vmb spoof_dropped)"
expect_eq no_access_tagged 0 "$(reason_stat access_tagged)"

t_g2g=$SECONDS

# --- 3. anti-spoofing: guest a changes its MAC -------------------------------
# virtio-net lets a running guest change its MAC (VIRTIO_NET_F_CTRL_MAC_ADDR),
# so busybox's ip does it with eth0 up.  Its frames then carry a source
# MAC that is not bound to its port: dropped, counted as spoof.
# setmac GUEST MAC: change the MAC and forget every neighbour, on both
# sides, so that the next ping starts with ARP from the new MAC.
setmac() {
	vm_exec "$1" "ip link set eth0 address $2 && ip neigh flush dev eth0" &&
		[ "$(vm_exec "$1" 'cat /sys/class/net/eth0/address')" = "$2" ] &&
		ip -n "$WIRE" neigh flush dev "$W"
}
sp0=$(port_stat vma spoof_dropped)
rs0=$(reason_stat spoof)
btx0=$(port_stat vmb tx_packets)
# Impersonating the neighbour: b's MAC is bound, but to b's port.
check spoof_take_b_mac setmac a "$MB"
refute spoof_as_b_cut_off "guest a reached the wire with b's MAC" gping a "$IPW" 3
# Its ARP requests never reached the wire, which would otherwise now send
# a's traffic to b.
if ip -n "$WIRE" neigh show "$IPA" | grep -qi "$MB"; then
	fail spoof_as_b_no_arp_poisoning "the wire maps $IPA to b's MAC"
else
	pass spoof_as_b_no_arp_poisoning
fi
expect_ge spoof_as_b_counted $((sp0 + 3)) "$(port_stat vma spoof_dropped)" \
	"vma spoof_dropped"
expect_eq spoof_as_b_nothing_to_b "$btx0" "$(port_stat vmb tx_packets)"
# A MAC bound nowhere.
check spoof_take_free_mac setmac a "$MX"
sp1=$(port_stat vma spoof_dropped)
refute spoof_free_mac_cut_off "guest a reached the wire with an unbound MAC" \
	gping a "$IPW" 3
expect_ge spoof_free_mac_counted $((sp1 + 3)) "$(port_stat vma spoof_dropped)" \
	"vma spoof_dropped"
expect_eq spoof_reason_equals_port_counter \
	$((rs0 + $(port_stat vma spoof_dropped) - sp0)) "$(reason_stat spoof)"
# The same guest, with anti-spoofing off, gets through: it is the check
# that stopped it.  (The wire's replies to the unbound MAC are unknown
# unicast, which --bum flood delivers.)
check spoofchk_off vfwd port set vma --no-spoofchk
check spoof_free_mac_passes_without_spoofchk gping a "$IPW" 3
check spoofchk_on vfwd port set vma --spoofchk
check spoof_restore_mac setmac a "$MA"
sp2=$(port_stat vma spoof_dropped)
check spoof_restored_ping_a_to_wire gping a "$IPW" 3
check spoof_restored_ping_wire_to_a wping "$IPA" 3
expect_eq spoof_restored_no_drops "$sp2" "$(port_stat vma spoof_dropped)"

# --- 4. the BUM policy carries ARP --------------------------------------------
# With nothing but vfwd between the wire and the guests, the broadcasts
# that `pass` hands to the kernel go nowhere: the wire cannot even
# resolve a guest.  Hot re-attach switches the policy, tables kept.
check attach_pass vfwd attach "$UP" --bum pass
ip -n "$WIRE" neigh flush dev "$W"
up0=$(port_stat "$UP" rx_passed)
refute pass_mode_no_arp "the wire reached guest a without flooding" wping "$IPA" 2
# The wire's ARP requests went to the host's kernel, which has no use
# for them.
expect_ge pass_mode_bcast_passed $((up0 + 1)) "$(port_stat "$UP" rx_passed)" \
	"uplink rx_passed"
check attach_flood_again vfwd attach "$UP" --bum flood
check flood_mode_arp_again wping "$IPA" 3

# --- 5. VLANs: a on 100, b on 200 ---------------------------------------------
# The wire has an interface and a subnet per VLAN (wire_vlans).  The
# guests keep their 10.51.0.x addresses, which reached each other above,
# and get one in their VLAN's subnet.
# A port that owns MACs keeps its VLAN: the guest is re-homed explicitly.
refuse vlan_change_refused_with_macs vfwd port set vma --vlan 100
check rehome_a_mac_del vfwd mac del "$MA"
check rehome_a_vlan vfwd port set vma --vlan 100
check rehome_a_mac_add vfwd mac add "$MA" --port vma
check rehome_b_mac_del vfwd mac del "$MB"
check rehome_b_vlan vfwd port set vmb --vlan 200
check rehome_b_mac_add vfwd mac add "$MB" --port vmb
expect_eq rehome_bindings "$MA/100:vma $MB/200:vmb" \
	"$(vfwd -j mac list | jget "' '.join(sorted('%s/%s:%s' % (m['mac'], m['vlan'], m['port']) for m in d))")"
check rehome_a_ip vm_exec a "ip addr add $IPA100/24 dev eth0"
check rehome_b_ip vm_exec b "ip addr add $IPB200/24 dev eth0"

# Each guest reaches the wire on its own VLAN.
check vlan100_ping_wire_to_a wping "$IPA100" 3
check vlan100_ping_a_to_wire gping a "$IPW100" 3
check vlan200_ping_wire_to_b wping "$IPB200" 3
check vlan200_ping_b_to_wire gping b "$IPW200" 3
# A broadcast tagged 100 on the wire reaches a, untagged, and not b.
afl0=$(port_stat vma flood_packets)
bfl0=$(port_stat vmb flood_packets)
check vlan100_arping ip netns exec "$WIRE" busybox arping -b -c 2 -w 5 -I "${W}100" "$IPA100"
expect_ge vlan100_bcast_flooded_to_a $((afl0 + 2)) "$(port_stat vma flood_packets)" \
	"vma flood_packets"
expect_eq vlan100_bcast_not_to_b "$bfl0" "$(port_stat vmb flood_packets)"
# Untagged frames from the wire no longer reach a guest on an access port.
refute vlan_untagged_wire_cut_off "the wire reached guest a untagged" wping "$IPA" 2

# TCP over VLAN 100: the wire's frames lose their tag in XDP, a's GSO
# frames get it in tc on their way to the uplink.  b, on VLAN 200, gets
# none of it.
txa0=$(port_stat vma tx_bytes)
btx0=$(port_stat vmb tx_bytes)
uptx0=$(port_stat "$UP" tx_bytes)
fwd0=$(reason_bytes fwd)
head -c "$SIZE" /dev/urandom >"$TMPD/to_a2"
check vlan100_tcp_wire_to_a_send vm_tcp_send "$WIRE" "$IPA100" "$TMPD/to_a2"
expect_eq vlan100_tcp_wire_to_a_intact "$(digest "$TMPD/to_a2")" "$(vm_rx a 3)"
expect_ge vlan100_wire_to_a_reason_fwd "$SIZE" $(($(reason_bytes fwd) - fwd0)) \
	"fwd bytes growth during an 8 MiB transfer"
check vlan100_tcp_a_to_wire_fetch vm_tcp_fetch "$WIRE" "$IPA100" "$TMPD/from_a2"
expect_eq vlan100_tcp_a_to_wire_intact "$(vm_payload a)" "$(digest "$TMPD/from_a2")"
expect_ge vlan100_a_tx $((txa0 + SIZE)) "$(port_stat vma tx_bytes)" "vma tx_bytes"
expect_ge vlan100_uplink_tx $((uptx0 + SIZE)) "$(port_stat "$UP" tx_bytes)" \
	"uplink tx_bytes"
expect_lt vlan100_nothing_to_b $((btx0 + 65536)) "$(port_stat vmb tx_bytes)" \
	"vmb tx_bytes"

# Guest to guest across VLANs: no way through, either way.  b still has
# a's MAC from section 2 in its ARP cache, so it tries unicast to a MAC
# that is not bound on VLAN 200; a's cache was flushed in section 3, so it
# asks by broadcast on VLAN 100.
btx0=$(port_stat vmb tx_packets)
atx0=$(port_stat vma tx_packets)
refute vlan_ping_a_to_b_fails "guest a (VLAN 100) reached b (VLAN 200)" gping a "$IPB" 3
expect_eq vlan_a_to_b_nothing_to_b "$btx0" "$(port_stat vmb tx_packets)"
refute vlan_ping_b_to_a_fails "guest b (VLAN 200) reached a (VLAN 100)" gping b "$IPA" 3
expect_eq vlan_b_to_a_nothing_to_a "$atx0" "$(port_stat vma tx_packets)"
# The same pings work once both are on VLAN 100: it was the VLAN.
check same_vlan_b_mac_del vfwd mac del "$MB" --vlan 200
check same_vlan_b_vlan vfwd port set vmb --vlan 100
check same_vlan_b_mac_add vfwd mac add "$MB" --port vmb
check same_vlan_ping_a_to_b gping a "$IPB" 3
check same_vlan_ping_b_to_a gping b "$IPA" 3

# Well-behaved guests: no spoofing since the MAC was restored, and no
# tagged frame from an access port.
expect_eq end_no_more_spoof "$sp2" "$(port_stat vma spoof_dropped)"
expect_eq end_no_spoof_b 0 "$(port_stat vmb spoof_dropped)"
expect_eq end_no_access_tagged 0 "$(reason_stat access_tagged)"

# A guest on access VLAN 100 that tags its own frames for VLAN 200 (the
# guest kernel's 8021q) reaches nothing there: each tagged frame is
# dropped as access_tagged.
at0=$(reason_stat access_tagged)
check hop_vlan_iface vm_exec a "ip link add link eth0 name eth0.200 type vlan id 200 && ip link set eth0.200 up && ip addr add $IPA200/24 dev eth0.200"
refute hop_ping_fails "guest a reached the wire's VLAN 200 by tagging" gping a "$IPW200" 3
if [ $(($(reason_stat access_tagged) - at0)) -ge 3 ]; then pass hop_counted_access_tagged; else
	fail hop_counted_access_tagged "access_tagged grew by $(($(reason_stat access_tagged) - at0)), expected >= 3"
fi
check hop_vlan_iface_del vm_exec a "ip link del eth0.200"

echo "TIME: test_vm_flood: boot $((t_boot - t_start)) s, wire and guest to guest $((t_g2g - t_boot)) s, spoofing, BUM and VLANs $((SECONDS - t_g2g)) s, total $((SECONDS - t_start)) s"
finish
