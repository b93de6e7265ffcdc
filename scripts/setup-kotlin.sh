#!/usr/bin/env bash
# Installs what the Kotlin-binding tests need on the JVM: JNA and JUnit 4 from Debian, and the
# full Kotlin compiler (npm package kotlin-compiler, pinned) into
# ${MYNAKIT_TOOLS:-/var/cache/mynakit-tools}/kotlin. Each part is skipped when already there.
# Then `source scripts/kotlin-env.sh` for KOTLINC, KOTLIN_CP and KOTLIN_RUN_CP.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KOTLIN_VERSION=2.4.20
DIR=$MYNAKIT_TOOLS/kotlin
KC=$DIR/node_modules/kotlin-compiler

apt_ensure libjna-java junit4

installed=$(node -p "require('$KC/package.json').version" 2>/dev/null || true)
if [[ $installed == "$KOTLIN_VERSION" && -x $KC/bin/kotlinc ]]; then
    step "kotlin-compiler $KOTLIN_VERSION present: $KC"
    exit 0
fi

# Install into a scratch dir and move it into place, so an interrupted run leaves nothing half-done.
mkdir -p "$MYNAKIT_TOOLS"
tmp=$(mktemp -d "$DIR.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
quiet npm install --no-audit --no-fund --no-save --prefix "$tmp" "kotlin-compiler@$KOTLIN_VERSION"
[[ -x $tmp/node_modules/kotlin-compiler/bin/kotlinc ]] || { echo "$PROG: kotlinc missing after npm install" >&2; exit 1; }
rm -rf "$DIR"
mv "$tmp" "$DIR"
step "kotlin-compiler $KOTLIN_VERSION installed: $KC"
