# --thread-affinity pins worker i to entry i % n of the core list, seen in
# /proc/PID/task/TID/status; bad lists are refused with a message.
. "$(dirname "$0")/lib.sh"
allowed=$(sed -n 's/^Cpus_allowed_list:\t*//p' /proc/self/status)
[ "$allowed" = "0-1" ] || [ "$(nproc)" -ge 2 ] || skip "needs cores 0 and 1 (allowed: $allowed)"

cpus_of() { # NODE WORKER
	local pidvar=${1}_PID tid
	tid=$(worker_tid "${!pidvar}" "$2") || fail "$1: no thread dwn_conn_$2"
	sed -n 's/^Cpus_allowed_list:\t*//p' /proc/"${!pidvar}"/task/"$tid"/status
}

nodes=0
check() { # LIST NT EXPECTED...
	local list=$1 nt=$2 i=0 want n=aff$nodes port_var
	nodes=$((nodes + 1))
	shift 2
	start_node $n --nt "$nt" -c "$list"
	grep -q ", cores [0-9]" "$TMP/$n.log" || fail "-c $list: start line: $(cat "$TMP/$n.log")"
	for want in "$@"; do
		assert_eq "-c $list --nt $nt: worker $i cores" "$want" "$(cpus_of $n $i)"
		i=$((i + 1))
	done
	port_var=${n}_PORT
	client --to 127.0.0.1:${!port_var} --nt 2 -n 10 -r 500 -C 50us -q || { show; fail "-c $list: client"; }
	stop_node $n
}
check 0 2 0 0
check 1 2 1 1
check 0-1 2 0 1
check auto 2 0 1
check 1,0 3 1 0 1           # more threads than cores: the list is reused
check 0-1:1 4 0 1 0 1
# The main thread stays where it was; only workers are pinned.
start_node main -c 1
assert_eq "main thread unpinned" "$allowed" "$(sed -n 's/^Cpus_allowed_list:\t*//p' /proc/$main_PID/status)"
stop_node main
# Without -c nothing is pinned.
start_node free --nt 2
assert_eq "no -c" "$allowed" "$(cpus_of free 1)"
stop_node free

# Syntax errors: exit 2 with the list quoted.
for bad in x 2-1 0-4:0 0, 1:2 4096; do
	"$MESHWALK" node -b 127.0.0.1:0 -c "$bad" 2>"$TMP/e"; rc=$?
	assert_eq "-c $bad exit" 2 "$rc"
	grep -q -- "--thread-affinity: core list '$bad'" "$TMP/e" || fail "-c $bad message: $(cat "$TMP/e")"
done
# Cores the machine lacks, or the process may not use: exit 1, said which.
"$MESHWALK" node -b 127.0.0.1:0 -c 0,1000 2>"$TMP/e"; rc=$?
assert_eq "-c 1000 exit" 1 "$rc"
grep -q "core 1000 does not exist" "$TMP/e" || fail "-c 1000 message: $(cat "$TMP/e")"
taskset -c 0 "$MESHWALK" node -b 127.0.0.1:0 -c 1 2>"$TMP/e"; rc=$?
assert_eq "-c outside the allowed set exit" 1 "$rc"
grep -q "core 1 is not in this process's allowed CPUs (0;" "$TMP/e" || fail "taskset message: $(cat "$TMP/e")"
# auto follows the allowed set.
taskset -c 1 "$MESHWALK" node -b 127.0.0.1:0 --port-file "$TMP/ts.port" -c auto --nt 2 2>"$TMP/ts.log" &
PIDS+=($!)
ts_PID=$!
slowwait 10 test -s "$TMP/ts.port" || fail "taskset node did not start: $(cat "$TMP/ts.log")"
assert_eq "auto under taskset -c 1, worker 1" 1 "$(cpus_of ts 1)"
exit 0
