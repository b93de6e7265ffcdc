// MynaKit Android sample: hold a My Number Card to the phone; the app reads the JPKI token,
// the user-authentication certificate and the PIN counter, then signs a nonce with the PIN
// the user typed for this signature. A PIN is used for one signature attempt only: every
// tag discovery (a card slipping out and back in is a new discovery) would otherwise
// present it again and, if it is wrong, spend another try the user never asked to spend.
// Reader mode (NFC-B only), IsoDepTransport, MynaCard's suspend functions and the sealed
// errors are the parts an app copies. Not built on this repository's machines (no Gradle or
// Android SDK); scripts/test-kotlin.sh compile-checks it against the API-23 android.jar.
package jp.mynakit.sample

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.tech.IsoDep
import android.os.Bundle
import android.text.InputType
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import jp.mynakit.Credential
import jp.mynakit.JpkiKey
import jp.mynakit.MynaCard
import jp.mynakit.MynaKitError
import jp.mynakit.Retries
import jp.mynakit.SignOptions
import jp.mynakit.TrustPolicy
import jp.mynakit.android.IsoDepTransport
import jp.mynakit.verifyChain
import jp.mynakit.verifyWithCertificate
import java.util.concurrent.atomic.AtomicReference
import kotlinx.coroutines.runBlocking

class MainActivity : Activity() {
    private var adapter: NfcAdapter? = null
    private lateinit var output: TextView
    private lateinit var pinField: EditText

    /**
     * The PIN for the next signature, or null. Taken (and cleared) by the first tag
     * discovery that uses it: whatever happens then, a later discovery never re-sends it.
     * After WrongPin or VerifyOutcomeUnknown the user is asked again.
     */
    private val pendingPin = AtomicReference<CharArray?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        output = TextView(this)
        output.text = "Enter your 4-digit PIN, tap Sign, then hold your My Number Card to the phone."
        pinField = EditText(this)
        pinField.inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD
        val sign = Button(this)
        sign.text = "Sign"
        sign.setOnClickListener { armPin() }
        val layout = LinearLayout(this)
        layout.orientation = LinearLayout.VERTICAL
        layout.addView(pinField)
        layout.addView(sign)
        layout.addView(output)
        setContentView(layout)
        adapter = NfcAdapter.getDefaultAdapter(this)
        if (adapter == null) output.text = "This phone has no NFC."
    }

    /** Takes the PIN out of the field for one signature attempt and clears the field. */
    private fun armPin() {
        val text = pinField.text
        val pin = CharArray(text.length) { text[it] }
        text.clear()
        pendingPin.getAndSet(pin)?.fill('\u0000')
        output.text = "Now hold your My Number Card to the back of the phone and keep it still."
    }

    /** Asks for the PIN again (after a wrong PIN or an unknown VERIFY outcome). */
    private fun askAgain(reason: String) = runOnUiThread {
        pinField.text.clear()
        pinField.requestFocus()
        output.text = "$reason\nEnter the PIN again and tap Sign (the card's counter is read first)."
    }

    override fun onResume() {
        super.onResume()
        val nfc = adapter ?: return
        // The callback runs on a binder thread with the tag connected; the read must finish
        // before it returns (IsoDepTransport.enableReaderMode closes the tag afterwards).
        IsoDepTransport.enableReaderMode(nfc, this) { isoDep -> readCard(isoDep) }
    }

    override fun onPause() {
        super.onPause()
        adapter?.disableReaderMode(this)
    }

    private fun show(text: String) = runOnUiThread { output.text = text }

    private fun readCard(isoDep: IsoDep) {
        // Take the PIN for this discovery only; a later discovery finds null and only reads.
        val pinChars = pendingPin.getAndSet(null)
        val report = StringBuilder()
        runBlocking {
            try {
                MynaCard.open(IsoDepTransport(isoDep)).use { card ->
                    card.setProgressListener { p -> show("Reading ${p.what}: ${p.done}/${p.total} bytes") }
                    val token = card.tokenInfo()
                    report.appendLine("Token: ${token.label} (${token.kind})")
                    val cert = card.authCertificate()
                    report.appendLine("Certificate: ${cert.subject}, valid until ${cert.notAfter}")
                    // Production J-LIS roots only.
                    val chain = verifyChain(cert, TrustPolicy())
                    report.appendLine("Chain: ${chain.anchor}")
                    when (val r = card.retryStatus(Credential.JPKI_AUTH_PIN)) {
                        is Retries.Remaining -> report.appendLine("PIN tries left: ${r.remaining}")
                        Retries.Blocked -> report.appendLine("PIN blocked: visit the municipal office")
                        Retries.VerifiedNotReported -> report.appendLine("PIN already verified")
                    }
                    if (pinChars == null) {
                        report.appendLine("No PIN entered for this tap: enter it and tap Sign to sign")
                    } else {
                        val nonce = ByteArray(32).also { java.security.SecureRandom().nextBytes(it) }
                        val sig = card.sign(JpkiKey.AUTH, String(pinChars), nonce, options = SignOptions(includeCertificate = true))
                        sig.verifyWithCertificate()
                        report.appendLine("Signed a ${nonce.size}-byte nonce; ${card.stats().apdus} APDUs in all")
                    }
                }
            } catch (e: MynaKitError.WrongPin) {
                askAgain("Wrong PIN: ${e.remainingTries} tries left")
                return@runBlocking
            } catch (e: MynaKitError.RetryFloor) {
                report.appendLine("Only ${e.remainingTries} try left: not spending it without asking")
            } catch (e: MynaKitError.VerifyOutcomeUnknown) {
                askAgain("The card left during the PIN check; whether the try was counted is unknown")
                return@runBlocking
            } catch (e: MynaKitError.CardRemoved) {
                report.appendLine("The card moved away: hold it still and tap again")
            } catch (e: MynaKitError) {
                report.appendLine("Failed: ${e.message}")
            }
        }
        pinChars?.fill('\u0000')
        if (report.isNotEmpty()) show(report.toString())
    }
}
