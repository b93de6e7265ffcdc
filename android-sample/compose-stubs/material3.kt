// Declarations of androidx.compose.material3 used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/material3/
//   MaterialTheme.composable, MaterialTheme (object), Typography, Text.composable,
//   Button.composable, OutlinedTextField.composable, Checkbox.composable,
//   HorizontalDivider.composable. Parameters the sample does not pass are left out; those
//   declared keep the reference's names, order and defaults.
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.material3

import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.input.VisualTransformation

private fun declarationOnly(): Nothing = throw UnsupportedOperationException("declaration for type-checking only")

class Typography {
    val titleMedium: TextStyle = TextStyle()
    val titleSmall: TextStyle = TextStyle()
    val bodyMedium: TextStyle = TextStyle()
}

object MaterialTheme {
    val typography: Typography
        @Composable get() = declarationOnly()
}

// MaterialTheme(colorScheme, shapes, typography, content): only content is passed.
@Composable
fun MaterialTheme(content: @Composable () -> Unit): Unit = declarationOnly()

// Text(text: String, modifier, color, …, style = LocalTextStyle.current): the sample passes text, modifier, style.
@Composable
fun Text(
    text: String,
    modifier: Modifier = Modifier,
    style: TextStyle = TextStyle(),
): Unit = declarationOnly()

@Composable
fun Button(
    onClick: () -> Unit,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
    content: @Composable RowScope.() -> Unit,
): Unit = declarationOnly()

@Composable
fun OutlinedTextField(
    value: String,
    onValueChange: (String) -> Unit,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
    label: (@Composable () -> Unit)? = null,
    visualTransformation: VisualTransformation = VisualTransformation.None,
    keyboardOptions: KeyboardOptions = KeyboardOptions(),
    singleLine: Boolean = false,
): Unit = declarationOnly()

@Composable
fun Checkbox(
    checked: Boolean,
    onCheckedChange: ((Boolean) -> Unit)?,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
): Unit = declarationOnly()

@Composable
fun HorizontalDivider(modifier: Modifier = Modifier): Unit = declarationOnly()
