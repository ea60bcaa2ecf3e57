#!/usr/bin/env bash
# 89_trace_fidelity: the round trip with its latency checked (issue 18: a
# scenario run with export, imported with meshwalk import, gives back the
# same services, routes, call groups and probabilities, and latency
# distributions within validate's tolerances). The application's latency is
# its emulated ops at millisecond scale: a front computes (exp: 0.5 ms),
# calls a store that sleeps 1 to 3 ms, calls a cache (computes, sleeps) for
# 4 requests in 10, sleeps 1 ms and answers (one exponential, the rest
# bounded: the p99 of 1600 requests a side is then steady to a few percent,
# where two heavy tails would put it beyond 20 % once in a hundred runs by
# sampling alone). It runs traced; meshwalk import
# fits its spans into a scenario; the clone runs traced; meshwalk validate
# judges with its default tolerances (p50 and p90 within 10 %, p99 within
# 20 %, KS <= 0.1) and must say PASS. The machine's own noise (tens of
# microseconds; more under the sanitizers or a loaded CI machine) is small
# beside milliseconds, and the runs are interleaved (original, clone,
# original, clone) and pooled (two TRACES files, --clone twice: a slow spell
# lands on both sides). Structure: the clone's services, routes, calls and
# call probability are the application's. Pooling is exact: each pair of
# runs validated alone and the two pooled give counts that add up (traces,
# requests, per service, per operation, per call edge).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
N=800  # requests per run
RATE=200
cat >"$TMP/app.yaml" <<YAML
name: roundtrip
seed: 11
trace_sample: 1
services:
  store:
    routes: { put: "--sleep unif:min=5ms,max=15ms -R 100" }
  cache:
    routes: { get: "-C unif:min=200us,max=600us --sleep unif:min=2ms,max=8ms -R 2k" }
  front:
    routes:
      api: "-C exp:500us -F {store},route=put -s 1,prob=0.6 -F {cache},route=get --sleep 5ms -R 1k"
clients:
  - name: front.api
    to: front
    route: api
    args: "-n $N -p exp:$((1000 / RATE))ms"
YAML
runs() { # runs NAME SCENARIO [run options...]: meshwalk run into $TMP/NAME
	local name=$1 scn=$2
	shift 2
	(cd "$TMP" && timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/$name" "$@" "$scn" >/dev/null 2>"$TMP/$name.err") ||
		{ cat "$TMP/$name.err" >&2; fail "the run $name"; }
}
runs orig1 "$TMP/app.yaml"
"$MESHWALK" import --requests $N --rate $RATE -o "$TMP/clone.yaml" "$TMP/orig1/traces.otlp.jsonl" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "import -o"; }
runs clone1 "$TMP/clone.yaml" --set trace_sample=1
# the second runs with other seeds: their ops draw other durations
runs orig2 "$TMP/app.yaml" --set seed=12
runs clone2 "$TMP/clone.yaml" --set trace_sample=1 --set seed=2

# Structure: the same services and routes; the front's two plans (the cache
# called or not) with the call's probability, each plan's calls in order.
python3 - "$TMP/clone.yaml" "$N" <<'PY' || { cat "$TMP/clone.yaml" >&2; fail "the clone's structure"; }
import math, re, sys
text = open(sys.argv[1]).read()
n = int(sys.argv[2])
routes = dict(re.findall(r'^      ([a-z]+): "(.*)"$', text, re.M))
assert sorted(routes) == ["api", "get", "put"], routes
assert sorted(re.findall(r"^  ([a-z]+):$", text, re.M)) == ["cache", "front", "store"], text
assert re.fullmatch(r"--sleep emp:\S+ -R 100", routes["put"]), routes["put"]
assert re.fullmatch(r"-C emp:\S+ --sleep emp:\S+ -R 2k", routes["get"]), routes["get"]
plans = re.fullmatch(r"--choice (\d+) (.*) --choice (\d+) (.*) --choice-end -R 1k", routes["api"])
assert plans, routes["api"]
w1, p1, w2, p2 = int(plans[1]), plans[2], int(plans[3]), plans[4]
store = r"-F \{store\},route=put(,ps=\S+)?"
cache = r"-F \{cache\},route=get(,ps=\S+)?"
assert re.fullmatch(r"-C emp:\S+ %s --sleep 5ms" % store, p1), p1
assert re.fullmatch(r"-C emp:\S+ %s %s --sleep 5ms" % (store, cache), p2), p2
# the cache is called with probability 0.4: within 4 standard deviations
assert w1 + w2 == n, (w1, w2)
assert abs(w2 / n - 0.4) <= 4 * math.sqrt(0.24 / n), (w1, w2)
assert "links:" not in text and "between:" not in text, "links for meshwalk's own network time"
PY

O1=$TMP/orig1/traces.otlp.jsonl O2=$TMP/orig2/traces.otlp.jsonl
validate() { # validate NAME ARGS...: meshwalk validate --json $TMP/NAME.json ARGS
	local name=$1
	shift
	"$MESHWALK" validate --json "$TMP/$name.json" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.err"
	local rc=$?
	[ $rc = 0 ] || [ $rc = 3 ] || { cat "$TMP/$name.txt" "$TMP/$name.err" >&2; fail "validate $name: exit status $rc"; }
	return $rc
}
validate pooled --clone "$TMP/clone1" --clone "$TMP/clone2" "$O1" "$O2" || {
	cat "$TMP/pooled.txt" >&2
	fail "the clone's latency or topology is off (validate, two runs a side pooled)"
}
grep -qxF "the clone: 2 runs pooled ($TMP/clone1, $TMP/clone2)" "$TMP/pooled.txt" || { cat "$TMP/pooled.txt" >&2; fail "the pooled runs are not named"; }
grep -qxF "  (the spans of 2 of the 2 clone runs, pooled)" "$TMP/pooled.txt" || { cat "$TMP/pooled.txt" >&2; fail "the pooled spans are not counted"; }
grep -qE '^verdict: PASS \([0-9]+ checks, 0 failed\)$' "$TMP/pooled.txt" || { cat "$TMP/pooled.txt" >&2; fail "verdict"; }

# Pooling is exact: the runs of each side alone add up to the pooled report.
validate one --clone "$TMP/clone1" "$O1"
validate two --clone "$TMP/clone2" "$O2"
python3 - "$N" "$TMP/one.json" "$TMP/two.json" "$TMP/pooled.json" "$TMP/clone1" "$TMP/clone2" <<'PY' ||
import json, sys
n = int(sys.argv[1])
a, b, p = (json.load(open(f)) for f in sys.argv[2:5])
assert p["clone_runs"] == sys.argv[5:7] and a["clone_runs"] == sys.argv[5:6], p["clone_runs"]
assert p["self_time"]["clone_span_runs"] == 2 and a["self_time"]["clone_span_runs"] == 1
tables = {  # section: (its rows, their key, the counts that add up)
    "entries": (lambda d: d["entries"], ("group",), ("original_traces", "clone_requests")),
    "services": (lambda d: d["services"], ("service",), ("served",)),
    "self_time": (lambda d: d["self_time"]["operations"], ("service", "route"),
                  ("original_executions", "clone_executions")),
    "network": (lambda d: d["network"]["edges"], ("from", "to"), ("calls_original", "calls_clone")),
}
for name, (of, key, counts) in tables.items():
    ra, rb, rp = ({tuple(r[k] for k in key): r for r in of(d)} for d in (a, b, p))
    assert rp and ra.keys() == rb.keys() == rp.keys(), (name, ra.keys(), rb.keys(), rp.keys())
    for k in rp:
        for c in counts:
            assert rp[k][c] == ra[k][c] + rb[k][c], (name, k, c, ra[k][c], rb[k][c], rp[k][c])
e = p["entries"][0]
assert len(p["entries"]) == 1 and e["checked"] and e["pass"], e
assert e["original_traces"] == e["clone_requests"] == 2 * n, e
assert len(p["network"]["edges"]) == 2 and len(p["services"]) == 3, p
PY
	fail "pooling is not exact"
# the figures, for the log
grep -E '^    (p[0-9]+ |KS )' "$TMP/pooled.txt" | sed 's/^ */89_trace_fidelity: /'
echo "89_trace_fidelity: ok"
