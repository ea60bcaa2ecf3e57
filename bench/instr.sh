#!/usr/bin/env bash
# bench/instr.sh -- the node's own work per request, counted rather than
# timed: user-space instructions (valgrind's callgrind) and system calls
# (strace -c) per zero-work request, for one or more meshwalk binaries.
#
#   bench/instr.sh [--requests N] [--protocol tcp|http] BINARY...
#
# Counts do not move with the machine's load, so two builds can be compared
# on a busy or virtual machine where latency and CPU time cannot resolve a
# few percent. Each figure is the difference between a run of N and a run
# of 3N requests, divided by 2N, so start-up and shutdown cancel out (and
# instructions are counted in the worker threads only: a start-up that reads
# configuration files varies by millions between runs). The
# client is this checkout's bin/meshwalk for every node, closed loop (one
# request in flight: no two requests share a wake-up), 5 s timeout.
set -u
cd "$(dirname "$0")/.."
N=1000
PROTO=tcp
while [ $# -gt 0 ]; do
	case $1 in
	--requests) N=$2; shift 2 ;;
	--protocol) PROTO=$2; shift 2 ;;
	-*) echo "usage: bench/instr.sh [--requests N] [--protocol tcp|http] BINARY..." >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: bench/instr.sh [--requests N] [--protocol tcp|http] BINARY..." >&2; exit 2; }
case $N in ''|*[!0-9]*|0) echo "bench/instr.sh: --requests: expected a positive count, got '$N'" >&2; exit 2 ;; esac
case $PROTO in tcp|http) ;; *) echo "bench/instr.sh: --protocol: tcp or http, got '$PROTO'" >&2; exit 2 ;; esac
for tool in valgrind strace; do
	command -v $tool >/dev/null || { echo "bench/instr.sh: needs $tool (scripts/deps.sh install bench)" >&2; exit 1; }
done
make -s bin/meshwalk >/dev/null || exit 1
CLIENT=$PWD/bin/meshwalk
TMP=$(mktemp -d /tmp/meshwalk-instr.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# one BINARY N TOOL -> prints the tool's total for a node serving N requests
one() {
	local bin=$1 n=$2 tool=$3 pid port i out=$TMP/out
	rm -f "$TMP/port" "$out"
	case $tool in
	ir) valgrind --tool=callgrind --toggle-collect=worker_thread --callgrind-out-file="$out" \
		"$bin" node -q -b "$PROTO://127.0.0.1:0" --port-file "$TMP/port" --nt 1 -p poll \
		>"$TMP/node.log" 2>&1 & ;;
	sys) strace -f -c -o "$out" \
		"$bin" node -q -b "$PROTO://127.0.0.1:0" --port-file "$TMP/port" --nt 1 \
		>"$TMP/node.log" 2>&1 & ;;
	esac
	pid=$!
	for i in $(seq 300); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	[ -s "$TMP/port" ] || { cat "$TMP/node.log" >&2; echo "bench/instr.sh: node did not start" >&2; pkill -P $pid; kill $pid; return 1; }
	port=$(cat "$TMP/port")
	timeout 600 "$CLIENT" client --to "$PROTO://127.0.0.1:$port" -n "$n" --closed-loop --ps 64 --rs 64 \
		--timeout 5s >"$TMP/client.log" 2>&1 ||
		{ cat "$TMP/client.log" >&2; echo "bench/instr.sh: client failed" >&2; pkill -P $pid; kill $pid; return 1; }
	# strace passes no signal on to the node it started: stop the node itself
	if [ "$tool" = sys ]; then pkill -INT -P $pid; else kill -INT $pid; fi
	wait $pid
	case $tool in
	ir) awk '/^summary:/ {print $2}' "$out" ;;
	sys) awk '$NF == "total" {print $(NF-2)}' "$out" ;;
	esac
}

printf '%-40s %14s %14s\n' "node ($PROTO://, zero work, --nt 1)" "instr/req" "syscalls/req"
for bin in "$@"; do
	ir1=$(one "$bin" "$N" ir) && ir3=$(one "$bin" $((3 * N)) ir) &&
		s1=$(one "$bin" "$N" sys) && s3=$(one "$bin" $((3 * N)) sys) || exit 1
	# A request needs at least its recv and its send: anything less means
	# the counting broke (make bench-smoke runs this with few requests).
	awk -v b="$bin" -v i1="$ir1" -v i3="$ir3" -v s1="$s1" -v s3="$s3" -v n="$N" 'BEGIN {
		ir = (i3 - i1) / (2 * n); sys = (s3 - s1) / (2 * n)
		printf "%-40s %14.0f %14.2f\n", b, ir, sys
		if (ir < 100 || sys < 2) { print "bench/instr.sh: implausible count" > "/dev/stderr"; exit 1 }
	}' || exit 1
done
