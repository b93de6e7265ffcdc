// Declarations of androidx.compose.ui used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/ui/...
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.ui

// .../ui/Modifier: an interface whose companion is the empty modifier.
interface Modifier {
    infix fun then(other: Modifier): Modifier = other

    companion object : Modifier
}

// .../ui/Alignment (only the vertical alignment the sample uses)
interface Alignment {
    fun interface Vertical {
        fun align(size: Int, space: Int): Int
    }

    companion object {
        val Top: Vertical = Vertical { _, _ -> 0 }
        val CenterVertically: Vertical = Vertical { size, space -> (space - size) / 2 }
    }
}
