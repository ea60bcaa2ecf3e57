# A forward target killed mid-run: the requests that needed it fail with an
# error reply that says so, counted; the run goes on to its end, and requests
# that do not touch the dead node keep succeeding.
. "$(dirname "$0")/lib.sh"
start_node back
start_node front
# 60 requests over 1.2 s; half go through back (every 2nd skips the forward)
timeout -k 5 60 "$MESHWALK" client --to 127.0.0.1:$front_PORT -n 60 -r 50 -s 1,every=2 \
	-F 127.0.0.1:$back_PORT -C 100 -R --json "$TMP/summary.json" --csv "$TMP/r.csv" -q \
	>"$TMP/out" 2>"$TMP/err" &
cpid=$!
sleep 0.5
kill -KILL $back_PID
wait $cpid; rc=$?
assert_eq "client exit" 1 "$rc"
sent=$(json sent) ok=$(json ok) errors=$(json errors)
assert_eq "every request sent (the run went on)" 60 "$sent"
[ "$ok" -ge 30 ] && [ "$ok" -lt 60 ] || fail "ok=$ok: expected the skipping half and the early ones"
[ "$errors" -ge 1 ] || fail "no error counted"
assert_eq "ok + errors" 60 $((ok + errors))
grep -q "forward failed: node 127.0.0.1:$front_PORT: forward to 127.0.0.1:$back_PORT failed" "$TMP/err" ||
	{ show; fail "error reason"; }
# after the kill, every request that skips the forward still succeeds
last_ok=$(grep ',ok$' "$TMP/r.csv" | sort -t, -k3n | tail -n 1 | cut -d, -f3)
[ "$last_ok" -ge 50 ] || fail "late requests that skip the dead node failed too (last ok: $last_ok)"
stop_node front
[ "$(stat front forward_failures)" -ge 1 ] || fail "forward failures not counted"
exit 0
