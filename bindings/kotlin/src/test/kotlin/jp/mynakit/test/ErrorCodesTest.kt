// Errors through the bindings carry the core's layer, stable code and Japanese/English user
// messages, and the sealed MynaKitError hierarchy groups them by that layer.
// Expected texts are the core's (core/src/error.rs), written out here by hand.
package jp.mynakit.test

import java.util.Locale
import jp.mynakit.CardSession
import jp.mynakit.CardTransport
import jp.mynakit.Credential
import jp.mynakit.ErrorLayer
import jp.mynakit.ExchangeHint
import jp.mynakit.MynaException
import jp.mynakit.MynaKitError
import jp.mynakit.NfcAvailability
import jp.mynakit.TransportCapabilities
import jp.mynakit.TransportException
import jp.mynakit.errorInfoForCode
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.virtualCardSession
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.Test

class ErrorCodesTest {
    /** A transport over [device] that throws [fault] at exchange [at] (0-based). */
    private class FailingTransport(
        val device: VirtualCardDevice,
        val at: Int,
        val fault: () -> Throwable,
    ) : CardTransport {
        var exchanges = 0
        override fun transmit(apdu: ByteArray, hint: ExchangeHint): ByteArray {
            if (exchanges++ == at) throw fault()
            return device.process(apdu)
        }
        override fun capabilities(): TransportCapabilities = device.capabilities()
    }

    /** Checks what every error must have, and that its Kotlin group is its layer's. */
    private fun checkGrouping(e: MynaException): MynaKitError {
        val info = e.errorInfo()
        assertTrue(info.code.startsWith("MK-"), info.code)
        assertTrue(info.messageJa.isNotBlank() && info.messageEn.isNotBlank(), info.toString())
        val k = MynaKitError.from(e)
        assertEquals(info.layer, k.layer)
        assertEquals(info.code, k.code)
        assertEquals(info.messageJa, k.userMessage(Locale.JAPAN))
        assertEquals(info.messageEn, k.userMessage(Locale.US))
        assertEquals(info.detail, k.message)
        assertEquals(k.layer == ErrorLayer.TRANSPORT, k is MynaKitError.Link, "$k")
        assertEquals(k.layer == ErrorLayer.CREDENTIAL, k is MynaKitError.Pin, "$k")
        assertEquals(k.layer == ErrorLayer.CARD_STATUS, k is MynaKitError.CardStatus, "$k")
        return k
    }

    @Test
    fun wrongPinHasTheCredentialLayerTheCodeAndTheRemainingTriesInBothLanguages() {
        val s = virtualCardSession("taro")
        val e = assertFailsWith<MynaException.WrongPin> { s.verify(Credential.JPKI_AUTH_PIN, "9999", false) }
        val info = e.errorInfo()
        assertEquals(ErrorLayer.CREDENTIAL, info.layer)
        assertEquals("MK-CRED-WRONG", info.code)
        assertEquals("利用者証明用暗証番号が違います。残り2回です。", info.messageJa)
        assertEquals("The user authentication PIN is incorrect. 2 attempts remaining.", info.messageEn)
        assertEquals(e.detail, info.detail)
        assertTrue(!info.messageJa.contains("9999") && !info.detail.contains("9999"))
        val k = assertIs<MynaKitError.WrongPin>(checkGrouping(e))
        assertEquals(2, k.remainingTries)
        // The last try is announced.
        val e2 = assertFailsWith<MynaException.WrongPin> { s.verify(Credential.JPKI_AUTH_PIN, "9998", true) }
        assertEquals("利用者証明用暗証番号が違います。残り1回です。あと1回間違えるとロックされます。", e2.errorInfo().messageJa)
    }

    @Test
    fun formatErrorsSayHowToEnterTheValue() {
        val s = virtualCardSession("taro")
        val e = assertFailsWith<MynaException.InvalidCredentialFormat> { s.verify(Credential.JPKI_AUTH_PIN, "12a4", false) }
        val info = e.errorInfo()
        assertEquals(ErrorLayer.CREDENTIAL, info.layer)
        assertEquals("MK-CRED-FORMAT", info.code)
        assertEquals("利用者証明用暗証番号は数字4桁で入力してください。", info.messageJa)
        assertEquals("Enter the user authentication PIN as 4 digits.", info.messageEn)
        assertIs<MynaKitError.InvalidFormat>(checkGrouping(e))
        val p = assertFailsWith<MynaException.InvalidCredentialFormat> { s.jpkiSignCertificate("AB12", false) }
        assertEquals("MK-CRED-FORMAT", p.errorInfo().code)
        assertTrue(p.errorInfo().messageJa.startsWith("署名用パスワードは"), p.errorInfo().messageJa)
    }

    @Test
    fun blockedAndTheFloorHaveTheirCodes() {
        val device = VirtualCardDevice("taro")
        device.setRemainingTries(Credential.JPKI_AUTH_PIN, 1u)
        val s = CardSession(FailingTransport(device, -1) { error("unused") })
        val f = assertFailsWith<MynaException.RetryFloor> { s.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false) }
        assertEquals("MK-CRED-FLOOR", f.errorInfo().code)
        assertEquals(
            "利用者証明用暗証番号の残り回数が1回のため、ロックを防ぐために照合を行いませんでした（回数は減っていません）。",
            f.errorInfo().messageJa,
        )
        assertIs<MynaKitError.RetryFloor>(checkGrouping(f))
        device.setRemainingTries(Credential.JPKI_AUTH_PIN, 0u)
        val b = assertFailsWith<MynaException.Blocked> { s.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, true) }
        assertEquals("MK-CRED-BLOCKED", b.errorInfo().code)
        assertTrue(b.errorInfo().messageJa.startsWith("利用者証明用暗証番号はロックされています。"), b.errorInfo().messageJa)
        assertIs<MynaKitError.Blocked>(checkGrouping(b))
    }

    @Test
    fun aRemovedCardIsATransportErrorAndDuringAVerifyAnUnknownOutcome() {
        // 0 SELECT, 1.. READ BINARY: the tag is lost at the third exchange.
        val s = CardSession(FailingTransport(VirtualCardDevice("taro"), 2) { TransportException.CardRemoved("TagLostException") })
        val e = assertFailsWith<MynaException.CardRemoved> { s.jpkiAuthCertificate() }
        val info = e.errorInfo()
        assertEquals(ErrorLayer.TRANSPORT, info.layer)
        assertEquals("MK-LINK-REMOVED", info.code)
        assertEquals(
            "カードとの通信が途切れました。カードをもう一度かざし、読み取りが終わるまで動かさないでください。",
            info.messageJa,
        )
        assertTrue(info.detail.contains("TagLostException"), info.detail)
        assertIs<MynaKitError.CardRemoved>(checkGrouping(e))
        // Exchange 2 of a verify on a fresh session is the VERIFY (0 SELECT, 1 retry query).
        val s2 = CardSession(FailingTransport(VirtualCardDevice("taro"), 2) { TransportException.CardRemoved("lost") })
        val u = assertFailsWith<MynaException.VerifyOutcomeUnknown> { s2.verify(Credential.JPKI_AUTH_PIN, "0000", false) }
        assertEquals(ErrorLayer.CREDENTIAL, u.errorInfo().layer)
        assertEquals("MK-CRED-UNKNOWN", u.errorInfo().code)
        assertTrue(u.errorInfo().messageJa.contains("残り回数を確認"), u.errorInfo().messageJa)
        assertIs<MynaKitError.VerifyOutcomeUnknown>(checkGrouping(u))
        // Other link failures and undeclared exceptions.
        val s3 = CardSession(FailingTransport(VirtualCardDevice("taro"), 0) { TransportException.Timeout("300 ms") })
        val t = assertFailsWith<MynaException.Transport> { s3.jpkiTokenInfo() }
        assertEquals("MK-LINK-TIMEOUT", t.errorInfo().code)
        assertIs<MynaKitError.TransportFailure>(checkGrouping(t))
        val s4 = CardSession(FailingTransport(VirtualCardDevice("taro"), 1) { IllegalStateException("reader exploded") })
        val x = assertFailsWith<MynaException.ForeignException> { s4.jpkiTokenInfo() }
        assertEquals("MK-LINK-FOREIGN", x.errorInfo().code)
        assertIs<MynaKitError.ForeignTransportFailure>(checkGrouping(x))
    }

    @Test
    fun cardStatusUsageAndInternalLayers() {
        val hanako = virtualCardSession("hanako")
        val n = assertFailsWith<MynaException.NotAvailable> { hanako.jpkiSignCertificate(TestCard.TARO_SIGN_PASSWORD, false) }
        assertEquals(ErrorLayer.CARD_STATUS, n.errorInfo().layer)
        assertEquals("MK-CARD-NOT-AVAILABLE", n.errorInfo().code)
        assertIs<MynaKitError.NotAvailable>(checkGrouping(n))
        val answers = ArrayDeque(listOf(byteArrayOf(0x90.toByte(), 0x00), byteArrayOf(0x6F, 0x00)))
        val device = VirtualCardDevice("taro")
        val s = CardSession(object : CardTransport {
            override fun transmit(apdu: ByteArray, hint: ExchangeHint) = answers.removeFirst()
            override fun capabilities() = device.capabilities()
        })
        val r = assertFailsWith<MynaException.UnexpectedStatus> { s.jpkiTokenInfo() }
        assertEquals("MK-CARD-STATUS", r.errorInfo().code)
        assertIs<MynaKitError.CardRefused>(checkGrouping(r))
        val a = assertFailsWith<MynaException.InvalidArgument> {
            CardSession(object : CardTransport {
                override fun transmit(apdu: ByteArray, hint: ExchangeHint) = byteArrayOf(0x90.toByte(), 0x00)
                override fun capabilities() = TransportCapabilities(4u, 258u, false)
            })
        }
        assertEquals(ErrorLayer.USAGE, a.errorInfo().layer)
        assertEquals("MK-USAGE-ARGUMENT", a.errorInfo().code)
        assertIs<MynaKitError.Usage>(checkGrouping(a))
        val i = MynaException.Internal("?")
        assertEquals("MK-INTERNAL", i.errorInfo().code)
        assertIs<MynaKitError.Internal>(checkGrouping(i))
    }

    @Test
    fun errorsMadeByTheKotlinLayerHaveCoreCodesToo() {
        val off = MynaKitError.NfcUnavailable(NfcAvailability.DISABLED, "NFC is switched off", null)
        assertEquals(ErrorLayer.TRANSPORT, off.layer)
        assertEquals("MK-LINK-NFC-UNAVAILABLE", off.code)
        assertTrue(off.messageJa.contains("NFC"), off.messageJa)
        val connect = MynaKitError.ConnectFailed("could not connect to the card: IOException", java.io.IOException())
        assertEquals("MK-LINK-REMOVED", connect.code)
        assertEquals(ErrorLayer.TRANSPORT, connect.layer)
        assertNotNull(errorInfoForCode("MK-CRED-WRONG", ""))
        assertNull(errorInfoForCode("MK-NO-SUCH-CODE", ""))
    }
}
