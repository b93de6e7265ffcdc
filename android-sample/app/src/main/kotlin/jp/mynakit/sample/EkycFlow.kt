// The eKYC steps of the sample, without UI: what a bank app copies.
//   1. counters: read the PIN's retry counter first (no try spent) so the PIN screen shows it;
//   2. login (JPKI user authentication, the ワ method's login half): server nonce -> the card
//      signs it -> the evidence goes to the server, whose verdict decides;
//   3. ワ-method signature: the signing password, the holder's consent text, same path;
//   4. text read (券面事項入力補助AP) with 照合番号B built from what the card face shows;
//   5. ヘ method: the attributes and the card face with its photo under the same 照合番号B,
//      each application's card key signing a challenge bound to a server nonce; the server's
//      verdict decides, and the photo is what the bank compares the selfie with.
// Every outcome an app must handle is a case of [Outcome], with a Japanese message.
package jp.mynakit.sample

import java.io.IOException
import jp.mynakit.ApReadOptions
import jp.mynakit.CalendarDate
import jp.mynakit.CheckOutcome
import jp.mynakit.Credential
import jp.mynakit.FaceUnlock
import jp.mynakit.MynaCard
import jp.mynakit.MynaKitError
import jp.mynakit.MynaNfcReader
import jp.mynakit.Retries
import jp.mynakit.TagLossResume
import jp.mynakit.TextUnlock
import jp.mynakit.codeBFromCardFace
import jp.mynakit.decodePhoto

/** What the bank's server decided about a bundle. */
data class ServerVerdict(
    /** `accepted`, `rejected` or `incomplete`. */
    val verdict: String,
    /** The ids of the checks that failed (`certificate.chain`, `nonce.binding`, …). */
    val failedChecks: List<String>,
) {
    val accepted: Boolean get() = verdict == "accepted"
}

/** The two calls an eKYC flow makes to the bank. */
interface BankServer {
    /** A fresh single-use nonce for one card operation. */
    suspend fun nonce(): ByteArray

    /** Sends the evidence bundle; returns the server's verdict. */
    suspend fun verify(evidenceJson: String): ServerVerdict
}

/** Where cards come from: the phone's NFC, or (debug builds only) the virtual card. */
interface CardSource {
    suspend fun <T> session(block: suspend (MynaCard) -> T): T

    /** Options for the 券面 applications' checks (the virtual card needs its test CV key). */
    val apReadOptions: ApReadOptions get() = ApReadOptions()
}

/** Real cards through [MynaNfcReader]: a card that slips away is asked for again and the flow continues. */
class NfcCardSource(val reader: MynaNfcReader) : CardSource {
    override suspend fun <T> session(block: suspend (MynaCard) -> T): T =
        reader.session(TagLossResume(maxResumes = 2), block)
}

/** What happened, for the UI: each case carries the text to show (Japanese). */
sealed class Outcome(val message: String) {
    class Accepted(what: String) : Outcome("$what：銀行のサーバーで確認できました")
    class Rejected(val failedChecks: List<String>) :
        Outcome("銀行のサーバーが受け付けませんでした（${failedChecks.joinToString()}）")
    class TextRead(val name: String, val address: String, val verified: Boolean) :
        Outcome("氏名：$name\n住所：$address\n" + if (verified) "カードの署名を確認しました" else "カードの署名を確認できませんでした")

    /**
     * ヘ method accepted by the server: the name and address read from the chip, and the chip's
     * photo as PNG ([photoPng]) for the selfie comparison (null if it could not be decoded).
     */
    class ChipRead(val name: String, val address: String, val photoPng: ByteArray?) :
        Outcome("氏名：$name\n住所：$address\nICチップの読み取りを銀行のサーバーで確認できました（ヘ方式）")

    /** The PIN was wrong: ask again, showing [remaining]. */
    class WrongPin(val remaining: Int, text: String) : Outcome(text)

    /** Blocked: only the municipal office can reset it. */
    class Blocked(text: String) : Outcome(text)

    /** One try left (or fewer): the SDK did not send the PIN; ask the user explicitly before using the last try. */
    class LastTry(val remaining: Int?, text: String) : Outcome(text)

    /** The card left during the PIN check and the counter could not be read: read it before asking again. */
    class OutcomeUnknown(text: String) : Outcome(text)

    /** The card left and was not presented again in time. */
    class CardLost(text: String) : Outcome(text)

    /** Anything else (code and message from the SDK). */
    class Failed(text: String) : Outcome(text)
}

class EkycFlow(private val cards: CardSource, private val server: BankServer) {

    /** The counter of [credential], without spending a try. */
    suspend fun retries(credential: Credential): Retries = cards.session { it.retryStatus(credential) }

    /**
     * JPKI login. [allowLastTry] only after the user was told this is the last try and agreed.
     * The PIN is presented at most once per call; the SDK never repeats it on its own.
     */
    suspend fun login(pin: String, allowLastTry: Boolean = false): Outcome = guarded {
        val nonce = server.nonce()
        val evidence = cards.session { it.login(pin, nonce, allowBelowFloor = allowLastTry) }
        verdict("利用者証明", server.verify(evidence.evidenceJson))
    }

    /** ワ-method signature over [consent] with the signing password. */
    suspend fun sign(password: String, consent: String, allowLastTry: Boolean = false): Outcome = guarded {
        val nonce = server.nonce()
        val evidence = cards.session {
            it.signEvidence(password, nonce, consent.toByteArray(Charsets.UTF_8), allowBelowFloor = allowLastTry)
        }
        verdict("電子署名", server.verify(evidence.evidenceJson))
    }

    /**
     * 券面事項入力補助AP's four attributes with 照合番号B from the card face: the birth date as
     * printed, the expiry year, the 4-digit security code. No My Number is read (照合番号B
     * does not open it), so the app holds no 特定個人情報.
     */
    suspend fun readAttributes(birth: CalendarDate, expiryYear: Int, securityCode: String): Outcome = guarded {
        val code = codeBFromCardFace(birth, expiryYear, securityCode)
        val report = cards.session { it.readText(TextUnlock.CODE_B, code, cards.apReadOptions) }
        val a = report.attributes
        if (a == null) {
            Outcome.Failed("基本4情報を読めませんでした")
        } else {
            // Under 照合番号B the My Number is not read, so its digest stays "not checked" and
            // `allVerified` is false: what counts here is that nothing failed, the CV
            // certificate chained to a CV CA key (`cvChained`) and the attributes' digest in
            // the card-signed integrity record was verified.
            val v = report.verification
            val attributesVerified = v.cvChained &&
                v.checks.any { it.name.startsWith("attributes digest") && it.outcome is CheckOutcome.Verified }
            Outcome.TextRead(a.name, a.address, attributesVerified)
        }
    }

    /**
     * ヘ method: 照合番号B from the card face as typed opens both 券面 applications; each one's
     * card key signs a challenge bound to the server's nonce. The bundle (raw chip data) goes to
     * the server, whose verdict decides; the chip photo is returned for the selfie comparison.
     * No My Number is read.
     */
    suspend fun chipRead(birth: CalendarDate, expiryYear: Int, securityCode: String): Outcome = guarded {
        val code = codeBFromCardFace(birth, expiryYear, securityCode)
        val nonce = server.nonce()
        val evidence = cards.session {
            it.chipReadEvidence(
                nonce,
                textUnlock = TextUnlock.CODE_B,
                textValue = code,
                faceUnlock = FaceUnlock.CODE_B,
                faceValue = code,
                options = cards.apReadOptions,
            )
        }
        val v = server.verify(evidence.evidenceJson)
        val a = evidence.attributes
        if (!v.accepted || a == null) {
            verdict("本人確認（ヘ方式）", v)
        } else {
            val png = try {
                evidence.front?.photo?.decodePhoto()?.png
            } catch (e: MynaKitError) {
                null // the server has the photo in the bundle; this phone just cannot show it
            }
            Outcome.ChipRead(a.name, a.address, png)
        }
    }

    private fun verdict(what: String, v: ServerVerdict): Outcome =
        if (v.accepted) Outcome.Accepted(what) else Outcome.Rejected(v.failedChecks)

    /** Maps every error to an [Outcome] with the SDK's Japanese message. */
    private suspend fun guarded(block: suspend () -> Outcome): Outcome =
        try {
            block()
        } catch (e: MynaKitError.WrongPin) {
            Outcome.WrongPin(e.remainingTries, e.messageJa)
        } catch (e: MynaKitError.Blocked) {
            Outcome.Blocked(e.messageJa)
        } catch (e: MynaKitError.RetryFloor) {
            Outcome.LastTry(e.remainingTries, "${e.messageJa}\n残り1回です。続ける場合は「最後の1回を使う」を選んでください")
        } catch (e: MynaKitError.VerifyOutcomeUnknown) {
            Outcome.OutcomeUnknown(e.messageJa)
        } catch (e: MynaKitError.CardRemoved) {
            Outcome.CardLost(e.messageJa)
        } catch (e: MynaKitError) {
            Outcome.Failed("${e.messageJa}（${e.code}）")
        } catch (e: IOException) {
            Outcome.Failed("銀行のサーバーに接続できませんでした：${e.message}")
        }
}
