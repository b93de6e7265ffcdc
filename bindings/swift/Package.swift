// swift-tools-version:5.9
// MynaKit for Swift: the generated uniffi bindings (Sources/MynaKit/MynaKit.swift), async/await
// wrappers, and the CoreNFC transport (iOS only).
//
// Two ways to provide the Rust library (the C module MynaKitFFI):
// - MYNAKIT_SWIFT_LIBDIR=<dir with libmynakit_ffi.so|.a|.dylib> set: a local build, linked from
//   that directory (Linux tests in scripts/test-swift.sh; macOS development).
// - unset: the XCFramework made by scripts/build-xcframework.sh (MynaKitFFI.xcframework next to
//   this file), as an app on iOS uses it. A release would point `url:`/`checksum:` at a zipped
//   XCFramework instead of `path:` (see docs/mobile.md).
import Foundation
import PackageDescription

let libDir = ProcessInfo.processInfo.environment["MYNAKIT_SWIFT_LIBDIR"]

let ffiTarget: Target
var mynaKitLinker: [LinkerSetting] = []
if let libDir {
    ffiTarget = .systemLibrary(name: "MynaKitFFI", path: "Sources/MynaKitFFI")
    mynaKitLinker = [
        .linkedLibrary("mynakit_ffi"),
        .unsafeFlags(["-L\(libDir)", "-Xlinker", "-rpath", "-Xlinker", libDir]),
    ]
} else {
    ffiTarget = .binaryTarget(name: "MynaKitFFI", path: "MynaKitFFI.xcframework")
}

let package = Package(
    name: "MynaKit",
    platforms: [.iOS(.v14), .macOS(.v12)],
    products: [
        .library(name: "MynaKit", targets: ["MynaKit"]),
    ],
    targets: [
        ffiTarget,
        .target(
            name: "MynaKit",
            dependencies: ["MynaKitFFI"],
            path: "Sources/MynaKit",
            linkerSettings: mynaKitLinker
        ),
        .testTarget(
            name: "MynaKitTests",
            dependencies: ["MynaKit"],
            path: "Tests/MynaKitTests"
        ),
    ]
)
