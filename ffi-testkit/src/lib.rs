//! # MynaKit testkit FFI
//!
//! The QA side of the bindings, a uniffi component of its own (Kotlin package
//! `jp.mynakit.testkit`, Swift module `MynaKitTestkit`) so that the library an app ships,
//! `libmynakit_ffi`, carries none of it:
//!
//! - `VirtualCardDevice`, `virtual_card_session`: the virtual My Number Card;
//! - `TraceRecorder`: recording a session on a device (secrets never written, timing per
//!   exchange, optional scrubbing, device facts);
//! - `TraceReplay`, `replay_trace_operation`, `trace_result_differences`: recorded traces;
//! - `secret_encodings_in`: the secret search run on recorded traces;
//! - `test_trust_store`, `virtual_card_cv_ca_key`: the test trust anchors, which the SDK
//!   does not embed.
//!
//! This crate's library (`libmynakit_testkit_ffi`) links the SDK component too: tests load
//! it in place of `libmynakit_ffi` (Kotlin: the system property
//! `uniffi.component.mynakit.libraryOverride=mynakit_testkit_ffi`).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use mynakit_ffi::{CardSession, CvCaKey, MynaError, TrustPolicy, TrustStore};

mod recording;
mod trace;
mod virtual_card;

pub use recording::{RecordingOptions, TraceRecorder};
pub use trace::{TraceReplay, TraceSecret, replay_trace_operation, trace_result_differences};
pub use virtual_card::{
    ShortReadBehaviour, VirtualCardDevice, VirtualCardOptions, virtual_card_profiles,
};

uniffi::setup_scaffolding!("mynakit_testkit");

/// A session with a built-in virtual card (`taro`, `hanako`, `jlis-test`) inside Rust: no
/// card and no transport needed. Test material only.
#[uniffi::export]
pub fn virtual_card_session(profile: String) -> Result<Arc<CardSession>, MynaError> {
    virtual_card_session_with_options(profile, VirtualCardOptions::default())
}

/// A session with a built-in virtual card and options.
#[uniffi::export]
pub fn virtual_card_session_with_options(
    profile: String,
    options: VirtualCardOptions,
) -> Result<Arc<CardSession>, MynaError> {
    let card = virtual_card::build(&profile, &options)?;
    CardSession::from_transport(Box::new(card), Arc::new(AtomicBool::new(false)))
}

/// A trust store with the production roots and the test roots (JPKI-TEST, the virtual
/// card's), each accepted only as `policy` says.
#[uniffi::export]
pub fn test_trust_store(policy: TrustPolicy) -> Result<Arc<TrustStore>, MynaError> {
    let store = mynakit_testkit::trust::trust_store(policy.to_core())
        .map_err(|e| mynakit_ffi::from_core(e, false))?;
    Ok(TrustStore::from_core(store))
}

/// The virtual card's CV test CA key, for `ApReadOptions.cv_ca_keys`.
#[uniffi::export]
pub fn virtual_card_cv_ca_key() -> CvCaKey {
    CvCaKey {
        key_id: mynakit_testkit::trust::VIRTUAL_CARD_CV_CA_KEYID.to_vec(),
        spki_der: mynakit_testkit::trust::VIRTUAL_CARD_CV_CA_SPKI.to_vec(),
        label: "MynaKit virtual card CV TEST CA".into(),
    }
}

/// The encodings of `secret` found in a recorded trace's text (ASCII, hex, Base64, UTF-16,
/// JSON escapes): empty when the trace does not hold it. The same search the Rust trace
/// tests run, for the Kotlin and Swift tests of traces recorded through the bindings.
#[uniffi::export]
pub fn secret_encodings_in(trace_text: String, secret: String) -> Vec<String> {
    mynakit_testkit::trace::leak::find(trace_text.as_bytes(), &secret)
}
