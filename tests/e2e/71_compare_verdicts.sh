#!/usr/bin/env bash
# 71_compare_verdicts: `meshwalk compare` on synthetic results directories
# (per-request CSVs written by a seeded generator, no run): each verdict
# (SAME, DIFFERENT, INCONCLUSIVE for too few requests and for an interval
# wider than the margin; a watched p99 that counts only when different),
# the per-group pairing and the combined verdict,
# --group all, the files (txt = stdout, csv, json), the same output for the
# same seed, --strict's exit codes and bad options.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"

# gen DIR GROUP N SCALE SEED: a group of N ok requests, 1 ms apart, latency
# (100 us + exponential of mean 400 us) x SCALE, from python's seeded rng.
gen() {
	python3 - "$@" <<'PY' || fail "generator failed"
import os, random, sys
d, g, n, scale, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
os.makedirs(os.path.join(d, "clients", g), exist_ok=True)
with open(os.path.join(d, "clients", g, "requests.csv"), "w") as f:
    f.write("thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status\n")
    for i in range(n):
        t = i * 1000.0
        lat = (100 + rng.expovariate(1 / 400)) * scale
        f.write("0,0,%d,%.3f,%.3f,%.3f,%.3f,%.3f,0.000,ok\n" % (i, t, t, t + lat, lat, lat))
PY
}
cmp_run() { timeout -k 5 60 "$MESHWALK" compare --no-plots "$@"; }

gen "$TMP/a" main 8000 1 1
gen "$TMP/a2" main 8000 1 2
gen "$TMP/slow" main 8000 1.3 3
gen "$TMP/few" main 300 1 4
gen "$TMP/few2" main 300 1 5

# SAME: two samples of one distribution, 8000 requests each.
cmp_run -o "$TMP/c" "$TMP/a" "$TMP/a2" >"$TMP/out" 2>"$TMP/err" || fail "compare a a2: $(cat "$TMP/err")"
grep -q "^meshwalk compare: group main$" "$TMP/out" || fail "header: $(head -1 "$TMP/out")"
grep -q "^verdict: SAME: every judged figure's 95% interval of B/A lies within its margin" "$TMP/out" ||
	fail "a vs a2 is not SAME: $(cat "$TMP/out")"
grep -qE "^p50 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+-[0-9.]+ +±5% +same$" "$TMP/out" || fail "p50 row: $(grep ^p50 "$TMP/out")"
grep -qE "^p90 .* ±10% +same \(watched, 98.3%\)$" "$TMP/out" || fail "p90 row: $(grep ^p90 "$TMP/out")"
grep -qE "^p99 .* ±10% +same \(watched, 98.3%\)$" "$TMP/out" || fail "p99 row: $(grep ^p99 "$TMP/out")"
grep -q "; watched p99 [0-9.]*-[0-9.]* (margin ±10%), within it" "$TMP/out" || fail "watched p99 in the reason"
grep -qE "^max .* - +- +not judged$" "$TMP/out" || fail "max row: $(grep ^max "$TMP/out")"
grep -q "^Kolmogorov-Smirnov: D = " "$TMP/out" || fail "no KS line"
cmp -s "$TMP/out" "$TMP/c/compare.txt" || fail "compare.txt differs from stdout"
head -1 "$TMP/c/compare.csv" | grep -qx "group,figure,a_us,b_us,ratio,ci_low,ci_high,margin,verdict,watched" ||
	fail "compare.csv header: $(head -1 "$TMP/c/compare.csv")"
# Every interval in the CSV holds its ratio's neighbourhood: low <= high, and p50's holds 1.
awk -F, 'NR > 1 && $6 != "" && !($6 <= $7) { bad = 1 } $2 == "p50" && !($6 <= 1 && $7 >= 1) { bad = 1 }
	END { exit bad }' "$TMP/c/compare.csv" || fail "compare.csv intervals: $(cat "$TMP/c/compare.csv")"
grep -q '^main,p50,.*,0.05,same,0$' "$TMP/c/compare.csv" && grep -q '^main,p90,.*,0.1,same,1$' "$TMP/c/compare.csv" || fail "compare.csv p50 and p90 rows"
python3 - "$TMP/c/compare.json" <<'PY' || fail "compare.json: $(cat "$TMP/c/compare.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["meshwalk_compare_version"] == 2 and j["verdict"] == "same", j["verdict"]
assert j["confidence"] == 0.95 and j["seed"] == 1 and j["block"] == "auto"
assert j["margins"]["p50"] == 0.05 and j["margins"]["p90"] == 0.1 and j["margins"]["p99"] == 0.1
assert j["margins"]["mean"] is None and j["watched"] == ["p90", "p99"]
g = j["groups"][0]
assert g["name"] == "main" and g["verdict"] == "same" and g["a_summary"]["ok"] == 8000
f = {x["name"]: x for x in g["figures"]}
assert f["p50"]["ci_low"] <= 1 <= f["p50"]["ci_high"] and f["p50"]["verdict"] == "same"
assert f["max"]["ci_low"] is None and f["max"]["verdict"] == "not judged"
assert f["p99"]["watched"] is True and f["p50"]["watched"] is False
assert 0 <= g["ks_pvalue"] <= 1 and j["not_compared"] == []
PY
cmp_run -q --strict "$TMP/a" "$TMP/a2"; assert_eq "--strict on SAME" 0 $?

# The same inputs and seed give the same output; another seed other intervals.
cmp_run "$TMP/a" "$TMP/a2" >"$TMP/again" || fail "compare again"
cmp -s "$TMP/out" "$TMP/again" || fail "two runs of compare differ"
cmp_run --seed 2 "$TMP/a" "$TMP/a2" >"$TMP/seed2" || fail "compare --seed 2"
cmp -s "$TMP/out" "$TMP/seed2" && fail "--seed 2 changed nothing"
grep -q "seed 2)" "$TMP/seed2" || fail "--seed 2 not printed"

# DIFFERENT: B 1.3 times slower.
cmp_run -o "$TMP/d" "$TMP/a" "$TMP/slow" >"$TMP/out" || fail "compare a slow"
grep -q "^verdict: DIFFERENT: B's p[0-9]* is 1\.[23][0-9]*x A's, .*: B is slower$" "$TMP/out" ||
	fail "a vs slow: $(tail -1 "$TMP/out")"
grep -q '"verdict": "different"' "$TMP/d/compare.json" || fail "compare.json verdict different"
cmp_run "$TMP/slow" "$TMP/a" | grep -q "B is faster$" || fail "slow vs a is not faster"
cmp_run -q --strict "$TMP/a" "$TMP/slow"; assert_eq "--strict on DIFFERENT" 3 $?
# A margin wider than the change: SAME.
cmp_run --tolerance 40 "$TMP/a" "$TMP/slow" | grep -q "^verdict: SAME" || fail "--tolerance 40 not SAME"

# INCONCLUSIVE: 300 requests are too few for p99 judged both ways ...
cmp_run -o "$TMP/i" --margin p99=10 "$TMP/few" "$TMP/few2" >"$TMP/out" || fail "compare few few2"
grep -q "^verdict: INCONCLUSIVE: too few requests for p99: it needs 1000 ok per side (A 300, B 300)" "$TMP/out" ||
	fail "few: $(tail -1 "$TMP/out")"
grep -qE "^p99 .* - +±10% +too few$" "$TMP/out" || fail "few p99 row: $(grep ^p99 "$TMP/out")"
grep -q '"verdict": "inconclusive"' "$TMP/i/compare.json" || fail "compare.json inconclusive"
cmp_run -q --strict --margin p99=10 "$TMP/few" "$TMP/few2"; assert_eq "--strict on INCONCLUSIVE" 4 $?
# ... watched (the default), too few for p99 does not decide: the watched
# p99 is named in the reason of whatever p50 and p90 say ...
cmp_run "$TMP/few" "$TMP/few2" >"$TMP/out" || fail "compare few few2 (p99 watched)"
grep -qE "^p99 .* - +±10% +too few \(watched, 98.3%\)$" "$TMP/out" || fail "watched few p99 row: $(grep ^p99 "$TMP/out")"
grep -q "too few requests for p99" "$TMP/out" && fail "a watched p99 decided: $(tail -1 "$TMP/out")"
# ... and on p50 alone, p50's interval from 300 requests is wider than +-5 %.
cmp_run --margin p99=off --margin p90=off "$TMP/few" "$TMP/few2" >"$TMP/out" || fail "compare --margin p99=off"
grep -q "^verdict: INCONCLUSIVE: the 95% interval of B/A is wider than the margin: p50 " "$TMP/out" ||
	fail "few without p99: $(tail -1 "$TMP/out")"
grep -qE "^p99 .* - +not judged$" "$TMP/out" || fail "p99=off row: $(grep ^p99 "$TMP/out")"
# ... unless the margin is wide: --margin p50=50 judges it the same.
cmp_run --margin p99=off --margin p90=off --margin p50=50 "$TMP/few" "$TMP/few2" | grep -q "^verdict: SAME" ||
	fail "--margin p50=50 not SAME"

# Several groups: paired by name, each judged, the verdicts combined.
gen "$TMP/m1" x 8000 1 11
gen "$TMP/m1" y 8000 1 12
gen "$TMP/m2" x 8000 1 13
gen "$TMP/m2" y 8000 1.3 14
gen "$TMP/m2" z 100 1 15
cmp_run -o "$TMP/m" "$TMP/m1" "$TMP/m2" >"$TMP/out" || fail "compare m1 m2"
grep -q "^meshwalk compare: client groups of the same name, each on its own$" "$TMP/out" || fail "multi header"
grep -q "^verdict for x: SAME: " "$TMP/out" || fail "group x: $(grep "verdict for x" "$TMP/out")"
grep -q "^verdict for y: DIFFERENT: .*B is slower" "$TMP/out" || fail "group y: $(grep "verdict for y" "$TMP/out")"
grep -q "^not compared: z (only in B)$" "$TMP/out" || fail "group z not listed"
grep -q "^verdict: DIFFERENT: DIFFERENT in y; SAME in x; z not compared (only in B)$" "$TMP/out" ||
	fail "combined verdict: $(tail -1 "$TMP/out")"
grep -c '^[xy],' "$TMP/m/compare.csv" | grep -qx 12 || fail "compare.csv rows of x and y"
grep -q '"not_compared": \[{"name": "z", "why": "only in B"}\]' "$TMP/m/compare.json" || fail "json not_compared"
grep -q '^A x,' "$TMP/m/compare-quantiles.csv" && grep -q '^B y,' "$TMP/m/compare-quantiles.csv" ||
	fail "compare-quantiles.csv groups"
cmp_run -g x "$TMP/m1" "$TMP/m2" | grep -q "^verdict: SAME" || fail "-g x"
cmp_run --group all "$TMP/m1" "$TMP/m2" >"$TMP/out" || fail "--group all"
grep -q "^meshwalk compare: all client groups merged$" "$TMP/out" || fail "--group all header"
grep -q "^B: $TMP/m2 (16100 ok" "$TMP/out" || fail "--group all counts: $(grep ^B: "$TMP/out")"
cmp_run "$TMP/m1" "$TMP/a" 2>"$TMP/err"; assert_eq "no group in common" 1 $?
grep -q "no client group of .* can be compared" "$TMP/err" || fail "no group in common message: $(cat "$TMP/err")"

# Bad options: exit 2 with a message.
for bad in "--margin p95=5" "--margin p50" "--margin p50=x" "--confidence 100" "--resamples 5" \
	"--block 0" "--seed -1" "--margin p50=off --margin p90=off" "--watch p90" "--watch p95=3"; do
	# shellcheck disable=SC2086
	"$MESHWALK" compare $bad "$TMP/a" "$TMP/a2" >/dev/null 2>"$TMP/err"; assert_eq "compare $bad" 2 $?
	[ -s "$TMP/err" ] || fail "compare $bad: no message"
done
"$MESHWALK" compare --margin p50=5 --margin p50=6 "$TMP/a" "$TMP/a2" 2>"$TMP/err"; assert_eq "--margin twice" 2 $?
grep -q "p50 given twice" "$TMP/err" || fail "--margin twice message"
"$MESHWALK" compare --margin p50=off --margin p90=off "$TMP/a" "$TMP/a2" 2>"$TMP/err"
grep -q "a watched figure alone can say DIFFERENT, never SAME" "$TMP/err" || fail "watched alone message: $(cat "$TMP/err")"
"$MESHWALK" compare --watch p99=10 --margin p99=10 "$TMP/a" "$TMP/a2" 2>"$TMP/err"; assert_eq "--watch and --margin" 2 $?
grep -q "p99 given twice (by --margin or --watch)" "$TMP/err" || fail "--watch twice message"
# --watch p99=off: p99 neither judged nor watched.
cmp_run --watch p99=off "$TMP/a" "$TMP/a2" | grep -qE "^p99 .* - +not judged$" || fail "--watch p99=off row"
echo "compare verdicts checked"
