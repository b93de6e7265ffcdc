//! Replaying recorded APDU traces (`mynakit-trace/1`, see `test-vectors/README.md`) without
//! a card: QA engineers reproduce a session from the field, app developers test their
//! error handling against recorded faults.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mynakit_testkit::trace::{ReplayMode, ReplayTransport, Trace, ops};

use mynakit_ffi::CardSession;
use mynakit_ffi::Credential;
use mynakit_ffi::MynaError;

/// A credential a trace needed, by length only (traces never hold the values).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TraceSecret {
    /// The credential.
    pub credential: Credential,
    /// The length of the value that was presented.
    pub len: u32,
}

/// The replay transport, shared between the session that drives it and the
/// `TraceReplay` object that reports on it.
struct SharedReplay(Arc<Mutex<ReplayTransport>>);

fn lock(r: &Mutex<ReplayTransport>) -> MutexGuard<'_, ReplayTransport> {
    r.lock().unwrap_or_else(PoisonError::into_inner)
}

impl mynakit::Transport for SharedReplay {
    fn transmit(
        &mut self,
        apdu: &[u8],
        hint: mynakit::ExchangeHint,
    ) -> Result<Vec<u8>, mynakit::TransportError> {
        lock(&self.0).transmit(apdu, hint)
    }

    fn capabilities(&self) -> mynakit::Capabilities {
        lock(&self.0).capabilities()
    }
}

fn parse(trace_jsonl: &str) -> Result<Trace, MynaError> {
    Trace::parse(trace_jsonl).map_err(|e| MynaError::Trace {
        detail: e.to_string(),
    })
}

fn mode(strict: bool) -> ReplayMode {
    if strict {
        ReplayMode::Strict
    } else {
        ReplayMode::Relaxed
    }
}

/// A recorded trace being replayed: `session()` gives a `CardSession` whose transport
/// answers every command with the recorded response, after checking the command is the
/// recorded one (secret bytes excepted: traces never hold them). The first difference
/// stops the replay; `finish()` reports it.
#[derive(uniffi::Object)]
pub struct TraceReplay {
    replay: Arc<Mutex<ReplayTransport>>,
    session: Arc<CardSession>,
}

#[uniffi::export]
impl TraceReplay {
    /// Parses a trace (its JSON Lines text). `strict`: a redacted secret must have the
    /// recorded length; otherwise any length matches (replaying with another password).
    /// The session gets the trace's capabilities, protocol options and PIN policy.
    #[uniffi::constructor]
    pub fn new(trace_jsonl: String, strict: bool) -> Result<Arc<Self>, MynaError> {
        let trace = parse(&trace_jsonl)?;
        let protocol = trace.header.protocol;
        let policy = trace.header.pin_policy;
        let replay = Arc::new(Mutex::new(ReplayTransport::new(trace, mode(strict))));
        let session = CardSession::from_transport(
            Box::new(SharedReplay(replay.clone())),
            Arc::new(AtomicBool::new(false)),
        )?;
        session.configure(protocol, policy)?;
        Ok(Arc::new(TraceReplay { replay, session }))
    }

    /// The session to run the app's code (or the trace's operation) on.
    pub fn session(&self) -> Arc<CardSession> {
        self.session.clone()
    }

    /// The operation the trace records (`auth-cert`, `sign-auth`, `session`, …).
    pub fn operation_name(&self) -> String {
        lock(&self.replay).header().operation.name.clone()
    }

    /// The operation's parameters as JSON.
    pub fn operation_params_json(&self) -> String {
        serde_json::to_string(&lock(&self.replay).header().operation.params)
            .unwrap_or_else(|_| "{}".to_string())
    }

    /// The credentials the recorded session presented, with their lengths.
    pub fn secrets(&self) -> Vec<TraceSecret> {
        lock(&self.replay)
            .header()
            .secrets
            .iter()
            .filter_map(|s| {
                Some(TraceSecret {
                    credential: Credential::from_core(s.credential)?,
                    len: u32::try_from(s.len).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// Exchanges answered so far.
    pub fn position(&self) -> u32 {
        u32::try_from(lock(&self.replay).position()).unwrap_or(u32::MAX)
    }

    /// Recorded exchanges not requested yet.
    pub fn remaining(&self) -> u32 {
        u32::try_from(lock(&self.replay).remaining()).unwrap_or(u32::MAX)
    }

    /// Checks the session followed the whole trace: throws `MynaError.Trace` naming the
    /// first differing exchange, or the first recorded exchange never requested.
    pub fn finish(&self) -> Result<(), MynaError> {
        lock(&self.replay).finish()?;
        Ok(())
    }
}

/// Replays a trace's named operation entirely in Rust (as `mynakit trace replay` does) and
/// returns the result as `mynakit-trace-result/1` JSON, the format of a golden vector's
/// `.expected.json`. Throws `MynaError.Trace` when the session left the trace.
#[uniffi::export]
pub fn replay_trace_operation(trace_jsonl: String, strict: bool) -> Result<String, MynaError> {
    let trace = parse(&trace_jsonl)?;
    let report = ops::replay(&trace, mode(strict), Vec::new())?;
    Ok(report.outcome.to_json_pretty()?)
}

/// The JSON paths where two `mynakit-trace-result/1` documents differ (empty when they
/// agree).
#[uniffi::export]
pub fn trace_result_differences(
    actual_json: String,
    expected_json: String,
) -> Result<Vec<String>, MynaError> {
    let a = ops::Outcome::from_json(&actual_json)?;
    let b = ops::Outcome::from_json(&expected_json)?;
    Ok(a.differences(&b))
}
