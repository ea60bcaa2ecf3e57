#!/usr/bin/env bash
# bench/import.sh [MB] -- meshwalk import's reading speed and memory: writes
# about MB megabytes (default 200) each of a generated Alibaba call-graph CSV
# and an OTLP JSON Lines file (20-span traces over 50 services), then times
# `meshwalk import --summary` on each, plain and gzip, and `meshwalk import -o`
# (the fitted model and the scenario written) on the plain files: MB/s of
# input on one core and peak RSS, which must stay flat as the input grows (the open-span
# bound and the summary's aggregates, not the file, set it). A benchmark: it
# asserts nothing. Files go to a temporary directory, removed on exit.
set -u
cd "$(dirname "$0")/.."
MB=${1:-200}
MESHWALK=${MESHWALK:-$PWD/bin/meshwalk}
[ -x "$MESHWALK" ] || { echo "bench/import.sh: build meshwalk first (make)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "bench/import.sh: needs GNU time" >&2; exit 1; }
T=$(mktemp -d /tmp/meshwalk-import-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

python3 - "$T" "$MB" <<'PY'
import random, sys
out, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
limit = mb * 1000 * 1000
# Alibaba v2022 columns; each call recorded by both sides (rt > 0 caller, < 0 callee).
with open(out + "/ali.csv", "w") as f:
    f.write("timestamp,traceid,service,rpc_id,um,uminstanceid,rpctype,interface,dm,dminstanceid,rt\n")
    t = 0
    while f.tell() < limit:
        t += 1
        tid = "%032x" % rnd.getrandbits(128)
        ids = ["0"]
        for k in range(10):
            parent = rnd.choice(ids)
            rid = "%s.%d" % (parent, k + 1) if parent != "0" or k else "0"
            ids.append(rid)
            um, dm = "MS_%d" % rnd.randrange(50), "MS_%d" % rnd.randrange(50)
            rt = rnd.randrange(1, 40)
            for side in (rt, -(rt - 1)):
                f.write("%d,%s,S_1,%s,%s,%s_POD_0,rpc,if_%d,%s,%s_POD_1,%d\n"
                        % (t, tid, rid, um, um, rnd.randrange(20), dm, dm, side))
# OTLP JSON Lines: one request per trace, 20 spans, one resource per span.
with open(out + "/otlp.jsonl", "w") as f:
    t0 = 1700000000000000000
    while f.tell() < limit:
        tid = "%032x" % rnd.getrandbits(128)
        parts, ids = [], []
        for k in range(20):
            sid = "%016x" % rnd.getrandbits(64)
            par = rnd.choice(ids) if ids else ""
            ids.append(sid)
            t0 += 1000
            parts.append('{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc%d"}}]},'
                         '"scopeSpans":[{"scope":{"name":"x"},"spans":[{"traceId":"%s","spanId":"%s",'
                         '"parentSpanId":"%s","name":"op%d","kind":%d,"startTimeUnixNano":"%d",'
                         '"endTimeUnixNano":"%d","attributes":[{"key":"http.request.body.size",'
                         '"value":{"intValue":"%d"}}],"status":{}}]}]}'
                         % (rnd.randrange(50), tid, sid, par, rnd.randrange(20), 2 + (k % 2), t0,
                            t0 + rnd.randrange(1000, 900000), rnd.randrange(100, 5000)))
        f.write('{"resourceSpans":[' + ",".join(parts) + "]}\n")
PY
gzip -1 -k "$T/ali.csv" "$T/otlp.jsonl"

printf '%-16s %10s %10s %10s %12s\n' input "MB" seconds "MB/s" "peak RSS MB"
for f in ali.csv ali.csv.gz otlp.jsonl otlp.jsonl.gz ali.csv-o otlp.jsonl-o; do
	what=(--summary)
	case $f in *-o) f=${f%-o}; what=(-o "$T/scenario.yaml") ;; esac
	raw=$(stat -c %s "$T/${f%.gz}")
	/usr/bin/time -f '%e %M' -o "$T/time" "$MESHWALK" import "${what[@]}" "$T/$f" >"$T/out" ||
		{ echo "import of $f failed" >&2; continue; }
	if [ "${what[0]}" = -o ]; then f="$f -o"; else cp "$T/out" "$T/summary"; fi
	read -r secs kb <"$T/time"
	awk -v f="$f" -v b="$raw" -v s="$secs" -v kb="$kb" 'BEGIN {
		printf "%-16s %10.0f %10.2f %10.1f %12.1f\n", f, b / 1e6, s, (s > 0 ? b / 1e6 / s : 0), kb / 1024 }'
done
grep -E '^(traces|spans) ' "$T/summary" | tr '\n' ' '
echo "(last summary)"
