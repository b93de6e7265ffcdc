#!/usr/bin/env bash
# Runs a command in the Swift chroot (made by scripts/setup-swift.sh) with <package-dir>
# bind-mounted at /src and /src as the working directory:
#   scripts/swift-chroot.sh <package-dir> <command...>
#   e.g. scripts/swift-chroot.sh bindings/swift swift test --disable-swift-testing
# MYNAKIT_SWIFT_LIBDIR=/abs/host/dir is also bind-mounted at the same path inside, so an rpath
# to a host directory resolves. proc, dev and sys are mounted for the run and everything is
# unmounted afterwards, also on failure or interruption. The command gets a clean environment
# (PATH, HOME, LANG, TERM); pass others with `env NAME=value <command>`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROOT=$(realpath -m "${MYNAKIT_SWIFT_ROOT:-/var/cache/mynakit-swift-root}")
if (($# < 2)); then
    echo "usage: $0 <package-dir> <command...>" >&2
    exit 2
fi
PKG=$(realpath -e "$1")
shift
if ! swift_installed "$ROOT"; then
    echo "$PROG: no Swift chroot at $ROOT: run scripts/setup-swift.sh first" >&2
    exit 1
fi

exec 9>"$ROOT.lock"   # one user of the chroot's mounts at a time
flock 9
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local rc=$?
    chroot_umount "$ROOT" || rc=1
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

chroot_mount "$ROOT"
mkdir -p "$ROOT/src"
mount --bind "$PKG" "$ROOT/src"
if [[ -n ${MYNAKIT_SWIFT_LIBDIR:-} ]]; then
    LIBDIR=$(realpath -e "$MYNAKIT_SWIFT_LIBDIR")
    mkdir -p "$ROOT$LIBDIR"
    mount --bind "$LIBDIR" "$ROOT$LIBDIR"
fi

# Run in the background and wait, so that INT/TERM/HUP reach the trap at once: it stops every
# process in the chroot; the EXIT trap then unmounts.
chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    /bin/bash -c 'cd /src && exec "$@"' swift-chroot "$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; chroot_stop "$ROOT"' INT TERM HUP
rc=0
wait "$child" || rc=$?
while kill -0 "$child" 2>/dev/null; do
    wait "$child" || rc=$?
done
exit "$rc"
