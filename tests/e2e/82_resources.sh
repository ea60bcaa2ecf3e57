# Resource faults: 10,000 concurrent connections; clients that vanish
# mid-request (the node frees everything: fds and memory stay flat); a client
# that never reads its replies (the node stops reading it instead of buffering
# without bound, and serves everyone else).
. "$(dirname "$0")/lib.sh"
fds() { ls /proc/"$1"/fd | wc -l; }
rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' /proc/"$1"/status; }

# -- 10,000 concurrent connections, every one doing requests --
# (under sanitizers, whose per-thread cost is large, 1,500)
conns=10000
[ -n "${SANITIZER:-}" ] && conns=1500
per=$(((conns + 2) / 3))
start_node big
pids=()
for i in 1 2 3; do
	timeout -k 5 300 "$MESHWALK" client --to 127.0.0.1:$big_PORT --nt $per -n 2 -r 20 -q \
		--json "$TMP/c$i.json" >/dev/null 2>"$TMP/c$i.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait $p || fail "a client of the 10k run failed: $(cat "$TMP"/c*.err)"; done
for i in 1 2 3; do assert_eq "client $i replies" $((per * 2)) "$(json ok "$TMP/c$i.json")"; done
stop_node big
assert_eq "connections accepted" $((per * 3)) "$(stat big accepted)"
assert_eq "all closed again" $((per * 3)) "$(stat big closed)"

# -- clients that give up mid-request and go --
start_node v
for _ in 1 2 3; do # warm-up: first-use allocations are not growth
	"$MESHWALK" client --to 127.0.0.1:$v_PORT -n 1 -C 20ms --timeout 1ms -q >/dev/null 2>&1
done
sleep 0.1
fd0=$(fds $v_PID) rss0=$(rss_kb $v_PID)
for _ in $(seq 100); do
	"$MESHWALK" client --to 127.0.0.1:$v_PORT -n 1 -C 20ms --timeout 1ms -q >/dev/null 2>&1 &&
		fail "a 1 ms timeout on a 20 ms request succeeded"
done
client --to 127.0.0.1:$v_PORT -n 5 --closed-loop || { show; fail "node stopped serving"; } # and the last COMPUTE is over
fd1=$(fds $v_PID) rss1=$(rss_kb $v_PID)
assert_eq "node fds after 100 vanished clients" "$fd0" "$fd1"
[ $((rss1 - rss0)) -lt 2048 ] || fail "node RSS grew by $((rss1 - rss0)) KiB over 100 vanished clients"
stop_node v
assert_eq "every connection closed" "$(stat v accepted)" "$(stat v closed)"

# -- a client that never reads: 4,000 pipelined requests for 1 MiB replies each --
# REQUEST header (len 40, prog_len 16) + one REPLY op asking for 1 MiB
frame='\x4d\x57\x01\x01\x28\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00'
frame+='\x05\x00\x00\x00\x10\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00'
start_node s
rss0=$(rss_kb $s_PID) fd0=$(fds $s_PID)
exec 3<>/dev/tcp/127.0.0.1/$s_PORT
for _ in $(seq 40); do
	batch=
	for _ in $(seq 100); do batch+=$frame; done
	printf "$batch" >&3 || break # the node may stop reading: then our send blocks... bounded below
done &
writer=$!
sleep 1
client --to 127.0.0.1:$s_PORT -n 20 -r 200 || { show; fail "others not served while a client does not read"; }
rss1=$(rss_kb $s_PID)
[ $((rss1 - rss0)) -lt 65536 ] || fail "node RSS grew by $((rss1 - rss0)) KiB for a client that never reads (4 GiB of replies asked)"
kill $writer 2>/dev/null; wait $writer 2>/dev/null
exec 3>&-
slowwait 10 sh -c "[ \$(ls /proc/$s_PID/fd | wc -l) -eq $fd0 ]" || fail "the slow reader's connection was not released"
client --to 127.0.0.1:$s_PORT -n 5 --closed-loop || { show; fail "node after the slow reader left"; }
stop_node s
exit 0
