# --net-delay: user-space link delay. Each check is a lower bound that only
# the delay can explain (loopback round trips here take well under 1 ms),
# or the absence of a delay far larger than any scheduling noise.
. "$(dirname "$0")/lib.sh"

# min_latency: the smallest intended-send-to-reply latency of the last run, us.
min_latency() {
	grep -oE 'min [0-9.]+' "$TMP/out" | head -n 1 | cut -d' ' -f2
}
at_least() { # WHAT MIN_US ACTUAL_US
	awk -v a="$3" -v m="$2" 'BEGIN { exit !(a >= m) }' || fail "$1: ${3}us, expected at least ${2}us"
}
below() { # WHAT MAX_US ACTUAL_US
	awk -v a="$3" -v m="$2" 'BEGIN { exit !(a < m) }' || fail "$1: ${3}us, expected below ${2}us"
}

# Every reply of a node with a catch-all rule is held for it.
start_node held --net-delay 3ms
client --to 127.0.0.1:$held_PORT -n 50 -r 200 -q || { show; fail "held run"; }
at_least "3ms catch-all" 3000 "$(min_latency)"
grep -qE 'ok 50,' "$TMP/out" || { show; fail "held: not every reply"; }

# A rule for other peers leaves this client alone; rules that apply add up.
start_node picky -b 127.0.0.21:0 --net-delay 127.0.0.99=400ms --net-delay 127.0.0.1=2ms \
	--net-delay 127.0.0.0/8=1ms
client --to 127.0.0.21:$picky_PORT -n 20 -r 100 -q || { show; fail "picky run"; }
at_least "2ms + 1ms rules" 3000 "$(min_latency)"
below "400ms rule for another peer" 400000 "$(min_latency)"

# Forwards: a node on a loopback address of its own forwards from it, so the
# target's rule for that address delays its replies to it (and only to it),
# and the forwarder's rule for the target delays the forwarded request.
start_node down -b 127.0.0.22:0 --net-delay 127.0.0.23=40ms
start_node up -b 127.0.0.23:0 --net-delay "127.0.0.22:$down_PORT=30ms"
client --to 127.0.0.23:$up_PORT -F 127.0.0.22:$down_PORT -n 10 -r 50 -q || { show; fail "forward run"; }
at_least "30ms out + 40ms back" 70000 "$(min_latency)"
client --to 127.0.0.22:$down_PORT -n 10 -r 50 -q || { show; fail "direct run"; }
below "down's rule is for up only" 40000 "$(min_latency)"

# Replies on one connection stay in order and none is lost, even with jitter
# much larger than the gap between requests (pipelined, 4 in flight).
client --to 127.0.0.1:$held_PORT -n 400 -r 4000 -q || { show; fail "pipelined run"; }
grep -qE 'ok 400,' "$TMP/out" || { show; fail "pipelined: not every reply"; }
stop_node held
assert_eq "held replies" 450 "$(stat held replies)"

# Bad rules are start-up errors naming the option.
"$MESHWALK" node -q --net-delay soon 2>"$TMP/e"; assert_eq "bad spec exit" 2 $?
grep -q -- "--net-delay: delay 'soon'" "$TMP/e" || { cat "$TMP/e"; fail "bad spec message"; }
"$MESHWALK" node -q --net-delay 10.0.0.0/40=1ms 2>"$TMP/e"; assert_eq "bad peers exit" 2 $?
grep -q -- "--net-delay" "$TMP/e" || { cat "$TMP/e"; fail "bad peers message"; }
exit 0
