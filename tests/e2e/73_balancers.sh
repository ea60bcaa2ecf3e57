# Load balancers in scenarios: HAProxy (TCP mode) or meshwalk proxy in front of
# a service's replicas, started once the nodes listen, reachable as {name},
# stopped with everything else; policies spread sessions as they say.
. "$(dirname "$0")/lib.sh"
leftovers() { pgrep -f -- "$TMP/" >/dev/null; }
node_requests() { sed -n 's/^ *"requests": \([0-9]*\),$/\1/p' "$1/nodes/$2/stats.json"; }

run_lb() { # NAME KIND POLICY: 3 replicas behind the balancer; 30 sessions of 2 requests
	cat >"$TMP/$1.yaml" <<YAML
services:
  web: { replicas: 3 }
balancers:
  lb: { service: web, policy: $3, kind: $2 }
clients:
  - name: users
    to: lb
    args: "-n 60 --ns 30 -r 300 -C 100us"
YAML
	timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/$1" "$TMP/$1.yaml" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	[ $rc -eq 0 ] || { cat "$TMP/err"; fail "$1: run exited $rc"; }
	assert_eq "$1: ok" 60 "$(json ok "$TMP/$1/summary.json")"
	leftovers && fail "$1: processes left: $(pgrep -af -- "$TMP/")"
	return 0
}

kinds=meshwalk
if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then
	kinds="haproxy meshwalk"
else
	echo "note: haproxy not installed: only kind meshwalk tested"
fi
for kind in $kinds; do
	run_lb rr-$kind $kind roundrobin
	for k in 0 1 2; do
		assert_eq "$kind roundrobin: web-$k" 20 "$(node_requests "$TMP/rr-$kind" web-$k)"
	done
	run_lb lc-$kind $kind leastconn # sequential sessions: every replica stays eligible
	total=0
	for k in 0 1 2; do total=$((total + $(node_requests "$TMP/lc-$kind" web-$k))); done
	assert_eq "$kind leastconn: all served" 60 "$total"
	run_lb first-$kind $kind first
	assert_eq "$kind first: all on web-0" 60 "$(node_requests "$TMP/first-$kind" web-0)"
	[ -s "$TMP/rr-$kind/balancers/lb/$([ $kind = haproxy ] && echo haproxy.cfg || echo stats.json)" ] ||
		fail "$kind: balancer files missing"
done
[ -n "${kinds##*haproxy*}" ] || grep -q "balance roundrobin" "$TMP/rr-haproxy/balancers/lb/haproxy.cfg" ||
	fail "haproxy.cfg: $(cat "$TMP/rr-haproxy/balancers/lb/haproxy.cfg")"

# Errors: an unknown service, a bad policy, a name clash; all at load time.
printf 'services:\n  web:\nbalancers:\n  lb: { service: nope }\nclients:\n  - { name: c, to: lb, args: "-n 1" }\n' >"$TMP/bad.yaml"
"$MESHWALK" run --check "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"; assert_eq "unknown service" 2 $?
grep -q "balancer lb: no service 'nope' to balance" "$TMP/err" || fail "message: $(cat "$TMP/err")"
printf 'services:\n  web:\nbalancers:\n  lb: { service: web, policy: random }\nclients:\n  - { name: c, to: lb, args: "-n 1" }\n' >"$TMP/bad.yaml"
"$MESHWALK" run --check "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"; assert_eq "bad policy" 2 $?
grep -q "bad.yaml:4:.*policy 'random' (expected roundrobin, leastconn or first)" "$TMP/err" || fail "message: $(cat "$TMP/err")"
printf 'services:\n  web:\nbalancers:\n  web: { service: web }\nclients:\n  - { name: c, to: web, args: "-n 1" }\n' >"$TMP/bad.yaml"
"$MESHWALK" run --check "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"; assert_eq "name clash" 2 $?
grep -q "defined twice" "$TMP/err" || fail "message: $(cat "$TMP/err")"
exit 0
