#!/usr/bin/env bash
# 92_refapp_traces: the reference application (tests/refapp: seven Node.js
# services instrumented with the real OpenTelemetry SDK, exporting through the
# real OTLP/HTTP exporter to a local receiver) serves 200 requests at 20/s;
# meshwalk import must recover its topology exactly, call counts included
# (sequential, concurrent, probabilistic, repeated and fire-and-forget calls,
# and a database known only from client spans), against the counts the
# services kept themselves; the trace view finds the fire-and-forget call off
# the critical path. Loopback only. SKIPs when node or the npm packages are
# missing (scripts/deps.sh install test puts them in place).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=$ROOT/tests/refapp
NPM_DIR=${MESHWALK_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwalk/npm}
command -v node >/dev/null || skip "node not installed (scripts/deps.sh install test)"
[ -d "$NPM_DIR/node_modules/@opentelemetry/sdk-trace-node" ] &&
	[ -d "$NPM_DIR/node_modules/@opentelemetry/exporter-trace-otlp-http" ] ||
	skip "OpenTelemetry npm packages missing in $NPM_DIR (scripts/deps.sh install test)"
export NODE_PATH=$NPM_DIR/node_modules

# bg NAME CMD...: a bounded background process, its pid in ${NAME}_PID
bg() {
	local name=$1
	shift
	timeout -k 5 300 "$@" 2>"$TMP/$name.log" &
	PIDS+=("$!")
	printf -v "${name}_PID" '%s' "$!"
}
# port_of NAME: waits for NAME's port file; the port in $PORT (not a
# subshell, so a failure ends the test)
port_of() {
	slowwait 20 test -s "$TMP/$1.port" || { cat "$TMP/$1.log" >&2; fail "$1 did not start"; }
	PORT=$(cat "$TMP/$1.port")
}

bg receiver node "$APP/receiver.js" "$TMP/traces.jsonl" "$TMP/receiver.port"
port_of receiver
OTLP=http://127.0.0.1:$PORT/v1/traces
peers="{"
for s in auth catalog recs cart inventory audit; do
	bg "$s" node "$APP/service.js" "$s" "$TMP/$s.port" "$OTLP" '{}' "$TMP/$s.stats"
	port_of "$s"
	peers="$peers\"$s\": $PORT,"
done
peers="${peers%,}}"
bg frontend node "$APP/service.js" frontend "$TMP/frontend.port" "$OTLP" "$peers" "$TMP/frontend.stats"
port_of frontend
FRONT=$PORT

timeout -k 5 120 node "$APP/load.js" "http://127.0.0.1:$FRONT/home" 200 20 >"$TMP/load.out" 2>&1 ||
	{ cat "$TMP/load.out" "$TMP"/*.log; fail "load"; }
assert_eq "load" "sent 200 ok 200 failed 0" "$(cat "$TMP/load.out")"

# Stop the services (each flushes its spans), then the receiver.
for s in frontend auth catalog recs cart inventory audit; do
	pid=${s}_PID
	kill -TERM "${!pid}"
	wait "${!pid}" || fail "$s did not stop cleanly"
done
kill -TERM "$receiver_PID"
wait "$receiver_PID"
[ -s "$TMP/frontend.stats" ] || fail "frontend wrote no stats"
calls() { # SERVICE KEY: what the service counted itself
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["calls"].get(sys.argv[2], 0))' \
		"$TMP/$1.stats" "$2"
}
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
has "  frontend \"GET /home\" -> cart \"GET /view\" $carts"
has "  frontend \"GET /home\" -> inventory \"GET /stock\" $(calls frontend "inventory GET /stock")"
has '  frontend "GET /home" -> audit "POST /log" 200'
has "  catalog \"GET /list\" -> db (\"SELECT items\") $(calls catalog "db SELECT items")"
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
