// Test helpers over the generated testkit bindings (mynakit_testkit.kt): the virtual card and
// the test trust anchors for the idiomatic MynaCard layer. Like everything in src/testkit, this
// is not part of the shipped library (the Gradle build adds src/testkit to the test source sets
// only) and needs libmynakit_testkit_ffi, which tests load in place of libmynakit_ffi:
//   -Duniffi.component.mynakit.libraryOverride=mynakit_testkit_ffi
package jp.mynakit.testkit

import jp.mynakit.Certificate
import jp.mynakit.ChainVerification
import jp.mynakit.MynaCard
import jp.mynakit.MynaException
import jp.mynakit.MynaKitError
import jp.mynakit.TrustPolicy
import jp.mynakit.verifyChain
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers

private inline fun <T> call(block: () -> T): T =
    try {
        block()
    } catch (e: MynaException) {
        throw MynaKitError.from(e)
    }

/** A [MynaCard] over a built-in virtual card (`taro`, `hanako`): test material only. */
fun MynaCard.Companion.virtualCard(profile: String = "taro", dispatcher: CoroutineDispatcher = Dispatchers.IO): MynaCard =
    MynaCard(call { virtualCardSession(profile) }, dispatcher)

/**
 * Checks [certificate]'s chain against the production roots and the test roots [policy]
 * accepts (the virtual card's, J-LIS test cards'); throws [MynaKitError.VerificationFailed].
 */
fun verifyChainWithTestRoots(certificate: Certificate, policy: TrustPolicy, atUnix: Long? = null): ChainVerification =
    call { testTrustStore(policy) }.use { verifyChain(certificate, it, atUnix) }
