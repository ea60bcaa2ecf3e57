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
	mkdir -p "$TMP/home-$impl" "$W"
	for try in 1 2 3 4 5; do # a port picked free may be taken by the time we bind
		port=$(free_port)
		if [ "$impl" = mw ]; then
			HOME=$TMP/home-$impl timeout -k 2 300 "$MESHWALK" $kind -q -b "127.0.0.1:$port" "$@" \
				>"$W/$impl-$name.log" 2>&1 &
		else
			# DistWalk keeps its storage (.dw_store_N) in $HOME.
			(cd "$TMP/home-$impl" && HOME=$TMP/home-$impl exec timeout -k 2 300 \
				"$DW_BIN/dw_$kind" -b "127.0.0.1:$port" "$@") >"$W/$impl-$name.log" 2>&1 &
		fi
		pid=$!
		PIDS+=("$pid")
		printf -v "PORT_${impl}_$name" '%s' "$port"
		printf -v "PID_${impl}_$name" '%s' "$pid"
		wait_listen "$port" "$pid" && return 0
		grep -q 'in use' "$W/$impl-$name.log" || return 1
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
W=$TMP # each case gets its own directory below
for impl in "${impls[@]}"; do
	for n in N1 N2 N3; do
		start "$impl" "$n" || { echo "Bail out! $impl node $n did not start"; cat "$TMP/$impl-$n.log"; exit 1; }
	done
done
DEAD=$(free_port)
mkdir -p "$TMP/in"
printf 'a,b\n100,1\n200,2\n300,3\n' >"$TMP/in/cols.csv"
printf '100\n200\n300\n' >"$TMP/in/one.csv"
printf -- '-n 2\n-r 100\n-C 100us\n' >"$TMP/in/script.txt"
# TLS inputs: a throwaway CA, a server certificate for 127.0.0.1 and
# localhost, a client certificate, a self-signed stranger, a hashed CA
# directory (@IN/ca.pem, srv.pem/key, cli.pem/key, other.pem/key, capath/).
if command -v openssl >/dev/null; then
	(
		cd "$TMP/in" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=compat-ca &&
			openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost &&
			printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >srv.ext &&
			openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext &&
			openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj /CN=client &&
			openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 2 &&
			openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=localhost &&
			mkdir capath && cp ca.pem capath/ && openssl rehash capath
	) >"$TMP/in/openssl.log" 2>&1 || echo "# openssl could not make the TLS inputs: $(tail -n 2 "$TMP/in/openssl.log")"
fi

# subst VAR IMPL TEXT: VAR = TEXT with the placeholders of IMPL's nodes (no fork).
subst() {
	local impl=$2 s=$3 n v
	for n in N1 N2 N3 NX PX NS; do
		v=PORT_${impl}_$n
		s=${s//@$n/127.0.0.1:${!v:-0}}
	done
	s=${s//@DEAD/127.0.0.1:$DEAD}
	s=${s//@IN/$TMP/in}
	printf -v "$1" '%s' "${s//@TMP/$W/$impl}"
}

# ports_of IMPL: "IMPL:PORT=NAME ..." for the nodes a case used (to compare outputs).
ports_of() {
	local n v out=
	for n in N1 N2 N3 NX PX NS; do
		v=PORT_$1_$n
		[ -n "${!v:-}" ] && out+=" $1:${!v}=@$n"
	done
	echo "$out"
}

# An awk program that reads the Configuration blocks of mw.out and dw.out into
# v[IMPL, key] (keys normalised, ports and case directories back to their
# placeholders, frame sizes left unset, which differ on purpose, as SIZE).
CONFIG_AWK='
	BEGIN { np = split(ports, pp, " ") }
	FNR == 1 { impl = FILENAME ~ /mw.out$/ ? "mw" : "dw"; on = 0 }
	/^Configuration:/ { on = 1; next }
	on && /^  / {
		l = substr($0, 3)
		if (l ~ /^min packet size/) { k = "min_packet_size"; val = substr(l, 32) }
		else if (l ~ /^max packet size/) { k = "max_packet_size"; val = substr(l, 18) }
		else if (l ~ /^request template: /) { k = "request_template"; val = substr(l, 19) }
		else if (l ~ /^output_file: /) { k = "output_file"; val = substr(l, 14) }
		else { match(l, /[:=] ?/); k = substr(l, 1, RSTART - 1); val = substr(l, RSTART + RLENGTH) }
		for (i = 1; i <= np; i++) {
			split(pp[i], a, /[:=]/)
			if (a[1] == impl) gsub("127\\.0\\.0\\.1:" a[2], a[3], val)
		}
		gsub(impl == "mw" ? tmpmw : tmpdw, "@TMP", val)
		while (match(val, /[(,](512b|24b|auto)[,)]/))
			val = substr(val, 1, RSTART) "SIZE" substr(val, RSTART + RLENGTH - 1)
		v[impl, k] = val; next }
	on { on = 0 }'

trim() { # VAR TEXT: VAR = TEXT without leading and trailing blanks (no fork)
	local v=$2
	v=${v#"${v%%[! ]*}"}
	printf -v "$1" '%s' "${v%"${v##*[! ]}"}"
}

tap() { # ok|fail|todo NAME [DETAIL]: a TAP line, numbered when printed in order
	case $1 in
	ok) echo "ok - $2" ;;
	todo) echo "ok - $2 # TODO ${3:-}" ;;
	*) echo "not ok - $2"; [ -n "${3:-}" ] && echo "$3" | sed 's/^/# /' ;;
	esac
}

# check IMPL NAME EXPECT: checks $TMP/IMPL.{out,err,rc} against EXPECT; prints
# why not on stdout and returns 1.
check() {
	local impl=$1 name=$2 exp=$3 out=$W/$1.out rc tok class= counts= min=0 max=5000000
	local lines= want_lines cfg=1 re gap=
	rc=$(<"$W/$impl.rc")
	for tok in $exp; do
		case $tok in
		ok | fail | usage | run) class=$tok ;;
		c=*) counts=${tok#c=} ;;
		min=*) min=${tok#min=} ;;
		max=*) max=${tok#max=} ;;
		lines=*) lines=${tok#lines=} ;;
		gap=*) gap=${tok#gap=} ;;
		nocfg) cfg=0 ;;
		grep=*) re=${tok#grep=}; grep -Eq -- "${re//\~/ }" "$out" "$W/$impl.err" ||
			{ echo "no line matches /${tok#grep=}/"; return 1; } ;;
		file=*) local fp=${tok#file=} fre
			fre=${fp#*:}
			fp=$W/$impl/${fp%%:*}
			[ -f "$fp" ] && grep -Eq -- "${fre//\~/ }" "$fp" ||
				{ echo "file ${tok#file=}: no match"; head -n 3 "$fp" 2>&1; return 1; } ;;
		nofile=*) [ -e "$W/$impl/${tok#nofile=}" ] && { echo "${tok#nofile=} exists"; return 1; } ;;
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
			# DistWalk lists its --ssl-* settings after the template
			if (k != "output_file" && l !~ /^(SSL\/TLS is enabled|ssl_)/) keys = keys k ","; next }
		cfg == 1 { cfg = 2 }
		END { printf "%d/%d/%d %d %d %s %s\n", s, e, t, n, bad, out == "" ? "-" : out, keys == "" ? "-" : keys }' "$out")
	if [ -n "$counts" ] && [ "$counts_got" != "$counts" ]; then
		echo "counts $counts_got, expected $counts"; return 1
	fi
	[ "$nbad" = 0 ] || { echo "$nbad per-request lines in another format"; return 1; }
	want_lines=${lines:-${counts%%/*}}
	[ "$want_lines" = any ] && want_lines=
	if [ -n "$want_lines" ] && [ "$nlines" != "$want_lines" ]; then
		echo "$nlines per-request lines, expected $want_lines"; return 1
	fi
	[ "$outside" = - ] || { echo "elapsed $outside us outside [$min, $max]"; return 1; }
	if [ -n "$gap" ]; then
		# The pacing: per thread and session, the mean gap between send times
		# (t:, first to last) within [LO, HI] us: a bound wide enough for a
		# loaded machine that still tells 10 req/s from closed loop.
		local gaps
		gaps=$(awk -v lo="${gap%%:*}" -v hi="${gap#*:}" '
			/^t: / { t = $2; if ($3 == "ns,") t /= 1000; th = $(NF - 2); sub(/,$/, "", th); k = th "/" $NF
				if (!(k in n) || t < a[k]) a[k] = t
				if (!(k in n) || t > b[k]) b[k] = t
				n[k]++ }
			END { for (k in n) { if (n[k] < 2) continue; m = (b[k] - a[k]) / (n[k] - 1); seen++
					if (m < lo || m > hi) printf "thread/session %s: mean gap %.0f us ", k, m }
				if (!seen) printf "no thread/session sent two requests" }' "$out")
		[ -z "$gaps" ] || { echo "${gaps}outside [${gap/:/, }] us"; return 1; }
	fi
	if [ $cfg = 1 ] && [ "$keys" != "$DW_KEYS_CSV" ]; then
		echo "Configuration keys: $keys"; return 1
	fi
	return 0
}

# run_client IMPL ARGS: the client of IMPL with ARGS (placeholders replaced).
run_client() {
	local impl=$1 args bin
	subst args "$impl" "$2"
	mkdir -p "$W/$impl"
	if [ "$impl" = mw ]; then bin=("$MESHWALK" client); else bin=("$DW_BIN/dw_client"); fi
	(cd "$W/$impl" && eval "exec timeout -k 2 30 \"\${bin[@]}\" $args") \
		>"$W/$impl.out" 2>"$W/$impl.err"
	echo $? >"$W/$impl.rc"
}

# run_case LINE: runs one case of the table in $W, prints its TAP lines.
run_case() {
	local line=$1 name nodeopts args mwexp dwexp note impl e w label skip diffs local_opts v nsport
	IFS='|' read -r name nodeopts args mwexp dwexp note <<<"$line"
	trim name "$name"
	trim nodeopts "$nodeopts"; trim args "$args"; trim mwexp "$mwexp"; trim dwexp "$dwexp"
	trim note "$note"
	[ "$dwexp" = = ] && dwexp=$mwexp
	# Both binaries run at once (each against its own nodes), then are checked.
	declare -A why=() exp=() cpid=()
	for impl in "${impls[@]}"; do
		exp[$impl]=$mwexp
		[ $impl = dw ] && exp[$impl]=$dwexp
		[ "${exp[$impl]}" = - ] && continue
		why[$impl]=
		rm -f "$W/$impl.out" "$W/$impl.err"
		if [ "$nodeopts" != - ]; then
			# A case's own node (@NX) or proxy (@PX, to @N1), started for it alone.
			# @NS: a second address of the case's node (e.g. its ssl:// one)
			[[ "$nodeopts $args" == *@NS* ]] && printf -v "PORT_${impl}_NS" '%s' "$(free_port)"
			subst local_opts "$impl" "$nodeopts"
			mkdir -p "$W/$impl"
			if [[ $local_opts == proxy* ]]; then
				eval "start $impl PX ${local_opts#proxy}" ||
					why[$impl]="proxy did not start: $(tail -n 3 "$W/$impl-PX.log")"
			else
				eval "start $impl NX $local_opts" ||
					why[$impl]="node did not start: $(tail -n 3 "$W/$impl-NX.log")"
				v=PORT_${impl}_NS nsport=${!v:-}
				v=PID_${impl}_NX
				if [ -z "${why[$impl]}" ] && [ -n "$nsport" ]; then
					wait_listen "$nsport" "${!v}" ||
						why[$impl]="node's @NS address is not listening"
				fi
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
		if [ -z "$w" ]; then
			w=$(check "$impl" "$name" "${e//nodefail/}" 2>&1) || w=${w:-the check failed}
		fi
		# DistWalk is the peer, not the thing under test: a case of the
		# shared nodes it fails once (it does under a loaded machine) is run
		# again, and the first failure named on the passing line.
		if [ -n "$w" ] && [ "$impl" = dw ] && [ "$nodeopts" = - ] && [[ " $e " != *" xfail"* ]]; then
			run_client dw "$args"
			local w2
			w2=$(check dw "$name" "$e" 2>&1) || w2=${w2:-the check failed}
			[ -z "$w2" ] && label+=" (DistWalk passed on a second run; the first: ${w%%$'\n'*})" && w=
		fi
		if [[ " $e " == *" xfail"* ]]; then
			if [ -z "$w" ]; then tap todo "$label" "passes now: drop its xfail mark"
			else tap todo "$label" "differs for now: ${w%%$'\n'*}"; fi
		elif [ -z "$w" ]; then
			tap ok "$label"
		else
			tap fail "$label" "$w
$(tail -n 5 "$W/$impl.out" "$W/$impl.err" 2>/dev/null)"
		fi
	done
	# Configuration values, both binaries side by side.
	if [ $have_dw = 1 ] && [ "$mwexp" != - ] && [ "$dwexp" != - ] && [[ " $mwexp $dwexp " != *" usage "* ]] &&
		[[ " $mwexp $dwexp " != *" nocfg "* ]] && [[ " $mwexp " != *" xfail"* ]] && [ -s "$W/dw.out" ] && [ -s "$W/mw.out" ]; then
		skip=,
		[[ $note =~ cfg-differs:([a-z_,]*) ]] && skip=,${BASH_REMATCH[1]},
		diffs=$(awk -v keys="$CMP_KEYS" -v skip="$skip" -v ports="$(ports_of mw) $(ports_of dw)" \
			-v tmpmw="$W/mw" -v tmpdw="$W/dw" "$CONFIG_AWK"'
			END { n = split(keys, kk, /[ \n]+/)
				for (i = 1; i <= n; i++) if (kk[i] != "" && index(skip, "," kk[i] ",") == 0 && v["mw", kk[i]] != v["dw", kk[i]])
					printf "%s: meshwalk '\''%s'\'', DistWalk '\''%s'\''\n", kk[i], v["mw", kk[i]], v["dw", kk[i]] }' \
			"$W/mw.out" "$W/dw.out" 2>&1) || diffs="the comparison failed: $diffs"
		if [ -z "$diffs" ]; then tap ok "config $name"; else tap fail "config $name" "$diffs"; fi
	fi
}

# Cases run COMPAT_JOBS at a time (default 2), each in a subshell with its own
# directory, nodes @NX/@PX and ports; their TAP lines are printed in order.
jobs_max=${COMPAT_JOBS:-2}
ncase=0 running=()
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	name=${line%%|*}
	trim name "$name"
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	ncase=$((ncase + 1))
	(W=$TMP/c$ncase; mkdir -p "$W"; run_case "$line" >"$TMP/tap.$ncase" 2>&1) &
	running+=($!)
	if [ ${#running[@]} -ge "$jobs_max" ]; then
		wait "${running[0]}"
		running=("${running[@]:1}")
	fi
done <"$here/cases.txt"
for pid in "${running[@]}"; do wait "$pid"; done

# Coverage: every long option of DistWalk's --help texts (dw_options.txt,
# checked against the binaries' --help when they are here) appears in a case.
coverage() {
	local prog opt missing= stale=
	while read -r prog opt; do
		case $prog in '#'* | '') continue ;; esac
		grep -q -- "$opt\b" "$here/cases.txt" || missing+=" $prog:$opt"
	done <"$here/dw_options.txt"
	if [ $have_dw = 1 ]; then
		for prog in dw_node dw_client dw_proxy; do
			[ -x "$DW_BIN/$prog" ] || continue
			for opt in $("$DW_BIN/$prog" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
				[ "$opt" = --help ] || [ "$opt" = --usage ] && continue
				grep -qx -- "$prog $opt" "$here/dw_options.txt" || stale+=" $prog:$opt"
			done
		done
	fi
	if [ -z "$missing$stale" ]; then
		tap ok "coverage: every option of dw_node, dw_client and dw_proxy --help has a case"
	else
		tap fail "coverage: every option of dw_node, dw_client and dw_proxy --help has a case" \
			"${missing:+no case uses:$missing}${stale:+ not in dw_options.txt:$stale}"
	fi
}
[ -z "$pattern" ] && { ncase=$((ncase + 1)); coverage >"$TMP/tap.$ncase"; }

n=0 failed=0
for i in $(seq 1 $ncase); do
	while IFS= read -r line; do
		case $line in
		"ok - "*) n=$((n + 1)); echo "ok $n - ${line#ok - }" ;;
		"not ok - "*) n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - ${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$TMP/tap.$i"
	rm -rf "$TMP/c$i"
done
[ $have_dw = 1 ] || echo "# DistWalk not found at $DW_BIN: meshwalk only"
echo "1..$n"
[ $failed = 0 ]
