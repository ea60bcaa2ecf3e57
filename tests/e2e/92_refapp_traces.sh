#!/usr/bin/env bash
# 92_refapp_traces: the reference application (tests/refapp: seven Node.js
# services instrumented with the real OpenTelemetry SDK, exporting through the
# real OTLP/HTTP exporter to a local receiver) serves 200 requests at 20/s
# after a second of warm-up requests (traced, then dropped by the receiver);
# meshwalk import must recover its topology exactly, call counts included
# (sequential, concurrent, probabilistic, repeated and fire-and-forget calls,
# and a database known only from client spans), against the counts the
# services kept themselves; the trace view finds the fire-and-forget call off
# the critical path. The application is started and stopped by
# tests/refapp/run.sh (shared with bench/refapp_fidelity.sh). Loopback only.
# SKIPs when node or the npm packages are missing (scripts/deps.sh install
# test puts them in place).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/refapp/run.sh"
refapp_ready || skip "$REFAPP_WHY"

start_ok=0
refapp_start "$TMP" && start_ok=1
PIDS+=("${REFAPP_PIDS[@]}") # lib.sh's cleanup stops them on any exit
[ $start_ok = 1 ] || fail "the reference application did not start"
# One second of warm-up first: 20 requests traced as warm-up (warmup.js),
# which no service may count and the receiver must drop (the import below
# must see 200 traces, and the call counts must match its edges).
refapp_load "$TMP" 200 20 1 || { cat "$TMP"/*.log; fail "load"; }
assert_eq "load" "sent 200 ok 200 failed 0
warm-up (not kept): sent 20 ok 20" "$(cat "$TMP/load.out")"
# Stop the services (each flushes its spans), then the receiver.
refapp_stop || fail "the reference application did not stop cleanly"
assert_eq "requests the front end counted (not the warm-up)" 200 \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$TMP/frontend.stats")"
calls() { refapp_calls "$TMP" "$@"; } # SERVICE KEY: what the service counted itself
carts=$(calls frontend "cart GET /view")
[ "$carts" -gt 20 ] && [ "$carts" -lt 100 ] || fail "cart calls $carts: the 0.3 probability is off"

"$MESHWALK" import --summary "$TMP/traces.jsonl" >"$TMP/sum" 2>"$TMP/err" || { cat "$TMP/err"; fail "import"; }
has() { grep -qxF -- "$1" "$TMP/sum" || { cat "$TMP/sum" >&2; fail "summary lacks '$1'"; }; }
has "traces 200"
has "roots 200"
has "orphans 0"
has "errors 0"
has '  frontend "GET /home" -> auth "POST /check" 200'
has '  frontend "GET /home" -> catalog "GET /list" 200'
has '  frontend "GET /home" -> recs "GET /top" 200'
has '  frontend "GET /home" -> audit "POST /log" 200'
# every call edge, with the count its caller kept (the probabilistic cart
# calls, the repeated inventory ones, the database known from client spans)
while IFS= read -r edge; do has "$edge"; done < <(refapp_edges "$TMP")
grep -q 'catalog "GET /list" -> db ("SELECT items")' <(refapp_edges "$TMP") || fail "no database edge"
assert_eq "inventory calls (3 per request)" 600 "$(calls frontend "inventory GET /stock")"

# The trace view of the application's own traces: the fire-and-forget audit
# call ends after the request and is never on its critical path; the
# database is, under catalog.
timeout -k 5 120 "$MESHWALK" report --traces "$TMP/traces.jsonl" -o "$TMP/view" >/dev/null 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "report --traces"; }
grep -q ',audit,' "$TMP/view/critical-path.csv" && fail "a fire-and-forget call is on the critical path"
grep -q '^frontend,GET /home,p50,[0-9]*,catalog,SELECT items,' "$TMP/view/critical-path.csv" ||
	{ cat "$TMP/view/critical-path.csv"; fail "the database is not on the p50 critical path"; }
# The clone: a scenario fitted to the traces, run by meshwalk, checked by
# meshwalk validate. Its topology must hold (requests per service within the
# tolerance of what the fitted plans predict for the requests completed);
# latency fidelity is a timing goal, measured by bench/fidelity.sh, not here.
"$MESHWALK" import --rate 20 --requests 200 -o "$TMP/clone.yaml" "$TMP/traces.jsonl" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "import -o"; }
"$MESHWALK" run --check "$TMP/clone.yaml" >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; fail "run --check of the clone"; }
timeout -k 5 300 "$MESHWALK" run -q -o "$TMP/clone" "$TMP/clone.yaml" >/dev/null 2>"$TMP/run.err" ||
	echo "the clone's run reported: $(tail -n 1 "$TMP/run.err")"
timeout -k 5 120 "$MESHWALK" validate --clone "$TMP/clone" "$TMP/traces.jsonl" >"$TMP/val" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || { cat "$TMP/val" "$TMP/err"; fail "validate exited $rc"; }
awk '/^requests per service/ { on = 1; next } on && /^  / { n++; if ($NF != "ok") bad = 1 } /^verdict/ { on = 0 }
	END { exit !(n == 8 && !bad) }' "$TMP/val" || { cat "$TMP/val"; fail "the clone's topology does not hold"; }
echo "reference application: 200 traces, topology recovered with $carts probabilistic calls"
