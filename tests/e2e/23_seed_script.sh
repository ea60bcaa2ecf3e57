# --seed reproduces the sampled values, --seed-salt derives one per replica;
# -f scripts mix options and ops in place.
. "$(dirname "$0")/lib.sh"
start_node n1
run() { client --to 127.0.0.1:$n1_PORT -n 40 -r 2000 -q "$@" || { show; fail "client $*"; }; }
run --seed 11 --ps unif:min=100,max=5000 --csv "$TMP/a.csv"
run --seed 11 --ps unif:min=100,max=5000 --csv "$TMP/b.csv"
run --seed 12 --ps unif:min=100,max=5000 --csv "$TMP/c.csv"
stop_node n1
# bytes_in grows by the sampled request sizes: equal seeds, equal sums.
start_node n2
client --to 127.0.0.1:$n2_PORT -n 40 -r 2000 -q --seed 11 --ps unif:min=100,max=5000 || fail run
stop_node n2
start_node n3
client --to 127.0.0.1:$n3_PORT -n 40 -r 2000 -q --seed 11 --ps unif:min=100,max=5000 || fail run
stop_node n3
start_node n4
client --to 127.0.0.1:$n4_PORT -n 40 -r 2000 -q --seed 12 --ps unif:min=100,max=5000 || fail run
stop_node n4
b2=$(stat n2 bytes_in) b3=$(stat n3 bytes_in) b4=$(stat n4 bytes_in)
assert_eq "same seed, same request bytes" "$b2" "$b3"
[ "$b2" != "$b4" ] || fail "different seeds gave identical request sizes ($b2)"
[ "$b2" -gt $((40 * 100)) ] || fail "bytes_in $b2 too small for --ps >= 100"

# --seed-salt: the node derives its seed from --seed and the salt (each
# replica of a Deployment salts with its pod name) and prints it; that seed
# given as --seed draws the same numbers (the node draws SKIP's
# probabilities), another salt others.
skips() { # NAME NODE-OPTIONS...: the ops a 0.5 SKIP left out of 64 requests, in SKIPPED
	local name=$1 port
	shift
	start_node "$name" "$@"
	port=${name}_PORT
	client --to "127.0.0.1:${!port}" -s 1,prob=0.5 -C 1us -n 64 -r 2000 -q || { show; fail "skips $name"; }
	stop_node "$name"
	SKIPPED=$(stat "$name" skipped_ops)
}
skips s1 --seed 1011 --seed-salt web-7d9f8-abcde
salted=$SKIPPED
used=$(sed -n "s/.*seed \([0-9]*\) (--seed 1011 salted with 'web-7d9f8-abcde')\$/\1/p" "$TMP/s1.log")
[ -n "$used" ] && [ "$used" != 1011 ] || { cat "$TMP/s1.log"; fail "the node did not print its salted seed"; }
skips s2 --seed "$used"
assert_eq "the printed seed draws as the salted one" "$salted" "$SKIPPED"
skips s3 --seed 1011 --seed-salt web-7d9f8-abcdf
[ "$SKIPPED" != "$salted" ] || fail "another salt drew the same ($salted ops skipped with each)"
grep -q "salted with 'web-7d9f8-abcdf'" "$TMP/s3.log" && ! grep -q "seed $used " "$TMP/s3.log" ||
	{ cat "$TMP/s3.log"; fail "another salt printed the same seed"; }

# A script file holds options and ops; it expands where -f appears.
start_node n5
cat >"$TMP/s.dw" <<EOS
# two computes, the second via a script
-C 2ms   # first op
-n 10 -r 200
EOS
client --to 127.0.0.1:$n5_PORT -f "$TMP/s.dw" -C 1ms -q || { show; fail "script run"; }
stop_node n5
assert_eq "script requests" 10 "$(stat n5 requests)"
assert_eq "script computes (2 per request)" 20 "$(stat n5 computes)"
"$MESHWALK" client -f "$TMP/missing.dw" 2>"$TMP/e"; assert_eq "missing script exit" 2 $?
grep -q "cannot open script" "$TMP/e" || fail "missing script message"
# Scripts that include each other many times are bounded as a whole: seven
# levels of 16 includes each would read 16^7 files, refused instead.
printf -- '-C 1us\n' >"$TMP/x0.dw"
for lvl in 1 2 3 4 5 6 7; do
	for _ in $(seq 16); do printf -- '-f %s\n' "$TMP/x$((lvl - 1)).dw"; done >"$TMP/x$lvl.dw"
done
timeout 20 "$MESHWALK" client -f "$TMP/x7.dw" -n 1 2>"$TMP/e"; assert_eq "exploding script exit" 2 $?
grep -q "more than 1000 script files read" "$TMP/e" || { cat "$TMP/e"; fail "exploding script message"; }
# Few files, many words: one 1 MiB script of 2-byte words included 16 times.
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "-C 1 "; }' >"$TMP/w0.dw"
for _ in $(seq 16); do printf -- '-f %s\n' "$TMP/w0.dw"; done >"$TMP/w1.dw"
timeout 60 "$MESHWALK" client -f "$TMP/w1.dw" -n 1 2>"$TMP/e"; assert_eq "wordy script exit" 2 $?
grep -q "expands to more than 1000000 words" "$TMP/e" || { cat "$TMP/e"; fail "wordy script message"; }
exit 0
