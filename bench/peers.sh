#!/usr/bin/env bash
# bench/peers.sh -- a node that has forwarded to 200,000 distinct targets vs a fresh one: the
# forward latency to a live peer before and after (one run, ratios).
set -u
cd "$(dirname "$0")/.."
M=${MESHWALK:-$PWD/bin/meshwalk}
T=$(mktemp -d)
$M node -q -b 127.0.0.1:0 --port-file $T/b.port & B=$!
$M node -q -b 127.0.0.1:0 --port-file $T/a.port --stats-file $T/a.stats & A=$!
sleep 0.5
AP=$(cat $T/a.port) BP=$(cat $T/b.port)
run() { $M client --to 127.0.0.1:$AP -F 127.0.0.1:$BP -R -R -n 20000 -r 2000 -q --no-summary --json $T/$1.json >/dev/null 2>&1; }
run fresh
python3 - "$AP" <<'PY'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
reply = struct.pack('<BBHIQ', 5, 0, 0, 16, 0)
def fwd(i):
    addr = bytes([127, 1 + (i >> 16), (i >> 8) & 255, i & 255])
    target = struct.pack('<HH4s12x', 4, socket.htons(9), addr)
    body = struct.pack('<IIIIQ', 1, 200000, 0, 0, 0) + target + struct.pack('<I', len(reply)) + reply
    return struct.pack('<BBHI', 7, 0, 1, 8 + len(body)) + body + reply
n, chunk, got, buf = 200000, 50, 0, b''
t0 = time.time()
for base in range(0, n, chunk):
    out = b''.join(struct.pack('<HBBIQHHI', 0x574d, 1, 1, 24 + len(p), i, 0, 0, len(p)) + p
                   for i, p in ((i, fwd(i)) for i in range(base, base + chunk)))
    s.sendall(out)
    while got < base + chunk:
        buf += s.recv(65536)
        while len(buf) >= 24:
            ln = struct.unpack_from('<I', buf, 4)[0]
            if len(buf) < ln: break
            buf = buf[ln:]; got += 1
print("200000 distinct targets in %.1f s" % (time.time() - t0))
PY
run after
kill -TERM $A $B; wait
j() { sed -n "/\"latency\": {/s/.*\"$2\": \([0-9.]*\).*/\1/p" $T/$1.json; }
for k in p50 p99; do
	echo "$k fresh $(j fresh $k) us, after $(j after $k) us, ratio $(awk -v a=$(j after $k) -v b=$(j fresh $k) 'BEGIN{printf "%.2f", a/b}')"
done
grep -E '"peer_evictions"|"forward_failures"' $T/a.stats
rm -rf $T
