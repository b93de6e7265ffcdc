// 券面事項入力補助AP and 券面AP on the virtual card through the Swift transport.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

/// taro's 券面 credentials (test-vectors/cards/taro/profile.json).
private enum Taro {
    static let pin = "1234"
    static let codeA = "123456789018"
    static let codeB = "02010220355678"
    static let birthKey = "020102"
}

private let pngSignature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

final class TextFaceTests: XCTestCase {
    /// The virtual card's CV CA key: the SDK has only the production keys built in.
    private let virtualCv = ApReadOptions(cvCaKeys: [virtualCardCvCaKey()])

    private func outcomes(_ v: VerificationReport) -> [String: CheckOutcome] {
        Dictionary(uniqueKeysWithValues: v.checks.map { ($0.name, $0.outcome) })
    }

    func testTextApWithThePinReadsAndVerifiesEverythingWithLiveness() throws {
        let (s, t) = try session()
        var options = virtualCv
        options.liveness = .card
        let r = try s.textRead(unlock: .pin, value: Taro.pin, allowBelowFloor: false, options: options)
        XCTAssertEqual(r.myNumber?.myNumber, Taro.codeA)
        XCTAssertEqual(r.myNumber?.checkDigitValid, true)
        let a = try XCTUnwrap(r.attributes)
        XCTAssertEqual(a.name, "見本\u{3000}太郎")
        XCTAssertEqual(a.surname, "見本")
        XCTAssertEqual(a.givenName, "太郎")
        XCTAssertEqual(a.address, "東京都千代田区見本町一丁目２番３号")
        XCTAssertEqual(a.birthDate, CalendarDate(year: 1990, month: 1, day: 2))
        XCTAssertEqual(a.sex, .male)
        XCTAssertEqual(a.offsets, .consistent)
        XCTAssertTrue(r.verification.allVerified, "\(r.verification)")
        let l = try XCTUnwrap(r.liveness)
        XCTAssertTrue(l.challengeFromCard)
        XCTAssertTrue(l.verification.allVerified)
        XCTAssertEqual(t.device.verifyAttempts(), 1)
        XCTAssertEqual(t.seen.filter { $0.hint.sensitive }.count, 1)
        let l2 = try s.textLiveness(source: .host(nonce: Data("server nonce 123".utf8)), cvCertificate: r.cvCertificate)
        XCTAssertFalse(l2.challengeFromCard)
        XCTAssertTrue(l2.verification.allVerified)
    }

    func testCodeAOpensTheMyNumberOnlyAndCodeBTheAttributesOnly() throws {
        let (s, t) = try session()
        let r = try s.textRead(unlock: .codeA, value: Taro.codeA, allowBelowFloor: false, options: virtualCv)
        XCTAssertEqual(r.myNumber?.myNumber, Taro.codeA)
        XCTAssertNil(r.attributes)
        XCTAssertEqual(outcomes(r.verification)["My Number digest (DF31)"], .verified)
        guard case .notChecked? = outcomes(r.verification)["attributes digest (DF32)"] else { return XCTFail("not checked expected") }
        let before = t.exchanges
        guard case MynaError.CredentialRequired(.textPin, _, _)? = thrown({ try s.textAttributes() })
        else { return XCTFail("CredentialRequired expected") }
        XCTAssertEqual(t.exchanges, before)

        let (s2, _) = try session()
        let r2 = try s2.textRead(unlock: .codeB, value: Taro.codeB, allowBelowFloor: false, options: virtualCv)
        XCTAssertNil(r2.myNumber)
        XCTAssertEqual(r2.attributes?.name, "見本\u{3000}太郎")
    }

    func testTextWrongPinAndMalformedCodes() throws {
        let (s, t) = try session()
        guard case MynaError.WrongPin(.textPin, 2, _)? = thrown({ try s.textUnlock(unlock: .pin, value: "0000", allowBelowFloor: false) })
        else { return XCTFail("WrongPin expected") }
        let before = t.exchanges
        guard case MynaError.InvalidCredentialFormat(.textCodeA, _)? =
            thrown({ try s.textRead(unlock: .codeA, value: "123456789017", allowBelowFloor: false, options: self.virtualCv) })
        else { return XCTFail("InvalidCredentialFormat expected") }
        XCTAssertEqual(t.exchanges, before)
    }

    func testFaceApWithCodeAReadsFrontImagesPhotoAndMyNumberImage() throws {
        let (s, _) = try session()
        var options = virtualCv
        options.liveness = .card
        let r = try s.faceRead(unlock: .codeA, value: Taro.codeA, allowBelowFloor: false, options: options)
        let f = try XCTUnwrap(r.front)
        XCTAssertEqual(f.birthDate, CalendarDate(year: 1990, month: 1, day: 2))
        XCTAssertEqual(f.expiry, CalendarDate(year: 2035, month: 1, day: 2))
        XCTAssertEqual(f.photo.format, .jp2)
        for image in [f.nameImage, f.addressImage, f.securityCodeImage] {
            XCTAssertEqual(image.format, .png)
            XCTAssertEqual(image.data.prefix(8), pngSignature)
        }
        XCTAssertEqual(r.myNumberImage?.image.format, .png)
        let o = outcomes(r.verification)
        for name in ["CV certificate signed by the CV CA", "card face signature", "My Number image signature", "same card key in every record"] {
            XCTAssertEqual(o[name], .verified, name)
        }
        XCTAssertFalse(r.verification.anyFailed)
        XCTAssertTrue(try XCTUnwrap(r.liveness).verification.allVerified)
        let photo = try decodePhoto(jp2: f.photo.data)
        XCTAssertGreaterThan(photo.width, 0)
        XCTAssertEqual(photo.pixels.count, Int(photo.width) * Int(photo.height) * Int(photo.channels))
        XCTAssertEqual(photo.png.prefix(8), pngSignature)
        guard case MynaError.MalformedData? = thrown({ try decodePhoto(jp2: Data([1, 2, 3])) })
        else { return XCTFail("MalformedData expected") }
    }

    func testFaceApWithTheBirthKeyAndAgeCheck() throws {
        let (s, _) = try session()
        let r = try s.faceRead(unlock: .birthKey, value: Taro.birthKey, allowBelowFloor: false, options: virtualCv)
        let birth = try XCTUnwrap(r.age?.birthDate)
        XCTAssertNil(r.front)
        XCTAssertEqual(ageOn(birthDate: birth, today: CalendarDate(year: 2026, month: 1, day: 1)), 35)
        XCTAssertEqual(ageOn(birthDate: birth, today: CalendarDate(year: 2026, month: 1, day: 2)), 36)
        XCTAssertEqual(outcomes(r.verification)["age record signature"], .verified)
        guard case MynaError.CredentialRequired? = thrown({ try s.faceFront() }) else { return XCTFail("CredentialRequired expected") }
    }

    func testTheAsyncLayerReadsBothApplications() async throws {
        let card = try MynaCard.open(transport: SwiftVirtualTransport(try VirtualCardDevice(profile: "hanako")))
        let text = try await card.readText(.pin, value: "4321", options: virtualCv)
        XCTAssertEqual(text.attributes?.name, "見本\u{3000}花子")
        let face = try await card.readFace(.codeB, value: "27040120309012", options: virtualCv)
        XCTAssertEqual(face.front?.photo.format, .jp2)
        do {
            _ = try await card.readFace(.codeA, value: "123456789018", options: virtualCv)
            XCTFail("WrongPin expected")
        } catch MynaError.WrongPin(let credential, let remaining, _) {
            XCTAssertEqual(credential, .faceCodeA)
            XCTAssertEqual(remaining, 2)
        }
    }
}
