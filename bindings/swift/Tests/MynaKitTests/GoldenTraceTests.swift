// Replays every golden trace of test-vectors/traces through a CardTransport written in Swift:
// the JSON Lines are parsed here, each command the SDK sends is compared with the recorded one
// (secret bytes excepted) and answered with the recorded response or link failure, and the
// operation's result is compared with the expected JSON.
import Foundation
import XCTest
@testable import MynaKit
import MynaKitTestkit

/// A parsed `mynakit-trace/1` file.
struct GoldenTrace {
    let header: JSONValue
    let exchanges: [JSONValue]

    init(_ text: String) throws {
        let lines = try text.split(separator: "\n").filter { !$0.isEmpty }.map { try JSONValue.parse(String($0)) }
        guard let first = lines.first, first["format"]?.string == "mynakit-trace/1" else {
            throw TransportError.Other(detail: "not a mynakit-trace/1 file")
        }
        header = first
        exchanges = lines.dropFirst().filter { $0["i"] != nil }
        guard lines.last?["end"]?["exchanges"]?.int == exchanges.count else {
            throw TransportError.Other(detail: "truncated trace")
        }
    }
}

/// Answers the SDK's commands from a golden trace; records every difference.
final class SwiftReplayTransport: CardTransport, @unchecked Sendable {
    private let trace: GoldenTrace
    private(set) var next = 0
    private(set) var mismatches: [String] = []

    init(_ trace: GoldenTrace) { self.trace = trace }

    func transmit(apdu: Data, hint: ExchangeHint) throws -> Data {
        let i = next
        next += 1
        guard i < trace.exchanges.count else {
            mismatches.append("exchange \(i): the trace has only \(trace.exchanges.count) exchanges")
            throw TransportError.Other(detail: "replay: no recorded exchange \(i)")
        }
        let ex = trace.exchanges[i]
        let recorded = Data(hex: ex["cmd"]?.string ?? "")
        let same: Bool
        if let r = ex["redacted"], let off = r["offset"]?.int, let len = r["len"]?.int {
            // The real command is recorded[..<off] + <len secret bytes> + recorded[off...].
            same = hint.sensitive && apdu.count == recorded.count + len
                && apdu.prefix(off) == recorded.prefix(off)
                && apdu.suffix(recorded.count - off) == recorded.suffix(recorded.count - off)
        } else {
            same = apdu == recorded && !hint.sensitive
        }
        guard same else {
            mismatches.append("exchange \(i): sent \(hint.sensitive ? "<sensitive>" : apdu.hexUpper), trace has \(recorded.hexUpper)")
            throw TransportError.Other(detail: "replay: command \(i) differs from the trace")
        }
        if let err = ex["err"] {
            let message = err["message"]?.string ?? ""
            switch err["kind"]?.string {
            case "card_removed": throw TransportError.CardRemoved(detail: message)
            case "timeout": throw TransportError.Timeout(detail: message)
            case "no_card": throw TransportError.NoCard(detail: message)
            case "card_reset": throw TransportError.CardReset(detail: message)
            case "cancelled": throw TransportError.Cancelled(detail: message)
            case "invalid_response": throw TransportError.InvalidResponse(detail: message)
            default: throw TransportError.Other(detail: message)
            }
        }
        return Data(hex: ex["rsp"]?.string ?? "")
    }

    func capabilities() -> TransportCapabilities {
        let t = trace.header["transport"]
        return TransportCapabilities(
            maxCommandLen: UInt32(t?["max_command_len"]?.int ?? 0),
            maxResponseLen: UInt32(t?["max_response_len"]?.int ?? 0),
            extendedLength: t?["extended_length"]?.bool ?? false)
    }
}

/// Runs a trace's named operation and summarises it as the expected JSON does.
struct OperationRunner {
    let trace: GoldenTrace
    let session: CardSession

    private var trust: TrustPolicy {
        TrustPolicy(acceptJlisTestCards: trace.header["trust"]?["accept_jlis_test_cards"]?.bool ?? false,
                    acceptVirtualCard: trace.header["trust"]?["accept_virtual_card"]?.bool ?? false)
    }
    private var checkAt: UInt64? { trace.header["fixed"]?["verification_time_unix"]?.int.map(UInt64.init) }
    private var fixedChallenge: Data { Data(hex: trace.header["fixed"]?["challenge_hex"]?.string ?? "") }

    /// Values of the recorded lengths: the answers are recorded, so any well-formed value replays.
    private func secret(_ credential: String) -> String {
        let len = trace.header["secrets"]?.array?.first { $0["credential"]?.string == credential }?["len"]?.int ?? 0
        if credential == "jpki_sign_password" { return "A" + String(repeating: "0", count: max(len - 1, 0)) }
        if credential.hasSuffix("code_a") && len == 12 { return "000000000000" }  // check digit 0 is right
        if credential.hasSuffix("code_b") && len == 14 { return "01010120300000" }
        if credential == "face_birth_key" && len == 6 { return "010101" }
        return String(repeating: "0", count: len)
    }

    func run() -> JSONValue {
        let op = trace.header["operation"]
        let name = op?["name"]?.string ?? ""
        let params = op?["params"] ?? .object([:])
        var out: [String: JSONValue] = ["format": j("mynakit-trace-result/1"), "operation": j(name)]
        do {
            out["value"] = try value(name, params)
            out["outcome"] = j("ok")
        } catch let e as MynaError {
            out["outcome"] = j("error")
            out["error"] = errorSummary(e)
        } catch {
            out["outcome"] = j("unexpected: \(error)")
        }
        out["apdus"] = j((try? session.stats().apdus) ?? 0)
        return .object(out)
    }

    private func value(_ name: String, _ params: JSONValue) throws -> JSONValue {
        let allowLast = params["allow_last_try"]?.bool ?? false
        switch name {
        case "token": return token(try session.jpkiTokenInfo())
        case "availability": return availability(try session.jpkiCertificateAvailability())
        case "counters":
            let auth = retries(try session.retryStatus(credential: .jpkiAuthPin))
            var sign = JSONValue.null
            do { sign = retries(try session.retryStatus(credential: .jpkiSignPassword)) } catch MynaError.NotAvailable {}
            return j(["auth_pin": auth, "sign_password": sign])
        case "auth-cert": return cert(try session.jpkiAuthCertificate())
        case "auth-ca": return cert(try session.jpkiAuthCaCertificate())
        case "sign-ca": return cert(try session.jpkiSignCaCertificate())
        case "sign-cert": return cert(try session.jpkiSignCertificate(password: secret("jpki_sign_password"), allowBelowFloor: allowLast))
        case "sign-auth", "sign-sign":
            let key: JpkiKey = name == "sign-auth" ? .auth : .sign
            let hash = hashNamed(params["hash"]?.string ?? "sha256")
            let input = SignInput.message(hash: hash, data: Data(hex: params["message_hex"]?.string ?? ""))
            let sig = try session.jpkiSign(
                key: key, credentialValue: secret(key == .auth ? "jpki_auth_pin" : "jpki_sign_password"), input: input,
                options: SignOptions(allowBelowFloor: allowLast, allowSha1: hash == .sha1, includeCertificate: true))
            return j([
                "key": j(key == .auth ? "auth" : "sign"),
                "hash": j(hashName(sig.hash)),
                "digest_info_hex": j(sig.digestInfo.hexUpper),
                "signature_hex": j(sig.signature.hexUpper),
                "verified_with_certificate": j((try? verifySignatureWithCertificate(signature: sig)) != nil),
                "certificate": sig.certificate.map(cert) ?? .null,
            ])
        case "demo": return try demo()
        case "text":
            let unlock: TextUnlock
            switch params["unlock"]?.string {
            case "code_a": unlock = .codeA
            case "code_b": unlock = .codeB
            default: unlock = .pin
            }
            let credential = ["pin": "text_pin", "code_a": "text_code_a", "code_b": "text_code_b"][params["unlock"]?.string ?? "pin"]!
            let r = try session.textRead(unlock: unlock, value: secret(credential), allowBelowFloor: allowLast, options: apOptions(params))
            return summarised(textReport(r))
        case "face":
            let unlock: FaceUnlock
            switch params["unlock"]?.string {
            case "code_b": unlock = .codeB
            case "birth_key": unlock = .birthKey
            default: unlock = .codeA
            }
            let credential = ["code_a": "face_code_a", "code_b": "face_code_b", "birth_key": "face_birth_key"][params["unlock"]?.string ?? "code_a"]!
            let r = try session.faceRead(unlock: unlock, value: secret(credential), allowBelowFloor: allowLast, options: apOptions(params))
            return summarised(faceReport(r))
        default:
            throw MynaError.InvalidArgument(detail: "unknown operation \(name)")
        }
    }

    /// The same APDU sequence as `mynakit demo`.
    private func demo() throws -> JSONValue {
        let tokenInfo = try session.jpkiTokenInfo()
        let avail = try session.jpkiCertificateAvailability()
        let authRetries = try session.retryStatus(credential: .jpkiAuthPin)
        let signRetries = avail.signing ? try session.retryStatus(credential: .jpkiSignPassword) : nil
        let auth = try session.jpkiAuthCertificate()
        let authValue = cert(auth)
        let hasPassword = trace.header["secrets"]?.array?.contains { $0["credential"]?.string == "jpki_sign_password" } ?? false
        let signValue: JSONValue = avail.signing && hasPassword
            ? cert(try session.jpkiSignCertificate(password: secret("jpki_sign_password"), allowBelowFloor: false)) : .null
        let input = SignInput.message(hash: .sha256, data: fixedChallenge)
        let sig = try session.jpkiSign(key: .auth, credentialValue: secret("jpki_auth_pin"), input: input, options: SignOptions())
        let verified = (try? verifySignature(spkiDer: auth.spkiDer, input: input, signature: sig.signature, allowSha1: false)) != nil
        func chainOk(_ v: JSONValue) -> Bool { v["chain"]?["result"]?.string == "verified" }
        let allOk = (checkAt == nil || (chainOk(authValue) && (signValue == .null || chainOk(signValue)))) && verified
        return j([
            "token": token(tokenInfo),
            "certificate_availability": availability(avail),
            "auth_pin_retries": retries(authRetries),
            "sign_password_retries": signRetries.map(retries) ?? .null,
            "auth_certificate": authValue,
            "sign_certificate": signValue,
            "signature": j([
                "challenge_hex": j(fixedChallenge.hexUpper),
                "signature_hex": j(sig.signature.hexUpper),
                "verified_on_host": j(verified),
            ]),
            "all_checks_passed": j(allOk),
        ])
    }

    private func apOptions(_ params: JSONValue) -> ApReadOptions {
        let liveness: ChallengeSource?
        switch params["liveness"]?.string {
        case "card": liveness = .card
        case "host": liveness = .host(nonce: fixedChallenge)
        default: liveness = nil
        }
        // The CV CA keys the Rust replay uses for this trust policy (mynakit_testkit::trust::cv_trust).
        return ApReadOptions(cvCaKeys: trust.acceptVirtualCard ? [virtualCardCvCaKey()] : [], liveness: liveness)
    }

    private func hashNamed(_ n: String) -> HashAlgorithm {
        switch n.replacingOccurrences(of: "-", with: "").lowercased() {
        case "sha1": return .sha1
        case "sha384": return .sha384
        case "sha512": return .sha512
        default: return .sha256
        }
    }

    private func hashName(_ h: HashAlgorithm) -> String {
        switch h {
        case .sha1: return "sha1"
        case .sha256: return "sha256"
        case .sha384: return "sha384"
        case .sha512: return "sha512"
        }
    }

    private func token(_ t: TokenInfo) -> JSONValue {
        let kind: String
        switch t.kind {
        case .myNumberCard: kind = "my_number_card"
        case .androidPhone: kind = "android_phone"
        case .iPhone: kind = "i_phone"
        case .jukiCard: kind = "juki_card"
        case .unknown: kind = "unknown"
        }
        return j(["label": j(t.label), "kind": j(kind)])
    }

    private func availability(_ a: CertificateAvailability) -> JSONValue {
        j(["raw_hex": j(a.raw.hexUpper), "signing": j(a.signing), "authentication": j(a.authentication)])
    }

    private func retries(_ r: RetryStatus) -> JSONValue {
        switch r {
        case .remaining(let n): return j(["state": j("remaining"), "remaining": j(n)])
        case .blocked: return j(["state": j("blocked")])
        case .verifiedNotReported: return j(["state": j("verified_not_reported")])
        }
    }

    private func date(_ d: CalendarDate?) -> JSONValue {
        d.map { j(["year": j($0.year), "month": j($0.month), "day": j($0.day)]) } ?? .null
    }

    private func sex(_ s: Sex?) -> JSONValue {
        switch s {
        case nil: return .null
        case .male?: return j("male")
        case .female?: return j("female")
        case .notApplicable?: return j("not_applicable")
        case .notKnown?: return j("not_known")
        case .other(let code)?: return j(["other": j(code)])
        }
    }

    private func era(_ e: Era?) -> JSONValue {
        switch e {
        case nil: return .null
        case .meiji?: return j("meiji")
        case .taisho?: return j("taisho")
        case .showa?: return j("showa")
        case .heisei?: return j("heisei")
        case .reiwa?: return j("reiwa")
        }
    }

    private func cert(_ c: Certificate) -> JSONValue {
        var chain = JSONValue.null
        if let at = checkAt {
            do {
                chain = j(["result": j("verified"), "anchor": j(try testTrustStore(policy: trust).verify(certificate: c, atUnix: at).anchor)])
            } catch let e as MynaError {
                chain = j(["result": j("failed"), "reason": j(e.detail)])
            } catch {
                chain = j(["result": j("unexpected \(error)")])
            }
        }
        let attributes = c.attributes.map { a in
            j([
                "name": j(a.name), "name_substitute": j(a.nameSubstitute), "sex_code": j(a.sexCode), "sex": sex(a.sex),
                "birth_date": a.birthDate.map { b in j(["raw": j(b.raw), "era": era(b.era), "date": date(b.date)]) } ?? .null,
                "address": j(a.address), "address_substitute": j(a.addressSubstitute),
            ])
        } ?? .null
        return j([
            "size": j(c.der.count), "sha256": j(c.sha256Fingerprint), "serial": j(c.serial), "subject": j(c.subject),
            "issuer": j(c.issuer), "not_before": j(c.notBefore), "not_after": j(c.notAfter),
            "public_key_bits": j(c.publicKeyBits), "attributes": attributes, "chain": chain,
        ])
    }

    private func offsets(_ o: OffsetCheck) -> JSONValue {
        switch o {
        case .consistent: return j(["result": j("consistent")])
        case .inconsistent(let details): return j(["result": j("inconsistent"), "details": j(details)])
        }
    }

    private func key(_ k: CardPublicKey) -> JSONValue {
        j(["bits": j(k.bits), "exponent_hex": j(k.exponentHex), "modulus_hex": j(k.modulusHex)])
    }

    private func image(_ i: CardImage) -> JSONValue {
        let format: String
        switch i.format {
        case .png: format = "png"
        case .jp2: format = "jp2"
        case .j2c: format = "j2c"
        case .unknown: format = "unknown"
        }
        return j(["format": j(format), "data": j(i.data.hexUpper)])
    }

    private func verification(_ v: VerificationReport) -> JSONValue {
        j(["checks": .array(v.checks.map { c in
            let outcome: JSONValue
            switch c.outcome {
            case .verified: outcome = j(["result": j("verified")])
            case .failed(let reason): outcome = j(["result": j("failed"), "reason": j(reason)])
            case .notChecked(let reason): outcome = j(["result": j("not_checked"), "reason": j(reason)])
            }
            return j(["name": j(c.name), "outcome": outcome])
        })])
    }

    private func cv(_ c: MynaKit.CvCertificate) -> JSONValue {
        j([
            "issuer_key_id": j(c.issuerKeyId), "issuer_key_label": j(c.issuerKeyLabel),
            "subject_key_id": j(c.subjectKeyId), "subject_key_label": j(c.subjectKeyLabel),
            "public_key": key(c.publicKey), "raw": j(c.raw.hexUpper),
        ])
    }

    private func liveness(_ l: LivenessProof?) -> JSONValue {
        l.map {
            j([
                "challenge": j($0.challenge.hexUpper), "challenge_from_card": j($0.challengeFromCard),
                "signature": j($0.signature.hexUpper), "verification": verification($0.verification),
            ])
        } ?? .null
    }

    private func textReport(_ r: TextReport) -> JSONValue {
        let unlocked: String
        switch r.unlockedWith {
        case .pin: unlocked = "pin"
        case .codeA: unlocked = "code_a"
        case .codeB: unlocked = "code_b"
        }
        return j([
            "unlocked_with": j(unlocked),
            "my_number": r.myNumber.map {
                j(["my_number": j($0.myNumber), "check_digit_valid": j($0.checkDigitValid), "raw_hex": j($0.raw.hexUpper)])
            } ?? .null,
            "attributes": r.attributes.map { a in
                j([
                    "name": j(a.name), "surname": j(a.surname), "given_name": j(a.givenName), "address": j(a.address),
                    "birth_date_raw": j(a.birthDateRaw), "birth_date": date(a.birthDate), "sex_code": j(a.sexCode),
                    "sex": sex(a.sex), "offsets": offsets(a.offsets), "raw_hex": j(a.raw.hexUpper),
                ])
            } ?? .null,
            "integrity": j([
                "my_number_digest": j(r.integrity.myNumberDigest), "attributes_digest": j(r.integrity.attributesDigest),
                "signature_hex": j(r.integrity.signatureHex),
            ]),
            "cv_certificate": cv(r.cvCertificate),
            "verification": verification(r.verification),
            "liveness": liveness(r.liveness),
        ])
    }

    private func faceReport(_ r: FaceReport) -> JSONValue {
        let unlocked: String
        switch r.unlockedWith {
        case .codeA: unlocked = "code_a"
        case .codeB: unlocked = "code_b"
        case .birthKey: unlocked = "birth_key"
        }
        return j([
            "unlocked_with": j(unlocked),
            "front": r.front.map { f in
                j([
                    "birth_date_raw": j(f.birthDateRaw), "birth_date": date(f.birthDate), "sex_code": j(f.sexCode),
                    "sex": sex(f.sex), "card_key": key(f.cardKey), "name_image": image(f.nameImage),
                    "address_image": image(f.addressImage), "photo": image(f.photo), "expiry_raw": j(f.expiryRaw),
                    "expiry": date(f.expiry), "security_code_image": image(f.securityCodeImage), "offsets": offsets(f.offsets),
                ])
            } ?? .null,
            "my_number_image": r.myNumberImage.map { j(["image": image($0.image), "card_key": key($0.cardKey)]) } ?? .null,
            "age": r.age.map { j(["birth_date_raw": j($0.birthDateRaw), "birth_date": date($0.birthDate), "card_key": key($0.cardKey)]) } ?? .null,
            "cv_certificate": cv(r.cvCertificate),
            "verification": verification(r.verification),
            "liveness": liveness(r.liveness),
        ])
    }

    /// Long hex strings as `<N bytes, SHA-256 …>`, as the expected results write them.
    private func summarised(_ v: JSONValue) -> JSONValue {
        switch v {
        case .string(let s) where s.count > 256 && s.allSatisfy(\.isHexDigit):
            let bytes = Data(hex: s)
            return .string("<\(bytes.count) bytes, SHA-256 \(sha256(bytes).hexUpper)>")
        case .array(let a): return .array(a.map(summarised))
        case .object(let o): return .object(o.mapValues(summarised))
        default: return v
        }
    }

    private func credentialName(_ c: Credential) -> String {
        switch c {
        case .jpkiAuthPin: return "jpki_auth_pin"
        case .jpkiSignPassword: return "jpki_sign_password"
        case .textPin: return "text_pin"
        case .textCodeA: return "text_code_a"
        case .textCodeB: return "text_code_b"
        case .faceCodeA: return "face_code_a"
        case .faceCodeB: return "face_code_b"
        case .faceBirthKey: return "face_birth_key"
        }
    }

    private func transportName(_ k: TransportErrorKind) -> String {
        switch k {
        case .cardRemoved: return "card_removed"
        case .timeout: return "timeout"
        case .noCard: return "no_card"
        case .cardReset: return "card_reset"
        case .cancelled: return "cancelled"
        case .invalidResponse: return "invalid_response"
        case .other, .foreignException: return "other"
        }
    }

    private func errorSummary(_ e: MynaError) -> JSONValue {
        var m: [String: JSONValue] = ["message": j(e.detail), "code": j(e.code)]
        switch e {
        case .CardRemoved: m["kind"] = j("transport"); m["transport"] = j("card_removed")
        case .Transport(let kind, _): m["kind"] = j("transport"); m["transport"] = j(transportName(kind))
        case .ForeignException: m["kind"] = j("transport"); m["transport"] = j("other")
        case .VerifyOutcomeUnknown(let c, let kind, let sw, _):
            m["kind"] = j("verify_outcome_unknown"); m["credential"] = j(credentialName(c))
            if let kind { m["transport"] = j(transportName(kind)) }
            if let sw { m["sw"] = j(String(format: "%04X", sw)) }
        case .WrongPin(let c, let n, _): m["kind"] = j("wrong_pin"); m["credential"] = j(credentialName(c)); m["remaining"] = j(n)
        case .Blocked(let c, _): m["kind"] = j("blocked"); m["credential"] = j(credentialName(c)); m["remaining"] = j(0)
        case .RetryFloor(let c, let n, _, _):
            m["kind"] = j("retry_floor"); m["credential"] = j(credentialName(c))
            if let n { m["remaining"] = j(n) }
        case .InvalidCredentialFormat(let c, _): m["kind"] = j("invalid_credential_format"); m["credential"] = j(credentialName(c))
        case .CredentialRequired(let c, _, _): m["kind"] = j("credential_required"); m["credential"] = j(credentialName(c))
        case .NotAvailable: m["kind"] = j("not_available")
        case .UnexpectedStatus(_, let sw, _): m["kind"] = j("unexpected_status"); m["sw"] = j(String(format: "%04X", sw))
        case .MalformedResponse: m["kind"] = j("malformed_response")
        case .MalformedData: m["kind"] = j("malformed_data")
        case .InvalidCommand: m["kind"] = j("invalid_command")
        case .InvalidArgument: m["kind"] = j("invalid_argument")
        case .Verification: m["kind"] = j("verification")
        case .Trace: m["kind"] = j("trace")
        case .Internal: m["kind"] = j("other")
        }
        return .object(m)
    }
}

extension MynaError {
    /// The human-readable text (every variant has `detail`).
    var detail: String {
        switch self {
        case .CardRemoved(let d), .ForeignException(let d), .MalformedResponse(let d), .InvalidCommand(let d),
             .InvalidArgument(let d), .Verification(let d), .Trace(let d), .Internal(let d):
            return d
        case .Transport(_, let d), .Blocked(_, let d), .InvalidCredentialFormat(_, let d), .NotAvailable(_, let d),
             .MalformedData(_, let d):
            return d
        case .VerifyOutcomeUnknown(_, _, _, let d), .WrongPin(_, _, let d), .CredentialRequired(_, _, let d),
             .UnexpectedStatus(_, _, let d):
            return d
        case .RetryFloor(_, _, _, let d):
            return d
        }
    }
}

final class GoldenTraceTests: XCTestCase {
    private func dir() throws -> URL {
        guard let root = ProcessInfo.processInfo.environment["MYNAKIT_FIXTURES"] else { throw XCTSkip("MYNAKIT_FIXTURES is not set") }
        return URL(fileURLWithPath: root).appendingPathComponent("traces")
    }

    private func vectors() throws -> [JSONValue] {
        let index = try JSONValue.parse(String(contentsOf: try dir().appendingPathComponent("index.json"), encoding: .utf8))
        XCTAssertEqual(index["format"]?.string, "mynakit-trace-index/1")
        return index["vectors"]?.array ?? []
    }

    private func load(_ v: JSONValue) throws -> (String, JSONValue) {
        let text = try String(contentsOf: try dir().appendingPathComponent(v["trace"]?.string ?? ""), encoding: .utf8)
        let expected = try JSONValue.parse(String(contentsOf: try dir().appendingPathComponent(v["expected"]?.string ?? ""), encoding: .utf8))
        return (text, expected)
    }

    private func session(_ trace: GoldenTrace, _ transport: CardTransport) throws -> CardSession {
        let s = try CardSession(transport: transport)
        let p = trace.header["protocol"]
        try s.setProtocolOptions(options: ProtocolOptions(
            readBySfi: p?["read_by_sfi"]?.bool ?? true, verifyBySfi: p?["verify_by_sfi"]?.bool ?? true,
            signKeyBySfi: p?["sign_key_by_sfi"]?.bool ?? false))
        try s.setPinPolicy(policy: PinPolicy(floor: UInt8(trace.header["pin_policy"]?["floor"]?.int ?? 1)))
        return s
    }

    func testEveryGoldenTraceReplaysThroughASwiftTransport() throws {
        let vectors = try vectors()
        XCTAssertGreaterThanOrEqual(vectors.count, 10)
        var failures: [String] = []
        for v in vectors {
            let name = v["name"]?.string ?? "?"
            let (text, expected) = try load(v)
            let trace = try GoldenTrace(text)
            let transport = SwiftReplayTransport(trace)
            let actual = OperationRunner(trace: trace, session: try session(trace, transport)).run()
            failures += actual.differences(from: expected).map { "\(name): \($0)" }
            failures += transport.mismatches.map { "\(name): \($0)" }
            // Scrubbed data may no longer parse, ending the session early (as in Rust's replay).
            if trace.header["scrubbed"]?.bool != true && transport.next != trace.exchanges.count {
                failures.append("\(name): \(trace.exchanges.count - transport.next) recorded exchanges were not requested")
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    func testAChangedResponseIsNoticed() throws {
        let v = try XCTUnwrap(try vectors().first { $0["name"]?.string == "auth-cert" })
        let (text, expected) = try load(v)
        let tampered = text.replacingOccurrences(of: "\"rsp\":\"3082", with: "\"rsp\":\"3182")
        XCTAssertNotEqual(tampered, text)
        let trace = try GoldenTrace(tampered)
        let actual = OperationRunner(trace: trace, session: try session(trace, SwiftReplayTransport(trace))).run()
        XCTAssertFalse(actual.differences(from: expected).isEmpty)
    }

    func testTheRustReplayConstructorAndOperation() throws {
        for name in ["auth-cert", "text-wrong-pin", "face-removed-mid-photo"] {
            let v = try XCTUnwrap(try vectors().first { $0["name"]?.string == name }, name)
            let (text, expected) = try load(v)
            let replay = try TraceReplay(traceJsonl: text, strict: true)
            let actual = OperationRunner(trace: try GoldenTrace(text), session: replay.session()).run()
            XCTAssertEqual(actual.differences(from: expected), [], name)
            try replay.finish()
            let rust = try replayTraceOperation(traceJsonl: text, strict: true)
            XCTAssertEqual(try traceResultDifferences(actualJson: rust, expectedJson: actual.description), [], name)
        }
    }

    func testSha256KnownAnswer() {
        XCTAssertEqual(sha256(Data("abc".utf8)).hexUpper, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
        XCTAssertEqual(sha256(Data()).hexUpper, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
    }
}
