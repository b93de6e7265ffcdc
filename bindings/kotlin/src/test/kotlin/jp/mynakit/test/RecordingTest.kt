// Recording a flow on the device side through the bindings: the trace holds no secret, and
// replays in Rust with the same results (issue 14: recording in the SDK, on devices).
package jp.mynakit.test

import jp.mynakit.HashAlgorithm
import jp.mynakit.JpkiKey
import jp.mynakit.SignInput
import jp.mynakit.SignOptions
import jp.mynakit.TextUnlock
import jp.mynakit.testkit.RecordingOptions
import jp.mynakit.testkit.TraceRecorder
import jp.mynakit.testkit.TraceReplay
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.replayTraceOperation
import jp.mynakit.testkit.secretEncodingsIn
import java.io.File
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.Test

class RecordingTest {
    private fun recorder(options: RecordingOptions): Pair<TraceRecorder, KotlinVirtualTransport> {
        // The recorder wraps a transport written in Kotlin, as an app wraps its IsoDep one.
        val t = KotlinVirtualTransport(VirtualCardDevice("taro"))
        return TraceRecorder(t, options) to t
    }

    @Test
    fun aRecordedSessionReplaysInRustWithTheSameResultsAndHoldsNoSecret() {
        val (r, t) = recorder(
            RecordingOptions(
                card = "android-nfc",
                device = mapOf("model" to "JVM test", "os" to System.getProperty("os.name")),
                recordedBy = "RecordingTest",
            ),
        )
        val s = r.session()
        val cert = s.jpkiAuthCertificate()
        val input = SignInput.Message(HashAlgorithm.SHA256, "nonce from the bank".toByteArray())
        val sig = s.jpkiSign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, input, SignOptions())
        assertEquals(t.exchanges.toUInt(), r.exchangeCount())

        val text = r.traceJsonl(false)
        assertTrue(text.contains("\"model\":\"JVM test\""), "device facts are in the header")
        assertTrue(text.contains("\"clock\":\"wall\""), "timing comes from the device's clock")
        // The PIN in no encoding; the same search finds text that IS there (positive control).
        assertEquals(emptyList(), secretEncodingsIn(text, TestCard.TARO_AUTH_PIN))
        assertTrue(secretEncodingsIn(text, cert.subjectCommonName!!).isNotEmpty())

        // Replayed in Rust: the same calls, the same answers, the whole trace used.
        val replay = TraceReplay(text, true)
        val rs = replay.session()
        assertContentEquals(cert.der, rs.jpkiAuthCertificate().der)
        // The trace never held the PIN: any value of the recorded length replays.
        val again = rs.jpkiSign(JpkiKey.AUTH, "0000", input, SignOptions())
        assertContentEquals(sig.signature, again.signature)
        replay.finish()
    }

    @Test
    fun aNamedOperationReplaysWithReplayTraceOperation() {
        val (r, _) = recorder(RecordingOptions(card = "android-nfc", operation = "auth-cert"))
        val cert = r.session().jpkiAuthCertificate()
        val outcome = replayTraceOperation(r.traceJsonl(false), true)
        assertTrue(outcome.contains("\"outcome\": \"ok\""), outcome)
        assertTrue(outcome.contains(cert.sha256Fingerprint.uppercase()), outcome)
    }

    @Test
    fun scrubbedExportHasNoPersonalDataAndIsWrittenWhereTheAppSays() {
        val (r, _) = recorder(RecordingOptions(card = "android-nfc"))
        val s = r.session()
        s.textUnlock(TextUnlock.PIN, TestCard.TARO_AUTH_PIN, false)
        assertEquals("123456789018", s.textMyNumber().myNumber)
        // taro's My Number as the card sends it (ASCII), in the trace's hex.
        val hex = "123456789018".toByteArray().joinToString("") { "%02X".format(it) }
        assertTrue(r.traceJsonl(false).uppercase().contains(hex))
        val file = File.createTempFile("mynakit-recording", ".jsonl")
        try {
            val n = r.writeTo(file.path, true)
            val written = file.readText()
            assertEquals(n, file.length().toULong())
            assertTrue(written.contains("\"scrubbed\":true"))
            assertFalse(written.uppercase().contains(hex), "scrubbed: no My Number")
        } finally {
            file.delete()
        }
    }
}
