#!/usr/bin/env bash
# Kotlin suite: the Kotlin bindings on the JVM, and compile checks of the Android code.
#   1. tools: kotlinc + JNA + JUnit (scripts/setup-kotlin.sh), the API-23 android.jar
#      (scripts/setup-android-jar.sh), the Rust cross targets (scripts/setup-rust-targets.sh)
#   2. build mynakit-ffi and mynakit-testkit-ffi and check the committed bindings against the
#      libraries (gen-bindings --check)
#   3. compile the SDK's Kotlin (src/main: generated mynakit.kt and the idiomatic layer), the
#      testkit's (src/testkit: generated mynakit_testkit.kt and its helpers), the JUnit tests and
#      the Android sample's non-UI steps and screen model (EkycFlow.kt, EkycScreenModel.kt, run
#      by SampleFlowTest and SampleScreenModelTest);
#      run the tests through JNA against the TESTING library libmynakit_testkit_ffi.so, which
#      holds both components: the SDK component is pointed at it with
#      -Duniffi.component.mynakit.libraryOverride=mynakit_testkit_ffi (the property the
#      generated findLibraryName reads), the testkit component with its own property. Each test
#      drives the card through a transport written in Kotlin.
#   3b. the SDK bindings alone against the SHIPPED libmynakit_ffi.so (no override): the library
#      loads, its API checksums match, a session runs over a Kotlin transport (ShippedLibrary.kt)
#   4. compile-check the Android adapters (AndroidNfc.kt, IsoDepTransport.kt) and android-sample/
#      (release variant: SDK only; debug variant: with the testkit's virtual card) against
#      android-23.jar and the Compose declarations of android-sample/compose-stubs; the screen
#      through the Compose compiler plugin's front end, with a negative control
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
    android-sample/app/src/main/kotlin/jp/mynakit/sample/EkycFlow.kt \
    android-sample/app/src/main/kotlin/jp/mynakit/sample/EkycScreenModel.kt -d "$BUILD/classes"; then
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

# The sample's screen is Jetpack Compose. Google's Maven is out of reach here, so the Compose and
# androidx.activity calls it makes are declared in android-sample/compose-stubs (names, parameters
# and defaults from the API reference; see its README). Compiled first, then on the class path.
COMPOSE_STUBS=$BUILD/compose-stubs
COMPOSE_PLUGIN=$(dirname "$(dirname "$KOTLINC")")/lib/compose-compiler-plugin.jar
check "Compose declarations (android-sample/compose-stubs) compile against android-23.jar" \
    quiet "$KOTLINC" -jvm-target 17 -nowarn -cp "$ANDROID_JAR:$KOTLIN_CP" android-sample/compose-stubs -d "$COMPOSE_STUBS"
SAMPLE_CP=$ANDROID_JAR:$KOTLIN_CP:$COMPOSE_STUBS
RELEASE_SOURCES=(bindings/kotlin/src/main/kotlin bindings/kotlin/src/android/kotlin
    android-sample/app/src/main/kotlin android-sample/app/src/release/kotlin)
check "Android adapters and android-sample (release variant: SDK only) compile against android-23.jar" \
    quiet "$KOTLINC" -jvm-target 17 -nowarn -cp "$SAMPLE_CP" "${RELEASE_SOURCES[@]}" -d "$BUILD/android"
check "android-sample debug variant (virtual card from the testkit) compiles against android-23.jar" \
    quiet "$KOTLINC" -jvm-target 17 -nowarn -cp "$SAMPLE_CP" \
    bindings/kotlin/src/main/kotlin bindings/kotlin/src/android/kotlin bindings/kotlin/src/testkit/kotlin \
    android-sample/app/src/main/kotlin android-sample/app/src/debug/kotlin \
    -d "$BUILD/android-debug"

# The Compose compiler plugin (shipped with kotlinc) over the release sources: its front-end
# checks (composable calls only from composable context, …) must report nothing. Its code
# generation needs the real Compose runtime, so a clean front end ends at the plugin's runtime
# check in IR generation: that, and no diagnostic, is a pass. Anything else fails.
compose_frontend() {
    local log=$1; shift
    "$KOTLINC" -jvm-target 17 -nowarn -Xplugin="$COMPOSE_PLUGIN" -cp "$SAMPLE_CP" "$@" -d "$BUILD/compose-frontend" >"$log" 2>&1
    if grep -qE '(^|: )error: ' "$log"; then
        grep -E '(^|: )error: ' "$log" | head -n 20
        return 1
    fi
    grep -q 'IncompatibleComposeRuntimeVersionException' "$log" || { echo "did not reach IR generation:"; tail -n 20 "$log"; return 1; }
}
compose_plugin_check() {
    [[ -f $COMPOSE_PLUGIN ]] || { echo "no $COMPOSE_PLUGIN"; return 1; }
    compose_frontend "$BUILD/compose-frontend.log" "${RELEASE_SOURCES[@]}"
}
check "android-sample screen through the Compose compiler plugin's front end (no diagnostic)" compose_plugin_check

# Negative control: the same run must fail when a composable is called from a click handler.
compose_plugin_control() {
    local dir=$BUILD/compose-control
    rm -rf "$dir" && mkdir -p "$dir" && cp -r android-sample/app/src/main/kotlin "$dir/main" || return 1
    local file=$dir/main/jp/mynakit/sample/MainActivity.kt
    sed -i 's/Button(onClick = { model.checkRetries() }/Button(onClick = { model.checkRetries(); Text("x") }/' "$file"
    grep -q 'model.checkRetries(); Text("x")' "$file" || { echo "control mutation not applied"; return 1; }
    if compose_frontend "$BUILD/compose-control.log" bindings/kotlin/src/main/kotlin bindings/kotlin/src/android/kotlin \
        "$dir/main" android-sample/app/src/release/kotlin >/dev/null; then
        echo "a composable call in a click handler was not reported"
        return 1
    fi
    grep -q '@Composable invocations can only happen from the context of a @Composable function' "$BUILD/compose-control.log" \
        || { echo "failed for another reason:"; grep -E 'error: ' "$BUILD/compose-control.log" | head; return 1; }
}
check "negative control: the plugin reports a composable called from onClick" compose_plugin_control

check "cargo check -p mynakit-ffi --target aarch64-linux-android" \
    scripts/test-mobile-targets.sh android

passed=$((junit_passed + checks_passed))
failed=$((junit_failed + checks_failed))
((failed == 0)) || echo "$PROG: failed: ${failed_names[*]}" >&2
echo "$passed passed, $failed failed"
((failed == 0))
