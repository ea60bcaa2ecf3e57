#!/usr/bin/env bash
# 89_import_scenario: meshwalk import -o writes a scenario that meshwalk run
# runs as is. Project-made traces (tests/data/import/synth_traces.py, a known
# application: concurrent, sequential, probabilistic, exclusive and repeated
# calls, an uninstrumented leaf) import into exactly that structure, pass
# run --check, and run for real: every node serves the requests the structure
# says. The public trace fixtures (../shared/fixtures/traces, skipped with a
# message when absent) each import into a scenario that passes --check.
# Bad options are usage errors.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || skip "python3 not installed"

python3 "$ROOT/tests/data/import/synth_traces.py" 400 1 >"$TMP/app.json" || fail "generator"
gzip -c "$TMP/app.json" >"$TMP/app.json.gz"
"$MESHWALK" import --requests 60 --rate 40 -o "$TMP/app.yaml" "$TMP/app.json.gz" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "import"; }
y=$TMP/app.yaml

# the structure, exactly: services, routes, plans
expect() { grep -qF -- "$1" "$y" || { cat "$y"; fail "scenario lacks: $1"; }; }
expect "# input: $TMP/app.json.gz (jaeger)"
for s in cart catalog frontend payment recommend redis; do expect "  $s:"; done
assert_eq "services" 6 "$(sed -n '/^services:/,/^network:/p' "$y" | grep -c '^  [a-z]*:$')"
expect '      GET-home: "--choice 2'
expect ' -F {catalog},route=list,branch -F {cart},route=getCart,branch -C 100us -F {recommend},route=suggest -C 50us --choice-end"'
expect '#   calls recommend.suggest: probability 0.3'
expect '      POST-checkout: "--choice '
expect ' -F {payment},route=card -C 100us -F {cart},route=clear -C 30us --choice '
expect ' -F {payment},route=paypal -C 100us -F {cart},route=clear -C 30us --choice-end"'
expect '#   calls payment.card: probability 0.6'
# two sequential GETs, 5 us apart; the leaf sleeps (off CPU) by default
grep -q '      getCart: "-C emp:[^ ]* -F {redis},route=GET -C 5us -F {redis},route=GET -C 5[01]us"' "$y" ||
	{ grep getCart "$y"; fail "getCart's plan"; }
expect '      DEL: "--sleep 60us"'
expect '      GET: "--sleep emp:'
expect '#   known only from client spans'
# network time 100 us per call (99.7 us on average: the generator's spans
# are whole us): each way half the mean and half the variance; a spread this
# small is written as one value, the median sample's (100 us: 50.1 us)
expect '    - between: [cart, frontend]'
expect '      delay: "50.1us"'
expect '  - name: frontend.GET-home'
expect 'share of 40 req/s (--rate)'
grep -q 'args: "-n 4[0-9] -p exp:' "$y" || fail "GET-home's share of 60 requests"

# the same input gives the same file
"$MESHWALK" import --requests 60 --rate 40 -o "$TMP/again.yaml" "$TMP/app.json.gz" || fail "again"
cmp -s "$y" "$TMP/again.yaml" || fail "output differs between two imports of the same traces"

# --emp-values: redis GET's list (hundreds of samples) has 100 values by
# default, 32 with --emp-values 32 and 256 with 256, and the scenarios
# still check; 1 is a usage error
n_emp() { grep '      GET: "--sleep emp:' "$1" | sed 's/.*emp:\([^" ]*\).*/\1/' | tr ',' '\n' | wc -l; }
assert_eq "values of GET's list" 100 "$(n_emp "$y")"
for q in 32 256; do
	"$MESHWALK" import --emp-values $q --requests 60 --rate 40 -o "$TMP/e$q.yaml" "$TMP/app.json" 2>/dev/null ||
		fail "--emp-values $q"
	assert_eq "values of GET's list, --emp-values $q" $q "$(n_emp "$TMP/e$q.yaml")"
	"$MESHWALK" run --check "$TMP/e$q.yaml" >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; fail "run --check, $q values a list"; }
done
"$MESHWALK" import --emp-values 1 -o - "$TMP/app.json" >/dev/null 2>"$TMP/err"
assert_eq "--emp-values 1: usage error" 2 $?
grep -q -- "--emp-values: expected a whole number in 2..256, got '1'" "$TMP/err" || { cat "$TMP/err"; fail "--emp-values 1 message"; }

# --self-time: sleep everywhere, or a CPU fraction for one service
"$MESHWALK" import --self-time sleep --self-time catalog=0.25 -o - "$TMP/app.json" >"$TMP/s2.yaml" ||
	fail "--self-time"
grep -q '      list: "-C emp:[^ ]* --sleep emp:' "$TMP/s2.yaml" || fail "catalog: 25% CPU"
grep -q '      suggest: "--sleep ' "$TMP/s2.yaml" || fail "recommend: sleep"

# --working-set: ws= on every traced service's -C, one service's own size, its
# nodes started with room for it; the scenario checks
"$MESHWALK" import --working-set 4m --working-set catalog=100mi -o "$TMP/ws.yaml" "$TMP/app.json" ||
	fail "--working-set"
grep -q '      GET-home: "[^"]*-C [^ ]*,ws=4m' "$TMP/ws.yaml" || fail "frontend: ws=4m"
grep -q '      list: "[^"]*-C [^ ]*,ws=100Mi' "$TMP/ws.yaml" || fail "catalog: ws=100Mi"
assert_eq "services given --max-working-set" 1 "$(grep -c '    node: "--max-working-set 104857600"' "$TMP/ws.yaml")"
"$MESHWALK" run --check "$TMP/ws.yaml" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "--check ws"; }
"$MESHWALK" import --working-set nosuch=4m -o "$TMP/x.yaml" "$TMP/app.json" 2>"$TMP/err"
assert_eq "--working-set for a service not traced" 1 $?
grep -q "names service 'nosuch'" "$TMP/err" || fail "unknown service: $(cat "$TMP/err")"
[ ! -e "$TMP/x.yaml" ] || fail "a scenario was left behind for a failed import"

"$MESHWALK" run --check "$y" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "--check"; }
grep -q "service frontend: 1 replica, routes GET-home, POST-checkout (starts in wave 3" "$TMP/out" ||
	{ cat "$TMP/out"; fail "--check waves"; }

# run it (traced, for validate's self time per operation): each node serves
# what the structure says
timeout -k 5 120 "$MESHWALK" run -q --timeout 90 --set trace_sample=1 -o "$TMP/run" "$y" \
	>"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "run"; }
assert_eq "status" '"ok"' "$(json status "$TMP/run/summary.json")"
home=$(sed -n '/name: frontend.GET-home/,/args/s/.*-n \([0-9]*\).*/\1/p' "$y")
checkout=$(sed -n '/name: frontend.POST-checkout/,/args/s/.*-n \([0-9]*\).*/\1/p' "$y")
assert_eq "requests" $((home + checkout)) "$(json ok "$TMP/run/summary.json")"
stat() { grep -o "\"$2\": [0-9]*" "$TMP/run/nodes/$1-0/stats.json" | head -n 1 | sed 's/.*: //'; }
assert_eq "frontend requests" $((home + checkout)) "$(stat frontend requests)"
assert_eq "cart requests" $((home + checkout)) "$(stat cart requests)"
assert_eq "catalog requests" "$home" "$(stat catalog requests)"
assert_eq "payment requests" "$checkout" "$(stat payment requests)"
assert_eq "redis requests" $((2 * home + checkout)) "$(stat redis requests)"
assert_eq "redis sleeps" $((2 * home + checkout)) "$(stat redis sleeps)"
rec=$(stat recommend requests)
[ "$rec" -gt 0 ] && [ "$rec" -lt "$home" ] || fail "recommend served $rec of $home (p = 0.3)"

# meshwalk validate: the clone's topology matches the model exactly here (no
# timing assertion: the latency verdict depends on the machine's load)
"$MESHWALK" validate --clone "$TMP/run" --json "$TMP/v.json" "$TMP/app.json.gz" >"$TMP/v.txt" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || { cat "$TMP/err"; fail "validate exit status $rc"; }
cat "$TMP/v.txt"
for s in cart catalog frontend payment recommend redis; do
	grep -qE "^  $s: expected [0-9.]+, served [0-9]+ \(.*\) ok$" "$TMP/v.txt" || fail "validate: $s"
done
# the traces' roots are frontend's own spans, and the clone ran traced: its
# side is timed there too, not at its clients (which add their hop)
grep -qE "^  frontend.GET-home: original 3[0-9][0-9] traces, clone 4[0-9] requests, timed at frontend's spans as the original's roots are" "$TMP/v.txt" ||
	fail "validate: GET-home's samples"
grep -qE '^    KS distance [0-9.]+ \(max 0.1\) (ok|FAIL); Wasserstein-1' "$TMP/v.txt" || fail "validate: KS"
grep -qE '^verdict: (PASS|FAIL) \([0-9]+ checks' "$TMP/v.txt" || fail "validate: verdict"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["entries"]) == 2 and len(d["services"]) == 6; assert all(e["clone_timed_at"] == "entry_span" for e in d["entries"])' \
	"$TMP/v.json" || fail "validate --json"
# self time per operation: the clone's spans fitted as the traces are
for op in frontend.GET-home frontend.POST-checkout cart.getCart cart.clear catalog.list \
	payment.card redis.GET; do
	grep -qE "^  $op: executions [0-9]+ / [1-9][0-9]*, p50 [0-9.]+ / [0-9.]+ \([+-][0-9.]+%\), p90 [0-9.]+ / [0-9.]+ \([+-][0-9.]+%\), KS [0-9.]+$" \
		"$TMP/v.txt" || fail "validate: self time of $op"
done
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["self_time"]
assert d["clone_spans"].endswith("/traces.otlp.jsonl"), d
ops = {o["service"] + "." + o["route"]: o for o in d["operations"]}
for k in ("frontend.GET-home", "cart.getCart", "redis.GET"):
    o = ops[k]
    assert o["compared"] and o["clone_executions"] > 0 and o["p50_original_us"] > 0, o
    assert 0 <= o["ks"] <= 1 and o["p50_clone_us"] > 0 and "p90_error" in o, o' \
	"$TMP/v.json" || fail "validate --json: self_time"
# a clone without spans: said so, not silently absent
cp -r "$TMP/run" "$TMP/nospans" && rm -f "$TMP/nospans"/traces.* || fail "copy"
"$MESHWALK" validate --clone "$TMP/nospans" --json "$TMP/v2.json" "$TMP/app.json.gz" >"$TMP/v2.txt" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || { cat "$TMP/err"; fail "validate (no spans) exit status $rc"; }
grep -qF "self time per operation: not compared: the clone left no spans (no $TMP/nospans/traces.otlp.jsonl;" \
	"$TMP/v2.txt" || { cat "$TMP/v2.txt"; fail "validate: no-spans note"; }
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["self_time"]
assert d["clone_spans"] is None and d["operations"] == [] and "no spans" in d["note"], d' \
	"$TMP/v2.json" || fail "validate --json: no spans"
"$MESHWALK" validate "$TMP/app.json" 2>"$TMP/err"
assert_eq "validate without --clone" 2 $?
"$MESHWALK" validate --clone "$TMP/nowhere" "$TMP/app.json" 2>"$TMP/err"
assert_eq "validate, no results" 1 $?

# usage errors
for bad in "--self-time fast" "--self-time =cpu" "--self-time x=2" "--rate 0" "--requests 0" \
	"--working-set 0" "--working-set 2gi" "--working-set =4m" \
	"--max-plans 40" "--overlap-tolerance 1xs"; do
	# shellcheck disable=SC2086
	"$MESHWALK" import $bad -o "$TMP/x.yaml" "$TMP/app.json" 2>"$TMP/err"
	assert_eq "import $bad" 2 $?
done
"$MESHWALK" import "$TMP/app.json" 2>"$TMP/err"
assert_eq "no -o nor --summary" 2 $?
echo '{"data": []}' >"$TMP/empty.json"
"$MESHWALK" import --format jaeger -o "$TMP/x.yaml" "$TMP/empty.json" 2>"$TMP/err"
assert_eq "nothing imported" 1 $?
grep -q "nothing to write" "$TMP/err" || fail "empty input: $(cat "$TMP/err")"
[ ! -e "$TMP/x.yaml" ] || fail "a failed import left its output"

# the project's own samples of every format (Alibaba CSV, OTLP JSON Lines,
# Zipkin, Jaeger) import into scenarios that pass --check
for f in "$ROOT"/tests/data/import/*.csv "$ROOT"/tests/data/import/*.json*; do
	"$MESHWALK" import -o "$TMP/d.yaml" "$f" 2>"$TMP/err" || fail "$f: $(cat "$TMP/err")"
	"$MESHWALK" run --check "$TMP/d.yaml" >/dev/null 2>"$TMP/err" || fail "$f: --check: $(cat "$TMP/err")"
done

FIX=${TRACE_FIXTURES:-$ROOT/../shared/fixtures/traces}
if [ ! -f "$FIX/SOURCES.md" ]; then
	echo "# trace fixtures not found at $FIX (../shared absent): fixtures part skipped"
	exit 0
fi
n=0
while IFS= read -r f; do
	"$MESHWALK" import -o "$TMP/fx.yaml" "$f" 2>"$TMP/err" || fail "$f: $(cat "$TMP/err")"
	"$MESHWALK" run --check "$TMP/fx.yaml" >/dev/null 2>"$TMP/err" ||
		{ cat "$TMP/fx.yaml"; fail "$f: --check: $(cat "$TMP/err")"; }
	n=$((n + 1))
done < <(find "$FIX" -name '*.json' | sort)
[ "$n" -ge 20 ] || fail "only $n fixtures found"
echo "# $n public trace fixtures imported into scenarios that pass --check"
