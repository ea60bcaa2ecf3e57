# The size rules of docs/architecture.md hold for src/ (no file over 800
# lines, no function over 120, unless the code says why), and the check
# itself catches a long file and a long function, and takes a stated reason
# (in a copy of a file, never in the source tree).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || skip "needs python3"
python3 "$ROOT/scripts/check-size.py" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "size check failed"; }
grep -q "^size: no file over 800 lines" "$TMP/out" || fail "size: $(cat "$TMP/out")"
# a function of 130 lines, and a file of 900
{
	echo "/* t.c -- a test file. */"
	echo "static int f(void)"
	echo "{"
	for i in $(seq 130); do echo "	int v$i = $i;"; done
	echo "	return 0;"
	echo "}"
} >"$TMP/func.c"
python3 "$ROOT/scripts/check-size.py" "$TMP/func.c" >"$TMP/out" && fail "a 130-line function passed"
grep -q "function f is 13[0-9] lines (over 120)" "$TMP/out" || fail "long function: $(cat "$TMP/out")"
sed -i '1a /* LONG FUNCTION: a flat table that reads best whole. */' "$TMP/func.c"
sed -i '1d' "$TMP/func.c"
python3 "$ROOT/scripts/check-size.py" "$TMP/func.c" >"$TMP/out" || fail "a stated reason was refused: $(cat "$TMP/out")"
{ echo "/* big.c -- a test file. */"; for i in $(seq 900); do echo "int g$i;"; done; } >"$TMP/big.c"
python3 "$ROOT/scripts/check-size.py" "$TMP/big.c" >"$TMP/out" && fail "a 900-line file passed"
grep -q "90[0-9] lines (over 800)" "$TMP/out" || fail "long file: $(cat "$TMP/out")"
sed -i '1s|.*|/* big.c -- a test file. LONG FILE: generated declarations. */|' "$TMP/big.c"
python3 "$ROOT/scripts/check-size.py" "$TMP/big.c" >"$TMP/out" || fail "a stated file reason was refused: $(cat "$TMP/out")"
exit 0
