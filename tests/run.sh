#!/usr/bin/env bash
# The one test command (`make test`, called by .ci/run).  Runs every tier
# and sums the result lines each test prints:
#   PASS: name            FAIL: name: why            SKIP: name: why
# and ends with "N passed, N failed, N skipped".  A skip always says why.
set -u -o pipefail
cd "$(dirname "$0")/.."
export VFWD_BUILD=${VFWD_BUILD:-$PWD/build}
log=$(mktemp /tmp/vfwd-test-log.XXXXXX)
trap 'rm -f "$log"' EXIT
# An argument runs only the tests whose name contains it, e.g.
# `tests/run.sh integration/test_forward` or `tests/run.sh vm/`.
only=${1:-}

run() {
	local name=$1
	shift
	[ -n "$only" ] && [[ $name != *"$only"* ]] && return 0
	echo "=== $name"
	# A test that dies without reporting is a failure, not a silent pass.
	if ! "$@" 2>&1 | tee -a "$log"; then
		echo "FAIL: $name: exited non-zero" | tee -a "$log"
	fi
}

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: tests: must run as root (BPF and network namespaces)"
	echo "0 passed, 1 failed"
	exit 1
fi

# Tier 1: BPF_PROG_TEST_RUN table tests with crafted frames.
run prog/uplink "$VFWD_BUILD/test_uplink"
run prog/guest "$VFWD_BUILD/test_guest"
run prog/cpu "$VFWD_BUILD/test_cpu"
run prog/xsk "$VFWD_BUILD/test_xsk"
run prog/xguest "$VFWD_BUILD/test_xguest"
run unit/cpus "$VFWD_BUILD/test_cpus"
run unit/json "$VFWD_BUILD/test_json"

# Fuzzers, for a few seconds each: enough to catch a regression; make
# fuzz runs them longer.
run fuzz/mac_line bash tests/fuzz/run.sh mac_line 5
run fuzz/config bash tests/fuzz/run.sh config 5
run fuzz/progs "$VFWD_BUILD/fuzz_progs" --frames 5000

# Tier 2: namespace/veth/tap integration tests driving the real CLI.
for t in tests/integration/test_*.sh; do
	run "integration/$(basename "$t" .sh)" bash "$t"
done

# Tier 3: real guests, QEMU under TCG, on taps served by vfwd.
for t in tests/vm/test_*.sh; do
	run "vm/$(basename "$t" .sh)" bash "$t"
done

pass=$(grep -c '^PASS: ' "$log")
fail=$(grep -c '^FAIL: ' "$log")
skip=$(grep -c '^SKIP: ' "$log")
if [ "$fail" -gt 0 ]; then
	echo "--- failures:"
	grep '^FAIL: ' "$log"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
