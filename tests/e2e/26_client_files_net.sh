# Inter-arrival times (-p) and rate steps (-r --rss) read from files, -n auto;
# -b/--bind-addr picks the source address; --nd/--no-delay sets TCP_NODELAY.
. "$(dirname "$0")/lib.sh"
start_node n

# -p from a file: the schedule is exactly the cumulative sum of the gaps
printf '# gaps\ngap_us\n1000\n3000\n2ms\n500\n' >"$TMP/gaps.csv"
client --to 127.0.0.1:$n_PORT -p file:"$TMP/gaps.csv" -n auto --csv "$TMP/p.csv" || { show; fail "-p file"; }
assert_eq "-n auto from the gap file" 4 "$(grep -c ',ok$' "$TMP/p.csv")"
assert_eq "intended times" "0.000 1000.000 4000.000 6000.000" \
	"$(sort -t, -k3n "$TMP/p.csv" | grep ',ok$' | cut -d, -f4 | tr '\n' ' ' | sed 's/ $//')"

# -r from a file with --rss: 100/s for 0.2s then 50/s for 0.2s = 20 + 10 requests
printf 'step,rate\n1,100\n2,50\n' >"$TMP/rates.csv"
client --to 127.0.0.1:$n_PORT -r file:"$TMP/rates.csv",col=2 --rss 200ms -n auto --csv "$TMP/r.csv" ||
	{ show; fail "-r file"; }
assert_eq "-n auto from the rate file" 30 "$(grep -c ',ok$' "$TMP/r.csv")"
t=$(grep ",ok$" "$TMP/r.csv" | sort -t, -k3n | cut -d, -f4)
assert_eq "first step's spacing (10 ms)" 10000.000 "$(sed -n 2p <<<"$t")"
# a step's first request: at its start or one new gap after the last one, if later
assert_eq "second step's first request (190 ms + 20 ms)" 210000.000 "$(sed -n 21p <<<"$t")"
assert_eq "second step's spacing (20 ms)" 230000.000 "$(sed -n 22p <<<"$t")"

# -b: the node sees the client come from 127.0.0.2 (any 127/8 address is local)
timeout 30 "$MESHWALK" client --to 127.0.0.1:$n_PORT -b 127.0.0.2 -n 40 -r 20 -q >/dev/null 2>"$TMP/b.err" &
bpid=$!
slowwait 10 sh -c "ss -tnH state established '( dport = :$n_PORT )' | grep -q '127.0.0.2:'" ||
	fail "no connection from 127.0.0.2: $(ss -tn | grep ":$n_PORT")"
wait $bpid || fail "client -b exited $?: $(cat "$TMP/b.err")"
client --to 127.0.0.1:$n_PORT -b 192.0.2.1 -n 1 && fail "bind to a foreign address succeeded"
grep -q "cannot bind to 192.0.2.1:0" "$TMP/err" || { show; fail "-b error message"; }

# --nd: TCP_NODELAY set by default and with --nd 1, not with --nd 0 (seen with strace)
if command -v strace >/dev/null; then
	for nd in 1 0; do
		# LeakSanitizer cannot run under ptrace: off for this traced run only.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 60 strace -f -qq -e trace=setsockopt -o "$TMP/nd$nd" \
			"$MESHWALK" client --to 127.0.0.1:$n_PORT --nd $nd -n 2 --closed-loop -q >/dev/null 2>&1 ||
			fail "client --nd $nd under strace"
	done
	grep -q "TCP_NODELAY, \[1\]" "$TMP/nd1" || fail "--nd 1 did not set TCP_NODELAY: $(cat "$TMP/nd1")"
	grep -q "TCP_NODELAY" "$TMP/nd0" && fail "--nd 0 set TCP_NODELAY: $(cat "$TMP/nd0")"
else
	echo "note: strace not installed, --nd not traced"
fi
stop_node n
exit 0
