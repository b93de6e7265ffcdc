// Errors through the bindings carry the core's layer, stable code and Japanese/English user
// messages. Expected texts are the core's (core/src/error.rs), written out here by hand.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

/// A transport over `device` that throws `fault` at exchange `at` (0-based).
private final class FailingTransport: CardTransport, @unchecked Sendable {
    let device: VirtualCardDevice
    let at: Int
    let fault: Error
    private var exchanges = 0

    init(_ device: VirtualCardDevice, at: Int, fault: Error) {
        self.device = device
        self.at = at
        self.fault = fault
    }

    func transmit(apdu: Data, hint: ExchangeHint) throws -> Data {
        let index = exchanges
        exchanges += 1
        if index == at { throw fault }
        return device.process(apdu: apdu)
    }

    func capabilities() -> TransportCapabilities { device.capabilities() }
}

final class ErrorCodesTests: XCTestCase {
    /// The error `body` throws, as a `MynaError`, with what every error must have.
    private func myna<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> MynaError? {
        guard let e = thrown(body, file: file, line: line) as? MynaError else {
            XCTFail("a MynaError expected", file: file, line: line)
            return nil
        }
        XCTAssertTrue(e.code.hasPrefix("MK-"), e.code, file: file, line: line)
        XCTAssertFalse(e.messageJa.isEmpty, file: file, line: line)
        XCTAssertFalse(e.messageEn.isEmpty, file: file, line: line)
        XCTAssertEqual(e.userMessage(locale: Locale(identifier: "ja_JP")), e.messageJa, file: file, line: line)
        XCTAssertEqual(e.userMessage(locale: Locale(identifier: "en_US")), e.messageEn, file: file, line: line)
        XCTAssertEqual(e.info, e.errorInfo(), file: file, line: line)
        return e
    }

    func testWrongPinHasTheCredentialLayerTheCodeAndTheRemainingTries() throws {
        let s = try virtualCardSession(profile: "taro")
        guard let e = myna({ try s.verify(credential: .jpkiAuthPin, value: "9999", allowBelowFloor: false) }),
              case MynaError.WrongPin(.jpkiAuthPin, 2, let detail) = e
        else { return XCTFail("WrongPin expected") }
        XCTAssertEqual(e.layer, .credential)
        XCTAssertEqual(e.code, "MK-CRED-WRONG")
        XCTAssertEqual(e.messageJa, "利用者証明用暗証番号が違います。残り2回です。")
        XCTAssertEqual(e.messageEn, "The user authentication PIN is incorrect. 2 attempts remaining.")
        XCTAssertEqual(e.technicalDetail, detail)
        XCTAssertFalse(e.messageJa.contains("9999") || detail.contains("9999"))
    }

    func testFormatErrorsSayHowToEnterTheValue() throws {
        let s = try virtualCardSession(profile: "taro")
        guard let e = myna({ try s.verify(credential: .jpkiAuthPin, value: "12a4", allowBelowFloor: false) }),
              case MynaError.InvalidCredentialFormat(.jpkiAuthPin, _) = e
        else { return XCTFail("InvalidCredentialFormat expected") }
        XCTAssertEqual(e.layer, .credential)
        XCTAssertEqual(e.code, "MK-CRED-FORMAT")
        XCTAssertEqual(e.messageJa, "利用者証明用暗証番号は数字4桁で入力してください。")
        XCTAssertEqual(e.messageEn, "Enter the user authentication PIN as 4 digits.")
    }

    func testBlockedAndTheFloor() throws {
        let device = try VirtualCardDevice(profile: "taro")
        try device.setRemainingTries(credential: .jpkiSignPassword, remaining: 1)
        let s = try CardSession(transport: FailingTransport(device, at: -1, fault: ReaderExploded()))
        guard let f = myna({ try s.jpkiSignCertificate(password: TestCard.taroSignPassword, allowBelowFloor: false) }),
              case MynaError.RetryFloor(.jpkiSignPassword, 1?, 1, _) = f
        else { return XCTFail("RetryFloor expected") }
        XCTAssertEqual(f.code, "MK-CRED-FLOOR")
        XCTAssertEqual(f.layer, .credential)
        try device.setRemainingTries(credential: .jpkiSignPassword, remaining: 0)
        guard let b = myna({ try s.jpkiSignCertificate(password: TestCard.taroSignPassword, allowBelowFloor: true) }),
              case MynaError.Blocked(.jpkiSignPassword, _) = b
        else { return XCTFail("Blocked expected") }
        XCTAssertEqual(b.code, "MK-CRED-BLOCKED")
        XCTAssertTrue(b.messageJa.hasPrefix("署名用パスワードはロックされています。"), b.messageJa)
    }

    func testARemovedCardIsATransportErrorAndDuringAVerifyAnUnknownOutcome() throws {
        // 0 SELECT, 1.. READ BINARY: the tag is lost at the third exchange.
        let s = try CardSession(transport: FailingTransport(
            try VirtualCardDevice(profile: "taro"), at: 2, fault: TransportError.CardRemoved(detail: "Tag connection lost")))
        guard let e = myna({ try s.jpkiAuthCertificate() }), case MynaError.CardRemoved(let detail) = e
        else { return XCTFail("CardRemoved expected") }
        XCTAssertEqual(e.layer, .transport)
        XCTAssertEqual(e.code, "MK-LINK-REMOVED")
        XCTAssertEqual(e.messageJa, "カードとの通信が途切れました。カードをもう一度かざし、読み取りが終わるまで動かさないでください。")
        XCTAssertTrue(detail.contains("Tag connection lost"), detail)
        // Exchange 2 of a verify on a fresh session is the VERIFY (0 SELECT, 1 retry query).
        let s2 = try CardSession(transport: FailingTransport(
            try VirtualCardDevice(profile: "taro"), at: 2, fault: TransportError.CardRemoved(detail: "lost")))
        guard let u = myna({ try s2.verify(credential: .jpkiAuthPin, value: "0000", allowBelowFloor: false) }),
              case MynaError.VerifyOutcomeUnknown(.jpkiAuthPin, .cardRemoved?, nil, _) = u
        else { return XCTFail("VerifyOutcomeUnknown expected") }
        XCTAssertEqual(u.layer, .credential)
        XCTAssertEqual(u.code, "MK-CRED-UNKNOWN")
        XCTAssertTrue(u.messageJa.contains("残り回数を確認"), u.messageJa)
        // An error the Swift layer makes itself from a platform error.
        let made = MynaError.CardRemoved(detail: "connect failed")
        XCTAssertEqual(made.code, "MK-LINK-REMOVED")
        XCTAssertEqual(made.layer, .transport)
    }

    func testOtherLayers() throws {
        let hanako = try virtualCardSession(profile: "hanako")
        guard let n = myna({ try hanako.jpkiSignCertificate(password: TestCard.taroSignPassword, allowBelowFloor: false) }),
              case MynaError.NotAvailable = n
        else { return XCTFail("NotAvailable expected") }
        XCTAssertEqual(n.layer, .cardStatus)
        XCTAssertEqual(n.code, "MK-CARD-NOT-AVAILABLE")
        let s = try CardSession(transport: FailingTransport(
            try VirtualCardDevice(profile: "taro"), at: 0, fault: TransportError.Timeout(detail: "slow")))
        guard let t = myna({ try s.jpkiTokenInfo() }), case MynaError.Transport(.timeout, _) = t
        else { return XCTFail("Transport(timeout) expected") }
        XCTAssertEqual(t.code, "MK-LINK-TIMEOUT")
        let s2 = try CardSession(transport: FailingTransport(
            try VirtualCardDevice(profile: "taro"), at: 1, fault: ReaderExploded()))
        guard let x = myna({ try s2.jpkiTokenInfo() }), case MynaError.ForeignException = x
        else { return XCTFail("ForeignException expected") }
        XCTAssertEqual(x.code, "MK-LINK-FOREIGN")
        XCTAssertEqual(x.layer, .transport)
        let internalError = MynaError.Internal(detail: "?")
        XCTAssertEqual(internalError.code, "MK-INTERNAL")
        XCTAssertEqual(internalError.layer, .`internal`)
        XCTAssertEqual(errorInfoForCode(code: "MK-LINK-NFC-UNAVAILABLE", detail: "")?.layer, .transport)
        XCTAssertNil(errorInfoForCode(code: "MK-NO-SUCH-CODE", detail: ""))
    }
}
