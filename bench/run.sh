#!/usr/bin/env bash
# bench/run.sh -- meshwalk's benchmark table, measured in one run on loopback.
#
#   bench/run.sh            the full table (about 2 minutes)
#   bench/run.sh --smoke    the same rows with tiny counts (a CI check that the
#                           benchmark still runs; its figures mean nothing)
#
# Rows (bench/README.md explains each and how to read it):
#   floor      ../shared/tools/pingpong.c (or bench/pingpong.c): blocking TCP
#              ping-pong, the physical floor of a loopback round trip
#   zero-work  meshwalk client -> node, empty program, same rate, same size
#              (and again with --busy-poll)
#   2-hop      client -> node A -> node B and back
#   compute    COMPUTE of 100us and 1ms: what the node measured it spent
#   max-rate   highest rate one client thread sustains within 0.5%, with
#              every request answered and p99 latency under 1 ms
# Latencies are in microseconds; "x floor" is the ratio to the floor row at
# the same rate, which is the figure to compare across machines.
set -u
cd "$(dirname "$0")/.."
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

RATE=${BENCH_RATE:-5000}
COUNT=${BENCH_COUNT:-25000}
CCOUNT=${BENCH_COMPUTE_COUNT:-2000}
if [ $SMOKE -eq 1 ]; then
	RATE=1000 COUNT=300 CCOUNT=50
fi

TMP=$(mktemp -d /tmp/meshwalk-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
die() { echo "bench: $*" >&2; exit 1; }

[ -x "$MESHWALK" ] || die "no $MESHWALK; run make first"

# The floor tool (a blocking fixed-size TCP ping-pong); BENCH_PINGPONG
# points elsewhere when the shared tools are not checked out beside us.
PP_SRC=${BENCH_PINGPONG:-../shared/tools/pingpong.c}
[ -f "$PP_SRC" ] || die "floor tool $PP_SRC not found (set BENCH_PINGPONG)"
mkdir -p build/bench
PP=build/bench/pingpong
if [ ! -x "$PP" ] || [ "$PP_SRC" -nt "$PP" ]; then
	cc -O2 -o "$PP" "$PP_SRC" || die "cannot build $PP_SRC"
fi

# A loopback port nothing listens on (pingpong cannot bind port 0).
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	die "no free port found"
}

# start_node NAME [options]: node on 127.0.0.1:0, sets NAME_PORT / NAME_PID.
start_node() {
	local name=$1 i
	shift
	"$MESHWALK" node -q -b 127.0.0.1:0 --port-file "$TMP/$name.port" \
		--stats-file "$TMP/$name.stats" "$@" 2>"$TMP/$name.log" &
	PIDS+=($!)
	printf -v "${name}_PID" '%s' $!
	for i in $(seq 200); do
		[ -s "$TMP/$name.port" ] && break
		sleep 0.05
	done
	[ -s "$TMP/$name.port" ] || die "node $name did not start: $(cat "$TMP/$name.log")"
	printf -v "${name}_PORT" '%s' "$(cat "$TMP/$name.port")"
}
stop_node() {
	local pv=${1}_PID
	kill -TERM "${!pv}" 2>/dev/null
	wait "${!pv}" 2>/dev/null
}

# jget FILE PATH: a number from the client's JSON summary; PATH is KEY or
# OBJECT.KEY (e.g. latency.p99).
jget() {
	local file=$1 key=$2
	if [ "${key#*.}" != "$key" ]; then
		sed -n "/\"${key%%.*}\": {/,/}/s/.*\"${key#*.}\": \\([-0-9.e+]*\\).*/\\1/p" "$file" | head -n 1
	else
		sed -n "s/^ *\"$key\": \\([^,]*\\),\\{0,1\\}$/\\1/p" "$file" | head -n 1
	fi
}
stat() { sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$TMP/$1.stats"; }

# mw NAME ARGS...: one client run with its summary in $TMP/NAME.json.
mw() {
	local name=$1
	shift
	timeout -k 5 600 "$MESHWALK" client -q --no-summary --json "$TMP/$name.json" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '%-34s %9s %9s %9s %9s\n' "$@"; }

echo "meshwalk bench: $(uname -srm), $(nproc) cpus, $(date -u +%Y-%m-%dT%H:%MZ)"
[ $SMOKE -eq 1 ] && echo "(smoke run: counts too small for the figures to mean anything)"
echo
row "row" "p50 us" "p99 us" "p50 x" "p99 x"

# --- floor: pingpong at RATE, 64-byte messages both ways
PP_PORT=$(free_port)
"$PP" server "$PP_PORT" 64 >/dev/null 2>&1 &
PIDS+=($!)
PP_PID=$!
sleep 0.2
pp_line=$(timeout 600 "$PP" client 127.0.0.1 "$PP_PORT" "$COUNT" "$RATE" 64) || die "pingpong client failed"
F50=$(echo "$pp_line" | awk '{print $3}')
F99=$(echo "$pp_line" | awk '{print $5}')
kill "$PP_PID" 2>/dev/null
row "floor pingpong @${RATE}/s" "$F50" "$F99" "1.00" "1.00"

# --- zero-work round trip, same rate and frame sizes
start_node A
start_node B
mw zero --to "127.0.0.1:$A_PORT" -n "$COUNT" -r "$RATE" --ps 64 --rs 64 || die "zero-work run failed: $(cat "$TMP/zero.err")"
Z50=$(jget "$TMP/zero.json" latency.p50)
Z99=$(jget "$TMP/zero.json" latency.p99)
row "meshwalk zero-work @${RATE}/s" "$Z50" "$Z99" "$(ratio "$Z50" "$F50")" "$(ratio "$Z99" "$F99")"
row "  send lag (actual - intended)" "$(jget "$TMP/zero.json" send_lag.p50)" "$(jget "$TMP/zero.json" send_lag.p99)" "" ""

mw zerobp --to "127.0.0.1:$A_PORT" -n "$COUNT" -r "$RATE" --ps 64 --rs 64 --busy-poll 50us || die "busy-poll run failed: $(cat "$TMP/zerobp.err")"
B50=$(jget "$TMP/zerobp.json" latency.p50)
B99=$(jget "$TMP/zerobp.json" latency.p99)
row "  with --busy-poll 50us" "$B50" "$B99" "$(ratio "$B50" "$F50")" "$(ratio "$B99" "$F99")"

# --- 2-hop chain: A forwards to B, B replies through A
mw hop2 --to "127.0.0.1:$A_PORT" -n "$COUNT" -r "$RATE" --ps 64 -F "127.0.0.1:$B_PORT" -R 64 || die "2-hop run failed: $(cat "$TMP/hop2.err")"
H50=$(jget "$TMP/hop2.json" latency.p50)
H99=$(jget "$TMP/hop2.json" latency.p99)
row "meshwalk 2-hop @${RATE}/s" "$H50" "$H99" "$(ratio "$H50" "$F50")" "$(ratio "$H99" "$F99")"
stop_node A
stop_node B

# --- COMPUTE accuracy: node-measured mean against the request, closed loop
echo
printf '%-34s %9s %9s %9s\n' "compute" "asked us" "node us" "error"
for c in 100 1000; do
	start_node C
	mw "comp$c" --to "127.0.0.1:$C_PORT" -n "$CCOUNT" -C "$c" || die "compute run failed"
	stop_node C
	ns=$(stat C compute_ns)
	n=$(stat C computes)
	got=$(awk -v ns="$ns" -v n="$n" 'BEGIN { printf "%.2f", ns / n / 1000 }')
	err=$(awk -v g="$got" -v c="$c" 'BEGIN { printf "%+.3f%%", (g - c) / c * 100 }')
	printf '%-34s %9s %9s %9s\n' "-C ${c}us (n=$n)" "$c" "$got" "$err"
	lat=$(jget "$TMP/comp$c.json" service.p50)
	printf '%-34s %9s %9s\n' "  client service p50" "" "$lat"
	rm -f "$TMP/C.port"
done

# --- highest rate one client thread holds within 0.5%: doubling, then
# bisection between the last rate held and the first missed.
echo
secs=2
[ $SMOKE -eq 1 ] && secs=0.2
start_node M
# A rate is held when the schedule is met within 0.5%, every request is
# answered, and the p99 latency stays under MAXRATE_P99_US: a rate met only
# by letting a queue build up is not sustained.
MAXRATE_P99_US=${BENCH_MAXRATE_P99_US:-1000}
held() { # rate -> 0 when held
	local r=$1 n p99
	n=$(awk -v r="$r" -v s="$secs" 'BEGIN { printf "%d", r * s }')
	mw "max$r" --to "127.0.0.1:$M_PORT" -n "$n" -r "$r" --strict-rate || return 1
	p99=$(jget "$TMP/max$r.json" latency.p99)
	awk -v p="$p99" -v m="$MAXRATE_P99_US" 'BEGIN { exit !(p < m) }'
}
lo=0 hi=0 r=10000
[ $SMOKE -eq 1 ] && r=2000
while [ $r -le 2000000 ]; do
	if held $r; then lo=$r; r=$((r * 2)); else hi=$r; break; fi
done
if [ $hi -gt 0 ] && [ $lo -gt 0 ]; then
	for _ in 1 2 3; do
		mid=$(((lo + hi) / 2))
		if held $mid; then lo=$mid; else hi=$mid; fi
	done
fi
stop_node M
if [ $lo -gt 0 ]; then
	printf '%-34s %9s req/s (achieved %s, latency p99 %s us)\n' "max rate, 1 client thread" "$lo" \
		"$(jget "$TMP/max$lo.json" achieved_rate)" "$(jget "$TMP/max$lo.json" latency.p99)"
else
	echo "max rate: not even $r req/s held within 0.5%"
fi
[ $hi -gt 0 ] && printf '%-34s %9s req/s (achieved %s, latency p99 %s us)\n' "  first rate not held" "$hi" \
	"$(jget "$TMP/max$hi.json" achieved_rate)" "$(jget "$TMP/max$hi.json" latency.p99)"
exit 0
