# Safe defaults: forwards only to lab addresses unless --allow-forward says
# otherwise; node limits answer with an error reply, count it, and keep the
# connection; --max-conns closes what is over the limit.
. "$(dirname "$0")/lib.sh"
start_node b
start_node c
start_node a
# default: loopback is fine; public, private and link-local (metadata) targets
# are refused before any packet leaves (the node never even connects)
client --to 127.0.0.1:$a_PORT -F 127.0.0.1:$b_PORT -n 2 --closed-loop || { show; fail "loopback forward"; }
client --to 127.0.0.1:$a_PORT -F 8.8.8.8:53 -n 2 --closed-loop --json "$TMP/summary.json" && fail "public forward allowed"
grep -q "refused: node 127.0.0.1:$a_PORT: forward to 8.8.8.8:53 refused: not in the default --allow-forward (loopback only)" "$TMP/err" ||
	{ show; fail "refusal message"; }
assert_eq "refused requests are errors" 2 "$(json errors)"
client --to 127.0.0.1:$a_PORT -F 169.254.169.254:80 -n 1 && fail "metadata address allowed"
client --to 127.0.0.1:$a_PORT -F 10.1.2.3:9 -n 1 && fail "private address allowed by default"
client --to 127.0.0.1:$a_PORT -F '[fd00:ec2::254]:80' -n 1 && fail "IPv6 metadata address allowed"
client --to 127.0.0.1:$a_PORT -F '[::ffff:8.8.8.8]:53' -n 1 && fail "mapped public address allowed"
# one refused target refuses the whole forward, even with nack=1
client --to 127.0.0.1:$a_PORT -F 127.0.0.1:$b_PORT,8.8.4.4:53,nack=1 -n 1 && fail "mixed targets allowed"
stop_node a
assert_eq "forward_refused" 7 "$(stat a forward_refused)"
assert_eq "nothing forwarded to the public targets" 2 "$(stat a forwards)"

# explicit list: only b's port; the default ranges no longer apply
start_node g --allow-forward 127.0.0.1:$b_PORT
client --to 127.0.0.1:$g_PORT -F 127.0.0.1:$b_PORT -n 2 --closed-loop || { show; fail "allowed target"; }
client --to 127.0.0.1:$g_PORT -F 127.0.0.1:$c_PORT -n 1 && fail "target outside --allow-forward"
grep -q "forward to 127.0.0.1:$c_PORT refused: not in --allow-forward" "$TMP/err" || { show; fail "explicit refusal"; }
stop_node g
# any, private, prefixes: never link-local or a metadata address unless named
# exactly (refused, so nothing is sent to them)
start_node h --allow-forward any --allow-forward private,169.254.0.0/16,fd00::/8,64:ff9b::/96
for t in 169.254.169.254:80 '[fd00:ec2::254]:80' '[fd20:ce::254]:80' '[fe80::1]:80' \
	'[::ffff:169.254.169.254]:80' '[64:ff9b::a9fe:a9fe]:80' 100.100.100.200:80; do
	client --to 127.0.0.1:$h_PORT -F "$t" -n 1 && fail "special target $t allowed by a wide rule"
	grep -q "refused: link-local and cloud metadata addresses must be named exactly in --allow-forward" "$TMP/err" || { show; fail "refusal of $t"; }
done
client --to 127.0.0.1:$h_PORT -F 127.0.0.1:$b_PORT -n 1 || { show; fail "any: loopback"; }
stop_node h
assert_eq "special targets refused" 7 "$(stat h forward_refused)"
"$MESHWALK" node --allow-forward privat 2>"$TMP/err"; assert_eq "unknown word" 2 $?
grep -q "unknown word 'privat'" "$TMP/err" || fail "unknown word message: $(cat "$TMP/err")"
"$MESHWALK" node --allow-forward 10.0.0.0/33 2>"$TMP/err"; assert_eq "bad --allow-forward" 2 $?
grep -q "allow-forward: '/33': expected a prefix length from 0 to 32" "$TMP/err" || fail "bad list message: $(cat "$TMP/err")"

# limits: error replies on the same connection, counted
start_node l --max-compute 1ms --max-fanout 2 --max-depth 1
client --to 127.0.0.1:$l_PORT -C 2ms -n 3 --closed-loop --json "$TMP/summary.json" && fail "COMPUTE over --max-compute ran"
grep -q "node limit exceeded: node 127.0.0.1:$l_PORT: COMPUTE of 2000 us exceeds this node's limit of 1000 us" "$TMP/err" ||
	{ show; fail "compute limit message"; }
assert_eq "all three answered (connection kept)" 3 "$(json errors)"
assert_eq "none lost" 0 "$(json lost)"
client --to 127.0.0.1:$l_PORT -F 127.0.0.1:$b_PORT,127.0.0.1:$b_PORT,127.0.0.1:$c_PORT -n 1 && fail "fan-out over the limit"
grep -q "node limit exceeded" "$TMP/err" || { show; fail "fan-out message"; }
client --to 127.0.0.1:$l_PORT -F 127.0.0.1:$b_PORT -F 127.0.0.1:$c_PORT -n 1 && fail "depth over the limit"
client --to 127.0.0.1:$l_PORT -C 500us -F 127.0.0.1:$b_PORT -C 5ms -n 2 --closed-loop || { show; fail "within limits (a sub-program's COMPUTE is b's business)"; }
stop_node l
assert_eq "limit violations" 5 "$(stat l limit_violations)"
assert_eq "not malformed" 0 "$(stat l malformed)"

# frames beyond --max-frame-size / programs beyond --max-prog-size: refused,
# their bytes skipped, the connection kept
start_node f --max-frame-size 1k --max-prog-size 64
client --to 127.0.0.1:$f_PORT --ps 2000 -n 3 --closed-loop --json "$TMP/summary.json" && fail "oversized frame served"
grep -q "node limit exceeded: node 127.0.0.1:$f_PORT: frame length 2000 above the limit 1000" "$TMP/err" ||
	{ show; fail "frame limit message"; }
assert_eq "frames answered, connection kept" 3 "$(json errors)"
assert_eq "none lost" 0 "$(json lost)"
client --to 127.0.0.1:$f_PORT -C 1 -C 1 -C 1 -C 1 -C 1 -C 1 -C 1 -C 1 -n 2 --closed-loop && fail "oversized program ran"
grep -q "program length [0-9]* above the limit 64" "$TMP/err" || { show; fail "program limit message"; }
client --to 127.0.0.1:$f_PORT --ps 1000 -C 1 -n 3 --closed-loop || { show; fail "within the limits"; }
stop_node f
assert_eq "frame/program limit violations" 5 "$(stat f limit_violations)"
assert_eq "not malformed" 0 "$(stat f malformed)"

# --max-conns 2: a third concurrent connection is closed at once
start_node m --max-conns 2
client --to 127.0.0.1:$m_PORT --nt 3 -n 10 -r 50 --json "$TMP/summary.json" && fail "three connections served"
assert_eq "two threads served" 20 "$(json ok)"
stop_node m
assert_eq "refused_conns" 1 "$(stat m refused_conns)"
exit 0
