// Every JPKI-AP operation on the virtual card through a transport written in Swift.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

final class JpkiFlowTests: XCTestCase {
    private let virtualRoots = TrustPolicy(acceptJlisTestCards: false, acceptVirtualCard: true)

    func testTokenInfoAndCertificateAvailability() throws {
        let (s, t) = try session()
        let token = try s.jpkiTokenInfo()
        XCTAssertEqual(token.label, "JPKIAPICCTOKEN2")
        XCTAssertEqual(token.kind, .myNumberCard)
        let a = try s.jpkiCertificateAvailability()
        XCTAssertTrue(a.signing && a.authentication)
        XCTAssertEqual(a.raw, Data([0x8F, 0x8F, 0x00]))
        XCTAssertEqual(try s.stats().apdus, 3)
        XCTAssertEqual(t.exchanges, 3)
        XCTAssertEqual(t.device.commandsReceived(), 3)
    }

    func testAuthCertificateMatchesTheCardFileAndChainsToTheTestRoot() throws {
        let (s, t) = try session()
        let cert = try s.jpkiAuthCertificate()
        let expected = try testVector("cards/taro/auth-cert.der")
        XCTAssertEqual(cert.der, expected)
        XCTAssertEqual(t.exchanges, 1 + (expected.count + 255) / 256)
        XCTAssertEqual(cert.subjectCommonName?.count, 23)
        XCTAssertTrue(cert.keyUsage.contains("digital_signature"))
        XCTAssertEqual(cert.publicKeyBits, 2048)
        XCTAssertNil(cert.attributes)
        let chain = try testTrustStore(policy: virtualRoots).verify(certificate: cert, atUnix: TestCard.validAt)
        XCTAssertEqual(chain.anchorSet, .virtualCard)
        XCTAssertTrue(chain.anchor.contains("virtual card"))
        // The testkit's store under the production policy: the root is known but refused.
        guard case MynaError.Verification(let detail)? = thrown({
            try testTrustStore(policy: TrustPolicy()).verify(certificate: cert, atUnix: TestCard.validAt)
        }) else { return XCTFail("the production policy must refuse the test root") }
        XCTAssertTrue(detail.contains("does not accept"), detail)
        // The SDK's own store has no test roots at all, whatever the policy says.
        for store in [try TrustStore.production(), try TrustStore(policy: virtualRoots)] {
            guard case MynaError.Verification(let d)? = thrown({
                try store.verify(certificate: cert, atUnix: TestCard.validAt)
            }) else { return XCTFail("the SDK's trust store must not know the test root") }
            XCTAssertTrue(d.contains("no known root"), d)
        }
        XCTAssertEqual(try parseCertificate(der: cert.der), cert)
    }

    func testCaCertificatesAreTheTestRoots() throws {
        let (s, _) = try session()
        let auth = try s.jpkiAuthCaCertificate()
        let sign = try s.jpkiSignCaCertificate()
        XCTAssertEqual(auth.der, try testVector("pki/jpki-test-auth-root.der"))
        XCTAssertEqual(sign.der, try testVector("pki/jpki-test-sign-root.der"))
        XCTAssertTrue(auth.isCa && sign.isCa)
    }

    func testSigningCertificateNeedsThePasswordAndCarriesTheFourAttributes() throws {
        let (s, t) = try session()
        guard case MynaError.CredentialRequired(let credential, _, _)? = thrown({ try s.jpkiSignCertificateVerified() })
        else { return XCTFail("CredentialRequired expected") }
        XCTAssertEqual(credential, .jpkiSignPassword)
        let cert = try s.jpkiSignCertificate(password: "abc123", allowBelowFloor: false)
        XCTAssertEqual(cert.der, try testVector("cards/taro/sign-cert.der"))
        let a = try XCTUnwrap(cert.attributes)
        XCTAssertEqual(a.name, "見本　太郎")
        XCTAssertEqual(a.address, "東京都千代田区見本町一丁目２番３号")
        XCTAssertEqual(a.sex, .male)
        XCTAssertEqual(a.birthDate?.raw, "419900102")
        XCTAssertEqual(a.birthDate?.era, .heisei)
        XCTAssertEqual(a.birthDate?.date, CalendarDate(year: 1990, month: 1, day: 2))
        _ = try testTrustStore(policy: virtualRoots).verify(certificate: cert, atUnix: TestCard.validAt)
        XCTAssertEqual(t.device.verifyAttempts(), 1)
        _ = try s.jpkiSignCertificate(password: TestCard.taroSignPassword, allowBelowFloor: false)
        XCTAssertEqual(t.device.verifyAttempts(), 1)
        XCTAssertTrue(try s.isVerified(credential: .jpkiSignPassword))
    }

    func testRetryCountersDoNotConsumeTries() throws {
        let (s, t) = try session()
        for _ in 0..<3 {
            XCTAssertEqual(try s.retryStatus(credential: .jpkiAuthPin), .remaining(remainingTries: 3))
            XCTAssertEqual(try s.retryStatus(credential: .jpkiSignPassword), .remaining(remainingTries: 5))
        }
        XCTAssertEqual(t.device.verifyAttempts(), 0)
    }

    func testSignWithBothKeysAndEveryHashThenVerifyOnTheHost() throws {
        let (s, t) = try session()
        let withCert = SignOptions(includeCertificate: true)
        for hash in [HashAlgorithm.sha256, .sha384, .sha512] {
            let input = SignInput.message(hash: hash, data: Data("eKYC challenge".utf8))
            let sig = try s.jpkiSign(key: .auth, credentialValue: TestCard.taroAuthPin, input: input, options: withCert)
            XCTAssertEqual(sig.signature.count, 256)
            try verifySignatureWithCertificate(signature: sig)
            let spki = try XCTUnwrap(sig.certificate).spkiDer
            try verifySignature(spkiDer: spki, input: input, signature: sig.signature, allowSha1: false)
            guard case MynaError.Verification? = thrown({
                try verifySignature(spkiDer: spki, input: .message(hash: hash, data: Data("other".utf8)),
                                    signature: sig.signature, allowSha1: false)
            }) else { return XCTFail("a different message must not verify") }
        }
        let a = try s.jpkiSign(key: .sign, credentialValue: TestCard.taroSignPassword,
                               input: .message(hash: .sha256, data: Data("doc".utf8)), options: withCert)
        try verifySignatureWithCertificate(signature: a)
        XCTAssertNotNil(a.certificate?.attributes)
        XCTAssertEqual(t.device.verifyAttempts(), 2)
        for (header, hint) in t.seen {
            XCTAssertEqual(hint.slow, header[1] == 0x2A, "slow hint for INS \(header[1])")
            if hint.sensitive { XCTAssertEqual(header[1], 0x20) }
        }
        XCTAssertTrue(t.seen.contains { $0.hint.sensitive })
    }

    func testExtendedLengthReadsTheCertificateInOneCommand() throws {
        let (s, t) = try session(options: VirtualCardOptions(capabilities: extendedApduCapabilities(maxTransceiveLen: 65_544)))
        XCTAssertTrue(try s.capabilities().extendedLength)
        XCTAssertEqual(try s.jpkiAuthCertificate().der, try testVector("cards/taro/auth-cert.der"))
        XCTAssertEqual(t.exchanges, 2)
    }

    func testGetResponseChainingIsHandledInTheCore() throws {
        let (s, t) = try session(options: VirtualCardOptions(responseChunk: 100))
        XCTAssertEqual(try s.jpkiAuthCertificate().der, try testVector("cards/taro/auth-cert.der"))
        XCTAssertTrue(t.instructions.contains(0xC0))
    }

    func testProgressListenerWrittenInSwiftSeesEveryChunk() throws {
        final class Recorder: ProgressListener, @unchecked Sendable {
            var seen: [ReadProgress] = []
            func onProgress(progress: ReadProgress) { seen.append(progress) }
        }
        let (s, _) = try session()
        let r = Recorder()
        try s.setProgressListener(listener: r)
        let cert = try s.jpkiAuthCertificate()
        XCTAssertEqual(r.seen.count, (cert.der.count + 255) / 256)
        XCTAssertEqual(r.seen.last?.done, UInt64(cert.der.count))
        XCTAssertEqual(r.seen.last?.total, UInt64(cert.der.count))
    }

    func testCardWithoutSigningCertificate() throws {
        let (s, t) = try session("hanako")
        XCTAssertFalse(try s.jpkiCertificateAvailability().signing)
        guard case MynaError.NotAvailable? = thrown({ try s.jpkiSignCertificate(password: TestCard.taroSignPassword, allowBelowFloor: false) })
        else { return XCTFail("NotAvailable expected") }
        XCTAssertEqual(t.device.verifyAttempts(), 0)
        let sig = try s.jpkiSign(key: .auth, credentialValue: TestCard.hanakoAuthPin,
                                 input: .message(hash: .sha256, data: Data("hi".utf8)),
                                 options: SignOptions(includeCertificate: true))
        try verifySignatureWithCertificate(signature: sig)
    }

    func testSmartphoneTokenWantsThePinForTheAuthCertificate() throws {
        let (s, _) = try session(options: VirtualCardOptions(tokenLabel: "JPKIAPIOSTOKEN"))
        XCTAssertEqual(try s.jpkiTokenInfo().kind, .iPhone)
        guard case MynaError.CredentialRequired(.jpkiAuthPin, _, _)? = thrown({ try s.jpkiAuthCertificate() })
        else { return XCTFail("CredentialRequired expected") }
        try s.verify(credential: .jpkiAuthPin, value: TestCard.taroAuthPin, allowBelowFloor: false)
        _ = try s.jpkiAuthCertificate()
    }

    func testVirtualCardConstructorsAndSelectIdentifiers() throws {
        XCTAssertEqual(virtualCardProfiles(), ["taro", "hanako"])
        let s = try virtualCardSession(profile: "taro")
        XCTAssertEqual(try s.jpkiAuthCertificate().der, try testVector("cards/taro/auth-cert.der"))
        XCTAssertEqual(try s.getChallenge(length: 8).count, 8)
        let device = try VirtualCardDevice(profile: "taro")
        let s2 = try CardSession(transport: device.asTransport())
        try s2.verify(credential: .jpkiAuthPin, value: TestCard.taroAuthPin, allowBelowFloor: false)
        XCTAssertEqual(device.verifyAttempts(), 1)
        XCTAssertEqual(myNumberCardSelectIdentifiers,
                       ["D392F000260100000001", "D3921000310001010408", "D3921000310001010402"])
    }
}
