#!/usr/bin/env bash
# Guest side end to end: veth "guests" (host end = the vfwd port device,
# peer in a per-guest netns) and a veth uplink to a wire netns.  Frames
# from guests and from the wire land exactly where vfwd_guest,
# vfwd_uplink and vfwd_egress say and nowhere else (a sink on every guest
# and on the wire), and the port and reason counters agree:
#   VM to VM, guest to uplink, VLAN access ports (push, pop, isolation,
#   access_tagged), flooding with --bum flood and back to pass,
#   anti-spoofing on/off, and the CLI rules of access ports and port
#   add/set/del.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w

# Guests a..e: device ${PFX}X in the root netns, peer ${PFX}Xg in netns
# $PFX-gX.  a, b untagged; c, d access ports of VLAN 100; e of VLAN 200.
GUESTS="a b c d e"
MA=52:54:00:0b:00:0a
MB=52:54:00:0b:00:0b
MC=52:54:00:0b:00:0c
MD=52:54:00:0b:00:0d
ME=52:54:00:0b:00:0e
UNK=52:54:00:0b:09:09   # bound to nobody
UNK2=52:54:00:0b:09:0a  # bound to nobody either, used as a forged source
BC=ff:ff:ff:ff:ff:ff
MC4=01:00:5e:00:00:01

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" || { fail setup "wire veth"; finish; }
for g in $GUESTS; do
	add_netns "$PFX-g$g" && add_veth "$PFX$g" "$PFX${g}g" "$PFX-g$g" ||
		{ fail setup "guest $g veth"; finish; }
	# vfwd-gen injects with XDP_TX on the peer, which hands the frame
	# to the host end through veth's XDP transmit path.  That path
	# drops it unless the receiving end (the port device) runs NAPI,
	# which veth does only with an XDP program attached or with GRO on
	# (design §8).  The port device carries only vfwd's tc filter, so
	# turn GRO on; an XDP program there would be a foreign one.  This
	# is a test artifact: QEMU writes into a tap, not through XDP.  GRO
	# does not merge these frames (plain UDP with no GRO socket), so
	# every injected frame still reaches vfwd_guest on its own.
	ethtool -K "$PFX$g" gro on >/dev/null ||
		{ fail setup "gro on $PFX$g"; finish; }
done

# from X ARGS... : inject frames from guest X (or from the wire, w).
from() {
	local g=$1
	shift
	if [ "$g" = w ]; then
		ip netns exec "$WIRE" "$GEN" --dev "$W" "$@" >/dev/null
	else
		ip netns exec "$PFX-g$g" "$GEN" --dev "$PFX${g}g" "$@" >/dev/null
	fi
}

# sinks_start P / sinks_stop P : a sink on every guest peer and on the
# wire for phase P; results in sink P_X for X in a..e and w.  The sinks
# attach an XDP_PASS program, without which frames the uplink's XDP
# redirects into a guest's veth would be dropped (see above).
sinks_start() {
	local g
	for g in $GUESTS; do
		start_sink "$1_$g" ip netns exec "$PFX-g$g" "$SINK" --packet "$PFX${g}g" ||
			return 1
	done
	start_sink "$1_w" ip netns exec "$WIRE" "$SINK" --packet "$W"
}
sinks_stop() {
	local g ok=0
	# Frames cross veth through NAPI: let the last ones land.
	sleep 0.2
	for g in $GUESTS w; do
		stop_sink "$1_$g" || ok=1
	done
	return $ok
}
# phase_end P S0 S1 : stop phase P's sinks, take snapshot S1, and load
# the phase's results against snapshot S0 (load, below).
phase_end() {
	sinks_stop "$1" || fail sinks "a sink did not write its counts"
	snap "$3"
	load "$1" "$2" "$3"
}
# load P S0 S1 : read phase P's sinks, the counter deltas between stats
# snapshots S0 and S1, and the port list at S1, into V[] in one go
# (python3 starts slowly on a busy host; one start per phase, not one
# per check).  Keys:
#   s.X.total  s.X.bytes  s.X.MAC/VID   frames the sink on X (a..e, w) saw
#   r.REASON                            reason packets, S1 - S0
#   p.PORT.FIELD                        port counter, S1 - S0
#   l.PORT.FIELD                        `vfwd -j port list` field at S1
declare -A V
load() {
	local k v
	vfwd -j port list >"$TMPD/$3.ports"
	V=()
	while IFS=$'\t' read -r k v; do V[$k]=$v; done < <(
		python3 - "$TMPD" "$1" "$2" "$3" $GUESTS w <<'PY'
import json, sys
tmp, ph, s0, s1, sinks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
ld = lambda n: json.load(open("%s/%s" % (tmp, n)))
for x in sinks:
    d = ld("%s_%s.json" % (ph, x))
    print("s.%s.total\t%d" % (x, d["total"]))
    print("s.%s.bytes\t%d" % (x, d["bytes"]))
    for k, n in d["by_dst"].items():
        print("s.%s.%s\t%d" % (x, k, n))
a, b = ld(s0 + ".stats"), ld(s1 + ".stats")
for r, c in b["reasons"].items():
    print("r.%s\t%d" % (r, c["packets"] - a["reasons"][r]["packets"]))
pa = {p["name"]: p for p in a["ports"]}
for p in b["ports"]:
    for f, n in p.items():
        if isinstance(n, int) and p["name"] in pa:
            print("p.%s.%s\t%d" % (p["name"], f, n - pa[p["name"]][f]))
for p in ld(s1 + ".ports"):
    for f, n in p.items():
        print("l.%s.%s\t%s" % (p["name"], f, n))
PY
	)
}
# Values from the last load: sink counts by key default to 0 (a key the
# sink never saw); anything else, totals included, must be there, so a
# sink that wrote nothing cannot pass for one that saw nothing.
sc() { echo "${V[s.$1.$2]:-0}"; }
val() { echo "${V[$1]-missing $1}"; }
# arrived NAME "a=N w=M ..." : every sink of the loaded phase saw exactly
# that many frames, and the ones not listed saw none.
arrived() {
	local want="" got="" g n
	for g in $GUESTS w; do
		n=$(grep -o "\b$g=[0-9]*" <<<"$2" | cut -d= -f2)
		want+="$g=${n:-0} "
		got+="$g=$(val "s.$g.total") "
	done
	expect_eq "$1" "$want" "$got"
}

# Counter snapshots for load.
snap() { vfwd -j stats >"$TMPD/$1.stats"; }
port_field() { vfwd -j port list | jget "[p['$2'] for p in d if p['name']=='$1'][0]"; }

check attach vfwd attach "$UP"
check port_add_a vfwd port add ga --dev "${PFX}a"
check port_add_b vfwd port add gb --dev "${PFX}b"
check port_add_c vfwd port add gc --dev "${PFX}c" --vlan 100
check port_add_d vfwd port add gd --dev "${PFX}d" --vlan 100
check port_add_e vfwd port add ge --dev "${PFX}e" --vlan 200
check mac_add_a vfwd mac add "$MA" --port ga
check mac_add_b vfwd mac add "$MB" --port gb
# Access ports: no --vlan, the MAC lands on the port's VLAN.
check mac_add_c vfwd mac add "$MC" --port gc
check mac_add_d vfwd mac add "$MD" --port gd
check mac_add_e vfwd mac add "$ME" --port ge
expect_eq mac_add_access_vlan "$MA/0/ga $MB/0/gb $MC/100/gc $MD/100/gd $ME/200/ge" \
	"$(vfwd -j mac list | jget "' '.join(sorted('%s/%s/%s' % (m['mac'], m['vlan'], m['port']) for m in d))")"

# --- Unicast, VLANs and isolation, --bum pass (the default) -------------
# Every stream has its own count so a frame in the wrong place shows.
snap u0
sinks_start u || { fail setup "sinks"; finish; }
from a --src "$MA" --dst "$MB" --count 11          # VM to VM -> b
from a --src "$MA" --dst "$UNK" --count 12         # unknown -> uplink
from a --src "$MA" --dst "$BC" --count 13          # pass: kernel
from a --src "$MA" --dst "$MC" --count 3           # MC is VLAN 100's: uplink
from c --src "$MC" --dst "$MD" --count 14          # same VLAN -> d
from c --src "$MC" --dst "$UNK" --count 15         # -> wire, tagged 100
from c --src "$MC" --dst "$ME" --count 16          # VLAN 200's MAC: wire, never e
from e --src "$ME" --dst "$MC" --count 17          # VLAN 100's MAC: wire, never c
from c --src "$MC" --dst "$MD" --vlan 100 --count 6   # tag from access port: drop
from c --src "$MC" --dst "$ME" --vlan 200 --count 2   # even into another VLAN
from a --src "$MA" --dst "$MA" --count 4           # own MAC: hairpin drop
from w --dst "$MC" --vlan 100 --count 18           # pop -> c
from w --dst "$MC" --count 19                      # untagged: kernel, never c
from w --dst "$MC" --vlan 200 --count 21           # other VLAN: kernel
from w --dst "$ME" --vlan 100 --count 22           # other VLAN: kernel, never e
from w --dst "$ME" --vlan 200 --count 23           # pop -> e
from w --dst "$MA" --count 24                      # untagged port -> a
from w --dst "$BC" --count 25                      # pass: kernel
from w --dst "$BC" --vlan 100 --count 26           # pass: kernel
phase_end u u0 u1
# With one uplink, every port follows it without --uplink.
expect_eq ports_follow_uplink "$UP $UP $UP $UP $UP" \
	"$(for g in $GUESTS; do val "l.g$g.uplink"; done | xargs)"
expect_eq port_vlans "0 0 100 100 200" \
	"$(for g in $GUESTS; do val "l.g$g.vlan"; done | xargs)"
arrived unicast_where "a=24 b=11 c=18 d=14 e=23 w=63"
expect_eq vm_to_vm_b "11" "$(sc b "$MB/0")"
expect_eq same_vlan_vm_to_vm_d "14" "$(sc d "$MD/0")"
expect_eq guest_to_uplink "12" "$(sc w "$UNK/0")"
expect_eq untagged_to_vlan_mac_goes_uplink "3" "$(sc w "$MC/0")"
expect_eq access_push_tag "15" "$(sc w "$UNK/100")"
expect_eq vlan100_to_vlan200_mac_uplink "16" "$(sc w "$ME/100")"
expect_eq vlan200_to_vlan100_mac_uplink "17" "$(sc w "$MC/200")"
expect_eq access_pop_tag_c "18" "$(sc c "$MC/0")"
expect_eq access_pop_tag_e "23" "$(sc e "$ME/0")"
# The popped frames are 4 bytes shorter: the tag is gone from the data,
# not just hidden in skb metadata.
expect_eq access_pop_tag_bytes $((18 * 60)) "$(sc c bytes)"
expect_eq wire_untagged_a "24" "$(sc a "$MA/0")"
expect_eq reason_fwd 90 "$(val r.fwd)"
expect_eq reason_uplink 63 "$(val r.uplink)"
expect_eq reason_unknown_wire 62 "$(val r.unknown)"
expect_eq reason_bcast_pass 64 "$(val r.bcast)"
expect_eq reason_access_tagged 8 "$(val r.access_tagged)"
expect_eq reason_spoof_none 0 "$(val r.spoof)"
expect_eq reason_hairpin 4 "$(val r.hairpin)"
expect_eq tx_b 11 "$(val "p.gb.tx_packets")"
expect_eq tx_d 14 "$(val "p.gd.tx_packets")"
expect_eq tx_c 18 "$(val "p.gc.tx_packets")"
expect_eq tx_e 23 "$(val "p.ge.tx_packets")"
expect_eq tx_a 24 "$(val "p.ga.tx_packets")"
expect_eq tx_uplink 63 "$(val "p.$UP.tx_packets")"
expect_eq rx_a 43 "$(val "p.ga.rx_packets")"
expect_eq rx_passed_a_bcast 13 "$(val "p.ga.rx_passed")"
expect_eq rx_dropped_c_tagged 8 "$(val "p.gc.rx_dropped")"
expect_eq no_flood_in_pass_mode 0 "$(val "p.gb.flood_packets")"

# --- Flooding: re-running attach switches the policy in place ------------
expect_eq bum_flood_replaced True "$(vfwd -j attach "$UP" --bum flood | jget "d['replaced']")"
snap f0
sinks_start f || { fail setup "sinks"; finish; }
from w --dst "$BC" --count 31                      # -> a, b
from w --dst "$BC" --vlan 100 --count 32           # -> c, d untagged
from w --dst "$BC" --vlan 200 --count 33           # -> e untagged
from w --dst "$UNK" --count 34                     # unknown -> a, b
from w --dst "$MC4" --vlan 100 --count 35          # multicast -> c, d
from a --src "$MA" --dst "$BC" --count 36          # -> b, wire
from c --src "$MC" --dst "$BC" --count 37          # -> d, wire tagged 100
from e --src "$ME" --dst "$BC" --count 38          # -> wire tagged 200 only
from a --src "$MA" --dst "$UNK" --count 39         # unknown -> wire only
from a --src "$MA" --dst "$MB" --count 5           # known: b only, once
phase_end f f0 f1
expect_eq bum_flood_status flood "$(val "l.$UP.bum")"
# A guest's unknown unicast is for the wire (every guest MAC is bound):
# it leaves by the uplink and is not flooded to b.
arrived flood_where "a=65 b=106 c=67 d=104 e=33 w=150"
expect_eq flood_wire_bcast_b "$((31 + 36))" "$(sc b "$BC/0")"
expect_eq flood_unknown_b 34 "$(sc b "$UNK/0")"
expect_eq flood_known_unicast_once 5 "$(sc b "$MB/0")"
expect_eq flood_vlan100_untagged_c 32 "$(sc c "$BC/0")"
expect_eq flood_vlan100_untagged_d "$((32 + 37))" "$(sc d "$BC/0")"
expect_eq flood_mcast_d 35 "$(sc d "$MC4/0")"
expect_eq flood_vlan200_untagged_e 33 "$(sc e "$BC/0")"
expect_eq flood_guest_a_wire 36 "$(sc w "$BC/0")"
expect_eq flood_guest_c_wire_tagged 37 "$(sc w "$BC/100")"
expect_eq flood_guest_e_wire_tagged 38 "$(sc w "$BC/200")"
expect_eq flood_guest_unknown_wire 39 "$(sc w "$UNK/0")"
expect_eq flood_packets_a 65 "$(val "p.ga.flood_packets")"
expect_eq flood_packets_b 101 "$(val "p.gb.flood_packets")"
expect_eq flood_packets_c 67 "$(val "p.gc.flood_packets")"
expect_eq flood_packets_d 104 "$(val "p.gd.flood_packets")"
expect_eq flood_packets_e 33 "$(val "p.ge.flood_packets")"
expect_eq flood_packets_uplink 111 "$(val "p.$UP.flood_packets")"
expect_eq flood_guest_unknown_uplink_tx 150 "$(val "p.$UP.tx_packets")"
expect_eq flood_tx_b 106 "$(val "p.gb.tx_packets")"
expect_eq flood_reason_bcast $((31 + 32 + 33 + 36 + 37 + 38)) "$(val r.bcast)"
expect_eq flood_reason_unknown 34 "$(val r.unknown)"
expect_eq flood_reason_uplink 39 "$(val r.uplink)"
expect_eq flood_reason_mcast 35 "$(val r.mcast)"
expect_eq flood_nothing_passed_a 0 "$(val "p.ga.rx_passed")"
expect_eq flood_nothing_passed_uplink 0 "$(val "p.$UP.rx_passed")"

# --- Anti-spoofing, back in pass mode ------------------------------------
expect_eq bum_pass_replaced True "$(vfwd -j attach "$UP" --bum pass | jget "d['replaced']")"
# The same forged frames three times: spoofchk on, off, on again.
spoofs() {
	from a --src "$MB" --dst "$UNK" --count 7      # b's MAC
	from a --src "$MC" --dst "$MB" --count 5       # c's MAC (VLAN 100)
	from a --src "$UNK2" --dst "$MB" --count 3     # nobody's MAC
	# a's own MAC, tagged into VLAN 100 where it is not bound.
	from a --src "$MA" --vlan 100 --dst "$MD" --count 4
	from c --src "$MD" --dst "$UNK" --count 2      # its VLAN neighbour's MAC
}
snap s0
sinks_start s1 || { fail setup "sinks"; finish; }
spoofs
from a --src "$MA" --dst "$BC" --count 9           # pass again: kernel
phase_end s1 s0 s1
expect_eq bum_pass_status pass "$(val "l.$UP.bum")"
arrived spoof_nowhere ""
expect_eq spoof_reason 21 "$(val r.spoof)"
expect_eq spoof_dropped_a 19 "$(val "p.ga.spoof_dropped")"
expect_eq spoof_dropped_c 2 "$(val "p.gc.spoof_dropped")"
expect_eq spoof_rx_dropped_a 19 "$(val "p.ga.rx_dropped")"
expect_eq spoof_no_tx_b 0 "$(val "p.gb.tx_packets")"
expect_eq spoof_no_tx_d 0 "$(val "p.gd.tx_packets")"
expect_eq spoof_no_tx_uplink 0 "$(val "p.$UP.tx_packets")"
expect_eq pass_again_bcast 9 "$(val r.bcast)"
expect_eq pass_again_rx_passed 9 "$(val "p.ga.rx_passed")"
expect_eq pass_again_no_flood 0 "$(val "p.gb.flood_packets")"

check spoofchk_off vfwd port set ga --no-spoofchk
sinks_start s2 || { fail setup "sinks"; finish; }
spoofs
phase_end s2 s1 s2
expect_eq spoofchk_off_shown False "$(val l.ga.spoofchk)"
# Without the check a's untagged frames go where their destination says;
# its frames tagged into VLAN 100 are still refused (vlan_denied): a has
# no MAC bound on VLAN 100, and --no-spoofchk does not let a guest choose
# its network.  c still has the check.
arrived spoofchk_off_where "b=8 w=7"
expect_eq spoofchk_off_wire 7 "$(sc w "$UNK/0")"
expect_eq spoofchk_off_b 8 "$(sc b "$MB/0")"
expect_eq spoofchk_off_vlan_denied 4 "$(val r.vlan_denied)"
expect_eq spoofchk_off_reason 2 "$(val r.spoof)"
expect_eq spoofchk_off_a_count 0 "$(val "p.ga.spoof_dropped")"
expect_eq spoofchk_off_c_count 2 "$(val "p.gc.spoof_dropped")"

check spoofchk_on vfwd port set ga --spoofchk
sinks_start s3 || { fail setup "sinks"; finish; }
spoofs
phase_end s3 s2 s3
expect_eq spoofchk_on_shown True "$(val l.ga.spoofchk)"
arrived spoofchk_on_nowhere ""
expect_eq spoofchk_on_reason 21 "$(val r.spoof)"
expect_eq spoofchk_on_a_count 19 "$(val "p.ga.spoof_dropped")"

# --- CLI contract ------------------------------------------------------
# bad NAME COMMAND... : refused with one error line, and the tables and
# the tc filter of every port device are exactly as before
# (state_snapshot covers the port, MAC and tx tables; the flood devmap
# and the VLAN groups are the guest side's own).
snap_state() {
	local g m
	state_snapshot
	for m in vfwd_flood_v4 vfwd_vlan_v4; do
		bpftool map dump pinned "$PIN/$m" 2>&1
	done
	for g in $GUESTS x; do
		[ -e "/sys/class/net/$PFX$g" ] && tc filter show dev "$PFX$g" ingress
	done
}
bad() {
	local name=$1
	shift
	snap_state >"$TMPD/before" 2>&1
	refuse "$name" "$@"
	snap_state >"$TMPD/after" 2>&1
	if cmp -s "$TMPD/before" "$TMPD/after"; then
		pass "${name}_unchanged"
	else
		fail "${name}_unchanged" "$(diff "$TMPD/before" "$TMPD/after" | grep '^[<>]' | cut -c1-160 | tr '\n' '|')"
	fi
}
# A spare veth that is not a port yet.
add_netns "$PFX-gx" && add_veth "${PFX}x" "${PFX}xg" "$PFX-gx" || fail setup "spare veth"
bad mac_access_other_vlan vfwd mac add 52:54:00:0b:00:1c --port gc --vlan 200
bad port_set_vlan_owns_macs vfwd port set gc --vlan 300
bad port_set_vlan_none_owns_macs vfwd port set gc --vlan none
bad port_set_uplink_nosuch vfwd port set ga --uplink nosuch
bad port_add_uplink_nosuch vfwd port add gx --dev "${PFX}x" --uplink nosuch
check port_add_refused_no_filter bash -c "! tc filter show dev ${PFX}x ingress | grep -q vfwd_guest"
# The access port's own VLAN, spelled out, is fine.
check mac_access_same_vlan vfwd mac add 52:54:00:0b:00:1c --port gc --vlan 100
# mac del finds an access port's MAC on the port's VLAN, as mac add put
# it there; a MAC on two access VLANs must be named.
check mac_del_access_default vfwd mac del 52:54:00:0b:00:1c
check mac_access_second_vlan vfwd mac add "$MC" --port ge
bad mac_del_ambiguous vfwd mac del "$MC"
check mac_del_named vfwd mac del "$MC" --vlan 200
# Without MACs the VLAN may change, and new MACs follow it.
check mac_del_e vfwd mac del "$ME" --vlan 200
check port_set_vlan_free vfwd port set ge --vlan 300
expect_eq port_set_vlan_shown 300 "$(port_field ge vlan)"
check mac_add_e_again vfwd mac add "$ME" --port ge
expect_eq mac_follows_new_vlan 300 "$(vfwd -j mac list | jget "[m['vlan'] for m in d if m['mac']=='$ME'][0]")"

# members: the flood devmap's ports and the VLAN flood groups, by port
# name: "flood=ga,gb,... 0=ga,gb 100=gc,gd ...".
members() {
	vfwd -j port list >"$TMPD/m.ports"
	bpftool -j map dump pinned "$PIN/vfwd_flood_v4" >"$TMPD/m.flood"
	bpftool -j map dump pinned "$PIN/vfwd_vlan_v4" >"$TMPD/m.vlan"
	python3 - "$TMPD" <<'PY'
import json, sys
ld = lambda n: json.load(open("%s/m.%s" % (sys.argv[1], n)))
name = {p["id"]: p["name"] for p in ld("ports")}
# Raw dumps: keys and values as hex bytes, __u32 fields little-endian.
def u32s(hexbytes):
    b = bytes(int(x, 16) for x in hexbytes)
    return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]
names = lambda ids: ",".join(sorted(name.get(i, str(i)) for i in ids))
out = ["flood=" + names(u32s(e["key"])[0] for e in ld("flood"))]
groups = {u32s(e["key"])[0]: u32s(e["value"]) for e in ld("vlan")}
for vid in sorted(groups):
    v = groups[vid]  # struct vfwd_flood_group: nports, port_ids[]
    out.append("%d=%s" % (vid, names(v[1:1 + v[0]])))
print(" ".join(out))
PY
}
expect_eq vlan_groups_moved "flood=ga,gb,gc,gd,ge 0=ga,gb 100=gc,gd 300=ge" "$(members)"

# port del takes the tc filter off the device and the port out of the
# flood map and its VLAN group; port add puts them back.
filter() { tc filter show dev "${PFX}a" ingress; }
check filter_installed grep -q 'pref 1 bpf .*handle 0x7666 vfwd_guest' <<<"$(filter)"
check port_del_a vfwd port del ga --force
check filter_removed bash -c "! tc filter show dev ${PFX}a ingress | grep -q vfwd_guest"
expect_eq port_del_members "flood=gb,gc,gd,ge 0=gb 100=gc,gd 300=ge" "$(members)"
check port_add_a_again vfwd port add ga --dev "${PFX}a"
check filter_reinstalled grep -q 'pref 1 bpf .*handle 0x7666 vfwd_guest' <<<"$(filter)"
check port_add_explicit_uplink vfwd port add gx --dev "${PFX}x" --uplink "$UP" --vlan 100
check filter_on_new_port bash -c "tc filter show dev ${PFX}x ingress | grep -q vfwd_guest"
expect_eq port_add_members "flood=ga,gb,gc,gd,ge,gx 0=ga,gb 100=gc,gd,gx 300=ge" "$(members)"

finish
