#!/usr/bin/env bash
# CPU steering with a real multiqueue guest (issue 5).
#
#   wire netns           host netns (vfwd attached on the uplink)
#   ┌─────────┐  veth   ┌───────────────────────────────────────────────┐
#   │ w       ├─────────┤ u ─XDP (CPU 0)─CPUMAP─→ CPU c ─→ tap queue c%2 │
#   └─────────┘         │                          guest g: 2 vCPUs,     │
#                       │                          virtio0-input.0/.1    │
#                       └───────────────────────────────────────────────┘
#
# vfwd-gen injects the wire's frames on w from host CPU 0, so the uplink's
# XDP program runs on CPU 0.  Without steering the frames would finish
# there too, and tun would put them in tap queue 0 % 2 = 0.  With a CPU
# set, vfwd_uplink hands each frame through the CPUMAP to the port's CPU,
# where it enters the tap: tun picks queue (cpu % queues), which is guest
# rx queue N, whose interrupt the guest counts as virtio0-input.N.  So the
# guest's interrupt counters show which host CPU a frame finished on, and
# `vfwd stats --per-cpu` shows it from the host side.
#
# The guest's two vCPU threads ("CPU n/TCG", QEMU's debug-threads) are
# pinned crosswise with taskset: vCPU 0 on host CPU 1, vCPU 1 on CPU 0.
# In order:
#   1. `port add --vm-pid` reads that pinning: vcpu_cpus [1,0];
#   2. the guest runs both rx queues;
#   3. without --rps every frame goes to vCPU 0's CPU (1): input.1 only;
#   4. repinned straight, the port keeps its CPUs until `port set
#      --vm-pid` (or `port sync`) reads the new pinning, then frames go to
#      CPU 0: input.0 only; repinned crosswise again, `port sync` follows;
#   5. --rps spreads 64 flows over both CPUs and both queues;
#   6. `--cpus none` as the control: no steering, everything on CPU 0,
#      where vfwd-gen runs.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vm_lib.sh"

WIRE=$PFX-w
HOST=$PFX-h
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t
MG=52:54:00:3c:00:02
# The guest's address is not the one vfwd-gen's UDP frames are for
# (10.0.0.2), so its stack drops them quietly and sends nothing back; the
# driver's rx_packets and the queues' interrupts count them all the same.
IPG=10.52.0.2
# Where vfwd-gen runs, so where the uplink's XDP program runs.
GEN_CPU=0

# Traffic rounds: BURSTS runs of vfwd-gen, BURST frames each over FLOWS
# UDP flows.  vfwd-gen sends each flow's share GAP_US apart, so the guest
# sees small trains of frames and takes about one rx interrupt per flow
# per burst; its rx ring (256) and the tap's queue (500) never fill.  (A
# live-frame test run used to space them about 40 ms apart by itself; the
# AF_PACKET path vfwd-gen falls back to sends a burst in one train, which
# NAPI in a TCG guest takes with one or two interrupts.)
GAP_US=20000
BURSTS=5
BURST=200
FLOWS=64
SENT=$((BURSTS * BURST))
# Short rounds, where only the CPU matters.
SHORT=2
# The guest takes at least this many interrupts on the queue a round is
# steered to.  It takes about 64 per burst on an idle host (one per flow);
# NAPI coalesces more when the guest is slow, hence the wide margin.
MIN_IRQ=10
# ... and at most this many on the other queue, which gets no frame.
MAX_STRAY_IRQ=2
# Frames of a round the guest's driver must count, in per cent: a TCG
# guest on a loaded host might lose a few.  (It counted all of them in
# every run so far.)
MIN_RX_PCT=95

export VFWD_NETNS=$HOST
t_start=$SECONDS

# qemu_pid NAME: the QEMU process of guest NAME.  vm_start's pid is the
# `ip netns exec` that became `timeout`; QEMU is its child.
qemu_pid() {
	local parent c
	eval "parent=\${_vm_pid_$1:-}"
	[ -n "$parent" ] || return 1
	for c in $(pgrep -P "$parent"); do
		if tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null |
			grep -q -- "-name $PFX-$1,debug-threads=on"; then
			echo "$c"
			return 0
		fi
	done
	return 1
}
# vcpu_tid PID N: the thread of QEMU process PID that runs vCPU N.
vcpu_tid() {
	local t
	for t in /proc/"$1"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "CPU $2/TCG" ]; then
			basename "$t"
			return 0
		fi
	done
	return 1
}
# pin VCPU0_CPU VCPU1_CPU: pin the guest's vCPU threads to host CPUs.
pin() {
	taskset -pc "$1" "$T0" >/dev/null && taskset -pc "$2" "$T1" >/dev/null
}
# port_field FIELD: port vm's FIELD from port list; a list as "1,0".
port_field() {
	vfwd -j port list |
		jget "[(','.join(map(str, p['$1'])) if isinstance(p['$1'], list) else p['$1']) for p in d if p['name']=='vm'][0]"
}

# snap: the counters a round moves, as one line
#   "tx_cpu0 tx_cpu1 irq_input0 irq_input1 guest_rx_packets"
# tx_cpuN is the port's tx counted on host CPU N; irq_inputN the guest's
# interrupts of rx queue N, summed over its CPUs.
snap() {
	local tx irq rx
	tx=$(vfwd -j stats --port vm --per-cpu |
		jget "' '.join(str(sum(c['tx_packets'] for c in d['ports'][0]['per_cpu'] if c['cpu'] == n)) for n in (0, 1))") || return 1
	irq=$(vm_exec g 'grep virtio0-input /proc/interrupts') || return 1
	irq=$(echo "$irq" | awk '
		{ q = $NF; sub(/.*\./, "", q); s = 0
		  for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
		  n[q] = s }
		END { printf "%d %d", n[0], n[1] }')
	rx=$(vm_exec g 'cat /sys/class/net/eth0/statistics/rx_packets') || return 1
	echo "$tx $irq $rx"
}
# round [BURSTS BURST]: send a round of frames from the wire to the guest,
# generated on host CPU GEN_CPU, and set D_TX0 D_TX1 D_IRQ0 D_IRQ1 D_RX
# to what the counters grew by.
round() {
	local nb=${1:-$BURSTS} nf=${2:-$BURST} a b i
	a=$(snap) || return 1
	for ((i = 0; i < nb; i++)); do
		ip netns exec "$WIRE" taskset -c "$GEN_CPU" \
			"$GEN" --dev "$W" --dst "$MG" --count "$nf" --flows "$FLOWS" \
			--gap-us "$GAP_US" \
			>/dev/null || return 1
		sleep 0.1
	done
	# Let the guest drain its rx ring before the counters are read.
	sleep 1
	b=$(snap) || return 1
	read -r D_TX0 D_TX1 D_IRQ0 D_IRQ1 D_RX < <(
		paste -d' ' <(echo "$a" | tr ' ' '\n') <(echo "$b" | tr ' ' '\n') |
			awk '{ printf "%d ", $2 - $1 }')
	echo "ROUND: $TEST_NAME/$ROUND: sent $((nb * nf)): tx cpu0 +$D_TX0 cpu1 +$D_TX1, guest irq input.0 +$D_IRQ0 input.1 +$D_IRQ1, rx_packets +$D_RX"
}
# round_or_fail NAME [ARGS]: a round; a failure to send or to read a
# counter fails NAME (and the checks on its deltas then fail too).
round_or_fail() {
	local name=$1
	shift
	D_TX0=0 D_TX1=0 D_IRQ0=0 D_IRQ1=0 D_RX=0
	round "$@" || fail "$name" "could not send the round or read the counters"
}
# expect_steered NAME CPU SENT: the last round went to host CPU CPU, so to
# guest queue CPU % 2, and the guest counted it.
expect_steered() {
	local name=$1 cpu=$2 sent=$3 on_tx off_tx on_irq off_irq
	if [ "$cpu" = 0 ]; then
		on_tx=$D_TX0 off_tx=$D_TX1 on_irq=$D_IRQ0 off_irq=$D_IRQ1
	else
		on_tx=$D_TX1 off_tx=$D_TX0 on_irq=$D_IRQ1 off_irq=$D_IRQ0
	fi
	expect_eq "${name}_tx_on_cpu$cpu" "$sent" "$on_tx"
	expect_eq "${name}_no_tx_on_cpu$((1 - cpu))" 0 "$off_tx"
	expect_ge "${name}_irq_input$cpu" "$MIN_IRQ" "$on_irq" \
		"guest virtio0-input.$cpu interrupts during the round"
	# The other queue got no frame; allow a stray interrupt or two.
	expect_le "${name}_no_irq_input$((1 - cpu))" "$MAX_STRAY_IRQ" "$off_irq" \
		"guest virtio0-input.$((1 - cpu)) interrupts during the round"
	expect_ge "${name}_guest_rx" $((sent * MIN_RX_PCT / 100)) "$D_RX" \
		"guest eth0 rx_packets growth for $sent frames sent"
}

# The test pins vCPUs to host CPUs 0 and 1 and runs vfwd-gen on CPU 0.
if ! taskset -c 0 true 2>/dev/null || ! taskset -c 1 true 2>/dev/null; then
	echo "SKIP: $TEST_NAME: needs host CPUs 0 and 1 (this shell may run on $(taskset -pc $$ | sed 's/.*: //'))"
	exit 0
fi
check guest_image vm_image
[ "$FAILED" = 0 ] || finish

add_netns "$WIRE" && add_netns "$HOST" &&
	add_veth_ns "$UP" "$HOST" "$W" "$WIRE" &&
	vm_tap "$HOST" "$TAP" 2 ||
	{
		fail setup "namespaces, veth or tap"
		finish
	}
check attach vfwd attach "$UP"

vm_start g "$HOST" "$TAP" "$MG" "$IPG/24" 2
check boot vm_wait g
[ "$FAILED" = 0 ] || finish
t_boot=$SECONDS

# --- 1. --vm-pid reads QEMU's vCPU pinning ----------------------------------
Q=$(qemu_pid g)
T0=$(vcpu_tid "$Q" 0)
T1=$(vcpu_tid "$Q" 1)
if [ -z "$Q" ] || [ -z "$T0" ] || [ -z "$T1" ]; then
	fail vcpu_threads "QEMU pid '$Q', vCPU 0 thread '$T0', vCPU 1 thread '$T1'"
	finish
fi
pass vcpu_threads
check pin_crosswise pin 1 0
check port_add_vm_pid vfwd port add vm --dev "$TAP" --vm-pid "$Q"
check mac_add vfwd mac add "$MG" --port vm
expect_eq vm_pid_vcpu_cpus "1,0" "$(port_field vcpu_cpus)"
expect_eq vm_pid_cpus "1,0" "$(port_field cpus)"
expect_eq vm_pid_source vm-pid "$(port_field cpu_source)"
expect_eq vm_pid_pid "$Q" "$(port_field vm_pid)"
expect_eq vm_pid_placement same-cpu "$(port_field placement)"
expect_eq vm_pid_rps False "$(port_field rps)"
expect_eq vm_pid_tap_queues 2 "$(port_field tap_queues)"
expect_eq vm_pid_numa_nodes 0 "$(port_field numa_nodes)"

# --- 2. the guest runs both rx queues ---------------------------------------
irqs=$(vm_exec g 'grep virtio0-input /proc/interrupts')
if echo "$irqs" | grep -q 'virtio0-input\.0$' &&
	echo "$irqs" | grep -q 'virtio0-input\.1$'; then
	pass guest_two_rx_queues
else
	fail guest_two_rx_queues "guest /proc/interrupts: $(echo "$irqs" | tr '\n' '|')"
	finish
fi
expect_eq guest_queues "rx-0 rx-1 tx-0 tx-1" \
	"$(vm_exec g 'ls -1 /sys/class/net/eth0/queues' | tr '\n' ' ' | sed 's/ $//')"

# --- 3. without --rps: everything to vCPU 0's CPU -----------------------------
ROUND=to_vcpu0_on_cpu1
round_or_fail round_vcpu0_cpu1
expect_steered vcpu0_cpu1 1 "$SENT"

# --- 4. repinning, port set --vm-pid and port sync --------------------------
check pin_straight pin 0 1
# vfwd has no daemon: until told, the port keeps the CPUs it read.
ROUND=repinned_not_synced
round_or_fail round_repinned_not_synced "$SHORT"
expect_steered repinned_not_synced 1 $((SHORT * BURST))
check port_set_vm_pid vfwd port set vm --vm-pid "$Q"
expect_eq set_vm_pid_vcpu_cpus "0,1" "$(port_field vcpu_cpus)"
expect_eq set_vm_pid_cpus "0,1" "$(port_field cpus)"
ROUND=to_vcpu0_on_cpu0
round_or_fail round_vcpu0_cpu0
expect_steered vcpu0_cpu0 0 "$SENT"

check pin_crosswise_again pin 1 0
check port_sync vfwd port sync vm
expect_eq sync_vcpu_cpus "1,0" "$(port_field vcpu_cpus)"
expect_eq sync_cpus "1,0" "$(port_field cpus)"
expect_eq sync_source vm-pid "$(port_field cpu_source)"
ROUND=synced
round_or_fail round_synced "$SHORT"
expect_steered synced 1 $((SHORT * BURST))
# Nothing changed since: sync of all ports says so and keeps the CPUs.
out=$(vfwd port sync 2>&1)
case $out in
"unchanged port vm: CPUs 1,0 (vm-pid $Q,"*) pass sync_all_unchanged ;;
*) fail sync_all_unchanged "port sync printed: $(echo "$out" | tr '\n' '|')" ;;
esac
expect_eq sync_all_cpus "1,0" "$(port_field cpus)"

# --- 5. --rps: flows spread over both CPUs and both queues -------------------
check port_set_rps vfwd port set vm --rps
expect_eq rps_on True "$(port_field rps)"
expect_eq rps_cpus "1,0" "$(port_field cpus)"
# 64 flows of 20 frames each: 5 bursts of 4 frames per flow.
ROUND=rps
round_or_fail round_rps "$BURSTS" $((4 * FLOWS))
rps_sent=$((BURSTS * 4 * FLOWS))
expect_eq rps_tx_total "$rps_sent" $((D_TX0 + D_TX1))
expect_ge rps_tx_cpu0 $((rps_sent / 5)) "$D_TX0" "tx on CPU 0 of $rps_sent frames"
expect_ge rps_tx_cpu1 $((rps_sent / 5)) "$D_TX1" "tx on CPU 1 of $rps_sent frames"
expect_ge rps_irq_input0 "$MIN_IRQ" "$D_IRQ0" "guest virtio0-input.0 interrupts"
expect_ge rps_irq_input1 "$MIN_IRQ" "$D_IRQ1" "guest virtio0-input.1 interrupts"
expect_ge rps_guest_rx $((rps_sent * MIN_RX_PCT / 100)) "$D_RX" \
	"guest eth0 rx_packets growth for $rps_sent frames sent"

# --- 6. the control: no CPU set, no steering ----------------------------------
# The frames then finish where the uplink's XDP program ran, on vfwd-gen's
# CPU 0: it is the CPU set that moved them above.
check port_set_cpus_none vfwd port set vm --cpus none
expect_eq none_cpus "" "$(port_field cpus)"
expect_eq none_source none "$(port_field cpu_source)"
expect_eq none_rps False "$(port_field rps)"
ROUND=no_cpu_set
round_or_fail round_no_cpu_set "$SHORT"
expect_steered no_cpu_set 0 $((SHORT * BURST))

echo "TIME: test_vm_cpus: boot $((t_boot - t_start)) s, total $((SECONDS - t_start)) s"
finish
