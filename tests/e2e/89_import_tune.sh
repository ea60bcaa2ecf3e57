#!/usr/bin/env bash
# 89_import_tune: meshwalk import --tune ROUNDS fine-tunes a clone's links on
# this machine (docs/import.md, "Fine-tuning the links"): it writes the
# scenario, runs it traced, measures each call edge's extra network time in
# the clone's spans as validate does and refits without it. Project-made
# traces (tests/data/import/synth_traces.py, calls of 2 ms network time
# each, skewed) are tuned one round; the round's
# files are there, each measured edge's baseline is printed and saved, and
# the two-step flow (validate --json on the same run, then import
# --net-baseline FILE) writes the same links; calls to the leaf (redis) are
# measured as leaf edges and its time tuned too. Timing is not asserted (it
# depends on the machine's load), only that every figure is there and
# consistent. Usage errors exit 2.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || skip "python3 not installed"

python3 "$ROOT/tests/data/import/synth_traces.py" 200 1 2000 >"$TMP/app.json" || fail "generator"
timeout -k 5 200 "$MESHWALK" import --tune 1 --requests 60 --rate 40 -o "$TMP/app.yaml" "$TMP/app.json" \
	2>"$TMP/err" || { cat "$TMP/err"; fail "import --tune 1"; }
D="$TMP/app.yaml.tune"
[ -s "$D/fit-0.yaml" ] && [ -s "$D/run-0/traces.otlp.jsonl" ] && [ -s "$D/net-baseline.json" ] &&
	[ -s "$TMP/app.yaml" ] || { ls -R "$TMP" >&2; fail "the round's files"; }
grep -q "^meshwalk import: --tune: round 1: running $D/fit-0.yaml traced into $D/run-0$" "$TMP/err" &&
	grep -qE '^  frontend -> cart: calls [0-9]+ / [0-9]+, median [0-9.]+ / [0-9.]+ \([-+][0-9.]+\), mean [0-9.]+ / [0-9.]+ \([-+][0-9.]+\), sd [0-9.]+ / [0-9.]+$' "$TMP/err" &&
	grep -q "^round 1: the clone's own hop per call edge" "$TMP/err" &&
	grep -qE '^  frontend -> cart: [-+][0-9.]+ us, [-+][0-9]+ us\^2; baseline -?[0-9.]+ us, -?[0-9]+ us\^2$' "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "--tune's report"; }
# round 0 is the scenario as imported; the tuned one takes the hop off
"$MESHWALK" import --requests 60 --rate 40 -o "$TMP/plain.yaml" "$TMP/app.json" 2>/dev/null || fail "import"
diff <(grep -v '^# ' "$TMP/plain.yaml") <(grep -v '^# ' "$D/fit-0.yaml") >/dev/null || fail "round 0 is not the scenario as imported"
grep -q "less the clone's own hop (--net-baseline: mean" "$TMP/app.yaml" || { cat "$TMP/app.yaml" >&2; fail "tuned links"; }
grep -q "less the clone's own hop on calls to it (--net-baseline: mean" "$TMP/app.yaml" || { cat "$TMP/app.yaml" >&2; fail "tuned leaf"; }
grep -q "less the clone's own hop" "$D/fit-0.yaml" && fail "round 0 took a baseline off"

# The two-step flow on the same run: validate's file, then import with it.
"$MESHWALK" validate --json "$TMP/v.json" --clone "$D/run-0" "$TMP/app.json" >"$TMP/v.txt" 2>&1
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || { cat "$TMP/v.txt"; fail "validate exit status $rc"; }
"$MESHWALK" import --net-baseline "$TMP/v.json" --requests 60 --rate 40 -o "$TMP/two.yaml" "$TMP/app.json" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "import --net-baseline FILE"; }
"$MESHWALK" import --net-baseline "$D/net-baseline.json" --requests 60 --rate 40 -o "$TMP/again.yaml" "$TMP/app.json" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "import --net-baseline net-baseline.json"; }
python3 - "$TMP/v.json" "$D/net-baseline.json" "$TMP/app.yaml" "$TMP/two.yaml" "$TMP/again.yaml" <<'PY' || fail "the baselines or links differ"
import json, re, sys
v, b = json.load(open(sys.argv[1]))["network"], json.load(open(sys.argv[2]))["network"]
ve = {(e["from"], e["to"]): e for e in v["edges"]}
be = {(e["from"], e["to"]): e for e in b["edges"]}
assert ve and set(ve) == set(be), (ve, be)
for k, e in ve.items():
    for f in ("mean_original_us", "mean_clone_us", "sd_original_us", "sd_clone_us", "extra_mean_us", "extra_var_us2"):
        assert f in e, (f, e)
    assert abs(e["extra_mean_us"] - (e["mean_clone_us"] - e["mean_original_us"])) < 0.01, e
    assert abs(e["extra_mean_us"] - be[k]["extra_mean_us"]) < 0.01, (e, be[k])
    assert abs(e["extra_var_us2"] - be[k]["extra_var_us2"]) < 1, (e, be[k])
assert abs(v["extra_mean_us"] - b["extra_mean_us"]) < 0.01
# cart's calls to redis (a leaf, known only from client spans): the call's whole time
assert ve[("cart", "redis")].get("leaf") is True and be[("cart", "redis")].get("leaf") is True, ve
assert not any(e.get("leaf") for k, e in ve.items() if k != ("cart", "redis")), ve
def ways(p):
    t = open(p).read()
    return re.findall(r"# (\S+ <-> \S+): .*each way: mean ([0-9.]+)(ns|us|ms|s|), sd ([0-9.]+)(ns|us|ms|s|)\n", t)
a, two, again = ways(sys.argv[3]), ways(sys.argv[4]), ways(sys.argv[5])
assert a and len(a) == len(two) == len(again), (a, two, again)
num = lambda x, u: float(x) * {"ns": 1e-3, "us": 1, "": 1, "ms": 1e3, "s": 1e6}[u]
for x, y, z in zip(a, two, again):
    assert x[0] == y[0] == z[0]
    for i in (1, 3):
        assert abs(num(x[i], x[i + 1]) - num(y[i], y[i + 1])) <= 0.2 and abs(num(x[i], x[i + 1]) - num(z[i], z[i + 1])) <= 0.2, (x, y, z)
PY
# a DURATION and a FILE add up; auto starts over
"$MESHWALK" import --net-baseline "$TMP/v.json" --net-baseline 0 --requests 60 --rate 40 -o "$TMP/t0.yaml" "$TMP/app.json" 2>/dev/null || fail "--net-baseline FILE 0"
diff "$TMP/two.yaml" "$TMP/t0.yaml" >/dev/null || fail "a baseline of 0 changed the links"
"$MESHWALK" import --net-baseline "$TMP/v.json" --net-baseline auto --requests 60 --rate 40 -o "$TMP/ta.yaml" "$TMP/app.json" 2>/dev/null || fail "--net-baseline auto"
diff "$TMP/plain.yaml" "$TMP/ta.yaml" >/dev/null || fail "auto did not start over"

# usage errors: exit 2 with a message saying why
"$MESHWALK" import --tune 1 -o - "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--tune -o -" 2 $?
grep -q "give -o a file" "$TMP/err" || fail "--tune -o -: $(cat "$TMP/err")"
"$MESHWALK" import --tune-dir "$TMP/x" -o "$TMP/x.yaml" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--tune-dir without --tune" 2 $?
"$MESHWALK" import --tune 0 -o "$TMP/x.yaml" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--tune 0" 2 $?
echo '{"entries": []}' >"$TMP/nonet.json"
"$MESHWALK" import --net-baseline "$TMP/nonet.json" -o "$TMP/x.yaml" "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--net-baseline of a file without network" 2 $?
grep -q 'no "network" member' "$TMP/err" || fail "--net-baseline FILE: $(cat "$TMP/err")"
[ ! -e "$TMP/x.yaml" ] || fail "a refused import wrote its scenario"
exit 0
