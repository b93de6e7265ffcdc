// The iOS side of the NFC session runner: CoreNFC's NFCTagReaderSession and NFCISO7816Tag behind
// MynaKit's NFCReaderSessionDriver / ISO7816TagLink, the NFCReaderError classification, and
// CoreNFCTransport for apps that run their own session. Compiled where CoreNFC exists: on iOS,
// and on Linux against the test-only stub module Tests/CoreNFCStub (type-checking only; nothing
// here can run without a phone).
#if canImport(CoreNFC)
@preconcurrency import CoreNFC
import Foundation

/// Classification of CoreNFC's errors (`NFCReaderError.Code`, NFCError.h).
public enum CoreNFCErrors {
    public static func classify(_ error: any Error) -> NFCPlatformErrorKind {
        guard let nfc = error as? NFCReaderError else { return .other }
        switch nfc.code {
        // 102 "tag response error" is what iOS 16+ reports when the card is pulled away.
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagResponseError,
             .readerTransceiveErrorTagNotConnected:
            return .tagLost
        case .readerTransceiveErrorRetryExceeded:
            return .timeout
        case .readerTransceiveErrorSessionInvalidated, .readerSessionInvalidationErrorSessionTerminatedUnexpectedly:
            return .invalidated
        case .readerSessionInvalidationErrorUserCanceled:
            return .userCancelled
        case .readerSessionInvalidationErrorSessionTimeout:
            return .sessionTimeout
        case .readerSessionInvalidationErrorSystemIsBusy:
            return .systemBusy
        case .readerErrorUnsupportedFeature, .readerErrorSecurityViolation, .readerErrorRadioDisabled:
            return .unavailable
        default:
            return .other
        }
    }
}

/// `ISO7816TagLink` over an `NFCISO7816Tag`. CoreNFC's objects are not `Sendable`; this box is
/// safe because CoreNFC serialises a tag's commands on the session's queue.
public final class CoreNFCTagLink: ISO7816TagLink, @unchecked Sendable {
    public let tag: any NFCISO7816Tag
    let platformTag: NFCTag

    public init(_ tag: any NFCISO7816Tag) {
        self.tag = tag
        self.platformTag = .iso7816(tag)
    }

    public func send(apdu: Data, completion: @escaping @Sendable (Result<Data, any Error>) -> Void) {
        guard let command = NFCISO7816APDU(data: apdu) else {
            completion(.failure(TransportError.Other(detail: "CoreNFC rejected the command APDU encoding")))
            return
        }
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                completion(.failure(error))
            } else {
                var response = data
                response.append(sw1)
                response.append(sw2)
                completion(.success(response))
            }
        }
    }
}

/// `NFCReaderSessionDriver` over an `NFCTagReaderSession` polling `.iso14443` (the My Number
/// Card is ISO 14443 type B). The session's delegate callbacks arrive on `queue`.
public final class CoreNFCSessionDriver: NSObject, NFCReaderSessionDriver, NFCTagReaderSessionDelegate, @unchecked Sendable {
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var session: NFCTagReaderSession?
    private var events: (@Sendable (NFCDriverEvent) -> Void)?

    public init(queue: DispatchQueue = DispatchQueue(label: "jp.mynakit.nfc")) {
        self.queue = queue
    }

    public var isReadingAvailable: Bool { NFCTagReaderSession.readingAvailable }

    /// Whether `begin` created the session and events are delivered (for tests).
    var hasBegun: Bool { lock.withLock { events != nil } }

    public func begin(alertMessage: String, events: @escaping @Sendable (NFCDriverEvent) -> Void) {
        guard let session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue) else {
            events(.invalidated(NFCReaderError(.readerErrorUnsupportedFeature)))
            return
        }
        lock.withLock {
            self.session = session
            self.events = events
        }
        session.alertMessage = alertMessage
        session.begin()
    }

    public func connect(_ tag: any ISO7816TagLink, completion: @escaping @Sendable ((any Error)?) -> Void) {
        guard let session = lock.withLock({ self.session }), let link = tag as? CoreNFCTagLink else {
            completion(NFCReaderError(.readerTransceiveErrorSessionInvalidated))
            return
        }
        session.connect(to: link.platformTag) { error in completion(error) }
    }

    public func setAlertMessage(_ message: String) {
        lock.withLock { session }?.alertMessage = message
    }

    public func restartPolling() {
        lock.withLock { session }?.restartPolling()
    }

    public func invalidate(errorMessage: String?) {
        let session = lock.withLock { () -> NFCTagReaderSession? in
            let s = self.session
            self.session = nil
            return s
        }
        guard let session else { return }
        if let errorMessage {
            session.invalidate(errorMessage: errorMessage)
        } else {
            session.invalidate()
        }
    }

    public func classify(_ error: any Error) -> NFCPlatformErrorKind { CoreNFCErrors.classify(error) }

    // MARK: NFCTagReaderSessionDelegate

    public func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    public func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: any Error) {
        let events = lock.withLock { () -> (@Sendable (NFCDriverEvent) -> Void)? in
            self.session = nil
            return self.events
        }
        events?(.invalidated(error))
    }

    public func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        let links: [(any ISO7816TagLink)?] = tags.map { tag in
            if case .iso7816(let iso) = tag { return CoreNFCTagLink(iso) }
            return nil
        }
        lock.withLock { events }?(.detected(links))
    }
}

extension MynaNFCSessionRunner {
    /// A runner over CoreNFC (`NFCTagReaderSession` polling `.iso14443`); `maxResumes`: how many
    /// times a card that slipped away may be presented again in one session (0: never).
    public convenience init(
        limits: NFCSessionLimits = NFCSessionLimits(),
        messages: MynaNFCMessages = .japanese,
        extendedLength: Bool = false,
        maxResumes: Int = 2
    ) {
        self.init(
            limits: limits, messages: messages, extendedLength: extendedLength, maxResumes: maxResumes,
            clock: SystemNFCClock()
        ) {
            CoreNFCSessionDriver()
        }
    }
}

/// `CardTransport` over an `NFCISO7816Tag` for apps that run their own `NFCTagReaderSession`
/// (prefer `MynaNFCSessionRunner`, which also keeps the flow inside iOS's time limits).
///
/// - `transmit` blocks its caller (MynaKit's queue, see `MynaCard`) until CoreNFC's completion
///   handler runs on the session's queue, at most `timeout` (ordinary commands) or
///   `slowTimeout` (exchanges MynaKit marks slow: signing).
/// - Tag loss (CoreNFC 100, 102 on iOS 16+, 104) → `TransportError.CardRemoved`: MynaKit reports
///   `MynaError.CardRemoved`, or `.VerifyOutcomeUnknown` during a VERIFY.
/// - Short APDUs by default; `extendedLength: true` lets MynaKit read whole files at once.
/// - APDUs are never logged here: those with `hint.sensitive` carry a PIN or password.
///
/// The app's Info.plist must list `myNumberCardSelectIdentifiers` under
/// `com.apple.developer.nfc.readersession.iso7816.select-identifiers`, and the app needs the
/// NFC tag-reading entitlement with the `TAG` format.
public final class CoreNFCTransport: CardTransport, @unchecked Sendable {
    private let inner: ISO7816Transport

    public init(
        tag: any NFCISO7816Tag,
        timeout: TimeInterval = 5,
        slowTimeout: TimeInterval = 10,
        extendedLength: Bool = false
    ) {
        var limits = NFCSessionLimits()
        limits.exchangeSeconds = timeout
        limits.slowExchangeSeconds = slowTimeout
        limits.verifyBudgetSeconds = 0
        limits.slowBudgetSeconds = 0
        limits.minimumBudgetSeconds = 0
        inner = ISO7816Transport(
            link: CoreNFCTagLink(tag), classify: CoreNFCErrors.classify, limits: limits, clock: SystemNFCClock(),
            deadline: .infinity, extendedLength: extendedLength
        )
    }

    public func transmit(apdu: Data, hint: ExchangeHint) throws -> Data {
        try inner.transmit(apdu: apdu, hint: hint)
    }

    public func capabilities() -> TransportCapabilities { inner.capabilities() }

    /// The `TransportError` for a CoreNFC error.
    public static func map(_ error: any Error) -> TransportError {
        ISO7816Transport.transportError(CoreNFCErrors.classify(error), error)
    }
}
#endif
