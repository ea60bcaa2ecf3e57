#!/usr/bin/env bash
# bench/trace.sh -- what recording spans costs a node (docs/tracing.md): one
# node (--nt 1) at zero work, driven open loop at BENCH_TRACE_RATE req/s by a
# client on another cpu, with tracing off, at 1% and at 100% sampling; rounds
# interleave the three so drift on a shared machine hits all alike. The cost
# is the node's CPU time per request (every thread, the exporter's included,
# from /proc/PID/task/*/schedstat, in ns): a zero-work node's throughput is
# the inverse of it, so off/on is the throughput ratio. (A closed loop's rate
# measures wake-up latency, not the node's work: an extra thread on the
# node's cpu even made it faster.) Prints each round, the medians, the ratios
# and the node's cost per span at 100% (the client samples and carries the
# contexts but records nothing). One run, ratios: a benchmark, not a test.
# bench/trace.sh --instructions counts instructions instead (below).
set -u
cd "$(dirname "$0")/.."
M=${MESHWALK:-$PWD/bin/meshwalk}
RATE=${BENCH_TRACE_RATE:-20000}   # req/s, both client threads together
N=${BENCH_TRACE_REQS:-50000}      # per client thread
ROUNDS=${BENCH_TRACE_ROUNDS:-3}
[ "${1:-}" = --smoke ] && N=500 ROUNDS=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --instructions: the same three, counted in instructions under callgrind
# (the machine's load does not change them): the node's worker thread (the
# request path) and its exporter thread, per request, from the difference
# between runs of 1000 and 5000 requests (start-up cancels out). valgrind
# has no epoll_pwait2, so the node runs with -p poll.
if [ "${1:-}" = --instructions ]; then
	command -v valgrind >/dev/null || { echo "valgrind missing" >&2; exit 1; }
	# ir N SAMPLE NODE_ARGS...: "worker exporter" instructions of a run
	ir() {
		local n=$1 p=$2
		shift 2
		rm -f "$T/port"
		valgrind --tool=callgrind --callgrind-out-file="$T/cg" $M node -q -p poll -b 127.0.0.1:0 \
			--port-file "$T/port" "$@" 2>/dev/null &
		local pid=$!
		for _ in $(seq 600); do [ -s "$T/port" ] && break; sleep 0.05; done
		$M client --to 127.0.0.1:$(cat "$T/port") -n "$n" -r 2000 --trace-sample "$p" -q --no-summary \
			>/dev/null 2>&1 || echo "client failed" >&2
		kill -TERM $pid
		wait $pid
		callgrind_annotate --inclusive=yes "$T/cg" 2>/dev/null | tr -d , | awk '
			/worker.c:worker_thread \[/ { w = $1 } /export.c:export_main / { x = $1 }
			END { print w + 0, x + 0 }'
	}
	per() { # per NAME SAMPLE NODE_ARGS...
		local name=$1 p=$2 a b
		shift 2
		a=$(ir 1000 "$p" "$@")
		b=$(ir 5000 "$p" "$@")
		awk -v a="$a" -v b="$b" -v name="$name" 'BEGIN {
			split(a, x, " "); split(b, y, " ")
			printf "%-5s worker %5d, exporter %5d instructions per request\n", name,
				(y[1] - x[1]) / 4000, (y[2] - x[2]) / 4000 }'
	}
	echo "node instructions per zero-work request (callgrind, 2000 req/s, 2 spans per traced request)"
	per off 0
	per 1% 0.01 --trace-out "$T/t.jsonl"
	per 100% 1 --trace-out "$T/t.jsonl"
	exit 0
fi
PIN_NODE= PIN_CLIENT=
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	PIN_NODE="taskset -c 1" PIN_CLIENT="taskset -c 0"
fi

# cpu_ns PID: CPU time of every thread of PID so far
cpu_ns() {
	local t cpu=0
	for t in /proc/$1/task/*/schedstat; do
		cpu=$((cpu + $(cut -d' ' -f1 "$t")))
	done
	echo $cpu
}

# one NAME SAMPLE NODE_ARGS...: the node's CPU ns per request of one run
one() {
	local name=$1 p=$2 before
	shift 2
	rm -f "$T/port"
	$PIN_NODE $M node -q -b 127.0.0.1:0 --port-file "$T/port" --stats-file "$T/$name.stats" "$@" &
	local pid=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	before=$(cpu_ns $pid) # start-up is not the requests' cost
	$PIN_CLIENT $M client --to 127.0.0.1:$(cat "$T/port") --nt 2 -n "$N" -r $((RATE / 2)) \
		--trace-sample "$p" -q --no-summary --json "$T/$name.json" >/dev/null 2>&1
	sleep 0.2 # the exporter's last batch
	local after=$(cpu_ns $pid)
	kill -TERM $pid
	wait $pid
	echo $(((after - before) / (2 * N)))
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
echo "node CPU ns per zero-work request, $((2 * N)) requests at $RATE req/s, $ROUNDS rounds (${PIN_NODE:+node on cpu 1, client on cpu 0})"
printf '%-16s %s\n' "off" "${rates[off]}" "1%" "${rates[p1]}" "100%" "${rates[p100]}"
awk -v o="$off" -v a="$p1" -v b="$p100" -v s="${spans% *}" -v d="${spans#* }" -v n="$((2 * N))" 'BEGIN {
	printf "median ns/request: off %d, 1%% %d, 100%% %d\n", o, a, b
	printf "throughput ratio (off/on): 1%% %.3f, 100%% %.3f\n", o / a, o / b
	printf "100%%: %d spans recorded for %d requests, %d dropped; %.0f ns of node CPU per span\n",
		s, n, d, (b - o) / (s / n)
}'
