// The MynaKit Android library module (AAR): the generated Kotlin bindings, the idiomatic layer,
// the IsoDep transport, and libmynakit_ffi.so for each Android ABI built by cargo-ndk.
//
// NOT RUN on this repository's machines: they have no Gradle, no Android SDK/NDK and no access to
// Google's Maven. What is verified here instead (scripts/test-kotlin.sh): the same Kotlin sources
// compile against the API-23 android.jar, the JVM tests pass against the Linux build of the
// library, and `cargo check --target aarch64-linux-android` passes. See docs/mobile.md.
//
// Prerequisites on a developer machine: Android SDK + NDK (ANDROID_NDK_HOME), Rust with the
// Android targets (`rustup target add aarch64-linux-android armv7-linux-androideabi
// x86_64-linux-android`), and cargo-ndk (`cargo install cargo-ndk`).
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "jp.mynakit"
    compileSdk = 35
    defaultConfig {
        // IsoDep extended-length queries exist since API 16; reader mode since API 19; MynaKit
        // is compile-checked against API 23.
        minSdk = 23
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", "src/android/kotlin")
        // Filled by the cargoNdk task below.
        jniLibs.srcDirs(layout.buildDirectory.dir("rustJniLibs"))
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for every Android ABI (the plain jar does not).
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}

// cargo-ndk builds the release cdylib for each ABI and lays it out as jniLibs/<abi>/libmynakit_ffi.so.
val cargoNdk by tasks.registering(Exec::class) {
    val workspace = rootProject.file("../..")
    workingDir = workspace
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "23",
        "-o", layout.buildDirectory.dir("rustJniLibs").get().asFile.absolutePath,
        "build", "--release", "-p", "mynakit-ffi", "--lib",
    )
}
tasks.named("preBuild") { dependsOn(cargoNdk) }
