# 40_forward_nowait: -F ADDR,nowait is fire and forget. A forward to a route
# that sleeps 2 s answers well within a 1 s --timeout with nowait (and times
# out without it); the target still ran every forwarded request (its
# counters); the same from a node's route (meshwalk import writes calls that
# outlived their caller this way); nowait refuses the options about waiting.
. "$(dirname "$0")/lib.sh"
start_node t --route "slow=--sleep 2s -R 10"
start_node f --route "api=-F 127.0.0.1:$t_PORT,route=slow,nowait -R 100"

client --to 127.0.0.1:$f_PORT -F "127.0.0.1:$t_PORT,route=slow,nowait" -R 5 -n 4 --closed-loop --timeout 1s ||
	{ show; fail "nowait forwards did not answer at once"; }
grep -q '^Sent pkts - success: 4, error: 0, timeout: 0' "$TMP/out" || { show; fail "nowait: counts"; }
client --to 127.0.0.1:$f_PORT --route api -n 3 --closed-loop --timeout 1s ||
	{ show; fail "a route's nowait forward did not answer at once"; }
# without nowait the same wait is a timeout: the sleep is real
client --to 127.0.0.1:$f_PORT -F "127.0.0.1:$t_PORT,route=slow" -R -n 1 --timeout 1s &&
	fail "an awaited 2 s forward answered within 1 s"
grep -q 'timeout: 1' "$TMP/out" || { show; fail "awaited forward: no timeout counted"; }
# the target ran all 4 + 3 + 1 forwarded requests (the sleeps end within 3 s)
sleep 2.5
stop_node t
stop_node f
[ "$(stat t replies)" = 8 ] || { cat "$TMP/t.stats" >&2; fail "target replies: $(stat t replies), expected 8"; }
[ "$(stat f forward_failures)" = 0 ] || fail "forward failures at f: $(stat f forward_failures)"

# Traced, the nowait forward's CLIENT span ends at the send and the target's
# SERVER span after it; meshwalk import fits such a call back as nowait (and
# the COMPUTE as the time asked: the spans are meshwalk's own).
start_node tt --trace-out "$TMP/tt.jsonl" --service-name log --route "slow=--sleep 50ms -R"
start_node tf --trace-out "$TMP/tf.jsonl" --service-name app \
	--route "api=-C 100us -F 127.0.0.1:$tt_PORT,route=slow,nowait -R 10"
client --to 127.0.0.1:$tf_PORT --route api -n 5 --closed-loop --trace-sample 1 --trace-out "$TMP/tc.jsonl" -q ||
	{ show; fail "traced nowait client"; }
sleep 0.3
stop_node tf
stop_node tt
cat "$TMP/tc.jsonl" "$TMP/tf.jsonl" "$TMP/tt.jsonl" >"$TMP/all.jsonl"
"$MESHWALK" import -o "$TMP/fit.yaml" "$TMP/all.jsonl" 2>"$TMP/err" || { cat "$TMP/err"; fail "import of the traced run"; }
grep -q '^      api: "-C 100us -F {log},route=slow,nowait' "$TMP/fit.yaml" ||
	{ cat "$TMP/fit.yaml" >&2; fail "the fire-and-forget call is not fitted as nowait"; }

bad() { client "$@" && fail "accepted: $*"; grep -q "nowait waits for no reply" "$TMP/err" || { show; fail "message: $*"; }; }
bad --to 127.0.0.1:1 -F 127.0.0.1:1,nowait,nack=1 -R -n 1
bad --to 127.0.0.1:1 -F 127.0.0.1:1,nowait,retry=1 -R -n 1
exit 0
