#!/usr/bin/env bash
# CPU steering end to end (issue 5): frames for a port with a CPU set go
# through the CPUMAP to the chosen CPU, and tun's ndo_xdp_xmit puts them in
# tap queue (CPU % queues), so a 2-queue tap read by vfwd-sink shows where
# they went.  Covers --cpus, --rps, --placement, --vm-pid with a real
# (paused) QEMU and port sync, the CPUMAP entries, the JSON views, bad
# input, and the warning for a tap with too few queues for --rps.
# Needs CPUs 0 and 1 online.
source "$(dirname "$0")/../lib.sh"

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t    # vm1's 2-queue tap (vfwd-sink, restarted per phase)
CTAP=${PFX}c   # control port's 2-queue tap
XTAP=${PFX}x   # spare tap for refused port adds
STAP=${PFX}s   # single-queue tap (warning)
MTAP=${PFX}m   # multiqueue tap with one reader (warning)

M0=52:54:00:00:05:00   # control port
M1=52:54:00:00:05:01   # vm1

if ! grep -qE '^0-[1-9]' /sys/devices/system/cpu/online; then
	echo "SKIP: $TEST_NAME: needs CPUs 0 and 1 online (have $(cat /sys/devices/system/cpu/online))"
	finish
fi

# --- helpers ------------------------------------------------------------

# gen CPU ARGS... : inject frames on the wire side from CPU (the uplink
# program runs on the CPU that runs the generator).
gen() {
	local cpu=$1
	shift
	taskset -c "$cpu" ip netns exec "$WIRE" "$GEN" --dev "$W" "$@" >/dev/null
}
# wait_tx PORT N : until PORT has transmitted at least N frames (steered
# frames are counted on the target CPU, a moment after the generator ends).
wait_tx() {
	for _ in $(seq 100); do
		[ "$(port_stat "$1" tx_packets)" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# send PORT CPU COUNT GEN-ARGS... : generate and wait until delivered.
send() {
	local port=$1 cpu=$2 count=$3 before
	shift 3
	before=$(port_stat "$port" tx_packets)
	gen "$cpu" --count "$count" "$@"
	wait_tx "$port" $((before + count)) ||
		echo "warning: $port transmitted $(port_stat "$port" tx_packets), wanted $((before + count))" >&2
	# Counted in vfwd_cpu just before the redirect: let the CPUMAP
	# kthread hand the last frames to the tap before the sink stops.
	sleep 0.1
}
# Per-CPU tx counters of a port, as JSON {"cpu": n}.
pcpu() {
	vfwd -j stats --per-cpu --port "$1" |
		jget "json.dumps({str(e['cpu']): e['tx_packets'] for e in d['ports'][0]['per_cpu']})"
}
# pdelta BEFORE AFTER : "0=n 1=m", the per-CPU tx frames in between.
pdelta() {
	python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(" ".join("%d=%d" % (c, b.get(str(c), 0) - a.get(str(c), 0)) for c in (0, 1)))' "$1" "$2"
}
# sj NAME EXPR : evaluate EXPR over sink NAME's JSON (bound to d).
sj() { jget "$2" <"$TMPD/$1.json"; }
queues() { sj "$1" "' '.join(map(str, d['by_queue']))"; }
# CPUs with a CPUMAP entry, e.g. "0 1", or "none".
cpumap_keys() {
	bpftool -j map dump pinned "$PIN/vfwd_cpu_v4" | python3 -c '
import json, sys
keys = []
for e in json.load(sys.stdin):
    f = e.get("formatted", e)
    if isinstance(f.get("value"), (list, dict)) and not (isinstance(f["value"], dict) and "error" in f["value"]):
        k = f["key"]
        keys.append(k if isinstance(k, int) else int.from_bytes(bytes(int(x, 16) for x in k), "little"))
print(" ".join(map(str, sorted(keys))) or "none")'
}
# pfield PORT EXPR : EXPR over PORT's entry in `port list -j` (bound to p).
pfield() { vfwd -j port list | jget "[eval(sys.argv[2], {'p': p}) for p in d if p['name']=='$1'][0]" "$2"; }
sfield() { vfwd -j status | jget "[eval(sys.argv[2], {'p': p}) for p in d['ports'] if p['name']=='$1'][0]" "$2"; }
CPUFIELDS="(p['cpus'], p['vcpu_cpus'], p['cpu_source'], p['vm_pid'], p['placement'], p['rps'], p['numa_nodes'], p['tap_queues'])"

# vm1's sink, (re)started per phase so each phase counts only its own
# frames; the port is pointed at the new tap (same name, new device).
vm1_sink() {
	start_sink "$1" "$SINK" --tap "$TAP" --queues 2 || return 1
	[ "${2:-}" = new ] || vfwd port set vm1 --dev "$TAP" >/dev/null
}

# reconfigure NAME SINK CPUMAP JSON ARGS... : with vm1 on a new sink SINK,
# `port set vm1 ARGS` (NAME_port_set); then the CPUMAP must have entries
# for the CPUs CPUMAP (NAME_cpumap) and port list must show JSON as
# CPUFIELDS (NAME_json).
reconfigure() {
	local name=$1 sink=$2 keys=$3 json=$4
	shift 4
	vm1_sink "$sink" || fail setup "vm1 sink $sink"
	check "${name}_port_set" vfwd port set vm1 "$@"
	expect_eq "${name}_cpumap" "$keys" "$(cpumap_keys)"
	expect_eq "${name}_json" "$json" "$(pfield vm1 "$CPUFIELDS")"
}
# deliver NAME SINK CPU COUNT QCHECK QUEUES PER_CPU [GEN-ARGS...] : send
# COUNT frames to vm1 from CPU and stop sink SINK (NAME_sink): it must
# have read QUEUES per tap queue ("n m"), checked as QCHECK.  Unless
# PER_CPU is -, vm1's tx per CPU must have grown by it ("0=n 1=m",
# NAME_per_cpu_tx).
deliver() {
	local name=$1 sink=$2 cpu=$3 count=$4 qcheck=$5 queues=$6 per_cpu=$7 pc
	shift 7
	[ "$per_cpu" = - ] || pc=$(pcpu vm1)
	send vm1 "$cpu" "$count" --dst "$M1" "$@"
	[ "$per_cpu" = - ] ||
		expect_eq "${name}_per_cpu_tx" "$per_cpu" "$(pdelta "$pc" "$(pcpu vm1)")"
	stop_sink "$sink" || fail "${name}_sink" "no counts"
	expect_eq "$qcheck" "$queues" "$(queues "$sink")"
}
# same_flows SAVED SINK : "True" when sink SINK saw the 64 flows of the
# saved sink JSON SAVED, each in the same queue.
same_flows() {
	python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["by_flow"]
b = json.load(open(sys.argv[2]))["by_flow"]
print(len(a) == 64 and a == b)' "$1" "$TMPD/$2.json"
}

# QEMU: paused, no guest, but its vCPU threads exist.
qemu_start() {
	qemu-system-x86_64 -accel tcg -smp 2 -m 64 -nodefaults -display none -S "$@" \
		</dev/null >/dev/null 2>"$TMPD/qemu.$#.err" &
	QPID=$!
	_pids+=("$QPID")
}
vcpu_tid() { grep -lx "CPU $2/TCG" /proc/"$1"/task/*/comm 2>/dev/null | cut -d/ -f5; }
# pin_vcpus PID CPU_OF_VCPU0 CPU_OF_VCPU1
pin_vcpus() {
	taskset -pc "$2" "$(vcpu_tid "$1" 0)" >/dev/null &&
		taskset -pc "$3" "$(vcpu_tid "$1" 1)" >/dev/null
}

# --- setup --------------------------------------------------------------

# The QEMUs start first: they need a moment to create their threads.
qemu_start -name "$PFX,debug-threads=on"
QEMU=$QPID
qemu_start
QEMU_NONAME=$QPID
sleep 100 &
SLEEP=$!
_pids+=("$SLEEP")

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" || { fail setup "netns/veth"; finish; }
ip tuntap add dev "$XTAP" mode tap && track_link "$XTAP" || { fail setup "tap"; finish; }
track_link "$TAP"
track_link "$CTAP"
start_sink ctl "$SINK" --tap "$CTAP" --queues 2 || { fail setup "control sink"; finish; }

check attach vfwd attach "$UP"
check ctl_port_add vfwd port add ctl --dev "$CTAP"
check ctl_mac_add vfwd mac add "$M0" --port ctl
expect_eq cpumap_empty_at_start none "$(cpumap_keys)"

# --- 4. control: no CPU set, the generating CPU picks the queue ---------

# (tap_queues is only read when a CPU set is given: docs/vfwd.md.)
NOCPUFIELDS="(p['cpus'], p['vcpu_cpus'], p['cpu_source'], p['vm_pid'], p['placement'], p['rps'], p['numa_nodes'])"
expect_eq control_json_no_cpus "([], [], 'none', None, 'off', False, [])" "$(pfield ctl "$NOCPUFIELDS")"
send ctl 1 200 --dst "$M0"
send ctl 0 100 --dst "$M0"
stop_sink ctl || fail ctl_sink "no counts"
expect_eq control_queue_follows_rx_cpu "100 200" "$(queues ctl)"

# --- 1. --cpus 1: frames from CPU 0 land in queue 1 ---------------------

vm1_sink s1 new || { fail setup "vm1 sink"; finish; }
check cpus1_port_add vfwd port add vm1 --dev "$TAP" --cpus 1
check cpus1_mac_add vfwd mac add "$M1" --port vm1
expect_eq cpus1_cpumap "1" "$(cpumap_keys)"
# 6. JSON views.
expect_eq cpus1_json_port_list "([1], [1], 'cpus', None, 'same-cpu', False, [0], 2)" \
	"$(pfield vm1 "$CPUFIELDS")"
expect_eq cpus1_json_status "([1], [1], 'cpus', None, 'same-cpu', False, [0], 2)" \
	"$(sfield vm1 "$CPUFIELDS")"
deliver cpus1 s1 0 200 cpus1_queues "0 200" "0=0 1=200"

# --- 2. port set --cpus 0: frames from CPU 1 land in queue 0 ------------

reconfigure cpus0 s2 "0" "([0], [0], 'cpus', None, 'same-cpu', False, [0], 2)" \
	--cpus 0
deliver cpus0 s2 1 200 cpus0_queues "200 0" "0=200 1=0"

# --- 3. --cpus 0,1 --rps: flows spread, each flow on one queue ----------

reconfigure rps s3 "0 1" "([0, 1], [0, 1], 'cpus', None, 'same-cpu', True, [0], 2)" \
	--cpus 0,1 --rps
expect_eq rps_json_status "([0, 1], [0, 1], 'cpus', None, 'same-cpu', True, [0], 2)" \
	"$(sfield vm1 "$CPUFIELDS")"
pc=$(pcpu vm1)
send vm1 0 640 --dst "$M1" --flows 64
pd=$(pdelta "$pc" "$(pcpu vm1)")
stop_sink s3 || fail rps_sink "no counts"
expect_eq rps_total 640 "$(sj s3 "d['total']")"
expect_eq rps_flows 64 "$(sj s3 "len(d['by_flow'])")"
expect_eq rps_flows_single_queue 0 "$(sj s3 "d['flows_multi_queue']")"
expect_eq rps_each_queue_20pct True "$(sj s3 "min(d['by_queue']) >= 0.2 * sum(d['by_queue'])")"
q=$(queues s3)
expect_eq rps_per_cpu_equals_queues "0=${q% *} 1=${q#* }" "$pd"
# The flow hash, not the receiving CPU, picks the queue: the same flows
# received on CPU 1 land in the same queues as before.
cp "$TMPD/s3.json" "$TMPD/s3-saved.json"
vm1_sink s3b || fail setup "vm1 sink s3b"
send vm1 1 640 --dst "$M1" --flows 64
stop_sink s3b || fail rps_sink_b "no counts"
expect_eq rps_same_queue_from_other_cpu True "$(same_flows "$TMPD/s3-saved.json" s3b)"

# --- 3b. hot upgrade: a re-run attach gives every CPUMAP entry the new
# vfwd_cpu, and steering goes on -----------------------------------------

# Program id of each CPUMAP entry, e.g. "0:812 1:812".
cpumap_progs() {
	bpftool -j map dump pinned "$PIN/vfwd_cpu_v4" | python3 -c '
import json, struct, sys
out = []
for e in json.load(sys.stdin):
    k, v = e.get("key"), e.get("value")
    if not isinstance(v, list):
        continue
    cpu = struct.unpack("<I", bytes(int(x, 16) for x in k))[0]
    qsize, prog = struct.unpack("<II", bytes(int(x, 16) for x in v))
    out.append("%d:%d" % (cpu, prog))
print(" ".join(sorted(out)) or "none")'
}
before_progs=$(cpumap_progs)
check upgrade_attach vfwd attach "$UP"
after_progs=$(cpumap_progs)
expect_eq upgrade_cpumap_keys "0 1" "$(cpumap_keys)"
if [ "$before_progs" != "$after_progs" ] && [[ $after_progs != *":0"* ]]; then
	pass upgrade_cpumap_new_prog
else
	fail upgrade_cpumap_new_prog "CPUMAP programs before '$before_progs', after '$after_progs'"
fi
vm1_sink s3c || fail setup "vm1 sink s3c"
send vm1 0 640 --dst "$M1" --flows 64
stop_sink s3c || fail upgrade_sink "no counts"
expect_eq upgrade_same_queues True "$(same_flows "$TMPD/s3-saved.json" s3c)"

# --- 5. CPUMAP without --rps: only the first CPU is used ----------------

reconfigure norps s4 "0" "([0, 1], [0, 1], 'cpus', None, 'same-cpu', False, [0], 2)" \
	--cpus 0,1 --no-rps
deliver norps s4 1 100 norps_all_to_first_cpu "100 0" - --flows 16

# --- 7. placement ---------------------------------------------------------

# same-node on a one-node host with CPUs 0-1: vCPU on CPU 0 -> CPU 1.
reconfigure same_node s5 "1" "([1], [0], 'cpus', None, 'same-node', False, [0], 2)" \
	--cpus 0 --placement same-node
deliver same_node s5 0 100 same_node_queue "0 100" -

# off: the CPU set is kept but nothing is steered.
vm1_sink s6 || fail setup "vm1 sink s6"
check placement_off_port_set vfwd port set vm1 --cpus 1 --placement off
expect_eq placement_off_json "('cpus', 'off', False)" \
	"$(pfield vm1 "(p['cpu_source'], p['placement'], p['rps'])")"
expect_eq placement_off_cpumap none "$(cpumap_keys)"
pc=$(pcpu vm1)
send vm1 0 100 --dst "$M1"
send vm1 1 50 --dst "$M1"
expect_eq placement_off_per_cpu_tx "0=100 1=50" "$(pdelta "$pc" "$(pcpu vm1)")"
stop_sink s6 || fail placement_off_sink "no counts"
expect_eq placement_off_not_steered "100 50" "$(queues s6)"

# --cpus none drops the CPU set and its CPUMAP entry.
check cpus_again vfwd port set vm1 --cpus 1 --placement same-cpu
expect_eq cpus_again_cpumap "1" "$(cpumap_keys)"
check cpus_none vfwd port set vm1 --cpus none
expect_eq cpus_none_cpumap none "$(cpumap_keys)"
expect_eq cpus_none_json "([], [], 'none', None, 'off', False, [])" \
	"$(pfield vm1 "$NOCPUFIELDS")"

# port del drops them too.
check del_setup vfwd port set vm1 --cpus 0,1 --rps
expect_eq del_setup_cpumap "0 1" "$(cpumap_keys)"
check port_del vfwd port del vm1 --force
expect_eq port_del_cpumap none "$(cpumap_keys)"
# port add with several CPUs and no --rps: only the first is used (the
# tap has no reader; steering is set up all the same).
check add_multi_norps vfwd port add vm2 --dev "$XTAP" --cpus 1,0
expect_eq add_multi_norps_cpumap "1" "$(cpumap_keys)"
check add_multi_norps_del vfwd port del vm2
expect_eq add_multi_norps_del_cpumap none "$(cpumap_keys)"

# --- 8. --vm-pid with a real QEMU ----------------------------------------

qemu_ok=0
for _ in $(seq 100); do
	[ -n "$(vcpu_tid "$QEMU" 0)" ] && [ -n "$(vcpu_tid "$QEMU" 1)" ] && { qemu_ok=1; break; }
	kill -0 "$QEMU" 2>/dev/null || break
	sleep 0.1
done
if [ "$qemu_ok" = 1 ]; then
	pass qemu_vcpu_threads
else
	fail qemu_vcpu_threads "no 'CPU n/TCG' threads in QEMU $QEMU: $(cat "$TMPD"/qemu.*.err 2>/dev/null | tr '\n' ' ')"
fi
check vm_pin_reversed pin_vcpus "$QEMU" 1 0
vm1_sink s7 new || fail setup "vm1 sink s7"
check vm_port_add vfwd port add vm1 --dev "$TAP" --vm-pid "$QEMU"
check vm_mac_add vfwd mac add "$M1" --port vm1
expect_eq vm_json "([1, 0], [1, 0], 'vm-pid', $QEMU, 'same-cpu', False, [0], 2)" \
	"$(pfield vm1 "$CPUFIELDS")"
expect_eq vm_json_status "([1, 0], [1, 0], 'vm-pid', $QEMU, 'same-cpu', False, [0], 2)" \
	"$(sfield vm1 "$CPUFIELDS")"
expect_eq vm_cpumap "1" "$(cpumap_keys)"
deliver vm s7 0 100 vm_queue_vcpu0_cpu "0 100" -

# Repinned: nothing changes until port sync.
vm1_sink s8 || fail setup "vm1 sink s8"
check vm_repin pin_vcpus "$QEMU" 0 1
expect_eq vm_repin_not_followed_yet "[1, 0]" "$(pfield vm1 "p['cpus']")"
check vm_port_sync vfwd port sync vm1
expect_eq vm_sync_json "([0, 1], [0, 1], 'vm-pid', $QEMU)" \
	"$(pfield vm1 "(p['cpus'], p['vcpu_cpus'], p['cpu_source'], p['vm_pid'])")"
expect_eq vm_sync_cpumap "0" "$(cpumap_keys)"
deliver vm_sync s8 1 100 vm_sync_queue "100 0" -

# port sync without a name syncs every --vm-pid port.
check vm_repin_reversed_again pin_vcpus "$QEMU" 1 0
check vm_port_sync_all vfwd port sync
expect_eq vm_sync_all_cpus "[1, 0]" "$(pfield vm1 "p['cpus']")"

# port set --vm-pid re-reads the pinning too.
vm1_sink s9 || fail setup "vm1 sink s9"
check vm_repin_straight pin_vcpus "$QEMU" 0 1
check vm_port_set_vm_pid vfwd port set vm1 --vm-pid "$QEMU"
expect_eq vm_set_json "([0, 1], [0, 1], 'vm-pid', $QEMU)" \
	"$(pfield vm1 "(p['cpus'], p['vcpu_cpus'], p['cpu_source'], p['vm_pid'])")"
deliver vm_set s9 1 100 vm_set_queue "100 0" -
check vm_rps vfwd port set vm1 --rps
expect_eq vm_rps_cpumap "0 1" "$(cpumap_keys)"

# --- 9. bad input: refused with the cause, nothing changed ----------------

# Wait until the other QEMU has exec'd, so it is seen as QEMU.
for _ in $(seq 50); do
	case $(readlink "/proc/$QEMU_NONAME/exe") in */qemu-system-*) break ;; esac
	sleep 0.1
done
snapshot() {
	state_snapshot
	cpumap_keys
	bpftool -j map dump pinned "$PIN/vfwd_cpu_v4" | sha256sum
}
snap=$(snapshot)
# bad NAME PATTERN COMMAND... : refused with one error line matching
# PATTERN, and every table as it was.
bad() {
	local name=$1 pat=$2
	shift 2
	refuse "$name" "$@"
	if grep -qiE -- "$pat" "$TMPD/refuse.err"; then
		pass "${name}_says_why"
	else
		fail "${name}_says_why" "error does not match '$pat': $(cat "$TMPD/refuse.err")"
	fi
	expect_eq "${name}_unchanged" "$snap" "$(snapshot)"
}
bad bad_cpu_2 'CPU 2 does not exist' vfwd port add vm2 --dev "$XTAP" --cpus 2
bad bad_cpu_4095 'CPU 4095 does not exist' vfwd port add vm2 --dev "$XTAP" --cpus 4095
bad bad_cpu_set_2 'CPU 2 does not exist' vfwd port set vm1 --cpus 0,2
echo 0 >"$TMPD/online"
offline() {
	unshare -m --propagation private sh -c \
		'mount --bind "$0" /sys/devices/system/cpu/online && exec "$@"' \
		"$TMPD/online" "$VFWD_BIN" --pin-path "$PIN" "$@"
}
bad bad_cpu_offline 'CPU 1 is offline' offline port add vm2 --dev "$XTAP" --cpus 1
bad bad_cpu_offline_set 'CPU 1 is offline' offline port set vm1 --cpus 0,1
bad bad_vm_pid_not_qemu 'not a QEMU process' vfwd port add vm2 --dev "$XTAP" --vm-pid "$SLEEP"
bad bad_vm_pid_no_threads 'debug-threads' vfwd port add vm2 --dev "$XTAP" --vm-pid "$QEMU_NONAME"
bad bad_vm_pid_no_threads_set 'debug-threads' vfwd port set vm1 --vm-pid "$QEMU_NONAME"
bad bad_vm_pid_gone 'no process with PID 999999999' vfwd port add vm2 --dev "$XTAP" --vm-pid 999999999
bad bad_rps_one_cpu 'rps needs at least two CPUs' vfwd port add vm2 --dev "$XTAP" --cpus 1 --rps
bad bad_rps_placement_off 'placement off' vfwd port add vm2 --dev "$XTAP" --cpus 0,1 --rps --placement off
bad bad_rps_set_placement_off 'placement off' vfwd port set vm1 --placement off
bad bad_cpus_and_vm_pid 'cpus and --vm-pid' vfwd port add vm2 --dev "$XTAP" --cpus 0 --vm-pid "$QEMU"
bad bad_rps_no_cpus 'need a CPU set' vfwd port add vm2 --dev "$XTAP" --rps
bad bad_placement_no_cpus 'need a CPU set' vfwd port add vm2 --dev "$XTAP" --placement same-node
bad bad_set_rps_no_cpus 'need a CPU set' vfwd port set ctl --rps
bad bad_set_none_rps 'need a CPU set' vfwd port set vm1 --cpus none --rps
bad bad_cpus_dup "invalid --cpus '1,1'" vfwd port add vm2 --dev "$XTAP" --cpus 1,1
bad bad_cpus_text "invalid --cpus 'x'" vfwd port add vm2 --dev "$XTAP" --cpus x
bad bad_placement "invalid --placement 'bogus'" vfwd port add vm2 --dev "$XTAP" --cpus 0 --placement bogus
expect_eq bad_ports_after True "$(vfwd -j port list | jget "sorted(p['name'] for p in d) == sorted(['ctl', '$UP', 'vm1'])")"

# --- 10. a tap with fewer queues than --rps CPUs: warning ----------------

check_warn() {
	local name=$1 port=$2 dev=$3
	if vfwd port add "$port" --dev "$dev" --cpus 0,1 --rps >"$TMPD/$name.out" 2>"$TMPD/$name.err"; then
		pass "${name}_succeeds"
	else
		fail "${name}_succeeds" "$(cat "$TMPD/$name.err")"
	fi
	if grep -q 'warning:.*queue' "$TMPD/$name.err"; then
		pass "${name}_warning"
	else
		fail "${name}_warning" "no 'warning: ... queue' on stderr (stderr: '$(tr '\n' ' ' <"$TMPD/$name.err")')"
	fi
}
# A single-queue tap (QEMU's default, no queues=N).
track_link "$STAP"
if start_sink one "$SINK" --tap "$STAP"; then
	check_warn warn_single_queue w1 "$STAP"
	expect_eq warn_single_queue_tap_queues 1 "$(pfield w1 "p['tap_queues']")"
	check warn_single_queue_del vfwd port del w1
	stop_sink one
else
	fail warn_single_queue "sink"
fi
# A multiqueue tap with one reader.
cat >"$TMPD/mq1.py" <<'PY'
import fcntl, os, struct, sys
TUNSETIFF, IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE = 0x400454ca, 0x2, 0x1000, 0x100
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(),
                                       IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE))
os.system("ip link set dev %s up" % sys.argv[1])
open(sys.argv[2], "w").write("ready\n")
while True:
    os.read(fd, 65536)
PY
track_link "$MTAP"
python3 "$TMPD/mq1.py" "$MTAP" "$TMPD/mq1.ready" 2>"$TMPD/mq1.err" &
_pids+=("$!")
for _ in $(seq 50); do [ -s "$TMPD/mq1.ready" ] && break; sleep 0.05; done
check_warn warn_mq_one_reader w2 "$MTAP"
expect_eq warn_mq_one_reader_tap_queues 1 "$(pfield w2 "p['tap_queues']")"
check warn_mq_one_reader_del vfwd port del w2

# Last port with a CPU set goes: no CPUMAP entry is left.
check final_port_del vfwd port del vm1 --force
expect_eq final_cpumap none "$(cpumap_keys)"

finish
