#!/usr/bin/env bash
# tests/compat/run.sh -- DistWalk command lines, run side by side.
#
#   MESHWALK=bin/meshwalk tests/compat/run.sh [PATTERN]
#
# Every case of tests/compat/cases.txt (the format is described at its top)
# runs against meshwalk, and also against DistWalk's dw_node / dw_client /
# dw_proxy when they are found ($DW_BIN, else ../shared/peers/distwalk beside
# the repository). Each case checks, for each binary: the exit status class,
# the success/error/timeout counts of the "Sent pkts" lines, the format and
# count of the per-request lines, that every elapsed time is plausible (at
# least the COMPUTE time the program asks for, below a ceiling), and the
# Configuration block: its keys in DistWalk's order and, when DistWalk ran
# too, its values (ports and seeds aside; keys a case names as different on
# purpose aside). Prints TAP: one "ok"/"not ok" line per case and binary.
# A case marked xfail is a difference still to be removed: it reports
# "# TODO" whichever way it goes, so it flips to a plain pass without an edit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MESHWALK=${MESHWALK:-$root/bin/meshwalk}
DW_BIN=${DW_BIN:-$root/../shared/peers/distwalk}
pattern=${1:-}
TMP=$(mktemp -d /tmp/meshwalk-compat.XXXXXX)
PIDS=()
have_dw=0
[ -x "$DW_BIN/dw_client" ] && [ -x "$DW_BIN/dw_node" ] && have_dw=1

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# DistWalk's Configuration keys, in its order (from dw_client 9b00acc).
DW_KEYS='clienthost serverhost num_threads num_pkts period waitspin rate rate_step_secs
pkt_size resp_size min_packet_size max_packet_size no_delay num_sessions
use_per_session_output num_conn_retries seed request_template'
DW_KEYS_CSV=$(echo $DW_KEYS | tr ' ' ,),
# Values compared between the two binaries unless a case says otherwise.
CMP_KEYS='clienthost serverhost num_threads num_pkts period waitspin rate rate_step_secs
no_delay num_sessions use_per_session_output num_conn_retries request_template'

listening() { # PORT: true once something listens on 127.0.0.1:PORT (TCP)
	local hex
	printf -v hex '%04X' "$1"
	grep -q "^ *[0-9]*: 0100007F:$hex [0-9A-F:]* 0A" /proc/net/tcp
}

in_use() { # PORT: true if any TCP or UDP socket has it as local port
	local hex
	printf -v hex '%04X' "$1"
	grep -q "^ *[0-9]*: [0-9A-F]*:$hex " /proc/net/tcp /proc/net/udp
}

free_port() { # a TCP port nobody listens on now
	local p
	while :; do
		p=$((10000 + RANDOM % 20000)) # below the ephemeral range
		in_use "$p" || { echo "$p"; return; }
	done
}

wait_listen() { # PORT PID
	local i
	for i in $(seq 1 200); do
		listening "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# start IMPL NAME OPTS...: a node (or, with NAME p*, a proxy) of IMPL (mw|dw)
# on 127.0.0.1; sets PORT_IMPL_NAME and PID_IMPL_NAME. Returns 1 if it did
# not come up (its stderr is in $TMP/IMPL-NAME.log).
start() {
	local impl=$1 name=$2 port pid kind=node try
	shift 2
	[[ $name == P* ]] && kind=proxy
	mkdir -p "$TMP/home-$impl"
	for try in 1 2 3 4 5; do # a port picked free may be taken by the time we bind
		port=$(free_port)
		if [ "$impl" = mw ]; then
			HOME=$TMP/home-$impl timeout -k 2 300 "$MESHWALK" $kind -q -b "127.0.0.1:$port" "$@" \
				>"$TMP/$impl-$name.log" 2>&1 &
		else
			# DistWalk keeps its storage (.dw_store_N) in $HOME.
			(cd "$TMP/home-$impl" && HOME=$TMP/home-$impl exec timeout -k 2 300 \
				"$DW_BIN/dw_$kind" -b "127.0.0.1:$port" "$@") >"$TMP/$impl-$name.log" 2>&1 &
		fi
		pid=$!
		PIDS+=("$pid")
		printf -v "PORT_${impl}_$name" '%s' "$port"
		printf -v "PID_${impl}_$name" '%s' "$pid"
		wait_listen "$port" "$pid" && return 0
		grep -q 'in use' "$TMP/$impl-$name.log" || return 1
	done
	return 1
}

stop() { # IMPL NAME
	local v=PID_$1_$2
	kill -TERM "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
	return 0
}

impls=(mw)
[ $have_dw = 1 ] && impls+=(dw)
for impl in "${impls[@]}"; do
	for n in N1 N2 N3; do
		start "$impl" "$n" || { echo "Bail out! $impl node $n did not start"; cat "$TMP/$impl-$n.log"; exit 1; }
	done
done
DEAD=$(free_port)
printf 'a,b\n100,1\n200,2\n300,3\n' >"$TMP/cols.csv"
printf '100\n200\n300\n' >"$TMP/one.csv"
printf -- '-n 2\n-r 100\n-C 100us\n' >"$TMP/script.txt"

# subst VAR IMPL TEXT: VAR = TEXT with the placeholders of IMPL's nodes (no fork).
subst() {
	local impl=$2 s=$3 n v
	for n in N1 N2 N3 NX PX; do
		v=PORT_${impl}_$n
		s=${s//@$n/127.0.0.1:${!v:-0}}
	done
	s=${s//@DEAD/127.0.0.1:$DEAD}
	printf -v "$1" '%s' "${s//@TMP/$TMP/$impl}"
}

# unsubst IMPL: ports back to placeholders on stdin (for comparing outputs).
unsubst() {
	local impl=$1 n v args=()
	for n in N1 N2 N3 NX PX; do
		v=PORT_${impl}_$n
		[ -n "${!v:-}" ] && args+=(-e "s/127\\.0\\.0\\.1:${!v}\\b/@$n/g")
	done
	sed "${args[@]}" -e "s#$TMP/$impl#@TMP#g"
}

# config FILE: the Configuration block as key=value lines, keys normalised.
config() {
	awk '/^Configuration:/ { on = 1; next }
	     on && /^  / {
		line = substr($0, 3)
		if (line ~ /^min packet size/) { k = "min_packet_size"; v = substr(line, 34) }
		else if (line ~ /^max packet size/) { k = "max_packet_size"; v = substr(line, 18) }
		else if (line ~ /^request template: /) { k = "request_template"; v = substr(line, 19) }
		else if (line ~ /^output_file: /) { k = "output_file"; v = substr(line, 14) }
		else { i = match(line, /[:=] ?/); k = substr(line, 1, i - 1); v = substr(line, i + RLENGTH) }
		print k "=" v; next }
	     on { exit }' "$1"
}

trim() { # VAR TEXT: VAR = TEXT without leading and trailing blanks (no fork)
	local v=$2
	v=${v#"${v%%[! ]*}"}
	printf -v "$1" '%s' "${v%"${v##*[! ]}"}"
}

n=0 failed=0
tap() { # ok|fail|todo NAME [DETAIL]
	n=$((n + 1))
	case $1 in
	ok) echo "ok $n - $2" ;;
	todo) echo "ok $n - $2 # TODO ${3:-}" ;;
	*) failed=$((failed + 1)); echo "not ok $n - $2"; [ -n "${3:-}" ] && echo "$3" | sed 's/^/# /' ;;
	esac
}

# check IMPL NAME EXPECT: checks $TMP/IMPL.{out,err,rc} against EXPECT; prints
# why not on stdout and returns 1.
check() {
	local impl=$1 name=$2 exp=$3 out=$TMP/$1.out rc tok class= counts= min=0 max=5000000
	local lines= want_lines cfg=1
	rc=$(cat "$TMP/$impl.rc")
	for tok in $exp; do
		case $tok in
		ok | fail | usage | run) class=$tok ;;
		c=*) counts=${tok#c=} ;;
		min=*) min=${tok#min=} ;;
		max=*) max=${tok#max=} ;;
		lines=*) lines=${tok#lines=} ;;
		nocfg) cfg=0 ;;
		grep=*) grep -Eq -- "$(echo "${tok#grep=}" | tr '~' ' ')" "$out" "$TMP/$impl.err" ||
			{ echo "no line matches /${tok#grep=}/"; return 1; } ;;
		file=*) local fp=${tok#file=} fre=${fp#*:}
			fp=$TMP/$impl/${fp%%:*}
			[ -f "$fp" ] && grep -Eq -- "$(echo "$fre" | tr '~' ' ')" "$fp" ||
				{ echo "file ${tok#file=}: no match"; head -n 3 "$fp" 2>&1; return 1; } ;;
		nofile=*) [ -e "$TMP/$impl/${tok#nofile=}" ] && { echo "${tok#nofile=} exists"; return 1; } ;;
		xfail | xfail=*) ;;
		*) echo "bad expectation token '$tok'"; return 1 ;;
		esac
	done
	case $class in
	ok) [ "$rc" = 0 ] || { echo "exit $rc, expected 0"; return 1; } ;;
	fail) [ "$rc" = 1 ] || { echo "exit $rc, expected 1 (requests failed)"; return 1; } ;;
	usage) { [ "$rc" != 0 ] && ! grep -q '^Sent pkts' "$out"; } ||
		{ echo "exit $rc, expected a refusal before any request"; return 1; }
		return 0 ;;
	run) ;;
	*) echo "no exit class in '$exp'"; return 1 ;;
	esac
	# One pass over stdout: counts, per-request lines (DistWalk's format, each
	# elapsed within [min, max]) and the Configuration keys.
	local counts_got nlines nbad outside keys
	read -r counts_got nlines nbad outside keys < <(awk -v lo="$min" -v hi="$max" '
		/^Sent pkts - success:/ { split($0, f, /[:,] */); s += f[2]; e += f[4]; t += f[6] }
		/^t: / { n++
			if ($0 !~ /^t: [0-9]+ (us|ns), elapsed: [0-9]+ (us|ns), req_id: [0-9]+, thr_id: [0-9]+, sess_id: [0-9]+$/) bad++
			v = $5; if ($6 == "ns,") v /= 1000
			if ((v < lo || v > hi) && out == "") out = v }
		/^Configuration:/ { cfg = 1; next }
		cfg == 1 && /^  / { l = substr($0, 3)
			if (l ~ /^min packet size/) k = "min_packet_size"
			else if (l ~ /^max packet size/) k = "max_packet_size"
			else if (l ~ /^request template: /) k = "request_template"
			else { match(l, /[:=]/); k = substr(l, 1, RSTART - 1) }
			if (k != "output_file") keys = keys k ","; next }
		cfg == 1 { cfg = 2 }
		END { printf "%d/%d/%d %d %d %s %s\n", s, e, t, n, bad, out == "" ? "-" : out, keys == "" ? "-" : keys }' "$out")
	if [ -n "$counts" ] && [ "$counts_got" != "$counts" ]; then
		echo "counts $counts_got, expected $counts"; return 1
	fi
	[ "$nbad" = 0 ] || { echo "$nbad per-request lines in another format"; return 1; }
	want_lines=${lines:-${counts%%/*}}
	if [ -n "$want_lines" ] && [ "$nlines" != "$want_lines" ]; then
		echo "$nlines per-request lines, expected $want_lines"; return 1
	fi
	[ "$outside" = - ] || { echo "elapsed $outside us outside [$min, $max]"; return 1; }
	if [ $cfg = 1 ] && [ "$keys" != "$DW_KEYS_CSV" ]; then
		echo "Configuration keys: $keys"; return 1
	fi
	return 0
}

# run_client IMPL ARGS: the client of IMPL with ARGS (placeholders replaced).
run_client() {
	local impl=$1 args bin
	subst args "$impl" "$2"
	mkdir -p "$TMP/$impl"
	if [ "$impl" = mw ]; then bin=("$MESHWALK" client); else bin=("$DW_BIN/dw_client"); fi
	(cd "$TMP/$impl" && eval "exec timeout -k 2 30 \"\${bin[@]}\" $args") \
		>"$TMP/$impl.out" 2>"$TMP/$impl.err"
	echo $? >"$TMP/$impl.rc"
}

while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	IFS='|' read -r name nodeopts args mwexp dwexp note <<<"$line"
	trim name "$name"
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	trim nodeopts "$nodeopts"; trim args "$args"; trim mwexp "$mwexp"; trim dwexp "$dwexp"
	trim note "$note"
	[ "$dwexp" = = ] && dwexp=$mwexp
	[ -n "${COMPAT_TIMES:-}" ] && echo "# $EPOCHREALTIME $name"
	# Both binaries run at once (each against its own nodes), then are checked.
	declare -A why=() exp=() cpid=()
	for impl in "${impls[@]}"; do
		exp[$impl]=$mwexp
		[ $impl = dw ] && exp[$impl]=$dwexp
		[ "${exp[$impl]}" = - ] && continue
		why[$impl]=
		rm -f "$TMP/$impl.out" "$TMP/$impl.err"
		if [ "$nodeopts" != - ]; then
			# A case's own node (@NX) or proxy (@PX, to @N1), started for it alone.
			subst local_opts "$impl" "$nodeopts"
			mkdir -p "$TMP/$impl"
			if [[ $local_opts == proxy* ]]; then
				eval "start $impl PX ${local_opts#proxy}" ||
					why[$impl]="proxy did not start: $(tail -n 3 "$TMP/$impl-PX.log")"
			else
				eval "start $impl NX $local_opts" ||
					why[$impl]="node did not start: $(tail -n 3 "$TMP/$impl-NX.log")"
			fi
		fi
		if [ -z "${why[$impl]}" ]; then
			run_client "$impl" "$args" &
			cpid[$impl]=$!
		fi
	done
	for impl in "${impls[@]}"; do
		[ "${exp[$impl]}" = - ] && continue
		[ -n "${cpid[$impl]:-}" ] && wait "${cpid[$impl]}"
		e=${exp[$impl]} w=${why[$impl]}
		if [ "$nodeopts" != - ]; then
			[[ $nodeopts == proxy* ]] && stop "$impl" PX || stop "$impl" NX
		fi
		label="$impl $name${note:+ [$note]}"
		if [ -n "$w" ] && [[ " $e " == *" nodefail "* ]]; then
			tap ok "$label (the node refused the options)"
			continue
		fi
		[ -z "$w" ] && w=$(check "$impl" "$name" "${e//nodefail/}")
		if [[ " $e " == *" xfail"* ]]; then
			if [ -z "$w" ]; then tap todo "$label" "passes now: drop its xfail mark"
			else tap todo "$label" "differs for now: ${w%%$'\n'*}"; fi
		elif [ -z "$w" ]; then
			tap ok "$label"
		else
			tap fail "$label" "$w
$(tail -n 5 "$TMP/$impl.out" "$TMP/$impl.err" 2>/dev/null)"
		fi
	done
	# Configuration values, both binaries side by side.
	if [ $have_dw = 1 ] && [ "$mwexp" != - ] && [ "$dwexp" != - ] && [[ " $mwexp $dwexp " != *" usage "* ]] &&
		[[ " $mwexp $dwexp " != *" nocfg "* ]] && [[ " $mwexp " != *" xfail"* ]] && [ -s "$TMP/dw.out" ]; then
		skip=,
		[[ $note =~ cfg-differs:([a-z_,]*) ]] && skip=,${BASH_REMATCH[1]},
		for impl in mw dw; do
			# Frame sizes left unset differ on purpose (meshwalk's are minimal).
			config "$TMP/$impl.out" | unsubst "$impl" |
				sed -E ':a; s/([(,])(512b|24b|auto)([,)])/\1SIZE\3/; ta' >"$TMP/$impl.cfg"
		done
		diffs=$(awk -F= -v keys="$CMP_KEYS" -v skip="$skip" '
			FILENAME ~ /mw.cfg$/ { mw[$1] = substr($0, length($1) + 2); next }
			{ dw[$1] = substr($0, length($1) + 2) }
			END { n = split(keys, k, /[ \n]+/)
				for (i = 1; i <= n; i++) if (k[i] != "" && index(skip, "," k[i] ",") == 0 && mw[k[i]] != dw[k[i]])
					printf "%s: meshwalk '\''%s'\'', DistWalk '\''%s'\''\n", k[i], mw[k[i]], dw[k[i]] }' \
			"$TMP/mw.cfg" "$TMP/dw.cfg")
		if [ -z "$diffs" ]; then tap ok "config $name"; else tap fail "config $name" "$diffs"; fi
	fi
	unset PORT_mw_NX PORT_mw_PX PORT_dw_NX PORT_dw_PX
done <"$here/cases.txt"

[ $have_dw = 1 ] || echo "# DistWalk not found at $DW_BIN: meshwalk only"
echo "1..$n"
[ $failed = 0 ]
