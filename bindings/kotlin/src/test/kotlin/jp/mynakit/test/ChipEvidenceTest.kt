// The ヘ (chip_read) and 対面 (face_to_face) evidence calls through the Kotlin layer, over a
// transport written in Kotlin: the bundle is byte for byte the golden bundle the server's
// tests verify (test-vectors/evidence, made by the Rust builders with nonce 00..1F and the
// same credentials), the records handed to the app come with it, and a bad request costs
// no APDU.
package jp.mynakit.test

import jp.mynakit.ApReadOptions
import jp.mynakit.FaceUnlock
import jp.mynakit.MynaCard
import jp.mynakit.MynaKitError
import jp.mynakit.TextUnlock
import jp.mynakit.decodePhoto
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.virtualCardCvCaKey
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.junit.Test

class ChipEvidenceTest {
    private val nonce = ByteArray(32) { it.toByte() }
    private val virtualCv = ApReadOptions(cvCaKeys = listOf(virtualCardCvCaKey()))

    /** taro's 照合番号B: born 平成2年1月2日 (020102), expiry 2035, security code 5678. */
    private val codeB = "02010220355678"

    private fun golden(name: String) = String(testVector("evidence/$name"), Charsets.UTF_8)

    @Test
    fun chipReadIsTheGoldenBundle(): Unit = runBlocking {
        val t = KotlinVirtualTransport(VirtualCardDevice("taro"))
        MynaCard.open(t).use { card ->
            val e = card.chipReadEvidence(
                nonce,
                textUnlock = TextUnlock.PIN,
                textValue = "1234",
                faceUnlock = FaceUnlock.CODE_B,
                faceValue = codeB,
                options = virtualCv,
            )
            assertEquals(golden("chip_read.json"), e.evidenceJson + "\n")
            assertEquals(true, e.phoneVerified)
            assertEquals(2u, t.device.verifyAttempts())
            assertEquals("見本\u3000太郎", assertNotNull(e.attributes).name)
            val photo = assertNotNull(e.front).photo.decodePhoto()
            assertTrue(photo.width > 0u && photo.png.isNotEmpty())
        }
    }

    @Test
    fun faceToFaceIsTheGoldenBundle(): Unit = runBlocking {
        val t = KotlinVirtualTransport(VirtualCardDevice("taro"))
        MynaCard.open(t).use { card ->
            val e = card.faceToFaceEvidence(nonce, FaceUnlock.CODE_B, codeB, virtualCv)
            assertEquals(golden("face_to_face.json"), e.evidenceJson + "\n")
            assertEquals(true, e.phoneVerified)
            assertNull(e.attributes)
            assertNotNull(e.front)
        }
    }

    @Test
    fun withoutTheCvCaKeyThePhoneDoesNotSayVerified(): Unit = runBlocking {
        val t = KotlinVirtualTransport(VirtualCardDevice("taro"))
        MynaCard.open(t).use { card ->
            val e = card.faceToFaceEvidence(nonce, FaceUnlock.CODE_B, codeB)
            assertEquals(false, e.phoneVerified)
            val r = card.readFace(FaceUnlock.CODE_B, codeB)
            assertEquals(false, r.verification.anyFailed)
            assertEquals(false, r.verification.cvChained)
        }
    }

    @Test
    fun badRequestsCostNoApdu(): Unit = runBlocking {
        val t = KotlinVirtualTransport(VirtualCardDevice("taro"))
        MynaCard.open(t).use { card ->
            assertFailsWith<MynaKitError.Usage> { card.chipReadEvidence(nonce, options = virtualCv) }
            assertFailsWith<MynaKitError.Usage> {
                card.chipReadEvidence(ByteArray(8), faceUnlock = FaceUnlock.CODE_B, faceValue = codeB)
            }
            assertFailsWith<MynaKitError.InvalidFormat> {
                card.chipReadEvidence(nonce, textUnlock = TextUnlock.CODE_B, textValue = "12")
            }
            assertFailsWith<MynaKitError.Usage> { card.chipReadEvidence(nonce, textUnlock = TextUnlock.PIN) }
            assertEquals(0, t.exchanges)
        }
    }
}
