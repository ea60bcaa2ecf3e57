#!/usr/bin/env bash
# 71_compare_interleave: `meshwalk compare --interleave 7 A.yaml B.yaml`
# runs two tiny scenarios in ABBA order (a-1 b-1 b-2 a-2 ...), each block a whole
# run into its own directory, and prints the blocks, the figures with their
# intervals over the pairs and a verdict; compare.txt is stdout and
# compare.json holds the blocks; B/A is the median pair's. Bad input: N below 2,
# fewer pairs than the confidence needs (6 at 95 %), a missing or broken
# scenario, an existing -o, a group no block has, a failing block. No timed
# assertion: the verdict's word is whatever the machine gives.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"

scen() { # FILE COMPUTE [EXTRA ARGS]
	cat >"$1" <<YAML
services:
  s: { node: "--nt 1" }
clients:
  - name: main
    to: s
    args: "-n 300 -r 2000 -C $2 -R 100 ${3:-}"
YAML
}
scen "$TMP/a.yaml" 20us
scen "$TMP/b.yaml" 40us
cmp_iv() { timeout -k 5 300 "$MESHWALK" compare "$@"; }

cmp_iv --interleave 7 -o "$TMP/c" "$TMP/a.yaml" "$TMP/b.yaml" >"$TMP/out" 2>"$TMP/err"; rc=$?
assert_eq "interleave exit" 0 "$rc"
grep -q "^meshwalk compare: 7 pairs of blocks in ABBA order$" "$TMP/out" || fail "header: $(head -1 "$TMP/out")"
grep -q "^A: $TMP/a.yaml$" "$TMP/out" || fail "A line: $(cat "$TMP/out")"
grep -q "^intervals: 95% of B/A, 98.3% for a watched figure (its share of the 5% risk of a false DIFFERENT among the 3 judged or watched), the median of the 7 pairs' ratios of B's block to A's and the sign test's interval$" "$TMP/out" || fail "intervals line: $(grep ^intervals "$TMP/out")"
# The blocks in the order they ran, each with its 300 ok requests.
order=$(awk '/^block /{on=1; next} on && NF == 0 {exit} on {print $1}' "$TMP/out" | tr '\n' ' ')
assert_eq "block order" "a-1 b-1 b-2 a-2 a-3 b-3 b-4 a-4 a-5 b-5 b-6 a-6 a-7 b-7 " "$order"
grep -qE "^a-1 +300( +[0-9.]+){6}$" "$TMP/out" || fail "block row: $(grep ^a-1 "$TMP/out")"
grep -qE "^p50 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+-[0-9.]+ +±5% +[a-z ]+$" "$TMP/out" || fail "p50 row: $(grep ^p50 "$TMP/out")"
grep -qE "^max .* - +- +not judged$" "$TMP/out" || fail "max row: $(grep ^max "$TMP/out")"
grep -qE "^verdict: (SAME|DIFFERENT|INCONCLUSIVE): " "$TMP/out" || fail "no verdict line: $(cat "$TMP/out")"
grep -q "Kolmogorov" "$TMP/out" && fail "KS line in interleaved mode"
grep -q "block 14 of 14: b-7" "$TMP/err" || fail "progress lines: $(cat "$TMP/err")"
cmp -s "$TMP/out" "$TMP/c/compare.txt" || fail "compare.txt differs from stdout"
for d in a-1 b-1 b-2 a-2 b-6 a-6 a-7 b-7; do
	[ -s "$TMP/c/$d/clients/main/requests.csv" ] || fail "no results in $d"
	[ -s "$TMP/c/$d/run.json" ] || fail "no run.json in $d"
done
grep -q -- "-C 40us" "$TMP/c/b-2/scenario.yaml" || fail "b-2 ran the wrong scenario"
grep -q -- "-C 20us" "$TMP/c/a-2/scenario.yaml" || fail "a-2 ran the wrong scenario"
python3 - "$TMP/c/compare.json" <<'PY' || fail "compare.json: $(cat "$TMP/c/compare.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["mode"] == "interleave" and j["pairs"] == 7 and j["order"] == "ABBA"
assert j["verdict"] in ("same", "different", "inconclusive") and j["reason"]
names = ["a-1", "b-1", "b-2", "a-2", "a-3", "b-3", "b-4", "a-4", "a-5", "b-5", "b-6", "a-6", "a-7", "b-7"]
assert [b["name"] for b in j["blocks"]] == names
assert [b["side"] for b in j["blocks"]] == [n[0].upper() for n in names]
assert [b["position"] for b in j["blocks"]] == list(range(1, 15))
assert all(b["ok"] == 300 and 0 < b["p50"] <= b["p99"] <= b["max"] for b in j["blocks"])
f = {x["name"]: x for x in j["figures"]}
assert f["p50"]["margin"] == 0.05 and f["max"]["ci_low"] is None
assert j["margins"]["p90"] == 0.1 and j["margins"]["mean"] is None and j["watched"] == ["p90", "p99"]
assert f["p99"]["watched"] is True and f["p90"]["watched"] is True and f["p50"]["watched"] is False
assert f["p50"]["ci_low"] <= f["p50"]["ratio"] <= f["p50"]["ci_high"]
# B/A is the median of the pairs' ratios; 7 pairs at 95 %: the interval is
# their range (the sign test's rank 1).
a = {b["name"]: b["p50"] for b in j["blocks"]}
r = sorted(a["b-%d" % i] / a["a-%d" % i] for i in range(1, 8))
assert abs(f["p50"]["ratio"] - r[3]) < 1e-4 * r[3], (f["p50"]["ratio"], r)
assert abs(f["p50"]["ci_low"] - r[0]) < 1e-3 * r[0] and abs(f["p50"]["ci_high"] - r[6]) < 1e-3 * r[6], (f["p50"], r)
assert f["p50"]["level"] == 0.95 and abs(f["p90"]["level"] - (1 - 0.05 / 3)) < 1e-5 and f["max"]["level"] is None
PY

# -q: nothing printed, the files still written; --group names the group.
cmp_iv --interleave 4 --confidence 50 -q -g main -o "$TMP/c2" "$TMP/a.yaml" "$TMP/a.yaml" >"$TMP/out" 2>"$TMP/err" ||
	fail "interleave -q: $(cat "$TMP/err")"
[ -s "$TMP/out" ] && fail "-q printed: $(cat "$TMP/out")"
[ -s "$TMP/err" ] && fail "-q printed on stderr: $(cat "$TMP/err")"
grep -q "^latency: .*, group main$" "$TMP/c2/compare.txt" || fail "group line: $(cat "$TMP/c2/compare.txt")"

# Bad input: clear messages, exit 2 for usage and scenario errors, 1 for runtime.
bad() { # EXPECTED-RC PATTERN ARGS...
	local want=$1 pat=$2
	shift 2
	cmp_iv "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	assert_eq "exit of compare $*" "$want" "$rc"
	grep -q -- "$pat" "$TMP/err" || fail "compare $*: expected '$pat', got: $(cat "$TMP/err")"
}
bad 2 "interleave" --interleave 1 "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "interleave" --interleave 0 "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "interleave" --interleave x "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "^meshwalk compare: --interleave 6: a 98.3% interval of the median pair needs at least 7 pairs" --interleave 6 "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "needs at least 10 pairs" --interleave 9 --confidence 99 "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "expected two" --interleave 7 "$TMP/a.yaml"
# the bootstrap's options would do nothing: refused, not ignored
bad 2 "^meshwalk compare: --resamples sets the bootstrap" --interleave 7 --resamples 500 "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "^meshwalk compare: --seed sets the bootstrap" --interleave 7 --seed 0 "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "^meshwalk compare: --block sets the bootstrap" --interleave 7 --block auto "$TMP/a.yaml" "$TMP/b.yaml"
bad 2 "$TMP/nope.yaml" --interleave 7 -o "$TMP/c3" "$TMP/a.yaml" "$TMP/nope.yaml"
[ -e "$TMP/c3" ] && fail "a bad scenario still made the directory"
printf 'services: [\n' >"$TMP/broken.yaml"
bad 2 "broken.yaml:" --interleave 7 -o "$TMP/c3" "$TMP/broken.yaml" "$TMP/a.yaml"
bad 1 "$TMP/c" --interleave 7 -o "$TMP/c" "$TMP/a.yaml" "$TMP/b.yaml"
bad 1 "no client group other" --interleave 7 -g other -o "$TMP/c4" "$TMP/a.yaml" "$TMP/b.yaml"
# A block whose client fails: the command fails, naming the block and its results.
cat >"$TMP/fails.yaml" <<YAML
services:
  s: { node: "--nt 1" }
clients:
  - name: main
    to: "127.0.0.1:1"
    args: "-n 10 -r 100"
YAML
bad 1 "block b-1 ($TMP/fails.yaml) failed with status 1: see $TMP/c5/b-1" \
	--interleave 7 -o "$TMP/c5" "$TMP/a.yaml" "$TMP/fails.yaml"
[ -e "$TMP/c5/b-2" ] && fail "blocks ran after a failed one"
[ -e "$TMP/c5/compare.json" ] && fail "a failed comparison wrote compare.json"
pgrep -f -- "$TMP/" >/dev/null && fail "processes of the blocks survived"
echo "compare --interleave ok"
