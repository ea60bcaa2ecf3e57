#!/usr/bin/env bash
# bench/http.sh [SECONDS] [ROUNDS] -- HTTP/1.1 keep-alive, zero work, driven
# by wrk: meshwalk node (-b http://, one worker, GET / answers an empty 200)
# against Debian's nginx (one worker, `return 200 ""`, no access log), each
# pinned to cpu 1 with wrk on cpu 0 (unpinned on one core). Per server:
# req/s, CPU per request (utime + stime of the serving process over the run /
# requests), the share of its core it kept busy, and req/s per core (1 / CPU
# per request: what a fully busy core serves; the goal's measure, since wrk's
# one thread may set the rate for both servers). Rounds alternate nginx and meshwalk so
# drift falls on both; the table shows medians and meshwalk/nginx. Goal
# (issue 16): >= 1.2x nginx's req/s per core and <= its CPU per request.
#
# bench/http.sh --instr [SECONDS] -- the same two servers and the same wrk
# requests, counted instead of timed (counts survive a busy machine): per
# request, the serving thread's user-space instructions (valgrind's
# callgrind: meshwalk's worker thread; nginx with master_process off, so its
# one process serves) and the server's system calls (strace -f -c), each
# the difference between a wrk run of SECONDS (default 2) and one of 3x as
# long, over the difference of the requests wrk completed, so start-up,
# connects and shutdown cancel out. Two loads: one connection (one wake-up
# per request: the whole per-request pattern) and BENCH_HTTP_CONNS (64, the
# timed run's). Prints both servers side by side, the system calls by name.
#
# BENCH_HTTP_POLL="MODE..." (node --poll-mode: epoll, poll, select,
# io_uring, io_uring-poll): one meshwalk row per mode, named mw-MODE, each
# against the same nginx rows in the same rounds (unset: the node's default,
# one row named meshwalk). With --instr, one table per mode.
#
# BENCH_HTTP_QUOTA=PCT (1 to 99): each server is confined to PCT % of a
# core by a CPU quota (a cgroup: v2's cpu.max, or v1's cpu controller; needs
# root), so that the server, not wrk's one thread, is what runs out: then
# req/s over PCT/100 is its req/s per core measured at saturation (the
# "saturated" column), where a server that batches its wake-ups gains, as it
# would on a loaded core.
#
# A benchmark: asserts nothing; needs wrk and nginx (apt-get install wrk
# nginx-core), python3, and for --instr valgrind and strace; files in a
# temporary directory.
set -u
cd "$(dirname "$0")/.."
INSTR=0
if [ "${1:-}" = --instr ]; then INSTR=1; shift; fi
DUR=${1:-10}
ROUNDS=${2:-3}
[ "$INSTR" = 1 ] && DUR=${1:-2}
CONNS=${BENCH_HTTP_CONNS:-64}
QUOTA=${BENCH_HTTP_QUOTA:-}
MW_NAMES=meshwalk
if [ -n "${BENCH_HTTP_POLL:-}" ]; then
	MW_NAMES=
	for m in $BENCH_HTTP_POLL; do MW_NAMES="$MW_NAMES mw-$m"; done
fi
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
die() { echo "bench/http.sh: $*" >&2; exit 1; }
usage() { die "usage: bench/http.sh [SECONDS] [ROUNDS] | bench/http.sh --instr [SECONDS]"; }
[ -x "$MESHWALK" ] || die "build meshwalk first (make)"
command -v wrk >/dev/null || die "needs wrk (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "needs nginx (apt-get install nginx-core)"
case $DUR$ROUNDS$CONNS$QUOTA in *[!0-9]*) usage ;; esac
[ -z "$QUOTA" ] || { [ "$QUOTA" -ge 1 ] && [ "$QUOTA" -le 99 ]; } || die "BENCH_HTTP_QUOTA: 1 to 99 (% of a core)"
if [ "$INSTR" = 1 ]; then
	[ "$DUR" -gt 0 ] || usage
	for tool in valgrind strace; do
		command -v $tool >/dev/null || die "--instr needs $tool (scripts/deps.sh install bench)"
	done
fi
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

# The quota's cgroup: v2 (cpu.max, the cpu controller enabled below the
# root) or v1's cpu hierarchy; a 10 ms period keeps the throttled stretches
# short. CG is its directory; quota_join PID... moves processes into it.
CG=
if [ -n "$QUOTA" ]; then
	if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
		echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		CG=/sys/fs/cgroup/meshwalk-http-bench.$$
		mkdir "$CG" && echo "$((QUOTA * 100)) 10000" >"$CG/cpu.max" || die "cannot set a cgroup v2 cpu.max"
	elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
		CG=/sys/fs/cgroup/cpu/meshwalk-http-bench.$$
		mkdir "$CG" && echo 10000 >"$CG/cpu.cfs_period_us" && echo $((QUOTA * 100)) >"$CG/cpu.cfs_quota_us" ||
			die "cannot set a cgroup v1 cpu quota"
	else
		die "BENCH_HTTP_QUOTA: no cgroup cpu controller here"
	fi
	trap 'cleanup; rmdir "$CG" 2>/dev/null' EXIT
fi
quota_join() {
	local p
	[ -n "$CG" ] || return 0
	for p in "$@"; do echo "$p" >"$CG/cgroup.procs" || die "cannot move $p into $CG"; done
}

# A port below the ephemeral range, so no client connection holds it.
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	die "no free port found"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Each server listens on 127.0.0.1:$port; $serving is the pid doing the
# work. WRAP (--instr) is what the server runs under: valgrind or strace;
# nginx then serves in its one process (master_process off).
WRAP=()
start_nginx() {
	local one=""
	[ "$INSTR" = 1 ] && one="master_process off;"
	port=$(free_port)
	mkdir -p "$T/ngx"
	cat >"$T/ngx/nginx.conf" <<EOF
worker_processes 1;
$one
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
	$SRV "${WRAP[@]}" "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" 2>"$T/ngx/stderr" &
	PIDS+=($!)
	master=$!
	for _ in $(seq 600); do
		if [ "$INSTR" = 1 ]; then serving=$master; else serving=$(pgrep -P "$master" | head -n 1); fi
		[ -n "$serving" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
		sleep 0.05
	done
	die "nginx did not start: $(cat "$T/ngx/stderr" "$T/ngx/error.log" 2>/dev/null)"
}
# start_meshwalk [MODE]: the node, with --poll-mode MODE if given.
start_meshwalk() {
	local poll=()
	[ -n "${1:-}" ] && poll=(-p "$1")
	rm -f "$T/mw.port"
	$SRV "${WRAP[@]}" "$MESHWALK" node -q --nt 1 -b http://127.0.0.1:0 --port-file "$T/mw.port" \
		"${poll[@]}" 2>"$T/mw.log" &
	PIDS+=($!)
	master=$!
	serving=$!
	for _ in $(seq 600); do
		[ -s "$T/mw.port" ] && { port=$(head -n 1 "$T/mw.port"); return; }
		sleep 0.05
	done
	die "meshwalk node did not start: $(cat "$T/mw.log")"
}
# start_server NAME: nginx, meshwalk, or mw-MODE.
start_server() {
	case $1 in
	nginx) start_nginx ;;
	meshwalk) start_meshwalk ;;
	mw-*) start_meshwalk "${1#mw-}" ;;
	esac
}
# Under strace the server is strace's child, and strace passes no signal on.
stop_server() {
	local p=$master
	[ "${WRAP[0]:-}" = strace ] && p=$(pgrep -P "$master" | head -n 1)
	kill -TERM "${p:-$master}" 2>/dev/null
	wait "$master" 2>/dev/null
}

# run NAME ROUND: one wrk run against a fresh server; "req/s cpu_us_per_req"
run() {
	local name=$1 out c0 c1 rps reqs
	start_server "$name"
	quota_join "$master" $(pgrep -P "$master")
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

# -- --instr: counts per request --

# count TOOL NAME S C: server NAME under TOOL (ir: callgrind, sys: strace)
# while wrk runs S seconds on C connections; prints "TOOL NAME C REQUESTS
# FILE", REQUESTS those wrk completed, FILE the tool's output.
count() {
	local tool=$1 name=$2 sec=$3 c=$4 out=$T/$1.$2.$4.$3 got reqs
	case $tool in
	ir) WRAP=(valgrind --tool=callgrind --callgrind-out-file="$out")
	    # meshwalk: its worker thread only (start-up reads files and varies)
	    [ "$name" != nginx ] && WRAP+=(--toggle-collect=worker_thread) ;;
	sys) WRAP=(strace -f -c -o "$out") ;;
	esac
	start_server "$name"
	got=$($CLI wrk -t1 -c"$c" -d"${sec}s" "http://127.0.0.1:$port/" 2>&1) ||
		die "wrk failed: $got"
	stop_server
	WRAP=()
	echo "$got" | grep -q 'Non-2xx' && die "$name answered non-2xx: $got"
	reqs=$(echo "$got" | awk '/requests in/ { print $1 }')
	[ "${reqs:-0}" -gt 0 ] && [ -s "$out" ] || die "no count from $tool on $name: $got"
	echo "$tool $name $c $reqs $out"
}

if [ "$INSTR" = 1 ]; then
	for c in 1 "$CONNS"; do
		for name in $MW_NAMES nginx; do
			for tool in ir sys; do
				echo "counting: $name, $c connection(s), $tool" >&2
				count $tool $name "$DUR" "$c" >>"$T/counts"
				count $tool $name $((3 * DUR)) "$c" >>"$T/counts"
			done
		done
	done
	for mw in $MW_NAMES; do
	python3 - "$T/counts" "$DUR" "$mw" <<'PY'
import collections, sys
runs = collections.defaultdict(list)  # (tool, name, conns) -> [(requests, file)]
for line in open(sys.argv[1]):
    tool, name, conns, reqs, path = line.split()
    if name == sys.argv[3]:
        name = "meshwalk"  # the mode this table is for
    runs[tool, name, int(conns)].append((int(reqs), path))
def instructions(path):
    for l in open(path):
        if l.startswith("summary:") or l.startswith("totals:"):
            return {"instructions": int(l.split()[1])}
    sys.exit(f"bench/http.sh: no total in {path}")
def syscalls(path):  # strace -c: % seconds usecs/call calls [errors] name
    out = collections.Counter()
    for l in open(path):
        f = l.split()
        if len(f) in (5, 6) and f[-1] != "total" and f[3].isdigit():
            out["system calls"] += int(f[3])
            out["  " + f[-1]] += int(f[3])
            if len(f) == 6:
                out["  " + f[-1] + " (failed)"] += int(f[4])
    return out
def per_request(tool, name, conns):
    (r1, p1), (r3, p3) = sorted(runs[tool, name, conns])
    read = instructions if tool == "ir" else syscalls
    a, b = read(p1), read(p3)
    return {k: (b[k] - a.get(k, 0)) / (r3 - r1) for k in b}
loads = sorted({k[2] for k in runs})
print(f"HTTP/1.1 keep-alive GET / (an empty 200), zero work, driven by wrk -t1; per request,")
print(f"counted: the difference between wrk runs of {sys.argv[2]} s and {3 * int(sys.argv[2])} s")
print(f"(instructions: user space, meshwalk's worker thread, nginx's one process; meshwalk: {sys.argv[3]})")
head = f"{'':<26}"
for c in loads:
    head += f"{f'{c} connection' + ('s' if c > 1 else ''):>30}"
print(head)
print(f"{'':<26}" + f"{'meshwalk':>12}{'nginx':>10}{'m/n':>8}" * len(loads))
rows = {}
for c in loads:
    for name in ("meshwalk", "nginx"):
        for tool in ("ir", "sys"):
            for k, v in per_request(tool, name, c).items():
                rows.setdefault(k, {})[name, c] = v
keys = ["instructions", "system calls"] + sorted(k for k in rows if k.startswith("  ") and
        max(rows[k].values()) >= 0.005)
for k in keys:
    line = f"{k:<26}"
    for c in loads:
        m, n = rows[k].get(("meshwalk", c), 0.0), rows[k].get(("nginx", c), 0.0)
        fmt = "{:>12.0f}{:>10.0f}" if k == "instructions" else "{:>12.2f}{:>10.2f}"
        line += fmt.format(m, n) + (f"{m / n:>8.2f}" if n > 0 else f"{'':>8}")
    print(line)
PY
	done
	exit
fi

for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then order="nginx $MW_NAMES"; else order="$MW_NAMES nginx"; fi
	for s in $order; do
		run "$s" >>"$T/$s.txt"
	done
done
python3 - "$T" "$DUR" "$ROUNDS" "$CONNS" "$QUOTA" $MW_NAMES <<'PY'
import statistics, sys
t, dur, rounds, conns, quota = sys.argv[1:6]
mws = sys.argv[6:]
def med(name, col):
    return statistics.median(float(l.split()[col]) for l in open(f"{t}/{name}.txt"))
n_rps, n_cpu = med("nginx", 0), med("nginx", 1)
# req/s per core: what one fully busy core serves, 1 / CPU per request. wrk's
# one thread may set the rate for both servers, leaving each core partly
# idle; then the req/s column says nothing about the servers, this one does.
n_core = 1e6 / n_cpu
w = max(12, max(len(m) for m in mws) + 2)
print(f"HTTP/1.1 keep-alive, zero work: wrk -t1 -c{conns} {dur}s, median of {rounds} rounds, one server worker")
print(f"{'server':<{w}}{'req/s':>12}{'CPU us/req':>14}{'busy':>8}{'req/s per core':>16}")
print(f"{'nginx':<{w}}{n_rps:>12.0f}{n_cpu:>14.2f}{n_rps * n_cpu / 1e4:>7.0f}%{n_core:>16.0f}")
for m in mws:
    m_rps, m_cpu = med(m, 0), med(m, 1)
    m_core = 1e6 / m_cpu
    print(f"{m:<{w}}{m_rps:>12.0f}{m_cpu:>14.2f}{m_rps * m_cpu / 1e4:>7.0f}%{m_core:>16.0f}")
for m in mws:
    m_rps, m_cpu = med(m, 0), med(m, 1)
    m_core = 1e6 / m_cpu
    label = "ratio m/n" if len(mws) == 1 else f"{m}/nginx"
    print(f"{label:<{w}}{m_rps / n_rps:>12.2f}{m_cpu / n_cpu:>14.2f}{'':>8}{m_core / n_core:>16.2f}"
          "   (goal: per core >= 1.20, CPU <= 1.00)")
if quota:
    # confined to quota % of a core and saturated: req/s itself, scaled
    q = int(quota) / 100
    for m in mws:
        m_rps = med(m, 0)
        print(f"saturated at a {quota}% CPU quota: req/s per core nginx {n_rps / q:.0f}, "
              f"{m} {m_rps / q:.0f}, ratio {m_rps / n_rps:.2f}")
PY
