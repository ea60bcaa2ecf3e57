#!/usr/bin/env bash
# 25_output_modes: when the per-request lines reach stdout. Default: in
# batches (here: only at the end); --pso: each session's lines when it ends;
# -i: each line as its reply arrives. Requests at 0, 1, 2, 3 s; the files are
# looked at 1.5 s in, half a period away from any event.
. "$(dirname "$0")/lib.sh"
start_node n1
run_bg() { # NAME ARGS...
	local name=$1
	shift
	timeout -k 5 60 "$MESHWALK" client --to 127.0.0.1:$n1_PORT -n 4 -r 1 --no-summary "$@" >"$TMP/$name" 2>&1 &
	PIDS+=($!)
}
run_bg default
run_bg pso --ns 2 --pso
run_bg inter -i
sleep 1.5
seen() { grep -c '^t: ' "$TMP/$1"; }
d=$(seen default) p=$(seen pso) i=$(seen inter)
assert_eq "lines of the default mode after 1.5 s" 0 "$d"
assert_eq "lines of --pso after 1.5 s (session 0 done)" 2 "$p"
assert_eq "lines of -i after 1.5 s" 2 "$i"
grep -q '^t: .*sess_id: 1' "$TMP/pso" && fail "--pso printed session 1 before it ended"
wait "${PIDS[@]:1}" 2>/dev/null
for f in default pso inter; do
	assert_eq "$f lines at the end" 4 "$(seen $f)"
done
# --non-block is accepted as DistWalk's spelling of --ws.
client --to 127.0.0.1:$n1_PORT -n 20 -r 1000 --non-block -q || { show; fail "--non-block"; }
grep -q 'ok 20' "$TMP/out" || fail "--non-block counts"
stop_node n1
echo ok
