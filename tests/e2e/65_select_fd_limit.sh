# select cannot watch fds >= FD_SETSIZE (1024): the node refuses them with a
# message instead of corrupting memory; poll and epoll serve them.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || skip "needs perl"
ulimit -n 4096 2>/dev/null || [ "$(ulimit -n)" -ge 2048 ] || skip "needs 2048 open files (ulimit -n)"
# A wrapper that starts the node with fds up to ~1100 already open (perl, as
# bash keeps descriptors of its own), all but the lowest FREE_LOW of them, so
# the node's own descriptors stay low and what it accepts lands above 1024.
cat >"$TMP/highfds" <<'PERL'
#!/usr/bin/perl
$^F = 1000000;    # keep the handles open across exec
my @h;
for (3 .. 1100) { open(my $f, '<', '/dev/null') or die "open: $!"; push @h, $f; }
close($h[$_]) for 0 .. $ENV{FREE_LOW} - 1;
exec { $ENV{REAL_MESHWALK} } $ENV{REAL_MESHWALK}, @ARGV or die "exec: $!";
PERL
chmod +x "$TMP/highfds"
export REAL_MESHWALK=$MESHWALK FREE_LOW=2    # listener, eventfd (no storage file until a LOAD/STORE)
MESHWALK=$TMP/highfds
start_node sel -p select
start_node pol -p poll
start_node epo -p epoll
client --to 127.0.0.1:$sel_PORT -n 3 -r 100 --timeout 2s -q && { show; fail "select served an fd above 1023"; }
slowwait 5 grep -q "is above what --poll-mode select can watch (1023): connection closed" "$TMP/sel.log" ||
	fail "no refusal message: $(cat "$TMP/sel.log")"
for n in pol epo; do
	port_var=${n}_PORT
	client --to 127.0.0.1:${!port_var} -n 3 -r 100 -q || { show; fail "$n: client"; }
done
# The node's own descriptors above the limit: select refuses to start.
FREE_LOW=0 "$TMP/highfds" node -b 127.0.0.1:0 -p select 2>"$TMP/e"; rc=$?
assert_eq "select with high fds: exit" 1 "$rc"
grep -q "cannot watch .* with select: its number is above what this poll mode can watch (FD_SETSIZE)" "$TMP/e" ||
	fail "select start-up message: $(cat "$TMP/e")"
MESHWALK=$REAL_MESHWALK
exit 0
