#!/usr/bin/env bash
# scripts/deps.sh -- the Debian packages meshwalk needs to build, test and demo.
#
#   scripts/deps.sh check     exit 0 when everything is installed, else print the
#                             exact apt-get line (and install it when run as root)
#   scripts/deps.sh install   install what is missing (root, or via sudo)
#   scripts/deps.sh check|install image
#                             the same for the "image" set only: what `make image`
#                             needs (podman, runc, catatonit)
#
# check and install also put the npm packages the Kubernetes schema test uses
# (kubernetes-models, @kubernetes-models/knative, js-yaml) into $MESHWALK_NPM_DIR
# (default ~/.cache/meshwalk/npm, outside the source tree) when node and npm exist.
set -u
# gnuplot-nox draws the report's plots; chromium renders its index.html in
# tests/e2e/72_report_html.sh; haproxy balances scenario services; clang-14 and
# libclang-rt-14-dev build the fuzzers; iproute2 (ip, tc) builds the emulated
# network of scenarios run as root; python3 plays raw-frame peers in tests.
# The image set: podman builds the image (make image) and runs generated
# manifests (tests/e2e/91_deploy_podman.sh: the test set needs it too);
# runc is the runtime image/containers.conf names; catatonit is the pause
# process of the pods podman builds locally (no image pull).
IMAGE_PKGS="podman runc catatonit"
PKGS="build-essential libcmocka-dev libyaml-dev liburing-dev libssl-dev strace gnuplot-nox chromium haproxy clang-14 libclang-rt-14-dev iproute2 python3 $IMAGE_PKGS"
[ "${2:-}" = image ] && PKGS=$IMAGE_PKGS

# npm packages for the schema test (tests/e2e/90_deploy_k8s.sh), pinned.
NPM_DIR=${MESHWALK_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwalk/npm}
NPM_PKGS="kubernetes-models@4.5.1 @kubernetes-models/knative@4.0.0 js-yaml@4.1.0"
npm_deps() {
	[ "${2:-}" = image ] && return 0
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || return 0
	[ -d "$NPM_DIR/node_modules/@kubernetes-models/knative" ] &&
		[ -d "$NPM_DIR/node_modules/kubernetes-models" ] &&
		[ -d "$NPM_DIR/node_modules/js-yaml" ] && return 0
	echo "meshwalk: npm install into $NPM_DIR: $NPM_PKGS" >&2
	mkdir -p "$NPM_DIR" && (cd "$NPM_DIR" && npm install --silent --no-audit --no-fund $NPM_PKGS) ||
		echo "meshwalk: npm install failed: the schema test will be skipped" >&2
}
npm_deps "$@"
missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install -y --no-install-recommends ${missing[*]}"
install() {
	if [ "$(id -u)" -eq 0 ]; then
		echo "meshwalk: installing ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive $line
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo DEBIAN_FRONTEND=noninteractive $line
	else
		echo "meshwalk: missing packages: ${missing[*]}" >&2
		echo "meshwalk: run as root: $line" >&2
		exit 1
	fi
}
case ${1:-check} in
check | install) install ;;
*) echo "usage: scripts/deps.sh check|install" >&2; exit 2 ;;
esac
