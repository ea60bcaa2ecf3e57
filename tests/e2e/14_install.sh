#!/usr/bin/env bash
# 14_install: `make install` with DESTDIR and PREFIX puts the binary, every
# man page and the bash completion where they belong, and the completion,
# sourced in bash, completes subcommands, each subcommand's options (from its
# option table) and the subcommand names `help` and `man` take.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v make >/dev/null || skip "no make"

D=$TMP/dest
# The suite's own build (SANITIZER comes from tests/run): up to date, so
# nothing is rebuilt; make writes only under build/ and $D.
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/opt/mw >"$TMP/out" 2>"$TMP/err" || { show; fail "make install failed"; }
[ -x "$D/opt/mw/bin/meshwalk" ] || fail "no binary in DESTDIR/PREFIX/bin"
"$D/opt/mw/bin/meshwalk" --version | grep -q '^meshwalk ' || fail "installed binary does not run"
for c in node client run proxy report compare; do
	[ -s "$D/opt/mw/share/man/man1/meshwalk-$c.1" ] || fail "man page meshwalk-$c.1 not installed"
done
C=$D/opt/mw/share/bash-completion/completions/meshwalk
[ -s "$C" ] || fail "bash completion not installed"
[ -e "$ROOT/meshwalk.tmp" ] && fail "install left a file in the tree"

# complete WORDS...: what the completion offers for the last word (sorted, one line).
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_meshwalk; printf "%s\n" ${COMPREPLY[@]+"${COMPREPLY[@]}"} | grep . | sort | tr "\n" " "' _ "$C" "$@"
}
assert_eq "subcommands" "client compare " "$(complete_words meshwalk c)"
assert_eq "client options" "--rate --rate-step-secs --retry-num --retry-period --route --rs --rss " \
	"$(complete_words meshwalk client --r)"
assert_eq "node --acc" "--accept-mode " "$(complete_words meshwalk node --acc)"
assert_eq "short options too" "-R " "$(complete_words meshwalk client -R)"
assert_eq "run options" "--check " "$(complete_words meshwalk run --ch)"
assert_eq "help takes a subcommand" "report run " "$(complete_words meshwalk help r)"
assert_eq "no option completion for a file word" "" "$(complete_words meshwalk run exa)"
# Every long option of every --help is offered.
for c in node client run proxy report compare; do
	for o in $("$MESHWALK" "$c" --help | grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*'); do
		complete_words meshwalk "$c" "$o" | grep -q -- "$o " || fail "completion lacks $c $o"
	done
done
echo "make install and bash completion work"
