// The bank's server over HTTP (the BankServer interface is in EkycFlow.kt).
// The server is MynaKit's verification service (`mynakit-verify-service`, docs/server.md):
//   POST /v1/nonce  -> {"nonce": HEX, "expires_at": ...}
//   POST /v1/verify (the evidence JSON) -> {"verdict": "accepted"|"rejected"|"incomplete", "checks": [...]}
// Only the server's verdict counts; what the phone checked is informational.
package jp.mynakit.sample

import java.io.IOException
import java.net.HttpURLConnection
import java.net.URL
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.json.JSONException
import org.json.JSONObject

/** [BankServer] over HTTP(S) at [baseUrl] (e.g. `https://ekyc.example.jp`; the emulator reaches the host as `http://10.0.2.2:8080`). */
class HttpBankServer(private val baseUrl: String, private val timeoutMs: Int = 10_000) : BankServer {

    override suspend fun nonce(): ByteArray {
        val body = post("/v1/nonce", ByteArray(0))
        val hex = try {
            JSONObject(body).getString("nonce")
        } catch (e: JSONException) {
            throw IOException("the server's nonce answer is not understood", e)
        }
        if (hex.length % 2 != 0 || hex.length !in 32..128 || !hex.all { it.isDigit() || it.uppercaseChar() in 'A'..'F' }) {
            throw IOException("the server sent a malformed nonce")
        }
        return ByteArray(hex.length / 2) { hex.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
    }

    override suspend fun verify(evidenceJson: String): ServerVerdict {
        val body = post("/v1/verify", evidenceJson.toByteArray(Charsets.UTF_8))
        return try {
            val report = JSONObject(body)
            val checks = report.optJSONArray("checks")
            val failed = mutableListOf<String>()
            if (checks != null) {
                for (i in 0 until checks.length()) {
                    val c = checks.getJSONObject(i)
                    if (c.optString("result") == "failed") failed.add(c.optString("id"))
                }
            }
            ServerVerdict(report.getString("verdict"), failed)
        } catch (e: JSONException) {
            throw IOException("the server's report is not understood", e)
        }
    }

    private suspend fun post(path: String, body: ByteArray): String = withContext(Dispatchers.IO) {
        val c = URL(baseUrl.trimEnd('/') + path).openConnection() as HttpURLConnection
        try {
            c.requestMethod = "POST"
            c.connectTimeout = timeoutMs
            c.readTimeout = timeoutMs
            c.doOutput = true
            c.setRequestProperty("Content-Type", "application/json")
            c.outputStream.use { it.write(body) }
            if (c.responseCode != 200) throw IOException("the server answered HTTP ${c.responseCode}")
            c.inputStream.use { it.readBytes().toString(Charsets.UTF_8) }
        } finally {
            c.disconnect()
        }
    }
}
