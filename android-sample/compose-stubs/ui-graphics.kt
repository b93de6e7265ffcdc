// Declarations of androidx.compose.ui.graphics used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/ui/graphics/ImageBitmap,
// .../ui/graphics/package-summary#(android.graphics.Bitmap).asImageBitmap
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.ui.graphics

private fun declarationOnly(): Nothing = throw UnsupportedOperationException("declaration for type-checking only")

// .../ui/graphics/ImageBitmap (only the members the sample could read)
interface ImageBitmap {
    val width: Int
    val height: Int
}

fun android.graphics.Bitmap.asImageBitmap(): ImageBitmap = declarationOnly()
