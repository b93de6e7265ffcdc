// swift-tools-version:6.0
// MynaKit for Swift: the generated uniffi bindings (Sources/MynaKit/MynaKit.swift), async/await
// wrappers, the NFC session runner and the CoreNFC adapter (compiled where CoreNFC exists).
// Swift 6 language mode: strict concurrency checking is on for every target.
//
// Products:
// - `MynaKit`: the SDK an app ships. It depends on nothing of the testkit.
// - `MynaKitTestkit` (development and test builds only, see below): the virtual card, trace replay and the test
//   trust anchors (generated Sources/MynaKitTestkit/MynaKitTestkit.swift over the C module
//   MynaKitTestkitFFI), for tests. It needs the TESTING library libmynakit_testkit_ffi, which
//   holds both uniffi components (the SDK's and the testkit's); apps never link it.
//
// Two ways to provide the Rust library (the C module MynaKitFFI):
// - MYNAKIT_SWIFT_LIBDIR=<dir with the library> set: a local build, linked from that directory
//   (Linux tests in scripts/test-swift.sh; macOS development). MYNAKIT_SWIFT_FFI_LIB names the
//   library MynaKit links: `mynakit_ffi` (the default, what apps ship) or `mynakit_testkit_ffi`
//   (tests: one library holds both components, so the SDK's functions and the testkit's come
//   from the same copy of the Rust code; scripts/test-swift.sh sets it). The `MynaKitTestkit`
//   product is offered only with `mynakit_testkit_ffi`. On Linux this also adds the test-only
//   target `CoreNFC` (Tests/CoreNFCStub, written from Apple's documentation), so the CoreNFC
//   adapter type-checks there. The stub is never part of a shipped build.
// - unset: the XCFramework made by scripts/build-xcframework.sh (MynaKitFFI.xcframework next to
//   this file), as an app on iOS uses it. A release uses the Package.swift that
//   script writes, with `url:` and `checksum:` of the zipped XCFramework (see docs/mobile.md).
//   This development manifest also offers `MynaKitTestkit` here, for the iOS sample's simulator
//   target (the virtual card); MynaKit never depends on it. Its symbols exist only when the
//   XCFramework was made by `scripts/build-xcframework.sh --simulator-testkit`: then the
//   simulator and macOS slices hold the TESTING library (both components) and the device slice
//   the SDK's library, so nothing of the testkit can link into an iPhone build. With the release
//   XCFramework a target that uses MynaKitTestkit fails to link. The release manifest that
//   build-xcframework.sh writes has no MynaKitTestkit at all.
import Foundation
import PackageDescription

let environment = ProcessInfo.processInfo.environment
let libDir = environment["MYNAKIT_SWIFT_LIBDIR"]
let ffiLib = environment["MYNAKIT_SWIFT_FFI_LIB"] ?? "mynakit_ffi"
let withTestkit = libDir != nil && ffiLib == "mynakit_testkit_ffi"

var targets: [Target] = []
var products: [Product] = [
    .library(name: "MynaKit", targets: ["MynaKit"]),
]
var mynaKitDependencies: [Target.Dependency] = ["MynaKitFFI"]
var mynaKitLinker: [LinkerSetting] = []
if let libDir {
    targets.append(.systemLibrary(name: "MynaKitFFI", path: "Sources/MynaKitFFI"))
    mynaKitLinker = [
        .linkedLibrary(ffiLib),
        .unsafeFlags(["-L\(libDir)", "-Xlinker", "-rpath", "-Xlinker", libDir]),
    ]
    #if os(Linux)
    targets.append(.target(name: "CoreNFC", path: "Tests/CoreNFCStub"))
    mynaKitDependencies.append("CoreNFC")
    #endif
} else {
    targets.append(.binaryTarget(name: "MynaKitFFI", path: "MynaKitFFI.xcframework"))
}

targets.append(
    .target(
        name: "MynaKit",
        dependencies: mynaKitDependencies,
        path: "Sources/MynaKit",
        linkerSettings: mynaKitLinker
    )
)

if withTestkit {
    products.append(.library(name: "MynaKitTestkit", targets: ["MynaKitTestkit"]))
    targets += [
        .systemLibrary(name: "MynaKitTestkitFFI", path: "Sources/MynaKitTestkitFFI"),
        // The generated testkit bindings refer to the SDK's types (CardSession, MynaError, …):
        // Exports.swift imports MynaKit for the module. Linked symbols come from the same
        // library as MynaKit's (MYNAKIT_SWIFT_FFI_LIB=mynakit_testkit_ffi).
        .target(
            name: "MynaKitTestkit",
            dependencies: ["MynaKit", "MynaKitTestkitFFI"],
            path: "Sources/MynaKitTestkit"
        ),
        // The iOS sample's non-UI steps (ios-sample/MynaKitSample/EkycFlow.swift, copied here
        // by scripts/test-swift.sh), compiled and run against the virtual card by the tests.
        .target(
            name: "MynaKitSampleFlow",
            dependencies: ["MynaKit"],
            path: ".fixtures/sample"
        ),
        // Its two card sources (ios-sample/Device and ios-sample/Simulator, copied likewise):
        // one module each, as the Xcode project compiles each into its own app target.
        .target(
            name: "MynaKitSampleDevice",
            dependencies: ["MynaKit", "MynaKitSampleFlow"],
            path: ".fixtures/sample-device"
        ),
        .target(
            name: "MynaKitSampleSimulator",
            dependencies: ["MynaKit", "MynaKitTestkit", "MynaKitSampleFlow"],
            path: ".fixtures/sample-simulator"
        ),
        .testTarget(
            name: "MynaKitTests",
            dependencies: ["MynaKit", "MynaKitTestkit", "MynaKitSampleFlow", "MynaKitSampleDevice", "MynaKitSampleSimulator"],
            path: "Tests/MynaKitTests"
        ),
    ]
}

if libDir == nil {
    // The XCFramework's headers hold both C modules (Headers/MynaKitFFI/,
    // Headers/MynaKitTestkitFFI/); see above for where the testkit's symbols come from.
    products.append(.library(name: "MynaKitTestkit", targets: ["MynaKitTestkit"]))
    targets.append(
        .target(
            name: "MynaKitTestkit",
            dependencies: ["MynaKit", "MynaKitFFI"],
            path: "Sources/MynaKitTestkit"
        )
    )
}

let package = Package(
    name: "MynaKit",
    platforms: [.iOS(.v14), .macOS(.v12)],
    products: products,
    targets: targets,
    swiftLanguageModes: [.v6]
)
