# tests/e2e/lib.sh -- helpers for end-to-end tests: real binaries on loopback.
#
# Every test sources this file. Nodes listen on port 0 and report the port
# through --port-file, so tests never race for fixed ports. Every process runs
# under `timeout`, waits are bounded, and an EXIT trap stops what was started.
set -u
MESHWALK=${MESHWALK:?MESHWALK must point to the meshwalk binary}
TMP=$(mktemp -d /tmp/meshwalk-e2e.XXXXXX)
PIDS=()
WATCHDOGS=()
SKIP=77

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${WATCHDOGS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit $SKIP
}

# slowwait SECONDS COMMAND...: retry COMMAND every 50 ms until it succeeds.
slowwait() {
	local limit=$1 i=0
	shift
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge $((limit * 20)) ] && return 1
		sleep 0.05
	done
}

# default_bind ARGS...: "-b 127.0.0.1:0" unless ARGS name addresses of their
# own (-b is repeatable: every one given is served).
default_bind() {
	local a
	for a in "$@"; do
		case $a in -b | --bind-addr | --bind-addr=* | -b?*) return; esac
	done
	echo "-b 127.0.0.1:0"
}

# start_node NAME [node options...]: starts a node on 127.0.0.1:0 (or the
# -b addresses given); sets ${NAME}_PORT (the first address's), ${NAME}_PID
# and writes counters to $TMP/NAME.stats on stop.
start_node() {
	local name=$1
	shift
	"$MESHWALK" node $(default_bind "$@") --port-file "$TMP/$name.port" \
		--stats-file "$TMP/$name.stats" "$@" 2>"$TMP/$name.log" &
	local pid=$!
	PIDS+=("$pid")
	# A watchdog instead of `timeout`, so $pid is the node itself (tests
	# send it SIGSTOP and SIGKILL).
	(sleep 600; kill -KILL "$pid") 2>/dev/null &
	WATCHDOGS+=($!)
	disown $! 2>/dev/null
	slowwait 10 test -s "$TMP/$name.port" || {
		cat "$TMP/$name.log" >&2
		fail "node $name did not start"
	}
	printf -v "${name}_PORT" '%s' "$(head -n 1 "$TMP/$name.port")"
	printf -v "${name}_PID" '%s' "$pid"
}

# stop_node NAME: SIGTERM and wait; the node's stats file is then complete.
stop_node() {
	local pidvar=${1}_PID
	kill -TERM "${!pidvar}" 2>/dev/null
	wait "${!pidvar}" 2>/dev/null
	return 0
}

# stat NAME KEY: a counter from the node's JSON stats file.
stat() {
	sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$TMP/$1.stats"
}

# client ARGS...: runs the client (bounded) with output in $TMP/out, $TMP/err;
# returns the client's exit status.
client() {
	timeout -k 5 300 "$MESHWALK" client "$@" >"$TMP/out" 2>"$TMP/err"
}

# json KEY [FILE]: a top-level number/bool from a client JSON summary.
json() {
	sed -n "s/^ *\"$1\": \\([^,]*\\),\\{0,1\\}$/\\1/p" "${2:-$TMP/summary.json}"
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

show() {
	echo "--- stdout"; tail -n 20 "$TMP/out"; echo "--- stderr"; cat "$TMP/err"
}

# worker_tid PID I: the thread id of worker I (named dwn_conn_I) of node PID.
worker_tid() {
	local d
	for d in /proc/"$1"/task/*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "dwn_conn_$2" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# tstat PID TID FIELD: field FIELD (numbered as in proc(5): 14 utime, 19 nice,
# 40 rt_priority, 41 policy) of the thread's stat line, read after the comm.
tstat() {
	local s f=$3
	s=$(cat /proc/"$1"/task/"$2"/stat) || return 1
	s=${s##*) }
	set -- $s
	shift $((f - 3))
	echo "$1"
}

# try_node NAME [node options...]: like start_node, but returns 1 (with the
# exit status in ${NAME}_RC and stderr in $TMP/NAME.log) when the node exits
# instead of listening.
try_node() {
	local name=$1 pid i=0
	shift
	"$MESHWALK" node $(default_bind "$@") --port-file "$TMP/$name.port" \
		--stats-file "$TMP/$name.stats" "$@" 2>"$TMP/$name.log" &
	pid=$!
	while ! [ -s "$TMP/$name.port" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			printf -v "${name}_RC" '%s' "$?"
			return 1
		fi
		i=$((i + 1))
		[ $i -ge 200 ] && { PIDS+=("$pid"); fail "node $name neither listened nor exited"; }
		sleep 0.05
	done
	PIDS+=("$pid")
	printf -v "${name}_PORT" '%s' "$(head -n 1 "$TMP/$name.port")"
	printf -v "${name}_PID" '%s' "$pid"
}

# sstat NAME KEY: a storage counter from the node's JSON stats file.
sstat() {
	grep '"storage":' "$TMP/$1.stats" | grep -o "\"$2\": [0-9]*" | sed 's/.*: //'
}

# tls_certs DIR: with the openssl CLI, a throwaway CA (DIR/ca.pem, ca.key)
# and a server certificate it signed for localhost and 127.0.0.1 (DIR/srv.pem,
# srv.key); a failure ends the test with openssl's words.
tls_certs() {
	local d=$1
	mkdir -p "$d"
	tls_gen "$d" req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
		-subj /CN=meshwalk-test-ca
	tls_gen "$d" req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" -subj /CN=localhost
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/srv.ext"
	tls_gen "$d" x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/srv.pem" -days 2 -extfile "$d/srv.ext"
}

# tls_gen DIR OPENSSL-ARGS...: one openssl command, its errors in DIR/openssl.log.
tls_gen() {
	local d=$1
	shift
	openssl "$@" 2>>"$d/openssl.log" || fail "openssl $1: $(tail -n 3 "$d/openssl.log")"
}

# tls_h1_server KEY CERT PORTFILE [LOG]: in the background, python's ssl and
# http.server speaking HTTP/1.1 only (ALPN http/1.1, keep-alive): /pay is 100
# bytes, any other path a 404; each request appends "ALPN PATH N" to LOG (N:
# the length of its x-meshwalk-budget field). Its port goes to PORTFILE, its
# pid to H1 (and PIDS, for the cleanup).
tls_h1_server() {
	timeout 120 python3 - "$1" "$2" "$3" "${4:-/dev/null}" >"$3.log" 2>&1 <<'PY' &
import http.server, os, ssl, sys
log = open(sys.argv[4], "a")
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        log.write("%s %s %s\n" % (self.request.selected_alpn_protocol(), self.path,
                                  len(self.headers.get("x-meshwalk-budget", ""))))
        log.flush()
        body = b"x" * 100 if self.path == "/pay" else b"no"
        self.send_response(200 if self.path == "/pay" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[1])
ctx.set_alpn_protocols(["http/1.1"])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[3] + ".tmp", "w").write(str(srv.server_address[1]))
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
srv.serve_forever()
PY
	H1=$!
	PIDS+=("$H1")
	slowwait 10 test -s "$3" || fail "python TLS server did not start: $(cat "$3.log")"
}
