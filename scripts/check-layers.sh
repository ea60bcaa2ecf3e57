#!/usr/bin/env bash
# scripts/check-layers.sh -- every #include "DIR/..." in src/ points down the
# layer order written in docs/architecture.md (the ```layers block: one line
# per level, lowest first; folders on one line are siblings and may not
# include each other). A folder missing from the order is an error too, so a
# new layer is placed in the document before it is used.
# Prints each offending include with file:line; exits 1 if there is one.
set -u
cd "$(dirname "$0")/.."
doc=docs/architecture.md
order=$(sed -n '/^```layers$/,/^```$/p' "$doc" | sed '1d;$d')
[ -n "$order" ] || { echo "check-layers: no \`\`\`layers block in $doc" >&2; exit 1; }
declare -A level
n=0
while read -r line; do
	n=$((n + 1))
	for d in $line; do level[$d]=$n; done
done <<<"$order"
bad=0
for dir in src/*/; do
	d=$(basename "$dir")
	[ -n "${level[$d]:-}" ] || { echo "check-layers: src/$d is not in the layer order of $doc"; bad=1; }
done
while IFS=: read -r file lineno text; do
	# no subprocess per include: a fork each made this take a minute on a busy machine
	from=${file#src/}
	from=${from%%/*}
	to=
	[[ $text =~ ^#include\ \"([a-z_]*)/ ]] && to=${BASH_REMATCH[1]}
	[ -z "$to" ] || [ "$to" = "$from" ] && continue
	[ -n "${level[$from]:-}" ] && [ -n "${level[$to]:-}" ] || continue # reported above
	if [ "${level[$to]}" -ge "${level[$from]}" ]; then
		how=$([ "${level[$to]}" -eq "${level[$from]}" ] && echo sideways || echo up)
		echo "$file:$lineno: $from includes $to ($how in the layer order of $doc)"
		bad=1
	fi
done < <(grep -n '^#include "' $(find src -name '*.[ch]' | sort))
[ $bad -eq 0 ] && echo "layers: every include points down"
exit $bad
