// An NFCTagReaderSession that hands the card to MynaKit through CoreNFCTransport, reads the
// JPKI token and authentication certificate, checks the chain, and signs a nonce with the PIN.
import CoreNFC
import Foundation
import MynaKit

final class CardReader: NSObject, ObservableObject, NFCTagReaderSessionDelegate, @unchecked Sendable {
    @Published private(set) var report = ""
    private var session: NFCTagReaderSession?
    private var pin = ""

    /// Starts a reader session. The PIN is kept only until the read ends.
    func start(pin: String) {
        guard NFCTagReaderSession.readingAvailable else {
            report = "This device cannot read NFC tags."
            return
        }
        self.pin = pin
        // Delegate callbacks and CoreNFC completion handlers arrive on the main queue;
        // MynaCard runs the card exchanges on its own queue, so they never block each other.
        session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: nil)
        session?.alertMessage = "カードをiPhoneの上部に当ててください"
        session?.begin()
    }

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        pin = ""
        self.session = nil
        if let nfc = error as? NFCReaderError, nfc.code == .readerSessionInvalidationErrorFirstNDEFTagRead
            || nfc.code == .readerSessionInvalidationErrorUserCanceled { return }
        publish("Session ended: \(error.localizedDescription)")
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard let first = tags.first, case .iso7816(let tag) = first else {
            session.invalidate(errorMessage: "マイナンバーカードではありません")
            return
        }
        session.connect(to: first) { [weak self] error in
            guard let self else { return }
            if let error {
                session.invalidate(errorMessage: error.localizedDescription)
                return
            }
            Task { await self.read(tag: tag, session: session) }
        }
    }

    private func read(tag: NFCISO7816Tag, session: NFCTagReaderSession) async {
        let pin = self.pin
        self.pin = ""
        var lines: [String] = []
        do {
            let card = try MynaCard.open(transport: CoreNFCTransport(tag: tag))
            try card.setProgressListener { p in
                session.alertMessage = "読み取り中… \(p.done * 100 / max(p.total, 1))%"
            }
            let token = try await card.tokenInfo()
            lines.append("Token: \(token.label) (\(token.kind))")
            let cert = try await card.authCertificate()
            lines.append("Certificate: \(cert.subject), valid until \(cert.notAfter)")
            let chain = try verifyChain(cert)      // production J-LIS roots only
            lines.append("Chain: \(chain.anchor)")
            if case .remaining(let n) = try await card.retryStatus(.jpkiAuthPin) {
                lines.append("PIN tries left: \(n)")
            }
            var nonce = Data(count: 32)
            for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255) }
            let sig = try await card.sign(key: .auth, credentialValue: pin, message: nonce,
                                          options: SignOptions(includeCertificate: true))
            try verifySignatureWithCertificate(signature: sig)
            lines.append("Signed a 32-byte nonce; \(try await card.stats().apdus) APDUs")
            session.alertMessage = "完了しました"
            session.invalidate()
        } catch MynaError.WrongPin(_, let remaining, _) {
            session.invalidate(errorMessage: "暗証番号が違います（残り\(remaining)回）")
        } catch MynaError.RetryFloor(_, let remaining, _, _) {
            session.invalidate(errorMessage: "残り\(remaining)回のため中止しました")
        } catch MynaError.VerifyOutcomeUnknown {
            session.invalidate(errorMessage: "暗証番号の確認中にカードが離れました。もう一度かざしてください")
        } catch MynaError.CardRemoved {
            session.invalidate(errorMessage: "カードが離れました。動かさずにかざしてください")
        } catch {
            session.invalidate(errorMessage: "読み取りに失敗しました")
            lines.append("Error: \(error)")
        }
        publish(lines.joined(separator: "\n"))
    }

    private func publish(_ text: String) {
        DispatchQueue.main.async { self.report = text }
    }
}
