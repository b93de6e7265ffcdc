#!/usr/bin/env bash
# Builds bindings/swift/MynaKitFFI.xcframework: the Rust staticlib for iOS devices (arm64) and
# the iOS simulator (arm64 + x86_64, merged with lipo), with the generated C header and module
# map, as the SwiftPM binary target `MynaKitFFI` (bindings/swift/Package.swift) expects it.
# Then zips it and prints the SwiftPM checksum for a release's `.binaryTarget(url:checksum:)`.
#
# NOT RUNNABLE on this repository's Linux machines: xcodebuild, lipo and the iOS SDK need macOS
# with Xcode. What runs here is `scripts/test-mobile-targets.sh ios` (the device staticlib).
# Prerequisites: macOS, Xcode, rustup targets aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(uname -s) != Darwin ]] || ! command -v xcodebuild >/dev/null; then
    echo "build-xcframework: needs macOS with Xcode (xcodebuild); not available on $(uname -s)" >&2
    exit 2
fi

rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# Bindings first, so the headers match the library.
scripts/gen-bindings.sh --check

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
    # Only the staticlib crate type (the cdylib is not wanted in an XCFramework).
    IPHONEOS_DEPLOYMENT_TARGET=14.0 cargo rustc -p mynakit-ffi --lib --release --target "$t" --crate-type staticlib
done

OUT=bindings/swift/MynaKitFFI.xcframework
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/headers" "$STAGE/sim"
cp bindings/swift/Sources/MynaKitFFI/MynaKitFFI.h "$STAGE/headers/"
cp bindings/swift/Sources/MynaKitFFI/module.modulemap "$STAGE/headers/module.modulemap"
lipo -create \
    "$TARGET_DIR/aarch64-apple-ios-sim/release/libmynakit_ffi.a" \
    "$TARGET_DIR/x86_64-apple-ios/release/libmynakit_ffi.a" \
    -output "$STAGE/sim/libmynakit_ffi.a"

rm -rf "$OUT"
xcodebuild -create-xcframework \
    -library "$TARGET_DIR/aarch64-apple-ios/release/libmynakit_ffi.a" -headers "$STAGE/headers" \
    -library "$STAGE/sim/libmynakit_ffi.a" -headers "$STAGE/headers" \
    -output "$OUT"

(cd bindings/swift && rm -f MynaKitFFI.xcframework.zip && zip -qry MynaKitFFI.xcframework.zip MynaKitFFI.xcframework)
echo "built $OUT"
echo "checksum for .binaryTarget(url:checksum:): $(cd bindings/swift && swift package compute-checksum MynaKitFFI.xcframework.zip)"
