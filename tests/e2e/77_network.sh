# Network emulation in `meshwalk run`: per-service and per-link delays as
# --net-delay rules on nodes with addresses of their own; as root, one
# network namespace per node on a bridge, rates shaped by tbf, and nothing
# left behind however the run ends. Each latency check is a lower bound
# only the emulated delays can explain (loopback round trips take well
# under a millisecond).
. "$(dirname "$0")/lib.sh"

lat_min() { # the run's smallest latency, us (summary.json's first "min")
	grep -oE '"min": [0-9.]+' "$1/summary.json" | head -n 1 | grep -oE '[0-9.]+$'
}
at_least() { # WHAT MIN_US ACTUAL_US
	awk -v a="$3" -v m="$2" 'BEGIN { exit !(a >= m) }' || fail "$1: ${3}us, expected at least ${2}us"
}
scenario() { # MODE EXTRA_FRONT_LINK_KEYS CLIENT_ARGS
	cat <<EOF
services:
  front:
    link: { delay: 1ms$2 }
  back: { replicas: 2 }
network:
  mode: $1
  links:
    - between: [front, back]
      delay: 5ms
      jitter: 1ms
clients:
  - name: main
    to: front
    args: "$3"
EOF
}
run() { # DIR SCENARIO_FILE
	timeout -k 5 120 "$MESHWALK" run -q -o "$1" "$2" >"$TMP/out" 2>"$TMP/err"
}

# Loopback (any user): 1 ms out of front, 5 +- 1 ms each way on the link,
# 1 ms back to the client: at least 1 + 4 + 4 + 1 ms.
scenario loopback "" "-n 20 -r 50 -F {back},nack=2" >"$TMP/lo.yaml"
run "$TMP/lo" "$TMP/lo.yaml" || { cat "$TMP/err"; fail "loopback run"; }
at_least "loopback emulation" 10000 "$(lat_min "$TMP/lo")"
grep -q '"emulation": "loopback", "rates_applied": false' "$TMP/lo/run.json" || fail "run.json network"
grep -q -- '-b 127.77.1.1:0 .*--net-delay 1ms --net-delay 127.77.2.0/24=unif:min=4000us,max=6000us' \
	"$TMP/lo/commands.txt" || { cat "$TMP/lo/commands.txt"; fail "front's rules"; }
grep -q -- '-b 127.77.2.2:0 .*--net-delay 127.77.1.0/24=unif' "$TMP/lo/commands.txt" || fail "back-1's rule"
grep -q '"127.77.2.2:' "$TMP/lo/run.json" || fail "replica addresses in run.json"
# The back nodes saw every forward, and no client waited on a rate it asked for.
grep -q '"requests": 20' "$TMP/lo/nodes/back-1/stats.json" || fail "back-1 requests"
scenario loopback ", rate: 10mbit" "-n 2 --closed-loop" >"$TMP/lo2.yaml"
run "$TMP/lo2" "$TMP/lo2.yaml" || { cat "$TMP/err"; fail "loopback run with a rate"; }
grep -q "rates are not applied on loopback" "$TMP/err" || fail "no warning for a rate on loopback"
# Nodes forward only to what the scenario made: a private address outside it
# is refused before anything is sent (it once was allowed by default).
scenario loopback "" "-n 2 --closed-loop -F 10.0.0.1:9 -R" >"$TMP/lo3.yaml"
run "$TMP/lo3" "$TMP/lo3.yaml"; assert_eq "run forwarding outside the scenario" 1 $?
grep -q '"forward_refused": 2' "$TMP/lo3/nodes/front-0/stats.json" || fail "loopback: forward not refused"

[ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v tc >/dev/null ||
	{ echo "# not root or no iproute2: namespace checks skipped"; exit 0; }
ip netns add mw-probe-$$ 2>/dev/null || { echo "# cannot create network namespaces here"; exit 0; }
ip netns del mw-probe-$$

leftovers() { # the run's namespaces and bridge still present, from its run.json
	local br
	br=$(grep -oE '"bridge": "mwbr[0-9]+"' "$1/run.json" | grep -oE 'mwbr[0-9]+')
	[ -n "$br" ] || fail "no bridge in $1/run.json"
	{ ip netns list | grep "^mw${br#mwbr}-"; ip link show "$br" 2>/dev/null; } | wc -l
}

# Namespaces: the same delays, and a 100 Mbit/s link for front: a 1 MB reply
# takes at least 8 Mbit / 100 Mbit/s = 80 ms less the 70 kB bucket, ~74 ms.
scenario namespaces ", rate: 100mbit" "-n 5 -r 10 -F {back},nack=2 -R 100 -R 1m" >"$TMP/ns.yaml"
run "$TMP/ns" "$TMP/ns.yaml" || { cat "$TMP/err"; fail "namespace run"; }
grep -q '"emulation": "namespaces", "rates_applied": true' "$TMP/ns/run.json" || fail "run.json: namespaces"
at_least "100 Mbit/s for 1 MB, plus delays" 80000 "$(lat_min "$TMP/ns")"
grep -qE '^ip netns exec mw[0-9]+-0 .* -b 10\.[0-9]+\.1\.1:0 ' "$TMP/ns/commands.txt" ||
	{ cat "$TMP/ns/commands.txt"; fail "namespaced command line"; }
grep -q 'tbf rate 100000000bit' "$TMP/ns/network.log" || fail "no tbf in network.log"
assert_eq "namespaces left after success" 0 "$(leftovers "$TMP/ns")"
# Each node may forward to loopback and the scenario's /24s, not the bridge's
# 10.X.0.1 (the host) nor other private addresses.
grep -qE -- '-b 10\.[0-9]+\.1\.1:0 .*--allow-forward loopback,10\.([0-9]+)\.1\.0/24,10\.\1\.2\.0/24( |$)' \
	"$TMP/ns/commands.txt" || { cat "$TMP/ns/commands.txt"; fail "namespaced nodes' --allow-forward"; }
scenario namespaces "" "-n 2 --closed-loop -F 192.168.77.7:9 -R" >"$TMP/ns2.yaml"
run "$TMP/ns2" "$TMP/ns2.yaml"; assert_eq "namespaced run forwarding outside the scenario" 1 $?
grep -q '"forward_refused": 2' "$TMP/ns2/nodes/front-0/stats.json" || fail "namespaces: forward not refused"

# Interrupted mid-run (Ctrl-C): status 130, and the network is gone.
scenario namespaces "" "-n 100000 -r 100" >"$TMP/int.yaml"
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/int" "$TMP/int.yaml" >"$TMP/out" 2>"$TMP/err" &
runpid=$!
slowwait 20 test -d "$TMP/int/clients/main" || fail "interrupted run: clients never started"
sleep 0.5
kill -INT $runpid
wait $runpid; assert_eq "interrupted run status" 130 $?
assert_eq "namespaces left after Ctrl-C" 0 "$(leftovers "$TMP/int")"

# A node that fails at start-up (its options parse: meshwalk run checks
# them first) fails the run, and the network is gone.
cat >"$TMP/bad.yaml" <<EOF
services:
  front: { node: "--storage /nonexistent-dir/storage", link: { delay: 1ms } }
network: { mode: namespaces }
clients: [{ name: main, to: front }]
EOF
run "$TMP/bad" "$TMP/bad.yaml"; assert_eq "failed node status" 1 $?
assert_eq "namespaces left after a failed node" 0 "$(leftovers "$TMP/bad")"

# mode namespaces without root is an error before anything starts.
if command -v setpriv >/dev/null; then
	mkdir -m 777 "$TMP/nobody"
	chmod 755 "$TMP"
	cp "$TMP/bad.yaml" "$TMP/nobody/bad.yaml"
	# (its state file goes under $TMP, not /tmp/meshwalk-65534)
	XDG_RUNTIME_DIR=$TMP/nobody timeout 60 setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$MESHWALK" run -q -o "$TMP/nobody/r" "$TMP/nobody/bad.yaml" 2>"$TMP/err"
	assert_eq "namespaces as nobody" 1 $?
	grep -q "network mode namespaces needs root" "$TMP/err" || { cat "$TMP/err"; fail "message as nobody"; }
fi
exit 0
