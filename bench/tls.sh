#!/usr/bin/env bash
# bench/tls.sh -- what TLS costs per request: one node serving tcp:// and
# ssl:// (one worker), the client at a fixed rate against each in turn, and
# the node's CPU time per request (utime + stime of the node process from
# /proc, over the run) beside the client's latency. One run, ratios ssl/tcp;
# the run's own numbers are noisy on a shared VM, the ratio less so.
#
#   bench/tls.sh [RATE] [N] [REPLY]      default 2000 req/s, 20000 requests, 1k replies
set -u
cd "$(dirname "$0")/.."
M=${MESHWALK:-$PWD/bin/meshwalk}
RATE=${1:-2000} N=${2:-20000} REPLY=${3:-1k}
T=$(mktemp -d)
trap 'kill $NODE 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout $T/k.pem -out $T/c.pem -days 1 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || { echo "bench/tls.sh: needs openssl" >&2; exit 1; }
$M node -q -b 127.0.0.1:0 -b ssl://127.0.0.1:0 --ssl-cert $T/c.pem --ssl-key $T/k.pem \
	--port-file $T/port & NODE=$!
for i in $(seq 100); do [ -s $T/port ] && [ "$(wc -l <$T/port)" = 2 ] && break; sleep 0.05; done
TCP=$(sed -n 1p $T/port) SSL=$(sed -n 2p $T/port)
cpu() { awk '{ print $14 + $15 }' /proc/$NODE/stat; } # clock ticks
HZ=$(getconf CLK_TCK)
run() { # NAME TARGET: prints NAME cpu-us/request p50 p99
	local c0 c1
	c0=$(cpu)
	$M client --to "$2" -R "$REPLY" -n "$N" -r "$RATE" -q --no-summary --json $T/$1.json >/dev/null 2>&1 ||
		echo "bench/tls.sh: the $1 run failed" >&2
	c1=$(cpu)
	python3 - "$1" "$T/$1.json" "$(( (c1 - c0) ))" "$HZ" "$N" <<'PY'
import json, sys
name, path, ticks, hz, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
d = json.load(open(path))
lat = d["latency"]
print(f"{name} {ticks / hz * 1e6 / n:.1f} {lat['p50']:.1f} {lat['p99']:.1f} {lat['count']}")
PY
}
{
	run tcp 127.0.0.1:$TCP
	run ssl ssl://127.0.0.1:$SSL
} >$T/rows
echo "rate $RATE req/s, $N requests, replies $REPLY, one node worker, $(nproc) CPUs"
awk '{ v[$1, "cpu"] = $2; v[$1, "p50"] = $3; v[$1, "p99"] = $4; v[$1, "ok"] = $5 }
	END {
		printf "%-6s %16s %10s %10s %8s\n", "", "node CPU us/req", "p50 us", "p99 us", "ok"
		printf "%-6s %16.1f %10.1f %10.1f %8d\n", "tcp", v["tcp", "cpu"], v["tcp", "p50"], v["tcp", "p99"], v["tcp", "ok"]
		printf "%-6s %16.1f %10.1f %10.1f %8d\n", "ssl", v["ssl", "cpu"], v["ssl", "p50"], v["ssl", "p99"], v["ssl", "ok"]
		printf "%-6s %16.2fx %9.2fx %9.2fx\n", "ratio", v["ssl", "cpu"] / v["tcp", "cpu"], v["ssl", "p50"] / v["tcp", "p50"], v["ssl", "p99"] / v["tcp", "p99"]
	}' $T/rows
