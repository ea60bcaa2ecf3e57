# Out of descriptors on accept: the node takes each pending connection and
# closes it (counted in refused_conns) instead of spinning on a listener that
# stays readable, and serves again once descriptors are free.
. "$(dirname "$0")/lib.sh"
command -v prlimit >/dev/null || skip "needs prlimit (util-linux)"
start_node e
prlimit --pid "$e_PID" --nofile=40: || skip "cannot lower the node's descriptor limit"
python3 - "$e_PORT" "$TMP/ready" >"$TMP/flood.log" 2>&1 <<'PY' &
import socket, sys, time
socks = []
for _ in range(100):   # more connections than the node has descriptors
    s = socket.socket(); s.settimeout(5)
    s.connect(("127.0.0.1", int(sys.argv[1]))); socks.append(s)
time.sleep(1)
closed = 0
for s in socks:        # those over the limit were accepted and closed at once
    s.setblocking(False)
    try:
        if s.recv(1) == b'': closed += 1
    except BlockingIOError: pass
    except ConnectionResetError: closed += 1
open(sys.argv[2], "w").write(str(closed))
time.sleep(3)          # hold the rest open while the node's CPU is measured
PY
flood=$!
PIDS+=($flood)
slowwait 20 test -s "$TMP/ready" || fail "flood: $(cat "$TMP/flood.log")"
[ "$(cat "$TMP/ready")" -gt 0 ] || fail "no connection over the limit was closed"
ticks0=$(awk '{ print $14 + $15 }' /proc/$e_PID/stat)
sleep 1
ticks1=$(awk '{ print $14 + $15 }' /proc/$e_PID/stat)
# a spinning worker would use about CLK_TCK ticks a second
[ $((ticks1 - ticks0)) -lt $(($(getconf CLK_TCK) / 2)) ] ||
	fail "the node spun: $((ticks1 - ticks0)) ticks in 1 s with its descriptors exhausted"
wait $flood
prlimit --pid "$e_PID" --nofile=4096:
client --to 127.0.0.1:$e_PORT -n 5 --closed-loop || { show; fail "node does not serve after the flood"; }
stop_node e
[ "$(stat e refused_conns)" -gt 0 ] || fail "refused_conns: $(stat e refused_conns)"
exit 0
