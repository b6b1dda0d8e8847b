#!/usr/bin/env bash
# vfwd libvirt-hook as a table: the documents and arguments libvirt 9.0
# passes its qemu hook (tests/integration/libvirt/, saved from a real
# libvirtd), and variants of them, against a namespace with an uplink and
# the fixtures' taps.  Each row checks the exit status, that nothing went
# to standard output, and which ports and MACs vfwd has afterwards.
# tests/vm/test_libvirt.sh runs the same hook under a real libvirtd.
source "$(dirname "$0")/../lib.sh"

FIX=$ROOT/tests/integration/libvirt
HOST=$PFX-h
UP=${PFX}u
RUN=$TMPD/run
CFG=$TMPD/vfwd.yaml
export VFWD_NETNS=$HOST

add_netns "$HOST" && add_netns "$PFX-w" && add_veth_ns "$UP" "$HOST" "${PFX}w" "$PFX-w" || {
	fail setup "namespaces or veth"
	finish
}
# The fixtures' taps, in the namespace only.
for t in fix1t vfexpl0 vnet0; do
	ip -n "$HOST" tuntap add dev "$t" mode tap && ip -n "$HOST" link set "$t" up ||
		{ fail setup "tap $t"; finish; }
done
check attach vfwd attach "$UP"

# A QEMU whose vCPU threads --vm-pid can read (stopped with -S: it only
# has to exist), and the pid files libvirt would have written.
mkdir -p "$RUN"
qemu-system-x86_64 -accel tcg -name "$PFX,debug-threads=on" -nodefaults \
	-display none -S -m 32 >/dev/null 2>&1 &
QPID=$!
_pids+=("$QPID")
for d in vfwd-fix1 vfwd-fix2 vfwd-fix3; do echo "$QPID" >"$RUN/$d.pid"; done
for _ in $(seq 100); do grep -qs '^CPU 0/' /proc/"$QPID"/task/*/comm && break; sleep 0.1; done

# hook DOMAIN OP SUBOP FILE: run the hook as libvirt does, the document on
# standard input.  $RC, $OUT and $ERR hold what it did.
hook() {
	local dom=$1 op=$2 sub=$3 file=$4
	vfwd libvirt-hook --config "$CFG" --run-dir "$RUN" "$dom" "$op" "$sub" - \
		<"$file" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	OUT=$(cat "$TMPD/out")
	ERR=$(tr '\n' '|' <"$TMPD/err")
}
ports() {
	vfwd -j port list | jget "' '.join(sorted('%s:%s:%s:%s' % (p['name'], p['dev'], p['vlan'], p['cpu_source']) for p in d if p['kind'] != 'uplink'))"
}
macs() { vfwd -j mac list | jget "' '.join(sorted('%s@%s:%s' % (m['mac'], m['vlan'], m['port']) for m in d))"; }
# row NAME EXPECTED-RC EXPECTED-PORTS [EXPECTED-MACS]: the last hook run.
row() {
	local name=$1 rc=$2 want=$3 wmacs=${4-}
	if [ "$RC" != "$rc" ]; then
		fail "$name" "exit status $RC, expected $rc: $ERR"
	elif [ -n "$OUT" ]; then
		fail "$name" "printed on standard output: $OUT"
	elif [ "$(ports)" != "$want" ]; then
		fail "$name" "ports '$(ports)', expected '$want' ($ERR)"
	elif [ $# -ge 4 ] && [ "$(macs)" != "$wmacs" ]; then
		fail "$name" "MACs '$(macs)', expected '$wmacs'"
	else
		pass "$name"
	fi
}
# err_has NAME TEXT: the last hook's error names TEXT, on one line.
err_has() {
	if [[ $ERR == *"$2"* ]] && [ "$(wc -l <"$TMPD/err")" = 1 ]; then pass "$1"; else
		fail "$1" "expected one line with '$2', got: $ERR"
	fi
}
# variant FILE SED-SCRIPT: a fixture with its metadata (or more) rewritten,
# in a file of its own (the count lives in a file: variant runs in a
# command substitution, where a variable would not advance).
variant() {
	local n=$(($(cat "$TMPD/nvar" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$TMPD/nvar"
	sed -e "$2" "$1" >"$TMPD/var$n.xml"
	echo "$TMPD/var$n.xml"
}
NS=https://vfwd.example/xmlns/libvirt/1
M1=52:54:00:6c:f1:01
one=$FIX/one-tap
two=$FIX/two-taps

# --- one tap, metadata by MAC: the whole life of a guest -----------------
hook vfwd-fix1 prepare begin "$one-prepare-begin.xml"
row prepare_checks_only 0 ""
hook vfwd-fix1 start begin "$one-prepare-begin.xml"
row start_is_ignored 0 ""
hook vfwd-fix1 started begin "$one-started-begin.xml"
row started_registers 0 "fix1t:fix1t:0:vm-pid" "$M1@0:fix1t"
expect_eq started_vm_pid "$QPID" \
	"$(vfwd -j port list | jget "[p['vm_pid'] for p in d if p['name'] == 'fix1t'][0]")"
hook vfwd-fix1 started begin "$one-started-begin.xml"
row started_twice_same 0 "fix1t:fix1t:0:vm-pid" "$M1@0:fix1t"
hook vfwd-fix1 reconnect begin "$one-started-begin.xml"
row reconnect_same 0 "fix1t:fix1t:0:vm-pid" "$M1@0:fix1t"
hook vfwd-fix1 migrate begin "$one-started-begin.xml"
row unknown_op_noop 0 "fix1t:fix1t:0:vm-pid" "$M1@0:fix1t"
hook vfwd-fix1 stopped end "$one-stopped-end.xml"
row stopped_removes 0 "" ""
hook vfwd-fix1 release end "$one-release-end.xml"
row release_after_stopped_noop 0 "" ""
expect_eq release_after_stopped_silent "" "$ERR"

# --- two taps: the lone element is ambiguous -----------------------------
hook vfwd-fix2 prepare begin "$two-prepare-begin.xml"
row ambiguous_prepare_refused 1 ""
err_has ambiguous_prepare_says_why "names no mac or dev"
hook vfwd-fix2 started begin "$two-started-begin.xml"
row ambiguous_started_refused 1 ""
hook vfwd-fix2 stopped end "$two-stopped-end.xml"
row ambiguous_stopped_not_fatal 0 ""

# --- two taps, one by dev with a VLAN, the libvirt-named one by MAC ------
meta2="s|<vfwd:port xmlns:vfwd=\"$NS\" vlan=\"100\"/>|<vfwd:ports xmlns:vfwd=\"$NS\"><vfwd:port dev=\"vfexpl0\" vlan=\"100\"/><vfwd:port mac=\"52:54:00:77:00:03\" rps=\"off\"/></vfwd:ports>|"
for op in prepare-begin started-begin stopped-end release-end; do
	eval "two_${op%-*}=\$(variant \"\$two-\$op.xml\" \"\$meta2\")"
done
hook vfwd-fix2 prepare begin "$two_prepare"
row two_prepare_ok 0 ""
hook vfwd-fix2 started begin "$two_started"
row two_started_registers 0 "vfexpl0:vfexpl0:100:vm-pid vnet0:vnet0:0:vm-pid" \
	"52:54:00:77:00:02@100:vfexpl0 52:54:00:77:00:03@0:vnet0"
# At stopped libvirt no longer shows vnet0's name: found by its MAC.
hook vfwd-fix2 stopped end "$two_stopped"
row two_stopped_removes_both 0 "" ""
# At release no tap has a name any more: by dev for the element that
# has one, by MAC for the other.
hook vfwd-fix2 started begin "$two_started"
hook vfwd-fix2 release end "$two_release"
row two_release_alone_removes_both 0 "" ""

# --- two domains: stopping one leaves the other's ports ------------------
hook vfwd-fix1 started begin "$one-started-begin.xml"
hook vfwd-fix2 started begin "$two_started"
hook vfwd-fix1 stopped end "$one-stopped-end.xml"
row other_domain_untouched 0 "vfexpl0:vfexpl0:100:vm-pid vnet0:vnet0:0:vm-pid"
hook vfwd-fix2 stopped end "$two_stopped"
row second_domain_removed 0 ""

# --- interfaces that are not vfwd's, and bad metadata --------------------
nometa=$(variant "$one-started-begin.xml" '/<metadata>/,/<\/metadata>/d')
hook vfwd-fix1 started begin "$nometa"
row no_match_noop 0 "" ""
expect_eq no_match_silent "" "$ERR"
bad() { # NAME SED EXPECTED-TEXT: refused at prepare and at started
	local f
	f=$(variant "$one-started-begin.xml" "$2")
	hook vfwd-fix1 prepare begin "$f"
	row "${1}_prepare_refused" 1 ""
	err_has "${1}_says_why" "$3"
	hook vfwd-fix1 started begin "$f"
	row "${1}_started_refused" 1 ""
}
bad bad_vlan "s/placement=\"same-cpu\"/vlan=\"5000\"/" "vlan='5000'"
bad bad_attr "s/placement=\"same-cpu\"/vlna=\"5\"/" "unknown attribute 'vlna'"
bad bad_onoff "s/placement=\"same-cpu\"/rps=\"yes\"/" "rps='yes'"
bad bad_mac "s/mac=\"$M1\" //; s/placement=\"same-cpu\"/mac=\"52:54:00:00:00:99\"/" "no interface"
bad bad_element "s/<vfwd:port /<vfwd:prot /" "may only hold <vfwd:port> elements"
bad not_ethernet "s/<interface type='ethernet'>/<interface type='bridge'>/" "type ethernet and vhostuser"
bad not_xml "s/<metadata>/<metadata/" "not well-formed"
hook vfwd-fix1 prepare begin /dev/null
row empty_input_refused 1 ""

# --- the host's configuration wins over metadata -------------------------
cat >"$CFG" <<EOF
ports:
  - name: web1
    dev: fix1t
    vlan: 7
macs:
  - mac: $M1
    port: web1
  - mac: 52:54:00:6c:f1:02
    port: web1
EOF
hook vfwd-fix1 started begin "$one-started-begin.xml"
row config_wins 0 "web1:fix1t:7:vm-pid" "$M1@7:web1 52:54:00:6c:f1:02@7:web1"
if grep -q "the configuration's port 'web1' wins; <vfwd:port> at line 6 is ignored" "$TMPD/err"; then
	pass config_wins_notes_metadata
else
	fail config_wins_notes_metadata "no note about the metadata: $ERR"
fi
hook vfwd-fix1 stopped end "$one-stopped-end.xml"
row config_port_removed 0 "" ""
# Matched by MAC alone (no metadata): the configuration names the port.
hook vfwd-fix1 started begin "$nometa"
row config_by_mac 0 "web1:fix1t:7:vm-pid" "$M1@7:web1 52:54:00:6c:f1:02@7:web1"
hook vfwd-fix1 release end "$(variant "$one-release-end.xml" '/<metadata>/,/<\/metadata>/d')"
row config_by_mac_release 0 "" ""
echo 'ports: [' >"$CFG"
hook vfwd-fix1 prepare begin "$one-prepare-begin.xml"
row bad_config_refused 1 ""
err_has bad_config_names_file "$CFG"
# A domain with nothing for vfwd (a bridge interface, no metadata) starts
# even so.
hook vfwd-fix1 prepare begin "$(variant "$nometa" "s/<interface type='ethernet'>/<interface type='bridge'>/")"
row bad_config_other_domain 0 ""
rm -f "$CFG"

# --- vhost-user: an AF_XDP port named after the MAC ----------------------
vu='s|<interface type=.ethernet.>|<interface type="vhostuser"><source type="unix" path="/run/vfwd-fix1.sock" mode="server"/>|; /<target dev=/d'
vhost=$(variant "$one-started-begin.xml" "$vu")
hook vfwd-fix1 started begin "$vhost"
expect_eq vhostuser_registered "vu-525400 6cf101 xsk /run/vfwd-fix1.sock" \
	"$(vfwd -j port list | jget "' '.join('%s %s %s %s' % (p['name'][:9], p['name'][9:], p['kind'], p.get('vhost_socket')) for p in d if p['kind'] != 'uplink')")"
hook vfwd-fix1 stopped end "$vhost"
row vhostuser_removed 0 "" ""

# QEMU as the vhost-user client (mode='client'): vfwd-vhost must serve the
# socket before QEMU starts, so prepare registers the port already.
vuc=$(variant "$one-prepare-begin.xml" "${vu//mode=\"server\"/mode=\"client\"}")
hook vfwd-fix1 prepare begin "$vuc"
expect_eq vhostuser_server_at_prepare "xsk server" \
	"$(vfwd -j port list | jget "' '.join('%s %s' % (p['kind'], p['vhost_mode']) for p in d if p['kind'] != 'uplink')")"
hook vfwd-fix1 release end "$vuc"
row vhostuser_server_removed 0 "" ""

# --- run as the file libvirt runs (make install's symlink) ---------------
mkdir -p "$TMPD/hooks/qemu.d"
ln -s "$VFWD_BIN" "$TMPD/hooks/qemu.d/vfwd"
# Only what touches no state: the installed hook serves /sys/fs/bpf/vfwd.
out=$("$TMPD/hooks/qemu.d/vfwd" vfwd-fix2 prepare begin - <"$two-prepare-begin.xml" 2>&1)
rc=$?
if [ "$rc" = 1 ] && [[ $out == *"names no mac or dev"* ]]; then pass symlink_runs_hook; else
	fail symlink_runs_hook "exit $rc: $out"
fi
out=$("$TMPD/hooks/qemu.d/vfwd" vfwd-fix2 migrate begin - <"$two-prepare-begin.xml" 2>&1)
expect_eq symlink_unknown_op "0:" "$?:$out"

finish
