// MynaKit iOS sample (SwiftUI, Japanese UI). The steps are EkycFlow.swift and the screen's state
// and actions EkycScreenModel.swift (both compiled and run against the virtual card by the Linux
// suite); this file only renders the state and is not built on this repository's machines (no
// Xcode, no SwiftUI). See ../README.md.
import MynaKit
import SwiftUI

@main
struct SampleApp: App {
    var body: some Scene {
        WindowGroup { ContentView() }
    }
}

/// The screen model (EkycScreenModel.swift, tested on Linux) published to SwiftUI.
@MainActor
final class SampleModel: ObservableObject {
    @Published private(set) var state = ScreenState()
    // SampleCards: Device/SampleCards.swift (real cards, the bank's server) in the app target,
    // Simulator/SampleCards.swift (the virtual card, a local server) in the simulator target.
    let screen = EkycScreenModel(flow: EkycFlow(
        cards: SampleCards.make(),
        server: HTTPBankServer(baseURL: SampleCards.serverURL)
    ))

    init() {
        screen.onChange = { [weak self] in self?.state = $0 }
    }
}

/// The consent text the ワ-method signature covers (the bank's own wording goes here).
private let consentText = "口座開設の申込内容に同意します"

struct ContentView: View {
    @StateObject private var model = SampleModel()
    @State private var secret = ""
    @State private var lastTry = false
    @State private var birth = ""
    @State private var expiry = ""
    @State private var code = ""

    var body: some View {
        let state = model.state
        Form {
            Text(SampleCards.modeText).font(.headline)
            Section("ログイン・電子署名") {
                Button("暗証番号の残り回数を見る") { model.screen.checkRetries() }
                if !state.tries.isEmpty { Text(state.tries) }
                SecureField("暗証番号（ログインは数字4桁、署名は英数字6〜16桁）", text: $secret)
                if state.offerLastTry {
                    Toggle("最後の1回を使う（間違えるとロックされ、市区町村の窓口での手続きが必要です）", isOn: $lastTry)
                }
                Button("ログイン（利用者証明用電子証明書）") {
                    let (pin, useLastTry) = takeSecret()
                    model.screen.login(pin: pin, useLastTry: useLastTry)
                }
                Button("電子署名（署名用電子証明書・ワ方式）") {
                    let (password, useLastTry) = takeSecret()
                    model.screen.sign(password: password, consent: consentText, useLastTry: useLastTry)
                }
            }
            Section("基本4情報（照合番号B）") {
                TextField("生年月日（西暦 例 19800217）", text: $birth).keyboardType(.numberPad)
                TextField("有効期限の年（例 2035）", text: $expiry).keyboardType(.numberPad)
                SecureField("セキュリティコード（4桁）", text: $code).keyboardType(.numberPad)
                Button("基本4情報を読む") {
                    let sc = code
                    code = ""
                    model.screen.readAttributes(birth: birth, expiryYear: expiry, securityCode: sc)
                }
                Button("本人確認（ヘ方式：ICチップの情報と顔写真）") {
                    let sc = code
                    code = ""
                    model.screen.chipRead(birth: birth, expiryYear: expiry, securityCode: sc)
                }
            }
            if !state.result.isEmpty {
                Section("結果") {
                    Text(state.result)
                    // The chip's photo after an accepted ヘ-method read (the bank compares it with the selfie).
                    if let png = state.photoPNG, let image = UIImage(data: png) {
                        Image(uiImage: image).resizable().scaledToFit().frame(maxHeight: 240)
                            .accessibilityLabel("ICチップの顔写真")
                    }
                }
            }
        }
        .disabled(state.busy)
    }

    /// Takes the secret and the last-try consent out of the screen: both are for this one call.
    private func takeSecret() -> (String, Bool) {
        defer { secret = ""; lastTry = false }
        return (secret, lastTry)
    }
}
