#!/usr/bin/env bash
# bench/run.sh -- meshwalk's benchmark table, measured in one run on loopback.
#
#   bench/run.sh            the full table (about 5 minutes)
#   bench/run.sh --smoke    every row with tiny counts: checks the benchmark
#                           still runs and fails only on gross breakage (a
#                           zero-work round trip over 20x the floor, a failed
#                           run); its figures mean nothing
#
# Sections (bench/README.md explains each and how to read it):
#   1 zero-work round trip at several rates vs the floor (bench/pingpong.c)
#   2 per-hop cost: (4-hop chain - 1 hop) / 3
#   3 node throughput: one worker, two client threads, highest rate with p99 < 1 ms; --nt 2
#   4 client precision: rate error and send lag, sleeping and spinning (--ws)
#   5 COMPUTE accuracy at 10 us, 100 us, 1 ms, 10 ms
#   6 memory: node RSS with many idle connections; client RSS after many requests
#   7 histogram: ns per recorded sample
#   8 CPU time per request, client and node
# Placement: with BENCH_PIN=1 (the default on machines with 2+ cpus) nodes and
# the floor's server run on cpu 1, clients and the floor's client on cpu 0.
# Every latency is in microseconds; "x floor" is the ratio to the floor at the
# same rate and placement, the figure to compare across machines.
set -u
cd "$(dirname "$0")/.."
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
NODE_BIN=${BENCH_NODE:-$MESHWALK} # BENCH_NODE=BINARY: the nodes run it, the clients $MESHWALK
BUILD=${BUILD:-build/default}
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

RATES=${BENCH_RATES:-"1500 10000 50000"}
SECS=${BENCH_SECS:-4}           # seconds per latency row
CCOUNT=${BENCH_COMPUTE_COUNT:-500}
CONNS=${BENCH_CONNS:-10000}
CLIENT_REQS=${BENCH_CLIENT_REQS:-10000000}
if [ $SMOKE -eq 1 ]; then
	RATES="2000" SECS=0.3 CCOUNT=20 CONNS=100 CLIENT_REQS=20000
fi
PIN=${BENCH_PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
if [ "$PIN" = 1 ]; then
	SRV="taskset -c 1" CLI="taskset -c 0" PLACEMENT="nodes and servers on cpu 1, clients on cpu 0"
else
	SRV="" CLI="" PLACEMENT="unpinned"
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
for b in hist_bench conns pingpong; do
	[ -x "$BUILD/bench/$b" ] || die "no $BUILD/bench/$b; run make bench-bins"
done

# The floor tool: a blocking fixed-size TCP ping-pong (bench/pingpong.c),
# built with the other benchmark programs, so every "x floor" column is
# filled on a fresh clone.
PP=$BUILD/bench/pingpong

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
	rm -f "$TMP/$name.port"
	$SRV "$NODE_BIN" node -q -b 127.0.0.1:0 --port-file "$TMP/$name.port" \
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

# jget FILE PATH: a number from a JSON summary; PATH is KEY or OBJECT.KEY.
jget() {
	local file=$1 key=$2
	if [ "${key#*.}" != "$key" ]; then
		sed -n "/\"${key%%.*}\": {/,/}/s/.*\"${key#*.}\": \\([-0-9.e+]*\\).*/\\1/p" "$file" | head -n 1
	else
		sed -n "s/^ *\"$key\": \\([^,]*\\),\\{0,1\\}$/\\1/p" "$file" | head -n 1
	fi
}
stat_of() { sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$TMP/$1.stats"; }
# CPU seconds (user+sys) a process has used, from /proc.
cpu_of() { awk '{ printf "%.6f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# mw NAME ARGS...: one client run with its summary in $TMP/NAME.json and its
# CPU time (user+sys, seconds) in $TMP/NAME.cpu.
mw() {
	local name=$1
	shift
	(timeout -k 5 900 $CLI "$MESHWALK" client -q --no-summary --json "$TMP/$name.json" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	 rc=$?
	 times >"$TMP/$name.times" # not in a pipeline: that would be another subshell
	 tail -n 1 "$TMP/$name.times" | awk '{ gsub(/[ms]/, " "); split($0, a, " ");
		printf "%.6f\n", a[1] * 60 + a[2] + a[3] * 60 + a[4] }' >"$TMP/$name.cpu"
	 exit $rc)
}
count_for() { awk -v r="$1" -v s="$SECS" 'BEGIN { n = int(r * s); print (n < 50 ? 50 : n) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b; else print "-" }'; }
row() { printf '%-52s %10s %10s %10s %9s %9s\n' "$@"; }
FIRST_RATE=${RATES%% *}
# BENCH_ONLY="1 8": only those sections (for quick runs while working on one).
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
GROSS=0
gross() { # value floor: flags a zero-work figure over 20x the floor
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(b > 0 && a > 20 * b) }' && GROSS=1
	awk -v a="$1" 'BEGIN { exit !(a == "" || a > 100000) }' && GROSS=1 # no figure, or > 100 ms
	return 0
}

echo "meshwalk bench: $(uname -srm), $(nproc) cpus, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "placement: $PLACEMENT; clients sleep until each send (sleep-then-spin) unless noted"
[ $SMOKE -eq 1 ] && echo "(smoke run: counts too small for the figures to mean anything)"

# --- 1. zero-work round trip vs the floor
if want 1; then
echo
echo "1. zero-work round trip (64-byte request and reply); the floor times from its actual send, as sent->reply does"
row "" "p50 us" "p99 us" "p99.9 us" "p50 x" "p99 x"
start_node Z
if [ -n "$PP" ]; then
	PP_PORT=$(free_port)
	$SRV "$PP" server "$PP_PORT" 64 >/dev/null 2>&1 &
	PIDS+=($!)
	sleep 0.2
fi
for r in $RATES; do
	n=$(count_for "$r")
	f50="" f99=""
	if [ -n "$PP" ]; then
		pp=$(timeout 900 $CLI "$PP" client 127.0.0.1 "$PP_PORT" "$n" "$r" 64) || die "pingpong client failed"
		f50=$(echo "$pp" | awk '{print $3}') f99=$(echo "$pp" | awk '{print $5}') f999=$(echo "$pp" | awk '{print $7}')
		row "floor pingpong @$r/s" "$f50" "$f99" "$f999" "1.00" "1.00"
	fi
	mw "z$r" --to "127.0.0.1:$Z_PORT" -n "$n" -r "$r" --ps 64 --rs 64 || die "zero-work run failed: $(cat "$TMP/z$r.err")"
	mw "zb$r" --to "127.0.0.1:$Z_PORT" -n "$n" -r "$r" --ps 64 --rs 64 --busy-poll 50us || die "busy-poll run failed"
	# The floor times each round trip from its actual send (after its own
	# sleep), so meshwalk's like-for-like figure is `service`; `latency`
	# (from the intended send time) adds the client's send lag on top.
	for run in z zb; do
		label="meshwalk"
		[ $run = zb ] && label="meshwalk --busy-poll 50us"
		for what in service latency; do
			m50=$(jget "$TMP/$run$r.json" $what.p50) m99=$(jget "$TMP/$run$r.json" $what.p99)
			row "$label @$r/s, $([ $what = service ] && echo "sent->reply" || echo "intended->reply")" \
				"$m50" "$m99" "$(jget "$TMP/$run$r.json" $what.p99_9)" \
				"$(ratio "$m50" "$f50")" "$(ratio "$m99" "$f99")"
			[ $run = z ] && [ $what = service ] && gross "$m50" "$f50"
		done
	done
done
stop_node Z

fi

# --- 2. per-hop cost
if want 2; then
echo
echo "2. per-hop cost at $FIRST_RATE/s: (4-hop chain - 1 hop) / 3"
start_node H1
start_node H2
start_node H3
start_node H4
n=$(count_for "$FIRST_RATE")
mw hop1 --to "127.0.0.1:$H1_PORT" -n "$n" -r "$FIRST_RATE" || die "1-hop run failed"
mw hop4 --to "127.0.0.1:$H1_PORT" -n "$n" -r "$FIRST_RATE" -F "127.0.0.1:$H2_PORT" -F "127.0.0.1:$H3_PORT" \
	-F "127.0.0.1:$H4_PORT" || die "4-hop run failed: $(cat "$TMP/hop4.err")"
for q in p50 p99; do
	a=$(jget "$TMP/hop1.json" "latency.$q") b=$(jget "$TMP/hop4.json" "latency.$q")
	row "1 hop / 4 hops / per hop, $q us" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 3 }')" "" ""
done
stop_node H1; stop_node H2; stop_node H3; stop_node H4

fi

# --- 3. node throughput
if want 3; then
echo
echo "3. node throughput: zero work, 2 client threads, highest total rate with every reply and p99 < 1 ms"
MAXRATE_P99_US=${BENCH_MAXRATE_P99_US:-1000}
held() { # node-port total-rate -> 0 when held
	local port=$1 r=$2 per n p99
	per=$((r / 2))
	n=$(awk -v r="$per" 'BEGIN { n = int(r * 1.5); print (n < 50 ? 50 : n) }')
	[ $SMOKE -eq 1 ] && n=$(awk -v r="$per" 'BEGIN { n = int(r * 0.2); print (n < 50 ? 50 : n) }')
	mw "tp$r" --to "127.0.0.1:$port" --nt 2 -n "$n" -r "$per" --strict-rate || return 1
	p99=$(jget "$TMP/tp$r.json" latency.p99)
	awk -v p="$p99" -v m="$MAXRATE_P99_US" 'BEGIN { exit !(p < m) }'
}
search_rate() { # port -> highest held rate (doubling, then 3 bisections)
	local port=$1 lo=0 hi=0 r=10000 mid
	[ $SMOKE -eq 1 ] && r=2000
	while [ $r -le 2000000 ]; do
		if held "$port" $r; then lo=$r; r=$((r * 2)); else hi=$r; break; fi
	done
	if [ $hi -gt 0 ] && [ $lo -gt 0 ]; then
		for _ in 1 2 3; do
			mid=$(((lo + hi) / 2))
			if held "$port" $mid; then lo=$mid; else hi=$mid; fi
		done
	fi
	echo $lo
}
start_node T --nt 1
best=$(search_rate "$T_PORT")
stop_node T
row "node --nt 1 ($([ "$PIN" = 1 ] && echo "cpu 1" || echo unpinned)): req/s held" "$best" "" "" "" ""
# Scaling needs a core per worker: pinned to cpu 1, two workers would share
# it. Both rows of the comparison run unpinned, node and clients sharing
# every cpu, so their ratio is the scaling on this machine.
SRV_PINNED=$SRV CLI_PINNED=$CLI
SRV="" CLI=""
start_node T --nt 1
best1=$(search_rate "$T_PORT")
stop_node T
start_node T --nt 2
best2=$(search_rate "$T_PORT")
stop_node T
SRV=$SRV_PINNED CLI=$CLI_PINNED
row "node --nt 1 / --nt 2, unpinned: req/s" "$best1" "$best2" "$(ratio "$best2" "$best1")x" "" ""

fi

# --- 4. client precision
if want 4; then
echo
echo "4. client precision at $FIRST_RATE/s and 50000/s: rate error, send lag (actual - intended)"
row "" "rate err" "lag p50" "lag p99" "lag p99.9" "cpu %"
start_node P
for r in "$FIRST_RATE" 50000; do
	n=$(count_for "$r")
	for how in sleep ws; do
		extra=""
		[ $how = ws ] && extra="--ws"
		mw "prec$how$r" --to "127.0.0.1:$P_PORT" -n "$n" -r "$r" $extra || die "precision run failed"
		j=$TMP/prec$how$r.json
		err=$(awk -v a="$(jget "$j" achieved_rate)" -v t="$(jget "$j" target_rate)" 'BEGIN { printf "%+.3f%%", (a / t - 1) * 100 }')
		# client CPU (user+sys) over the run's length: what sleeping saves
		cpu=$(awk -v c="$(cat "$TMP/prec$how$r.cpu")" -v d="$(jget "$j" duration_s)" \
			'BEGIN { if (d > 0) printf "%.1f", 100 * c / d; else print "-" }')
		row "@$r/s, $how" "$err" "$(jget "$j" send_lag.p50)" "$(jget "$j" send_lag.p99)" "$(jget "$j" send_lag.p99_9)" "$cpu"
	done
done
stop_node P

fi

# --- 5. COMPUTE accuracy (node-measured, closed loop)
if want 5; then
echo
echo "5. COMPUTE accuracy: what the node measured against what was asked"
row "" "asked us" "node us" "error" "" ""
for c in 10 100 1000 10000; do
	start_node C
	n=$CCOUNT
	[ $c -ge 10000 ] && n=$((CCOUNT / 5 + 10))
	mw "comp$c" --to "127.0.0.1:$C_PORT" -n "$n" --closed-loop -C "$c" || die "compute run failed"
	stop_node C
	got=$(awk -v ns="$(stat_of C compute_ns)" -v n="$(stat_of C computes)" 'BEGIN { printf "%.2f", ns / n / 1000 }')
	row "-C ${c}us (n=$n)" "$c" "$got" "$(awk -v g="$got" -v c="$c" 'BEGIN { printf "%+.3f%%", (g - c) / c * 100 }')" "" ""
done

fi

# --- 6. memory
if want 6; then
echo
echo "6. memory"
start_node M
rss0=$(rss_kb "$M_PID")
mkfifo "$TMP/hold"
$CLI "$BUILD/bench/conns" 127.0.0.1 "$M_PORT" "$CONNS" <"$TMP/hold" >"$TMP/conns.out" 2>&1 &
CPID=$!
exec 7>"$TMP/hold"
for _ in $(seq 600); do grep -q connected "$TMP/conns.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
rss1=$(rss_kb "$M_PID")
exec 7>&-
wait $CPID
row "node RSS idle / with $(sed -n 's/connected //p' "$TMP/conns.out") conns, KiB" "$rss0" "$rss1" \
	"$(awk -v a="$rss0" -v b="$rss1" -v n="$CONNS" 'BEGIN { printf "%.0f B/conn", (b - a) * 1024 / n }')" "" ""
# Client RSS after CLIENT_REQS requests with per-request output off: the
# histograms keep it flat. Sampled from /proc while it runs.
$CLI "$MESHWALK" client -q --no-summary --to "127.0.0.1:$M_PORT" -n "$CLIENT_REQS" -r 200000 >/dev/null 2>&1 &
CL=$!
peak=0
while kill -0 $CL 2>/dev/null; do
	v=$(rss_kb $CL 2>/dev/null || echo 0)
	[ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
	sleep 0.2
done
wait $CL || die "client RSS run failed"
row "client peak RSS for $CLIENT_REQS requests, KiB" "$peak" "" "" "" ""
stop_node M

fi

# --- 7. histogram
if want 7; then
echo
echo "7. histogram"
"$BUILD/bench/hist_bench" $([ $SMOKE -eq 1 ] && echo 100000) | while read -r k v; do row "$k" "$v" "" "" "" ""; done

fi

# --- 8. CPU per request
if want 8; then
# The floor is measured the same way: the blocking ping-pong's client and
# server at the same rate and placement. At 20000/s every request costs
# each side its own wake-ups (the dominant cost on a VM); at 100000/s one
# client thread cannot sleep between requests, and the figure is what one
# request costs when wake-ups are shared. The floor cannot keep several
# requests in flight, so at that rate it runs back to back (rate 0).
echo
echo "8. CPU time per request, zero work (user+sys, us): one client thread, one node worker"
echo "   (x: ratio to the floor measured the same way; the floor cannot pipeline, so at 100000/s it runs back to back)"
row "" "client us" "node us" "req/s" "client x" "node x"
cpu_row() { # LABEL RATE [N]: one meshwalk run, CPU per request on each side
	local label=$1 r=$2 n=${3:-} c0 c1 achieved
	[ -n "$n" ] || n=$(count_for "$r")
	start_node U
	c0=$(cpu_of "$U_PID")
	mw "cpu$r" --to "127.0.0.1:$U_PORT" -n "$n" -r "$r" || die "cpu run at $r/s failed"
	c1=$(cpu_of "$U_PID")
	stop_node U
	achieved=$(jget "$TMP/cpu$r.json" achieved_rate)
	MW_CLI=$(awk -v c="$(cat "$TMP/cpu$r.cpu")" -v n="$n" 'BEGIN { printf "%.2f", c * 1e6 / n }')
	MW_SRV=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }')
	row "$label" "$MW_CLI" "$MW_SRV" "${achieved%%.*}" "$(ratio "$MW_CLI" "$PP_CLI")" "$(ratio "$MW_SRV" "$PP_SRV")"
}
floor_cpu() { # RATE (0: back to back): sets PP_CLI, PP_SRV and prints the floor's row
	local r=$1 n port pid c0 c1 out
	PP_CLI="" PP_SRV=""
	[ -n "$PP" ] || return 0
	n=$(count_for "${r/#0/50000}")
	port=$(free_port)
	$SRV "$PP" server "$port" 64 >/dev/null 2>&1 &
	pid=$!
	PIDS+=($pid)
	sleep 0.2
	c0=$(cpu_of $pid)
	out=$( (timeout 900 $CLI "$PP" client 127.0.0.1 "$port" "$n" "$r" 64 >/dev/null; times) | tail -n 1) ||
		die "pingpong client failed"
	c1=$(cpu_of $pid)
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	PP_CLI=$(echo "$out" | awk -v n="$n" '{ gsub(/[ms]/, " "); split($0, a, " ");
		printf "%.2f", (a[1] * 60 + a[2] + a[3] * 60 + a[4]) * 1e6 / n }')
	PP_SRV=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }')
	row "floor pingpong @${r/#0/back-to-back}$([ "$r" = 0 ] || echo /s)" "$PP_CLI" "$PP_SRV" "" "1.00" "1.00"
}
floor_cpu 20000
cpu_row "meshwalk @20000/s" 20000
floor_cpu 0
cpu_row "meshwalk @100000/s" 100000
# Saturation: offered far more than one thread can send, so the client
# never sleeps or spins; req/s is what one client thread drives, and CPU per
# request the cost of a request with nothing idle in it.
cpu_row "meshwalk saturated (offered 400000/s)" 400000 "$(count_for 150000)"
fi

if [ $SMOKE -eq 1 ] && [ $GROSS -eq 1 ]; then
	echo "bench-smoke: FAILED: a zero-work round trip cost over 20x the floor"
	exit 1
fi
[ $SMOKE -eq 1 ] && echo "bench-smoke: ok"
exit 0
