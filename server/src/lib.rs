//! # mynakit-server
//!
//! The bank's side of MynaKit (issue 12): verify an evidence bundle made on the phone by
//! [`mynakit::evidence`], trusting nothing but the card bytes it carries and the nonce
//! this server issued. See `docs/server.md`.
//!
//! ```no_run
//! use mynakit_server::{Verifier, VerifierConfig, time::parse_rfc3339};
//! # fn f(bundle: &[u8], nonce: &[u8]) -> mynakit::Result<()> {
//! let verifier = Verifier::new(VerifierConfig::production()?);
//! let at = parse_rfc3339("2027-04-01T09:00:00+09:00").unwrap_or_default();
//! let report = verifier.verify_json(bundle, nonce, at);
//! if report.accepted() { /* every required check verified */ }
//! # Ok(()) }
//! ```

pub mod cli;
pub mod crl;
pub mod matching;
pub mod ocsp;
pub mod record;
pub mod revocation;
#[cfg(feature = "service")]
pub mod service;
pub mod time;
pub mod verify;

pub use revocation::{RevocationChecker, RevocationStatus};
pub use verify::{CheckResult, Report, Verdict, VerifiedFacts, Verifier, VerifierConfig};
