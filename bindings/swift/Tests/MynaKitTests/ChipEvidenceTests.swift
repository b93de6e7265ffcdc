// The ヘ (chip_read) and 対面 (face_to_face) evidence calls through the async layer, over a
// transport written in Swift: the bundle is byte for byte the golden bundle the server's
// tests verify (test-vectors/evidence, made by the Rust builders with nonce 00..1F and the
// same credentials), the records handed to the app come with it, and a bad request costs
// no APDU.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

final class ChipEvidenceTests: XCTestCase {
    private let nonce = Data((0..<32).map { UInt8($0) })
    private let virtualCv = ApReadOptions(cvCaKeys: [virtualCardCvCaKey()])
    /// taro's 照合番号B: born 平成2年1月2日 (020102), expiry 2035, security code 5678.
    private let codeB = "02010220355678"

    private func golden(_ name: String) throws -> String {
        String(decoding: try testVector("evidence/\(name)"), as: UTF8.self)
    }

    func testChipReadIsTheGoldenBundle() async throws {
        let t = SwiftVirtualTransport(try VirtualCardDevice(profile: "taro"))
        let card = try MynaCard.open(transport: t)
        let e = try await card.chipReadEvidence(nonce: nonce, textUnlock: .pin, textValue: "1234",
                                                faceUnlock: .codeB, faceValue: codeB, options: virtualCv)
        XCTAssertEqual(e.evidenceJson + "\n", try golden("chip_read.json"))
        XCTAssertEqual(e.phoneVerified, true)
        XCTAssertEqual(t.device.verifyAttempts(), 2)
        XCTAssertEqual(e.attributes?.name, "見本\u{3000}太郎")
        let front = try XCTUnwrap(e.front)
        let photo = try decodePhoto(jp2: front.photo.data)
        XCTAssertGreaterThan(photo.width, 0)
        XCTAssertFalse(photo.png.isEmpty)
    }

    func testFaceToFaceIsTheGoldenBundle() async throws {
        let card = try MynaCard.open(transport: SwiftVirtualTransport(try VirtualCardDevice(profile: "taro")))
        let e = try await card.faceToFaceEvidence(nonce: nonce, unlock: .codeB, value: codeB, options: virtualCv)
        XCTAssertEqual(e.evidenceJson + "\n", try golden("face_to_face.json"))
        XCTAssertEqual(e.phoneVerified, true)
        XCTAssertNil(e.attributes)
        XCTAssertNotNil(e.front)
    }

    func testWithoutTheCvCaKeyThePhoneDoesNotSayVerified() async throws {
        let card = try MynaCard.open(transport: SwiftVirtualTransport(try VirtualCardDevice(profile: "taro")))
        let e = try await card.faceToFaceEvidence(nonce: nonce, unlock: .codeB, value: codeB)
        XCTAssertEqual(e.phoneVerified, false)
        let r = try await card.readFace(.codeB, value: codeB)
        XCTAssertFalse(r.verification.anyFailed)
        XCTAssertFalse(r.verification.cvChained)
    }

    func testBadRequestsCostNoApdu() async throws {
        let t = SwiftVirtualTransport(try VirtualCardDevice(profile: "taro"))
        let card = try MynaCard.open(transport: t)
        for (tu, tv, fu, fv, n) in [
            (nil, nil, nil, nil, nonce),                               // neither application
            (nil, nil, FaceUnlock.codeB, codeB, Data(count: 8)),       // nonce too short
            (TextUnlock.pin, nil, nil, nil, nonce),                    // kind without value
        ] as [(TextUnlock?, String?, FaceUnlock?, String?, Data)] {
            do {
                _ = try await card.chipReadEvidence(nonce: n, textUnlock: tu, textValue: tv, faceUnlock: fu, faceValue: fv)
                XCTFail("InvalidArgument expected")
            } catch MynaError.InvalidArgument {
            }
        }
        do {
            _ = try await card.chipReadEvidence(nonce: nonce, textUnlock: .codeB, textValue: "12")
            XCTFail("InvalidCredentialFormat expected")
        } catch MynaError.InvalidCredentialFormat {
        }
        XCTAssertEqual(t.exchanges, 0)
    }
}
