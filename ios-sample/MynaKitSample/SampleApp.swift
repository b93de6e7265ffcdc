// MynaKit iOS sample (SwiftUI, Japanese UI). The steps are EkycFlow.swift (compiled and run
// against the virtual card by the Linux suite); this file is only the screen and is not built on
// this repository's machines (no Xcode, no SwiftUI). See ../README.md.
import MynaKit
import SwiftUI

@main
struct SampleApp: App {
    var body: some Scene {
        WindowGroup { ContentView() }
    }
}

/// The bank's verification service (replace with yours).
private let serverURL = URL(string: "https://ekyc.example.jp")!

@MainActor
final class SampleModel: ObservableObject {
    @Published var result = ""
    @Published var tries = ""
    @Published var busy = false
    private let flow = EkycFlow(
        cards: NFCCardSource(runner: MynaNFCSessionRunner(messages: .japanese, maxResumes: 2)),
        server: HTTPBankServer(baseURL: serverURL)
    )

    func run(_ body: @escaping @Sendable (EkycFlow) async -> Outcome) {
        guard !busy else { return }
        busy = true
        let flow = self.flow
        Task {
            let outcome = await body(flow)
            self.result = outcome.message
            self.busy = false
        }
    }

    func readTries() {
        let flow = self.flow
        Task {
            do {
                switch try await flow.retries(.jpkiAuthPin) {
                case .remaining(let n): tries = "利用者証明用暗証番号：残り\(n)回"
                case .blocked: tries = "ロックされています。市区町村の窓口で解除してください"
                case .verifiedNotReported: tries = "確認済みです"
                }
            } catch let e as MynaError {
                tries = e.messageJa
            } catch {
                tries = "読み取れませんでした"
            }
        }
    }
}

struct ContentView: View {
    @StateObject private var model = SampleModel()
    @State private var secret = ""
    @State private var lastTry = false
    @State private var birth = ""
    @State private var expiry = ""
    @State private var code = ""

    var body: some View {
        Form {
            Section("ログイン・電子署名") {
                Button("暗証番号の残り回数を見る") { model.readTries() }
                Text(model.tries)
                SecureField("暗証番号", text: $secret)
                Toggle("最後の1回を使う（間違えるとロックされます）", isOn: $lastTry)
                Button("ログイン（利用者証明用電子証明書）") {
                    let pin = takeSecret()
                    let last = lastTry
                    model.run { await $0.login(pin: pin, allowLastTry: last) }
                }
                Button("電子署名（署名用電子証明書・ワ方式）") {
                    let password = takeSecret()
                    let last = lastTry
                    model.run { await $0.sign(password: password, consent: "口座開設の申込内容に同意します", allowLastTry: last) }
                }
            }
            Section("基本4情報（照合番号B）") {
                TextField("生年月日（西暦 例 19800217）", text: $birth).keyboardType(.numberPad)
                TextField("有効期限の年（例 2035）", text: $expiry).keyboardType(.numberPad)
                SecureField("セキュリティコード（4桁）", text: $code).keyboardType(.numberPad)
                Button("基本4情報を読む") {
                    guard birth.count == 8, let y = UInt16(birth.prefix(4)), let m = UInt8(birth.dropFirst(4).prefix(2)),
                          let d = UInt8(birth.suffix(2)), let e = UInt16(expiry)
                    else { model.result = "生年月日と有効期限の年を確認してください"; return }
                    let sc = code
                    code = ""
                    model.run { await $0.readAttributes(birth: CalendarDate(year: y, month: m, day: d), expiryYear: e, securityCode: sc) }
                }
            }
            Section("結果") { Text(model.result) }
        }
        .disabled(model.busy)
    }

    /// Takes the secret out of the field: it is used for this one call only.
    private func takeSecret() -> String {
        defer { secret = ""; lastTry = false }
        return secret
    }
}
