# Request padding (--ps) is zeros on the wire, whatever the sizes before it:
# the client rewrites only the bytes an earlier request may have left dirty,
# so a peer that checks every byte sees zeros for every size sequence (sizes
# below the 56-byte frame of "-C 1us" are raised to it).
. "$(dirname "$0")/lib.sh"
printf '%s\n' 100 50 1000 24 3000 200 3000 64 >"$TMP/sizes.csv"
timeout 30 python3 - "$TMP/port" >"$TMP/peer.out" 2>&1 <<'PY' &
import socket, struct, sys
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
open(sys.argv[1], "w").write(str(ls.getsockname()[1]))
c, _ = ls.accept()
buf, sizes, bad = b"", [], 0
def take(n):
    global buf
    while len(buf) < n:
        d = c.recv(65536)
        if not d:
            return None
        buf += d
    out, buf = buf[:n], buf[n:]
    return out
while True:
    h = take(24)
    if h is None:
        break
    magic, ver, typ, length, rid, status, flags, plen = struct.unpack("<HBBIQHHI", h)
    body = take(length - 24)
    pad = body[plen:]
    if pad.count(0) != len(pad):
        bad += 1
    sizes.append(length)
    reply = struct.pack("<HBBIQHHI", magic, ver, 2, 24, rid, 0, 0, 0)
    c.sendall(reply)
print("sizes", " ".join(map(str, sizes)), "bad", bad)
PY
slowwait 10 test -s "$TMP/port" || fail "peer did not start"
client --to 127.0.0.1:"$(cat "$TMP/port")" -n 8 -r 100 -C 1us --ps "file:$TMP/sizes.csv" ||
	{ show; fail "client run"; }
wait
grep -q "sizes 100 56 1000 56 3000 200 3000 64 bad 0" "$TMP/peer.out" || { cat "$TMP/peer.out"; fail "padding"; }
exit 0
