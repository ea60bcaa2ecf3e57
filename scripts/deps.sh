#!/usr/bin/env bash
# scripts/deps.sh -- the Debian packages meshwalk needs, by purpose.
#
#   scripts/deps.sh check [SET]     only checks: exit 0 when every package of SET
#                                   is installed, else list what is missing and the
#                                   apt-get line, exit 1 (never installs anything)
#   scripts/deps.sh install [SET]   install what SET lacks (as root, or via
#                                   password-less sudo; otherwise print the
#                                   apt-get line and exit 1)
#   scripts/deps.sh list [SET]      print SET's packages, one per line
#
# install for the test and all sets also puts the npm packages the tests use
# into $MESHWALK_NPM_DIR (default ~/.cache/meshwalk/npm, outside the source
# tree): the Kubernetes schema test's (kubernetes-models,
# @kubernetes-models/knative, js-yaml) and the reference application's
# OpenTelemetry SDK (tests/refapp), all pinned; Debian's nodejs and npm come
# with the test set when no node is installed; check says what is missing.
#
# SET is `demo` (what `make demo` needs: build it, run a scenario, draw the
# report's plots), `test` (what `make test` needs), `fuzz` (`make fuzz`),
# `image` (`make image`), `bench` (the peers of bench/http.sh and bench/grpc.sh) or `all` (the default). Installing waits up to DEPS_LOCK_TIMEOUT seconds
# (default 600) for another apt or dpkg run to release the package manager's
# lock instead of failing at once.
set -u
# The compiler and the libraries bin/meshwalk links.
# libyajl-dev (streaming JSON) and zlib1g-dev (gzip) read traces in meshwalk import.
# libnghttp2-dev: HTTP/2 framing and HPACK for the h2c:// and grpc:// front end.
BUILD_PKGS="build-essential libyaml-dev liburing-dev libssl-dev libyajl-dev zlib1g-dev libnghttp2-dev"
# gnuplot-nox draws the report's plots (the demo ends with a report).
DEMO_PKGS="$BUILD_PKGS gnuplot-nox"
# libcmocka-dev: the unit tests; strace: system-call checks; chromium renders
# the report's index.html (72_report_html); haproxy balances scenario services;
# iproute2 (ip, tc) builds the emulated network of scenarios run as root;
# python3 plays raw-frame peers; curl, wrk, ab (apache2-utils) and hey drive the
# HTTP front end (47_http); openssl (the CLI) makes the TLS tests' throwaway
# certificates and is their s_client peer (48_tls, tests/compat);
# nghttp2-client (h2load) and python3-grpcio with python3-grpc-tools (stubs
# from docs/*.proto) drive the HTTP/2 and gRPC front end (48_h2, 49_grpc);
# nghttp2-server (nghttpd) and a grpcio server are the real peers of the
# client's --to h2c:// and grpc:// (49_h2_client).
# protobuf-compiler and python3-protobuf check exported traces against the
# OTLP protobuf definitions (89_trace).
# The image set: podman builds the image (make image) and runs generated
# manifests (91_deploy_podman: the test set needs it too); runc is the runtime
# image/containers.conf names; catatonit is the pause process of the pods
# podman builds locally (no image pull).
IMAGE_PKGS="podman runc catatonit"
TEST_PKGS="$DEMO_PKGS libcmocka-dev strace chromium haproxy iproute2 python3 curl wrk apache2-utils hey openssl nghttp2-client nghttp2-server python3-grpcio python3-grpc-tools protobuf-compiler python3-protobuf $IMAGE_PKGS"
# nodejs and npm run the reference application (tests/refapp, 92_refapp_traces)
# and the schema validators; a node installed otherwise (NodeSource) is kept.
command -v node >/dev/null 2>&1 || TEST_PKGS="$TEST_PKGS nodejs npm"
# The benchmarks' peers: wrk drives bench/http.sh against nginx-core; h2load
# (nghttp2-client) drives bench/grpc.sh against a gRPC C++ server built from
# libgrpc++-dev with protobuf-compiler-grpc (protoc and its C++ plugin);
# valgrind and strace count a node's instructions and system calls per
# request (bench/instr.sh, bench/ab.sh --instr).
BENCH_PKGS="$BUILD_PKGS wrk nginx-core python3 nghttp2-client libgrpc++-dev protobuf-compiler-grpc valgrind strace"
# clang-14 and libclang-rt-14-dev build the libFuzzer targets.
FUZZ_PKGS="$BUILD_PKGS clang-14 libclang-rt-14-dev"
# npm packages of the schema test (tests/e2e/90_deploy_k8s.sh), pinned.
NPM_DIR=${MESHWALK_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwalk/npm}
NPM_PKGS="kubernetes-models@4.5.1 @kubernetes-models/knative@4.0.0 js-yaml@4.1.0"
# The OpenTelemetry SDK 2.x line (runs on Debian 12's Node 18) of tests/refapp.
NPM_PKGS="$NPM_PKGS @opentelemetry/api@1.9.0 @opentelemetry/core@2.2.0 @opentelemetry/resources@2.2.0"
NPM_PKGS="$NPM_PKGS @opentelemetry/sdk-trace-base@2.2.0 @opentelemetry/sdk-trace-node@2.2.0"
NPM_PKGS="$NPM_PKGS @opentelemetry/exporter-trace-otlp-http@0.208.0"
npm_missing() {
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || return 1
	! { [ -d "$NPM_DIR/node_modules/@kubernetes-models/knative" ] &&
		[ -d "$NPM_DIR/node_modules/kubernetes-models" ] &&
		[ -d "$NPM_DIR/node_modules/js-yaml" ] &&
		[ -d "$NPM_DIR/node_modules/@opentelemetry/sdk-trace-node" ] &&
		[ -d "$NPM_DIR/node_modules/@opentelemetry/exporter-trace-otlp-http" ]; }
}
npm_install() {
	npm_missing || return 0
	echo "meshwalk: npm install into $NPM_DIR: $NPM_PKGS" >&2
	mkdir -p "$NPM_DIR" && (cd "$NPM_DIR" && npm install --silent --no-audit --no-fund $NPM_PKGS) ||
		echo "meshwalk: npm install failed: the schema and reference-application tests will be skipped" >&2
}

usage() { echo "usage: scripts/deps.sh check|install|list [demo|test|fuzz|image|bench|all]" >&2; exit 2; }
case ${2:-all} in
demo) PKGS=$DEMO_PKGS ;;
test) PKGS=$TEST_PKGS ;;
fuzz) PKGS=$FUZZ_PKGS ;;
image) PKGS=$IMAGE_PKGS ;;
bench) PKGS=$BENCH_PKGS ;;
all) PKGS="$TEST_PKGS clang-14 libclang-rt-14-dev nginx-core libgrpc++-dev protobuf-compiler-grpc valgrind" ;;
*) usage ;;
esac
[ $# -le 2 ] || usage

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
lock=${DEPS_LOCK_TIMEOUT:-600}
apt=(apt-get -o "DPkg::Lock::Timeout=$lock")
line="apt-get install -y --no-install-recommends ${missing[*]}"

case ${1:-check} in
list) printf '%s\n' $PKGS ;;
check)
	case ${2:-all} in test | all) npm_missing && echo "meshwalk: npm packages missing in $NPM_DIR: $NPM_PKGS (scripts/deps.sh install)" >&2 ;; esac
	[ ${#missing[@]} -eq 0 ] && exit 0
	echo "meshwalk: missing packages: ${missing[*]}" >&2
	echo "meshwalk: install them with: $line (or scripts/deps.sh install ${2:-all})" >&2
	exit 1
	;;
install)
	case ${2:-all} in test | all) npm_install ;; esac
	[ ${#missing[@]} -eq 0 ] && exit 0
	if [ "$(id -u)" -eq 0 ]; then
		sudo=()
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo=(sudo)
	else
		echo "meshwalk: missing packages: ${missing[*]}" >&2
		echo "meshwalk: run as root: $line" >&2
		exit 1
	fi
	echo "meshwalk: installing ${missing[*]} (waiting up to ${lock}s for the package manager's lock)" >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq >/dev/null 2>&1 || true
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}" || exit 1
	# node and npm may have come with these packages
	case ${2:-all} in test | all) npm_install ;; esac
	;;
*) usage ;;
esac
