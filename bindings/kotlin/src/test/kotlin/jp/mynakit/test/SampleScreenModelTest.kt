// The Android sample's screen model (android-sample/.../EkycScreenModel.kt, compiled into this
// suite by scripts/test-kotlin.sh): what the Compose screen shows after each tap, against the
// virtual card and a fake bank server. The screen itself only renders this state.
package jp.mynakit.test

import jp.mynakit.Credential
import jp.mynakit.MynaCard
import jp.mynakit.MynaKitError
import jp.mynakit.ReadProgress
import jp.mynakit.ReaderEvent
import jp.mynakit.Stage
import jp.mynakit.sample.CardSource
import jp.mynakit.sample.EkycFlow
import jp.mynakit.sample.EkycScreenModel
import jp.mynakit.sample.ScreenState
import jp.mynakit.testkit.VirtualCardDevice
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Test

class SampleScreenModelTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    private fun model(cards: CardSource, events: MutableSharedFlow<ReaderEvent>? = null) =
        EkycScreenModel(EkycFlow(cards, FakeBank()), "テスト", scope, events)

    /** Waits until the action started by a tap has finished. */
    private suspend fun EkycScreenModel.settled(): ScreenState = withTimeout(30_000) { state.first { !it.busy } }

    @Test
    fun loginShowsTheServersVerdictAndTheCounter(): Unit = runBlocking {
        val cards = VirtualCards(VirtualCardDevice("taro"))
        val m = model(cards)
        assertEquals("テスト", m.state.value.status)
        assertTrue(m.checkRetries())
        assertEquals("利用者証明用暗証番号：残り3回", m.settled().tries)
        assertTrue(m.login(TestCard.TARO_AUTH_PIN, useLastTry = false))
        val s = m.settled()
        assertTrue(s.result.contains("利用者証明：銀行のサーバーで確認できました"), s.result)
        assertFalse(s.offerLastTry)
        assertTrue(m.sign(TestCard.TARO_SIGN_PASSWORD, "同意します", useLastTry = false))
        assertTrue(m.settled().result.contains("電子署名：銀行のサーバーで確認できました"))
        scope.cancel()
    }

    @Test
    fun theLastTryIsOfferedOnlyAfterTheSdkStoppedAndOnlyOnce(): Unit = runBlocking {
        val device = VirtualCardDevice("taro")
        val m = model(VirtualCards(device))
        // A consent given before the SDK asked for it is ignored.
        m.login("9999", useLastTry = true)
        assertEquals("残り2回", m.settled().tries)
        m.login("9999", useLastTry = true)
        assertEquals("残り1回", m.settled().tries)
        assertEquals(1, device.remainingTries(Credential.JPKI_AUTH_PIN)?.toInt())
        m.login("9999", useLastTry = true)
        val floor = m.settled()
        assertTrue(floor.offerLastTry, "the SDK stopped before the last try: the screen offers it")
        assertTrue(floor.result.contains("最後の1回を使う"), floor.result)
        assertEquals(1, device.remainingTries(Credential.JPKI_AUTH_PIN)?.toInt(), "the floor kept the last try")
        // Not ticked: the SDK stops again, nothing is sent.
        m.login(TestCard.TARO_AUTH_PIN, useLastTry = false)
        assertTrue(m.settled().offerLastTry)
        assertEquals(1, device.remainingTries(Credential.JPKI_AUTH_PIN)?.toInt())
        // Ticked: the last try is used, it succeeds, the offer is gone.
        m.login(TestCard.TARO_AUTH_PIN, useLastTry = true)
        val ok = m.settled()
        assertTrue(ok.result.contains("確認できました"), ok.result)
        assertFalse(ok.offerLastTry)
        assertEquals(3, device.remainingTries(Credential.JPKI_AUTH_PIN)?.toInt())
        scope.cancel()
    }

    @Test
    fun oneCardActionAtATime(): Unit = runBlocking {
        val gate = CompletableDeferred<Unit>()
        val inner = VirtualCards(VirtualCardDevice("taro"))
        val gated = object : CardSource {
            override suspend fun <T> session(block: suspend (MynaCard) -> T): T {
                gate.await()
                return inner.session(block)
            }
        }
        val m = model(gated)
        assertTrue(m.checkRetries())
        assertTrue(m.state.value.busy)
        assertFalse(m.login(TestCard.TARO_AUTH_PIN, useLastTry = false), "a second tap while the card is in use")
        assertFalse(m.readAttributes("19900102", "2035", "5678"))
        gate.complete(Unit)
        val s = m.settled()
        assertEquals("利用者証明用暗証番号：残り3回", s.tries)
        assertEquals("", s.result, "the refused taps did nothing")
        assertEquals(1, inner.sessions)
        scope.cancel()
    }

    @Test
    fun cardFaceFieldsAreCheckedBeforeAnyCard(): Unit = runBlocking {
        val cards = VirtualCards(VirtualCardDevice("taro"))
        val m = model(cards)
        for ((birth, year, code) in listOf(
            Triple("1990012", "2035", "5678"),
            Triple("1990-1-2", "2035", "5678"),
            Triple("19900102", "35", "5678"),
            Triple("19900102", "2035", "567"),
            Triple("19900102", "2035", "56a8"),
            Triple("１９９００１０２", "2035", "5678"),
        )) {
            assertFalse(m.readAttributes(birth, year, code), "$birth $year $code")
            assertTrue(m.state.value.result.contains("確認してください"))
        }
        assertEquals(0, cards.sessions, "no card was asked for")
        // A well-formed but impossible date reaches the SDK's calendar check, still before the card.
        assertTrue(m.readAttributes("19901302", "2035", "5678"))
        val refused = m.settled().result
        assertTrue(refused.contains("MK-"), "the SDK's coded error: $refused")
        assertEquals(0, cards.sessions, "refused before the card")
        assertTrue(m.readAttributes("19900102", "2035", "5678"))
        val s = m.settled()
        assertTrue(s.result.startsWith("氏名："), s.result)
        assertTrue(s.result.contains("カードの署名を確認しました"), s.result)
        assertEquals(null, s.photoPng, "no photo without the ヘ method")
        assertEquals(1, cards.sessions)
        // The ヘ method takes the same input, checked the same way; its photo reaches the screen.
        assertFalse(m.chipRead("19900102", "2035", "56a8"))
        assertEquals(1, cards.sessions, "no card was asked for")
        assertTrue(m.chipRead("19900102", "2035", "5678"))
        val he = m.settled()
        assertTrue(he.result.contains("ヘ方式"), he.result)
        assertTrue(assertNotNull(he.photoPng).size > 8)
        assertEquals(2, cards.sessions)
        // The next action clears the photo.
        assertTrue(m.readAttributes("19900102", "2035", "5678"))
        assertEquals(null, m.settled().photoPng)
        scope.cancel()
    }

    @Test
    fun readerEventsBecomeTheStatusLine(): Unit = runBlocking {
        val events = MutableSharedFlow<ReaderEvent>()
        val m = model(VirtualCards(VirtualCardDevice("taro")), events)
        suspend fun status(e: ReaderEvent): String {
            events.emit(e)     // suspends until the model's collector has taken it
            return withTimeout(5_000) { m.state.first { it.status == EkycScreenModel.eventText(e) }.status }
        }
        // Wait for the collector to subscribe before emitting.
        withTimeout(5_000) { events.subscriptionCount.first { it > 0 } }
        assertEquals("マイナンバーカードをスマートフォンの背面に当ててください", status(ReaderEvent.WaitingForCard))
        assertEquals("読み取りを開始します。カードを動かさないでください", status(ReaderEvent.Connected(0)))
        assertEquals("続きから読み取ります", status(ReaderEvent.Connected(1)))
        assertEquals("読み取り中… 40%", status(ReaderEvent.Progress(ReadProgress(Stage.READING, "EF", 400uL, 1000uL))))
        assertEquals("暗証番号を確認しています", status(ReaderEvent.Progress(ReadProgress(Stage.VERIFYING, "PIN", 0uL, 0uL))))
        assertEquals("署名しています。カードを動かさないでください", status(ReaderEvent.Progress(ReadProgress(Stage.SIGNING, "key", 0uL, 0uL))))
        val lost = MynaKitError.CardRemoved("tag lost", null)
        assertEquals("カードが離れました。もう一度当てると続きから読み取ります（1/2）", status(ReaderEvent.CardLost(1, 2, lost)))
        assertEquals("完了しました", status(ReaderEvent.Finished(null)))
        scope.cancel()
    }

    @Test
    fun progressTextIsBoundedForAnyCounts() {
        fun pct(done: ULong, total: ULong) =
            EkycScreenModel.eventText(ReaderEvent.Progress(ReadProgress(Stage.READING, "EF", done, total)))
        assertEquals("読み取り中… 0%", pct(5uL, 0uL))
        assertEquals("読み取り中… 100%", pct(2000uL, 1000uL))
        assertEquals("読み取り中… 100%", pct(ULong.MAX_VALUE / 100uL, ULong.MAX_VALUE / 100uL))
        assertNull(EkycScreenModel.parseDate("2000010"))
        assertEquals(2000, EkycScreenModel.parseDate("20000101")?.year?.toInt())
    }
}
