// Lets bindings/kotlin build and publish on its own (`gradle :publishReleasePublicationToMavenLocal`
// from this directory). An app that includes the module in its own build (`include(":mynakit")`
// with `project(":mynakit").projectDir = file("<repo>/bindings/kotlin")`) declares the same
// plugin versions in its settings. Not run on this repository's machines (no Google Maven).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
    plugins {
        id("com.android.library") version "8.7.3"
        id("org.jetbrains.kotlin.android") version "2.1.20"
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "mynakit-android"
