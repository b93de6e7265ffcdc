// The idiomatic Kotlin layer over the generated bindings (mynakit.kt): suspend functions that
// run the blocking card calls on an I/O dispatcher, Int instead of unsigned counts, and a
// sealed error hierarchy grouped by the core's error layers (link, PIN, card status, data, …),
// with each error's stable code and its Japanese and English user messages from the core.
package jp.mynakit

import java.util.Locale
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Every error of [MynaCard], as a sealed hierarchy an app can `when` over, grouped by the
 * core's error layer ([layer], which [from] reads from the FFI to choose the group):
 *
 * | layer | group | classes |
 * |---|---|---|
 * | `TRANSPORT` | [Link] | [CardRemoved], [TransportFailure], [ForeignTransportFailure], [ConnectFailed], [NfcUnavailable] |
 * | `CREDENTIAL` | [Pin] | [WrongPin], [Blocked], [RetryFloor], [InvalidFormat], [CredentialRequired], [VerifyOutcomeUnknown] |
 * | `CARD_STATUS` | [CardStatus] | [CardRefused], [NotAvailable] |
 * | `DATA` | [BadCardData] | |
 * | `USAGE` | [Usage] | |
 * | `VERIFICATION` | [VerificationFailed] | |
 * | `TRACE` | [Trace] | |
 * | `INTERNAL` | [Internal] | |
 *
 * Every error has a stable [code] (`MK-CRED-WRONG`; codes never change meaning, see
 * docs/errors.md) and a message for the app's user in Japanese and English ([messageJa],
 * [messageEn], [userMessage]), all from the core. [message] is the technical detail
 * (English, for logs). [cause] is the generated [MynaException] it was made from. No text
 * ever contains a PIN, password or 照合番号.
 */
sealed class MynaKitError(message: String, cause: Throwable?) : Exception(message, cause) {

    /** Layer, code, user messages and technical detail, from the core. */
    val info: ErrorInfo by lazy { (cause as? MynaException)?.errorInfo() ?: ownInfo() }

    /** The layer (transport, credential, card status, …). */
    val layer: ErrorLayer get() = info.layer

    /** The stable code, e.g. `MK-CRED-WRONG`: show it with the message, log it. */
    val code: String get() = info.code

    /** The message for the app's user in Japanese, e.g. `利用者証明用暗証番号が違います。残り2回です。` */
    val messageJa: String get() = info.messageJa

    /** The message for the app's user in English. */
    val messageEn: String get() = info.messageEn

    /** The user message in [locale]'s language: Japanese for `ja`, English otherwise. */
    fun userMessage(locale: Locale = Locale.getDefault()): String =
        if (locale.language == "ja") info.messageJa else info.messageEn

    /** The information of an error made by this layer rather than by a MynaKit call. */
    protected open fun ownInfo(): ErrorInfo = MynaException.Internal(message.orEmpty()).errorInfo()

    /** Layer `CREDENTIAL`: the app must tell the user or change what it asks. */
    sealed class Pin(message: String, cause: Throwable?, val credential: Credential) :
        MynaKitError(message, cause)

    /** The card rejected the value; [remainingTries] left (0: this attempt blocked it). */
    class WrongPin(credential: Credential, val remainingTries: Int, message: String, cause: Throwable?) :
        Pin(message, cause, credential)

    /** The credential is blocked on the card (only the municipal office can unblock it). */
    class Blocked(credential: Credential, message: String, cause: Throwable?) : Pin(message, cause, credential)

    /**
     * Refused locally: [remainingTries] ≤ [floor], or `null` when the card did not report the
     * count (it answered 9000 without this session having verified the credential); no VERIFY
     * was sent.
     */
    class RetryFloor(credential: Credential, val remainingTries: Int?, val floor: Int, message: String, cause: Throwable?) :
        Pin(message, cause, credential)

    /** Refused locally: the value does not have the credential's format; no APDU was sent. */
    class InvalidFormat(credential: Credential, message: String, cause: Throwable?) : Pin(message, cause, credential)

    /** The card wants [credential] verified before it gives out [what]. */
    class CredentialRequired(credential: Credential, val what: String, message: String, cause: Throwable?) :
        Pin(message, cause, credential)

    /**
     * The link failed during a VERIFY ([transportKind]), or the card answered it with a status
     * word that settles nothing ([statusWord]): the card may have counted the attempt. Read the
     * retry counter ([MynaCard.retryStatus]) before presenting anything again; never retry
     * blindly.
     */
    class VerifyOutcomeUnknown(
        credential: Credential,
        val transportKind: TransportErrorKind?,
        val statusWord: Int?,
        message: String,
        cause: Throwable?,
    ) :
        Pin(message, cause, credential)

    /** Layer `TRANSPORT`: the link to the card failed outside a VERIFY; the next call starts over. */
    sealed class Link(message: String, cause: Throwable?) : MynaKitError(message, cause)

    /** The card left the field (Android `TagLostException`). Ask the user to hold it again. */
    class CardRemoved(message: String, cause: Throwable?) : Link(message, cause)

    /** Another link failure ([kind]: timeout, cancelled, …). */
    class TransportFailure(val kind: TransportErrorKind, message: String, cause: Throwable?) : Link(message, cause)

    /** The app's transport threw an exception of an undeclared type (a bug in the transport). */
    class ForeignTransportFailure(message: String, cause: Throwable?) : Link(message, cause)

    /**
     * The tag was found but could not be connected (it left the field during discovery, or the
     * `Tag` is out of date). Nothing was sent to the card: ask the user to hold it again (the
     * code and messages are those of a removed card).
     */
    class ConnectFailed(message: String, cause: Throwable?) : Link(message, cause) {
        override fun ownInfo(): ErrorInfo = MynaException.CardRemoved(message.orEmpty()).errorInfo()
    }

    /** The device has no NFC or it is switched off ([availability]); nothing was started. */
    class NfcUnavailable(val availability: NfcAvailability, message: String, cause: Throwable?) :
        Link(message, cause) {
        override fun ownInfo(): ErrorInfo =
            errorInfoForCode(NFC_UNAVAILABLE, message.orEmpty()) ?: super.ownInfo()
    }

    /** Layer `CARD_STATUS`: the card refused or does not hold what was asked for. */
    sealed class CardStatus(message: String, cause: Throwable?) : MynaKitError(message, cause)

    /** The card does not have [what] (an application, file or key). */
    class NotAvailable(val what: String, message: String, cause: Throwable?) : CardStatus(message, cause)

    /** The card answered [command] with an unexpected [statusWord]. */
    class CardRefused(val command: String, val statusWord: Int, message: String, cause: Throwable?) :
        CardStatus(message, cause)

    /** Layer `DATA`: the card's answer or data could not be understood. */
    class BadCardData(message: String, cause: Throwable?) : MynaKitError(message, cause)

    /** Layer `VERIFICATION`: a certificate, signature or integrity check failed. */
    class VerificationFailed(message: String, cause: Throwable?) : MynaKitError(message, cause)

    /** Layer `USAGE`: the caller passed something unusable (or a command cannot be built for the transport). */
    class Usage(message: String, cause: Throwable?) : MynaKitError(message, cause)

    /** Layer `TRACE`: a trace could not be read or replayed. */
    class Trace(message: String, cause: Throwable?) : MynaKitError(message, cause)

    /** Layer `INTERNAL`, or an error of a known layer this class set has no class for. */
    class Internal(message: String, cause: Throwable?) : MynaKitError(message, cause)

    companion object {
        /** The core's code of [NfcUnavailable]. */
        private const val NFC_UNAVAILABLE = "MK-LINK-NFC-UNAVAILABLE"

        /**
         * Maps a generated exception to the hierarchy: the layer the FFI reports chooses the
         * group; within a group the exception's type chooses the class and its typed fields.
         */
        fun from(e: MynaException): MynaKitError {
            val info = e.errorInfo()
            val detail = info.detail
            return when (info.layer) {
                ErrorLayer.TRANSPORT -> when (e) {
                    is MynaException.CardRemoved -> CardRemoved(detail, e)
                    is MynaException.ForeignException -> ForeignTransportFailure(detail, e)
                    is MynaException.Transport ->
                        if (e.kind == TransportErrorKind.FOREIGN_EXCEPTION) {
                            ForeignTransportFailure(detail, e)
                        } else {
                            TransportFailure(e.kind, detail, e)
                        }
                    else -> Internal(detail, e)
                }
                ErrorLayer.CREDENTIAL -> when (e) {
                    is MynaException.WrongPin -> WrongPin(e.credential, e.remainingTries.toInt(), detail, e)
                    is MynaException.Blocked -> Blocked(e.credential, detail, e)
                    is MynaException.RetryFloor ->
                        RetryFloor(e.credential, e.remainingTries?.toInt(), e.floor.toInt(), detail, e)
                    is MynaException.InvalidCredentialFormat -> InvalidFormat(e.credential, detail, e)
                    is MynaException.CredentialRequired -> CredentialRequired(e.credential, e.what, detail, e)
                    is MynaException.VerifyOutcomeUnknown ->
                        VerifyOutcomeUnknown(e.credential, e.transportKind, e.statusWord?.toInt(), detail, e)
                    else -> Internal(detail, e)
                }
                ErrorLayer.CARD_STATUS -> when (e) {
                    is MynaException.NotAvailable -> NotAvailable(e.what, detail, e)
                    is MynaException.UnexpectedStatus -> CardRefused(e.command, e.statusWord.toInt(), detail, e)
                    else -> Internal(detail, e)
                }
                ErrorLayer.DATA -> BadCardData(detail, e)
                ErrorLayer.USAGE -> Usage(detail, e)
                ErrorLayer.VERIFICATION -> VerificationFailed(detail, e)
                ErrorLayer.TRACE -> Trace(detail, e)
                ErrorLayer.INTERNAL -> Internal(detail, e)
            }
        }
    }
}

/** A retry counter as an app shows it. */
sealed class Retries {
    /** [remaining] tries left. */
    data class Remaining(val remaining: Int) : Retries()

    /** Blocked. */
    object Blocked : Retries()

    /** Verified in this session; the card does not report the count then. */
    object VerifiedNotReported : Retries()
}

/**
 * One card session with suspend functions. Each call runs the blocking card exchange on
 * [dispatcher] (default [Dispatchers.IO]); cancelling the coroutine does not interrupt an
 * exchange already on the wire (the card would not know), it only drops the result.
 *
 * PINs and passwords are taken as `String`: MynaKit wipes its own copy when the call
 * returns, but the JVM's copies (this String and the encoding buffer the generated code
 * makes) cannot be wiped by MynaKit. Do not keep them longer than needed.
 *
 * Close it (or use `use {}`) to release the native session.
 */
class MynaCard(
    /** The generated session, for anything this layer does not wrap. */
    val session: CardSession,
    private val dispatcher: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {

    companion object {
        /** A session over the app's transport (for example [jp.mynakit.android.IsoDepTransport]). */
        fun open(transport: CardTransport, dispatcher: CoroutineDispatcher = Dispatchers.IO): MynaCard =
            MynaCard(call { CardSession(transport) }, dispatcher)

        private inline fun <T> call(block: () -> T): T =
            try {
                block()
            } catch (e: MynaException) {
                throw MynaKitError.from(e)
            }
    }

    private suspend fun <T> io(block: () -> T): T = withContext(dispatcher) { call(block) }

    /** Calls [listener] after each chunk of a file read (on the I/O thread). */
    fun setProgressListener(listener: ((ReadProgress) -> Unit)?) {
        call {
            session.setProgressListener(
                listener?.let { l ->
                    object : ProgressListener {
                        override fun onProgress(progress: ReadProgress) = l(progress)
                    }
                },
            )
        }
    }

    /**
     * Whether the session keeps what it read so that it can continue after a lost card
     * ([resume]); kept data is zeroized when the session closes or on [forgetKeptData].
     * [MynaNfcReader.session] turns it on. Off by default.
     */
    var resumable: Boolean = false
        set(value) {
            call { session.setResumable(value) }
            field = value
        }

    /**
     * Continues this session over [transport] after the card was lost mid-flow (the user
     * presented it again). Then run the same flow again: files already read are not read
     * again, a cut read continues at its offset, credentials are presented again under the
     * usual policy, and a VERIFY whose outcome was unknown is re-sent only if the card's
     * counter shows no try was spent (otherwise [MynaKitError.WrongPin]).
     */
    suspend fun resume(transport: CardTransport) = io { session.resume(transport) }

    /** Drops (and zeroizes) the files a resumable session kept. */
    fun forgetKeptData() = call { session.forgetKeptData() }

    /** APDU and byte counts since the session opened. */
    fun stats(): SessionStats = call { session.stats() }

    /** The PIN-safety floor (default 1: the last try is protected). */
    var pinFloor: Int
        get() = call { session.pinPolicy().floor.toInt() }
        set(value) = call { session.setPinPolicy(PinPolicy(value.coerceIn(0, 255).toUByte())) }

    /** Reads a retry counter without spending a try. */
    suspend fun retryStatus(credential: Credential): Retries = io {
        when (val s = session.retryStatus(credential)) {
            is RetryStatus.Remaining -> Retries.Remaining(s.remainingTries.toInt())
            RetryStatus.Blocked -> Retries.Blocked
            RetryStatus.VerifiedNotReported -> Retries.VerifiedNotReported
        }
    }

    /** Presents a credential under the PIN-safety policy (exactly one VERIFY at most). */
    suspend fun verify(credential: Credential, value: String, allowBelowFloor: Boolean = false) =
        io { session.verify(credential, value, allowBelowFloor) }

    /** JPKI token information. */
    suspend fun tokenInfo(): TokenInfo = io { session.jpkiTokenInfo() }

    /** Which JPKI certificates the card holds. */
    suspend fun certificateAvailability(): CertificateAvailability = io { session.jpkiCertificateAvailability() }

    /** The user-authentication certificate. */
    suspend fun authCertificate(): Certificate = io { session.jpkiAuthCertificate() }

    /** The user-authentication CA certificate as stored on the card. */
    suspend fun authCaCertificate(): Certificate = io { session.jpkiAuthCaCertificate() }

    /** The signing CA certificate as stored on the card. */
    suspend fun signCaCertificate(): Certificate = io { session.jpkiSignCaCertificate() }

    /** The signing certificate (personal data), presenting the signing password. */
    suspend fun signCertificate(password: String, allowBelowFloor: Boolean = false): Certificate =
        io { session.jpkiSignCertificate(password, allowBelowFloor) }

    /** Signs [message] (hashed on the host with [hash]) with [key]. */
    suspend fun sign(
        key: JpkiKey,
        credentialValue: String,
        message: ByteArray,
        hash: HashAlgorithm = HashAlgorithm.SHA256,
        options: SignOptions = SignOptions(),
    ): Signature = io { session.jpkiSign(key, credentialValue, SignInput.Message(hash, message), options) }

    /** Signs a digest computed elsewhere. */
    suspend fun signDigest(
        key: JpkiKey,
        credentialValue: String,
        digest: ByteArray,
        hash: HashAlgorithm = HashAlgorithm.SHA256,
        options: SignOptions = SignOptions(),
    ): Signature = io { session.jpkiSign(key, credentialValue, SignInput.Digest(hash, digest), options) }

    /**
     * JPKI login: the user-authentication certificate and the card's signature over the
     * server's [nonce] (16 to 64 bytes), checked here and packed as the `jpki_login` evidence
     * the server verifies again ([JpkiEvidence.evidenceJson]). The PIN is presented at most once.
     */
    suspend fun login(
        pin: String,
        nonce: ByteArray,
        hash: HashAlgorithm = HashAlgorithm.SHA256,
        allowBelowFloor: Boolean = false,
    ): JpkiEvidence = io { session.jpkiLogin(pin, nonce, hash, allowBelowFloor) }

    /**
     * ワ-method signature: the signing certificate and the card's signature with the signing
     * key over the server's [nonce] and the [data] the holder consents to, checked here and
     * packed as the `jpki_sign` evidence. The password is presented at most once.
     */
    suspend fun signEvidence(
        password: String,
        nonce: ByteArray,
        data: ByteArray,
        hash: HashAlgorithm = HashAlgorithm.SHA256,
        allowBelowFloor: Boolean = false,
    ): JpkiEvidence = io { session.jpkiSignEvidence(password, nonce, data, hash, allowBelowFloor) }

    /**
     * 券面事項入力補助AP: unlocks with [unlock] ([value] is the PIN or a 照合番号) and reads and
     * checks what it opens. The report holds the My Number (特定個人情報) with the PIN or
     * 照合番号A: handle it under the My Number Act.
     */
    suspend fun readText(
        unlock: TextUnlock,
        value: String,
        options: ApReadOptions = ApReadOptions(),
        allowBelowFloor: Boolean = false,
    ): TextReport = io { session.textRead(unlock, value, allowBelowFloor, options) }

    /** 券面AP: unlocks with [unlock] and reads and checks the card face, My Number image or age record. */
    suspend fun readFace(
        unlock: FaceUnlock,
        value: String,
        options: ApReadOptions = ApReadOptions(),
        allowBelowFloor: Boolean = false,
    ): FaceReport = io { session.faceRead(unlock, value, allowBelowFloor, options) }

    /**
     * ヘ method: reads 券面事項入力補助AP with [textUnlock]/[textValue] and/or 券面AP with
     * [faceUnlock]/[faceValue] (at least one AP; each pair both or neither), has each AP's
     * card key sign a challenge bound to the server's [nonce] (16 to 64 bytes), checks
     * everything here against [options]' CV CA keys and returns the `chip_read` bundle
     * ([ChipEvidence.evidenceJson]) with the attributes and the card face (its photo is what
     * a selfie is compared with). My Number goes into the bundle only with [includeMyNumber]
     * and a credential that opens it. Each value is presented at most once.
     */
    suspend fun chipReadEvidence(
        nonce: ByteArray,
        textUnlock: TextUnlock? = null,
        textValue: String? = null,
        faceUnlock: FaceUnlock? = null,
        faceValue: String? = null,
        includeMyNumber: Boolean = false,
        options: ApReadOptions = ApReadOptions(),
        allowBelowFloor: Boolean = false,
    ): ChipEvidence = io {
        session.chipReadEvidence(nonce, textUnlock, textValue, includeMyNumber, faceUnlock, faceValue, allowBelowFloor, options)
    }

    /**
     * 対面: the card face under 照合番号A or B ([unlock], [value]), the CV certificate and the
     * card key's signature over a challenge bound to the server's [nonce], checked here;
     * returns the `face_to_face` bundle and the card face to show.
     */
    suspend fun faceToFaceEvidence(
        nonce: ByteArray,
        unlock: FaceUnlock,
        value: String,
        options: ApReadOptions = ApReadOptions(),
        allowBelowFloor: Boolean = false,
    ): ChipEvidence = io { session.faceToFaceEvidence(nonce, unlock, value, allowBelowFloor, options) }

    /** [length] random bytes from the card. */
    suspend fun challenge(length: Int): ByteArray = io { session.getChallenge(length.coerceIn(0, 65535).toUShort()) }

    override fun close() = session.close()
}

/**
 * Checks [certificate]'s chain against the embedded production J-LIS roots now (or at
 * [atUnix]); throws [MynaKitError.VerificationFailed].
 */
fun verifyChain(certificate: Certificate, policy: TrustPolicy = TrustPolicy(), atUnix: Long? = null): ChainVerification =
    try {
        TrustStore(policy).use { verifyChain(certificate, it, atUnix) }
    } catch (e: MynaException) {
        throw MynaKitError.from(e)
    }

/**
 * Checks [certificate]'s chain against [store] (for example one with roots the app added with
 * [TrustStore.addAnchor]) now (or at [atUnix]); throws [MynaKitError.VerificationFailed].
 */
fun verifyChain(certificate: Certificate, store: TrustStore, atUnix: Long? = null): ChainVerification =
    try {
        store.verify(certificate, atUnix?.toULong())
    } catch (e: MynaException) {
        throw MynaKitError.from(e)
    }

/** Decodes the card's JPEG 2000 face photo to PNG and pixels (off the caller's thread). */
suspend fun CardImage.decodePhoto(dispatcher: CoroutineDispatcher = Dispatchers.Default): DecodedPhoto =
    withContext(dispatcher) {
        try {
            jp.mynakit.decodePhoto(data)
        } catch (e: MynaException) {
            throw MynaKitError.from(e)
        }
    }

/** Checks a signature made with `includeCertificate`; throws [MynaKitError.VerificationFailed]. */
fun Signature.verifyWithCertificate() {
    try {
        verifySignatureWithCertificate(this)
    } catch (e: MynaException) {
        throw MynaKitError.from(e)
    }
}

/**
 * 照合番号B from what the card face shows: the birth date (Gregorian; MynaKit writes its
 * Japanese-era year), the card's expiry year and the 4-digit security code — the 14 digits
 * [MynaCard.readText] and [MynaCard.readFace] take with `CODE_B`. Only the format is checked;
 * throws [MynaKitError.Usage] for a date that does not exist or a malformed part. The result
 * opens the card's data: handle it like a PIN.
 */
fun codeBFromCardFace(birthDate: CalendarDate, expiryYear: Int, securityCode: String): String =
    try {
        codeB(birthDate, expiryYear.coerceIn(0, 65535).toUShort(), securityCode)
    } catch (e: MynaException) {
        throw MynaKitError.from(e)
    }
