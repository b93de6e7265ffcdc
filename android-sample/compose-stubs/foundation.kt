// Declarations of androidx.compose.foundation used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/foundation/ScrollState,
// .../foundation/package-summary#rememberScrollState, #(androidx.compose.ui.Modifier).verticalScroll,
// .../foundation/package-summary#Image(androidx.compose.ui.graphics.ImageBitmap,kotlin.String,androidx.compose.ui.Modifier,androidx.compose.ui.Alignment,androidx.compose.ui.layout.ContentScale,kotlin.Float,androidx.compose.ui.graphics.ColorFilter,androidx.compose.ui.graphics.FilterQuality)
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.foundation

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap

class ScrollState(initial: Int)

@Composable
fun rememberScrollState(initial: Int = 0): ScrollState = ScrollState(initial)

// The flingBehavior parameter (a FlingBehavior?) is left out: not used.
fun Modifier.verticalScroll(state: ScrollState, enabled: Boolean = true, reverseScrolling: Boolean = false): Modifier = this

// alignment, contentScale, alpha, colorFilter and filterQuality (all with defaults) are left out: not used.
@Composable
fun Image(bitmap: ImageBitmap, contentDescription: String?, modifier: Modifier = Modifier): Unit =
    throw UnsupportedOperationException("declaration for type-checking only")
