#!/usr/bin/env bash
# 89_trace_fidelity: the round trip with its latency checked (issue 18: a
# scenario run with export, imported with meshwalk import, gives back the
# same services, routes, call groups and probabilities, and latency
# distributions within validate's tolerances). The application's latency is
# its emulated ops, tens of milliseconds: a front computes (exp: 0.5 ms),
# calls a store that sleeps 25 to 75 ms, calls a cache (computes, sleeps 10
# to 40 ms) for 4 requests in 10, sleeps 20 ms and answers (one exponential,
# the rest bounded: the p99 of 1600 requests a side is then steady to a few
# percent, where heavy tails would put it beyond 20 % now and then by
# sampling alone). It runs traced; meshwalk import fits its spans into a
# scenario; the clone runs traced; meshwalk validate judges with its default
# tolerances (p50 and p90 within 10 %, p99 within 20 %, KS <= 0.1) and must
# say PASS. The scale is chosen against the machine's noise: on a loaded
# 2-vCPU VM, a process kept off the CPU for milliseconds is common (the
# sanitizer builds and a CI machine included), so sub-millisecond ops would
# be judged by the machine. The runs are interleaved (original, clone,
# original, clone) and pooled (two TRACES files, --clone twice), so a slow
# spell lands on both sides; a rare long stall is met by a second attempt
# (below). Structure: the clone's services, routes, calls and call
# probability are the application's. Pooling is exact: each pair of runs
# validated alone and the two pooled give counts that add up (traces,
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
    routes: { put: "--sleep unif:min=25ms,max=75ms -R 100" }
  cache:
    routes: { get: "-C unif:min=200us,max=600us --sleep unif:min=10ms,max=40ms -R 2k" }
  front:
    routes:
      api: "-C exp:500us -F {store},route=put -s 1,prob=0.6 -F {cache},route=get --sleep 20ms -R 1k"
clients:
  - name: front.api
    to: front
    route: api
    args: "-n $N -p exp:$((1000 / RATE))ms"
YAML
# The runs' directories on tmpfs when there is one: the processes write
# their spans as they go, and a busy disk is then one noise source fewer.
W=$(mktemp -d /dev/shm/meshwalk-e2e.XXXXXX 2>/dev/null) || W=$TMP
trap '[ "$W" = "$TMP" ] || rm -rf "$W"; cleanup' EXIT
runs() { # runs NAME SCENARIO [run options...]: meshwalk run into $W/NAME
	local name=$1 scn=$2
	shift 2
	(cd "$W" && timeout -k 5 120 "$MESHWALK" run -q -o "$W/$name" "$@" "$scn" >/dev/null 2>"$TMP/$name.err") ||
		{ cat "$TMP/$name.err" >&2; fail "the run $name"; }
}
validate() { # validate NAME ARGS...: meshwalk validate --json $TMP/NAME.json ARGS
	local name=$1
	shift
	"$MESHWALK" validate --json "$TMP/$name.json" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.err"
	local rc=$?
	[ $rc = 0 ] || [ $rc = 3 ] || { cat "$TMP/$name.txt" "$TMP/$name.err" >&2; fail "validate $name: exit status $rc"; }
	return $rc
}
runs o1-1 "$TMP/app.yaml"
"$MESHWALK" import --requests $N --rate $RATE -o "$TMP/clone.yaml" "$W/o1-1/traces.otlp.jsonl" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "import -o"; }
# An attempt: original, clone, original, clone (each second run with another
# seed: its ops draw other durations), validated pooled. A machine stall
# (while this was written, other jobs on the shared 2-vCPU VM, at a load
# average of 4 to 6, held nodes off the CPU for 30 to 400 ms now and then:
# a store's 15 ms SLEEP took 45) delays every request in flight and can
# move p99 alone; a second attempt with fresh runs is then made, and the
# verdict must be PASS in one of them: a clone that is off fails both.
attempt() { # attempt K: runs oK-1 cK-1 oK-2 cK-2 (oK-1 already run for K=1)
	local k=$1
	[ "$k" = 1 ] || runs "o$k-1" "$TMP/app.yaml" --set seed=$((10 + 2 * k))
	runs "c$k-1" "$TMP/clone.yaml" --set trace_sample=1 --set seed=$((2 * k - 1))
	runs "o$k-2" "$TMP/app.yaml" --set seed=$((11 + 2 * k))
	runs "c$k-2" "$TMP/clone.yaml" --set trace_sample=1 --set seed=$((2 * k))
	validate pooled --clone "$W/c$k-1" --clone "$W/c$k-2" "$W/o$k-1/traces.otlp.jsonl" \
		"$W/o$k-2/traces.otlp.jsonl"
}
K=1
attempt 1 || {
	echo "89_trace_fidelity: attempt 1 failed (the machine's noise?), a second one with fresh runs:"
	grep -E '^    (p[0-9]+ |KS )' "$TMP/pooled.txt" | sed 's/^ */89_trace_fidelity: attempt 1: /'
	K=2
	attempt 2 || { cat "$TMP/pooled.txt" >&2; fail "the clone's latency or topology is off (validate, two runs a side pooled, twice)"; }
}
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
assert re.fullmatch(r"-C emp:\S+ %s --sleep 20ms" % store, p1), p1
assert re.fullmatch(r"-C emp:\S+ %s %s --sleep 20ms" % (store, cache), p2), p2
# the cache is called with probability 0.4: within 4 standard deviations
assert w1 + w2 == n, (w1, w2)
assert abs(w2 / n - 0.4) <= 4 * math.sqrt(0.24 / n), (w1, w2)
assert "links:" not in text and "between:" not in text, "links for meshwalk's own network time"
PY

O1=$W/o$K-1/traces.otlp.jsonl O2=$W/o$K-2/traces.otlp.jsonl C1=$W/c$K-1 C2=$W/c$K-2
grep -qxF "the clone: 2 runs pooled ($C1, $C2)" "$TMP/pooled.txt" || { cat "$TMP/pooled.txt" >&2; fail "the pooled runs are not named"; }
grep -qxF "  (the spans of 2 of the 2 clone runs, pooled)" "$TMP/pooled.txt" || { cat "$TMP/pooled.txt" >&2; fail "the pooled spans are not counted"; }
grep -qE '^verdict: PASS \([0-9]+ checks, 0 failed\)$' "$TMP/pooled.txt" || { cat "$TMP/pooled.txt" >&2; fail "verdict"; }

# Pooling is exact: the runs of each side alone add up to the pooled report.
validate one --clone "$C1" "$O1"
validate two --clone "$C2" "$O2"
python3 - "$N" "$TMP/one.json" "$TMP/two.json" "$TMP/pooled.json" "$C1" "$C2" <<'PY' ||
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
