// Declarations of androidx.activity used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/androidx/activity/ComponentActivity (an Activity
// subclass through androidx.core.app.ComponentActivity).
@file:Suppress("unused")

package androidx.activity

open class ComponentActivity : android.app.Activity()
