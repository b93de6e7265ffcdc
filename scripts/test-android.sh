#!/usr/bin/env bash
# Android suite: the link check of libmynakit_ffi.so for arm64-v8a and x86_64 (zig as the linker,
# stub bionic libraries) with its export, import, 16 KB alignment and size checks, and the AAR
# assembled around it with its layout checked. All of it is scripts/build-android.sh, which
# prints `N passed, N failed`. The shipped AAR comes from the Gradle build with the real NDK
# (bindings/kotlin/build.gradle.kts); see docs/mobile.md.
set -uo pipefail
cd "$(dirname "$0")/.."
exec scripts/build-android.sh
