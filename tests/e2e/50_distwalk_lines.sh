# The paper's dw_client command lines work as written (node names replaced by
# 127.0.0.1:port). The chain keeps two nodes 100% busy (2 x 100 ms at 10/s), so
# it runs alone; the other three run side by side to keep the test short.
. "$(dirname "$0")/lib.sh"
for n in n0 n1 n2 n3 lb ramp; do start_node $n; done
N0=127.0.0.1:$n0_PORT N1=127.0.0.1:$n1_PORT N2=127.0.0.1:$n2_PORT N3=127.0.0.1:$n3_PORT

run() { # name args...
	local name=$1
	shift
	timeout -k 5 120 "$MESHWALK" client "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}
run chain --to $N1 -C 100ms -F $N2 -C 100ms -n 100 -r 10
run quorum --to $N0 -F $N1,$N2,$N3,nack=2 -C 1ms -r 5 -n 30 &
runs=($!)
run lb --to 127.0.0.1:$lb_PORT -C unif:min=1k,max=10k -r 50 -n 400 --ns 5 &
runs+=($!)
run ramp --to 127.0.0.1:$ramp_PORT -C 10ms -n 1000 -r aseq:min=2,max=100,step=2 --rss 1 &
runs+=($!)
wait "${runs[@]}" # not a bare `wait`: the nodes are children too
for name in chain quorum lb ramp; do
	[ "$(cat "$TMP/$name.rc")" = 0 ] || { tail "$TMP/$name.out" "$TMP/$name.err"; fail "$name exit $(cat "$TMP/$name.rc")"; }
done
grep -qx 'Sent pkts - success: 100, error: 0, timeout: 0, thr_id: 0' "$TMP/chain.out" || fail chain
grep -qx 'Sent pkts - success: 30, error: 0, timeout: 0, thr_id: 0' "$TMP/quorum.out" || fail quorum
grep -qx 'Sent pkts - success: 400, error: 0, timeout: 0, thr_id: 0' "$TMP/lb.out" || fail lb
grep -qx 'Sent pkts - success: 1000, error: 0, timeout: 0, thr_id: 0' "$TMP/ramp.out" || fail ramp
# chain: every request took both 100 ms computes
min=$(sed -n 's/.*elapsed: \([0-9]*\) us.*/\1/p' "$TMP/chain.out" | sort -n | head -n 1)
[ "$min" -ge 200000 ] || fail "chain min latency ${min}us < 200ms"
# lb: 5 sessions of 80 requests each
for s in 0 1 2 3 4; do
	assert_eq "lb session $s" 80 "$(grep -c "sess_id: $s\$" "$TMP/lb.out")"
done
# ramp: the rate steps up by 2 req/s each second: requests sent in second k grow with k
awk '/^t: / { s = int($2 / 1000000); c[s]++ } END { exit !(c[2] < c[10] && c[10] < c[20]) }' "$TMP/ramp.out" ||
	fail "ramp did not ramp"
for n in n0 n1 n2 n3 lb ramp; do stop_node $n; done
assert_eq "quorum: n3 ran every forward" 30 "$(stat n3 requests)"
assert_eq "lb sessions" 5 "$(stat lb accepted)"
exit 0
