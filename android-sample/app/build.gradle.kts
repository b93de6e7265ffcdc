// Gradle build of the sample app (not run on this repository's machines: no Gradle, no Android
// SDK, no Maven access; scripts/test-kotlin.sh compile-checks the sources instead, the Compose
// screen against the declarations in ../compose-stubs). It depends on the MynaKit Android
// library module (bindings/kotlin: AAR jp.mynakit:mynakit-android) and Jetpack Compose.
//
// Release: the SDK only. Debug: also the testkit, so an emulator without NFC can use the virtual
// card — its Kotlin (bindings/kotlin/src/testkit) and the TESTING library
// libmynakit_testkit_ffi.so (built below with cargo-ndk), which holds the SDK component too;
// the debug SampleCards points the SDK at it. Nothing of this reaches the release APK.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

val cargoWorkspace: Directory = layout.projectDirectory.dir("../..")
val testkitJniLibs = layout.buildDirectory.dir("testkitJniLibs")

android {
    namespace = "jp.mynakit.sample"
    compileSdk = 35
    ndkVersion = "28.2.13676358"
    defaultConfig {
        applicationId = "jp.mynakit.sample"
        minSdk = 23
        targetSdk = 35
    }
    sourceSets["main"].java.srcDirs("src/main/kotlin")
    sourceSets["release"].java.srcDirs("src/release/kotlin")
    sourceSets["debug"].apply {
        java.srcDirs("src/debug/kotlin", "../../bindings/kotlin/src/testkit/kotlin")
        jniLibs.srcDirs(testkitJniLibs)
    }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":mynakit"))
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    implementation(platform("androidx.compose:compose-bom:2025.05.00"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.foundation:foundation")
    implementation("androidx.activity:activity-compose:1.10.1")
}

// The testing library for debug builds only (x86_64 for the emulator, arm64-v8a for phones).
val cargoNdkTestkit by tasks.registering(Exec::class) {
    description = "Builds libmynakit_testkit_ffi.so (debug builds only: the virtual card)."
    outputs.dir(testkitJniLibs)
    workingDir = cargoWorkspace.asFile
    doFirst {
        environment("ANDROID_NDK_HOME", android.ndkDirectory.absolutePath)
    }
    commandLine(
        "cargo", "ndk", "-t", "arm64-v8a", "-t", "x86_64", "--platform", "23",
        "-o", testkitJniLibs.get().asFile.absolutePath,
        "build", "--release", "--locked", "-p", "mynakit-testkit-ffi", "--lib",
    )
}
tasks.matching { it.name == "preDebugBuild" }.configureEach { dependsOn(cargoNdkTestkit) }
