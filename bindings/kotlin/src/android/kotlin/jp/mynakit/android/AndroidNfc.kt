// The Android half of the NFC reader: IsoDep and NfcAdapter adapted to the small interfaces of
// jp.mynakit (NfcSession.kt), where the logic lives and is tested on the JVM with fakes.
// Compile-checked against the API-23 android.jar (scripts/test-kotlin.sh, scripts/build-android.sh);
// it needs a phone and a card to run, which this repository's machines do not have.
package jp.mynakit.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import android.os.Bundle
import jp.mynakit.IsoDepLink
import jp.mynakit.MynaNfcReader
import jp.mynakit.NfcAvailability
import jp.mynakit.NfcReaderHost
import jp.mynakit.NfcSessionConfig
import jp.mynakit.ReaderModeOptions
import jp.mynakit.TagLostIOException

/** [IsoDepLink] over an Android [IsoDep]: `TagLostException` becomes [TagLostIOException]. */
class AndroidIsoDep(val isoDep: IsoDep) : IsoDepLink {
    override fun connect() = lostAsTyped { isoDep.connect() }

    override fun close() = isoDep.close()

    override val isConnected: Boolean get() = isoDep.isConnected

    override fun setTimeout(ms: Int) {
        isoDep.timeout = ms
    }

    override val maxTransceiveLength: Int get() = isoDep.maxTransceiveLength

    override val isExtendedLengthApduSupported: Boolean get() = isoDep.isExtendedLengthApduSupported

    override fun transceive(apdu: ByteArray): ByteArray = lostAsTyped { isoDep.transceive(apdu) }

    private inline fun <T> lostAsTyped(block: () -> T): T =
        try {
            block()
        } catch (e: TagLostException) {
            throw TagLostIOException(e.message ?: "tag lost", e)
        }
}

/**
 * [NfcReaderHost] for [activity]: reader mode through [adapter] (the default adapter unless
 * given). Enabling and disabling run on the activity's UI thread, as Android requires.
 */
class ActivityNfcHost(
    private val activity: Activity,
    private val adapter: NfcAdapter? = NfcAdapter.getDefaultAdapter(activity),
) : NfcReaderHost {
    override fun availability(): NfcAvailability = when {
        adapter == null -> NfcAvailability.NOT_PRESENT
        !adapter.isEnabled -> NfcAvailability.DISABLED
        else -> NfcAvailability.AVAILABLE
    }

    override fun enableReaderMode(options: ReaderModeOptions, onTag: (IsoDepLink?) -> Unit) {
        val a = adapter ?: return
        val extras = Bundle()
        extras.putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, options.presenceCheckDelayMs)
        val callback = NfcAdapter.ReaderCallback { tag: Tag ->
            // Only hands the tag over: the session runs in the caller's coroutine, and the tag
            // stays connected after this callback returns until the session closes it.
            onTag(IsoDep.get(tag)?.let { AndroidIsoDep(it) })
        }
        activity.runOnUiThread { a.enableReaderMode(activity, callback, readerFlags(options), extras) }
    }

    override fun disableReaderMode() {
        val a = adapter ?: return
        activity.runOnUiThread {
            if (!activity.isDestroyed) a.disableReaderMode(activity)
        }
    }

    companion object {
        /** The `NfcAdapter.FLAG_READER_*` flags for [options]. */
        fun readerFlags(options: ReaderModeOptions): Int {
            var flags = 0
            if (options.nfcB) flags = flags or NfcAdapter.FLAG_READER_NFC_B
            if (options.skipNdefCheck) flags = flags or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK
            if (options.noPlatformSounds) flags = flags or NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS
            return flags
        }
    }
}

/** A [MynaNfcReader] for [activity] (reader mode through the default NFC adapter). */
fun MynaNfcReader.Companion.forActivity(activity: Activity, config: NfcSessionConfig = NfcSessionConfig()): MynaNfcReader =
    MynaNfcReader(ActivityNfcHost(activity), config)
