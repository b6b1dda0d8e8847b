#!/bin/busybox sh
# /init of the tier-3 test guest.  Busybox only; settings come from the
# kernel command line:
#   vfwd.ip=ADDR/PLEN    address of eth0 (required for networking)
#   vfwd.mac=MAC         override the MAC QEMU gave eth0 (spoofing tests)
#   vfwd.role=server     run the TCP services below (default); "client": none
#   vfwd.payload=BYTES   size of the source service's random payload
# Services, for checking data end to end with a checksum:
#   tcp/5001  sink:   reads one connection to EOF, then prints
#                     "VFWD-RX <bytes> <sha256>" on the console
#   tcp/5002  source: sends /payload and closes; its digest was printed at
#                     boot as "VFWD-PAYLOAD <bytes> <sha256>".  The client
#                     must not close its side first (busybox nc quits then).
# ICMP echo is answered by the kernel.  "VFWD-READY" on the console (ttyS0)
# means all of the above is up.  ttyS1 carries a command agent for the host
# (tests/vm/vm_lib.sh vm_exec): each input line is "ID COMMAND"; the reply
# is "@@BEGIN ID", the output, then "@@END ID RC".
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

say() { echo "$*" >/dev/console; }

for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m.ko" || say "VFWD-ERROR insmod $m failed"
done

ip= mac= role=server payload=1048576
for arg in $(cat /proc/cmdline); do
	case $arg in
	vfwd.ip=*) ip=${arg#vfwd.ip=} ;;
	vfwd.mac=*) mac=${arg#vfwd.mac=} ;;
	vfwd.role=*) role=${arg#vfwd.role=} ;;
	vfwd.payload=*) payload=${arg#vfwd.payload=} ;;
	esac
done

ip link set lo up
# virtio_net probes asynchronously; wait for eth0 (bounded).
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ -e /sys/class/net/eth0 ] || say "VFWD-ERROR no eth0"
[ -n "$mac" ] && ip link set eth0 address "$mac"
ip link set eth0 up
[ -n "$ip" ] && ip addr add "$ip" dev eth0

# busybox nc stops at the first EOF it sees on either side: a listener
# whose stdin ends closes its half of the connection, and the peer may then
# quit before it has sent everything.  A FIFO opened read-write never ends.
mkfifo /tmp/hold
if [ "$role" = server ]; then
	head -c "$payload" /dev/urandom >/payload
	say "VFWD-PAYLOAD $(wc -c </payload) $(sha256sum </payload | cut -d' ' -f1)"
	(while :; do
		nc -l -p 5001 <>/tmp/hold >/tmp/rx
		say "VFWD-RX $(wc -c </tmp/rx) $(sha256sum </tmp/rx | cut -d' ' -f1)"
		rm -f /tmp/rx
	done) &
	(while :; do nc -l -p 5002 </payload; done) &
fi

agent() {
	stty -F /dev/ttyS1 raw -echo
	while read -r id cmd; do
		echo "@@BEGIN $id"
		sh -c "$cmd" </dev/null 2>&1
		echo "@@END $id $?"
	done </dev/ttyS1 >/dev/ttyS1
}
(while :; do agent; sleep 1; done) &

say "VFWD-READY $(cat /sys/class/net/eth0/address 2>/dev/null) $ip"
# PID 1 must never exit: the kernel would panic.
while :; do wait; sleep 3600; done
