#!/usr/bin/env bash
# Every bad input of the CLI contract is refused with one error line and a
# non-zero exit, and leaves every table exactly as it was.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
TAP2=${PFX}t2
# Never a port: left free for port add cases that the old code accepted.
TAP3=${PFX}t3
# Port vm4, which owns no MACs, for port set cases.
TAP4=${PFX}t4
M1=52:54:00:00:01:01

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" || { fail setup veth; finish; }
for t in "$TAP" "$TAP2" "$TAP3" "$TAP4"; do
	ip tuntap add dev "$t" mode tap && track_link "$t" || { fail setup tap; finish; }
done

# No state yet: read commands say so instead of inventing empty tables.
refuse no_state_stats vfwd stats
refuse no_state_mac_del vfwd mac del "$M1"
check no_state_not_created [ ! -e "$PIN" ]
# A refused first command leaves no empty tables behind either.
refuse first_cmd_refused vfwd port add vm1 --dev lo
check first_cmd_no_tables [ ! -e "$PIN/vfwd_macs_v4" ]
refuse first_mac_refused vfwd mac add "$M1" --port nosuch
check first_mac_no_tables [ ! -e "$PIN/vfwd_macs_v4" ]

check attach vfwd attach "$UP"
check port_add vfwd port add vm1 --dev "$TAP"
check port_add2 vfwd port add vm2 --dev "$TAP2"
check mac_add vfwd mac add "$M1" --port vm1
check mac_add_vlan vfwd mac add "$M1" --port vm2 --vlan 100
check port_add4 vfwd port add vm4 --dev "$TAP4"

snap=$(state_snapshot)
unchanged() { expect_eq "$1_unchanged" "$snap" "$(state_snapshot)"; }
# bad NAME COMMAND... : refused, and nothing changed.
bad() {
	local name=$1
	shift
	refuse "$name" "$@"
	unchanged "$name"
}
# bad_msg NAME PATTERN COMMAND... : as bad, and the error line matches the
# extended regex PATTERN, so a refusal for the wrong reason does not pass.
bad_msg() {
	local name=$1 pattern=$2
	shift 2
	bad "$name" "$@"
	if grep -Eq -- "$pattern" "$TMPD/refuse.err"; then
		pass "${name}_message"
	else
		fail "${name}_message" "expected /$pattern/, got: $(cat "$TMPD/refuse.err")"
	fi
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

# Numbers are canonical decimal: no leading zero, sign or space, so "010"
# is not taken as 10, nor " 5" as 5.
bad vlan_leading_zero vfwd mac add 52:54:00:00:01:04 --port vm1 --vlan 010
bad vlan_leading_space vfwd mac add 52:54:00:00:01:04 --port vm1 --vlan " 5"
bad vlan_plus vfwd mac add 52:54:00:00:01:04 --port vm1 --vlan +5
bad vlan_del_leading_zero vfwd mac del "$M1" --vlan 0100
bad vlan_port_add_leading_zero vfwd port add vm3 --dev "$TAP3" --vlan 07
bad vlan_port_set_leading_zero vfwd port set vm4 --vlan 010
printf '%s\n' "52:54:00:00:05:01 vm2 0100" >"$TMPD/zero.macs"
bad load_vid_leading_zero vfwd mac load "$TMPD/zero.macs"
bad cpus_double_zero vfwd port add vm3 --dev "$TAP3" --cpus 00
bad cpus_leading_zero vfwd port add vm3 --dev "$TAP3" --cpus 1,00
bad_msg vm_pid_leading_zero 'invalid --vm-pid' vfwd port add vm3 --dev "$TAP3" --vm-pid "0$$"
bad count_leading_zero timeout 10 "$VFWD_BIN" --pin-path "$PIN" stats --interval 0.01 --count 010
bad count_exponent timeout 10 "$VFWD_BIN" --pin-path "$PIN" stats --interval 0.01 --count 1e1
bad count_leading_space timeout 10 "$VFWD_BIN" --pin-path "$PIN" stats --interval 0.01 --count " 2"

# --interval: a plain decimal above 0 and at most an hour.  strtod() took
# inf and 1e999 (an interval that never ends), hex floats and exponents.
# timeout: a regression must fail here, not hang the run.
stats_for() { timeout 10 "$VFWD_BIN" --pin-path "$PIN" stats --interval "$1" --count 1; }
INTERVAL_RULE='at most 3600'
bad_msg interval_inf "$INTERVAL_RULE" stats_for inf
bad_msg interval_infinity "$INTERVAL_RULE" stats_for infinity
bad_msg interval_overflow "$INTERVAL_RULE" stats_for 1e999
bad_msg interval_nan "$INTERVAL_RULE" stats_for nan
bad_msg interval_negative "$INTERVAL_RULE" stats_for -1
bad_msg interval_zero "$INTERVAL_RULE" stats_for 0
bad_msg interval_zero_fraction "$INTERVAL_RULE" stats_for 0.000
bad_msg interval_above_max "$INTERVAL_RULE" stats_for 3601
bad_msg interval_just_above_max "$INTERVAL_RULE" stats_for 3600.5
bad_msg interval_exponent "$INTERVAL_RULE" stats_for 1e-2
bad_msg interval_hex "$INTERVAL_RULE" stats_for 0x1p-4
bad_msg interval_leading_space "$INTERVAL_RULE" stats_for " 1"
bad_msg interval_plus "$INTERVAL_RULE" stats_for +1
bad_msg interval_leading_zero "$INTERVAL_RULE" stats_for 01
bad_msg interval_bare_point "$INTERVAL_RULE" stats_for .5
bad_msg interval_trailing_point "$INTERVAL_RULE" stats_for 1.
bad_msg interval_below_ns "$INTERVAL_RULE" stats_for 0.0000000001

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
bad port_name_dot vfwd port add . --dev "$TAP3"
bad port_name_dotdot vfwd port add .. --dev "$TAP3"
bad mac_to_uplink vfwd mac add 52:54:00:00:01:04 --port "$UP"
bad not_a_port_dev vfwd port add vm3 --dev lo

# An uplink must be an Ethernet device: not loopback (which, attached,
# also took the uplink from the ports following the only one), not a
# layer-3 tun.  lo is the wire namespace's own, never the host's.
vfwd_in() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$VFWD_BIN" --pin-path "$PIN" "$@"
}
ip tuntap add dev "${PFX}n" mode tun && track_link "${PFX}n" || fail setup_tun "cannot add a tun device"
bad_msg uplink_loopback 'loopback device and cannot be an uplink' vfwd_in "$WIRE" attach lo --mode skb
bad_msg uplink_loopback_native 'loopback device and cannot be an uplink' vfwd_in "$WIRE" attach lo
bad_msg uplink_tun 'not an Ethernet device' vfwd attach "${PFX}n" --mode skb

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
# AF_XDP ports: the socket is required, absolute, in a directory that
# exists and nobody else's; no device, no CPU set.
bad_msg xsk_no_socket 'needs --vhost-socket' vfwd port add vm3 --xsk
bad_msg xsk_relative 'absolute path' vfwd port add vm3 --xsk --vhost-socket vm3.sock
bad_msg xsk_no_dir 'does not exist' vfwd port add vm3 --xsk --vhost-socket "$TMPD/nodir/vm3.sock"
bad_msg xsk_long 'longer than' vfwd port add vm3 --xsk --vhost-socket "/$(printf 'x%.0s' {1..120})"
bad_msg xsk_and_dev 'exclude each other' vfwd port add vm3 --xsk --dev "$W" --vhost-socket "$TMPD/vm3.sock"
bad_msg xsk_and_cpus 'tap' vfwd port add vm3 --xsk --cpus 0 --vhost-socket "$TMPD/vm3.sock"
bad_msg vhost_without_xsk 'for AF_XDP ports' vfwd port add vm3 --dev "$W" --vhost-socket "$TMPD/vm3.sock"
bad_msg port_set_to_xsk 'kind' vfwd port set vm1 --xsk
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

# An option given twice is refused, naming it: no option takes a list by
# repetition, so the second value would silently win.  Flags too, and the
# two spellings of one setting.
TWICE='option --[a-z-]+ given twice'
printf '%s\n' "52:54:00:00:05:09 vm1" >"$TMPD/ok.macs"
bad_msg twice_mac_add_port "$TWICE" vfwd mac add 52:54:00:00:01:05 --port vm2 --port vm1
bad_msg twice_mac_add_port_abbrev "option --port given twice" vfwd mac add 52:54:00:00:01:05 --port vm2 --po vm1
bad_msg twice_mac_add_vlan "$TWICE" vfwd mac add 52:54:00:00:01:05 --port vm1 --vlan 5 --vlan 6
bad_msg twice_mac_add_replace "$TWICE" vfwd mac add "$M1" --port vm1 --replace --replace
bad_msg twice_mac_del_vlan "$TWICE" vfwd mac del "$M1" --vlan 5 --vlan 100
bad_msg twice_mac_list_port "$TWICE" vfwd mac list --port nosuch --port vm1
bad_msg twice_mac_load_replace "$TWICE" vfwd mac load "$TMPD/ok.macs" --replace --replace
bad_msg twice_port_add_dev "$TWICE" vfwd port add vm3 --dev "${PFX}none" --dev "$TAP3"
bad_msg twice_port_add_vlan "$TWICE" vfwd port add vm3 --dev "$TAP3" --vlan 5 --vlan 6
bad_msg twice_port_set_vlan "$TWICE" vfwd port set vm4 --vlan 5 --vlan 6
bad_msg twice_port_set_uplink "$TWICE" vfwd port set vm4 --uplink nosuch --uplink auto
bad_msg twice_port_set_cpus "$TWICE" vfwd port set vm4 --cpus 0 --cpus none
bad_msg pair_spoofchk 'contradict' vfwd port set vm4 --spoofchk --no-spoofchk
bad_msg pair_rps 'contradict' vfwd port set vm4 --rps --no-rps
bad_msg twice_stats_port "$TWICE" vfwd stats --port nosuch --port vm1
bad_msg twice_stats_interval "$TWICE" timeout 10 "$VFWD_BIN" --pin-path "$PIN" stats --interval 60 --interval 0.01 --count 1
bad_msg twice_attach_mode "$TWICE" vfwd attach "$UP" --mode skb --mode native
bad_msg twice_attach_bum "$TWICE" vfwd attach "$UP" --bum flood --bum pass
# The global --pin-path too: two pin paths are two installations.  A bad
# global option exits 2 (see docs/vfwd.md, "Exit status").
bad_msg twice_pin_path "option --pin-path given twice" vfwd --pin-path "$TMPD/other" status
"$VFWD_BIN" --pin-path "$PIN" --pin-path "$TMPD/other" status >/dev/null 2>&1
expect_eq twice_pin_path_exit 2 "$?"

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

# Exit status, as docs/vfwd.md documents it: 0 for success and help, 1
# for a failed or refused command, 2 for a bad global option or no
# command.
exit_is() { # NAME WANT COMMAND...
	local name=$1 want=$2
	shift 2
	"$@" >"$TMPD/exit.out" 2>"$TMPD/exit.err"
	expect_eq "$name" "$want" "$?"
}
exit_is exit_bad_global_option 2 "$VFWD_BIN" --bogus status
refuse exit_bad_global_option_one_line "$VFWD_BIN" --bogus status
exit_is exit_bad_global_short_option 2 "$VFWD_BIN" -x status
exit_is exit_bad_global_option_json 2 "$VFWD_BIN" -j --bogus status
exit_is exit_global_missing_argument 2 "$VFWD_BIN" --pin-path
exit_is exit_no_command 2 "$VFWD_BIN"
exit_is exit_no_command_after_options 2 "$VFWD_BIN" --pin-path "$PIN"
exit_is exit_help 0 "$VFWD_BIN" help
check exit_help_on_stdout grep -q 'See docs/vfwd.md' "$TMPD/exit.out"
exit_is exit_dash_h 0 "$VFWD_BIN" -h
exit_is exit_dash_dash_help 0 "$VFWD_BIN" --help
exit_is exit_unknown_command 1 vfwd frob
exit_is exit_missing_subcommand 1 vfwd port
exit_is exit_unknown_subcommand 1 vfwd mac frob
exit_is exit_bad_command_option 1 vfwd mac list --frobnicate
exit_is exit_refused 1 vfwd mac add nonsense --port vm1
exit_is exit_success 0 vfwd status

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

# The pin path is a directory below a bpffs mount, named one way: not the
# mount root (detach would fail to remove it after doing everything
# else), absolute, and without '.' or '..'.  Read commands check it too.
ROOT_RULE='root of a BPF filesystem'
PATH_RULE='invalid pin path'
bad_msg pin_root_status "$ROOT_RULE" "$VFWD_BIN" --pin-path /sys/fs/bpf status
bad_msg pin_root_slash_status "$ROOT_RULE" "$VFWD_BIN" --pin-path /sys/fs/bpf/ status
bad_msg pin_root_dot_status "'\.' component" "$VFWD_BIN" --pin-path /sys/fs/bpf/. status
bad_msg pin_root_port_list "$ROOT_RULE" "$VFWD_BIN" --pin-path /sys/fs/bpf port list
# These name this test's own pin directory, which the old code then used.
bad_msg pin_dotdot "'\.\.' component" "$VFWD_BIN" --pin-path "$PIN/../${PIN##*/}" status
bad_msg pin_dot_inside "'\.' component" "$VFWD_BIN" --pin-path "/sys/fs/bpf/./${PIN##*/}" status
bad_msg pin_relative "$PATH_RULE.*not an absolute path" env -C / "$VFWD_BIN" --pin-path "${PIN#/}" status
bad_msg pin_empty "$PATH_RULE" "$VFWD_BIN" --pin-path "" status
# A creating command at the root of a bpffs creates nothing there.  It
# runs on a private bpffs, so even a regression cannot pin at the root of
# the host's.
mkdir -p "$TMPD/bpf"
in_private_bpffs() {
	unshare -m --propagation private sh -c '
		mount -t bpf bpf "$0" || exit 99
		"$@"
		rc=$?
		ls "$0" | grep "^vfwd_" >"$0.left"
		exit $rc' "$TMPD/bpf" "$@"
}
bad_msg pin_root_create "$ROOT_RULE" in_private_bpffs "$VFWD_BIN" --pin-path "$TMPD/bpf" port add vm9 --dev "$TAP3"
expect_eq pin_root_create_nothing_pinned "" "$(cat "$TMPD/bpf.left" 2>&1)"
bad_msg pin_root_attach "$ROOT_RULE" in_private_bpffs "$VFWD_BIN" --pin-path "$TMPD/bpf/" attach "$TAP3" --mode skb
expect_eq pin_root_attach_nothing_pinned "" "$(cat "$TMPD/bpf.left" 2>&1)"

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
check other_instance_no_tables [ ! -e "$PIN-other/vfwd_macs_v4" ]
rm -rf "$PIN-other"

# Changing the mode of an attached uplink needs a detach first.
refuse mode_change vfwd attach "$UP" --mode skb

# Last, as the code before this fix acted on them: a repeated flag of
# port del and detach.
snap=$(state_snapshot)
bad_msg twice_port_del_force "$TWICE" vfwd port del vm4 --force --force
bad_msg twice_detach_keep "$TWICE" vfwd detach "$UP" --keep-maps --keep-maps

finish
