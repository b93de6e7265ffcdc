// Not run here (see README.md). The MynaKit library module is bindings/kotlin.
pluginManagement {
    repositories { google(); mavenCentral(); gradlePluginPortal() }
    plugins {
        id("com.android.application") version "8.7.3"
        id("com.android.library") version "8.7.3"
        id("org.jetbrains.kotlin.android") version "2.1.0"
        // The Compose compiler ships with Kotlin 2.x: same version as the Kotlin plugin.
        id("org.jetbrains.kotlin.plugin.compose") version "2.1.0"
    }
}
dependencyResolutionManagement {
    repositories { google(); mavenCentral() }
}
rootProject.name = "mynakit-android-sample"
include(":app")
include(":mynakit")
project(":mynakit").projectDir = file("../bindings/kotlin")
