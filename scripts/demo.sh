#!/usr/bin/env bash
# scripts/demo.sh -- `make demo`: a small distributed application emulated on
# this machine, with a latency report.
#
# The application: a front-end node does 200 us of work per request, then asks
# two replicas of a back-end (each 300 us of exponentially distributed work)
# and answers as soon as one of them has (nack=1, a read from any replica);
# a client sends 400 requests/s of Poisson traffic for 5 seconds.
#
#   client --> front (-C 200us) --+--> replica1 (-C exp:300us)
#                                 +--> replica2 (-C exp:300us)   first reply wins
#
# Everything listens on 127.0.0.1 on ports the kernel picks. The raw data
# (per-request CSV, JSON summary, node counters) stays in $DEMO_OUT
# (default ./demo-results).
set -u
cd "$(dirname "$0")/.."
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
OUT=${DEMO_OUT:-$PWD/demo-results}
RATE=${DEMO_RATE:-400}
SECS=${DEMO_SECS:-5}
[ -x "$MESHWALK" ] || { echo "demo: $MESHWALK not built (run make)" >&2; exit 1; }
mkdir -p "$OUT" || exit 1
rm -f "$OUT"/*.port "$OUT"/*.stats

PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

start_node() { # NAME [options]: sets NAME_PORT
	local name=$1 i
	shift
	"$MESHWALK" node -q -b 127.0.0.1:0 --port-file "$OUT/$name.port" \
		--stats-file "$OUT/$name.stats" "$@" 2>"$OUT/$name.log" &
	PIDS+=($!)
	for i in $(seq 100); do
		[ -s "$OUT/$name.port" ] && break
		sleep 0.05
	done
	[ -s "$OUT/$name.port" ] || { echo "demo: node $name did not start:" >&2; cat "$OUT/$name.log" >&2; exit 1; }
	printf -v "${name}_PORT" '%s' "$(cat "$OUT/$name.port")"
}

start_node front
start_node replica1
start_node replica2

echo "meshwalk demo: front 127.0.0.1:$front_PORT, replicas 127.0.0.1:$replica1_PORT and 127.0.0.1:$replica2_PORT"
echo "traffic: $RATE req/s (Poisson) for $SECS s; results in $OUT"
echo
N=$((RATE * SECS))
args=(-q --to "127.0.0.1:$front_PORT" --seed 42 -n "$N" -p "exp:$((1000000 / RATE))us"
	-C 200us -F "127.0.0.1:$replica1_PORT,127.0.0.1:$replica2_PORT,nack=1" -C exp:300us -R 1k
	--csv "$OUT/requests.csv" --json "$OUT/summary.json")
echo "\$ meshwalk client ${args[*]}"
"$MESHWALK" client "${args[@]}"
rc=$?

# Stop the nodes so they write their counters, then show what each did.
cleanup
PIDS=()
echo
printf '%-10s %9s %9s %9s %12s %9s\n' node requests replies forwards "compute ms" errors
for n in front replica1 replica2; do
	v() { sed -n "s/^ *\"$1\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$OUT/$n.stats"; }
	printf '%-10s %9s %9s %9s %12s %9s\n' "$n" "$(v requests)" "$(v replies)" "$(v forwards)" \
		"$(awk -v ns="$(v compute_ns)" 'BEGIN { printf "%.1f", ns / 1e6 }')" "$(v error_replies)"
done
echo
echo "per-request records: $OUT/requests.csv; summary: $OUT/summary.json (keys: docs/results.md)"
exit $rc
