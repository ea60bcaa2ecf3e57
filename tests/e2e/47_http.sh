# HTTP/1.1 front end (node -b http://): seed 003's worker, routes, inline
# programs, real status codes, keep-alive and pipelining in order, request
# bodies (Content-Length, chunked, Expect: 100-continue), malformed requests;
# driven by real tools: curl, wrk, ab and hey, plus a raw python peer where the
# bytes on the wire matter.
. "$(dirname "$0")/lib.sh"
for t in curl wrk ab hey; do command -v $t >/dev/null || skip "needs $t (scripts/deps.sh install test)"; done
start_node t
start_node h -b http://127.0.0.1:0 --route "pay=-C 1ms -R 100" --route "slow=-C 50ms -R 7"
H=http://127.0.0.1:$h_PORT
grep -q "listening on 127.0.0.1:$h_PORT HTTP/1.1" "$TMP/h.log" || fail "start line: $(cat "$TMP/h.log")"
code() { curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "$@"; }

# seed 003's worker: JSON with ack and a latency at least the duration
[ "$(code "$H/worker?duration=30ms")" = 200 ] || fail "worker: $(cat "$TMP/hdr")"
python3 - "$TMP/body" <<'PY' || fail "worker JSON: $(cat "$TMP/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ack"] == "Request processed", d
assert 30 <= d["e2e_latency_ms"] < 5000, d
PY
grep -qi "^content-type: application/json" "$TMP/hdr" || fail "worker content type"
[ "$(code "$H/worker?duration=soon")" = 400 ] || fail "bad duration not 400"
# routes, the body size from REPLY, inline programs (query or header), /
[ "$(code "$H/pay")" = 200 ] && [ "$(wc -c <"$TMP/body")" = 100 ] || fail "route body $(wc -c <"$TMP/body")"
[ "$(code "$H/?program=-C%20100us%20-F%20127.0.0.1:$t_PORT%20-R%20-R%205000")" = 200 ] || fail "inline program"
[ "$(wc -c <"$TMP/body")" = 5000 ] || fail "inline program body"
[ "$(code -H 'x-meshwalk-program: -C 1ms -R 10' "$H/anything")" = 200 ] || fail "program header"
[ "$(code "$H/")" = 200 ] && [ ! -s "$TMP/body" ] || fail "/ not an empty 200"
[ "$(code -I "$H/pay")" = 200 ] && grep -qi "^content-length: 100" "$TMP/hdr" || fail "HEAD"
# errors: real statuses and meshwalk's status field
[ "$(code "$H/nope")" = 404 ] || fail "no route not 404"
grep -qi "^x-meshwalk-status: 10 no such route" "$TMP/hdr" || fail "status field: $(cat "$TMP/hdr")"
grep -q "no route 'nope' (this node has: pay, slow)" "$TMP/body" || fail "404 text: $(cat "$TMP/body")"
[ "$(code "$H/?program=-Q")" = 400 ] || fail "bad program not 400"
[ "$(code "$H/?program=-F%20127.0.0.1:1%20-R%20-R")" = 502 ] || fail "failed forward not 502"
grep -q "unreachable" "$TMP/body" || fail "502 text"
[ "$(code "$H/?program=-F%20127.0.0.1:$t_PORT,timeout=1ms%20-C%20200ms%20-R%20-R")" = 504 ] || fail "timeout not 504"
[ "$(code "$H/?program=-F%2010.9.9.9:7%20-R%20-R")" = 403 ] || fail "refused forward not 403"
long=$(python3 -c "print('-C%201us%20' * 650 + '-R')")
[ "$(code "$H/?program=$long")" = 413 ] || fail "long program not 413"
[ "$(code -H "x-big: $(python3 -c "print('a' * 9000)")" "$H/")" = 431 ] || fail "big head not 431"
# request bodies: read and dropped, then the request runs
[ "$(code --data-binary @/dev/null -H 'Content-Length: 0' "$H/pay")" = 200 ] || fail "empty POST"
head -c 300000 /dev/zero >"$TMP/big"
[ "$(code --data-binary @"$TMP/big" "$H/pay")" = 200 ] || fail "POST with Expect: 100-continue"
[ "$(code -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big" "$H/pay")" = 200 ] || fail "chunked POST"
[ "$(code --data-binary @<(head -c 2000000 /dev/zero) "$H/pay")" = 413 ] || fail "body over the limit not 413"

# keep-alive and pipelining: responses in request order, a slow one first
python3 - "$h_PORT" >"$TMP/pipe.log" 2>&1 <<'PY' || fail "pipelining: $(cat "$TMP/pipe.log")"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
reqs = [b"GET /slow HTTP/1.1\r\nHost: a\r\n\r\n", b"GET /pay HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /?program=-R%203 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]
s.sendall(b"".join(reqs))
s.settimeout(10)
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
sizes, statuses = [], []
while data:
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    statuses.append(int(lines[0].split()[1]))
    n = [int(l.split(b":")[1]) for l in lines if l.lower().startswith(b"content-length")][0]
    sizes.append(n); data = rest[n:]
assert statuses == [200, 200, 200, 404], statuses
assert sizes[:3] == [7, 100, 3], sizes
PY
# heads that differ in one field each, in turn on one connection (the worker
# reuses its last head while status, length, type and connection fields
# match): each answer carries its own
python3 - "$h_PORT" >"$TMP/heads.log" 2>&1 <<'PY' || fail "response heads: $(cat "$TMP/heads.log")"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
buf = b""
def ask(req):
    global buf
    s.sendall(req)
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        assert d, "closed early"
        buf += d
    head, _, buf = buf.partition(b"\r\n\r\n")
    n = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0]
    while len(buf) < n:
        buf += s.recv(65536)
    buf = buf[n:]
    return head.lower()
get = b"GET %s HTTP/1.1\r\nHost: a\r\n%s\r\n"
want = [(get % (b"/", b""), [b"200 ok", b"content-length: 0"], [b"connection", b"content-type"]),
        (get % (b"/", b""), [b"200 ok", b"content-length: 0"], [b"connection"]),
        (get % (b"/pay", b""), [b"content-length: 100", b"application/octet-stream"], [b"connection"]),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", [b"content-length: 0", b"connection: keep-alive"], []),
        (get % (b"/nope", b""), [b"404 not found", b"x-meshwalk-status: 10"], [b"connection"]),
        (get % (b"/", b""), [b"200 ok", b"content-length: 0"], [b"connection", b"x-meshwalk"]),
        (get % (b"/", b"Connection: close\r\n"), [b"content-length: 0", b"connection: close"], [])]
for req, has, hasnt in want:
    h = ask(req)
    for x in has:
        assert x in h, (req, x, h)
    for x in hasnt:
        assert x not in h, (req, x, h)
PY
# a malformed request (both Content-Length and chunked) gets 400 and a close
python3 - "$h_PORT" >"$TMP/smuggle.log" 2>&1 <<'PY' || fail "smuggling: $(cat "$TMP/smuggle.log")"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
          b"GET /pay HTTP/1.1\r\nHost: a\r\n\r\n")
s.settimeout(10)
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
assert data.startswith(b"HTTP/1.1 400 "), data[:100]
assert data.count(b"HTTP/1.1") == 1, data   # nothing after it is answered
PY

# real load tools: keep-alive connections, every response a 2xx
wrk -t 1 -c 4 -d 2s "$H/pay" >"$TMP/wrk.out" 2>&1 || fail "wrk: $(cat "$TMP/wrk.out")"
grep -q "Non-2xx" "$TMP/wrk.out" && fail "wrk saw errors: $(cat "$TMP/wrk.out")"
grep -Eq "^ *[0-9]+ requests in" "$TMP/wrk.out" || fail "wrk output: $(cat "$TMP/wrk.out")"
ab -k -n 300 -c 4 "$H/pay" >"$TMP/ab.out" 2>&1 || fail "ab: $(cat "$TMP/ab.out")"
grep -q "^Failed requests: *0" "$TMP/ab.out" || fail "ab failures: $(cat "$TMP/ab.out")"
grep -q "^Keep-Alive requests: *300" "$TMP/ab.out" || fail "ab keep-alive: $(cat "$TMP/ab.out")"
ab -n 100 -c 2 "$H/worker?duration=1ms" >"$TMP/ab2.out" 2>&1 || fail "ab (no keep-alive): $(cat "$TMP/ab2.out")"
# (ab counts bodies of another length as failures: the worker's latency digits vary)
grep -q "^Complete requests: *100" "$TMP/ab2.out" || fail "ab worker: $(cat "$TMP/ab2.out")"
grep -Eq "Connect: 0, Receive: 0, Length: [0-9]+, Exceptions: 0|^Failed requests: *0" "$TMP/ab2.out" || fail "ab worker failures: $(cat "$TMP/ab2.out")"
grep -q "Non-2xx" "$TMP/ab2.out" && fail "ab worker non-2xx: $(cat "$TMP/ab2.out")"
# hey (Go's net/http client): seed 003's worker and a route, every answer a 200
hey -n 200 -c 4 "$H/worker?duration=1ms" >"$TMP/hey.out" 2>&1 || fail "hey: $(cat "$TMP/hey.out")"
grep -Eq "^ *\[200\][[:space:]]+200 responses" "$TMP/hey.out" || fail "hey worker: $(cat "$TMP/hey.out")"
hey -n 100 -c 2 -m POST -d "$(head -c 500 /dev/zero | tr '\0' x)" "$H/pay" >"$TMP/hey2.out" 2>&1 ||
	fail "hey POST: $(cat "$TMP/hey2.out")"
grep -Eq "^ *\[200\][[:space:]]+100 responses" "$TMP/hey2.out" || fail "hey POST: $(cat "$TMP/hey2.out")"
grep -q "Error distribution" "$TMP/hey.out" "$TMP/hey2.out" && fail "hey saw errors: $(cat "$TMP/hey.out" "$TMP/hey2.out")"
stop_node h
[ "$(stat h http_requests)" -gt 500 ] || fail "http_requests: $(stat h http_requests)"
[ "$(stat h malformed)" -ge 3 ] || fail "malformed: $(stat h malformed)"
# an http:// forward runs a route (the client over HTTP: 48_http_client)
client --to 127.0.0.1:$t_PORT -F "$H" -R -n 1 && fail "-F http:// without a route accepted"
grep -q "an http:// target runs a route" "$TMP/err" || fail "-F http:// message: $(cat "$TMP/err")"
# a key covers meshwalk's protocol only: with an http:// address it is refused
head -c 32 /dev/urandom >"$TMP/key"; chmod 600 "$TMP/key"
"$MESHWALK" node -b http://127.0.0.1:0 --auth-key-file "$TMP/key" 2>"$TMP/auth.log" && fail "http:// with a key accepted"
grep -q "authenticates meshwalk's protocol only" "$TMP/auth.log" || fail "auth message: $(cat "$TMP/auth.log")"
exit 0
