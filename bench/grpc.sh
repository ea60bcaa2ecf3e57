#!/usr/bin/env bash
# bench/grpc.sh -- gRPC unary, zero work, driven by h2load: a node's grpc://
# front end (one worker) against a reference server built here from Debian's
# gRPC C++ (bench/grpc_ref.cc, libgrpc++-dev and protobuf-compiler-grpc),
# both serving meshwalk.v1.Walk/Run from docs/meshwalk.proto, both pinned to
# cpu 1 (one core each: req/s per core), h2load on cpu 0. The same request
# (an empty RunRequest, gRPC framing, POST with content-type
# application/grpc and te: trailers) goes to both; the servers alternate
# ROUNDS times, the order reversed every other round. CPU per request is the
# server's user+sys from /proc across the run (every thread of it).
#
#   bench/grpc.sh [REQUESTS [ROUNDS [CONNS [STREAMS]]]]   (default 200000 3 4 32)
#
# Prints a row per run and the medians: req/s and CPU per request of each,
# and meshwalk's req/s over the reference's (the goal in issue 16: >= 2x).
# Writes only under a temporary directory.
set -u
cd "$(dirname "$0")/.."
N=${1:-200000}
ROUNDS=${2:-3}
CONNS=${3:-4}
STREAMS=${4:-32}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
TMP=$(mktemp -d /tmp/meshwalk-grpcbench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
die() { echo "bench/grpc.sh: $*" >&2; exit 1; }
cpu_of() { awk '{ printf "%.6f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
[ -x "$MESHWALK" ] || die "no binary at $MESHWALK (make first)"
for t in h2load protoc grpc_cpp_plugin g++ pkg-config; do
	command -v $t >/dev/null || die "needs $t (scripts/deps.sh install bench)"
done
pkg-config --exists grpc++ protobuf || die "needs libgrpc++-dev (scripts/deps.sh install bench)"
PIN_S="taskset -c 1" PIN_C="taskset -c 0"
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null || PIN_S="" PIN_C=""

echo "building the reference server (gRPC C++ $(pkg-config --modversion grpc++))" >&2
protoc -Idocs --cpp_out="$TMP" --grpc_out="$TMP" --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" \
	docs/meshwalk.proto || die "protoc failed"
# shellcheck disable=SC2046
g++ -O2 -std=c++17 -I"$TMP" bench/grpc_ref.cc "$TMP/meshwalk.pb.cc" "$TMP/meshwalk.grpc.pb.cc" \
	$(pkg-config --cflags --libs grpc++ protobuf) -o "$TMP/grpc_ref" 2>"$TMP/build.log" ||
	die "building bench/grpc_ref.cc failed: $(tail -n 5 "$TMP/build.log")"

wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
$PIN_S "$MESHWALK" node -q --nt 1 -b grpc://127.0.0.1:0 --port-file "$TMP/mw.port" 2>"$TMP/mw.log" &
MW=$!
PIDS+=($MW)
$PIN_S "$TMP/grpc_ref" "$TMP/ref.port" 2>"$TMP/ref.log" &
REF=$!
PIDS+=($REF)
wait_file "$TMP/mw.port" || die "the node did not start: $(cat "$TMP/mw.log")"
wait_file "$TMP/ref.port" || die "the reference server did not start: $(cat "$TMP/ref.log")"
printf '\0\0\0\0\0' >"$TMP/body" # one empty message: a RunRequest with every field unset

run() { # NAME PID PORT: prints "NAME req_s cpu_us"
	local c0 c1 out
	c0=$(cpu_of "$2")
	out=$($PIN_C h2load -n "$N" -c "$CONNS" -m "$STREAMS" -t 1 -d "$TMP/body" \
		-H 'content-type: application/grpc' -H 'te: trailers' \
		"http://127.0.0.1:$3/meshwalk.v1.Walk/Run" 2>&1) || die "h2load against $1 failed: $out"
	c1=$(cpu_of "$2")
	echo "$out" | grep -q "requests: $N total, $N started, $N done, $N succeeded" ||
		die "$1: not every request succeeded: $(echo "$out" | grep -E 'requests:|status codes:')"
	echo "$out" | awk -v name="$1" -v a="$c0" -v b="$c1" -v n="$N" \
		'/^finished in/ { gsub(",", "", $4); printf "%s %.0f %.2f\n", name, $4, (b - a) * 1e6 / n }'
}

echo "gRPC unary, zero work: h2load -n $N -c $CONNS -m $STREAMS -t 1 (cpu 0); servers on cpu 1; $ROUNDS rounds; $(uname -sr)"
printf "%-10s %12s %14s\n" server "req/s" "CPU us/req"
for r in $(seq 1 "$ROUNDS"); do
	order="meshwalk reference"
	[ $((r % 2)) -eq 0 ] && order="reference meshwalk"
	for x in $order; do
		if [ $x = meshwalk ]; then run $x "$MW" "$(head -n 1 "$TMP/mw.port")"
		else run $x "$REF" "$(head -n 1 "$TMP/ref.port")"; fi | tee -a "$TMP/rows" |
			awk '{ printf "%-10s %12s %14s\n", $1, $2, $3 }'
	done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mr=$(awk '$1 == "meshwalk" { print $2 }' "$TMP/rows" | median)
rr=$(awk '$1 == "reference" { print $2 }' "$TMP/rows" | median)
mc=$(awk '$1 == "meshwalk" { print $3 }' "$TMP/rows" | median)
rc=$(awk '$1 == "reference" { print $3 }' "$TMP/rows" | median)
awk -v mr="$mr" -v rr="$rr" -v mc="$mc" -v rc="$rc" 'BEGIN {
	printf "medians: meshwalk %.0f req/s at %.2f us CPU a request; gRPC C++ %.0f req/s at %.2f us\n", mr, mc, rr, rc
	printf "meshwalk / gRPC C++: %.2fx the req/s per core, %.2fx the CPU per request\n", mr / rr, mc / rc }'
