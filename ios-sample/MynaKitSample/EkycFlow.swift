// The eKYC steps of the sample, without UI: what a bank app copies.
//   1. counters: read the PIN's retry counter first (no try spent) so the PIN screen shows it;
//   2. login (JPKI user authentication): server nonce -> the card signs it -> the evidence goes
//      to the server, whose verdict decides;
//   3. ワ-method signature: the signing password and the holder's consent text, same path;
//   4. 基本4情報 (券面事項入力補助AP) with 照合番号B built from what the card face shows;
//   5. ヘ method: the attributes and the card face with its photo under the same 照合番号B,
//      each application's card key signing a challenge bound to a server nonce; the server's
//      verdict decides, and the photo is what the bank compares the selfie with.
// Every outcome an app must handle is a case of `Outcome`, with the SDK's Japanese message.
// Foundation and MynaKit only: the Linux suite compiles this file and runs it against the
// virtual card (bindings/swift/Tests/MynaKitTests/SampleFlowTests.swift).
import Foundation
import MynaKit
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the bank's server decided about a bundle.
public struct ServerVerdict: Sendable, Equatable {
    /// `accepted`, `rejected` or `incomplete`.
    public var verdict: String
    /// The ids of the checks that failed (`certificate.chain`, `nonce.binding`, …).
    public var failedChecks: [String]
    public var accepted: Bool { verdict == "accepted" }
    public init(verdict: String, failedChecks: [String]) {
        self.verdict = verdict
        self.failedChecks = failedChecks
    }
}

/// The two calls an eKYC flow makes to the bank (MynaKit's `mynakit-verify-service`:
/// `POST /v1/nonce`, `POST /v1/verify`; docs/server.md).
public protocol BankServer: Sendable {
    func nonce() async throws -> Data
    func verify(evidenceJSON: String) async throws -> ServerVerdict
}

public struct BankServerError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// `BankServer` over HTTPS at `baseURL`.
public struct HTTPBankServer: BankServer {
    public let baseURL: URL
    public init(baseURL: URL) { self.baseURL = baseURL }

    public func nonce() async throws -> Data {
        let body = try await post("v1/nonce", Data())
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let hex = object["nonce"] as? String, hex.count % 2 == 0, (32...128).contains(hex.count)
        else { throw BankServerError(description: "the server's nonce answer is not understood") }
        var out = Data()
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else {
                throw BankServerError(description: "the server sent a malformed nonce")
            }
            out.append(b)
            i = j
        }
        return out
    }

    public func verify(evidenceJSON: String) async throws -> ServerVerdict {
        let body = try await post("v1/verify", Data(evidenceJSON.utf8))
        guard let report = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let verdict = report["verdict"] as? String
        else { throw BankServerError(description: "the server's report is not understood") }
        let checks = report["checks"] as? [[String: Any]] ?? []
        let failed = checks.filter { $0["result"] as? String == "failed" }.compactMap { $0["id"] as? String }
        return ServerVerdict(verdict: verdict, failedChecks: failed)
    }

    private func post(_ path: String, _ body: Data) async throws -> Data {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.timeoutInterval = 10
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw BankServerError(description: "the server answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return data
    }
}

/// Where cards come from: the iPhone's NFC, or (debug builds, tests) the virtual card.
public protocol CardSource: Sendable {
    func session<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T
    /// Options for the 券面 applications' checks (the virtual card needs its test CV key).
    var apReadOptions: ApReadOptions { get }
}

/// Real cards through the SDK's session runner: the NFC sheet shows the stages, and a card that
/// slips away is asked for again and the flow continues (up to twice, within 60 s).
public struct NFCCardSource: CardSource {
    let runner: MynaNFCSessionRunner
    public init(runner: MynaNFCSessionRunner) { self.runner = runner }
    public func session<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T {
        try await runner.run(body)
    }
    public var apReadOptions: ApReadOptions { ApReadOptions() }
}

/// What happened, for the UI, with the text to show (Japanese).
public enum Outcome: Sendable, Equatable {
    case accepted(String)
    case rejected(failedChecks: [String])
    case attributes(name: String, address: String, verified: Bool)
    /// ヘ method accepted by the server: name and address from the chip, and the chip's photo
    /// as PNG for the selfie comparison (nil if it could not be decoded).
    case chipRead(name: String, address: String, photoPNG: Data?)
    /// The PIN was wrong: ask again, showing `remaining`.
    case wrongPin(remaining: Int, message: String)
    /// Blocked: only the municipal office can reset it.
    case blocked(message: String)
    /// One try left: the SDK did not send the PIN; ask the user explicitly before the last try.
    case lastTry(remaining: Int?, message: String)
    /// The card left during the PIN check and the counter could not be read.
    case outcomeUnknown(message: String)
    /// The card left and was not presented again in time.
    case cardLost(message: String)
    case failed(message: String)

    public var message: String {
        switch self {
        case .accepted(let what): return "\(what)：銀行のサーバーで確認できました"
        case .rejected(let failed): return "銀行のサーバーが受け付けませんでした（\(failed.joined(separator: ", "))）"
        case .attributes(let name, let address, let verified):
            return "氏名：\(name)\n住所：\(address)\n" + (verified ? "カードの署名を確認しました" : "カードの署名を確認できませんでした")
        case .chipRead(let name, let address, _):
            return "氏名：\(name)\n住所：\(address)\nICチップの読み取りを銀行のサーバーで確認できました（ヘ方式）"
        case .wrongPin(_, let m), .blocked(let m), .outcomeUnknown(let m), .cardLost(let m), .failed(let m): return m
        case .lastTry(_, let m): return m + "\n残り1回です。続ける場合は「最後の1回を使う」を選んでください"
        }
    }
}

public struct EkycFlow: Sendable {
    let cards: any CardSource
    let server: any BankServer

    public init(cards: any CardSource, server: any BankServer) {
        self.cards = cards
        self.server = server
    }

    /// The counter of `credential`, without spending a try.
    public func retries(_ credential: Credential) async throws -> RetryStatus {
        try await cards.session { try await $0.retryStatus(credential) }
    }

    /// JPKI login. `allowLastTry` only after the user was told this is the last try and agreed.
    public func login(pin: String, allowLastTry: Bool = false) async -> Outcome {
        await guarded {
            let nonce = try await server.nonce()
            let evidence = try await cards.session { try await $0.login(pin: pin, nonce: nonce, allowBelowFloor: allowLastTry) }
            return verdict("利用者証明", try await server.verify(evidenceJSON: evidence.evidenceJson))
        }
    }

    /// ワ-method signature over `consent` with the signing password.
    public func sign(password: String, consent: String, allowLastTry: Bool = false) async -> Outcome {
        await guarded {
            let nonce = try await server.nonce()
            let evidence = try await cards.session {
                try await $0.signEvidence(password: password, nonce: nonce, data: Data(consent.utf8), allowBelowFloor: allowLastTry)
            }
            return verdict("電子署名", try await server.verify(evidenceJSON: evidence.evidenceJson))
        }
    }

    /// The four attributes with 照合番号B from the card face (birth date as printed, expiry
    /// year, 4-digit security code). No My Number is read.
    public func readAttributes(birth: CalendarDate, expiryYear: UInt16, securityCode: String) async -> Outcome {
        await guarded {
            let code = try codeB(birthDate: birth, expiryYear: expiryYear, securityCode: securityCode)
            let options = cards.apReadOptions
            let report = try await cards.session { try await $0.readText(.codeB, value: code, options: options) }
            guard let a = report.attributes else { return .failed(message: "基本4情報を読めませんでした") }
            // Under 照合番号B the My Number is not read, so its digest stays "not checked" and
            // `allVerified` is false: what counts here is that nothing failed, the CV
            // certificate chained to a CV CA key (`cvChained`) and the attributes' digest in
            // the card-signed integrity record was verified.
            let v = report.verification
            let attributesVerified = v.cvChained && v.checks.contains {
                $0.name.hasPrefix("attributes digest") && $0.outcome == .verified
            }
            return .attributes(name: a.name, address: a.address, verified: attributesVerified)
        }
    }

    /// ヘ method: 照合番号B from the card face as typed opens both 券面 applications; each one's
    /// card key signs a challenge bound to the server's nonce. The bundle (raw chip data) goes
    /// to the server, whose verdict decides; the chip photo is returned for the selfie
    /// comparison. No My Number is read.
    public func chipRead(birth: CalendarDate, expiryYear: UInt16, securityCode: String) async -> Outcome {
        await guarded {
            let code = try codeB(birthDate: birth, expiryYear: expiryYear, securityCode: securityCode)
            let nonce = try await server.nonce()
            let options = cards.apReadOptions
            let evidence = try await cards.session {
                try await $0.chipReadEvidence(nonce: nonce, textUnlock: .codeB, textValue: code,
                                              faceUnlock: .codeB, faceValue: code, options: options)
            }
            let v = try await server.verify(evidenceJSON: evidence.evidenceJson)
            guard v.accepted, let a = evidence.attributes else { return verdict("本人確認（ヘ方式）", v) }
            // The server has the photo in the bundle; if this phone cannot decode it, it just
            // cannot show it.
            let png = evidence.front.flatMap { try? decodePhoto(jp2: $0.photo.data).png }
            return .chipRead(name: a.name, address: a.address, photoPNG: png)
        }
    }

    private func verdict(_ what: String, _ v: ServerVerdict) -> Outcome {
        v.accepted ? .accepted(what) : .rejected(failedChecks: v.failedChecks)
    }

    private func guarded(_ body: () async throws -> Outcome) async -> Outcome {
        do {
            return try await body()
        } catch let e as MynaError {
            switch e {
            case .WrongPin(_, let remaining, _): return .wrongPin(remaining: Int(remaining), message: e.messageJa)
            case .Blocked: return .blocked(message: e.messageJa)
            case .RetryFloor(_, let remaining, _, _): return .lastTry(remaining: remaining.map(Int.init), message: e.messageJa)
            case .VerifyOutcomeUnknown: return .outcomeUnknown(message: e.messageJa)
            case .CardRemoved: return .cardLost(message: e.messageJa)
            default: return .failed(message: "\(e.messageJa)（\(e.code)）")
            }
        } catch let e as MynaNFCSessionError {
            return .failed(message: MynaNFCMessages.japanese.failure(e))
        } catch {
            return .failed(message: "銀行のサーバーに接続できませんでした：\(error)")
        }
    }
}
