// The NFC session runner with fake tags and a fake reader session (and, where the CoreNFC
// module exists — the test-only stub on Linux — the CoreNFC adapter itself): error mapping
// (NFCReaderError 102 → CardRemoved), the 20 s tag and 60 s session limits, alert messages.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit
#if canImport(CoreNFC)
import CoreNFC
#endif

/// A clock the tests move: each card command costs `perCommand` seconds.
final class FakeClock: NFCSessionClock, @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double = 1_000

    func now() -> Double { lock.withLock { t } }
    func advance(_ s: Double) { lock.withLock { t += s } }
    func sleep(seconds: Double) async throws {
        let target = now() + seconds
        while now() < target {
            try Task.checkCancellation()
            try await Task.sleep(nanoseconds: 1_000_000)
        }
    }
}

/// A fake ISO 7816 tag in front of the virtual card.
final class FakeTag: ISO7816TagLink, @unchecked Sendable {
    let device: VirtualCardDevice
    let clock: FakeClock
    let perCommand: Double
    private let lock = NSLock()
    private var _sent: [(ins: UInt8, at: Double, size: Int)] = []
    /// Per exchange index: the error to answer with instead.
    var fail: @Sendable (Int) -> (any Error)? = { _ in nil }
    /// Whether the card processes a failed exchange's command first (the answer is lost).
    var deliverBeforeFailing = false

    init(_ device: VirtualCardDevice, clock: FakeClock, perCommand: Double = 0.1) {
        self.device = device
        self.clock = clock
        self.perCommand = perCommand
    }

    var sent: [(ins: UInt8, at: Double, size: Int)] { lock.withLock { _sent } }

    /// VERIFY commands that carried a value (not the counter queries).
    var verifiesWithValue: Int { sent.filter { $0.ins == 0x20 && $0.size > 5 }.count }

    func send(apdu: Data, completion: @escaping @Sendable (Result<Data, any Error>) -> Void) {
        let index = lock.withLock { () -> Int in
            _sent.append((apdu.count > 1 ? apdu[apdu.startIndex + 1] : 0, clock.now(), apdu.count))
            return _sent.count - 1
        }
        clock.advance(perCommand)
        let result: Result<Data, any Error>
        if let e = fail(index) {
            if deliverBeforeFailing { _ = device.process(apdu: apdu) }
            result = .failure(e)
        } else {
            result = .success(device.process(apdu: apdu))
        }
        DispatchQueue.global().async { completion(result) }   // another queue, as CoreNFC does
    }
}

/// Errors of the fake platform, classified by `FakeDriver`.
struct FakePlatformError: Error, CustomStringConvertible {
    let kind: NFCPlatformErrorKind
    var description: String { "fake platform error \(kind)" }
}

/// A fake reader session: the test presents tags and invalidates it.
final class FakeDriver: NFCReaderSessionDriver, @unchecked Sendable {
    private let lock = NSLock()
    private var _events: (@Sendable (NFCDriverEvent) -> Void)?
    private var _alerts: [String] = []
    private var _invalidated: [String?] = []
    private var _restarts = 0
    var available = true
    var connectError: (any Error)?
    /// Presents these tags as soon as the session begins (when set).
    var presentOnBegin: [(any ISO7816TagLink)?]?
    /// Called when the runner restarts polling (a test presents the card again from here).
    var onRestart: (@Sendable () -> Void)?
    let began = DispatchSemaphore(value: 0)

    var isReadingAvailable: Bool { available }
    var alerts: [String] { lock.withLock { _alerts } }
    var invalidations: [String?] { lock.withLock { _invalidated } }
    var restarts: Int { lock.withLock { _restarts } }

    func begin(alertMessage: String, events: @escaping @Sendable (NFCDriverEvent) -> Void) {
        lock.withLock {
            _events = events
            _alerts.append(alertMessage)
        }
        if let tags = presentOnBegin { events(.detected(tags)) }
        began.signal()
    }

    func emit(_ event: NFCDriverEvent) { lock.withLock { _events }?(event) }

    func connect(_ tag: any ISO7816TagLink, completion: @escaping @Sendable ((any Error)?) -> Void) {
        completion(connectError)
    }

    func setAlertMessage(_ message: String) { lock.withLock { _alerts.append(message) } }
    func restartPolling() {
        lock.withLock { _restarts += 1 }
        onRestart?()
    }
    func invalidate(errorMessage: String?) { lock.withLock { _invalidated.append(errorMessage) } }

    func classify(_ error: any Error) -> NFCPlatformErrorKind {
        if let e = error as? FakePlatformError { return e.kind }
        #if canImport(CoreNFC)
        return CoreNFCErrors.classify(error)
        #else
        return .other
        #endif
    }
}

final class NFCSessionRunnerTests: XCTestCase {
    /// A runner without tag-loss resume unless `maxResumes` says otherwise: these tests see
    /// what a lost card does to one tag (ResumeTests covers the resume).
    private func setUp(perCommand: Double = 0.1, limits: NFCSessionLimits = NFCSessionLimits(), maxResumes: Int = 0)
        throws -> (MynaNFCSessionRunner, FakeDriver, FakeTag, FakeClock)
    {
        let clock = FakeClock()
        let tag = FakeTag(try VirtualCardDevice(profile: "taro"), clock: clock, perCommand: perCommand)
        let driver = FakeDriver()
        driver.presentOnBegin = [nil, tag]        // another card first (ignored), then the card
        let runner = MynaNFCSessionRunner(limits: limits, messages: .japanese, maxResumes: maxResumes, clock: clock) { driver }
        return (runner, driver, tag, clock)
    }

    func testAFlowRunsAndTheSheetShowsItsStages() async throws {
        let (runner, driver, tag, _) = try setUp()
        let signature = try await runner.run { card in
            _ = try await card.authCertificate()
            return try await card.sign(key: .auth, credentialValue: TestCard.taroAuthPin, message: Data("nonce".utf8))
        }
        XCTAssertEqual(signature.signature.count, 256, "RSA-2048")
        let alerts = driver.alerts
        XCTAssertEqual(alerts.first, "マイナンバーカードをiPhoneの上部に当ててください")
        XCTAssertTrue(alerts.contains("読み取りを開始します。カードを動かさないでください"), "\(alerts)")
        XCTAssertTrue(alerts.contains { $0.hasPrefix("読み取り中… ") }, "reading progress: \(alerts)")
        XCTAssertTrue(alerts.contains("暗証番号を確認しています"), "\(alerts)")
        XCTAssertTrue(alerts.contains("署名しています。カードを動かさないでください"), "\(alerts)")
        XCTAssertEqual(alerts.last, "読み取りが完了しました")
        XCTAssertEqual(driver.invalidations.count, 1)
        XCTAssertEqual(driver.invalidations.first!, nil, "ended as a success")
        XCTAssertEqual(tag.sent.filter { $0.ins == 0x2A }.count, 1, "one signature")
    }

    func testANonISO7816TagIsIgnoredAndPollingResumes() async throws {
        let (runner, driver, _, _) = try setUp()
        _ = try await runner.run { card in try await card.tokenInfo() }
        // presentOnBegin held [nil, tag] in one detection: the tag was used at once.
        XCTAssertEqual(driver.restarts, 0)
        let clock = FakeClock()
        let tag = FakeTag(try VirtualCardDevice(profile: "taro"), clock: clock)
        let d2 = FakeDriver()
        let runner2 = MynaNFCSessionRunner(clock: clock) { d2 }
        let task = Task { try await runner2.run { card in try await card.tokenInfo() } }
        d2.began.wait()
        d2.emit(.detected([nil]))                    // a FeliCa card, say
        d2.emit(.detected([tag]))
        _ = try await task.value
        XCTAssertEqual(d2.restarts, 1)
        XCTAssertTrue(d2.alerts.contains("マイナンバーカードではありません。マイナンバーカードを当ててください"))
    }

    func testTagLossIsCardRemoved() async throws {
        let (runner, driver, tag, _) = try setUp()
        tag.fail = { $0 == 3 ? FakePlatformError(kind: .tagLost) : nil }
        do {
            _ = try await runner.run { card in try await card.authCertificate() }
            XCTFail("expected CardRemoved")
        } catch MynaError.CardRemoved {
        }
        XCTAssertEqual(driver.invalidations, ["カードが離れました。もう一度当ててください"])
    }

    func testTagLossDuringVerifyIsOutcomeUnknown() async throws {
        let (runner, driver, tag, _) = try setUp()
        // Exchanges: 0 SELECT, 1 retry query, 2 VERIFY.
        tag.fail = { $0 == 2 ? FakePlatformError(kind: .tagLost) : nil }
        do {
            try await runner.run { card in try await card.verify(.jpkiAuthPin, value: TestCard.taroAuthPin) }
            XCTFail("expected VerifyOutcomeUnknown")
        } catch MynaError.VerifyOutcomeUnknown(_, let kind, _, _) {
            XCTAssertEqual(kind, .cardRemoved)
        }
        XCTAssertEqual(tag.sent.map(\.ins), [0xA4, 0x20, 0x20])
        XCTAssertEqual(driver.invalidations, ["カードが離れました。暗証番号の残り回数を確認してください"])
    }

    func testTheTagLimitStopsBeforeTheOSWithoutStartingAVerify() async throws {
        // Each command takes 4 s: the flow cannot finish in 20 s.
        let (runner, driver, tag, _) = try setUp(perCommand: 4)
        do {
            _ = try await runner.run { card in
                _ = try await card.authCertificate()
                return try await card.sign(key: .auth, credentialValue: TestCard.taroAuthPin, message: Data("x".utf8))
            }
            XCTFail("expected the tag limit")
        } catch MynaNFCSessionError.tagTimeLimit(let seconds) {
            XCTAssertEqual(seconds, 20)
        }
        let sent = tag.sent
        let start = sent.first!.at
        // Every command started with its budget left before 20 s - 1.5 s, and none after.
        for s in sent {
            XCTAssertLessThan(s.at - start, 18.5, "a command started at +\(s.at - start) s")
        }
        XCTAssertFalse(sent.contains { $0.ins == 0x2A }, "no signature started without its 6 s budget")
        for (i, s) in sent.enumerated() where s.ins == 0x20 && i + 1 < sent.count {
            XCTAssertLessThanOrEqual(s.at - start, 18.5 - 2, "a VERIFY started with less than 2 s left")
        }
        XCTAssertEqual(driver.invalidations, ["時間内に完了しませんでした。もう一度カードを当ててください"])
    }

    func testTheSessionLimitWhileWaitingForTheCard() async throws {
        let clock = FakeClock()
        let driver = FakeDriver()
        let runner = MynaNFCSessionRunner(clock: clock) { driver }
        let task = Task { try await runner.run { card in try await card.tokenInfo() } }
        driver.began.wait()
        clock.advance(58.6)                          // past 60 s - 1.5 s
        do {
            _ = try await task.value
            XCTFail("expected the session limit")
        } catch MynaNFCSessionError.sessionTimeLimit(let seconds) {
            XCTAssertEqual(seconds, 60)
        }
        XCTAssertEqual(driver.invalidations, ["時間切れです。もう一度お試しください"])
    }

    func testCancelOnTheSheetAndOtherInvalidations() async throws {
        for (kind, expected) in [
            (NFCPlatformErrorKind.userCancelled, MynaNFCSessionError.userCancelled),
            (.systemBusy, .systemBusy),
            (.sessionTimeout, .sessionTimeLimit(seconds: 60)),
        ] {
            let driver = FakeDriver()
            let runner = MynaNFCSessionRunner(clock: FakeClock()) { driver }
            let task = Task { try await runner.run { card in try await card.tokenInfo() } }
            driver.began.wait()
            driver.emit(.invalidated(FakePlatformError(kind: kind)))
            do {
                _ = try await task.value
                XCTFail("expected \(expected)")
            } catch let e as MynaNFCSessionError {
                XCTAssertEqual(e, expected)
            }
        }
    }

    func testAFailedConnectIsReported() async throws {
        let (runner, driver, tag, _) = try setUp()
        driver.connectError = FakePlatformError(kind: .tagLost)
        do {
            _ = try await runner.run { card in try await card.tokenInfo() }
            XCTFail("expected CardRemoved")
        } catch MynaError.CardRemoved {
        }
        XCTAssertTrue(tag.sent.isEmpty)
        driver.connectError = FakePlatformError(kind: .other)
        do {
            _ = try await runner.run { card in try await card.tokenInfo() }
            XCTFail("expected connectFailed")
        } catch MynaNFCSessionError.connectFailed {
        }
    }

    func testNoReaderIsReportedBeforeAnythingStarts() async throws {
        let driver = FakeDriver()
        driver.available = false
        do {
            _ = try await MynaNFCSessionRunner(clock: FakeClock()) { driver }.run { card in try await card.tokenInfo() }
            XCTFail("expected readerUnavailable")
        } catch MynaNFCSessionError.readerUnavailable {
        }
        XCTAssertTrue(driver.alerts.isEmpty, "no session was begun")
    }

    func testEnglishMessages() async throws {
        let clock = FakeClock()
        let tag = FakeTag(try VirtualCardDevice(profile: "taro"), clock: clock)
        let driver = FakeDriver()
        driver.presentOnBegin = [tag]
        tag.fail = { $0 == 1 ? FakePlatformError(kind: .tagLost) : nil }
        do {
            _ = try await MynaNFCSessionRunner(messages: .english, maxResumes: 0, clock: clock) { driver }.run { card in try await card.tokenInfo() }
            XCTFail("expected CardRemoved")
        } catch MynaError.CardRemoved {
        }
        XCTAssertEqual(driver.alerts.first, "Hold your My Number Card near the top of the iPhone")
        XCTAssertEqual(driver.invalidations, ["The card moved away. Hold it again"])
    }

    #if canImport(CoreNFC)
    /// The CoreNFC classification, with `NFCReaderError` from the CoreNFC module (on Linux the
    /// test-only stub written from Apple's documentation).
    func testCoreNFCErrorCodes() {
        let cases: [(NFCReaderError.Code, Int, NFCPlatformErrorKind)] = [
            (.readerTransceiveErrorTagConnectionLost, 100, .tagLost),
            (.readerTransceiveErrorRetryExceeded, 101, .timeout),
            (.readerTransceiveErrorTagResponseError, 102, .tagLost),
            (.readerTransceiveErrorSessionInvalidated, 103, .invalidated),
            (.readerTransceiveErrorTagNotConnected, 104, .tagLost),
            (.readerTransceiveErrorPacketTooLong, 105, .other),
            (.readerSessionInvalidationErrorUserCanceled, 200, .userCancelled),
            (.readerSessionInvalidationErrorSessionTimeout, 201, .sessionTimeout),
            (.readerSessionInvalidationErrorSessionTerminatedUnexpectedly, 202, .invalidated),
            (.readerSessionInvalidationErrorSystemIsBusy, 203, .systemBusy),
            (.readerErrorUnsupportedFeature, 1, .unavailable),
            (.readerErrorSecurityViolation, 2, .unavailable),
            (.readerErrorRadioDisabled, 6, .unavailable),
        ]
        for (code, raw, kind) in cases {
            XCTAssertEqual(code.rawValue, raw, "Apple's code number for \(code)")
            XCTAssertEqual(CoreNFCErrors.classify(NFCReaderError(code)), kind, "code \(raw)")
        }
        XCTAssertEqual(CoreNFCErrors.classify(ReaderExploded()), .other)
        guard case .CardRemoved = CoreNFCTransport.map(NFCReaderError(.readerTransceiveErrorTagResponseError)) else {
            return XCTFail("102 must map to CardRemoved")
        }
    }

    /// An `NFCISO7816Tag` of the stub module answering from the virtual card.
    final class StubISO7816Tag: NSObject, NFCISO7816Tag, @unchecked Sendable {
        let device: VirtualCardDevice
        var failWith: NFCReaderError?
        init(_ device: VirtualCardDevice) { self.device = device }
        var isAvailable: Bool { true }
        var initialSelectedAID: String { "D392F000260100000001" }
        var identifier: Data { Data([1, 2, 3, 4]) }
        var historicalBytes: Data? { nil }
        var applicationData: Data? { nil }
        var proprietaryApplicationDataCoding: Bool { false }
        func sendCommand(apdu: NFCISO7816APDU, completionHandler: @escaping (Data, UInt8, UInt8, (any Error)?) -> Void) {
            if let failWith {
                completionHandler(Data(), 0, 0, failWith)
                return
            }
            let r = [UInt8](device.process(apdu: apdu.encoded))
            completionHandler(Data(r.dropLast(2)), r[r.count - 2], r[r.count - 1], nil)
        }
    }

    /// The CoreNFC adapter end to end against the stub: the delegate's detection becomes the
    /// runner's tag, alerts go to the session, 102 on a command ends the flow as CardRemoved.
    func testCoreNFCAdapterAgainstTheStub() async throws {
        let driver = CoreNFCSessionDriver()
        let stubTag = StubISO7816Tag(try VirtualCardDevice(profile: "taro"))
        let runner = MynaNFCSessionRunner(clock: SystemNFCClock()) { driver }
        let task = Task { try await runner.run { card in try await card.tokenInfo().kind } }
        // Wait for begin(), then play CoreNFC: detect the card.
        for _ in 0..<10_000 where !driver.hasBegun { try await Task.sleep(nanoseconds: 1_000_000) }
        XCTAssertTrue(driver.hasBegun)
        let session = NFCTagReaderSession(pollingOption: .iso14443, delegate: driver)!
        driver.tagReaderSession(session, didDetect: [.iso7816(stubTag)])
        let kind = try await task.value
        XCTAssertEqual(kind, .myNumberCard)

        // 102 while reading: CardRemoved.
        let driver2 = CoreNFCSessionDriver()
        let lost = StubISO7816Tag(try VirtualCardDevice(profile: "taro"))
        lost.failWith = NFCReaderError(.readerTransceiveErrorTagResponseError)
        let task2 = Task { try await MynaNFCSessionRunner(maxResumes: 0, clock: SystemNFCClock()) { driver2 }.run { card in try await card.tokenInfo() } }
        for _ in 0..<10_000 where !driver2.hasBegun { try await Task.sleep(nanoseconds: 1_000_000) }
        driver2.tagReaderSession(NFCTagReaderSession(pollingOption: .iso14443, delegate: driver2)!, didDetect: [.iso7816(lost)])
        do {
            _ = try await task2.value
            XCTFail("expected CardRemoved")
        } catch MynaError.CardRemoved {
        }
    }
    #endif

    /// The CoreNFC runner an app creates takes the resume limit too (the iOS sample passes it).
    func testCoreNFCRunnerTakesTheResumeLimit() {
        XCTAssertEqual(MynaNFCSessionRunner().maxResumes, 2)
        XCTAssertEqual(MynaNFCSessionRunner(messages: .japanese, maxResumes: 0).maxResumes, 0)
        XCTAssertEqual(MynaNFCSessionRunner(maxResumes: -3).maxResumes, 0, "a negative limit is none")
    }
}
