// The async/await layer.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

final class MynaCardTests: XCTestCase {
    func testAnEkycFlowWithAsyncAwait() async throws {
        let t = SwiftVirtualTransport(try VirtualCardDevice(profile: "taro"))
        let card = try MynaCard.open(transport: t)
        let token = try await card.tokenInfo()
        XCTAssertEqual(token.kind, .myNumberCard)
        let cert = try await card.authCertificate()
        let chain = try verifyChainWithTestRoots(cert, policy: TrustPolicy(acceptVirtualCard: true), atUnix: TestCard.validAt)
        XCTAssertEqual(chain.anchorSet, .virtualCard)
        let retries = try await card.retryStatus(.jpkiAuthPin)
        XCTAssertEqual(retries, .remaining(remainingTries: 3))
        let sig = try await card.sign(key: .auth, credentialValue: TestCard.taroAuthPin, message: Data("nonce".utf8),
                                      options: SignOptions(includeCertificate: true))
        try verifySignatureWithCertificate(signature: sig)
        let signCert = try await card.signCertificate(password: TestCard.taroSignPassword)
        XCTAssertEqual(signCert.attributes?.name, "見本　太郎")
        let challenge = try await card.challenge(length: 16)
        XCTAssertEqual(challenge.count, 16)
        let stats = try await card.stats()
        XCTAssertEqual(stats.apdus, UInt32(t.exchanges))
    }

    func testTypedErrorsThroughAsyncCalls() async throws {
        let card = try MynaCard.virtualCard()
        do {
            try await card.verify(.jpkiAuthPin, value: "9999")
            XCTFail("WrongPin expected")
        } catch MynaError.WrongPin(let credential, let remaining, _) {
            XCTAssertEqual(credential, .jpkiAuthPin)
            XCTAssertEqual(remaining, 2)
        }
        let removed = try MynaCard.open(transport: SwiftVirtualTransport(
            try VirtualCardDevice(profile: "taro"),
            faults: [Fault(at: 2, error: TransportError.CardRemoved(detail: "Tag connection lost"))]))
        do {
            _ = try await removed.authCertificate()
            XCTFail("CardRemoved expected")
        } catch MynaError.CardRemoved {
        }
        let progress = ProgressLog()
        let p = try MynaCard.virtualCard(profile: "hanako")
        try p.setProgressListener { progress.append($0.done) }
        _ = try await p.authCertificate()
        XCTAssertFalse(progress.values.isEmpty)
        do {
            _ = try await p.signCertificate(password: TestCard.taroSignPassword)
            XCTFail("NotAvailable expected")
        } catch MynaError.NotAvailable {
        }
    }
}

/// Progress values recorded from the card's queue.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _values: [UInt64] = []
    func append(_ v: UInt64) { lock.withLock { _values.append(v) } }
    var values: [UInt64] { lock.withLock { _values } }
}
