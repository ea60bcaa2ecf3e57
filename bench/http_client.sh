#!/usr/bin/env bash
# bench/http_client.sh -- what HTTP/1.1 costs the client and the node over
# meshwalk's protocol, per request, in one run: one node serving tcp:// and
# http:// (pinned to cpu 1), one client thread (cpu 0) at a fixed rate, zero
# work (-R 64 over tcp://, the same program over http://), alternating the two
# transports ROUNDS times so drift falls on both alike. CPU is user+sys from
# /proc (the client's own, the node's difference across the run), divided by
# the requests sent.
#
#   bench/http_client.sh [RATE [REQUESTS [ROUNDS]]]    (default 10000 50000 2)
#
# Prints a row per run and the medians with http/tcp ratios. Needs taskset
# (util-linux) and /usr/bin/time; writes only under a temporary directory.
set -u
cd "$(dirname "$0")/.."
RATE=${1:-10000}
N=${2:-50000}
ROUNDS=${3:-2}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
TMP=$(mktemp -d /tmp/meshwalk-httpbench.XXXXXX)
NODE=
cleanup() {
	[ -n "$NODE" ] && kill "$NODE" 2>/dev/null && wait "$NODE" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
die() { echo "bench/http_client.sh: $*" >&2; exit 1; }
cpu_of() { awk '{ printf "%.6f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
[ -x "$MESHWALK" ] || die "no binary at $MESHWALK (make first)"
PIN_S="taskset -c 1" PIN_C="taskset -c 0"
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null || PIN_S="" PIN_C=""

$PIN_S "$MESHWALK" node -q -b 127.0.0.1:0 -b http://127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/node.log" &
NODE=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && [ "$(wc -l <"$TMP/port")" -ge 2 ] && break; sleep 0.05; done
[ "$(wc -l <"$TMP/port" 2>/dev/null)" -ge 2 ] || die "the node did not start: $(cat "$TMP/node.log")"
TCP=127.0.0.1:$(sed -n 1p "$TMP/port") HTTP=http://127.0.0.1:$(sed -n 2p "$TMP/port")

run() { # NAME TO: prints "NAME client_us node_us achieved p50_us"
	local c0 c1 t
	c0=$(cpu_of "$NODE")
	/usr/bin/time -o "$TMP/$1.time" -f "%U %S" $PIN_C "$MESHWALK" client -q --to "$2" -R 64 -n "$N" \
		-r "$RATE" --json "$TMP/$1.json" >/dev/null 2>"$TMP/$1.err" || die "$1 run failed: $(cat "$TMP/$1.err")"
	t=$(tail -n 1 "$TMP/$1.time")
	c1=$(cpu_of "$NODE")
	grep -q "\"ok\": $N," "$TMP/$1.json" || die "$1: not every request succeeded"
	awk -v t="$t" -v a="$c0" -v b="$c1" -v n="$N" -v name="$1" \
		-v ach="$(sed -n 's/^ *"achieved_rate": \([0-9.]*\),/\1/p' "$TMP/$1.json")" \
		-v p50="$(grep '"latency"' "$TMP/$1.json" | sed 's/.*"p50": \([0-9.]*\),.*/\1/')" \
		'BEGIN { split(t, u, " "); printf "%s %.2f %.2f %.0f %.1f\n", name, (u[1] + u[2]) * 1e6 / n,
			 (b - a) * 1e6 / n, ach, p50 }'
}

echo "meshwalk client --to tcp:// vs http://: $RATE req/s, $N requests, $ROUNDS rounds, -R 64, $(uname -sr), $(nproc) cpus"
printf "%-8s %12s %12s %10s %10s\n" run "client us" "node us" "req/s" "p50 us"
for r in $(seq 1 "$ROUNDS"); do
	order="tcp http"
	[ $((r % 2)) -eq 0 ] && order="http tcp"
	for x in $order; do
		[ $x = tcp ] && to=$TCP || to=$HTTP
		run "$x" "$to" | tee -a "$TMP/rows" | awk '{ printf "%-8s %12s %12s %10s %10s\n", $1, $2, $3, $4, $5 }'
	done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for col in 2 3; do
	t=$(awk -v c=$col '$1 == "tcp" { print $c }' "$TMP/rows" | median)
	h=$(awk -v c=$col '$1 == "http" { print $c }' "$TMP/rows" | median)
	awk -v t="$t" -v h="$h" -v w="$([ $col = 2 ] && echo client || echo node)" \
		'BEGIN { printf "%-6s CPU per request (median): tcp %.2f us, http %.2f us, http/tcp %.2fx\n", w, t, h, h / t }'
done
