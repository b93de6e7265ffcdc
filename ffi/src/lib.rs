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
//! - `VirtualCardDevice`, `CardSession.virtual_card`: testing without a card.
//! - `TrustStore`, `verify_signature`, `parse_certificate`, `decode_photo`: host-side checks.
//! - `TraceReplay`, `replay_trace_operation`: replaying recorded APDU traces.

mod apps;
mod error;
mod records;
mod session;
mod trace;
mod transport;
mod virtual_card;

pub use apps::*;
pub use error::{MynaError, TransportError, TransportErrorKind};
pub use records::*;
pub use session::{CardSession, TrustStore};
pub use trace::{TraceReplay, TraceSecret, replay_trace_operation, trace_result_differences};
pub use transport::{CardTransport, ProgressListener};
pub use virtual_card::{
    ShortReadBehaviour, VirtualCardDevice, VirtualCardOptions, virtual_card_profiles,
};

uniffi::setup_scaffolding!("mynakit");

/// The MynaKit version of this library.
#[uniffi::export]
pub fn mynakit_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
