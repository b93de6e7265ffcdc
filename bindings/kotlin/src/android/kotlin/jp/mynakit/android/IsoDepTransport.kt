// The Android transport: MynaKit's CardTransport over android.nfc.tech.IsoDep.
// Compile-checked against the API-23 android.jar (scripts/test-kotlin.sh); it needs a phone
// and a card to run, which this repository's machines do not have.
package jp.mynakit.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import android.os.Bundle
import java.io.IOException
import jp.mynakit.CardTransport
import jp.mynakit.ExchangeHint
import jp.mynakit.TransportCapabilities
import jp.mynakit.TransportException
import jp.mynakit.extendedApduCapabilities
import jp.mynakit.shortApduCapabilities

/**
 * [CardTransport] over an [IsoDep] tag (the My Number Card is NFC-B / ISO 14443-4).
 *
 * - Timeouts: [timeoutMs] for ordinary commands; [slowTimeoutMs] around exchanges MynaKit
 *   marks slow (RSA signing), because Android's default of about 300 ms is too short for
 *   them on many phones. The normal timeout is restored afterwards.
 * - Extended length only when the phone says `isExtendedLengthApduSupported()` and
 *   `getMaxTransceiveLength()` allows more than a short APDU; MynaKit then never sends more
 *   than that length. Otherwise short APDUs, capped at `getMaxTransceiveLength()` too.
 * - `TagLostException` (and the `SecurityException` Android throws for a stale tag) become
 *   [TransportException.CardRemoved], which MynaKit reports as a typed card-removed error,
 *   or as "verify outcome unknown" when it happened during a VERIFY.
 * - APDUs are never logged here: those with `hint.sensitive` carry a PIN or password.
 *
 * Connect the tag before creating the session and close it when done:
 * ```
 * val isoDep = IsoDep.get(tag) ?: return
 * isoDep.connect()
 * MynaCard.open(IsoDepTransport(isoDep)).use { card -> ... }
 * isoDep.close()
 * ```
 */
class IsoDepTransport(
    private val isoDep: IsoDep,
    private val timeoutMs: Int = DEFAULT_TIMEOUT_MS,
    private val slowTimeoutMs: Int = SLOW_TIMEOUT_MS,
    private val allowExtendedLength: Boolean = true,
) : CardTransport {

    init {
        isoDep.timeout = timeoutMs
    }

    override fun transmit(apdu: ByteArray, hint: ExchangeHint): ByteArray {
        if (hint.slow) isoDep.timeout = slowTimeoutMs
        try {
            return isoDep.transceive(apdu)
        } catch (e: TagLostException) {
            throw TransportException.CardRemoved(e.message ?: "tag lost")
        } catch (e: SecurityException) {
            // Android throws this when the Tag object is stale (the card left and came back).
            throw TransportException.CardRemoved(e.message ?: "tag is out of date")
        } catch (e: IOException) {
            if (!isoDep.isConnected) throw TransportException.CardRemoved(e.message ?: "tag disconnected")
            throw TransportException.Other(e.message ?: e.javaClass.name)
        } finally {
            if (hint.slow) {
                try {
                    isoDep.timeout = timeoutMs
                } catch (_: RuntimeException) {
                    // The tag may be gone; the next transceive reports that.
                }
            }
        }
    }

    override fun capabilities(): TransportCapabilities {
        val max = isoDep.maxTransceiveLength
        return if (allowExtendedLength && isoDep.isExtendedLengthApduSupported && max > SHORT_COMMAND_MAX) {
            extendedApduCapabilities(max.toUInt())
        } else {
            val short = shortApduCapabilities()
            TransportCapabilities(
                maxCommandLen = minOf(short.maxCommandLen, max.toUInt()),
                maxResponseLen = minOf(short.maxResponseLen, max.toUInt()),
                extendedLength = false,
            )
        }
    }

    companion object {
        /** Default timeout for ordinary commands. */
        const val DEFAULT_TIMEOUT_MS = 1_000

        /** Default timeout around signing (the card computes RSA-2048). */
        const val SLOW_TIMEOUT_MS = 5_000

        /** A short APDU's maximum: 4-byte header, Lc, 255 data bytes, Le. */
        private const val SHORT_COMMAND_MAX = 261

        /**
         * Reader-mode flags for the My Number Card: NFC-B only, no NDEF check (the card has
         * no NDEF; the check costs time and can disturb the session), no platform sound.
         */
        const val READER_FLAGS: Int = NfcAdapter.FLAG_READER_NFC_B or
            NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK or
            NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS

        /**
         * Enables reader mode for the card on [activity] (call in `onResume`, and
         * `adapter.disableReaderMode(activity)` in `onPause`). [onCard] runs on a binder
         * thread with the connected [IsoDep]; it must finish the whole read before returning
         * or hand the tag to a coroutine and keep it connected.
         */
        fun enableReaderMode(adapter: NfcAdapter, activity: Activity, onCard: (IsoDep) -> Unit) {
            val extras = Bundle()
            // Poll for presence less often, so the presence check does not interleave with
            // long exchanges (signing).
            extras.putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, 1_000)
            adapter.enableReaderMode(
                activity,
                { tag: Tag ->
                    val isoDep = IsoDep.get(tag)
                    if (isoDep != null) {
                        try {
                            isoDep.connect()
                            onCard(isoDep)
                        } catch (_: IOException) {
                            // The card left before the session started; the next tap retries.
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
