// The sample screen's state and actions, without UI: the SwiftUI screen (SampleApp.swift) only
// renders `ScreenState` and calls these methods. Foundation and MynaKit only, so the Linux suite
// runs it against the virtual card (bindings/swift/Tests/MynaKitTests/SampleScreenModelTests.swift).
//
// What it decides for the user:
//   - one card action at a time (a second tap while the card is in use is ignored);
//   - the last PIN try is offered only after the SDK refused to spend it (RetryFloor), and the
//     consent is for one call;
//   - the card-face fields are checked before any card is asked for.
// The NFC sheet shows the card stages itself (MynaNFCSessionRunner), so there is no status line.
import Foundation
import MynaKit

/// Everything the screen shows.
public struct ScreenState: Equatable, Sendable {
    /// The PIN counter, once read ("利用者証明用暗証番号：残り3回").
    public var tries = ""
    /// The last action's outcome, in Japanese.
    public var result = ""
    /// A card action is running: the buttons are disabled.
    public var busy = false
    /// The SDK stopped before the last try: show the "use the last try" choice. The user's
    /// consent then applies to the next call only.
    public var offerLastTry = false
    /// The chip's photo (PNG) after a ヘ-method read the server accepted; nil otherwise.
    public var photoPNG: Data?

    public init() {}
}

@MainActor
public final class EkycScreenModel {
    /// The current state; `onChange` is told every change.
    public private(set) var state = ScreenState() {
        didSet { if state != oldValue { onChange?(state) } }
    }
    public var onChange: (@MainActor (ScreenState) -> Void)?
    private let flow: EkycFlow

    public init(flow: EkycFlow) {
        self.flow = flow
    }

    /// Reads the login PIN's counter (no try is spent). Nil when a card action is already running.
    @discardableResult
    public func checkRetries() -> Task<Void, Never>? {
        start { model, flow in
            let text: String
            do {
                text = Self.retriesText(try await flow.retries(.jpkiAuthPin))
            } catch let e as MynaError {
                text = "\(e.messageJa)（\(e.code)）"
            } catch let e as MynaNFCSessionError {
                text = MynaNFCMessages.japanese.failure(e)
            } catch {
                text = "読み取れませんでした"
            }
            model.state.tries = text
        }
    }

    /// JPKI login; `useLastTry` counts only when the screen offered the last try.
    @discardableResult
    public func login(pin: String, useLastTry: Bool) -> Task<Void, Never>? {
        let allow = useLastTry && state.offerLastTry
        return start { model, flow in model.show(await flow.login(pin: pin, allowLastTry: allow)) }
    }

    /// ワ-method signature over `consent` with the signing password.
    @discardableResult
    public func sign(password: String, consent: String, useLastTry: Bool) -> Task<Void, Never>? {
        let allow = useLastTry && state.offerLastTry
        return start { model, flow in
            model.show(await flow.sign(password: password, consent: consent, allowLastTry: allow))
        }
    }

    /// 基本4情報 with 照合番号B from the card face as typed: `birth` YYYYMMDD, `expiryYear` YYYY,
    /// `securityCode` 4 digits. Malformed input is answered at once, without a card (nil).
    @discardableResult
    public func readAttributes(birth: String, expiryYear: String, securityCode: String) -> Task<Void, Never>? {
        withCardFace(birth, expiryYear, securityCode) { flow, date, year in
            await flow.readAttributes(birth: date, expiryYear: year, securityCode: securityCode)
        }
    }

    /// ヘ method with the same card-face input as `readAttributes`; the accepted photo goes to
    /// `state.photoPNG`.
    @discardableResult
    public func chipRead(birth: String, expiryYear: String, securityCode: String) -> Task<Void, Never>? {
        withCardFace(birth, expiryYear, securityCode) { flow, date, year in
            await flow.chipRead(birth: date, expiryYear: year, securityCode: securityCode)
        }
    }

    /// Checks the card-face input before any card is asked for, then runs `action` as a card action.
    private func withCardFace(
        _ birth: String, _ expiryYear: String, _ securityCode: String,
        _ action: @escaping @Sendable (EkycFlow, CalendarDate, UInt16) async -> Outcome
    ) -> Task<Void, Never>? {
        guard !state.busy else { return nil }
        guard let date = Self.parseDate(birth), let year = Self.digits(expiryYear, count: 4).map(UInt16.init),
              Self.digits(securityCode, count: 4) != nil
        else {
            state.result = "生年月日（8桁）・有効期限の年（4桁）・セキュリティコード（4桁）を確認してください"
            return nil
        }
        return start { model, flow in model.show(await action(flow, date, year)) }
    }

    private func show(_ outcome: Outcome) {
        state.result = outcome.message
        if case .lastTry = outcome { state.offerLastTry = true } else { state.offerLastTry = false }
        if case .chipRead(_, _, let png) = outcome { state.photoPNG = png } else { state.photoPNG = nil }
        switch outcome {
        case .wrongPin(let remaining, _): state.tries = "残り\(remaining)回"
        case .blocked: state.tries = "ロックされています"
        default: break
        }
    }

    private func start(
        _ action: @escaping @MainActor (EkycScreenModel, EkycFlow) async -> Void
    ) -> Task<Void, Never>? {
        guard !state.busy else { return nil }
        state.busy = true
        let flow = self.flow
        return Task { @MainActor in
            await action(self, flow)
            self.state.busy = false
        }
    }

    public nonisolated static func retriesText(_ status: RetryStatus) -> String {
        switch status {
        case .remaining(let n): return "利用者証明用暗証番号：残り\(n)回"
        case .blocked: return "ロックされています。市区町村の窓口で解除してください"
        case .verifiedNotReported: return "確認済みです"
        }
    }

    /// `YYYYMMDD` as a date (ASCII digits only; the calendar check is the SDK's, before any card).
    public nonisolated static func parseDate(_ s: String) -> CalendarDate? {
        guard let n = digits(s, count: 8) else { return nil }
        return CalendarDate(year: UInt16(n / 10000), month: UInt8(n / 100 % 100), day: UInt8(n % 100))
    }

    /// `s` as a number when it is exactly `count` ASCII digits.
    nonisolated static func digits(_ s: String, count: Int) -> Int? {
        guard s.utf8.count == count, s.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(s)
    }
}
