#!/usr/bin/env bash
# Swift suite: the SwiftPM package bindings/swift (generated Swift, async wrappers) tested with
# XCTest on Linux, in the Debian trixie chroot that has Swift.
#   1. tools: the Swift chroot (scripts/setup-swift.sh), the Rust cross targets
#   2. build mynakit-ffi and check the committed bindings against the library (gen-bindings --check)
#   3. stage the test vectors for the tests (bindings/swift/.fixtures, git-ignored)
#   4. `swift test --disable-swift-testing` in the chroot, linked against the host-built
#      libmynakit_ffi.so (MYNAKIT_SWIFT_LIBDIR); each test drives the card through a transport
#      written in Swift
#   5. cargo build -p mynakit-ffi --release --target aarch64-apple-ios (the staticlib)
# Prints `N passed, N failed`: the XCTest cases plus one per check (2, 5); exits non-zero when
# anything failed. The CoreNFC adapter is type-checked (and driven by tests) against the test-only
# stub module Tests/CoreNFCStub, which Package.swift adds on Linux; Swift 6 language mode.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/setup-swift.sh || exit 1
scripts/setup-rust-targets.sh || exit 1

check_bindings_and_library
LIBDIR=$(cd "$(dirname "$LIB")" && pwd -P)

PKG=bindings/swift
FIXTURES=$PKG/.fixtures
rm -rf "$FIXTURES"
mkdir -p "$FIXTURES"
for d in cards pki traces; do
    [[ -d test-vectors/$d ]] && cp -r "test-vectors/$d" "$FIXTURES/"
done

xctest_passed=0
xctest_failed=0
LOG=$(mktemp)
step "swift test --disable-swift-testing (in $(realpath -m "${MYNAKIT_SWIFT_ROOT:-/var/cache/mynakit-swift-root}"))"
MYNAKIT_SWIFT_LIBDIR="$LIBDIR" scripts/swift-chroot.sh "$PKG" env MYNAKIT_SWIFT_LIBDIR="$LIBDIR" MYNAKIT_FIXTURES=/src/.fixtures \
    swift test --disable-swift-testing 2>&1 | tee "$LOG" | grep -E "error:|warning: unre|Test Case .* (failed|skipped)|XCTAssert|Executed" || true
rc=${PIPESTATUS[0]}
# XCTest's last summary line covers all suites: "Executed N tests, with M failures (...)".
line=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$LOG" | tail -n 1)
if [[ -n $line ]]; then
    total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$line")
    xctest_failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$line")
    skipped=$(grep -cE "Test Case .* skipped" "$LOG" || true)
    xctest_passed=$((total - xctest_failed - skipped))
    xctest_failed=$((xctest_failed + skipped))   # a skipped test is a missing fixture here
    ((rc == 0 || xctest_failed > 0)) || { xctest_failed=1; failed_names+=("swift test exit $rc"); }
else
    xctest_failed=1
    failed_names+=("swift test (no XCTest summary)")
    tail -n 40 "$LOG" >&2
fi
((xctest_failed == 0)) || failed_names+=("XCTest")
rm -f "$LOG"

check "aarch64-apple-ios staticlib" scripts/test-mobile-targets.sh ios

passed=$((xctest_passed + checks_passed))
failed=$((xctest_failed + checks_failed))
((failed == 0)) || echo "$PROG: failed: ${failed_names[*]}" >&2
echo "$passed passed, $failed failed"
((failed == 0))
