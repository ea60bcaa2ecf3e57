# Socket I/O through io_uring (--poll-mode io_uring): HTTP/1.1, native and
# h2c clients whose reads and writes go through the ring (the node's
# ring_sends counts them; io_uring-poll sends none): keep-alive, pipelined
# requests answered in order, large replies that need partial sends and
# segments, peers that reset the connection mid-send, many connections at
# once; the node keeps serving throughout.
. "$(dirname "$0")/lib.sh"
if ! try_node probe -p io_uring -q; then
	skip "io_uring unavailable: $(cat "$TMP/probe.log")"
fi
stop_node probe
start_node u -p io_uring --nt 2 -b http://127.0.0.1:0 -b 127.0.0.1:0 \
	--route "pay=-C 100us -R 100" --route "big=-R 60000" --route "huge=-R 3000000" \
	--route "slow=-C 30ms -R 7"
NPORT=$(sed -n 2p "$TMP/u.port")
grep -q "poll mode io_uring" "$TMP/u.log" || fail "start line: $(cat "$TMP/u.log")"

python3 - "$u_PORT" >"$TMP/py.log" 2>&1 <<'PY' || fail "HTTP over io_uring: $(cat "$TMP/py.log")"
import socket, struct, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(20)
    return s
def responses(s, count, buf=b""):
    """count responses: [(status, body length)], bodies checked to be zeros"""
    out = []
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            d = s.recv(1 << 20)
            assert d, ("closed after", len(out), "responses")
            buf += d
        head, _, buf = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        n = [int(l.split(b":")[1]) for l in lines if l.lower().startswith(b"content-length")][0]
        while len(buf) < n:
            d = s.recv(1 << 20)
            assert d, "closed mid-body"
            buf += d
        out.append((int(lines[0].split()[1]), n))
        buf = buf[n:]
    return out, buf
get = lambda path: b"GET " + path + b" HTTP/1.1\r\nHost: a\r\n\r\n"

# keep-alive: one request at a time on one connection
s = conn()
for i in range(300):
    s.sendall(get(b"/pay" if i % 2 else b"/"))
    r, rest = responses(s, 1)
    assert r == [(200, 100 if i % 2 else 0)] and rest == b"", (i, r)
s.close()

# pipelined: 256 requests in one write, a slow one among them; answers in order
s = conn()
paths = [b"/slow" if i % 50 == 0 else b"/?program=-R%%20%d" % i for i in range(256)]
s.sendall(b"".join(get(p) for p in paths))
r, _ = responses(s, len(paths))
assert r == [(200, 7 if i % 50 == 0 else i) for i in range(256)], r
s.close()

# large replies, not read for a while: the node's sends are partial, its
# output waits (inline bytes and segments alike); every byte arrives
s = conn()
s.sendall(b"".join(get(b"/big") for _ in range(40)) + get(b"/huge") * 3 + get(b"/pay"))
time.sleep(0.5)
r, _ = responses(s, 44)
assert r == [(200, 60000)] * 40 + [(200, 3000000)] * 3 + [(200, 100)], r
s.close()

# resets mid-send: the peer goes with output queued and a send in flight
for i in range(5):
    s = conn()
    s.sendall(get(b"/huge") * 20 + get(b"/big") * 20)
    got = 0
    while got < 100000 * (i + 1):
        d = s.recv(65536)
        assert d, "closed early"
        got += len(d)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
s = conn()
s.sendall(get(b"/pay"))
assert responses(s, 1)[0] == [(200, 100)]
s.close()

# many connections at once, each with three pipelined requests
socks = [conn() for _ in range(400)]
for s in socks:
    s.sendall(get(b"/pay") * 2 + get(b"/"))
for s in socks:
    r, _ = responses(s, 3)
    assert r == [(200, 100), (200, 100), (200, 0)], r
    s.close()
print("ok")
PY

# the native protocol over the ring: small, inline and segment replies
for size in 100 30k 200k; do
	client --to "127.0.0.1:$NPORT" --nt 4 --ns 3 -n 40 -r 1000 -C 10us -R "$size" -q ||
		{ show; fail "native, replies of $size"; }
	grep -q '^requests: sent 160, ok 160,' "$TMP/out" || { show; fail "native counts, $size"; }
done
# native clients killed mid-reply (their unread bytes make the kernel
# reset the connection), then one that is served
for i in 1 2 3; do
	(timeout -s KILL 0.5 "$MESHWALK" client --to "127.0.0.1:$NPORT" --nt 4 -n 100000 -r 5000 \
		-R 1m -q >/dev/null 2>&1)
done 2>/dev/null
client --to "127.0.0.1:$NPORT" --nt 2 -n 20 -r 500 -R 1m -q || { show; fail "native after a reset"; }
grep -q '^requests: sent 40, ok 40,' "$TMP/out" || { show; fail "native counts after a reset"; }

# h2c through the HTTP/1.1 upgrade, over the ring
if command -v curl >/dev/null && curl --version | grep -qw HTTP2; then
	# (a small body: curl keeps at most 32 KiB that follow the 101)
	[ "$(curl -s -o "$TMP/h2body" -w '%{http_code} %{http_version}' --http2 "http://127.0.0.1:$u_PORT/pay")" = "200 2" ] ||
		fail "h2c upgrade over io_uring"
	[ "$(wc -c <"$TMP/h2body")" = 100 ] || fail "h2c upgrade body"
fi
# wrk's many keep-alive connections
if command -v wrk >/dev/null; then
	wrk -t 1 -c 200 -d 2s "http://127.0.0.1:$u_PORT/pay" >"$TMP/wrk.out" 2>&1 || fail "wrk: $(cat "$TMP/wrk.out")"
	grep -q "Non-2xx" "$TMP/wrk.out" && fail "wrk saw errors: $(cat "$TMP/wrk.out")"
	grep -q "Socket errors" "$TMP/wrk.out" && fail "wrk socket errors: $(cat "$TMP/wrk.out")"
fi
curl -s -o /dev/null "http://127.0.0.1:$u_PORT/pay" || fail "not serving at the end"
stop_node u
[ "$(stat u ring_sends)" -gt 1000 ] || fail "ring_sends $(stat u ring_sends): the ring did not send"
[ "$(stat u malformed)" = 0 ] || fail "malformed $(stat u malformed)"

# io_uring-poll: readiness only, no sends through the ring
start_node p -p io_uring-poll -b http://127.0.0.1:0
curl -s -o /dev/null "http://127.0.0.1:$p_PORT/" || fail "io_uring-poll serves"
stop_node p
assert_eq "io_uring-poll ring_sends" 0 "$(stat p ring_sends)"
exit 0
