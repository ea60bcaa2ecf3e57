#!/usr/bin/env bash
# 17_opt_table: every subcommand's options go through one table-driven parser
# (src/cli/opt_parse.c): a value out of its row's range is a usage error
# (exit 2) that names the option and the range, a value at the range's edge is
# taken, an option reaches the field its row names, and a part of another
# option (dw_node's -s size=, sync=) is checked by that option's own row.
. "$(dirname "$0")/lib.sh"

# refused "MESSAGE" SUBCOMMAND ARGS...: exit 2 and MESSAGE on stderr.
refused() {
	local msg=$1
	shift
	timeout -k 5 30 "$MESHWALK" "$@" >/dev/null 2>"$TMP/err"
	assert_eq "$* exit" 2 "$?"
	grep -qF -- "$msg" "$TMP/err" || fail "$*: message '$(cat "$TMP/err")' lacks '$msg'"
}

refused "--nt: expected a whole number in 1..1024, got '0'" node --nt 0
refused "--nt: expected a whole number in 1..1024, got '1025'" node --num-threads 1025
refused "--accept-mode: expected child, shared or parent, got 'x'" node --accept-mode x
refused "--max-frame-size: expected a size from 1k to 2g, got '10'" node --max-frame-size 10
refused "--service-name: expected 1 to 128 characters" node --service-name ''
refused "--max-storage-size: expected a size of at least 4Ki, got '1k'" node -s size=1k
refused "--sync: expected a whole number in 1..3600000, got '0'" node -s file=x,sync=0
refused "--nt: expected a whole number in 1..4096, got '5000'" client --nt 5000
refused "--busy-poll: expected a duration up to 1s, got '2s'" client --busy-poll 2s
refused "--timeout: expected a duration from 1us" client --timeout 0
refused "--alpha: expected a number above 0 and below 1, got '1'" compare --alpha 1 a b
refused "--resamples: expected a whole number in 100..1000000, got '99'" compare --resamples 99 a b
refused "--bins: expected a whole number in 1..100000, got '0'" report --bins 0 dir
refused "--timeout: expected a duration such as 60s, got '0'" run --timeout 0 x.yaml
refused "--engine: expected kubectl or podman, got 'x'" deploy collect --engine x
refused "--port: expected a whole number in 1..60000, got '0'" deploy k8s --port 0
refused "--frag: expected a size from 1 to 64Ki, got '0'" proxy --frag 0 --to 127.0.0.1:1
refused "option --nt needs a value" node --nt
refused "unknown option '--bogus' (see meshwalk deploy --help)" deploy k8s --bogus

# Values at the edges of their ranges are taken (--usage stops after them).
"$MESHWALK" node --nt 1024 --max-depth 64 --max-frame-size 2g --max-prog-size 64 \
	--frame-timeout 1ms --accept-mode parent -s file=x,size=1g,sync=1 --usage >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "node: values at their ranges' edges refused"; }
grep -q "^Usage: meshwalk node" "$TMP/out" || fail "node --usage: $(cat "$TMP/out")"
"$MESHWALK" client --nt 4096 --busy-poll 1s --spin-margin 0 --no-delay 0 --usage >"$TMP/out" ||
	fail "client: values at their ranges' edges refused"

# Options reach their fields: threads x requests, the quiet flag, a copied path.
start_node N --nt 2 --max-retries 0
client --to "127.0.0.1:$N_PORT" --nt 2 -n 3 --closed-loop -q --json "$TMP/c.json" ||
	{ cat "$TMP/err"; fail "client run"; }
assert_eq "requests sent (--nt 2 -n 3)" 6 "$(json sent "$TMP/c.json")"
grep -q "^t: " "$TMP/out" && fail "-q: per-request lines printed"
"$MESHWALK" deploy job --wait 127.0.0.1:1 --wait-timeout 1ms -- -n 1 >/dev/null 2>"$TMP/err"
assert_eq "deploy job without --group" 2 "$?"
grep -q "job: --group is required" "$TMP/err" || fail "deploy job: $(cat "$TMP/err")"
exit 0
