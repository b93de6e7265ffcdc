#!/usr/bin/env bash
# Android suite:
#   1. scripts/build-android.sh: the link check of libmynakit_ffi.so for arm64-v8a and x86_64 (zig
#      as the linker, stub bionic libraries) with its export (including: no testkit symbol),
#      import, 16 KB alignment and size checks, and the AAR assembled around it with its layout
#      checked;
#   2. scripts/check-shipped-lib.sh: the shipped library (those Android builds and the x86_64 Linux
#      release build), stripped, is at most 2,000,000 bytes and holds no test certificate, test
#      key, test CV key, virtual-card data or simulator marker, with a negative control over the
#      testing library libmynakit_testkit_ffi.so.
# Prints one `N passed, N failed` line (the sum of both) last. The shipped AAR comes from the
# Gradle build with the real NDK (bindings/kotlin/build.gradle.kts); see docs/mobile.md.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
for script in scripts/build-android.sh scripts/check-shipped-lib.sh; do
    log=$(mktemp)
    "$script" 2>&1 | tee "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    rm -f "$log"
    if [[ -n $line ]]; then
        passed=$((passed + ${line%% passed*}))
        f=${line#*, }
        failed=$((failed + ${f%% failed}))
    else
        echo "test-android: $script printed no summary" >&2
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
((failed == 0))
