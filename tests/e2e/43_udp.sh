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
ok --to udp://127.0.0.1:$u_PORT -n 5 --closed-loop --ps 65507 -R 65507
# a forward from the UDP node travels over TCP
ok --to udp://127.0.0.1:$u_PORT -n 10 --closed-loop -F 127.0.0.1:$t_PORT -C 100 -R
# too large: the client refuses to send, the node refuses to reply
client --to udp://127.0.0.1:$u_PORT -n 3 --closed-loop --ps 65508 && fail "oversized request sent"
grep -q "request frame of 65508 bytes exceeds UDP's 65507-byte datagram limit" "$TMP/err" || { show; fail "client limit message"; }
client --to udp://127.0.0.1:$u_PORT -n 3 --closed-loop --ps 65507 -R 65508 && fail "oversized reply accepted"
grep -q "node limit exceeded: .*reply of 65508 bytes exceeds UDP's 65507-byte datagram limit" "$TMP/err" || { show; fail "node limit message"; }
# without a key, a reply larger than its request is refused (a forged source
# would make the node an amplifier); the error datagram is no larger either
python3 - "$u_PORT" >"$TMP/amp" <<'PY' || fail "amplification probe: $(cat "$TMP/amp")"
import socket, struct, sys
port = int(sys.argv[1])
# one op: REPLY of 60000 bytes (code 5, len 16, u64 size)
prog = struct.pack('<BBHIQ', 5, 0, 0, 16, 60000)
frame = struct.pack('<HBBIQHHI', 0x574d, 1, 1, 24 + len(prog), 7, 0, 0, len(prog)) + prog
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(frame, ('127.0.0.1', port))
data = s.recv(70000)
status = struct.unpack_from('<H', data, 16)[0]
print(len(frame), len(data), status)
assert len(data) <= len(frame), (len(data), len(frame))
assert status == 3, status
PY
ok --to udp://127.0.0.1:$u_PORT -n 2 --closed-loop --ps 1000 -R 1000
# (error texts are cut to the request size too: --ps leaves room for it)
client --to udp://127.0.0.1:$u_PORT -n 1 --ps 300 -R sendfile,100 && fail "sendfile over UDP"
grep -q "sendfile replies need a TCP connection" "$TMP/err" || { show; fail "sendfile message"; }
# garbage and a truncated frame: dropped, logged, counted; the node goes on
printf 'garbage!' >/dev/udp/127.0.0.1/$u_PORT
printf '\x4d\x57\x01\x01\x40\x00\x00\x00' >/dev/udp/127.0.0.1/$u_PORT
ok --to udp://127.0.0.1:$u_PORT -n 5 --closed-loop
stop_node u
stop_node t
assert_eq "requests seen" $((600 + 5 + 10 + 3 + 1 + 2 + 1 + 5)) "$(stat u requests)"
assert_eq "amplification refused" 1 "$(stat u udp_amplification_refused)"
assert_eq "malformed datagrams" 2 "$(stat u malformed)"
assert_eq "forwards" 10 "$(stat t requests)"
grep -q "UDP datagram from 127.0.0.1:[0-9]* dropped: datagram of 8 bytes is shorter than a frame header" "$TMP/u.log" ||
	fail "no drop line: $(cat "$TMP/u.log")"
# nobody there: ICMP port unreachable surfaces as connection refused
client --to udp://127.0.0.1:$u_PORT -n 2 --closed-loop --timeout 2s && fail "UDP to a closed port succeeded"
grep -q "Connection refused" "$TMP/err" || { show; fail "closed port message"; }
# overload: datagrams the kernel drops while the node cannot read are counted
start_node f -b udp://127.0.0.1:0
kill -STOP $f_PID
python3 - "$f_PORT" <<'PY'
import socket, struct, sys
prog = struct.pack('<BBHIQ', 5, 0, 0, 16, 0)
frame = struct.pack('<HBBIQHHI', 0x574d, 1, 1, 24 + len(prog), 1, 0, 0, len(prog)) + prog
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5000):
    s.sendto(frame, ('127.0.0.1', int(sys.argv[1])))
PY
kill -CONT $f_PID
sleep 0.5
ok --to udp://127.0.0.1:$f_PORT -n 3 --closed-loop
stop_node f
[ "$(stat f udp_rx_drops)" -gt 0 ] || fail "no overload drop counted ($(stat f udp_rx_drops))"
# --udp-amplify lets a small request have a large reply
start_node a --udp-amplify -b udp://127.0.0.1:0
ok --to udp://127.0.0.1:$a_PORT -n 2 --closed-loop -R 60000
stop_node a
exit 0
