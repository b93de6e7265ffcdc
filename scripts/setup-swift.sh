#!/usr/bin/env bash
# Builds a Debian trixie chroot with Swift (swiftlang 6.x) and libc6-dev for testing the Swift
# bindings on Linux (bookworm's glibc is too old for Debian's swiftlang). Skips when the chroot
# already has /usr/bin/swift. Location: ${MYNAKIT_SWIFT_ROOT:-/var/cache/mynakit-swift-root}.
# Run commands in it with scripts/swift-chroot.sh. First run downloads ~530 MB (~3.3 GB on disk).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROOT=$(realpath -m "${MYNAKIT_SWIFT_ROOT:-/var/cache/mynakit-swift-root}")
MIRROR=http://deb.debian.org/debian

if swift_installed "$ROOT"; then
    step "swift chroot present: $ROOT"
    exit 0
fi

apt_ensure debootstrap

mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
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

# A leftover debootstrap/ dir means an earlier debootstrap did not finish: start over, but only
# once nothing is mounted inside (rm -rf with /dev bound would delete the host's device nodes).
if [[ -d $ROOT/debootstrap ]]; then
    chroot_umount "$ROOT"
    rm -rf --one-file-system "$ROOT"
    step "removed unfinished chroot: $ROOT"
fi
if [[ ! -x $ROOT/usr/bin/apt-get ]]; then
    if [[ -e $ROOT && -n $(ls -A "$ROOT") ]]; then
        echo "$PROG: $ROOT exists but is not a Debian chroot; remove it or set MYNAKIT_SWIFT_ROOT" >&2
        exit 1
    fi
    quiet debootstrap --variant=minbase trixie "$ROOT" "$MIRROR"
    step "debootstrap trixie: $ROOT"
fi

chroot_mount "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
quiet chroot "$ROOT" apt-get -q update
quiet chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends swiftlang libc6-dev
quiet chroot "$ROOT" apt-get clean
step "installed in chroot: $(chroot "$ROOT" swift --version 2>&1 | head -n 1)"
