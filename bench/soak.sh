#!/usr/bin/env bash
# bench/soak.sh -- one node under mixed valid and hostile traffic for a long
# time: does it stay within its memory bound, and does a well-behaved client
# see the latency a quiet node gives it?
#
#   bench/soak.sh            600 s of hostile traffic (SOAK_SECS), about 11 min
#   bench/soak.sh --smoke    10 s: checks that the soak still runs
#
# Two phases on one node each, measured in one run:
#   quiet  the well-behaved client alone (SOAK_QUIET_SECS, default 60 s)
#   soak   the same client while hostile peers, each in its own loop, send:
#          garbage bytes; frames that announce 1 MB and stall (held open until
#          --frame-timeout closes them); requests over the request budget
#          (7 x 10 s of COMPUTE, a 64x64x64 fan-out); retry=8 storms at a
#          closed port; 1 MB forwards to a peer that never reads; a route that
#          forwards to itself; datagrams asking 60 KB replies for 40 bytes.
# The node's RSS is sampled every second. The table prints the client's p50
# and p99 in both phases, their ratio, the node's peak RSS, and what the node
# counted of each attack. Nothing here is a pass/fail test: docs/robustness.md
# records the figures (quote them as ratios from one run).
set -u
cd "$(dirname "$0")/.."
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
SECS=${SOAK_SECS:-600}
QUIET=${SOAK_QUIET_SECS:-60}
RATE=${SOAK_RATE:-1000}
RSS_BOUND_KB=${SOAK_RSS_BOUND_KB:-131072}
if [ "${1:-}" = "--smoke" ]; then SECS=10 QUIET=5; fi
command -v python3 >/dev/null || { echo "soak: needs python3" >&2; exit 1; }
TMP=$(mktemp -d /tmp/meshwalk-soak.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME PORT: a node on PORT (TCP and UDP) with the soak's limits.
start() {
	"$MESHWALK" node -b udp://127.0.0.1:$2 -q --stats-file "$TMP/$1.stats" --frame-timeout 2s \
		--max-peer-queue 4m --max-hops 8 \
		--route "loop=-F 127.0.0.1:$2,route=loop -R" 2>"$TMP/$1.log" &
	PIDS+=($!)
	eval "${1}_PID=$!"
	for _ in $(seq 1 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $2), 0.2)" 2>/dev/null && return
		sleep 0.05
	done
	echo "soak: node $1 did not start: $(cat "$TMP/$1.log")" >&2
	exit 1
}

# well_behaved PORT SECONDS NAME: the client whose latency is compared.
well_behaved() {
	timeout -k 5 $(($2 + 120)) "$MESHWALK" client --to 127.0.0.1:$1 -n $((RATE * $2)) \
		-r $RATE -C 50us -R 1k -q --no-summary --json "$TMP/$3.json" >/dev/null 2>"$TMP/$3.err"
}

jget() { sed -n "/\"${2%%.*}\": {/,/}/s/.*\"${2#*.}\": \\([-0-9.e+]*\\).*/\\1/p" "$1" | head -n 1; }
jnum() { sed -n "s/^ *\"$2\": \([0-9]*\),$/\1/p" "$1"; }
stat_of() { sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$TMP/$1.stats"; }

# -- quiet --
qp=$(free_port)
start quiet "$qp"
well_behaved "$qp" "$QUIET" quiet
kill -TERM $quiet_PID; wait $quiet_PID 2>/dev/null

# -- soak --
sp=$(free_port)
start soak "$sp"
closed=$(free_port)
cat >"$TMP/hostile.py" <<'PY'
import os, socket, struct, subprocess, sys, threading, time
port, secs, mw, closed = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
end = time.time() + secs
counts = {}
def loop(name, fn, pause):
    n = 0
    while time.time() < end:
        try: fn()
        except Exception: pass
        n += 1
        time.sleep(pause)
    counts[name] = n
def frame(body, flags=0, length=None):
    return struct.pack('<HBBIQHHI', 0x574d, 1, 1, length or 24 + len(body), 1, 0, flags, len(body)) + body
reply = struct.pack('<BBHIQ', 5, 0, 0, 16, 60000)
def garbage():
    s = socket.create_connection(('127.0.0.1', port), 2); s.sendall(os.urandom(512)); s.close()
held = []
def stall():
    s = socket.create_connection(('127.0.0.1', port), 2)
    s.sendall(frame(reply, length=1 << 20)[:200]); held.append(s)
    if len(held) > 50: held.pop(0).close()
def client(*args):
    subprocess.run([mw, 'client', '--to', '127.0.0.1:%d' % port, '-n', '1', '-q', '--no-summary',
                    '--timeout', '5s'] + list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
fan = ','.join(['127.0.0.1:%d' % port] * 64)
sink = socket.socket(); sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
sink.bind(('127.0.0.1', 0)); sink.listen(64)   # accepts, never reads
sink_port = sink.getsockname()[1]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def amp():
    udp.sendto(frame(reply), ('127.0.0.1', port))
ts = [threading.Thread(target=loop, args=a) for a in [
    ('garbage', garbage, 0.01), ('stall', stall, 0.05),
    ('over_budget', lambda: client('-C', '10s', '-C', '10s', '-C', '10s', '-C', '10s', '-C', '10s', '-C', '10s', '-C', '10s', '-R'), 0.2),
    ('fanout', lambda: client('-F', fan, '-F', fan, '-F', fan, '-R', '-R', '-R', '-R'), 0.2),
    ('retry_storm', lambda: client('-F', '127.0.0.1:%d,retry=8,timeout=10ms' % closed, '-R'), 0.2),
    ('sink', lambda: client('-F', '127.0.0.1:%d,ps=1m,timeout=200ms' % sink_port, '-R'), 0.05),
    ('route_loop', lambda: client('--route', 'loop'), 0.2),
    ('udp_amp', amp, 0.005)]]
for t in ts: t.start()
for t in ts: t.join()
print(' '.join('%s=%d' % kv for kv in sorted(counts.items())))
PY
# The hostile peers stand for other machines: on a 2-core box their own CPU
# (python, and a client process per attack) would otherwise be charged to the
# node's latency, so they run at a lower priority than the node and the
# well-behaved client (SOAK_HOSTILE_NICE, default 10; 0 to compete equally).
nice -n "${SOAK_HOSTILE_NICE:-10}" python3 "$TMP/hostile.py" "$sp" "$SECS" "$MESHWALK" "$closed" \
	>"$TMP/hostile.out" 2>"$TMP/hostile.err" &
hostile=$!
PIDS+=($hostile)
sleep 1
( peak=0; while kill -0 $soak_PID 2>/dev/null && kill -0 $hostile 2>/dev/null; do
	r=$(awk '/^VmRSS/ { print $2 }' /proc/$soak_PID/status 2>/dev/null || echo 0)
	[ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$TMP/peak"
	sleep 1
  done ) &
sampler=$!
well_behaved "$sp" $((SECS - 2)) soak
wait $hostile
wait $sampler 2>/dev/null
kill -TERM $soak_PID; wait $soak_PID 2>/dev/null

q50=$(jget "$TMP/quiet.json" latency.p50) q99=$(jget "$TMP/quiet.json" latency.p99)
s50=$(jget "$TMP/soak.json" latency.p50) s99=$(jget "$TMP/soak.json" latency.p99)
peak=$(cat "$TMP/peak" 2>/dev/null || echo 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b; else print "-" }'; }
echo "soak: ${SECS}s of hostile traffic at one node, well-behaved client at $RATE req/s (-C 50us -R 1k)"
printf '%-36s %12s %12s %8s\n' "" quiet soak "ratio"
printf '%-36s %12s %12s %8s\n' "client latency p50 (us)" "$q50" "$s50" "$(ratio "$s50" "$q50")"
printf '%-36s %12s %12s %8s\n' "client latency p99 (us)" "$q99" "$s99" "$(ratio "$s99" "$q99")"
printf '%-36s %12s %12s\n' "client ok / sent" "$(jnum "$TMP/quiet.json" ok)/$(jnum "$TMP/quiet.json" sent)" \
	"$(jnum "$TMP/soak.json" ok)/$(jnum "$TMP/soak.json" sent)"
echo "node peak RSS: $peak KiB (bound $RSS_BOUND_KB KiB)"
echo "hostile loops: $(cat "$TMP/hostile.out")"
echo -n "node counted:"
for k in malformed frame_timeouts over_budget limit_violations forward_busy retries cancelled_bytes \
	udp_amplification_refused refused_conns requests; do
	echo -n " $k=$(stat_of soak $k)"
done
echo
[ "$peak" -le "$RSS_BOUND_KB" ] || { echo "soak: node RSS $peak KiB over the bound" >&2; exit 1; }
