// Declarations of androidx.activity.compose used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/activity/compose/package-summary#
// (androidx.activity.ComponentActivity).setContent(androidx.compose.runtime.CompositionContext,kotlin.Function0)
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.activity.compose

import androidx.activity.ComponentActivity
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionContext

fun ComponentActivity.setContent(parent: CompositionContext? = null, content: @Composable () -> Unit) {
    throw UnsupportedOperationException("declaration for type-checking only")
}
