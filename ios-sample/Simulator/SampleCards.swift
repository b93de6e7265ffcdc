// Simulator builds (target MynaKitSampleSimulator, iOS Simulator only): the simulator has no
// NFC, so the virtual card from the testkit stands in for a card. The target links the product
// MynaKitTestkit, which the package offers only in its simulator testing mode
// (`scripts/build-xcframework.sh --simulator-testkit`, TESTING library without a device slice):
// nothing of this reaches an iPhone build. The server is a development instance on the Mac that
// accepts the virtual card's TEST roots:
//   cargo run -p mynakit-server --bin mynakit-verify-service -- --listen 127.0.0.1:8080 --trust virtual-card --revocation-optional
import Foundation
import MynaKit
import MynaKitTestkit

/// The virtual card (profile `taro`: PIN 1234, signing password ABC123; birth date 1990-01-02,
/// expiry 2035, security code 5678 for 照合番号B). One card for the app's life, so its retry
/// counters carry over from tap to tap as a real card's do.
public struct VirtualCardSource: CardSource {
    let device: VirtualCardDevice

    public init(profile: String = "taro") throws {
        device = try VirtualCardDevice(profile: profile)
    }

    public func session<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T {
        device.powerCycle()   // each session starts as a card newly presented
        return try await body(MynaCard.open(transport: device.asTransport()))
    }

    /// The virtual card's 券面 signatures chain to its test CV key.
    public var apReadOptions: ApReadOptions { ApReadOptions(cvCaKeys: [virtualCardCvCaKey()]) }
}

public enum SampleCards {
    /// The Mac running the simulator (plain HTTP to the local machine: Info.plist of this target
    /// allows local networking only).
    public static let serverURL = URL(string: "http://127.0.0.1:8080")!
    public static let modeText = "シミュレーター：仮想カード（テスト用）を使います"

    public static func make() -> any CardSource {
        do {
            return try VirtualCardSource()
        } catch {
            return NoCards(detail: "the virtual card could not be created: \(error)")
        }
    }
}

/// No card reader: every session fails as an unavailable reader does (the screen says so).
struct NoCards: CardSource {
    let detail: String
    func session<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T {
        throw MynaNFCSessionError.readerUnavailable(detail: detail)
    }
    var apReadOptions: ApReadOptions { ApReadOptions() }
}
