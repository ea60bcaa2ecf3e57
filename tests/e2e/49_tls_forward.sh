# 49_tls_forward: forwards over TLS HTTP (-F https://HOST:PORT/NAME, -F
# grpcs://HOST:PORT/NAME). Node a serves https:// and grpcs:// with a
# certificate a throwaway CA signed for 127.0.0.1; node b forwards to it,
# verifying it (--ssl-ca, --ssl-verify: the target's IP subjectAltName). The
# route runs on a (its counters: HTTP/2 by ALPN, gRPC calls, one pooled TLS
# connection per target); ALPN's choice against servers that are not
# meshwalk (nghttpd: h2; python's ssl + http.server: http/1.1 only); a target
# the CA does not vouch for fails the forward (502 to an HTTP client, the
# handshake failure in the log) and the node keeps serving.
. "$(dirname "$0")/lib.sh"
for t in openssl python3 curl; do command -v $t >/dev/null || skip "needs $t (scripts/deps.sh install test)"; done
command -v nghttpd >/dev/null || skip "needs nghttpd (nghttp2-server; scripts/deps.sh install test)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# -- certificates: a CA, a server certificate for 127.0.0.1, a stranger CA
C=$TMP/certs
tls_certs "$C"
tls_gen "$C" req -x509 -newkey rsa:2048 -nodes -keyout "$C/other.key" -out "$C/other.pem" -days 2 -subj /CN=other

# -- node a: the target; node b: forwards to it over https:// and grpcs://
start_node a -b https://127.0.0.1:0 -b grpcs://127.0.0.1:0 --ssl-cert "$C/srv.pem" --ssl-key "$C/srv.key" \
	--route "pay=-C 100us -R 100"
AH=$a_PORT
AG=$(sed -n 2p "$TMP/a.port")
start_node b --nt 1 -b 127.0.0.1:0 -b http://127.0.0.1:0 --ssl-ca "$C/ca.pem" --ssl-verify \
	--route "viahttps=-F https://127.0.0.1:$AH/pay -R 20" \
	--route "viagrpcs=-F grpcs://127.0.0.1:$AG/pay,ps=300 -R 30"
BH=$(sed -n 2p "$TMP/b.port")
client --to 127.0.0.1:$b_PORT --route viahttps -n 50 -r 1000 --json "$TMP/summary.json" -q ||
	{ show; fail "forwards over https://"; }
assert_eq "https:// forwards ok" 50 "$(json ok)"
client --to 127.0.0.1:$b_PORT --route viagrpcs -n 30 -r 1000 --json "$TMP/summary.json" -q ||
	{ show; fail "forwards over grpcs://"; }
assert_eq "grpcs:// forwards ok" 30 "$(json ok)"
# op words from the client: both in one forward; an HTTP client of b
client --to 127.0.0.1:$b_PORT -F "https://127.0.0.1:$AH/pay,grpcs://127.0.0.1:$AG/pay" -R -n 10 \
	--json "$TMP/summary.json" -q || { show; fail "https:// and grpcs:// targets of one forward"; }
assert_eq "both targets ok" 10 "$(json ok)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BH/viahttps")" = 200 ] || fail "curl via b"
# statuses carried back: a's 404 is no such route
client --to 127.0.0.1:$b_PORT -F "https://127.0.0.1:$AH/nope" -R -n 2 -q && fail "no route over https://: exit 0"
grep -q "no such route: .*no route 'nope'" "$TMP/err" || { show; fail "404 over https:// carried"; }
client --to 127.0.0.1:$b_PORT -F "grpcs://127.0.0.1:$AG/nope" -R -n 2 -q && fail "no route over grpcs://: exit 0"
grep -q "no such route: .*no route 'nope'" "$TMP/err" || { show; fail "NOT_FOUND over grpcs:// carried"; }
stop_node a
# the routes ran on a, over HTTP/2 (ALPN h2 on https:// too), on one TLS
# connection per target (b has one worker)
assert_eq "a's HTTP/2 requests" 105 "$(stat a h2_requests)"
assert_eq "a's gRPC calls" 42 "$(stat a grpc_requests)"
assert_eq "a's HTTP/1.1 requests" 0 "$(stat a http_requests)"
assert_eq "a's replies" 101 "$(stat a replies)"
assert_eq "a's TLS handshakes" 2 "$(stat a tls_handshakes)"
assert_eq "a's TLS client contexts (it never forwarded over TLS)" 0 "$(stat a tls_client_contexts)"
stop_node b
assert_eq "b's TLS client context (made at start: --ssl-ca checked)" 1 "$(stat b tls_client_contexts)"
assert_eq "b's TLS handshakes (its forwards)" 2 "$(stat b tls_handshakes)"
assert_eq "b's forward failures" 4 "$(stat b forward_failures)"

# -- targets by host name: resolved by b, the name is the SNI and what
# --ssl-verify checks (the certificate names localhost), and ALPN still
# chooses HTTP/2 for https://
start_node an -b https://127.0.0.1:0 -b grpcs://127.0.0.1:0 --ssl-cert "$C/srv.pem" --ssl-key "$C/srv.key" \
	--route "pay=-R 100"
ANG=$(sed -n 2p "$TMP/an.port")
start_node bn --nt 1 -b 127.0.0.1:0 --ssl-ca "$C/ca.pem" --ssl-verify
client --to 127.0.0.1:$bn_PORT -F "https://localhost:$an_PORT/pay,grpcs://localhost:$ANG/pay" -R -n 6 -r 100 \
	--json "$TMP/summary.json" -q || { show; fail "https:// and grpcs:// targets by name"; }
assert_eq "named TLS targets ok" 6 "$(json ok)"
# a node without --ssl-* options makes its TLS client context on its first
# TLS forward (no verification: none asked for)
start_node lazy --nt 2 -b 127.0.0.1:0
client --to 127.0.0.1:$lazy_PORT -R -n 3 -q || { show; fail "lazy: a plain request"; }
client --to 127.0.0.1:$lazy_PORT -F "https://127.0.0.1:$an_PORT/pay,grpcs://127.0.0.1:$ANG/pay" -R -n 6 -r 100 \
	--json "$TMP/summary.json" -q || { show; fail "TLS forwards of a node without --ssl-*"; }
assert_eq "lazy's TLS forwards ok" 6 "$(json ok)"
stop_node lazy
assert_eq "lazy's TLS client contexts (made by the first forward, shared)" 1 "$(stat lazy tls_client_contexts)"
stop_node an
assert_eq "an's HTTP/2 requests (ALPN h2 by name)" 24 "$(stat an h2_requests)"
assert_eq "an's gRPC calls" 12 "$(stat an grpc_requests)"
assert_eq "an's TLS client contexts" 0 "$(stat an tls_client_contexts)"
stop_node bn
assert_eq "bn's TLS handshakes" 2 "$(stat bn tls_handshakes)"

# -- verification: a node that trusts another CA fails the forward, keeps serving
start_node a2 -b https://127.0.0.1:0 -b grpcs://127.0.0.1:0 --ssl-cert "$C/srv.pem" --ssl-key "$C/srv.key" \
	--route "pay=-R 100"
A2G=$(sed -n 2p "$TMP/a2.port")
start_node c -b http://127.0.0.1:0 --ssl-ca "$C/other.pem" --ssl-verify \
	--route "bad=-F https://127.0.0.1:$a2_PORT/pay -R" --route "badg=-F grpcs://127.0.0.1:$A2G/pay -R" \
	--route "ok=-C 10us -R 5"
for r in bad badg; do
	[ "$(curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$c_PORT/$r")" = 502 ] ||
		fail "$r: a forward to an unverified target is not a 502: $(cat "$TMP/body")"
	grep -q "forward to .* failed: unreachable" "$TMP/body" || fail "$r: 502 body: $(cat "$TMP/body")"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$c_PORT/ok")" = 200 ] ||
		fail "c stopped serving after $r"
done
grep -q "TLS handshake failed: .*certificate" "$TMP/c.log" || { cat "$TMP/c.log"; fail "c's log: handshake failure"; }
stop_node c
stop_node a2
assert_eq "a2 ran nothing" 0 "$(stat a2 replies)"
[ "$(stat c tls_failures)" -ge 2 ] || fail "c's TLS failures: $(stat c tls_failures)"

# -- servers that are not meshwalk: nghttpd over TLS (h2), python's ssl with
# http/1.1 only (the forward speaks HTTP/1.1)
mkdir -p "$TMP/www"
head -c 100 /dev/zero >"$TMP/www/pay"
NPORT=$(free_port)
nghttpd -d "$TMP/www" "$NPORT" "$C/srv.key" "$C/srv.pem" >"$TMP/nghttpd.log" 2>&1 &
NGHTTPD=$!
PIDS+=("$NGHTTPD") # stopped by lib.sh's cleanup when a check fails
slowwait 10 bash -c "echo >/dev/tcp/127.0.0.1/$NPORT" || fail "nghttpd did not listen: $(cat "$TMP/nghttpd.log")"
tls_h1_server "$C/srv.key" "$C/srv.pem" "$TMP/h1.port" "$TMP/h1.req"
HP=$(cat "$TMP/h1.port")
start_node d --ssl-ca "$C/ca.pem" --ssl-verify --route "n=-F https://127.0.0.1:$NPORT/pay -R" \
	--route "p=-F https://127.0.0.1:$HP/pay -R"
client --to 127.0.0.1:$d_PORT --route n -n 20 -r 500 --json "$TMP/summary.json" -q ||
	{ show; fail "forwards to nghttpd over TLS"; }
assert_eq "forwards to nghttpd ok" 20 "$(json ok)"
client --to 127.0.0.1:$d_PORT -F "https://127.0.0.1:$NPORT/missing" -R -n 2 -q && fail "nghttpd 404: exit 0"
grep -q "no such route: .*404 Not Found" "$TMP/err" || { show; fail "nghttpd 404 as no such route"; }
client --to 127.0.0.1:$d_PORT --route p -n 20 -r 500 --json "$TMP/summary.json" -q ||
	{ show; fail "forwards to an HTTP/1.1-only TLS server"; }
assert_eq "forwards over HTTPS/1.1 ok" 20 "$(json ok)"
# every request reached it over HTTP/1.1 (ALPN http/1.1) with the budget field
assert_eq "HTTP/1.1 requests with a budget" 20 "$(grep -c '^http/1.1 /pay 64$' "$TMP/h1.req")"
stop_node d
kill "$NGHTTPD" "$H1" 2>/dev/null; wait "$NGHTTPD" "$H1" 2>/dev/null
exit 0
