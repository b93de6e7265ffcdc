// async/await wrappers over the generated bindings (MynaKit.swift).
import Foundation

/// One card session with `async` methods.
///
/// Each call runs the blocking card exchange on the card's own serial queue, so the caller's
/// thread (the main actor, a CoreNFC delegate queue) is never blocked and calls never overlap.
/// Cancelling the task does not interrupt an exchange already on the wire.
///
/// PINs and passwords are taken as `String`: MynaKit wipes its own copy when the call returns;
/// Swift's copies (this `String` and the UTF-8 buffer the generated code makes) cannot be wiped
/// by MynaKit. Do not keep them longer than needed.
///
/// Errors are the generated `MynaError` (`.WrongPin(credential:remainingTries:detail:)`,
/// `.CardRemoved(detail:)`, …); each has a `layer`, a stable `code` and user messages in
/// Japanese and English from the core (see the `MynaError` extension below).
public final class MynaCard: @unchecked Sendable {
    /// The generated session, for anything this type does not wrap.
    public let session: CardSession
    private let queue: DispatchQueue

    /// Wraps a session. `queue` must be serial and must not be the queue a CoreNFC transport
    /// receives its completion handlers on.
    public init(session: CardSession, queue: DispatchQueue = DispatchQueue(label: "jp.mynakit.card")) {
        self.session = session
        self.queue = queue
    }

    /// A session over the app's transport (for example `CoreNFCTransport`).
    public static func open(transport: CardTransport) throws -> MynaCard {
        MynaCard(session: try CardSession(transport: transport))
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (CardSession) throws -> T) async throws -> T {
        let session = self.session
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(session) })
            }
        }
    }

    /// Calls `listener` after each chunk of a file read (on the card's queue).
    public func setProgressListener(_ listener: (@Sendable (ReadProgress) -> Void)?) throws {
        try session.setProgressListener(listener: listener.map(ClosureProgressListener.init))
    }

    /// Makes the session keep what it read so that it can continue after a lost card
    /// (`resume`); kept data is zeroized when the session ends or on `forgetKeptData`.
    /// `MynaNFCSessionRunner` turns it on. Off by default.
    public func setResumable(_ on: Bool) throws { try session.setResumable(on: on) }

    /// Continues this session over `transport` after the card was lost mid-flow (the user
    /// presented it again). Then run the same flow again: files already read are not read
    /// again, a cut read continues at its offset, credentials are presented again under the
    /// usual policy, and a VERIFY whose outcome was unknown is re-sent only if the card's
    /// counter shows no try was spent (otherwise `.WrongPin`).
    public func resume(transport: CardTransport) async throws {
        try await run { try $0.resume(transport: transport) }
    }

    /// Drops (and zeroizes) the files a resumable session kept.
    public func forgetKeptData() throws { try session.forgetKeptData() }

    /// APDU and byte counts since the session opened.
    public func stats() async throws -> SessionStats { try await run { try $0.stats() } }

    /// Reads a retry counter without spending a try.
    public func retryStatus(_ credential: Credential) async throws -> RetryStatus {
        try await run { try $0.retryStatus(credential: credential) }
    }

    /// Presents a credential under the PIN-safety policy (at most one VERIFY).
    public func verify(_ credential: Credential, value: String, allowBelowFloor: Bool = false) async throws {
        try await run { try $0.verify(credential: credential, value: value, allowBelowFloor: allowBelowFloor) }
    }

    /// JPKI token information.
    public func tokenInfo() async throws -> TokenInfo { try await run { try $0.jpkiTokenInfo() } }

    /// Which JPKI certificates the card holds.
    public func certificateAvailability() async throws -> CertificateAvailability {
        try await run { try $0.jpkiCertificateAvailability() }
    }

    /// The user-authentication certificate.
    public func authCertificate() async throws -> Certificate { try await run { try $0.jpkiAuthCertificate() } }

    /// The user-authentication CA certificate as stored on the card.
    public func authCaCertificate() async throws -> Certificate { try await run { try $0.jpkiAuthCaCertificate() } }

    /// The signing CA certificate as stored on the card.
    public func signCaCertificate() async throws -> Certificate { try await run { try $0.jpkiSignCaCertificate() } }

    /// The signing certificate (personal data), presenting the signing password.
    public func signCertificate(password: String, allowBelowFloor: Bool = false) async throws -> Certificate {
        try await run { try $0.jpkiSignCertificate(password: password, allowBelowFloor: allowBelowFloor) }
    }

    /// Signs `message` (hashed on the host) with `key`.
    public func sign(
        key: JpkiKey, credentialValue: String, message: Data,
        hash: HashAlgorithm = .sha256, options: SignOptions = SignOptions()
    ) async throws -> Signature {
        try await run {
            try $0.jpkiSign(key: key, credentialValue: credentialValue,
                            input: .message(hash: hash, data: message), options: options)
        }
    }

    /// Signs a digest computed elsewhere.
    public func signDigest(
        key: JpkiKey, credentialValue: String, digest: Data,
        hash: HashAlgorithm = .sha256, options: SignOptions = SignOptions()
    ) async throws -> Signature {
        try await run {
            try $0.jpkiSign(key: key, credentialValue: credentialValue,
                            input: .digest(hash: hash, digest: digest), options: options)
        }
    }

    /// JPKI login: the user-authentication certificate and the card's signature over the
    /// server's `nonce` (16 to 64 bytes), checked here and packed as the `jpki_login` evidence
    /// the server verifies again (`evidenceJson`). The PIN is presented at most once.
    public func login(
        pin: String, nonce: Data, hash: HashAlgorithm = .sha256, allowBelowFloor: Bool = false
    ) async throws -> JpkiEvidence {
        try await run { try $0.jpkiLogin(pin: pin, nonce: nonce, hash: hash, allowBelowFloor: allowBelowFloor) }
    }

    /// ワ-method signature: the signing certificate and the card's signature with the signing
    /// key over the server's `nonce` and the `data` the holder consents to, checked here and
    /// packed as the `jpki_sign` evidence. The password is presented at most once.
    public func signEvidence(
        password: String, nonce: Data, data: Data, hash: HashAlgorithm = .sha256, allowBelowFloor: Bool = false
    ) async throws -> JpkiEvidence {
        try await run {
            try $0.jpkiSignEvidence(password: password, nonce: nonce, data: data, hash: hash,
                                    allowBelowFloor: allowBelowFloor)
        }
    }

    /// 券面事項入力補助AP: unlocks with `unlock` (`value` is the PIN or a 照合番号) and reads and
    /// checks what it opens. The report holds the My Number (特定個人情報) with the PIN or
    /// 照合番号A: handle it under the My Number Act.
    public func readText(
        _ unlock: TextUnlock, value: String, options: ApReadOptions = ApReadOptions(), allowBelowFloor: Bool = false
    ) async throws -> TextReport {
        try await run { try $0.textRead(unlock: unlock, value: value, allowBelowFloor: allowBelowFloor, options: options) }
    }

    /// 券面AP: unlocks with `unlock` and reads and checks the card face, the My Number image
    /// or the age record.
    public func readFace(
        _ unlock: FaceUnlock, value: String, options: ApReadOptions = ApReadOptions(), allowBelowFloor: Bool = false
    ) async throws -> FaceReport {
        try await run { try $0.faceRead(unlock: unlock, value: value, allowBelowFloor: allowBelowFloor, options: options) }
    }

    /// ヘ method: reads 券面事項入力補助AP with `textUnlock`/`textValue` and/or 券面AP with
    /// `faceUnlock`/`faceValue` (at least one AP; each pair both or neither), has each AP's
    /// card key sign a challenge bound to the server's `nonce` (16 to 64 bytes), checks
    /// everything here against `options`' CV CA keys and returns the `chip_read` bundle
    /// (`evidenceJson`) with the attributes and the card face (its photo is what a selfie is
    /// compared with). My Number goes into the bundle only with `includeMyNumber` and a
    /// credential that opens it. Each value is presented at most once.
    public func chipReadEvidence(
        nonce: Data, textUnlock: TextUnlock? = nil, textValue: String? = nil,
        faceUnlock: FaceUnlock? = nil, faceValue: String? = nil, includeMyNumber: Bool = false,
        options: ApReadOptions = ApReadOptions(), allowBelowFloor: Bool = false
    ) async throws -> ChipEvidence {
        try await run {
            try $0.chipReadEvidence(nonce: nonce, textUnlock: textUnlock, textValue: textValue,
                                    includeMyNumber: includeMyNumber, faceUnlock: faceUnlock,
                                    faceValue: faceValue, allowBelowFloor: allowBelowFloor, options: options)
        }
    }

    /// 対面: the card face under 照合番号A or B (`unlock`, `value`), the CV certificate and the
    /// card key's signature over a challenge bound to the server's `nonce`, checked here;
    /// returns the `face_to_face` bundle and the card face to show.
    public func faceToFaceEvidence(
        nonce: Data, unlock: FaceUnlock, value: String, options: ApReadOptions = ApReadOptions(),
        allowBelowFloor: Bool = false
    ) async throws -> ChipEvidence {
        try await run {
            try $0.faceToFaceEvidence(nonce: nonce, unlock: unlock, value: value,
                                      allowBelowFloor: allowBelowFloor, options: options)
        }
    }

    /// `length` random bytes from the card.
    public func challenge(length: UInt16) async throws -> Data {
        try await run { try $0.getChallenge(length: length) }
    }
}

private final class ClosureProgressListener: ProgressListener {
    private let body: @Sendable (ReadProgress) -> Void
    init(_ body: @escaping @Sendable (ReadProgress) -> Void) { self.body = body }
    func onProgress(progress: ReadProgress) { body(progress) }
}

/// Checks `certificate`'s chain against the embedded production J-LIS roots now (or at
/// `atUnix`); throws `MynaError.Verification` with the reason otherwise. (Test roots are only in
/// the MynaKitTestkit product: `verifyChainWithTestRoots`.)
public func verifyChain(
    _ certificate: Certificate, policy: TrustPolicy = TrustPolicy(), atUnix: UInt64? = nil
) throws -> ChainVerification {
    try TrustStore(policy: policy).verify(certificate: certificate, atUnix: atUnix)
}

/// Layers, stable codes and user messages of every `MynaError`, all from the core (the
/// generated `errorInfo()`): an app switches on `layer` (or on the case), shows
/// `userMessage()` with `code`, and logs `detail`.
///
/// | layer | cases |
/// |---|---|
/// | `.transport` | `CardRemoved`, `Transport`, `ForeignException` |
/// | `.credential` | `WrongPin`, `Blocked`, `RetryFloor`, `InvalidCredentialFormat`, `CredentialRequired`, `VerifyOutcomeUnknown` |
/// | `.cardStatus` | `UnexpectedStatus`, `NotAvailable` |
/// | `.data` | `MalformedResponse`, `MalformedData` |
/// | `.usage` | `InvalidArgument`, `InvalidCommand` |
/// | `.verification` | `Verification` |
/// | `.trace` | `Trace` |
/// | `.internal` | `Internal` |
///
/// Codes never change meaning once released (docs/errors.md).
extension MynaError {
    /// Layer, code, user messages and technical detail.
    public var info: ErrorInfo { errorInfo() }

    /// The layer: what failed, from the link up.
    public var layer: ErrorLayer { errorInfo().layer }

    /// The stable code, e.g. `MK-CRED-WRONG`: show it with the message, log it.
    public var code: String { errorInfo().code }

    /// The message for the app's user in Japanese, e.g. `利用者証明用暗証番号が違います。残り2回です。`
    public var messageJa: String { errorInfo().messageJa }

    /// The message for the app's user in English.
    public var messageEn: String { errorInfo().messageEn }

    /// The technical detail (English, for logs and support; never a PIN or password).
    public var technicalDetail: String { errorInfo().detail }

    /// The user message in `locale`'s language: Japanese for `ja`, English otherwise.
    public func userMessage(locale: Locale = .current) -> String {
        let info = errorInfo()
        return locale.identifier.hasPrefix("ja") ? info.messageJa : info.messageEn
    }
}

/// The application identifiers an iOS app must list in its Info.plist under
/// `com.apple.developer.nfc.readersession.iso7816.select-identifiers`, or CoreNFC refuses to
/// select them: JPKI-AP, 券面事項入力補助AP, 券面AP.
public let myNumberCardSelectIdentifiers = [
    "D392F000260100000001",
    "D3921000310001010408",
    "D3921000310001010402",
]
