#!/usr/bin/env bash
# 21_compute_wset: COMPUTE with a working set (-C TIME,ws=SIZE). A node that
# runs -C 1ms,ws=64m has its resident set grown by about 64 MB (every page of
# the worker's buffer is written), one without ws= does not; the same from a
# route installed on the node and from a scenario's route; bad values are
# refused with a message naming ws; a working set over the node's
# --max-working-set is refused per request and allocates nothing; a traced
# COMPUTE span carries meshwalk.working_set, which meshwalk import gives back.
# (No timing is asserted.)
. "$(dirname "$0")/lib.sh"

# VmRSS of a process, kB (a number, or the test fails: no vacuous pass)
rss() {
	RSS=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9][0-9]*\) kB$/\1/p' "/proc/$1/status")
	[ -n "$RSS" ] || fail "no VmRSS for process $1"
}

# without ws=: no buffer
start_node plain
rss "$plain_PID"; before=$RSS
client --to 127.0.0.1:$plain_PORT -C 1ms -n 5 -r 100 || { show; fail "plain COMPUTE"; }
rss "$plain_PID"; grew=$((RSS - before))
[ "$grew" -lt 16000 ] || fail "a COMPUTE without ws= grew the node by $grew kB"
stop_node plain

# ws=64m: 64,000,000 bytes = 62500 kB, touched at once, kept for later requests
start_node big
rss "$big_PID"; before=$RSS
client --to 127.0.0.1:$big_PORT -C 1ms,ws=64m -n 3 -r 100 || { show; fail "ws=64m"; }
grep -q 'COMPUTE(1000us,ws=64000000' "$TMP/out" || { show; fail "request template lacks ws="; }
rss "$big_PID"; grew=$((RSS - before))
# (a sanitizer's shadow memory grows with it: ThreadSanitizer's about doubles it)
hi=95000
[ -n "${SANITIZER:-}" ] && hi=200000
[ "$grew" -ge 60000 ] && [ "$grew" -le $hi ] || fail "ws=64m grew the node by $grew kB"
# a smaller working set reuses the buffer: no growth
client --to 127.0.0.1:$big_PORT -C exp:500us,ws=1m -n 3 -r 100 || { show; fail "ws=1m"; }
rss "$big_PID"; grew2=$((RSS - before))
[ "$grew2" -le $((grew + 4000)) ] || fail "ws=1m after ws=64m grew the node to $grew2 kB"
stop_node big
assert_eq "computes" 6 "$(stat big computes)"

# over the node's --max-working-set (default 64 MiB): refused, nothing allocated
start_node lim
rss "$lim_PID"; before=$RSS
client --to 127.0.0.1:$lim_PORT -C 1ms,ws=100m -n 2 -r 100
[ $? -ne 0 ] || { show; fail "ws=100m over the default limit succeeded"; }
grep -q "exceeds this node's limit of 67108864 bytes (--max-working-set)" "$TMP/err" ||
	{ show; fail "ws=100m: no limit message"; }
rss "$lim_PID"; grew=$((RSS - before))
[ "$grew" -lt 16000 ] || fail "a refused ws=100m grew the node by $grew kB"
stop_node lim
assert_eq "limit violations" 2 "$(stat lim limit_violations)"
# ...and a route's working set is checked against it on every request
start_node limrt --route 'w=-C 1ms,ws=100m -R 100'
client --to 127.0.0.1:$limrt_PORT --route w -n 1 -r 100
[ $? -ne 0 ] || { show; fail "route ws=100m over the default limit succeeded"; }
grep -q "route w: .*working set" "$TMP/err" || { show; fail "route ws=100m: no limit message"; }
stop_node limrt
# a node that allows more runs it
start_node hi --max-working-set 128m
client --to 127.0.0.1:$hi_PORT -C 1ms,ws=100m -n 1 -r 100 || { show; fail "ws=100m under --max-working-set 128m"; }
stop_node hi
"$MESHWALK" node -b 127.0.0.1:0 --max-working-set 2g >/dev/null 2>"$TMP/err"
assert_eq "node --max-working-set 2g" 2 $?
grep -q "max-working-set" "$TMP/err" || fail "--max-working-set 2g: $(cat "$TMP/err")"

# from a route installed on the node
start_node rt --route 'w=-C 1ms,ws=32m -R 100'
rss "$rt_PID"; before=$RSS
client --to 127.0.0.1:$rt_PORT --route w -n 2 -r 100 || { show; fail "route w"; }
rss "$rt_PID"; grew=$((RSS - before))
[ "$grew" -ge 30000 ] || fail "route with ws=32m grew the node by $grew kB"
stop_node rt

# a scenario's routes and client args take it too
cat >"$TMP/ws.yaml" <<'Y'
name: wset
services:
  db:
    routes:
      get: "-C 200us,ws=4m"
clients:
  - name: c
    to: "{db}"
    route: get
    args: "-n 1"
  - name: d
    to: "{db}"
    args: "-C emp:100us,200us,ws=32ki -n 1"
Y
"$MESHWALK" run --check "$TMP/ws.yaml" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "scenario with ws="; }

# bad values: usage errors naming ws
for bad in "1ms,ws=0" "1ms,ws=2gi" "1ms,ws=exp:4m" "1ms,ws=" "ws=4m" "1ms,ws=4m,ws=8m"; do
	"$MESHWALK" client --to 127.0.0.1:1 -C "$bad" -n 1 >/dev/null 2>"$TMP/err"
	assert_eq "client -C $bad" 2 $?
	grep -q "ws" "$TMP/err" || fail "-C $bad: $(cat "$TMP/err")"
done
timeout -k 2 20 "$MESHWALK" node -b 127.0.0.1:0 --route 'x=-C 1ms,ws=2g' >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 130 ] || fail "node --route with ws=2g: exit $rc"
grep -q "working set" "$TMP/err" || fail "node --route ws=2g: $(cat "$TMP/err")"
sed 's/ws=4m/ws=3gi/' "$TMP/ws.yaml" >"$TMP/bad.yaml"
"$MESHWALK" run --check "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"
assert_eq "scenario route ws=3gi" 2 $?
grep -q "working set" "$TMP/err" || fail "scenario ws=3gi: $(cat "$TMP/err")"

# a traced COMPUTE carries its working set (meshwalk.working_set), one without
# ws= does not
start_node traced --trace-out "$TMP/traced.jsonl"
client --to 127.0.0.1:$traced_PORT -C 100us,ws=1m -C 50us -n 2 -r 100 --trace-sample 1 ||
	{ show; fail "traced ws=1m"; }
stop_node traced
grep -o '"name":"COMPUTE"[^]]*]' "$TMP/traced.jsonl" >"$TMP/computes"
assert_eq "traced COMPUTE spans" 4 "$(wc -l <"$TMP/computes")"
assert_eq "COMPUTE spans with a working set" 2 \
	"$(grep -c '"key":"meshwalk.working_set","value":{"intValue":"1000000"}' "$TMP/computes")"
# ... and meshwalk import gives the clone's COMPUTE that working set back
"$MESHWALK" import -o "$TMP/clone.yaml" "$TMP/traced.jsonl" 2>"$TMP/err" || { cat "$TMP/err"; fail "import of the traced run"; }
grep -q '^      request: "-C 150us,ws=1m -R' "$TMP/clone.yaml" || { cat "$TMP/clone.yaml"; fail "the clone's working set"; }
exit 0
