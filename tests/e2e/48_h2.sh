# HTTP/2 front end (node -b h2c://, and the h2c upgrade on -b http://): the
# same requests as HTTP/1.1 (47_http) over curl --http2-prior-knowledge and
# curl --http2 (Upgrade), many streams per connection with h2load, the
# advertised limits (nghttp), and bad input: GOAWAY and a close, the node
# serving on.
. "$(dirname "$0")/lib.sh"
for t in curl h2load nghttp python3; do command -v $t >/dev/null || skip "needs $t (scripts/deps.sh install test)"; done
start_node t
start_node h -b h2c://127.0.0.1:0 -b http://127.0.0.1:0 --route "pay=-C 1ms -R 100" \
	--route "slow=-C 5ms -R 7"
H=http://127.0.0.1:$h_PORT
U=http://127.0.0.1:$(sed -n 2p "$TMP/h.port")
grep -q "listening on 127.0.0.1:$h_PORT HTTP/2 (h2c), 127.0.0.1:[0-9]* HTTP/1.1" "$TMP/h.log" ||
	fail "start line: $(cat "$TMP/h.log")"
code() { curl -s --http2-prior-knowledge -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code} %{http_version}' "$@"; }

# what a request runs: as in HTTP/1.1, over HTTP/2
[ "$(code "$H/pay")" = "200 2" ] && [ "$(wc -c <"$TMP/body")" = 100 ] || fail "route: $(cat "$TMP/hdr")"
[ "$(code "$H/worker?duration=30ms")" = "200 2" ] || fail "worker: $(cat "$TMP/hdr")"
python3 - "$TMP/body" <<'PY' || fail "worker JSON: $(cat "$TMP/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ack"] == "Request processed", d
assert 30 <= d["e2e_latency_ms"] < 5000, d
PY
grep -qi "^content-type: application/json" "$TMP/hdr" || fail "worker content type"
[ "$(code "$H/?program=-C%20100us%20-F%20127.0.0.1:$t_PORT%20-R%20-R%205000")" = "200 2" ] || fail "inline program"
[ "$(wc -c <"$TMP/body")" = 5000 ] || fail "inline program body"
[ "$(code -H 'x-meshwalk-program: -C 1ms -R 10' "$H/anything")" = "200 2" ] && [ "$(wc -c <"$TMP/body")" = 10 ] ||
	fail "program header"
[ "$(code "$H/")" = "200 2" ] && [ ! -s "$TMP/body" ] || fail "/ not an empty 200"
[ "$(code -I "$H/pay")" = "200 2" ] && grep -qi "^content-length: 100" "$TMP/hdr" || fail "HEAD"
[ "$(code --data-binary @<(head -c 300000 /dev/zero) "$H/pay")" = "200 2" ] || fail "POST body"
# a body larger than the output a connection may hold (1 MiB): pulled as it drains
[ "$(code "$H/?program=-R%204m")" = "200 2" ] && [ "$(wc -c <"$TMP/body")" = 4000000 ] || fail "4 MB body"
# errors: real statuses and meshwalk's status field
[ "$(code "$H/nope")" = "404 2" ] || fail "no route not 404"
grep -qi "^x-meshwalk-status: 10 no such route" "$TMP/hdr" || fail "status field: $(cat "$TMP/hdr")"
grep -q "no route 'nope' (this node has: pay, slow)" "$TMP/body" || fail "404 text: $(cat "$TMP/body")"
[ "$(code "$H/?program=-Q")" = "400 2" ] || fail "bad program not 400"
[ "$(code "$H/?program=-F%20127.0.0.1:1%20-R%20-R")" = "502 2" ] || fail "failed forward not 502"
[ "$(code "$H/?program=-F%20127.0.0.1:$t_PORT,timeout=1ms%20-C%20200ms%20-R%20-R")" = "504 2" ] || fail "timeout not 504"
[ "$(code -H "x-big: $(python3 -c "print('a' * 20000)")" "$H/")" = "431 2" ] || fail "big header list not 431"
[ "$(code --data-binary @<(head -c 2000000 /dev/zero) "$H/pay")" = "413 2" ] || fail "body over the limit not 413"

# the h2c upgrade of an http:// address: 101, then the answer on stream 1,
# then more requests on the same HTTP/2 connection
out=$(curl -s --http2 -o "$TMP/body" -w '%{http_code} %{http_version}' "$U/pay" "$U/worker?duration=1ms" -o "$TMP/body2") ||
	fail "upgrade: curl failed"
[ "$out" = "200 2200 2" ] || fail "upgrade: $out"
[ "$(wc -c <"$TMP/body")" = 100 ] || fail "upgrade body"
grep -q '"ack":"Request processed"' "$TMP/body2" || fail "upgrade, second request: $(cat "$TMP/body2")"
# plain HTTP/1.1 on that address is unchanged
[ "$(curl -s -o /dev/null -w '%{http_code} %{http_version}' "$U/pay")" = "200 1.1" ] || fail "HTTP/1.1 beside the upgrade"

# the limits the node advertises
nghttp -nv "$H/" >"$TMP/nghttp.out" 2>&1 || fail "nghttp: $(cat "$TMP/nghttp.out")"
grep -q "SETTINGS_MAX_CONCURRENT_STREAMS(0x03):128" "$TMP/nghttp.out" || fail "max streams: $(cat "$TMP/nghttp.out")"
grep -q "SETTINGS_MAX_HEADER_LIST_SIZE(0x06):16384" "$TMP/nghttp.out" || fail "header list: $(cat "$TMP/nghttp.out")"

# many streams per connection: every one answered, all 2xx
timeout 120 h2load -n 2000 -c 2 -m 32 "$H/pay" >"$TMP/h2load.out" 2>&1 || fail "h2load: $(cat "$TMP/h2load.out")"
grep -q "requests: 2000 total, 2000 started, 2000 done, 2000 succeeded" "$TMP/h2load.out" ||
	fail "h2load requests: $(cat "$TMP/h2load.out")"
grep -q "status codes: 2000 2xx" "$TMP/h2load.out" || fail "h2load statuses: $(cat "$TMP/h2load.out")"
timeout 120 h2load -n 200 -c 1 -m 100 "$H/slow" >"$TMP/h2load2.out" 2>&1 || fail "h2load slow: $(cat "$TMP/h2load2.out")"
grep -q "status codes: 200 2xx" "$TMP/h2load2.out" || fail "h2load slow statuses: $(cat "$TMP/h2load2.out")"

# bad input: a frame on stream 0 that must not be there gets GOAWAY and a
# close; a bad preface a close; the node keeps serving
python3 - "$h_PORT" >"$TMP/bad.log" 2>&1 <<'PY' || fail "bad frames: $(cat "$TMP/bad.log")"
import socket, sys, struct
def conn():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(10)
    return s
def drain(s):
    data = b""
    while True:
        d = s.recv(65536)
        if not d: return data
        data += d
def frames(data):
    out = []
    while len(data) >= 9:
        n = int.from_bytes(data[:3], "big"); out.append(data[3]); data = data[9 + n:]
    return out
s = conn()
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + struct.pack(">I", 0)[1:] + b"\x04\x00" + b"\0\0\0\0")
s.sendall(b"\x00\x00\x04\x00\x00\x00\x00\x00\x00" + b"junk")   # DATA on stream 0
assert 7 in frames(drain(s)), "no GOAWAY"
s = conn()
s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n" + b"x" * 100)
drain(s)   # closed
PY
[ "$(code "$H/pay")" = "200 2" ] || fail "node not serving after bad input"
# the client speaks HTTP/1.1 to the http:// address beside h2c://
client --to "$U/pay" -n 3 --closed-loop || { show; fail "client over HTTP/1.1 beside h2c"; }
stop_node h
[ "$(stat h h2_requests)" -gt 2200 ] || fail "h2_requests: $(stat h h2_requests)"
[ "$(stat h malformed)" -ge 2 ] || fail "malformed: $(stat h malformed)"

# a request that begins (HEADERS without END_STREAM) and never ends: closed
# after --frame-timeout, as an HTTP/1.1 one would be
start_node s -b h2c://127.0.0.1:0 --frame-timeout 300ms
python3 - "$s_PORT" >"$TMP/slow.log" 2>&1 <<'PY' || fail "stalled request: $(cat "$TMP/slow.log")"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
block = b"\x82\x86\x84\x41\x01a"   # GET http / authority a (HPACK)
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\0\0\0\x04\0\0\0\0\0" +
          len(block).to_bytes(3, "big") + b"\x01\x04\0\0\0\x01" + block)
while s.recv(65536):
    pass   # until the node closes
PY
stop_node s
[ "$(stat s frame_timeouts)" = 1 ] || fail "frame_timeouts: $(stat s frame_timeouts)"
# HTTP/2 over TLS: https:// offers h2 then http/1.1 by ALPN (curl, h2load)
command -v openssl >/dev/null || skip "needs openssl (scripts/deps.sh install test)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null || fail "openssl req"
start_node s2 -b https://127.0.0.1:0 --ssl-cert "$TMP/c.pem" --ssl-key "$TMP/k.pem" --route "pay=-C 1ms -R 100"
S=https://127.0.0.1:$s2_PORT
[ "$(curl -s --cacert "$TMP/c.pem" --http2 -o "$TMP/body" -w '%{http_code} %{http_version}' "$S/pay")" = "200 2" ] &&
	[ "$(wc -c <"$TMP/body")" = 100 ] || fail "h2 by ALPN"
[ "$(curl -s --cacert "$TMP/c.pem" --http1.1 -o /dev/null -w '%{http_code} %{http_version}' "$S/pay")" = "200 1.1" ] ||
	fail "http/1.1 by ALPN"
timeout 60 h2load -n 400 -c 2 -m 8 "$S/pay" >"$TMP/h2s.out" 2>&1 || fail "h2load over TLS: $(cat "$TMP/h2s.out")"
grep -q "Application protocol: h2" "$TMP/h2s.out" && grep -q "status codes: 400 2xx" "$TMP/h2s.out" ||
	fail "h2load over TLS: $(cat "$TMP/h2s.out")"
stop_node s2
[ "$(stat s2 h2_requests)" -ge 401 ] || fail "h2_requests over TLS: $(stat s2 h2_requests)"
# forwards speak h2c://, grpc:// and grpcs:// with a route (49_h2_client, 49_tls_forward)
client --to 127.0.0.1:$t_PORT -F "h2c://127.0.0.1:$h_PORT" -R -n 1
[ $? -eq 2 ] && grep -q "an h2c:// target runs a route" "$TMP/err" || fail "-F h2c:// without a route accepted"
client --to 127.0.0.1:$t_PORT -F "grpcs://127.0.0.1:$h_PORT" -R -n 1
[ $? -eq 2 ] && grep -q "an grpcs:// target runs a route" "$TMP/err" || fail "-F grpcs:// without a route accepted"
exit 0
