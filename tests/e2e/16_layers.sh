# The layer order of docs/architecture.md holds for every include in src/,
# and the check itself catches an upward include, a sideways one and an
# unplaced folder, and a results file name spelled outside src/results/ (in
# a copy of the tree, never in the source tree).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
"$ROOT/scripts/check-layers.sh" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "layer check failed"; }
mkdir -p "$TMP/t/scripts" "$TMP/t/docs" "$TMP/t/src"
cp "$ROOT/scripts/check-layers.sh" "$TMP/t/scripts/"
cp "$ROOT/docs/architecture.md" "$TMP/t/docs/"
cp -r "$ROOT/src/." "$TMP/t/src/"
"$TMP/t/scripts/check-layers.sh" >/dev/null || fail "the copy should pass"
echo '#include "node/node.h"' >>"$TMP/t/src/util/log.c"
"$TMP/t/scripts/check-layers.sh" >"$TMP/out" && fail "an upward include passed"
grep -q "src/util/log.c:[0-9]*: util includes node (up in the layer order" "$TMP/out" || fail "upward: $(cat "$TMP/out")"
cp "$ROOT/src/util/log.c" "$TMP/t/src/util/log.c"
echo '#include "client/client.h"' >>"$TMP/t/src/node/node.c"
"$TMP/t/scripts/check-layers.sh" >"$TMP/out" && fail "a sideways include passed"
grep -q "node includes client (sideways" "$TMP/out" || fail "sideways: $(cat "$TMP/out")"
cp "$ROOT/src/node/node.c" "$TMP/t/src/node/node.c"
mkdir "$TMP/t/src/newlayer"
"$TMP/t/scripts/check-layers.sh" >"$TMP/out" && fail "an unplaced folder passed"
grep -q "src/newlayer is not in the layer order" "$TMP/out" || fail "unplaced: $(cat "$TMP/out")"
rmdir "$TMP/t/src/newlayer"
# A results file name spelled outside src/results/ fails it; one in a
# comment, or in src/results/ itself, does not.
printf '%s\n' '/* "run.json" */ static const char *p = "%s/requests.csv"; // "stdout.txt"' \
	'static const char *q = "x/summary.json";' >>"$TMP/t/src/run/outputs.c"
"$TMP/t/scripts/check-layers.sh" >"$TMP/out" && fail "a results file name outside src/results/ passed"
grep -q 'src/run/outputs.c:[0-9]*: the results file name "requests.csv"' "$TMP/out" || fail "name: $(cat "$TMP/out")"
grep -q '"summary.json"' "$TMP/out" || fail "second name: $(cat "$TMP/out")"
grep -q 'run.json\|stdout.txt' "$TMP/out" && fail "a name in a comment was reported: $(cat "$TMP/out")"
cp "$ROOT/src/run/outputs.c" "$TMP/t/src/run/outputs.c"
echo 'static const char *p = "%s/requests.csv";' >>"$TMP/t/src/results/files.c"
"$TMP/t/scripts/check-layers.sh" >/dev/null || fail "a name inside src/results/ was refused"
exit 0
