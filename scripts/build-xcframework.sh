#!/usr/bin/env bash
# Builds MynaKitFFI.xcframework and a releasable SwiftPM package around it:
#   - the Rust staticlib for iOS devices (arm64), the iOS simulator (arm64 + x86_64, merged with
#     lipo) and macOS (arm64 + x86_64, merged with lipo);
#   - each slice with the generated header and module map under Headers/MynaKitFFI/ (not at the
#     Headers root, where the module.modulemap of every other uniffi framework in the same app
#     would collide with ours);
#   - zipped, with its SwiftPM checksum;
#   - a release package in <target>/swift-release/ (Package.swift with
#     `.binaryTarget(name: "MynaKitFFI", url: <URL>, checksum: <sum>)`, Sources/MynaKit), to be
#     published at a tag with the zip uploaded at <URL>.
#
#   scripts/build-xcframework.sh --url https://…/MynaKitFFI-<version>.xcframework.zip
#
# The release XCFramework wraps the SDK's library only (libmynakit_ffi.a: no virtual card, trace
# replay or test roots; checked: no testkit symbol in any slice); the testkit (product
# MynaKitTestkit, libmynakit_testkit_ffi) is never part of it or of the release package.
#
#   scripts/build-xcframework.sh --simulator-testkit
#
# makes instead a DEVELOPMENT MynaKitFFI.xcframework (not zipped, no release package) whose
# simulator and macOS slices are the TESTING library, for the iOS sample's simulator target; its
# device slice is still the SDK's library (checked); see below and bindings/swift/Package.swift.
#
# NOT RUNNABLE on this repository's Linux machines (never run there): xcodebuild, lipo and the
# Apple SDKs need macOS with Xcode. What runs here: `scripts/test-mobile-targets.sh ios` (the
# device staticlib) and the Swift package's tests and CoreNFC type-check (scripts/test-swift.sh).
# Prerequisites: macOS, Xcode, rustup targets aarch64-apple-ios aarch64-apple-ios-sim
# x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin.
set -euo pipefail
cd "$(dirname "$0")/.."

url=
simulator_testkit=false
while (($#)); do
    case $1 in
        --url) url=${2:?--url needs a value}; shift 2 ;;
        --simulator-testkit) simulator_testkit=true; shift ;;
        *) echo "usage: $0 --url <https URL where MynaKitFFI.xcframework.zip will be published>" >&2
           echo "       $0 --simulator-testkit   (development XCFramework: the virtual card in the simulator)" >&2
           exit 2 ;;
    esac
done
$simulator_testkit || [[ $url == https://* ]] ||
    { echo "build-xcframework: --url https://… is required (the release Package.swift points at it)" >&2; exit 2; }

if [[ $(uname -s) != Darwin ]] || ! command -v xcodebuild >/dev/null; then
    echo "build-xcframework: needs macOS with Xcode (xcodebuild); not available on $(uname -s)" >&2
    exit 2
fi

# --simulator-testkit: a DEVELOPMENT MynaKitFFI.xcframework for the iOS sample's simulator target
# (the virtual card): the device slice is the SDK's library as in a release, the iOS Simulator
# and macOS slices are the TESTING library libmynakit_testkit_ffi (both uniffi components, one
# copy of the Rust code), and every slice also has the headers of the C module MynaKitTestkitFFI
# so the package's MynaKitTestkit target builds. Nothing of the testkit can link into an iPhone
# build. Never zipped or released.
if $simulator_testkit; then
    SIM_CRATE=mynakit-testkit-ffi
    SIM_LIB=libmynakit_testkit_ffi.a
else
    SIM_CRATE=mynakit-ffi
    SIM_LIB=libmynakit_ffi.a
fi

MAC_TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
SIM_TARGETS=(aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add aarch64-apple-ios "${SIM_TARGETS[@]}" "${MAC_TARGETS[@]}"
# Bindings first, so the headers match the library.
scripts/gen-bindings.sh --check

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
# Only the staticlib crate type (the cdylib is not wanted in an XCFramework). The device slice is
# always the SDK's library.
IPHONEOS_DEPLOYMENT_TARGET=14.0 cargo rustc -p mynakit-ffi --lib --release --target aarch64-apple-ios --crate-type staticlib
for t in "${SIM_TARGETS[@]}"; do
    IPHONEOS_DEPLOYMENT_TARGET=14.0 cargo rustc -p "$SIM_CRATE" --lib --release --target "$t" --crate-type staticlib
done
for t in "${MAC_TARGETS[@]}"; do
    MACOSX_DEPLOYMENT_TARGET=12.0 cargo rustc -p "$SIM_CRATE" --lib --release --target "$t" --crate-type staticlib
done

PKG=bindings/swift
OUT=$PKG/MynaKitFFI.xcframework
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
# Headers/MynaKitFFI/{MynaKitFFI.h,module.modulemap}: Clang finds the module map in the
# subdirectory named after the module.
mkdir -p "$STAGE/headers/MynaKitFFI" "$STAGE/sim" "$STAGE/mac"
cp $PKG/Sources/MynaKitFFI/MynaKitFFI.h "$STAGE/headers/MynaKitFFI/"
cp $PKG/Sources/MynaKitFFI/module.modulemap "$STAGE/headers/MynaKitFFI/module.modulemap"
if $simulator_testkit; then
    mkdir -p "$STAGE/headers/MynaKitTestkitFFI"
    cp $PKG/Sources/MynaKitTestkitFFI/MynaKitTestkitFFI.h $PKG/Sources/MynaKitTestkitFFI/module.modulemap \
        "$STAGE/headers/MynaKitTestkitFFI/"
fi
# One library name in every slice (libmynakit_ffi.a), whichever library it holds.
lipo -create \
    "$TARGET_DIR/aarch64-apple-ios-sim/release/$SIM_LIB" \
    "$TARGET_DIR/x86_64-apple-ios/release/$SIM_LIB" \
    -output "$STAGE/sim/libmynakit_ffi.a"
lipo -create \
    "$TARGET_DIR/aarch64-apple-darwin/release/$SIM_LIB" \
    "$TARGET_DIR/x86_64-apple-darwin/release/$SIM_LIB" \
    -output "$STAGE/mac/libmynakit_ffi.a"

rm -rf "$OUT"
xcodebuild -create-xcframework \
    -library "$TARGET_DIR/aarch64-apple-ios/release/libmynakit_ffi.a" -headers "$STAGE/headers" \
    -library "$STAGE/sim/libmynakit_ffi.a" -headers "$STAGE/headers" \
    -library "$STAGE/mac/libmynakit_ffi.a" -headers "$STAGE/headers" \
    -output "$OUT"

# Layout check: three slices, each with the module map under Headers/MynaKitFFI/ and none at the root.
slices=$(find "$OUT" -mindepth 1 -maxdepth 1 -type d | wc -l)
[[ $slices -eq 3 ]] || { echo "build-xcframework: expected 3 slices, found $slices" >&2; exit 1; }
for d in "$OUT"/*/; do
    [[ -f $d/Headers/MynaKitFFI/module.modulemap && -f $d/Headers/MynaKitFFI/MynaKitFFI.h ]] ||
        { echo "build-xcframework: $d lacks Headers/MynaKitFFI/module.modulemap" >&2; exit 1; }
    [[ ! -e $d/Headers/module.modulemap ]] || { echo "build-xcframework: $d has a module map at the Headers root" >&2; exit 1; }
done

# Testkit symbols: never in the device slice; in a development build, in the other two; in a
# release build, nowhere.
for d in "$OUT"/*/; do
    n=$(nm -gU "$d/libmynakit_ffi.a" 2>/dev/null | grep -c 'uniffi_mynakit_testkit_ffi_' || true)
    if [[ $d == */ios-arm64/ ]] || ! $simulator_testkit; then
        ((n == 0)) || { echo "build-xcframework: $d has testkit symbols" >&2; rm -rf "$OUT"; exit 1; }
    else
        ((n > 0)) || { echo "build-xcframework: $d has no testkit symbols" >&2; rm -rf "$OUT"; exit 1; }
        [[ -f $d/Headers/MynaKitTestkitFFI/module.modulemap ]] ||
            { echo "build-xcframework: $d lacks Headers/MynaKitTestkitFFI/module.modulemap" >&2; rm -rf "$OUT"; exit 1; }
    fi
done
if $simulator_testkit; then
    echo "built $OUT for DEVELOPMENT: device slice = the SDK's library; simulator and macOS slices = the TESTING library."
    echo "Never release it: run this script with --url for a release XCFramework."
    exit 0
fi

ZIP=$PKG/MynaKitFFI.xcframework.zip
(cd $PKG && rm -f MynaKitFFI.xcframework.zip && zip -qry MynaKitFFI.xcframework.zip MynaKitFFI.xcframework)
checksum=$(swift package --package-path $PKG compute-checksum "$ZIP")

# The release package: the Swift sources (not the test-only CoreNFC stub) and a Package.swift
# whose MynaKitFFI is the published zip.
REL=$TARGET_DIR/swift-release
rm -rf "$REL"
mkdir -p "$REL/Sources"
cp -R $PKG/Sources/MynaKit "$REL/Sources/MynaKit"
if grep -rqE 'import +MynaKitTestkit' "$REL/Sources"; then
    echo "build-xcframework: the release sources import the testkit" >&2
    exit 1
fi
cat >"$REL/Package.swift" <<SWIFT
// swift-tools-version:6.0
// MynaKit for Swift, release package (written by scripts/build-xcframework.sh).
import PackageDescription

let package = Package(
    name: "MynaKit",
    platforms: [.iOS(.v14), .macOS(.v12)],
    products: [
        .library(name: "MynaKit", targets: ["MynaKit"]),
    ],
    targets: [
        .binaryTarget(
            name: "MynaKitFFI",
            url: "$url",
            checksum: "$checksum"
        ),
        .target(name: "MynaKit", dependencies: ["MynaKitFFI"], path: "Sources/MynaKit"),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
echo "built $OUT (iOS device, iOS simulator, macOS)"
echo "zip: $ZIP  checksum: $checksum"
echo "release package: $REL (publish it at a tag; upload the zip to $url)"
