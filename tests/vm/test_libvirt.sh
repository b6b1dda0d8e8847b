#!/usr/bin/env bash
# The libvirt qemu hook against the real thing (issue 13, part 2):
# libvirt 9.0's libvirtd, started here without systemd, runs vfwd as its
# hook; a TCG domain defined with virsh boots on a tap libvirt makes, and
# vfwd registers its port by itself.
#
#   wire netns               root netns
#   ┌──────────┐   veth    ┌────────────────────────────────────────────┐
#   │ w (.1)   ├───────────┤ u ──XDP (bum flood)──→ tap t ─ guest (.2)  │
#   └──────────┘           │ libvirtd → hooks/qemu.d/vfwd-test-PFX      │
#                          └────────────────────────────────────────────┘
#
# libvirt's QEMU runs in the root namespace, so the uplink and the tap are
# there; the wire is a namespace.  The hook is installed as a small
# wrapper under a name of this run's own (test glue): libvirt passes no
# environment, so it gives vfwd this run's --pin-path and configuration.
# The domain says in its <metadata> that its interface is vfwd's.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vm_lib.sh"

WIRE=$PFX-w
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
DOM=vfwd-test-$PFX
MAC=52:54:00:6c:${ID:0:2}:${ID:2:2}
IPW=10.61.0.1
IPG=10.61.0.2
MIB=1048576
HOOKS=/etc/libvirt/hooks/qemu.d
HOOK=$HOOKS/vfwd-test-$PFX
HOOKLOG=$TMPD/hook.log
VIRSH=(timeout 60 virsh -q -c qemu:///system)
VM=g
VD=$TMPD/vm-$VM
t_start=$SECONDS

started_libvirtd=
started_virtlogd=

lv_cleanup() {
	# VFWD_LIBVIRT_XML_DIR=DIR keeps the documents libvirt handed the
	# hook (how tests/integration/libvirt/ was made).
	[ -n "${VFWD_LIBVIRT_XML_DIR:-}" ] && cp "$TMPD"/xml/*.xml "$VFWD_LIBVIRT_XML_DIR/"
	"${VIRSH[@]}" destroy "$DOM" >/dev/null 2>&1
	"${VIRSH[@]}" undefine "$DOM" >/dev/null 2>&1
	rm -f "$HOOK"
	# Only what this test started, by its pid.
	local p
	for p in $started_libvirtd $started_virtlogd; do
		kill "$p" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	if [ "$FAILED" != 0 ] && [ -s "$HOOKLOG" ]; then
		echo "--- hook log:"
		tail -n 30 "$HOOKLOG"
	fi
}
_hooks+=(lv_cleanup)

for b in libvirtd virtlogd virsh; do
	command -v "$b" >/dev/null || {
		echo "SKIP: $TEST_NAME: $b not installed (libvirt-daemon-system, libvirt-clients: make deps)"
		exit 0
	}
done
check guest_image vm_image
[ "$FAILED" = 0 ] || finish

# The hook, this run's vfwd, pin path and (absent) configuration.  It
# acts for this run's domain only, and keeps each document libvirt hands
# it, to show what went wrong when a check fails.
mkdir -p "$TMPD/xml" "$HOOKS"
cat >"$HOOK" <<EOF
#!/bin/sh
# vfwd test hook of run $PFX (tests/vm/test_libvirt.sh); removed at exit.
[ "\$1" = "$DOM" ] || { cat >/dev/null; exit 0; }
echo "event \$*" >>"$HOOKLOG"
tee "$TMPD/xml/\$2-\$3.xml" | "$VFWD_BIN" --pin-path "$PIN" libvirt-hook \\
	--config "$TMPD/vfwd.yaml" "\$@" 2>>"$HOOKLOG"
EOF
chmod 755 "$HOOK"

# libvirtd looks for hooks once, when it starts: it runs the scripts of
# qemu.d (also ones added later) only if the directory held an executable
# then (measured).  So the hook goes in first, then libvirtd starts.
# A daemon's pid, not counting a zombie left by an earlier run.
daemon_pid() { ps -C "$1" -o pid=,stat= | awk '$2 !~ /^Z/ { print $1; exit }'; }
if [ -z "$(daemon_pid virtlogd)" ]; then
	virtlogd -d && started_virtlogd=$(cat /run/virtlogd.pid)
fi
if pid=$(daemon_pid libvirtd); [ -n "$pid" ]; then
	echo "NOTE: libvirtd ($pid) runs already: the hook runs only if $HOOKS held an executable when it started" >&2
else
	libvirtd -d && started_libvirtd=$(cat /run/libvirtd.pid)
fi
for _ in $(seq 100); do "${VIRSH[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
check libvirtd_up "${VIRSH[@]}" version

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" &&
	ip -n "$WIRE" addr add "$IPW/24" dev "$W" || {
	fail setup "namespace or veth"
	finish
}
# flood: the wire's ARP broadcasts reach the guest without a bridge.
check attach vfwd attach "$UP" --bum flood


mkdir -p "$VD" && mkfifo "$VD/agent.in" "$VD/agent.out" && echo "$MAC $IPG/24" >"$VD/info"
cat >"$TMPD/domain.xml" <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>$VM_MEM_MB</memory>
  <vcpu>1</vcpu>
  <metadata>
    <vfwd:ports xmlns:vfwd='https://vfwd.example/xmlns/libvirt/1'>
      <vfwd:port mac='$MAC' placement='same-cpu'/>
    </vfwd:ports>
  </metadata>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>$VM_IMG/vmlinuz</kernel>
    <initrd>$VM_IMG/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 vfwd.ip=$IPG/24</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <interface type='ethernet'>
      <mac address='$MAC'/>
      <target dev='$TAP' managed='yes'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'><source path='$VD/console.log'/><target port='0'/></serial>
    <serial type='pipe'><source path='$VD/agent'/><target port='1'/></serial>
  </devices>
  <!-- QEMU as root, nothing relabelled: the image stays in the build
       tree as it is, and QEMU reaches this test's private directory. -->
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
</domain>
EOF
check define "${VIRSH[@]}" define "$TMPD/domain.xml"
check start "${VIRSH[@]}" start "$DOM"
[ "$FAILED" = 0 ] || finish
qpid=$(cat "/run/libvirt/qemu/$DOM.pid")
# vm_lib's helpers follow the guest through its QEMU and its agent pipe.
eval "_vm_pid_$VM=$qpid"
_vms+=("$VM")
cat "$VD/agent.out" >"$VD/agent.log" &
_pids+=("$!")

# --- the hook registered the port by itself -------------------------------
expect_eq hook_events_start "prepare begin - start begin - started begin -" \
	"$(sed -n 's/^event [^ ]* //p' "$HOOKLOG" | tr '\n' ' ' | sed 's/ $//')"
expect_eq port_registered "$TAP tap $TAP vm-pid $qpid" \
	"$(vfwd -j port list | jget "' '.join('%s %s %s %s %s' % (p['name'], p['kind'], p['dev'], p['cpu_source'], p['vm_pid']) for p in d if p['name'] == sys.argv[2])" "$TAP")"
expect_eq mac_bound "$MAC $TAP" \
	"$(vfwd -j mac list | jget "' '.join('%s %s' % (m['mac'], m['port']) for m in d if m['mac'] == sys.argv[2])" "$MAC")"

check boot vm_wait "$VM"
[ "$FAILED" = 0 ] || finish

# --- the guest on the wire, through vfwd --------------------------------
wping() { ip netns exec "$WIRE" busybox ping -q -c "$1" -W 2 "$IPG"; }
check ping_wire_to_guest wping 5
check ping_guest_to_wire vm_exec "$VM" "ping -q -c 3 -W 2 $IPW"
head -c "$MIB" /dev/urandom >"$TMPD/to_g"
check tcp_wire_to_guest_send vm_tcp_send "$WIRE" "$IPG" "$TMPD/to_g"
expect_eq tcp_wire_to_guest_intact "$(digest "$TMPD/to_g")" "$(vm_rx "$VM" 1)"
check tcp_guest_to_wire_fetch vm_tcp_fetch "$WIRE" "$IPG" "$TMPD/from_g"
expect_eq tcp_guest_to_wire_intact "$(vm_payload "$VM")" "$(digest "$TMPD/from_g")"
tx=$(port_stat "$TAP" tx_bytes)
if [ "$tx" -ge "$MIB" ]; then pass xdp_path_bytes; else
	fail xdp_path_bytes "port $TAP sent $tx bytes to the guest during a 1 MiB transfer"
fi

# --- a repin fires no hook: vfwd port sync follows it ---------------------
# The vCPU goes to the other CPU; port sync (what vfwd-sync.timer runs)
# reads QEMU's threads again.
if [ "$(nproc)" -ge 2 ]; then
	cur=$(vfwd -j port list | jget "[p['cpus'] for p in d if p['name'] == sys.argv[2]][0][0]" "$TAP")
	other=$(((cur + 1) % 2))
	check vcpupin "${VIRSH[@]}" vcpupin "$DOM" 0 "$other"
	expect_eq vcpupin_fires_no_hook 3 "$(grep -c '^event ' "$HOOKLOG")"
	check port_sync vfwd port sync
	expect_eq port_sync_follows_repin "[$other]" \
		"$(vfwd -j port list | jget "[p['cpus'] for p in d if p['name'] == sys.argv[2]][0]" "$TAP")"
	check ping_after_repin wping 3
else
	echo "SKIP: $TEST_NAME/port_sync_follows_repin: one CPU, nowhere to repin"
fi

# --- virsh destroy removes the port and its MACs --------------------------
check destroy "${VIRSH[@]}" destroy "$DOM"
expect_eq hook_events_stop "stopped end - release end -" \
	"$(sed -n 's/^event [^ ]* //p' "$HOOKLOG" | tail -n 2 | tr '\n' ' ' | sed 's/ $//')"
expect_eq port_removed "" \
	"$(vfwd -j port list | jget "' '.join(p['name'] for p in d if p['kind'] != 'uplink')")"
expect_eq macs_removed "" "$(vfwd -j mac list | jget "' '.join(m['mac'] for m in d)")"
check uplink_stays vfwd status
if ip link show "$TAP" >/dev/null 2>&1; then
	fail tap_gone "libvirt's managed tap $TAP is still there"
else
	pass tap_gone
fi
if grep -q 'failed\|ignored' "$HOOKLOG"; then
	fail hook_log_clean "$(grep 'failed\|ignored' "$HOOKLOG" | head -3 | tr '\n' '|')"
else
	pass hook_log_clean
fi
check undefine "${VIRSH[@]}" undefine "$DOM"

echo "TIME: test_libvirt: total $((SECONDS - t_start)) s"
finish
