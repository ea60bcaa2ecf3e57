#!/usr/bin/env bash
# 74_sweep_heatmaps: the report of a sweep from a synthetic one (no timing
# involved): success rate and mean latency per (rate, compute) cell as
# heatmaps, one per arrival, beside the p99 one, their numbers those of
# grid.csv; and a cell whose requests all fall inside the warm-up is marked
# empty (table, plots), with a warning and exit status 0 (it made gnuplot
# fail with "no valid points").
. "$(dirname "$0")/lib.sh"

# sweep DIR WARMUP_US EMPTY_CELL: 2 rates x 2 arrivals x 2 computes, 10
# requests per cell. Cell i: its first i % 4 requests time out, ok latency
# B + 10 k for request k, B = 1000 (i + 1) but 30000 for cell 2 (so the
# const cells' means span a decade and the exp ones' do not); cell
# EMPTY_CELL sends them all before WARMUP_US, the others after it.
sweep() {
	local d=$1 i=0 a c r cu dir cells=
	for a in const exp; do
		for c in 1ms 2ms; do
			for r in 100 200; do
				cu=${c%ms}000
				dir=$(printf 'cells/%03d_rate-%s_arrival-%s_compute-%s' $i $r $a $c)
				mkdir -p "$d/$dir/clients/main"
				awk -v i=$i -v w="$2" -v empty="$3" 'BEGIN {
					print "thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status"
					base = i == empty ? 0 : w + 1000
					for (k = 0; k < 10; k++) {
						t = base + k * 100
						if (k < i % 4) { printf "0,0,%d,%.3f,%.3f,,,,0.000,timeout\n", k, t, t; continue }
						l = (i == 2 ? 30000 : 1000 * (i + 1)) + 10 * k
						printf "0,0,%d,%.3f,%.3f,%.3f,%.3f,%.3f,0.000,ok\n", k, t, t, t + l, l, l
					} }' >"$d/$dir/clients/main/requests.csv"
				cells+="${cells:+,}
    {\"index\": $i, \"dir\": \"$dir\", \"name\": \"rate=$r,arrival=$a,compute=$c\", \"rate\": $r, \"arrival\": \"$a\", \"compute\": \"$c\", \"compute_us\": $cu, \"exit_status\": 0}"
				i=$((i + 1))
			done
		done
	done
	cat >"$d/sweep.json" <<JSON
{
  "meshwalk_sweep_version": 1,
  "meshwalk_version": "test",
  "scenario": "syn",
  "group": "main",
  "seed": 1,
  "status": "ok",
  "warmup_us": $2,
  "parameters": {"rate": [100, 200], "arrival": ["const", "exp"], "compute": ["1ms", "2ms"]},
  "cells": [$cells
  ]
}
JSON
}
# Cell i's success rate and mean latency, as grid.csv prints them.
success_of() { awk -v i="$1" 'BEGIN { printf "%.6f", (10 - i % 4) / 10 }'; }
mean_of() { awk -v i="$1" 'BEGIN { f = i % 4; for (k = f; k < 10; k++) s += (i == 2 ? 30000 : 1000 * (i + 1)) + 10 * k; printf "%.3f", s / (10 - f) }'; }
f() { cut -d, -f"$2" <<<"$1"; }

plots=()
command -v gnuplot >/dev/null || plots=(--no-plots)
sweep "$TMP/sw" 50000 3
timeout -k 5 120 "$MESHWALK" report -q "${plots[@]}" "$TMP/sw" 2>"$TMP/err"; rc=$?
assert_eq "exit status with an empty cell" 0 "$rc"
grep -q '^meshwalk report: warning: cell 3 (rate=200,arrival=const,compute=2ms): no request of group main after the 50000 us warm-up (all 10 inside it): the cell is empty$' "$TMP/err" ||
	fail "no warning for the empty cell: $(cat "$TMP/err")"
R=$TMP/sw/report
for i in 0 1 2 4 5 6 7; do
	row=$(grep "^$i," "$R/grid.csv")
	assert_eq "cell $i requests" 10 "$(f "$row" 11)"
	assert_eq "cell $i success rate" "$(success_of $i)" "$(f "$row" 14)"
	assert_eq "cell $i mean" "$(mean_of $i)" "$(f "$row" 15)"
done
row=$(grep '^3,' "$R/grid.csv")
assert_eq "empty cell: requests, ok, failures, success, mean, p99, slowdown" "0 0 0 ||||" \
	"$(f "$row" 11) $(f "$row" 12) $(f "$row" 13) $(f "$row" 14)|$(f "$row" 15)|$(f "$row" 17)|$(f "$row" 19)|$(f "$row" 20)"
grep -qE '^ +3 rate=200,arrival=const,compute=2ms +0 +0  \(empty: all 10 requests inside the warm-up\)$' "$R/grid.txt" ||
	fail "grid.txt: $(grep '^ *3 ' "$R/grid.txt")"
grep -q '<td>0</td><td colspan="6">empty: all 10 requests inside the warm-up</td>' "$R/index.html" ||
	fail "index.html does not mark the empty cell"
# The empty cell still gets its own report: counts, no timeline.
C3=$R/cells/003_rate-200_arrival-const_compute-2ms
grep -q '^main,0,0,' "$C3/summary.csv" || fail "the empty cell's summary: $(cat "$C3/summary.csv")"
grep -q 'timeline-main' "$C3/index.html" && fail "the empty cell's report shows a timeline"

# Every cell empty (--warmup beyond every request): still a report, no plots.
timeout -k 5 120 "$MESHWALK" report -q "${plots[@]}" --warmup 10s -o "$TMP/all" "$TMP/sw" 2>"$TMP/err"; rc=$?
assert_eq "exit status with every cell empty" 0 "$rc"
assert_eq "empty cells warned about" 8 "$(grep -c 'the cell is empty$' "$TMP/err")"
assert_eq "empty cells in grid.txt" 8 "$(grep -c '(empty: all 10 requests inside the warm-up)$' "$TMP/all/grid.txt")"

[ ${#plots[@]} -eq 0 ] || skip "gnuplot not installed: the heatmaps not checked"
grep -q 'plots/grid-mean not drawn' "$TMP/err" || fail "no warning for the undrawn plots: $(cat "$TMP/err")"
[ -e "$TMP/all/plots/grid-mean.svg" ] && fail "a plot without a point was drawn"
assert_eq "plots of an all-empty sweep" 0 "$(grep -c '<svg' "$TMP/all/index.html")"
# label SVG: the numbers a heatmap prints in its cells, in order.
label() { grep -oE '<text>[^<]*</text>' "$1" | sed 's/<[^>]*>//g' | grep -E '^(empty|[0-9]+(\.[0-9]+)?)$' | tr '\n' ' '; }
for a in const exp; do
	for m in success mean; do
		[ -s "$R/plots/grid-heatmap-$m-$a.svg" ] && [ -s "$R/plots/grid-heatmap-$m-$a.png" ] ||
			fail "plots/grid-heatmap-$m-$a missing"
	done
	[ -s "$R/plots/grid-heatmap-$a.svg" ] || fail "the p99 heatmap of $a is gone"
done
# Cell labels: each map's numbers are grid.csv's (cells 0-3 const, 4-7 exp),
# the empty cell labelled so; then the colour bar's ticks.
assert_eq "success, const" "100 200 1.00 0.90 0.80 empty " "$(label "$R/plots/grid-heatmap-success-const.svg")"
assert_eq "success, exp" "100 200 1.00 0.90 0.80 0.70 " "$(label "$R/plots/grid-heatmap-success-exp.svg")"
# (Means within a decade: a linear colour bar, labelled inside the range.)
assert_eq "mean, exp" "100 200 5045 6050 7055 8060 5000 5500 6000 6500 7000 7500 8000 8500 " \
	"$(label "$R/plots/grid-heatmap-mean-exp.svg")"
grep -q '>mean latency (µs)<' "$R/plots/grid-heatmap-mean-exp.svg" || fail "mean heatmap label"
# Means over a decade (1045 to 30055 us): a log colour bar.
assert_eq "mean, const" "100 200 1045 2050 30055 empty 2000 5000 10000 20000 " \
	"$(label "$R/plots/grid-heatmap-mean-const.svg")"
grep -q '>mean latency (µs, log scale)<' "$R/plots/grid-heatmap-mean-const.svg" || fail "log mean heatmap label"
grep -q '>syn, group main: success rate, const arrivals<' "$R/plots/grid-heatmap-success-const.svg" ||
	fail "success heatmap title"
assert_eq "plots in the sweep's index.html" 10 "$(grep -c '<svg' "$R/index.html")"
echo "heatmaps and an empty cell reported"
