#!/usr/bin/env bash
# 76_route_prefix: a service's route_prefix, given by --set as a what-if
# experiment would (docs/import.md, "What-if experiments on a clone"), is
# what the service's nodes run at the start of each of its routes and of no
# other service's: --check shows it, the node commands carry it, and the
# nodes count its ops (COMPUTEs; a forward's requests at its target, which
# starts first). A bad prefix is a load error naming the service; nothing
# starts. Counts only, no timing.
. "$(dirname "$0")/lib.sh"
cat >"$TMP/app.yaml" <<'YAML'
services:
  db:
    routes: { q: "-C 5us -R 10" }
  tap:
    routes: { hit: -R }
  front:
    routes: { home: "-C 10us -F {db},route=q -R 100" }
clients:
  - { name: web, to: front, route: home, args: "-n 20 -r 200" }
YAML
node_stat() { # RUN NODE KEY
	grep -o "\"$3\": [0-9]*" "$TMP/$1/nodes/$2/stats.json" | head -n 1 | sed 's/.*: //'
}
run() { # NAME [--set ...]: a run into $TMP/NAME
	local name=$1
	shift
	timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/$name" "$@" "$TMP/app.yaml" >"$TMP/out" 2>"$TMP/err" ||
		{ cat "$TMP/err"; fail "run $name"; }
	assert_eq "$name: ok" 20 "$(json ok "$TMP/$name/summary.json")"
}

"$MESHWALK" run --check --set 'services.db.route_prefix=-C 1ms' "$TMP/app.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "--check"; }
grep -qxF "  service db: 1 replica, route q (each after route_prefix '-C 1ms')" "$TMP/out" ||
	{ cat "$TMP/out"; fail "--check does not show the prefix"; }
grep -qxF "  service front: 1 replica, route home (starts in wave 2, after the services its routes reference)" \
	"$TMP/out" || { cat "$TMP/out"; fail "--check: front has no prefix"; }

run base
run plus --set 'services.db.route_prefix=-C 1ms'
grep -qF -- "--route 'q=-C 1ms -C 5us -R 10'" "$TMP/plus/commands.txt" ||
	{ cat "$TMP/plus/commands.txt"; fail "db's node does not run the prefix"; }
grep -qF -- "--route 'home=-C 10us -F " "$TMP/plus/commands.txt" || fail "front's route changed"
assert_eq "db computes without the prefix" 20 "$(node_stat base db-0 computes)"
assert_eq "db computes with it" 40 "$(node_stat plus db-0 computes)"
assert_eq "front computes with it" 20 "$(node_stat plus front-0 computes)"

# A forward in the prefix: its target serves one request per request, and
# starts before the service (front now waits for tap too).
run fwd --set 'services.db.route_prefix=-F {tap},route=hit'
assert_eq "tap requests" 20 "$(node_stat fwd tap-0 requests)"
assert_eq "db forwards" 20 "$(node_stat fwd db-0 forwards)"
order=$(grep -o 'nodes/[a-z]*-0/port' "$TMP/fwd/commands.txt" | tr '\n' ' ')
assert_eq "start order" "nodes/tap-0/port nodes/db-0/port nodes/front-0/port " "$order"

# Bad prefixes: exit 2, the service and the reason, no results directory.
bad() { # WHAT EXPECTED-MESSAGE ARGS...
	local what=$1 msg=$2
	shift 2
	"$MESHWALK" run -q -o "$TMP/bad" "$@" >"$TMP/out" 2>"$TMP/err"
	assert_eq "$what: exit" 2 $?
	grep -qF -- "$msg" "$TMP/err" || { cat "$TMP/err"; fail "$what: message"; }
	[ ! -e "$TMP/bad" ] || fail "$what: results directory created"
}
bad "a reply" "service db: route_prefix '-C 1ms -R': -R at the top level is the final reply" \
	--set 'services.db.route_prefix=-C 1ms -R' "$TMP/app.yaml"
bad "an open forward" "a -F without route= is still open" --set 'services.db.route_prefix=-F {tap}' "$TMP/app.yaml"
bad "not an op" "'-X' is not an op" --set 'services.db.route_prefix=-X 1' "$TMP/app.yaml"
printf 'services:\n  a:\n    route_prefix: -C 1ms\nclients:\n  - { name: g, to: a }\n' >"$TMP/noroutes.yaml"
bad "no routes" "noroutes.yaml:3:19: service a: route_prefix: the service has no routes" "$TMP/noroutes.yaml"
echo "route_prefix: in the nodes' routes, counted"
