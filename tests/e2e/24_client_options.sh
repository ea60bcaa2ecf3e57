#!/usr/bin/env bash
# 24_client_options: DistWalk's --nano, --stag-send and --conn-times.
. "$(dirname "$0")/lib.sh"
start_node n1

# --stag-send: with 4 threads at a 10 ms period, thread i starts i x 2.5 ms late.
client --to 127.0.0.1:$n1_PORT --nt 4 -n 5 -p 10ms --stag-send -q --csv "$TMP/s.csv" || { show; fail "stag run"; }
for i in 0 1 2 3; do
	first=$(awk -F, -v t=$i '$1 == t && $3 == 0 { print $4 }' "$TMP/s.csv")
	assert_eq "thread $i first intended time" "$(awk -v i=$i 'BEGIN { printf "%.3f", i * 2500 }')" "$first"
done
# Without it, every thread starts at 0.
client --to 127.0.0.1:$n1_PORT --nt 4 -n 2 -p 10ms -q --csv "$TMP/s0.csv" || fail "unstaggered run"
assert_eq "unstaggered starts" "0.000 0.000 0.000 0.000" \
	"$(awk -F, '$3 == 0 { print $4 }' "$TMP/s0.csv" | xargs)"

# --nano: per-request lines in ns; the values are 1000x the us ones of the CSV.
client --to 127.0.0.1:$n1_PORT -n 3 -r 100 --nano --csv "$TMP/n.csv" || fail "nano run"
lines=$(grep -cE '^t: [0-9]+ ns, elapsed: [0-9]+ ns, req_id: [0-9], thr_id: 0, sess_id: 0$' "$TMP/out")
assert_eq "nano lines" 3 "$lines"
t2=$(sed -n 's/^t: \([0-9]*\) ns, .*req_id: 2,.*/\1/p' "$TMP/out")
assert_eq "t of request 2 in ns" 20000000 "$t2"

# --conn-times: one conn line per session, and a connect object in the JSON.
client --to 127.0.0.1:$n1_PORT --nt 2 --ns 3 -n 6 -r 200 --conn-times --json "$TMP/summary.json" || fail "conn-times run"
# DistWalk's line: req_id is the session's first request (sessions of 2).
assert_eq "conn lines" 6 "$(grep -cE '^conn_time: [0-9]+ us, req_id: [024], thr_id: [01], sess_id: [012]$' "$TMP/out")"
grep -q '"connect": {"count": 6,' "$TMP/summary.json" || fail "connect object: $(grep connect "$TMP/summary.json")"
grep -q '^connect() us:' "$TMP/out" || fail "connect summary row"
# Without it, no conn lines and no connect object.
client --to 127.0.0.1:$n1_PORT -n 2 -r 200 --json "$TMP/summary.json" || fail "plain run"
grep -q '^conn_time:' "$TMP/out" && fail "conn lines without --conn-times"
grep -q '"connect"' "$TMP/summary.json" && fail "connect object without --conn-times"
# --seed takes every 64-bit value exactly (2^53 + 1 has no double), and
# refuses one past the top
client --to 127.0.0.1:$n1_PORT -n 1 --seed 9007199254740993 || fail "a seed above 2^53"
grep -q 'seed 9007199254740993 ---' "$TMP/out" || { cat "$TMP/out"; fail "the seed above 2^53 was rounded"; }
client --to 127.0.0.1:$n1_PORT -n 1 --seed 18446744073709551615 || fail "the largest seed"
grep -q 'seed 18446744073709551615 ---' "$TMP/out" || { cat "$TMP/out"; fail "the largest seed was changed"; }
"$MESHWALK" client --to 127.0.0.1:$n1_PORT -n 1 --seed 18446744073709551616 2>"$TMP/e" >/dev/null
assert_eq "a seed past 2^64 - 1: usage error" 2 $?
grep -q "expected a whole number in 0..18446744073709551615, got '18446744073709551616'" "$TMP/e" ||
	{ cat "$TMP/e"; fail "the seed past 2^64 - 1 is not named"; }
stop_node n1
echo ok
