// The iOS sample's eKYC steps (ios-sample/MynaKitSample/EkycFlow.swift) run against the
// virtual card with a fake bank server: the nonce reaches the card's signature, the evidence
// reaches the server, and every outcome an app must handle comes out as the sample shows it.
import Foundation
import XCTest
import MynaKit
import MynaKitSampleFlow
import MynaKitTestkit

/// The virtual card as the sample's debug card source (one card for the whole test).
final class VirtualCards: CardSource, @unchecked Sendable {
    let device: VirtualCardDevice
    private let lock = NSLock()
    private var _sessions = 0
    /// How many card sessions were opened.
    var sessions: Int { lock.withLock { _sessions } }
    init(_ device: VirtualCardDevice) { self.device = device }
    func session<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T {
        lock.withLock { _sessions += 1 }
        device.powerCycle()
        return try await body(MynaCard.open(transport: device.asTransport()))
    }
    var apReadOptions: ApReadOptions { ApReadOptions(cvCaKeys: [virtualCardCvCaKey()]) }
}

/// A bank server that issues one nonce and accepts evidence carrying it.
final class FakeBank: BankServer, @unchecked Sendable {
    let issued = Data((0..<32).map { UInt8($0 ^ 0x5A) })
    private let lock = NSLock()
    private var _received: [String] = []
    var received: [String] { lock.withLock { _received } }
    func nonce() async throws -> Data { issued }
    func verify(evidenceJSON: String) async throws -> ServerVerdict {
        lock.withLock { _received.append(evidenceJSON) }
        let hex = issued.map { String(format: "%02x", $0) }.joined()
        let carries = evidenceJSON.lowercased().contains(hex)
        return ServerVerdict(verdict: carries ? "accepted" : "rejected", failedChecks: carries ? [] : ["nonce.binding"])
    }
}

final class SampleFlowTests: XCTestCase {
    func testLoginSignAndAttributes() async throws {
        let device = try VirtualCardDevice(profile: "taro")
        let bank = FakeBank()
        let flow = EkycFlow(cards: VirtualCards(device), server: bank)
        guard case .remaining(3) = try await flow.retries(.jpkiAuthPin) else { return XCTFail("counter") }
        let login = await flow.login(pin: TestCard.taroAuthPin)
        XCTAssertEqual(login, .accepted("利用者証明"))
        let signed = await flow.sign(password: TestCard.taroSignPassword, consent: "同意します")
        XCTAssertEqual(signed, .accepted("電子署名"))
        XCTAssertEqual(bank.received.count, 2)
        XCTAssertTrue(bank.received[0].contains("jpki_login"), bank.received[0])
        // taro: born 1990-01-02 (平成2), card expiry 2035, security code 5678.
        let attrs = await flow.readAttributes(birth: CalendarDate(year: 1990, month: 1, day: 2), expiryYear: 2035, securityCode: "5678")
        guard case .attributes(let name, _, let verified) = attrs else { return XCTFail("\(attrs)") }
        XCTAssertFalse(name.isEmpty)
        XCTAssertTrue(verified)
    }

    func testChipReadTheHeMethod() async throws {
        let device = try VirtualCardDevice(profile: "taro")
        let bank = FakeBank()
        let flow = EkycFlow(cards: VirtualCards(device), server: bank)
        let r = await flow.chipRead(birth: CalendarDate(year: 1990, month: 1, day: 2), expiryYear: 2035, securityCode: "5678")
        guard case .chipRead(let name, _, let png?) = r else { return XCTFail("\(r)") }
        XCTAssertEqual(name, "見本\u{3000}太郎")
        XCTAssertEqual(png.prefix(8), Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // One bundle reached the bank: the ヘ method's; one VERIFY per application.
        XCTAssertEqual(bank.received.count, 1)
        XCTAssertTrue(bank.received[0].contains("\"method\": \"chip_read\""), bank.received[0])
        XCTAssertEqual(device.verifyAttempts(), 2)
        // A bank that refuses: no photo, the failed checks shown.
        let refused = await EkycFlow(cards: VirtualCards(device), server: RefusingBank())
            .chipRead(birth: CalendarDate(year: 1990, month: 1, day: 2), expiryYear: 2035, securityCode: "5678")
        XCTAssertEqual(refused, .rejected(failedChecks: ["nonce.binding"]))
    }

    func testEveryOutcomeTheSampleHandles() async throws {
        let device = try VirtualCardDevice(profile: "taro")
        let flow = EkycFlow(cards: VirtualCards(device), server: FakeBank())
        guard case .wrongPin(2, let m) = await flow.login(pin: "9999") else { return XCTFail("wrong PIN") }
        XCTAssertTrue(m.contains("2"), m)
        _ = await flow.login(pin: "9999")                       // 1 left
        guard case .lastTry(1, _) = await flow.login(pin: "9999") else { return XCTFail("floor") }
        XCTAssertEqual(device.remainingTries(credential: .jpkiAuthPin), 1, "the floor kept the last try")
        let last = await flow.login(pin: TestCard.taroAuthPin, allowLastTry: true)
        XCTAssertEqual(last, .accepted("利用者証明"))
        guard case .failed = await flow.readAttributes(
            birth: CalendarDate(year: 1990, month: 13, day: 2), expiryYear: 2035, securityCode: "5678")
        else { return XCTFail("a bad date is refused before the card") }
        try device.setRemainingTries(credential: .jpkiAuthPin, remaining: 0)
        guard case .blocked = await flow.login(pin: TestCard.taroAuthPin) else { return XCTFail("blocked") }
    }
}

/// A bank whose server refuses every bundle.
struct RefusingBank: BankServer {
    func nonce() async throws -> Data { Data(repeating: 7, count: 32) }
    func verify(evidenceJSON: String) async throws -> ServerVerdict {
        ServerVerdict(verdict: "rejected", failedChecks: ["nonce.binding"])
    }
}
