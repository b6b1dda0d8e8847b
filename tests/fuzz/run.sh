#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time and report it as a test:
#   tests/fuzz/run.sh NAME SECONDS
# The target is $VFWD_BUILD/fuzz_NAME; its seed corpus tests/fuzz/corpus/NAME
# is copied first, so runs never grow the committed corpus.  A crash or a
# broken invariant (abort) is a FAIL naming the input, which is kept under
# $VFWD_BUILD/fuzz-crashes/NAME/ to be added to the corpus once fixed.
set -u
cd "$(dirname "$0")/../.."
B=${VFWD_BUILD:-$PWD/build}
name=$1 secs=$2
bin=$B/fuzz_$name
[ -x "$bin" ] || { echo "FAIL: fuzz/$name: $bin not built (make)"; exit 1; }
work=$(mktemp -d "/tmp/vfwd-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$B/fuzz-crashes/$name"
cp tests/fuzz/corpus/"$name"/* "$work/corpus/" 2>/dev/null
# Leaks inside the libraries we fuzz through, not ours (tests/fuzz/lsan.supp),
# matched by function: the slow unwinder walks through libfyaml's frames,
# which the fast one (frame pointers) cannot.
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="fast_unwind_on_malloc=0"
if "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$B/fuzz-crashes/$name/" "$work/corpus" >"$work/log" 2>&1; then
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	echo "PASS: fuzz/$name: ${runs:-?} inputs in ${secs} s"
else
	echo "FAIL: fuzz/$name: $(grep -m1 -E 'ERROR|SUMMARY|deadly signal' "$work/log") (input kept in $B/fuzz-crashes/$name/; log tail: $(tail -3 "$work/log" | tr '\n' '|'))"
	exit 1
fi
