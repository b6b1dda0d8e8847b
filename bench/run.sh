#!/usr/bin/env bash
# Run every vfwd benchmark in one go and merge what they measured, with
# the facts about the machine, into one results file (issue 6):
#
#   paths       build/bench_paths      forwarding paths, Mpps per size x flows
#   prog_cost   build/bench_prog_cost  ns/packet of each program over a stub
#   control     build/bench_control    MAC table updates per second
#   vlan_pop    build/vlan_pop         VLAN tag removal (text output, parsed)
#   cpumap_hop  build/cpumap_hop       the CPUMAP hop against direct delivery
#   guest_tcp   bench/guest_tcp.sh     guest TCP through vfwd and a bridge
#   xsk_path    bench/xsk_path.sh      the AF_XDP guest path: vfwd, DPDK and
#                                      Open vSwitch to a testpmd guest
#
# Each tool writes its JSON into a private temporary directory.  A tool
# that is missing, fails or times out is recorded as such, with the tail
# of its stderr, and the run goes on.  bench/report.py then merges
# everything into the results file and, for a full run, regenerates
# docs/benchmarks.md and docs/bench-paths.png from it.
#
# usage: bench/run.sh [--quick] [--out FILE] [--docs | --no-docs]
#                     [--only NAME,NAME...]
#
#   --quick    for development, under 2 minutes: paths, prog_cost and
#              control with --quick, vlan_pop and cpumap_hop short (3
#              rounds of 500,000 frames), no guest_tcp or xsk_path.
#              Results go to $VFWD_BUILD/bench/quick-<UTC date>T<time>Z.json,
#              never to bench/results/, and the docs are left alone unless
#              --docs.
#   --out      the results file (default: bench/results/<UTC date>.json,
#              or <date>-2.json, -3... if a full run of that day exists)
#   --docs     regenerate the docs (the default for a full run)
#   --no-docs  do not (the default for --quick)
#   --only     run only these tools (names as above); the rest are
#              recorded as skipped
#
# Environment: VFWD_BUILD (default build/) holds the binaries;
# VFWD_BENCH_TIMEOUT (default 3600) limits each tool of a full run, in
# seconds; PYTHON (default /usr/bin/python3, Debian's, which has
# python3-matplotlib) runs bench/report.py.
#
# Exit status: 0 if every tool that ran succeeded, 1 if one did not (the
# results file is written anyway), 2 for bad usage or if nothing could be
# written.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
B=${VFWD_BUILD:-$ROOT/build}
B=$(cd "$B" 2>/dev/null && pwd) || {
	echo "bench/run.sh: build directory ${VFWD_BUILD:-$ROOT/build} does not exist: run make" >&2
	exit 2
}
export VFWD_BUILD=$B
TIMEOUT=${VFWD_BENCH_TIMEOUT:-3600}
# bench-quick must end within 2 minutes: tools get what is left of this.
QUICK_BUDGET=110
# What the tools keep of stderr/stdout in the results file.
TAIL_LINES=40

usage() {
	sed -n '/^# usage:/,/^#   --only/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

QUICK=0 RESULTS= DOCS= ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--out) [ $# -ge 2 ] || usage; RESULTS=$2; shift ;;
	--out=*) RESULTS=${1#--out=} ;;
	--docs) DOCS=1 ;;
	--no-docs) DOCS=0 ;;
	--only) [ $# -ge 2 ] || usage; ONLY=$2; shift ;;
	--only=*) ONLY=${1#--only=} ;;
	-h | --help) usage ;;
	*) echo "bench/run.sh: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[ -n "$DOCS" ] || DOCS=$((1 - QUICK))
[ -x "$PY" ] || { echo "bench/run.sh: $PY not found (apt-get install python3-matplotlib)" >&2; exit 2; }

DATE=$(date -u +%Y-%m-%d)
if [ -z "$RESULTS" ]; then
	if [ $QUICK = 1 ]; then
		RESULTS=$B/bench/quick-$(date -u +%Y-%m-%dT%H%M%SZ).json
	else
		RESULTS=$ROOT/bench/results/$DATE.json
		n=2
		while [ -e "$RESULTS" ]; do
			RESULTS=$ROOT/bench/results/$DATE-$n.json
			n=$((n + 1))
		done
	fi
fi
mkdir -p "$(dirname "$RESULTS")" || exit 2

RUN=$(mktemp -d /tmp/vfwd-bench.XXXXXX) || exit 2
trap 'rm -rf "$RUN"' EXIT
# A tool runs in the background in its own process group (timeout's), so
# that on a signal it and everything it started can be stopped here.
TOOL_PID=
trap 'echo "bench/run.sh: interrupted" >&2; [ -n "$TOOL_PID" ] && kill -TERM "$TOOL_PID" 2>/dev/null; exit 130' INT TERM HUP
mkdir -p "$RUN/facts/vulnerabilities" "$RUN/tools" "$RUN/run"
START=$(date +%s)

# --- The run and the machine ---------------------------------------------
echo "$QUICK" >"$RUN/run/quick"
# The arguments are gone after the loop: rebuild them.
{
	printf 'bench/run.sh'
	[ $QUICK = 1 ] && printf ' --quick'
	[ -n "$ONLY" ] && printf ' --only %s' "$ONLY"
	echo
} >"$RUN/run/command"
date -u +%Y-%m-%dT%H:%M:%SZ >"$RUN/run/started"
echo "$B" >"$RUN/run/build"

fact() { # NAME COMMAND...: the command's output, if it succeeds
	"${@:2}" >"$RUN/facts/$1" 2>/dev/null || rm -f "$RUN/facts/$1"
}
fact kernel uname -r
fact machine uname -m
fact nproc nproc
fact cpu_model sh -c "grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//'"
fact bpf_jit_enable cat /proc/sys/net/core/bpf_jit_enable
fact bpf_jit_harden cat /proc/sys/net/core/bpf_jit_harden
fact bpf_jit_kallsyms cat /proc/sys/net/core/bpf_jit_kallsyms
fact bpf_stats_enabled cat /proc/sys/kernel/bpf_stats_enabled
# "kvm", "kvm, container docker", "container docker"...: none is left out.
fact virt sh -c 'v=$(systemd-detect-virt --vm); c=$(systemd-detect-virt --container)
	[ "$c" = none ] && echo "$v" || echo "${v%none}${v:+, }container $c" | sed "s/^none, //; s/^, //"'
fact governor cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
fact loadavg_start cat /proc/loadavg
fact qemu_running_start sh -c 'pgrep -c -f "^[^ ]*qemu-system" || true'
for f in /sys/devices/system/cpu/vulnerabilities/*; do
	[ -f "$f" ] && cat "$f" >"$RUN/facts/vulnerabilities/$(basename "$f")" 2>/dev/null
done
# Installed versions only ("ii"), of what builds or runs the benchmarks.
dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\n' \
	libbpf1 libbpf-dev libxdp1 libxdp-dev bpftool 'clang' 'clang-[0-9]*' \
	'llvm-[0-9]*' gcc 'gcc-[0-9]*' qemu-system-x86 iperf3 dpdk openvswitch-switch-dpdk 2>/dev/null |
	awk -F '\t' '$1 ~ /^ii/ && $2 !~ /^(gcc|clang|llvm)-[0-9]+-./ { print $2 "\t" $3 }' \
		>"$RUN/facts/packages"
# Read-only: which source the binaries were (presumably) built from.
if git -C "$ROOT" rev-parse --verify -q HEAD >"$RUN/facts/commit" 2>/dev/null; then
	git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null && echo 0 >"$RUN/facts/dirty" ||
		echo 1 >"$RUN/facts/dirty"
else
	rm -f "$RUN/facts/commit"
fi
[ "$(id -u)" = 0 ] || echo "bench/run.sh: not root: the benchmarks will fail (they need CAP_BPF and CAP_NET_ADMIN)" >&2

# --- The tools ------------------------------------------------------------
wanted() { # NAME: is it in --only (or is there no --only)?
	[ -z "$ONLY" ] && return 0
	case ",$ONLY," in *",$1,"*) return 0 ;; esac
	return 1
}

FAILED=0
# run_tool NAME FILE CMD...: unless FILE (the tool) is missing, run CMD
# with @JSON@ replaced by the tool's JSON file, and OUT set to it too
# (guest_tcp.sh's way); record status (ok, failed, timeout, missing,
# skipped), exit code, duration, and stdout and stderr.
run_tool() {
	local name=$1 d=$RUN/tools/$1 bin=$2 limit=$TIMEOUT rc t0 t1 a
	local -a args=()
	shift 2
	mkdir -p "$d"
	echo "$name" >>"$RUN/tools/order"
	if ! wanted "$name"; then
		echo skipped >"$d/status"
		echo "not in --only $ONLY" >"$d/why"
		return
	fi
	if [ $QUICK = 1 ]; then
		limit=$((QUICK_BUDGET - ($(date +%s) - START)))
		if [ $limit -le 0 ]; then
			echo skipped >"$d/status"
			echo "the quick run's ${QUICK_BUDGET}s budget was used up before it" >"$d/why"
			echo "== $name: skipped (quick budget used up)" >&2
			return
		fi
	fi
	for a in "$@"; do args+=("${a//@JSON@/$d/result.json}"); done
	printf '%s\n' "${args[*]}" | sed "s|$d/result.json|RESULT.json|g; s|$B/|\$VFWD_BUILD/|g; s|$ROOT/||g" >"$d/cmd"
	# A script is run by its interpreter, so only binaries must be executable.
	if [ ! -f "$bin" ] || { [ ! -x "$bin" ] && [ "${bin%.sh}" = "$bin" ]; }; then
		echo missing >"$d/status"
		echo "${bin#"$ROOT"/} does not exist (not built yet?)" >"$d/why"
		echo "== $name: MISSING ($bin)" >&2
		FAILED=1
		return
	fi
	echo "== $name: $(cat "$d/cmd")" >&2
	t0=$(date +%s.%N)
	# timeout signals the tool's whole process group (a script's children
	# too); -k: a tool that ignores TERM is killed 15 s later.  Its
	# stdout is shown as it comes.
	: >"$d/stdout"
	OUT=$d/result.json timeout -k 15 "$limit" "${args[@]}" \
		>"$d/stdout" 2>"$d/stderr" </dev/null &
	TOOL_PID=$!
	tail -n +1 --pid="$TOOL_PID" -f "$d/stdout" &
	wait "$TOOL_PID"
	rc=$?
	t1=$(date +%s.%N)
	TOOL_PID=
	wait
	echo "$rc" >"$d/rc"
	echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }' >"$d/seconds"
	echo "$limit" >"$d/limit"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo timeout >"$d/status"
		echo "timed out after ${limit}s" >"$d/why"
	elif [ "$rc" != 0 ]; then
		echo failed >"$d/status"
		echo "exit status $rc" >"$d/why"
	else
		echo ok >"$d/status"
	fi
	if [ "$(cat "$d/status")" != ok ]; then
		FAILED=1
		echo "== $name: $(cat "$d/status"): $(cat "$d/why"); stderr ends:" >&2
		tail -n 15 "$d/stderr" | sed 's/^/   /' >&2
	elif [ -s "$d/stderr" ]; then
		tail -n 15 "$d/stderr" >&2
	fi
}

skip_tool() { # NAME WHY
	mkdir -p "$RUN/tools/$1"
	echo "$1" >>"$RUN/tools/order"
	echo skipped >"$RUN/tools/$1/status"
	echo "$2" >"$RUN/tools/$1/why"
}

if [ $QUICK = 1 ]; then
	run_tool paths "$B/bench_paths" "$B/bench_paths" --quick --json @JSON@
	run_tool prog_cost "$B/bench_prog_cost" "$B/bench_prog_cost" --quick --json @JSON@
	run_tool control "$B/bench_control" "$B/bench_control" --quick --json @JSON@
	# Short runs: at this length noise can exceed the differences they
	# measure (docs/benchmarks.md, VLAN tag); for development only.
	run_tool vlan_pop "$B/vlan_pop" "$B/vlan_pop" --rounds 3 --frames 500000
	run_tool cpumap_hop "$B/cpumap_hop" "$B/cpumap_hop" --rounds 3 --frames 500000 --json @JSON@
	skip_tool guest_tcp "not in a quick run (boots two QEMU guests under TCG: minutes)"
	skip_tool xsk_path "not in a quick run (three switches, three frame sizes, 3 rounds of 3,000,000 frames: about 15 minutes)"
else
	run_tool paths "$B/bench_paths" "$B/bench_paths" --json @JSON@
	run_tool prog_cost "$B/bench_prog_cost" "$B/bench_prog_cost" --json @JSON@
	run_tool control "$B/bench_control" "$B/bench_control" --json @JSON@
	run_tool vlan_pop "$B/vlan_pop" "$B/vlan_pop"
	run_tool cpumap_hop "$B/cpumap_hop" "$B/cpumap_hop" --json @JSON@
	# 5 rounds of 5 s (issue 6: at least 5 rounds); it writes to $OUT.
	run_tool guest_tcp "$ROOT/bench/guest_tcp.sh" bash "$ROOT/bench/guest_tcp.sh" 5 5
	# 3 rounds (its default) of vfwd, DPDK and OVS; it writes to $OUT.
	run_tool xsk_path "$ROOT/bench/xsk_path.sh" bash "$ROOT/bench/xsk_path.sh" 3
fi

fact loadavg_end cat /proc/loadavg
date -u +%Y-%m-%dT%H:%M:%SZ >"$RUN/run/finished"

# --- Merge, then the docs ---------------------------------------------------
"$PY" "$ROOT/bench/report.py" --collect "$RUN" --tail "$TAIL_LINES" -o "$RESULTS"
rc=$?
if [ $rc = 4 ]; then
	FAILED=1 # merged; a tool's output was bad (or it failed, as seen above)
elif [ $rc != 0 ]; then
	echo "bench/run.sh: bench/report.py could not merge the results (raw files kept in $RUN)" >&2
	trap - EXIT
	exit 2
fi
echo "results: $RESULTS" >&2
if [ "$DOCS" = 1 ]; then
	"$PY" "$ROOT/bench/report.py" "$RESULTS" --docs "$ROOT/docs/benchmarks.md" \
		--plot "$ROOT/docs/bench-paths.png" || FAILED=1
fi
exit $FAILED
