// The iOS sample's screen model (ios-sample/MynaKitSample/EkycScreenModel.swift, compiled into the
// test build by scripts/test-swift.sh): what the SwiftUI screen shows after each tap, against the
// virtual card and a fake bank server. The screen itself only renders this state.
import Foundation
import XCTest
import MynaKit
import MynaKitSampleFlow
import MynaKitTestkit

/// Holds every session until `open()` is called.
private final class GatedCards: CardSource, @unchecked Sendable {
    let inner: VirtualCards
    private let lock = NSLock()
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false
    init(_ inner: VirtualCards) { self.inner = inner }
    func open() {
        let w: [CheckedContinuation<Void, Never>] = lock.withLock {
            isOpen = true
            defer { waiters = [] }
            return waiters
        }
        w.forEach { $0.resume() }
    }
    func session<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go: Bool = lock.withLock {
                if isOpen { return true }
                waiters.append(c)
                return false
            }
            if go { c.resume() }
        }
        return try await inner.session(body)
    }
    var apReadOptions: ApReadOptions { inner.apReadOptions }
}

/// The test cases call these on the main actor (the model is main-actor isolated, as a
/// SwiftUI screen uses it).
final class SampleScreenModelTests: XCTestCase {
    func testLoginShowsTheServersVerdictAndTheCounter() async throws { try await Scenarios.login() }
    func testTheLastTryIsOfferedOnlyAfterTheSdkStoppedAndOnlyOnce() async throws { try await Scenarios.lastTry() }
    func testOneCardActionAtATime() async throws { try await Scenarios.oneAtATime() }
    func testCardFaceFieldsAreCheckedBeforeAnyCard() async throws { try await Scenarios.cardFace() }

    func testStaticHelpers() {
        XCTAssertEqual(EkycScreenModel.retriesText(.remaining(remainingTries: 2)), "利用者証明用暗証番号：残り2回")
        XCTAssertEqual(EkycScreenModel.retriesText(.blocked), "ロックされています。市区町村の窓口で解除してください")
        XCTAssertNil(EkycScreenModel.parseDate("2000010"))
        XCTAssertEqual(EkycScreenModel.parseDate("20000101"), CalendarDate(year: 2000, month: 1, day: 1))
    }
}

@MainActor
private enum Scenarios {
    static func model(_ cards: any CardSource) -> EkycScreenModel {
        EkycScreenModel(flow: EkycFlow(cards: cards, server: FakeBank()))
    }

    static func login() async throws {
        let m = model(VirtualCards(try VirtualCardDevice(profile: "taro")))
        var seen: [ScreenState] = []
        m.onChange = { seen.append($0) }
        await m.checkRetries()?.value
        XCTAssertEqual(m.state.tries, "利用者証明用暗証番号：残り3回")
        XCTAssertTrue(seen.contains { $0.busy }, "the screen saw the busy state")
        XCTAssertFalse(m.state.busy)
        await m.login(pin: TestCard.taroAuthPin, useLastTry: false)?.value
        XCTAssertEqual(m.state.result, "利用者証明：銀行のサーバーで確認できました")
        XCTAssertFalse(m.state.offerLastTry)
        await m.sign(password: TestCard.taroSignPassword, consent: "同意します", useLastTry: false)?.value
        XCTAssertEqual(m.state.result, "電子署名：銀行のサーバーで確認できました")
        XCTAssertEqual(seen.last, m.state)
    }

    static func lastTry() async throws {
        let device = try VirtualCardDevice(profile: "taro")
        let m = model(VirtualCards(device))
        // A consent given before the SDK asked for it is ignored.
        await m.login(pin: "9999", useLastTry: true)?.value
        XCTAssertEqual(m.state.tries, "残り2回")
        await m.login(pin: "9999", useLastTry: true)?.value
        XCTAssertEqual(m.state.tries, "残り1回")
        XCTAssertEqual(device.remainingTries(credential: .jpkiAuthPin), 1)
        await m.login(pin: "9999", useLastTry: true)?.value
        XCTAssertTrue(m.state.offerLastTry, "the SDK stopped before the last try: the screen offers it")
        XCTAssertTrue(m.state.result.contains("最後の1回を使う"), m.state.result)
        XCTAssertEqual(device.remainingTries(credential: .jpkiAuthPin), 1, "the floor kept the last try")
        // Not ticked: the SDK stops again, nothing is sent.
        await m.login(pin: TestCard.taroAuthPin, useLastTry: false)?.value
        XCTAssertTrue(m.state.offerLastTry)
        XCTAssertEqual(device.remainingTries(credential: .jpkiAuthPin), 1)
        // Ticked: the last try is used, it succeeds, the offer is gone.
        await m.login(pin: TestCard.taroAuthPin, useLastTry: true)?.value
        XCTAssertEqual(m.state.result, "利用者証明：銀行のサーバーで確認できました")
        XCTAssertFalse(m.state.offerLastTry)
        XCTAssertEqual(device.remainingTries(credential: .jpkiAuthPin), 3)
    }

    static func oneAtATime() async throws {
        let inner = VirtualCards(try VirtualCardDevice(profile: "taro"))
        let gated = GatedCards(inner)
        let m = model(gated)
        guard let first = m.checkRetries() else { return XCTFail("the first tap runs") }
        XCTAssertTrue(m.state.busy)
        XCTAssertNil(m.login(pin: TestCard.taroAuthPin, useLastTry: false), "a second tap while the card is in use")
        XCTAssertNil(m.readAttributes(birth: "19900102", expiryYear: "2035", securityCode: "5678"))
        gated.open()
        await first.value
        XCTAssertEqual(m.state.tries, "利用者証明用暗証番号：残り3回")
        XCTAssertEqual(m.state.result, "", "the refused taps did nothing")
        XCTAssertEqual(inner.sessions, 1)
    }

    static func cardFace() async throws {
        let cards = VirtualCards(try VirtualCardDevice(profile: "taro"))
        let m = model(cards)
        for (birth, year, code) in [
            ("1990012", "2035", "5678"), ("1990-1-2", "2035", "5678"), ("19900102", "35", "5678"),
            ("19900102", "2035", "567"), ("19900102", "2035", "56a8"), ("１９９００１０２", "2035", "5678"),
            ("+1990102", "2035", "5678"),
        ] {
            XCTAssertNil(m.readAttributes(birth: birth, expiryYear: year, securityCode: code), "\(birth) \(year) \(code)")
            XCTAssertTrue(m.state.result.contains("確認してください"))
        }
        XCTAssertEqual(cards.sessions, 0, "no card was asked for")
        // A well-formed but impossible date reaches the SDK's calendar check, still before the card.
        await m.readAttributes(birth: "19901302", expiryYear: "2035", securityCode: "5678")?.value
        XCTAssertTrue(m.state.result.contains("MK-"), "the SDK's coded error: \(m.state.result)")
        XCTAssertEqual(cards.sessions, 0, "refused before the card")
        await m.readAttributes(birth: "19900102", expiryYear: "2035", securityCode: "5678")?.value
        XCTAssertTrue(m.state.result.hasPrefix("氏名："), m.state.result)
        XCTAssertTrue(m.state.result.contains("カードの署名を確認しました"), m.state.result)
        XCTAssertNil(m.state.photoPNG, "no photo without the ヘ method")
        XCTAssertEqual(cards.sessions, 1)
        // The ヘ method takes the same input, checked the same way; its photo reaches the screen.
        XCTAssertNil(m.chipRead(birth: "19900102", expiryYear: "2035", securityCode: "56a8"))
        XCTAssertEqual(cards.sessions, 1, "no card was asked for")
        await m.chipRead(birth: "19900102", expiryYear: "2035", securityCode: "5678")?.value
        XCTAssertTrue(m.state.result.contains("ヘ方式"), m.state.result)
        XCTAssertGreaterThan(m.state.photoPNG?.count ?? 0, 8)
        XCTAssertEqual(cards.sessions, 2)
        // The next action clears the photo.
        await m.readAttributes(birth: "19900102", expiryYear: "2035", securityCode: "5678")?.value
        XCTAssertNil(m.state.photoPNG)
    }
}
