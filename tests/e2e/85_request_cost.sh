# What one request may cost (docs/security.md, docs/robustness.md): each
# attack of issue 12 that took a node down or grew it without bound, now
# refused, bounded or cleaned up, while the node keeps serving.
. "$(dirname "$0")/lib.sh"
ok() { client "$@" || { show; fail "client $* exited $?"; }; }

start_node a --frame-timeout 1s --max-peer-queue 2m
start_node b

# A port nobody listens on (bound, then closed).
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# 1. Retries against a target that fails at once: spaced by the attempt
#    window, never recursive; the request ends after retry+1 attempts.
client --to 127.0.0.1:$a_PORT -F 127.0.0.1:$closed,retry=8,timeout=50ms -R -n 1 &&
	fail "forward to a closed port succeeded"
grep -q "forward to 127.0.0.1:$closed failed: unreachable" "$TMP/err" || { show; fail "unreachable text"; }
grep -qi "refused" "$TMP/err" && { show; fail "error text tells closed from filtered"; }
client --to 127.0.0.1:$a_PORT -F 127.0.0.1:$closed,retry=1000 -R -n 1 && fail "retry=1000 accepted"
grep -q "1000 retries; this node allows 8" "$TMP/err" || { show; fail "retry limit text"; }

# 2. Per-request budgets: seven COMPUTEs of 10 s pass every per-op check,
#    the request's budget (60 s) refuses them before any runs.
client --to 127.0.0.1:$a_PORT -C 10s -C 10s -C 10s -C 10s -C 10s -C 10s -C 10s -R -n 1 --timeout 5s &&
	fail "70 s of COMPUTE accepted"
grep -q "request over budget: its tree may cost 70000000 us of COMPUTE" "$TMP/err" || { show; fail "compute budget text"; }
# nested fan-outs multiply: 3 levels of 64 targets = 266,304 requests
t=$(python3 -c "print(','.join(['127.0.0.1:$b_PORT'] * 64))")
client --to 127.0.0.1:$a_PORT -F "$t" -F "$t" -F "$t" -R -R -R -R -n 1 && fail "fan-out product accepted"
grep -q "over budget: .* forwarded requests" "$TMP/err" || { show; fail "fan-out budget text"; }
# a route that forwards to itself ends at the hop limit
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_node r -b 127.0.0.1:$port --max-hops 5 --route "loop=-F 127.0.0.1:$port,route=loop -R"
client --to 127.0.0.1:$port --route loop -n 1 --timeout 10s && fail "route cycle answered ok"
grep -q "first error: node limit exceeded: .* via 127.0.0.1:$port" "$TMP/err" || { show; fail "hop limit text"; }
stop_node r
assert_eq "hops taken by the cycle" 6 "$(stat r requests)"
assert_eq "refused at the last hop" 1 "$(stat r over_budget)"

# 3. Back-pressure: a peer that never reads costs bounded memory; forwards
#    beyond --max-peer-queue fail at once; stale frames are dropped.
python3 - "$TMP/sink.port" "$TMP/sink.count" >"$TMP/sink.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept()
time.sleep(4)            # hung: reads nothing for a while
c.settimeout(1.0); n = 0; buf = b''; frames = 0; bad = None
try:
    while True:
        d = c.recv(1 << 20)
        if not d: break
        n += len(d)
        buf += d
        # every byte received must still be whole frames, cancelled ones gone whole
        while len(buf) >= 24 and bad is None:
            magic, ln = int.from_bytes(buf[0:2], 'little'), int.from_bytes(buf[4:8], 'little')
            if magic != 0x574d or ln < 24:
                bad = 'byte %d: not a frame header' % (n - len(buf))
                break
            if len(buf) < ln: break
            buf = buf[ln:]; frames += 1
except Exception: pass
open(sys.argv[2], "w").write('%d %d %s' % (n, frames, bad or 'ok'))
PY
PIDS+=($!)
slowwait 10 test -s "$TMP/sink.port" || fail "sink did not start"
sink=$(cat "$TMP/sink.port")
client --to 127.0.0.1:$a_PORT -F 127.0.0.1:$sink,ps=1m,timeout=300ms -R -n 60 -r 100 --timeout 5s
grep -q "forward queue full" "$TMP/err" || { show; fail "no back-pressure error"; }
rss=$(awk '/VmHWM/ {print $2}' /proc/$a_PID/status)
[ "$rss" -lt 120000 ] || fail "node grew to $rss KiB behind a peer that does not read"
slowwait 15 test -s "$TMP/sink.count" || fail "sink did not finish"
read -r got frames verdict <"$TMP/sink.count"
[ "$verdict" = ok ] || fail "the forward stream stopped being frames after $frames frames: $verdict"
[ "$got" -lt $((60 * 1048576)) ] || fail "all $got bytes of stale forwards were delivered late"

# 4. Partial frames: a header announcing 1 MB, then nothing: closed after
#    --frame-timeout, and the node serves others meanwhile.
python3 - "$a_PORT" >"$TMP/partial.log" 2>&1 <<'PY' &
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
prog = struct.pack('<BBHIQ', 5, 0, 0, 16, 0)
s.sendall(struct.pack('<HBBIQHHI', 0x574d, 1, 1, 1 << 20, 1, 0, 0, len(prog)) + prog + b'\0' * 1000)
s.settimeout(8)
t0 = time.time()
d = s.recv(100)   # b'' when the node closes the connection
print("closed" if d == b'' else "data", round(time.time() - t0, 1))
PY
partial=$!
PIDS+=($partial)
ok --to 127.0.0.1:$a_PORT -n 20 -r 100
wait $partial
grep -q closed "$TMP/partial.log" || fail "stalled frame: $(cat "$TMP/partial.log")"

# 5. The request starts once its padding has arrived, however large; a
#    forward's reply counts once its padding has arrived.
ok --to 127.0.0.1:$a_PORT -n 3 --closed-loop --ps 16m -R 10
python3 - "$a_PORT" >"$TMP/early.log" 2>&1 <<'PY' || fail "request started before its padding: $(cat "$TMP/early.log")"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
prog = struct.pack('<BBHIQ', 5, 0, 0, 16, 0)
head = struct.pack('<HBBIQHHI', 0x574d, 1, 1, 24 + len(prog) + 4096, 9, 0, 0, len(prog)) + prog
s.sendall(head)
s.settimeout(0.5)
try:
    s.recv(100)
    sys.exit("a reply came before the padding was sent")
except socket.timeout:
    pass
s.sendall(b'\0' * 4096)
s.settimeout(5)
r = s.recv(100)
assert len(r) >= 24 and struct.unpack_from('<Q', r, 8)[0] == 9, r
PY
python3 - "$TMP/slow.port" "$TMP/slow.sent" >"$TMP/slow.log" 2>&1 <<'PY' &
import os, socket, struct, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(l.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = l.accept()
h = c.recv(24, socket.MSG_WAITALL)
n, rid, plen = struct.unpack_from('<I', h, 4)[0], struct.unpack_from('<Q', h, 8)[0], struct.unpack_from('<I', h, 20)[0]
left = n - 24
while left > 0:
    left -= len(c.recv(min(left, 65536)))
c.sendall(struct.pack('<HBBIQHHI', 0x574d, 1, 2, 24 + 65536, rid, 0, 0, 0))
time.sleep(0.5)
c.sendall(b'\0' * 65536)
open(sys.argv[2], "w").write("sent")
time.sleep(1)
PY
PIDS+=($!)
slowwait 10 test -s "$TMP/slow.port" || fail "slow peer did not start"
ok --to 127.0.0.1:$a_PORT -F 127.0.0.1:$(cat "$TMP/slow.port") -R -R -n 1
test -s "$TMP/slow.sent" || fail "the node answered before the forward's reply had arrived"

# 7. The peer table is bounded: 3000 distinct forward targets (closed ports)
#    through a node with --max-peers 64 (ports 20000-22999, below the
#    ephemeral range); idle entries are reused.
start_node p --max-peers 64
python3 - "$p_PORT" >"$TMP/peers.log" 2>&1 <<'PY' || fail "distinct targets: $(cat "$TMP/peers.log")"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
reply = struct.pack('<BBHIQ', 5, 0, 0, 16, 0)
def fwd(port):
    target = struct.pack('<HH4s12x', 4, socket.htons(port), socket.inet_aton('127.0.0.1'))
    body = struct.pack('<IIIIQ', 1, 200000, 0, 0, 0) + target + struct.pack('<I', len(reply)) + reply
    op = struct.pack('<BBHI', 7, 0, 1, 8 + len(body)) + body
    return op + reply
n, chunk, got, buf = 3000, 50, 0, b''
s.settimeout(30)
for base in range(0, n, chunk):   # a chunk at a time: at most 64 connects in flight
    out = b''
    for i in range(base, base + chunk):
        prog = fwd(20000 + i)
        out += struct.pack('<HBBIQHHI', 0x574d, 1, 1, 24 + len(prog), i, 0, 0, len(prog)) + prog
    s.sendall(out)
    while got < base + chunk:
        buf += s.recv(65536)
        while len(buf) >= 24:
            ln = struct.unpack_from('<I', buf, 4)[0]
            if len(buf) < ln: break
            # unreachable; or, when another process (another test) listens
            # on the port, its answer, a failure, or a timeout (200 ms) when
            # it speaks another protocol and waits
            assert struct.unpack_from('<H', buf, 16)[0] in (0, 5, 6), buf[:ln]
            buf = buf[ln:]; got += 1
print(got)
PY
ok --to 127.0.0.1:$p_PORT -n 20 -r 1000
stop_node p
[ "$(stat p peer_evictions)" -ge 2900 ] || fail "peer entries not reused: $(stat p peer_evictions) evictions"

# 6. SIGTERM ends a node in the middle of a long COMPUTE.
start_node c --max-compute 20s
client --to 127.0.0.1:$c_PORT -C 15s -n 1 --timeout 30s &
cl=$!
sleep 0.5
kill -TERM $c_PID
for i in $(seq 1 60); do kill -0 $c_PID 2>/dev/null || break; sleep 0.05; done
kill -0 $c_PID 2>/dev/null && fail "node still running 3 s after SIGTERM during a COMPUTE"
wait $cl

stop_node a
assert_eq "retries spaced (one failure per attempt)" 9 "$(stat a forward_failures)"
assert_eq "retries" 8 "$(stat a retries)"
[ "$(stat a over_budget)" -ge 2 ] || fail "over_budget not counted"
[ "$(stat a forward_busy)" -ge 1 ] || fail "forward_busy not counted"
[ "$(stat a cancelled_bytes)" -gt 0 ] || fail "no stale frame dropped"
assert_eq "frame timeouts" 1 "$(stat a frame_timeouts)"
exit 0
