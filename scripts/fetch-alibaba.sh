#!/usr/bin/env bash
# scripts/fetch-alibaba.sh -- downloads a slice of Alibaba's public
# microservice call-graph traces for `meshwalk import --format alibaba`.
# Opt-in, for a user: never run by the tests (they only check --dry-run), and
# the data is not redistributable, so it goes outside the source tree and is
# never committed.
#
#   scripts/fetch-alibaba.sh [--version 2021|2022] [--first I] [--files N]
#                            [-o DIR] [--dry-run]
#
# The dataset is cut into numbered archives of CSV files: v2022's CallGraph_I
# each hold 3 minutes of calls (indexes 0 .. 6239, 13 days), v2021's
# MSCallGraph_I about 5 minutes (0 .. 144, 12 hours). --first picks the first
# archive (default 0), --files how many (default 1: several hundred MB packed,
# a few GB of CSV). Archives go to DIR (default ~/.cache/meshwalk/alibaba/vYEAR),
# are resumed when a download was cut, and unpacked there. --dry-run prints
# the URLs and does nothing. Needs curl and tar.
# Exit status: 0 done, 1 a download or unpack failed, 2 usage.
set -u
VERSION=2022 FIRST=0 FILES=1 OUT="" DRY=0
usage() {
	sed -n '8,9p' "$0" | sed 's/^# *//' >&2
	exit 2
}
count() { # NAME VALUE MAX
	case $2 in '' | *[!0-9]*) echo "fetch-alibaba: $1: expected a whole number, got '$2'" >&2; exit 2 ;; esac
	[ "$2" -le "$3" ] || { echo "fetch-alibaba: $1: at most $3, got $2" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case $1 in
	--version) VERSION=${2:-}; shift 2 || usage ;;
	--first) FIRST=${2:-}; shift 2 || usage ;;
	--files) FILES=${2:-}; shift 2 || usage ;;
	-o) OUT=${2:-}; shift 2 || usage ;;
	--dry-run) DRY=1; shift ;;
	-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-alibaba: unknown argument '$1'" >&2; usage ;;
	esac
done
case $VERSION in
2022) BASE=https://aliopentrace.oss-cn-beijing.aliyuncs.com/v2022MicroservicesTraces/CallGraph/CallGraph LAST=6239 ;;
2021) BASE=https://aliopentrace.oss-cn-beijing.aliyuncs.com/v2021MicroservicesTraces/MSCallGraph/MSCallGraph LAST=144 ;;
*) echo "fetch-alibaba: --version: 2021 or 2022, got '$VERSION'" >&2; exit 2 ;;
esac
count --first "$FIRST" "$LAST"
count --files "$FILES" 1000
[ "$FILES" -ge 1 ] || { echo "fetch-alibaba: --files: at least 1" >&2; exit 2; }
[ $((FIRST + FILES - 1)) -le $LAST ] ||
	{ echo "fetch-alibaba: v$VERSION has archives 0 .. $LAST; --first $FIRST --files $FILES goes past it" >&2; exit 2; }
OUT=${OUT:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwalk/alibaba/v$VERSION}
# The data may not be redistributed: keep it out of this repository.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ABS=$(realpath -m "$OUT")
case $ABS/ in "$ROOT"/*) echo "fetch-alibaba: $OUT is inside the source tree; the data is not redistributable: choose another -o" >&2; exit 2 ;; esac
[ $DRY -eq 1 ] || mkdir -p "$OUT" || { echo "fetch-alibaba: cannot create $OUT" >&2; exit 1; }

for i in $(seq "$FIRST" $((FIRST + FILES - 1))); do
	url=${BASE}_$i.tar.gz
	if [ $DRY -eq 1 ]; then
		echo "$url"
		continue
	fi
	file=$OUT/$(basename "$url")
	echo "fetch-alibaba: $url" >&2
	curl -fL --retry 5 --retry-delay 5 -C - -o "$file" "$url" || { echo "fetch-alibaba: download failed: $url" >&2; exit 1; }
	tar -xzf "$file" -C "$OUT" || { echo "fetch-alibaba: cannot unpack $file" >&2; exit 1; }
done
[ $DRY -eq 1 ] && exit 0
echo "fetch-alibaba: done; import with: meshwalk import --format alibaba --summary $OUT/*.csv" >&2
