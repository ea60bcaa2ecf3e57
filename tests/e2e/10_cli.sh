# The binary's help, man pages and usage errors.
. "$(dirname "$0")/lib.sh"

"$MESHWALK" --help >"$TMP/h" || fail "meshwalk --help exit $?"
grep -q "node" "$TMP/h" && grep -q "client" "$TMP/h" || fail "top-level help lacks subcommands"
"$MESHWALK" node --help >"$TMP/nh" || fail "node --help"
"$MESHWALK" client --help >"$TMP/ch" || fail "client --help"
# Every DistWalk spelling the issue names is documented in --help.
for o in --bind-addr --nt --accept-mode --am --backlog-length --no-delay; do
	grep -q -- "$o" "$TMP/nh" || fail "node --help lacks $o"
done
for o in --to --num-pkts --rate --period --rss --nt --ns --ps --comp-time --forward --rs \
	--skip --seed --ws --retry-num --retry-period --script-filename --timeout --csv --json; do
	grep -q -- "$o" "$TMP/ch" || fail "client --help lacks $o"
done
# Man pages come from the same tables.
"$MESHWALK" man client >"$TMP/m" || fail "man client"
grep -q '^\.TH meshwalk-client' "$TMP/m" || fail "man client is not troff"
grep -q 'comp\\-time' "$TMP/m" || fail "man client lacks --comp-time"
"$MESHWALK" man node | grep -q 'accept\\-mode' || fail "man node lacks --accept-mode"

# Usage errors exit 2 with a message naming the problem.
"$MESHWALK" client --bogus 2>"$TMP/e"; rc=$?
assert_eq "exit for unknown option" 2 "$rc"
grep -q "unknown option '--bogus'" "$TMP/e" || fail "no message for --bogus: $(cat "$TMP/e")"
"$MESHWALK" client -C 10xs 2>"$TMP/e"; assert_eq "exit for bad spec" 2 $?
grep -q "10xs" "$TMP/e" || fail "bad spec message does not quote the input"
"$MESHWALK" client -r 10 -p 1ms 2>"$TMP/e"; assert_eq "exit for -r with -p" 2 $?
# nack= above the target count is clamped with a warning, as DistWalk clamps.
"$MESHWALK" client --to 127.0.0.1:1 -F 127.0.0.1:1,nack=3 -n 1 >/dev/null 2>"$TMP/e"
grep -q "nack=3 replies but has 1 target: waiting for 1" "$TMP/e" || fail "no nack clamp warning: $(cat "$TMP/e")"
grep -q "nack=3" "$TMP/e" || fail "nack message: $(cat "$TMP/e")"
"$MESHWALK" node --accept-mode bogus 2>"$TMP/e"; assert_eq "exit for bad accept mode" 2 $?
grep -q "child, shared or parent" "$TMP/e" || fail "accept mode message"
"$MESHWALK" node --nt 0 2>"$TMP/e"; assert_eq "exit for --nt 0" 2 $?
# Durations beyond what fits in nanoseconds are refused, not converted (UB).
for t in 1e18 inf; do
	"$MESHWALK" run --timeout "$t" --check "$(dirname "$0")/../../examples/demo.yaml" >/dev/null 2>"$TMP/e"
	assert_eq "exit for run --timeout $t" 2 $?
done
"$MESHWALK" bogus 2>/dev/null; assert_eq "exit for unknown subcommand" 2 $?
# Both --opt value and --opt=value parse (DistWalk rejects "--rs 11192").
"$MESHWALK" client --rs 11192 --to=127.0.0.1:1 -n 0 >/dev/null 2>&1; assert_eq "--rs 11192" 0 $?
"$MESHWALK" client --rs=11192 --to 127.0.0.1:1 -n 0 >/dev/null 2>&1; assert_eq "--rs=11192" 0 $?
# Out-of-range numbers are usage errors, never converted (found by fuzzing:
# a rejected 1e300 was still cast to an integer, undefined behaviour).
for args in "client -F 127.0.0.1:1,timeout=1e300" "client --timeout 1e300" "client -F 127.0.0.1:1,timeout=" \
	"node --max-frame-size 1e300" "node --max-prog-size 1e300" "node --forward-timeout 1e300" \
	"node --max-compute 1e300" "node -m 1e300" "node --max-io-size 1e300" "proxy --to :1 --connect-timeout 1e300"; do
	"$MESHWALK" $args >/dev/null 2>"$TMP/err"; rc=$?
	assert_eq "exit for $args" 2 "$rc"
	grep -q "expected" "$TMP/err" || fail "$args: no message"
done
# A rate ramp of 2.5e11 steps with -n auto is refused, not summed for hours (fuzzing).
timeout 20 "$MESHWALK" client -r aseq:min=2,max=01T,step=4 --rss 1 -n auto 2>"$TMP/err"; assert_eq "huge -n auto" 2 $?
grep -q "more than 10^7" "$TMP/err" || fail "huge -n auto message: $(cat "$TMP/err")"
exit 0
