// Declarations of androidx.compose.runtime used by android-sample (see README.md): type-checking only.
// Reference: developer.android.com/reference/kotlin/androidx/compose/runtime/package-summary
@file:Suppress("UNUSED_PARAMETER", "unused")

package androidx.compose.runtime

import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.reflect.KProperty
import kotlinx.coroutines.flow.StateFlow

@PublishedApi
internal fun declarationOnly(): Nothing = throw UnsupportedOperationException("declaration for type-checking only")

// .../runtime/Composable
@MustBeDocumented
@Retention(AnnotationRetention.BINARY)
@Target(AnnotationTarget.FUNCTION, AnnotationTarget.TYPE, AnnotationTarget.TYPE_PARAMETER, AnnotationTarget.PROPERTY_GETTER)
annotation class Composable

// .../runtime/DisallowComposableCalls
@MustBeDocumented
@Target(AnnotationTarget.FUNCTION, AnnotationTarget.TYPE)
@Retention(AnnotationRetention.BINARY)
annotation class DisallowComposableCalls

// .../runtime/State, .../runtime/MutableState
interface State<out T> {
    val value: T
}

interface MutableState<T> : State<T> {
    override var value: T
}

// .../runtime/CompositionContext
abstract class CompositionContext

// .../runtime/package-summary#mutableStateOf (the policy parameter is left out: not used)
fun <T> mutableStateOf(value: T): MutableState<T> = declarationOnly()

// .../runtime/package-summary#remember(kotlin.Function0)
@Composable
inline fun <T> remember(crossinline calculation: @DisallowComposableCalls () -> T): T = declarationOnly()

// .../runtime/package-summary#remember(kotlin.Any,kotlin.Function0)
@Composable
inline fun <T> remember(key1: Any?, crossinline calculation: @DisallowComposableCalls () -> T): T = declarationOnly()

// .../runtime/package-summary#(androidx.compose.runtime.State).getValue
inline operator fun <T> State<T>.getValue(thisObj: Any?, property: KProperty<*>): T = value

// .../runtime/package-summary#(androidx.compose.runtime.MutableState).setValue
inline operator fun <T> MutableState<T>.setValue(thisObj: Any?, property: KProperty<*>, value: T) {
    this.value = value
}

// .../runtime/package-summary#(kotlinx.coroutines.flow.StateFlow).collectAsState
@Composable
fun <T> StateFlow<T>.collectAsState(context: CoroutineContext = EmptyCoroutineContext): State<T> = declarationOnly()
