// The platform-neutral half of the Android NFC reader: the IsoDep and NFC-adapter operations
// MynaKit needs behind two small interfaces, the CardTransport over them (error mapping, per-
// exchange timeouts, extended-length downgrade) and the coroutine session runner. The Android
// half (src/android/kotlin/jp/mynakit/android/AndroidNfc.kt) only adapts IsoDep and NfcAdapter
// to these interfaces, so the JVM tests run all of this with fakes.
package jp.mynakit

import java.io.IOException
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The `android.nfc.tech.IsoDep` operations MynaKit uses. Android:
 * `jp.mynakit.android.AndroidIsoDep`; tests: fakes.
 *
 * Implementations throw what the platform throws, except that a lost tag (Android's
 * `TagLostException`) is thrown as [TagLostIOException].
 */
interface IsoDepLink {
    /** Connects the tag (Android `IsoDep.connect`). */
    fun connect()

    /** Closes the tag; an in-flight [transceive] then fails (Android `IsoDep.close`). */
    fun close()

    /** Android `IsoDep.isConnected`. */
    val isConnected: Boolean

    /** The timeout of the following [transceive] calls, in ms (Android `IsoDep.setTimeout`). */
    fun setTimeout(ms: Int)

    /** Android `IsoDep.getMaxTransceiveLength`. */
    val maxTransceiveLength: Int

    /** Android `IsoDep.isExtendedLengthApduSupported` (API 16+). */
    val isExtendedLengthApduSupported: Boolean

    /** One command APDU to the card, its response APDU back (Android `IsoDep.transceive`). */
    fun transceive(apdu: ByteArray): ByteArray
}

/** The platform reported the tag lost (Android: `TagLostException`, wrapped as [cause]). */
class TagLostIOException(message: String?, cause: Throwable? = null) : IOException(message, cause)

/**
 * Per-exchange timeouts, in ms. Android's `IsoDep` default (about 300–600 ms depending on the
 * phone) is too short for the card's RSA signing and for long extended-length reads.
 */
data class NfcTimeouts(
    /** Ordinary short-APDU exchanges. */
    val normalMs: Int = 2_000,
    /** Exchanges with an extended-length APDU (a READ BINARY of several KB in one response). */
    val extendedMs: Int = 5_000,
    /** Exchanges MynaKit marks `slow` (COMPUTE DIGITAL SIGNATURE). */
    val slowMs: Int = 10_000,
)

/**
 * Whether extended-length APDUs failed on this phone. Some phones report
 * `isExtendedLengthApduSupported()` but fail such exchanges; after the first failure every
 * later session that shares this object reports short APDUs only.
 */
class ExtendedLengthMemory {
    @Volatile
    var failed: Boolean = false
        internal set

    /** Forgets a failure (for example after the user switched phones in a test harness). */
    fun reset() {
        failed = false
    }

    companion object {
        /** What every reader and transport uses unless given another: one phone per process. */
        val shared = ExtendedLengthMemory()
    }
}

/**
 * [CardTransport] over an [IsoDepLink].
 *
 * - Timeouts per exchange ([NfcTimeouts]): `slow` hint → [NfcTimeouts.slowMs], an
 *   extended-length command → [NfcTimeouts.extendedMs], otherwise [NfcTimeouts.normalMs].
 * - Capabilities are reported honestly: extended length only when [allowExtendedLength], the
 *   phone claims it, `maxTransceiveLength` exceeds a short APDU and no extended exchange
 *   failed before ([memory]); otherwise short APDUs, capped at `maxTransceiveLength`.
 * - An extended exchange that fails while the tag stays connected marks [memory] (short APDUs
 *   from the next session on) and is reported as [TransportException.Other].
 * - Errors: tag lost, `SecurityException` (stale tag), an `IOException` after which the tag is
 *   no longer connected → [TransportException.CardRemoved]; any failure after [isCancelled]
 *   became true (the session closed the tag) → [TransportException.Cancelled]; transceive on a
 *   tag closed by someone else (`IllegalStateException`) → [TransportException.NoCard];
 *   other `IOException`s → [TransportException.Other]; a response shorter than a status word →
 *   [TransportException.InvalidResponse]. Nothing else escapes untyped: any other
 *   `RuntimeException` → [TransportException.Other].
 * - APDUs are never logged: those with `hint.sensitive` carry a PIN or password.
 */
class NfcTransport(
    private val link: IsoDepLink,
    private val timeouts: NfcTimeouts = NfcTimeouts(),
    private val allowExtendedLength: Boolean = true,
    private val memory: ExtendedLengthMemory = ExtendedLengthMemory.shared,
    private val isCancelled: () -> Boolean = { false },
) : CardTransport {

    override fun transmit(apdu: ByteArray, hint: ExchangeHint): ByteArray {
        val extended = isExtendedLengthApdu(apdu)
        val timeout = maxOf(
            if (hint.slow) timeouts.slowMs else 0,
            if (extended) timeouts.extendedMs else 0,
            timeouts.normalMs,
        )
        try {
            link.setTimeout(timeout)
            val response = link.transceive(apdu)
            if (response.size < 2) {
                if (extended) memory.failed = true
                throw TransportException.InvalidResponse("${response.size}-byte response: no status word")
            }
            return response
        } catch (e: TransportException) {
            throw e
        } catch (e: TagLostIOException) {
            throw lost(e, "tag lost")
        } catch (e: SecurityException) {
            // Android: the Tag object is out of date (the card left and was presented again).
            throw lost(e, "tag is out of date")
        } catch (e: IOException) {
            if (isCancelled()) throw TransportException.Cancelled("the session was cancelled: ${describe(e)}")
            if (!connectedOrFalse()) throw TransportException.CardRemoved("tag disconnected: ${describe(e)}")
            if (extended) {
                memory.failed = true
                throw TransportException.Other(
                    "extended-length exchange failed (${describe(e)}); this phone gets short APDUs from the next session on",
                )
            }
            throw TransportException.Other("transceive failed after $timeout ms or earlier: ${describe(e)}")
        } catch (e: IllegalStateException) {
            if (isCancelled()) throw TransportException.Cancelled("the session was cancelled: ${describe(e)}")
            throw TransportException.NoCard("tag not connected (closed outside MynaKit?): ${describe(e)}")
        } catch (e: RuntimeException) {
            throw TransportException.Other("platform error: ${describe(e)}")
        }
    }

    private fun lost(e: Exception, what: String): TransportException =
        if (isCancelled()) {
            TransportException.Cancelled("the session was cancelled: ${describe(e)}")
        } else {
            TransportException.CardRemoved("$what: ${describe(e)}")
        }

    private fun connectedOrFalse(): Boolean =
        try {
            link.isConnected
        } catch (_: RuntimeException) {
            false
        }

    override fun capabilities(): TransportCapabilities {
        val short = shortApduCapabilities()
        val (max, claimsExtended) = try {
            link.maxTransceiveLength to link.isExtendedLengthApduSupported
        } catch (_: RuntimeException) {
            // The NFC service failed to answer: assume the least.
            return short
        }
        if (allowExtendedLength && claimsExtended && !memory.failed && max > SHORT_COMMAND_MAX) {
            return extendedApduCapabilities(max.toUInt())
        }
        if (max <= 0) return short
        return TransportCapabilities(
            maxCommandLen = minOf(short.maxCommandLen, max.toUInt()),
            maxResponseLen = minOf(short.maxResponseLen, max.toUInt()),
            extendedLength = false,
        )
    }

    companion object {
        /** A short APDU's maximum: 4-byte header, Lc, 255 data bytes, Le. */
        const val SHORT_COMMAND_MAX = 261

        /**
         * Whether [apdu] uses extended-length encoding (ISO/IEC 7816-4 §5.1, card-protocol §2):
         * after the 4-byte header a 0x00 byte followed by more bytes (Lc or Le in two bytes).
         * A lone 0x00 at index 4 is a short Le of 256.
         */
        fun isExtendedLengthApdu(apdu: ByteArray): Boolean = apdu.size > 5 && apdu[4] == 0.toByte()

        private fun describe(e: Throwable): String = "${e.javaClass.simpleName}: ${e.message ?: "no message"}"
    }
}

/** Whether the phone can read NFC. */
enum class NfcAvailability {
    /** NFC exists and is switched on. */
    AVAILABLE,

    /** NFC exists but is off: send the user to the NFC settings. */
    DISABLED,

    /** The device has no NFC. */
    NOT_PRESENT,
}

/**
 * Reader-mode options (Android `NfcAdapter.enableReaderMode` flags and extras). The defaults
 * are what the My Number Card needs: NFC-B only (it is ISO 14443-4 type B), no NDEF check (it
 * has no NDEF; the check costs time and can disturb the link), a presence check no more often
 * than every [presenceCheckDelayMs] so it does not interleave with long exchanges.
 */
data class ReaderModeOptions(
    val nfcB: Boolean = true,
    val skipNdefCheck: Boolean = true,
    val noPlatformSounds: Boolean = false,
    val presenceCheckDelayMs: Int = 1_000,
)

/** The NFC adapter operations MynaKit uses. Android: `jp.mynakit.android.ActivityNfcHost`; tests: fakes. */
interface NfcReaderHost {
    /** Whether NFC is present and on. */
    fun availability(): NfcAvailability

    /**
     * Enables reader mode; [onTag] runs on a platform thread for each tag found, with its
     * IsoDep view (null when the tag is not ISO-DEP). [onTag] returns at once.
     */
    fun enableReaderMode(options: ReaderModeOptions, onTag: (IsoDepLink?) -> Unit)

    /** Disables reader mode. */
    fun disableReaderMode()
}

/** Settings shared by [MynaNfcReader] and [runCardSession]. */
data class NfcSessionConfig(
    val timeouts: NfcTimeouts = NfcTimeouts(),
    val readerMode: ReaderModeOptions = ReaderModeOptions(),
    val allowExtendedLength: Boolean = true,
    val extendedLengthMemory: ExtendedLengthMemory = ExtendedLengthMemory.shared,
    /** Where the blocking card calls run. */
    val dispatcher: CoroutineDispatcher = Dispatchers.IO,
)

/**
 * Connects [link], runs [block] with a [MynaCard] over it and closes the tag when [block]
 * ends — normally, by an exception, or because the calling coroutine was cancelled. On
 * cancellation the tag is closed at once, so an exchange on the wire fails fast, and the call
 * ends with the coroutine's `CancellationException` (never a link error that would fail the
 * parent). A VERIFY that was on the wire then has an unknown outcome: read the counter
 * ([MynaCard.retryStatus]) before the next try.
 *
 * A failed connect throws [MynaKitError.ConnectFailed] (the card left before the session
 * started: ask the user to hold it again). Never blocks a thread of the caller's dispatcher.
 * One tag, no resume: [MynaNfcReader.session] is the reader that survives a lost card.
 */
suspend fun <T> runCardSession(
    link: IsoDepLink,
    config: NfcSessionConfig = NfcSessionConfig(),
    block: suspend (MynaCard) -> T,
): T = runResumableSession(link, config, TagLossResume(maxResumes = 0), nextLink = null, onEvent = {}, block = block)

/**
 * What [MynaNfcReader.session] does when the card leaves the field mid-flow: it waits for the
 * card to be presented again (up to [maxResumes] times in one session), continues the same
 * core session over the new tag ([MynaCard.resume]) and runs the block again. Files already
 * read are not read again (the session is resumable: they are kept, zeroized when it ends), a
 * cut read continues at its offset, and a PIN whose VERIFY was cut off is presented again
 * only if the card's counter shows that no try was spent — otherwise the block fails with
 * [MynaKitError.WrongPin] and the app decides. Never a blind second VERIFY.
 *
 * The block therefore must be safe to run again from its start with the same inputs (the
 * flows of [MynaCard] are: they read, verify and sign; a server nonce stays valid).
 */
data class TagLossResume(
    /** How many times the card may be presented again in one session (0: a lost card ends it). */
    val maxResumes: Int = 2,
) {
    /** Whether [error] is a lost card this session may survive. */
    fun isCardLoss(error: MynaKitError): Boolean = when (error) {
        is MynaKitError.CardRemoved, is MynaKitError.ConnectFailed -> true
        is MynaKitError.VerifyOutcomeUnknown -> error.transportKind != null
        is MynaKitError.TransportFailure -> error.kind == TransportErrorKind.TIMEOUT
        else -> false
    }
}

/** What [MynaNfcReader.events] reports while a session runs. */
sealed class ReaderEvent {
    /** Reader mode is on; the user should hold the card to the phone. */
    object WaitingForCard : ReaderEvent()

    /** A card was found and connected ([resumes] > 0: presented again after a loss). */
    data class Connected(val resumes: Int) : ReaderEvent()

    /** A stage of the card work (reading n of m bytes, checking tries, verifying, signing). */
    data class Progress(val progress: ReadProgress) : ReaderEvent()

    /**
     * The card left the field; the reader waits for it again ([attempt] of [maxResumes]).
     * Show [error]'s message ([MynaKitError.userMessage]: "hold the card again").
     */
    data class CardLost(val attempt: Int, val maxResumes: Int, val error: MynaKitError) : ReaderEvent()

    /** The session ended (successfully when [error] is null). */
    data class Finished(val error: Throwable?) : ReaderEvent()
}

/** The session under [runCardSession] and [MynaNfcReader.session], with tag-loss resume. */
internal suspend fun <T> runResumableSession(
    first: IsoDepLink,
    config: NfcSessionConfig,
    resume: TagLossResume,
    nextLink: (suspend () -> IsoDepLink)?,
    onEvent: (ReaderEvent) -> Unit,
    block: suspend (MynaCard) -> T,
): T {
    var link = first
    var resumes = 0
    var card: MynaCard? = null
    try {
        while (true) {
            try {
                return onLink(link, config) { transport ->
                    val open = card
                    val c = if (open == null) {
                        withContext(config.dispatcher) {
                            MynaCard.open(transport, config.dispatcher).also { c ->
                                card = c
                                if (resume.maxResumes > 0) c.resumable = true
                                c.setProgressListener { onEvent(ReaderEvent.Progress(it)) }
                            }
                        }
                    } else {
                        open.resume(transport)
                        open
                    }
                    onEvent(ReaderEvent.Connected(resumes))
                    block(c)
                }
            } catch (e: MynaKitError) {
                val next = nextLink
                if (next == null || resumes >= resume.maxResumes || !resume.isCardLoss(e)) throw e
                // A failed first connect has no session to resume: start it over the next tag.
                resumes++
                onEvent(ReaderEvent.CardLost(resumes, resume.maxResumes, e))
                link = next()
            }
        }
    } finally {
        card?.close()
    }
}

/**
 * Connects [link], runs [block] with a transport over it and closes the tag when [block]
 * ends — normally, by an exception, or by cancellation (then at once).
 */
private suspend fun <T> onLink(
    link: IsoDepLink,
    config: NfcSessionConfig,
    block: suspend (NfcTransport) -> T,
): T {
    val closed = AtomicBoolean(false)
    fun closeLink() {
        if (closed.compareAndSet(false, true)) {
            try {
                link.close()
            } catch (_: IOException) {
            } catch (_: RuntimeException) {
            }
        }
    }
    try {
        withContext(config.dispatcher) { link.connect() }
    } catch (e: IOException) {
        closeLink()
        throw MynaKitError.ConnectFailed("could not connect to the card: ${e.message ?: e.javaClass.simpleName}", e)
    } catch (e: SecurityException) {
        closeLink()
        throw MynaKitError.ConnectFailed("the tag is out of date: ${e.message ?: "SecurityException"}", e)
    } catch (e: IllegalStateException) {
        closeLink()
        throw MynaKitError.ConnectFailed("the tag cannot be connected: ${e.message ?: "IllegalStateException"}", e)
    }
    return coroutineScope {
        // Closes the tag as soon as this scope is cancelled, even while `block` waits for a
        // blocking exchange on the I/O dispatcher.
        val watcher = launch(start = CoroutineStart.UNDISPATCHED) {
            try {
                awaitCancellation()
            } finally {
                closeLink()
            }
        }
        try {
            val transport = NfcTransport(
                link,
                config.timeouts,
                config.allowExtendedLength,
                config.extendedLengthMemory,
                isCancelled = { closed.get() },
            )
            try {
                block(transport)
            } catch (e: MynaKitError) {
                // The caller cancelled (and this closed the tag): end as a cancellation, not as
                // a failure that would cancel the caller's parent.
                if (!currentCoroutineContext().isActive) {
                    throw CancellationException("the card session was cancelled").apply { initCause(e) }
                }
                throw e
            }
        } finally {
            watcher.cancel()
            closeLink()
        }
    }
}

/**
 * The coroutine-first card reader:
 * ```
 * val reader = MynaNfcReader.forActivity(activity)          // jp.mynakit.android
 * lifecycleScope.launch {
 *     val login = reader.session { card -> card.login(pin, serverNonce) }
 * }
 * ```
 * [session] enables reader mode, waits for a card, connects it, runs the block with a
 * [MynaCard], then closes the tag and disables reader mode. The platform's tag callback only
 * hands the tag over and returns (no `runBlocking` on a binder thread); the tag stays connected
 * until the block ends. Cancel the calling coroutine to stop waiting or to end a session (the
 * tag is closed at once). Call it while the activity is resumed.
 *
 * A card that slips away mid-flow does not restart the work: the reader waits for it again
 * and continues ([TagLossResume]; [ReaderEvent.CardLost] tells the app to ask the user).
 * [events] reports waiting, connected, every progress stage, card lost and finished, for a
 * UI to collect.
 *
 * Errors: [MynaKitError.NfcUnavailable] (no NFC, or NFC off) before anything starts,
 * [MynaKitError.ConnectFailed] when the tag could not be connected, and whatever the block's
 * card calls throw. Tags that are not ISO-DEP (another card) are ignored: the reader keeps
 * waiting.
 */
class MynaNfcReader(
    private val host: NfcReaderHost,
    val config: NfcSessionConfig = NfcSessionConfig(),
) {
    private val mutableEvents = MutableSharedFlow<ReaderEvent>(
        extraBufferCapacity = 64,
        onBufferOverflow = BufferOverflow.DROP_OLDEST,
    )

    /** What the current session does, for a UI (never blocks the card work; old progress may be dropped). */
    val events: SharedFlow<ReaderEvent> = mutableEvents.asSharedFlow()

    suspend fun <T> session(
        resume: TagLossResume = TagLossResume(),
        block: suspend (MynaCard) -> T,
    ): T {
        when (val a = host.availability()) {
            NfcAvailability.AVAILABLE -> {}
            NfcAvailability.DISABLED -> throw MynaKitError.NfcUnavailable(a, "NFC is switched off", null)
            NfcAvailability.NOT_PRESENT -> throw MynaKitError.NfcUnavailable(a, "this device has no NFC", null)
        }
        val tags = Channel<IsoDepLink>(Channel.CONFLATED)
        host.enableReaderMode(config.readerMode) { link -> if (link != null) tags.trySend(link) }
        val emit: (ReaderEvent) -> Unit = { mutableEvents.tryEmit(it) }
        try {
            emit(ReaderEvent.WaitingForCard)
            val first = tags.receive()
            // A tag Android found after the lost one is the card presented again: use it.
            val result = runResumableSession(first, config, resume, nextLink = { tags.receive() }, onEvent = emit, block = block)
            emit(ReaderEvent.Finished(null))
            return result
        } catch (e: Throwable) {
            emit(ReaderEvent.Finished(e))
            throw e
        } finally {
            tags.close()
            try {
                host.disableReaderMode()
            } catch (_: RuntimeException) {
                // The activity may already be gone; the platform disabled reader mode with it.
            }
        }
    }

    companion object
}
