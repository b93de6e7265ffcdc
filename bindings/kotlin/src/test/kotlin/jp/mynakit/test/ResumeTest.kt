// Tag-loss resume through the Android reader on the JVM: the card is lost at every exchange of
// each flow (JPKI login, ワ-method signing, text read, card-face read), before the card saw the
// command and after it answered, then presented again; the flow completes with the result of
// an uncut run, no PIN try is lost, no VERIFY is sent beyond what the core's rules allow, and
// the work done before the loss is not done again.
package jp.mynakit.test

import jp.mynakit.ApReadOptions
import jp.mynakit.Credential
import jp.mynakit.ExtendedLengthMemory
import jp.mynakit.FaceUnlock
import jp.mynakit.MynaCard
import jp.mynakit.MynaKitError
import jp.mynakit.MynaNfcReader
import jp.mynakit.NfcSessionConfig
import jp.mynakit.ReaderEvent
import jp.mynakit.TagLossResume
import jp.mynakit.TagLostIOException
import jp.mynakit.TextUnlock
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.virtualCardCvCaKey
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Test


class ResumeTest {
    private val nonce = ByteArray(32) { (it * 7 + 1).toByte() }
    private val cv = ApReadOptions(cvCaKeys = listOf(virtualCardCvCaKey()))

    /** A flow and a fingerprint of everything it returns. */
    private class Flow(val name: String, val run: suspend (MynaCard) -> String)

    private val flows = listOf(
        Flow("JPKI login") { c ->
            val e = c.login(TestCard.TARO_AUTH_PIN, nonce)
            e.certificate.der.hex() + "/" + e.signature.signature.hex() + "/" + e.signatureCheck
        },
        Flow("ワ-method signing") { c ->
            val e = c.signEvidence(TestCard.TARO_SIGN_PASSWORD, nonce, "口座開設に同意します".toByteArray())
            e.certificate.der.hex() + "/" + e.signature.signature.hex() + "/" + e.signatureCheck
        },
        Flow("text read") { c ->
            val r = c.readText(TextUnlock.PIN, "1234", cv)
            "${r.myNumber?.myNumber}/${r.attributes?.name}/${r.attributes?.address}/${r.verification}"
        },
        Flow("card-face read") { c ->
            val r = c.readFace(FaceUnlock.CODE_A, "123456789018", cv)
            val f = r.front!!
            f.photo.data.hex() + "/" + f.nameImage.data.hex() + "/" + r.myNumberImage?.image?.data?.hex() + "/" + r.verification
        },
    )

    private val tries = Credential.entries

    private class Run(val result: Result<String>, val links: List<FakeIsoDep>, val events: List<ReaderEvent>)

    /**
     * Runs [flow] through [MynaNfcReader.session] on [device]: the first tag fails at exchange
     * [cutAt] (after the card processed the command when [afterDelivery]); each later tag is
     * presented when the reader reports the card lost, after the card lost power.
     */
    private fun run(
        device: VirtualCardDevice,
        flow: suspend (MynaCard) -> String,
        cutAt: Int?,
        afterDelivery: Boolean = false,
        resume: TagLossResume = TagLossResume(),
        cutsInARow: Int = 1,
    ): Run = runBlocking {
        val host = FakeNfcHost()
        val reader = MynaNfcReader(host, NfcSessionConfig(extendedLengthMemory = ExtendedLengthMemory()))
        val links = mutableListOf<FakeIsoDep>()
        fun newLink(cut: Boolean): FakeIsoDep {
            val link = FakeIsoDep(device)
            if (cut && cutAt != null) {
                link.fault = { i, apdu ->
                    if (i == cutAt) {
                        if (afterDelivery) device.process(apdu)
                        link.connected = false
                        TagLostIOException("Tag was lost.")
                    } else {
                        null
                    }
                }
            }
            links.add(link)
            return link
        }
        val events = java.util.Collections.synchronizedList(mutableListOf<ReaderEvent>())
        val watcher = async(start = CoroutineStart.UNDISPATCHED) {
            reader.events.first {
                events.add(it)
                if (it is ReaderEvent.CardLost) {
                    device.powerCycle()
                    host.present(newLink(cut = links.size < cutsInARow))
                }
                it is ReaderEvent.Finished
            }
        }
        val session = async { runCatching { reader.session(resume) { flow(it) } } }
        host.readerModeOn.await()
        host.present(newLink(cut = true))
        val result = withTimeout(30_000) { session.await() }
        withTimeout(5_000) { watcher.await() }
        Run(result, links.toList(), events.toList())
    }

    @Test
    fun everyFlowSurvivesALostCardAtEveryExchange() {
        for (flow in flows) {
            val clean = VirtualCardDevice("taro")
            val baseline = run(clean, flow.run, cutAt = null)
            val expected = baseline.result.getOrThrow()
            val cleanLink = baseline.links.single()
            val n = cleanLink.exchanges.size
            val verifies = cleanLink.verifiesWithValue()
            assertTrue(n > 3, "${flow.name}: $n exchanges")
            for (afterDelivery in listOf(false, true)) {
                for (cut in 0 until n) {
                    val what = "${flow.name}, link lost at exchange $cut ${if (afterDelivery) "after" else "before"} the card answered"
                    val device = VirtualCardDevice("taro")
                    val before = tries.map { device.remainingTries(it) }
                    val r = run(device, flow.run, cutAt = cut, afterDelivery = afterDelivery)
                    assertEquals(expected, r.result.getOrElse { throw AssertionError("$what: $it", it) }, what)
                    assertEquals(2, r.links.size, "$what: one resume")
                    val (first, second) = r.links
                    assertEquals(before, tries.map { device.remainingTries(it) }, "$what: no try lost")
                    // No VERIFY beyond the rules: the cut link sends at most the uncut run's, the
                    // card presented again needs each credential once more (its security state
                    // went with the power) and no more.
                    assertTrue(first.verifiesWithValue() <= verifies, "$what: VERIFYs before the loss")
                    assertTrue(second.verifiesWithValue() <= verifies, "$what: VERIFYs after the loss")
                    // The work before the loss is kept: together, the two links cost the uncut
                    // run plus the re-selection and re-verification, the cut command, and a few
                    // SELECT EFs (the core's bound, testkit/tests/resume.rs), not a restart.
                    val total = first.exchanges.size + second.exchanges.size
                    assertTrue(total <= n + 8, "$what: $total exchanges for an uncut run of $n")
                    assertEquals(1, first.closes, "$what: the lost tag is closed")
                    assertEquals(1, second.closes, "$what: the tag is closed at the end")
                    val lost = r.events.filterIsInstance<ReaderEvent.CardLost>().single()
                    assertEquals(1, lost.attempt, what)
                }
            }
        }
    }

    @Test
    fun aSpentTryIsReportedNotRetried(): Unit = runBlocking {
        // A wrong PIN, then the link drops after the card counted it: the flow run again must
        // not present the PIN again (the counter shows the try was spent).
        val device = VirtualCardDevice("taro")
        val wrong: suspend (MynaCard) -> String = { c -> c.login("9999", nonce).evidenceJson }
        // Exchanges of a login on a fresh card: the VERIFY is the first with a value; find it.
        val probe = run(VirtualCardDevice("taro"), { c -> c.login(TestCard.TARO_AUTH_PIN, nonce).evidenceJson }, cutAt = null)
        val link = probe.links.single()
        val verifyAt = link.ins().indices.first { link.ins()[it] == 0x20 && link.sizes[it] > 5 }
        val r = run(device, wrong, cutAt = verifyAt, afterDelivery = true)
        val e = r.result.exceptionOrNull()
        assertIs<MynaKitError.WrongPin>(e, "got $e")
        assertEquals(2, e.remainingTries)
        assertEquals(2, device.remainingTries(Credential.JPKI_AUTH_PIN)?.toInt())
        assertEquals(1, r.links[0].verifiesWithValue() + r.links[1].verifiesWithValue(), "one VERIFY with a value in all")
        assertEquals(1u, device.verifyAttempts())
    }

    @Test
    fun resumesAreBoundedAndCanBeTurnedOff() {
        val flow = flows.first().run
        // Off: the lost card ends the session, as before.
        val off = run(VirtualCardDevice("taro"), flow, cutAt = 4, resume = TagLossResume(maxResumes = 0))
        assertIs<MynaKitError.CardRemoved>(off.result.exceptionOrNull())
        assertEquals(1, off.links.size)
        // Lost three times with two resumes allowed: the third loss is reported.
        val bounded = run(VirtualCardDevice("taro"), flow, cutAt = 1, cutsInARow = 3)
        assertIs<MynaKitError.CardRemoved>(bounded.result.exceptionOrNull())
        assertEquals(3, bounded.links.size)
        assertEquals(listOf(1, 2), bounded.events.filterIsInstance<ReaderEvent.CardLost>().map { it.attempt })
        // Lost twice, two resumes: completes.
        val twice = run(VirtualCardDevice("taro"), flow, cutAt = 1, cutsInARow = 2)
        assertTrue(twice.result.isSuccess, "${twice.result}")
        assertIs<ReaderEvent.Finished>(twice.events.last())
    }

    @Test
    fun eventsReportStagesForAUi() {
        val r = run(VirtualCardDevice("taro"), flows.first().run, cutAt = null)
        val stages = r.events.filterIsInstance<ReaderEvent.Progress>().map { it.progress.stage }.toSet()
        assertIs<ReaderEvent.WaitingForCard>(r.events.first())
        assertEquals(ReaderEvent.Connected(0), r.events[1])
        assertTrue(stages.containsAll(listOf(jp.mynakit.Stage.READING, jp.mynakit.Stage.VERIFYING, jp.mynakit.Stage.SIGNING)), "$stages")
        assertEquals(ReaderEvent.Finished(null), r.events.last())
    }
}
