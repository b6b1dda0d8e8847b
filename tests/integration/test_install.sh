#!/usr/bin/env bash
# make install, staged under a DESTDIR: the binaries run from there, the
# libvirt hook's symlink makes vfwd the hook, and `systemd-analyze verify`
# (systemd 252, Debian 12) accepts every unit installed, with no warning.
# verify runs with --root on the staged tree, into which the host's own
# units are copied (it resolves After= and the default dependencies
# against them), so nothing is installed on the host.
source "$(dirname "$0")/../lib.sh"

SA=$(command -v systemd-analyze)
[ -n "$SA" ] || { fail setup "systemd-analyze not found (Debian's systemd package)"; finish; }
ROOTD=$TMPD/root

if make -C "$ROOT" --no-print-directory install DESTDIR="$ROOTD" BUILD="$B" \
	>"$TMPD/install.log" 2>&1; then
	pass make_install
else
	fail make_install "$(tail -3 "$TMPD/install.log" | tr '\n' '|')"
	finish
fi
for b in vfwd vfwd-vhost vfwd-exporter; do
	check "installed_$b" test -x "$ROOTD/usr/local/sbin/$b"
done
check installed_vfwd_runs "$ROOTD/usr/local/sbin/vfwd" --help
check installed_exporter_runs "$ROOTD/usr/local/sbin/vfwd-exporter" --help
check installed_docs test -s "$ROOTD/usr/local/share/doc/vfwd/integration.md"

mkdir -p "$ROOTD/lib/systemd" && cp -a /lib/systemd/system "$ROOTD/lib/systemd/" ||
	{ fail setup "copying the host's units"; finish; }
n=0
for u in "$ROOTD"/etc/systemd/system/*.service "$ROOTD"/etc/systemd/system/*.timer; do
	name=$(basename "$u")
	n=$((n + 1))
	if out=$("$SA" verify --root="$ROOTD" "/etc/systemd/system/$name" 2>&1) && [ -z "$out" ]; then
		pass "verify_$name"
	else
		fail "verify_$name" "$(echo "$out" | head -3 | tr '\n' '|')"
	fi
	# The paths were filled in.
	if grep -q '@' "$u"; then fail "filled_$name" "a placeholder is left"; else pass "filled_$name"; fi
done
expect_ge units_installed 5 "$n" "units installed"

# vfwd.service: one apply at boot, after the network, "active" after it.
U=$ROOTD/etc/systemd/system/vfwd.service
for want in "Type=oneshot" "RemainAfterExit=yes" "After=network-online.target" \
	"ExecStart=/usr/local/sbin/vfwd --pin-path /sys/fs/bpf/vfwd apply -f /etc/vfwd/vfwd.yaml"; do
	if grep -qx "$want" "$U"; then pass "vfwd_service_${want%%=*}"; else
		fail "vfwd_service_${want%%=*}" "no line '$want' in vfwd.service"
	fi
done
check sync_timer_runs_sync grep -qx \
	"ExecStart=/usr/local/sbin/vfwd --pin-path /sys/fs/bpf/vfwd port sync" \
	"$ROOTD/etc/systemd/system/vfwd-sync.service"

# The libvirt hook: a symlink to the installed vfwd, which then acts as
# the hook (libvirt's arguments, no options).  Tried on a copy of the
# link pointing into the staged tree, with documents that touch no state.
expect_eq hook_symlink /usr/local/sbin/vfwd \
	"$(readlink "$ROOTD/etc/libvirt/hooks/qemu.d/vfwd")"
mkdir -p "$TMPD/lv/hooks/qemu.d"
ln -s "$ROOTD/usr/local/sbin/vfwd" "$TMPD/lv/hooks/qemu.d/vfwd"
out=$("$TMPD/lv/hooks/qemu.d/vfwd" dom migrate begin - </dev/null 2>&1)
expect_eq hook_ignores_migrate "0:" "$?:$out"
out=$(echo '<domain><name>d</name><devices><interface type="ethernet"/></devices><metadata><vfwd:port xmlns:vfwd="https://vfwd.example/xmlns/libvirt/1" vlan="0"/></metadata></domain>' |
	"$TMPD/lv/hooks/qemu.d/vfwd" d prepare begin - 2>&1)
rc=$?
if [ "$rc" = 1 ] && [[ $out == *"libvirt-hook: domain 'd' prepare: "*"vlan='0'"* ]]; then
	pass hook_refuses_bad_metadata
else
	fail hook_refuses_bad_metadata "exit $rc: $out"
fi
finish
