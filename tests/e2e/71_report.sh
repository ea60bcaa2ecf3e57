#!/usr/bin/env bash
# 71_report: `meshwalk report` and `meshwalk compare` on the results of a tiny
# run with two working client groups and one that cannot connect. Every
# figure of the summary is recomputed here from the per-request CSVs (exact
# nearest-rank percentiles), the plots must carry their axis labels, and
# compare must find a copy of the run identical and a copy with latencies
# x1.5 DIFFERENT. Without gnuplot everything else is checked with --no-plots
# and the test then SKIPs, naming what it could not check.
. "$(dirname "$0")/lib.sh"

plots=()
command -v gnuplot >/dev/null || plots=(--no-plots)

cat >"$TMP/s.yaml" <<'YAML'
name: tiny
seed: 9
services:
  web: { node: "--nt 1" }
clients:
  - name: a
    to: web
    args: "-n 400 -r 1000 -C 50us -R 100"
  - name: b
    to: web
    args: "-n 150 -r 500 -C exp:200us"
  - name: dead                   # connection refused: 5 unsent requests
    to: "127.0.0.1:1"
    args: "-n 5 -r 100"
YAML
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r" "$TMP/s.yaml" 2>"$TMP/err"; rc=$?
assert_eq "run exit (group dead fails)" 1 "$rc"

timeout -k 5 120 "$MESHWALK" report "${plots[@]}" "$TMP/r" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ "$rc" = 0 ] || { cat "$TMP/err"; fail "report exit $rc"; }
R=$TMP/r/report
for f in summary.txt summary.csv summary.json quantiles.csv boxplot.csv timeline.csv index.html; do
	[ -s "$R/$f" ] || fail "report lacks $f"
done
grep -q "^report: $R/index.html$" "$TMP/out" || fail "report path not printed"
cmp -s <(sed '$d' "$TMP/out") "$R/summary.txt" || fail "stdout is not summary.txt"

# lat_of CSV...: the ok latencies of the given requests.csv files, sorted.
lat_of() { awk -F, 'FNR > 1 && $10 == "ok" { print $7 }' "$@" | sort -g; }
# pct FILE TENTHS: nearest-rank percentile (tenths of a percent) of FILE.
pct() {
	local n
	n=$(wc -l <"$1")
	sed -n "$((($2 * n + 999) / 1000))p" "$1"
}
# row NAME: the summary.csv row of NAME.
row() { grep "^$1," "$R/summary.csv"; }
field() { cut -d, -f"$2" <<<"$1"; }

# Each group's row, and "all" from every group's records merged.
for g in a b all; do
	if [ "$g" = all ]; then csvs=("$TMP"/r/clients/*/requests.csv); else csvs=("$TMP/r/clients/$g/requests.csv"); fi
	lat_of "${csvs[@]}" >"$TMP/lat"
	total=$(awk 'FNR > 1' "${csvs[@]}" | wc -l)
	ok=$(wc -l <"$TMP/lat")
	r=$(row $g) || fail "summary.csv has no row $g"
	assert_eq "$g requests" "$total" "$(field "$r" 2)"
	assert_eq "$g ok" "$ok" "$(field "$r" 3)"
	assert_eq "$g failures" "$((total - ok))" "$(field "$r" 8)"
	assert_eq "$g min" "$(head -n 1 "$TMP/lat")" "$(field "$r" 9)"
	assert_eq "$g p50" "$(pct "$TMP/lat" 500)" "$(field "$r" 12)"
	assert_eq "$g p90" "$(pct "$TMP/lat" 900)" "$(field "$r" 13)"
	assert_eq "$g p99" "$(pct "$TMP/lat" 990)" "$(field "$r" 14)"
	assert_eq "$g p99.9" "$(pct "$TMP/lat" 999)" "$(field "$r" 15)"
	assert_eq "$g max" "$(tail -n 1 "$TMP/lat")" "$(field "$r" 16)"
	mean=$(awk '{ s += $1 } END { printf "%.3f", s / NR }' "$TMP/lat")
	awk -v a="$mean" -v b="$(field "$r" 10)" 'BEGIN { d = a - b; exit !(d < 0.002 && d > -0.002) }' ||
		fail "$g mean: CSV gives $mean, summary.csv $(field "$r" 10)"
	# summary.txt shows the same figures rounded to 0.1 us (awk rounds the
	# doubles as C does; bash's printf would use long double). The mean is
	# rounded from the exact mean, not from summary.csv's 3 decimals, so it
	# may differ in the last digit.
	want=$(awk -v g="$g" -v t="$total" -v o="$ok" -v a="$(pct "$TMP/lat" 500)" \
		-v b="$(pct "$TMP/lat" 900)" -v c="$(pct "$TMP/lat" 990)" -v d="$(pct "$TMP/lat" 999)" \
		-v x="$(tail -n 1 "$TMP/lat")" \
		'BEGIN { printf "%s %d %d %d %.1f %.1f %.1f %.1f %.1f", g, t, o, t - o, a, b, c, d, x }')
	txt=$(awk -v g="$g" '$1 == g && NF == 10 && $2 ~ /^[0-9]+$/ { print }' "$R/summary.txt")
	assert_eq "summary.txt row $g" "$want" "$(awk '{ $5 = ""; print }' <<<"$txt" | sed 's/  */ /g')"
	awk -v a="$(awk '{ print $5 }' <<<"$txt")" -v b="$(field "$r" 10)" \
		'BEGIN { d = a - b; exit !(d <= 0.051 && d >= -0.051) }' || fail "summary.txt mean of $g: $txt"
	# quantiles.csv agrees at its 50 % level.
	grep -qx "$g,50,$(pct "$TMP/lat" 500)" "$R/quantiles.csv" || fail "quantiles.csv p50 of $g"
done
assert_eq "group a's configured rate" "1000.000" "$(field "$(row a)" 17)"
# Failures are counted, never latencies: dead has 5 unsent and no figures.
assert_eq "dead row (achieved rate 0)" "dead,5,0,0,0,0,5,5,,,,,,,,,,0.000" "$(row dead)"
grep -q "^dead failures: 0 error, 0 timeout, 0 lost, 5 unsent$" "$R/summary.txt" || fail "dead's failures"
grep -q '"meshwalk_report_version": 1' "$R/summary.json" || fail "summary.json version"
grep -q "\"name\": \"a\", \"requests\": 400, \"ok\": 400, .*\"p50\": $(field "$(row a)" 12)," \
	"$R/summary.json" || fail "summary.json group a"
# timeline.csv: every request in exactly one bin.
assert_eq "timeline requests of a" 400 "$(awk -F, '$1 == "a" { n += $4 } END { print n }' "$R/timeline.csv")"
assert_eq "timeline failures of dead" 5 "$(awk -F, '$1 == "dead" { n += $6 } END { print n }' "$R/timeline.csv")"
assert_eq "boxplot rows" "a b dead all" "$(awk -F, 'NR > 1 { printf "%s%s", s, $2; s = " " }' "$R/boxplot.csv")"

# index.html: the run's metadata, escaped text, and one inline <svg> per plot.
grep -q '<title>meshwalk report: tiny</title>' "$R/index.html" || fail "html title"
grep -q '<tr><th>seed</th><td>9</td></tr>' "$R/index.html" || fail "html seed"
grep -q '<tr><th>online CPUs</th><td>[0-9]' "$R/index.html" || fail "html host facts"
grep -q 'meshwalk client -q --to' "$R/index.html" || fail "html command lines"
grep -q 'to: &quot;127.0.0.1:1&quot;' "$R/index.html" || fail "html scenario (escaped)"
dups=$(grep -o ' id="[^"]*"\| id='"'"'[^'"'"']*'"'" "$R/index.html" | sort | uniq -d)
[ -z "$dups" ] || fail "duplicate ids in index.html: $dups"

# --warmup leaves out what each group intended to send in its first 200 ms.
timeout -k 5 60 "$MESHWALK" report -q --no-plots --warmup 200ms -o "$TMP/w" "$TMP/r" || fail "--warmup"
assert_eq "a after warm-up" "$(awk -F, 'NR > 1 && $4 >= 200000' "$TMP/r/clients/a/requests.csv" | wc -l)" \
	"$(grep '^a,' "$TMP/w/summary.csv" | cut -d, -f2)"
grep -q '"warmup_us": 200000.000' "$TMP/w/summary.json" || fail "warm-up not recorded"

# One client's CSV: a group named after its directory, report beside it.
timeout -k 5 60 "$MESHWALK" report -q --no-plots "$TMP/r/clients/b/requests.csv" || fail "report of a CSV"
grep -q '^b,150,150,' "$TMP/r/clients/b/requests-report/summary.csv" || fail "CSV report row"

# Errors: unreadable input 1, usage 2, a broken CSV names file and line.
"$MESHWALK" report "$TMP/nope" 2>"$TMP/err"; assert_eq "missing results" 1 $?
grep -q "nope: No such file" "$TMP/err" || fail "missing results message: $(cat "$TMP/err")"
"$MESHWALK" report 2>/dev/null; assert_eq "no argument" 2 $?
"$MESHWALK" report --bins 0 "$TMP/r" 2>/dev/null; assert_eq "--bins 0" 2 $?
"$MESHWALK" report --warmup 10xs "$TMP/r" 2>"$TMP/err"; assert_eq "--warmup 10xs" 2 $?
grep -q 10xs "$TMP/err" || fail "--warmup message"
cp -r "$TMP/r" "$TMP/bad"
sed -i '3s/,ok$/,fine/' "$TMP/bad/clients/b/requests.csv"
"$MESHWALK" report --no-plots "$TMP/bad" 2>"$TMP/err"; assert_eq "broken CSV" 1 $?
grep -q "clients/b/requests.csv: status: .*'fine' (line 3)" "$TMP/err" || fail "broken CSV message: $(cat "$TMP/err")"
PATH=/nonexistent "$MESHWALK" report -o "$TMP/np" "$TMP/r" 2>"$TMP/err"; assert_eq "no gnuplot" 1 $?
grep -q "gnuplot not found.*--no-plots" "$TMP/err" || fail "no gnuplot message"
PATH=/nonexistent "$MESHWALK" report -q --no-plots -o "$TMP/np" "$TMP/r" || fail "--no-plots without gnuplot"

# compare: a run against itself, groups paired by name: group a's p99
# (judged both ways: --margin p99=10) rests on 400 requests (too few), so
# INCONCLUSIVE, and the group without ok
# requests is listed as not compared; against a copy whose group a is 1.5
# times slower, never SAME (p99 has too few requests to be the same; on a
# loaded machine a run's latencies may come in bursts that make even p50's
# interval wide, so DIFFERENT is not certain: tests/e2e/71_compare_verdicts.sh
# checks every verdict on synthetic data).
timeout -k 5 60 "$MESHWALK" compare --margin p99=10 "$TMP/r" "$TMP/r" >"$TMP/out" 2>"$TMP/err" || fail "compare r r"
grep -q "^Kolmogorov-Smirnov: D = 0.0000, p = 1 " "$TMP/out" || fail "compare r r: $(cat "$TMP/out")"
grep -q "^verdict: INCONCLUSIVE: INCONCLUSIVE in a, b; dead not compared (no ok requests in A)$" "$TMP/out" ||
	fail "compare r r verdict: $(tail -1 "$TMP/out")"
grep -q "^verdict for a: INCONCLUSIVE: too few requests for p99" "$TMP/out" || fail "compare r r, group a"
cp -r "$TMP/r" "$TMP/slow"
awk -F, -v OFS=, 'NR > 1 && $10 == "ok" { $7 = sprintf("%.3f", $7 * 1.5) } { print }' \
	"$TMP/r/clients/a/requests.csv" >"$TMP/slow/clients/a/requests.csv"
timeout -k 5 60 "$MESHWALK" compare "${plots[@]}" --group a -o "$TMP/c" "$TMP/r" "$TMP/slow" >"$TMP/out" || fail "compare slow"
grep -qE "^verdict: (DIFFERENT: .*B is slower|INCONCLUSIVE: )" "$TMP/out" || fail "compare slow verdict: $(cat "$TMP/out")"
for f in compare.txt compare.csv compare.json compare-quantiles.csv; do
	[ -s "$TMP/c/$f" ] || fail "compare lacks $f"
done
cmp -s "$TMP/out" "$TMP/c/compare.txt" || fail "compare.txt differs from stdout"
p50a=$(field "$(row a)" 12)
# B's p50 is A's times 1.5 (rounded to the CSV's 3 decimals), and so is the ratio.
awk -F, -v a="$p50a" -v b="$(awk -v v="$p50a" 'BEGIN { printf "%.3f", v * 1.5 }')" \
	'$2 == "p50" && $3 == a && $4 == b && $5 > 1.499 && $5 < 1.501 && $6 <= $7 && $8 == 0.05 { ok = 1 } END { exit !ok }' \
	"$TMP/c/compare.csv" || fail "compare.csv p50: $(grep p50 "$TMP/c/compare.csv"), A's p50 is $p50a"
grep -qE '"verdict": "(different|inconclusive)"' "$TMP/c/compare.json" || fail "compare.json verdict"
"$MESHWALK" compare -q --strict --group a "$TMP/r" "$TMP/slow"; rc=$?
[ $rc = 3 ] || [ $rc = 4 ] || fail "--strict on DIFFERENT or INCONCLUSIVE: exit $rc"
"$MESHWALK" compare -q --strict -g b "$TMP/r" "$TMP/slow"; assert_eq "--strict on INCONCLUSIVE (-g)" 4 $?
# Two CSV files work as well.
"$MESHWALK" compare "$TMP/r/clients/a/requests.csv" "$TMP/slow/clients/a/requests.csv" | grep -qE "^verdict: (DIFFERENT|INCONCLUSIVE)" ||
	fail "compare of two CSVs"
"$MESHWALK" compare --group nosuch "$TMP/r" "$TMP/r" 2>"$TMP/err"; assert_eq "compare unknown group" 1 $?
grep -q "no client group 'nosuch'" "$TMP/err" || fail "unknown group message"
"$MESHWALK" compare --group dead "$TMP/r" "$TMP/r" 2>"$TMP/err"; assert_eq "compare without ok requests" 1 $?
"$MESHWALK" compare "$TMP/r" 2>/dev/null; assert_eq "compare with one side" 2 $?
"$MESHWALK" compare --alpha 2 "$TMP/r" "$TMP/r" 2>/dev/null; assert_eq "--alpha 2" 2 $?

[ ${#plots[@]} -eq 0 ] || skip "gnuplot not installed: everything but the plots checked"

# The plots: SVG and PNG of each, with labelled axes and legends.
for p in latency-cdf percentile-spectrum boxplot timeline-a timeline-b timeline-dead; do
	[ -s "$R/plots/$p.svg" ] && [ -s "$R/plots/$p.gp" ] || fail "plots/$p.svg or .gp missing"
	[ "$(head -c 4 "$R/plots/$p.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "plots/$p.png is not a PNG"
	[ "$(wc -c <"$R/plots/$p.png")" -gt 10000 ] || fail "plots/$p.png is nearly empty"
done
svg_has() { grep -q -- "$2" "$R/plots/$1.svg" || fail "plots/$1.svg lacks '$2'"; }
svg_has latency-cdf 'fraction of requests with latency &lt;= x'
svg_has latency-cdf 'latency, intended send to reply (µs, log scale)'
svg_has latency-cdf 'a (400 ok, max'
svg_has latency-cdf 'all (550 ok, max'
svg_has percentile-spectrum '>99%<'
svg_has percentile-spectrum '>50%<'
svg_has percentile-spectrum 'percentile (axis: 1/(1-p), log scale)'
svg_has boxplot 'whiskers p1-p99'
svg_has boxplot '>mean<'
svg_has boxplot '>client group<'
svg_has timeline-a 'rate (requests/s)'
svg_has timeline-a 'achieved rate (sent)'
svg_has timeline-a 'p99 latency'
svg_has timeline-dead 'no request succeeded'
# The distribution plots leave out the group without ok requests.
grep -q 'dead (' "$R/plots/latency-cdf.svg" && fail "latency-cdf draws group dead"
assert_eq "inline SVGs in index.html" 6 "$(grep -c '<svg' "$R/index.html")"
grep -q 'no plot:' "$R/index.html" && fail "index.html lacks a plot"
# A remade report with --no-plots does not keep the old plots in its page.
"$MESHWALK" report -q --no-plots "$TMP/r" || fail "report --no-plots over a report"
assert_eq "inline SVGs after --no-plots" 0 "$(grep -c '<svg' "$R/index.html")"
[ -s "$TMP/c/plots/compare-cdf.svg" ] && [ -s "$TMP/c/plots/compare-cdf.png" ] || fail "compare plot missing"
grep -q 'A: r (400 ok)' "$TMP/c/plots/compare-cdf.svg" || fail "compare plot legend"
grep -q 'largest gap' "$TMP/c/plots/compare-cdf.svg" || fail "compare plot lacks the KS mark"
echo "report and compare checked"
