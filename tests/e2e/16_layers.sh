# The layer order of docs/architecture.md holds for every include in src/,
# and the check itself catches an upward include, a sideways one and an
# unplaced folder (in a copy of the tree, never in the source tree).
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
exit 0
