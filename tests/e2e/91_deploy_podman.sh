#!/usr/bin/env bash
# 91_deploy_podman: the project's image on a real container engine. Builds the
# image (static binary, FROM scratch) into podman's store under a name of its
# own, checks it (non-root, man pages, examples, `node` serves), then runs the
# podman kube play variant of a 3-service scenario's manifests: the nodes serve,
# the client's pod finishes (through a balancer), `meshwalk deploy collect --engine podman` gets its
# results and `meshwalk report` reads them. Podman runs with
# image/containers.conf (runc, cgroupfs, fixed ulimits).
# Runs in the default build only: the image holds a static binary linked from
# the default build's objects (sanitizer runtimes do not link statically), and
# CI's three runs of the suite need the containers once. Skipped, with the
# reason, where podman is missing or cannot run a container at all.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -z "${SANITIZER:-}" ] || skip "runs in the default build only (the image needs a static, uninstrumented binary)"
command -v podman >/dev/null 2>&1 || skip "podman is missing (scripts/deps.sh install image)"
BUILD_DIR=${BUILD:-build/default}
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR # tests/run passes it absolute
[ -f "$BUILD_DIR/libmeshwalk.a" ] || skip "no default build objects in $BUILD_DIR"
export CONTAINERS_CONF=$ROOT/image/containers.conf
P() { timeout -k 5 60 podman "$@"; }

id=t$$
image=localhost/meshwalk-e2e:$id
play=
podman_cleanup() {
	[ -n "$play" ] && P kube down "$play" >/dev/null 2>&1
	P rm -f "n-$id" >/dev/null 2>&1
	P rmi -f "$image" >/dev/null 2>&1
	cleanup
}
trap podman_cleanup EXIT

# The image: a static binary linked from the build's objects, staged in $TMP.
cc -static -o "$TMP/meshwalk-static" "$BUILD_DIR"/src/cli/*.o "$BUILD_DIR/libmeshwalk.a" \
	-lyaml -l:libyajl_s.a -lz -lssl -lcrypto -luring -lnghttp2 -lpthread -lm >"$TMP/ld.out" 2>&1 || { cat "$TMP/ld.out" >&2; fail "static link failed"; }
IMAGE_STAGE=$TMP/stage timeout -k 5 120 "$ROOT/scripts/image.sh" "$TMP/meshwalk-static" "$image" \
	>"$TMP/image.out" 2>&1 || { cat "$TMP/image.out" >&2; fail "scripts/image.sh failed"; }
P run --rm "$image" --version >"$TMP/version.out" 2>&1 ||
	skip "podman cannot run a container here: $(tail -1 "$TMP/version.out")"
grep -q '^meshwalk ' "$TMP/version.out" || fail "the image's entry point is not meshwalk"
assert_eq "image user" "65532:65532" "$(P image inspect "$image" --format '{{.Config.User}}')"
size=$(P image inspect "$image" --format '{{.Size}}')
[ "$size" -lt 20000000 ] || fail "the image is $size bytes: not small"
P create --name "n-$id" "$image" >/dev/null || fail "podman create"
P export "n-$id" | tar -t >"$TMP/files" || fail "podman export"
P rm -f "n-$id" >/dev/null
for f in usr/bin/meshwalk usr/share/man/man1/meshwalk-node.1 usr/share/man/man1/meshwalk-deploy.1 \
	usr/share/meshwalk/examples/demo.yaml; do
	grep -qx "$f" "$TMP/files" || fail "the image lacks $f"
done

# `podman run IMAGE node ...` serves: a node in a container, the client here.
P run -d --name "n-$id" "$image" node --bind-addr 0.0.0.0:7891 >/dev/null || fail "podman run node"
ip=$(P inspect "n-$id" --format '{{.NetworkSettings.IPAddress}}')
[ -n "$ip" ] || fail "no address for the node's container"
slowwait 20 timeout 5 "$MESHWALK" client --to "$ip:7891" -n 1 -q --no-summary ||
	{ P logs "n-$id" >&2; fail "the node in the container does not serve"; }
client --to "$ip:7891" -C 10us -n 20 -r 200 -q || fail "client against the container"
grep -q 'ok 20,' "$TMP/out" || fail "not every request succeeded: $(cat "$TMP/out")"
P rm -f "n-$id" >/dev/null

# podman kube play of a 3-service scenario's manifests, the client reaching the
# front end through a meshwalk proxy balancer.
gw=$(P network inspect podman --format '{{range .Subnets}}{{.Gateway}}{{end}}' 2>/dev/null)
[ -n "$gw" ] || gw=10.88.0.1
base=$((20000 + RANDOM % 20000))
cat >"$TMP/three.yaml" <<YAML
name: three
seed: 5
services:
  front-$id:
    routes: { page: "-C 50us -F {back-$id},route=get -R 512" }
  back-$id:
    routes: { get: "-C 20us -F {store-$id} -R 256" }
    link: { delay: 100us }
  store-$id:
balancers:
  lb-$id: { service: front-$id, kind: meshwalk }
clients:
  - { name: main-$id, to: lb-$id, route: page, args: "-n 100 -r 200" }
YAML
"$MESHWALK" deploy k8s "$TMP/three.yaml" -o "$TMP/d" --image "$image" --port "$base" --podman-host "$gw" \
	>"$TMP/gen.out" 2>&1 || { cat "$TMP/gen.out" >&2; fail "deploy k8s"; }
play=$TMP/d/podman/play.yaml
P kube play "$play" >"$TMP/play.out" 2>&1 || { cat "$TMP/play.out" >&2; fail "podman kube play"; }
# The client's pod ends on its own: it waits for the three services, runs 0.5 s.
pod_done() { [ "$(P inspect "client-main-$id-client" --format '{{.State.Status}}')" = exited ]; }
slowwait 60 pod_done || { P logs "client-main-$id-client" >&2; fail "the client's pod did not finish"; }
assert_eq "client container exit code" 0 "$(P inspect "client-main-$id-client" --format '{{.State.ExitCode}}')"
for c in front-$id-pod-0-node back-$id-pod-0-node store-$id-pod-0-node lb-$id-pod-0-proxy; do
	[ "$(P inspect "$c" --format '{{.State.Status}}')" = running ] ||
		fail "$c is not running: $(P logs "$c" 2>&1 | tail -3)"
done
"$MESHWALK" deploy collect "$TMP/d" -o "$TMP/res" --engine podman >"$TMP/col.out" 2>&1 ||
	{ cat "$TMP/col.out" >&2; fail "deploy collect --engine podman"; }
assert_eq "collected rows" 101 "$(wc -l <"$TMP/res/clients/main-$id/requests.csv")"
timeout -k 5 120 "$MESHWALK" report "$TMP/res" >"$TMP/rep.out" 2>&1 || { cat "$TMP/rep.out" >&2; fail "report"; }
grep -qE "^main-$id +100 +100 +0 " "$TMP/rep.out" || { cat "$TMP/rep.out" >&2; fail "report lacks the group's 100 ok requests"; }
echo "podman kube play ok"
