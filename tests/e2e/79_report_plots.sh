#!/usr/bin/env bash
# 79_report_plots: plots a reader can trust, from a synthetic client CSV (no
# timing involved). A CDF whose latencies span less than a decade gets a
# linear axis with several labels (a log axis labelled only 10000 and 100000
# for a 20-41 ms run said nothing); one spanning decades keeps its log axis,
# labelled at 2 and 5 of each decade too when it spans fewer than three.
# The timeline's target rate is the schedule's rate in every bin, and a
# per-bin p99 from under 100 ok requests is flagged and drawn apart.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "no gnuplot"

# csv FILE N GAP_US LAT_LO_US LAT_SPAN_US: N ok requests, one every GAP_US,
# latencies spread over [LO, LO + SPAN).
csv() {
	awk -v n="$2" -v gap="$3" -v lo="$4" -v span="$5" 'BEGIN {
		print "thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status"
		for (i = 0; i < n; i++) {
			t = i * gap; l = lo + (i * 7919) % span
			printf "0,0,%d,%.3f,%.3f,%.3f,%.3f,%.3f,0.000,ok\n", i, t, t, t + l, l, l
		}
	}' >"$1"
}
# xlabels SVG: the numeric tick labels of the x axis (gnuplot writes each as <text>).
ticks() { grep -oE '<text>[^<]*</text>' "$1" | sed 's/<[^>]*>//g; s/^ *//' | grep -cE '^[0-9]+$'; }

csv "$TMP/narrow.csv" 1000 1000 20000 21000 # 20-41 ms, one request per ms
timeout -k 5 120 "$MESHWALK" report -q "$TMP/narrow.csv" || fail "report of narrow.csv"
R=$TMP/narrow-report
grep -q 'latency, intended send to reply (µs)' "$R/plots/latency-cdf.svg" || fail "narrow CDF: not a linear axis"
n=$(ticks "$R/plots/latency-cdf.svg")
[ "$n" -ge 4 ] || fail "narrow CDF has $n numeric tick labels"
grep -q '<text>25000</text>' "$R/plots/latency-cdf.svg" || fail "narrow CDF: no label inside the range"

csv "$TMP/wide.csv" 1000 1000 100 50000
timeout -k 5 120 "$MESHWALK" report -q "$TMP/wide.csv" || fail "report of wide.csv"
grep -q 'log scale' "$TMP/wide-report/plots/latency-cdf.svg" || fail "wide CDF lost its log axis"
# Under three decades, 2 and 5 of each decade are labelled too.
grep -q '<text>500</text>' "$TMP/wide-report/plots/latency-cdf.svg" || fail "wide CDF: no label at 500"

# Timeline: 1000 requests at 1000/s in 10 bins of 100; target 1000 in each.
awk -F, 'NR > 1 && $1 == "narrow" { if ($7 != "1000.000") bad = bad " " $7; n++ }
	END { if (n != 10 || bad != "") { print "target rates:" bad " (" n " bins)"; exit 1 } }' \
	"$R/timeline.csv" || fail "timeline target rate differs from the schedule"
head -n 1 "$R/timeline.csv" | grep -q ',p99_few$' || fail "timeline.csv lacks p99_few"
awk -F, 'NR > 1 && $12 != 0 { exit 1 }' "$R/timeline.csv" || fail "100-request bins flagged"
timeout -k 5 120 "$MESHWALK" report -q --bins 20 -o "$TMP/r20" "$TMP/narrow.csv" || fail "report --bins 20"
awk -F, 'NR > 1 && $12 != 1 { exit 1 }' "$TMP/r20/timeline.csv" || fail "50-request bins not flagged"
grep -q 'p99 of a bin under 100 ok requests' "$TMP/r20/plots/timeline-narrow.svg" || fail "timeline key does not explain flagged p99s"
echo "plots readable and honest"
