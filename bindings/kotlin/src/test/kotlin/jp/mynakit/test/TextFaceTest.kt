// 券面事項入力補助AP and 券面AP on the virtual card through the Kotlin transport: every unlock
// path, the checks, liveness, images and the decoded photo, and the typed refusals.
package jp.mynakit.test

import jp.mynakit.ApReadOptions
import jp.mynakit.CalendarDate
import jp.mynakit.CardSession
import jp.mynakit.ChallengeSource
import jp.mynakit.CheckOutcome
import jp.mynakit.Credential
import jp.mynakit.FaceUnlock
import jp.mynakit.ImageFormat
import jp.mynakit.MynaCard
import jp.mynakit.MynaException
import jp.mynakit.MynaKitError
import jp.mynakit.OffsetCheck
import jp.mynakit.Sex
import jp.mynakit.TextUnlock
import jp.mynakit.TransportException
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.virtualCardCvCaKey
import jp.mynakit.ageOn
import jp.mynakit.decodePhoto
import kotlinx.coroutines.runBlocking
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.Test

/** taro's 券面 credentials (test-vectors/cards/taro/profile.json). */
private object Taro {
    const val PIN = "1234"
    const val CODE_A = "123456789018"
    const val CODE_B = "02010220355678"
    const val BIRTH_KEY = "020102"
}

class TextFaceTest {
    /** The virtual card's CV CA key: the SDK has only the production keys built in. */
    private val virtualCv = ApReadOptions(cvCaKeys = listOf(virtualCardCvCaKey()))

    private fun taro(faults: List<Fault> = emptyList()) =
        KotlinVirtualTransport(VirtualCardDevice("taro"), faults).let { CardSession(it) to it }

    @Test
    fun textApWithThePinReadsAndVerifiesEverythingWithLiveness() {
        val (s, t) = taro()
        val r = s.textRead(TextUnlock.PIN, Taro.PIN, false, virtualCv.copy(liveness = ChallengeSource.Card))
        assertEquals(TextUnlock.PIN, r.unlockedWith)
        val n = assertNotNull(r.myNumber)
        assertEquals(Taro.CODE_A, n.myNumber)
        assertTrue(n.checkDigitValid)
        val a = assertNotNull(r.attributes)
        assertEquals("見本\u3000太郎", a.name)
        assertEquals("見本", a.surname)
        assertEquals("太郎", a.givenName)
        assertEquals("東京都千代田区見本町一丁目２番３号", a.address)
        assertEquals(CalendarDate(1990u, 1u, 2u), a.birthDate)
        assertEquals(Sex.Male, a.sex)
        assertEquals(OffsetCheck.Consistent, a.offsets)
        assertTrue(r.verification.allVerified, "${r.verification}")
        assertFalse(r.verification.anyFailed)
        val l = assertNotNull(r.liveness)
        assertTrue(l.challengeFromCard)
        assertEquals(16, l.challenge.size)
        assertTrue(l.verification.allVerified, "${l.verification}")
        // Exactly one VERIFY, and it crossed the Kotlin transport marked sensitive.
        assertEquals(1u, t.device.verifyAttempts())
        assertEquals(1, t.seen.count { it.second.sensitive })
        // A server nonce works the same way, on the same session.
        val l2 = s.textLiveness(ChallengeSource.Host("server nonce 123".toByteArray()), r.cvCertificate)
        assertFalse(l2.challengeFromCard)
        assertTrue(l2.verification.allVerified)
    }

    @Test
    fun codeAOpensTheMyNumberOnlyAndCodeBTheAttributesOnly() {
        val (s, t) = taro()
        val r = s.textRead(TextUnlock.CODE_A, Taro.CODE_A, false, virtualCv)
        assertEquals(Taro.CODE_A, r.myNumber?.myNumber)
        assertNull(r.attributes)
        val checks = r.verification.checks.associate { it.name to it.outcome }
        assertEquals(CheckOutcome.Verified, checks["My Number digest (DF31)"])
        assertIs<CheckOutcome.NotChecked>(checks["attributes digest (DF32)"])
        assertFalse(r.verification.allVerified || r.verification.anyFailed)
        // Refused locally, no APDU.
        val before = t.exchanges
        val e = assertFailsWith<MynaException.CredentialRequired> { s.textAttributes() }
        assertEquals(Credential.TEXT_PIN, e.credential)
        assertEquals(before, t.exchanges)

        val (s2, _) = taro()
        val r2 = s2.textRead(TextUnlock.CODE_B, Taro.CODE_B, false, virtualCv)
        assertNull(r2.myNumber)
        assertEquals("見本\u3000太郎", r2.attributes?.name)
        val e2 = assertFailsWith<MynaException.CredentialRequired> { s2.textMyNumber() }
        assertTrue(e2.detail.contains("does not open it"), e2.detail)
    }

    @Test
    fun granularTextReads() {
        val (s, _) = taro()
        s.textUnlock(TextUnlock.PIN, Taro.PIN, false)
        assertEquals(Taro.CODE_A, s.textMyNumber().myNumber)
        assertEquals("19900102", s.textAttributes().birthDateRaw)
        assertEquals(64, s.textIntegrityRecord().myNumberDigest.length)
        assertEquals(2048u, s.textCvCertificate().publicKey.bits)
    }

    @Test
    fun textWrongCodesReportRemainingTriesAndMalformedOnesSendNothing() {
        val (s, t) = taro()
        val e = assertFailsWith<MynaException.WrongPin> { s.textUnlock(TextUnlock.PIN, "0000", false) }
        assertEquals(Credential.TEXT_PIN, e.credential)
        assertEquals(2.toUByte(), e.remainingTries)
        val e2 = assertFailsWith<MynaException.WrongPin> { s.textUnlock(TextUnlock.CODE_B, "02010220359999", false) }
        assertEquals(Credential.TEXT_CODE_B, e2.credential)
        assertEquals(2u, t.device.verifyAttempts())
        val before = t.exchanges
        for ((how, v) in listOf(TextUnlock.CODE_A to "123456789017", TextUnlock.CODE_B to "02130220355678")) {
            val f = assertFailsWith<MynaException.InvalidCredentialFormat> { s.textRead(how, v, false, virtualCv) }
            assertTrue(!f.detail.contains(v))
        }
        assertEquals(before, t.exchanges)
    }

    @Test
    fun withoutACvCaKeyTheChecksSayNotChecked() {
        val (s, _) = taro()
        val r = s.textRead(TextUnlock.PIN, Taro.PIN, false, ApReadOptions())
        val cv = r.verification.checks.first { it.name == "CV certificate signed by the CV CA" }
        assertIs<CheckOutcome.NotChecked>(cv.outcome)
        assertFalse(r.verification.allVerified)
        assertFalse(r.verification.anyFailed)
    }

    @Test
    fun faceApWithCodeAReadsFrontImagesPhotoAndMyNumberImage() {
        val (s, _) = taro()
        val r = s.faceRead(FaceUnlock.CODE_A, Taro.CODE_A, false, virtualCv.copy(liveness = ChallengeSource.Card))
        val f = assertNotNull(r.front)
        assertEquals(CalendarDate(1990u, 1u, 2u), f.birthDate)
        assertEquals(CalendarDate(2035u, 1u, 2u), f.expiry)
        assertEquals("1", f.sexCode)
        assertEquals(ImageFormat.JP2, f.photo.format)
        for (image in listOf(f.nameImage, f.addressImage, f.securityCodeImage)) {
            assertEquals(ImageFormat.PNG, image.format)
            assertContentEquals(PNG_SIGNATURE, image.data.copyOf(8))
        }
        assertEquals(ImageFormat.PNG, r.myNumberImage?.image?.format)
        assertNull(r.age)
        // Every check of what 照合番号A opens passes; the age record is not opened by it.
        val outcomes = r.verification.checks.associate { it.name to it.outcome }
        for (name in listOf("CV certificate signed by the CV CA", "card face signature", "My Number image signature", "same card key in every record")) {
            assertEquals(CheckOutcome.Verified, outcomes[name], name)
        }
        assertIs<CheckOutcome.NotChecked>(outcomes["age record signature"])
        assertFalse(r.verification.anyFailed)
        assertTrue(assertNotNull(r.liveness).verification.allVerified)
        // The JPEG 2000 photo decodes to pixels and PNG.
        val photo = decodePhoto(f.photo.data)
        assertTrue(photo.width > 0u && photo.height > 0u)
        assertEquals(photo.width.toInt() * photo.height.toInt() * photo.channels.toInt(), photo.pixels.size)
        assertContentEquals(PNG_SIGNATURE, photo.png.copyOf(8))
        assertFailsWith<MynaException.MalformedData> { decodePhoto(byteArrayOf(1, 2, 3)) }
    }

    @Test
    fun faceApWithCodeBAndWithTheBirthKey() {
        val (s, t) = taro()
        val r = s.faceRead(FaceUnlock.CODE_B, Taro.CODE_B, false, virtualCv)
        assertNotNull(r.front)
        assertNull(r.myNumberImage)
        val before = t.exchanges
        assertFailsWith<MynaException.CredentialRequired> { s.faceMyNumberImage() }
        assertEquals(before, t.exchanges)

        val (s2, _) = taro()
        val r2 = s2.faceRead(FaceUnlock.BIRTH_KEY, Taro.BIRTH_KEY, false, virtualCv)
        val age = assertNotNull(r2.age)
        assertEquals(CalendarDate(1990u, 1u, 2u), age.birthDate)
        assertNull(r2.front)
        assertEquals(35.toUShort(), ageOn(assertNotNull(age.birthDate), CalendarDate(2026u, 1u, 1u)))
        assertEquals(36.toUShort(), ageOn(assertNotNull(age.birthDate), CalendarDate(2026u, 1u, 2u)))
        assertTrue(r2.verification.checks.any { it.name == "age record signature" && it.outcome == CheckOutcome.Verified })
        // Granular: the CV certificate is free, the front needs a code.
        assertEquals(2048u, s2.faceCvCertificate().publicKey.bits)
        assertFailsWith<MynaException.CredentialRequired> { s2.faceFront() }
        s2.faceUnlock(FaceUnlock.CODE_A, Taro.CODE_A, false)
        assertEquals("20350102", s2.faceFront().expiryRaw)
        assertEquals(ImageFormat.PNG, s2.faceMyNumberImage().image.format)
        val (s3, _) = taro()
        s3.faceUnlock(FaceUnlock.BIRTH_KEY, Taro.BIRTH_KEY, false)
        assertEquals("19900102", s3.faceAgeRecord().birthDateRaw)
    }

    @Test
    fun cardRemovedDuringAFaceReadAndDuringItsVerify() {
        // 0 SELECT 券面AP, 1 retry query, 2 VERIFY, 3.. READ BINARY of the card face.
        val (s, _) = taro(listOf(Fault(at = 5) { TransportException.CardRemoved("TagLostException") }))
        assertFailsWith<MynaException.CardRemoved> { s.faceRead(FaceUnlock.CODE_A, Taro.CODE_A, false, virtualCv) }
        val (s2, t2) = taro(listOf(Fault(at = 2, afterDelivery = true) { TransportException.CardRemoved("lost") }))
        val e = assertFailsWith<MynaException.VerifyOutcomeUnknown> { s2.faceRead(FaceUnlock.CODE_B, Taro.CODE_B, false, virtualCv) }
        assertEquals(Credential.FACE_CODE_B, e.credential)
        assertEquals(1u, t2.device.verifyAttempts())
    }

    @Test
    fun theSuspendLayerReadsBothApplications(): Unit = runBlocking {
        MynaCard.open(KotlinVirtualTransport(VirtualCardDevice("hanako"))).use { card ->
            val text = card.readText(TextUnlock.PIN, "4321", virtualCv)
            assertEquals("見本\u3000花子", text.attributes?.name)
            assertEquals("987654321093", text.myNumber?.myNumber)
            val face = card.readFace(FaceUnlock.CODE_A, "987654321093", virtualCv)
            assertFalse(face.verification.anyFailed)
            assertTrue(face.verification.checks.count { it.outcome == CheckOutcome.Verified } >= 4)
            val photo = assertNotNull(face.front).photo.decodePhoto()
            assertContentEquals(PNG_SIGNATURE, photo.png.copyOf(8))
            val e = assertFailsWith<MynaKitError.WrongPin> { card.readText(TextUnlock.CODE_B, "27040120300000", virtualCv) }
            assertEquals(Credential.TEXT_CODE_B, e.credential)
        }
    }

    private companion object {
        val PNG_SIGNATURE = byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)
    }
}
