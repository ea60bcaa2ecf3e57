#!/usr/bin/env bash
# bench/refapp_fidelity.sh [REQUESTS] [RATE...] -- how faithful a clone of
# the reference application (tests/refapp: seven Node.js services, the real
# OpenTelemetry SDK and exporter) is, and whether it answers a what-if as the
# application does (issue 17's fidelity goals).
#
# At each RATE (default 10 and 20 req/s; REQUESTS default 1000 per run): the
# application serves REQUESTS requests (tests/refapp/run.sh, shared with e2e
# 92_refapp_traces) REFAPP_RUNS times (default 2), its traces are imported
# together (meshwalk import -o), the clone runs at the same rate as many
# times, and meshwalk validate's table is printed for the runs pooled on
# each side (p50/p90/p99 errors, KS distance, requests per service): two
# runs of the application minutes apart differ at p90 and p99 by more than
# the goals (a slow spell of the machine lands on one), pooled both sides
# share them. The tuned clone is judged against REFAPP_RUNS further runs of
# the application, alternating with its own (REFAPP_HOLDOUT=1, the default;
# 0 judges it against the runs it was fitted on): not the data it was fitted
# on, and a slow spell falls on both sides alike; the application's held-out
# runs against its fitted ones are printed too, the figures' noise floor.
# Each run of the application starts with REFAPP_WARMUP seconds (default
# 10) of warm-up requests (tests/refapp/warmup.js: traced, then dropped by
# the receiver and counted by no service): its first seconds are not its
# steady state (the first 0.1-0.4 s of every run held 3 to 7 requests of
# 40-170 ms, first connections and the JIT; about 8 s in, one of 20-57 ms;
# the first span export, 37-57 ms), and traces collected from a running
# service hold no such start; 0 keeps it from the first request. With it, the structure: every call
# edge of the import's summary against the counts the services kept. The
# import fine-tunes (meshwalk import --tune REFAPP_TUNE_ROUNDS, default 1):
# its round 0 is the clone as imported, run traced (validated above); each
# round takes every call edge's extra network time in the clone (its own
# transport and link holds: mean and variance) off that edge's link; the
# tuned clone is run and validated again.
#
# Then the intervention, at the last RATE: service WHATIF_SERVICE (catalog)
# spends WHATIF_MS (1) more CPU milliseconds per request, in the application
# (REFAPP_EXTRA_CPU_MS) and in the clone fitted above, tuned (meshwalk run --set
# services.SVC.route_prefix='-C 1ms', nothing refitted); both run again, and
# the shift of each one's p50 is printed with their ratio (goal: clone /
# original within 25%). WHATIF_ROUNDS (3) rounds of base and what-if runs
# alternate (ABBA) and each side's shift is the median of its rounds': one
# run per side is below the run-to-run noise of a 1 ms shift. A benchmark:
# asserts nothing; figures belong to a quiet machine (the load average is
# printed). Loopback only, at most
# ~20 req/s: light enough for 2 cores. The clones run traced, as the
# application does (the same recording cost), so validate also prints the
# self time per operation, original against clone. REFAPP_FIDELITY_KEEP=DIR
# keeps every run's files in DIR (which must not exist) for a closer look.
set -u
cd "$(dirname "$0")/.."
N=${1:-1000}
[ $# -gt 0 ] && shift
RATES=${*:-10 20}
SVC=${WHATIF_SERVICE:-catalog}
MS=${WHATIF_MS:-1}
ROUNDS=${WHATIF_ROUNDS:-3}
TUNE=${REFAPP_TUNE_ROUNDS:-1}
RUNS=${REFAPP_RUNS:-2}
HOLDOUT=${REFAPP_HOLDOUT:-1}
WARMUP=${REFAPP_WARMUP:-10}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
die() { echo "bench/refapp_fidelity.sh: $*" >&2; exit 1; }
[ -x "$MESHWALK" ] || die "build meshwalk first (make)"
for v in "$N" $RATES "$ROUNDS" "$TUNE" "$RUNS" "$HOLDOUT" "$WARMUP"; do
	case $v in '' | *[!0-9]*) die "usage: bench/refapp_fidelity.sh [REQUESTS] [RATE...]" ;; esac
done
[ "$ROUNDS" -ge 1 ] || die "WHATIF_ROUNDS: at least 1"
[ "$RUNS" -ge 1 ] || die "REFAPP_RUNS: at least 1"
[ "$HOLDOUT" -le 1 ] || die "REFAPP_HOLDOUT: 0 or 1"
for r in $RATES; do [ "$r" -ge 1 ] && [ "$r" -le 20 ] || die "rate $r: 1 to 20 req/s (2 cores)"; done
. tests/refapp/run.sh
refapp_ready || die "$REFAPP_WHY"
T=$(mktemp -d /tmp/meshwalk-refapp-fidelity.XXXXXX)
KEEP=${REFAPP_FIDELITY_KEEP:-}
[ -z "$KEEP" ] || [ ! -e "$KEEP" ] || die "REFAPP_FIDELITY_KEEP: $KEEP exists"
trap 'refapp_kill; [ -z "$KEEP" ] || cp -a "$T" "$KEEP"; rm -rf "$T"' EXIT
last=${RATES##* }

# original DIR RATE [SVC MS]: the application's run; traces in DIR/traces.jsonl
original() {
	mkdir -p "$1"
	REFAPP_TIMEOUT=$(($N / $2 + WARMUP + 120))
	refapp_start "$1" "${3:-}" "${4:-0}" || die "the application did not start"
	# An overloaded machine times requests out: report it, fit what was served.
	refapp_load "$1" "$N" "$2" "$WARMUP" || echo "the application's load had failures (above); going on"
	refapp_stop || die "the application did not stop cleanly"
	echo "application at $2/s${3:+, $3 +${4}ms CPU}: $(paste -sd ';' "$1/load.out" | sed 's/;/; /g'), $(wc -l <"$1/traces.jsonl") export requests"
}
# clone OUT SCENARIO RATE [run options...]: the clone's run into OUT
clone() {
	local out=$1 yaml=$2 rate=$3
	shift 3
	timeout -k 5 $((N / rate + 120)) "$MESHWALK" run -q -o "$out" --set trace_sample=1 "$@" "$yaml" \
		>/dev/null 2>"$out.err" ||
		echo "the clone's run reported: $(tail -n 1 "$out.err")"
}
# validate JSON CLONE_DIRS TRACES...: validate's table for the clone's runs
# (a space-separated list, pooled) against the traces (pooled); its figures
# in JSON
validate() {
	local json=$1 d clones=()
	for d in $2; do clones+=(--clone "$d"); done
	shift 2
	"$MESHWALK" validate --json "$json" "${clones[@]}" "$@"
	case $? in 0 | 3) ;; *) die "validate failed" ;; esac
}
# self_floor FITTED HELD: the application against itself, its fitted runs'
# root spans against its held-out runs' (space-separated trace files each):
# the same figures as validate's, so the noise floor of the clone's is in view.
self_floor() {
	python3 - "$1" "$2" <<'PY'
import bisect, json, sys
def roots(files):
    out = []
    for f in files.split():
        for line in open(f):
            for rs in json.loads(line).get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []):
                    for s in ss.get("spans", []):
                        if not s.get("parentSpanId"):
                            out.append((int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])) / 1e3)
    return sorted(out)
a, b = roots(sys.argv[1]), roots(sys.argv[2])
if not a or not b:
    sys.exit("self_floor: no root spans")
q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))]
ks = max(abs(bisect.bisect_right(a, x) / len(a) - bisect.bisect_right(b, x) / len(b)) for x in a + b)
print("the application against itself (held-out runs / fitted runs - 1, %d / %d roots): p50 %+.1f%%, p90 %+.1f%%, p99 %+.1f%%, KS %.3f"
      % (len(b), len(a), *(100 * (q(b, p) / q(a, p) - 1) for p in (0.5, 0.9, 0.99)), ks))
PY
}
structure() { # DIR: the import's call edges against the services' own counts
	local want got=0 n=0
	"$MESHWALK" import --summary "$1/traces.jsonl" >"$1/summary" 2>/dev/null || die "import --summary"
	while IFS= read -r want; do
		n=$((n + 1))
		grep -qxF -- "$want" "$1/summary" && got=$((got + 1)) || echo "  missing: $want"
	done < <(refapp_edges "$1")
	echo "structure: $got of $n call edges with the services' own counts$([ $got = $n ] && echo " (exact)")"
}

echo "bench/refapp_fidelity.sh: $N requests per run, rates $RATES; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cpus"
for rate in $RATES; do
	echo
	echo "== $rate req/s ($RUNS runs a side, pooled)"
	traces=() tuned=""
	for k in $(seq 1 "$RUNS"); do
		original "$T/orig-$rate-$k" "$rate"
		traces+=("$T/orig-$rate-$k/traces.jsonl")
		tuned="$tuned $T/tuned-$rate-$k"
	done
	# Fitted and fine-tuned (Ditto's step) by import itself: round 0 runs
	# the clone as imported, traced; each round measures every call edge's
	# extra network time in its spans and refits the links without it.
	"$MESHWALK" import --tune "$TUNE" --tune-dir "$T/tune-$rate" --rate "$rate" --requests "$N" \
		-o "$T/tuned-$rate.yaml" "${traces[@]}" 2>"$T/import-$rate.err" ||
		{ cat "$T/import-$rate.err"; die "import --tune failed"; }
	for k in $(seq 1 "$RUNS"); do structure "$T/orig-$rate-$k"; done
	echo "(the clone as imported: round 0 of import --tune, one run)"
	validate "$T/val-$rate.json" "$T/tune-$rate/run-0" "${traces[@]}"
	sed -n '/^round [0-9]*: the clone/,$p' "$T/import-$rate.err"
	echo
	echo "== $rate req/s, tuned ($TUNE round(s) of import --tune: each call edge's own hop off its link)"
	against=("${traces[@]}")
	if [ "$HOLDOUT" = 1 ]; then
		# Held out: the application runs again, alternating with the
		# clone (ABBA), and the clone is judged against these runs, not
		# the ones it was fitted on: a spell that slows the machine for
		# minutes falls on both sides alike.
		against=()
		for k in $(seq 1 "$RUNS"); do
			for side in $([ $((k % 2)) = 1 ] && echo "clone app" || echo "app clone"); do
				if [ "$side" = clone ]; then
					clone "$T/tuned-$rate-$k" "$T/tuned-$rate.yaml" "$rate"
				else
					original "$T/held-$rate-$k" "$rate"
					against+=("$T/held-$rate-$k/traces.jsonl")
				fi
			done
		done
		echo "(judged against $RUNS further runs of the application, alternating with the clone's)"
	else
		for d in $tuned; do clone "$d" "$T/tuned-$rate.yaml" "$rate"; done
	fi
	validate "$T/val-tuned-$rate.json" "$tuned" "${against[@]}" |
		sed -n '/^end-to-end/,/^requests per service/p;/^network time/,/^  the clone/p' |
		grep -v '^requests per service'
	[ "$HOLDOUT" = 1 ] && self_floor "${traces[*]}" "${against[*]}"
	cp "$T/tuned-$rate.yaml" "$T/clone-$rate.yaml" # the what-if below runs the tuned clone
	cp "$T/val-tuned-$rate.json" "$T/val-$rate.json"
done

echo
echo "== what if $SVC needed ${MS} ms more CPU per request ($last req/s, $ROUNDS rounds)"
# Round i runs the application and the clone without and with the extra
# work, in ABBA order over the rounds (round 1's base runs are the ones
# above, pooled), so drift falls on both sides alike; each side's shift is the
# median over rounds of its own (plus - base) p50 shift.
for i in $(seq 1 "$ROUNDS"); do
	for kind in $([ $((i % 2)) = 1 ] && echo "base plus" || echo "plus base"); do
		if [ "$kind" = base ]; then
			if [ "$i" = 1 ]; then
				cp "$T/val-$last.json" "$T/val-base-1.json"
				continue
			fi
			original "$T/orig-base-$i" "$last"
			clone "$T/clone-base-$i" "$T/clone-$last.yaml" "$last"
		else
			original "$T/orig-plus-$i" "$last" "$SVC" "$MS"
			clone "$T/clone-plus-$i" "$T/clone-$last.yaml" "$last" --set "services.$SVC.route_prefix=-C ${MS}ms"
			grep -qF -- "=-C ${MS}ms " "$T/clone-plus-$i/commands.txt" ||
				die "the clone's $SVC does not run the prefix"
		fi
		validate "$T/val-$kind-$i.json" "$T/clone-$kind-$i" "$T/orig-$kind-$i/traces.jsonl" \
			>"$T/val-$kind-$i.txt"
		grep -E '^ +p50 ' "$T/val-$kind-$i.txt" || true
	done
done
python3 - "$T" "$ROUNDS" <<'PY'
import json, statistics, sys
t, rounds = sys.argv[1], int(sys.argv[2])
def p50s(kind, i):
    e = json.load(open("%s/val-%s-%d.json" % (t, kind, i)))["entries"][0]
    return e["p50_original_us"], e["p50_clone_us"]
do, dc = [], []
for i in range(1, rounds + 1):
    (ob, cb), (op, cp) = p50s("base", i), p50s("plus", i)
    do.append(op - ob)
    dc.append(cp - cb)
    print("round %d: original p50 %.1f -> %.1f us (%+.1f), clone %.1f -> %.1f us (%+.1f)"
          % (i, ob, op, op - ob, cb, cp, cp - cb))
mo, mc = statistics.median(do), statistics.median(dc)
print("median p50 shift: original %+.1f us, clone %+.1f us (each side's rounds: %s / %s)"
      % (mo, mc, " ".join("%+.0f" % x for x in do), " ".join("%+.0f" % x for x in dc)))
if mo != 0:
    r = mc / mo
    print("clone / original shift: %.2f (goal 0.75 to 1.25: %s)" % (r, "met" if abs(r - 1) <= 0.25 else "missed"))
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
