#!/usr/bin/env bash
# 76_run_tls: scenarios with TLS services. Three services (https, grpcs,
# ssl) forwarding to each other run with the certificates meshwalk run makes:
# every request succeeds, every node shakes hands and none fails, the files
# in tls/ are what docs/tls.md says (a CA the certificates chain to, the
# services' names and 127.0.0.1 as subjectAltName, keys mode 0600), and
# every node and client verifies (--ssl-verify, the run's CA). A service may
# serve a certificate of its own (tls:), its CA trusted beside the run's; one
# that names another host fails the forwards to it and a client's handshake,
# with the reason in the logs. --check accepts the new words and rejects bad
# ones with file:line:col; deploy k8s (and its podman variant) refuses TLS
# services, naming them; a scenario without TLS gets no tls/ and no --ssl-*.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || skip "needs openssl (scripts/deps.sh install test)"
node_stat() { # RUNDIR NODE KEY
	grep -o "\"$3\": [0-9]*" "$1/nodes/$2/stats.json" | head -n 1 | sed 's/.*: //'
}

cat >"$TMP/tls3.yaml" <<'YAML'
name: tls3
seed: 7
services:
  web:
    protocol: https
    routes: { page: "-C 20us -F {api},route=get -F {db} -C 10us -R 64 -R 512" }
  api:
    protocol: grpcs
    routes: { get: "-C 10us -F {db} -R 32 -R 256" }
  db:
    protocol: ssl
balancers:
  web-lb: { service: web, kind: meshwalk }
clients:
  - { name: users, to: web, route: page, args: "-n 200 -r 400" }
  - { name: viaproxy, to: web-lb, route: page, args: "-n 50 -r 400" }
  - { name: rpc, to: api, route: get, args: "-n 100 -r 400" }
  - { name: raw, to: db, args: "-n 100 -r 400 -C 5us -R 16" }
YAML

# --check shows the protocols and where the certificates come from
"$MESHWALK" run --check "$TMP/tls3.yaml" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "--check"; }
grep -q "service web: 1 replica, route page (starts in wave 3.*), HTTPS, certificate made by the run" "$TMP/out" ||
	{ cat "$TMP/out"; fail "--check web"; }
grep -q "service api: .*, gRPC over TLS, certificate made by the run" "$TMP/out" || { cat "$TMP/out"; fail "--check api"; }
grep -q "service db: 1 replica, TLS (meshwalk's protocol), certificate made by the run" "$TMP/out" ||
	{ cat "$TMP/out"; fail "--check db"; }

# -- the run: everything succeeds, over verified TLS
R=$TMP/run
timeout -k 5 120 "$MESHWALK" run -q -o "$R" "$TMP/tls3.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; cat "$R"/nodes/*/node.log "$R"/clients/*/stderr.txt 2>/dev/null; fail "run"; }
assert_eq "status" '"ok"' "$(json status "$R/summary.json")"
assert_eq "requests" 450 "$(json requests "$R/summary.json")"
assert_eq "ok" 450 "$(json ok "$R/summary.json")"
assert_eq "web requests" 250 "$(node_stat "$R" web-0 requests)"
assert_eq "api requests (web's forwards and rpc)" 350 "$(node_stat "$R" api-0 requests)"
assert_eq "db requests (web's, api's and raw's)" 700 "$(node_stat "$R" db-0 requests)"
assert_eq "api's gRPC calls" 350 "$(node_stat "$R" api-0 grpc_requests)"
assert_eq "api's handshakes (web's forwards, rpc's, its forward to db)" 3 "$(node_stat "$R" api-0 tls_handshakes)"
assert_eq "db's handshakes (web's, api's forwards, raw's)" 3 "$(node_stat "$R" db-0 tls_handshakes)"
assert_eq "api TLS failures" 0 "$(node_stat "$R" api-0 tls_failures)"
assert_eq "db TLS failures" 0 "$(node_stat "$R" db-0 tls_failures)"
# web's one may be the run's readiness probe of the balancer: it connects to
# the proxy and closes, and the proxy's backend connection to web ends
# mid-handshake
f=$(node_stat "$R" web-0 tls_failures)
[ "${f:-9}" -le 1 ] || { cat "$R/nodes/web-0/node.log"; fail "web's TLS failures: $f"; }
# web: users' and viaproxy's sessions (TLS through the proxy), its forwards
# to api and db (one connection each, 1 worker)
assert_eq "web's handshakes" 4 "$(node_stat "$R" web-0 tls_handshakes)"

# the options: every node verifies, with its own certificate; TLS clients too
grep "nodes/db-0/port" "$R/commands.txt" | grep -q -- "-b ssl://127.0.0.1:0 .*--ssl-cert $R/tls/services/db.pem --ssl-key $R/tls/services/db.key --ssl-ca $R/tls/ca.pem --ssl-verify" ||
	{ cat "$R/commands.txt"; fail "db's options"; }
grep "nodes/web-0/port" "$R/commands.txt" | grep -q -- "-b https://127.0.0.1:0 .*--route 'page=-C 20us -F grpcs://127.0.0.1:[0-9]*,route=get -F ssl://127.0.0.1:[0-9]* " ||
	{ cat "$R/commands.txt"; fail "web's route with TLS schemes"; }
grep -q -- "client -q --to https://127.0.0.1:[0-9]* .*--ssl-cert $R/tls/client.pem --ssl-key $R/tls/client.key --ssl-ca $R/tls/ca.pem --ssl-verify" "$R/commands.txt" ||
	{ cat "$R/commands.txt"; fail "users' options"; }
grep -q -- "--to grpcs://127.0.0.1:[0-9]* .*--ssl-verify" "$R/commands.txt" || fail "rpc's options"
grep -q -- "--to ssl://127.0.0.1:[0-9]* .*--ssl-verify" "$R/commands.txt" || fail "raw's options"

# the files: modes, a chain to the CA, the names
assert_eq "tls/ mode" 700 "$(command stat -c %a "$R/tls")"
for k in client services/web services/api services/db; do
	assert_eq "$k.key mode" 600 "$(command stat -c %a "$R/tls/$k.key")"
	openssl verify -CAfile "$R/tls/ca.pem" -purpose sslserver "$R/tls/$k.pem" >"$TMP/v" 2>&1 ||
		{ cat "$TMP/v"; fail "$k.pem does not chain to ca.pem"; }
	openssl verify -CAfile "$R/tls/ca.pem" -purpose sslclient "$R/tls/$k.pem" >/dev/null 2>&1 ||
		fail "$k.pem is not a client certificate"
	openssl pkey -in "$R/tls/$k.key" -noout -text 2>/dev/null | grep -q "prime256v1" || fail "$k.key: not P-256"
done
openssl x509 -in "$R/tls/services/web.pem" -noout -ext subjectAltName >"$TMP/san" 2>&1
grep -q "DNS:web, DNS:web-lb, IP Address:127.0.0.1" "$TMP/san" || { cat "$TMP/san"; fail "web's subjectAltName"; }
[ ! -e "$R/tls/ca.key" ] || fail "the CA's key was written"
assert_eq "CAs trusted" 1 "$(grep -c 'BEGIN CERTIFICATE' "$R/tls/ca.pem")"

# -- with network emulation on loopback every replica has an address of its
# own: the certificate names each, and verification by address holds
cat >"$TMP/net.yaml" <<'YAML'
network: { mode: loopback }
services:
  web:
    protocol: https
    replicas: 2
    link: { delay: 100us }
    routes: { page: "-C 50us -F {api},route=get -R 2k" }
  api:
    protocol: grpcs
    routes: { get: "-C 20us -R 256" }
clients:
  - { name: second, to: "web[1]", route: page, args: "-n 50 -r 200" }
YAML
timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/net" "$TMP/net.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; cat "$TMP/net"/nodes/*/node.log; fail "run on loopback addresses"; }
assert_eq "loopback addresses: ok" 50 "$(json ok "$TMP/net/summary.json")"
openssl x509 -in "$TMP/net/tls/services/web.pem" -noout -ext subjectAltName >"$TMP/san" 2>&1
grep -q "DNS:web, IP Address:127.0.0.1, IP Address:127.77.1.1, IP Address:127.77.1.2" "$TMP/san" ||
	{ cat "$TMP/san"; fail "web's replicas' addresses"; }

# -- a certificate of the scenario's own, and one that names another host
C=$TMP/certs
tls_certs "$C"
tls_gen "$C" req -newkey rsa:2048 -nodes -keyout "$C/wrong.key" -out "$C/wrong.csr" -subj /CN=wrong.example
printf 'subjectAltName=DNS:wrong.example\n' >"$C/wrong.ext"
tls_gen "$C" x509 -req -in "$C/wrong.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/wrong.pem" -days 2 -extfile "$C/wrong.ext"
own() { # FILE CERT-BASENAME
	cat >"$C/$1" <<YAML
services:
  front:
    routes: { go: "-C 5us -F {store} -C 5us -R 16 -R 8" }
  store:
    protocol: ssl
    tls: { cert: $2.pem, key: $2.key, ca: ca.pem }
clients:
  - { name: g, to: front, route: go, args: "-n 20 -r 200" }
YAML
}
own good.yaml srv
timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/good" "$C/good.yaml" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; cat "$TMP/good"/nodes/*/node.log; fail "run with the scenario's certificate"; }
assert_eq "own certificate: ok" 20 "$(json ok "$TMP/good/summary.json")"
assert_eq "CAs trusted (the run's, the scenario's)" 2 "$(grep -c 'BEGIN CERTIFICATE' "$TMP/good/tls/ca.pem")"
[ ! -e "$TMP/good/tls/services/store.pem" ] || fail "a certificate made for a service that has its own"
grep -q -- "--ssl-cert $C/srv.pem --ssl-key $C/srv.key" "$TMP/good/commands.txt" || fail "store's own files"
h=$(node_stat "$TMP/good" store-0 tls_handshakes)
[ "${h:-0}" -ge 1 ] || fail "store: no TLS handshake"

own wrong.yaml wrong
printf '  - { name: direct, to: store, args: "-n 5 -r 100" }\n' >>"$C/wrong.yaml"
timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/wrong" "$C/wrong.yaml" >"$TMP/out" 2>"$TMP/err"
assert_eq "a certificate for another name: exit" 1 $?
grep -q "client g exited with status 1" "$TMP/err" || { cat "$TMP/err"; fail "the run's reason"; }
assert_eq "forwards to the misnamed node: ok" 0 "$(json ok "$TMP/wrong/clients/g/summary.json")"
assert_eq "forwards to the misnamed node: errors" 20 "$(json errors "$TMP/wrong/clients/g/summary.json")"
grep -q "first error: forward failed: .*unreachable" "$TMP/wrong/clients/g/stderr.txt" ||
	{ cat "$TMP/wrong/clients/g/stderr.txt"; fail "g's status"; }
grep -q "TLS handshake failed: certificate verify failed: IP address mismatch" "$TMP/wrong/nodes/front-0/node.log" ||
	{ cat "$TMP/wrong/nodes/front-0/node.log"; fail "front's log does not say why"; }
f=$(node_stat "$TMP/wrong" front-0 tls_failures)
[ "${f:-0}" -ge 1 ] || fail "front counted no TLS failure"
assert_eq "front's handshakes" 0 "$(node_stat "$TMP/wrong" front-0 tls_handshakes)"
grep -q "TLS handshake with 127.0.0.1:[0-9]* failed: certificate verify failed" "$TMP/wrong/clients/direct/stderr.txt" ||
	{ cat "$TMP/wrong/clients/direct/stderr.txt"; fail "direct's handshake"; }

# -- --check: bad words and files, at their positions; nothing starts
bad() { # NAME YAML EXPECTED-MESSAGE: the same error from --check and from a run, which starts nothing
	printf '%s' "$2" >"$TMP/$1.yaml"
	for how in --check "-q -o $TMP/$1.out"; do
		"$MESHWALK" run $how "$TMP/$1.yaml" >/dev/null 2>"$TMP/err"
		assert_eq "$1 ($how): exit" 2 $?
		grep -qF -- "$3" "$TMP/err" || { cat "$TMP/err"; fail "$1 ($how): message"; }
	done
	[ ! -e "$TMP/$1.out" ] || fail "$1: results directory created"
}
bad word 'services:
  a: { protocol: tls }
clients:
  - { name: g, to: a }
' "word.yaml:2:18: service a: protocol: expected tcp, http, h2c, grpc, ssl, https or grpcs, got 'tls'"
bad nofile 'services:
  a:
    protocol: https
    tls: { cert: /nonexistent/a.pem, ca: /nonexistent/ca.pem }
clients:
  - { name: g, to: a }
' "nofile.yaml:4:18: service a: tls: cert: cannot read /nonexistent/a.pem: No such file or directory"
bad noca "services:
  a: { protocol: grpcs, tls: { cert: $C/srv.pem } }
clients:
  - { name: g, to: a }
" "noca.yaml:2:38: service a: tls: cert needs ca"
bad notls "services:
  a: { tls: { ca: $C/ca.pem } }
clients:
  - { name: g, to: a }
" "notls.yaml:2:13: service a: tls: the service speaks tcp, not TLS"

# -- deploy: TLS services are refused, named, nothing written
for extra in "" "--podman-host 10.88.0.1"; do
	rm -rf "$TMP/k"
	"$MESHWALK" deploy k8s "$TMP/tls3.yaml" -o "$TMP/k" $extra >"$TMP/out" 2>&1
	assert_eq "deploy $extra: exit" 2 $?
	grep -qF "tls3.yaml:5:15: service web: protocol: https needs certificates (Kubernetes Secrets)" "$TMP/out" ||
		{ cat "$TMP/out"; fail "deploy $extra: message"; }
	[ ! -e "$TMP/k" ] || fail "deploy $extra: something was written"
done

# -- no TLS service: no tls/, no --ssl-* (the default path as before)
printf 'services:\n  a:\nclients:\n  - { name: g, to: a, args: "-n 5 -r 100" }\n' >"$TMP/plain.yaml"
timeout -k 5 60 "$MESHWALK" run -q -o "$TMP/p" "$TMP/plain.yaml" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "plain run"; }
[ ! -e "$TMP/p/tls" ] || fail "tls/ without TLS services"
grep -q -- "--ssl" "$TMP/p/commands.txt" && fail "--ssl-* options without TLS services"
exit 0
