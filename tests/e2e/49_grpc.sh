# gRPC on the HTTP/2 front end (node -b grpc://, and on h2c://): a
# python3-grpcio client generated from docs/meshwalk.proto and
# docs/seed003.proto calls both methods; errors as grpc-status codes,
# grpc-timeout (refused at once, and cut by the timer while a forward waits),
# unknown methods, bad messages; h2load drives gRPC framing.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3   # Debian's, where python3-grpcio lives
DOCS=$(cd "$(dirname "$0")/../../docs" && pwd)
$PY -c "import grpc, grpc_tools.protoc" 2>/dev/null || skip "needs python3-grpcio and python3-grpc-tools (scripts/deps.sh install test)"
command -v h2load >/dev/null || skip "needs h2load (scripts/deps.sh install test)"
mkdir -p "$TMP/py"
$PY -m grpc_tools.protoc -I"$DOCS" --python_out="$TMP/py" --grpc_python_out="$TMP/py" meshwalk.proto seed003.proto ||
	fail "protoc on docs/*.proto"
command -v openssl >/dev/null || skip "needs openssl (scripts/deps.sh install test)"
# grpcs:// (gRPC over TLS, ALPN h2): a self-signed certificate, its own CA
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null || fail "openssl req"
start_node t
start_node g -b grpc://127.0.0.1:0 -b h2c://127.0.0.1:0 -b grpcs://127.0.0.1:0 \
	--ssl-cert "$TMP/c.pem" --ssl-key "$TMP/k.pem" --route "pay=-C 1ms -R 100"
grep -q "listening on 127.0.0.1:$g_PORT gRPC (h2c), 127.0.0.1:[0-9]* HTTP/2 (h2c), 127.0.0.1:[0-9]* gRPC over TLS" \
	"$TMP/g.log" || fail "start line: $(cat "$TMP/g.log")"
H2C=$(sed -n 2p "$TMP/g.port")
GRPCS=$(sed -n 3p "$TMP/g.port")

timeout 120 $PY - "$TMP/py" "$g_PORT" "$H2C" "$t_PORT" "$GRPCS" "$TMP/c.pem" >"$TMP/grpc.log" 2>&1 <<'PYEOF' || fail "grpc client: $(cat "$TMP/grpc.log")"
import sys, grpc
sys.path.insert(0, sys.argv[1])
import meshwalk_pb2 as mw, meshwalk_pb2_grpc as mwg, seed003_pb2 as sd, seed003_pb2_grpc as sdg
port, h2c, t, grpcs, ca = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]

def expect(call, code, text=None):
    try:
        call()
    except grpc.RpcError as e:
        assert e.code() == code, (e.code(), code, e.details())
        assert text is None or text in e.details(), (e.details(), text)
        return e
    raise AssertionError("no error, expected %s" % code)

for p in (port, h2c, grpcs):
    if p == grpcs:   # verified against the node's certificate, by name
        ch = grpc.secure_channel("localhost:" + p, grpc.ssl_channel_credentials(open(ca, "rb").read()))
    else:
        ch = grpc.insecure_channel("127.0.0.1:" + p)
    walk = mwg.WalkStub(ch)
    # meshwalk.v1.Walk/Run: a route, a program, nothing
    r = walk.Run(mw.RunRequest(route="pay"), timeout=10)
    assert len(r.payload) == 100 and r.payload == bytes(100) and r.status == 0, r
    r = walk.Run(mw.RunRequest(program="-C 1ms -F 127.0.0.1:%s -R -R 3000" % t, payload=b"x" * 5000), timeout=10)
    assert len(r.payload) == 3000, len(r.payload)
    assert len(walk.Run(mw.RunRequest(), timeout=10).payload) == 0
    # failures: grpc-status codes, meshwalk's status in a trailer
    e = expect(lambda: walk.Run(mw.RunRequest(route="nope"), timeout=10), grpc.StatusCode.NOT_FOUND, "no route 'nope'")
    assert ("x-meshwalk-status", "10 no such route") in tuple(e.trailing_metadata()), e.trailing_metadata()
    expect(lambda: walk.Run(mw.RunRequest(program="-Q"), timeout=10), grpc.StatusCode.INVALID_ARGUMENT, "program")
    expect(lambda: walk.Run(mw.RunRequest(program="-F 127.0.0.1:1 -R -R"), timeout=10), grpc.StatusCode.UNAVAILABLE, "unreachable")
    expect(lambda: walk.Run(mw.RunRequest(program="-F 127.0.0.1:%s,timeout=1ms -C 200ms -R -R" % t), timeout=10),
           grpc.StatusCode.DEADLINE_EXCEEDED, "no reply within")
    expect(lambda: walk.Run(mw.RunRequest(program="-F 10.9.9.9:7 -R -R"), timeout=10), grpc.StatusCode.PERMISSION_DENIED)
    expect(lambda: walk.Run(mw.RunRequest(program="-C 1us " * 700 + "-R"), timeout=10), grpc.StatusCode.RESOURCE_EXHAUSTED)
    # seed 003's method, unchanged: seconds of COMPUTE, its three fields
    s = sdg.MyServiceStub(ch)
    r = s.ProcessRequest(sd.MyRequest(name="LoadTest", duration_seconds=1), timeout=30)
    assert r.message == "Processed LoadTest", r
    assert 1000 <= r.end_to_end_latency_ms < 10000, r
    assert r.worker_id == "127.0.0.1:" + port, r
    r = s.ProcessRequest(sd.MyRequest(name="", duration_seconds=-5), timeout=30)
    assert r.message == "Processed " and r.end_to_end_latency_ms < 1000, r
    # grpc-timeout: a COMPUTE that cannot end in time is refused at once;
    # a forward that waits is cut by the deadline
    expect(lambda: s.ProcessRequest(sd.MyRequest(name="x", duration_seconds=3), timeout=0.5),
           grpc.StatusCode.DEADLINE_EXCEEDED, "cannot end within grpc-timeout")
    expect(lambda: walk.Run(mw.RunRequest(program="-F 127.0.0.1:%s -C 1s -R -R" % t), timeout=0.3),
           grpc.StatusCode.DEADLINE_EXCEEDED)
    # unknown methods and bad messages
    expect(lambda: ch.unary_unary("/meshwalk.v1.Walk/Nope")(b"", timeout=10), grpc.StatusCode.UNIMPLEMENTED, "unknown method")
    expect(lambda: ch.unary_unary("/other.Svc/Run")(b"", timeout=10), grpc.StatusCode.UNIMPLEMENTED)
    expect(lambda: ch.unary_unary("/meshwalk.v1.Walk/Run")(b"\x0a\x05ab", timeout=10), grpc.StatusCode.INVALID_ARGUMENT, "malformed protobuf")
    expect(lambda: ch.unary_unary("/myproject.MyService/ProcessRequest")(b"\x10\x01\x0a", timeout=10),
           grpc.StatusCode.INVALID_ARGUMENT)
    ch.close()
print("ok")
PYEOF
grep -q "^ok$" "$TMP/grpc.log" || fail "grpc client: $(cat "$TMP/grpc.log")"

# gRPC framing from h2load: RunRequest{route: "pay"} behind its 5-byte prefix
printf '\0\0\0\0\5\n\3pay' >"$TMP/run.bin"
timeout 120 h2load -n 500 -c 2 -m 16 -d "$TMP/run.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
	"http://127.0.0.1:$g_PORT/meshwalk.v1.Walk/Run" >"$TMP/h2load.out" 2>&1 || fail "h2load: $(cat "$TMP/h2load.out")"
grep -q "status codes: 500 2xx" "$TMP/h2load.out" || fail "h2load gRPC: $(cat "$TMP/h2load.out")"
# the answers carried their messages: 500 x (5-byte prefix + 2 + 100 payload bytes) of DATA
grep -q "(53500) data" "$TMP/h2load.out" || fail "h2load gRPC data: $(cat "$TMP/h2load.out")"
stop_node g
[ "$(stat g grpc_requests)" -ge 530 ] || fail "grpc_requests: $(stat g grpc_requests)"
# the first port's cut forward answers (after 1 s) long before the node stops
[ "$(stat g orphaned)" -ge 1 ] || fail "orphaned (answers after a deadline): $(stat g orphaned)"
exit 0
