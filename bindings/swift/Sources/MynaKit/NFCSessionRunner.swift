// The SDK-owned NFC session runner: begins the reader session, waits for the card, connects,
// runs the app's async block with a MynaCard, keeps the flow inside iOS's time limits, shows
// progress in the system NFC sheet and ends the session with a success or error text.
//
// Platform-neutral: CoreNFC sits behind `NFCReaderSessionDriver` / `ISO7816TagLink`
// (CoreNFCSession.swift implements them where CoreNFC exists), so the XCTest suite runs all of
// this on Linux with fakes.
import Foundation

/// One ISO 7816 tag (CoreNFC: `NFCISO7816Tag`; tests: fakes).
public protocol ISO7816TagLink: AnyObject, Sendable {
    /// Sends one command APDU. `completion` receives the whole response APDU (data, SW1, SW2) or
    /// the platform's error, on a queue other than the caller's.
    func send(apdu: Data, completion: @escaping @Sendable (Result<Data, any Error>) -> Void)
}

/// What a platform error means to MynaKit (the CoreNFC adapter classifies `NFCReaderError`).
public enum NFCPlatformErrorKind: Sendable, Equatable {
    /// The card left the field (CoreNFC 100 connection lost, 102 tag response error — what
    /// iOS 16+ reports when the card is pulled away —, 104 tag not connected).
    case tagLost
    /// The card did not answer (101 retry exceeded).
    case timeout
    /// The user tapped Cancel on the NFC sheet (200).
    case userCancelled
    /// The OS ended the session at its 60 s limit (201).
    case sessionTimeout
    /// The session was invalidated (103, 202).
    case invalidated
    /// Another NFC session is running (203).
    case systemBusy
    /// NFC reading is not available: no NFC, missing entitlement or radio off (1, 2, 6).
    case unavailable
    /// Anything else.
    case other
}

/// Events of a reader session.
public enum NFCDriverEvent: Sendable {
    /// Tags found; nil for a tag that is not ISO 7816 (another kind of card).
    case detected([(any ISO7816TagLink)?])
    /// The session ended (by the OS, the user or an error).
    case invalidated(any Error)
}

/// What MynaKit needs from a reader session (CoreNFC: `NFCTagReaderSession` polling
/// `.iso14443`; tests: fakes). Every method returns at once.
public protocol NFCReaderSessionDriver: AnyObject, Sendable {
    /// `NFCTagReaderSession.readingAvailable`.
    var isReadingAvailable: Bool { get }
    /// Creates and begins the session with `alertMessage`; `events` receives what happens.
    func begin(alertMessage: String, events: @escaping @Sendable (NFCDriverEvent) -> Void)
    /// Connects to a detected tag.
    func connect(_ tag: any ISO7816TagLink, completion: @escaping @Sendable ((any Error)?) -> Void)
    /// Updates the text of the system NFC sheet.
    func setAlertMessage(_ message: String)
    /// Resumes polling (after a tag that is not the card).
    func restartPolling()
    /// Ends the session: with `errorMessage` as a failure, or as a success when nil.
    func invalidate(errorMessage: String?)
    /// Classifies a platform error.
    func classify(_ error: any Error) -> NFCPlatformErrorKind
}

/// A monotonic clock (tests use a fake one).
public protocol NFCSessionClock: Sendable {
    /// Seconds since an arbitrary origin, never going back.
    func now() -> Double
    /// Suspends for `seconds` (throws `CancellationError` when cancelled).
    func sleep(seconds: Double) async throws
}

/// The system's monotonic clock.
public struct SystemNFCClock: NFCSessionClock {
    public init() {}
    public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    public func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
    }
}

/// iOS's limits and MynaKit's budgets, in seconds.
public struct NFCSessionLimits: Sendable, Equatable {
    /// iOS ends a tag connection after 20 s.
    public var tagSeconds: Double = 20
    /// iOS ends a reader session after 60 s.
    public var sessionSeconds: Double = 60
    /// MynaKit stops this long before either limit, with its own clear error.
    public var margin: Double = 1.5
    /// Longest wait for one ordinary exchange.
    public var exchangeSeconds: Double = 5
    /// Longest wait for an exchange marked slow (signing).
    public var slowExchangeSeconds: Double = 10
    /// A VERIFY is not started with less time left (so its outcome is never cut off).
    public var verifyBudgetSeconds: Double = 2
    /// Signing is not started with less time left.
    public var slowBudgetSeconds: Double = 6
    /// No command is started with less time left.
    public var minimumBudgetSeconds: Double = 0.5

    public init() {}
}

/// What the NFC sheet shows.
public enum MynaNFCStage: Sendable, Equatable {
    case waitingForCard
    case notMyNumberCard
    case connecting
    case reading(done: UInt64, total: UInt64)
    case checkingTries
    case verifying
    case signing
    /// The card left the field mid-flow; the runner waits for it again (`attempt` of the
    /// runner's `maxResumes`) and continues where it stopped.
    case cardLost(attempt: Int)
}

/// Errors of the session itself (card errors are `MynaError`).
public enum MynaNFCSessionError: Error, Sendable, Equatable {
    /// MynaKit stopped before iOS's 20 s tag limit. No command was sent after the stop, so no
    /// PIN try was spent by it. Present the card again to continue.
    case tagTimeLimit(seconds: Double)
    /// MynaKit stopped before iOS's 60 s session limit (the card was not presented in time, or
    /// the whole flow took too long).
    case sessionTimeLimit(seconds: Double)
    /// The user tapped Cancel on the NFC sheet.
    case userCancelled
    /// NFC reading is not available on this device or for this app (entitlement, radio off).
    case readerUnavailable(detail: String)
    /// Another NFC session is running.
    case systemBusy
    /// The OS ended the session (detail from the platform).
    case sessionEnded(detail: String)
    /// The card could not be connected.
    case connectFailed(detail: String)
}

/// Texts of the NFC sheet. `japanese` (default) and `english` are provided.
public struct MynaNFCMessages: Sendable {
    public var stage: @Sendable (MynaNFCStage) -> String
    public var success: String
    public var failure: @Sendable (any Error) -> String

    public init(
        stage: @escaping @Sendable (MynaNFCStage) -> String,
        success: String,
        failure: @escaping @Sendable (any Error) -> String
    ) {
        self.stage = stage
        self.success = success
        self.failure = failure
    }

    public static let japanese = MynaNFCMessages(
        stage: { stage in
            switch stage {
            case .waitingForCard: return "マイナンバーカードをiPhoneの上部に当ててください"
            case .notMyNumberCard: return "マイナンバーカードではありません。マイナンバーカードを当ててください"
            case .connecting: return "読み取りを開始します。カードを動かさないでください"
            case .reading(let done, let total): return "読み取り中… \(percent(done, total))%"
            case .checkingTries: return "暗証番号の残り回数を確認しています"
            case .verifying: return "暗証番号を確認しています"
            case .signing: return "署名しています。カードを動かさないでください"
            case .cardLost: return "カードが離れました。もう一度当てると続きから読み取ります"
            }
        },
        success: "読み取りが完了しました",
        failure: { error in
            switch error {
            case MynaNFCSessionError.tagTimeLimit: return "時間内に完了しませんでした。もう一度カードを当ててください"
            case MynaNFCSessionError.sessionTimeLimit: return "時間切れです。もう一度お試しください"
            case MynaError.CardRemoved: return "カードが離れました。もう一度当ててください"
            case MynaError.VerifyOutcomeUnknown: return "カードが離れました。暗証番号の残り回数を確認してください"
            case MynaError.WrongPin(_, let remaining, _): return "暗証番号が違います(残り\(remaining)回)"
            case MynaError.Blocked: return "暗証番号がロックされています"
            default: return "読み取りに失敗しました"
            }
        }
    )

    public static let english = MynaNFCMessages(
        stage: { stage in
            switch stage {
            case .waitingForCard: return "Hold your My Number Card near the top of the iPhone"
            case .notMyNumberCard: return "This is not a My Number Card. Hold your My Number Card"
            case .connecting: return "Reading… keep the card still"
            case .reading(let done, let total): return "Reading… \(percent(done, total))%"
            case .checkingTries: return "Checking the remaining PIN tries"
            case .verifying: return "Checking the PIN"
            case .signing: return "Signing… keep the card still"
            case .cardLost: return "The card moved away. Hold it again to continue"
            }
        },
        success: "Done",
        failure: { error in
            switch error {
            case MynaNFCSessionError.tagTimeLimit: return "Not finished in time. Hold the card again"
            case MynaNFCSessionError.sessionTimeLimit: return "Time is up. Please try again"
            case MynaError.CardRemoved: return "The card moved away. Hold it again"
            case MynaError.VerifyOutcomeUnknown: return "The card moved away. Check the remaining PIN tries"
            case MynaError.WrongPin(_, let remaining, _): return "Wrong PIN (\(remaining) tries left)"
            case MynaError.Blocked: return "The PIN is blocked"
            default: return "Reading failed"
            }
        }
    )
}

private func percent(_ done: UInt64, _ total: UInt64) -> UInt64 {
    total == 0 ? 0 : min(100, done * 100 / total)
}

/// `CardTransport` over an `ISO7816TagLink` that never lets an exchange run past `deadline`:
/// a command is not started when less than its budget is left (reported as a timeout with
/// `stoppedAtLimit` set), and the wait for an answer ends at the deadline.
final class ISO7816Transport: CardTransport, @unchecked Sendable {
    private let link: any ISO7816TagLink
    private let classify: @Sendable (any Error) -> NFCPlatformErrorKind
    private let limits: NFCSessionLimits
    private let clock: any NFCSessionClock
    private let deadline: Double
    private let extendedLength: Bool
    private let lock = NSLock()
    private var stopped = false

    init(
        link: any ISO7816TagLink, classify: @escaping @Sendable (any Error) -> NFCPlatformErrorKind,
        limits: NFCSessionLimits, clock: any NFCSessionClock, deadline: Double, extendedLength: Bool
    ) {
        self.link = link
        self.classify = classify
        self.limits = limits
        self.clock = clock
        self.deadline = deadline
        self.extendedLength = extendedLength
    }

    /// Whether a command was refused because the time limit was near.
    var stoppedAtLimit: Bool { lock.withLock { stopped } }

    func transmit(apdu: Data, hint: ExchangeHint) throws -> Data {
        let remaining = deadline - clock.now()
        let budget = hint.slow ? limits.slowBudgetSeconds
            : hint.sensitive ? limits.verifyBudgetSeconds : limits.minimumBudgetSeconds
        if remaining < budget {
            lock.withLock { stopped = true }
            throw TransportError.Timeout(detail: String(
                format: "not sent: %.1f s left before the iOS time limit, %.1f s needed", max(0, remaining), budget))
        }
        let wait = min(hint.slow ? limits.slowExchangeSeconds : limits.exchangeSeconds, remaining)
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        link.send(apdu: apdu) { result in
            box.set(result)
            done.signal()
        }
        if done.wait(timeout: .now() + wait) == .timedOut {
            throw TransportError.Timeout(detail: String(format: "no answer from the card within %.1f s", wait))
        }
        switch box.get() {
        case .success(let response)?:
            guard response.count >= 2 else {
                throw TransportError.InvalidResponse(detail: "\(response.count)-byte response: no status word")
            }
            return response
        case .failure(let error)?:
            throw Self.transportError(classify(error), error)
        case nil:
            throw TransportError.Other(detail: "the tag returned neither a response nor an error")
        }
    }

    func capabilities() -> TransportCapabilities {
        extendedLength ? extendedApduCapabilities(maxTransceiveLen: 65_544) : shortApduCapabilities()
    }

    static func transportError(_ kind: NFCPlatformErrorKind, _ error: any Error) -> TransportError {
        let detail = String(describing: error)
        switch kind {
        case .tagLost: return .CardRemoved(detail: detail)
        case .timeout: return .Timeout(detail: detail)
        case .userCancelled, .invalidated: return .Cancelled(detail: detail)
        case .sessionTimeout: return .Timeout(detail: "the iOS session limit ended the session: \(detail)")
        case .systemBusy, .unavailable, .other: return .Other(detail: detail)
        }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Data, any Error>?
    func set(_ v: Result<Data, any Error>) { lock.withLock { value = v } }
    func get() -> Result<Data, any Error>? { lock.withLock { value } }
}

/// Driver events for one consumer at a time, usable from any task.
private final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [NFCDriverEvent] = []
    private var waiter: CheckedContinuation<NFCDriverEvent?, Never>?
    private var cancelled = false

    func push(_ event: NFCDriverEvent) {
        lock.lock()
        if let w = waiter {
            waiter = nil
            lock.unlock()
            w.resume(returning: event)
        } else {
            buffer.append(event)
            lock.unlock()
        }
    }

    /// The next event; nil when the calling task is cancelled.
    func next() async -> NFCDriverEvent? {
        lock.withLock { cancelled = false }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<NFCDriverEvent?, Never>) in
                lock.lock()
                if !buffer.isEmpty {
                    let e = buffer.removeFirst()
                    lock.unlock()
                    c.resume(returning: e)
                } else if cancelled {
                    lock.unlock()
                    c.resume(returning: nil)
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            cancelled = true
            let w = waiter
            waiter = nil
            lock.unlock()
            w?.resume(returning: nil)
        }
    }
}

/// The subscribers of `MynaNFCSessionRunner.stages()`.
private final class StageObservers: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var continuations: [Int: AsyncStream<MynaNFCStage>.Continuation] = [:]

    func add(_ c: AsyncStream<MynaNFCStage>.Continuation) {
        let id = lock.withLock { () -> Int in
            next += 1
            continuations[next] = c
            return next
        }
        c.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.continuations.removeValue(forKey: id) }
        }
    }

    func yield(_ stage: MynaNFCStage) {
        for c in lock.withLock({ Array(continuations.values) }) { c.yield(stage) }
    }
}

/// Shows a stage on the NFC sheet and tells the `stages()` subscribers.
private struct StageSink: Sendable {
    let driver: any NFCReaderSessionDriver
    let messages: MynaNFCMessages
    let observers: StageObservers
    func callAsFunction(_ stage: MynaNFCStage) {
        driver.setAlertMessage(messages.stage(stage))
        observers.yield(stage)
    }
}

/// Runs one card flow in an iOS reader session:
/// ```
/// let runner = MynaNFCSessionRunner()        // CoreNFC on iOS
/// let signature = try await runner.run { card in
///     try await card.sign(key: .auth, pin: pin, message: challenge)
/// }
/// ```
/// `run` begins the session, waits for the card (tags that are not ISO 7816 are ignored and
/// polling resumes), connects, runs `body` with a `MynaCard`, then ends the session with the
/// success text or the error's text. The sheet shows the stages: waiting, connecting, reading
/// n %, verifying the PIN, signing.
///
/// Time limits: iOS cuts a tag connection after 20 s and a session after 60 s. MynaKit stops
/// `limits.margin` earlier with `MynaNFCSessionError.tagTimeLimit` / `.sessionTimeLimit`, never
/// starts a VERIFY or a signature without enough time left for it (so the limit never leaves a
/// PIN try in doubt), and never waits for an answer past the limit.
///
/// A lost card does not restart the work: when the card leaves the field mid-flow (or the
/// 20 s tag limit is near), the sheet asks for it again (`.cardLost`), polling restarts in the
/// same session, and `body` runs again on the same `MynaCard`, continued over the new tag
/// (`MynaCard.resume`): files already read are not read again, a cut read continues at its
/// offset, and a PIN whose VERIFY was cut off is presented again only if the card's counter
/// shows no try was spent (otherwise `.WrongPin`). At most `maxResumes` times, within the 60 s
/// session. `body` must therefore be safe to run again from its start with the same inputs
/// (the flows of `MynaCard` are).
///
/// Errors: `MynaError` from the card calls (a removed card: `.CardRemoved`, or
/// `.VerifyOutcomeUnknown` during a VERIFY) once no resume is left, `MynaNFCSessionError` for
/// the session. Cancelling the calling task ends the session.
public final class MynaNFCSessionRunner: Sendable {
    private let makeDriver: @Sendable () -> any NFCReaderSessionDriver
    public let limits: NFCSessionLimits
    public let messages: MynaNFCMessages
    private let clock: any NFCSessionClock
    private let extendedLength: Bool
    /// How many times the card may be presented again in one session (0: a lost card ends it).
    public let maxResumes: Int
    private let observers = StageObservers()

    /// The stages of this runner's sessions as they happen (waiting, connecting, reading n of
    /// m bytes, checking tries, verifying, signing, card lost), for a UI beside the NFC sheet.
    /// Each call returns a new stream; it ends when the caller stops iterating.
    public func stages() -> AsyncStream<MynaNFCStage> {
        AsyncStream(bufferingPolicy: .bufferingNewest(32)) { observers.add($0) }
    }

    /// A runner over `makeDriver` (a new driver per `run`). On iOS use the initializer without
    /// a driver, which uses CoreNFC.
    public init(
        limits: NFCSessionLimits = NFCSessionLimits(),
        messages: MynaNFCMessages = .japanese,
        extendedLength: Bool = false,
        maxResumes: Int = 2,
        clock: any NFCSessionClock = SystemNFCClock(),
        makeDriver: @escaping @Sendable () -> any NFCReaderSessionDriver
    ) {
        self.makeDriver = makeDriver
        self.limits = limits
        self.messages = messages
        self.clock = clock
        self.extendedLength = extendedLength
        self.maxResumes = max(0, maxResumes)
    }

    /// Whether `error` is a lost card (or the tag limit) a session may continue after.
    static func isCardLoss(_ error: any Error) -> Bool {
        switch error {
        case MynaError.CardRemoved: return true
        case MynaError.VerifyOutcomeUnknown(_, let kind, _, _): return kind != nil
        case MynaError.Transport(let kind, _): return kind == .timeout || kind == .cardRemoved
        case MynaNFCSessionError.tagTimeLimit: return true
        default: return false
        }
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (MynaCard) async throws -> T) async throws -> T {
        let driver = makeDriver()
        guard driver.isReadingAvailable else {
            throw MynaNFCSessionError.readerUnavailable(detail: "NFC tag reading is not available")
        }
        let events = EventQueue()
        let sessionDeadline = clock.now() + limits.sessionSeconds - limits.margin
        driver.begin(alertMessage: messages.stage(.waitingForCard)) { events.push($0) }
        observers.yield(.waitingForCard)
        do {
            let result = try await race(
                until: sessionDeadline, limit: .sessionTimeLimit(seconds: limits.sessionSeconds)
            ) { [self] in
                try await self.session(driver: driver, events: events, sessionDeadline: sessionDeadline, body: body)
            }
            driver.setAlertMessage(messages.success)
            driver.invalidate(errorMessage: nil)
            return result
        } catch {
            let reported = (error is CancellationError) ? MynaNFCSessionError.userCancelled : error
            driver.invalidate(errorMessage: messages.failure(reported))
            throw error
        }
    }

    /// Waits for the card, connects and runs `body` inside the tag limit, while watching for
    /// the session's invalidation; after a lost card, waits for it again and continues.
    private func session<T: Sendable>(
        driver: any NFCReaderSessionDriver, events: EventQueue, sessionDeadline: Double,
        body: @escaping @Sendable (MynaCard) async throws -> T
    ) async throws -> T {
        var card: MynaCard?
        var resumes = 0
        while true {
            do {
                return try await onTag(
                    driver: driver, events: events, sessionDeadline: sessionDeadline, card: &card, body: body)
            } catch {
                guard resumes < maxResumes, Self.isCardLoss(error),
                      sessionDeadline - clock.now() > limits.minimumBudgetSeconds
                else { throw error }
                resumes += 1
                StageSink(driver: driver, messages: messages, observers: observers)(.cardLost(attempt: resumes))
                driver.restartPolling()
            }
        }
    }

    /// One tag: waits for it, connects, opens (or resumes) the card session over it and runs
    /// `body` inside the tag limit.
    private func onTag<T: Sendable>(
        driver: any NFCReaderSessionDriver, events: EventQueue, sessionDeadline: Double,
        card: inout MynaCard?, body: @escaping @Sendable (MynaCard) async throws -> T
    ) async throws -> T {
        let show = StageSink(driver: driver, messages: messages, observers: observers)
        var found: (any ISO7816TagLink)?
        while found == nil {
            guard let event = await events.next() else { throw CancellationError() }
            switch event {
            case .detected(let tags):
                if let tag = tags.compactMap({ $0 }).first {
                    found = tag
                } else {
                    show(.notMyNumberCard)
                    driver.restartPolling()
                }
            case .invalidated(let error):
                throw sessionError(driver.classify(error), error)
            }
        }
        guard let tag = found else { throw CancellationError() }
        show(.connecting)
        let tagStart = clock.now()
        do {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                driver.connect(tag) { error in
                    if let error {
                        c.resume(throwing: error)
                    } else {
                        c.resume()
                    }
                }
            }
        } catch {
            let kind = driver.classify(error)
            if kind == .tagLost { throw MynaError.CardRemoved(detail: "connect failed: \(error)") }
            if kind == .userCancelled || kind == .sessionTimeout { throw sessionError(kind, error) }
            throw MynaNFCSessionError.connectFailed(detail: String(describing: error))
        }
        let tagDeadline = min(tagStart + limits.tagSeconds - limits.margin, sessionDeadline)
        let transport = ISO7816Transport(
            link: tag, classify: { [driver] in driver.classify($0) }, limits: limits, clock: clock,
            deadline: tagDeadline, extendedLength: extendedLength
        )
        // The first tag opens the session; a later one continues it (MynaCard.resume).
        let current: MynaCard
        if let open = card {
            try await open.resume(transport: transport)
            current = open
        } else {
            current = try MynaCard.open(transport: transport)
            try current.setResumable(maxResumes > 0)
            try current.setProgressListener { progress in
                switch progress.stage {
                case .reading: show(.reading(done: progress.done, total: progress.total))
                case .checkingTries: show(.checkingTries)
                case .verifying: show(.verifying)
                case .signing: show(.signing)
                }
            }
            card = current
        }
        do {
            return try await race(until: tagDeadline, limit: .tagTimeLimit(seconds: limits.tagSeconds)) { [self] in
                try await withThrowingTaskGroup(of: T?.self) { group in
                    group.addTask { try await body(current) }
                    group.addTask {
                        // The session's invalidation (Cancel on the sheet, the OS) ends the flow.
                        while let event = await events.next() {
                            if case .invalidated(let error) = event {
                                throw self.sessionError(driver.classify(error), error)
                            }
                        }
                        return nil
                    }
                    defer { group.cancelAll() }
                    while let value = try await group.next() {
                        if let value { return value }
                    }
                    throw CancellationError()
                }
            }
        } catch {
            // A command refused at the limit surfaces as the limit, not as the core's timeout.
            if transport.stoppedAtLimit { throw MynaNFCSessionError.tagTimeLimit(seconds: limits.tagSeconds) }
            throw error
        }
    }

    /// `body`'s result, or `limit` thrown at `deadline` (on the runner's clock).
    private func race<T: Sendable>(
        until deadline: Double, limit: MynaNFCSessionError, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let clock = self.clock
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while clock.now() < deadline {
                    try await clock.sleep(seconds: deadline - clock.now())
                }
                throw limit
            }
            defer { group.cancelAll() }
            while let value = try await group.next() {
                if let value { return value }
            }
            throw CancellationError()
        }
    }

    private func sessionError(_ kind: NFCPlatformErrorKind, _ error: any Error) -> any Error {
        let detail = String(describing: error)
        switch kind {
        case .tagLost: return MynaError.CardRemoved(detail: detail)
        case .userCancelled: return MynaNFCSessionError.userCancelled
        case .sessionTimeout: return MynaNFCSessionError.sessionTimeLimit(seconds: limits.sessionSeconds)
        case .systemBusy: return MynaNFCSessionError.systemBusy
        case .unavailable: return MynaNFCSessionError.readerUnavailable(detail: detail)
        case .timeout, .invalidated, .other: return MynaNFCSessionError.sessionEnded(detail: detail)
        }
    }
}
