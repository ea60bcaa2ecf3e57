# Threads carry DistWalk's names, so scripts written for dw_node find them:
# workers dwn_conn_N (top -H), the storage thread dwn_stor_0; meshwalk's own
# PARENT acceptor is mw-accept (DistWalk accepts on its main thread). When
# DistWalk's dw_node is found ($DW_BIN, else ../shared/peers/distwalk beside
# the repository), its dwn_* names are compared with meshwalk's side by side.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DW_BIN=${DW_BIN:-$ROOT/../shared/peers/distwalk}
# (Sanitizer runtimes may add unnamed threads: only known prefixes are compared.)
names() { cat /proc/"$1"/task/*/comm 2>/dev/null | grep -E "^(${2:-dwn_|mw-})" | sort | tr '\n' ' '; }
has_thread() { cat /proc/"$1"/task/*/comm 2>/dev/null | grep -qx "$2"; } # PID NAME

start_node names --nt 3 -a parent
assert_eq "thread names" "dwn_conn_0 dwn_conn_1 dwn_conn_2 dwn_stor_0 mw-accept " "$(names $names_PID)"
assert_eq "main thread name" meshwalk "$(cat /proc/$names_PID/comm)"
stop_node names
# (and the long spellings of -p and -c)
start_node one --poll-mode=poll --thread-affinity 0
assert_eq "thread names, one worker" "dwn_conn_0 dwn_stor_0 " "$(names $one_PID)"
grep -q "poll mode poll, cores 0)" "$TMP/one.log" || fail "long options: $(cat "$TMP/one.log")"
stop_node one

[ -x "$DW_BIN/dw_node" ] || { echo "# DistWalk not found at $DW_BIN: meshwalk's names only"; exit 0; }
# Side by side: the same options to both; dw_node on port 0 (each of its child
# workers then listens on a port of its own: no connection is made here).
cd "$TMP" || fail "no $TMP"
n=0
for opts in "--nt 1" "--nt 3" "--nt 2 -a parent" "--nt 2 -a shared"; do
	n=$((n + 1))
	start_node "mw$n" $opts
	pidvar=mw${n}_PID
	mw=$(names "${!pidvar}" dwn_)
	stop_node "mw$n"
	"$DW_BIN/dw_node" -b 127.0.0.1:0 $opts >"$TMP/dw$n.log" 2>&1 &
	dpid=$!
	PIDS+=("$dpid")
	nt=${opts#--nt }; nt=${nt%% *}
	slowwait 10 has_thread $dpid "dwn_conn_$((nt - 1))" ||
		fail "dw_node $opts: no dwn_conn_$((nt - 1)): $(cat /proc/$dpid/task/*/comm 2>/dev/null) $(cat "$TMP/dw$n.log")"
	slowwait 10 has_thread $dpid dwn_stor_0
	dw=$(names $dpid dwn_)
	kill -TERM $dpid
	wait $dpid 2>/dev/null
	echo "# $opts: DistWalk: $dw| meshwalk: $mw"
	assert_eq "dwn_* threads with $opts (DistWalk's, meshwalk's)" "$dw" "$mw"
done
exit 0
