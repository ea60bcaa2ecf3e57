# 49_h2_client: HTTP/2 and gRPC from meshwalk's side. The client --to h2c://
# and --to grpc:// against a node's front ends (counts, outputs, errors as
# statuses and grpc-status codes, the REPLY size checked, timeouts and the
# reset of a timed-out stream, many streams on one connection and --streams
# as their cap, trace context), and
# against real peers that are not meshwalk: nghttpd (nghttp2's own HTTP/2
# server) and a python3-grpcio server of meshwalk.v1.Walk generated from
# docs/meshwalk.proto, which checks what each call carried.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3   # Debian's, where python3-grpcio lives
DOCS=$(cd "$(dirname "$0")/../../docs" && pwd)
command -v nghttpd >/dev/null || skip "needs nghttpd (nghttp2-server; scripts/deps.sh install test)"
$PY -c "import grpc, grpc_tools.protoc" 2>/dev/null || skip "needs python3-grpcio and python3-grpc-tools (scripts/deps.sh install test)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_node t
start_node h -b h2c://127.0.0.1:0 -b grpc://127.0.0.1:0 --route "pay=-C 1ms -R 100" \
	--route "slow=-C 30ms -R 7"
G=$(sed -n 2p "$TMP/h.port")
H=h2c://127.0.0.1:$h_PORT

# -- h2c:// against the node --
client --to "$H/pay" -n 200 -r 2000 --csv "$TMP/r.csv" --json "$TMP/summary.json" -q ||
	{ show; fail "h2c route run"; }
assert_eq "h2c route ok" 200 "$(json ok)"
assert_eq "h2c route errors" 0 "$(json errors)"
grep -q '"target": "h2c://127.0.0.1:'"$h_PORT"'"' "$TMP/summary.json" || fail "JSON target"
assert_eq "CSV ok rows" 200 "$(grep -c ',ok$' "$TMP/r.csv")"
# an inline program (x-meshwalk-program), with a body (--ps) and DistWalk's lines
client --to "$H" -C 100us -R 1k --ps 3000 -n 20 || { show; fail "h2c program run"; }
grep -q "Sent pkts - success: 20, error: 0, timeout: 0, thr_id: 0" "$TMP/out" || { show; fail "Sent pkts"; }
# a REPLY size the node does not send is an error (a constant REPLY is checked)
client --to "$H" -C 10us -R "1k" -n 5 --json "$TMP/summary.json" -q || { show; fail "1k run"; }
assert_eq "REPLY 1k ok" 5 "$(json ok)"
# statuses: counted as errors, with the node's status field
client --to "$H/nope" -n 5 --json "$TMP/summary.json" -q && fail "no route: exit 0"
assert_eq "h2c no route errors" 5 "$(json errors)"
grep -q "HTTP 404 (x-meshwalk-status: 10 no such route): node 127.0.0.1:$h_PORT: no route 'nope'" "$TMP/err" ||
	{ show; fail "no route message"; }
client --to "$H" -F "127.0.0.1:$t_PORT,timeout=1ms" -C 50ms -R -R -n 3 --json "$TMP/summary.json" -q &&
	fail "504: exit 0"
assert_eq "504 errors" 3 "$(json errors)"
grep -q "HTTP 504 (x-meshwalk-status: 6 forward timed out)" "$TMP/err" || { show; fail "504 message"; }
# the client's own timeout; late streams are dropped, the connection goes on
client --to "$H/slow" --timeout 5ms -n 3 --json "$TMP/summary.json" -q && fail "timeouts: exit 0"
assert_eq "h2c timeouts" 3 "$(json timeouts)"
# many streams on one connection: a burst of 30 ms requests at 2000/s would
# take 3 s one after another; with --streams 4 they run 4 at a time
start_node p -b h2c://127.0.0.1:0 --route "w=--sleep 30ms -R 7" --nt 1
client --to "h2c://127.0.0.1:$p_PORT/w" -n 40 -r 2000 --streams 40 --json "$TMP/summary.json" -q ||
	{ show; fail "streams run"; }
assert_eq "streams ok" 40 "$(json ok)"
client --to "h2c://127.0.0.1:$p_PORT/w" -n 40 -r 2000 --streams 1 --json "$TMP/summary1.json" -q ||
	{ show; fail "--streams 1 run"; }
stop_node p
assert_eq "one connection a run" 2 "$(stat p accepted)"
assert_eq "its requests" 80 "$(stat p h2_requests)"
# with one stream at a time, the 40th request waits for 39 SLEEPs of 30 ms
# before its own: over a second; with 40 streams none waits for another
python3 - "$TMP/summary.json" "$TMP/summary1.json" <<'PY' || fail "--streams did not cap concurrency"
import json, sys
many, one = (json.load(open(f)) for f in sys.argv[1:3])
def mx(d):
    for k in ("latency", "latency_us"):
        if k in d:
            return d[k]["max"]
    raise KeyError(d.keys())
assert mx(one) > 1_000_000 > mx(many), (mx(one), mx(many))
PY
# a request that times out has its stream reset (RST_STREAM CANCEL): the node
# counts the reset, and with --streams 1 the next request gets the freed place
# (without the reset every later request would wait behind the 9 s SLEEP).
# The node samples the route's SLEEP per request in arrival order (--nt 1).
printf '9s\n0\n0\n0\n' >"$TMP/sleeps"
start_node r -b h2c://127.0.0.1:0 --nt 1 --route "s=--sleep file:$TMP/sleeps -R 7"
client --to "h2c://127.0.0.1:$r_PORT/s" --streams 1 --closed-loop --timeout 3s -n 4 \
	--json "$TMP/summary.json" -q && fail "a timeout: exit 0"
assert_eq "the first request timed out" 1 "$(json timeouts)"
assert_eq "the later ones, on the same connection, ok" 3 "$(json ok)"
stop_node r
assert_eq "the node saw the reset" 1 "$(stat r h2_resets)"
assert_eq "one connection" 1 "$(stat r accepted)"
# usage: --streams checked, no auth tag
client --to "$H" --streams 0 -n 1
assert_eq "--streams 0" 2 $?
head -c 32 /dev/urandom >"$TMP/key"; chmod 600 "$TMP/key"
client --to "$H" --auth-key-file "$TMP/key" -n 1
assert_eq "h2c:// with a key" 2 $?

# -- grpc:// against the node --
client --to "grpc://127.0.0.1:$G" --route pay -n 100 -r 2000 --json "$TMP/summary.json" -q ||
	{ show; fail "grpc route run"; }
assert_eq "grpc route ok" 100 "$(json ok)"
client --to "grpc://127.0.0.1:$G" -C 50us -R 2k --ps 5000 -n 30 --json "$TMP/summary.json" -q ||
	{ show; fail "grpc program run"; }
assert_eq "grpc program ok" 30 "$(json ok)"
client --to "grpc://127.0.0.1:$G" --route nope -n 4 --json "$TMP/summary.json" -q && fail "grpc no route: exit 0"
assert_eq "grpc no route errors" 4 "$(json errors)"
grep -q "grpc-status 5 NOT_FOUND (x-meshwalk-status: 10 no such route)" "$TMP/err" ||
	{ show; fail "grpc no route message"; }
client --to "grpc://127.0.0.1:$G" -F "127.0.0.1:1" -R -R -n 2 --json "$TMP/summary.json" -q &&
	fail "grpc failed forward: exit 0"
grep -q "grpc-status 14 UNAVAILABLE" "$TMP/err" || { show; fail "UNAVAILABLE message"; }

# -- forwards over HTTP/2 and gRPC (-F h2c://HOST:PORT/NAME, -F grpc://...) --
start_node f --nt 1 --route "viah2=-C 10us -F h2c://127.0.0.1:$h_PORT/pay -R 20" \
	--route "viagrpc=-F grpc://127.0.0.1:$G/pay -R 30" \
	--route "both=-F h2c://127.0.0.1:$h_PORT/pay,grpc://127.0.0.1:$G/pay -R 5"
client --to 127.0.0.1:$f_PORT --route viah2 -n 50 -r 2000 --json "$TMP/summary.json" -q ||
	{ show; fail "forward over h2c"; }
assert_eq "h2c forwards ok" 50 "$(json ok)"
client --to 127.0.0.1:$f_PORT --route viagrpc -n 50 -r 2000 --json "$TMP/summary.json" -q ||
	{ show; fail "forward over grpc"; }
assert_eq "grpc forwards ok" 50 "$(json ok)"
client --to 127.0.0.1:$f_PORT --route both -n 20 --json "$TMP/summary.json" -q || { show; fail "both"; }
assert_eq "h2c and grpc targets of one forward" 20 "$(json ok)"
# op words from the client; quorum over a dead target; statuses carried back
client --to 127.0.0.1:$f_PORT -F "h2c://127.0.0.1:1/pay,grpc://127.0.0.1:$G/pay,nack=1" -R -n 10 \
	--json "$TMP/summary.json" -q || { show; fail "quorum with a dead h2c target"; }
assert_eq "quorum ok" 10 "$(json ok)"
client --to 127.0.0.1:$f_PORT -F "h2c://127.0.0.1:$h_PORT/nope" -R -n 2 -q && fail "no route via h2c: exit 0"
grep -q "via 127.0.0.1:$h_PORT: node 127.0.0.1:$h_PORT: no route 'nope'" "$TMP/err" || { show; fail "h2c 404 carried"; }
client --to 127.0.0.1:$f_PORT -F "grpc://127.0.0.1:$G/nope" -R -n 2 -q && fail "no route via grpc: exit 0"
grep -q "no such route: .*no route 'nope'" "$TMP/err" || { show; fail "grpc NOT_FOUND carried"; }
# a route that forwards to itself over h2c: the budget rides in x-meshwalk-budget
CP=$(free_port)
start_node cyc -b "h2c://127.0.0.1:$CP" --route "loop=-F h2c://127.0.0.1:$CP/loop -R"
client --to "h2c://127.0.0.1:$CP/loop" -n 1 --timeout 20s -q && fail "an h2c route cycle answered ok"
grep -q "node limit exceeded" "$TMP/err" || { show; fail "h2c route cycle not bounded by the budget"; }
client --to "h2c://127.0.0.1:$h_PORT/pay" -n 5 --json "$TMP/summary.json" -q || { show; fail "serving after the cycle"; }
stop_node cyc
[ "$(stat cyc h2_requests)" -lt 100 ] || fail "the cycle ran $(stat cyc h2_requests) hops"
# the wire refuses a forward over HTTP/2 without a route
client --to 127.0.0.1:$f_PORT -F "h2c://127.0.0.1:$h_PORT" -R -n 1
assert_eq "h2c target without a route" 2 $?
grep -q "an h2c:// target runs a route" "$TMP/err" || fail "h2c no-route message: $(cat "$TMP/err")"
client --to 127.0.0.1:$f_PORT -F "grpcs://127.0.0.1:$G" -R -n 1
assert_eq "grpcs target without a route" 2 $?
grep -q "an grpcs:// target runs a route" "$TMP/err" || fail "grpcs no-route message: $(cat "$TMP/err")"
stop_node f
# HTTP/2 multiplexes: every forward to one target shared one connection
assert_eq "f's peer connections" 0 "$(stat f peer_evictions)"

# -- real peers --
# nghttpd serves files: /pay is a route path to the client, a file to it
mkdir -p "$TMP/www"
head -c 100 /dev/zero >"$TMP/www/pay"
NPORT=$(free_port)
nghttpd --no-tls -d "$TMP/www" "$NPORT" >"$TMP/nghttpd.log" 2>&1 &
NGHTTPD=$!
PIDS+=("$NGHTTPD") # stopped by lib.sh's cleanup when a check fails
slowwait 10 bash -c "echo >/dev/tcp/127.0.0.1/$NPORT" || fail "nghttpd did not listen: $(cat "$TMP/nghttpd.log")"
client --to "h2c://127.0.0.1:$NPORT/pay" -n 100 -r 2000 --streams 16 --json "$TMP/summary.json" -q ||
	{ show; fail "against nghttpd"; }
assert_eq "nghttpd ok" 100 "$(json ok)"
client --to "h2c://127.0.0.1:$NPORT/missing" -n 3 --json "$TMP/summary.json" -q && fail "nghttpd 404: exit 0"
assert_eq "nghttpd 404 errors" 3 "$(json errors)"
grep -q "HTTP 404" "$TMP/err" || { show; fail "nghttpd 404 message"; }
# a node forwards to nghttpd over h2c: a file is a route to it; a 404 is no such route
start_node fn --route "n=-F h2c://127.0.0.1:$NPORT/pay -R"
client --to 127.0.0.1:$fn_PORT --route n -n 20 --json "$TMP/summary.json" -q || { show; fail "forward to nghttpd"; }
assert_eq "forwards to nghttpd ok" 20 "$(json ok)"
client --to 127.0.0.1:$fn_PORT -F "h2c://127.0.0.1:$NPORT/missing" -R -n 2 -q && fail "forward to a missing file: exit 0"
grep -q "no such route: .*via 127.0.0.1:$NPORT: .*404 Not Found" "$TMP/err" || { show; fail "nghttpd 404 as no such route"; }
stop_node fn
kill "$NGHTTPD"; wait "$NGHTTPD" 2>/dev/null

# a grpcio server: every call's route, program and payload size are logged
mkdir -p "$TMP/py"
$PY -m grpc_tools.protoc -I"$DOCS" --python_out="$TMP/py" --grpc_python_out="$TMP/py" meshwalk.proto ||
	fail "protoc on docs/meshwalk.proto"
timeout 120 $PY - "$TMP/py" "$TMP/g.port" "$TMP/calls.log" >"$TMP/gsrv.log" 2>&1 <<'PY' &
import sys, threading, grpc
from concurrent import futures
sys.path.insert(0, sys.argv[1])
import meshwalk_pb2 as mw, meshwalk_pb2_grpc as mwg
log = open(sys.argv[3], "w")
lock = threading.Lock()
class Walk(mwg.WalkServicer):
    def Run(self, req, ctx):
        with lock:
            log.write("%s|%s|%d|%s\n" % (req.route, req.program, len(req.payload),
                      dict(ctx.invocation_metadata()).get("traceparent", "-")))
            log.flush()
        if req.route == "deny":
            ctx.abort(grpc.StatusCode.PERMISSION_DENIED, "not you")
        return mw.RunReply(payload=b"\0" * 64 if req.route else b"\0" * 300)
srv = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
mwg.add_WalkServicer_to_server(Walk(), srv)
port = srv.add_insecure_port("127.0.0.1:0")
srv.start()
open(sys.argv[2] + ".tmp", "w").write(str(port))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.wait_for_termination(timeout=100)
PY
GSRV=$!
PIDS+=("$GSRV") # stopped by lib.sh's cleanup when a check fails
for _ in $(seq 100); do [ -s "$TMP/g.port" ] && break; sleep 0.1; done
[ -s "$TMP/g.port" ] || fail "grpcio server did not start: $(cat "$TMP/gsrv.log")"
GP=$(cat "$TMP/g.port")
client --to "grpc://127.0.0.1:$GP" --route pay --ps 777 -n 10 --json "$TMP/summary.json" -q ||
	{ show; fail "against grpcio: route"; }
assert_eq "grpcio route ok" 10 "$(json ok)"
assert_eq "route and payload carried" 10 "$(grep -c '^pay||777|' "$TMP/calls.log")"
# a constant REPLY is checked against the payload the server sent (300 bytes)
client --to "grpc://127.0.0.1:$GP" -C 1ms -R 300 -n 5 --trace-sample 1 --json "$TMP/summary.json" -q ||
	{ show; fail "against grpcio: program"; }
assert_eq "grpcio program ok" 5 "$(json ok)"
assert_eq "program carried" 5 "$(grep -c '^|-C 1ms -R 300|0|00-[0-9a-f]\{32\}-[0-9a-f]\{16\}-01$' "$TMP/calls.log")"
client --to "grpc://127.0.0.1:$GP" -C 1ms -R 299 -n 2 --json "$TMP/summary.json" -q && fail "wrong size: exit 0"
grep -q "RunReply payload of 300 bytes, expected 299" "$TMP/err" || { show; fail "size message"; }
client --to "grpc://127.0.0.1:$GP" --route deny -n 2 --json "$TMP/summary.json" -q && fail "deny: exit 0"
assert_eq "grpcio denied" 2 "$(json errors)"
grep -q "grpc-status 7 PERMISSION_DENIED: not you" "$TMP/err" || { show; fail "deny message"; }
# a node forwards to the grpcio server: route and ps= carried in the RunRequest
start_node fg --route "g=-F grpc://127.0.0.1:$GP/pay,ps=1234 -R"
client --to 127.0.0.1:$fg_PORT --route g -n 10 --json "$TMP/summary.json" -q || { show; fail "forward to grpcio"; }
assert_eq "forwards to grpcio ok" 10 "$(json ok)"
assert_eq "route and ps= carried" 20 "$(grep -c '^pay||\(777\|1234\)|' "$TMP/calls.log")"
client --to 127.0.0.1:$fg_PORT -F "grpc://127.0.0.1:$GP/deny" -R -n 2 -q && fail "forward denied: exit 0"
grep -q "not you" "$TMP/err" || { show; fail "grpc-message carried back"; }
stop_node fg
kill "$GSRV" 2>/dev/null; wait "$GSRV" 2>/dev/null
# -- https:// (TLS): HTTP/2 when the server picks h2 by ALPN, else HTTP/1.1 --
command -v openssl >/dev/null || skip "needs openssl (scripts/deps.sh install test)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null || fail "openssl req"
start_node s -b https://127.0.0.1:0 -b grpcs://127.0.0.1:0 --ssl-cert "$TMP/c.pem" --ssl-key "$TMP/k.pem" \
	--route "pay=-C 1ms -R 100"
client --to "https://127.0.0.1:$s_PORT/pay" --ssl-ca "$TMP/c.pem" --ssl-verify -n 30 -r 2000 \
	--json "$TMP/summary.json" -q || { show; fail "https:// route run"; }
assert_eq "https ok" 30 "$(json ok)"
grep -q '"target": "https://127.0.0.1:'"$s_PORT"'"' "$TMP/summary.json" || fail "https JSON target"
client --to "https://127.0.0.1:$s_PORT" -C 10us -R 2k -n 10 --json "$TMP/summary.json" -q ||
	{ show; fail "https:// program run"; }
assert_eq "https program ok" 10 "$(json ok)"
# grpcs:// (gRPC over TLS, ALPN h2 only)
client --to "grpcs://127.0.0.1:$(sed -n 2p "$TMP/s.port")" --route pay --ssl-ca "$TMP/c.pem" --ssl-verify -n 10 \
	--json "$TMP/summary.json" -q || { show; fail "grpcs:// run"; }
assert_eq "grpcs ok" 10 "$(json ok)"
stop_node s
assert_eq "gRPC calls" 10 "$(stat s grpc_requests)"
assert_eq "over HTTP/2 (ALPN h2; the gRPC calls too)" 50 "$(stat s h2_requests)"
assert_eq "none over HTTP/1.1" 0 "$(stat s http_requests)"
# a node that does not trust... the client checks the node: a wrong CA fails the handshake
start_node s2 -b https://127.0.0.1:0 --ssl-cert "$TMP/c.pem" --ssl-key "$TMP/k.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k2.pem" -out "$TMP/c2.pem" -days 2 \
	-subj /CN=other 2>/dev/null || fail "openssl req 2"
client --to "https://127.0.0.1:$s2_PORT" --ssl-ca "$TMP/c2.pem" --ssl-verify -n 2 && fail "wrong CA: exit 0"
grep -q "TLS handshake with 127.0.0.1:$s2_PORT failed" "$TMP/err" || { show; fail "wrong CA message"; }
# nghttpd over TLS (h2 by ALPN)
NPORT=$(free_port)
nghttpd -d "$TMP/www" "$NPORT" "$TMP/k.pem" "$TMP/c.pem" >"$TMP/nghttpd2.log" 2>&1 &
NGHTTPD=$!
PIDS+=("$NGHTTPD") # stopped by lib.sh's cleanup when a check fails
slowwait 10 bash -c "echo >/dev/tcp/127.0.0.1/$NPORT" || fail "nghttpd (TLS) did not listen: $(cat "$TMP/nghttpd2.log")"
client --to "https://127.0.0.1:$NPORT/pay" -n 20 --json "$TMP/summary.json" -q || { show; fail "against nghttpd over TLS"; }
assert_eq "nghttpd TLS ok" 20 "$(json ok)"
kill "$NGHTTPD"; wait "$NGHTTPD" 2>/dev/null
# a server that speaks only HTTP/1.1 (python's ssl, ALPN http/1.1): the client falls back
tls_h1_server "$TMP/k.pem" "$TMP/c.pem" "$TMP/h1.port"
client --to "https://127.0.0.1:$(cat "$TMP/h1.port")/pay" -n 20 -r 500 --json "$TMP/summary.json" -q ||
	{ show; fail "HTTP/1.1 over TLS"; }
assert_eq "HTTP/1.1 over TLS ok" 20 "$(json ok)"
kill "$H1"; wait "$H1" 2>/dev/null
# -- a scenario with HTTP/2 and gRPC services (protocol: h2c, grpc) --
cat >"$TMP/mesh.yaml" <<'YAML'
name: mesh
services:
  store:
    protocol: grpc
    routes: { get: "-C 20us -R 256" }
  cache:
    protocol: h2c
    routes: { get: "-C 10us -F {store},route=get -R 128" }
  front:
    routes: { page: "-C 50us -F {cache},route=get -R 512" }
clients:
  - { name: pages, to: front, route: page, args: "-n 40 -r 200" }
  - { name: direct, to: store, route: get, args: "-n 20 -r 200" }
YAML
"$MESHWALK" run --check "$TMP/mesh.yaml" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "--check mesh.yaml"; }
grep -q "service store: 1 replica, route get, gRPC$" "$TMP/out" || { cat "$TMP/out"; fail "--check does not show gRPC"; }
grep -q "service cache: 1 replica, route get.*HTTP/2 (h2c)$" "$TMP/out" || { cat "$TMP/out"; fail "--check does not show h2c"; }
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/run" "$TMP/mesh.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "run mesh.yaml"; }
assert_eq "scenario ok" 60 "$(json ok "$TMP/run/summary.json")"
grep -q -- "-b grpc://127.0.0.1:0" "$TMP/run/commands.txt" || fail "store does not bind grpc://"
grep -q -- "-F grpc://127.0.0.1:[0-9]*,route=get" "$TMP/run/commands.txt" || fail "cache does not reach store over grpc://"
grep -q -- "-F h2c://127.0.0.1:[0-9]*,route=get" "$TMP/run/commands.txt" || fail "front does not reach cache over h2c://"
grep -q -- "--to grpc://127.0.0.1:[0-9]*" "$TMP/run/commands.txt" || fail "the direct group does not use grpc://"
assert_eq "store's gRPC calls" 60 \
	"$(grep -o '"grpc_requests": [0-9]*' "$TMP/run/nodes/store-0/stats.json" | sed 's/.*: //')"
exit 0
