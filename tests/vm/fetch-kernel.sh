#!/usr/bin/env bash
# Download the Debian guest kernel package for the VM test tier (tier 3).
# Called by `make deps`, so that tests never download anything.  The
# package is not installed on the host: tests/vm/build-guest.sh unpacks
# its vmlinuz and the virtio modules into the build directory.
#
# The version is the one Debian's linux-image-amd64 metapackage points at,
# i.e. whatever `apt-get download` offers today.  The cache lives outside
# the build directory so that `make clean` does not throw it away.
set -euo pipefail
CACHE=${VFWD_VM_CACHE:-/var/cache/vfwd}

pkg=$(apt-cache depends linux-image-amd64 |
	sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	echo "fetch-kernel: cannot resolve linux-image-amd64 to a kernel package: run apt-get update" >&2
	exit 1
fi
mkdir -p "$CACHE"
cd "$CACHE"
if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
	# apt's _apt sandbox user cannot write here; download as root,
	# quietly, since the warning about that is expected.
	apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed as root' >&2 || true
fi
deb=$(ls -t "${pkg}"_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	echo "fetch-kernel: download of $pkg into $CACHE failed" >&2
	exit 1
fi
ln -sfn "$deb" guest-kernel.deb
echo "fetch-kernel: $CACHE/$deb"
