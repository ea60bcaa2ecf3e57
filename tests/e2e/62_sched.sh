# --sched-policy sets the workers' policy, seen in /proc/PID/task/TID/stat
# (19 nice, 40 rt_priority, 41 policy: 0 other, 1 fifo, 2 rr, 6 deadline);
# refusals exit 1 with the documented reason, bad values exit 2.
. "$(dirname "$0")/lib.sh"

field() { # NODE WORKER FIELD
	local pidvar=${1}_PID tid
	tid=$(worker_tid "${!pidvar}" "$2") || fail "$1: no thread dwn_conn_$2"
	tstat "${!pidvar}" "$tid" "$3"
}

# other:NICE needs no privilege to raise nice; only the workers change.
start_node nice --nt 2 --sched-policy other:5
for i in 0 1; do
	assert_eq "other:5 worker $i nice" 5 "$(field nice $i 19)"
	assert_eq "other:5 worker $i policy" 0 "$(field nice $i 41)"
done
assert_eq "main thread nice" 0 "$(tstat $nice_PID $nice_PID 19)"
grep -q "sched other:5" "$TMP/nice.log" || fail "start line: $(cat "$TMP/nice.log")"
client --to 127.0.0.1:$nice_PORT --nt 2 -n 10 -r 500 -C 50us -q || { show; fail "other:5 client"; }
stop_node nice

# fifo / rr: work as root unless the container withholds real-time; then the
# refusal must be the documented one.
for pol in fifo:10 rr:10; do
	n=rt_${pol%%:*}
	if try_node "$n" --nt 2 --sched-policy "$pol"; then
		want=$([ "${pol%%:*}" = fifo ] && echo 1 || echo 2)
		for i in 0 1; do
			assert_eq "$pol worker $i policy" "$want" "$(field "$n" $i 41)"
			assert_eq "$pol worker $i rt_priority" 10 "$(field "$n" $i 40)"
		done
		port_var=${n}_PORT
		client --to 127.0.0.1:${!port_var} -n 10 -r 500 -C 50us -q || { show; fail "$pol client"; }
		stop_node "$n"
	else
		rc_var=${n}_RC
		assert_eq "$pol refused: exit" 1 "${!rc_var}"
		grep -q "cannot set scheduling policy $pol: Operation not permitted (needs CAP_SYS_NICE or RLIMIT_RTPRIO" \
			"$TMP/$n.log" || fail "$pol refused without the documented message: $(cat "$TMP/$n.log")"
		echo "$pol refused here (accepted): $(cat "$TMP/$n.log")"
	fi
done

# SCHED_DEADLINE: admitted, or refused with a reason.
dl_ok=0
if try_node dl --sched-policy dl:1000,10000; then
	assert_eq "dl policy" 6 "$(field dl 0 41)"
	client --to 127.0.0.1:$dl_PORT -n 10 -r 200 -C 50us -q || { show; fail "dl client"; }
	stop_node dl
	dl_ok=1
else
	assert_eq "dl refused: exit" 1 "$dl_RC"
	grep -q "cannot set scheduling policy dl:1000,10000,10000: .* (" "$TMP/dl.log" ||
		fail "dl refused without a reason: $(cat "$TMP/dl.log")"
fi
# A pinned thread cannot take SCHED_DEADLINE (outside an exclusive cpuset).
if ! try_node dlpin --sched-policy dl:1000,10000 -c 0; then
	assert_eq "dl + -c: exit" 1 "$dlpin_RC"
	grep -q "thread-affinity" "$TMP/dlpin.log" || fail "dl + -c message: $(cat "$TMP/dlpin.log")"
else
	stop_node dlpin
fi
# Admission control: one more thread at 95% than the CPUs can hold.
if [ $dl_ok = 1 ]; then
	nt=$(($(nproc) + 1))
	try_node dlbusy --nt $nt --sched-policy dl:950000,1000000 && fail "dl over capacity admitted"
	assert_eq "dl over capacity: exit" 1 "$dlbusy_RC"
	grep -q "Device or resource busy (admission control" "$TMP/dlbusy.log" ||
		fail "dl admission message: $(cat "$TMP/dlbusy.log")"
fi

# Without CAP_SYS_NICE and with zero RLIMIT_RTPRIO/NICE every privileged
# policy is refused, saying what is missing.
if command -v setpriv >/dev/null && setpriv --bounding-set -sys_nice true 2>/dev/null; then
	for pol in fifo:10 rr:99 other:-5 dl:1000,10000; do
		(ulimit -r 0 -e 0; exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice \
			"$MESHWALK" node -q -b 127.0.0.1:0 --sched-policy "$pol") 2>"$TMP/e"; rc=$?
		assert_eq "$pol without CAP_SYS_NICE: exit" 1 "$rc"
		grep -q "worker 0: cannot set scheduling policy .*: Operation not permitted (.*CAP_SYS_NICE" "$TMP/e" ||
			fail "$pol without CAP_SYS_NICE: $(cat "$TMP/e")"
	done
	grep -q "needs CAP_SYS_NICE, and a thread not pinned" "$TMP/e" || fail "dl EPERM reason: $(cat "$TMP/e")"
else
	echo "setpriv cannot drop CAP_SYS_NICE here: privilege refusals not checked"
fi

# Bad values: exit 2, with the rule broken.
while read -r bad why; do
	"$MESHWALK" node -b 127.0.0.1:0 --sched-policy "$bad" 2>"$TMP/e"; rc=$?
	assert_eq "--sched-policy $bad exit" 2 "$rc"
	grep -q -- "$why" "$TMP/e" || fail "--sched-policy $bad message: $(cat "$TMP/e")"
done <<'BAD'
other:20 -20..19
other:-21 -20..19
rr:0 1..99
fifo:100 1..99
fifo expected other
dl:100,10 RUNTIME <= DEADLINE <= PERIOD
dl:100,1000,500 RUNTIME <= DEADLINE <= PERIOD
dl:1,10 at least 2us
batch expected other
BAD
exit 0
