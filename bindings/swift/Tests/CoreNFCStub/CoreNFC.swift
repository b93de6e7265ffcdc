// A TEST-ONLY stand-in for Apple's CoreNFC, so MynaKit's CoreNFC adapter type-checks on Linux
// (Package.swift adds this target only when MYNAKIT_SWIFT_LIBDIR is set and the host is Linux;
// it is never part of a shipped build). Written from Apple's CoreNFC documentation: only the
// declarations MynaKit uses, with Apple's names, labels and types. Nothing here talks to a
// reader: sessions and tags do what the tests tell them.
//
// Deliberately NOT marked Sendable (Apple's Objective-C classes and protocols are not), so the
// adapter is checked under Swift 6's strict concurrency as strictly as on iOS.
import Foundation

/// `NFCReaderError` (NFCError.h): the error CoreNFC reports, with its `Code`.
public struct NFCReaderError: Error, CustomNSError {
    public enum Code: Int, Sendable {
        case readerErrorUnsupportedFeature = 1
        case readerErrorSecurityViolation = 2
        case readerErrorInvalidParameter = 3
        case readerErrorInvalidParameterLength = 4
        case readerErrorParameterOutOfBound = 5
        case readerErrorRadioDisabled = 6
        case readerTransceiveErrorTagConnectionLost = 100
        case readerTransceiveErrorRetryExceeded = 101
        case readerTransceiveErrorTagResponseError = 102
        case readerTransceiveErrorSessionInvalidated = 103
        case readerTransceiveErrorTagNotConnected = 104
        case readerTransceiveErrorPacketTooLong = 105
        case readerSessionInvalidationErrorUserCanceled = 200
        case readerSessionInvalidationErrorSessionTimeout = 201
        case readerSessionInvalidationErrorSessionTerminatedUnexpectedly = 202
        case readerSessionInvalidationErrorSystemIsBusy = 203
        case readerSessionInvalidationErrorFirstNDEFTagRead = 204
        case tagCommandConfigurationErrorInvalidParameters = 300
    }

    public let code: Code
    private let description: String

    public init(_ code: Code, description: String = "") {
        self.code = code
        self.description = description.isEmpty ? "NFCReaderError \(code.rawValue)" : description
    }

    public static var errorDomain: String { "NFCError" }
    public var errorCode: Int { code.rawValue }
    public var errorUserInfo: [String: Any] { [NSLocalizedDescriptionKey: description] }
}

/// `NFCTag` (Swift enum over the tag protocols).
public enum NFCTag {
    case feliCa(NFCFeliCaTag)
    case iso7816(NFCISO7816Tag)
    case iso15693(NFCISO15693Tag)
    case miFare(NFCMiFareTag)
}

/// The common tag protocol (`NFCTag` in Objective-C).
public protocol NFCTagProtocol: AnyObject {
    var isAvailable: Bool { get }
}

public protocol NFCFeliCaTag: NFCTagProtocol {}
public protocol NFCISO15693Tag: NFCTagProtocol {}
public protocol NFCMiFareTag: NFCTagProtocol {}

/// `NFCISO7816Tag`.
public protocol NFCISO7816Tag: NFCTagProtocol {
    var initialSelectedAID: String { get }
    var identifier: Data { get }
    var historicalBytes: Data? { get }
    var applicationData: Data? { get }
    var proprietaryApplicationDataCoding: Bool { get }
    func sendCommand(apdu: NFCISO7816APDU, completionHandler: @escaping (Data, UInt8, UInt8, (any Error)?) -> Void)
}

/// `NFCISO7816APDU`.
open class NFCISO7816APDU: NSObject {
    public let instructionClass: UInt8
    public let instructionCode: UInt8
    public let p1Parameter: UInt8
    public let p2Parameter: UInt8
    public let data: Data?
    public let expectedResponseLength: Int
    /// The encoded command (kept by the stub so fakes can answer it).
    public let encoded: Data

    public init(
        instructionClass: UInt8, instructionCode: UInt8, p1Parameter: UInt8, p2Parameter: UInt8,
        data: Data, expectedResponseLength: Int
    ) {
        self.instructionClass = instructionClass
        self.instructionCode = instructionCode
        self.p1Parameter = p1Parameter
        self.p2Parameter = p2Parameter
        self.data = data
        self.expectedResponseLength = expectedResponseLength
        var e = Data([instructionClass, instructionCode, p1Parameter, p2Parameter])
        if !data.isEmpty { e.append(UInt8(truncatingIfNeeded: data.count)); e.append(data) }
        if expectedResponseLength > 0 { e.append(UInt8(truncatingIfNeeded: expectedResponseLength)) }
        self.encoded = e
    }

    /// Parses an encoded APDU; nil when it is not a valid ISO 7816-4 command. (The stub checks
    /// only the 4-byte header; CoreNFC checks the whole encoding.)
    public init?(data: Data) {
        guard data.count >= 4 else { return nil }
        let b = [UInt8](data)
        self.instructionClass = b[0]
        self.instructionCode = b[1]
        self.p1Parameter = b[2]
        self.p2Parameter = b[3]
        self.data = nil
        self.expectedResponseLength = -1
        self.encoded = data
    }
}

/// `NFCReaderSession` (the base class).
open class NFCReaderSession: NSObject {
    /// `NFCReaderSession.readingAvailable`.
    open class var readingAvailable: Bool { stubReadingAvailable }
    /// What the stub reports as `readingAvailable` (tests set it).
    nonisolated(unsafe) public static var stubReadingAvailable = true

    open var isReady: Bool { false }
    open var alertMessage: String = ""
    open func begin() {}
    open func invalidate() {}
    open func invalidate(errorMessage: String) {}
}

/// `NFCTagReaderSessionDelegate`.
public protocol NFCTagReaderSessionDelegate: NSObjectProtocol {
    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession)
    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: any Error)
    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag])
}

/// `NFCTagReaderSession`.
open class NFCTagReaderSession: NFCReaderSession {
    public struct PollingOption: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let iso14443 = PollingOption(rawValue: 0x1)
        public static let iso15693 = PollingOption(rawValue: 0x2)
        public static let iso18092 = PollingOption(rawValue: 0x4)
        public static let pace = PollingOption(rawValue: 0x8)
    }

    public weak var delegate: (any NFCTagReaderSessionDelegate)?
    public let pollingOption: PollingOption

    public init?(pollingOption: PollingOption, delegate: any NFCTagReaderSessionDelegate, queue: DispatchQueue? = nil) {
        self.pollingOption = pollingOption
        self.delegate = delegate
    }

    open var connectedTag: NFCTag?

    open func connect(to tag: NFCTag, completionHandler: @escaping ((any Error)?) -> Void) {
        connectedTag = tag
        completionHandler(nil)
    }

    open func restartPolling() {}
}
