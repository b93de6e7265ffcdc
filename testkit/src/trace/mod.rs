//! APDU traces: record a session, replay it without the card, annotate and compare traces.
//!
//! QA teams reproduce a failure from the field without the card or its holder: the app
//! records the session through a [`Recorder`], the trace file travels, and a
//! [`ReplayTransport`] answers the same commands with the same responses, so the SDK
//! reproduces the same result (or names the first exchange where it now behaves
//! differently).
//!
//! The file format is versioned JSON Lines (`mynakit-trace/1`), specified normatively in
//! `test-vectors/README.md`: a header line (the operation and its parameters, transport
//! capabilities, protocol options, what was redacted or scrubbed, fixed random values),
//! one line per exchange (command hex, response hex or link error, elapsed milliseconds,
//! optional annotation) and an end line with the exchange count, so a truncated file is
//! detected.
//!
//! Secrets never reach a trace: the data field of a VERIFY (and of CHANGE REFERENCE DATA,
//! RESET RETRY COUNTER and CHANGE KEY) is removed before the exchange is stored, leaving a
//! marker with its length. On request, [`scrub`] replaces personal data in responses
//! (certificates' subject, subjectAltName, serial, key and signature; every value of the
//! text and card-face applications) with filler of the same length, keeping the TLV
//! structure; the header then says so, and the certificates no longer verify.
//!
//! Layers: [`format`](mod@format) (the file), [`decode`] (command names, AP/EF tracking), [`Recorder`],
//! [`scrub`], [`ReplayTransport`], [`ops`] (named operations with their expected results,
//! shared by `mynakit record`, `mynakit trace replay` and the golden vectors) and
//! [`diff`].
//!
//! ```
//! use mynakit_testkit::sim::VirtualCard;
//! use mynakit_testkit::trace::{ops, ReplayMode, Trace};
//!
//! // Record the user-authentication certificate read from the virtual card.
//! let sim = VirtualCard::builtin("taro")?;
//! let options = ops::RecordSettings::golden("sim:taro");
//! let (trace, recorded) =
//!     ops::record(sim, &ops::Operation::AuthCert, &ops::Secrets::default(), &options)?;
//! let text = trace.to_jsonl()?;
//!
//! // Replay it without the card: same commands, same result.
//! let replayed = ops::replay(&Trace::parse(&text)?, ReplayMode::Strict, Vec::new())?;
//! assert_eq!(replayed.outcome, recorded);
//! # Ok::<(), mynakit::Error>(())
//! ```

// Trace files are untrusted input: no unchecked arithmetic on what they carry.
#![warn(clippy::arithmetic_side_effects)]

pub mod decode;
pub mod diff;
pub mod format;
pub mod golden;
pub mod leak;
pub mod ops;
mod record;
mod replay;
mod scrub;

pub use format::{
    Exchange, FixedValues, OperationSpec, RecordedError, RecordedErrorKind, Redacted,
    RedactionInfo, ScrubbedRange, SecretInfo, TRACE_FORMAT, Trace, TraceHeader,
};
pub use record::{Clock, FixedClock, RecordOptions, Recorder, RecordingHandle, WallClock};
pub use replay::{Mismatch, ReplayMode, ReplayTransport};
pub use scrub::scrub;

use std::fmt;

/// A problem with a trace file, with the line it was found on (1-based; the header is
/// line 1, exchange `i` is line `i + 2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// The line, when the problem is tied to one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl TraceError {
    /// An error at a line.
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        TraceError {
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error not tied to a line.
    pub fn general(message: impl Into<String>) -> Self {
        TraceError {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TraceError {}

impl From<TraceError> for mynakit::Error {
    fn from(e: TraceError) -> Self {
        mynakit::Error::Trace(e.to_string())
    }
}
