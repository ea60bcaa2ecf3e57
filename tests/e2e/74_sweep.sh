#!/usr/bin/env bash
# 74_sweep: a scenario with a sweep key runs one results directory per grid
# cell with the cell's client arguments, lists them in sweep.json, and
# `meshwalk report` of the sweep reports every cell and the grid: figures
# that match each cell's own report, the slowdown against the lowest rate,
# and the plots. Without gnuplot the plots are not checked (SKIP at the end).
. "$(dirname "$0")/lib.sh"

plots=()
command -v gnuplot >/dev/null || plots=(--no-plots)

cat >"$TMP/s.yaml" <<'YAML'
name: grid
seed: 11
services:
  web: { node: "--nt 1" }
clients:
  - name: other                # not swept: runs unchanged in every cell
    to: web
    args: "-n 20 -r 200"
  - name: main
    to: web
    args: "-n 120 -r 50 -C 10us -R 100"
sweep:
  group: main
  rate: [2000, 500]            # any order; cells follow it
  arrival: [const, exp]
  compute: [20us, 60us]
  warmup: 10ms
YAML
"$MESHWALK" run --check "$TMP/s.yaml" >"$TMP/out" || fail "--check"
grep -q '^  sweep of client main: 8 cells$' "$TMP/out" || fail "--check: $(cat "$TMP/out")"
grep -q '^    rate=500,arrival=exp,compute=60us: -n 120 -C 60us -R 100 -p exp:2000us$' "$TMP/out" ||
	fail "--check lacks the last cell's arguments: $(cat "$TMP/out")"

timeout -k 5 200 "$MESHWALK" run -q -o "$TMP/sw" "$TMP/s.yaml" 2>"$TMP/err"; rc=$?
[ "$rc" = 0 ] || { cat "$TMP/err"; fail "sweep exit $rc"; }
[ -s "$TMP/sw/sweep.json" ] || fail "no sweep.json"
grep -q '"status": "ok"' "$TMP/sw/sweep.json" || fail "sweep.json status"
grep -q '"parameters": {"rate": \[2000, 500\], "arrival": \["const", "exp"\], "compute": \["20us", "60us"\]}' \
	"$TMP/sw/sweep.json" || fail "sweep.json parameters"
assert_eq "cells that ran" 8 "$(grep -c '"exit_status": 0}' "$TMP/sw/sweep.json")"
c1=$TMP/sw/cells/001_rate-500_arrival-const_compute-20us
c7=$TMP/sw/cells/007_rate-500_arrival-exp_compute-60us
[ -d "$c1" ] && [ -d "$c7" ] || fail "cell directories: $(ls "$TMP/sw/cells")"
# Each cell is a complete run with its arguments; the other group unchanged.
grep -q -- ' -n 120 -C 20us -R 100 -r 500$' "$c1/commands.txt" || fail "cell 1's client command"
grep -q -- ' -n 120 -C 60us -R 100 -p exp:2000us$' "$c7/commands.txt" || fail "cell 7's client command"
grep -q -- ' -n 20 -r 200$' "$c7/commands.txt" || fail "group other changed"
grep -q '"sweep:rate=500,arrival=exp,compute=60us"' "$c7/run.json" || fail "cell parameters not in run.json"
grep -q '"seed": 11,' "$c7/run.json" || fail "cells do not share the seed"
assert_eq "cell 7 ok" 120 "$(json ok "$c7/clients/main/summary.json")"

timeout -k 5 200 "$MESHWALK" report "${plots[@]}" "$TMP/sw" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ "$rc" = 0 ] || { cat "$TMP/err"; fail "report of the sweep: exit $rc"; }
R=$TMP/sw/report
for f in grid.txt grid.csv index.html; do [ -s "$R/$f" ] || fail "sweep report lacks $f"; done
grep -q "^report: $R/index.html$" "$TMP/out" || fail "report path not printed"
grep -q '^meshwalk sweep report: grid, sweep ok, seed 11, group main, 8 cells$' "$R/grid.txt" || fail "grid.txt header"
assert_eq "grid.csv rows" 8 "$(($(wc -l <"$R/grid.csv") - 1))"
# Every cell has its own report, and the grid's row agrees with it (the
# sweep's warm-up of 10 ms applied in both).
for c in "$TMP"/sw/cells/*/; do
	[ -s "$R/cells/$(basename "$c")/summary.csv" ] || fail "no report of $c"
	[ -e "$c/report" ] && fail "the sweep's report wrote into the results of $c"
done
r7=$R/cells/$(basename "$c7")
row=$(grep '^7,' "$R/grid.csv")
cell=$(grep '^main,' "$r7/summary.csv")
f() { cut -d, -f"$2" <<<"$1"; }
after=$(awk -F, 'NR > 1 && $4 >= 10000' "$c7/clients/main/requests.csv" | wc -l)
assert_eq "cell 7 requests after the warm-up" "$after" "$(f "$row" 11)"
assert_eq "cell 7 series" "exp compute 60us" "$(f "$row" 3)"
assert_eq "cell 7 rate, arrival, compute" "500 exp 60us 60" "$(f "$row" 4) $(f "$row" 5) $(f "$row" 6) $(f "$row" 7)"
assert_eq "cell 7 mean as in its report" "$(f "$cell" 10)" "$(f "$row" 15)"
assert_eq "cell 7 p99 as in its report" "$(f "$cell" 14)" "$(f "$row" 17)"
assert_eq "cell 7 success rate" "1.000000" "$(f "$row" 14)"
# Slowdown: 1 at the lowest rate (500, cells 1, 3, 5, 7); at 2000 the ratio
# of the two cells' means.
for i in 1 3 5 7; do assert_eq "slowdown of cell $i" 1.0000 "$(f "$(grep "^$i," "$R/grid.csv")" 20)"; done
r6=$(grep '^6,' "$R/grid.csv")
want=$(awk -v a="$(f "$r6" 15)" -v b="$(f "$row" 15)" 'BEGIN { printf "%.4f", a / b }')
got=$(f "$r6" 20)
awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(d < 0.00015 && d > -0.00015) }' ||
	fail "slowdown of cell 6: $got, means give $want"
# --warmup replaces the sweep's own.
timeout -k 5 200 "$MESHWALK" report -q --no-plots --warmup 0 -o "$TMP/w0" "$TMP/sw" || fail "--warmup 0"
assert_eq "cell 7 requests without warm-up" 120 "$(f "$(grep '^7,' "$TMP/w0/grid.csv")" 11)"

# The scenario's sweep is checked like the rest of it.
printf 'services: { s: {} }\nclients: [ { name: c, to: s, args: "-n 1" } ]\nsweep: { compute: 5us }\n' >"$TMP/bad.yaml"
"$MESHWALK" run -o "$TMP/bad" "$TMP/bad.yaml" 2>"$TMP/err"; assert_eq "sweep of compute without -C" 2 $?
grep -q "sweep: compute needs a -C in the args of client c" "$TMP/err" || fail "message: $(cat "$TMP/err")"
[ -e "$TMP/bad" ] && fail "a bad sweep created a directory"

[ ${#plots[@]} -eq 0 ] || skip "gnuplot not installed: the sweep's plots not checked"
for p in grid-success grid-mean grid-p99 grid-slowdown grid-heatmap-const grid-heatmap-exp \
	grid-heatmap-success-const grid-heatmap-success-exp grid-heatmap-mean-const grid-heatmap-mean-exp; do
	[ -s "$R/plots/$p.svg" ] && [ -s "$R/plots/$p.png" ] || fail "plots/$p missing"
done
grep -q 'rate per client thread (requests/s)' "$R/plots/grid-p99.svg" || fail "grid-p99 x label"
grep -q 'p99 latency (µs' "$R/plots/grid-p99.svg" || fail "grid-p99 y label"
grep -q '>const compute 20us<' "$R/plots/grid-p99.svg" || fail "grid-p99 legend"
grep -q 'compute per request' "$R/plots/grid-heatmap-exp.svg" || fail "heatmap y label"
assert_eq "plots in the sweep's index.html" 10 "$(grep -c '<svg' "$R/index.html")"
grep -q 'href="cells/007_rate-500_arrival-exp_compute-60us/index.html"' "$R/index.html" ||
	fail "index.html does not link the cells' reports"
[ -s "$r7/plots/latency-cdf.svg" ] || fail "cell 7's report has no plots"
[ -e "$TMP/w0/cells/007_rate-500_arrival-exp_compute-60us/plots" ] && fail "--no-plots report has plots"
echo "sweep run and reported"
