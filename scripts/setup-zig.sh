#!/usr/bin/env bash
# Installs zig (PyPI wheel `ziglang`, pinned) into ${MYNAKIT_TOOLS:-/var/cache/mynakit-tools}/zig,
# for the Android link check (scripts/android-link.sh): zig's clang + lld link Rust's Android
# targets without the NDK. Skips when the pinned version is present. Prints nothing else.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ZIG_VERSION=0.17.1
DIR=$MYNAKIT_TOOLS/zig
ZIG=$DIR/ziglang/zig

if [[ -x $ZIG && $("$ZIG" version 2>/dev/null) == "$ZIG_VERSION" ]]; then
    step "zig $ZIG_VERSION present: $ZIG"
    exit 0
fi
mkdir -p "$MYNAKIT_TOOLS"
tmp=$(mktemp -d "$DIR.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
quiet python3 -m pip install --disable-pip-version-check --no-deps --target "$tmp" "ziglang==$ZIG_VERSION"
[[ -x $tmp/ziglang/zig ]] || { echo "$PROG: zig missing after pip install" >&2; exit 1; }
rm -rf "$DIR"
mv "$tmp" "$DIR"
step "zig $ZIG_VERSION installed: $ZIG"
