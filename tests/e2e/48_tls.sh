# TLS (ssl:// and https://, --ssl-*): a throwaway CA and certificates made with
# the openssl CLI; meshwalk's client over ssl:// (counts, padded requests and
# replies, sendfile replies, verification, mutual TLS), forwards to ssl://
# targets, openssl s_client (ALPN
# on https://, none on ssl://), curl (-k and --cacert), wrk over https://,
# start-up errors for bad files, and a client stalled mid-handshake that
# neither blocks the others nor holds its slot past --frame-timeout.
. "$(dirname "$0")/lib.sh"
for t in openssl curl python3; do command -v $t >/dev/null || skip "needs $t (scripts/deps.sh install test)"; done

# -- the certificates: a CA, a server certificate for localhost and
# 127.0.0.1, a client certificate, and a self-signed stranger
C=$TMP/certs
tls_certs "$C"
gen() { tls_gen "$C" "$@"; }
gen req -newkey rsa:2048 -nodes -keyout "$C/cli.key" -out "$C/cli.csr" -subj /CN=client
gen x509 -req -in "$C/cli.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial -out "$C/cli.pem" -days 2
gen req -x509 -newkey rsa:2048 -nodes -keyout "$C/other.key" -out "$C/other.pem" -days 2 -subj /CN=localhost
SRV=(--ssl-cert "$C/srv.pem" --ssl-key "$C/srv.key")

# -- a node with three addresses: ssl://, https:// and tcp://
start_node t -b ssl://127.0.0.1:0 -b https://127.0.0.1:0 -b 127.0.0.1:0 "${SRV[@]}" \
	--frame-timeout 2s --route "pay=-C 100us -R 100"
S=$t_PORT
H=$(sed -n 2p "$TMP/t.port")
P=$(sed -n 3p "$TMP/t.port")
grep -q "listening on 127.0.0.1:$S TLS, 127.0.0.1:$H HTTPS, 127.0.0.1:$P " "$TMP/t.log" ||
	fail "start line: $(cat "$TMP/t.log")"

# meshwalk's client over ssl://, verifying the node (DistWalk's spelling ssl:HOST:PORT too)
client --to ssl://127.0.0.1:$S --ssl-ca "$C/ca.pem" --ssl-verify -C 100us -R 1k -n 50 -r 500 \
	--conn-times --json "$TMP/summary.json" || { show; fail "ssl:// client"; }
grep -q '^Sent pkts - success: 50, error: 0, timeout: 0' "$TMP/out" || { show; fail "ssl:// counts"; }
grep -q '^  SSL/TLS is enabled\.$' "$TMP/out" && grep -q "^  ssl_ca: $C/ca.pem\$" "$TMP/out" ||
	fail "DistWalk's SSL lines in the Configuration block"
grep -q "summary: ssl://127.0.0.1:$S" "$TMP/out" || fail "summary target: $(grep summary "$TMP/out")"
grep -q '^conn_time: [0-9]* us' "$TMP/out" || fail "conn_time line"
client --to ssl:localhost:$S --ssl-ca "$C/ca.pem" --ssl-verify -n 3 -r 100 || { show; fail "ssl:HOST:PORT"; }
# padding and replies larger than the TLS queue, and a sendfile reply (a
# by-reference segment, copied through TLS)
client --to ssl://127.0.0.1:$S --ps 300k -R 700k --ns 2 -n 6 -r 50 || { show; fail "large frames over TLS"; }
grep -q '^Sent pkts - success: 6,' "$TMP/out" || fail "large frames: counts"
client --to ssl://127.0.0.1:$S --rs sendfile,200k -n 4 -r 50 || { show; fail "sendfile reply over TLS"; }
# several threads, and the plain TCP address beside them
client --to ssl://127.0.0.1:$S --nt 3 -n 20 -r 300 || { show; fail "three TLS threads"; }
client --to 127.0.0.1:$P -n 5 -r 200 || { show; fail "tcp:// beside ssl://"; }

# the parent accept mode hands TLS connections over with their context
start_node pa -b ssl://127.0.0.1:0 -b https://127.0.0.1:0 "${SRV[@]}" -a parent --nt 2
client --to ssl://127.0.0.1:$pa_PORT --nt 2 -n 10 -r 200 || { show; fail "parent accept mode"; }
[ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$(sed -n 2p "$TMP/pa.port")/")" = 200 ] ||
	fail "https:// in parent accept mode"
stop_node pa

# openssl s_client: no ALPN on ssl://; on https:// h2 when offered, else http/1.1
echo | timeout 10 openssl s_client -connect 127.0.0.1:$S -CAfile "$C/ca.pem" -alpn h2,http/1.1 \
	>"$TMP/s1" 2>&1
grep -q 'No ALPN negotiated' "$TMP/s1" && grep -q 'Verify return code: 0 (ok)' "$TMP/s1" ||
	fail "s_client on ssl://: $(grep -E 'ALPN|Verify' "$TMP/s1")"
echo | timeout 10 openssl s_client -connect 127.0.0.1:$H -CAfile "$C/ca.pem" -alpn h2,http/1.1 \
	>"$TMP/s3" 2>&1
grep -q 'ALPN protocol: h2' "$TMP/s3" || fail "s_client on https:// offering h2: $(grep -E 'ALPN' "$TMP/s3")"
printf 'GET /pay HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
	timeout 10 openssl s_client -connect 127.0.0.1:$H -CAfile "$C/ca.pem" -alpn http/1.1 -ign_eof \
	>"$TMP/s2" 2>&1
grep -q 'ALPN protocol: http/1.1' "$TMP/s2" || fail "s_client on https://: $(grep -E 'ALPN' "$TMP/s2")"
grep -q 'HTTP/1.1 200' "$TMP/s2" || fail "HTTP over s_client: $(tail -n 5 "$TMP/s2")"

# curl: -k, then verifying against the CA (by name and by address), and a stranger's CA refused
[ "$(curl -sk -o "$TMP/body" -w '%{http_code}' "https://127.0.0.1:$H/worker?duration=1ms")" = 200 ] ||
	fail "curl -k https://"
grep -q '"ack":"Request processed"' "$TMP/body" || fail "worker over https: $(cat "$TMP/body")"
[ "$(curl -s --cacert "$C/ca.pem" -o "$TMP/body" -w '%{http_code}' "https://localhost:$H/pay")" = 200 ] ||
	fail "curl --cacert by name"
[ "$(wc -c <"$TMP/body")" = 100 ] || fail "route body over https"
[ "$(curl -s --cacert "$C/ca.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$H/pay")" = 200 ] ||
	fail "curl --cacert by address"
curl -s --cacert "$C/other.pem" -o /dev/null "https://localhost:$H/pay" && fail "curl trusted a stranger's CA"
# wrk over https:// (Debian's wrk is built with OpenSSL)
if command -v wrk >/dev/null; then
	timeout 30 wrk -t1 -c4 -d1s "https://127.0.0.1:$H/pay" >"$TMP/wrk" 2>&1 || fail "wrk: $(cat "$TMP/wrk")"
	grep -q 'requests in' "$TMP/wrk" && ! grep -q 'Non-2xx\|Socket errors' "$TMP/wrk" ||
		fail "wrk https://: $(cat "$TMP/wrk")"
fi

# --ssl-verify refuses a node its CAs do not vouch for: a named, counted error
client --to ssl://127.0.0.1:$S --ssl-ca "$C/other.pem" --ssl-verify -n 2 -r 100 && fail "untrusted node accepted"
grep -q 'TLS handshake with 127.0.0.1:'$S' failed: certificate verify failed' "$TMP/err" || { show; fail "verify message"; }
grep -q '^Sent pkts - success: 0, error: 2' "$TMP/out" || fail "verify failure counts"
# ... and a node whose certificate names another host (the stranger's, CN=localhost only)
start_node o -b ssl://127.0.0.1:0 --ssl-cert "$C/other.pem" --ssl-key "$C/other.key"
client --to ssl://127.0.0.1:$o_PORT --ssl-ca "$C/other.pem" --ssl-verify -n 1 && fail "name mismatch accepted"
grep -q 'certificate verify failed' "$TMP/err" || { show; fail "name mismatch message"; }
client --to ssl://localhost:$o_PORT --ssl-ca "$C/other.pem" --ssl-verify -n 1 || { show; fail "by its name"; }

# mutual TLS: node --ssl-verify wants a client certificate its CA signed
start_node m -b ssl://127.0.0.1:0 "${SRV[@]}" --ssl-ca "$C/ca.pem" --ssl-verify
client --to ssl://127.0.0.1:$m_PORT -n 2 -r 100 && fail "client without a certificate accepted"
client --to ssl://127.0.0.1:$m_PORT --ssl-cert "$C/other.pem" --ssl-key "$C/other.key" -n 2 -r 100 &&
	fail "client with a stranger's certificate accepted"
client --to ssl://127.0.0.1:$m_PORT --ssl-cert "$C/cli.pem" --ssl-key "$C/cli.key" -n 2 -r 100 ||
	{ show; fail "client certificate refused"; }
slowwait 10 grep -q 'TLS handshake failed' "$TMP/m.log" || fail "node log: $(cat "$TMP/m.log")"

# forwards to ssl:// targets: one pooled TLS connection, verified with the
# node's --ssl-ca (the target's certificate names its address)
start_node f --ssl-ca "$C/ca.pem" --ssl-verify
client --to 127.0.0.1:$f_PORT -F ssl://127.0.0.1:$S -C 100us -R 2k -R 50k --ps 100k -n 20 -r 200 ||
	{ show; fail "forward over TLS"; }
grep -q '^Sent pkts - success: 20, error: 0' "$TMP/out" || fail "forward over TLS: counts"
# one address, two transports: the pool keys peers by both (the plain one
# fails against a TLS port; the TLS one is not confused with it)
client --to 127.0.0.1:$f_PORT -F "ssl://127.0.0.1:$S,127.0.0.1:$S,nack=1" -R -n 5 -r 100 ||
	{ show; fail "ssl:// and tcp:// to one address"; }
client --to 127.0.0.1:$f_PORT -F "127.0.0.1:$P,ssl://127.0.0.1:$S,nack=2" -R -n 5 -r 100 ||
	{ show; fail "ssl:// and tcp:// targets in one forward"; }
# forwards over HTTPS, verified the same way (more in 49_tls_forward)
client --to 127.0.0.1:$f_PORT -F "https://127.0.0.1:$H/pay" -R -n 3 -r 100 || { show; fail "-F https://"; }
client --to 127.0.0.1:$f_PORT -F ssl://127.0.0.1:$o_PORT -R -n 2 -r 100 && fail "untrusted forward target"
grep -q "forward to 127.0.0.1:$o_PORT failed: unreachable" "$TMP/err" || { show; fail "untrusted target's error"; }
slowwait 10 grep -q "forward connection to 127.0.0.1:$o_PORT: TLS handshake failed: certificate verify failed" \
	"$TMP/f.log" || fail "forwarding node's log: $(cat "$TMP/f.log")"
stop_node f
assert_eq "TLS handshakes of the pooled forwards (ssl://, https://)" 2 "$(stat f tls_handshakes)"
# a target that names its host is verified by that name: the stranger's
# certificate names localhost only, so by address it fails, by name it passes
start_node g --ssl-ca "$C/other.pem" --ssl-verify
client --to 127.0.0.1:$g_PORT -F ssl://127.0.0.1:$o_PORT -R -n 1 && fail "forward by address to a name-only certificate"
client --to 127.0.0.1:$g_PORT -F ssl://localhost:$o_PORT -R -n 2 -r 100 || { show; fail "forward by name over TLS"; }
stop_node g

# start-up errors: exit 1 naming the file, never a crash
bad() { # WHAT EXPECTED-MESSAGE NODE-OPTIONS...
	local what=$1 msg=$2
	shift 2
	try_node bad "$@" && fail "$what: node started"
	assert_eq "$what: exit status" 1 "$bad_RC"
	grep -q -- "$msg" "$TMP/bad.log" || fail "$what: $(cat "$TMP/bad.log")"
}
bad "missing key" "cannot read --ssl-key $TMP/none.key: No such file" -b ssl://127.0.0.1:0 \
	--ssl-cert "$C/srv.pem" --ssl-key "$TMP/none.key"
bad "wrong key" "--ssl-key $C/other.key does not match --ssl-cert $C/srv.pem" -b https://127.0.0.1:0 \
	--ssl-cert "$C/srv.pem" --ssl-key "$C/other.key"
printf 'not a certificate\n' >"$TMP/junk.pem"
bad "junk certificate" "--ssl-cert $TMP/junk.pem: not a PEM certificate" -b ssl://127.0.0.1:0 \
	--ssl-cert "$TMP/junk.pem" --ssl-key "$C/srv.key"
bad "no certificate" "need --ssl-cert FILE and --ssl-key FILE" -b ssl://127.0.0.1:0
bad "missing CA, tcp only" "cannot read --ssl-ca $TMP/none.pem" --ssl-ca "$TMP/none.pem"
bad "bad ciphers" "--ssl-ciphers 'NOPE': no cipher" -b ssl://127.0.0.1:0 "${SRV[@]}" --ssl-ciphers NOPE
# without a TLS address the options are checked all the same (the client
# context of TLS forwards is made at start for that)
bad "bad ciphers, tcp only" "--ssl-ciphers 'NOPE': no cipher" --ssl-ciphers NOPE
client --to ssl://127.0.0.1:$S --ssl-ca "$TMP/none.pem" -n 1
assert_eq "client with a missing CA file: exit status" 1 "$?"
grep -q "cannot read --ssl-ca $TMP/none.pem" "$TMP/err" || fail "client CA message: $(cat "$TMP/err")"
! grep -q '^Configuration' "$TMP/out" || fail "the client ran with a missing CA file"

# a client that stalls mid-handshake blocks nobody and is closed at --frame-timeout
python3 - "$S" >"$TMP/stall.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello's first bytes
s.settimeout(20)
t = time.time()
print("closed" if s.recv(100) == b"" else "data", round(time.time() - t, 1))
PY
stall=$!
PIDS+=("$stall")
sleep 0.2
client --to ssl://127.0.0.1:$S --ssl-ca "$C/ca.pem" --ssl-verify -n 20 -r 200 || { show; fail "blocked by a stalled handshake"; }
wait "$stall" || fail "stalled client: $(cat "$TMP/stall.log")"
grep -q '^closed' "$TMP/stall.log" || fail "stalled handshake not closed: $(cat "$TMP/stall.log")"
slowwait 10 grep -q 'its TLS handshake did not complete within --frame-timeout' "$TMP/t.log" ||
	fail "node log: $(cat "$TMP/t.log")"

stop_node t
[ "$(stat t tls_handshakes)" -ge 10 ] || fail "tls_handshakes $(stat t tls_handshakes)"
[ "$(stat t tls_failures)" -ge 2 ] || fail "tls_failures $(stat t tls_failures)"
[ "$(stat t frame_timeouts)" -ge 1 ] || fail "frame_timeouts $(stat t frame_timeouts)"
echo "PASS"
