# 48_http_client: HTTP/1.1 from meshwalk's side. The client --to http://
# against a node's HTTP front end (counts, outputs, DistWalk lines, errors, a
# 504, timeouts, pipelining on one keep-alive connection, the REPLY size
# checked, odd but valid framings and a malformed response from a raw peer),
# cross-checked with curl; node-to-node forwards over HTTP/1.1 (quorum with a
# failing peer, statuses carried back, the budget carried, --net-delay on the
# hop as a lower bound); a scenario with protocol: http run by meshwalk run.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "needs curl (scripts/deps.sh install test)"
command -v python3 >/dev/null || skip "needs python3"
start_node t
start_node h -b http://127.0.0.1:0 --route "pay=-C 1ms -R 100" --route "slow=-C 30ms -R 7"
H=http://127.0.0.1:$h_PORT
code() { curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code} %{size_download}' "$@"; }

# -- the client against a node's HTTP front end --
client --to "$H/pay" -n 200 -r 1000 --csv "$TMP/r.csv" --json "$TMP/summary.json" -q ||
	{ show; fail "route run"; }
assert_eq "route ok" 200 "$(json ok)"
assert_eq "route errors" 0 "$(json errors)"
grep -q '"target": "http://127.0.0.1:'"$h_PORT"'"' "$TMP/summary.json" || fail "JSON target"
grep -q "summary: http://127.0.0.1:$h_PORT, 1 thread" "$TMP/out" || { show; fail "summary target"; }
assert_eq "CSV ok rows" 200 "$(grep -c ',ok$' "$TMP/r.csv")"
# an inline program (x-meshwalk-program), with DistWalk's lines; curl agrees
client --to "$H" -C 100us -R 1k -n 20 || { show; fail "program run"; }
assert_eq "per-request lines" 20 "$(grep -c '^t: ' "$TMP/out")"
grep -q "Sent pkts - success: 20, error: 0, timeout: 0, thr_id: 0" "$TMP/out" || { show; fail "Sent pkts"; }
assert_eq "curl: program" "200 1000" "$(code -H 'x-meshwalk-program: -C 100us -R 1k' "$H/")"
assert_eq "curl: route" "200 100" "$(code "$H/pay")"
# errors: counted, never latencies; the same status as curl sees
client --to "$H/nope" -n 5 --json "$TMP/summary.json" -q && fail "no route: exit 0"
assert_eq "no route errors" 5 "$(json errors)"
grep -q "HTTP 404 (x-meshwalk-status: 10 no such route): node 127.0.0.1:$h_PORT: no route 'nope'" "$TMP/err" ||
	{ show; fail "no route message"; }
assert_eq "curl: no route" 404 "$(code "$H/nope" | cut -d' ' -f1)"
# a forward that times out at the node is a 504, counted as an error
client --to "$H" -F "127.0.0.1:$t_PORT,timeout=1ms" -C 50ms -R -R -n 3 --json "$TMP/summary.json" -q &&
	fail "504: exit 0"
assert_eq "504 errors" 3 "$(json errors)"
grep -q "HTTP 504 (x-meshwalk-status: 6 forward timed out)" "$TMP/err" || { show; fail "504 message"; }
prog="-F 127.0.0.1:$t_PORT,timeout=1ms -C 50ms -R -R"
assert_eq "curl: 504" 504 "$(code -H "x-meshwalk-program: $prog" "$H/" | cut -d' ' -f1)"
grep -qi "^x-meshwalk-status: 6 forward timed out" "$TMP/hdr" || fail "curl: status field"
# the client's own timeout: late answers are matched in order and dropped
client --to "$H/slow" --timeout 5ms -n 3 --json "$TMP/summary.json" -q && fail "timeouts: exit 0"
assert_eq "timeouts" 3 "$(json timeouts)"
# pipelining: a burst on one keep-alive connection, answered in order
start_node p -b http://127.0.0.1:0 --route "w=-C 5ms -R 7"
client --to "http://127.0.0.1:$p_PORT/w" -n 50 -r 5000 --json "$TMP/summary.json" -q ||
	{ show; fail "pipelined run"; }
assert_eq "pipelined ok" 50 "$(json ok)"
stop_node p
assert_eq "one connection" 1 "$(stat p accepted)"
assert_eq "its requests" 50 "$(stat p http_requests)"
# usage: a route in --to and ops, --auth-key-file, a bad route name: exit 2
client --to "$H/pay" -C 1ms -n 1
assert_eq "route and ops" 2 $?
head -c 32 /dev/urandom >"$TMP/key"; chmod 600 "$TMP/key"
client --to "$H" --auth-key-file "$TMP/key" -n 1
assert_eq "http:// with a key" 2 $?
grep -q "HTTP requests carry no authentication tag" "$TMP/err" || fail "key message: $(cat "$TMP/err")"
client --to "$H/bad name" -n 1
assert_eq "bad route name" 2 $?

# The REPLY's size is checked; chunked, 100 Continue and close-delimited
# answers are read; a malformed answer breaks the connection.
python3 - "$TMP/raw.port" >"$TMP/raw.log" 2>&1 <<'PY' &
import socket, sys
answers = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n",
           b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nshort",
           b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789",
           b"HTTP/1.0 200 OK\r\n\r\n0123456789"]
bad = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy"
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4)
ls.settimeout(60)
open(sys.argv[1], "w").write(str(ls.getsockname()[1]))
for conn_answers in (answers, [bad]):
    c, _ = ls.accept()
    c.settimeout(30)
    data = b""
    for a in conn_answers:
        while b"\r\n\r\n" not in data:
            data += c.recv(4096)
        data = data[data.index(b"\r\n\r\n") + 4:]
        c.sendall(a)
    c.close()
PY
PIDS+=($!)
slowwait 10 test -s "$TMP/raw.port" || fail "raw peer did not start"
R=http://127.0.0.1:$(cat "$TMP/raw.port")
client --to "$R" -R 10 -n 4 --json "$TMP/summary.json" -q && fail "short body: exit 0"
assert_eq "framings ok" 3 "$(json ok)"
assert_eq "short body" 1 "$(json errors)"
grep -q "HTTP 200 with a body of 5 bytes, expected 10 (the program's REPLY)" "$TMP/err" || { show; fail "size message"; }
client --to "$R" -R 1 -n 1 --json "$TMP/summary.json" -q && fail "malformed answer: exit 0"
assert_eq "malformed answer lost" 1 "$(json lost)"
grep -q "bad HTTP response: differing Content-Length values" "$TMP/err" || { show; fail "malformed message"; }

# -- nodes forwarding over HTTP/1.1 --
start_node b1 -b http://127.0.0.1:0 --route "leaf=-C 1ms -R 10" --route "slow=-C 100ms -R 10"
start_node b2 -b http://127.0.0.1:0 --route "leaf=-C 1ms -R 10"
start_node a -b 127.0.0.1:0 -b http://127.0.0.1:0
aH=http://127.0.0.1:$(sed -n 2p "$TMP/a.port")
B1=http://127.0.0.1:$b1_PORT B2=http://127.0.0.1:$b2_PORT
# quorum: two of three targets answer, the third refuses connections
client --to 127.0.0.1:$a_PORT -F "$B1/leaf,$B2/leaf,http://127.0.0.1:1/leaf,nack=2" -R 10 \
	-n 20 -r 200 -q || { show; fail "nack=2 with a failing peer"; }
grep -q "ok 20," "$TMP/out" || { show; fail "nack=2: not every request"; }
client --to 127.0.0.1:$a_PORT -F "$B1,$B2,http://127.0.0.1:1,route=leaf,nack=3" -R 10 -n 5 -q &&
	fail "nack=3 with a failing peer: exit 0"
grep -q "forward to http://127.0.0.1:1 failed: unreachable" "$TMP/err" || { show; fail "failing peer message"; }
# a failing hop's status comes back: no route (404), and a timeout as a 504
client --to 127.0.0.1:$a_PORT -F "$B1/nosuch" -R -n 2 -q && fail "no route at the peer: exit 0"
grep -q "no such route: node 127.0.0.1:$a_PORT: via 127.0.0.1:$b1_PORT: node 127.0.0.1:$b1_PORT: no route 'nosuch'" \
	"$TMP/err" || { show; fail "peer's 404 not carried back"; }
client --to "$aH" -F "$B1/slow,timeout=20ms" -R -n 1 -q && fail "timed-out HTTP hop: exit 0"
grep -q "HTTP 504 (x-meshwalk-status: 6 forward timed out)" "$TMP/err" || { show; fail "HTTP hop timeout"; }
# curl through a to b2 over HTTP both ways: same status and size as the client
assert_eq "curl through two HTTP hops" "200 5" "$(code -H "x-meshwalk-program: -F $B2/leaf -R 5" "$aH/")"
client --to "$aH" -F "$B2/leaf" -R 5 -n 10 -q || { show; fail "client through two HTTP hops"; }
stop_node a
stop_node b2
[ "$(stat a forwards)" -ge 80 ] || fail "a's forwards: $(stat a forwards)"
[ "$(stat b2 http_requests)" -ge 31 ] || fail "b2's HTTP requests: $(stat b2 http_requests)"
# the budget travels with HTTP forwards: a route that calls itself ends at --max-hops
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_node c -b "http://127.0.0.1:$port" --route "loop=-F http://127.0.0.1:$port/loop -R" --max-hops 4
client --to "http://127.0.0.1:$port/loop" -n 1 --timeout 20s -q && fail "a route loop over HTTP: exit 0"
grep -q "HTTP 413 (x-meshwalk-status: 3 node limit exceeded)" "$TMP/err" || { show; fail "route loop not stopped"; }
# --net-delay holds a forwarded HTTP request like a native one (a lower bound)
start_node e -b http://127.0.0.32:0 --route "leaf=-R"
start_node d -b 127.0.0.31:0 --net-delay 127.0.0.32=30ms
client --to 127.0.0.31:$d_PORT -F "http://127.0.0.32:$e_PORT/leaf" -R -n 5 -r 50 -q ||
	{ show; fail "delayed HTTP hop"; }
awk -v a="$(grep -oE 'min [0-9.]+' "$TMP/out" | head -n 1 | cut -d' ' -f2)" 'BEGIN { exit !(a >= 30000) }' ||
	{ show; fail "the 30ms rule did not hold the HTTP hop"; }

# -- a scenario with an HTTP service --
cat >"$TMP/web.yaml" <<'YAML'
name: web
services:
  back:
    protocol: http
    routes: { get: "-C 20us -R 256" }
  front:
    routes: { page: "-C 50us -F {back},route=get -R 512" }
clients:
  - { name: pages, to: front, route: page, args: "-n 40 -r 200" }
  - { name: direct, to: back, route: get, args: "-n 40 -r 200" }
YAML
"$MESHWALK" run --check "$TMP/web.yaml" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "--check web.yaml"; }
grep -q "service back: 1 replica, route get, HTTP/1.1$" "$TMP/out" || { cat "$TMP/out"; fail "--check does not show HTTP"; }
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/run" "$TMP/web.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "run web.yaml"; }
assert_eq "scenario ok" 80 "$(json ok "$TMP/run/summary.json")"
grep -q -- "-b http://127.0.0.1:0" "$TMP/run/commands.txt" || fail "back does not bind http://"
grep -q -- "--route 'page=-C 50us -F http://127.0.0.1:[0-9]*,route=get -R 512'" "$TMP/run/commands.txt" ||
	{ cat "$TMP/run/commands.txt"; fail "front's route does not reach back over http://"; }
grep -q -- "--to http://127.0.0.1:[0-9]*" "$TMP/run/commands.txt" || fail "the direct group does not use http://"
assert_eq "back's HTTP requests" 80 \
	"$(grep -o '"http_requests": [0-9]*' "$TMP/run/nodes/back-0/stats.json" | sed 's/.*: //')"
# a forward to an HTTP service must name a route: a load error with its position
printf 'services:\n  b: { protocol: http }\n  f:\n    routes: { x: "-F {b} -R" }\nclients:\n  - { name: g, to: f, route: x }\n' >"$TMP/noroute.yaml"
"$MESHWALK" run -q -o "$TMP/nr" "$TMP/noroute.yaml" >"$TMP/out" 2>"$TMP/err"
assert_eq "forward without a route to an HTTP service" 2 $?
grep -q "noroute.yaml:4:18: service f: route x: -F 'http://127.0.0.1:1': an http:// target runs a route" "$TMP/err" ||
	{ cat "$TMP/err"; fail "no route message"; }
printf 'services:\n  b: { protocol: udp }\nclients:\n  - { name: g, to: b }\n' >"$TMP/proto.yaml"
"$MESHWALK" run -q -o "$TMP/pr" "$TMP/proto.yaml" >"$TMP/out" 2>"$TMP/err"
assert_eq "protocol: udp" 2 $?
grep -q "proto.yaml:2:18: service b: protocol: expected tcp, http, h2c, grpc, ssl, https or grpcs, got 'udp'" "$TMP/err" || { cat "$TMP/err"; fail "protocol message"; }
exit 0
