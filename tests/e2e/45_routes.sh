# Service mode: routes installed on nodes (--route), requests that name them
# (client --route), forwards that name a route on the target (-F ...,route=),
# unknown routes answered without closing the connection; checked through the
# nodes' counters. The scenario side (routes:, route:) is in 76_routes_run.sh.
. "$(dirname "$0")/lib.sh"

# B serves "pay": a sampled compute (value specs are drawn by the node).
start_node b --seed 7 --route 'pay=-C exp:100us,max=1ms -R 100'
# A serves "checkout": compute here, then B's pay; and "two" with two route hops.
start_node a --route "checkout=-C 200us -F 127.0.0.1:$b_PORT,route=pay -R 1k" \
	--route "refund=-F 127.0.0.1:$b_PORT,route=pay -C 50us -F 127.0.0.1:$b_PORT,route=pay"

client --to 127.0.0.1:$a_PORT --route checkout -n 20 -r 200 -q --json "$TMP/summary.json" ||
	{ show; fail "client --route checkout"; }
assert_eq "ok replies" 20 "$(json ok)"
grep -q '"program": "ROUTE(checkout)"' "$TMP/summary.json" || fail "summary names the route"
min=$(grep -oE 'min [0-9.]+' "$TMP/out" | head -n 1 | cut -d' ' -f2)
awk -v m="$min" 'BEGIN { exit !(m >= 200) }' || fail "checkout answered in ${min}us, below its 200us compute"

client --to 127.0.0.1:$a_PORT --route refund -n 5 --closed-loop -q || { show; fail "client --route refund"; }

# An unknown route: an error naming the route and the node, the node keeps serving
# on the same connection (-n 3 on one session: all three get the error reply).
client --to 127.0.0.1:$a_PORT --route nosuch -n 3 --closed-loop -q && fail "unknown route must fail"
grep -q "no such route: node 127.0.0.1:$a_PORT: no route 'nosuch' (this node has: checkout, refund)" "$TMP/err" ||
	{ show; fail "unknown route message"; }
grep -q "errors 3" "$TMP/out" || { show; fail "every request of the session got its error reply"; }
# ... and a forward to a route the target lacks says so through the chain
start_node c --route "lost=-F 127.0.0.1:$b_PORT,route=gone"
client --to 127.0.0.1:$c_PORT --route lost -n 1 -q && fail "forward to an unknown route must fail"
grep -q "via 127.0.0.1:$b_PORT: node 127.0.0.1:$b_PORT: no route 'gone' (this node has: pay)" "$TMP/err" ||
	{ show; fail "forwarded unknown route message"; }
client --to 127.0.0.1:$a_PORT --route checkout -n 2 --closed-loop -q || { show; fail "a still serves"; }

# Ops with --route are a usage error; so are bad names.
client --to 127.0.0.1:$a_PORT --route checkout -C 1ms
assert_eq "--route with ops" 2 $?
grep -q "cannot be given with it" "$TMP/err" || { show; fail "--route with ops message"; }
client --to 127.0.0.1:$a_PORT --route 'a b'
assert_eq "--route bad name" 2 $?

stop_node a
stop_node b
stop_node c
# a: 20 checkout + 5 refund + 2 checkout; the unknown-route requests never start
assert_eq "a requests" 27 "$(stat a requests)"
assert_eq "a computes" 27 "$(stat a computes)"
assert_eq "a forwards" 32 "$(stat a forwards)"
assert_eq "a error replies" 3 "$(stat a error_replies)"
assert_eq "a malformed" 0 "$(stat a malformed)"
assert_eq "b requests" 32 "$(stat b requests)"
assert_eq "b computes" 32 "$(stat b computes)"
assert_eq "b error replies (gone)" 1 "$(stat b error_replies)"

# Authentication covers the route name and the route flag: a keyed chain of
# routes works; a frame whose tag was made for other bytes is refused.
head -c 32 /dev/urandom >"$TMP/key"; chmod 600 "$TMP/key"
start_node kb --auth-key-file "$TMP/key" --route 'pay=-C 10 -R 64'
start_node ka --auth-key-file "$TMP/key" --route "checkout=-F 127.0.0.1:$kb_PORT,route=pay"
client --to 127.0.0.1:$ka_PORT --auth-key-file "$TMP/key" --route checkout -n 5 --closed-loop -q ||
	{ show; fail "authenticated route chain"; }
client --to 127.0.0.1:$ka_PORT --route checkout -n 1 -q && fail "unauthenticated route request served"
grep -q "authentication required" "$TMP/err" || { show; fail "route without a tag"; }
# tag(header with flags F, name N) sent with flags F' or name N': refused
tamper() { # FLAGS_TAGGED FLAGS_SENT NAME_TAGGED NAME_SENT -> status of the reply
	timeout 10 python3 - "$TMP/key" "$ka_PORT" "$@" <<'PY'
import hashlib, hmac, socket, struct, sys
key = open(sys.argv[1], 'rb').read()
port, ft, fs, nt, ns = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].encode(), sys.argv[6].encode()
def hdr(flags, n):
    return struct.pack('<HBBIQHHI', 0x574d, 1, 1, 24 + n + 32, 7, 0, flags, n)
tag = hmac.new(key, hdr(ft, len(nt)) + nt, hashlib.sha256).digest()
s = socket.create_connection(('127.0.0.1', port))
s.sendall(hdr(fs, len(ns)) + ns + tag)
r = b''
while len(r) < 24:
    r += s.recv(4096)
print(struct.unpack('<HBBIQHHI', r[:24])[5])
PY
}
assert_eq "well tagged route request" 0 "$(tamper 3 3 checkout checkout)"
assert_eq "route flag not covered" 8 "$(tamper 1 3 checkout checkout)"
assert_eq "route name not covered" 8 "$(tamper 3 3 checkout checkouT)"
stop_node ka
stop_node kb
assert_eq "ka auth failures" 3 "$(stat ka auth_failures)"
assert_eq "kb requests" 6 "$(stat kb requests)"

# Route text errors stop the node at start-up with status 2, naming the route.
try_node bad --route 'broken=-C 1ms -F' && fail "bad route text must not start"
assert_eq "bad route exit" 2 "$bad_RC"
grep -q "route broken: -F needs a value" "$TMP/bad.log" || { cat "$TMP/bad.log"; fail "bad route message"; }
try_node bad2 --route 'x=-C 1' --route 'x=-C 2' && fail "duplicate route must not start"
grep -q "route x defined twice" "$TMP/bad2.log" || { cat "$TMP/bad2.log"; fail "duplicate message"; }
try_node bad3 --route 'nope' && fail "route without = must not start"
assert_eq "route without = exit" 2 "$bad3_RC"

# --routes-file: comments, blank lines, errors with file:line.
cat >"$TMP/routes" <<ROUTES
# the shop
ping

slow -C 2ms   # a comment after the program
ROUTES
start_node f --routes-file "$TMP/routes"
client --to 127.0.0.1:$f_PORT --route slow -n 3 --closed-loop -q || { show; fail "routes-file slow"; }
client --to 127.0.0.1:$f_PORT --route ping -n 3 --closed-loop -q || { show; fail "routes-file ping"; }
stop_node f
assert_eq "f computes" 3 "$(stat f computes)"
printf 'ok -C 1\nbad -Q 1\n' >"$TMP/routes2"
try_node bad4 --routes-file "$TMP/routes2" && fail "bad routes file must not start"
grep -q "routes2:2: route bad: '-Q' is not an op" "$TMP/bad4.log" || { cat "$TMP/bad4.log"; fail "routes-file message"; }
exit 0
