// The Android transport over an IsoDep the app manages itself. Prefer MynaNfcReader
// (jp.mynakit, with MynaNfcReader.forActivity here), which owns reader mode, connect, timeouts
// and closing. Compile-checked against the API-23 android.jar (scripts/test-kotlin.sh).
package jp.mynakit.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.tech.IsoDep
import android.os.Bundle
import java.io.IOException
import jp.mynakit.CardTransport
import jp.mynakit.ExtendedLengthMemory
import jp.mynakit.NfcTimeouts
import jp.mynakit.NfcTransport

/**
 * [CardTransport] over an [IsoDep] tag the app has connected itself: [NfcTransport] (error
 * mapping, per-exchange timeouts, extended-length downgrade) over [AndroidIsoDep].
 *
 * - Timeouts: [timeoutMs] for ordinary commands, [extendedTimeoutMs] for extended-length
 *   commands, [slowTimeoutMs] around exchanges MynaKit marks slow (RSA signing).
 * - Extended length only when the phone claims it, `getMaxTransceiveLength()` allows more than a
 *   short APDU and no extended exchange failed earlier in this process.
 * - `TagLostException`, `SecurityException` (stale tag) and an `IOException` that leaves the tag
 *   disconnected become [jp.mynakit.TransportException.CardRemoved].
 */
class IsoDepTransport(
    isoDep: IsoDep,
    timeoutMs: Int = DEFAULT_TIMEOUT_MS,
    slowTimeoutMs: Int = SLOW_TIMEOUT_MS,
    allowExtendedLength: Boolean = true,
    extendedTimeoutMs: Int = EXTENDED_TIMEOUT_MS,
) : CardTransport by NfcTransport(
    AndroidIsoDep(isoDep),
    NfcTimeouts(normalMs = timeoutMs, extendedMs = extendedTimeoutMs, slowMs = slowTimeoutMs),
    allowExtendedLength,
    ExtendedLengthMemory.shared,
) {
    companion object {
        /** Default timeout for ordinary commands. */
        const val DEFAULT_TIMEOUT_MS = 2_000

        /** Default timeout for extended-length commands (several KB in one response). */
        const val EXTENDED_TIMEOUT_MS = 5_000

        /** Default timeout around signing (the card computes RSA-2048). */
        const val SLOW_TIMEOUT_MS = 10_000

        /** Reader-mode flags for the My Number Card: NFC-B only, no NDEF check, no platform sound. */
        const val READER_FLAGS: Int = NfcAdapter.FLAG_READER_NFC_B or
            NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK or
            NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS

        /**
         * Enables reader mode on [activity] and calls [onCard] on the binder thread with the
         * connected [IsoDep]. The tag is closed when [onCard] returns, so [onCard] must finish the
         * whole read before returning: it cannot hand the tag to a coroutine. A failed connect is
         * passed to [onConnectFailed] (default: ignored, the next tap retries).
         */
        @Deprecated(
            "Blocks the binder thread for the whole read. Use MynaNfcReader.forActivity(activity).session { card -> ... }",
        )
        fun enableReaderMode(
            adapter: NfcAdapter,
            activity: Activity,
            onConnectFailed: (IOException) -> Unit = {},
            onCard: (IsoDep) -> Unit,
        ) {
            val extras = Bundle()
            extras.putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, 1_000)
            adapter.enableReaderMode(
                activity,
                { tag: Tag ->
                    val isoDep = IsoDep.get(tag)
                    if (isoDep != null) {
                        try {
                            isoDep.connect()
                        } catch (e: IOException) {
                            onConnectFailed(e)
                            return@enableReaderMode
                        }
                        try {
                            onCard(isoDep)
                        } finally {
                            try {
                                isoDep.close()
                            } catch (_: IOException) {
                            }
                        }
                    }
                },
                READER_FLAGS,
                extras,
            )
        }
    }
}
