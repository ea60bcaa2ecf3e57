#!/usr/bin/env bash
# 89_trace: spans of sampled requests (docs/tracing.md). A client and two
# nodes export OTLP JSON; every line parses as an ExportTraceServiceRequest
# with the official protobuf definitions (compiled by Debian's protoc, read
# by python3-protobuf's json_format, no unknown fields); ids, kinds, parent
# links and times hold; a 2-hop request gives the expected span tree;
# meshwalk import reads the files back with the right services and call
# edges. Sampling is head-based (a trace is whole or absent) and off costs
# nothing to find: --trace-sample 0 writes no span. Bad options are refused.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROTO=${OTLP_PROTO:-$ROOT/../shared/fixtures/otlp-proto}
PY=/usr/bin/python3
CHECK="$ROOT/tests/tools/otlp_check.py"

# The checker needs Debian's protoc and python3-protobuf (scripts/deps.sh test).
[ -d "$PROTO/opentelemetry" ] || skip "no OTLP protobuf definitions at $PROTO (set OTLP_PROTO)"
command -v protoc >/dev/null || skip "protoc missing (protobuf-compiler)"
$PY -c 'import google.protobuf' 2>/dev/null || skip "python3-protobuf missing"
mkdir -p "$TMP/py"
protoc -I "$PROTO" --python_out="$TMP/py" $(cd "$PROTO" && find opentelemetry -name '*.proto') ||
	fail "protoc could not compile $PROTO"

check() { # check [--shape] FILES...: the strict checks, output in $TMP/check
	$PY "$CHECK" "$TMP/py" "$@" >"$TMP/check" 2>"$TMP/check.err" || {
		cat "$TMP/check" "$TMP/check.err" >&2
		fail "exported spans are not valid: $*"
	}
}

start_node back --trace-out "$TMP/back.jsonl" --service-name back
start_node front --trace-out "$TMP/front.jsonl" --service-name front \
	--route "api=-C 200us -F 127.0.0.1:$back_PORT -C 100us -S 4k -R 300 -R 1k"
start_node idle --trace-out "$TMP/idle.jsonl"

# 1. Every request sampled, 2 hops: the expected tree, every line valid.
client --to 127.0.0.1:$front_PORT --route api -n 20 --trace-sample 1 --trace-out "$TMP/client.jsonl" \
	--service-name shop --json "$TMP/summary.json" -q || { show; fail "traced client failed"; }
grep -q "^traces: 20 spans recorded, 20 exported, 0 dropped$" "$TMP/out" || { show; fail "client trace counts"; }
grep -q '"trace": {"recorded": 20, "exported": 20, "dropped": 0' "$TMP/summary.json" || fail "client JSON trace counts"
# nothing of that run went to the idle node
client --to 127.0.0.1:$idle_PORT -n 5 -q || fail "untraced client failed"
stop_node front
stop_node back
stop_node idle
grep -q '"trace": {"recorded": 100, "exported": 100, "dropped": 0' "$TMP/front.stats" ||
	{ cat "$TMP/front.stats" >&2; fail "front node trace counts"; }
grep -q "traces: 80 spans recorded, 80 exported, 0 dropped" "$TMP/back.log" || { cat "$TMP/back.log" >&2; fail "back node trace line"; }
[ -s "$TMP/idle.jsonl" ] && fail "an untraced request left spans"
check --shape "$TMP/client.jsonl" "$TMP/front.jsonl" "$TMP/back.jsonl"
assert_eq "spans and traces" "spans 200 traces 20" "$(head -n 1 "$TMP/check")"
tree="shop:api:CLIENT[front:api:SERVER[front:COMPUTE:INTERNAL,front:FORWARD:INTERNAL[front:forward:CLIENT[back:request:SERVER[back:COMPUTE:INTERNAL,back:REPLY:INTERNAL,back:STORE:INTERNAL]]],front:REPLY:INTERNAL]]"
assert_eq "span tree" "20 $tree" "$(sed -n 2p "$TMP/check")"
[ "$(wc -l <"$TMP/check")" = 2 ] || { cat "$TMP/check" >&2; fail "more than one tree shape"; }
# attributes: route, quorum, op parameters, sizes, the forward's peer
grep -q '"key":"meshwalk.route","value":{"stringValue":"api"}' "$TMP/front.jsonl" || fail "no route attribute"
grep -q '"key":"meshwalk.forward.acks_needed","value":{"intValue":"1"}},{"key":"meshwalk.forward.acks_got","value":{"intValue":"1"}}' \
	"$TMP/front.jsonl" || fail "no quorum attributes"
grep -q '"name":"COMPUTE","kind":1,[^}]*"meshwalk.duration_ns","value":{"intValue":"200000"}' "$TMP/front.jsonl" || fail "no COMPUTE parameter"
grep -q '"key":"server.address","value":{"stringValue":"127.0.0.1"}},{"key":"server.port","value":{"intValue":"'$back_PORT'"}}' \
	"$TMP/front.jsonl" || fail "no forward peer"
grep -q '"key":"rpc.response.size","value":{"intValue":"1000"}' "$TMP/front.jsonl" || fail "no reply size"

# 2. meshwalk import reads the export back: services, roots, call edges.
cat "$TMP/client.jsonl" "$TMP/front.jsonl" "$TMP/back.jsonl" >"$TMP/all.jsonl"
"$MESHWALK" import --summary "$TMP/all.jsonl" >"$TMP/imp" 2>&1 || { cat "$TMP/imp" >&2; fail "import failed"; }
for l in "traces 20" "spans 200" "services 3" "orphans 0" "skewed 0" "errors 0" \
	'  shop "api" -> front "api" 20' '  front "api" -> back "request" 20'; do
	grep -qxF -- "$l" "$TMP/imp" || { cat "$TMP/imp" >&2; fail "import summary lacks '$l'"; }
done

# 3. Head-based sampling: about half the requests, every trace whole.
start_node back2 --trace-out "$TMP/back2.jsonl" --service-name back
start_node front2 --trace-out "$TMP/front2.jsonl" --service-name front --nt 2 \
	--route "api=-C 10us -F 127.0.0.1:$back2_PORT,127.0.0.1:$back2_PORT,nack=2 -R 100 -R 100"
client --to 127.0.0.1:$front2_PORT --route api -n 200 --nt 2 --trace-sample 0.5 --trace-out "$TMP/client2.jsonl" -q ||
	{ show; fail "sampled client failed"; }
stop_node front2
stop_node back2
check --shape "$TMP/client2.jsonl" "$TMP/front2.jsonl" "$TMP/back2.jsonl"
read -r _ spans _ traces <"$TMP/check"
[ "$traces" -ge 260 ] && fail "sampled $traces of 400 requests at 0.5"
[ "$traces" -le 140 ] && fail "sampled $traces of 400 requests at 0.5"
[ "$spans" = $((traces * 11)) ] || { cat "$TMP/check" >&2; fail "$spans spans for $traces traces (11 each)"; }
grep -q "meshwalk.forward.targets\",\"value\":{\"intValue\":\"2\"}},{\"key\":\"meshwalk.forward.acks_needed\",\"value\":{\"intValue\":\"2\"}}" \
	"$TMP/front2.jsonl" || fail "no quorum of 2"

# 4. Off: --trace-sample 0 (the default) sends no context, records nothing.
start_node back3 --trace-out "$TMP/back3.jsonl"
client --to 127.0.0.1:$back3_PORT -n 50 -C 10us -R --trace-sample 0 --trace-out "$TMP/client3.jsonl" -q || fail "client failed"
stop_node back3
[ -s "$TMP/back3.jsonl" ] && fail "spans recorded with sampling off"
[ -s "$TMP/client3.jsonl" ] && fail "client spans with sampling off"

# 5. A failed forward: the error is the span's status, the tree still whole.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_node front4 --trace-out "$TMP/front4.jsonl"
client --to 127.0.0.1:$front4_PORT -F 127.0.0.1:$closed,timeout=20ms -R -R -n 2 --trace-sample 1 \
	--trace-out "$TMP/client4.jsonl" -q && fail "forward to a closed port succeeded"
stop_node front4
check "$TMP/client4.jsonl" "$TMP/front4.jsonl"
grep -q '"name":"forward","kind":3,.*"status":{"code":2,"message":"forward to 127.0.0.1:'$closed' failed: unreachable"}' \
	"$TMP/front4.jsonl" || fail "failed forward's status"

# 6. meshwalk run: each process gets its file, the run joins them into one
#    trace set (OTLP lines, valid as above) and a Jaeger file with the same
#    traces, services and call edges.
cat >"$TMP/scn.yaml" <<'YAML'
name: traced
seed: 7
trace_sample: 0.5
services:
  back: {}
  store:
    routes: { put: "-C 20us -S 4k,nosync -L 2k,offset=16k -R 100" }
  front:
    routes: { api: "-C 50us -F {store},route=put -R 500" }
clients:
  - name: web
    to: front
    route: api
    args: "-n 40"
  - name: direct
    to: back
    args: "-C 10us -R -n 10"
    trace_sample: 1
YAML
(cd "$TMP" && timeout -k 5 120 "$MESHWALK" run "$TMP/scn.yaml" -o "$TMP/run" >"$TMP/run.out" 2>&1) ||
	{ cat "$TMP/run.out" >&2; fail "traced run failed"; }
R=$TMP/run
[ -s "$R/nodes/front-0/spans.otlp.jsonl" ] && [ -s "$R/clients/web/spans.otlp.jsonl" ] || fail "no per-process span files"
grep -q -- "--trace-sample 0.5" "$R/commands.txt" && grep -q -- "--trace-sample 1 " "$R/commands.txt" ||
	{ cat "$R/commands.txt" >&2; fail "client groups' shares"; }
check --shape "$R/traces.otlp.jsonl"
read -r _ spans _ traces <"$TMP/check"
grep -qx "10 direct:request:CLIENT\[back:request:SERVER\[back:COMPUTE:INTERNAL,back:REPLY:INTERNAL\]\]" "$TMP/check" ||
	{ cat "$TMP/check" >&2; fail "direct group's tree"; }
"$MESHWALK" import --summary "$R/traces.otlp.jsonl" | sed 1d >"$TMP/imp.otlp" || fail "import of the run's OTLP file"
"$MESHWALK" import --summary "$R/traces.jaeger.json" | sed 1d >"$TMP/imp.jaeger" || fail "import of the run's Jaeger file"
diff "$TMP/imp.otlp" "$TMP/imp.jaeger" >&2 || fail "the Jaeger file reads back differently"
for l in "traces $traces" "spans $spans" "services 5" '  direct "request" -> back "request" 10' \
	'  front "api" -> store "put" '$((traces - 10)) '  web "api" -> front "api" '$((traces - 10)); do
	grep -qxF -- "$l" "$TMP/imp.jaeger" || { cat "$TMP/imp.jaeger" >&2; fail "run's traces lack '$l'"; }
done
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["data"]) == int(sys.argv[2])' \
	"$R/traces.jaeger.json" "$traces" || fail "traces.jaeger.json is not Jaeger JSON with every trace"
# The run's report has the trace view of the run's own spans: picked traces
# drawn, and the store's COMPUTE on every critical path of the web group.
timeout -k 5 120 "$MESHWALK" report "$R" -o "$TMP/rep" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; fail "report of a traced run"; }
grep -q '^p50,[0-9a-f]\{32\},' "$TMP/rep/trace-exemplars.csv" || { cat "$TMP/rep/trace-exemplars.csv" >&2; fail "no p50 exemplar"; }
grep -q '^web,api,p50,[0-9]*,store,COMPUTE,' "$TMP/rep/critical-path.csv" ||
	{ cat "$TMP/rep/critical-path.csv" >&2; fail "store's COMPUTE not on the p50 critical path"; }
grep -q 'class="span-bar' "$TMP/rep/index.html" || fail "no Gantt chart in the report"
# Round trip: the run's spans fitted back into a scenario (import -o) give
# the same services, routes and calls; the client groups are the load
# generator, not a service. The clone runs and holds its topology under
# meshwalk validate (its latency is not checked here: this application's is
# a few hundred microseconds, within the machine's run-to-run noise; the
# latency round trip is 89_trace_fidelity.sh's, at millisecond scale).
# Self time is what meshwalk's COMPUTE spans asked for (meshwalk.duration_ns:
# a worker preempted at the end of its spin took longer, which the clone's
# machine does again on its own); meshwalk's own time around them is not
# emulated again (no -C after the forward); storage ops that were the same
# in every execution are run as such (sizes, offsets, sync policy from the
# LOAD and STORE spans): the clone's routes are the original's.
"$MESHWALK" import --requests 60 --rate 200 -o "$TMP/clone.yaml" "$R/traces.otlp.jsonl" 2>"$TMP/err" || { cat "$TMP/err" >&2; fail "import -o of the run's traces"; }
grep -q '^      api: "-C 50us -F {store},route=put,ps=[0-9]* -R 500"$' "$TMP/clone.yaml" &&
	grep -q '^      put: "-C 20us -S 4k,nosync -L 2k,offset=16k -R 100"$' "$TMP/clone.yaml" &&
	grep -q '^      request: "-C 10us -R 0"$' "$TMP/clone.yaml" || { cat "$TMP/clone.yaml" >&2; fail "the clone's routes"; }
grep -Eq '^  (web|direct):' "$TMP/clone.yaml" && { cat "$TMP/clone.yaml" >&2; fail "a client group became a service"; }
# meshwalk's own network time is its transport, paid again by the clone: no
# link (--net-baseline auto); a given baseline keeps what is above it
grep -q '^# front <-> store: the network time of [0-9]* calls recorded by meshwalk itself' "$TMP/clone.yaml" &&
	! grep -q 'between:' "$TMP/clone.yaml" || { cat "$TMP/clone.yaml" >&2; fail "links of meshwalk's own traces"; }
"$MESHWALK" import --net-baseline 0 --requests 60 --rate 200 -o "$TMP/clone0.yaml" "$R/traces.otlp.jsonl" 2>"$TMP/err" || fail "import --net-baseline 0"
grep -q '^    - between: \[front, store\]' "$TMP/clone0.yaml" || { cat "$TMP/clone0.yaml" >&2; fail "--net-baseline 0: no link"; }
"$MESHWALK" import --net-baseline 2x -o "$TMP/clonex.yaml" "$R/traces.otlp.jsonl" 2>"$TMP/err"
assert_eq "--net-baseline 2x" 2 $?
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/clone" "$TMP/clone.yaml" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; fail "the clone's run"; }
"$MESHWALK" validate --clone "$TMP/clone" "$R/traces.otlp.jsonl" >"$TMP/val" 2>&1
awk '/^requests per service/ { on = 1; next } on && /^  / { n++; if ($NF != "ok") bad = 1 } /^verdict/ { on = 0 }
	END { exit !(n == 3 && !bad) }' "$TMP/val" || { cat "$TMP/val" >&2; fail "the clone's topology does not hold"; }
# The clone with links (--net-baseline 0), run traced: validate compares
# each call edge's network time, original against clone, and gives the
# median extra the clone's own transport adds (what --net-baseline takes
# off). Timing is not checked, only that every figure is there.
timeout -k 5 120 "$MESHWALK" run -q --set trace_sample=1 -o "$TMP/clone0run" "$TMP/clone0.yaml" >/dev/null 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "the linked clone's run"; }
"$MESHWALK" validate --json "$TMP/val0.json" --clone "$TMP/clone0run" "$R/traces.otlp.jsonl" >"$TMP/val0" 2>&1
grep -qE '^  front -> store: calls [0-9]+ / [0-9]+, median [0-9.]+ / [0-9.]+ \([-+][0-9.]+\), mean [0-9.]+ / [0-9.]+ \([-+][0-9.]+\), sd [0-9.]+ / [0-9.]+$' "$TMP/val0" &&
	grep -qE "^  the clone's extra per call, median over 1 edges: -?[0-9.]+ us \(mean [-+][0-9.]+ us, variance [-+][0-9]+ us\^2\); import --net-baseline with the --json file takes each edge's off its links \(or --net-baseline [0-9]+us, one figure for all\)$" "$TMP/val0" ||
	{ cat "$TMP/val0" >&2; fail "validate's network time per edge"; }
$PY -c 'import json,sys; n=json.load(open(sys.argv[1]))["network"]; e=n["edges"]
assert [(x["from"], x["to"]) for x in e] == [("front", "store")] and e[0]["calls_clone"] > 0, n
assert abs(n["median_extra_us"] - e[0]["extra_us"]) < 1e-6, n' "$TMP/val0.json" || fail "validate --json network"
# deploy does not collect span files: a traced scenario is refused, nothing written
"$MESHWALK" deploy k8s "$TMP/scn.yaml" -o "$TMP/k8s" >"$TMP/dep.out" 2>&1 && fail "deploy of a traced scenario accepted"
grep -q "trace_sample: meshwalk deploy does not collect span files" "$TMP/dep.out" || { cat "$TMP/dep.out" >&2; fail "deploy refusal text"; }
[ -e "$TMP/k8s" ] && fail "a refused deploy wrote files"
# a bad share in a scenario: an error with its position
printf 'services: { a: {} }\nclients: [ { name: c, to: a, trace_sample: 2 } ]\n' >"$TMP/bad.yaml"
"$MESHWALK" run "$TMP/bad.yaml" -o "$TMP/badrun" >"$TMP/bad.out" 2>&1 && fail "trace_sample 2 accepted"
grep -q "trace_sample: expected a share from 0 to 1" "$TMP/bad.out" || { cat "$TMP/bad.out" >&2; fail "trace_sample error text"; }

# 7. HTTP/1.1: a caller's traceparent is joined (its trace id, its span as
#    the parent), tracestate passes, an unsampled or absent one records nothing.
command -v curl >/dev/null || skip "curl missing"
start_node hback --trace-out "$TMP/hback.jsonl" --service-name back
start_node web -b http://127.0.0.1:0 --trace-out "$TMP/web.jsonl" --service-name web \
	--route "api=-C 20us -F 127.0.0.1:$hback_PORT -R 10 -R 100"
tp() { curl -s -o /dev/null -w '%{http_code}' "$@" "http://127.0.0.1:$web_PORT/api"; }
[ "$(tp -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
	-H 'tracestate: congo=t61rcWkgMzE')" = 200 ] || fail "traced HTTP request"
[ "$(tp -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-00')" = 200 ] || fail "unsampled HTTP request"
[ "$(tp -H 'traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')" = 200 ] || fail "bad traceparent"
[ "$(tp)" = 200 ] || fail "untraced HTTP request"
stop_node web
stop_node hback
# the caller's span is not in the files: add it as a root to check the rest
cat >"$TMP/caller.jsonl" <<'JSON'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"app"}}]},"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"call","kind":3,"startTimeUnixNano":"1","endTimeUnixNano":"9999999999999999999"}]}]}]}
JSON
check --shape "$TMP/caller.jsonl" "$TMP/web.jsonl" "$TMP/hback.jsonl"
assert_eq "HTTP trace" "1 app:call:CLIENT[web:api:SERVER[web:COMPUTE:INTERNAL,web:FORWARD:INTERNAL[web:forward:CLIENT[back:request:SERVER[back:REPLY:INTERNAL]]],web:REPLY:INTERNAL]]" \
	"$(sed -n 2p "$TMP/check")"
grep -q '"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"[0-9a-f]*","parentSpanId":"00f067aa0ba902b7","traceState":"congo=t61rcWkgMzE","name":"api","kind":2' \
	"$TMP/web.jsonl" || fail "the HTTP request's span is not the caller's child, with its tracestate"

# 7c. HTTP/2 and gRPC: the same fields join the caller's trace (h2c with
#    curl, gRPC framing with h2load), the tracestate recorded.
if command -v h2load >/dev/null; then
	start_node h2 -b h2c://127.0.0.1:0 --trace-out "$TMP/h2.jsonl" --service-name h2 --route "api=-C 10us -R 20"
	[ "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' \
		-H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' -H 'tracestate: rojo=00f067aa0ba902b7' \
		"http://127.0.0.1:$h2_PORT/api")" = 200 ] || fail "traced HTTP/2 request"
	printf '\0\0\0\0\5\n\3api' >"$TMP/run.bin"
	timeout 30 h2load -n 1 -c 1 -d "$TMP/run.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
		-H 'traceparent: 00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203332-01' \
		"http://127.0.0.1:$h2_PORT/meshwalk.v1.Walk/Run" >"$TMP/h2load.out" 2>&1 &&
		grep -q "status codes: 1 2xx" "$TMP/h2load.out" || fail "traced gRPC request: $(cat "$TMP/h2load.out")"
	stop_node h2
	# the callers' spans are not in the file: added as roots to check the rest
	cat >"$TMP/h2caller.jsonl" <<'JSON'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"app"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"call","kind":3,"startTimeUnixNano":"1","endTimeUnixNano":"9999999999999999999"},{"traceId":"0af7651916cd43dd8448eb211c80319d","spanId":"b7ad6b7169203332","name":"call","kind":3,"startTimeUnixNano":"1","endTimeUnixNano":"9999999999999999999"}]}]}]}
JSON
	check "$TMP/h2caller.jsonl" "$TMP/h2.jsonl"
	grep -q '"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"[0-9a-f]*","parentSpanId":"b7ad6b7169203331","traceState":"rojo=00f067aa0ba902b7","name":"api","kind":2' \
		"$TMP/h2.jsonl" || fail "the HTTP/2 request's span is not the caller's child"
	grep -q '"traceId":"0af7651916cd43dd8448eb211c80319d","spanId":"[0-9a-f]*","parentSpanId":"b7ad6b7169203332","name":"meshwalk.v1.Walk/Run","kind":2' \
		"$TMP/h2.jsonl" || fail "the gRPC request's span is not the caller's child"
fi

# 7b. HTTP both ways between meshwalk processes: the client over http://
#    and a forward to an http:// target carry traceparent, so one tree spans
#    the three processes.
start_node hleaf -b http://127.0.0.1:0 --trace-out "$TMP/hleaf.jsonl" --service-name leaf \
	--route "leaf=-C 10us -R 50"
start_node web2 -b http://127.0.0.1:0 --trace-out "$TMP/web2.jsonl" --service-name web \
	--route "api=-F http://127.0.0.1:$hleaf_PORT/leaf -R 10"
client --to "http://127.0.0.1:$web2_PORT/api" -n 5 --closed-loop --trace-sample 1 --trace-out "$TMP/hclient.jsonl" \
	--service-name shop -q || { show; fail "traced HTTP client failed"; }
stop_node web2
stop_node hleaf
check --shape "$TMP/hclient.jsonl" "$TMP/web2.jsonl" "$TMP/hleaf.jsonl"
assert_eq "HTTP both ways" "spans 40 traces 5" "$(head -n 1 "$TMP/check")"
assert_eq "HTTP both ways: tree" "5 shop:api:CLIENT[web:api:SERVER[web:FORWARD:INTERNAL[web:forward:CLIENT[leaf:leaf:SERVER[leaf:COMPUTE:INTERNAL,leaf:REPLY:INTERNAL]]],web:REPLY:INTERNAL]]" \
	"$(sed -n 2p "$TMP/check")"

# 8. Live export: batches POSTed to an OTLP/HTTP collector (a python one
#    here) are the same valid lines; a collector that is gone costs the
#    requests nothing: its batches are counted as not accepted.
cat >"$TMP/collector.py" <<'PYC'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = self.path == "/v1/traces" and self.headers["Content-Type"] == "application/json"
        if ok:
            with open(sys.argv[2], "ab") as f:
                f.write(body + b"\n")
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PYC
timeout 120 $PY "$TMP/collector.py" "$TMP/coll.port" "$TMP/coll.jsonl" &
PIDS+=($!)
slowwait 10 test -s "$TMP/coll.port" || fail "collector did not start"
EP=http://127.0.0.1:$(cat "$TMP/coll.port")/v1/traces
start_node live --otlp-endpoint "$EP" --service-name live
client --to 127.0.0.1:$live_PORT -n 30 -C 10us -R --trace-sample 1 --otlp-endpoint "$EP" -q ||
	{ show; fail "client with --otlp-endpoint failed"; }
grep -q "^traces: 30 spans recorded, 30 exported, 0 dropped$" "$TMP/out" || { show; fail "client live export counts"; }
stop_node live
grep -q "traces: 90 spans recorded, 90 exported, 0 dropped (buffers full), 0 not accepted" "$TMP/live.log" ||
	{ cat "$TMP/live.log" >&2; fail "node live export counts"; }
check "$TMP/coll.jsonl"
assert_eq "collected" "spans 120 traces 30" "$(head -n 1 "$TMP/check")"
start_node gone --otlp-endpoint "http://127.0.0.1:$closed/v1/traces"
client --to 127.0.0.1:$gone_PORT -n 10 -C 10us -R --trace-sample 1 -q || fail "requests failed with the collector gone"
stop_node gone
grep -q '"post_failed": 30}' "$TMP/gone.stats" || { cat "$TMP/gone.stats" >&2; fail "refused batches not counted"; }

# 9. Bad options: clear errors, no crash.
bad() { # bad STATUS ARGS...: meshwalk ARGS exits STATUS with a message
	local want=$1
	shift
	timeout 10 "$MESHWALK" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$?
	[ $rc = "$want" ] || { cat "$TMP/bad.err" >&2; fail "meshwalk $* exited $rc, not $want"; }
	[ -s "$TMP/bad.err" ] || fail "meshwalk $*: no message"
}
bad 2 client --trace-sample 1.5 -n 1
bad 2 client --trace-sample x -n 1
bad 2 client --otlp-endpoint https://collector:4318/v1/traces -n 1
bad 2 node --otlp-endpoint http://nohost/v1/traces
bad 2 node --service-name ''
bad 1 client --to 127.0.0.1:$closed -n 1 --trace-sample 1 --trace-out "$TMP/no/such/dir/t.jsonl"
grep -q "cannot create the trace file" "$TMP/bad.err" || fail "trace file error text"
bad 1 node -b 127.0.0.1:0 --trace-out "$TMP/no/such/dir/t.jsonl"
echo "89_trace: ok"
