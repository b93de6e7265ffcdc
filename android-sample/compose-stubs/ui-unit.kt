// Declarations of androidx.compose.ui.unit used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/ui/unit/Dp
@file:Suppress("unused")

package androidx.compose.ui.unit

@JvmInline
value class Dp(val value: Float)

// .../ui/unit/package-summary#(kotlin.Int).dp
inline val Int.dp: Dp get() = Dp(toFloat())
