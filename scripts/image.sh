#!/usr/bin/env bash
# scripts/image.sh BINARY IMAGE -- build meshwalk's OCI image with podman, offline.
#
# Stages a root file system in $IMAGE_STAGE/root (default build/image/root) (the static BINARY as
# /usr/bin/meshwalk, the man pages, the example scenarios, /etc/passwd and
# /etc/group naming the unprivileged user 65532, /tmp and /var/tmp world
# writable with the sticky bit) and builds image/Containerfile, FROM scratch,
# on it: nothing is pulled. Podman runs with image/containers.conf unless
# CONTAINERS_CONF is set. Prints the image's size at the end.
set -eu
[ $# -eq 2 ] || { echo "usage: scripts/image.sh BINARY IMAGE" >&2; exit 2; }
bin=$1 image=$2
cd "$(dirname "$0")/.."
command -v podman >/dev/null 2>&1 || {
	echo "scripts/image.sh: podman is missing: scripts/deps.sh install image" >&2
	exit 1
}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/image/containers.conf}
stage=${IMAGE_STAGE:-build/image}
rm -rf "$stage/root"
mkdir -p "$stage/root/usr/bin" "$stage/root/usr/share/man/man1" \
	"$stage/root/usr/share/meshwalk/examples" "$stage/root/etc" "$stage/root/tmp" "$stage/root/var/tmp"
chmod 1777 "$stage/root/tmp" "$stage/root/var/tmp"
strip -o "$stage/root/usr/bin/meshwalk" "$bin"
cp man/*.1 "$stage/root/usr/share/man/man1/"
cp examples/*.yaml examples/README.md "$stage/root/usr/share/meshwalk/examples/"
echo 'meshwalk:x:65532:65532:meshwalk:/tmp:/nonexistent' >"$stage/root/etc/passwd"
echo 'meshwalk:x:65532:' >"$stage/root/etc/group"
# The static binary resolves names itself (glibc's files and dns back ends
# are linked in): hosts file first, then DNS, as in any Kubernetes pod.
echo 'hosts: files dns' >"$stage/root/etc/nsswitch.conf"
cp image/Containerfile "$stage/Containerfile"
podman build --quiet --pull=never -t "$image" -f "$stage/Containerfile" "$stage"
podman image inspect "$image" --format '{{.Size}}' |
	awk -v i="$image" '{ printf "%s: %.1f MB\n", i, $1 / 1e6 }'
