#!/usr/bin/env bash
# Builds mynakit-ffi for the mobile targets as far as this Linux machine allows:
#   android: cargo check --target aarch64-linux-android (type and borrow checks of the whole
#            crate graph; the link check of the .so with zig is scripts/build-android.sh)
#   ios:     cargo build --release --target aarch64-apple-ios (the staticlib .a an XCFramework
#            wraps; linking the app needs Xcode on macOS)
#   ios-testkit: cargo check -p mynakit-testkit-ffi --target aarch64-apple-ios (the testing
#            library's crate graph on Apple's iOS: build-xcframework.sh --simulator-testkit builds
#            it for the simulator targets, whose std cannot be installed here)
#   all:     android and ios (default)
# With --sizes, also prints the sizes docs/mobile.md reports: the stripped x86_64 release cdylib
# and the aarch64-apple-ios release staticlib.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

what=all
sizes=0
for arg in "$@"; do
    case $arg in
        android | ios | ios-testkit | all) what=$arg ;;
        --sizes) sizes=1 ;;
        *) echo "usage: $0 [android|ios|ios-testkit|all] [--sizes]" >&2; exit 2 ;;
    esac
done

scripts/setup-rust-targets.sh
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

if [[ $what == android || $what == all ]]; then
    step "cargo check -p mynakit-ffi --target aarch64-linux-android"
    cargo check -q -p mynakit-ffi --target aarch64-linux-android
fi
if [[ $what == ios || $what == all ]]; then
    step "cargo build -p mynakit-ffi --release --target aarch64-apple-ios (staticlib)"
    # Only the staticlib crate type: linking the cdylib would need Apple's linker.
    cargo rustc -q -p mynakit-ffi --lib --release --target aarch64-apple-ios --crate-type staticlib
    a=$TARGET_DIR/aarch64-apple-ios/release/libmynakit_ffi.a
    [[ -s $a ]] || { echo "$PROG: $a was not produced" >&2; exit 1; }
    step "staticlib: $a ($(stat -c %s "$a") bytes)"
fi
if [[ $what == ios-testkit ]]; then
    step "cargo check -p mynakit-testkit-ffi --target aarch64-apple-ios"
    cargo check -q -p mynakit-testkit-ffi --lib --target aarch64-apple-ios
fi
if ((sizes)); then
    step "cargo build -p mynakit-ffi --release (x86_64 cdylib)"
    cargo build -q -p mynakit-ffi --release --lib
    so=$TARGET_DIR/release/libmynakit_ffi.so
    stripped=$(mktemp)
    strip --strip-all -o "$stripped" "$so"
    echo "x86_64-unknown-linux-gnu cdylib: $(stat -c %s "$so") bytes, stripped $(stat -c %s "$stripped") bytes"
    rm -f "$stripped"
    if [[ $what == ios || $what == all ]]; then
        a=$TARGET_DIR/aarch64-apple-ios/release/libmynakit_ffi.a
        echo "aarch64-apple-ios staticlib: $(stat -c %s "$a") bytes"
    fi
fi
