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
# services.SVC.route_prefix='--choice 1 -C 1ms --choice 1 --choice-end',
# nothing refitted), each in half its requests drawn per request
# (REFAPP_EXTRA_SHARE=0.5 in the application): the shift of each one's p50
# (the requests with the extra work against those without, in the same
# runs) is printed with their ratio and its bootstrap interval (goal: clone
# / original within 25%). WHATIF_ROUNDS (3) runs a side, pooled: whole runs
# with and without the work differ by more than 1 ms at p50 between runs
# minutes apart, which within a run both halves share. A benchmark:
# asserts nothing; figures belong to a quiet machine (the load average is
# printed). Loopback only, at most
# ~20 req/s: light enough for 2 cores. The clones run traced, as the
# application does (the same recording cost), so validate also prints the
# self time per operation, original against clone. REFAPP_FIDELITY_KEEP=DIR
# keeps every run's files in DIR (which must not exist) for a closer look;
# REFAPP_EMP_VALUES=N fits with meshwalk import --emp-values N.
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
EMP=${REFAPP_EMP_VALUES:-} # import's --emp-values (its default when empty)
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
die() { echo "bench/refapp_fidelity.sh: $*" >&2; exit 1; }
[ -x "$MESHWALK" ] || die "build meshwalk first (make)"
for v in "$N" $RATES "$ROUNDS" "$TUNE" "$RUNS" "$HOLDOUT" "$WARMUP" ${EMP:+"$EMP"}; do
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

# original DIR RATE [SVC MS [SHARE]]: the application's run; traces in DIR/traces.jsonl
original() {
	mkdir -p "$1"
	REFAPP_TIMEOUT=$(($N / $2 + WARMUP + 120))
	refapp_start "$1" "${3:-}" "${4:-0}" "${5:-1}" || die "the application did not start"
	# An overloaded machine times requests out: report it, fit what was served.
	refapp_load "$1" "$N" "$2" "$WARMUP" || echo "the application's load had failures (above); going on"
	refapp_stop || die "the application did not stop cleanly"
	echo "application at $2/s${3:+, $3 +${4}ms CPU}${5:+ in a share of $5}: $(paste -sd ';' "$1/load.out" | sed 's/;/; /g'), $(wc -l <"$1/traces.jsonl") export requests"
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
		${EMP:+--emp-values "$EMP"} \
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
done

echo
echo "== what if $SVC needed ${MS} ms more CPU per request ($last req/s, $ROUNDS rounds, half the requests each run)"
# Within each run, half the requests (drawn per request) get the extra
# work and half do not, in the application (REFAPP_EXTRA_SHARE=0.5: those
# requests' $SVC spans say so) and in the clone (a --choice of the extra
# COMPUTE or nothing, in front of $SVC's routes: those requests' $SVC spans
# have one COMPUTE more): each run holds both sides of the what-if under the
# same conditions. Whole runs with and without it differ by more than 1 ms
# at p50 between runs minutes apart (the application's p50 moved -0.3 to
# +2.8 ms for the same 1 ms of CPU in alternating runs).
prefix="--choice 1 -C ${MS}ms --choice 1 --choice-end"
for i in $(seq 1 "$ROUNDS"); do
	original "$T/orig-whatif-$i" "$last" "$SVC" "$MS" 0.5
	clone "$T/clone-whatif-$i" "$T/clone-$last.yaml" "$last" --set "services.$SVC.route_prefix=$prefix"
	grep -qF -- "=$prefix " "$T/clone-whatif-$i/commands.txt" ||
		die "the clone's $SVC does not run the prefix"
done
python3 - "$T" "$ROUNDS" "$SVC" <<'PY'
import collections, json, random, statistics, sys
t, rounds, svc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def traces(path):
    by = collections.defaultdict(list)
    for line in open(path):
        for rs in json.loads(line).get("resourceSpans", []):
            name = [a["value"].get("stringValue") for a in rs["resource"]["attributes"]
                    if a["key"] == "service.name"][0]
            for ss in rs.get("scopeSpans", []):
                for sp in ss.get("spans", []):
                    by[sp["traceId"]].append((name, sp))
    return by.values()
def dur(sp):
    return (int(sp["endTimeUnixNano"]) - int(sp["startTimeUnixNano"])) / 1e3
# (end-to-end us, had the extra work) of each trace of one run: the front
# end's server span (where validate times both sides), and whether svc's
# span says so (the application) or has one COMPUTE more (the clone)
def split(path, clone):
    rows = []
    for spans in traces(path):
        front = [sp for n, sp in spans if n == "frontend" and sp.get("kind") == 2]
        mine = [sp for n, sp in spans if n == svc and sp.get("kind") == 2]
        if len(front) != 1 or len(mine) != 1:
            continue
        if clone:
            mark = sum(1 for n, sp in spans if n == svc and sp.get("name") == "COMPUTE"
                       and sp.get("parentSpanId") == mine[0]["spanId"])
        else:
            mark = any(a["key"] == "refapp.extra_cpu_ms" for a in mine[0].get("attributes", []))
        rows.append((dur(front[0]), mark))
    if not rows:
        sys.exit("%s: no trace with one frontend and one %s server span" % (path, svc))
    if clone:  # the fewest COMPUTEs are the route's own: one more is the extra
        low = min(m for _, m in rows)
        rows = [(d, m > low) for d, m in rows]
    return rows
def shift(rows):
    plus = [d for d, m in rows if m]
    base = [d for d, m in rows if not m]
    return statistics.median(plus) - statistics.median(base), len(plus), len(base)
sides = {"original": [], "clone": []}
for i in range(1, rounds + 1):
    o = split("%s/orig-whatif-%d/traces.jsonl" % (t, i), False)
    c = split("%s/clone-whatif-%d/traces.otlp.jsonl" % (t, i), True)
    sides["original"] += o
    sides["clone"] += c
    (so, po, bo), (sc, pc, bc) = shift(o), shift(c)
    print("round %d: original p50 shift %+.1f us (%d with, %d without), clone %+.1f us (%d / %d)"
          % (i, so, po, bo, sc, pc, bc))
so, sc = shift(sides["original"])[0], shift(sides["clone"])[0]
# a bootstrap of the ratio: each side's requests resampled, 500 times
rng = random.Random(1)
boot = []
for _ in range(500):
    ro = shift(rng.choices(sides["original"], k=len(sides["original"])))[0]
    rc = shift(rng.choices(sides["clone"], k=len(sides["clone"])))[0]
    if ro > 0:
        boot.append(rc / ro)
boot.sort()
print("p50 shift, rounds pooled: original %+.1f us, clone %+.1f us" % (so, sc))
if so > 0 and boot:
    r = sc / so
    print("clone / original shift: %.2f, 90%% interval %.2f to %.2f (goal 0.75 to 1.25: %s)"
          % (r, boot[len(boot) // 20], boot[-(len(boot) // 20) - 1], "met" if abs(r - 1) <= 0.25 else "missed"))
else:
    print("the original's p50 did not move up: no ratio")
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
