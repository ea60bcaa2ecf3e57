#!/usr/bin/env bash
# 60_run: `meshwalk run` executes a scenario, leaves a complete results
# directory, and stops every process it started: on success, a client error,
# a node that dies, Ctrl-C and its own timeout.
. "$(dirname "$0")/lib.sh"

# No process of this test's runs may survive them.
leftovers() { pgrep -f -- "$TMP/" >/dev/null; }

cat >"$TMP/chain.yaml" <<'YAML'
# two tiers: a front forwarding to every back replica
seed: 5
services:
  front: { node: "--nt 1" }
  back:
    replicas: 2
clients:
  - name: a
    to: front
    args: "-n 200 -r 1000 -C 50us -F {back} -C 20us -R 100"
  - name: b
    to: "back[1]"
    args: [-n, "100", -r, "500", --no-summary]
    delay: 100ms
YAML

timeout -k 5 120 "$MESHWALK" run -o "$TMP/r1" "$TMP/chain.yaml" >"$TMP/out" 2>"$TMP/err"; rc=$?
assert_eq "run exit" 0 "$rc"
for f in scenario.yaml commands.txt run.json summary.json clients/a/requests.csv clients/a/summary.json \
	clients/b/summary.json nodes/front-0/stats.json nodes/back-0/stats.json nodes/back-1/stats.json; do
	[ -s "$TMP/r1/$f" ] || fail "results lack $f"
done
assert_eq "overall requests" 300 "$(json requests "$TMP/r1/summary.json")"
assert_eq "overall ok" 300 "$(json ok "$TMP/r1/summary.json")"
assert_eq "group a ok" 200 "$(json ok "$TMP/r1/clients/a/summary.json")"
assert_eq "group seeds are seed + index" "5 6" \
	"$(json seed "$TMP/r1/clients/a/summary.json") $(json seed "$TMP/r1/clients/b/summary.json")"
# The nodes saw what the scenario says: back-0 only a's forwards, back-1 also b's requests.
n0=$(sed -n 's/^ *"requests": \([0-9]*\),$/\1/p' "$TMP/r1/nodes/back-0/stats.json")
n1=$(sed -n 's/^ *"requests": \([0-9]*\),$/\1/p' "$TMP/r1/nodes/back-1/stats.json")
assert_eq "back-0 requests" 200 "$n0"
assert_eq "back-1 requests" 300 "$n1"
grep -q '"status": "ok"' "$TMP/r1/run.json" || fail "run.json status"
grep -q '"cpus": ' "$TMP/r1/run.json" || fail "run.json host facts"
[ "$(grep -c ' client ' "$TMP/r1/commands.txt")" -eq 2 ] || fail "commands.txt lacks the client lines"
# nodes follow the scenario's seed too: node j runs with seed + 1000 + j
# (front-0, then back-0 and back-1)
for want in "front-0 1005" "back-0 1006" "back-1 1007"; do
	grep -qE -- "node .*nodes/${want% *}/port.* --seed ${want#* }( |$)" "$TMP/r1/commands.txt" ||
		fail "node ${want% *} without --seed ${want#* }: $(grep ' node ' "$TMP/r1/commands.txt")"
done
grep -q '^== run chain: ok; 300 requests, 300 ok' "$TMP/out" || { cat "$TMP/out"; fail "report line"; }
# Each group's part of the report is printed from its summary.json, by the
# client's own printer: a's is its stdout's summary byte for byte; b printed
# none (--no-summary), and its part is still there, the file's figures.
block() { sed -n "/^== client $1 (exit 0)\$/,/^== /p" "$TMP/out" | sed '1d;$d'; }
block a >"$TMP/rep_a"
sed -n '/^--- meshwalk client summary/,$p' "$TMP/r1/clients/a/stdout.txt" >"$TMP/own_a"
[ -s "$TMP/own_a" ] && cmp -s "$TMP/rep_a" "$TMP/own_a" ||
	{ diff "$TMP/own_a" "$TMP/rep_a"; fail "run's report of group a is not the client's summary"; }
grep -q "meshwalk client summary" "$TMP/r1/clients/b/stdout.txt" && fail "--no-summary printed one"
block b >"$TMP/rep_b"
grep -qx -- "--- meshwalk client summary: 127.0.0.1:[0-9]*, 1 thread, seed 6 ---" "$TMP/rep_b" &&
	grep -qx "requests: sent 100, ok 100, errors 0, timeouts 0, lost 0, unsent 0 (not completed: 0)" \
		"$TMP/rep_b" && [ "$(wc -l <"$TMP/rep_b")" -eq "$(wc -l <"$TMP/rep_a")" ] ||
	{ cat "$TMP/out"; fail "run's report of group b is not its summary.json"; }
leftovers && fail "processes left after a successful run"

# --set: more replicas, other args, recorded in run.json.
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r2" --set services.back.replicas=3 \
	--set 'clients.a.args=-n 30 -r 1000 -F {back} -R' --set clients.b.delay=0 "$TMP/chain.yaml"; rc=$?
assert_eq "run with --set" 0 "$rc"
[ -d "$TMP/r2/nodes/back-2" ] || fail "--set replicas=3 did not start a third replica"
assert_eq "overridden args" 30 "$(json ok "$TMP/r2/clients/a/summary.json")"
grep -q '"services.back.replicas=3"' "$TMP/r2/run.json" || fail "overrides not recorded"
[ -e "$TMP/r2/stdout" ] && fail "-q printed into the results dir"

# A results directory is never reused.
"$MESHWALK" run -q -o "$TMP/r2" "$TMP/chain.yaml" 2>"$TMP/err"; rc=$?
assert_eq "existing -o" 1 "$rc"
grep -q "already exists" "$TMP/err" || fail "existing -o message"

# Scenario errors point at file:line:column and exit 2.
printf 'services:\n  s1:\n    replica: 2\nclients:\n  - { name: c, to: s1 }\n' >"$TMP/bad.yaml"
"$MESHWALK" run -o "$TMP/r3" "$TMP/bad.yaml" 2>"$TMP/err"; rc=$?
assert_eq "bad scenario exit" 2 "$rc"
grep -q "bad.yaml:3:5: service s1: unknown key 'replica'" "$TMP/err" || fail "error position: $(cat "$TMP/err")"
[ -e "$TMP/r3" ] && fail "a bad scenario created a results directory"
"$MESHWALK" run --set bogus=1 "$TMP/chain.yaml" 2>"$TMP/err"; rc=$?
assert_eq "bad --set exit" 2 "$rc"
"$MESHWALK" run --check "$TMP/chain.yaml" >"$TMP/out" || fail "--check"
"$MESHWALK" run --check "$(dirname "$0")/../../examples/demo.yaml" >/dev/null || fail "examples/demo.yaml does not validate"
grep -q "service back: 2 replicas" "$TMP/out" || fail "--check output"

# A client group that fails (its forward target refuses): exit 1, others complete.
start_node dead
stop_node dead
cat >"$TMP/fail.yaml" <<YAML
services: { s: {} }
clients:
  - { name: bad, to: s, args: "-n 5 -r 100 -F 127.0.0.1:$dead_PORT -R" }
  - { name: good, to: s, args: "-n 20 -r 200" }
YAML
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r4" "$TMP/fail.yaml" 2>"$TMP/err"; rc=$?
assert_eq "failing group exit" 1 "$rc"
grep -q "client bad exited with status 1" "$TMP/err" || fail "failing group message: $(cat "$TMP/err")"
assert_eq "good group still ran" 20 "$(json ok "$TMP/r4/clients/good/summary.json")"
grep -q '"status": "failed"' "$TMP/r4/run.json" || fail "run.json failed status"
leftovers && fail "processes left after a failing group"

# A node killed mid-run: the run stops everything and fails.
cat >"$TMP/long.yaml" <<'YAML'
services: { s: {} }
clients:
  - { name: c, to: s, args: "-n 100000 -r 1000 --timeout 1s" }
YAML
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r5" "$TMP/long.yaml" 2>"$TMP/err" &
runpid=$!
slowwait 10 test -s "$TMP/r5/nodes/s-0/port" || fail "node of r5 did not start"
sleep 0.5
pkill -KILL -f -- "--port-file $TMP/r5/nodes/s-0/port"
start=$(date +%s)
wait $runpid; rc=$?
assert_eq "killed node exit" 1 "$rc"
[ $(($(date +%s) - start)) -lt 15 ] || fail "run took too long to stop after a node died"
grep -q "node s-0 exited during the run" "$TMP/err" || fail "node death message: $(cat "$TMP/err")"
leftovers && fail "processes left after a node died"

# Ctrl-C: exit 130, the nodes still write their counters.
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r6" "$TMP/long.yaml" 2>"$TMP/err" &
runpid=$!
slowwait 10 test -s "$TMP/r6/clients/c/stderr.txt" -o -d "$TMP/r6/clients/c" || fail "r6 did not start"
sleep 0.5
kill -INT $runpid
wait $runpid; rc=$?
assert_eq "interrupted exit" 130 "$rc"
[ -s "$TMP/r6/nodes/s-0/stats.json" ] || fail "node counters not written after Ctrl-C"
grep -q '"status": "interrupted"' "$TMP/r6/run.json" || fail "run.json interrupted status"
leftovers && fail "processes left after Ctrl-C"

# --timeout ends a run that would go on.
timeout -k 5 120 "$MESHWALK" run -q -o "$TMP/r7" --timeout 1s "$TMP/long.yaml" 2>"$TMP/err"; rc=$?
assert_eq "timeout exit" 1 "$rc"
grep -q "did not finish within its timeout" "$TMP/err" || fail "timeout message"
leftovers && fail "processes left after --timeout"
echo "run ok"
