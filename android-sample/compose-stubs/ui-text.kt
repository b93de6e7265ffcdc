// Declarations of androidx.compose.ui.text used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/ui/text/TextStyle
@file:Suppress("unused")

package androidx.compose.ui.text

class TextStyle
