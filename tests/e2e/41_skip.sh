# SKIP: the node skips the next n ops with a probability, on every m-th request.
. "$(dirname "$0")/lib.sh"
start_node n1
client --to 127.0.0.1:$n1_PORT -s 1 -C 20ms -n 10 -r 100 -q || { show; fail "skip 1"; }
grep -qE 'max [0-9.]+$' "$TMP/out"
max=$(grep '^latency' "$TMP/out" | grep -oE 'max [0-9.]+' | cut -d' ' -f2)
awk -v m="$max" 'BEGIN { exit !(m < 20000) }' || fail "skipped COMPUTE still ran (max ${max}us)"
client --to 127.0.0.1:$n1_PORT -s 1,every=2 -C 1ms -n 10 -r 100 -q || fail "every=2"
client --to 127.0.0.1:$n1_PORT -s 1,prob=0.5 -C 100us -n 400 -r 2000 -q || fail "prob=0.5"
stop_node n1
assert_eq "computes run (0 + 5 + ~200)" 1 "$(awk -v c="$(stat n1 computes)" 'BEGIN { print (c >= 5 + 150 && c <= 5 + 250) }')"
skipped=$(stat n1 skipped_ops)
assert_eq "skipped + run = all" 420 "$((skipped + $(stat n1 computes)))"
exit 0
