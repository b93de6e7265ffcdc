// The idiomatic layer: suspend functions on an I/O dispatcher and the sealed error hierarchy.
package jp.mynakit.test

import jp.mynakit.Credential
import jp.mynakit.JpkiKey
import jp.mynakit.MynaCard
import jp.mynakit.MynaException
import jp.mynakit.MynaKitError
import jp.mynakit.Retries
import jp.mynakit.SignOptions
import jp.mynakit.TokenKind
import jp.mynakit.TransportErrorKind
import jp.mynakit.TransportException
import jp.mynakit.TrustPolicy
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.verifyChainWithTestRoots
import jp.mynakit.testkit.virtualCard
import jp.mynakit.verifyChain
import jp.mynakit.verifyWithCertificate
import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import org.junit.Test

class MynaCardTest {
    private val virtualRoots = TrustPolicy(acceptVirtualCard = true)

    private fun open(faults: List<Fault> = emptyList(), device: VirtualCardDevice = VirtualCardDevice("taro")) =
        KotlinVirtualTransport(device, faults).let { MynaCard.open(it) to it }

    @Test
    fun anEkycFlowWithSuspendFunctionsRunsOnTheIoDispatcher(): Unit = runBlocking {
        val (card, t) = open()
        card.use {
            assertEquals(TokenKind.MY_NUMBER_CARD, it.tokenInfo().kind)
            val cert = it.authCertificate()
            val chain = verifyChainWithTestRoots(cert, virtualRoots, TestCard.VALID_AT.toLong())
            assertTrue(chain.anchor.contains("virtual card"))
            assertEquals(Retries.Remaining(3), it.retryStatus(Credential.JPKI_AUTH_PIN))
            val sig = it.sign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, "nonce".toByteArray(), options = SignOptions(includeCertificate = true))
            sig.verifyWithCertificate()
            val signCert = it.signCertificate(TestCard.TARO_SIGN_PASSWORD)
            assertEquals("見本　太郎", signCert.attributes?.name)
            assertEquals(16, it.challenge(16).size)
            assertEquals(t.exchanges.toUInt(), it.stats().apdus)
        }
        // runBlocking's own thread never touched the card.
        val main = Thread.currentThread().name
        assertTrue(t.threads.none { it == main }, "transport ran on ${t.threads}")
        assertTrue(t.threads.all { it.startsWith("DefaultDispatcher") }, "${t.threads}")
    }

    @Test
    fun pinErrorsAreGroupedAndCountsAreInts(): Unit = runBlocking {
        val (card, _) = open()
        val e = assertFailsWith<MynaKitError.WrongPin> { card.verify(Credential.JPKI_AUTH_PIN, "9999") }
        assertIs<MynaKitError.Pin>(e)
        assertEquals(2, e.remainingTries)
        assertEquals(Credential.JPKI_AUTH_PIN, e.credential)
        assertIs<MynaException.WrongPin>(e.cause)

        val device = VirtualCardDevice("taro")
        device.setRemainingTries(Credential.JPKI_AUTH_PIN, 0u)
        val (blocked, _) = open(device = device)
        assertEquals(Retries.Blocked, blocked.retryStatus(Credential.JPKI_AUTH_PIN))
        assertFailsWith<MynaKitError.Blocked> { blocked.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, allowBelowFloor = true) }

        val floor = VirtualCardDevice("taro")
        floor.setRemainingTries(Credential.JPKI_SIGN_PASSWORD, 1u)
        val (atFloor, _) = open(device = floor)
        val f = assertFailsWith<MynaKitError.RetryFloor> { atFloor.signCertificate(TestCard.TARO_SIGN_PASSWORD) }
        assertEquals(1, f.remainingTries)
        assertEquals(1, f.floor)
        atFloor.pinFloor = 0
        atFloor.signCertificate(TestCard.TARO_SIGN_PASSWORD)

        assertFailsWith<MynaKitError.InvalidFormat> { card.verify(Credential.JPKI_AUTH_PIN, "12") }
    }

    @Test
    fun linkErrorsAreGrouped(): Unit = runBlocking {
        val (removed, _) = open(listOf(Fault(at = 2) { TransportException.CardRemoved("TagLostException") }))
        val e = assertFailsWith<MynaKitError.CardRemoved> { removed.authCertificate() }
        assertIs<MynaKitError.Link>(e)

        val (foreign, _) = open(listOf(Fault(at = 0) { IllegalArgumentException("bug in transport") }))
        val f = assertFailsWith<MynaKitError.ForeignTransportFailure> { foreign.tokenInfo() }
        assertTrue(f.message.orEmpty().contains("bug in transport"), f.message)

        val (duringVerify, _) = open(listOf(Fault(at = 2, afterDelivery = true) { TransportException.CardRemoved("lost") }))
        val u = assertFailsWith<MynaKitError.VerifyOutcomeUnknown> { duringVerify.verify(Credential.JPKI_AUTH_PIN, "0000") }
        assertEquals(TransportErrorKind.CARD_REMOVED, u.transportKind)
        assertEquals(Retries.Remaining(2), duringVerify.retryStatus(Credential.JPKI_AUTH_PIN))

        val hanako = MynaCard.virtualCard("hanako")
        assertFailsWith<MynaKitError.NotAvailable> { hanako.signCertificate(TestCard.TARO_SIGN_PASSWORD) }
        assertFailsWith<MynaKitError.Usage> { MynaCard.virtualCard("nobody") }
        val cert = hanako.authCertificate()
        assertFailsWith<MynaKitError.VerificationFailed> { verifyChain(cert) }
    }
}
