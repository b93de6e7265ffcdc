#!/usr/bin/env bash
# Swift suite: the SwiftPM package bindings/swift (generated Swift, async wrappers) tested with
# XCTest on Linux, in the Debian trixie chroot that has Swift.
#   1. tools: the Swift chroot (scripts/setup-swift.sh), the Rust cross targets
#   2. build mynakit-ffi and mynakit-testkit-ffi and check the committed bindings against the
#      libraries (gen-bindings --check)
#   3. the package's shape: with the default environment (what an app resolves) there is no
#      MynaKitTestkit product or target and MynaKit depends on nothing of the testkit
#      (`swift package dump-package`); the SDK's sources do not import the testkit
#   4. stage the test vectors for the tests (bindings/swift/.fixtures, git-ignored)
#   5. `swift test --disable-swift-testing` in the chroot, linked against the host-built TESTING
#      library libmynakit_testkit_ffi.so (MYNAKIT_SWIFT_LIBDIR, MYNAKIT_SWIFT_FFI_LIB=
#      mynakit_testkit_ffi: it holds the SDK's component and the testkit's, so MynaKit and
#      MynaKitTestkit call into one copy of the Rust code); each test drives the card through a
#      transport written in Swift
#   6. cargo build -p mynakit-ffi --release --target aarch64-apple-ios (the staticlib); cargo check
#      -p mynakit-testkit-ffi --target aarch64-apple-ios (what --simulator-testkit builds)
#   7. the iOS sample's Xcode project (ios-sample/MynaKitSample.xcodeproj), checked structurally by
#      scripts/check-xcodeproj.py with an independent parser (PyPI pbxproj, pinned, in a venv under
#      $MYNAKIT_TOOLS): references, sources, the local package and its product, build settings,
#      Info.plist/entitlements, scheme; with negative controls. Xcode itself never runs here.
# Prints `N passed, N failed`: the XCTest cases plus one per check (2, 3, 6, 7); exits non-zero when
# anything failed. The CoreNFC adapter is type-checked (and driven by tests) against the test-only
# stub module Tests/CoreNFCStub, which Package.swift adds on Linux; Swift 6 language mode.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/setup-swift.sh || exit 1
scripts/setup-rust-targets.sh || exit 1

check_bindings_and_library
# gen-bindings built both; build again in case it stopped early (a no-op when up to date).
cargo build -q -p mynakit-testkit-ffi || exit 1
LIBDIR=$(cd "$(dirname "$LIB")" && pwd -P)

PKG=bindings/swift
FIXTURES=$PKG/.fixtures
rm -rf "$FIXTURES"
mkdir -p "$FIXTURES"
for d in cards pki traces evidence; do
    [[ -d test-vectors/$d ]] && cp -r "test-vectors/$d" "$FIXTURES/"
done
# The iOS sample's non-UI steps, a target of the test build (Package.swift: MynaKitSampleFlow).
mkdir -p "$FIXTURES/sample" "$FIXTURES/sample-device" "$FIXTURES/sample-simulator"
cp ios-sample/MynaKitSample/EkycFlow.swift ios-sample/MynaKitSample/EkycScreenModel.swift "$FIXTURES/sample/"
# Its card sources, one module each (targets MynaKitSampleDevice, MynaKitSampleSimulator). In the
# app every file is one module; here the steps are the module MynaKitSampleFlow, imported first.
for variant in Device Simulator; do
    for f in ios-sample/$variant/*.swift; do
        { echo "import MynaKitSampleFlow"; cat "$f"; } >"$FIXTURES/sample-${variant,,}/$(basename "$f")"
    done
done

# The manifest as an app sees it (no MYNAKIT_SWIFT_* set): MynaKit only. Then as the tests see it.
package_shape() {
    local app tests
    app=$(scripts/swift-chroot.sh "$PKG" swift package dump-package) || return 1
    tests=$(scripts/swift-chroot.sh "$PKG" env MYNAKIT_SWIFT_LIBDIR="$LIBDIR" MYNAKIT_SWIFT_FFI_LIB=mynakit_testkit_ffi \
        swift package dump-package) || return 1
    python3 - "$app" "$tests" <<'PY' || return 1
import json, sys
app, tests = (json.loads(a) for a in sys.argv[1:3])
def deps(m, name):
    t = next(t for t in m["targets"] if t["name"] == name)
    return sorted(d.get("byName", d.get("target", [None]))[0] for d in t["dependencies"])
def products(m): return sorted(p["name"] for p in m["products"])
def targets(m): return sorted(t["name"] for t in m["targets"])
ok = True
def need(cond, what):
    global ok
    print(("    ok: " if cond else "    FAILED: ") + what)
    ok &= cond
# The development manifest (XCFramework mode) offers MynaKitTestkit beside MynaKit for the iOS
# sample's simulator target; MynaKit itself depends on MynaKitFFI only.
need(products(app) == ["MynaKit", "MynaKitTestkit"], f"development manifest products {products(app)} == ['MynaKit', 'MynaKitTestkit']")
need(targets(app) == ["MynaKit", "MynaKitFFI", "MynaKitTestkit"], f"development manifest targets {targets(app)}")
need(deps(app, "MynaKit") == ["MynaKitFFI"], f"MynaKit depends on {deps(app, 'MynaKit')} == ['MynaKitFFI']")
# The release manifest build-xcframework.sh writes: MynaKit only.
script = open("scripts/build-xcframework.sh", encoding="utf-8").read()
start = script.index('cat >"$REL/Package.swift" <<SWIFT')
release = script[start:script.index("\nSWIFT\n", start)]
need("Testkit" not in release and '.library(name: "MynaKit", targets: ["MynaKit"])' in release,
     "the release manifest (build-xcframework.sh) offers MynaKit only")
need(products(tests) == ["MynaKit", "MynaKitTestkit"], f"test manifest products {products(tests)}")
need(not any("Testkit" in d for d in deps(tests, "MynaKit")), f"MynaKit (test manifest) depends on {deps(tests, 'MynaKit')}")
sys.exit(0 if ok else 1)
PY
    if grep -rlE 'import +(MynaKitTestkit|MynaKitTestkitFFI)\b' "$PKG/Sources/MynaKit"; then
        echo "    Sources/MynaKit imports the testkit"
        return 1
    fi
}
check "package shape: the MynaKit product has no testkit; MynaKitTestkit only in development and test manifests, not in the release one" package_shape

xctest_passed=0
xctest_failed=0
LOG=$(mktemp)
step "swift test --disable-swift-testing (in $(realpath -m "${MYNAKIT_SWIFT_ROOT:-/var/cache/mynakit-swift-root}"))"
MYNAKIT_SWIFT_LIBDIR="$LIBDIR" scripts/swift-chroot.sh "$PKG" env MYNAKIT_SWIFT_LIBDIR="$LIBDIR" \
    MYNAKIT_SWIFT_FFI_LIB=mynakit_testkit_ffi MYNAKIT_FIXTURES=/src/.fixtures \
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
check "testing library checks for aarch64-apple-ios (the sample's simulator XCFramework)" \
    scripts/test-mobile-targets.sh ios-testkit

# The checker's parser: PyPI pbxproj (and its openstep_parser), pinned, in a venv of its own.
PBXPROJ_VERSION=4.3.3
PBXPROJ_VENV=$MYNAKIT_TOOLS/pbxproj-$PBXPROJ_VERSION
xcodeproj_check() {
    if ! "$PBXPROJ_VENV/bin/python" -c 'import pbxproj, openstep_parser' 2>/dev/null; then
        rm -rf "$PBXPROJ_VENV"
        mkdir -p "$MYNAKIT_TOOLS"
        apt_ensure python3-venv || return 1
        quiet python3 -m venv "$PBXPROJ_VENV" || return 1
        quiet "$PBXPROJ_VENV/bin/pip" install --disable-pip-version-check \
            "pbxproj==$PBXPROJ_VERSION" openstep_parser==2.0.3 docopt==0.6.2 || return 1
        step "pbxproj $PBXPROJ_VERSION installed: $PBXPROJ_VENV"
    fi
    "$PBXPROJ_VENV/bin/python" scripts/check-xcodeproj.py ios-sample/MynaKitSample.xcodeproj
}
check "iOS sample Xcode project (scripts/check-xcodeproj.py, pbxproj $PBXPROJ_VERSION)" xcodeproj_check

passed=$((xctest_passed + checks_passed))
failed=$((xctest_failed + checks_failed))
((failed == 0)) || echo "$PROG: failed: ${failed_names[*]}" >&2
echo "$passed passed, $failed failed"
((failed == 0))
