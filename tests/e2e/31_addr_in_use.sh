#!/usr/bin/env bash
# 31_addr_in_use: a node refuses to start (exit 1, "address in use") when
# anything already listens on its address: another node in any accept mode
# (CHILD listeners use SO_REUSEPORT, which would otherwise let the second node
# join the first's port and split its traffic in silence), a foreign
# SO_REUSEPORT listener, a wildcard listener on the same port; a node on
# another address with the same port starts.
. "$(dirname "$0")/lib.sh"

start_node A --nt 2 # child mode: two SO_REUSEPORT listeners
for am in child shared parent; do
	timeout -k 5 20 "$MESHWALK" node -q -b "127.0.0.1:$A_PORT" --am "$am" --nt 2 >"$TMP/out" 2>"$TMP/err"
	rc=$?
	assert_eq "second node, accept mode $am" 1 "$rc"
	grep -q "address in use" "$TMP/err" || { show; fail "no 'address in use' message ($am)"; }
done
timeout -k 5 20 "$MESHWALK" node -q -b "udp://127.0.0.1:$A_PORT" 2>"$TMP/err"
assert_eq "udp:// node on a TCP node's port" 1 "$?"
timeout -k 5 20 "$MESHWALK" node -q -b "0.0.0.0:$A_PORT" 2>"$TMP/err"
assert_eq "wildcard node on a used port" 1 "$?"
grep -q "address in use" "$TMP/err" || fail "wildcard: no 'address in use' message"

# The first node still serves, alone.
timeout -k 5 30 "$MESHWALK" client --to "127.0.0.1:$A_PORT" -n 20 --closed-loop -q --no-summary ||
	fail "the first node stopped serving"

# Another loopback address, same port: no conflict.
"$MESHWALK" node -q -b "127.0.0.2:$A_PORT" --port-file "$TMP/b.port" 2>"$TMP/err" &
PIDS+=($!)
slowwait 10 test -s "$TMP/b.port" || { cat "$TMP/err"; fail "a node on 127.0.0.2 with the same port did not start"; }

# A foreign SO_REUSEPORT listener (python3): the node does not join it.
command -v python3 >/dev/null || skip "no python3 for the foreign listener"
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(60)' "$TMP/py.port" &
PIDS+=($!)
slowwait 10 test -s "$TMP/py.port" || fail "python listener did not start"
timeout -k 5 20 "$MESHWALK" node -q -b "127.0.0.1:$(cat "$TMP/py.port")" 2>"$TMP/err"
assert_eq "node on a foreign SO_REUSEPORT port" 1 "$?"
grep -q "address in use" "$TMP/err" || fail "foreign listener: no 'address in use' message"
echo "a used address is refused"
