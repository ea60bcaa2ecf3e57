#!/usr/bin/env bash
# 12_tree: nothing generated or stray is tracked: every tracked path is plain
# printable ASCII without spaces (a fuzz run once left client CSVs under
# binary names at the root), and no build output, results or per-request CSV
# is committed. (That the test suite itself leaves the tree as it found it is
# checked by tests/run after a full run, and by scripts/fuzz.sh for `make fuzz`.)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git checkout"

git -C "$ROOT" ls-files -z >"$TMP/files" || fail "git ls-files failed"
tr '\0' '\n' <"$TMP/files" | LC_ALL=C grep -vE '^[A-Za-z0-9._/+=,@-]+$' >"$TMP/odd"
[ -s "$TMP/odd" ] && fail "tracked files with odd names (binary or spaces):
$(head -n 5 "$TMP/odd" | od -c | head -n 5)"
# (CSV test data and fuzz seeds the project wrote itself live under
# tests/data/ and fuzz/corpus/)
gen=$(tr '\0' '\n' <"$TMP/files" | grep -vE '^(tests/data|fuzz/corpus)/' |
	grep -E '^(build|bin|results|demo-results)/|\.(o|d|a|csv|log)$|(^|/)(crash|leak|timeout|oom)-' |
	head -n 5)
[ -z "$gen" ] || fail "generated files are tracked: $gen"
echo "tracked files look intended"
