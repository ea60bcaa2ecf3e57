# SIGUSR1 makes a node print DistWalk's STATS lines (per worker and in total)
# and keeps it running; no signal DistWalk's node handles kills a meshwalk node.
. "$(dirname "$0")/lib.sh"
"$MESHWALK" node -q -b 127.0.0.1:0 --nt 2 --port-file "$TMP/n.port" >"$TMP/n.out" 2>"$TMP/n.err" &
npid=$!
PIDS+=("$npid")
slowwait 10 test -s "$TMP/n.port" || fail "node did not start: $(cat "$TMP/n.err")"
port=$(cat "$TMP/n.port")

# An idle node: nothing open.
kill -USR1 "$npid"
slowwait 10 grep -q 'STATS total-active-conns' "$TMP/n.out" || fail "no STATS lines: $(cat "$TMP/n.out" "$TMP/n.err")"
kill -0 "$npid" || fail "SIGUSR1 killed the node"
for i in 0 1; do
	grep -qE "^\[[0-9]+\.[0-9]{9}\]\[dwn_conn_0\] STATS worker-id: $i, active-conns: 0, active-reqs: 0$" "$TMP/n.out" ||
		fail "worker $i line: $(cat "$TMP/n.out")"
done
grep -qE '^\[[0-9]+\.[0-9]{9}\]\[dwn_conn_0\] STATS total-active-conns: 0, total-active-reqs: 0$' "$TMP/n.out" ||
	fail "total line: $(cat "$TMP/n.out")"

# While a client holds a connection with a request in COMPUTE: one of each.
# (The workers write these counters with relaxed atomic stores and the main
# thread reads them live: under TSan this part shows that is race-free.)
timeout 30 "$MESHWALK" client --to 127.0.0.1:$port -C 2s -n 1 -q --no-summary >/dev/null 2>&1 &
cpid=$!
sleep 1
kill -USR1 "$npid"
slowwait 10 grep -q 'total-active-conns: 1, total-active-reqs: 1$' "$TMP/n.out" ||
	fail "busy node: $(tail -n 3 "$TMP/n.out")"
wait $cpid || fail "client failed"

# Signals the node handles, again and again, never stop it; SIGTERM does.
for s in USR1 USR1 PIPE; do kill -$s "$npid"; done
sleep 0.2
kill -0 "$npid" || fail "the node died of a signal it should handle"
kill -TERM "$npid"
wait "$npid"
assert_eq "exit after SIGTERM" 0 $?
exit 0
