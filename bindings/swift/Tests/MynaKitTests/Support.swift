// Test support: a CardTransport written in Swift over the virtual card, with fault injection.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

/// The virtual card's test credentials (test-vectors/cards/<profile>/profile.json).
enum TestCard {
    static let taroAuthPin = "1234"
    static let taroSignPassword = "ABC123"
    static let hanakoAuthPin = "4321"
    /// 2026-01-01T00:00:00Z: the virtual card's certificates are valid then.
    static let validAt: UInt64 = 1_767_225_600
}

/// A file below the repository's test-vectors/ (staged by scripts/test-swift.sh; the directory
/// is in MYNAKIT_FIXTURES).
func testVector(_ path: String) throws -> Data {
    guard let root = ProcessInfo.processInfo.environment["MYNAKIT_FIXTURES"] else {
        throw XCTSkip("MYNAKIT_FIXTURES is not set")
    }
    return try Data(contentsOf: URL(fileURLWithPath: root).appendingPathComponent(path))
}

/// What goes wrong at one exchange.
struct Fault {
    /// 0-based exchange index.
    let at: Int
    /// The card processes the command before the failure.
    var afterDelivery = false
    /// The error the transport throws.
    let error: Error
}

/// An error type the interface does not declare.
struct ReaderExploded: Error, CustomStringConvertible {
    var description: String { "ReaderExploded: the reader exploded" }
}

/// A `CardTransport` written in Swift: each APDU goes to `device` through the foreign boundary
/// and back. Records headers and hints only (a VERIFY carries the PIN).
final class SwiftVirtualTransport: CardTransport, @unchecked Sendable {
    let device: VirtualCardDevice
    private let faults: [Fault]
    private(set) var exchanges = 0
    private(set) var seen: [(header: [UInt8], hint: ExchangeHint)] = []

    init(_ device: VirtualCardDevice, faults: [Fault] = []) {
        self.device = device
        self.faults = faults
    }

    func transmit(apdu: Data, hint: ExchangeHint) throws -> Data {
        let index = exchanges
        exchanges += 1
        seen.append((Array(apdu.prefix(4)), hint))
        if let fault = faults.first(where: { $0.at == index }) {
            if fault.afterDelivery { _ = device.process(apdu: apdu) }
            throw fault.error
        }
        return device.process(apdu: apdu)
    }

    func capabilities() -> TransportCapabilities { device.capabilities() }

    var instructions: [UInt8] { seen.map { $0.header[1] } }
}

func session(
    _ profile: String = "taro", options: VirtualCardOptions = VirtualCardOptions(), faults: [Fault] = []
) throws -> (CardSession, SwiftVirtualTransport) {
    let t = SwiftVirtualTransport(try VirtualCardDevice.withOptions(profile: profile, options: options), faults: faults)
    return (try CardSession(transport: t), t)
}

/// Runs `body`, which must throw; returns the error for pattern matching.
func thrown<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> Error? {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

