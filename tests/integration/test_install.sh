#!/usr/bin/env bash
# make install, staged under a DESTDIR: the binaries run from there, and
# `systemd-analyze verify` (systemd 252, Debian 12) accepts every unit
# installed, with no warning.  verify runs with --root on the staged tree,
# into which the host's own units are copied (it resolves After= and the
# default dependencies against them), so nothing is installed on the host.
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
for u in "$ROOTD"/etc/systemd/system/*.service; do
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
expect_ge units_installed 2 "$n" "units installed"
finish
