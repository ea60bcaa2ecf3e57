# Scenarios with routes: examples/services.yaml (services.SVC.routes, client
# route:, routes calling routes) runs in dependency order and every node does
# what its routes say; --check shows the routes; bad route references are load
# errors with positions, and nothing starts.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ex=$ROOT/examples/services.yaml
node_stat() { # NODE KEY (storage counters too)
	grep -o "\"$2\": [0-9]*" "$TMP/run/nodes/$1/stats.json" | head -n 1 | sed 's/.*: //'
}

"$MESHWALK" run --check "$ex" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "--check"; }
grep -q "service shop: 1 replica, routes checkout, home (starts in wave 3" "$TMP/out" || { cat "$TMP/out"; fail "--check shop"; }
grep -q "service stock: 1 replica, routes reserve, lookup$" "$TMP/out" || { cat "$TMP/out"; fail "--check stock"; }
grep -q "client buyers -> shop, route checkout" "$TMP/out" || { cat "$TMP/out"; fail "--check client"; }

timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/run" "$ex" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "run"; }
assert_eq "status" '"ok"' "$(json status "$TMP/run/summary.json")"
assert_eq "requests" 450 "$(json requests "$TMP/run/summary.json")"
assert_eq "ok" 450 "$(json ok "$TMP/run/summary.json")"
grep -q '"program": "ROUTE(checkout)"' "$TMP/run/clients/buyers/summary.json" || fail "buyers named the route"
# start order: stock, then both pay replicas, then shop
order=$(grep -o 'nodes/[a-z]*-[0-9]/port' "$TMP/run/commands.txt" | tr '\n' ' ')
assert_eq "start order" "nodes/stock-0/port nodes/pay-0/port nodes/pay-1/port nodes/shop-0/port " "$order"
grep -q -- "--route 'charge=-C 100us -F 127.0.0.1:[0-9]*,route=reserve'" "$TMP/run/commands.txt" ||
	{ cat "$TMP/run/commands.txt"; fail "pay's route with stock's address"; }
assert_eq "shop requests" 250 "$(node_stat shop-0 requests)"
assert_eq "shop computes" 450 "$(node_stat shop-0 computes)"
assert_eq "shop forwards" 400 "$(node_stat shop-0 forwards)"
for k in 0 1; do
	assert_eq "pay-$k requests" 200 "$(node_stat pay-$k requests)"
	assert_eq "pay-$k computes" 200 "$(node_stat pay-$k computes)"
done
assert_eq "stock requests" 600 "$(node_stat stock-0 requests)"
assert_eq "stock stores" 400 "$(node_stat stock-0 stores)"
assert_eq "stock loads" 200 "$(node_stat stock-0 loads)"
assert_eq "stock error replies" 0 "$(node_stat stock-0 error_replies)"

# load errors: file:line:col, exit 2, no results directory
bad() { # NAME YAML EXPECTED-MESSAGE
	printf '%s' "$2" >"$TMP/$1.yaml"
	"$MESHWALK" run -q -o "$TMP/$1.out" "$TMP/$1.yaml" >"$TMP/out" 2>"$TMP/err"
	assert_eq "$1: exit" 2 $?
	grep -qF -- "$3" "$TMP/err" || { cat "$TMP/err"; fail "$1: message"; }
	[ ! -e "$TMP/$1.out" ] || fail "$1: results directory created"
}
bad cycle 'services:
  a:
    routes: { x: "-F {b},route=y" }
  b:
    routes: { y: "-F {a},route=x" }
clients:
  - { name: g, to: a, route: x }
' "cycle.yaml:5:18: routes reference each other in a cycle: a -> b -> a"
bad noroute 'services:
  a:
    routes: { x: -C 1ms }
clients:
  - name: g
    to: a
    route: y
' "noroute.yaml:7:12: client g: route y: service a has no such route (it has: x)"
bad badtext 'services:
  a:
    routes:
      x: "-C 1ms -F"
clients:
  - { name: g, to: a, route: x }
' "badtext.yaml:4:10: service a: route x: -F needs a value"
bad unknownkey 'services:
  a:
    route: { x: -C 1ms }
clients:
  - { name: g, to: a }
' "unknownkey.yaml:3:5: service a: unknown key 'route' (expected replicas, node, routes, route_prefix, protocol, link, resources, serverless or tls)"

# --set adds a route, and a client group may switch to it
timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/set" --set 'services.stock.routes.fast=-C 10us' \
	--set clients.catalogue.route=fast --set clients.catalogue.args='-n 20 --closed-loop' \
	--set clients.buyers.args='-n 5 --closed-loop' --set clients.browsers.args='-n 5 --closed-loop' "$ex" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "run with --set routes"; }
assert_eq "--set ok" 30 "$(json ok "$TMP/set/summary.json")"
exit 0
