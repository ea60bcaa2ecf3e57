# --auth-key-file: requests, forwards and replies carry an HMAC; whatever lacks
# the right one is refused (TCP) or dropped (UDP), counted, and never counted
# as a success by the client.
. "$(dirname "$0")/lib.sh"
head -c 32 /dev/urandom >"$TMP/key"; chmod 600 "$TMP/key"
head -c 32 /dev/urandom >"$TMP/other"; chmod 600 "$TMP/other"
start_node b --auth-key-file "$TMP/key"
start_node a --auth-key-file "$TMP/key"
start_node plain
start_node u -b udp://127.0.0.1:0 --auth-key-file "$TMP/key"

client --to 127.0.0.1:$a_PORT --auth-key-file "$TMP/key" -F 127.0.0.1:$b_PORT -C 10 -R 10k -n 20 --closed-loop --ps 2k ||
	{ show; fail "authenticated chain"; }
client --to udp://127.0.0.1:$u_PORT --auth-key-file "$TMP/key" -n 10 --closed-loop || { show; fail "authenticated UDP"; }

# no key / wrong key: refused with the reason, connection closed; others unaffected
client --to 127.0.0.1:$a_PORT -n 3 --closed-loop && fail "unauthenticated request served"
grep -q "refused: node 127.0.0.1:$a_PORT: authentication required" "$TMP/err" || { show; fail "no-key message"; }
client --to 127.0.0.1:$a_PORT --auth-key-file "$TMP/other" -n 3 --closed-loop && fail "wrong key served"
grep -q "authentication failed (wrong key)" "$TMP/err" || { show; fail "wrong-key message"; }
# a keyed client does not trust replies from a node without the key
client --to 127.0.0.1:$plain_PORT --auth-key-file "$TMP/key" -n 2 --closed-loop && fail "unauthenticated reply accepted"
grep -q "a reply failed authentication" "$TMP/err" || { show; fail "client-side check"; }
# a keyed node does not trust a forward target without the key
client --to 127.0.0.1:$a_PORT --auth-key-file "$TMP/key" -F 127.0.0.1:$plain_PORT -n 1 && fail "unauthenticated forward reply"
grep -q "reply failed authentication" "$TMP/err" || { show; fail "forward check"; }
# UDP without the key: silently dropped (no amplification), so a timeout
client --to udp://127.0.0.1:$u_PORT -n 2 --closed-loop --timeout 300ms && fail "unauthenticated datagram served"
grep -q "timeout" "$TMP/out" || { show; fail "UDP drop"; }
client --to 127.0.0.1:$a_PORT --auth-key-file "$TMP/key" -n 5 --closed-loop || { show; fail "a keyed client after the refusals"; }
stop_node a; stop_node b; stop_node u; stop_node plain
assert_eq "a: auth failures" 3 "$(stat a auth_failures)" # no key, wrong key, plain's reply
assert_eq "b: every forward authentic" 0 "$(stat b auth_failures)"
assert_eq "b: forwards served" 20 "$(stat b replies)"
assert_eq "u: datagrams dropped" 2 "$(stat u auth_failures)"
# key files: mode and size are checked
chmod 644 "$TMP/key"
"$MESHWALK" node --auth-key-file "$TMP/key" 2>"$TMP/err"; assert_eq "world-readable key" 2 $?
grep -q "readable by others (mode 644): chmod 600 it" "$TMP/err" || fail "mode message: $(cat "$TMP/err")"
printf 'short' >"$TMP/short"; chmod 600 "$TMP/short"
client --auth-key-file "$TMP/short" -n 1; assert_eq "short key" 2 $?
exit 0
