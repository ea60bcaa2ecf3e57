#!/usr/bin/env bash
# bench/fidelity.sh [REQUESTS] [RATE] [ROUNDS] -- how faithful a clone fitted from
# traces is, measured on an application whose truth is known: a three-service
# meshwalk scenario (front computes, calls store then cache in sequence, one
# call in ten to an audit service it does not wait for) run with every request
# traced; its spans fitted back with meshwalk import -o; the clone run with
# the same rate; meshwalk validate compares the clone's latency per entry
# operation with the original's (p50/p90/p99 errors, KS distance) and the
# requests per service. Then, with --net-baseline 0, the clone that emulates
# meshwalk's own network time on top of its own: the error the default avoids.
# The clones run traced as the application does (the same recording cost, and
# validate's self time per operation), and each node's busy CPU per request
# (COMPUTE time from its stats.json: a count, not a timing) is printed for the
# application and each clone. (The client group is named as the clone's
# will be, front.api, so that validate finds it in the second run of the
# application too.) First, the noise floor: the application run
# again (another seed) and validated against its first run's traces, as a
# clone would be: what two runs of the same thing differ by on this machine,
# which no clone can be asked to beat. Prints the three validate tables. With
# ROUNDS (default 1) above 1, each of the four runs is done ROUNDS times,
# interleaved (application, application again, clone, clone with links;
# again), the clones fitted from the first round's application, and each
# validate pools the rounds: the application's traces of every round (TRACES
# files) against every round of the other side (--clone repeated), so a slow
# spell of the machine lands on both sides. A benchmark: asserts nothing;
# timing on a quiet machine only (the runs take REQUESTS/RATE seconds each,
# four times per round).
set -u
cd "$(dirname "$0")/.."
N=${1:-2000}
RATE=${2:-200}
ROUNDS=${3:-1}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
die() { echo "bench/fidelity.sh: $*" >&2; exit 1; }
[ -x "$MESHWALK" ] || die "build meshwalk first (make)"
case $N$RATE$ROUNDS in *[!0-9]*) die "usage: bench/fidelity.sh [REQUESTS] [RATE] [ROUNDS]" ;; esac
[ "$ROUNDS" -ge 1 ] || die "ROUNDS: at least 1"
T=$(mktemp -d /tmp/meshwalk-fidelity.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/app.yaml" <<YAML
name: fidelity
seed: 3
trace_sample: 1
services:
  store:
    routes: { put: "-C unif:min=20us,max=60us -S 4k,nosync -R 100" }
  cache:
    routes: { get: "-C exp:15us -R 2k" }
  audit:
    routes: { log: "--sleep 2ms -R" }
  front:
    routes:
      api: "-C 80us -F {store},route=put -C 10us -F {cache},route=get -s 1,prob=0.9 -F {audit},route=log,nowait -R 1k"
clients:
  - name: front.api
    to: front
    route: api
    args: "-n $N -p exp:$((1000000 / RATE))us"
YAML
runs() { # runs DIR SCENARIO [run options...]: a quiet meshwalk run into $T/DIR
	local dir=$1 scn=$2
	shift 2
	(cd "$T" && timeout -k 5 $((N / RATE + 120)) "$MESHWALK" run -q -o "$T/$dir" "$@" "$scn" \
		>/dev/null) || die "the run $dir failed"
}
# each node's COMPUTE (busy CPU) per request it served, and its SLEEPs
cpu() {
	python3 - "$1"/nodes/*/stats.json <<'PY'
import json, os, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    n = max(d["requests"], 1)
    print("  %-8s %6d requests, COMPUTE %8.1f us per request, %d SLEEPs"
          % (os.path.basename(os.path.dirname(f)), d["requests"], d["compute_ns"] / 1e3 / n, d["sleeps"]))
PY
}
# round r's seeds: the application 3, 5, 7...; again 4, 6, 8...; the clones 1, 2, 3...
traces=() again=() auto=() zero=()
for r in $(seq 1 "$ROUNDS"); do
	runs "app-$r" "$T/app.yaml" --set seed=$((1 + 2 * r))
	traces+=("$T/app-$r/traces.otlp.jsonl")
	if [ "$r" = 1 ]; then
		echo "application: $N requests at $RATE/s, $(wc -l <"$T/app-1/traces.otlp.jsonl") span lines" \
			"per run, $ROUNDS round(s)"
		echo "busy CPU per request, application:"
		cpu "$T/app-1"
		for base in auto 0; do
			"$MESHWALK" import --net-baseline "$base" --requests "$N" --rate "$RATE" \
				-o "$T/clone-$base.yaml" "$T/app-1/traces.otlp.jsonl" || die "import failed"
		done
	fi
	runs "again-$r" "$T/app.yaml" --set seed=$((2 + 2 * r))
	again+=(--clone "$T/again-$r")
	runs "clone-auto-$r" "$T/clone-auto.yaml" --set trace_sample=1 --set seed="$r"
	auto+=(--clone "$T/clone-auto-$r")
	runs "clone-0-$r" "$T/clone-0.yaml" --set trace_sample=1 --set seed="$r"
	zero+=(--clone "$T/clone-0-$r")
done
echo
echo "== the noise floor: the application again (other seeds), against its own traces"
"$MESHWALK" validate "${again[@]}" "${traces[@]}"
for base in auto 0; do
	echo
	echo "== clone with --net-baseline $base"
	echo "busy CPU per request, clone (round 1):"
	cpu "$T/clone-$base-1"
	if [ "$base" = auto ]; then
		"$MESHWALK" validate "${auto[@]}" "${traces[@]}"
	else
		"$MESHWALK" validate "${zero[@]}" "${traces[@]}"
	fi
done
exit 0
