# COMPUTE runs on the node for the requested time; no request is faster than it.
. "$(dirname "$0")/lib.sh"
start_node n1
client --to 127.0.0.1:$n1_PORT -C 5ms -n 20 -r 50 || { show; fail "client exit $?"; }
stop_node n1
min=$(sed -n 's/.*elapsed: \([0-9]*\) us.*/\1/p' "$TMP/out" | sort -n | head -n 1)
[ "$min" -ge 5000 ] || fail "a 5ms COMPUTE answered in ${min}us"
assert_eq "node computes" 20 "$(stat n1 computes)"
ns=$(stat n1 compute_ns)
[ "$ns" -ge 100000000 ] || fail "compute_ns $ns < 20 x 5ms"
# a distribution: -C unif:min=1k,max=2k (us), ':' separators work too
start_node n2
client --to 127.0.0.1:$n2_PORT -C unif:min=1k:max=2k -n 30 -r 200 --seed 3 || { show; fail "unif"; }
stop_node n2
ns=$(stat n2 compute_ns)
[ "$ns" -ge 30000000 ] && [ "$ns" -le 70000000 ] || fail "unif 1-2ms x30 gave compute_ns $ns"
exit 0
