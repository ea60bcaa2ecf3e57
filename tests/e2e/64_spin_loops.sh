# --wait-spin (--ws, --wss) keeps idle workers on the CPU; --loops-per-usec
# makes COMPUTE a fixed amount of loop work instead of clock time.
. "$(dirname "$0")/lib.sh"

cpu_ticks() { # NODE WORKER: utime + stime of the worker so far, in clock ticks
	local pidvar=${1}_PID tid
	tid=$(worker_tid "${!pidvar}" "$2") || fail "$1: no thread dwn_conn_$2"
	echo $(($(tstat "${!pidvar}" "$tid" 14) + $(tstat "${!pidvar}" "$tid" 15)))
}
idle_ticks() { # NODE: CPU ticks worker 0 burns in 0.5 s of idling
	local a
	a=$(cpu_ticks "$1" 0)
	sleep 0.5
	echo $(($(cpu_ticks "$1" 0) - a))
}
hz=$(getconf CLK_TCK)

start_node sleepy
t=$(idle_ticks sleepy)
[ "$t" -le $((hz / 20)) ] || fail "a sleeping idle worker used $t ticks in 0.5 s"
stop_node sleepy
for spell in --ws --wss --wait-spin; do
	for mode in epoll io_uring; do
		n=spin_${spell//-/}_${mode}
		if ! try_node "$n" "$spell" -p "$mode"; then
			grep -q "io_uring is unavailable" "$TMP/$n.log" || fail "$spell $mode: $(cat "$TMP/$n.log")"
			continue
		fi
		grep -q "poll mode $mode (wait-spin)" "$TMP/$n.log" || fail "$spell: start line"
		t=$(idle_ticks "$n")
		# 0.5 s is 50 ticks at 100 Hz; other tests' threads share 2 CPUs.
		[ "$t" -ge $((hz / 5)) ] || fail "$spell $mode: a spinning idle worker used only $t ticks in 0.5 s"
		port_var=${n}_PORT
		client --to 127.0.0.1:${!port_var} --nt 2 -n 20 -r 500 -C 20us -q || { show; fail "$spell client"; }
		stop_node "$n"
		assert_eq "$spell $mode requests" 40 "$(stat "$n" requests)"
	done
done

# The calibrated value is printed when --loops-per-usec is not given.
start_node cal
lpu=$(sed -n 's/.*this CPU runs \([0-9]*\) loops\/us.*/\1/p' "$TMP/cal.log")
[ -n "$lpu" ] && [ "$lpu" -gt 0 ] || fail "no calibration line: $(cat "$TMP/cal.log")"
stop_node cal
mean_compute_us() { echo $(($(stat "$1" compute_ns) / $(stat "$1" computes) / 1000)); }
# Four times the calibrated rate: COMPUTE 2ms runs ~4x longer than at the
# calibrated rate given as such. Compared with that run, not with 2 ms: a
# calibration taken while the CPU was shared misjudges both alike. At least
# 1.5x, not 4x: a shared CPU (CI's ASan pass) slows the two runs unevenly
# (1.9x seen); an option that was not applied gives 1x.
start_node same --loops-per-usec "$lpu"
client --to 127.0.0.1:$same_PORT -n 5 -r 20 -C 2ms -q || { show; fail "calibrated-rate client"; }
stop_node same
m1=$(mean_compute_us same)
start_node slow --loops-per-usec $((lpu * 4))
grep -q "COMPUTE spins on the clock" "$TMP/slow.log" && fail "calibration printed although given"
grep -q ", $((lpu * 4)) loops/us)" "$TMP/slow.log" || fail "start line: $(cat "$TMP/slow.log")"
client --to 127.0.0.1:$slow_PORT -n 5 -r 20 -C 2ms -q || { show; fail "slow client"; }
stop_node slow
m=$(mean_compute_us slow)
[ "$m" -ge $((3 * m1 / 2)) ] || fail "4x loops per us: COMPUTE 2ms took ${m}us, ${m1}us at 1x"
# One loop per us: a tiny fraction of the time.
start_node fast --loops-per-usec 1
client --to 127.0.0.1:$fast_PORT -n 5 -r 20 -C 2ms -q || { show; fail "fast client"; }
stop_node fast
m=$(mean_compute_us fast)
[ "$m" -lt 1000 ] || fail "1 loop per us: COMPUTE 2ms took ${m}us"
# Default: the clock: never shorter than asked (the upper bound only catches gross
# breakage: a loaded machine may preempt the spin; accuracy is a bench figure).
start_node clock
client --to 127.0.0.1:$clock_PORT -n 5 -r 20 -C 2ms -q || { show; fail "clock client"; }
stop_node clock
m=$(mean_compute_us clock)
[ "$m" -ge 2000 ] && [ "$m" -lt 20000 ] || fail "clock COMPUTE 2ms took ${m}us"

for bad in 0 -1 x 1.5 2000000; do
	"$MESHWALK" node -b 127.0.0.1:0 --loops-per-usec "$bad" 2>"$TMP/e"; rc=$?
	assert_eq "--loops-per-usec $bad exit" 2 "$rc"
	grep -q -- "--loops-per-usec" "$TMP/e" || fail "--loops-per-usec $bad message: $(cat "$TMP/e")"
done
for bad in kqueue EPOLL ""; do
	"$MESHWALK" node -b 127.0.0.1:0 -p "$bad" 2>"$TMP/e"; rc=$?
	assert_eq "-p '$bad' exit" 2 "$rc"
	grep -q -- "--poll-mode: expected epoll, poll, select, io_uring or io_uring-poll" "$TMP/e" || fail "-p $bad: $(cat "$TMP/e")"
done
exit 0
