// Declarations of androidx.compose.foundation.layout used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/foundation/layout/
//   Column.composable, Row.composable, ColumnScope, RowScope, Arrangement, package-summary
//   (padding, fillMaxSize, fillMaxWidth)
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.foundation.layout

import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.Dp

private fun declarationOnly(): Nothing = throw UnsupportedOperationException("declaration for type-checking only")

interface ColumnScope

interface RowScope

object Arrangement {
    interface Horizontal

    interface Vertical

    interface HorizontalOrVertical : Horizontal, Vertical

    val Top: Vertical = object : Vertical {}
    val Start: Horizontal = object : Horizontal {}

    fun spacedBy(space: Dp): HorizontalOrVertical = object : HorizontalOrVertical {}
}

// Column(modifier, verticalArrangement, horizontalAlignment, content); the horizontal
// alignment parameter (Alignment.Horizontal) is left out: not used.
@Composable
fun Column(
    modifier: Modifier = Modifier,
    verticalArrangement: Arrangement.Vertical = Arrangement.Top,
    content: @Composable ColumnScope.() -> Unit,
): Unit = declarationOnly()

@Composable
fun Row(
    modifier: Modifier = Modifier,
    horizontalArrangement: Arrangement.Horizontal = Arrangement.Start,
    verticalAlignment: Alignment.Vertical = Alignment.Top,
    content: @Composable RowScope.() -> Unit,
): Unit = declarationOnly()

fun Modifier.padding(all: Dp): Modifier = this

fun Modifier.fillMaxSize(fraction: Float = 1f): Modifier = this

fun Modifier.fillMaxWidth(fraction: Float = 1f): Modifier = this
