# Worker threads are named mw-worker-N (top -H), the PARENT acceptor mw-accept,
# the storage thread mw-storage.
. "$(dirname "$0")/lib.sh"
# (Sanitizer runtimes may add unnamed threads: only mw-* names are compared.)
mw_threads() { cat /proc/"$1"/task/*/comm | grep '^mw-' | sort | tr '\n' ' '; }
start_node names --nt 3 -a parent
assert_eq "thread names" "mw-accept mw-storage mw-worker-0 mw-worker-1 mw-worker-2 " "$(mw_threads $names_PID)"
assert_eq "main thread name" meshwalk "$(cat /proc/$names_PID/comm)"
stop_node names
# (and the long spellings of -p and -c)
start_node one --poll-mode=poll --thread-affinity 0
assert_eq "thread names, one worker" "mw-storage mw-worker-0 " "$(mw_threads $one_PID)"
grep -q "poll mode poll, cores 0)" "$TMP/one.log" || fail "long options: $(cat "$TMP/one.log")"
stop_node one
exit 0
