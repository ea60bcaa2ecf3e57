#!/usr/bin/env bash
# bench/http.sh [SECONDS] [ROUNDS] -- HTTP/1.1 keep-alive, zero work, driven
# by wrk: meshwalk node (-b http://, one worker, GET / answers an empty 200)
# against Debian's nginx (one worker, `return 200 ""`, no access log), each
# pinned to cpu 1 with wrk on cpu 0 (unpinned on one core). Per server:
# req/s (on its one core) and CPU per request (utime + stime of the serving
# process over the run / requests). Rounds alternate nginx and meshwalk so
# drift falls on both; the table shows medians and meshwalk/nginx. Goal
# (issue 16): >= 1.2x nginx's req/s per core and <= its CPU per request.
# A benchmark: asserts nothing; needs wrk and nginx (apt-get install wrk
# nginx-core), python3; files in a temporary directory.
set -u
cd "$(dirname "$0")/.."
DUR=${1:-10}
ROUNDS=${2:-3}
CONNS=${BENCH_HTTP_CONNS:-64}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
die() { echo "bench/http.sh: $*" >&2; exit 1; }
[ -x "$MESHWALK" ] || die "build meshwalk first (make)"
command -v wrk >/dev/null || die "needs wrk (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "needs nginx (apt-get install nginx-core)"
case $DUR$ROUNDS in *[!0-9]*) die "usage: bench/http.sh [SECONDS] [ROUNDS]" ;; esac
if [ "$(nproc)" -ge 2 ]; then SRV="taskset -c 1" CLI="taskset -c 0"; else SRV="" CLI=""; fi
T=$(mktemp -d /tmp/meshwalk-http-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
TICK=$(getconf CLK_TCK)

free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	die "no free port found"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Each server listens on 127.0.0.1:$port; $serving is the pid doing the work.
start_nginx() {
	port=$(free_port)
	mkdir -p "$T/ngx"
	cat >"$T/ngx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 100000000;
	client_body_temp_path $T/ngx; proxy_temp_path $T/ngx; fastcgi_temp_path $T/ngx;
	uwsgi_temp_path $T/ngx; scgi_temp_path $T/ngx;
	server { listen 127.0.0.1:$port; location / { return 200 ""; } }
}
EOF
	$SRV "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" 2>"$T/ngx/stderr" &
	PIDS+=($!)
	master=$!
	for _ in $(seq 100); do
		serving=$(pgrep -P "$master" | head -n 1)
		[ -n "$serving" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
		sleep 0.05
	done
	die "nginx did not start: $(cat "$T/ngx/stderr" "$T/ngx/error.log" 2>/dev/null)"
}
start_meshwalk() {
	rm -f "$T/mw.port"
	$SRV "$MESHWALK" node -q --nt 1 -b http://127.0.0.1:0 --port-file "$T/mw.port" 2>"$T/mw.log" &
	PIDS+=($!)
	master=$!
	serving=$!
	for _ in $(seq 100); do
		[ -s "$T/mw.port" ] && { port=$(head -n 1 "$T/mw.port"); return; }
		sleep 0.05
	done
	die "meshwalk node did not start: $(cat "$T/mw.log")"
}
stop_server() { kill -TERM "$master" 2>/dev/null; wait "$master" 2>/dev/null; }

# run NAME ROUND: one wrk run against a fresh server; "req/s cpu_us_per_req"
run() {
	local name=$1 out c0 c1 rps reqs
	"start_$name"
	$CLI wrk -t1 -c1 -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1 # warm-up
	c0=$(cpu_ticks "$serving")
	out=$($CLI wrk -t1 -c"$CONNS" -d"${DUR}s" "http://127.0.0.1:$port/" 2>&1) || die "wrk failed: $out"
	c1=$(cpu_ticks "$serving")
	stop_server
	echo "$out" | grep -q 'Non-2xx' && die "$name answered non-2xx: $out"
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	reqs=$(echo "$out" | awk '/requests in/ { print $1 }')
	[ -n "$rps" ] && [ "${reqs:-0}" -gt 0 ] || die "no figures from wrk: $out"
	awk -v r="$rps" -v n="$reqs" -v c=$((c1 - c0)) -v t="$TICK" 'BEGIN { printf "%.0f %.2f\n", r, c / t * 1e6 / n }'
}

for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then order="nginx meshwalk"; else order="meshwalk nginx"; fi
	for s in $order; do
		run "$s" >>"$T/$s.txt"
	done
done
python3 - "$T" "$DUR" "$ROUNDS" "$CONNS" <<'PY'
import statistics, sys
t, dur, rounds, conns = sys.argv[1:]
def med(name, col):
    return statistics.median(float(l.split()[col]) for l in open(f"{t}/{name}.txt"))
n_rps, m_rps = med("nginx", 0), med("meshwalk", 0)
n_cpu, m_cpu = med("nginx", 1), med("meshwalk", 1)
print(f"HTTP/1.1 keep-alive, zero work: wrk -t1 -c{conns} {dur}s, median of {rounds} rounds, one server worker")
print(f"{'server':<12}{'req/s':>12}{'CPU us/req':>14}")
print(f"{'nginx':<12}{n_rps:>12.0f}{n_cpu:>14.2f}")
print(f"{'meshwalk':<12}{m_rps:>12.0f}{m_cpu:>14.2f}")
print(f"{'ratio m/n':<12}{m_rps / n_rps:>12.2f}{m_cpu / n_cpu:>14.2f}   (goal: req/s >= 1.20, CPU <= 1.00)")
PY
