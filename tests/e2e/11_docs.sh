#!/usr/bin/env bash
# 11_docs: every user-facing option is documented in --help, the committed man
# page (identical to what the binary generates) and the README.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

for cmd in node client run proxy report compare deploy import validate; do
	"$MESHWALK" man "$cmd" >"$TMP/$cmd.1" || fail "meshwalk man $cmd failed"
	cmp -s "$TMP/$cmd.1" "$ROOT/man/meshwalk-$cmd.1" ||
		fail "man/meshwalk-$cmd.1 is out of date: run make man"
	"$MESHWALK" "$cmd" --help >"$TMP/$cmd.help" || fail "$cmd --help failed"
	# Every long option of --help appears in the README's table for this command.
	opts=$(grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z0-9-]*' "$TMP/$cmd.help" | grep -oE -- '--[a-z][a-z0-9-]*')
	[ -n "$opts" ] || fail "no options found in $cmd --help"
	section=$(sed -n "/^### \`meshwalk $cmd\` options/,/^##/p" "$ROOT/README.md")
	[ -n "$section" ] || fail "README has no section for meshwalk $cmd options"
	for o in $opts; do
		[ "$o" = "--help" ] && continue
		grep -q -- "$o" <<<"$section" || fail "README does not document $cmd $o"
		grep -q -- "${o//-/\\\\-}" "$ROOT/man/meshwalk-$cmd.1" || fail "man page lacks $cmd $o"
	done
done
echo "docs consistent"
