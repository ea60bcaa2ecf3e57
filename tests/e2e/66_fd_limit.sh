#!/usr/bin/env bash
# 66_fd_limit: a node raises its open-file soft limit to the hard limit, so
# it can hold more than 1024 connections without being told.
. "$(dirname "$0")/lib.sh"
command -v prlimit >/dev/null || skip "prlimit not installed"
prlimit --nofile=1024:4096 "$MESHWALK" node -q -b 127.0.0.1:0 --port-file "$TMP/p2" &
pid=$!
PIDS+=("$pid")
slowwait 10 test -s "$TMP/p2" || fail "node did not start"
soft=$(awk '/Max open files/ { print $4 }' "/proc/$pid/limits")
assert_eq "soft open-file limit raised to the hard one" 4096 "$soft"
echo ok
