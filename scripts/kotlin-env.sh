# Source this (after scripts/setup-kotlin.sh) to get the Kotlin/JVM test toolchain:
#   KOTLINC        the kotlinc from the npm package kotlin-compiler
#   KOTLIN_CP      compile classpath: JNA, kotlinx-coroutines, kotlin-test(-junit), JUnit 4
#   KOTLIN_RUN_CP  extra entries for running: kotlin-stdlib, hamcrest-core
# Compile: "$KOTLINC" -jvm-target 17 -cp "$KOTLIN_CP" src.kt tests.kt -d build
# Run:     java -Djna.library.path=<libdir> -cp "build:$KOTLIN_CP:$KOTLIN_RUN_CP" org.junit.runner.JUnitCore <TestClass>
_mynakit_kc=${MYNAKIT_TOOLS:-/var/cache/mynakit-tools}/kotlin/node_modules/kotlin-compiler
export KOTLINC=$_mynakit_kc/bin/kotlinc
export KOTLIN_CP=/usr/share/java/jna.jar:$_mynakit_kc/lib/kotlinx-coroutines-core-jvm.jar:$_mynakit_kc/lib/kotlin-test.jar:$_mynakit_kc/lib/kotlin-test-junit.jar:/usr/share/java/junit4.jar
export KOTLIN_RUN_CP=$_mynakit_kc/lib/kotlin-stdlib.jar:/usr/share/java/hamcrest-core.jar
unset _mynakit_kc
if [[ ! -x $KOTLINC ]]; then
    echo "kotlin-env.sh: $KOTLINC not found; run scripts/setup-kotlin.sh" >&2
    return 1
fi
