// The MynaKit Android library module (AAR `jp.mynakit:mynakit-android`): the generated Kotlin
// bindings, the idiomatic layer, the NFC reader (MynaNfcReader, IsoDepTransport) and
// libmynakit_ffi.so for each Android ABI, built by cargo-ndk with the NDK pinned below.
// THIS is how the shipped AAR is built. It contains nothing of the testkit (src/testkit is a
// test source directory below; the AAR's library is mynakit-ffi, not mynakit-testkit-ffi).
//
// NOT RUN on this repository's machines: they have no Gradle access to Google's Maven, no Android
// SDK and no NDK. What is verified there instead: the Kotlin sources compile against the API-23
// android.jar and their JVM tests pass (scripts/test-kotlin.sh); the Rust library links for
// arm64-v8a and x86_64 with zig and stub system libraries, and its exports, imports, 16 KB
// alignment and an AAR laid out like this module's are checked (scripts/build-android.sh, a link
// check, not the shipped artifact). See docs/mobile.md.
//
// Prerequisites on a developer machine: Android SDK with NDK $ndkVersion (Android Studio's SDK
// manager, or `sdkmanager "ndk;28.2.13676358"`), Rust with the Android targets
// (`rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`) and
// cargo-ndk 3.5+ (`cargo install cargo-ndk --version ^3.5 --locked`).
// Build: `gradle :assembleRelease` (AAR in build/outputs/aar); publish to the local Maven
// repository: `gradle :publishReleasePublicationToMavenLocal`.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
    `maven-publish`
}

// The Cargo workspace is two levels above this module (bindings/kotlin -> repository root),
// wherever the Gradle build that includes this module lives.
val cargoWorkspace: Directory = layout.projectDirectory.dir("../..")

// Version, licence and repository URL come from the workspace's [workspace.package], so the AAR
// and the Rust crates are released under one version.
val workspaceToml: String = cargoWorkspace.file("Cargo.toml").asFile.readText()
fun workspaceField(name: String): String =
    Regex("(?m)^" + name + """\s*=\s*"([^"]*)"""").find(workspaceToml)?.groupValues?.get(1)
        ?: error("$name not found in ${cargoWorkspace.file("Cargo.toml").asFile}")

group = "jp.mynakit"
version = workspaceField("version")

android {
    namespace = "jp.mynakit"
    compileSdk = 35
    // NDK r28c. r28 and later link 64-bit libraries with 16 KB ELF LOAD alignment by default
    // (required by Google Play for apps targeting Android 15+); the cargoNdk task below passes
    // -Wl,-z,max-page-size=16384 as well, so an older NDK picked by mistake cannot silently
    // produce 4 KB-aligned libraries.
    ndkVersion = "28.2.13676358"
    defaultConfig {
        // Reader mode needs API 19; MynaKit is compile-checked against API 23.
        minSdk = 23
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", "src/android/kotlin")
        // Filled by the cargoNdk task below.
        jniLibs.srcDirs(layout.buildDirectory.dir("rustJniLibs"))
    }
    // The testkit bindings (src/testkit: jp.mynakit.testkit, the virtual card, trace replay and
    // test trust anchors) are test sources only: never in the AAR. They need the testing library
    // libmynakit_testkit_ffi (crate mynakit-testkit-ffi), which holds the SDK's component too;
    // tests load it with -Duniffi.component.mynakit.libraryOverride=mynakit_testkit_ffi (JVM
    // unit tests: a host build on jna.library.path; see scripts/test-kotlin.sh and docs/mobile.md).
    sourceSets["test"].java.srcDirs("src/test/kotlin", "src/testkit/kotlin")
    sourceSets["androidTest"].java.srcDirs("src/testkit/kotlin")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    publishing {
        singleVariant("release") {
            withSourcesJar()
        }
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // `api`: apps call JNA-backed generated code and may use JNA types; as an AAR it carries
    // libjnidispatch.so for every Android ABI (the plain jar does not).
    api("net.java.dev.jna:jna:5.14.0@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}

val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val ndkDir = androidComponents.sdkComponents.ndkDirectory

// cargo-ndk builds the release cdylib of mynakit-ffi for each ABI and lays it out as
// rustJniLibs/<abi>/libmynakit_ffi.so, using the NDK that AGP resolved from ndkVersion.
val cargoNdk by tasks.registering(Exec::class) {
    description = "Builds libmynakit_ffi.so for every Android ABI with cargo-ndk."
    inputs.files(
        cargoWorkspace.file("Cargo.toml"),
        cargoWorkspace.file("Cargo.lock"),
        cargoWorkspace.dir("core/src"),
        cargoWorkspace.dir("ffi/src"),
        cargoWorkspace.file("core/Cargo.toml"),
        cargoWorkspace.file("ffi/Cargo.toml"),
    )
    outputs.dir(rustJniLibs)
    workingDir = cargoWorkspace.asFile
    doFirst {
        check(cargoWorkspace.file("ffi/Cargo.toml").asFile.isFile) {
            "the Cargo workspace was expected at ${cargoWorkspace.asFile} (with ffi/Cargo.toml)"
        }
        environment("ANDROID_NDK_HOME", ndkDir.get().asFile.absolutePath)
        // 16 KB pages for the 64-bit ABIs (r28's default too; target-specific so armeabi-v7a keeps 4 KB).
        environment("CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS", "-C link-arg=-Wl,-z,max-page-size=16384")
        environment("CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS", "-C link-arg=-Wl,-z,max-page-size=16384")
    }
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "23",
        "-o", rustJniLibs.get().asFile.absolutePath,
        "build", "--release", "--locked", "-p", "mynakit-ffi", "--lib",
    )
}
tasks.named("preBuild") { dependsOn(cargoNdk) }

// Maven coordinates jp.mynakit:mynakit-android:<version>, with the release AAR and its sources.
afterEvaluate {
    publishing {
        publications {
            create<MavenPublication>("release") {
                from(components["release"])
                groupId = "jp.mynakit"
                artifactId = "mynakit-android"
                version = project.version.toString()
                pom {
                    name.set("MynaKit for Android")
                    description.set(
                        "Reads the Japanese My Number Card (JPKI, 券面事項入力補助AP, 券面AP) over NFC: " +
                            "Kotlin API over the Rust core, with an IsoDep reader.",
                    )
                    url.set(workspaceField("repository"))
                    licenses {
                        // The workspace's licence expression ("MIT OR Apache-2.0"): the user picks one.
                        license {
                            name.set("MIT")
                            url.set("https://opensource.org/licenses/MIT")
                        }
                        license {
                            name.set("Apache-2.0")
                            url.set("https://www.apache.org/licenses/LICENSE-2.0")
                        }
                    }
                    developers {
                        developer {
                            id.set("mynakit")
                            name.set("MynaKit contributors")
                        }
                    }
                    scm {
                        connection.set("scm:git:" + workspaceField("repository"))
                        url.set(workspaceField("repository"))
                    }
                }
            }
        }
    }
}
