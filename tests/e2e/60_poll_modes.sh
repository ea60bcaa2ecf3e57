# Every --poll-mode serves concurrent clients in every accept mode, and they
# forward to each other; io_uring (with its socket I/O, and io_uring-poll
# without) may be refused only with the documented error.
. "$(dirname "$0")/lib.sh"
modes="epoll poll select io_uring io_uring-poll"
if ! try_node probe -p io_uring -q; then
	assert_eq "io_uring refusal exit status" 1 "$probe_RC"
	grep -q "io_uring is unavailable" "$TMP/probe.log" ||
		fail "io_uring refused without the documented message: $(cat "$TMP/probe.log")"
	echo "io_uring unavailable here: $(cat "$TMP/probe.log")"
	modes="epoll poll select"
else
	stop_node probe
fi
for mode in $modes; do
	for am in child shared parent; do
		n=n_${mode}_$am
		start_node "$n" --nt 2 -p "$mode" -a "$am"
		grep -q "accept mode $am, poll mode $mode" "$TMP/$n.log" ||
			fail "$mode/$am: start line: $(cat "$TMP/$n.log")"
		port_var=${n}_PORT
		client --to 127.0.0.1:${!port_var} --nt 4 --ns 3 -n 30 -r 500 -C 50us -q ||
			{ show; fail "$mode/$am: client exit"; }
		grep -q '^requests: sent 120, ok 120,' "$TMP/out" || { show; fail "$mode/$am: counts"; }
		stop_node "$n"
		assert_eq "$mode/$am node requests" 120 "$(stat "$n" requests)"
		assert_eq "$mode/$am accepted" 12 "$(stat "$n" accepted)"
	done
done

# A chain through every back end (one of them spinning): peers, connects in
# progress and write interest exercise mod/del, not only reads.
prev=
set -- $modes
for mode in "$@"; do
	if [ "$mode" = poll ]; then start_node "c_$mode" -p "$mode" --nt 2 --ws; else start_node "c_$mode" -p "$mode" --nt 2; fi
done
route=()
for mode in "${@:2}"; do
	port_var=c_${mode}_PORT
	route+=(-C 20us -F "127.0.0.1:${!port_var}")
done
port_var=c_${1}_PORT
client --to 127.0.0.1:${!port_var} --nt 3 -n 30 -r 300 "${route[@]}" -C 20us -q ||
	{ show; fail "chain through $*"; }
grep -q '^requests: sent 90, ok 90,' "$TMP/out" || { show; fail "chain counts"; }
for mode in "$@"; do
	stop_node "c_$mode"
	assert_eq "chain: $mode requests" 90 "$(stat "c_$mode" requests)"
done
exit 0
