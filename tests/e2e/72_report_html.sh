#!/usr/bin/env bash
# 72_report_html: index.html of a report renders in a real browser (headless
# Chromium): the screenshot is a full-size page with content, and the
# rendered DOM holds every plot as an SVG with its axis labels. SKIPs when
# Chromium or gnuplot is not installed (scripts/deps.sh installs both).
. "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || skip "chromium not installed (apt-get install chromium)"
command -v gnuplot >/dev/null || skip "gnuplot not installed (apt-get install gnuplot-nox)"

cat >"$TMP/s.yaml" <<'YAML'
name: page
seed: 4
services:
  web: {}
clients:
  - name: main
    to: web
    args: "-n 300 -r 1000 -C exp:100us"
YAML
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r" "$TMP/s.yaml" || fail "run"
timeout -k 5 120 "$MESHWALK" report -q "$TMP/r" || fail "report"
page=$TMP/r/report/index.html

# Chromium writes its profile into --user-data-dir and nothing else;
# `timeout` bounds a browser that hangs instead of exiting.
browse() {
	timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --user-data-dir="$TMP/profile" "$@" "file://$page"
}
browse --screenshot="$TMP/shot.png" --window-size=1200,2000 >"$TMP/out" 2>"$TMP/err" ||
	{ tail -n 5 "$TMP/err"; fail "chromium --screenshot failed"; }
[ -s "$TMP/shot.png" ] || fail "no screenshot"
[ "$(head -c 4 "$TMP/shot.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "the screenshot is not a PNG"
# Width and height from the PNG header (big-endian at bytes 16 and 20).
size=$(od -An -tu1 -j16 -N8 "$TMP/shot.png" |
	awk '{ printf "%dx%d", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }')
assert_eq "screenshot size" 1200x2000 "$size"
# A blank or error page compresses to a few KB; tables, text and plots do not.
bytes=$(wc -c <"$TMP/shot.png")
[ "$bytes" -gt 60000 ] || fail "the screenshot looks empty ($bytes bytes)"

browse --dump-dom >"$TMP/dom.html" 2>"$TMP/err" || { tail -n 5 "$TMP/err"; fail "chromium --dump-dom failed"; }
grep -q '<title>meshwalk report: page</title>' "$TMP/dom.html" || fail "rendered DOM lacks the title"
assert_eq "SVG plots in the rendered DOM" 4 "$(grep -o '<svg' "$TMP/dom.html" | wc -l)"
for id in plot-latency-cdf plot-percentile-spectrum plot-boxplot plot-timeline-main; do
	grep -q "<figure id=\"$id\">" "$TMP/dom.html" || fail "rendered DOM lacks figure $id"
done
grep -q 'fraction of requests with latency' "$TMP/dom.html" || fail "CDF axis label not in the DOM"
grep -q 'rate (requests/s)' "$TMP/dom.html" || fail "timeline axis label not in the DOM"
grep -q '<table class="num" id="summary">' "$TMP/dom.html" || fail "summary table not in the DOM"
echo "index.html rendered: $size, $bytes bytes"
