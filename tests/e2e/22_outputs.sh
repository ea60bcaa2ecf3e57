# --csv writes one row per request (failed ones too), --json the summary;
# --quiet drops the per-request lines but keeps the summary.
. "$(dirname "$0")/lib.sh"
start_node n1
client --to 127.0.0.1:$n1_PORT -n 50 -r 1000 --csv "$TMP/r.csv" --json "$TMP/summary.json" -q ||
	{ show; fail "client exit $?"; }
stop_node n1
grep -q '^t: ' "$TMP/out" && fail "--quiet still printed per-request lines"
grep -q '^requests: sent 50, ok 50' "$TMP/out" || fail "--quiet dropped the summary"
head -n 1 "$TMP/r.csv" | grep -qx 'thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status' ||
	fail "csv header: $(head -n 1 "$TMP/r.csv")"
assert_eq "csv rows" 50 "$(grep -c ',ok$' "$TMP/r.csv")"
# latency = recv - intended and service = recv - sent, per row
awk -F, 'NR > 1 { if (($6 - $4) - $7 > 0.01 || ($6 - $4) - $7 < -0.01) bad++;
                  if (($6 - $5) - $8 > 0.01 || ($6 - $5) - $8 < -0.01) bad++;
                  if ($7 < $8 - 0.01) bad++ } END { exit bad > 0 }' "$TMP/r.csv" ||
	fail "csv latency columns inconsistent"
assert_eq "json sent" 50 "$(json sent)"
assert_eq "json ok" 50 "$(json ok)"
assert_eq "json not_completed" 0 "$(json not_completed)"
grep -q '"latency": {"count": 50, "min": ' "$TMP/summary.json" || fail "json latency"
grep -q '"p99_9": ' "$TMP/summary.json" || fail "json p99.9"

# Failed requests are rows too, never latencies: a target that refuses.
start_node n2
client --to 127.0.0.1:$n2_PORT -F 127.0.0.1:1 -n 5 -r 100 --csv "$TMP/f.csv" --json "$TMP/summary.json" -q
assert_eq "exit with failed forwards" 1 $?
stop_node n2
assert_eq "csv error rows" 5 "$(grep -c ',error$' "$TMP/f.csv")"
assert_eq "json errors" 5 "$(json errors)"
assert_eq "json ok" 0 "$(json ok)"
grep -q '"first_error": "forward failed: node 127.0.0.1:[0-9]*: forward to 127.0.0.1:1 failed: unreachable"' "$TMP/summary.json" ||
	fail "json first_error: $(grep first_error "$TMP/summary.json")"
exit 0
