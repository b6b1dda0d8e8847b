#!/usr/bin/env bash
# Every bad input of the CLI contract is refused with one error line and a
# non-zero exit, and leaves every table exactly as it was.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
TAP2=${PFX}t2
M1=52:54:00:00:01:01

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" || { fail setup veth; finish; }
for t in "$TAP" "$TAP2"; do
	ip tuntap add dev "$t" mode tap && track_link "$t" || { fail setup tap; finish; }
done

# No state yet: read commands say so instead of inventing empty tables.
refuse no_state_stats vfwd stats
refuse no_state_mac_del vfwd mac del "$M1"
check no_state_not_created [ ! -e "$PIN" ]
# A refused first command leaves no empty tables behind either.
refuse first_cmd_refused vfwd port add vm1 --dev lo
check first_cmd_no_tables [ ! -e "$PIN/vfwd_mac_v3" ]
refuse first_mac_refused vfwd mac add "$M1" --port nosuch
check first_mac_no_tables [ ! -e "$PIN/vfwd_mac_v3" ]

check attach vfwd attach "$UP"
check port_add vfwd port add vm1 --dev "$TAP"
check port_add2 vfwd port add vm2 --dev "$TAP2"
check mac_add vfwd mac add "$M1" --port vm1
check mac_add_vlan vfwd mac add "$M1" --port vm2 --vlan 100

snap=$(state_snapshot)
unchanged() { expect_eq "$1_unchanged" "$snap" "$(state_snapshot)"; }
# bad NAME COMMAND... : refused, and nothing changed.
bad() {
	local name=$1
	shift
	refuse "$name" "$@"
	unchanged "$name"
}

# Invalid MACs.
bad mac_short vfwd mac add 52:54:00:00:01 --port vm1
bad mac_hex vfwd mac add 52:54:00:00:01:zz --port vm1
bad mac_long vfwd mac add 52:54:00:00:01:01:02 --port vm1
bad mac_mixed_sep vfwd mac add 52:54-00:00:01:03 --port vm1
bad mac_multicast vfwd mac add 01:00:5e:00:00:01 --port vm1
bad mac_broadcast vfwd mac add ff:ff:ff:ff:ff:ff --port vm1
bad mac_zero vfwd mac add 00:00:00:00:00:00 --port vm1
bad mac_del_invalid vfwd mac del nonsense

# VLANs outside 1..4094.
bad vlan_0 vfwd mac add 52:54:00:00:01:04 --port vm1 --vlan 0
bad vlan_4095 vfwd mac add 52:54:00:00:01:04 --port vm1 --vlan 4095
bad vlan_text vfwd mac add 52:54:00:00:01:04 --port vm1 --vlan ten
bad vlan_neg vfwd mac del "$M1" --vlan -1

# Unknown ports and interfaces.
bad unknown_port_mac vfwd mac add 52:54:00:00:01:04 --port nosuch
bad unknown_port_del vfwd port del nosuch
bad unknown_port_set vfwd port set nosuch --dev "$TAP"
bad unknown_port_stats vfwd stats --port nosuch
bad unknown_port_list vfwd mac list --port nosuch
bad uplink_port_list vfwd mac list --port "$UP"
bad unknown_if_attach vfwd attach "${PFX}none"
bad unknown_if_port vfwd port add vm3 --dev "${PFX}none"
bad unknown_if_detach vfwd detach "$TAP"
bad mac_not_present vfwd mac del 52:54:00:00:07:07

# Duplicates.
bad dup_port_name vfwd port add vm1 --dev "$W"
bad dup_device vfwd port add vm3 --dev "$TAP"
bad uplink_as_port vfwd port add vm3 --dev "$UP"
bad port_as_uplink vfwd attach "$TAP"
bad bad_port_name vfwd port add 'bad name' --dev "$TAP"
bad long_port_name vfwd port add abcdefghijklmnop --dev "$TAP"
bad mac_to_uplink vfwd mac add 52:54:00:00:01:04 --port "$UP"
bad not_a_port_dev vfwd port add vm3 --dev lo

# A MAC bound elsewhere moves only with --replace.
bad mac_taken vfwd mac add "$M1" --port vm2
check mac_same_port_is_noop vfwd mac add "$M1" --port vm1
unchanged mac_same_port_is_noop
check mac_replace vfwd mac add "$M1" --port vm2 --replace
expect_eq mac_replace_moved vm2 "$(vfwd -j mac list | jget "[m['port'] for m in d if m['vlan']==0][0]")"
check mac_replace_back vfwd mac add "$M1" --port vm1 --replace
unchanged mac_replace_back

# Ports that still own MACs go only with --force.
bad port_del_owns_macs vfwd port del vm1
bad port_del_uplink vfwd port del "$UP"

# Options the contract has but this version does not implement, bad
# option values, and unknown options.
bad planned_cpus_port vfwd port add vm3 --dev "$W" --cpus 0
bad planned_xsk_port vfwd port add vm3 --xsk
bad bad_bum vfwd attach "$UP" --bum sometimes
bad bad_port_vlan vfwd port add vm3 --dev "$W" --vlan 4095
bad port_set_no_name vfwd port set
# With a name and no option, port set re-applies the port (a repair,
# docs/vfwd.md): on a healthy port the tables stay as they were.
check port_set_reapply vfwd port set vm1
unchanged port_set_reapply
bad bad_mode vfwd attach "$UP" --mode turbo
bad bad_option vfwd mac add "$M1" --port vm1 --frobnicate
bad missing_arg vfwd mac add "$M1"
bad unknown_command vfwd frob

# mac load is all or nothing.
printf '%s\n' "52:54:00:00:05:01 vm1" "52:54:00:00:05:02 vm2 100" "bogus vm1" >"$TMPD/bad.macs"
bad load_bad_line vfwd mac load "$TMPD/bad.macs"
printf '%s\n' "52:54:00:00:05:01 vm1" "52:54:00:00:05:02 nosuch" >"$TMPD/badport.macs"
bad load_unknown_port vfwd mac load "$TMPD/badport.macs"
printf '%s\n' "52:54:00:00:05:01 vm1" "$M1 vm2" >"$TMPD/taken.macs"
bad load_taken vfwd mac load "$TMPD/taken.macs"
printf '%s\n' "52:54:00:00:05:01 vm1" "52:54:00:00:05:01 vm2" >"$TMPD/twice.macs"
bad load_two_ports vfwd mac load "$TMPD/twice.macs"
bad load_missing_file vfwd mac load "$TMPD/none.macs"

# Full MAC table: fill it to the brim in one load, then one more is
# refused, by mac add and by mac load, and the table keeps its contents.
python3 - "$TMPD/full.macs" <<'PY'
import sys
# 65536 entries in all: the 2 already present plus these.
with open(sys.argv[1], "w") as f:
    for i in range(65536 - 2):
        f.write("02:%02x:%02x:%02x:00:01 vm2\n" % (i >> 16, (i >> 8) & 255, i & 255))
PY
check load_full vfwd mac load "$TMPD/full.macs"
expect_eq table_full_count 65536 "$(vfwd -j status | jget "d['tables']['macs']['used']")"
snap=$(state_snapshot)
bad full_mac_add vfwd mac add 52:54:00:00:06:01 --port vm1
printf '%s\n' "52:54:00:00:06:01 vm1" >"$TMPD/one.macs"
bad full_mac_load vfwd mac load "$TMPD/one.macs"
# Overwriting an existing key still works in a full table.
check full_mac_replace_existing vfwd mac add 02:00:00:00:00:01 --port vm1 --replace
check port_del_force vfwd port del vm2 --force
expect_eq port_del_force_macs 2 "$(vfwd -j status | jget "d['tables']['macs']['used']")"

# JSON mode: the error is the document.
out=$(vfwd -j mac add nonsense --port vm1)
rc=$?
expect_eq json_error_rc 1 "$rc"
expect_eq json_error_doc True "$(echo "$out" | jget "'invalid MAC' in d['error']")"

# Not root: refused before touching anything.
snap=$(state_snapshot)
bad not_root setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VFWD_BIN" --pin-path "$PIN" mac add 52:54:00:00:08:01 --port vm1

# A pin path that is not on bpffs.
mkdir -p "$TMPD/notbpf"
refuse not_bpffs "$VFWD_BIN" --pin-path "$TMPD/notbpf/vfwd" port add vm9 --dev "$TAP"
check not_bpffs_nothing_made [ ! -e "$TMPD/notbpf/vfwd" ]

# bpffs not mounted at all: in a private mount namespace without it, vfwd
# mounts it at the standard place and says so.
out=$(unshare -m --propagation private bash -c "
	umount -l /sys/fs/bpf 2>/dev/null
	'$VFWD_BIN' --pin-path /sys/fs/bpf/vfwd-$PFX port add vm9 --dev '$TAP2' 2>&1 &&
	'$VFWD_BIN' --pin-path /sys/fs/bpf/vfwd-$PFX port list >/dev/null && echo LISTED")
check bpffs_mounted_note grep -q 'mounted it at /sys/fs/bpf' <<<"$out"
check bpffs_mounted_works grep -q LISTED <<<"$out"

# A foreign XDP program on an interface is never replaced.
ip tuntap add dev "${PFX}f" mode tap && track_link "${PFX}f"
ip link set dev "${PFX}f" xdpgeneric obj "$B/gen_tx.bpf.o" sec xdp
refuse foreign_xdp vfwd attach "${PFX}f" --mode skb
expect_eq foreign_xdp_kept gen_tx \
	"$(bpftool -j prog show id "$(bpftool -j net show dev "${PFX}f" | jget "d[0]['xdp'][0]['id']")" | jget "d['name']")"

# Another vfwd installation (another pin path) on the same interface is
# not mistaken for this one.
refuse other_instance "$VFWD_BIN" --pin-path "$PIN-other" attach "$UP"
check other_instance_no_tables [ ! -e "$PIN-other/vfwd_mac_v3" ]
rm -rf "$PIN-other"

# Changing the mode of an attached uplink needs a detach first.
refuse mode_change vfwd attach "$UP" --mode skb

finish
