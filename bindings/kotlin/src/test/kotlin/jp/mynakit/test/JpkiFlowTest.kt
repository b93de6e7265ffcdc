// Every JPKI-AP operation on the virtual card through a transport written in Kotlin.
package jp.mynakit.test

import jp.mynakit.AnchorSet
import jp.mynakit.CardSession
import jp.mynakit.CardTransport
import jp.mynakit.Credential
import jp.mynakit.Era
import jp.mynakit.HashAlgorithm
import jp.mynakit.JpkiKey
import jp.mynakit.MynaException
import jp.mynakit.ProgressListener
import jp.mynakit.ReadProgress
import jp.mynakit.RetryStatus
import jp.mynakit.Sex
import jp.mynakit.SignInput
import jp.mynakit.SignOptions
import jp.mynakit.TokenKind
import jp.mynakit.TrustPolicy
import jp.mynakit.TrustStore
import jp.mynakit.extendedApduCapabilities
import jp.mynakit.mynakitVersion
import jp.mynakit.parseCertificate
import jp.mynakit.verifySignature
import jp.mynakit.verifySignatureWithCertificate
import jp.mynakit.testkit.VirtualCardDevice
import jp.mynakit.testkit.VirtualCardOptions
import jp.mynakit.testkit.testTrustStore
import jp.mynakit.testkit.virtualCardProfiles
import jp.mynakit.testkit.virtualCardSession
import java.security.MessageDigest
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.Test

class JpkiFlowTest {
    private val virtualRoots = TrustPolicy(acceptJlisTestCards = false, acceptVirtualCard = true)

    private fun taro(options: VirtualCardOptions = VirtualCardOptions()): Pair<CardSession, KotlinVirtualTransport> {
        val t = KotlinVirtualTransport(VirtualCardDevice.withOptions("taro", options))
        return CardSession(t) to t
    }

    @Test
    fun tokenInfoAndCertificateAvailability() {
        val (s, t) = taro()
        val token = s.jpkiTokenInfo()
        assertEquals("JPKIAPICCTOKEN2", token.label)
        assertEquals(TokenKind.MY_NUMBER_CARD, token.kind)
        val a = s.jpkiCertificateAvailability()
        assertTrue(a.signing && a.authentication)
        assertContentEquals(byteArrayOf(0x8F.toByte(), 0x8F.toByte(), 0x00), a.raw)
        // SELECT + one READ BINARY each, and every one crossed the Kotlin transport.
        assertEquals(3u, s.stats().apdus)
        assertEquals(3, t.exchanges)
        assertEquals(3u, t.device.commandsReceived())
    }

    @Test
    fun authCertificateMatchesTheCardFileAndChainsToTheTestRoot() {
        val (s, t) = taro()
        val cert = s.jpkiAuthCertificate()
        val expected = testVector("cards/taro/auth-cert.der")
        assertContentEquals(expected, cert.der)
        assertEquals(1 + (expected.size + 255) / 256, t.exchanges)
        assertEquals(23, cert.subjectCommonName?.length)
        assertTrue("digital_signature" in cert.keyUsage)
        assertEquals(2048u, cert.publicKeyBits)
        assertEquals(null, cert.attributes)
        val sha = MessageDigest.getInstance("SHA-256").digest(expected)
        assertEquals(sha.joinToString("") { "%02X".format(it) }, cert.sha256Fingerprint)

        val chain = testTrustStore(virtualRoots).verify(cert, TestCard.VALID_AT)
        assertEquals(AnchorSet.VIRTUAL_CARD, chain.anchorSet)
        assertTrue(chain.anchor.contains("virtual card"), chain.anchor)
        // The testkit's store under the production policy: the root is known but refused.
        val e = assertFailsWith<MynaException.Verification> {
            testTrustStore(TrustPolicy()).verify(cert, TestCard.VALID_AT)
        }
        assertTrue(e.detail.contains("does not accept"), e.detail)
        // The SDK's own store has no test roots at all, whatever the policy says.
        for (store in listOf(TrustStore.production(), TrustStore(virtualRoots))) {
            val p = assertFailsWith<MynaException.Verification> { store.verify(cert, TestCard.VALID_AT) }
            assertTrue(p.detail.contains("no known root"), p.detail)
        }
        // Outside the validity period.
        assertFailsWith<MynaException.Verification> { testTrustStore(virtualRoots).verify(cert, 1_000u) }
        // The same DER parsed on its own gives the same record.
        val parsed = parseCertificate(cert.der)
        assertEquals(cert.sha256Fingerprint, parsed.sha256Fingerprint)
        assertEquals(cert.subject, parsed.subject)
        assertContentEquals(cert.spkiDer, parsed.spkiDer)
    }

    @Test
    fun caCertificatesAreTheTestRoots() {
        val (s, _) = taro()
        val auth = s.jpkiAuthCaCertificate()
        val sign = s.jpkiSignCaCertificate()
        assertContentEquals(testVector("pki/jpki-test-auth-root.der"), auth.der)
        assertContentEquals(testVector("pki/jpki-test-sign-root.der"), sign.der)
        assertTrue(auth.isCa && sign.isCa)
    }

    @Test
    fun signingCertificateNeedsThePasswordAndCarriesTheFourAttributes() {
        val (s, t) = taro()
        val e = assertFailsWith<MynaException.CredentialRequired> { s.jpkiSignCertificateVerified() }
        assertEquals(Credential.JPKI_SIGN_PASSWORD, e.credential)
        // Lower case is accepted: the password is upper-cased before VERIFY.
        val cert = s.jpkiSignCertificate("abc123", false)
        assertContentEquals(testVector("cards/taro/sign-cert.der"), cert.der)
        val a = assertNotNull(cert.attributes)
        assertEquals("見本　太郎", a.name)
        assertEquals("東京都千代田区見本町一丁目２番３号", a.address)
        assertEquals(Sex.Male, a.sex)
        assertEquals("419900102", a.birthDate?.raw)
        assertEquals(Era.HEISEI, a.birthDate?.era)
        assertEquals(1990.toUShort(), a.birthDate?.date?.year)
        assertEquals(1.toUByte(), a.birthDate?.date?.month)
        assertEquals(2.toUByte(), a.birthDate?.date?.day)
        assertTrue("non_repudiation" in cert.keyUsage)
        testTrustStore(virtualRoots).verify(cert, TestCard.VALID_AT)
        assertEquals(1u, t.device.verifyAttempts())
        // Verified in this session: no second VERIFY.
        s.jpkiSignCertificate(TestCard.TARO_SIGN_PASSWORD, false)
        assertEquals(1u, t.device.verifyAttempts())
        assertTrue(s.isVerified(Credential.JPKI_SIGN_PASSWORD))
        s.jpkiSignCertificateVerified()
    }

    @Test
    fun retryCountersDoNotConsumeTries() {
        val (s, t) = taro()
        repeat(3) {
            assertEquals(RetryStatus.Remaining(3u), s.retryStatus(Credential.JPKI_AUTH_PIN))
            assertEquals(RetryStatus.Remaining(5u), s.retryStatus(Credential.JPKI_SIGN_PASSWORD))
        }
        assertEquals(0u, t.device.verifyAttempts())
    }

    @Test
    fun signWithBothKeysAndEveryHashThenVerifyOnTheHost() {
        val (s, t) = taro()
        val withCert = SignOptions(includeCertificate = true)
        for (hash in listOf(HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512)) {
            val input = SignInput.Message(hash, "eKYC challenge".toByteArray())
            val sig = s.jpkiSign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, input, withCert)
            assertEquals(256, sig.signature.size)
            verifySignatureWithCertificate(sig)
            val spki = assertNotNull(sig.certificate).spkiDer
            verifySignature(spki, input, sig.signature, false)
            assertFailsWith<MynaException.Verification> {
                verifySignature(spki, SignInput.Message(hash, "other".toByteArray()), sig.signature, false)
            }
        }
        // Message and precomputed digest give the same PKCS#1 v1.5 signature.
        val digest = MessageDigest.getInstance("SHA-256").digest("doc".toByteArray())
        val a = s.jpkiSign(JpkiKey.SIGN, TestCard.TARO_SIGN_PASSWORD, SignInput.Message(HashAlgorithm.SHA256, "doc".toByteArray()), withCert)
        val b = s.jpkiSign(JpkiKey.SIGN, TestCard.TARO_SIGN_PASSWORD, SignInput.Digest(HashAlgorithm.SHA256, digest), SignOptions())
        assertContentEquals(a.signature, b.signature)
        verifySignatureWithCertificate(a)
        assertNotNull(a.certificate?.attributes)
        // One VERIFY per credential in the session.
        assertEquals(2u, t.device.verifyAttempts())
        // Hints: signing is slow, VERIFY with a value is sensitive, nothing else is either.
        for ((header, hint) in t.seen) {
            val ins = header[1].toInt() and 0xFF
            assertEquals(ins == 0x2A, hint.slow, "slow hint for INS %02X".format(ins))
            if (hint.sensitive) assertEquals(0x20, ins)
        }
        assertTrue(t.seen.any { it.second.sensitive })
    }

    @Test
    fun sha1OnlyOnRequest() {
        val (s, t) = taro()
        val input = SignInput.Message(HashAlgorithm.SHA1, "legacy".toByteArray())
        assertFailsWith<MynaException.InvalidArgument> {
            s.jpkiSign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, input, SignOptions())
        }
        assertEquals(0, t.exchanges)
        val sig = s.jpkiSign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, input, SignOptions(allowSha1 = true, includeCertificate = true))
        verifySignatureWithCertificate(sig)
    }

    @Test
    fun extendedLengthReadsTheCertificateInOneCommand() {
        val (s, t) = taro(VirtualCardOptions(capabilities = extendedApduCapabilities(65_544u)))
        assertTrue(s.capabilities().extendedLength)
        assertContentEquals(testVector("cards/taro/auth-cert.der"), s.jpkiAuthCertificate().der)
        assertEquals(2, t.exchanges)
    }

    @Test
    fun getResponseChainingIsHandledInTheCore() {
        val (s, t) = taro(VirtualCardOptions(responseChunk = 100u))
        assertContentEquals(testVector("cards/taro/auth-cert.der"), s.jpkiAuthCertificate().der)
        assertTrue(t.instructions().count { it == 0xC0 } > 0, "GET RESPONSE was sent")
    }

    @Test
    fun progressListenerWrittenInKotlinSeesEveryChunk() {
        val (s, _) = taro()
        val seen = mutableListOf<ReadProgress>()
        s.setProgressListener(object : ProgressListener {
            override fun onProgress(progress: ReadProgress) {
                seen.add(progress)
            }
        })
        val cert = s.jpkiAuthCertificate()
        assertEquals((cert.der.size + 255) / 256, seen.size)
        assertTrue(seen.zipWithNext().all { (a, b) -> a.done < b.done })
        assertEquals(cert.der.size.toULong(), seen.last().done)
        assertEquals(cert.der.size.toULong(), seen.last().total)
        s.setProgressListener(null)
        s.forgetState()
        s.jpkiAuthCertificate()
        assertEquals((cert.der.size + 255) / 256, seen.size)
    }

    @Test
    fun cardWithoutSigningCertificate() {
        val t = KotlinVirtualTransport(VirtualCardDevice("hanako"))
        val s = CardSession(t)
        assertFalse(s.jpkiCertificateAvailability().signing)
        assertFailsWith<MynaException.NotAvailable> { s.jpkiSignCertificate(TestCard.TARO_SIGN_PASSWORD, false) }
        assertFailsWith<MynaException.NotAvailable> { s.retryStatus(Credential.JPKI_SIGN_PASSWORD) }
        assertEquals(0u, t.device.verifyAttempts())
        val sig = s.jpkiSign(JpkiKey.AUTH, TestCard.HANAKO_AUTH_PIN, SignInput.Message(HashAlgorithm.SHA256, "hi".toByteArray()), SignOptions(includeCertificate = true))
        verifySignatureWithCertificate(sig)
    }

    @Test
    fun smartphoneTokenWantsThePinForTheAuthCertificate() {
        val (s, _) = taro(VirtualCardOptions(tokenLabel = "JPKIAPGPSETOKEN"))
        assertEquals(TokenKind.ANDROID_PHONE, s.jpkiTokenInfo().kind)
        val e = assertFailsWith<MynaException.CredentialRequired> { s.jpkiAuthCertificate() }
        assertEquals(Credential.JPKI_AUTH_PIN, e.credential)
        s.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false)
        s.jpkiAuthCertificate()
    }

    @Test
    fun virtualCardConstructorsWithoutATransportOfOurOwn() {
        assertEquals(listOf("taro", "hanako"), virtualCardProfiles())
        assertTrue(mynakitVersion().isNotEmpty())
        val s = virtualCardSession("taro")
        assertContentEquals(testVector("cards/taro/auth-cert.der"), s.jpkiAuthCertificate().der)
        assertEquals(8, s.getChallenge(8u).size)
        // The device's own Rust transport, shared with the test.
        val device = VirtualCardDevice("taro")
        val transport: CardTransport = device.asTransport()
        val s2 = CardSession(transport)
        s2.verify(Credential.JPKI_AUTH_PIN, TestCard.TARO_AUTH_PIN, false)
        assertEquals(1u, device.verifyAttempts())
        assertFailsWith<MynaException.InvalidArgument> { virtualCardSession("nobody") }
    }

    @Test
    fun protocolOptionsWithoutShortEfIdentifiers() {
        val (s, t) = taro()
        s.setProtocolOptions(s.protocolOptions().copy(readBySfi = false, verifyBySfi = false))
        val cert = s.jpkiAuthCertificate()
        assertEquals(2 + (cert.der.size + 255) / 256, t.exchanges)
        val sig = s.jpkiSign(JpkiKey.AUTH, TestCard.TARO_AUTH_PIN, SignInput.Message(HashAlgorithm.SHA256, "x".toByteArray()), SignOptions(includeCertificate = true))
        verifySignatureWithCertificate(sig)
    }
}
