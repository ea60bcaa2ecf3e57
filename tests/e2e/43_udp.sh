# UDP: one datagram per request and reply, UDP's size limit enforced on both
# sides, garbage dropped and counted, forwards from a UDP node over TCP.
. "$(dirname "$0")/lib.sh"
ok() { client "$@" || { show; fail "client $* exited $?"; }; }

start_node u --nt 2 -b udp://127.0.0.1:0
start_node t # a TCP node behind it
grep -q "listening on 127.0.0.1:$u_PORT UDP and TCP" "$TMP/u.log" || fail "start line: $(cat "$TMP/u.log")"
ok --to udp://127.0.0.1:$u_PORT -n 200 -r 2000 -C 10 --nt 3 --csv "$TMP/r.csv"
assert_eq "UDP replies" 600 "$(grep -c ',ok$' "$TMP/r.csv")"
# sizes up to the limit go through (loopback is loss-free)
ok --to udp://127.0.0.1:$u_PORT -n 5 --ps 65507 -R 65507
# a forward from the UDP node travels over TCP
ok --to udp://127.0.0.1:$u_PORT -n 10 -F 127.0.0.1:$t_PORT -C 100 -R
# too large: the client refuses to send, the node refuses to reply
client --to udp://127.0.0.1:$u_PORT -n 3 --ps 65508 && fail "oversized request sent"
grep -q "request frame of 65508 bytes exceeds UDP's 65507-byte datagram limit" "$TMP/err" || { show; fail "client limit message"; }
client --to udp://127.0.0.1:$u_PORT -n 3 -R 65508 && fail "oversized reply accepted"
grep -q "node limit exceeded: .*reply of 65508 bytes exceeds UDP's 65507-byte datagram limit" "$TMP/err" || { show; fail "node limit message"; }
client --to udp://127.0.0.1:$u_PORT -n 1 -R sendfile,100 && fail "sendfile over UDP"
grep -q "sendfile replies need a TCP connection" "$TMP/err" || { show; fail "sendfile message"; }
# garbage and a truncated frame: dropped, logged, counted; the node goes on
printf 'garbage!' >/dev/udp/127.0.0.1/$u_PORT
printf '\x4d\x57\x01\x01\x40\x00\x00\x00' >/dev/udp/127.0.0.1/$u_PORT
ok --to udp://127.0.0.1:$u_PORT -n 5
stop_node u
stop_node t
assert_eq "requests seen" $((600 + 5 + 10 + 3 + 1 + 5)) "$(stat u requests)"
assert_eq "malformed datagrams" 2 "$(stat u malformed)"
assert_eq "forwards" 10 "$(stat t requests)"
grep -q "UDP datagram from 127.0.0.1:[0-9]* dropped: datagram of 8 bytes is shorter than a frame header" "$TMP/u.log" ||
	fail "no drop line: $(cat "$TMP/u.log")"
# nobody there: ICMP port unreachable surfaces as connection refused
client --to udp://127.0.0.1:$u_PORT -n 2 --timeout 2s && fail "UDP to a closed port succeeded"
grep -q "Connection refused" "$TMP/err" || { show; fail "closed port message"; }
exit 0
