// Recording a flow on the device side through the bindings: the trace holds no secret, and
// replays in Rust with the same results (issue 14: recording in the SDK, on devices).
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

final class RecordingTests: XCTestCase {
    /// The recorder wraps a transport written in Swift, as an app wraps its CoreNFC one.
    private func recorder(_ options: RecordingOptions) throws -> (TraceRecorder, SwiftVirtualTransport) {
        let t = SwiftVirtualTransport(try VirtualCardDevice(profile: "taro"))
        return (try TraceRecorder(transport: t, options: options), t)
    }

    func testARecordedSessionReplaysInRustWithTheSameResultsAndHoldsNoSecret() throws {
        let (r, t) = try recorder(RecordingOptions(
            card: "ios-corenfc", operation: nil, operationParamsJson: nil,
            device: ["model": "Linux test", "os": "Linux"], recordedBy: "RecordingTests"))
        let s = r.session()
        let cert = try s.jpkiAuthCertificate()
        let input = SignInput.message(hash: .sha256, data: Data("nonce from the bank".utf8))
        let sig = try s.jpkiSign(key: .auth, credentialValue: TestCard.taroAuthPin, input: input,
                                 options: SignOptions())
        XCTAssertEqual(UInt32(t.exchanges), r.exchangeCount())

        let text = try r.traceJsonl(scrub: false)
        XCTAssertTrue(text.contains("\"model\":\"Linux test\""), "device facts are in the header")
        XCTAssertTrue(text.contains("\"clock\":\"wall\""), "timing comes from the device's clock")
        // The PIN in no encoding; the same search finds text that IS there (positive control).
        XCTAssertEqual(secretEncodingsIn(traceText: text, secret: TestCard.taroAuthPin), [])
        XCTAssertFalse(secretEncodingsIn(traceText: text, secret: cert.subjectCommonName ?? "?").isEmpty)

        // Replayed in Rust: the same calls, the same answers, the whole trace used.
        let replay = try TraceReplay(traceJsonl: text, strict: true)
        let rs = replay.session()
        XCTAssertEqual(try rs.jpkiAuthCertificate().der, cert.der)
        // The trace never held the PIN: any value of the recorded length replays.
        let again = try rs.jpkiSign(key: .auth, credentialValue: "0000", input: input,
                                    options: SignOptions())
        XCTAssertEqual(again.signature, sig.signature)
        try replay.finish()
    }

    func testANamedOperationReplaysWithReplayTraceOperation() throws {
        let (r, _) = try recorder(RecordingOptions(
            card: "ios-corenfc", operation: "auth-cert", operationParamsJson: nil,
            device: [:], recordedBy: nil))
        let cert = try r.session().jpkiAuthCertificate()
        let outcome = try replayTraceOperation(traceJsonl: try r.traceJsonl(scrub: false), strict: true)
        XCTAssertTrue(outcome.contains("\"outcome\": \"ok\""), outcome)
        XCTAssertTrue(outcome.contains(cert.sha256Fingerprint.uppercased()), outcome)
    }

    func testScrubbedExportHasNoPersonalDataAndIsWrittenWhereTheAppSays() throws {
        let (r, _) = try recorder(RecordingOptions(
            card: "ios-corenfc", operation: nil, operationParamsJson: nil, device: [:],
            recordedBy: nil))
        let s = r.session()
        try s.textUnlock(unlock: .pin, value: TestCard.taroAuthPin, allowBelowFloor: false)
        XCTAssertEqual(try s.textMyNumber().myNumber, "123456789018")
        // taro's My Number as the card sends it (ASCII), in the trace's hex.
        let hex = Data("123456789018".utf8).map { String(format: "%02X", $0) }.joined()
        XCTAssertTrue(try r.traceJsonl(scrub: false).uppercased().contains(hex))
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("mynakit-recording-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let n = try r.writeTo(path: path, scrub: true)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(n, UInt64(written.utf8.count))
        XCTAssertTrue(written.contains("\"scrubbed\":true"))
        XCTAssertFalse(written.uppercased().contains(hex), "scrubbed: no My Number")
    }
}
