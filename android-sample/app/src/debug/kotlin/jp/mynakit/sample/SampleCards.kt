// Debug builds: on an emulator (no NFC) the virtual card stands in for a card, served by the
// testkit (debugImplementation only: jp.mynakit.testkit and libmynakit_testkit_ffi never reach
// a release build). The server is a development instance on the host that accepts the
// virtual card's TEST roots:
//   cargo run -p mynakit-server --bin mynakit-verify-service -- --listen 0.0.0.0:8080 --trust virtual-card --revocation-optional
package jp.mynakit.sample

import android.app.Activity
import android.nfc.NfcAdapter
import jp.mynakit.ApReadOptions
import jp.mynakit.MynaCard
import jp.mynakit.MynaNfcReader
import jp.mynakit.android.forActivity
import jp.mynakit.testkit.virtualCard
import jp.mynakit.testkit.virtualCardCvCaKey

/** The virtual card (profile `taro`; PIN 1234, signing password ABC123): test material. */
class VirtualCardSource : CardSource {
    override suspend fun <T> session(block: suspend (MynaCard) -> T): T =
        MynaCard.virtualCard("taro").use { block(it) }

    override val apReadOptions: ApReadOptions = ApReadOptions(cvCaKeys = listOf(virtualCardCvCaKey()))
}

object SampleCards {
    /** The host machine as the Android emulator sees it. */
    const val serverUrl = "http://10.0.2.2:8080"
    var modeText = "デバッグ版"
        private set

    fun create(activity: Activity): CardSource {
        // The testing library holds the SDK's component too: load it in place of
        // libmynakit_ffi (before the first MynaKit call), so both components share one library.
        System.setProperty("uniffi.component.mynakit.libraryOverride", "mynakit_testkit_ffi")
        return if (NfcAdapter.getDefaultAdapter(activity) == null) {
            modeText = "デバッグ版：NFCがないため仮想カード（テスト用）を使います"
            VirtualCardSource()
        } else {
            NfcCardSource(MynaNfcReader.forActivity(activity))
        }
    }
}
