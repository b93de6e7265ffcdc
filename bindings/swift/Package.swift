// swift-tools-version:6.0
// MynaKit for Swift: the generated uniffi bindings (Sources/MynaKit/MynaKit.swift), async/await
// wrappers, the NFC session runner and the CoreNFC adapter (compiled where CoreNFC exists).
// Swift 6 language mode: strict concurrency checking is on for every target.
//
// Two ways to provide the Rust library (the C module MynaKitFFI):
// - MYNAKIT_SWIFT_LIBDIR=<dir with libmynakit_ffi.so|.a|.dylib> set: a local build, linked from
//   that directory (Linux tests in scripts/test-swift.sh; macOS development). On Linux this also
//   adds the test-only target `CoreNFC` (Tests/CoreNFCStub, written from Apple's documentation),
//   so the CoreNFC adapter type-checks there. The stub is never part of a shipped build.
// - unset: the XCFramework made by scripts/build-xcframework.sh (MynaKitFFI.xcframework next to
//   this file), as an app on iOS uses it. A release uses the Package.swift that script writes,
//   with `url:` and `checksum:` of the zipped XCFramework (see docs/mobile.md).
import Foundation
import PackageDescription

let libDir = ProcessInfo.processInfo.environment["MYNAKIT_SWIFT_LIBDIR"]

var targets: [Target] = []
var mynaKitDependencies: [Target.Dependency] = ["MynaKitFFI"]
var mynaKitLinker: [LinkerSetting] = []
if let libDir {
    targets.append(.systemLibrary(name: "MynaKitFFI", path: "Sources/MynaKitFFI"))
    mynaKitLinker = [
        .linkedLibrary("mynakit_ffi"),
        .unsafeFlags(["-L\(libDir)", "-Xlinker", "-rpath", "-Xlinker", libDir]),
    ]
    #if os(Linux)
    targets.append(.target(name: "CoreNFC", path: "Tests/CoreNFCStub"))
    mynaKitDependencies.append("CoreNFC")
    #endif
} else {
    targets.append(.binaryTarget(name: "MynaKitFFI", path: "MynaKitFFI.xcframework"))
}

targets += [
    .target(
        name: "MynaKit",
        dependencies: mynaKitDependencies,
        path: "Sources/MynaKit",
        linkerSettings: mynaKitLinker
    ),
    .testTarget(
        name: "MynaKitTests",
        dependencies: ["MynaKit"],
        path: "Tests/MynaKitTests"
    ),
]

let package = Package(
    name: "MynaKit",
    platforms: [.iOS(.v14), .macOS(.v12)],
    products: [
        .library(name: "MynaKit", targets: ["MynaKit"]),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
