#!/usr/bin/env bash
# Build the minimal test guest (tier 3) from Debian packages:
#   OUT/vmlinuz     the kernel from the cached linux-image deb (fetch-kernel.sh)
#   OUT/initrd.img  busybox-static, the virtio-net modules, tests/vm/guest-init.sh
# Rebuilt only when an input changed; the result is a cache in the build
# directory and is never committed.
#
# VM_EXTRA_BINS="PATH..." adds host binaries and the shared libraries they
# load (the benchmark guest carries iperf3 this way); the test guest has
# none, so it stays small and boots fast.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-${VFWD_BUILD:-$HERE/../../build}/vm}
CACHE=${VFWD_VM_CACHE:-/var/cache/vfwd}
DEB=$CACHE/guest-kernel.deb
BUSYBOX=/bin/busybox
INIT=$HERE/guest-init.sh

# Load order matters: each module needs the ones before it, and the guest
# has no modprobe/depmod to work that out.
# 8021q (with llc, stp, garp, mrp before it) lets a test guest send tagged
# frames, as a guest trying to leave its access VLAN would.
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net llc stp garp mrp 8021q"

die() {
	echo "build-guest: $*" >&2
	exit 1
}
[ -e "$DEB" ] || die "guest kernel package $DEB is missing: run 'make deps' (it downloads it)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing: run 'make deps' (package busybox-static)"
readelf -l "$BUSYBOX" 2>/dev/null | grep -q "program interpreter" &&
	die "$BUSYBOX is dynamically linked: install busybox-static, not busybox"

# Stamp: what the image was built from.  Same inputs, same image.
EXTRA=${VM_EXTRA_BINS:-}
for b in $EXTRA; do
	[ -x "$b" ] || die "extra binary $b is missing: run 'make deps'"
done
stamp=$(
	readlink -f "$DEB"
	sha256sum "$BUSYBOX" "$INIT" "$0" $EXTRA | cut -d' ' -f1
	echo "$MODULES"
)
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ] &&
	[ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ]; then
	exit 0
fi

mkdir -p "$OUT"
work=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

dpkg-deb --fsys-tarfile "$DEB" |
	tar -x -C "$work" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/*' \
		'./lib/modules/*/kernel/net/core/*' './lib/modules/*/kernel/net/802/*' \
		'./lib/modules/*/kernel/net/8021q/*' './lib/modules/*/kernel/net/llc/*'
kver=$(ls "$work/lib/modules")
[ -n "$kver" ] || die "no modules in $DEB"

root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp "$BUSYBOX" "$root/bin/busybox"
cp "$INIT" "$root/init"
chmod 755 "$root/init"
for m in $MODULES; do
	ko=$(find "$work/lib/modules/$kver" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || die "module $m.ko not found in $DEB"
	cp "$ko" "$root/lib/modules/"
done
echo "$MODULES" >"$root/lib/modules/order"

# Extra binaries keep their paths; their libraries and the dynamic loader
# go where ldd found them, so the guest's loader resolves them as on the
# host (same Debian release).
for b in $EXTRA; do
	mkdir -p "$root$(dirname "$b")"
	cp "$b" "$root$b"
	for lib in $(ldd "$b" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

(cd "$root" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -1 >"$work/initrd.img"
cp "$work"/boot/vmlinuz-* "$work/vmlinuz"
mv "$work/vmlinuz" "$work/initrd.img" "$OUT/"
echo "$stamp" >"$OUT/stamp"
echo "build-guest: $OUT (kernel $kver)"
