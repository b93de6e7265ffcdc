// Run by scripts/test-kotlin.sh WITHOUT the testing library's override: the SDK bindings
// (mynakit.kt) load the library an app ships, libmynakit_ffi, on their own, its API checksums
// match, and a session over an app transport works. The JUnit tests run against
// libmynakit_testkit_ffi instead (it contains this component too).
package jp.mynakit.test

import jp.mynakit.CardSession
import jp.mynakit.CardTransport
import jp.mynakit.ExchangeHint
import jp.mynakit.TransportCapabilities
import jp.mynakit.TrustStore
import jp.mynakit.mynakitVersion
import jp.mynakit.shortApduCapabilities
import kotlin.system.exitProcess

fun main() {
    val override = System.getProperty("uniffi.component.mynakit.libraryOverride")
    if (override != null) {
        println("shipped-library: run without uniffi.component.mynakit.libraryOverride (it is '$override')")
        exitProcess(1)
    }
    // A card that answers every command with 6A82 (file not found): enough to see a call go
    // from Kotlin through Rust to a Kotlin transport and back as a typed error.
    val transport = object : CardTransport {
        var commands = 0
        override fun transmit(apdu: ByteArray, hint: ExchangeHint): ByteArray {
            commands++
            return byteArrayOf(0x6A, 0x82.toByte())
        }
        override fun capabilities(): TransportCapabilities = shortApduCapabilities()
    }
    val version = mynakitVersion()
    TrustStore.production().close()
    val failed = CardSession(transport).use { s -> runCatching { s.jpkiTokenInfo() }.isFailure }
    val ok = version.isNotEmpty() && failed && transport.commands > 0
    println("shipped-library: libmynakit_ffi $version, session over a Kotlin transport: ${transport.commands} command(s), error as expected: $failed")
    exitProcess(if (ok) 0 else 1)
}
