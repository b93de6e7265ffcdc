// The iOS sample's two card sources (ios-sample/Device, ios-sample/Simulator; each its own
// module here, as each is its own app target in the Xcode project): the simulator's virtual
// card runs the sample's whole flow through the screen model, and the device's source is the
// SDK's NFC session runner with the bank's HTTPS server.
import Foundation
import XCTest
import MynaKit
import MynaKitSampleDevice
import MynaKitSampleFlow
import MynaKitSampleSimulator
import MynaKitTestkit

final class SampleCardsTests: XCTestCase {
    func testSimulatorTargetRunsTheSampleOnTheVirtualCard() async throws {
        try await SimulatorScenario.run()
    }

    func testSimulatorVirtualCardRejectsAnUnknownProfile() {
        XCTAssertThrowsError(try VirtualCardSource(profile: "no-such-profile"))
    }

    func testDeviceTargetUsesNFCAndHTTPS() {
        XCTAssertTrue(MynaKitSampleDevice.SampleCards.make() is NFCCardSource)
        XCTAssertEqual(MynaKitSampleDevice.SampleCards.serverURL.scheme, "https")
        XCTAssertEqual(MynaKitSampleSimulator.SampleCards.serverURL.host, "127.0.0.1",
                       "the simulator's plain-HTTP server is the local machine only")
    }
}

@MainActor
private enum SimulatorScenario {
    static func run() async throws {
        let cards = MynaKitSampleSimulator.SampleCards.make()
        XCTAssertTrue(cards is VirtualCardSource)
        let m = EkycScreenModel(flow: EkycFlow(cards: cards, server: FakeBank()))
        await m.checkRetries()?.value
        XCTAssertEqual(m.state.tries, "利用者証明用暗証番号：残り3回")
        await m.login(pin: TestCard.taroAuthPin, useLastTry: false)?.value
        XCTAssertEqual(m.state.result, "利用者証明：銀行のサーバーで確認できました")
        await m.sign(password: TestCard.taroSignPassword, consent: "同意します", useLastTry: false)?.value
        XCTAssertEqual(m.state.result, "電子署名：銀行のサーバーで確認できました")
        // The card's counters carry over between taps, as a real card's do.
        await m.login(pin: "9999", useLastTry: false)?.value
        await m.checkRetries()?.value
        XCTAssertEqual(m.state.tries, "利用者証明用暗証番号：残り2回")
        // The 券面 checks use the virtual card's test CV key (apReadOptions).
        await m.readAttributes(birth: "19900102", expiryYear: "2035", securityCode: "5678")?.value
        XCTAssertTrue(m.state.result.hasPrefix("氏名："), m.state.result)
        XCTAssertTrue(m.state.result.contains("カードの署名を確認しました"), m.state.result)
    }
}
