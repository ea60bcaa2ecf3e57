#!/usr/bin/env bash
# 78_run_cleanup: `meshwalk run` stops everything it started on SIGHUP and
# SIGQUIT as it does on SIGINT; a run killed with SIGKILL leaves no process
# behind (the kernel sends its children SIGTERM), and `meshwalk run --cleanup`
# or the next run removes its namespaces, bridge and veths, never what a
# live run made.
. "$(dirname "$0")/lib.sh"

procs_left() { pgrep -f -- "$TMP/" >/dev/null; }
# How many namespaces and links named after run PID exist.
net_of() { { ip netns list 2>/dev/null | grep -E "^mw$1-"; ip -o link show 2>/dev/null | grep -E ": mw(br)?$1[@:vp]"; } | wc -l; }
# net_gone PID WHAT: PID's objects are gone. The kernel destroys a deleted
# namespace's interfaces (and so their veth peers) from a work queue after
# `ip netns del` returns: allowed 10 s, then the count is the failure.
net_gone() {
	no_net() { [ "$(net_of "$1")" = 0 ]; }
	slowwait 10 no_net "$1" || assert_eq "$2" 0 "$(net_of "$1")"
}
ROOT_NS=0
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v tc >/dev/null &&
	ip netns add mw-probe-$$ 2>/dev/null; then
	ip netns del mw-probe-$$
	ROOT_NS=1
fi

# mode auto: namespaces as root, loopback addresses otherwise.
cat >"$TMP/long.yaml" <<'YAML'
services:
  front: { link: { delay: 1ms } }
  back: {}
network: { mode: auto }
clients:
  - { name: c, to: front, args: "-n 1000000 -r 200 --timeout 1s -F {back}" }
YAML
started() { test -d "$1/clients/c"; }
# The pid of the `meshwalk run` that timeout (pid $1) started.
run_pid() { pgrep -P "$1" -f 'meshwalk run' | head -n 1; }

# SIGHUP and SIGQUIT: status 130, nodes stopped politely, nothing left.
for sig in HUP QUIT; do
	timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/$sig" "$TMP/long.yaml" >"$TMP/out" 2>"$TMP/err" &
	tpid=$!
	slowwait 20 started "$TMP/$sig" || { cat "$TMP/err"; fail "$sig run did not start"; }
	rpid=$(run_pid $tpid)
	[ -n "$rpid" ] || fail "no meshwalk run under timeout"
	sleep 0.5
	kill -$sig $tpid # timeout passes it on
	wait $tpid; assert_eq "status after SIG$sig" 130 $?
	grep -q "interrupted (SIG$sig)" "$TMP/err" || { cat "$TMP/err"; fail "SIG$sig message"; }
	grep -q '"status": "interrupted"' "$TMP/$sig/run.json" || fail "run.json after SIG$sig"
	[ -s "$TMP/$sig/nodes/back-0/stats.json" ] || fail "node counters not written after SIG$sig"
	# Every request of the group is accounted for, those never sent as one count.
	assert_eq "requests in the run's summary after SIG$sig" 1000000 "$(json requests "$TMP/$sig/summary.json")"
	procs_left && fail "processes left after SIG$sig"
	[ $ROOT_NS = 1 ] && assert_eq "network objects left after SIG$sig" 0 "$(net_of $rpid)"
done

# SIGKILL: the children die with the run; its state file lists them.
"$MESHWALK" run -q -o "$TMP/k1" "$TMP/long.yaml" >"$TMP/out" 2>"$TMP/err" &
kpid=$!
PIDS+=($kpid)
(sleep 120; kill -KILL $kpid) 2>/dev/null &
WATCHDOGS+=($!)
disown $! 2>/dev/null
slowwait 20 started "$TMP/k1" || { cat "$TMP/err"; fail "k1 did not start"; }
sleep 0.5
state=/run/meshwalk/run-$kpid.state
if [ "$(id -u)" = 0 ]; then
	grep -q "^run $kpid " "$state" || fail "no state file $state"
	[ "$(grep -c '^proc ' "$state")" -ge 3 ] || fail "state file lacks the processes: $(cat "$state")"
fi
kill -KILL $kpid
wait $kpid 2>/dev/null
slowwait 10 eval '! procs_left' || fail "processes of a SIGKILLed run still run"

if [ $ROOT_NS = 1 ]; then
	[ "$(net_of $kpid)" -ge 5 ] || fail "the SIGKILLed run left no network objects: is the test valid?"
	timeout 60 "$MESHWALK" run --cleanup >"$TMP/out" 2>"$TMP/err"; rc=$?
	assert_eq "--cleanup status" 0 "$rc"
	grep -q "^run $kpid is gone (results $TMP/k1)" "$TMP/out" || { cat "$TMP/out"; fail "--cleanup report"; }
	grep -q "^\$ ip netns del mw$kpid-0" "$TMP/out" || fail "--cleanup does not show its commands"
	net_gone $kpid "network objects after --cleanup"
	[ -e "$state" ] && fail "state file left after --cleanup"

	# The next run removes what a killed run left, before it starts.
	"$MESHWALK" run -q -o "$TMP/k2" "$TMP/long.yaml" >"$TMP/out" 2>"$TMP/err" &
	kpid=$!
	PIDS+=($kpid)
	(sleep 120; kill -KILL $kpid) 2>/dev/null &
	WATCHDOGS+=($!)
	disown $! 2>/dev/null
	slowwait 20 started "$TMP/k2" || fail "k2 did not start"
	kill -KILL $kpid
	wait $kpid 2>/dev/null
	[ "$(net_of $kpid)" -ge 5 ] || fail "k2 left no network objects"
	cat >"$TMP/short.yaml" <<'YAML'
services: { s: {} }
clients: [{ name: c, to: s, args: "-n 5 --closed-loop" }]
YAML
	timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/next" "$TMP/short.yaml" >"$TMP/out" 2>"$TMP/err" ||
		{ cat "$TMP/err"; fail "run after a killed run"; }
	grep -q "removed what .* killed run.* left" "$TMP/err" || { cat "$TMP/err"; fail "no word of the cleanup"; }
	net_gone $kpid "network objects after the next run"
	grep -q "ip netns del mw$kpid-0" "$TMP/next/network.log" || fail "the cleanup's commands are not logged"

	# Never what a live run made, nor names whose owner pid is alive.
	timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/live" "$TMP/long.yaml" >"$TMP/out" 2>"$TMP/live.err" &
	tpid=$!
	slowwait 20 started "$TMP/live" || fail "live run did not start"
	lpid=$(run_pid $tpid)
	nlive=$(net_of $lpid)
	[ "$nlive" -ge 5 ] || fail "live run has no network objects"
	sleep 60 &
	spid=$!
	PIDS+=($spid)
	ip netns add mw$spid-0 || fail "cannot make a namespace"
	sh -c 'exit 0' & dead=$!
	wait $dead
	ip netns add mw$dead-7 || fail "cannot make a namespace"
	ip link add mwbr$dead type bridge || fail "cannot make a bridge"
	timeout 60 "$MESHWALK" run --cleanup >"$TMP/out" 2>"$TMP/err"; rc=$?
	assert_eq "--cleanup beside a live run" 0 "$rc"
	assert_eq "live run's objects after --cleanup" "$nlive" "$(net_of $lpid)"
	grep -q "^run $lpid is running" "$TMP/out" || { cat "$TMP/out"; fail "live run not reported as kept"; }
	assert_eq "namespace of a live pid" 1 "$(net_of $spid)"
	net_gone $dead "objects of a dead pid"
	kill -0 $lpid || fail "--cleanup stopped the live run"
	timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/beside" "$TMP/short.yaml" 2>"$TMP/err" || fail "run beside"
	assert_eq "live run's objects after another run" "$nlive" "$(net_of $lpid)"
	kill $spid
	wait $spid 2>/dev/null
	timeout 60 "$MESHWALK" run --cleanup >"$TMP/out" 2>"$TMP/err" || fail "--cleanup once the pid is gone"
	assert_eq "namespace once its pid is gone" 0 "$(net_of $spid)"
	kill -INT $tpid
	wait $tpid; assert_eq "live run status" 130 $?
	net_gone $lpid "live run's objects after its end"
	grep -q "removed what" "$TMP/live.err" && fail "the live run removed something: $(cat "$TMP/live.err")"

	# Without root, --cleanup says what it cannot delete.
	if command -v setpriv >/dev/null; then
		sh -c 'exit 0' & dead=$!
		wait $dead
		ip netns add mw$dead-0 || fail "cannot make a namespace"
		chmod 755 "$TMP"
		mkdir -m 777 "$TMP/nobody"
		XDG_RUNTIME_DIR=$TMP/nobody timeout 60 setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$MESHWALK" run --cleanup >"$TMP/out" 2>"$TMP/err"
		assert_eq "--cleanup as nobody" 1 $?
		grep -q "needs root" "$TMP/err" || { cat "$TMP/err"; fail "message as nobody"; }
		assert_eq "left by nobody" 1 "$(net_of $dead)"
		timeout 60 "$MESHWALK" run --cleanup >/dev/null 2>&1 || fail "--cleanup as root"
		net_gone $dead "removed by root"
	fi
else
	echo "# not root or no network namespaces: namespace cleanup checks skipped"
fi

# Usage errors.
"$MESHWALK" run --cleanup "$TMP/long.yaml" 2>"$TMP/err"; assert_eq "--cleanup SCENARIO" 2 $?
grep -q "takes no scenario" "$TMP/err" || fail "--cleanup usage message"
procs_left && fail "processes left"
exit 0
