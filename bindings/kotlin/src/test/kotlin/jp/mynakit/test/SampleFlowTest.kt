// The Android sample's eKYC steps (android-sample/.../EkycFlow.kt, compiled into this suite by
// scripts/test-kotlin.sh) against the virtual card with a fake bank server: the nonce reaches
// the card's signature, the evidence reaches the server, and every outcome an app must handle
// comes out as the sample shows it.
package jp.mynakit.test

import jp.mynakit.ApReadOptions
import jp.mynakit.CalendarDate
import jp.mynakit.Credential
import jp.mynakit.MynaCard
import jp.mynakit.Retries
import jp.mynakit.sample.BankServer
import jp.mynakit.sample.CardSource
import jp.mynakit.sample.EkycFlow
import jp.mynakit.sample.Outcome
import jp.mynakit.sample.ServerVerdict
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.virtualCardCvCaKey
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.junit.Test

/** The virtual card as the sample's debug card source (one card across sessions). */
internal class VirtualCards(val device: VirtualCardDevice) : CardSource {
    /** How many card sessions were opened. */
    @Volatile var sessions = 0

    override suspend fun <T> session(block: suspend (MynaCard) -> T): T {
        sessions++
        device.powerCycle()
        return MynaCard.open(KotlinVirtualTransport(device)).use { block(it) }
    }

    override val apReadOptions = ApReadOptions(cvCaKeys = listOf(virtualCardCvCaKey()))
}

/** Issues one nonce; accepts evidence that carries it. */
internal class FakeBank : BankServer {
    val issued = ByteArray(32) { (it xor 0x5A).toByte() }
    val received = mutableListOf<String>()
    override suspend fun nonce() = issued.copyOf()
    override suspend fun verify(evidenceJson: String): ServerVerdict {
        received.add(evidenceJson)
        val carries = evidenceJson.lowercase().contains(issued.hex().lowercase())
        return ServerVerdict(if (carries) "accepted" else "rejected", if (carries) emptyList() else listOf("nonce.binding"))
    }
}

class SampleFlowTest {
    @Test
    fun loginSignAndAttributes(): Unit = runBlocking {
        val device = VirtualCardDevice("taro")
        val bank = FakeBank()
        val flow = EkycFlow(VirtualCards(device), bank)
        assertEquals(Retries.Remaining(3), flow.retries(Credential.JPKI_AUTH_PIN))
        val login = flow.login(TestCard.TARO_AUTH_PIN)
        assertIs<Outcome.Accepted>(login, login.message)
        val signed = flow.sign(TestCard.TARO_SIGN_PASSWORD, "同意します")
        assertIs<Outcome.Accepted>(signed, signed.message)
        assertEquals(2, bank.received.size)
        assertTrue(bank.received[0].contains("jpki_login"))
        // taro: born 1990-01-02 (平成2), card expiry 2035, security code 5678.
        val attrs = flow.readAttributes(CalendarDate(1990u, 1u, 2u), 2035, "5678")
        assertIs<Outcome.TextRead>(attrs, attrs.message)
        assertTrue(attrs.name.isNotEmpty())
        assertTrue(attrs.verified, "attributes digest verified under 照合番号B")
    }

    @Test
    fun chipReadTheHeMethod(): Unit = runBlocking {
        val device = VirtualCardDevice("taro")
        val bank = FakeBank()
        val flow = EkycFlow(VirtualCards(device), bank)
        val r = flow.chipRead(CalendarDate(1990u, 1u, 2u), 2035, "5678")
        assertIs<Outcome.ChipRead>(r, r.message)
        assertEquals("見本\u3000太郎", r.name)
        val png = assertNotNull(r.photoPng)
        assertTrue(png.copyOfRange(0, 8).contentEquals(byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)))
        // One bundle reached the bank: the ヘ method's, bound to its nonce; one VERIFY per application.
        assertEquals(1, bank.received.size)
        assertTrue(bank.received[0].contains("\"method\": \"chip_read\""))
        assertEquals(2u, device.verifyAttempts())
        // A bank that refuses: no photo, the failed checks shown.
        val refusing = object : BankServer {
            override suspend fun nonce() = ByteArray(32) { 7 }
            override suspend fun verify(evidenceJson: String) = ServerVerdict("rejected", listOf("nonce.binding"))
        }
        val no = EkycFlow(VirtualCards(device), refusing).chipRead(CalendarDate(1990u, 1u, 2u), 2035, "5678")
        assertIs<Outcome.Rejected>(no, no.message)
        assertEquals(listOf("nonce.binding"), no.failedChecks)
    }

    @Test
    fun everyOutcomeTheSampleHandles(): Unit = runBlocking {
        val device = VirtualCardDevice("taro")
        val flow = EkycFlow(VirtualCards(device), FakeBank())
        val wrong = flow.login("9999")
        assertIs<Outcome.WrongPin>(wrong)
        assertEquals(2, wrong.remaining)
        assertTrue(wrong.message.contains("2"), wrong.message)
        flow.login("9999")                                   // 1 left
        val floor = flow.login("9999")
        assertIs<Outcome.LastTry>(floor, floor.message)
        assertEquals(1, device.remainingTries(Credential.JPKI_AUTH_PIN)?.toInt(), "the floor kept the last try")
        assertIs<Outcome.Accepted>(flow.login(TestCard.TARO_AUTH_PIN, allowLastTry = true))
        assertIs<Outcome.Failed>(flow.readAttributes(CalendarDate(1990u, 13u, 2u), 2035, "5678"), "a bad date is refused before the card")
        device.setRemainingTries(Credential.JPKI_AUTH_PIN, 0u)
        assertIs<Outcome.Blocked>(flow.login(TestCard.TARO_AUTH_PIN))
    }
}
