//! Recording a session to a trace on a device: the app's own `CardTransport` (Android
//! `IsoDep`, iOS CoreNFC) is wrapped so that every exchange of the session is kept, with the
//! time each took on the device. VERIFY data and other secrets never enter the recording
//! (only their length); personal data in responses can be scrubbed at export.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use mynakit::Transport;
use mynakit_ffi::{CardSession, CardTransport, ForeignTransport, MynaError};
use mynakit_testkit::trace::{
    OperationSpec, RecordOptions, Recorder, RecordingHandle, TraceHeader, WallClock,
};

/// What a recording writes in its header besides the exchanges.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct RecordingOptions {
    /// Where the card came from (`android-nfc`, `ios-corenfc`, a reader name).
    #[uniffi(default = "device")]
    pub card: String,
    /// The operation, when the app runs exactly one of the named operations (`auth-cert`,
    /// `sign-auth`, …, with `operation_params_json`), so that `replay_trace_operation` can
    /// replay it; `None` records the app's own session (`session`), replayed with
    /// `TraceReplay`.
    #[uniffi(default = None)]
    pub operation: Option<String>,
    /// The named operation's parameters as a JSON object (never a secret).
    #[uniffi(default = None)]
    pub operation_params_json: Option<String>,
    /// Facts about the device the app chooses to add (model, OS version, …).
    #[uniffi(default)]
    pub device: HashMap<String, String>,
    /// The app writing the trace (name and version).
    #[uniffi(default = None)]
    pub recorded_by: Option<String>,
}

/// A session being recorded: run the flow on `session()`, then export the trace.
#[derive(uniffi::Object)]
pub struct TraceRecorder {
    session: Arc<CardSession>,
    handle: RecordingHandle,
}

fn invalid(detail: impl Into<String>) -> MynaError {
    MynaError::InvalidArgument {
        detail: detail.into(),
    }
}

fn trace_error(e: impl std::fmt::Display) -> MynaError {
    MynaError::Trace {
        detail: e.to_string(),
    }
}

#[uniffi::export]
impl TraceRecorder {
    /// Starts recording over the app's transport. Times are the device's monotonic clock.
    #[uniffi::constructor]
    pub fn new(
        transport: Arc<dyn CardTransport>,
        options: RecordingOptions,
    ) -> Result<Arc<Self>, MynaError> {
        let params = match &options.operation_params_json {
            None => serde_json::Map::new(),
            Some(json) => match serde_json::from_str::<serde_json::Value>(json) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => return Err(invalid("operation_params_json must be a JSON object")),
            },
        };
        let name = options
            .operation
            .clone()
            .unwrap_or_else(|| "session".into());
        let foreign_failure = Arc::new(AtomicBool::new(false));
        let inner = ForeignTransport::new(transport, foreign_failure.clone());
        let mut header = TraceHeader::new(OperationSpec { name, params }, inner.capabilities());
        header.card = options.card.clone();
        header.clock = "wall".into();
        header.recorded_by = options.recorded_by.clone();
        header.device = options
            .device
            .clone()
            .into_iter()
            .collect::<BTreeMap<_, _>>();
        header.check_bounds().map_err(trace_error)?;
        let recorder = Recorder::new(
            inner,
            RecordOptions {
                header,
                scrub: false,
            },
            Box::new(WallClock::new()),
        );
        let handle = recorder.handle();
        let session = CardSession::from_transport(Box::new(recorder), foreign_failure)?;
        Ok(Arc::new(TraceRecorder { session, handle }))
    }

    /// The session to run the flow on (every call is recorded).
    pub fn session(&self) -> Arc<CardSession> {
        self.session.clone()
    }

    /// Exchanges recorded so far.
    pub fn exchange_count(&self) -> u32 {
        u32::try_from(self.handle.len()).unwrap_or(u32::MAX)
    }

    /// The trace so far as `mynakit-trace/1` JSON Lines. `scrub`: replace personal data
    /// in responses (names, addresses, dates, images, keys) by filler; a scrubbed trace
    /// still replays but its signatures no longer verify.
    pub fn trace_jsonl(&self, scrub: bool) -> Result<String, MynaError> {
        let mut trace = self.handle.trace();
        if scrub {
            trace = mynakit_testkit::trace::scrub(&trace);
        }
        trace.to_jsonl().map_err(trace_error)
    }

    /// Writes the trace to `path` (for a share sheet: the app's cache directory) and
    /// returns the number of bytes written.
    pub fn write_to(&self, path: String, scrub: bool) -> Result<u64, MynaError> {
        let text = self.trace_jsonl(scrub)?;
        std::fs::write(&path, text.as_bytes())
            .map_err(|e| invalid(format!("cannot write {path}: {e}")))?;
        Ok(u64::try_from(text.len()).unwrap_or(u64::MAX))
    }
}
