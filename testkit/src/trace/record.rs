//! Recording: a transport wrapper that keeps a trace of every exchange.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::decode::{DataSource, Tracker, carries_secret, parse_command};
use super::format::{Exchange, RecordedError, Redacted, Trace, TraceHeader};
use mynakit::aid;
use mynakit::error::TransportError;
use mynakit::jpki::TokenInfo;
use mynakit::transport::{Capabilities, ExchangeHint, Transport};

/// Where elapsed times come from. Golden traces use [`FixedClock`] so they do not depend
/// on the machine; field recordings use [`WallClock`].
pub trait Clock: Send {
    /// Milliseconds since an arbitrary origin.
    fn now_ms(&self) -> u64;
}

/// A clock that never moves: every exchange takes 0 ms.
#[derive(Clone, Copy, Debug, Default)]
pub struct FixedClock;

impl Clock for FixedClock {
    fn now_ms(&self) -> u64 {
        0
    }
}

/// The machine's monotonic clock.
#[derive(Clone, Copy, Debug)]
pub struct WallClock {
    origin: Instant,
}

impl WallClock {
    /// A clock starting now.
    pub fn new() -> Self {
        WallClock {
            origin: Instant::now(),
        }
    }
}

impl Default for WallClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for WallClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// What to record besides the exchanges.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// The header to write. `transport` is replaced by the wrapped transport's
    /// capabilities, `redacted` and `token_kind` are filled in from the exchanges, and
    /// `scrubbed` from [`RecordOptions::scrub`].
    pub header: TraceHeader,
    /// Replace personal data in responses by filler (see [`super::scrub`]).
    pub scrub: bool,
}

#[derive(Default)]
struct State {
    exchanges: Vec<Exchange>,
    tracker: Tracker,
}

/// A transport that records every exchange of the transport it wraps.
///
/// Secrets never enter the recorder: the data field of a command marked
/// [`ExchangeHint::sensitive`], or of any VERIFY / CHANGE REFERENCE DATA / RESET RETRY
/// COUNTER / CHANGE KEY, is dropped before the exchange is stored, leaving its length.
pub struct Recorder<T: Transport> {
    inner: T,
    state: Arc<Mutex<State>>,
    clock: Box<dyn Clock>,
    options: RecordOptions,
    caps: Capabilities,
}

/// A handle on a recording, usable after the recorder was moved into a
/// [`mynakit::Card`] (or a `Box<dyn Transport>`).
#[derive(Clone)]
pub struct RecordingHandle {
    state: Arc<Mutex<State>>,
    options: RecordOptions,
    caps: Capabilities,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    match state.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Removes a secret from a command: the data field of a sensitive command, or everything
/// after the header when the command cannot be parsed.
pub(super) fn redact(apdu: &[u8], hint: ExchangeHint) -> (Vec<u8>, Option<Redacted>) {
    let by_ins = match apdu.get(..4) {
        Some(&[a, b, c, d]) => carries_secret([a, b, c, d]),
        _ => false,
    };
    if !(hint.sensitive || by_ins) {
        return (apdu.to_vec(), None);
    }
    match parse_command(apdu) {
        Some(p) if p.data.is_empty() => (apdu.to_vec(), None),
        Some(p) => {
            let mut cmd = apdu.get(..p.data.start).unwrap_or_default().to_vec();
            cmd.extend_from_slice(apdu.get(p.data.end..).unwrap_or_default());
            let r = Redacted {
                offset: p.data.start,
                len: p.data.len(),
            };
            (cmd, Some(r))
        }
        None if apdu.len() > 4 => (
            apdu.get(..4).unwrap_or_default().to_vec(),
            Some(Redacted {
                offset: 4,
                len: apdu.len().saturating_sub(4),
            }),
        ),
        None => (apdu.to_vec(), None),
    }
}

impl<T: Transport> Recorder<T> {
    /// Starts recording `inner`, with the given clock.
    pub fn new(inner: T, options: RecordOptions, clock: Box<dyn Clock>) -> Self {
        let caps = inner.capabilities();
        Recorder {
            inner,
            state: Arc::new(Mutex::new(State::default())),
            clock,
            options,
            caps,
        }
    }

    /// A handle that can produce the trace later.
    pub fn handle(&self) -> RecordingHandle {
        RecordingHandle {
            state: Arc::clone(&self.state),
            options: self.options.clone(),
            caps: self.caps,
        }
    }

    /// The trace recorded so far.
    pub fn trace(&self) -> Trace {
        self.handle().trace()
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Stops recording and returns the wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl RecordingHandle {
    /// Number of exchanges recorded so far.
    pub fn len(&self) -> usize {
        lock(&self.state).exchanges.len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trace recorded so far: header completed from the exchanges, personal data
    /// scrubbed when the options ask for it.
    pub fn trace(&self) -> Trace {
        let exchanges = lock(&self.state).exchanges.clone();
        let mut header = self.options.header.clone();
        header.transport = self.caps;
        header.scrubbed = false;
        header.scrubbed_items.clear();
        let mut trace = Trace { header, exchanges };
        trace.header.redacted = trace.redaction_list();
        if trace.header.token_kind.is_none() {
            trace.header.token_kind = token_kind(&trace);
        }
        if self.options.scrub {
            trace = super::scrub(&trace);
        }
        trace
    }
}

/// The token kind, from a read of JPKI EF `0006` at offset 0 in the trace.
fn token_kind(trace: &Trace) -> Option<String> {
    let mut tracker = Tracker::new();
    for x in &trace.exchanges {
        let rsp = x.response.as_ref().ok();
        let a = tracker.step(
            &x.command,
            x.redacted.map(|r| r.len),
            rsp.map(Vec::as_slice),
        );
        let DataSource::Binary {
            app: Some(app),
            fid: Some(0x0006),
            offset: 0,
        } = a.source
        else {
            continue;
        };
        if app != aid::JPKI {
            continue;
        }
        let Some(r) = rsp else { continue };
        let data = r.get(..r.len().saturating_sub(2)).unwrap_or_default();
        if let Ok(info) = TokenInfo::parse(data) {
            return serde_json::to_value(info.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
        }
    }
    None
}

impl<T: Transport> Transport for Recorder<T> {
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        let (command, redacted) = redact(apdu, hint);
        let start = self.clock.now_ms();
        let result = self.inner.transmit(apdu, hint);
        let elapsed_ms = self.clock.now_ms().saturating_sub(start);
        let mut state = lock(&self.state);
        let note = state
            .tracker
            .step(
                &command,
                redacted.map(|r| r.len),
                result.as_ref().ok().map(Vec::as_slice),
            )
            .command;
        state.exchanges.push(Exchange {
            command,
            redacted,
            response: result.clone().map_err(|e| RecordedError::from(&e)),
            scrubbed: Vec::new(),
            elapsed_ms,
            note: Some(note),
        });
        result
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_covers_the_data_field_only() {
        let sensitive = ExchangeHint {
            sensitive: true,
            slow: false,
        };
        let (cmd, r) = redact(&[0, 0x20, 0, 0x98, 4, b'1', b'2', b'3', b'4'], sensitive);
        assert_eq!(cmd, vec![0, 0x20, 0, 0x98, 4]);
        assert_eq!(r, Some(Redacted { offset: 5, len: 4 }));
        // A VERIFY is redacted even without the hint.
        let (cmd, r) = redact(
            &[0, 0x20, 0, 0x98, 4, b'1', b'2', b'3', b'4'],
            ExchangeHint::default(),
        );
        assert_eq!((cmd.len(), r.map(|r| r.len)), (5, Some(4)));
        // A retry query has nothing to redact.
        let (cmd, r) = redact(&[0, 0x20, 0, 0x98], ExchangeHint::default());
        assert_eq!((cmd.len(), r), (4, None));
        // Unparseable sensitive command: everything after the header goes.
        let (cmd, r) = redact(&[0, 0x20, 0, 0x98, 9, b'1', b'2'], sensitive);
        assert_eq!(cmd, vec![0, 0x20, 0, 0x98]);
        assert_eq!(r, Some(Redacted { offset: 4, len: 3 }));
        // Other commands are kept whole.
        let (cmd, r) = redact(&[0, 0xB0, 0x8A, 0, 0], ExchangeHint::default());
        assert_eq!((cmd.len(), r), (5, None));
    }
}
