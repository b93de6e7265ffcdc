// Device builds (target MynaKitSample): real cards through CoreNFC and the bank's server. This
// target links the product MynaKit only: no virtual card, no test roots.
import Foundation
import MynaKit

public enum SampleCards {
    /// The bank's verification service (replace with yours; HTTPS).
    public static let serverURL = URL(string: "https://ekyc.example.jp")!
    public static let modeText = "マイナンバーカードで本人確認"

    /// Cards from the iPhone's NFC through the SDK's session runner: the NFC sheet shows the
    /// stages in Japanese, and a card that slips away is asked for again (up to twice).
    public static func make() -> any CardSource {
        NFCCardSource(runner: MynaNFCSessionRunner(messages: .japanese, maxResumes: 2))
    }
}
