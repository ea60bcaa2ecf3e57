# FORWARD chains, quorums and branches, checked through each node's counters.
. "$(dirname "$0")/lib.sh"
start_node a
start_node b
start_node c
start_node d

# A 3-hop chain: a -> b -> c, a COMPUTE on each.
client --to 127.0.0.1:$a_PORT -C 1ms -F 127.0.0.1:$b_PORT -C 1ms -F 127.0.0.1:$c_PORT -C 1ms \
	-n 20 -r 100 -q || { show; fail "chain"; }
min=$(grep -oE 'min [0-9.]+' "$TMP/out" | head -n 1 | cut -d' ' -f2)
awk -v m="$min" 'BEGIN { exit !(m >= 3000) }' || fail "3 x 1ms chain answered in ${min}us"

# Parallel forward to 3 targets, same sub-program, wait for all (default).
client --to 127.0.0.1:$a_PORT -F 127.0.0.1:$b_PORT,127.0.0.1:$c_PORT,127.0.0.1:$d_PORT -C 1ms \
	-n 10 -r 100 -q || { show; fail "fan-out"; }
stop_node a
stop_node b
stop_node c
stop_node d
assert_eq "a requests" 30 "$(stat a requests)"
assert_eq "a forwards" 50 "$(stat a forwards)"
# no TLS forward, no TLS client context made (an SSL_CTX costs milliseconds)
assert_eq "a's TLS client contexts" 0 "$(stat a tls_client_contexts)"
assert_eq "b requests" 30 "$(stat b requests)"
assert_eq "b forwards (chain only)" 20 "$(stat b forwards)"
assert_eq "c requests" 30 "$(stat c requests)"
assert_eq "d requests" 10 "$(stat d requests)"
assert_eq "d computes" 10 "$(stat d computes)"
assert_eq "a computes (chain only)" 20 "$(stat a computes)"
# Forward connections are pooled: one per target per worker, not per request.
assert_eq "b accepted (pooled)" 1 "$(stat b accepted)"
assert_eq "d accepted (pooled)" 1 "$(stat d accepted)"

# Quorum with one slow replica: nack=1 does not wait for it, nack=3 does.
start_node g
start_node r1
start_node r2
start_node r3
slow() { # NACK: three branches, the third replica 100 ms slow
	echo "-F 127.0.0.1:$r1_PORT,branch,nack=$1 -C 200us -R -F 127.0.0.1:$r2_PORT,branch -C 200us -R -F 127.0.0.1:$r3_PORT,branch -C 100ms -R"
}
client --to 127.0.0.1:$a_PORT 2>/dev/null # (a is stopped: must fail fast)
[ $? -eq 1 ] || fail "client to a stopped node must exit 1"
client --to 127.0.0.1:$g_PORT $(slow 1) -n 10 -r 5 --json "$TMP/summary.json" -q ||
	{ show; fail "nack=1"; }
p99_q1=$(grep -o '"latency": {[^}]*' "$TMP/summary.json" | grep -oE '"p99": [0-9.]+' | cut -d' ' -f2)
client --to 127.0.0.1:$g_PORT $(slow 3) -n 10 -r 5 --json "$TMP/summary.json" -q ||
	{ show; fail "nack=3"; }
p50_q3=$(grep -o '"latency": {[^}]*' "$TMP/summary.json" | grep -oE '"p50": [0-9.]+' | cut -d' ' -f2)
awk -v a="$p99_q1" 'BEGIN { exit !(a < 50000) }' || fail "nack=1 p99 ${p99_q1}us waited for the slow replica"
awk -v b="$p50_q3" 'BEGIN { exit !(b >= 100000) }' || fail "nack=3 p50 ${p50_q3}us did not wait for the slow replica"
stop_node g
stop_node r1
stop_node r2
stop_node r3
# every branch ran its own sub-program exactly once per request
assert_eq "r1 computes" 20 "$(stat r1 computes)"
assert_eq "r3 computes" 20 "$(stat r3 computes)"
assert_eq "g forwards" 60 "$(stat g forwards)"
assert_eq "g computes (none local)" 0 "$(stat g computes)"
exit 0
