#!/usr/bin/env bash
# bench/ab.sh -- two commits side by side in one run: builds each in a
# temporary worktree, then runs the benchmark's sections (default 1, 3 and 8:
# round trip, node throughput, CPU per request) alternating the two binaries
# (A B, then B A, ...), so drift on a noisy machine falls on both alike.
#
#   bench/ab.sh [--rounds N] [--sections "1 3 8"] [--instr] [--node-only] COMMIT_A COMMIT_B
#
# --instr: instead of timing, count the node's user-space instructions and
# system calls per zero-work request of each build (bench/instr.sh), which
# a loaded or virtual machine does not disturb.
# --node-only: only the nodes differ: both sides' clients are B's binary
# (bench/run.sh's BENCH_NODE), so a change of the client (its send timing,
# its polling) does not pass for the node's.
#
# Prints every row of the table with A's and B's figures (the median over the
# rounds) and B/A for each numeric column: below 1.00 is B faster or leaner for
# latency and CPU rows, above 1.00 is B better for req/s rows. The same
# bench/run.sh (this checkout's) drives both binaries, so only the binary
# differs. Needs python3 and git; the worktrees are removed at exit.
set -u
cd "$(dirname "$0")/.."
ROUNDS=2
SECTIONS="1 3 8"
INSTR=0
NODE_ONLY=0
COLS=${AB_COLS:-3} # numeric columns compared per row (section 4 has 5: AB_COLS=5)
while [ $# -gt 2 ]; do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--sections) SECTIONS=$2; shift 2 ;;
	--instr) INSTR=1; shift ;;
	--node-only) NODE_ONLY=1; shift ;;
	*) echo "usage: bench/ab.sh [--rounds N] [--sections \"1 3 8\"] [--instr] [--node-only] COMMIT_A COMMIT_B" >&2; exit 2 ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: bench/ab.sh [--rounds N] [--sections \"1 3 8\"] [--instr] [--node-only] COMMIT_A COMMIT_B" >&2; exit 2; }
case $ROUNDS in ''|*[!0-9]*|0) echo "bench/ab.sh: --rounds: expected a positive count, got '$ROUNDS'" >&2; exit 2 ;; esac
TMP=$(mktemp -d /tmp/meshwalk-ab.XXXXXX)
TREES=()
cleanup() {
	local t
	for t in "${TREES[@]}"; do git worktree remove --force "$t" >/dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT

build() { # COMMIT LETTER -> sets BIN_<LETTER>
	local sha dir
	sha=$(git rev-parse --verify --quiet "$1^{commit}") || { echo "bench/ab.sh: no commit '$1'" >&2; exit 2; }
	dir=$TMP/tree-$2
	git worktree add --detach "$dir" "$sha" >/dev/null 2>&1 || { echo "bench/ab.sh: cannot check out $1" >&2; exit 1; }
	TREES+=("$dir")
	echo "building $2 = $1 (${sha:0:10})" >&2
	make -C "$dir" -j2 bin/meshwalk >"$TMP/build-$2.log" 2>&1 ||
		{ tail -n 20 "$TMP/build-$2.log" >&2; echo "bench/ab.sh: build of $1 failed" >&2; exit 1; }
	printf -v "BIN_$2" '%s' "$dir/bin/meshwalk"
}
build "$1" A
build "$2" B
if [ "$INSTR" = 1 ]; then
	echo "A = $1, B = $2"
	bench/instr.sh "$BIN_A" "$BIN_B"
	exit
fi
make -s bin/meshwalk bench-bins >/dev/null || exit 1

for r in $(seq 1 "$ROUNDS"); do
	order="A B"
	[ $((r % 2)) -eq 0 ] && order="B A"
	for x in $order; do
		bin=BIN_$x
		echo "round $r: $x" >&2
		if [ "$NODE_ONLY" = 1 ]; then
			client=$BIN_B
		else
			client=${!bin}
		fi
		BENCH_ONLY="$SECTIONS" BENCH_NODE=${!bin} MESHWALK=$client bench/run.sh >"$TMP/$x.$r" \
			2>"$TMP/$x.$r.err" ||
			{ cat "$TMP/$x.$r.err" >&2; echo "bench/ab.sh: the run of $x failed" >&2; exit 1; }
	done
done

echo "A = $1, B = $2; sections $SECTIONS; median of $ROUNDS round(s), alternating$([ "$NODE_ONLY" = 1 ] && echo "; nodes only (both clients B's)")"
python3 - "$TMP" "$ROUNDS" "$COLS" <<'PY'
import statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
def rows(path):
    out = []
    for line in open(path):
        if len(line) < 53 or line.startswith(('meshwalk bench:', 'placement:', 'bench', '#', '==')):
            continue
        label, cols = line[:52].rstrip(), line[52:].split()
        if label and cols:
            out.append((label, cols))
    return out
def num(v):
    try:
        return float(v.rstrip('x%'))
    except ValueError:
        return None
runs = {x: [rows('%s/%s.%d' % (tmp, x, r)) for r in range(1, rounds + 1)] for x in 'AB'}
for i, (label, _) in enumerate(runs['A'][0]):
    def med(x, c):
        vals = [num(run[i][1][c]) for run in runs[x] if i < len(run) and c < len(run[i][1])]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None
    ncols = len(runs['A'][0][i][1])
    cells = []
    for c in range(min(ncols, int(sys.argv[3]))):
        a, b = med('A', c), med('B', c)
        if a is None or b is None:
            continue
        cells.append('%10.2f %10.2f %6.2f' % (a, b, b / a if a else float('nan')))
    if cells:
        print('%-52s %s' % (label, ' | '.join(cells)))
PY
