// Declarations of androidx.compose.foundation used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/foundation/ScrollState,
// .../foundation/package-summary#rememberScrollState, #(androidx.compose.ui.Modifier).verticalScroll
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.foundation

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier

class ScrollState(initial: Int)

@Composable
fun rememberScrollState(initial: Int = 0): ScrollState = ScrollState(initial)

// The flingBehavior parameter (a FlingBehavior?) is left out: not used.
fun Modifier.verticalScroll(state: ScrollState, enabled: Boolean = true, reverseScrolling: Boolean = false): Modifier = this
