// The Android reader's logic on the JVM with fakes of IsoDep and the NFC adapter: platform
// exception mapping, per-exchange timeouts, extended-length downgrade, connect failure,
// closing on completion, failure and cancellation, and reader mode without blocking the
// platform's callback thread.
package jp.mynakit.test

import java.io.IOException
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import jp.mynakit.Credential
import jp.mynakit.ExchangeHint
import jp.mynakit.ExtendedLengthMemory
import jp.mynakit.IsoDepLink
import jp.mynakit.JpkiKey
import jp.mynakit.MynaKitError
import jp.mynakit.MynaNfcReader
import jp.mynakit.NfcAvailability
import jp.mynakit.NfcReaderHost
import jp.mynakit.NfcSessionConfig
import jp.mynakit.NfcTimeouts
import jp.mynakit.NfcTransport
import jp.mynakit.ReaderModeOptions
import jp.mynakit.Retries
import jp.mynakit.TagLostIOException
import jp.mynakit.TransportErrorKind
import jp.mynakit.TransportException
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.runCardSession
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Test

/** A fake `IsoDep` in front of the virtual card, with the phone's claims and faults set by the test. */
class FakeIsoDep(
    val device: VirtualCardDevice = VirtualCardDevice("taro"),
    override val maxTransceiveLength: Int = 261,
    override val isExtendedLengthApduSupported: Boolean = false,
) : IsoDepLink {
    /** Thrown by [connect] when set. */
    var connectError: Throwable? = null

    /** Decides, per exchange (0-based index, APDU), what to throw instead of answering. */
    var fault: (Int, ByteArray) -> Throwable? = { _, _ -> null }

    /** When set, [transceive] of the exchange with this index waits until [close]. */
    var hangAt: Int = -1
    val hanging = CountDownLatch(1)

    @Volatile
    var connected = false
    var connects = 0
    var closes = 0

    /** (timeout in force, APDU header, whether extended) per exchange. */
    val exchanges: MutableList<Triple<Int, List<Byte>, Boolean>> = Collections.synchronizedList(mutableListOf())
    private var timeout = 0
    private val closed = CountDownLatch(1)

    override fun connect() {
        connects++
        connectError?.let { throw it }
        connected = true
    }

    override fun close() {
        closes++
        connected = false
        closed.countDown()
    }

    override val isConnected: Boolean get() = connected

    override fun setTimeout(ms: Int) {
        timeout = ms
    }

    override fun transceive(apdu: ByteArray): ByteArray {
        check(connected) { "Call connect() first!" }   // what Android's TagTechnology says
        val index = exchanges.size
        exchanges.add(Triple(timeout, apdu.take(4), NfcTransport.isExtendedLengthApdu(apdu)))
        sizes.add(apdu.size)
        fault(index, apdu)?.let { throw it }
        if (index == hangAt) {
            hanging.countDown()
            closed.await(10, TimeUnit.SECONDS)
            throw IOException("Transceive failed")   // Android, after close() from another thread
        }
        return device.process(apdu)
    }

    fun ins(): List<Int> = exchanges.map { it.second[1].toInt() and 0xFF }

    /** APDU length per exchange (never the bytes: a VERIFY carries the PIN). */
    val sizes: MutableList<Int> = Collections.synchronizedList(mutableListOf())

    /** VERIFY commands that carried a value (not the counter queries). */
    fun verifiesWithValue(): Int = ins().indices.count { ins()[it] == 0x20 && sizes[it] > 5 }
}

/** A fake NFC adapter: the test presents tags with [present]. */
class FakeNfcHost(var availability: NfcAvailability = NfcAvailability.AVAILABLE) : NfcReaderHost {
    var options: ReaderModeOptions? = null
    var enabled = false
    var disables = 0
    private var onTag: ((IsoDepLink?) -> Unit)? = null
    val readerModeOn = CompletableDeferred<Unit>()

    override fun availability() = availability

    override fun enableReaderMode(options: ReaderModeOptions, onTag: (IsoDepLink?) -> Unit) {
        this.options = options
        this.onTag = onTag
        enabled = true
        readerModeOn.complete(Unit)
    }

    override fun disableReaderMode() {
        enabled = false
        disables++
    }

    /** Calls the reader callback from another thread, as Android's binder thread does; returns when it returned. */
    fun present(link: IsoDepLink?) {
        val cb = onTag ?: error("reader mode is off")
        val t = Thread { cb(link) }
        t.start()
        t.join(5_000)
        check(!t.isAlive) { "the reader callback blocked" }
    }
}

class NfcSessionTest {
    private val hint = ExchangeHint(sensitive = false, slow = false)
    private val select = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A,
        0xD3.toByte(), 0x92.toByte(), 0xF0.toByte(), 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01)

    private fun mapped(error: Throwable, connectedAfter: Boolean = true, cancelled: Boolean = false): TransportException {
        val link = FakeIsoDep()
        link.connect()
        link.fault = { _, _ -> link.connected = connectedAfter; error }
        return assertFailsWith<TransportException> {
            NfcTransport(link, memory = ExtendedLengthMemory(), isCancelled = { cancelled }).transmit(select, hint)
        }
    }

    @Test
    fun everyPlatformExceptionIsTyped() {
        assertIs<TransportException.CardRemoved>(mapped(TagLostIOException("Tag was lost.")))
        assertIs<TransportException.CardRemoved>(mapped(SecurityException("Permission Denial: Tag is out of date")))
        assertIs<TransportException.CardRemoved>(mapped(IOException("Transceive failed"), connectedAfter = false))
        assertIs<TransportException.Other>(mapped(IOException("Transceive failed"), connectedAfter = true))
        assertIs<TransportException.NoCard>(mapped(IllegalStateException("Call connect() first!")))
        assertIs<TransportException.Cancelled>(mapped(IllegalStateException("Call connect() first!"), cancelled = true))
        assertIs<TransportException.Cancelled>(mapped(TagLostIOException("Tag was lost."), cancelled = true))
        assertIs<TransportException.Cancelled>(mapped(IOException("Transceive failed"), cancelled = true))
        val other = mapped(UnsupportedOperationException("odd"))
        assertIs<TransportException.Other>(other)
        assertTrue(other.message.orEmpty().contains("UnsupportedOperationException"), other.message)
        // A response without a status word.
        val link = FakeIsoDep()
        link.connect()
        val short = object : IsoDepLink by link {
            override fun transceive(apdu: ByteArray) = byteArrayOf(0x90.toByte())
        }
        assertIs<TransportException.InvalidResponse>(
            assertFailsWith<TransportException> { NfcTransport(short, memory = ExtendedLengthMemory()).transmit(select, hint) },
        )
    }

    @Test
    fun extendedLengthApduDetection() {
        assertFalse(NfcTransport.isExtendedLengthApdu(byteArrayOf(0x00, 0xB0.toByte(), 0x00, 0x00)))          // case 1
        assertFalse(NfcTransport.isExtendedLengthApdu(byteArrayOf(0x00, 0xB0.toByte(), 0x00, 0x00, 0x00)))    // case 2S, Le=256
        assertTrue(NfcTransport.isExtendedLengthApdu(byteArrayOf(0x00, 0xB0.toByte(), 0x00, 0x00, 0x00, 0x00, 0x00))) // case 2E, Le=65536
        assertFalse(NfcTransport.isExtendedLengthApdu(select))                                                 // case 3S
    }

    @Test
    fun capabilitiesAreReportedHonestly() {
        val mem = ExtendedLengthMemory()
        // A phone that claims extended length with a large buffer.
        val big = NfcTransport(FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true), memory = mem)
        assertTrue(big.capabilities().extendedLength)
        assertEquals(65_279u, big.capabilities().maxCommandLen)
        // Claimed, but the buffer is no larger than a short APDU: short.
        assertFalse(NfcTransport(FakeIsoDep(maxTransceiveLength = 261, isExtendedLengthApduSupported = true), memory = mem).capabilities().extendedLength)
        // A phone with a small buffer: short APDUs capped at it.
        val small = NfcTransport(FakeIsoDep(maxTransceiveLength = 253), memory = mem).capabilities()
        assertFalse(small.extendedLength)
        assertEquals(253u, small.maxCommandLen)
        assertEquals(253u, small.maxResponseLen)
        // The app opted out.
        assertFalse(NfcTransport(FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true), allowExtendedLength = false, memory = mem).capabilities().extendedLength)
        // After a failure on this phone.
        mem.failed.let { assertFalse(it) }
        val failing = FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true)
        failing.connect()
        failing.fault = { _, apdu -> if (NfcTransport.isExtendedLengthApdu(apdu)) IOException("Transceive failed") else null }
        val t = NfcTransport(failing, memory = mem)
        assertIs<TransportException.Other>(assertFailsWith<TransportException> {
            t.transmit(byteArrayOf(0x00, 0xB0.toByte(), 0x00, 0x00, 0x00, 0x00, 0x00), hint)
        })
        assertTrue(mem.failed)
        assertFalse(NfcTransport(FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true), memory = mem).capabilities().extendedLength)
    }

    @Test
    fun timeoutsSwitchPerExchange(): Unit = runBlocking {
        val link = FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true)
        val timeouts = NfcTimeouts(normalMs = 1_111, extendedMs = 2_222, slowMs = 3_333)
        val config = NfcSessionConfig(timeouts = timeouts, extendedLengthMemory = ExtendedLengthMemory())
        runCardSession(link, config) { card ->
            card.authCertificate()
            card.sign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, "nonce".toByteArray())
        }
        val sign = link.exchanges.filter { (it.second[1].toInt() and 0xFF) == 0x2A }
        assertEquals(1, sign.size, "one COMPUTE DIGITAL SIGNATURE")
        assertEquals(3_333, sign[0].first)
        val extended = link.exchanges.filter { it.third && (it.second[1].toInt() and 0xFF) != 0x2A }
        assertTrue(extended.isNotEmpty(), "the certificate is read with extended-length READ BINARY: ${link.ins()}")
        assertTrue(extended.all { it.first == 2_222 }, "$extended")
        val plain = link.exchanges.filter { !it.third && (it.second[1].toInt() and 0xFF) != 0x2A }
        assertTrue(plain.isNotEmpty() && plain.all { it.first == 1_111 }, "$plain")
    }

    @Test
    fun extendedLengthIsDowngradedWhenThePhoneFailsIt(): Unit = runBlocking {
        val mem = ExtendedLengthMemory()
        val config = NfcSessionConfig(extendedLengthMemory = mem)
        val liar = FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true)
        liar.fault = { _, apdu -> if (NfcTransport.isExtendedLengthApdu(apdu)) IOException("Transceive failed") else null }
        val first = runCatching { runCardSession(liar, config) { it.authCertificate() } }
        assertTrue(mem.failed, "the failure is remembered")
        val failedExtended = liar.exchanges.indexOfFirst { it.third }
        assertTrue(failedExtended >= 0)
        first.exceptionOrNull()?.let { e ->
            // Today's core does not retry: the read fails with a typed link error.
            val f = assertIs<MynaKitError.TransportFailure>(e)
            assertEquals(TransportErrorKind.OTHER, f.kind)
            assertTrue(f.message.orEmpty().contains("extended-length"), f.message)
        } ?: run {
            // A core that retries an extended READ once in short form succeeds in this session.
            assertTrue(liar.exchanges.drop(failedExtended + 1).any { !it.third && (it.second[1].toInt() and 0xFF) == 0xB0 })
        }
        // The next session on this phone uses short APDUs only and succeeds.
        val again = FakeIsoDep(maxTransceiveLength = 65_279, isExtendedLengthApduSupported = true)
        again.fault = liar.fault
        val cert = runCardSession(again, config) { it.authCertificate() }
        assertTrue(cert.der.isNotEmpty())
        assertTrue(again.exchanges.none { it.third }, "no extended APDU after the downgrade")
    }

    @Test
    fun theTagStaysConnectedUntilTheBlockEndsThenCloses(): Unit = runBlocking {
        val link = FakeIsoDep()
        val remaining = runCardSession(link, NfcSessionConfig(extendedLengthMemory = ExtendedLengthMemory())) { card ->
            assertTrue(link.connected)
            delay(50)                        // the app suspends between card calls
            card.tokenInfo()
            delay(50)
            assertTrue(link.connected)
            card.retryStatus(Credential.JPKI_AUTH_PIN)
        }
        assertEquals(Retries.Remaining(3), remaining)
        assertFalse(link.connected)
        assertEquals(1, link.connects)
        assertEquals(1, link.closes)
    }

    @Test
    fun cardRemovalIsTypedAndClosesTheTag(): Unit = runBlocking {
        val config = NfcSessionConfig(extendedLengthMemory = ExtendedLengthMemory())
        // Mid-read.
        val link = FakeIsoDep()
        link.fault = { i, _ -> if (i == 3) { link.connected = false; TagLostIOException("Tag was lost.") } else null }
        assertFailsWith<MynaKitError.CardRemoved> { runCardSession(link, config) { it.authCertificate() } }
        assertEquals(1, link.closes)
        // Mid-VERIFY (exchanges: 0 SELECT, 1 retry query, 2 VERIFY): the outcome is unknown.
        val v = FakeIsoDep()
        v.fault = { i, _ -> if (i == 2) { v.connected = false; TagLostIOException("Tag was lost.") } else null }
        val e = assertFailsWith<MynaKitError.VerifyOutcomeUnknown> {
            runCardSession(v, config) { it.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN) }
        }
        assertEquals(TransportErrorKind.CARD_REMOVED, e.transportKind)
        assertEquals(listOf(0xA4, 0x20, 0x20), v.ins(), "exactly one VERIFY carried the PIN")
        assertEquals(1, v.closes)
    }

    @Test
    fun cancellationClosesTheTagAtOnce(): Unit = runBlocking {
        val link = FakeIsoDep()
        link.hangAt = 1                                        // the card stops answering
        val started = System.nanoTime()
        // On another thread: this test's thread blocks on the latch below.
        var thrown: Throwable? = null
        val job = launch(Dispatchers.Default) {
            try {
                runCardSession(link, NfcSessionConfig(extendedLengthMemory = ExtendedLengthMemory())) { it.tokenInfo() }
            } catch (e: Throwable) {
                thrown = e
                throw e
            }
        }
        assertTrue(link.hanging.await(10, TimeUnit.SECONDS))
        job.cancelAndJoin()
        val ms = (System.nanoTime() - started) / 1_000_000
        assertTrue(job.isCancelled)
        // A cancellation (which does not fail the parent: this test's runBlocking goes on).
        assertIs<CancellationException>(thrown)
        assertFalse(link.connected)
        assertEquals(1, link.closes, "closed once")
        assertTrue(ms < 5_000, "cancellation took $ms ms")
    }

    @Test
    fun aFailedConnectIsReported(): Unit = runBlocking {
        val link = FakeIsoDep()
        link.connectError = TagLostIOException("Tag was lost.")
        val e = assertFailsWith<MynaKitError.ConnectFailed> { runCardSession(link) { it.tokenInfo() } }
        assertIs<MynaKitError.Link>(e)
        assertTrue(link.exchanges.isEmpty(), "nothing was sent")
        assertEquals(1, link.closes)
        val stale = FakeIsoDep()
        stale.connectError = SecurityException("Permission Denial: Tag is out of date")
        assertFailsWith<MynaKitError.ConnectFailed> { runCardSession(stale) { it.tokenInfo() } }
    }

    @Test
    fun readerModeHandsTheTagOverWithoutBlockingTheCallback(): Unit = runBlocking {
        val host = FakeNfcHost()
        val reader = MynaNfcReader(host, NfcSessionConfig(extendedLengthMemory = ExtendedLengthMemory()))
        val link = FakeIsoDep()
        val blockMayEnd = CompletableDeferred<Unit>()
        val result = async {
            reader.session { card ->
                blockMayEnd.await()                        // the callback has long returned by now
                card.authCertificate().der.size
            }
        }
        withTimeout(10_000) { host.readerModeOn.await() }
        val o = host.options!!
        assertTrue(o.nfcB && o.skipNdefCheck)
        assertEquals(1_000, o.presenceCheckDelayMs)
        host.present(null)                                 // another kind of tag: ignored
        host.present(link)                                 // returns while the session runs
        assertTrue(host.enabled)
        blockMayEnd.complete(Unit)
        assertTrue(withTimeout(20_000) { result.await() } > 0)
        assertFalse(host.enabled)
        assertEquals(1, host.disables)
        assertFalse(link.connected)
        assertEquals(1, link.closes)
    }

    @Test
    fun cancellingWhileWaitingForATagDisablesReaderMode(): Unit = runBlocking {
        val host = FakeNfcHost()
        val job = launch { MynaNfcReader(host).session { it.tokenInfo() } }
        withTimeout(10_000) { host.readerModeOn.await() }
        job.cancelAndJoin()
        assertFalse(host.enabled)
        assertEquals(1, host.disables)
    }

    @Test
    fun nfcOffOrAbsentIsTyped(): Unit = runBlocking {
        val off = assertFailsWith<MynaKitError.NfcUnavailable> { MynaNfcReader(FakeNfcHost(NfcAvailability.DISABLED)).session { 0 } }
        assertEquals(NfcAvailability.DISABLED, off.availability)
        val none = assertFailsWith<MynaKitError.NfcUnavailable> { MynaNfcReader(FakeNfcHost(NfcAvailability.NOT_PRESENT)).session { 0 } }
        assertEquals(NfcAvailability.NOT_PRESENT, none.availability)
    }
}
