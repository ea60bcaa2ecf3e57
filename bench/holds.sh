#!/usr/bin/env bash
# bench/holds.sh [BINARY...] -- how close to their samples a node's timed
# waits end: link holds (--net-delay, a scenario's links) and SLEEP ops.
#
# Each BINARY (default bin/meshwalk; give two to compare builds, their runs
# alternate) runs, traced, at 10 req/s (HOLDS_REQUESTS, default 300): a
# service `front` that forwards to `back`, (1) with no link, (2) with a
# HOLDS_DELAY (default 300us) link each way, and `back` SLEEPing
# HOLDS_SLEEP (default 500us) per request. Printed per binary: the forward's
# network time (client span minus server span; in (2) less the two holds
# drawn), median and mean, and back's server span less its SLEEP. What is
# left over is the node's own hop and how late its timers ended: at a low
# rate on a VM, where every wake-up comes from idle, that is where a late
# timer shows. A benchmark: asserts nothing; loopback only.
set -u
cd "$(dirname "$0")/.."
N=${HOLDS_REQUESTS:-300}
DELAY=${HOLDS_DELAY:-300us}
SLEEP=${HOLDS_SLEEP:-500us}
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=("$PWD/bin/meshwalk")
die() { echo "bench/holds.sh: $*" >&2; exit 1; }
for b in "${BINS[@]}"; do [ -x "$b" ] || die "$b: not an executable (build meshwalk first: make)"; done
case $N in '' | *[!0-9]*) die "HOLDS_REQUESTS: a count" ;; esac
command -v python3 >/dev/null || die "needs python3"
T=$(mktemp -d /tmp/meshwalk-holds.XXXXXX)
trap 'rm -rf "$T"' EXIT

scenario() { # FILE LINK_DELAY (empty: no link)
	{
		printf 'seed: 1\nservices:\n  front:\n    routes:\n      r: "-C 50us -F {back},route=x -C 50us"\n'
		printf '  back:\n    routes:\n      x: "--sleep %s"\n' "$SLEEP"
		if [ -n "$2" ]; then
			printf 'network:\n  mode: loopback\n  links:\n    - between: [back, front]\n      delay: "%s"\n' "$2"
		fi
		printf 'clients:\n  - name: c\n    to: front\n    route: r\n    args: "-n %s -p exp:0.1s"\n' "$N"
	} >"$1"
}
scenario "$T/nolink.yaml" ""
scenario "$T/link.yaml" "$DELAY"
"${BINS[0]}" run --check "$T/link.yaml" >/dev/null 2>&1 ||
	die "the scenario does not load: $("${BINS[0]}" run --check "$T/link.yaml" 2>&1 | tail -n 1)"

echo "bench/holds.sh: $N requests per run at 10/s, link $DELAY each way, SLEEP $SLEEP; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cpus"
i=0
for b in "${BINS[@]}"; do
	for c in nolink link; do
		i=$((i + 1))
		"$b" run -q -o "$T/$i" --set trace_sample=1 "$T/$c.yaml" >"$T/$i.err" 2>&1 ||
			die "$b run $c failed: $(tail -n 1 "$T/$i.err")"
		echo "$b $c $T/$i"
	done
done >"$T/runs"

python3 - "$T/runs" "$DELAY" "$SLEEP" <<'EOF'
import json, statistics, sys

def ns(text):  # a duration as the scenario gives it: 300us, 1ms, 2s
    for unit, mult in (("us", 1e3), ("ms", 1e6), ("ns", 1), ("s", 1e9)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * mult
    return float(text) * 1e3

def spans(path):
    out = []
    for line in open(path):
        for rs in json.loads(line).get("resourceSpans", []):
            svc = next(a["value"]["stringValue"] for a in rs["resource"]["attributes"]
                       if a["key"] == "service.name")
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    s["svc"] = svc
                    out.append(s)
    return out

def dur(s):
    return int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])

holds, sleep = 2 * ns(sys.argv[2]), ns(sys.argv[3])
print("%-40s %-7s %22s %22s" % ("binary", "link", "forward's network us", "back's span - SLEEP us"))
print("%-40s %-7s %11s %10s %11s %10s" % ("", "", "median", "mean", "median", "mean"))
for line in open(sys.argv[1]):
    binary, case, out = line.split()
    sp = spans(out + "/traces.otlp.jsonl")
    servers = {(s["traceId"], s.get("parentSpanId")): s for s in sp if s.get("kind") == 2}
    net, back = [], []
    for s in sp:
        if s.get("kind") == 3 and s["svc"] == "front":
            child = servers.get((s["traceId"], s["spanId"]))
            if child is not None and child["svc"] == "back":
                net.append((dur(s) - dur(child) - (holds if case == "link" else 0)) / 1e3)
                back.append((dur(child) - sleep) / 1e3)
    if not net:
        sys.exit("bench/holds.sh: no forward spans in " + out)
    print("%-40s %-7s %11.1f %10.1f %11.1f %10.1f" % (binary[-40:], case, statistics.median(net),
          statistics.mean(net), statistics.median(back), statistics.mean(back)))
EOF
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
