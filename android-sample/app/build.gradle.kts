// Gradle build of the sample app (not run on this repository's machines: no Gradle, no Android
// SDK, no Maven access). It depends on the MynaKit Android library module described in
// docs/mobile.md (bindings/kotlin as an Android library with cargo-ndk and JNA's @aar).
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "jp.mynakit.sample"
    compileSdk = 35
    defaultConfig {
        applicationId = "jp.mynakit.sample"
        minSdk = 23
        targetSdk = 35
    }
    sourceSets["main"].java.srcDirs("src/main/kotlin")
}

dependencies {
    implementation(project(":mynakit"))
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
}
