#!/usr/bin/env bash
# bench/verdict.sh -- how often `meshwalk compare` gives the right verdict:
# PAIRS pairs of identical runs (the same scenario run twice: should be SAME)
# and PAIRS pairs with +10% COMPUTE on the busiest service (should be
# DIFFERENT). Every run is a fresh `meshwalk run` (its own nodes), the two
# kinds alternate so drift on a noisy machine falls on both alike, and the
# comparison uses compare's defaults. A benchmark, not a test: it prints the
# counts and asserts nothing.
#
#   bench/verdict.sh [--smoke]
#   bench/verdict.sh --synthetic   the same counts on generated latencies
#                                  (no run, no machine noise): the rule's own
#                                  error rates, with VERDICT_N (20000) per side
#   bench/verdict.sh --interleave  each pair one `compare --interleave K` of
#                                  the two scenarios (K = VERDICT_BLOCKS, 20,
#                                  blocks of VERDICT_N requests each, 1250):
#                                  the paired rule on this machine, drift
#                                  included
#
# VERDICT_PAIRS (10), VERDICT_N requests per run (5000), VERDICT_PERIOD
# (exp:2ms, Poisson arrivals), VERDICT_COMPUTE (500us on the back service),
# VERDICT_FACTOR (the changed runs' COMPUTE is this times it: 1.1) and
# VERDICT_COMPARE (extra compare options) change the set-up; the header line
# prints them. VERDICT_KEEP=DIR keeps each interleaved comparison's blocks
# and files in DIR/identical-I and DIR/changed-I, to judge them again with
# other options (`meshwalk compare` reads the blocks' results directories).
set -u
cd "$(dirname "$0")/.."
M=${MESHWALK:-$PWD/bin/meshwalk}
PAIRS=${VERDICT_PAIRS:-10}
N=${VERDICT_N:-5000}
PERIOD=${VERDICT_PERIOD:-exp:2ms}
COMPUTE=${VERDICT_COMPUTE:-500us}
FACTOR=${VERDICT_FACTOR:-1.1}
EXTRA=${VERDICT_COMPARE:-}
BLOCKS=${VERDICT_BLOCKS:-20}
SYNTH=0 INTER=0 WHAT=COMPUTE
case ${1:-} in
--smoke) PAIRS=1 N=200 ;;
--synthetic) SYNTH=1 N=${VERDICT_N:-20000} WHAT=latency ;;
--interleave) INTER=1 N=${VERDICT_N:-1250} ;;
"") ;;
*) echo "usage: bench/verdict.sh [--smoke|--synthetic|--interleave]" >&2; exit 2 ;;
esac
[ -x "$M" ] || { echo "bench/verdict.sh: no $M; run make first" >&2; exit 1; }
T=$(mktemp -d /tmp/meshwalk-verdict.XXXXXX)
CHILD=
trap '[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null; wait; rm -rf "$T"' EXIT
us=$(awk -v c="$COMPUTE" -v k="$FACTOR" 'BEGIN {
	v = c + 0; u = c; sub(/^[0-9.]+/, "", u)
	f = (u == "ms") ? 1000 : (u == "s") ? 1e6 : 1
	printf "%d", v * f * k }')

# scenario COMPUTE FILE: a front that computes 20 us and forwards to the back
# service, which computes COMPUTE (the busiest service by far, and most of
# the latency: +10% there is about +8% end to end on an idle machine).
scenario() {
	cat >"$2" <<YAML
name: verdict
services:
  front: { node: "--nt 1" }
  back: { node: "--nt 1" }
clients:
  - name: main
    to: front
    args: "-n $N -p $PERIOD -C 20us -F {back} -C $1 -R 100"
YAML
}
scenario "$COMPUTE" "$T/base.yaml"
scenario "${us}us" "$T/slow.yaml"

# synth NAME SCALE SEED: a results directory of N requests whose latency is
# (100 us + a queue-like AR(1) series with exponential innovations of mean
# 400 us) x SCALE: neighbours correlated as in a run, independent between
# seeds, with no run-to-run drift.
synth() {
	python3 - "$T/$1" "$N" "$2" "$3" <<'PY' || exit 1
import os, random, sys
d, n, scale, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rng, q = random.Random(seed), 0.0
os.makedirs(d + "/clients/main")
with open(d + "/clients/main/requests.csv", "w") as f:
    f.write("intended_us,latency_us,status\n")
    for i in range(n):
        q = 0.5 * q + 0.5 * rng.expovariate(1 / 400)
        f.write("%d,%.3f,ok\n" % (i * 1000, (100 + q) * scale))
PY
}

run() { # NAME YAML SEED
	timeout -k 5 600 "$M" run -q -o "$T/$1" --set seed="$3" "$2" >/dev/null 2>"$T/$1.err" &
	CHILD=$!
	wait "$CHILD" || { cat "$T/$1.err" >&2; echo "bench/verdict.sh: run $1 failed" >&2; exit 1; }
	CHILD=
}
verdict() { # A B -> "same p50 ..." (the verdict and the reason's start)
	"$M" compare -q -o "$T/cmp" --no-plots $EXTRA "$T/$1" "$T/$2" >/dev/null || exit 1
	sed -n 's/^verdict: \([A-Z]*\): \(.*\)/\1 \2/p' "$T/cmp/compare.txt" | cut -c1-150
}
# intervals JSON: the p50, p90 and p99 intervals of B/A in a compare.json
intervals() {
	python3 - "$1" <<'PY'
import json, sys
def walk(o):
    if isinstance(o, dict):
        for f in o.get("figures", []):
            if f.get("name") in ("p50", "p90", "p99") and f.get("ci_low") is not None:
                print("%s %.3f-%.3f" % (f["name"], f["ci_low"], f["ci_high"]), end="  ")
        for v in o.values():
            if isinstance(v, (dict, list)): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(json.load(open(sys.argv[1])))
PY
}
verdict_iv() { # A.yaml B.yaml [KEEP-NAME] -> as verdict(), from BLOCKS pairs of blocks run
	# in ABBA order, then the p50/p90/p99 intervals
	rm -rf "$T/cmp"
	timeout -k 5 3600 "$M" compare -q --interleave "$BLOCKS" -o "$T/cmp" $EXTRA "$1" "$2" \
		>/dev/null 2>"$T/cmp.err" ||
		{ cat "$T/cmp.err" >&2; echo "bench/verdict.sh: compare --interleave failed" >&2; exit 1; }
	echo "$(sed -n 's/^verdict: \([A-Z]*\): \(.*\)/\1 \2/p' "$T/cmp/compare.txt" | cut -c1-110) | $(intervals "$T/cmp/compare.json")"
	if [ -n "${VERDICT_KEEP:-}" ] && [ -n "${3:-}" ]; then
		mkdir -p "$VERDICT_KEEP" && rm -rf "${VERDICT_KEEP:?}/$3" && cp -r "$T/cmp" "$VERDICT_KEEP/$3"
	fi
}

echo "meshwalk bench/verdict: $(uname -srm), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
if [ $INTER = 1 ]; then
	echo "interleaved: $BLOCKS pairs of blocks (ABBA) per comparison, each block $N requests, -p $PERIOD, front -C 20us -> back -C $COMPUTE (changed: ${us}us); $PAIRS comparisons each; compare $EXTRA"
elif [ $SYNTH = 1 ]; then
	echo "synthetic: $N requests per side, 100 us + AR(1) queue of exponential 400 us (changed: x$FACTOR); $PAIRS pairs each; compare $EXTRA"
else
	echo "runs: $N requests, -p $PERIOD, front -C 20us -> back -C $COMPUTE (changed: ${us}us); $PAIRS pairs each; compare $EXTRA"
fi
declare -A count
for i in $(seq 1 "$PAIRS"); do
	if [ $INTER = 1 ]; then
		v=$(verdict_iv "$T/base.yaml" "$T/base.yaml" "identical-$i") || exit 1
		echo "identical  $i: $v  (load $(cut -d' ' -f1 /proc/loadavg))"
		count[same_${v%% *}]=$((${count[same_${v%% *}]:-0} + 1))
		v=$(verdict_iv "$T/base.yaml" "$T/slow.yaml" "changed-$i") || exit 1
		echo "x$FACTOR $WHAT $i: $v  (load $(cut -d' ' -f1 /proc/loadavg))"
		count[diff_${v%% *}]=$((${count[diff_${v%% *}]:-0} + 1))
		continue
	elif [ $SYNTH = 1 ]; then
		synth "a$i" 1 $((2 * i))
		synth "b$i" "$FACTOR" $((2 * i + 1000))
		synth "c$i" 1 $((2 * i + 1))
	else
		run "a$i" "$T/base.yaml" $((2 * i))
		run "b$i" "$T/slow.yaml" $((2 * i + 1000))
		run "c$i" "$T/base.yaml" $((2 * i + 1))
	fi
	v=$(verdict "a$i" "c$i")
	echo "identical  $i: $v"
	count[same_${v%% *}]=$((${count[same_${v%% *}]:-0} + 1))
	v=$(verdict "a$i" "b$i")
	echo "x$FACTOR $WHAT $i: $v"
	count[diff_${v%% *}]=$((${count[diff_${v%% *}]:-0} + 1))
	rm -rf "$T/a$i" "$T/b$i" "$T/c$i"
done
echo "identical runs: ${count[same_SAME]:-0}/$PAIRS SAME, ${count[same_INCONCLUSIVE]:-0} INCONCLUSIVE, ${count[same_DIFFERENT]:-0} DIFFERENT"
echo "x$FACTOR $WHAT: ${count[diff_DIFFERENT]:-0}/$PAIRS DIFFERENT, ${count[diff_INCONCLUSIVE]:-0} INCONCLUSIVE, ${count[diff_SAME]:-0} SAME"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
