#!/usr/bin/env bash
# bench/trace.sh -- what recording spans costs a node (docs/tracing.md): one
# node (--nt 1) at zero work, saturated by a closed-loop client (BENCH_TRACE_NT
# threads), with tracing off, at 1% and at 100% sampling; rounds interleave the
# three so drift on a shared machine hits all alike. Prints each round's
# achieved req/s, the medians, the ratios to off, and the node's cost per
# span at 100% (the client samples and carries contexts but records nothing,
# so the difference is the node's). One run, ratios: a benchmark, not a test.
set -u
cd "$(dirname "$0")/.."
M=${MESHWALK:-$PWD/bin/meshwalk}
N=${BENCH_TRACE_REQS:-40000}   # per client thread
NT=${BENCH_TRACE_NT:-2}
ROUNDS=${BENCH_TRACE_ROUNDS:-3}
[ "${1:-}" = --smoke ] && N=500 ROUNDS=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PIN_NODE= PIN_CLIENT=
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	PIN_NODE="taskset -c 1" PIN_CLIENT="taskset -c 0"
fi

# one NAME SAMPLE NODE_ARGS...: req/s of one saturated run
one() {
	local name=$1 p=$2
	shift 2
	rm -f "$T/port"
	$PIN_NODE $M node -q -b 127.0.0.1:0 --port-file "$T/port" --stats-file "$T/$name.stats" "$@" &
	local pid=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	$PIN_CLIENT $M client --to 127.0.0.1:$(cat "$T/port") --nt "$NT" -n "$N" --trace-sample "$p" \
		-q --no-summary --json "$T/$name.json" >/dev/null 2>&1
	kill -TERM $pid
	wait $pid
	sed -n 's/^ *"achieved_rate": \([0-9.]*\),$/\1/p' "$T/$name.json"
}

declare -A rates
for r in $(seq "$ROUNDS"); do
	rates[off]+="$(one off 0) "
	rates[p1]+="$(one p1 0.01 --trace-out "$T/p1.jsonl") "
	rates[p100]+="$(one p100 1 --trace-out "$T/p100.jsonl") "
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
off=$(median <<<"${rates[off]}")
p1=$(median <<<"${rates[p1]}")
p100=$(median <<<"${rates[p100]}")
spans=$(sed -n 's/.*"trace": {"recorded": \([0-9]*\), "exported": [0-9]*, "dropped": \([0-9]*\).*/\1 \2/p' "$T/p100.stats")
echo "node zero-work throughput, closed loop, $NT client threads x $N requests, $ROUNDS rounds (${PIN_NODE:+node on cpu 1, client on cpu 0})"
printf '%-22s %s\n' "off (req/s)" "${rates[off]}" "1% (req/s)" "${rates[p1]}" "100% (req/s)" "${rates[p100]}"
awk -v o="$off" -v a="$p1" -v b="$p100" -v s="${spans% *}" -v d="${spans#* }" -v n="$((NT * N))" 'BEGIN {
	printf "median: off %.0f, 1%% %.0f (%.3fx), 100%% %.0f (%.3fx)\n", o, a, a / o, b, b / o
	printf "100%%: %d spans recorded for %d requests, %d dropped; %.2f us of node time per span\n",
		s, n, d, (1e6 / b - 1e6 / o) / (s / n)
}'
