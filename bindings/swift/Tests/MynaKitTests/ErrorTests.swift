// Exact typed errors through the Swift transport.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

final class ErrorTests: XCTestCase {
    /// Exchanges of `verify` on a fresh session: 0 SELECT, 1 retry query, 2 VERIFY.
    private let verifyExchange = 2

    func testWrongPinReportsTheRemainingTries() throws {
        let (s, t) = try session()
        guard case MynaError.WrongPin(let credential, let remaining, let detail)? =
            thrown({ try s.verify(credential: .jpkiAuthPin, value: "9999", allowBelowFloor: false) })
        else { return XCTFail("WrongPin expected") }
        XCTAssertEqual(credential, .jpkiAuthPin)
        XCTAssertEqual(remaining, 2)
        XCTAssertFalse(detail.contains("9999"))
        XCTAssertEqual(t.device.remainingTries(credential: .jpkiAuthPin), 2)
        try s.verify(credential: .jpkiAuthPin, value: TestCard.taroAuthPin, allowBelowFloor: false)
        XCTAssertEqual(t.device.remainingTries(credential: .jpkiAuthPin), 3)
        XCTAssertEqual(t.device.verifyAttempts(), 2)
    }

    func testBlockingTryThenBlocked() throws {
        let device = try VirtualCardDevice(profile: "taro")
        try device.setRemainingTries(credential: .jpkiAuthPin, remaining: 1)
        let t = SwiftVirtualTransport(device)
        let s = try CardSession(transport: t)
        guard case MynaError.WrongPin(_, 0, _)? = thrown({ try s.verify(credential: .jpkiAuthPin, value: "0000", allowBelowFloor: true) })
        else { return XCTFail("WrongPin with 0 remaining expected") }
        XCTAssertEqual(try s.retryStatus(credential: .jpkiAuthPin), .blocked)
        let attempts = device.verifyAttempts()
        guard case MynaError.Blocked(.jpkiAuthPin, _)? = thrown({ try s.verify(credential: .jpkiAuthPin, value: TestCard.taroAuthPin, allowBelowFloor: true) })
        else { return XCTFail("Blocked expected") }
        XCTAssertEqual(device.verifyAttempts(), attempts)
    }

    func testTheFloorRefusesWithoutSendingAVerify() throws {
        let device = try VirtualCardDevice(profile: "taro")
        try device.setRemainingTries(credential: .jpkiSignPassword, remaining: 1)
        let s = try CardSession(transport: SwiftVirtualTransport(device))
        guard case MynaError.RetryFloor(.jpkiSignPassword, 1?, 1, _)? =
            thrown({ try s.jpkiSignCertificate(password: TestCard.taroSignPassword, allowBelowFloor: false) })
        else { return XCTFail("RetryFloor expected") }
        XCTAssertEqual(device.verifyAttempts(), 0)
    }

    func testMalformedCredentialsSendNoApdu() throws {
        for (credential, value) in [(Credential.jpkiAuthPin, "12a4"), (.jpkiSignPassword, "AB12")] {
            let (s, t) = try session()
            guard case MynaError.InvalidCredentialFormat(let c, _)? = thrown({ try s.verify(credential: credential, value: value, allowBelowFloor: false) })
            else { return XCTFail("InvalidCredentialFormat expected") }
            XCTAssertEqual(c, credential)
            XCTAssertEqual(t.exchanges, 0)
        }
    }

    func testCardRemovedInTheMiddleOfAReadIsTypedAndTheSessionRecovers() throws {
        let (s, t) = try session(faults: [Fault(at: 3, error: TransportError.CardRemoved(detail: "Tag connection lost"))])
        guard case MynaError.CardRemoved(let detail)? = thrown({ try s.jpkiAuthCertificate() })
        else { return XCTFail("CardRemoved expected") }
        XCTAssertTrue(detail.contains("Tag connection lost"), detail)
        let before = t.exchanges
        XCTAssertEqual(try s.jpkiAuthCertificate().der, try testVector("cards/taro/auth-cert.der"))
        XCTAssertEqual(t.instructions[before], 0xA4)
    }

    func testCardRemovedDuringVerifyIsOutcomeUnknown() throws {
        for afterDelivery in [false, true] {
            let (s, t) = try session(faults: [Fault(at: verifyExchange, afterDelivery: afterDelivery,
                                                    error: TransportError.CardRemoved(detail: "lost"))])
            guard case MynaError.VerifyOutcomeUnknown(.jpkiAuthPin, .cardRemoved?, nil, let detail)? =
                thrown({ try s.verify(credential: .jpkiAuthPin, value: "0000", allowBelowFloor: false) })
            else { return XCTFail("VerifyOutcomeUnknown expected") }
            XCTAssertTrue(detail.contains("read the retry counter"))
            XCTAssertEqual(t.device.verifyAttempts(), afterDelivery ? 1 : 0)
            XCTAssertEqual(try s.retryStatus(credential: .jpkiAuthPin), .remaining(remainingTries: afterDelivery ? 2 : 3))
        }
    }

    func testAnUndeclaredSwiftErrorBecomesATypedError() throws {
        let (s, _) = try session(faults: [Fault(at: 1, error: ReaderExploded())])
        guard case MynaError.ForeignException(let detail)? = thrown({ try s.jpkiTokenInfo() })
        else { return XCTFail("ForeignException expected") }
        XCTAssertTrue(detail.contains("ReaderExploded"), detail)
        _ = try s.jpkiTokenInfo()
        let (s2, _) = try session(faults: [Fault(at: verifyExchange, error: ReaderExploded())])
        guard case MynaError.VerifyOutcomeUnknown(_, .foreignException?, nil, _)? =
            thrown({ try s2.verify(credential: .jpkiAuthPin, value: TestCard.taroAuthPin, allowBelowFloor: false) })
        else { return XCTFail("VerifyOutcomeUnknown(foreignException) expected") }
    }

    func testOtherDeclaredTransportErrorsKeepTheirKind() throws {
        let (s, _) = try session(faults: [Fault(at: 0, error: TransportError.Timeout(detail: "slow"))])
        guard case MynaError.Transport(.timeout, _)? = thrown({ try s.jpkiTokenInfo() })
        else { return XCTFail("Transport(timeout) expected") }
        let (s2, _) = try session(faults: [Fault(at: 0, error: TransportError.Cancelled(detail: "user"))])
        guard case MynaError.Transport(.cancelled, _)? = thrown({ try s2.jpkiTokenInfo() })
        else { return XCTFail("Transport(cancelled) expected") }
    }

    func testUnexpectedStatusWord() throws {
        final class Scripted: CardTransport, @unchecked Sendable {
            var answers: [Data] = [Data([0x90, 0x00]), Data([0x6F, 0x00])]
            func transmit(apdu: Data, hint: ExchangeHint) throws -> Data { answers.removeFirst() }
            func capabilities() -> TransportCapabilities { shortApduCapabilities() }
        }
        let s = try CardSession(transport: Scripted())
        guard case MynaError.UnexpectedStatus(_, 0x6F00, _)? = thrown({ try s.jpkiTokenInfo() })
        else { return XCTFail("UnexpectedStatus 6F00 expected") }
    }
}
