#!/usr/bin/env bash
# 13_deps: scripts/deps.sh `check` only checks (never runs apt-get), `install`
# waits for the package manager's lock, the demo's set is part of the tests'
# set, and the README names every package. dpkg-query and apt-get are fakes
# on PATH that report nothing installed and log their calls.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEPS=$ROOT/scripts/deps.sh
mkdir -p "$TMP/fake"
printf '#!/bin/sh\nexit 1\n' >"$TMP/fake/dpkg-query"
printf '#!/bin/sh\necho "apt-get $*" >>"%s"\n' "$TMP/apt.log" >"$TMP/fake/apt-get"
printf '#!/bin/sh\nexit 1\n' >"$TMP/fake/sudo" # no password-less sudo
chmod +x "$TMP/fake/"*
fake() { PATH="$TMP/fake:$PATH" "$@"; }

for set in demo test fuzz all; do
	fake "$DEPS" check $set >"$TMP/out" 2>"$TMP/err"; rc=$?
	assert_eq "check $set with nothing installed" 1 "$rc"
	grep -q 'apt-get install -y --no-install-recommends' "$TMP/err" || fail "check $set prints no apt-get line"
	[ -e "$TMP/apt.log" ] && fail "check $set ran apt-get: $(cat "$TMP/apt.log")"
done
fake "$DEPS" check nosuchset 2>/dev/null; assert_eq "unknown set" 2 "$?"

# Each set's packages: the demo's are a subset of the tests' (make test runs
# the demo's scenario too); the README names every one.
"$DEPS" list demo >"$TMP/demo" && "$DEPS" list test >"$TMP/test" && "$DEPS" list all >"$TMP/all" ||
	fail "deps.sh list failed"
for p in $(cat "$TMP/demo"); do grep -qx "$p" "$TMP/test" || fail "demo package $p not in the test set"; done
for p in iproute2 python3 libcmocka-dev; do grep -qx "$p" "$TMP/test" || fail "test set lacks $p"; done
grep -qx libcmocka-dev "$TMP/demo" && fail "the demo set installs the unit-test library"
for p in $(cat "$TMP/all"); do grep -q -- "\`$p\`" "$ROOT/README.md" || fail "README does not name package $p"; done

# install: as root through apt-get with a lock timeout; otherwise the line to run.
fake "$DEPS" install demo >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$(id -u)" -eq 0 ]; then
	assert_eq "install as root" 0 "$rc"
	grep -q 'install -y --no-install-recommends build-essential' "$TMP/apt.log" || fail "install did not run apt-get install"
	grep -v 'DPkg::Lock::Timeout=600' "$TMP/apt.log" && fail "apt-get ran without waiting for the lock"
	grep -q 'libcmocka-dev' "$TMP/apt.log" && fail "install demo installed a test package"
else
	assert_eq "install without root" 1 "$rc"
	grep -q 'run as root: apt-get install' "$TMP/err" || fail "install without root prints no line"
fi
echo "deps.sh checks, installs and lists as documented"
