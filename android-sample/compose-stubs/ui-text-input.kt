// Declarations of androidx.compose.ui.text.input used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/ui/text/input/...
@file:Suppress("unused")

package androidx.compose.ui.text.input

// .../VisualTransformation (a fun interface; its filter's types are left out here)
interface VisualTransformation {
    companion object {
        val None: VisualTransformation = object : VisualTransformation {}
    }
}

// .../PasswordVisualTransformation(mask: Char = '\u2022')
class PasswordVisualTransformation(val mask: Char = '\u2022') : VisualTransformation

// .../KeyboardType: a value class with named constants
@JvmInline
value class KeyboardType internal constructor(private val value: Int) {
    companion object {
        val Text: KeyboardType = KeyboardType(1)
        val Number: KeyboardType = KeyboardType(3)
        val Password: KeyboardType = KeyboardType(7)
        val NumberPassword: KeyboardType = KeyboardType(8)
    }
}
