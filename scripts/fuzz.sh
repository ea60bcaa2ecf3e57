#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS TARGET... -- runs each libFuzzer target of
# build/fuzz for SECONDS from fuzz/corpus/TARGET (read only; new inputs go to
# build/fuzz/work/TARGET), prints executions and coverage per target, and ends
# with "N passed, N failed" (a target fails on a crash, leak or timeout; the
# reproducer is left in build/fuzz/crashes/). Each target runs in a scratch
# directory under build/fuzz/cwd: an input that makes the code under test
# write to a relative path (a client --csv FILE, say) writes there, never into
# the source tree; the last check fails when the tree changed anyway
# (scripts/tree-state.sh).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
secs=$1
shift
pass=0 fail=0
mkdir -p build/fuzz/crashes
tree_before=$(scripts/tree-state.sh)
# Inputs name hosts, and resolving them would wait on DNS: in a network
# namespace of its own (root only) a lookup fails at once and no fuzz input
# can send a packet anywhere.
isolate=()
unshare -n true 2>/dev/null && isolate=(unshare -n)
for t in "$@"; do
	mkdir -p "build/fuzz/work/$t"
	log=build/fuzz/$t.log
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="$ROOT/fuzz/$t.dict")
	rm -rf "build/fuzz/cwd/$t"
	mkdir -p "build/fuzz/cwd/$t"
	(cd "build/fuzz/cwd/$t" &&
		timeout -k 10 $((secs + 60)) "${isolate[@]}" "$ROOT/build/fuzz/$t" -max_total_time="$secs" \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=3 \
			-artifact_prefix="$ROOT/build/fuzz/crashes/$t-" "${dict[@]}" \
			"$ROOT/build/fuzz/work/$t" "$ROOT/fuzz/corpus/$t") >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok   $t: ${execs:-?} executions in ${secs}s, $cov"
	else
		fail=$((fail + 1))
		echo "FAIL $t (exit $rc): see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5 | sed 's/^/     /'
	fi
done
if [ "$(scripts/tree-state.sh)" = "$tree_before" ]; then
	pass=$((pass + 1))
	echo "ok   source tree unchanged by the fuzz targets"
else
	fail=$((fail + 1))
	echo "FAIL the fuzz targets changed the source tree:"
	diff <(echo "$tree_before") <(scripts/tree-state.sh) | sed -n '/^[<>] ./s/^/     /p' | head -n 20
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
