#!/usr/bin/env bash
# 48_forward_names: forward targets that name their host. A node forwards to
# http://localhost:PORT/NAME and h2c://localhost:PORT/NAME; real peers that
# are not meshwalk (a python3 http.server, nghttpd) record the Host and
# :authority they got: the name, not the address. grpc:// names reach a node's
# gRPC front end; tcp:// names work with
# programs, from routes and from the client's op words. A name that does not
# resolve (the reserved TLD .invalid, RFC 6761: the node answers it without
# a query) fails that forward with status 5 / HTTP 502 and the node goes on;
# a name whose address the allow-list refuses is status 8. Loopback only.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
command -v curl >/dev/null || skip "needs curl"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# -- an HTTP/1.1 peer that records each request's Host --
python3 - "$TMP/py.port" "$TMP/hosts.log" >"$TMP/py.log" 2>&1 <<'PY' &
import http.server, sys
port_file, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.path, self.headers["Host"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_POST = do_GET
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file + ".tmp", "w").write("%d\n" % s.server_address[1])
import os; os.rename(port_file + ".tmp", port_file)
s.serve_forever()
PY
PIDS+=($!)
slowwait 10 test -s "$TMP/py.port" || fail "python peer did not start: $(cat "$TMP/py.log")"
PY_PORT=$(cat "$TMP/py.port")

start_node t
start_node a -b 127.0.0.1:0 -b http://127.0.0.1:0 --allow-names localhost,nothing-here.invalid \
	--route "h1=-F http://localhost:$PY_PORT/pay -R 10" \
	--route "tn=-F tcp://localhost:$t_PORT -C 100us -R 7 -R 20" \
	--route "bad=-F http://nothing-here.invalid:80/pay -R" \
	--route "badtcp=-F tcp://nothing-here.invalid:7891,retry=1,timeout=50ms -R -R"
A_HTTP=$(sed -n 2p "$TMP/a.port")

client --to "127.0.0.1:$a_PORT" --route h1 -n 5 --json "$TMP/summary.json" -q || { show; fail "http:// name run"; }
assert_eq "http:// name ok" 5 "$(json ok)"
assert_eq "Host is the name" 5 "$(grep -c "^/pay localhost:$PY_PORT\$" "$TMP/hosts.log")"

# the client's own op words carry the name to the node
client --to "127.0.0.1:$a_PORT" -F "http://localhost:$PY_PORT/op" -R -n 2 --json "$TMP/summary.json" ||
	{ show; fail "op words name"; }
assert_eq "op words ok" 2 "$(json ok)"
assert_eq "op words Host" 2 "$(grep -c "^/op localhost:$PY_PORT\$" "$TMP/hosts.log")"
grep -q "http://localhost:$PY_PORT" "$TMP/out" || { show; fail "the description names the host"; }

# grpc:// by name to a node's gRPC front end
start_node g -b grpc://127.0.0.1:0 --route "pay=-C 10us -R 5"
client --to "127.0.0.1:$a_PORT" -F "grpc://localhost:$g_PORT/pay" -R -n 3 --json "$TMP/summary.json" -q ||
	{ show; fail "grpc:// name run"; }
assert_eq "grpc:// name ok" 3 "$(json ok)"

# tcp:// with a program
client --to "127.0.0.1:$a_PORT" --route tn -n 5 --json "$TMP/summary.json" -q || { show; fail "tcp:// name run"; }
assert_eq "tcp:// name ok" 5 "$(json ok)"

# -- a name that does not resolve: status 5 / 502, and the node goes on --
client --to "127.0.0.1:$a_PORT" --route badtcp -n 1 -q && fail "badtcp: exit 0"
grep -q "forward to nothing-here.invalid:7891 failed: host name does not resolve: no such name" "$TMP/err" ||
	{ show; fail "badtcp message"; }
code=$(timeout 30 curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "http://127.0.0.1:$A_HTTP/bad")
assert_eq "bad name over HTTP" 502 "$code"
grep -qi "^x-meshwalk-status: 5 forward failed" "$TMP/head" || { cat "$TMP/head"; fail "502 status field"; }
grep -q "nothing-here.invalid failed: host name does not resolve" "$TMP/body" || { cat "$TMP/body"; fail "502 body"; }
code=$(timeout 30 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A_HTTP/h1")
assert_eq "the next request" 200 "$code"
client --to "127.0.0.1:$a_PORT" --route tn -n 3 --json "$TMP/summary.json" -q || { show; fail "after a bad name"; }
assert_eq "after a bad name ok" 3 "$(json ok)"
grep -q "host name does not resolve" "$TMP/a.log" || fail "the node's log names the failure"

# -- a scenario's route names a host: meshwalk run's node resolves it --
cat >"$TMP/scen.yaml" <<YAML
services:
  front:
    routes: { out: "-C 10us -F http://localhost:$PY_PORT/scen -R 10" }
clients:
  - { name: g, to: front, route: out, args: "-n 5 -r 50" }
YAML
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/run" "$TMP/scen.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "scenario run with a named target"; }
assert_eq "scenario ok" 5 "$(json ok "$TMP/run/summary.json")"
assert_eq "scenario Host" 5 "$(grep -c "^/scen localhost:$PY_PORT\$" "$TMP/hosts.log")"

# -- the allow-list applies to the address a name resolves to --
start_node r --allow-forward 10.0.0.0/8 --route "lo=-F tcp://localhost:$t_PORT -R -R"
client --to "127.0.0.1:$r_PORT" --route lo -n 1 -q && fail "refused name: exit 0"
grep -q "refused: localhost is 127.0.0.1:$t_PORT, not in" "$TMP/err" || { show; fail "refused name message"; }
stop_node r
[ "$(stat r forward_refused)" -ge 1 ] || fail "forward_refused counted"

# -- a name not in --allow-names is never looked up: refused, counted --
start_node d --route "x=-F tcp://exfil-0a0b.example:7891 -R -R"
client --to "127.0.0.1:$d_PORT" --route x -n 2 -q && fail "name not allowed: exit 0"
grep -q "forward to exfil-0a0b.example:7891 refused: host name exfil-0a0b.example not in the default --allow-names" "$TMP/err" ||
	{ show; fail "name not allowed: message"; }
client --to "127.0.0.1:$d_PORT" -F "tcp://localhost:$t_PORT" -R -n 2 --json "$TMP/summary.json" -q ||
	{ show; fail "localhost after a refused name"; }
assert_eq "default list: localhost ok" 2 "$(json ok)"
stop_node d
assert_eq "names refused" 2 "$(stat d names_refused)"
assert_eq "names looked up (localhost once, cached after)" 1 "$(stat d name_lookups)"
"$MESHWALK" node --allow-names 'bad_name' 2>"$TMP/err"
assert_eq "bad --allow-names" 2 $?
grep -q "'bad_name' is not a host name" "$TMP/err" || fail "bad --allow-names: $(cat "$TMP/err")"

# -- HTTP/2: nghttpd records the :authority it got --
if command -v nghttpd >/dev/null; then
	N=$(free_port)
	mkdir -p "$TMP/www"
	printf 'paid' >"$TMP/www/pay"
	nghttpd -v --no-tls -d "$TMP/www" "$N" >"$TMP/nghttpd.log" 2>&1 &
	PIDS+=($!)
	slowwait 10 bash -c "echo >/dev/tcp/127.0.0.1/$N" || fail "nghttpd did not listen: $(cat "$TMP/nghttpd.log")"
	client --to "127.0.0.1:$a_PORT" -F "h2c://localhost:$N/pay" -R -n 3 --json "$TMP/summary.json" -q ||
		{ show; tail "$TMP/nghttpd.log"; fail "h2c:// name run"; }
	assert_eq "h2c:// name ok" 3 "$(json ok)"
	grep -q ":authority: localhost:$N\$" "$TMP/nghttpd.log" || { tail -n 40 "$TMP/nghttpd.log"; fail ":authority is the name"; }
	grep ":authority:" "$TMP/nghttpd.log" | grep -qv "localhost:$N\$" && fail ":authority other than the name"
else
	echo "note: no nghttpd (nghttp2-server): the :authority check is skipped"
fi
stop_node a
[ "$(stat a forward_failures)" -ge 2 ] || fail "forward_failures counted"
[ "$(stat a name_lookups)" -ge 1 ] || fail "name_lookups counted"
echo "ok"
