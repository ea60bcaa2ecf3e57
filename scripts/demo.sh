#!/usr/bin/env bash
# scripts/demo.sh -- `make demo`: a small distributed application emulated on
# this machine by `meshwalk run examples/demo.yaml`, with a latency report.
#
# The application (examples/demo.yaml): a front-end node does 200 us of work
# per request, then asks two replicas of a back-end (each 300 us of
# exponentially distributed work) and answers as soon as one of them has
# (nack=1); a client sends 400 requests/s of Poisson traffic for 5 seconds.
#
#   client --> front (-C 200us) --+--> replica-0 (-C exp:300us)
#                                 +--> replica-1 (-C exp:300us)   first reply wins
#
# Results (per-request CSV, JSON summaries, node counters, the exact command
# lines) land in demo-results/run-YYYYmmdd-HHMMSS (or $DEMO_OUT), and
# `meshwalk report` adds tables, plots and index.html in its report/.
set -u
cd "$(dirname "$0")/.."
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
OUT=${DEMO_OUT:-$PWD/demo-results/run-$(date -u +%Y%m%d-%H%M%S)}
[ -x "$MESHWALK" ] || { echo "demo: $MESHWALK not built (run make)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")" || exit 1

"$MESHWALK" run -o "$OUT" --timeout 120s examples/demo.yaml
rc=$?
[ -d "$OUT/nodes" ] || exit $rc

# The report: plots when gnuplot is there (scripts/deps.sh installs it).
echo
plots=
command -v gnuplot >/dev/null || plots=--no-plots
"$MESHWALK" report -q $plots "$OUT" && echo "report: $OUT/report/index.html"

# What each node did, from the counters it wrote when it stopped.
echo
printf '%-12s %9s %9s %9s %12s %9s\n' node requests replies forwards "compute ms" errors
for d in "$OUT"/nodes/*/; do
	n=$(basename "$d")
	v() { sed -n "s/^ *\"$1\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$d/stats.json"; }
	[ -s "$d/stats.json" ] || continue
	printf '%-12s %9s %9s %9s %12s %9s\n' "$n" "$(v requests)" "$(v replies)" "$(v forwards)" \
		"$(awk -v ns="$(v compute_ns)" 'BEGIN { printf "%.1f", ns / 1e6 }')" "$(v error_replies)"
done
exit $rc
