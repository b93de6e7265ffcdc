#!/usr/bin/env bash
# Kotlin suite: the Kotlin bindings on the JVM, and compile checks of the Android code.
#   1. tools: kotlinc + JNA + JUnit (scripts/setup-kotlin.sh), the API-23 android.jar
#      (scripts/setup-android-jar.sh), the Rust cross targets (scripts/setup-rust-targets.sh)
#   2. build mynakit-ffi and mynakit-testkit-ffi and check the committed bindings against the
#      libraries (gen-bindings --check)
#   3. compile the SDK's Kotlin (src/main: generated mynakit.kt and the idiomatic layer), the
#      testkit's (src/testkit: generated mynakit_testkit.kt and its helpers), the JUnit tests and
#      the Android sample's non-UI steps (EkycFlow.kt, run by SampleFlowTest);
#      run the tests through JNA against the TESTING library libmynakit_testkit_ffi.so, which
#      holds both components: the SDK component is pointed at it with
#      -Duniffi.component.mynakit.libraryOverride=mynakit_testkit_ffi (the property the
#      generated findLibraryName reads), the testkit component with its own property. Each test
#      drives the card through a transport written in Kotlin.
#   3b. the SDK bindings alone against the SHIPPED libmynakit_ffi.so (no override): the library
#      loads, its API checksums match, a session runs over a Kotlin transport (ShippedLibrary.kt)
#   4. compile-check the Android adapters (AndroidNfc.kt, IsoDepTransport.kt) and android-sample/
#      (release variant: SDK only; debug variant: with the testkit's virtual card) against android-23.jar
#   5. cargo check -p mynakit-ffi --target aarch64-linux-android (the link check of the .so and the
#      AAR are the `android` suite: scripts/test-android.sh)
# Prints one `N passed, N failed` line (last): the JUnit test cases plus one per check (2, 3b, 4, 5); exits non-zero
# when anything failed. Every step runs even after a failure, so one run shows all problems.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/setup-kotlin.sh || exit 1
scripts/setup-android-jar.sh || exit 1
scripts/setup-rust-targets.sh || exit 1
source scripts/kotlin-env.sh || exit 1
ANDROID_JAR=$MYNAKIT_TOOLS/android/android-23.jar

check_bindings_and_library
LIBDIR=$(dirname "$LIB")
# gen-bindings built both; build again in case it stopped early (a no-op when up to date).
cargo build -q -p mynakit-testkit-ffi || exit 1
BUILD=$LIBDIR/../kotlin-tests
rm -rf "$BUILD"
mkdir -p "$BUILD/classes" "$BUILD/android"

junit_passed=0
junit_failed=0
step "kotlinc: SDK bindings and idiomatic layer, testkit bindings and helpers, JUnit tests"
if quiet "$KOTLINC" -jvm-target 17 -nowarn -cp "$KOTLIN_CP" \
    bindings/kotlin/src/main/kotlin bindings/kotlin/src/testkit/kotlin bindings/kotlin/src/test/kotlin \
    android-sample/app/src/main/kotlin/jp/mynakit/sample/EkycFlow.kt -d "$BUILD/classes"; then
    mapfile -t classes < <(cd "$BUILD/classes" && find jp -name '*Test.class' ! -name '*$*' | sed 's/\.class$//; s#/#.#g' | sort)
    step "JUnit (against libmynakit_testkit_ffi.so): ${classes[*]}"
    java -Djna.library.path="$LIBDIR" -Dmynakit.root="$PWD" \
        -Duniffi.component.mynakit.libraryOverride=mynakit_testkit_ffi \
        -Duniffi.component.mynakit_testkit.libraryOverride=mynakit_testkit_ffi \
        -cp "$BUILD/classes:$KOTLIN_CP:$KOTLIN_RUN_CP" jp.mynakit.test.SupportKt "${classes[@]}" \
        | tee "$BUILD/junit.log"
    line=$(grep -E '^junit: [0-9]+ passed, [0-9]+ failed$' "$BUILD/junit.log" | tail -n 1)
    line=${line#junit: }
    if [[ -n $line ]]; then
        junit_passed=${line%% passed*}
        junit_failed=${line#*, }
        junit_failed=${junit_failed%% failed}
    else
        junit_failed=1
        failed_names+=("JUnit run (no summary)")
    fi
    ((junit_failed == 0)) || failed_names+=("JUnit tests")
else
    junit_failed=1
    failed_names+=("kotlinc (tests)")
fi

# Only the SDK's classes on the class path: ShippedLibrary touches nothing of the testkit.
shipped_library() {
    [[ -f $BUILD/classes/jp/mynakit/test/ShippedLibraryKt.class ]] || { echo "not compiled"; return 1; }
    local cp=$BUILD/shipped
    rm -rf "$cp" && mkdir -p "$cp/jp/mynakit/test"
    (cd "$BUILD/classes" && find jp/mynakit -maxdepth 1 -name '*.class' -exec cp {} "$cp/jp/mynakit/" \;) || return 1
    cp "$BUILD"/classes/jp/mynakit/test/ShippedLibraryKt*.class "$cp/jp/mynakit/test/"
    cp -r "$BUILD/classes/META-INF" "$cp/" 2>/dev/null || true
    java -Djna.library.path="$LIBDIR" -cp "$cp:$KOTLIN_CP:$KOTLIN_RUN_CP" jp.mynakit.test.ShippedLibraryKt
}
check "SDK bindings alone against the shipped libmynakit_ffi.so (no override)" shipped_library

check "Android adapters and android-sample (release variant: SDK only) compile against android-23.jar" \
    quiet "$KOTLINC" -jvm-target 17 -nowarn -cp "$ANDROID_JAR:$KOTLIN_CP" \
    bindings/kotlin/src/main/kotlin bindings/kotlin/src/android/kotlin \
    android-sample/app/src/main/kotlin android-sample/app/src/release/kotlin \
    -d "$BUILD/android"
check "android-sample debug variant (virtual card from the testkit) compiles against android-23.jar" \
    quiet "$KOTLINC" -jvm-target 17 -nowarn -cp "$ANDROID_JAR:$KOTLIN_CP" \
    bindings/kotlin/src/main/kotlin bindings/kotlin/src/android/kotlin bindings/kotlin/src/testkit/kotlin \
    android-sample/app/src/main/kotlin android-sample/app/src/debug/kotlin \
    -d "$BUILD/android-debug"

check "cargo check -p mynakit-ffi --target aarch64-linux-android" \
    scripts/test-mobile-targets.sh android

passed=$((junit_passed + checks_passed))
failed=$((junit_failed + checks_failed))
((failed == 0)) || echo "$PROG: failed: ${failed_names[*]}" >&2
echo "$passed passed, $failed failed"
((failed == 0))
