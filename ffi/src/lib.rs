//! # MynaKit FFI
//!
//! The uniffi layer through which Kotlin (Android, package `jp.mynakit`) and Swift (iOS,
//! module `MynaKit`) use the MynaKit core. It holds no protocol logic: it converts types,
//! adapts the app's `CardTransport` to the core's transport, and maps the core's errors
//! to the flat `MynaError`.
//!
//! Exported items, each with its security notes, are listed in `ffi/README.md`.
//!
//! - `CardSession`: one session with one card; every core operation.
//! - `CardTransport`, `ProgressListener`: implemented by the app.
//! - `TrustStore`, `verify_signature`, `parse_certificate`, `decode_photo`: host-side checks.
//!
//! The virtual card, trace replay and the test trust anchors are NOT in this library: they
//! are the separate `mynakit-testkit-ffi` component (Kotlin `jp.mynakit.testkit`, Swift
//! `MynaKitTestkit`), built into a second, testing-only library, so the library an app ships
//! carries no simulator, no test key and no test root.

mod apps;
mod error;
mod records;
mod session;
mod transport;

pub use apps::*;
#[doc(hidden)]
pub use error::from_core;
pub use error::{MynaError, TransportError, TransportErrorKind};
pub use records::*;
pub use session::{CardSession, TrustStore};
#[doc(hidden)]
pub use transport::ForeignTransport;
pub use transport::{CardTransport, ProgressListener};

uniffi::setup_scaffolding!("mynakit");

/// The MynaKit version of this library.
#[uniffi::export]
pub fn mynakit_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
