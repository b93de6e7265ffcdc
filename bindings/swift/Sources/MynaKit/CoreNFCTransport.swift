// The iOS transport: MynaKit's CardTransport over CoreNFC's NFCISO7816Tag. Only compiled where
// CoreNFC exists (iOS); this repository's machines (Linux) cannot build or run it.
#if canImport(CoreNFC)
import CoreNFC
import Foundation

/// `CardTransport` over an `NFCISO7816Tag` from an `NFCTagReaderSession` polling `.iso14443`.
///
/// - `transmit` blocks its caller (MynaKit's queue, see `MynaCard`) until CoreNFC's completion
///   handler runs; the handler must be delivered on another queue (the reader session's queue,
///   the main queue by default), which `MynaCard` guarantees.
/// - `timeout` bounds ordinary commands and `slowTimeout` the exchanges MynaKit marks slow
///   (RSA signing). CoreNFC has no per-command timeout, so on expiry this transport reports a
///   timeout and the app should invalidate the session.
/// - Tag loss ("Tag connection lost") and an invalidated session become
///   `TransportError.CardRemoved`: MynaKit reports `MynaError.CardRemoved`, or
///   `MynaError.VerifyOutcomeUnknown` during a VERIFY.
/// - Short APDUs by default (what every reader supports); pass `extendedLength: true` to let
///   MynaKit read whole files in one command on devices where that was verified.
/// - APDUs are never logged here: those with `hint.sensitive` carry a PIN or password.
///
/// The app's Info.plist must list `myNumberCardSelectIdentifiers` under
/// `com.apple.developer.nfc.readersession.iso7816.select-identifiers`, and the app needs the
/// NFC tag-reading entitlement with the `TAG` format.
public final class CoreNFCTransport: CardTransport, @unchecked Sendable {
    private let tag: NFCISO7816Tag
    private let timeout: TimeInterval
    private let slowTimeout: TimeInterval
    private let extendedLength: Bool
    private let maxTransceiveLength: UInt32

    public init(
        tag: NFCISO7816Tag,
        timeout: TimeInterval = 5,
        slowTimeout: TimeInterval = 20,
        extendedLength: Bool = false,
        maxTransceiveLength: UInt32 = 65_544
    ) {
        self.tag = tag
        self.timeout = timeout
        self.slowTimeout = slowTimeout
        self.extendedLength = extendedLength
        self.maxTransceiveLength = maxTransceiveLength
    }

    public func transmit(apdu: Data, hint: ExchangeHint) throws -> Data {
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw TransportError.Other(detail: "CoreNFC rejected the command APDU encoding")
        }
        let done = DispatchSemaphore(value: 0)
        var outcome: Result<Data, Error>?
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                outcome = .failure(error)
            } else {
                var response = data
                response.append(sw1)
                response.append(sw2)
                outcome = .success(response)
            }
            done.signal()
        }
        let limit = hint.slow ? slowTimeout : timeout
        if done.wait(timeout: .now() + limit) == .timedOut {
            throw TransportError.Timeout(detail: "no answer from the card within \(limit) s")
        }
        switch outcome {
        case .success(let response)?:
            return response
        case .failure(let error)?:
            throw Self.map(error)
        case nil:
            throw TransportError.Other(detail: "CoreNFC returned neither a response nor an error")
        }
    }

    public func capabilities() -> TransportCapabilities {
        extendedLength ? extendedApduCapabilities(maxTransceiveLen: maxTransceiveLength) : shortApduCapabilities()
    }

    static func map(_ error: Error) -> TransportError {
        guard let nfc = error as? NFCReaderError else {
            return .Other(detail: String(describing: error))
        }
        let detail = nfc.localizedDescription
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected,
             .readerTransceiveErrorSessionInvalidated, .readerSessionInvalidationErrorSessionTimeout,
             .readerSessionInvalidationErrorSessionTerminatedUnexpectedly:
            return .CardRemoved(detail: detail)
        case .readerSessionInvalidationErrorUserCanceled:
            return .Cancelled(detail: detail)
        case .readerTransceiveErrorRetryExceeded:
            return .Timeout(detail: detail)
        default:
            return .Other(detail: detail)
        }
    }
}
#endif
