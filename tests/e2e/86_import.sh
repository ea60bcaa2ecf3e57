#!/usr/bin/env bash
# 86_import: meshwalk import --summary on the project's own small trace files
# (tests/data/import, written by hand: see its README) in every format, plain
# and gzip, with the exact counts each file was written to produce; malformed
# input gives FILE:LINE and exit 1; usage errors exit 2; the memory bound
# finishes traces early and says so.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$ROOT/tests/data/import

# summary FILE ARGS...: the summary in $TMP/out, or fail
summary() {
	"$MESHWALK" import --summary "$@" >"$TMP/out" 2>"$TMP/err" || {
		cat "$TMP/err" >&2
		fail "import $* failed"
	}
}
# has LINE: the summary has this exact line
has() {
	grep -qxF -- "$1" "$TMP/out" || { cat "$TMP/out" >&2; fail "summary lacks '$1'"; }
}
# counts traces spans services operations roots orphans skewed errors
counts() {
	has "traces $1"
	has "spans $2"
	has "services $3"
	has "operations $4"
	has "roots $5"
	has "orphans $6"
	has "skewed $7"
	has "errors $8"
}

# Jaeger: processes after the spans; s5 (FOLLOWS_FROM) outlives its parent;
# o1's parent is not in the trace; SELECT is a client span nobody answers.
summary "$D/jaeger.json"
has "file $D/jaeger.json jaeger"
counts 2 7 2 5 2 1 1 1
has '  frontend "GET /" -> backend "/api" 1'
has '  backend "/api" -> mysql ("SELECT") 1'
has '  frontend "GET /" 2'
has '  1 FOLLOWS_FROM parents'

# Zipkin: one shared id (client gateway -> server auth), the server half
# starting 50 us before the client (skew), a span without timestamps.
summary "$D/zipkin.json"
has "file $D/zipkin.json zipkin"
counts 1 5 2 5 1 0 1 1
has '  1 calls recorded on both sides under one id (client -> server pairs)'
has '  1 spans without timestamps'
has '  gateway "get /" -> auth "check" 1'
has '  auth "check" -> redis ("cache") 1'

# OTLP, one request per line, the second with its resource after its spans;
# the same gzip-compressed, and read from standard input.
summary "$D/otlp.jsonl"
has "file $D/otlp.jsonl otlp"
counts 1 3 2 3 1 0 0 1
has '  cart "POST /cart" -> price "GET /price" 1'
gzip -c "$D/otlp.jsonl" >"$TMP/otlp.jsonl.gz"
summary "$TMP/otlp.jsonl.gz"
has "file $TMP/otlp.jsonl.gz otlp"
counts 1 3 2 3 1 0 0 1
"$MESHWALK" import -s - <"$TMP/otlp.jsonl.gz" >"$TMP/out" || fail "import from stdin failed"
has "spans 3"

# Alibaba v2021 (index column) and v2022 (rpc_id, mq, rt NAN).
summary "$D/alibaba_2021.csv"
has "file $D/alibaba_2021.csv alibaba"
counts 2 7 4 7 1 1 0 0
has '  USER "home" -> MS_A "home" 1'
has '  MS_A "home" -> MS_B "getItem" 1'
has '  MS_A "home" -> DB_1 ("db") 1'
has '  MS_B "getItem" -> MC_1 ("mc") 1'
summary --format alibaba "$D/alibaba_2022.csv"
counts 1 5 3 5 1 0 1 0
has '  MS_X "entry" -> MS_Y "publish" 1'
has '  MS_X "entry" -> MS_Z ("get") 1'

# Several files, several formats: one import.
summary "$D/jaeger.json" "$D/zipkin.json" "$D/otlp.jsonl" "$D/alibaba_2021.csv" "$D/alibaba_2022.csv"
counts 7 27 13 25 6 2 3 3

# The memory bound: one open span at a time splits the CSV's traces into
# pieces, counted; a Jaeger trace object larger than the bound is refused.
summary --max-open-spans 1 "$D/alibaba_2021.csv"
has "spans 7"
grep -q 'traces split by --max-open-spans' "$TMP/out" || fail "no split-trace warning"
grep -q 'traces finished by --max-open-spans before the end' "$TMP/out" || fail "no eviction note"
# A bound the file fits in: nothing finished early, nothing split.
summary --max-open-spans 7 "$D/alibaba_2021.csv"
grep -q 'max-open-spans' "$TMP/out" && fail "a bound of 7 spans touched a 7-span file"
"$MESHWALK" import -s --max-open-spans 1 "$D/jaeger.json" >/dev/null 2>"$TMP/err" && fail "bound not enforced"
grep -q 'more than 1 spans' "$TMP/err" || fail "bound message: $(cat "$TMP/err")"
printf '{"traceID": "1", "spans": [], "processes": {"a": {"serviceName": "x"}, "b": {"serviceName": "y"}}}' >"$TMP/procs.json"
"$MESHWALK" import -s --max-open-spans 1 "$TMP/procs.json" >/dev/null 2>"$TMP/err" && fail "process bound not enforced"
grep -q 'more than 1 processes' "$TMP/err" || fail "process bound message: $(cat "$TMP/err")"

# Malformed input: file, line and reason, exit 1.
bad() { # expected-message FORMAT-ARGS... < input
	local want=$1
	shift
	cat >"$TMP/bad"
	"$MESHWALK" import -s "$@" "$TMP/bad" >/dev/null 2>"$TMP/err"
	local rc=$?
	[ $rc -eq 1 ] || fail "malformed input: exit $rc, expected 1 ($want)"
	grep -qF -- "$want" "$TMP/err" || fail "expected '$want', got: $(cat "$TMP/err")"
}
printf '[\n{"traceId": "1", "id": "2",\n "timestamp": 5,}\n]\n' | bad "$TMP/bad:3:"
printf '{"data": [{"spans": [{"traceID": "1"}]}]}' | bad "$TMP/bad:1: span ?: no valid \"spanID\""
printf '[{"traceId": "1", "id": "2", "timestamp": "soon"}]' | bad "\"timestamp\" is not a time in us"
printf '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "aa", "spanId": "bb",' | bad "malformed JSON"
printf 'traceid,timestamp,rpcid,um,dm,rt\nT,1,0,A,B,1\nT,2,0.1,A\n' | bad "$TMP/bad:3: 4 fields, the header has 6"
printf 'traceid,timestamp,rpcid,um,dm\n' | bad "the header has no column rt"
printf 'traceid,timestamp,rpcid,um,dm,rt\nT,yesterday,0,A,B,1\n' | bad "$TMP/bad:2: timestamp"
printf 'not a trace\n' | bad "not a trace file meshwalk knows"
printf '\037\213garbage-that-is-not-gzip' | bad "$TMP/bad"
printf '[' | bad "malformed JSON" --format zipkin
"$MESHWALK" import -s "$TMP/missing.json" 2>"$TMP/err" && fail "a missing file was accepted"
grep -q "missing.json: No such file" "$TMP/err" || fail "missing file: $(cat "$TMP/err")"

# Usage errors: exit 2.
"$MESHWALK" import "$D/jaeger.json" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no --summary: expected exit 2"
"$MESHWALK" import -s --format xml "$D/jaeger.json" >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --format: expected exit 2"
"$MESHWALK" import -s >/dev/null 2>&1
[ $? -eq 2 ] || fail "no file: expected exit 2"
"$MESHWALK" import -s --max-open-spans 0 "$D/jaeger.json" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--max-open-spans 0: expected exit 2"
# The opt-in download script for Alibaba's traces (never downloads here):
# URLs of the slice asked for, its bounds, and never into the source tree.
F=$ROOT/scripts/fetch-alibaba.sh
assert_eq "fetch-alibaba URLs" "https://aliopentrace.oss-cn-beijing.aliyuncs.com/v2022MicroservicesTraces/CallGraph/CallGraph_6238.tar.gz
https://aliopentrace.oss-cn-beijing.aliyuncs.com/v2022MicroservicesTraces/CallGraph/CallGraph_6239.tar.gz" \
	"$("$F" --dry-run --first 6238 --files 2 -o "$TMP/ali")"
"$F" --dry-run --version 2021 --first 144 --files 2 -o "$TMP/ali" >/dev/null 2>&1
assert_eq "fetch-alibaba past the last archive" 2 $?
"$F" --dry-run --version 2020 -o "$TMP/ali" >/dev/null 2>&1
assert_eq "fetch-alibaba unknown version" 2 $?
"$F" --dry-run -o "$ROOT/tests/alibaba" >/dev/null 2>&1
assert_eq "fetch-alibaba into the source tree" 2 $?
[ -e "$ROOT/tests/alibaba" ] && fail "fetch-alibaba created a directory in the source tree"
echo "import summaries as written"
