// MynaKit Android sample: hold a My Number Card to the phone; the app reads the JPKI token,
// the user-authentication certificate and the PIN counter, then signs a nonce with the PIN.
// Reader mode (NFC-B only), IsoDepTransport, MynaCard's suspend functions and the sealed
// errors are the parts an app copies. Not built on this repository's machines (no Gradle or
// Android SDK); scripts/test-kotlin.sh compile-checks it against the API-23 android.jar.
package jp.mynakit.sample

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.tech.IsoDep
import android.os.Bundle
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
import kotlinx.coroutines.runBlocking

class MainActivity : Activity() {
    private var adapter: NfcAdapter? = null
    private lateinit var output: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        output = TextView(this)
        output.text = "Hold your My Number Card to the back of the phone and keep it still."
        setContentView(output)
        adapter = NfcAdapter.getDefaultAdapter(this)
        if (adapter == null) output.text = "This phone has no NFC."
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
        // A real app asks for the PIN in its UI before the tap and clears it afterwards.
        val pin = DEMO_PIN
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
                    val nonce = ByteArray(32).also { java.security.SecureRandom().nextBytes(it) }
                    val sig = card.sign(JpkiKey.AUTH, pin, nonce, options = SignOptions(includeCertificate = true))
                    sig.verifyWithCertificate()
                    report.appendLine("Signed a ${nonce.size}-byte nonce; ${card.stats().apdus} APDUs in all")
                }
            } catch (e: MynaKitError.WrongPin) {
                report.appendLine("Wrong PIN: ${e.remainingTries} tries left")
            } catch (e: MynaKitError.RetryFloor) {
                report.appendLine("Only ${e.remainingTries} try left: not spending it without asking")
            } catch (e: MynaKitError.VerifyOutcomeUnknown) {
                report.appendLine("The card left during PIN check: tap again to read the counter first")
            } catch (e: MynaKitError.CardRemoved) {
                report.appendLine("The card moved away: hold it still and tap again")
            } catch (e: MynaKitError) {
                report.appendLine("Failed: ${e.message}")
            }
        }
        show(report.toString())
    }

    private companion object {
        /** For the demo only; never hard-code a PIN. */
        const val DEMO_PIN = "1234"
    }
}
