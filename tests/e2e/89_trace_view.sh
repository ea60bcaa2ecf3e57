#!/usr/bin/env bash
# 89_trace_view: meshwalk report's trace view on OTLP JSON written here by a
# generator whose answers are known: 200 traces of front -> auth, then db and
# cache in parallel (db ends last; db -> disk), latencies rising with the
# trace number; the 5 slowest make a second cache call (a rarer shape); one
# extra trace fans out to 49 calls (a 50-span chart). Checks the exemplars
# picked by percentile, slowest, trace id and request id; one bar per span;
# the critical path (cache, always overlapped by db, is never on it; the
# shares add up to 100); the structure context; the traces-only report;
# the errors; and, when Chromium is installed, the page rendered in it
# (KEEP_SHOT=FILE keeps its screenshot, to look at).
. "$(dirname "$0")/lib.sh"

cat >"$TMP/gen.py" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
US = 1000
T0 = 1_700_000_000_000_000_000

def span(tid, sid, parent, name, start_us, dur_us, kind=2, attrs=()):
    s = {"traceId": tid, "spanId": sid, "name": name, "kind": kind,
         "startTimeUnixNano": str(T0 + start_us * US),
         "endTimeUnixNano": str(T0 + (start_us + dur_us) * US),
         "attributes": [{"key": k, "value": v} for k, v in attrs]}
    if parent:
        s["parentSpanId"] = parent
    return s

def emit(by_service):
    rs = [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": svc}}]},
           "scopeSpans": [{"scope": {"name": "gen"}, "spans": spans}]}
          for svc, spans in by_service.items()]
    out.write(json.dumps({"resourceSpans": rs}) + "\n")

for i in range(200):
    tid = "%032x" % (0xabc00000 + i)
    base = i * 10_000               # one trace every 10 ms
    db = 1000 + 10 * i              # db time rises with i
    end = 700 + db + 200
    sv = {"front": [span(tid, "%016x" % (i * 16 + 1), None, "GET /", base, end,
                         attrs=[("meshwalk.request_id", {"intValue": str(i)})])],
          "auth": [span(tid, "%016x" % (i * 16 + 2), "%016x" % (i * 16 + 1), "check", base + 100, 500)],
          "db": [span(tid, "%016x" % (i * 16 + 3), "%016x" % (i * 16 + 1), "query", base + 700, db)],
          "disk": [span(tid, "%016x" % (i * 16 + 4), "%016x" % (i * 16 + 3), "read", base + 800, db // 2)],
          "cache": [span(tid, "%016x" % (i * 16 + 5), "%016x" % (i * 16 + 1), "get", base + 700, 300)]}
    if i >= 195:
        sv["cache"].append(span(tid, "%016x" % (i * 16 + 6), "%016x" % (i * 16 + 1), "get", base + 1100, 300))
    emit(sv)

tid = "%032x" % 0xfa0
spans = [span(tid, "%016x" % 0xf000, None, "fanout", 2_100_000, 900, attrs=[("meshwalk.request_id", {"intValue": "900"})])]
spans += [span(tid, "%016x" % (0xf001 + k), "%016x" % 0xf000, "call-%02d" % k, 2_100_000 + 10 + k * 15, 100 + k * 3)
          for k in range(49)]
emit({"fan": spans})
PY
python3 "$TMP/gen.py" "$TMP/t.jsonl" || fail "generator"

# A results directory the trace view sits beside: one short client run.
mkdir "$TMP/r"
start_node n
timeout -k 5 60 "$MESHWALK" client --to "127.0.0.1:$n_PORT" -n 50 -r 1000 -q --csv "$TMP/r/requests.csv" \
	>/dev/null 2>"$TMP/err" || { cat "$TMP/err"; fail "client"; }
cp "$TMP/t.jsonl" "$TMP/r/traces.otlp.jsonl"
timeout -k 5 120 "$MESHWALK" report -q --no-plots "$TMP/r" 2>"$TMP/err" || { cat "$TMP/err"; fail "report"; }
R=$TMP/r/report
[ -s "$R/trace-exemplars.csv" ] || fail "no trace-exemplars.csv"
[ -s "$R/critical-path.csv" ] || fail "no critical-path.csv"

# 201 latencies: 200 of 1900 + 10i us and the fan-out's 900 us. Nearest rank:
# p50 is the 101st smallest = trace i=99 (2890 us), p99 the 199th = i=197,
# the slowest i=199.
row() { grep "^$1," "$R/trace-exemplars.csv" || fail "no exemplar $1"; }
assert_eq "p50 exemplar" "p50,000000000000000000000000abc00063,99,2890.000,5,97.01" "$(row p50)"
assert_eq "p99 exemplar" "p99,000000000000000000000000abc000c5,197,3870.000,6,2.49" "$(row p99)"
assert_eq "slowest exemplar" "slowest,000000000000000000000000abc000c7,199,3890.000,6,2.49" "$(row slowest)"

# One bar per span in each trace's chart.
bars() { # FIGURE: span-bar elements in <figure id="trace-N">
	awk -v id="id=\"trace-$1\"" 'index($0, id) { on = 1 } on && /<\/figure>/ { on = 0 } on' "$R/index.html" |
		grep -o 'class="span-bar' | wc -l
}
assert_eq "bars of the p50 trace" 5 "$(bars 0)"
assert_eq "bars of the p99 trace" 6 "$(bars 1)"
grep -q 'seen in 195 of 201 traces' "$R/index.html" || fail "structure context of the common shape"
grep -q '+1 call front GET / → cache get' "$R/index.html" ||
	fail "the rare shape's difference from the common one is not shown"
grep -q 'class="this-trace"' "$R/index.html" || fail "no marked point in the temporal context"
grep -q 'class="span-band"' "$R/index.html" || fail "no metric band behind the bars"

# Critical path: db (and disk under it) decide; cache never does.
grep -q ',cache,get,' "$R/critical-path.csv" && fail "cache is overlapped by db: not on the critical path"
grep -q '^front,GET /,p99,[0-9]*,db,query,' "$R/critical-path.csv" || fail "db not on the p99 path"
awk -F, '$1 == "front" && $3 == "p50" { s += $8 } END { if (s < 99.9 || s > 100.1) exit 1 }' \
	"$R/critical-path.csv" || fail "p50 shares do not add up to 100"
# p50 band: traces 89..109 of the front entry (ranks 90 to 110 of its 200):
# mean front self = 100 + 100 + 200 us = 400 us, auth 500 us.
grep -q '^front,GET /,p50,[0-9]*,auth,check,500.000,' "$R/critical-path.csv" || fail "auth's time on the p50 path"
grep -q '^front,GET /,p50,[0-9]*,front,GET /,400.000,' "$R/critical-path.csv" || fail "front's own time on the p50 path"

# Picks by trace id (any case) and by request id; the 50-span trace.
timeout -k 5 120 "$MESHWALK" report -q --no-plots --trace 000000000000000000000000ABC0002A,900 \
	-o "$TMP/r2" "$TMP/r" 2>"$TMP/err" || { cat "$TMP/err"; fail "report --trace ID"; }
assert_eq "picked by trace id" "id 000000000000000000000000ABC0002A,000000000000000000000000abc0002a,42,2320.000,5,97.01" \
	"$(grep '^id 000000000000000000000000ABC0002A,' "$TMP/r2/trace-exemplars.csv")"
grep -q '^id 900,0000000000000000000000000000' "$TMP/r2/trace-exemplars.csv" || fail "picked by request id"
R=$TMP/r2
assert_eq "bars of the 50-span trace" 50 "$(bars 1)"

# The trace view alone (no client results), any format import reads.
timeout -k 5 120 "$MESHWALK" report --traces "$TMP/t.jsonl" --trace p90 -o "$TMP/only" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "report --traces alone"; }
grep -q '^201 traces, 1055 spans; report: ' "$TMP/out" || { cat "$TMP/out"; fail "traces-only summary line"; }
grep -q '<h2 id="critical-path">' "$TMP/only/index.html" || fail "traces-only page lacks the critical path"

# Errors: usage (2), and files or picks that cannot be honoured (1).
"$MESHWALK" report --traces "$TMP/t.jsonl" --trace p0 -o "$TMP/x" >/dev/null 2>&1
assert_eq "--trace p0" 2 $?
"$MESHWALK" report --traces "$TMP/t.jsonl" --trace 'no such' -o "$TMP/x" >/dev/null 2>&1
assert_eq "--trace with a non-id" 2 $?
"$MESHWALK" report --traces "$TMP/t.jsonl" --trace deadbeef -o "$TMP/x" >/dev/null 2>"$TMP/err"
assert_eq "--trace with an unknown id" 1 $?
grep -q "no trace has the id or request id 'deadbeef'" "$TMP/err" || { cat "$TMP/err"; fail "unknown id message"; }
"$MESHWALK" report --traces "$TMP/none.json" -o "$TMP/x" >/dev/null 2>&1
assert_eq "missing trace file" 1 $?
: >"$TMP/empty.json"
"$MESHWALK" report --traces "$TMP/empty.json" -o "$TMP/x" >/dev/null 2>"$TMP/err"
assert_eq "empty trace file" 1 $?
rm "$TMP/r/traces.otlp.jsonl"
"$MESHWALK" report -q --no-plots --trace p50 "$TMP/r" >/dev/null 2>"$TMP/err"
assert_eq "--trace without traces" 2 $?

# Clocks of two hosts (host.name): the server's clock runs 5 ms ahead of its
# client's. The offset is measured from the calls as NTP does (each call's
# network time split evenly: 100 us each way here), written to
# clock-offsets.csv and applied: the server's work is on the critical path
# (unaligned, the server span would end after its client span and be left
# off it). On one host nothing is measured (one clock; what cannot fit is
# still centred, as without host names).
cat >"$TMP/hosts.py" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
for host_b in ("b", "a"):
    for i in range(40):
        t0 = 10**15 + i * 10**8 + (0 if host_b == "b" else 10**12)
        tid = "%032x" % (i + (1000 if host_b == "a" else 1))
        span = lambda sid, pid, name, kind, s, d: dict(traceId=tid, spanId=sid, parentSpanId=pid, name=name,
            kind=kind, startTimeUnixNano=str(s), endTimeUnixNano=str(s + d))
        skew = 5000000  # the server host's clock is 5 ms ahead
        client = [span("%016x" % 1, "", "home", 2, t0, 3000000),
                  span("%016x" % 2, "%016x" % 1, "call", 3, t0 + 500000, 2000000)]
        server = [span("%016x" % 3, "%016x" % 2, "work", 2, t0 + 600000 + skew, 1800000)]
        res = lambda svc, host: {"attributes": [{"key": "service.name", "value": {"stringValue": svc}},
                                                {"key": "host.name", "value": {"stringValue": host}}]}
        out.write(json.dumps({"resourceSpans": [
            {"resource": res("front", "a"), "scopeSpans": [{"spans": client}]},
            {"resource": res("back", host_b), "scopeSpans": [{"spans": server}]}]}) + "\n")
PY
python3 "$TMP/hosts.py" "$TMP/hosts.jsonl" || fail "host generator"
head -n 40 "$TMP/hosts.jsonl" >"$TMP/two.jsonl"
"$MESHWALK" report --traces "$TMP/two.jsonl" -o "$TMP/two" >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; fail "report of two hosts"; }
assert_eq "clock offsets" "from_host,to_host,calls,samples,offset_us,min_us,max_us
a,b,40,40,5000.000,5000.000,5000.000" "$(cat "$TMP/two/clock-offsets.csv")"
grep -q '^front,home,p50,[0-9]*,back,work,1800.000,' "$TMP/two/critical-path.csv" ||
	{ cat "$TMP/two/critical-path.csv"; fail "the other host's span is not on the critical path"; }
tail -n 40 "$TMP/hosts.jsonl" >"$TMP/one.jsonl"
"$MESHWALK" report --traces "$TMP/one.jsonl" -o "$TMP/one" >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; fail "report of one host"; }
assert_eq "one host: no offset" "from_host,to_host,calls,samples,offset_us,min_us,max_us" "$(cat "$TMP/one/clock-offsets.csv")"

# Rendered by a real browser: the charts survive HTML parsing with every bar.
if command -v chromium >/dev/null; then
	page=$TMP/r2/index.html
	timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --user-data-dir="$TMP/profile" --dump-dom \
		"file://$page" >"$TMP/dom.html" 2>"$TMP/err" || { tail -n 5 "$TMP/err"; fail "chromium --dump-dom"; }
	assert_eq "bars in the rendered DOM" 55 "$(grep -o 'class="span-bar' "$TMP/dom.html" | wc -l)"
	timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --user-data-dir="$TMP/profile" \
		--screenshot="$TMP/shot.png" --window-size=1200,2400 "file://$page" >/dev/null 2>&1 ||
		fail "chromium --screenshot"
	[ "$(wc -c <"$TMP/shot.png")" -gt 60000 ] || fail "the trace view screenshot looks empty"
	[ -n "${KEEP_SHOT:-}" ] && cp "$TMP/shot.png" "$KEEP_SHOT"
else
	echo "chromium not installed: the rendering check was skipped"
fi
echo "trace view: exemplars, bars, context and critical path as constructed"
