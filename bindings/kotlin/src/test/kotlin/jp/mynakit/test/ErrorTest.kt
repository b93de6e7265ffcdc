// Exact typed errors through the Kotlin transport: PIN errors with remaining tries, blocking,
// the floor, card removal mid-read and mid-VERIFY, and exceptions of undeclared types.
package jp.mynakit.test

import jp.mynakit.CardSession
import jp.mynakit.CardTransport
import jp.mynakit.Credential
import jp.mynakit.ExchangeHint
import jp.mynakit.MynaException
import jp.mynakit.ProgressListener
import jp.mynakit.ReadProgress
import jp.mynakit.RetryStatus
import jp.mynakit.TransportCapabilities
import jp.mynakit.TransportErrorKind
import jp.mynakit.TransportException
import jp.mynakit.testkit.VirtualCardDevice
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.Test

class ErrorTest {
    private fun session(faults: List<Fault> = emptyList(), device: VirtualCardDevice = VirtualCardDevice("taro")) =
        KotlinVirtualTransport(device, faults).let { CardSession(it) to it }

    /** Exchanges of `verify` on a fresh session: 0 SELECT, 1 retry query, 2 VERIFY. */
    private val verifyExchange = 2

    @Test
    fun wrongPinReportsTheRemainingTries() {
        val (s, t) = session()
        val e = assertFailsWith<MynaException.WrongPin> { s.verify(Credential.JPKI_AUTH_PIN, "9999", false) }
        assertEquals(Credential.JPKI_AUTH_PIN, e.credential)
        assertEquals(2.toUByte(), e.remainingTries)
        assertTrue(e.detail.contains("2 tries remaining"), e.detail)
        assertTrue(!e.message.orEmpty().contains("9999"), "the value never appears in a message")
        assertEquals(2.toUByte(), t.device.remainingTries(Credential.JPKI_AUTH_PIN))
        // The right PIN resets the counter; exactly two VERIFYs carried a value.
        s.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false)
        assertEquals(3.toUByte(), t.device.remainingTries(Credential.JPKI_AUTH_PIN))
        assertEquals(2u, t.device.verifyAttempts())
        // The signing password counts separately.
        val e2 = assertFailsWith<MynaException.WrongPin> { s.jpkiSignCertificate("WRONG1", false) }
        assertEquals(Credential.JPKI_SIGN_PASSWORD, e2.credential)
        assertEquals(4.toUByte(), e2.remainingTries)
    }

    @Test
    fun blockingTryThenBlocked() {
        val device = VirtualCardDevice("taro")
        device.setRemainingTries(Credential.JPKI_AUTH_PIN, 1u)
        val (s, t) = session(device = device)
        // The app explicitly spends the last try, with a wrong PIN.
        val e = assertFailsWith<MynaException.WrongPin> { s.verify(Credential.JPKI_AUTH_PIN, "0000", true) }
        assertEquals(0.toUByte(), e.remainingTries)
        assertEquals(RetryStatus.Blocked, s.retryStatus(Credential.JPKI_AUTH_PIN))
        val attempts = t.device.verifyAttempts()
        // Even the right PIN is not sent to a blocked credential.
        val b = assertFailsWith<MynaException.Blocked> { s.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, true) }
        assertEquals(Credential.JPKI_AUTH_PIN, b.credential)
        assertEquals(attempts, t.device.verifyAttempts())
    }

    @Test
    fun theFloorRefusesWithoutSendingAVerify() {
        val device = VirtualCardDevice("taro")
        device.setRemainingTries(Credential.JPKI_AUTH_PIN, 1u)
        val (s, t) = session(device = device)
        val e = assertFailsWith<MynaException.RetryFloor> { s.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false) }
        assertEquals(1.toUByte(), e.remainingTries)
        assertEquals(1.toUByte(), e.floor)
        assertEquals(0u, t.device.verifyAttempts())
        assertTrue(0x20 !in t.instructions().filterIndexed { i, _ -> t.seen[i].second.sensitive })
        // A stricter policy refuses earlier.
        val (s2, _) = session()
        s2.setPinPolicy(s2.pinPolicy().copy(floor = 3u))
        val e2 = assertFailsWith<MynaException.RetryFloor> { s2.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false) }
        assertEquals(3.toUByte(), e2.remainingTries)
    }

    @Test
    fun malformedCredentialsSendNoApdu() {
        for ((credential, value) in listOf(
            Credential.JPKI_AUTH_PIN to "12a4",
            Credential.JPKI_AUTH_PIN to "12345",
            Credential.JPKI_SIGN_PASSWORD to "abcdef",
            Credential.JPKI_SIGN_PASSWORD to "AB12",
        )) {
            val (s, t) = session()
            val e = assertFailsWith<MynaException.InvalidCredentialFormat> { s.verify(credential, value, false) }
            assertEquals(credential, e.credential)
            assertTrue(!e.detail.contains(value), e.detail)
            assertEquals(0, t.exchanges, value)
        }
    }

    @Test
    fun cardRemovedInTheMiddleOfAReadIsTypedAndTheSessionRecovers() {
        // 0 SELECT, 1..n READ BINARY: the tag is lost at the third exchange.
        val (s, t) = session(listOf(Fault(at = 3) { TransportException.CardRemoved("TagLostException") }))
        val e = assertFailsWith<MynaException.CardRemoved> { s.jpkiAuthCertificate() }
        assertTrue(e.detail.contains("TagLostException"), e.detail)
        // The next call starts over with a SELECT and succeeds.
        val before = t.exchanges
        assertContentEquals(testVector("cards/taro/auth-cert.der"), s.jpkiAuthCertificate().der)
        assertEquals(0xA4, t.instructions()[before])
    }

    @Test
    fun cardRemovedDuringVerifyIsOutcomeUnknown() {
        for (afterDelivery in listOf(false, true)) {
            val (s, t) = session(listOf(Fault(at = verifyExchange, afterDelivery = afterDelivery) {
                TransportException.CardRemoved("TagLostException")
            }))
            val e = assertFailsWith<MynaException.VerifyOutcomeUnknown> { s.verify(Credential.JPKI_AUTH_PIN, "0000", false) }
            assertEquals(Credential.JPKI_AUTH_PIN, e.credential)
            assertEquals(TransportErrorKind.CARD_REMOVED, e.transportKind)
            assertTrue(e.detail.contains("read the retry counter"), e.detail)
            // Never a second VERIFY; the card counted the try only if it received it.
            assertEquals(if (afterDelivery) 1u else 0u, t.device.verifyAttempts())
            assertEquals(
                RetryStatus.Remaining(if (afterDelivery) 2u else 3u),
                s.retryStatus(Credential.JPKI_AUTH_PIN),
            )
        }
    }

    @Test
    fun anUndeclaredKotlinExceptionBecomesATypedError() {
        // Mid-read: ForeignException, with the exception's text.
        val (s, _) = session(listOf(Fault(at = 1) { IllegalStateException("reader exploded") }))
        val e = assertFailsWith<MynaException.ForeignException> { s.jpkiTokenInfo() }
        assertTrue(e.detail.contains("reader exploded"), e.detail)
        s.jpkiTokenInfo()
        // Mid-VERIFY: outcome unknown, and the kind says it was a foreign exception.
        val (s2, _) = session(listOf(Fault(at = verifyExchange) { UnsupportedOperationException("nope") }))
        val e2 = assertFailsWith<MynaException.VerifyOutcomeUnknown> { s2.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false) }
        assertEquals(TransportErrorKind.FOREIGN_EXCEPTION, e2.transportKind)
    }

    @Test
    fun otherDeclaredTransportErrorsKeepTheirKind() {
        val (s, _) = session(listOf(Fault(at = 0) { TransportException.Timeout("300 ms") }))
        val e = assertFailsWith<MynaException.Transport> { s.jpkiTokenInfo() }
        assertEquals(TransportErrorKind.TIMEOUT, e.kind)
        val (s2, _) = session(listOf(Fault(at = 0) { TransportException.Cancelled("user") }))
        assertEquals(TransportErrorKind.CANCELLED, assertFailsWith<MynaException.Transport> { s2.jpkiTokenInfo() }.kind)
    }

    @Test
    fun unexpectedStatusWordsAndGarbage() {
        val device = VirtualCardDevice("taro")
        val answers = ArrayDeque(listOf(byteArrayOf(0x90.toByte(), 0x00), byteArrayOf(0x6F, 0x00), byteArrayOf(0x01)))
        val transport = object : CardTransport {
            override fun transmit(apdu: ByteArray, hint: ExchangeHint) = answers.removeFirst()
            override fun capabilities() = device.capabilities()
        }
        val s = CardSession(transport)
        val e = assertFailsWith<MynaException.UnexpectedStatus> { s.jpkiTokenInfo() }
        assertEquals(0x6F00.toUShort(), e.statusWord)
        // One byte is no response APDU: the next call reselects and gets garbage.
        val g = assertFailsWith<MynaException.Transport> { s.jpkiTokenInfo() }
        assertEquals(TransportErrorKind.INVALID_RESPONSE, g.kind)
    }

    @Test
    fun capabilitiesThatCannotCarryAnApduAreRefused() {
        val transport = object : CardTransport {
            override fun transmit(apdu: ByteArray, hint: ExchangeHint) = byteArrayOf(0x90.toByte(), 0x00)
            override fun capabilities() = TransportCapabilities(4u, 258u, false)
        }
        assertFailsWith<MynaException.InvalidArgument> { CardSession(transport) }
    }

    @Test
    fun aCallFromInsideTheSessionsOwnListenerIsRefusedNotDeadlocked() {
        val (s, _) = session()
        var inner: Throwable? = null
        s.setProgressListener(object : ProgressListener {
            override fun onProgress(progress: ReadProgress) {
                inner = runCatching { s.stats() }.exceptionOrNull()
            }
        })
        s.jpkiAuthCertificate()
        assertTrue(inner is MynaException.InvalidArgument, "got $inner")
    }
}
