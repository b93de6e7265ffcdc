// Release builds: real cards only, the bank's production server. No testkit is linked.
package jp.mynakit.sample

import android.app.Activity
import jp.mynakit.MynaNfcReader
import jp.mynakit.android.forActivity

object SampleCards {
    /** The bank's verification service (replace with yours; HTTPS in production). */
    const val serverUrl = "https://ekyc.example.jp"
    const val modeText = "マイナンバーカードで本人確認"

    fun create(activity: Activity): CardSource = NfcCardSource(MynaNfcReader.forActivity(activity))
}
