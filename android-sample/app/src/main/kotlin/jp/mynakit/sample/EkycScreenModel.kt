// The sample screen's state and actions, without UI: the Compose screen (MainActivity.kt) only
// renders [ScreenState] and calls these functions. Plain Kotlin + coroutines, so the JVM suite
// runs it against the virtual card (SampleScreenModelTest).
//
// What it decides for the user:
//   - one card action at a time (a second tap while the card is in use is ignored);
//   - the last PIN try is offered only after the SDK refused to spend it (RetryFloor), and the
//     consent is for one call;
//   - the card-face fields are checked before any card is asked for;
//   - progress text comes from the reader's events (real cards only).
package jp.mynakit.sample

import jp.mynakit.CalendarDate
import jp.mynakit.Credential
import jp.mynakit.MynaKitError
import jp.mynakit.ReaderEvent
import jp.mynakit.Retries
import jp.mynakit.Stage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** Everything the screen shows. */
data class ScreenState(
    /** The status line: the mode, then the reader's progress ("読み取り中… 40%"). */
    val status: String,
    /** The PIN counter, once read ("利用者証明用暗証番号：残り3回"). */
    val tries: String = "",
    /** The last action's outcome, in Japanese. */
    val result: String = "",
    /** A card action is running: the buttons are disabled. */
    val busy: Boolean = false,
    /**
     * The SDK stopped before the last try: show the "use the last try" choice. The user's
     * consent then applies to the next call only.
     */
    val offerLastTry: Boolean = false,
    /** The chip's photo (PNG) after a ヘ-method read the server accepted; null otherwise. */
    val photoPng: ByteArray? = null,
)

class EkycScreenModel(
    private val flow: EkycFlow,
    modeText: String,
    private val scope: CoroutineScope,
    events: Flow<ReaderEvent>? = null,
) {
    private val mutableState = MutableStateFlow(ScreenState(status = modeText))
    val state: StateFlow<ScreenState> = mutableState.asStateFlow()

    init {
        if (events != null) {
            scope.launch { events.collect { e -> mutableState.update { it.copy(status = eventText(e)) } } }
        }
    }

    /** Reads the login PIN's counter (no try is spent). Returns false when a card action is already running. */
    fun checkRetries(): Boolean = start {
        val text = try {
            retriesText(flow.retries(Credential.JPKI_AUTH_PIN))
        } catch (e: MynaKitError) {
            "${e.messageJa}（${e.code}）"
        }
        mutableState.update { it.copy(tries = text) }
    }

    /** JPKI login with [pin]; [useLastTry] only when the user accepted it after [ScreenState.offerLastTry]. */
    fun login(pin: String, useLastTry: Boolean): Boolean = start {
        show(flow.login(pin, allowLastTry = useLastTry && state.value.offerLastTry))
    }

    /** ワ-method signature over [consent] with the signing password. */
    fun sign(password: String, consent: String, useLastTry: Boolean): Boolean = start {
        show(flow.sign(password, consent, allowLastTry = useLastTry && state.value.offerLastTry))
    }

    /**
     * 基本4情報 with 照合番号B from the card face as typed: [birth] `YYYYMMDD`, [expiryYear]
     * `YYYY`, [securityCode] 4 digits. Malformed input is answered at once, without a card.
     */
    fun readAttributes(birth: String, expiryYear: String, securityCode: String): Boolean =
        withCardFace(birth, expiryYear, securityCode) { date, year -> show(flow.readAttributes(date, year, securityCode)) }

    /** ヘ method with the same card-face input as [readAttributes]; the accepted photo goes to [ScreenState.photoPng]. */
    fun chipRead(birth: String, expiryYear: String, securityCode: String): Boolean =
        withCardFace(birth, expiryYear, securityCode) { date, year -> show(flow.chipRead(date, year, securityCode)) }

    /** Checks the card-face input before any card is asked for, then runs [action] as a card action. */
    private fun withCardFace(
        birth: String,
        expiryYear: String,
        securityCode: String,
        action: suspend (CalendarDate, Int) -> Unit,
    ): Boolean {
        val date = parseDate(birth)
        val year = expiryYear.takeIf { it.length == 4 && it.all(Char::isAsciiDigit) }?.toInt()
        if (date == null || year == null || securityCode.length != 4 || !securityCode.all(Char::isAsciiDigit)) {
            if (state.value.busy) return false
            mutableState.update { it.copy(result = "生年月日（8桁）・有効期限の年（4桁）・セキュリティコード（4桁）を確認してください") }
            return false
        }
        return start { action(date, year) }
    }

    private fun show(outcome: Outcome) = mutableState.update {
        it.copy(
            result = outcome.message,
            offerLastTry = outcome is Outcome.LastTry,
            photoPng = (outcome as? Outcome.ChipRead)?.photoPng,
            tries = when (outcome) {
                is Outcome.WrongPin -> "残り${outcome.remaining}回"
                is Outcome.Blocked -> "ロックされています"
                else -> it.tries
            },
        )
    }

    /** Runs [action] unless one is running; the busy flag is taken atomically. */
    private fun start(action: suspend () -> Unit): Boolean {
        var taken = false
        mutableState.update {
            taken = !it.busy
            if (taken) it.copy(busy = true) else it
        }
        if (!taken) return false
        scope.launch {
            try {
                action()
            } finally {
                mutableState.update { it.copy(busy = false) }
            }
        }
        return true
    }

    companion object {
        fun retriesText(r: Retries): String = when (r) {
            is Retries.Remaining -> "利用者証明用暗証番号：残り${r.remaining}回"
            Retries.Blocked -> "ロックされています。市区町村の窓口で解除してください"
            Retries.VerifiedNotReported -> "確認済みです"
        }

        /** The status line for a reader event. */
        fun eventText(e: ReaderEvent): String = when (e) {
            ReaderEvent.WaitingForCard -> "マイナンバーカードをスマートフォンの背面に当ててください"
            is ReaderEvent.Connected ->
                if (e.resumes == 0) "読み取りを開始します。カードを動かさないでください" else "続きから読み取ります"
            is ReaderEvent.Progress -> when (e.progress.stage) {
                Stage.READING -> {
                    val p = e.progress
                    val percent = if (p.total == 0uL) 0uL else minOf(p.done, p.total) * 100uL / p.total
                    "読み取り中… $percent%"
                }
                Stage.CHECKING_TRIES -> "暗証番号の残り回数を確認しています"
                Stage.VERIFYING -> "暗証番号を確認しています"
                Stage.SIGNING -> "署名しています。カードを動かさないでください"
            }
            is ReaderEvent.CardLost ->
                "カードが離れました。もう一度当てると続きから読み取ります（${e.attempt}/${e.maxResumes}）"
            is ReaderEvent.Finished -> if (e.error == null) "完了しました" else "終了しました"
        }

        /** `YYYYMMDD` as a date (the calendar check is the SDK's, before any card is touched). */
        fun parseDate(s: String): CalendarDate? {
            if (s.length != 8 || !s.all(Char::isAsciiDigit)) return null
            return CalendarDate(
                s.substring(0, 4).toInt().toUShort(),
                s.substring(4, 6).toInt().toUByte(),
                s.substring(6, 8).toInt().toUByte(),
            )
        }
    }
}

private fun Char.isAsciiDigit(): Boolean = this in '0'..'9'
