#!/usr/bin/env bash
# 15_cli_grammar: one option grammar for every subcommand and for route
# programs: long options abbreviate to any unambiguous prefix, an ambiguous
# prefix is a usage error naming the candidates; `meshwalk help CMD` is
# `meshwalk CMD --help`; -V and --version print the version.
. "$(dirname "$0")/lib.sh"

for c in node client run proxy report compare; do
	"$MESHWALK" "$c" --help >"$TMP/full" || fail "$c --help"
	"$MESHWALK" "$c" --hel >"$TMP/abbr" || fail "$c does not take --hel for --help"
	cmp -s "$TMP/full" "$TMP/abbr" || fail "$c --hel differs from --help"
	"$MESHWALK" help "$c" >"$TMP/viahelp" || fail "help $c"
	cmp -s "$TMP/full" "$TMP/viahelp" || fail "meshwalk help $c differs from $c --help"
	"$MESHWALK" "$c" --bogus-option >/dev/null 2>"$TMP/err"
	assert_eq "$c unknown option" 2 "$?"
	grep -q "unknown option '--bogus-option' (see meshwalk $c --help)" "$TMP/err" || fail "$c: $(cat "$TMP/err")"
done
"$MESHWALK" help nosuch >/dev/null 2>&1; assert_eq "help of an unknown subcommand" 2 "$?"
"$MESHWALK" help >"$TMP/h" || fail "meshwalk help"
grep -q 'help CMD' "$TMP/h" || fail "top-level help does not mention help CMD"
grep -q 'unambiguous prefix' "$TMP/h" || fail "top-level help does not state the abbreviation rule"

# Ambiguous prefixes, in each kind of subcommand.
for args in "client --rat 10" "node --max 5" "proxy --po x"; do
	"$MESHWALK" $args >/dev/null 2>"$TMP/err"
	assert_eq "$args" 2 "$?"
	grep -q "is ambiguous: " "$TMP/err" || fail "$args: $(cat "$TMP/err")"
done
# A prefix of one option is that option (--warm: --warmup only).
"$MESHWALK" compare --warm 1s "$TMP/nonexistent-a" "$TMP/nonexistent-b" >/dev/null 2>"$TMP/err"
grep -q "ambiguous\|unknown option" "$TMP/err" && fail "compare --warm: $(cat "$TMP/err")"
"$MESHWALK" client --rat 10 2>&1 | grep -q -- "--rate, --rate-step-secs" || fail "candidates not named"

# An abbreviation works the same on the command line and in a route program.
start_node N --route 'r=--comp 10us --rs=100'
timeout -k 5 30 "$MESHWALK" client --to "127.0.0.1:$N_PORT" --route r --num-p 3 --closed-loop -q --json "$TMP/r.json" >/dev/null 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "route with abbreviated ops"; }
"$MESHWALK" node -q -b 127.0.0.1:0 --route 'r=--s 1' 2>"$TMP/err" &
PIDS+=($!)
wait $!
assert_eq "ambiguous op in a route" 2 "$?"
grep -q "'--s' is ambiguous" "$TMP/err" || fail "route ambiguity message: $(cat "$TMP/err")"

v=$("$MESHWALK" --version) || fail "--version"
[[ $v == "meshwalk "* ]] || fail "--version printed '$v'"
assert_eq "-V" "$v" "$("$MESHWALK" -V)"
echo "one option grammar"
