#!/usr/bin/env bash
# 89_validate_run: meshwalk validate --run SCENARIO runs the scenario (as
# meshwalk run does) and validates the results directory it made. Project-made
# traces (tests/data/import/synth_traces.py) are imported into a scenario; the
# report's sections and its JSON's fields are there, the exit status is a
# verdict's (0 or 3: the latency verdict depends on the machine's load, so it
# is not asserted), the run's directory is complete. --run with --clone, -o
# without --run, a --clone given twice, a missing or sweeping scenario and
# an -o that exists are refused.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || skip "python3 not installed"

python3 "$ROOT/tests/data/import/synth_traces.py" 200 1 >"$TMP/app.json" || fail "generator"
"$MESHWALK" import --requests 40 --rate 40 -o "$TMP/app.yaml" "$TMP/app.json" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "import"; }

timeout -k 5 150 "$MESHWALK" validate --run "$TMP/app.yaml" -o "$TMP/run" --json "$TMP/v.json" \
	"$TMP/app.json" >"$TMP/v.txt" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || { cat "$TMP/v.txt" "$TMP/err"; fail "validate --run exit status $rc"; }
grep -q "^meshwalk validate: --run $TMP/app.yaml: results in $TMP/run$" "$TMP/err" || { cat "$TMP/err"; fail "the results directory is not named"; }
for f in run.json summary.json scenario.yaml; do
	[ -s "$TMP/run/$f" ] || fail "the run left no $f"
done
assert_eq "run status" '"ok"' "$(json status "$TMP/run/summary.json")"
grep -q '^end-to-end latency per entry operation' "$TMP/v.txt" || { cat "$TMP/v.txt"; fail "no latency section"; }
grep -q '^requests per service' "$TMP/v.txt" || { cat "$TMP/v.txt"; fail "no service section"; }
# the traces' roots are frontend's own spans and this run is not traced:
# the clone is timed at its clients, and the report says what that adds
grep -qE '^  frontend.GET-home: original [0-9]+ traces( \(latency from a sample of [0-9]+\))?, clone [0-9]+ requests, timed at its clients: with their hop to frontend' "$TMP/v.txt" ||
	fail "no GET-home entry"
for s in cart catalog frontend payment recommend redis; do
	grep -qE "^  $s: expected [0-9.]+, served [0-9]+ \(.*\) ok$" "$TMP/v.txt" || fail "validate --run: $s"
done
grep -qE '^verdict: (PASS|FAIL) \([0-9]+ checks' "$TMP/v.txt" || fail "no verdict"
python3 - "$TMP/v.json" "$rc" <<'PY' || fail "validate --run --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["meshwalk_validate_version"] == 1
assert len(d["entries"]) == 2 and len(d["services"]) == 6, d
for e in d["entries"]:
    for k in ("original_traces", "clone_requests", "ks", "wasserstein1_us", "pass"):
        assert k in e, (k, e)
    assert e["clone_timed_at"] == "client", e
for s in d["services"]:
    assert "expected" in s and "served" in s and s["pass"], s
assert d["pass"] == (sys.argv[2] == "0") and d["checks"] > 0
PY

# usage errors: exit 2 with a message saying why
"$MESHWALK" validate --run "$TMP/app.yaml" --clone "$TMP/run" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--run with --clone" 2 $?
grep -q "mutually exclusive" "$TMP/err" || fail "--run --clone: $(cat "$TMP/err")"
"$MESHWALK" validate --clone "$TMP/run" -o "$TMP/x" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "-o without --run" 2 $?
grep -q "goes with --run" "$TMP/err" || fail "-o: $(cat "$TMP/err")"
"$MESHWALK" validate --clone "$TMP/run" --clone "$TMP/run" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--clone given twice" 2 $?
grep -q "given twice" "$TMP/err" || fail "--clone twice: $(cat "$TMP/err")"
"$MESHWALK" validate --run "$TMP/nowhere.yaml" -o "$TMP/x" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--run of a missing scenario" 2 $?
grep -q "nowhere.yaml" "$TMP/err" || fail "missing scenario: $(cat "$TMP/err")"
[ ! -e "$TMP/x" ] || fail "a refused --run made its directory"
cat >"$TMP/sweep.yaml" <<'Y'
name: sw
services:
  web: { node: "--nt 1" }
clients:
  - name: main
    to: "{web}"
    args: "-n 5 -r 100 -C 50us"
sweep:
  rate: [100, 200]
Y
"$MESHWALK" validate --run "$TMP/sweep.yaml" -o "$TMP/x" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--run of a sweep" 2 $?
grep -q "sweep" "$TMP/err" || fail "sweep: $(cat "$TMP/err")"
# the directory exists: results are never mixed
"$MESHWALK" validate --run "$TMP/app.yaml" -o "$TMP/run" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--run into an existing directory" 1 $?
grep -q "already exists" "$TMP/err" || fail "existing -o: $(cat "$TMP/err")"
# a bad trace file fails before anything runs
echo '{"data": [' >"$TMP/bad.json"
"$MESHWALK" validate --run "$TMP/app.yaml" -o "$TMP/y" --format jaeger "$TMP/bad.json" >/dev/null 2>"$TMP/err"
assert_eq "--run with an unreadable trace" 1 $?
[ ! -e "$TMP/y" ] || fail "a run started though the traces could not be read"
exit 0
