// MynaKit iOS sample: one screen, one button. Not built on this repository's machines (no
// Xcode); see ../README.md.
import SwiftUI

@main
struct SampleApp: App {
    var body: some Scene {
        WindowGroup { ContentView() }
    }
}

struct ContentView: View {
    @StateObject private var reader = CardReader()
    @State private var pin = ""

    var body: some View {
        VStack(spacing: 16) {
            SecureField("利用者証明用暗証番号 (4 digits)", text: $pin)
                .keyboardType(.numberPad)
                .textFieldStyle(.roundedBorder)
            Button("Read My Number Card") {
                reader.start(pin: pin)
                pin = ""
            }
            ScrollView { Text(reader.report).font(.system(.footnote, design: .monospaced)) }
        }
        .padding()
    }
}
