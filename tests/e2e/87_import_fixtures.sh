#!/usr/bin/env bash
# 87_import_fixtures: meshwalk import --summary on the public trace fixtures
# (Jaeger, Jaeger UI, Zipkin, OTLP, Istio; ../shared/fixtures/traces, see
# SOURCES.md there), each against the counts its spans give: traces, spans,
# services, operations, roots, orphans, skewed spans. (Spans and services were
# cross-checked against an independent count of the JSON.) Skips when
# ../shared is absent.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX=${TRACE_FIXTURES:-$ROOT/../shared/fixtures/traces}
[ -f "$FIX/SOURCES.md" ] || skip "trace fixtures not found at $FIX (../shared absent)"

n=0
while read -r file traces spans services ops roots orphans skewed; do
	[ -n "$file" ] || continue
	[ -f "$FIX/$file" ] || fail "fixture $file missing from $FIX"
	"$MESHWALK" import --summary "$FIX/$file" >"$TMP/out" 2>"$TMP/err" ||
		fail "$file: $(cat "$TMP/err")"
	got=$(awk '/^(traces|spans|services|operations|roots|orphans|skewed) [0-9]+$/ { v[$1] = $2 }
		END { print v["traces"], v["spans"], v["services"], v["operations"], v["roots"],
			v["orphans"], v["skewed"] }' "$TMP/out")
	[ "$got" = "$traces $spans $services $ops $roots $orphans $skewed" ] ||
		fail "$file: got '$got', expected '$traces $spans $services $ops $roots $orphans $skewed'"
	n=$((n + 1))
done <<'TABLE'
istio-tratis/app-trace.json 1 8 5 8 1 0 0
jaeger-ui/flamegraph-testTrace.json 1 4 2 4 1 0 0
jaeger-ui/genaiTestTrace.json 1 57 10 21 1 0 1
jaeger-ui/oltp2jaeger-multi-out.json 1 4 1 3 1 0 0
jaeger-ui/otlp2jaeger-in.json 1 2 1 1 0 2 0
jaeger-ui/otlp2jaeger-multi-in-combined.json 1 4 1 3 1 0 0
jaeger-ui/otlp2jaeger-out.json 1 2 1 1 0 2 0
jaeger-ui/tableValuesTestTrace/spanAmongEachOtherGroupedAndSpans.json 1 17 2 4 1 0 0
jaeger-ui/tableValuesTestTrace/spanLongerAsParent.json 1 8 2 4 1 0 2
jaeger-ui/tableValuesTestTrace/spansAmongEachOther.json 1 12 2 4 1 0 0
jaeger-ui/tableValuesTestTrace/spansAmongEachOtherGrouped.json 1 15 2 4 1 0 0
jaeger-ui/tableValuesTestTrace/testTrace.json 1 11 2 9 1 0 1
jaeger-ui/tableValuesTestTrace/testTraceNormal.json 1 5 2 4 1 0 0
jaeger-ui/tableValuesTestTrace/traceWithMultipleSpansWithTheSameValueInDifferentTags.json 1 4 1 4 4 0 0
jaeger-ui/tableValuesTestTrace/traceWithOverlappingChildren.json 1 3 2 3 1 0 1
jaeger-ui/tableValuesTestTrace/traceWithOverlappingChildrenLongerThanParent.json 1 4 2 4 1 0 2
jaeger-ui/tableValuesTestTrace/traceWithSingleChildLongerThanParentAndStartsAfterParent.json 1 2 2 2 1 0 1
jaeger-ui/tableValuesTestTrace/traceWithThreeShortChildren.json 1 4 2 4 1 0 0
jaeger-ui/tableValuesTestTrace/traceWithThreeShortOverlappingChildren.json 1 4 2 4 1 0 0
jaeger-ui/tableValuesTestTrace/traceWithTwoChildrenStartedAtTraceStart.json 1 3 2 3 1 0 1
jaeger-ui/tableValuesTestTrace/traceWithTwoNonOverlappingChildren.json 1 3 2 3 1 0 1
jaeger/example_trace.json 1 5 3 5 5 0 0
jaeger/ui_01.json 1 5 2 5 2 1 0
otel-proto/trace.json 1 1 1 1 0 1 0
zipkin/ascend.json 1 8 3 6 1 0 1
zipkin/envoy.json 1 1 1 1 1 0 0
zipkin/messaging-kafka.json 1 28 2 6 1 0 26
zipkin/messaging.json 1 4 2 4 1 0 2
zipkin/messaging2.json 1 11 4 10 1 6 1
zipkin/simple-db-p6.json 1 5 1 3 1 0 0
zipkin/skew.json 1 4 2 4 1 0 1
TABLE
# Every fixture through gzip and --format auto: the same reader is chosen.
gzip -c "$FIX/zipkin/ascend.json" >"$TMP/ascend.json.gz"
"$MESHWALK" import -s "$TMP/ascend.json.gz" >"$TMP/out" || fail "gzip fixture"
grep -qx "spans 8" "$TMP/out" || fail "gzip fixture: $(head -3 "$TMP/out")"
echo "$n fixtures read as expected"
