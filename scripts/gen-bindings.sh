#!/usr/bin/env bash
# Regenerates the Kotlin and Swift bindings of mynakit-ffi with the in-workspace uniffi-bindgen
# (same uniffi version as the library) into bindings/:
#   bindings/kotlin/src/main/kotlin/jp/mynakit/mynakit.kt
#   bindings/swift/Sources/MynaKit/MynaKit.swift
#   bindings/swift/Sources/MynaKitFFI/{MynaKitFFI.h,module.modulemap}
# With --check, nothing is written: the freshly generated files are compared with the committed
# ones and the script fails (listing the differences) when they drifted.
# Prints the library it generated from on the last line (target/debug/libmynakit_ffi.so).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

check=0
case ${1:-} in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# The library is built with the `cli` feature too, so the library and the bindgen binary come
# from one build (building without it would replace target/debug/libmynakit_ffi.so each time).
step "cargo build -p mynakit-ffi --features cli"
cargo build -q -p mynakit-ffi --features cli
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
LIB=$TARGET_DIR/debug/libmynakit_ffi.so
BINDGEN=$TARGET_DIR/debug/uniffi-bindgen

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$BINDGEN" generate --library "$LIB" --language kotlin --language swift --out-dir "$out/gen" --no-format >/dev/null

# Lay the files out as the Kotlin sources and the SwiftPM package use them.
mkdir -p "$out/tree/kotlin/src/main/kotlin/jp/mynakit" "$out/tree/swift/Sources/MynaKit" "$out/tree/swift/Sources/MynaKitFFI"
cp "$out/gen/jp/mynakit/mynakit.kt" "$out/tree/kotlin/src/main/kotlin/jp/mynakit/mynakit.kt"
cp "$out/gen/MynaKit.swift" "$out/tree/swift/Sources/MynaKit/MynaKit.swift"
cp "$out/gen/MynaKitFFI.h" "$out/tree/swift/Sources/MynaKitFFI/MynaKitFFI.h"
# SwiftPM's systemLibrary target wants the module map under this exact name.
cp "$out/gen/MynaKitFFI.modulemap" "$out/tree/swift/Sources/MynaKitFFI/module.modulemap"

files=(
    kotlin/src/main/kotlin/jp/mynakit/mynakit.kt
    swift/Sources/MynaKit/MynaKit.swift
    swift/Sources/MynaKitFFI/MynaKitFFI.h
    swift/Sources/MynaKitFFI/module.modulemap
)
if ((check)); then
    drift=0
    for f in "${files[@]}"; do
        if ! diff -q "bindings/$f" "$out/tree/$f" >/dev/null 2>&1; then
            echo "$PROG: bindings/$f differs from what uniffi-bindgen generates now" >&2
            diff -u "bindings/$f" "$out/tree/$f" 2>&1 | head -n 20 >&2 || true
            drift=1
        fi
    done
    if ((drift)); then
        echo "$PROG: the committed bindings drifted; run scripts/gen-bindings.sh and commit the result" >&2
        exit 1
    fi
    step "bindings match the library (${#files[@]} files)"
else
    for f in "${files[@]}"; do
        mkdir -p "$(dirname "bindings/$f")"
        cp "$out/tree/$f" "bindings/$f"
    done
    step "bindings written (${#files[@]} files)"
fi
echo "$LIB"
