# Each accept mode serves several concurrent clients on several workers.
. "$(dirname "$0")/lib.sh"
for mode in child shared parent; do
	start_node n_$mode --nt 2 -a $mode
	port_var=n_${mode}_PORT
	client --to 127.0.0.1:${!port_var} --nt 4 -n 50 -r 500 -C 100us -q ||
		{ show; fail "mode $mode: client exit"; }
	grep -q '^requests: sent 200, ok 200' "$TMP/out" || { show; fail "mode $mode: counts"; }
	stop_node n_$mode
	assert_eq "mode $mode node requests" 200 "$(stat n_$mode requests)"
	assert_eq "mode $mode accepted" 4 "$(stat n_$mode accepted)"
done
# --am is an alias of -a
start_node n_am --am parent --nt 2
client --to 127.0.0.1:$n_am_PORT --ns 5 -n 10 -r 500 -q || { show; fail "--am parent"; }
stop_node n_am
assert_eq "sessions reconnect" 5 "$(stat n_am accepted)"
exit 0
