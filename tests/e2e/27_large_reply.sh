# A reply counts as received when its last byte has arrived, not its header:
# latency includes the transfer of the payload (-R SIZE). 256 MB cannot
# cross loopback in under 2 ms (that would be 128 GB/s), while its header alone
# arrives in microseconds, so the lower bound tells the two apart.
. "$(dirname "$0")/lib.sh"
start_node a
client --to 127.0.0.1:$a_PORT -n 3 -r 2 -R 256m || { show; fail "large replies"; }
grep -qE 'ok 3,' "$TMP/out" || { show; fail "not every large reply"; }
min=$(grep -oE 'min [0-9.]+' "$TMP/out" | head -n 1 | cut -d' ' -f2)
awk -v m="$min" 'BEGIN { exit !(m >= 2000) }' || fail "256 MB reply measured in ${min}us: stamped before its last byte"
# A small reply right after a large one on the same connection is matched to
# its own request (the large one's padding was consumed, not parsed).
printf '%s\n' 50000000 24 50000000 24 >"$TMP/sizes.csv"
client --to 127.0.0.1:$a_PORT -n 4 -r 4 -R "file:$TMP/sizes.csv" || { show; fail "mixed sizes"; }
grep -qE 'ok 4,' "$TMP/out" || { show; fail "mixed sizes: not every reply"; }
exit 0
