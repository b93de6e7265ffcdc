#!/usr/bin/env bash
# Adds the Rust cross targets the mobile builds check against (Android arm64 and x86_64, iOS arm64) when
# they are not installed yet. Only the std libraries: no NDK or Xcode is involved.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TARGETS=(aarch64-linux-android x86_64-linux-android aarch64-apple-ios)
installed=$(rustup target list --installed)
missing=()
for t in "${TARGETS[@]}"; do
    grep -qx "$t" <<<"$installed" || missing+=("$t")
done
if ((${#missing[@]} == 0)); then
    step "rust targets present: ${TARGETS[*]}"
    exit 0
fi
quiet rustup target add "${missing[@]}"
step "rust targets added: ${missing[*]}"
