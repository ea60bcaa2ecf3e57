# tests/refapp/run.sh -- sourced (bash) by the tests and benchmarks that run
# the reference application (README.md): its processes started and stopped in
# one place. Everything listens on 127.0.0.1 only, every process runs under
# `timeout` (REFAPP_TIMEOUT seconds, default 300), every wait is bounded.
# Functions return non-zero with the reason on stderr; they never exit.
#
#   refapp_ready              0, or 1 with the reason in REFAPP_WHY: node or
#                             the OpenTelemetry npm packages missing (scripts/
#                             deps.sh install test puts them in place); exports
#                             NODE_PATH
#   refapp_start DIR [SVC MS [SHARE]]
#                             the receiver and the seven services, their files
#                             in DIR (NAME.port, NAME.log, NAME.stats; spans in
#                             DIR/traces.jsonl); service SVC spends MS more CPU
#                             milliseconds at the start of every request, or
#                             of a SHARE of them drawn per request
#                             (REFAPP_EXTRA_CPU_MS, REFAPP_EXTRA_SHARE: a
#                             what-if). Sets REFAPP_URL
#                             (the front end's GET /home) and REFAPP_PIDS
#   refapp_load DIR N RATE [WARMUP_S]
#                             load.js: N requests at RATE/s, open loop, after
#                             WARMUP_S seconds (default 0) of warm-up
#                             requests (warmup.js: neither kept nor counted); its
#                             line ("sent N ok K failed F") in DIR/load.out,
#                             the warm-up's on a second line
#   refapp_stop               SIGTERM to the services, each waited for (it
#                             flushes its spans and writes its stats), then to
#                             the receiver: DIR/traces.jsonl is then complete
#   refapp_kill               SIGTERM to whatever is still running (a trap's)
#   refapp_calls DIR SVC KEY  what SVC counted itself of calls KEY
#                             ("cart GET /view")
#   refapp_edges DIR          the call edges `meshwalk import --summary` must
#                             print, one line each, with the counts the
#                             services kept themselves

REFAPP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REFAPP_SERVICES="auth catalog recs cart inventory audit" # frontend calls them all
REFAPP_PIDS=()
REFAPP_NPM=${MESHWALK_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwalk/npm}

refapp_ready() {
	REFAPP_WHY=
	if ! command -v node >/dev/null; then
		REFAPP_WHY="node not installed (scripts/deps.sh install test)"
	elif ! [ -d "$REFAPP_NPM/node_modules/@opentelemetry/sdk-trace-node" ] ||
		! [ -d "$REFAPP_NPM/node_modules/@opentelemetry/exporter-trace-otlp-http" ]; then
		REFAPP_WHY="OpenTelemetry npm packages missing in $REFAPP_NPM (scripts/deps.sh install test)"
	fi
	[ -z "$REFAPP_WHY" ] || return 1
	export NODE_PATH=$REFAPP_NPM/node_modules
}

# refapp_bg DIR NAME CMD...: one bounded background process, its pid in
# REFAPP_PID_NAME and REFAPP_PIDS.
refapp_bg() {
	local dir=$1 name=$2
	shift 2
	timeout -k 5 "${REFAPP_TIMEOUT:-300}" "$@" 2>"$dir/$name.log" &
	REFAPP_PIDS+=("$!")
	printf -v "REFAPP_PID_$name" '%s' "$!"
}

# refapp_port DIR NAME: waits (20 s at most) for NAME's port file; the port
# in REFAPP_PORT.
refapp_port() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -s "$1/$2.port" ] && { REFAPP_PORT=$(cat "$1/$2.port"); return 0; }
		sleep 0.05
	done
	cat "$1/$2.log" >&2
	echo "refapp: $2 did not start" >&2
	return 1
}

# refapp_service DIR NAME PEERS MS: one service of service.js, listening.
refapp_service() {
	refapp_bg "$1" "$2" env REFAPP_EXTRA_CPU_MS="$4" REFAPP_EXTRA_SHARE="${REFAPP_SHARE:-1}" \
		node "$REFAPP_DIR/service.js" "$2" \
		"$1/$2.port" "$REFAPP_OTLP" "$3" "$1/$2.stats"
	refapp_port "$1" "$2"
}

refapp_start() {
	local dir=$1 extra_svc=${2:-} extra_ms=${3:-0} s peers="{"
	REFAPP_SHARE=${4:-1}
	REFAPP_STOP_DIR=$dir
	case " $REFAPP_SERVICES frontend " in
	*" ${extra_svc:-frontend} "*) ;;
	*) echo "refapp: no service '$extra_svc' ($REFAPP_SERVICES frontend)" >&2; return 1 ;;
	esac
	refapp_bg "$dir" receiver node "$REFAPP_DIR/receiver.js" "$dir/traces.jsonl" "$dir/receiver.port"
	refapp_port "$dir" receiver || return 1
	REFAPP_OTLP=http://127.0.0.1:$REFAPP_PORT/v1/traces
	for s in $REFAPP_SERVICES; do
		refapp_service "$dir" "$s" '{}' "$([ "$s" = "$extra_svc" ] && echo "$extra_ms" || echo 0)" ||
			return 1
		peers="$peers\"$s\": $REFAPP_PORT,"
	done
	refapp_service "$dir" frontend "${peers%,}}" \
		"$([ frontend = "$extra_svc" ] && echo "$extra_ms" || echo 0)" || return 1
	REFAPP_URL=http://127.0.0.1:$REFAPP_PORT/home
}

refapp_load() {
	timeout -k 5 "${REFAPP_TIMEOUT:-300}" node "$REFAPP_DIR/load.js" "$REFAPP_URL" "$2" "$3" "${4:-0}" \
		>"$1/load.out" 2>&1 || { cat "$1/load.out" >&2; echo "refapp: load failed" >&2; return 1; }
}

refapp_stop() {
	local s pid rc=0
	for s in frontend $REFAPP_SERVICES receiver; do
		pid=REFAPP_PID_$s
		[ -n "${!pid:-}" ] || continue
		kill -TERM "${!pid}" 2>/dev/null
		wait "${!pid}" || { echo "refapp: $s did not stop cleanly" >&2; rc=1; }
		printf -v "$pid" '%s' ""
	done
	REFAPP_PIDS=()
	[ -s "$REFAPP_STOP_DIR/frontend.stats" ] || { echo "refapp: frontend wrote no stats" >&2; rc=1; }
	return $rc
}

refapp_kill() {
	local pid
	for pid in "${REFAPP_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${REFAPP_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	REFAPP_PIDS=()
}

refapp_calls() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["calls"].get(sys.argv[2], 0))' \
		"$1/$2.stats" "$3"
}

refapp_edges() {
	python3 - "$1" <<'PY'
import json, sys
# the services that call others, with their one route (service.js)
for svc, route in (("frontend", "GET /home"), ("catalog", "GET /list")):
    calls = json.load(open("%s/%s.stats" % (sys.argv[1], svc)))["calls"]
    for key, n in sorted(calls.items()):
        callee, op = key.split(" ", 1)
        # the database has no server span: an uninstrumented call
        target = '%s ("%s")' % (callee, op) if callee == "db" else '%s "%s"' % (callee, op)
        print('  %s "%s" -> %s %d' % (svc, route, target, n))
PY
}
