# Storage ops: LOAD/STORE with sync policies, 64-bit offsets with wrap-around,
# sendfile replies, O_DIRECT, and the errors a disk can give.
. "$(dirname "$0")/lib.sh"
ok() { client "$@" || { show; fail "client $* exited $?"; }; }

# byte_at FILE OFFSET: 8 bytes of FILE at OFFSET as hex ("0000000000000000" = never written)
# (past the end of the file, which is not extended up front, it reads as zero)
byte_at() { local b; b=$(od -A n -t x1 -j "$2" -N 8 "$1" 2>/dev/null | tr -d ' \n'); echo "${b:-$zero}"; }
zero=0000000000000000

# -- sync policies: counted by the node, and sync really precedes the reply --
start_node s1 -s "$TMP/data" -m 16m --sync 20
ok --to 127.0.0.1:$s1_PORT -S 4k,sync -n 10 --closed-loop
ok --to 127.0.0.1:$s1_PORT -S 4k -n 10 --closed-loop
ok --to 127.0.0.1:$s1_PORT -S 4k,nosync -n 5 --closed-loop
ok --to 127.0.0.1:$s1_PORT -S 4k,psync -n 20 -r 100
stop_node s1
assert_eq "stores" 45 "$(sstat s1 stores)"
# a bare -S syncs, as DistWalk's does: 10 + 10 sync stores
assert_eq "syncs (one per sync store)" 20 "$(sstat s1 syncs)"
assert_eq "storage errors" 0 "$(sstat s1 errors)"
ps=$(sstat s1 periodic_syncs)
# 200 ms of psync stores with a 20 ms period: syncs while running, plus the last one at stop
[ "$ps" -ge 2 ] || fail "psync: only $ps periodic syncs"
# sequential by default: 45 stores of 4k wrote bytes 0..180k, nothing after
[ "$(byte_at "$TMP/data" $((44 * 4000)))" != $zero ] || fail "last sequential store missing"
assert_eq "nothing past the sequential stores" $zero "$(byte_at "$TMP/data" $((45 * 4000)))"
# not extended to -m up front: the file ends where the last store did
assert_eq "file not extended to -m" $((45 * 4000)) "$(command stat -c %s "$TMP/data")"

# strace shows fsync completing before the reply goes out, for every sync store
if command -v strace >/dev/null; then
	rm -f "$TMP/data"
	"$MESHWALK" node -q -b 127.0.0.1:0 --port-file "$TMP/st.port" -s "$TMP/data" -m 1m &
	npid=$!
	PIDS+=("$npid")
	slowwait 10 test -s "$TMP/st.port" || fail "node for strace did not start"
	timeout 60 strace -f -qq -e trace=fsync,sendto -o "$TMP/trace" -p "$npid" &
	spid=$!
	sleep 0.5 # strace attaches to every thread
	ok --to 127.0.0.1:$(cat "$TMP/st.port") -S 4k,sync -n 5 --closed-loop
	kill -INT $spid; wait $spid 2>/dev/null
	# Each reply (a 24-byte sendto) must follow an fsync that came after the previous reply.
	order=$(awk '/fsync\(/ && /= 0/ {printf "F"} /sendto\(/ && /= 24$/ {printf "R"}' "$TMP/trace")
	assert_eq "fsync/reply order" FRFRFRFRFR "$order"
else
	echo "note: strace not installed, reply-after-sync order not traced"
fi

# -- offsets: 64-bit, explicit, --store-offset, wrap-around --
rm -f "$TMP/data"
start_node s2 -s "$TMP/data" -m 8g
ok --to 127.0.0.1:$s2_PORT --store-offset 5g -S 4k -n 1
ok --to 127.0.0.1:$s2_PORT -S size=4k,offset=6g,sync -n 1
ok --to 127.0.0.1:$s2_PORT -L 4k,offset=5g -n 1
ok --to 127.0.0.1:$s2_PORT --load-offset unif:min=0,max=7g -L 64k -n 20 --closed-loop --seed 5
stop_node s2
[ "$(byte_at "$TMP/data" 5000000000)" != $zero ] || fail "no data at offset 5g (offsets narrowed?)"
[ "$(byte_at "$TMP/data" 6000000000)" != $zero ] || fail "no data at offset 6g"
assert_eq "loads" 21 "$(sstat s2 loads)"
assert_eq "bytes loaded" $((4000 + 20 * 64000)) "$(sstat s2 bytes_loaded)"
assert_eq "two syncs (a bare -S syncs)" 2 "$(sstat s2 syncs)"

rm -f "$TMP/data"
start_node s3 -s "$TMP/data" -m 1m
ok --to 127.0.0.1:$s3_PORT -S 4k,offset=1500k -n 1   # wraps to 500k
ok --to 127.0.0.1:$s3_PORT -S 8k,offset=996k -n 1    # would cross 1m: starts at 0
stop_node s3
[ "$(byte_at "$TMP/data" 500000)" != $zero ] || fail "offset 1500k did not wrap to 500k"
[ "$(byte_at "$TMP/data" 0)" != $zero ] || fail "a store crossing -m did not start at 0"
assert_eq "nothing at 996k" $zero "$(byte_at "$TMP/data" 996000)"
# never past -m: it ends where the highest store did (500k + 4k)
assert_eq "file within -m" 504000 "$(command stat -c %s "$TMP/data")"

# -- the paper's Apache emulation, unchanged, on a node without -s --
start_node s4 --nt 3 --am parent
ok --to 127.0.0.1:$s4_PORT --load-offset 0 -L 10918 -C 1000 --ps 76 --rs 11192 -r 85 -n 20 --ns 20
stop_node s4
assert_eq "apache loads" 20 "$(sstat s4 loads)"
assert_eq "apache bytes" $((20 * 10918)) "$(sstat s4 bytes_loaded)"
grep -q "storage: anonymous file in" "$TMP/s4.log" || fail "default storage not announced"

# -- sendfile reply: the bytes on the wire are the file's --
rm -f "$TMP/data"
start_node s5 -s "$TMP/data" -m 1m
ok --to 127.0.0.1:$s5_PORT -S 16k,offset=8k -n 1
ok --to 127.0.0.1:$s5_PORT -R sendfile,100k --load-offset 0 -n 5 -r 100
# A hand-made request: program = one REPLY with flags=sendfile, size 4096, offset 8192.
exec 3<>/dev/tcp/127.0.0.1/$s5_PORT
printf '\x4d\x57\x01\x01\x30\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x18\x00\x00\x00' >&3
printf '\x05\x01\x00\x00\x18\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00\x00\x00\x00' >&3
timeout 10 head -c $((24 + 4096)) <&3 >"$TMP/reply" || fail "no sendfile reply"
exec 3>&-
assert_eq "reply length field" "18 10 00 00" "$(od -A n -t x1 -j 4 -N 4 "$TMP/reply" | sed 's/^ //')"
tail -c 4096 "$TMP/reply" >"$TMP/payload"
dd if="$TMP/data" of="$TMP/expect" bs=4096 skip=2 count=1 status=none
cmp -s "$TMP/payload" "$TMP/expect" || fail "sendfile payload differs from the file"
[ "$(byte_at "$TMP/payload" 0)" != $zero ] || fail "sendfile payload is zeros"
stop_node s5
assert_eq "sendfile reads" 6 "$(sstat s5 prefetches)"

# -- O_DIRECT: aligned transfers work for unaligned sizes and offsets --
rm -f "$TMP/data"
"$MESHWALK" node -q -b 127.0.0.1:0 --odirect -s "$TMP/probe" --port-file "$TMP/p.port" 2>"$TMP/p.err" &
ppid=$!
slowwait 5 test -s "$TMP/p.port"
kill $ppid 2>/dev/null; wait $ppid 2>/dev/null
if grep -q "does not support O_DIRECT" "$TMP/p.err"; then
	echo "note: O_DIRECT unsupported under $TMP"
else
	start_node s6 -s "$TMP/data" -m 4m --odirect
	ok --to 127.0.0.1:$s6_PORT -S 10k,offset=1000,sync -n 3 --closed-loop
	ok --to 127.0.0.1:$s6_PORT -L 10k,offset=1000 -n 3 --closed-loop
	stop_node s6
	assert_eq "odirect stores" 3 "$(sstat s6 stores)"
	assert_eq "odirect loads" 3 "$(sstat s6 loads)"
	[ "$(byte_at "$TMP/data" 1000)" != $zero ] || fail "O_DIRECT store missing"
	grep -q "O_DIRECT" "$TMP/s6.log" || fail "O_DIRECT not announced"
fi

# -- errors: each is an error reply with the reason; the node keeps serving --
rm -f "$TMP/data"
start_node s7 -s "$TMP/data" -m 1m
ok --to 127.0.0.1:$s7_PORT -S 8k,offset=0 -n 1 # the node knows the file holds 8k
: >"$TMP/data" # truncated behind the node's back: reads end early
client --to 127.0.0.1:$s7_PORT -L 4k,offset=0 -n 1 && fail "short read succeeded"
grep -q "storage error: .*short read, the storage file ends at byte 0" "$TMP/err" || { show; fail "short read message"; }
client --to 127.0.0.1:$s7_PORT -S 20m -n 1 && fail "oversized store succeeded"
grep -q "larger than the storage" "$TMP/err" || { show; fail "oversized store message"; }
ok --to 127.0.0.1:$s7_PORT -n 3 --closed-loop # pings still work
stop_node s7
grep -q "storage: LOAD of 4000 bytes at offset 0: short read" "$TMP/s7.log" || fail "no node log line"
assert_eq "storage errors counted" 2 "$(sstat s7 errors)"

"$MESHWALK" node -q -b 127.0.0.1:0 -s /nonexistent/dir/data 2>"$TMP/err" && fail "missing path accepted"
grep -q "cannot open storage /nonexistent/dir/data: No such file or directory" "$TMP/err" ||
	fail "missing path message: $(cat "$TMP/err")"

# disk full: a 64k tmpfs (root only)
if [ "$(id -u)" -eq 0 ] && mkdir "$TMP/mnt" && mount -t tmpfs -o size=64k meshwalk-e2e "$TMP/mnt" 2>/dev/null; then
	start_node s8 -s "$TMP/mnt/data" -m 1m
	client --to 127.0.0.1:$s8_PORT -S 16k -n 8 --closed-loop && { umount "$TMP/mnt"; fail "stores beyond a full disk succeeded"; }
	grep -q "No space left on device" "$TMP/err" || { show; umount "$TMP/mnt"; fail "disk full message"; }
	client --to 127.0.0.1:$s8_PORT -n 2 --closed-loop || { umount "$TMP/mnt"; fail "node stopped serving after ENOSPC"; }
	stop_node s8
	umount "$TMP/mnt"
	[ "$(sstat s8 errors)" -ge 1 ] || fail "ENOSPC not counted"
	[ "$(sstat s8 stores)" -ge 1 ] || fail "no store fit on the 64k disk"
else
	echo "note: not root or no tmpfs: disk-full case not run"
fi

# -- bad usage: clear messages, exit 2 --
client --to 127.0.0.1:1 -S 10k,bogus -n 1; assert_eq "bad -S exit" 2 $?
grep -q "unexpected 'bogus'" "$TMP/err" || fail "bad -S message: $(cat "$TMP/err")"
client --to 127.0.0.1:1 -L offset=5 -n 1; assert_eq "-L without size" 2 $?
grep -q "no size" "$TMP/err" || fail "-L without size message"
client --to 127.0.0.1:1 -R sendfile -n 1; assert_eq "-R sendfile without size" 2 $?
client --to 127.0.0.1:1 -L 4k,sync -n 1; assert_eq "sync on a LOAD" 2 $?
"$MESHWALK" node -m 100 2>"$TMP/err"; assert_eq "tiny -m" 2 $?

# -- no storage file until a request needs one (without -s) --
mkdir "$TMP/tmpdir"
TMPDIR=$TMP/tmpdir start_node lazy
files() { ls -l /proc/"$lazy_PID"/fd 2>/dev/null | grep -c "$TMP/tmpdir"; }
assert_eq "storage files before any LOAD/STORE" 0 "$(files)"
ok --to 127.0.0.1:$lazy_PORT -n 2 --closed-loop
assert_eq "storage files after pings" 0 "$(files)"
ok --to 127.0.0.1:$lazy_PORT -S 4k -L 4k,offset=1m -n 2 --closed-loop
assert_eq "storage files after a STORE" 1 "$(files)"
stop_node lazy
assert_eq "lazy stores" 2 "$(sstat lazy stores)"
assert_eq "lazy loads" 2 "$(sstat lazy loads)"
exit 0
