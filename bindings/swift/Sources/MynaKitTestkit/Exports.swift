// The generated testkit bindings (MynaKitTestkit.swift, not edited by hand) use the SDK's types
// and FFI converters (CardSession, MynaError, CardTransport, …) without importing their module;
// this import makes them visible to the whole MynaKitTestkit module, and re-exports MynaKit to
// tests that `import MynaKitTestkit`.
@_exported import MynaKit
