#!/usr/bin/env bash
# 90_deploy_k8s: meshwalk deploy k8s writes manifests that validate against the
# Kubernetes and Knative schemas (npm kubernetes-models, @kubernetes-models/knative,
# installed by scripts/deps.sh outside the tree), a number where Knative wants a
# string fails that validation, undeployable scenarios are refused with their
# position before anything is written, and `deploy job` + `deploy collect` give
# a results directory that meshwalk report reads.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NPM_DIR=${MESHWALK_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwalk/npm}

cat >"$TMP/full.yaml" <<'YAML'
name: Full_Demo
seed: 11
services:
  front:
    replicas: 2
    node: "--nt 2"
    routes: { page: "-C 50us -F {back},route=get -R 512" }
    resources: { cpu: 500m, memory: 64Mi }
  back:
    routes: { get: "-C 20us -R 256" }
    link: { delay: 200us, jitter: 50us }
  worker:
    serverless:
      class: kpa
      metric: rps
      target: 10
      min-scale: 0
      max-scale: 20
      container-concurrency: 4
      protocol: h2c
    resources: { cpu: "1" }
balancers:
  front-lb: { service: front, kind: haproxy, policy: leastconn }
  back-lb: { service: back, kind: meshwalk }
clients:
  - { name: main, to: front-lb, route: page, args: "-n 100 -r 100" }
  - { name: burst, to: worker, delay: 2s, args: "-C 100ms -n 10 -r 5" }
YAML

out=$TMP/full
"$MESHWALK" deploy k8s "$TMP/full.yaml" -o "$out" --anti-affinity --podman-host 10.88.0.1 \
	>"$TMP/gen.out" 2>&1 || { cat "$TMP/gen.out" >&2; fail "deploy k8s failed"; }
for f in 00-namespace 01-scenario 10-service-front 10-service-back 10-service-worker \
	20-balancer-front-lb 20-balancer-back-lb 30-client-main 30-client-burst; do
	[ -s "$out/manifests/$f.yaml" ] || fail "missing manifests/$f.yaml"
done
[ -s "$out/podman/play.yaml" ] || fail "missing podman/play.yaml"
cmp -s "$TMP/full.yaml" "$out/scenario.yaml" || fail "scenario.yaml is not the file as given"
m=$out/manifests
grep -q '^  name: "meshwalk-full-demo"$' "$m/00-namespace.yaml" || fail "namespace not derived from the name"
# The serverless service: a Knative Service with string annotations, the h2c port.
grep -q '^apiVersion: serving.knative.dev/v1$' "$m/10-service-worker.yaml" || fail "worker is not a Knative Service"
grep -q 'autoscaling.knative.dev/class: "kpa.autoscaling.knative.dev"' "$m/10-service-worker.yaml" || fail "class annotation"
grep -q 'autoscaling.knative.dev/metric: "rps"' "$m/10-service-worker.yaml" || fail "metric annotation"
grep -q 'autoscaling.knative.dev/target: "10"' "$m/10-service-worker.yaml" || fail "target annotation"
grep -q 'autoscaling.knative.dev/min-scale: "0"' "$m/10-service-worker.yaml" || fail "min-scale annotation"
grep -q 'autoscaling.knative.dev/max-scale: "20"' "$m/10-service-worker.yaml" || fail "max-scale annotation"
grep -q 'containerConcurrency: 4' "$m/10-service-worker.yaml" || fail "containerConcurrency"
grep -q -- '- name: h2c' "$m/10-service-worker.yaml" || fail "the h2c port"
grep -q '"h2c://0.0.0.0:[0-9]*"' "$m/10-service-worker.yaml" || fail "the h2c port's node does not serve HTTP/2"
# Deployments: replicas, resources, readiness probe, anti-affinity, node arguments.
grep -q 'replicas: 2' "$m/10-service-front.yaml" || fail "front's replicas"
# each service's nodes get the seed meshwalk run gives its first node (seed
# 11: + 1000 + the node's number, front's two replicas counted): the
# scenario's seed moves the nodes' draws, and services do not share them
for sv in front:1011 back:1013 worker:1014; do
	grep -A1 -- '"--seed"' "$m/10-service-${sv%%:*}.yaml" | grep -q "\"${sv#*:}\"" ||
		fail "${sv%%:*}'s nodes are not seeded ${sv#*:}"
done
# front's two replicas share a template: each salts the seed with its pod
# name (the Downward API's metadata.name, expanded by Kubernetes in args);
# back has one replica and keeps its seed as run gives it, and the podman
# variant runs one replica a service
grep -A1 -- '"--seed-salt"' "$m/10-service-front.yaml" | grep -qF '"$(POD_NAME)"' ||
	fail "front's replicas are not salted with their pod names"
grep -A4 -- '- name: POD_NAME' "$m/10-service-front.yaml" | grep -q 'fieldPath: metadata.name' ||
	fail "front's pods do not get POD_NAME from the Downward API"
grep -q -- '--seed-salt\|POD_NAME' "$m/10-service-back.yaml" "$out/podman/play.yaml" &&
	fail "a single replica is salted"
grep -q 'cpu: "500m"' "$m/10-service-front.yaml" || fail "front's resources"
grep -q 'readinessProbe:' "$m/10-service-front.yaml" || fail "readiness probe"
grep -q 'podAntiAffinity:' "$m/10-service-front.yaml" || fail "anti-affinity"
grep -q '"page=-C 50us -F tcp://back:7892,route=get -R 512"' "$m/10-service-front.yaml" ||
	fail "front's route does not reach back's Service"
grep -q '"--net-delay"' "$m/10-service-back.yaml" && grep -q '"unif:min=150us,max=250us"' "$m/10-service-back.yaml" ||
	fail "back's link delay is not a --net-delay"
grep -q '"proxy"' "$m/20-balancer-back-lb.yaml" || fail "the meshwalk balancer is not a proxy Deployment"
grep -q 'meshwalk/policy: "leastconn"' "$m/20-balancer-front-lb.yaml" || fail "haproxy balancer as a Service"
grep -q '^kind: Job$' "$m/30-client-main.yaml" || fail "client group is not a Job"
grep -q '"--delay"' "$m/30-client-burst.yaml" || fail "the group's delay"
grep -q '"h2c://worker.meshwalk-full-demo.svc.cluster.local:80"' "$m/30-client-burst.yaml" ||
	fail "a Knative service is reached by its cluster-local name on port 80, over h2c"
grep -q '^kind: Pod$' "$out/podman/play.yaml" || fail "podman variant has no Pod for the Job"
grep -q 'podman/play.yaml: service front runs 1 replica, not 2' "$TMP/gen.out" || fail "no warning for podman's single replica"
[ "$(grep -c '^  replicas: 2$' "$out/podman/play.yaml")" = 0 ] || fail "podman variant with 2 replicas of a service"
grep -q 'hostAliases:' "$out/podman/play.yaml" || fail "podman variant has no hostAliases"

# Schema validation of every generated document.
if ! command -v node >/dev/null 2>&1; then
	skip "node is missing: the schema check needs node and npm (scripts/deps.sh)"
fi
[ -d "$NPM_DIR/node_modules/@kubernetes-models/knative" ] || bash "$ROOT/scripts/deps.sh" check >/dev/null 2>&1
[ -d "$NPM_DIR/node_modules/@kubernetes-models/knative" ] ||
	skip "npm packages missing in $NPM_DIR (scripts/deps.sh install)"
V="timeout -k 5 120 node $ROOT/tests/e2e/deploy/validate.mjs $NPM_DIR"
$V "$m"/*.yaml "$out/podman/play.yaml" >"$TMP/valid.out" 2>&1 || { cat "$TMP/valid.out" >&2; fail "generated manifests do not validate"; }
assert_eq "documents validated" 25 "$(grep -c '^ok ' "$TMP/valid.out")"
grep -q '^ok .*10-service-worker.yaml Service worker' "$TMP/valid.out" || fail "Knative Service not validated"

# HTTP/1.1 services: a Knative service with an http1 port binds http:// and is
# reached over http:// by its cluster-local name; a `protocol: http` service
# likewise on its own port; forwards to it name a route.
cat >"$TMP/http.yaml" <<'YAML'
name: web
services:
  api:
    protocol: http
    routes: { get: "-C 20us -R 256" }
  fn:
    serverless: { protocol: http1, target: 5 }
    routes: { run: "-C 1ms -F {api},route=get -R 10" }
clients:
  - { name: main, to: fn, route: run, args: "-n 10 -r 5" }
  - { name: direct, to: api, route: get, args: "-n 10 -r 5" }
YAML
"$MESHWALK" deploy k8s "$TMP/http.yaml" -o "$TMP/http" >"$TMP/http.out" 2>&1 || { cat "$TMP/http.out" >&2; fail "deploy k8s http.yaml"; }
hm=$TMP/http/manifests
grep -q '"http://0.0.0.0:[0-9]*"' "$hm/10-service-fn.yaml" || fail "the Knative http1 service does not bind http://"
grep -q -- '- name: http1' "$hm/10-service-fn.yaml" || fail "the http1 port"
grep -q '"http://0.0.0.0:[0-9]*"' "$hm/10-service-api.yaml" || fail "the protocol: http service does not bind http://"
grep -q '"run=-C 1ms -F http://api:[0-9]*,route=get -R 10"' "$hm/10-service-fn.yaml" || fail "fn's route does not reach api over http://"
grep -q '"http://fn.meshwalk-web.svc.cluster.local:80"' "$hm/30-client-main.yaml" || fail "the client does not reach fn over http://"
grep -q '"http://api:[0-9]*"' "$hm/30-client-direct.yaml" || fail "the client does not reach api over http://"
$V "$hm"/*.yaml >"$TMP/hvalid.out" 2>&1 || { cat "$TMP/hvalid.out" >&2; fail "the HTTP scenario's manifests do not validate"; }
grep -q '^ok .*10-service-fn.yaml Service fn' "$TMP/hvalid.out" || fail "the http1 Knative Service not validated"

# The type-error case: a number where Knative wants a string must fail.
sed 's/autoscaling.knative.dev\/target: "10"/autoscaling.knative.dev\/target: 10/' \
	"$m/10-service-worker.yaml" >"$TMP/typeerr.yaml"
grep -q 'target: 10$' "$TMP/typeerr.yaml" || fail "could not make the type error"
$V "$TMP/typeerr.yaml" >"$TMP/typeerr.out" 2>&1 && fail "a number annotation passed validation"
grep -q 'must be string' "$TMP/typeerr.out" || { cat "$TMP/typeerr.out" >&2; fail "the type error is not named"; }
# ... and one in a Kubernetes object: replicas as a string.
sed 's/replicas: 2/replicas: "2"/' "$m/10-service-front.yaml" >"$TMP/typeerr2.yaml"
$V "$TMP/typeerr2.yaml" >"$TMP/typeerr2.out" 2>&1 && fail "a string replicas passed validation"

# Undeployable scenarios: refused with the position, nothing written.
refused() { # FILE EXPECTED-MESSAGE
	rm -rf "$TMP/r"
	"$MESHWALK" deploy k8s "$TMP/$1" -o "$TMP/r" >"$TMP/r.out" 2>&1
	assert_eq "exit status for $1" 2 $?
	grep -qF -- "$2" "$TMP/r.out" || { cat "$TMP/r.out" >&2; fail "$1: expected '$2'"; }
	[ ! -e "$TMP/r" ] || fail "$1: something was written"
}
printf 'services:\n  w:\n    protocol: tcp\n    serverless: { protocol: http1 }\nclients:\n  - { name: main, to: w }\n' >"$TMP/ptcp.yaml"
refused ptcp.yaml "ptcp.yaml:3:15: service w: Knative routes http1 to its port, but the node speaks meshwalk's protocol"
printf 'services:\n  w:\n    protocol: http\n    serverless: { protocol: h2c }\nclients:\n  - { name: main, to: w }\n' >"$TMP/ph2c.yaml"
refused ph2c.yaml "ph2c.yaml:3:15: service w: Knative routes h2c to its port, but the node speaks HTTP/1.1"
printf 'services:\n  w:\n    serverless: { protocol: http1 }\n    routes: { r: -R }\n  f:\n    routes: { x: "-F {w},route=r -R" }\nclients:\n  - { name: main, to: f, route: x }\n' >"$TMP/fwdsl.yaml"
# A route forwarding to a serverless service reaches it as clients do: by its
# cluster-local name on port 80, over the protocol Knative exposes (the name is
# the Host the node sends; it resolves it when it connects).
rm -rf "$TMP/fwdsl"
"$MESHWALK" deploy k8s "$TMP/fwdsl.yaml" -o "$TMP/fwdsl" >"$TMP/fwdsl.out" 2>&1 ||
	{ cat "$TMP/fwdsl.out" >&2; fail "a route to a serverless service was refused"; }
grep -q '"x=-F http://w\.[a-z0-9-]*\.svc\.cluster\.local:80,route=r -R"' "$TMP/fwdsl/manifests/10-service-f.yaml" ||
	{ grep -n 'x=' "$TMP/fwdsl/manifests/10-service-f.yaml" >&2; fail "f's route does not name w's Knative host"; }
printf 'services:\n  w:\n    protocol: grpc\n    serverless: { protocol: h2c }\n    routes: { r: -R }\n  f:\n    routes: { x: "-F {w},route=r -R" }\nclients:\n  - { name: main, to: f, route: x }\n' >"$TMP/fwdh2.yaml"
rm -rf "$TMP/fwdh2"
"$MESHWALK" deploy k8s "$TMP/fwdh2.yaml" -o "$TMP/fwdh2" --namespace lab >"$TMP/fwdh2.out" 2>&1 ||
	{ cat "$TMP/fwdh2.out" >&2; fail "a route to an h2c serverless service was refused"; }
grep -q '"x=-F grpc://w.lab.svc.cluster.local:80,route=r -R"' "$TMP/fwdh2/manifests/10-service-f.yaml" ||
	{ grep -n 'x=' "$TMP/fwdh2/manifests/10-service-f.yaml" >&2; fail "f's route does not name w's Knative host over HTTP/2"; }
$V "$TMP/fwdsl/manifests"/*.yaml "$TMP/fwdh2/manifests"/*.yaml >"$TMP/fwdv.out" 2>&1 ||
	{ cat "$TMP/fwdv.out" >&2; fail "the manifests of routes into Knative do not validate"; }
printf 'services:\n  back:\n  Front_1:\nclients:\n  - { name: main, to: back }\n' >"$TMP/dns.yaml"
refused dns.yaml "dns.yaml:3:3: service 'Front_1': Kubernetes object names are DNS labels"
printf 'services:\n  w:\n    serverless:\n      protocol: [h2c, http1]\nclients:\n  - { name: main, to: w }\n' >"$TMP/proto.yaml"
refused proto.yaml "proto.yaml:4:17: service w: serverless: protocol: 2 protocols, but Knative routes one container port"
printf 'services:\n  w:\n    node: "-b udp://0.0.0.0:9000"\n    serverless: { target: 5 }\nclients:\n  - { name: main, to: w }\n' >"$TMP/udp.yaml"
refused udp.yaml "udp.yaml:4:17: service w: serverless, but its node listens on udp:// beside TCP: two protocols"
printf 'services:\n  a:\n  u:\n    node: "--nt 2 -b udp://0.0.0.0:9000"\nclients:\n  - { name: main, to: a }\n' >"$TMP/bind.yaml"
refused bind.yaml "bind.yaml:3:3: service u: node: deploy sets the listen address"
printf 'services:\n  w:\n    serverless: { class: hpa, metric: rps }\nclients:\n  - { name: main, to: w }\n' >"$TMP/hpa.yaml"
refused hpa.yaml "hpa.yaml:3:39: service w: serverless: metric rps does not go with class hpa"
printf 'services:\n  w:\n    serverless: { target: "10x" }\nclients:\n  - { name: main, to: w }\n' >"$TMP/target.yaml"
refused target.yaml "target.yaml:3:27: service w: serverless: target: expected a number above 0"
printf 'services:\n  a:\n  b:\nnetwork:\n  links:\n    - { between: [a, b], delay: 1ms }\nclients:\n  - { name: main, to: a }\n' >"$TMP/pair.yaml"
refused pair.yaml "pair.yaml:6:1: network: links between services"
printf 'services:\n  a: { replicas: 2 }\nclients:\n  - { name: main, to: a, args: "-F {a[1]} -R 1" }\n' >"$TMP/rep.yaml"
refused rep.yaml "rep.yaml:4:5: client main: args: a single replica {svc[i]} beyond the first"
# {svc} of a replicated service: its one Service (the demo's quorum forward;
# it crashed the generator once)
printf 'services:\n  a: { replicas: 2 }\n  f:\n    routes: { r: "-F {a},nack=1 -R 1" }\nclients:\n  - { name: main, to: f, args: "-F {a},nack=1 -R 1" }\n' >"$TMP/reps.yaml"
rm -rf "$TMP/reps"
"$MESHWALK" deploy k8s "$TMP/reps.yaml" -o "$TMP/reps" >"$TMP/reps.out" 2>&1 || { cat "$TMP/reps.out"; fail "deploy k8s with {svc} of 2 replicas"; }
grep -q -- '- "a:7891,nack=1"' "$TMP/reps/manifests/30-client-main.yaml" || { cat "$TMP/reps/manifests/30-client-main.yaml"; fail "client forward to the replicated Service"; }
grep -q 'r=-F tcp://a:7891,nack=1 -R 1' "$TMP/reps/manifests/"*-service-f.yaml || fail "route forward to the replicated Service"
printf 'services:\n  a:\nclients:\n  - { name: Main, to: a }\n' >"$TMP/job.yaml"
refused job.yaml "job.yaml:4:5: client Main: the Job client-Main"
printf 'services:\n  a:\n    resources: { cpu: lots }\nclients:\n  - { name: main, to: a }\n' >"$TMP/res.yaml"
refused res.yaml "res.yaml:3:23: service a: resources: cpu: expected a Kubernetes quantity"
printf 'services:\n  w:\n    serverless:\nclients:\n  - { name: main, to: w }\n' >"$TMP/kport.yaml"
rm -rf "$TMP/r"
"$MESHWALK" deploy k8s "$TMP/kport.yaml" -o "$TMP/r" --port 8012 >"$TMP/r.out" 2>&1
assert_eq "exit status for a Knative-reserved port" 2 $?
grep -q 'kport.yaml:2:3: service w: port 8012 is reserved by Knative' "$TMP/r.out" || { cat "$TMP/r.out" >&2; fail "reserved port"; }
# Usage errors: exit 2 with a message, nothing written.
for args in "" "bogus" "k8s $TMP/full.yaml" "k8s $TMP/one-missing.yaml -o $TMP/r" "k8s --cell 1 $TMP/dns.yaml -o $TMP/r" \
	"k8s --namespace Bad $TMP/full.yaml -o $TMP/r" "k8s --port 0 $TMP/full.yaml -o $TMP/r" "job" "collect --engine x $out -o $TMP/r"; do
	# shellcheck disable=SC2086
	"$MESHWALK" deploy $args >"$TMP/u.out" 2>&1
	assert_eq "exit status of deploy $args" 2 $?
	[ -s "$TMP/u.out" ] || fail "deploy $args: no message"
	[ ! -e "$TMP/r" ] || fail "deploy $args wrote $TMP/r"
done
"$MESHWALK" deploy collect "$TMP/nowhere" -o "$TMP/r" >"$TMP/u.out" 2>&1
assert_eq "exit status of collect from a missing directory" 1 $?
grep -q 'not a directory written by meshwalk deploy k8s' "$TMP/u.out" || fail "collect: no message for a missing directory"
"$MESHWALK" deploy k8s "$TMP/full.yaml" -o "$out" >"$TMP/again.out" 2>&1 && fail "an existing directory was reused"
grep -q 'exists' "$TMP/again.out" || fail "no message for an existing directory"

# meshwalk run ignores the Kubernetes keys (worker runs as a plain node
# serving what its Knative port speaks: h2c).
"$MESHWALK" run --check "$TMP/full.yaml" >"$TMP/check.out" 2>&1 || { cat "$TMP/check.out" >&2; fail "run --check refused the Kubernetes keys"; }
grep -q 'service worker: 1 replica, HTTP/2 (h2c), serverless' "$TMP/check.out" || fail "run --check does not show the serverless service: $(cat "$TMP/check.out")"
# podman has no kube-proxy: there the haproxy-kind balancer is a proxy too.
awk 'BEGIN { RS = "---\n" } /kind: Deployment\nmetadata:\n  name: "front-lb"/ && /"proxy"/ { found = 1 } END { exit !found }' \
	"$out/podman/play.yaml" || fail "podman variant: front-lb is not a proxy Deployment"

# deploy job + collect, on this machine: a node, the job's bundle as the log.
start_node n
cat >"$TMP/one.yaml" <<YAML
name: one
services:
  n:
clients:
  - { name: main, to: "127.0.0.1:$n_PORT", args: "-C 10us -n 50 -r 500" }
YAML
"$MESHWALK" deploy k8s "$TMP/one.yaml" -o "$TMP/one" >/dev/null || fail "deploy k8s one.yaml"
mkdir "$TMP/logs"
timeout -k 5 60 "$MESHWALK" deploy job --group main --wait "127.0.0.1:$n_PORT" --wait-timeout 10s -- \
	--to "127.0.0.1:$n_PORT" --seed 3 -C 10us -n 50 -r 500 >"$TMP/logs/main.log" 2>"$TMP/job.err"
assert_eq "deploy job exit status" 0 $?
head -1 "$TMP/logs/main.log" | grep -qx 'meshwalk-bundle 1 main' || fail "the job's output is not a bundle"
"$MESHWALK" deploy collect "$TMP/one" -o "$TMP/res" --logs-dir "$TMP/logs" >"$TMP/col.out" 2>&1 ||
	{ cat "$TMP/col.out" >&2; fail "collect failed"; }
for f in run.json scenario.yaml commands.txt clients/main/requests.csv clients/main/summary.json \
	clients/main/stdout.txt clients/main/stderr.txt; do
	[ -e "$TMP/res/$f" ] || fail "collect did not write $f"
done
assert_eq "collected rows" 51 "$(wc -l <"$TMP/res/clients/main/requests.csv")"
grep -q '"status": "ok"' "$TMP/res/run.json" || fail "run.json status"
timeout -k 5 120 "$MESHWALK" report "$TMP/res" >"$TMP/rep.out" 2>&1 || { cat "$TMP/rep.out" >&2; fail "report of collected results"; }
grep -qE '^main +50 +50 +0 ' "$TMP/rep.out" || { cat "$TMP/rep.out" >&2; fail "report does not show the group"; }
# A log cut short is an error, not a silently shorter group.
head -c 2000 "$TMP/logs/main.log" >"$TMP/logs/cut.log" && mv "$TMP/logs/cut.log" "$TMP/logs/main.log"
"$MESHWALK" deploy collect "$TMP/one" -o "$TMP/res2" --logs-dir "$TMP/logs" >"$TMP/col2.out" 2>&1 &&
	fail "collect accepted a cut log"
grep -q 'cut' "$TMP/col2.out" || { cat "$TMP/col2.out" >&2; fail "no message for a cut log"; }
# A target that never answers: the job gives up within its bound.
timeout -k 5 30 "$MESHWALK" deploy job --group x --wait 127.0.0.1:1 --wait-timeout 1s -- --to 127.0.0.1:1 \
	>"$TMP/never.out" 2>&1
assert_eq "deploy job exit status without a target" 1 $?
grep -q 'did not accept a connection in time' "$TMP/never.out" || fail "no message for a silent target"

# Seed 003's example: a sweep deploys one cell at a time; locally it runs
# (shrunk here to 60 requests per cell, so each outlasts the 200 ms warm-up) and reports its grid.
ex=$ROOT/examples/seed-003-knative.yaml
"$MESHWALK" deploy k8s "$ex" -o "$TMP/ex" >"$TMP/ex.out" 2>&1 && fail "a sweep deployed without --cell"
grep -q 'seed-003-knative.yaml:[0-9]*:1: sweep: .*--cell N, N from 0 to 17' "$TMP/ex.out" || { cat "$TMP/ex.out" >&2; fail "no --cell hint"; }
[ ! -e "$TMP/ex" ] || fail "a refused sweep wrote files"
"$MESHWALK" deploy k8s "$ex" -o "$TMP/ex" --cell 17 >/dev/null || fail "deploy k8s --cell 17"
grep -q '"name": "rate=200,arrival=exp,compute=8ms"' "$TMP/ex/deploy.json" || fail "deploy.json lacks the cell"
grep -q '"-p"' "$TMP/ex/manifests/30-client-load.yaml" && grep -q '"8ms"' "$TMP/ex/manifests/30-client-load.yaml" ||
	fail "the Job does not run cell 17's arguments"
$V "$TMP/ex/manifests"/*.yaml >"$TMP/exv.out" 2>&1 || { cat "$TMP/exv.out" >&2; fail "the example's manifests do not validate"; }
timeout -k 5 240 "$MESHWALK" run -q -o "$TMP/exr" --set 'clients.load.args=-n 60 -r 50 -C 1ms --timeout 5s' "$ex" \
	>"$TMP/exr.out" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$TMP/exr.out" >&2; fail "the example's sweep exited $rc"; }
assert_eq "example cells run" 18 "$(grep -c '"exit_status": [0-9]' "$TMP/exr/sweep.json")"
timeout -k 5 120 "$MESHWALK" report "$TMP/exr" >"$TMP/exrep.out" 2>&1 || { cat "$TMP/exrep.out" >&2; fail "report of the example"; }
grep -q 'rate=200,arrival=exp,compute=8ms' "$TMP/exrep.out" || fail "the example's grid lacks a cell"
echo "deploy k8s ok"
