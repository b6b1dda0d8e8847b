# Helpers for the real-guest tests (tier 3).  Source after tests/lib.sh.
#
# A guest is a QEMU process under TCG (/dev/kvm does not work on these
# machines, design §8) booting tests/vm/build-guest.sh's kernel and
# initramfs.  Its console (ttyS0) is logged to a file; its second serial
# port (ttyS1) carries a command agent (tests/vm/guest-init.sh).  Every
# guest, its tap and its reader processes are removed at exit, and a
# failed test prints the console of every guest it started.

VM_IMG=${VM_IMG:-$B/vm}
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
# Bounded waits.  A guest boots in about 15 s under TCG on an idle core;
# two guests booting side by side on this 2-core machine, with a test
# runner beside them, take longer, so the boot bound leaves a wide margin.
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-150}
VM_CMD_TIMEOUT=${VM_CMD_TIMEOUT:-60}
# No guest outlives this, even if the test shell is killed outright.
VM_MAX_LIFETIME=900
VM_MEM_MB=256

_vms=()

_vm_report() {
	local v
	[ "$FAILED" = 0 ] && return 0
	for v in "${_vms[@]}"; do
		echo "--- console of guest $v ($TMPD/vm-$v/console.log):"
		tail -n 60 "$TMPD/vm-$v/console.log" 2>/dev/null
		echo "--- agent log of guest $v:"
		tail -n 20 "$TMPD/vm-$v/agent.log" 2>/dev/null
	done
}
_hooks+=(_vm_report)

# vm_image: build (or reuse) the guest image in the build directory.
vm_image() {
	"$ROOT/tests/vm/build-guest.sh" "$VM_IMG"
}

# vm_tap NETNS TAP [QUEUES]: a persistent tap for a guest, created before
# QEMU starts so that bridges and vfwd ports can be set up first.
vm_tap() {
	local ns=$1 tap=$2 q=${3:-1} mq=
	[ "$q" -gt 1 ] && mq=multi_queue
	ip netns exec "$ns" ip tuntap add dev "$tap" mode tap $mq || return 1
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
	ip -n "$ns" link set "$tap" up
}

# vm_start NAME NETNS TAP MAC IP/PLEN [VCPUS] [EXTRA_CMDLINE]
# Boots a guest in the background on an existing tap in NETNS.  With more
# than one vCPU, the tap must have as many queues (vm_tap NS TAP N): QEMU
# then uses multiqueue virtio-net (mq=on, vectors = 2 * queues + 2: one
# per rx and tx queue, one for config, one for the control queue) and the
# guest's virtio_net turns on one queue pair per vCPU.
vm_start() {
	local name=$1 ns=$2 tap=$3 mac=$4 ip=$5 ncpu=${6:-1} extra=${7:-}
	local netdev device
	netdev="tap,id=n0,ifname=$tap,script=no,downscript=no"
	device="virtio-net-pci,netdev=n0,mac=$mac"
	if [ "$ncpu" -gt 1 ]; then
		netdev+=",queues=$ncpu"
		device+=",mq=on,vectors=$((2 * ncpu + 2))"
	fi
	_vm_qemu "$name" "$ns" "$mac" "$ip" "$ncpu" "$extra" \
		-netdev "$netdev" -device "$device"
}

# vm_start_vhost NAME SOCK MAC IP/PLEN [SERVER]
# Boots a guest whose NIC is a vhost-user virtio-net on unix socket SOCK,
# as for an AF_XDP port served by vfwd-vhost.  QEMU serves the socket
# (server=on,wait=off: vfwd-vhost's default client mode) unless SERVER is
# "client".  vhost-user needs the guest's memory shared with the back end:
# a memfd backend as the NUMA node's memory.  vectors=0: QEMU 7.2 under
# TCG crashes in msix_set_vector_notifiers when vhost-user starts with
# MSI-X (design §5).
vm_start_vhost() {
	local name=$1 sock=$2 mac=$3 ip=$4 mode=${5:-server} chardev
	chardev="socket,id=c0,path=$sock"
	[ "$mode" = server ] && chardev+=",server=on,wait=off"
	_vm_qemu "$name" "" "$mac" "$ip" 1 "" \
		-object "memory-backend-memfd,id=mem,size=${VM_MEM_MB}M,share=on" \
		-numa node,memdev=mem \
		-chardev "$chardev" -netdev vhost-user,id=n0,chardev=c0 \
		-device "virtio-net-pci,netdev=n0,mac=$mac,vectors=0"
}

# _vm_qemu NAME NETNS MAC IP NCPU EXTRA QEMU-ARGS...: start QEMU (in NETNS
# unless it is empty) with the guest image, the console and the agent.
_vm_qemu() {
	local name=$1 ns=$2 mac=$3 ip=$4 ncpu=$5 extra=$6 d=$TMPD/vm-$1
	local -a in_ns=()
	shift 6
	[ -n "$ns" ] && in_ns=(ip netns exec "$ns")
	mkdir -p "$d"
	mkfifo "$d/agent.in" "$d/agent.out" || return 1
	echo "$mac $ip" >"$d/info"
	# debug-threads names the vCPU threads "CPU n/TCG", as libvirt does.
	"${in_ns[@]}" timeout -k 5 "$VM_MAX_LIFETIME" "$VM_QEMU" \
		-accel tcg -m "$VM_MEM_MB" -smp "$ncpu" \
		-name "$PFX-$name,debug-threads=on" \
		-nodefaults -display none -no-reboot \
		-kernel "$VM_IMG/vmlinuz" -initrd "$VM_IMG/initrd.img" \
		-append "console=ttyS0 quiet panic=-1 vfwd.ip=$ip $extra" \
		-chardev "file,id=con,path=$d/console.log" -serial chardev:con \
		-chardev "pipe,id=agent,path=$d/agent" -serial chardev:agent \
		"$@" >"$d/qemu.log" 2>&1 &
	eval "_vm_pid_$name=$!"
	_pids+=("$!")
	_vms+=("$name")
	# The agent's replies are collected for vm_exec.  QEMU holds the FIFO
	# open read-write, so this reader never sees EOF; it is killed at exit.
	cat "$d/agent.out" >"$d/agent.log" &
	_pids+=("$!")
}

_vm_alive() {
	local pid
	eval "pid=\${_vm_pid_$1:-}"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# vm_wait NAME: wait until the guest says VFWD-READY (bounded).
vm_wait() {
	local d=$TMPD/vm-$1 end=$((SECONDS + VM_BOOT_TIMEOUT))
	while [ $SECONDS -lt $end ]; do
		grep -q '^VFWD-READY' "$d/console.log" 2>/dev/null && return 0
		if ! _vm_alive "$1"; then
			echo "guest $1: QEMU exited: $(tr '\n' ' ' <"$d/qemu.log")" >&2
			return 1
		fi
		sleep 0.5
	done
	echo "guest $1: not ready after ${VM_BOOT_TIMEOUT}s" >&2
	return 1
}

# vm_exec NAME COMMAND [TIMEOUT]: run a one-line shell command in the
# guest; print its output and return its exit status (124 on timeout).
vm_exec() {
	local name=$1 cmd=$2 to=${3:-$VM_CMD_TIMEOUT} d=$TMPD/vm-$1 id end rc
	# The sequence number lives in a file: vm_exec often runs in a
	# command substitution, where a shell variable would not advance.
	id=$(($(cat "$d/seq" 2>/dev/null || echo 0) + 1))
	echo "$id" >"$d/seq"
	printf '%s %s\n' "$id" "$cmd" >"$d/agent.in"
	end=$((SECONDS + to))
	while ! grep -q "^@@END $id " "$d/agent.log"; do
		if [ $SECONDS -ge $end ] || ! _vm_alive "$name"; then
			echo "guest $name: no answer to '$cmd' within ${to}s" >&2
			return 124
		fi
		sleep 0.1
	done
	sed -n "/^@@BEGIN $id\$/,/^@@END $id /p" "$d/agent.log" | sed '1d;$d'
	rc=$(sed -n "s/^@@END $id \([0-9]*\)$/\1/p" "$d/agent.log")
	return "${rc:-1}"
}

# vm_console_line NAME TAG N: print the Nth console line starting with TAG,
# waiting for it (bounded).  Console lines are "TAG <fields...>".
vm_console_line() {
	local d=$TMPD/vm-$1 tag=$2 n=$3 end=$((SECONDS + VM_CMD_TIMEOUT)) line
	while [ $SECONDS -lt $end ]; do
		# The console is a tty: lines end in CR LF.
		line=$(tr -d '\r' <"$d/console.log" 2>/dev/null |
			grep "^$tag " | sed -n "${n}p")
		if [ -n "$line" ]; then
			echo "${line#"$tag "}"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# vm_payload NAME: "<bytes> <sha256>" of the guest's source service.
vm_payload() { vm_console_line "$1" VFWD-PAYLOAD 1; }

# vm_rx NAME N: "<bytes> <sha256>" of the Nth connection its sink read.
vm_rx() { vm_console_line "$1" VFWD-RX "$2"; }

# Host side of the guest's TCP services, run in netns NS with busybox nc.
# A FIFO opened read-write stands in for stdin when only receiving: busybox
# nc would otherwise close its side at once and the guest's nc would quit.
vm_tcp_send() { # NS IP FILE: send FILE to the guest's sink
	timeout "$VM_CMD_TIMEOUT" ip netns exec "$1" busybox nc "$2" 5001 <"$3"
}
vm_tcp_fetch() { # NS IP OUT: read the guest's source into OUT
	[ -p "$TMPD/hold" ] || mkfifo "$TMPD/hold"
	timeout "$VM_CMD_TIMEOUT" ip netns exec "$1" busybox nc "$2" 5002 \
		<>"$TMPD/hold" >"$3"
}
# reason_bytes NAME: the bytes counted under a reason (reason_stat in
# tests/lib.sh gives its packets).  Guests send GSO frames, so bytes say
# more than frame counts about how much took a path.
reason_bytes() { vfwd -j stats | jget "d['reasons']['$1']['bytes']"; }
# digest FILE: "<bytes> <sha256>", as the guest prints them.
digest() { echo "$(stat -c %s "$1") $(sha256sum <"$1" | cut -d' ' -f1)"; }
