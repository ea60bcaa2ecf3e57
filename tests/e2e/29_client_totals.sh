#!/usr/bin/env bash
# 29_client_totals: the client's summary names a udp:// target with its
# scheme (text and JSON), and when DistWalk's "Sent pkts" lines count lost or
# unsent requests under "error", the summary's requests line says so, and the
# two sets of numbers add up.
. "$(dirname "$0")/lib.sh"

start_node U -b udp://127.0.0.1:0
timeout -k 5 30 "$MESHWALK" client --to "udp://127.0.0.1:$U_PORT" -n 20 --closed-loop -q --json "$TMP/u.json" >"$TMP/out" 2>"$TMP/err" ||
	{ show; fail "udp client failed"; }
grep -q "^--- meshwalk client summary: udp://127.0.0.1:$U_PORT," "$TMP/out" || { show; fail "summary lost the udp:// scheme"; }
grep -q "\"target\": \"udp://127.0.0.1:$U_PORT\"" "$TMP/u.json" || fail "JSON target lost the udp:// scheme"
timeout -k 5 30 "$MESHWALK" client --to "127.0.0.1:$U_PORT" -n 5 --closed-loop -q >"$TMP/out" 2>"$TMP/err" || fail "tcp client failed"
grep -q "^--- meshwalk client summary: 127.0.0.1:$U_PORT," "$TMP/out" || { show; fail "tcp target printed differently"; }

# Interrupted: requests left unsent. DistWalk's line counts them as errors.
start_node T
timeout -k 5 60 "$MESHWALK" client --to "127.0.0.1:$T_PORT" -n 100000 -r 2000 >"$TMP/out" 2>"$TMP/err" &
pid=$!
slowwait 10 grep -q 'req_id: 20,' "$TMP/out" || fail "client did not start"
kill -INT $pid
wait $pid
assert_eq "interrupted client" 130 "$?"
line=$(grep '^requests: sent' "$TMP/out") || { show; fail "no summary"; }
unsent=$(sed -n 's/.*unsent \([0-9][0-9]*\).*/\1/p' <<<"$line")
lost=$(sed -n 's/.*lost \([0-9][0-9]*\).*/\1/p' <<<"$line")
errors=$(sed -n 's/.*errors \([0-9]*\).*/\1/p' <<<"$line")
[ "$unsent" -gt 0 ] || fail "nothing unsent after an interrupt: $line"
grep -q 'the Sent pkts lines count lost and unsent under error' <<<"$line" || fail "summary does not spell out the difference: $line"
dw=$(sed -n 's/^Sent pkts - success: [0-9]*, error: \([0-9]*\),.*/\1/p' "$TMP/out")
assert_eq "Sent pkts error = errors + lost + unsent" "$((errors + lost + unsent))" "$dw"

# Nothing lost or unsent: the line stays as it was.
timeout -k 5 30 "$MESHWALK" client --to "127.0.0.1:$T_PORT" -n 5 --closed-loop >"$TMP/out" 2>&1 || fail "plain client failed"
grep -q 'Sent pkts lines count' "$TMP/out" && fail "note printed without a difference"
echo "client totals agree and name the transport"
