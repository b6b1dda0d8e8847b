#!/usr/bin/env bash
# Drift: someone changes the kernel behind vfwd's back (deletes a port's
# tc filter, takes XDP off the uplink, rewrites a devmap entry, renames
# the uplink, ...).  `vfwd status` reports each difference, in text and
# JSON, and exits 3; `vfwd port set NAME` and a re-run `vfwd attach`
# repair it, and status is back to ok (exit 0).
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
UPR=${PFX}r # the uplink's name after the rename
TAP=${PFX}t
TAP2=${PFX}s
CTAP=${PFX}c
DRIFT_RC=3

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" || { fail setup "wire veth"; finish; }
for t in "$TAP" "$TAP2" "$CTAP"; do
	ip tuntap add dev "$t" mode tap && track_link "$t" || { fail setup "tap $t"; finish; }
done
# The rename below gives the uplink this name; cleanup deletes it by it.
track_link "$UPR"

# rc COMMAND... : the command's exit status, its output dropped.
rc() {
	"$@" >/dev/null 2>&1
	echo $?
}
# Kinds of the differences status reports for port P, or uplink U.
port_kinds() { vfwd -j status | jget "[k['kind'] for p in d['ports'] if p['name']=='$1' for k in p['drift']]"; }
uplink_kinds() { vfwd -j status | jget "[k['kind'] for u in d['uplinks'] if u['name']=='$1' for k in u['drift']]"; }
status_ok() { vfwd -j status | jget "d['ok']"; }
port_state() { vfwd -j status | jget "[p['state'] for p in d['ports'] if p['name']=='$1'][0]"; }
# The program id in vfwd's tc slot on a device, or none.
tc_prog() {
	tc -j filter show dev "$1" ingress | jget \
		"([f['options']['prog']['id'] for f in d if f.get('pref') == 1 and 'options' in f and 'prog' in f['options']] + ['none'])[0]"
}
# A __u32 as the four little-endian bytes bpftool takes.
le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

check attach vfwd attach "$UP"
check port_add vfwd port add vm1 --dev "$TAP"
check mac_add vfwd mac add 52:54:00:0d:00:01 --port vm1
# A port that steers to CPU 0: its CPUMAP entry is checked too.
check port_add_cpus vfwd port add vmc --dev "$CTAP" --cpus 0
ID=$(vfwd -j port list | jget "[p['id'] for p in d if p['name']=='vm1'][0]")
TAPIDX=$(cat "/sys/class/net/$TAP/ifindex")
TAP2IDX=$(cat "/sys/class/net/$TAP2/ifindex")

# 1. All as it should be.
expect_eq healthy_rc 0 "$(rc vfwd status)"
expect_eq healthy_ok True "$(status_ok)"
expect_eq healthy_no_drift "[]" "$(port_kinds vm1)"
expect_eq healthy_state down "$(port_state vm1)" # a tap without a reader
vfwd status >"$TMPD/ok.txt"
check healthy_text grep -q '^ok: ' "$TMPD/ok.txt"

# 2. The guest's filter deleted: the guest could spoof.
tc filter del dev "$TAP" ingress pref 1
expect_eq filter_del_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq filter_del_ok False "$(status_ok)"
expect_eq filter_del_kind "['filter_missing']" "$(port_kinds vm1)"
expect_eq filter_del_state drift "$(port_state vm1)"
expect_eq filter_del_list_state drift \
	"$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]")"
vfwd status >"$TMPD/drift.txt"
check filter_del_text grep -q "drift: filter_missing: port 'vm1'" "$TMPD/drift.txt"
check filter_del_text_row grep -Eq "^ +$ID +vm1 +tap +$TAP +$TAPIDX +drift " "$TMPD/drift.txt"
check filter_del_text_summary grep -q '^drift: 1 difference' "$TMPD/drift.txt"
expect_eq filter_del_json_names_port "vm1 filter_missing" \
	"$(vfwd -j status | jget "' '.join(p['name'] + ' ' + k['kind'] for p in d['ports'] for k in p['drift'])")"

# 3. port set NAME with no option repairs it.
check port_set_repairs vfwd port set vm1
expect_eq port_set_rc 0 "$(rc vfwd status)"
expect_eq port_set_ok True "$(status_ok)"
check port_set_filter_back [ "$(tc_prog "$TAP")" != none ]

# 4. Removed again: a re-run attach (a hot upgrade) repairs it.
tc filter del dev "$TAP" ingress pref 1
expect_eq filter_del2_rc $DRIFT_RC "$(rc vfwd status)"
check reattach_repairs vfwd attach "$UP"
expect_eq reattach_rc 0 "$(rc vfwd status)"
check reattach_filter_back [ "$(tc_prog "$TAP")" != none ]

# 5. XDP taken off the uplink: reported; attach (not a replacement now)
# puts it back, and repairs a port that drifted meanwhile too.
ip link set dev "$UP" xdp off
expect_eq xdp_off_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq xdp_off_kind "['xdp_missing']" "$(uplink_kinds "$UP")"
expect_eq xdp_off_program "not attached" \
	"$(vfwd -j status | jget "d['uplinks'][0]['program']")"
vfwd status >"$TMPD/xdp.txt"
check xdp_off_text grep -q "drift: xdp_missing: uplink '$UP'" "$TMPD/xdp.txt"
tc filter del dev "$TAP" ingress pref 1
expect_eq xdp_off_port_too "['filter_missing']" "$(port_kinds vm1)"
expect_eq xdp_attach_fresh False "$(vfwd -j attach "$UP" | jget "d['replaced']")"
expect_eq xdp_attach_rc 0 "$(rc vfwd status)"
check xdp_attach_filter_back [ "$(tc_prog "$TAP")" != none ]

# 6. The tx devmap entry pointed at another device behind vfwd's back:
# the guest's frames would go to that device.
bpftool map update pinned "$PIN/vfwd_tx_v4" key $(le32 "$ID") value $(le32 "$TAP2IDX") 0 0 0 0 ||
	fail tx_rewrite "bpftool map update failed"
expect_eq tx_rewrite_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq tx_rewrite_kind "['tx_wrong']" "$(port_kinds vm1)"
vfwd status >"$TMPD/tx.txt"
check tx_rewrite_text grep -q "drift: tx_wrong: port 'vm1'.*ifindex $TAP2IDX" "$TMPD/tx.txt"
check tx_port_set vfwd port set vm1
expect_eq tx_port_set_rc 0 "$(rc vfwd status)"
expect_eq tx_entry_back "$(le32 "$TAPIDX")" \
	"$(bpftool -j map lookup pinned "$PIN/vfwd_tx_v4" key $(le32 "$ID") |
		jget "' '.join(str(int(b, 16)) for b in d['value'][:4])")"

# 7. The filter replaced by another port's program: it would check the
# guest against that port's MACs.
PROG_C=$(tc_prog "$CTAP")
bpftool prog pin id "$PROG_C" "$PIN/other-port" &&
	tc filter replace dev "$TAP" ingress pref 1 handle 0x7666 bpf da object-pinned "$PIN/other-port" ||
	fail filter_port "cannot put vmc's program on $TAP"
rm -f "$PIN/other-port"
expect_eq filter_port_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq filter_port_kind "['filter_port']" "$(port_kinds vm1)"
check filter_port_repair vfwd port set vm1
expect_eq filter_port_repaired 0 "$(rc vfwd status)"

# 8. A steered CPU's CPUMAP entry deleted: reported on the port that
# steers there, port set restores it.
bpftool map delete pinned "$PIN/vfwd_cpu_v4" key 0 0 0 0 || fail cpumap "bpftool map delete failed"
expect_eq cpumap_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq cpumap_kind "['cpumap_missing']" "$(port_kinds vmc)"
check cpumap_repair vfwd port set vmc
expect_eq cpumap_repaired 0 "$(rc vfwd status)"

# 9. The uplink renamed: status shows the device's new name and the
# rename; attach under the new name records it.
ip link set dev "$UP" down && ip link set dev "$UP" name "$UPR" && ip link set dev "$UPR" up ||
	fail rename "ip link set name failed"
expect_eq rename_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq rename_kind "['renamed']" "$(uplink_kinds "$UP")"
expect_eq rename_json_dev "$UPR" "$(vfwd -j status | jget "d['uplinks'][0]['dev']")"
vfwd status >"$TMPD/rename.txt"
check rename_text_row grep -Eq "^  $UPR +ifindex" "$TMPD/rename.txt"
check rename_text grep -q "drift: renamed: uplink '$UP'.*now named '$UPR'" "$TMPD/rename.txt"
check rename_attach vfwd attach "$UPR"
expect_eq rename_attach_rc 0 "$(rc vfwd status)"
expect_eq rename_recorded "$UPR" "$(vfwd -j status | jget "d['uplinks'][0]['name']")"

# 10. A port's device deleted: the port is gone, not healthy; port set
# cannot repair it and says how; the rest of status still works.
ip link del "$TAP2" 2>/dev/null
ip link del "$TAP"
expect_eq gone_rc $DRIFT_RC "$(rc vfwd status)"
expect_eq gone_kind "['dev_gone']" "$(port_kinds vm1)"
expect_eq gone_state gone "$(port_state vm1)"
refuse gone_port_set vfwd port set vm1
check gone_port_set_hint grep -q "port set vm1 --dev" "$TMPD/refuse.err"

# Errors stay exit 1, not the drift code.
expect_eq error_rc 1 "$(rc vfwd status extra)"

finish
