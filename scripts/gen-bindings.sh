#!/usr/bin/env bash
# Regenerates the Kotlin and Swift bindings of the two uniffi components with the in-workspace
# uniffi-bindgen (same uniffi version as the libraries) into bindings/:
#
#   the SDK, mynakit-ffi (namespace `mynakit`; what an app ships, libmynakit_ffi):
#     bindings/kotlin/src/main/kotlin/jp/mynakit/mynakit.kt
#     bindings/swift/Sources/MynaKit/MynaKit.swift
#     bindings/swift/Sources/MynaKitFFI/{MynaKitFFI.h,module.modulemap}
#   the testkit, mynakit-testkit-ffi (namespace `mynakit_testkit`; tests only, libmynakit_testkit_ffi):
#     bindings/kotlin/src/testkit/kotlin/jp/mynakit/testkit/mynakit_testkit.kt
#         (its own source directory: not in the Gradle `main` source set, so never in the AAR;
#         see bindings/README.md)
#     bindings/swift/Sources/MynaKitTestkit/MynaKitTestkit.swift
#     bindings/swift/Sources/MynaKitTestkitFFI/{MynaKitTestkitFFI.h,module.modulemap}
#         (the SwiftPM product `MynaKitTestkit`; the `MynaKit` product does not depend on it)
#
# Both components are generated from libmynakit_testkit_ffi.so, which contains both. The SDK's
# files are generated a second time from the shipped libmynakit_ffi.so alone, and must come out
# byte-identical (and nothing of the testkit may come out of it): the SDK bindings depend on
# nothing but the library an app ships.
#
# With --check, nothing is written: the freshly generated files are compared with the committed
# ones and the script fails (listing the differences) when they drifted.
# Prints the path of libmynakit_ffi.so on the last line (libmynakit_testkit_ffi.so is next to it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

check=0
case ${1:-} in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# Two builds, not one: built together, cargo would unify features across both packages and
# the SDK library would be built with what the testkit enables in shared dependencies. The SDK
# library has the `cli` feature, so the library and the bindgen binary come from one build
# (building it without would replace target/debug/libmynakit_ffi.so each time).
step "cargo build -p mynakit-ffi --features cli; cargo build -p mynakit-testkit-ffi"
cargo build -q -p mynakit-ffi --features cli
cargo build -q -p mynakit-testkit-ffi
LIBDIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug
SDK_LIB=$LIBDIR/libmynakit_ffi.so
TESTKIT_LIB=$LIBDIR/libmynakit_testkit_ffi.so
BINDGEN=$LIBDIR/uniffi-bindgen

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gen() { "$BINDGEN" generate --library "$1" --language kotlin --language swift --out-dir "$2" --no-format >/dev/null; }
gen "$TESTKIT_LIB" "$out/gen"
gen "$SDK_LIB" "$out/sdk"

# What each generation must produce, as uniffi-bindgen names the files.
sdk_gen=(jp/mynakit/mynakit.kt MynaKit.swift MynaKitFFI.h MynaKitFFI.modulemap)
testkit_gen=(jp/mynakit/testkit/mynakit_testkit.kt MynaKitTestkit.swift MynaKitTestkitFFI.h MynaKitTestkitFFI.modulemap)
expect_files() {
    local dir=$1 found want
    shift
    found=$(cd "$dir" && find . -type f | sed 's#^\./##' | sort)
    want=$(printf '%s\n' "$@" | sort)
    [[ $found == "$want" ]] || {
        echo "$PROG: $dir holds:"; echo "$found" | sed 's/^/    /'
        echo "$PROG: expected:"; echo "$want" | sed 's/^/    /'
        return 1
    } >&2
}
expect_files "$out/gen" "${sdk_gen[@]}" "${testkit_gen[@]}"
expect_files "$out/sdk" "${sdk_gen[@]}"
for f in "${sdk_gen[@]}"; do
    if ! cmp -s "$out/gen/$f" "$out/sdk/$f"; then
        echo "$PROG: $f generated from libmynakit_ffi.so alone differs from the one generated from libmynakit_testkit_ffi.so" >&2
        diff -u "$out/sdk/$f" "$out/gen/$f" 2>&1 | head -n 20 >&2 || true
        exit 1
    fi
done
step "the SDK bindings generated from libmynakit_ffi.so alone are identical (${#sdk_gen[@]} files)"

# Lay the files out as the Kotlin sources and the SwiftPM package use them. SwiftPM's
# systemLibrary target wants each module map under the name module.modulemap.
T=$out/tree
place() { mkdir -p "$(dirname "$T/$2")" && cp "$out/gen/$1" "$T/$2"; }
place jp/mynakit/mynakit.kt kotlin/src/main/kotlin/jp/mynakit/mynakit.kt
place MynaKit.swift swift/Sources/MynaKit/MynaKit.swift
place MynaKitFFI.h swift/Sources/MynaKitFFI/MynaKitFFI.h
place MynaKitFFI.modulemap swift/Sources/MynaKitFFI/module.modulemap
place jp/mynakit/testkit/mynakit_testkit.kt kotlin/src/testkit/kotlin/jp/mynakit/testkit/mynakit_testkit.kt
place MynaKitTestkit.swift swift/Sources/MynaKitTestkit/MynaKitTestkit.swift
place MynaKitTestkitFFI.h swift/Sources/MynaKitTestkitFFI/MynaKitTestkitFFI.h
place MynaKitTestkitFFI.modulemap swift/Sources/MynaKitTestkitFFI/module.modulemap

mapfile -t files < <(cd "$T" && find . -type f | sed 's#^\./##' | sort)
if ((check)); then
    drift=0
    for f in "${files[@]}"; do
        if ! diff -q "bindings/$f" "$T/$f" >/dev/null 2>&1; then
            echo "$PROG: bindings/$f differs from what uniffi-bindgen generates now" >&2
            diff -u "bindings/$f" "$T/$f" 2>&1 | head -n 20 >&2 || true
            drift=1
        fi
    done
    if ((drift)); then
        echo "$PROG: the committed bindings drifted; run scripts/gen-bindings.sh and commit the result" >&2
        exit 1
    fi
    step "bindings match the libraries (${#files[@]} files)"
else
    for f in "${files[@]}"; do
        mkdir -p "$(dirname "bindings/$f")"
        cp "$T/$f" "bindings/$f"
    done
    step "bindings written (${#files[@]} files)"
fi
echo "$SDK_LIB"
