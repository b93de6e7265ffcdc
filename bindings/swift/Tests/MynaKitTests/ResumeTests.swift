// Tag-loss resume through the iOS session runner with fake tags: the card is lost at every
// exchange of each flow (JPKI login, ワ-method signing, text read, card-face read), before the
// card saw the command and after it answered; the runner asks for the card again, polling
// restarts, and the flow completes with the result of an uncut run, no PIN try lost, no VERIFY
// beyond what the core's rules allow, and the work before the loss not done again.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

private let credentials: [Credential] = [
    .jpkiAuthPin, .jpkiSignPassword, .textPin, .textCodeA, .textCodeB, .faceCodeA, .faceCodeB, .faceBirthKey,
]

/// The tags of one run, shared with the driver's restart hook.
private final class Tags: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [FakeTag] = []
    func add(_ t: FakeTag) { lock.withLock { list.append(t) } }
    var all: [FakeTag] { lock.withLock { list } }
}

final class ResumeTests: XCTestCase {
    private let nonce = Data((0..<32).map { UInt8(($0 * 7 + 1) & 0xFF) })
    private let cv = ApReadOptions(cvCaKeys: [virtualCardCvCaKey()])

    private typealias Flow = @Sendable (MynaCard) async throws -> String

    private var flows: [(String, Flow)] {
        let nonce = self.nonce
        let cv = self.cv
        return [
            ("JPKI login", { c in
                let e = try await c.login(pin: TestCard.taroAuthPin, nonce: nonce)
                return e.certificate.der.base64EncodedString() + "/" + e.signature.signature.base64EncodedString()
            }),
            ("ワ-method signing", { c in
                let e = try await c.signEvidence(password: TestCard.taroSignPassword, nonce: nonce,
                                                 data: Data("口座開設に同意します".utf8))
                return e.certificate.der.base64EncodedString() + "/" + e.signature.signature.base64EncodedString()
            }),
            ("text read", { c in
                let r = try await c.readText(.pin, value: "1234", options: cv)
                return "\(r.myNumber?.myNumber ?? "-")/\(r.attributes?.name ?? "-")/\(r.verification.allVerified)"
            }),
            ("card-face read", { c in
                let r = try await c.readFace(.codeA, value: "123456789018", options: cv)
                return (r.front?.photo.data.base64EncodedString() ?? "-") + "/"
                    + (r.myNumberImage?.image.data.base64EncodedString() ?? "-") + "/\(r.verification.allVerified)"
            }),
        ]
    }

    /// Runs `flow` in a runner on `device`; the first `cutsInARow` tags fail at exchange `cutAt`
    /// (after the card processed it when `afterDelivery`), and each restart of polling presents
    /// the card again after it lost power.
    private func run(
        _ device: VirtualCardDevice, _ flow: @escaping Flow, cutAt: Int?, afterDelivery: Bool = false,
        maxResumes: Int = 2, cutsInARow: Int = 1
    ) async -> (Result<String, any Error>, [FakeTag], FakeDriver) {
        let clock = FakeClock()
        let driver = FakeDriver()
        let tags = Tags()
        @Sendable func newTag() -> FakeTag {
            let tag = FakeTag(device, clock: clock, perCommand: 0.01)
            if let cutAt, tags.all.count < cutsInARow {
                tag.fail = { $0 == cutAt ? FakePlatformError(kind: .tagLost) : nil }
                tag.deliverBeforeFailing = afterDelivery
            }
            tags.add(tag)
            return tag
        }
        driver.presentOnBegin = [newTag()]
        driver.onRestart = { [driver] in
            device.powerCycle()
            driver.emit(.detected([newTag()]))
        }
        let runner = MynaNFCSessionRunner(maxResumes: maxResumes, clock: clock) { driver }
        let result: Result<String, any Error>
        do {
            result = .success(try await runner.run(flow))
        } catch {
            result = .failure(error)
        }
        return (result, tags.all, driver)
    }

    func testEveryFlowSurvivesALostCardAtEveryExchange() async throws {
        for (name, flow) in flows {
            let (base, baseTags, _) = await run(try VirtualCardDevice(profile: "taro"), flow, cutAt: nil)
            let expected = try base.get()
            let n = baseTags[0].sent.count
            let verifies = baseTags[0].verifiesWithValue
            XCTAssertGreaterThan(n, 3, name)
            for afterDelivery in [false, true] {
                for cut in 0..<n {
                    let what = "\(name), link lost at exchange \(cut) \(afterDelivery ? "after" : "before") the card answered"
                    let device = try VirtualCardDevice(profile: "taro")
                    let before = credentials.map { device.remainingTries(credential: $0) }
                    let (r, tags, driver) = await run(device, flow, cutAt: cut, afterDelivery: afterDelivery)
                    switch r {
                    case .success(let got): XCTAssertEqual(got, expected, what)
                    case .failure(let e): XCTFail("\(what): \(e)"); continue
                    }
                    XCTAssertEqual(tags.count, 2, "\(what): one resume")
                    XCTAssertEqual(credentials.map { device.remainingTries(credential: $0) }, before, "\(what): no try lost")
                    XCTAssertLessThanOrEqual(tags[0].verifiesWithValue, verifies, "\(what): VERIFYs before the loss")
                    XCTAssertLessThanOrEqual(tags[1].verifiesWithValue, verifies, "\(what): VERIFYs after the loss")
                    let total = tags[0].sent.count + tags[1].sent.count
                    // The core's bound (testkit/tests/resume.rs): re-selection, re-verification,
                    // the cut command and a few SELECT EFs; never a restart.
                    XCTAssertLessThanOrEqual(total, n + 8, "\(what): \(total) exchanges for an uncut run of \(n)")
                    XCTAssertTrue(driver.alerts.contains("カードが離れました。もう一度当てると続きから読み取ります"), what)
                    XCTAssertEqual(driver.invalidations.count, 1, what)
                    XCTAssertEqual(driver.invalidations.first!, nil, "\(what): ended as a success")
                }
            }
        }
    }

    func testASpentTryIsReportedNotRetried() async throws {
        let login = flows[0].1
        let (_, probe, _) = await run(try VirtualCardDevice(profile: "taro"), login, cutAt: nil)
        let verifyAt = probe[0].sent.firstIndex { $0.ins == 0x20 && $0.size > 5 }!
        let device = try VirtualCardDevice(profile: "taro")
        let nonce = self.nonce
        let (r, tags, _) = await run(device, { c in try await c.login(pin: "9999", nonce: nonce).evidenceJson },
                                     cutAt: verifyAt, afterDelivery: true)
        guard case .failure(MynaError.WrongPin(_, let remaining, _)) = r else {
            return XCTFail("expected WrongPin, got \(r)")
        }
        XCTAssertEqual(remaining, 2)
        XCTAssertEqual(device.remainingTries(credential: .jpkiAuthPin), 2)
        XCTAssertEqual(tags.map(\.verifiesWithValue).reduce(0, +), 1, "one VERIFY with a value in all")
        XCTAssertEqual(device.verifyAttempts(), 1)
    }

    func testResumesAreBoundedAndCanBeTurnedOff() async throws {
        let login = flows[0].1
        let (off, offTags, _) = await run(try VirtualCardDevice(profile: "taro"), login, cutAt: 4, maxResumes: 0)
        guard case .failure(MynaError.CardRemoved) = off else { return XCTFail("\(off)") }
        XCTAssertEqual(offTags.count, 1)
        let (bounded, boundedTags, driver) = await run(try VirtualCardDevice(profile: "taro"), login, cutAt: 1, cutsInARow: 3)
        guard case .failure(MynaError.CardRemoved) = bounded else { return XCTFail("\(bounded)") }
        XCTAssertEqual(boundedTags.count, 3)
        XCTAssertEqual(driver.restarts, 2)
        XCTAssertEqual(driver.invalidations, ["カードが離れました。もう一度当ててください"])
        let (twice, _, _) = await run(try VirtualCardDevice(profile: "taro"), login, cutAt: 1, cutsInARow: 2)
        XCTAssertNoThrow(try twice.get())
    }

    func testStagesAsAnAsyncStream() async throws {
        let clock = FakeClock()
        let device = try VirtualCardDevice(profile: "taro")
        let driver = FakeDriver()
        let first = FakeTag(device, clock: clock, perCommand: 0.01)
        first.fail = { $0 == 5 ? FakePlatformError(kind: .tagLost) : nil }
        driver.presentOnBegin = [first]
        driver.onRestart = { [driver] in
            device.powerCycle()
            driver.emit(.detected([FakeTag(device, clock: clock, perCommand: 0.01)]))
        }
        let runner = MynaNFCSessionRunner(maxResumes: 1, clock: clock) { driver }
        let stream = runner.stages()
        let collector = Task { () -> [MynaNFCStage] in
            var seen: [MynaNFCStage] = []
            for await stage in stream {
                seen.append(stage)
                if case .signing = stage { break }
            }
            return seen
        }
        let nonce = self.nonce
        _ = try await runner.run { try await $0.login(pin: TestCard.taroAuthPin, nonce: nonce) }
        let seen = await collector.value
        XCTAssertEqual(seen.first, .waitingForCard)
        XCTAssertTrue(seen.contains(.connecting), "\(seen)")
        XCTAssertTrue(seen.contains(.cardLost(attempt: 1)), "\(seen)")
        XCTAssertTrue(seen.contains(.checkingTries), "\(seen)")
        XCTAssertTrue(seen.contains(.verifying), "\(seen)")
        XCTAssertTrue(seen.contains { if case .reading = $0 { return true } else { return false } }, "\(seen)")
        XCTAssertEqual(seen.last, .signing)
        XCTAssertEqual(seen.filter { $0 == .verifying }.count, 1, "one verifying stage per VERIFY, not one per source")
    }

    func testTheSheetShowsCoreStages() async throws {
        let (r, _, driver) = await run(try VirtualCardDevice(profile: "taro"), flows[0].1, cutAt: nil)
        XCTAssertNoThrow(try r.get())
        XCTAssertTrue(driver.alerts.contains("暗証番号の残り回数を確認しています"), "\(driver.alerts)")
    }
}
