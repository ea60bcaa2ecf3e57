#!/usr/bin/env bash
# scripts/deps.sh -- the Debian packages meshwalk needs to build, test and demo.
#
#   scripts/deps.sh check     exit 0 when everything is installed, else print the
#                             exact apt-get line (and install it when run as root)
#   scripts/deps.sh install   install what is missing (root, or via sudo)
set -u
# gnuplot-nox draws the report's plots; chromium renders its index.html in
# tests/e2e/72_report_html.sh; haproxy balances scenario services; clang-14 and
# libclang-rt-14-dev build the fuzzers; iproute2 (ip, tc) builds the emulated
# network of scenarios run as root; python3 plays raw-frame peers in tests;
# libyajl-dev (streaming JSON) and zlib1g-dev (gzip) read traces in meshwalk import.
PKGS="build-essential libcmocka-dev libyaml-dev liburing-dev libssl-dev strace gnuplot-nox chromium haproxy clang-14 libclang-rt-14-dev iproute2 python3 libyajl-dev zlib1g-dev"
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
