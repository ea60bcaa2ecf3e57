#!/usr/bin/env bash
# scripts/check-layers.sh -- every #include "DIR/..." in src/ points down the
# layer order written in docs/architecture.md (the ```layers block: one line
# per level, lowest first; folders on one line are siblings and may not
# include each other). A folder missing from the order is an error too, so a
# new layer is placed in the document before it is used.
# And the results directory's file names (the RESULTS_* names of
# src/results/files.h) are spelled in src/results/ only: a string literal
# naming one anywhere else in src/ (comments aside) is an error; use the
# name from files.h (docs/results.md: one module owns the directory).
# Prints each offending include or name with file:line; exits 1 if there is one.
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
python3 - <<'PY' || bad=1
import glob, re, sys

names = re.findall(r'#define RESULTS_\w+ "([^"/]+\.[a-z]+)"', open("src/results/files.h").read())
# Other files of the same name: report/'s own summary table in a report
# directory, deploy/'s copy of the scenario in a deploy directory and ConfigMap.
allow = {"src/report/": {"summary.json"}, "src/deploy/": {"scenario.yaml"}}
pats = [(n, re.compile(r"(?<![\w.-])" + re.escape(n) + r"(?!\w)")) for n in names]


def literals(text):
    """(line, body) of every string literal outside comments and char literals."""
    i, line, n = 0, 1, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text[i] in "\"'":
            j = i + 1
            while j < n and text[j] != text[i] and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if text[i] == '"':
                yield line, text[i + 1:j]
            j += 1
        else:
            j = i + 1
        line += text.count("\n", i, j)
        i = j


bad = 0
for path in sorted(glob.glob("src/**/*.[ch]", recursive=True)):
    if path.startswith("src/results/"):
        continue
    ok = set().union(*(v for k, v in allow.items() if path.startswith(k)))
    for line, body in literals(open(path, encoding="utf-8", errors="replace").read()):
        for name, pat in pats:
            if name not in ok and pat.search(body):
                print(f'{path}:{line}: the results file name "{name}" spelled outside '
                      "src/results/ (use its RESULTS_ name, results/files.h)")
                bad = 1
if not names:
    print("check-layers: no RESULTS_ file names found in src/results/files.h")
    bad = 1
if not bad:
    print("results names: spelled in src/results/ only")
sys.exit(bad)
PY
exit $bad
