#!/usr/bin/env bash
# Uplink forwarding end to end: frames injected on the wire side of a veth
# uplink land on exactly the tap or veth port that owns {MAC, VLAN}, and
# nowhere else; counters agree; mac del stops delivery; re-attach keeps
# the tables and keeps forwarding.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
CT=$PFX-ct
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
CTH=${PFX}c   # veth port, host side
CTG=${PFX}g   # its peer inside the "container"

M1=52:54:00:00:01:01   # vm1, untagged
M2=52:54:00:00:01:02   # vm1, VLAN 100
M3=52:54:00:00:02:01   # ct1, untagged
UNK=52:54:00:00:09:09  # bound to nobody

add_netns "$WIRE" && add_netns "$CT" || { fail setup "netns"; finish; }
add_veth "$UP" "$W" "$WIRE" && add_veth "$CTH" "$CTG" "$CT" ||
	{ fail setup "veth"; finish; }

start_sink tap "$SINK" --tap "$TAP" || { fail setup "tap sink"; finish; }
track_link "$TAP"
start_sink ct ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }

gen() { ip netns exec "$WIRE" "$GEN" --dev "$W" "$@" >/dev/null; }

check attach vfwd attach "$UP"
check port_add_tap vfwd port add vm1 --dev "$TAP"
check port_add_veth vfwd port add ct1 --dev "$CTH"
check mac_add_m1 vfwd mac add "$M1" --port vm1
check mac_add_m2 vfwd mac add "$M2" --port vm1 --vlan 100
check mac_add_m3 vfwd mac add "$M3" --port ct1

# -j output parses and says what was configured.
expect_eq status_json_uplink "$UP native" \
	"$(vfwd -j status | jget "d['uplinks'][0]['name'] + ' ' + d['uplinks'][0]['mode']")"
expect_eq port_list_json "ct1:veth:1 vm1:tap:2" \
	"$(vfwd -j port list | jget "' '.join(sorted('%s:%s:%s' % (p['name'], p['kind'], p['macs']) for p in d if p['kind'] != 'uplink'))")"
expect_eq mac_list_json "$M1/0/vm1 $M2/100/vm1 $M3/0/ct1" \
	"$(vfwd -j mac list | jget "' '.join('%s/%s/%s' % (m['mac'], m['vlan'], m['port']) for m in d)")"

gen --dst "$M1" --count 100
gen --dst "$M2" --vlan 100 --count 50
gen --dst "$M3" --count 70 --flows 7
gen --dst "$M1" --vlan 200 --count 30       # VLAN miss: pass
gen --dst "$M3" --vlan 100 --count 10       # untagged entry, tagged frame: pass
gen --dst "$UNK" --count 40                 # unknown: pass
gen --dst ff:ff:ff:ff:ff:ff --count 20      # broadcast: pass
gen --dst 01:00:5e:00:00:01 --count 5       # multicast: pass
gen --dst "$M1" --size 1514 --count 10      # full-size frames
gen --dst "$M2" --vlan 100 --size 1518 --count 10
sleep 0.5

expect_eq uplink_rx 345 "$(port_stat "$UP" rx_packets)"
expect_eq uplink_passed 105 "$(port_stat "$UP" rx_passed)"
expect_eq vm1_tx 170 "$(port_stat vm1 tx_packets)"
expect_eq ct1_tx 70 "$(port_stat ct1 tx_packets)"
expect_eq reason_fwd 240 "$(reason_stat fwd)"
expect_eq reason_unknown 80 "$(reason_stat unknown)"
expect_eq reason_bcast 20 "$(reason_stat bcast)"
expect_eq reason_mcast 5 "$(reason_stat mcast)"
# vfwd-gen sizes include the tag: every default frame is 64 bytes.
expect_eq vm1_tx_bytes $((150 * 64 + 10 * 1514 + 10 * 1518)) \
	"$(port_stat vm1 tx_bytes)"

# bpftool sees the same counters, with named fields (BTF).
bt_rx=$(bpftool -j map dump pinned "$PIN/vfwd_stats_v4" | python3 -c '
import json, sys
print(sum(c["value"]["rx_packets"] for e in json.load(sys.stdin)
          for c in e["formatted"]["values"]))')
expect_eq bpftool_named_fields 345 "$bt_rx"


# Malformed and ambiguous frames addressed to bound MACs are never
# delivered: each counts under its reason, and no port transmits.
tx_before=$(( $(port_stat vm1 tx_packets) + $(port_stat ct1 tx_packets) ))
m1hex=${M1//:/}
gen --raw "${m1hex}020000000001""8100" --count 3          # tag cut off
gen --raw "${m1hex}020000000001""8100""00" --count 2      # half a tag
gen --dst "$M2" --vlan 100 --qinq --count 4                # 802.1ad outer
gen --raw "${m1hex}020000000001""8100""0000""0800""4500" --count 5  # VID 0
gen --raw "${m1hex}020000000001""8100""0fff""0800""4500" --count 6  # VID 4095
gen --dst "$M1" --src 01:00:5e:00:00:09 --count 7          # group source
sleep 0.3
expect_eq malformed_vlan_trunc 5 "$(reason_stat vlan_trunc)"
expect_eq malformed_qinq 4 "$(reason_stat qinq)"
expect_eq malformed_prio_tag 5 "$(reason_stat prio_tag)"
expect_eq malformed_bad_vid 6 "$(reason_stat bad_vid)"
expect_eq malformed_bad_src 7 "$(reason_stat bad_src)"
expect_eq malformed_not_forwarded "$tx_before" \
	"$(( $(port_stat vm1 tx_packets) + $(port_stat ct1 tx_packets) ))"
expect_eq malformed_uplink_dropped 18 "$(port_stat "$UP" rx_dropped)"

stop_sink tap && stop_sink ct || fail sinks "sink did not write its counts"
expect_eq tap_total 170 "$(sink_count tap total)"
expect_eq tap_m1 110 "$(sink_count tap "$M1/0")"
expect_eq tap_m2_vlan100 60 "$(sink_count tap "$M2/100")"
expect_eq veth_total 70 "$(sink_count ct total)"
expect_eq veth_m3 70 "$(sink_count ct "$M3/0")"

# Live rates: one JSON document with one sample per interval.
gen --dst "$M3" --count 1000 &
expect_eq stats_interval_json 2 "$(vfwd -j stats --interval 0.2 --count 2 | jget "len(d)")"
wait

# The tap reader exited and its tap vanished, as when QEMU stops: the
# kernel drops the devmap entry, status says so, and frames for the
# port's MACs count as port_down instead of as delivered.
sleep 0.2
expect_eq tap_gone_state gone "$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]")"
gen --dst "$M1" --count 7
expect_eq tap_gone_port_down 7 "$(reason_stat port_down)"
expect_eq tap_gone_not_delivered 170 "$(port_stat vm1 tx_packets)"
# A new tap of the same name (QEMU restarted) is a new device: point the
# port at it again.
start_sink tap2 "$SINK" --tap "$TAP" || fail restart "tap sink"
check port_set_dev vfwd port set vm1 --dev "$TAP"
expect_eq tap_back_state up "$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]")"

# mac del: delivery stops, the frames become unknown unicast.
check mac_del vfwd mac del "$M1"
gen --dst "$M1" --count 25
gen --dst "$M2" --vlan 100 --count 5
sleep 0.3
stop_sink tap2
expect_eq after_del_m1 0 "$(sink_count tap2 "$M1/0")"
expect_eq after_del_m2 5 "$(sink_count tap2 "$M2/100")"
expect_eq after_del_unknown 105 "$(reason_stat unknown)"

# Re-attach: a new program replaces the old one and the tables stay.
before=$(state_snapshot)
old_id=$(vfwd -j status | jget "d['uplinks'][0]['prog_id']")
expect_eq reattach_replaced True "$(vfwd -j attach "$UP" | jget "d['replaced']")"
new_id=$(vfwd -j status | jget "d['uplinks'][0]['prog_id']")
check reattach_new_prog [ "$old_id" != "$new_id" ]
expect_eq reattach_tables_kept "$before" "$(state_snapshot)"
expect_eq reattach_counters_kept 1070 "$(port_stat ct1 tx_packets)"
start_sink ct2 ip netns exec "$CT" "$SINK" --packet "$CTG" || fail restart "veth sink"
gen --dst "$M3" --count 33
sleep 0.3
stop_sink ct2
expect_eq reattach_forwards 33 "$(sink_count ct2 "$M3/0")"

# The attachment outlives the CLI process: the kernel reports our program.
xdp_id=$(bpftool -j net show dev "$UP" | jget "d[0]['xdp'][0]['id']")
expect_eq xdp_persists vfwd_uplink \
	"$(bpftool -j prog show id "$xdp_id" | jget "d['name']")"

# stats --per-cpu: a live test run executes the uplink program on the CPU
# that runs vfwd-gen, so pinning the generator decides where frames count.
ncpu=$(nproc)
pc0=$(vfwd -j stats --per-cpu --port ct1 | jget "{e['cpu']: e['tx_packets'] for e in d['ports'][0]['per_cpu']}")
taskset -c 0 ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M3" --count 30 >/dev/null
[ "$ncpu" -gt 1 ] && taskset -c 1 ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M3" --count 40 >/dev/null
pc1=$(vfwd -j stats --per-cpu --port ct1 | jget "{e['cpu']: e['tx_packets'] for e in d['ports'][0]['per_cpu']}")
delta=$(python3 -c 'import sys; a = eval(sys.argv[1]); b = eval(sys.argv[2]); print(" ".join("%d=%d" % (c, b.get(c, 0) - a.get(c, 0)) for c in sorted(set(a) | set(b)) if b.get(c, 0) != a.get(c, 0)))' "$pc0" "$pc1")
if [ "$ncpu" -gt 1 ]; then want="0=30 1=40"; else want="0=30"; fi
expect_eq per_cpu_follows_generator "$want" "$delta"
expect_eq per_cpu_sums_to_total "$(port_stat ct1 tx_packets)" \
	"$(vfwd -j stats --per-cpu --port ct1 | jget "sum(e['tx_packets'] for e in d['ports'][0]['per_cpu'])")"
refuse per_cpu_no_interval vfwd stats --per-cpu --interval 1

# The live rates are right: 200,000 frames sent while stats watches in
# intervals of 0.3 s add up, rate times measured interval, to 200,000 on
# the port that transmitted them.  The rates and intervals are printed
# to 3 decimals, which at ~400k pps is ~200 frames per interval, hence
# the tolerance.
vfwd -j stats --interval 0.3 --count 8 >"$TMPD/rates.json" &
rates_pid=$!
sleep 0.4
gen --dst "$M3" --count 200000
wait "$rates_pid"
expect_eq stats_interval_rates_add_up True "$(jget "abs(sum(s['interval'] * p['tx_pps'] for s in d for p in s['ports'] if p['name'] == 'ct1') - 200000) < 1000" <"$TMPD/rates.json")"
expect_eq stats_interval_bps_is_8x_bytes True "$(jget "abs(sum(s['interval'] * p['tx_bps'] for s in d for p in s['ports'] if p['name'] == 'ct1') - 200000 * 64 * 8) < 1000 * 64 * 8" <"$TMPD/rates.json")"

finish
