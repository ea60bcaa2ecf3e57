#!/usr/bin/env bash
# bench/protocols.sh -- what each protocol costs the client and the node over
# meshwalk's own, per request, in one table from one run: one node serving
# every front end (pinned to cpu 1), one client thread (cpu 0) at a fixed
# rate, zero work (-R 64: the same program on every transport), the
# transports taken in turn ROUNDS times, the order reversed every other round,
# so drift falls on all alike. CPU is user+sys from /proc (the client's own,
# the node's difference across the run), divided by the requests sent.
#
#   bench/protocols.sh [RATE [REQUESTS [ROUNDS [PROTOCOLS]]]]
#       default 10000 50000 2 "tcp ssl http h2c grpc"
#
# Prints a row per run, then per protocol the medians and their ratio to tcp.
# Needs taskset (util-linux), /usr/bin/time and, for ssl, openssl (a
# throwaway certificate); writes only under a temporary directory.
set -u
cd "$(dirname "$0")/.."
RATE=${1:-10000}
N=${2:-50000}
ROUNDS=${3:-2}
PROTOS=${4:-tcp ssl http h2c grpc}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
TMP=$(mktemp -d /tmp/meshwalk-protobench.XXXXXX)
NODE=
cleanup() {
	[ -n "$NODE" ] && kill "$NODE" 2>/dev/null && wait "$NODE" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
die() { echo "bench/protocols.sh: $*" >&2; exit 1; }
cpu_of() { awk '{ printf "%.6f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
[ -x "$MESHWALK" ] || die "no binary at $MESHWALK (make first)"
PIN_S="taskset -c 1" PIN_C="taskset -c 0"
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null || PIN_S="" PIN_C=""

# one address per protocol, in PROTOS order
binds=() tls=()
for p in $PROTOS; do
	case $p in
	tcp) binds+=(-b 127.0.0.1:0) ;;
	ssl | http | h2c | grpc) binds+=(-b "$p://127.0.0.1:0") ;;
	*) die "unknown protocol '$p' (tcp, ssl, http, h2c, grpc)" ;;
	esac
	if [ "$p" = ssl ] && [ ${#tls[@]} -eq 0 ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" -days 2 \
			-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null || die "openssl req"
		tls=(--ssl-cert "$TMP/c.pem" --ssl-key "$TMP/k.pem")
	fi
done
np=$(echo $PROTOS | wc -w)
$PIN_S "$MESHWALK" node -q "${binds[@]}" "${tls[@]}" --port-file "$TMP/port" 2>"$TMP/node.log" &
NODE=$!
for _ in $(seq 100); do [ "$(wc -l 2>/dev/null <"$TMP/port")" = "$np" ] && break; sleep 0.05; done
[ "$(wc -l <"$TMP/port" 2>/dev/null)" = "$np" ] || die "the node did not start: $(cat "$TMP/node.log")"
i=0
for p in $PROTOS; do
	i=$((i + 1))
	port=$(sed -n "${i}p" "$TMP/port")
	[ "$p" = tcp ] && printf -v "TO_$p" '127.0.0.1:%s' "$port" || printf -v "TO_$p" '%s://127.0.0.1:%s' "$p" "$port"
done

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

echo "meshwalk client over $PROTOS: $RATE req/s, $N requests, $ROUNDS rounds, -R 64, $(uname -sr), $(nproc) cpus"
printf "%-8s %12s %12s %10s %10s\n" run "client us" "node us" "req/s" "p50 us"
fwd=$PROTOS rev=$(echo $PROTOS | tr ' ' '\n' | tac | tr '\n' ' ')
for r in $(seq 1 "$ROUNDS"); do
	order=$fwd
	[ $((r % 2)) -eq 0 ] && order=$rev
	for x in $order; do
		to=TO_$x
		run "$x" "${!to}" | tee -a "$TMP/rows" | awk '{ printf "%-8s %12s %12s %10s %10s\n", $1, $2, $3, $4, $5 }'
	done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "medians; x tcp: the ratio to meshwalk's own protocol (tcp://)"
printf "%-8s %12s %8s %12s %8s %10s %8s\n" protocol "client us" "x tcp" "node us" "x tcp" "p50 us" "x tcp"
base_c= base_n= base_l=
for x in $PROTOS; do
	c=$(awk -v p=$x '$1 == p { print $2 }' "$TMP/rows" | median)
	n=$(awk -v p=$x '$1 == p { print $3 }' "$TMP/rows" | median)
	l=$(awk -v p=$x '$1 == p { print $5 }' "$TMP/rows" | median)
	[ -z "$base_c" ] && [ "$x" = tcp ] && base_c=$c base_n=$n base_l=$l
	awk -v x=$x -v c="$c" -v n="$n" -v l="$l" -v bc="${base_c:-0}" -v bn="${base_n:-0}" -v bl="${base_l:-0}" \
		'function r(v, b) { return b > 0 ? sprintf("%.2fx", v / b) : "-" }
		BEGIN { printf "%-8s %12.2f %8s %12.2f %8s %10.1f %8s\n", x, c, r(c, bc), n, r(n, bn), l, r(l, bl) }'
done
