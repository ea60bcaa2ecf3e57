# meshwalk proxy (dw_proxy): relays sessions to a pool of nodes by policy,
# skips a dead backend, passes large payloads both ways, survives clients
# that vanish, and stops cleanly.
. "$(dirname "$0")/lib.sh"
start_proxy() { # NAME ARGS...: sets NAME_PORT, NAME_PID
	local name=$1
	shift
	"$MESHWALK" proxy -b 127.0.0.1:0 --port-file "$TMP/$name.port" --stats-file "$TMP/$name.stats" "$@" \
		2>"$TMP/$name.log" &
	PIDS+=($!)
	printf -v "${name}_PID" '%s' $!
	slowwait 10 test -s "$TMP/$name.port" || { cat "$TMP/$name.log"; fail "proxy $name did not start"; }
	printf -v "${name}_PORT" '%s' "$(cat "$TMP/$name.port")"
}
backend_conns() { # STATS I: connections of backend I
	grep -o '"connections": [0-9]*' "$TMP/$1.stats" | sed -n "$(($2 + 1))p" | sed 's/.*: //'
}
start_node a
start_node b
start_node c
start_proxy rr --to 127.0.0.1:$a_PORT,127.0.0.1:$b_PORT --to 127.0.0.1:$c_PORT
# 30 sessions of 2 requests, with payloads both ways
client --to 127.0.0.1:$rr_PORT -n 60 --ns 30 -r 500 --ps 100k -C 50 -R 200k || { show; fail "through the proxy"; }
kill -TERM $rr_PID; wait $rr_PID
grep -q "relaying 127.0.0.1:$rr_PORT to 3 backends (roundrobin)" "$TMP/rr.log" || fail "start line"
for i in 0 1 2; do assert_eq "roundrobin backend $i" 10 "$(backend_conns rr $i)"; done
stop_node a; stop_node b; stop_node c
for n in a b c; do assert_eq "node $n requests" 20 "$(stat $n requests)"; done

# first: everything to the first backend while it accepts; a dead one is skipped
start_node d
start_node e
dead=$d_PORT
stop_node d
start_proxy fi --policy first --to 127.0.0.1:$dead,127.0.0.1:$e_PORT
client --to 127.0.0.1:$fi_PORT -n 10 --closed-loop --ns 5 || { show; fail "first with a dead backend"; }
kill -TERM $fi_PID; wait $fi_PID
assert_eq "dead backend: no connections" 0 "$(backend_conns fi 0)"
assert_eq "live backend took all" 5 "$(backend_conns fi 1)"
grep -o '"failures": [0-9]*' "$TMP/fi.stats" | head -1 | grep -q ': 5$' || fail "failures not counted: $(cat "$TMP/fi.stats")"

# leastconn: while one backend holds a long session, new sessions go to the
# other (round-robin would alternate). Each short session is its own client,
# given time to close before the next, so "fewest open" is unambiguous.
start_node s # slow
start_node q # quick
start_proxy lc --policy leastconn --to 127.0.0.1:$s_PORT,127.0.0.1:$q_PORT
timeout 60 "$MESHWALK" client --to 127.0.0.1:$lc_PORT -n 1 -C 2s -q >/dev/null 2>&1 & hold=$!
slowwait 10 sh -c "ss -tnH state established '( dport = :$s_PORT )' | grep -q ." || fail "long session not on the first backend"
for k in 1 2 3; do
	client --to 127.0.0.1:$lc_PORT -n 1 || { show; fail "leastconn session $k"; }
	sleep 0.3
done
wait $hold || fail "long request failed"
kill -TERM $lc_PID; wait $lc_PID
assert_eq "leastconn: the busy backend got only the long session" 1 "$(backend_conns lc 0)"
assert_eq "leastconn: the idle one got the rest" 3 "$(backend_conns lc 1)"

# no backend at all: the client sees the connection closed; the proxy goes on
start_proxy none --to 127.0.0.1:$dead
client --to 127.0.0.1:$none_PORT -n 2 --closed-loop && fail "served without a backend"
client --to 127.0.0.1:$none_PORT -n 1 && fail "served without a backend (2)"
kill -0 $none_PID || fail "proxy died"
kill -TERM $none_PID; wait $none_PID
assert_eq "no_backend" 2 "$(sed -n 's/^ *"no_backend": \([0-9]*\),$/\1/p' "$TMP/none.stats")"

# usage
"$MESHWALK" proxy 2>"$TMP/err"; assert_eq "no backend" 2 $?
grep -q "no backend: give --to" "$TMP/err" || fail "usage message"
"$MESHWALK" proxy --to 127.0.0.1:1 --policy random 2>"$TMP/err"; assert_eq "bad policy" 2 $?
exit 0
