// Test support: a CardTransport written in Kotlin over the virtual card, with fault injection,
// and the JUnit runner that prints the suite's "N passed, N failed" line.
package jp.mynakit.test

import java.io.File
import jp.mynakit.CardTransport
import jp.mynakit.ExchangeHint
import jp.mynakit.TransportCapabilities
import jp.mynakit.testkit.VirtualCardDevice
import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener
import kotlin.system.exitProcess

/** The virtual card's test credentials (test-vectors/cards/<profile>/profile.json). */
object TestCard {
    const val TARO_AUTH_PIN = "1234"
    const val TARO_SIGN_PASSWORD = "ABC123"
    const val HANAKO_AUTH_PIN = "4321"

    /** 2026-01-01T00:00:00Z: the virtual card's certificates are valid then. */
    const val VALID_AT: ULong = 1_767_225_600u
}

/** A file below the repository's test-vectors/ (path given by -Dmynakit.root). */
fun testVector(path: String): ByteArray {
    val root = System.getProperty("mynakit.root") ?: error("-Dmynakit.root is not set")
    return File(root, "test-vectors/$path").readBytes()
}

/** What goes wrong at one exchange. */
class Fault(
    /** 0-based exchange index. */
    val at: Int,
    /** The card processes the command before the failure (the link drops on the way back). */
    val afterDelivery: Boolean = false,
    /** The exception the transport throws. */
    val error: () -> Throwable,
)

/**
 * A [CardTransport] written in Kotlin: each APDU goes to [device] through the foreign
 * boundary (Rust -> Kotlin -> Rust) and back. Records the hints and command headers it saw
 * (never the data: a VERIFY carries the PIN).
 */
class KotlinVirtualTransport(
    val device: VirtualCardDevice,
    private val faults: List<Fault> = emptyList(),
) : CardTransport {
    /** Exchanges attempted. */
    var exchanges = 0
        private set

    /** (header, hint) per exchange. */
    val seen = mutableListOf<Pair<ByteArray, ExchangeHint>>()

    /** Names of the threads transmit ran on. */
    val threads = mutableSetOf<String>()

    override fun transmit(apdu: ByteArray, hint: ExchangeHint): ByteArray {
        val index = exchanges++
        seen.add(apdu.copyOf(4) to hint)
        threads.add(Thread.currentThread().name)
        val fault = faults.firstOrNull { it.at == index }
        if (fault != null) {
            if (fault.afterDelivery) device.process(apdu)
            throw fault.error()
        }
        return device.process(apdu)
    }

    override fun capabilities(): TransportCapabilities = device.capabilities()

    /** INS bytes of the commands sent. */
    fun instructions(): List<Int> = seen.map { it.first[1].toInt() and 0xFF }
}

/** Runs the JUnit classes named in [args], prints `junit: N passed, N failed`, exits non-zero on failure. */
fun main(args: Array<String>) {
    val core = JUnitCore()
    core.addListener(object : RunListener() {
        override fun testFailure(failure: Failure) {
            println("FAILED ${failure.testHeader}: ${failure.message.orEmpty().take(400)}")
            println(failure.trace.lineSequence().take(12).joinToString("\n"))
        }
    })
    val classes = args.map { Class.forName(it) }.toTypedArray()
    val result = core.run(*classes)
    val failed = result.failureCount
    val passed = result.runCount - failed
    println("junit: $passed passed, $failed failed")
    exitProcess(if (failed == 0 && result.runCount > 0) 0 else 1)
}
