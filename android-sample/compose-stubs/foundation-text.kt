// Declarations of androidx.compose.foundation.text used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/foundation/text/KeyboardOptions
// (its other constructor parameters — capitalization, autoCorrectEnabled, imeAction, … — are
// left out: not used).
@file:Suppress("unused")

package androidx.compose.foundation.text

import androidx.compose.ui.text.input.KeyboardType

class KeyboardOptions(val keyboardType: KeyboardType = KeyboardType.Text)
