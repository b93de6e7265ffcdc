// MynaKit Android sample (Japanese UI, plain Android views so that it compiles against the
// platform jar alone; the flow logic it drives is EkycFlow.kt, which a Compose app uses the
// same way). Screens in one column:
//   - ログイン: reads the PIN counter first and shows it, then PIN entry → the card signs the
//     server's nonce → the server verifies; on RetryFloor the user must tick "最後の1回を使う";
//   - 電子署名 (ワ method): the signing password and the consent text;
//   - 基本4情報: 照合番号B from the card face (birth date, expiry year, security code).
// Progress ("カードを動かさないでください", reading n%, card lost → hold it again) comes from
// MynaNfcReader.events. Nothing is read on the binder thread; no PIN is kept after a call.
package jp.mynakit.sample

import android.app.Activity
import android.os.Bundle
import android.text.InputType
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import jp.mynakit.CalendarDate
import jp.mynakit.Credential
import jp.mynakit.MynaKitError
import jp.mynakit.MynaNfcReader
import jp.mynakit.ReaderEvent
import jp.mynakit.Retries
import jp.mynakit.Stage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

class MainActivity : Activity() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)
    private var running: Job? = null
    private lateinit var status: TextView
    private lateinit var result: TextView
    private lateinit var secret: EditText
    private lateinit var lastTry: CheckBox
    private lateinit var flow: EkycFlow
    private var reader: MynaNfcReader? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val cards = SampleCards.create(this)
        reader = (cards as? NfcCardSource)?.reader
        flow = EkycFlow(cards, HttpBankServer(SampleCards.serverUrl))

        status = TextView(this).apply { text = SampleCards.modeText }
        result = TextView(this)
        secret = EditText(this).apply {
            hint = "暗証番号"
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD
        }
        lastTry = CheckBox(this).apply { text = "最後の1回を使う（間違えるとロックされます）" }
        val birth = EditText(this).apply { hint = "生年月日（西暦 例 19800217）"; inputType = InputType.TYPE_CLASS_NUMBER }
        val expiry = EditText(this).apply { hint = "有効期限の年（例 2035）"; inputType = InputType.TYPE_CLASS_NUMBER }
        val code = EditText(this).apply {
            hint = "セキュリティコード（4桁）"
            inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD
        }

        val column = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        column.addView(status)
        column.addView(button("暗証番号の残り回数を見る") { flow.retries(Credential.JPKI_AUTH_PIN).let { showRetries(it) } })
        column.addView(secret)
        column.addView(lastTry)
        column.addView(button("ログイン（利用者証明用電子証明書）") { show(flow.login(takeSecret(), lastTry.isChecked).message) })
        column.addView(button("電子署名（署名用電子証明書・ワ方式）") {
            show(flow.sign(takeSecret(), "口座開設の申込内容に同意します", lastTry.isChecked).message)
        })
        column.addView(birth)
        column.addView(expiry)
        column.addView(code)
        column.addView(button("基本4情報を読む（照合番号B）") {
            val date = parseDate(birth.text.toString())
            val year = expiry.text.toString().toIntOrNull()
            val sc = code.text.toString().also { code.text.clear() }
            if (date == null || year == null) show("生年月日と有効期限の年を確認してください")
            else show(flow.readAttributes(date, year, sc).message)
        })
        column.addView(result)
        setContentView(ScrollView(this).apply { addView(column) })

        // Progress for the user, from the reader's events (real cards only).
        reader?.let { r ->
            scope.launch { r.events.collect { status.text = eventText(it) } }
        }
    }

    override fun onDestroy() {
        scope.cancel()                 // ends a running session: the tag is closed at once
        super.onDestroy()
    }

    /** Takes the secret out of the field: it is used for this one call only. */
    private fun takeSecret(): String = secret.text.toString().also { secret.text.clear(); lastTry.isChecked = false }

    private fun button(label: String, action: suspend () -> Unit) = Button(this).apply {
        text = label
        setOnClickListener {
            if (running?.isActive == true) return@setOnClickListener
            running = scope.launch {
                try {
                    action()
                } catch (e: MynaKitError) {
                    // EkycFlow maps the flows' errors itself; this catches the counter read's.
                    show("${e.messageJa}（${e.code}）")
                }
            }
        }
    }

    private fun show(text: String) {
        result.text = text
    }

    private fun showRetries(r: Retries) = show(
        when (r) {
            is Retries.Remaining -> "利用者証明用暗証番号：残り${r.remaining}回"
            Retries.Blocked -> "ロックされています。市区町村の窓口で解除してください"
            Retries.VerifiedNotReported -> "確認済みです"
        },
    )

    private fun eventText(e: ReaderEvent): String = when (e) {
        ReaderEvent.WaitingForCard -> "マイナンバーカードをスマートフォンの背面に当ててください"
        is ReaderEvent.Connected -> if (e.resumes == 0) "読み取りを開始します。カードを動かさないでください" else "続きから読み取ります"
        is ReaderEvent.Progress -> when (e.progress.stage) {
            Stage.READING -> "読み取り中… ${if (e.progress.total == 0uL) 0uL else e.progress.done * 100uL / e.progress.total}%"
            Stage.CHECKING_TRIES -> "暗証番号の残り回数を確認しています"
            Stage.VERIFYING -> "暗証番号を確認しています"
            Stage.SIGNING -> "署名しています。カードを動かさないでください"
        }
        is ReaderEvent.CardLost -> "カードが離れました。もう一度当てると続きから読み取ります（${e.attempt}/${e.maxResumes}）"
        is ReaderEvent.Finished -> if (e.error == null) "完了しました" else "終了しました"
    }

    private fun parseDate(s: String): CalendarDate? {
        if (s.length != 8 || !s.all { it.isDigit() }) return null
        return CalendarDate(s.substring(0, 4).toInt().toUShort(), s.substring(4, 6).toInt().toUByte(), s.substring(6, 8).toInt().toUByte())
    }
}
