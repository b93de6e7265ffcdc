// MynaKit Android sample: the Compose screen (Japanese UI). It only renders ScreenState and calls
// EkycScreenModel (EkycScreenModel.kt, tested on the JVM), which drives EkycFlow (EkycFlow.kt):
//   - ログイン: the PIN counter first, then the PIN → the card signs the server's nonce → the
//     server verifies; when the SDK stops before the last try, "最後の1回を使う" appears;
//   - 電子署名 (ワ method): the signing password and the consent text;
//   - 基本4情報: 照合番号B from the card face (birth date, expiry year, security code);
//   - 本人確認（ヘ方式）: the same 照合番号B opens both 券面 applications, the server verifies the
//     chip data, and the chip's photo is shown (the bank compares it with the selfie).
// Progress ("カードを動かさないでください", reading n%, card lost → hold it again) comes from
// MynaNfcReader.events. Nothing runs on the binder thread; a secret leaves its field when a
// button takes it.
package jp.mynakit.sample

import android.graphics.BitmapFactory
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.text.input.VisualTransformation
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel

/** The consent text the ワ-method signature covers (the bank's own wording goes here). */
const val CONSENT_TEXT = "口座開設の申込内容に同意します"

class MainActivity : ComponentActivity() {
    // Cancelled in onDestroy: a running session ends and the tag is closed at once.
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val cards = SampleCards.create(this)
        val model = EkycScreenModel(
            flow = EkycFlow(cards, HttpBankServer(SampleCards.serverUrl)),
            modeText = SampleCards.modeText,
            scope = scope,
            events = (cards as? NfcCardSource)?.reader?.events,
        )
        setContent { MaterialTheme { EkycScreen(model) } }
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }
}

@Composable
fun EkycScreen(model: EkycScreenModel) {
    val state by model.state.collectAsState()
    var secret by remember { mutableStateOf("") }
    var lastTry by remember { mutableStateOf(false) }
    var birth by remember { mutableStateOf("") }
    var expiry by remember { mutableStateOf("") }
    var code by remember { mutableStateOf("") }

    // A secret is used for one call: the field and the last-try consent are cleared when a button takes it.
    fun takeSecret(): Pair<String, Boolean> = Pair(secret, lastTry).also {
        secret = ""
        lastTry = false
    }

    Column(
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        Text(state.status, style = MaterialTheme.typography.titleMedium)
        HorizontalDivider()

        Text("ログイン・電子署名", style = MaterialTheme.typography.titleSmall)
        Button(onClick = { model.checkRetries() }, enabled = !state.busy) { Text("暗証番号の残り回数を見る") }
        if (state.tries.isNotEmpty()) Text(state.tries)
        Field(secret, { secret = it }, "暗証番号（ログインは数字4桁、署名は英数字6〜16桁）", KeyboardType.Password, hidden = true)
        if (state.offerLastTry) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Checkbox(checked = lastTry, onCheckedChange = { lastTry = it })
                Text("最後の1回を使う（間違えるとロックされ、市区町村の窓口での手続きが必要です）")
            }
        }
        Button(onClick = {
            val (pin, useLastTry) = takeSecret()
            model.login(pin, useLastTry)
        }, enabled = !state.busy) { Text("ログイン（利用者証明用電子証明書）") }
        Button(onClick = {
            val (password, useLastTry) = takeSecret()
            model.sign(password, CONSENT_TEXT, useLastTry)
        }, enabled = !state.busy) { Text("電子署名（署名用電子証明書・ワ方式）") }
        HorizontalDivider()

        Text("基本4情報（照合番号B）", style = MaterialTheme.typography.titleSmall)
        Field(birth, { birth = it }, "生年月日（西暦 例 19800217）", KeyboardType.Number)
        Field(expiry, { expiry = it }, "有効期限の年（例 2035）", KeyboardType.Number)
        Field(code, { code = it }, "セキュリティコード（4桁）", KeyboardType.NumberPassword, hidden = true)
        Button(onClick = {
            val sc = code
            code = ""
            model.readAttributes(birth, expiry, sc)
        }, enabled = !state.busy) { Text("基本4情報を読む") }
        Button(onClick = {
            val sc = code
            code = ""
            model.chipRead(birth, expiry, sc)
        }, enabled = !state.busy) { Text("本人確認（ヘ方式：ICチップの情報と顔写真）") }
        HorizontalDivider()

        if (state.result.isNotEmpty()) Text(state.result, style = MaterialTheme.typography.bodyMedium)
        val png = state.photoPng
        val photo = remember(png) { png?.let { BitmapFactory.decodeByteArray(it, 0, it.size) }?.asImageBitmap() }
        if (photo != null) Image(photo, contentDescription = "ICチップの顔写真")
    }
}

/** One single-line text field of the screen; [hidden] hides what is typed. */
@Composable
private fun Field(value: String, onValueChange: (String) -> Unit, label: String, keyboardType: KeyboardType, hidden: Boolean = false) {
    OutlinedTextField(
        value = value,
        onValueChange = onValueChange,
        modifier = Modifier.fillMaxWidth(),
        label = { Text(label) },
        visualTransformation = if (hidden) PasswordVisualTransformation() else VisualTransformation.None,
        keyboardOptions = KeyboardOptions(keyboardType = keyboardType),
        singleLine = true,
    )
}
