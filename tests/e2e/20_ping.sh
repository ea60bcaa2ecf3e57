# A plain ping: DistWalk's per-request lines and closing line, meshwalk's
# summary, and the node's counters agree with what the client sent.
. "$(dirname "$0")/lib.sh"
start_node n1
client --to 127.0.0.1:$n1_PORT -n 200 -r 2000 --seed 7 || { show; fail "client exit $?"; }
cp "$TMP/out" "$TMP/ping.out"
# --busy-poll and --ws change how the client waits, never what it measures.
for how in "--busy-poll 50us" "--ws" "--spin-margin 0"; do
	client --to 127.0.0.1:$n1_PORT -n 100 -r 1000 -q $how || { show; fail "client $how exit"; }
	grep -q '^requests: sent 100, ok 100, errors 0' "$TMP/out" || { show; fail "client $how counts"; }
done
# Closed loop with several threads and sessions: every request accounted.
client --to 127.0.0.1:$n1_PORT -n 90 --closed-loop --nt 3 --ns 3 -q || { show; fail "closed loop exit"; }
grep -q '^requests: sent 270, ok 270, errors 0' "$TMP/out" || { show; fail "closed loop counts"; }
client --to 127.0.0.1:$n1_PORT -n 10 --busy-poll 2s -q; rc=$?
assert_eq "--busy-poll above 1s is refused" 2 "$rc"
grep -q -- "--busy-poll: expected a duration up to 1s" "$TMP/err" || fail "busy-poll message"
stop_node n1
cp "$TMP/ping.out" "$TMP/out"

lines=$(grep -cE '^t: [0-9]+ us, elapsed: [0-9]+ us, req_id: [0-9]+, thr_id: 0, sess_id: 0$' "$TMP/out")
assert_eq "per-request lines" 200 "$lines"
grep -qx 'Sent pkts - success: 200, error: 0, timeout: 0, thr_id: 0' "$TMP/out" ||
	{ show; fail "closing line"; }
grep -q '^requests: sent 200, ok 200, errors 0, timeouts 0, lost 0, unsent 0' "$TMP/out" ||
	{ show; fail "summary counts"; }
grep -qE '^rate: target 2000\.[0-9] req/s' "$TMP/out" || { show; fail "summary rate"; }
grep -qE '^latency \(intended send->reply\) us: +min [0-9.]+ +mean' "$TMP/out" || fail "latency line"
# req_ids are 0..199, each once.
ids=$(sed -n 's/.*req_id: \([0-9]*\),.*/\1/p' "$TMP/out" | sort -n | uniq | wc -l)
assert_eq "distinct req_ids" 200 "$ids"
# The node saw exactly these requests.
assert_eq "node requests" 770 "$(stat n1 requests)"
assert_eq "node replies" 770 "$(stat n1 replies)"
assert_eq "node error replies" 0 "$(stat n1 error_replies)"
assert_eq "node accepted (1 + 3 runs + 9 sessions)" 13 "$(stat n1 accepted)"
exit 0
