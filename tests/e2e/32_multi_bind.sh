# Several -b on one node: TCP, UDP and IPv6 addresses served side by side in
# every accept mode, one port per line in --port-file; a repeated address or
# one already in use stops the node with a message; none is silently dropped.
. "$(dirname "$0")/lib.sh"
ok() { client "$@" || { show; fail "client $* exited $?"; }; }
for mode in child shared parent; do
	"$MESHWALK" node -b 127.0.0.1:0 -b udp://127.0.0.1:0 -b '[::1]:0' --nt 2 -a $mode \
		--port-file "$TMP/$mode.port" --stats-file "$TMP/$mode.stats" 2>"$TMP/$mode.log" &
	pid=$!
	PIDS+=($pid)
	slowwait 10 awk 'END { exit NR != 3 }' "$TMP/$mode.port" || fail "$mode: port file: $(cat "$TMP/$mode.log")"
	p1=$(sed -n 1p "$TMP/$mode.port") p2=$(sed -n 2p "$TMP/$mode.port") p3=$(sed -n 3p "$TMP/$mode.port")
	grep -q "listening on 127.0.0.1:$p1, 127.0.0.1:$p2 UDP and TCP, \[::1\]:$p3 (2 workers, accept mode $mode" "$TMP/$mode.log" ||
		fail "$mode: start line: $(cat "$TMP/$mode.log")"
	ok --to 127.0.0.1:$p1 -n 20 --closed-loop --nt 2
	ok --to udp://127.0.0.1:$p2 -n 20 --closed-loop
	ok --to 127.0.0.1:$p2 -n 5 --closed-loop           # a udp:// address serves TCP too
	ok --to "[::1]:$p3" -n 20 --closed-loop -F 127.0.0.1:$p1 -R   # and forwards between them
	kill -TERM $pid; wait $pid
	assert_eq "$mode: requests (forwards come back to it)" $((40 + 20 + 5 + 20 + 20)) "$(sed -n 's/^ *"requests": \([0-9]*\),$/\1/p' "$TMP/$mode.stats")"
done
# errors: a repeated address, and one already in use (the node starts nothing)
"$MESHWALK" node -b 127.0.0.1:7 -b 127.0.0.1:7 2>"$TMP/dup.log" && fail "repeated -b accepted"
grep -q "'127.0.0.1:7' is given twice" "$TMP/dup.log" || fail "dup message: $(cat "$TMP/dup.log")"
start_node busy
"$MESHWALK" node -b 127.0.0.1:0 -b 127.0.0.1:$busy_PORT 2>"$TMP/inuse.log" && fail "address in use accepted"
grep -qi "in use" "$TMP/inuse.log" || fail "in-use message: $(cat "$TMP/inuse.log")"
args=()
for i in $(seq 1 17); do args+=(-b "127.0.0.1:$((40000 + i))"); done
"$MESHWALK" node "${args[@]}" 2>"$TMP/many.log" && fail "17 addresses accepted"
grep -q "at most 16 addresses" "$TMP/many.log" || fail "limit message: $(cat "$TMP/many.log")"
exit 0
