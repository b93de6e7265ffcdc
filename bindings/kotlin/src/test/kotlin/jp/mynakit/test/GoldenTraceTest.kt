// Replays every golden trace of test-vectors/traces through a CardTransport written in Kotlin:
// the JSON Lines are parsed here, each command the SDK sends is compared with the recorded one
// (secret bytes, which the trace does not hold, excepted) and answered with the recorded
// response or link failure, and the operation's result is compared with the expected JSON.
package jp.mynakit.test

import java.io.File
import jp.mynakit.ApReadOptions
import jp.mynakit.CalendarDate
import jp.mynakit.CardImage
import jp.mynakit.CardPublicKey
import jp.mynakit.CardSession
import jp.mynakit.ChallengeSource
import jp.mynakit.CheckOutcome
import jp.mynakit.CvCertificate
import jp.mynakit.FaceUnlock
import jp.mynakit.LivenessProof
import jp.mynakit.OffsetCheck
import jp.mynakit.TextUnlock
import jp.mynakit.VerificationReport
import java.security.MessageDigest
import jp.mynakit.CardTransport
import jp.mynakit.Certificate
import jp.mynakit.Credential
import jp.mynakit.ExchangeHint
import jp.mynakit.HashAlgorithm
import jp.mynakit.JpkiKey
import jp.mynakit.MynaException
import jp.mynakit.PinPolicy
import jp.mynakit.ProtocolOptions
import jp.mynakit.RetryStatus
import jp.mynakit.Sex
import jp.mynakit.SignInput
import jp.mynakit.SignOptions
import jp.mynakit.TransportCapabilities
import jp.mynakit.TransportErrorKind
import jp.mynakit.TransportException
import jp.mynakit.TrustPolicy
import jp.mynakit.testkit.TraceReplay
import jp.mynakit.testkit.testTrustStore
import jp.mynakit.testkit.virtualCardCvCaKey
import jp.mynakit.verifySignature
import jp.mynakit.verifySignatureWithCertificate
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.Test

/** A parsed `mynakit-trace/1` file. */
class GoldenTrace(text: String) {
    val header: Map<String, Any?>
    val exchanges: List<Map<String, Any?>>

    init {
        val lines = text.lines().filter { it.isNotBlank() }.map { Json.parse(it) as Map<*, *> }
        @Suppress("UNCHECKED_CAST")
        header = lines.first() as Map<String, Any?>
        require(header["format"] == "mynakit-trace/1") { "unsupported trace format ${header["format"]}" }
        @Suppress("UNCHECKED_CAST")
        exchanges = lines.drop(1).filter { it.containsKey("i") } as List<Map<String, Any?>>
        val end = lines.last()["end"] as Map<*, *>
        require((end["exchanges"] as Long).toInt() == exchanges.size) { "truncated trace" }
        exchanges.forEachIndexed { i, e -> require((e["i"] as Long).toInt() == i) { "exchange $i out of order" } }
    }

    fun section(key: String): Map<*, *> = header[key] as Map<*, *>
}

/** Answers the SDK's commands from a golden trace; records every difference. */
class KotlinReplayTransport(private val trace: GoldenTrace) : CardTransport {
    var next = 0
        private set
    val mismatches = mutableListOf<String>()

    override fun transmit(apdu: ByteArray, hint: ExchangeHint): ByteArray {
        val i = next++
        val ex = trace.exchanges.getOrNull(i)
        if (ex == null) {
            mismatches += "exchange $i: the trace has only ${trace.exchanges.size} exchanges"
            throw TransportException.Other("replay: no recorded exchange $i")
        }
        val recorded = hexBytes(ex["cmd"] as String)
        val redacted = ex["redacted"] as Map<*, *>?
        val same = if (redacted == null) {
            apdu.contentEquals(recorded) && !hint.sensitive
        } else {
            // The real command is recorded[..offset] + <len secret bytes> + recorded[offset..].
            val off = (redacted["offset"] as Long).toInt()
            val len = (redacted["len"] as Long).toInt()
            hint.sensitive && apdu.size == recorded.size + len &&
                apdu.copyOfRange(0, off).contentEquals(recorded.copyOfRange(0, off)) &&
                apdu.copyOfRange(off + len, apdu.size).contentEquals(recorded.copyOfRange(off, recorded.size))
        }
        if (!same) {
            val shown = if (hint.sensitive) "<${apdu.size} bytes, sensitive>" else apdu.hex()
            mismatches += "exchange $i: sent $shown, trace has ${ex["cmd"]} (sensitive=${hint.sensitive})"
            throw TransportException.Other("replay: command $i differs from the trace")
        }
        val err = ex["err"] as Map<*, *>?
        if (err != null) {
            val message = err["message"] as String
            throw when (err["kind"]) {
                "card_removed" -> TransportException.CardRemoved(message)
                "timeout" -> TransportException.Timeout(message)
                "no_card" -> TransportException.NoCard(message)
                "card_reset" -> TransportException.CardReset(message)
                "cancelled" -> TransportException.Cancelled(message)
                "invalid_response" -> TransportException.InvalidResponse(message)
                else -> TransportException.Other(message)
            }
        }
        return hexBytes(ex["rsp"] as String)
    }

    override fun capabilities(): TransportCapabilities {
        val t = trace.section("transport")
        return TransportCapabilities(
            (t["max_command_len"] as Long).toUInt(),
            (t["max_response_len"] as Long).toUInt(),
            t["extended_length"] as Boolean,
        )
    }
}

/** Runs a trace's named operation on a session and summarises it as the expected JSON does. */
class OperationRunner(private val trace: GoldenTrace, private val session: CardSession) {
    private val trust = trace.section("trust").let {
        TrustPolicy(it["accept_jlis_test_cards"] as Boolean, it["accept_virtual_card"] as Boolean)
    }
    private val fixed = trace.section("fixed")
    private val checkAt = (fixed["verification_time_unix"] as Long?)?.toULong()

    /** Values of the recorded lengths: the card's answers are recorded, so any well-formed value replays. */
    private val secrets: Map<String, String> = (trace.header["secrets"] as List<*>).associate {
        val s = it as Map<*, *>
        val len = (s["len"] as Long).toInt()
        val credential = s["credential"] as String
        credential to when {
            credential == "jpki_sign_password" -> "A" + "0".repeat(len - 1)
            credential.endsWith("code_a") && len == 12 -> "000000000000" // check digit 0 is right
            credential.endsWith("code_b") && len == 14 -> "01010120300000"
            credential == "face_birth_key" && len == 6 -> "010101"
            else -> "0".repeat(len)
        }
    }

    fun run(): Map<String, Any?> {
        val op = trace.section("operation")
        val name = op["name"] as String
        val params = op["params"] as Map<*, *>
        val out = linkedMapOf<String, Any?>("format" to "mynakit-trace-result/1", "operation" to name)
        try {
            val value = value(name, params)
            out["outcome"] = "ok"
            out["value"] = value
        } catch (e: MynaException) {
            out["outcome"] = "error"
            out["error"] = errorSummary(e)
        }
        out["apdus"] = session.stats().apdus.toLong()
        return out
    }

    private fun secret(credential: String) = secrets[credential] ?: error("the trace has no $credential")

    private fun value(name: String, params: Map<*, *>): Any? = when (name) {
        "token" -> session.jpkiTokenInfo().let { mapOf("label" to it.label, "kind" to it.kind.name.lowercase()) }
        "availability" -> session.jpkiCertificateAvailability().let {
            mapOf("raw_hex" to it.raw.hex(), "signing" to it.signing, "authentication" to it.authentication)
        }
        "counters" -> mapOf(
            "auth_pin" to retries(session.retryStatus(Credential.JPKI_AUTH_PIN)),
            "sign_password" to try {
                retries(session.retryStatus(Credential.JPKI_SIGN_PASSWORD))
            } catch (_: MynaException.NotAvailable) {
                null
            },
        )
        "auth-cert" -> cert(session.jpkiAuthCertificate())
        "auth-ca" -> cert(session.jpkiAuthCaCertificate())
        "sign-ca" -> cert(session.jpkiSignCaCertificate())
        "sign-cert" -> cert(session.jpkiSignCertificate(secret("jpki_sign_password"), params["allow_last_try"] == true))
        "sign-auth", "sign-sign" -> {
            val key = if (name == "sign-auth") JpkiKey.AUTH else JpkiKey.SIGN
            val hash = hashNamed((params["hash"] as String?) ?: "sha256")
            val input = SignInput.Message(hash, hexBytes((params["message_hex"] as String?) ?: ""))
            val options = SignOptions(
                allowBelowFloor = params["allow_last_try"] == true,
                allowSha1 = hash == HashAlgorithm.SHA1,
                includeCertificate = true,
            )
            val credential = if (key == JpkiKey.AUTH) "jpki_auth_pin" else "jpki_sign_password"
            val sig = session.jpkiSign(key, secret(credential), input, options)
            mapOf(
                "key" to key.name.lowercase(),
                "hash" to sig.hash.name.lowercase(),
                "digest_info_hex" to sig.digestInfo.hex(),
                "signature_hex" to sig.signature.hex(),
                "verified_with_certificate" to runCatching { verifySignatureWithCertificate(sig) }.isSuccess,
                "certificate" to sig.certificate?.let { cert(it) },
            )
        }
        "demo" -> demo()
        "text" -> {
            val unlock = TextUnlock.valueOf(((params["unlock"] as String?) ?: "pin").uppercase())
            val report = session.textRead(unlock, secret(unlock.credentialId()), params["allow_last_try"] == true, apOptions(params))
            summarised(textReport(report))
        }
        "face" -> {
            val unlock = FaceUnlock.valueOf(((params["unlock"] as String?) ?: "code_a").uppercase())
            val report = session.faceRead(unlock, secret(unlock.credentialId()), params["allow_last_try"] == true, apOptions(params))
            summarised(faceReport(report))
        }
        else -> error("unknown operation $name")
    }

    private fun TextUnlock.credentialId() = when (this) {
        TextUnlock.PIN -> "text_pin"
        TextUnlock.CODE_A -> "text_code_a"
        TextUnlock.CODE_B -> "text_code_b"
    }

    private fun FaceUnlock.credentialId() = when (this) {
        FaceUnlock.CODE_A -> "face_code_a"
        FaceUnlock.CODE_B -> "face_code_b"
        FaceUnlock.BIRTH_KEY -> "face_birth_key"
    }

    // The CV CA keys the Rust replay uses for this trust policy (mynakit_testkit::trust::cv_trust).
    private fun apOptions(params: Map<*, *>) = ApReadOptions(
        cvCaKeys = if (trust.acceptVirtualCard) listOf(virtualCardCvCaKey()) else emptyList(),
        liveness = when (params["liveness"]) {
            "card" -> ChallengeSource.Card
            "host" -> ChallengeSource.Host(hexBytes(fixed["challenge_hex"] as String))
            else -> null
        },
    )

    private fun date(d: CalendarDate?) = d?.let { mapOf("year" to it.year.toLong(), "month" to it.month.toLong(), "day" to it.day.toLong()) }

    private fun sex(s: Sex?): Any? = when (s) {
        null -> null
        Sex.Male -> "male"
        Sex.Female -> "female"
        Sex.NotApplicable -> "not_applicable"
        Sex.NotKnown -> "not_known"
        is Sex.Other -> mapOf("other" to s.code)
    }

    private fun offsets(o: OffsetCheck) = when (o) {
        OffsetCheck.Consistent -> mapOf("result" to "consistent")
        is OffsetCheck.Inconsistent -> mapOf("result" to "inconsistent", "details" to o.details)
    }

    private fun key(k: CardPublicKey) = mapOf("bits" to k.bits.toLong(), "exponent_hex" to k.exponentHex, "modulus_hex" to k.modulusHex)

    private fun image(i: CardImage) = mapOf("format" to i.format.name.lowercase(), "data" to i.data.hex())

    private fun verification(v: VerificationReport) = mapOf(
        "checks" to v.checks.map {
            mapOf(
                "name" to it.name,
                "outcome" to when (val o = it.outcome) {
                    CheckOutcome.Verified -> mapOf("result" to "verified")
                    is CheckOutcome.Failed -> mapOf("result" to "failed", "reason" to o.reason)
                    is CheckOutcome.NotChecked -> mapOf("result" to "not_checked", "reason" to o.reason)
                },
            )
        },
    )

    private fun cv(c: CvCertificate) = mapOf(
        "issuer_key_id" to c.issuerKeyId,
        "issuer_key_label" to c.issuerKeyLabel,
        "subject_key_id" to c.subjectKeyId,
        "subject_key_label" to c.subjectKeyLabel,
        "public_key" to key(c.publicKey),
        "raw" to c.raw.hex(),
    )

    private fun liveness(l: LivenessProof?) = l?.let {
        mapOf(
            "challenge" to it.challenge.hex(),
            "challenge_from_card" to it.challengeFromCard,
            "signature" to it.signature.hex(),
            "verification" to verification(it.verification),
        )
    }

    private fun textReport(r: jp.mynakit.TextReport): Map<String, Any?> = mapOf(
        "unlocked_with" to r.unlockedWith.name.lowercase(),
        "my_number" to r.myNumber?.let {
            mapOf("my_number" to it.myNumber, "check_digit_valid" to it.checkDigitValid, "raw_hex" to it.raw.hex())
        },
        "attributes" to r.attributes?.let {
            mapOf(
                "name" to it.name,
                "surname" to it.surname,
                "given_name" to it.givenName,
                "address" to it.address,
                "birth_date_raw" to it.birthDateRaw,
                "birth_date" to date(it.birthDate),
                "sex_code" to it.sexCode,
                "sex" to sex(it.sex),
                "offsets" to offsets(it.offsets),
                "raw_hex" to it.raw.hex(),
            )
        },
        "integrity" to mapOf(
            "my_number_digest" to r.integrity.myNumberDigest,
            "attributes_digest" to r.integrity.attributesDigest,
            "signature_hex" to r.integrity.signatureHex,
        ),
        "cv_certificate" to cv(r.cvCertificate),
        "verification" to verification(r.verification),
        "liveness" to liveness(r.liveness),
    )

    private fun faceReport(r: jp.mynakit.FaceReport): Map<String, Any?> = mapOf(
        "unlocked_with" to r.unlockedWith.name.lowercase(),
        "front" to r.front?.let {
            mapOf(
                "birth_date_raw" to it.birthDateRaw,
                "birth_date" to date(it.birthDate),
                "sex_code" to it.sexCode,
                "sex" to sex(it.sex),
                "card_key" to key(it.cardKey),
                "name_image" to image(it.nameImage),
                "address_image" to image(it.addressImage),
                "photo" to image(it.photo),
                "expiry_raw" to it.expiryRaw,
                "expiry" to date(it.expiry),
                "security_code_image" to image(it.securityCodeImage),
                "offsets" to offsets(it.offsets),
            )
        },
        "my_number_image" to r.myNumberImage?.let { mapOf("image" to image(it.image), "card_key" to key(it.cardKey)) },
        "age" to r.age?.let {
            mapOf("birth_date_raw" to it.birthDateRaw, "birth_date" to date(it.birthDate), "card_key" to key(it.cardKey))
        },
        "cv_certificate" to cv(r.cvCertificate),
        "verification" to verification(r.verification),
        "liveness" to liveness(r.liveness),
    )

    /** Long hex strings (images, raw records) as `<N bytes, SHA-256 …>`, as the expected results write them. */
    private fun summarised(v: Any?): Any? = when (v) {
        is String -> if (v.length > 256 && v.all { it in "0123456789abcdefABCDEF" }) {
            val bytes = hexBytes(v)
            "<${bytes.size} bytes, SHA-256 ${MessageDigest.getInstance("SHA-256").digest(bytes).hex()}>"
        } else {
            v
        }
        is Map<*, *> -> v.entries.associate { (k, x) -> k to summarised(x) }
        is List<*> -> v.map { summarised(it) }
        else -> v
    }

    /** The same APDU sequence as `mynakit demo`. */
    private fun demo(): Map<String, Any?> {
        val challenge = hexBytes(fixed["challenge_hex"] as String)
        val token = session.jpkiTokenInfo()
        val availability = session.jpkiCertificateAvailability()
        val authRetries = session.retryStatus(Credential.JPKI_AUTH_PIN)
        val signRetries = if (availability.signing) session.retryStatus(Credential.JPKI_SIGN_PASSWORD) else null
        val auth = session.jpkiAuthCertificate()
        val authValue = cert(auth)
        val signValue = if (availability.signing && "jpki_sign_password" in secrets) {
            cert(session.jpkiSignCertificate(secret("jpki_sign_password"), false))
        } else {
            null
        }
        val input = SignInput.Message(HashAlgorithm.SHA256, challenge)
        val sig = session.jpkiSign(JpkiKey.AUTH, secret("jpki_auth_pin"), input, SignOptions())
        val verified = runCatching { verifySignature(auth.spkiDer, input, sig.signature, false) }.isSuccess
        fun chainOk(v: Map<String, Any?>) = (v["chain"] as Map<*, *>?)?.get("result") == "verified"
        val allOk = (checkAt == null || (chainOk(authValue) && (signValue == null || chainOk(signValue)))) && verified
        return mapOf(
            "token" to mapOf("label" to token.label, "kind" to token.kind.name.lowercase()),
            "certificate_availability" to mapOf(
                "raw_hex" to availability.raw.hex(),
                "signing" to availability.signing,
                "authentication" to availability.authentication,
            ),
            "auth_pin_retries" to retries(authRetries),
            "sign_password_retries" to signRetries?.let { retries(it) },
            "auth_certificate" to authValue,
            "sign_certificate" to signValue,
            "signature" to mapOf(
                "challenge_hex" to challenge.hex(),
                "signature_hex" to sig.signature.hex(),
                "verified_on_host" to verified,
            ),
            "all_checks_passed" to allOk,
        )
    }

    private fun hashNamed(n: String) = HashAlgorithm.values().first { it.name.equals(n.replace("-", ""), ignoreCase = true) }

    private fun retries(r: RetryStatus): Map<String, Any?> = when (r) {
        is RetryStatus.Remaining -> mapOf("state" to "remaining", "remaining" to r.remainingTries.toLong())
        RetryStatus.Blocked -> mapOf("state" to "blocked")
        RetryStatus.VerifiedNotReported -> mapOf("state" to "verified_not_reported")
    }

    private fun cert(c: Certificate): Map<String, Any?> {
        val chain = checkAt?.let { at ->
            try {
                mapOf("result" to "verified", "anchor" to testTrustStore(trust).verify(c, at).anchor)
            } catch (e: MynaException) {
                mapOf("result" to "failed", "reason" to e.message())
            }
        }
        val a = c.attributes
        return mapOf(
            "size" to c.der.size.toLong(),
            "sha256" to c.sha256Fingerprint,
            "serial" to c.serial,
            "subject" to c.subject,
            "issuer" to c.issuer,
            "not_before" to c.notBefore,
            "not_after" to c.notAfter,
            "public_key_bits" to c.publicKeyBits?.toLong(),
            "attributes" to a?.let {
                mapOf(
                    "name" to it.name,
                    "name_substitute" to it.nameSubstitute,
                    "sex_code" to it.sexCode,
                    "sex" to sex(it.sex),
                    "birth_date" to it.birthDate?.let { b ->
                        mapOf(
                            "raw" to b.raw,
                            "era" to b.era?.name?.lowercase(),
                            "date" to b.date?.let { d ->
                                mapOf("year" to d.year.toLong(), "month" to d.month.toLong(), "day" to d.day.toLong())
                            },
                        )
                    },
                    "address" to it.address,
                    "address_substitute" to it.addressSubstitute,
                )
            },
            "chain" to chain,
        )
    }

    private fun transportName(kind: TransportErrorKind) = kind.name.lowercase()

    private fun errorSummary(e: MynaException): Map<String, Any?> {
        val m = linkedMapOf<String, Any?>()
        when (e) {
            is MynaException.CardRemoved -> { m["kind"] = "transport"; m["transport"] = "card_removed" }
            is MynaException.Transport -> { m["kind"] = "transport"; m["transport"] = transportName(e.kind) }
            is MynaException.ForeignException -> { m["kind"] = "transport"; m["transport"] = "other" }
            is MynaException.VerifyOutcomeUnknown -> {
                m["kind"] = "verify_outcome_unknown"; m["credential"] = e.credential.name.lowercase()
                e.transportKind?.let { m["transport"] = transportName(it) }
                e.statusWord?.let { m["sw"] = "%04X".format(it.toInt()) }
            }
            is MynaException.WrongPin -> {
                m["kind"] = "wrong_pin"; m["credential"] = e.credential.name.lowercase(); m["remaining"] = e.remainingTries.toLong()
            }
            is MynaException.Blocked -> { m["kind"] = "blocked"; m["credential"] = e.credential.name.lowercase(); m["remaining"] = 0L }
            is MynaException.RetryFloor -> {
                m["kind"] = "retry_floor"; m["credential"] = e.credential.name.lowercase(); m["remaining"] = e.remainingTries?.toLong()
            }
            is MynaException.InvalidCredentialFormat -> { m["kind"] = "invalid_credential_format"; m["credential"] = e.credential.name.lowercase() }
            is MynaException.CredentialRequired -> { m["kind"] = "credential_required"; m["credential"] = e.credential.name.lowercase() }
            is MynaException.NotAvailable -> m["kind"] = "not_available"
            is MynaException.UnexpectedStatus -> { m["kind"] = "unexpected_status"; m["sw"] = "%04X".format(e.statusWord.toInt()) }
            is MynaException.MalformedResponse -> m["kind"] = "malformed_response"
            is MynaException.MalformedData -> m["kind"] = "malformed_data"
            is MynaException.InvalidCommand -> m["kind"] = "invalid_command"
            is MynaException.InvalidArgument -> m["kind"] = "invalid_argument"
            is MynaException.Verification -> m["kind"] = "verification"
            is MynaException.Trace -> m["kind"] = "trace"
            is MynaException.Internal -> m["kind"] = "other"
        }
        m["code"] = e.errorInfo().code
        m["message"] = e.message()
        return m
    }
}

/** The human-readable text of any MynaException (each variant has `detail`). */
fun MynaException.message(): String = when (this) {
    is MynaException.CardRemoved -> detail
    is MynaException.Transport -> detail
    is MynaException.ForeignException -> detail
    is MynaException.VerifyOutcomeUnknown -> detail
    is MynaException.WrongPin -> detail
    is MynaException.Blocked -> detail
    is MynaException.RetryFloor -> detail
    is MynaException.InvalidCredentialFormat -> detail
    is MynaException.CredentialRequired -> detail
    is MynaException.NotAvailable -> detail
    is MynaException.UnexpectedStatus -> detail
    is MynaException.MalformedResponse -> detail
    is MynaException.MalformedData -> detail
    is MynaException.InvalidCommand -> detail
    is MynaException.InvalidArgument -> detail
    is MynaException.Verification -> detail
    is MynaException.Trace -> detail
    is MynaException.Internal -> detail
}

/** Paths where two parsed JSON values differ. */
fun jsonDifferences(path: String, a: Any?, b: Any?, out: MutableList<String> = mutableListOf()): List<String> {
    if (a is Map<*, *> && b is Map<*, *>) {
        for (k in (a.keys + b.keys).map { it as String }.toSortedSet()) {
            val p = if (path.isEmpty()) k else "$path.$k"
            when {
                !a.containsKey(k) -> out += "$p: (absent) vs ${b[k]}"
                !b.containsKey(k) -> out += "$p: ${a[k]} vs (absent)"
                else -> jsonDifferences(p, a[k], b[k], out)
            }
        }
    } else if (a is List<*> && b is List<*> && a.size == b.size) {
        a.indices.forEach { jsonDifferences("$path[$it]", a[it], b[it], out) }
    } else if (a != b) {
        out += "${path.ifEmpty { "(root)" }}: $a vs $b"
    }
    return out
}

class GoldenTraceTest {
    private val dir: File
        get() = File(System.getProperty("mynakit.root") ?: error("-Dmynakit.root is not set"), "test-vectors/traces")

    private fun vectors(): List<Map<*, *>> {
        val index = Json.parse(File(dir, "index.json").readText()) as Map<*, *>
        assertEquals("mynakit-trace-index/1", index["format"])
        return (index["vectors"] as List<*>).map { it as Map<*, *> }
    }

    private fun session(trace: GoldenTrace, transport: CardTransport): CardSession {
        val s = CardSession(transport)
        val p = trace.section("protocol")
        s.setProtocolOptions(ProtocolOptions(p["read_by_sfi"] as Boolean, p["verify_by_sfi"] as Boolean, p["sign_key_by_sfi"] as Boolean))
        s.setPinPolicy(PinPolicy(((trace.section("pin_policy")["floor"] as Long).toInt()).toUByte()))
        return s
    }

    @Test
    fun everyGoldenTraceReplaysThroughAKotlinTransport() {
        val vectors = vectors()
        assertTrue(vectors.size >= 10, "only ${vectors.size} golden traces")
        val failures = mutableListOf<String>()
        for (v in vectors) {
            val name = v["name"] as String
            val trace = GoldenTrace(File(dir, v["trace"] as String).readText())
            val expected = Json.parse(File(dir, v["expected"] as String).readText())
            val transport = KotlinReplayTransport(trace)
            val actual = OperationRunner(trace, session(trace, transport)).run()
            val diffs = jsonDifferences("", actual, expected) + transport.mismatches
            // Scrubbed data may no longer parse, ending the session early (as in Rust's replay).
            val unused = trace.exchanges.size - transport.next
            if (unused != 0 && trace.header["scrubbed"] != true) failures += "$name: $unused recorded exchanges were not requested"
            diffs.forEach { failures += "$name: $it" }
        }
        assertTrue(failures.isEmpty(), failures.joinToString("\n"))
    }

    @Test
    fun aChangedResponseIsNoticed() {
        // The replay is able to fail: flip one byte of the certificate and the result differs.
        val v = vectors().first { it["name"] == "auth-cert" }
        val text = File(dir, v["trace"] as String).readText()
        val tampered = text.replaceFirst("\"rsp\":\"3082", "\"rsp\":\"3182")
        val trace = GoldenTrace(tampered)
        val expected = Json.parse(File(dir, v["expected"] as String).readText())
        val actual = OperationRunner(trace, session(trace, KotlinReplayTransport(trace))).run()
        assertTrue(jsonDifferences("", actual, expected).isNotEmpty())
    }

    @Test
    fun theRustReplayConstructorReplaysTheSameTraces() {
        for (name in listOf("auth-cert", "sign-auth-wrong-pin", "sign-auth-removed-during-verify")) {
            val v = vectors().first { it["name"] == name }
            val text = File(dir, v["trace"] as String).readText()
            val expected = Json.parse(File(dir, v["expected"] as String).readText())
            val replay = TraceReplay(text, true)
            val trace = GoldenTrace(text)
            val actual = OperationRunner(trace, replay.session()).run()
            assertEquals(emptyList(), jsonDifferences("", actual, expected), name)
            replay.finish()
        }
    }
}
