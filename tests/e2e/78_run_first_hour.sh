#!/usr/bin/env bash
# 78_run_first_hour: what `meshwalk run` tells a new user. --check (and every
# run) parses each client group's arguments with the client's own parser (and
# each service's node options with the node's) and names the place in the file; a client failing during a run has its message
# on the terminal; usage mistakes exit 2; a directory where a scenario is
# expected says so; two quick runs without -o both succeed in their own
# results directories; an interrupted run's report gives the time it ran.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || fail "cd"

cat >bad.yaml <<'YAML'
name: bad
services:
  a: {}
clients:
  - name: good
    to: a
    args: "-n 10 --closed-loop -F {a} -R 1k"
  - name: typo
    to: a
    args: "-n 10 --rate 100 -R 1k -R 2k"
  - name: list
    to: a
    args: [-n, "10", -C, notaspec]
YAML
timeout -k 5 30 "$MESHWALK" run --check bad.yaml >out 2>err
assert_eq "--check with bad client args" 2 "$?"
grep -q '^meshwalk run: bad.yaml:10:11: client typo: -R given twice' err || { cat err; fail "no file:line:col for typo"; }
grep -q '^meshwalk run: bad.yaml:13:11: client list: -C: ' err || { cat err; fail "no file:line:col for list"; }
grep -q 'client good' err && fail "a good group reported"
timeout -k 5 30 "$MESHWALK" run -o r0 bad.yaml >out 2>err
assert_eq "a run with bad client args" 2 "$?"
[ -e r0 ] && fail "a run with bad client args created its results directory"
timeout -k 5 30 "$MESHWALK" run --check --set 'clients.good.args=-n x' bad.yaml >out 2>err
grep -q "bad.yaml: client good (args from --set): -n: " err || { cat err; fail "--set args not checked"; }

# A service's node options go through the node's parser the same way.
cat >nodebad.yaml <<'YAML'
name: nodebad
services:
  a: { node: "--ntt 2" }
clients:
  - { name: c, to: a, args: "-n 5 --closed-loop" }
YAML
timeout -k 5 30 "$MESHWALK" run --check nodebad.yaml >out 2>err
assert_eq "--check with bad node options" 2 "$?"
grep -q "^meshwalk run: nodebad.yaml:3:14: service a: unknown option '--ntt'" err || { cat err; fail "node options not checked"; }

# A directory where the scenario goes; usage mistakes.
mkdir adir
timeout -k 5 30 "$MESHWALK" run adir >out 2>err
assert_eq "directory as scenario" 2 "$?"
grep -q 'adir: is a directory, not a scenario file' err || { cat err; fail "unclear message for a directory"; }
for args in "--bogus x.yaml" "" "a.yaml b.yaml" "--timeout nope x.yaml"; do
	timeout -k 5 30 "$MESHWALK" run $args >out 2>err
	assert_eq "usage: run $args" 2 "$?"
done

# A client that fails: its own message is on the terminal, with -q too.
cat >fails.yaml <<'YAML'
name: fails
services:
  a: {}
clients:
  - name: c
    to: "127.0.0.1:1"
    args: "-n 5 -r 100"
YAML
timeout -k 5 60 "$MESHWALK" run -q -o r1 fails.yaml >out 2>err
assert_eq "failing client" 1 "$?"
grep -q '^meshwalk run: client c: meshwalk client: .*cannot connect to 127.0.0.1:1' err || { cat err; fail "client's message not on the terminal"; }

# Two quick runs of the same scenario, no -o: both succeed, apart.
cat >quick.yaml <<'YAML'
name: quick
services:
  a: {}
clients:
  - name: c
    to: a
    args: "-n 5 -r 1000"
YAML
timeout -k 5 60 "$MESHWALK" run -q quick.yaml >out 2>err || { cat err; fail "first quick run"; }
timeout -k 5 60 "$MESHWALK" run -q quick.yaml >out 2>err || { cat err; fail "second quick run"; }
timeout -k 5 60 "$MESHWALK" run -q quick.yaml >out 2>err || { cat err; fail "third quick run"; }
assert_eq "results directories" 3 "$(ls -d results/quick-* | wc -l)"

# Interrupted after about a second of a 20 s schedule: the report says ~1 s.
cat >long.yaml <<'YAML'
name: long
services:
  a: {}
clients:
  - name: c
    to: a
    args: "-n 20000 -r 1000"
YAML
timeout -k 5 60 "$MESHWALK" run -o r2 long.yaml >out 2>err &
pid=$!
slowwait 20 test -s r2/clients/c/requests.csv || fail "long run did not start"
sleep 1
kill -INT $pid
wait $pid
assert_eq "interrupted run" 130 "$?"
timeout -k 5 60 "$MESHWALK" report --no-plots -q r2 || fail "report of the interrupted run"
secs=$(sed -n 's/^c rate: .* over \([0-9.]*\) s$/\1/p' r2/report/summary.txt)
[ -n "$secs" ] || { cat r2/report/summary.txt; fail "no rate line"; }
awk -v s="$secs" 'BEGIN { exit !(s > 0.3 && s < 15) }' || fail "interrupted run reported $secs s, not the time it ran"
echo "run tells what happened"
