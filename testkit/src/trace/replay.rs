//! Replay: a transport that answers from a trace.

use std::fmt;

use super::TraceError;
use super::decode::{Tracker, parse_command};
use super::format::{Exchange, Trace, TraceHeader, line_of_exchange};
use mynakit::card::Card;
use mynakit::error::{Error, TransportError};
use mynakit::transport::{Capabilities, ExchangeHint, Transport};

/// How closely the commands must follow the trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayMode {
    /// Every command must equal the recorded one byte for byte; a redacted secret must
    /// have the recorded length (its bytes were never recorded, so they cannot be
    /// compared).
    #[default]
    Strict,
    /// As strict, except that a redacted field matches a secret of any length (replaying
    /// with a credential of another length, for example another signing password).
    Relaxed,
}

/// The first command that differed from the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Exchange index (0-based).
    pub exchange: usize,
    /// Line of that exchange in the trace file.
    pub line: usize,
    /// The recorded command, decoded, with its hex (secrets shown as a length marker);
    /// `None` when the trace has no more exchanges.
    pub expected: Option<String>,
    /// The command the session sent, decoded, with its hex (secrets never shown).
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expected {
            Some(expected) => write!(
                f,
                "exchange {} (line {}) differs from the trace:\n  expected: {expected}\n  actual:   {}",
                self.exchange, self.line, self.actual
            ),
            None => write!(
                f,
                "the trace ends after {} exchanges but the session sent another command (exchange {}):\n  actual:   {}",
                self.exchange, self.exchange, self.actual
            ),
        }
    }
}

/// Hex of a command with the secret shown as a length marker.
fn shown(command: &[u8], redacted: Option<super::Redacted>) -> String {
    match redacted {
        Some(r) => {
            let head = command.get(..r.offset).unwrap_or(command);
            let tail = command.get(r.offset..).unwrap_or_default();
            format!(
                "{}<{} secret bytes>{}",
                hex::encode_upper(head),
                r.len,
                hex::encode_upper(tail)
            )
        }
        None => hex::encode_upper(command),
    }
}

/// A transport that answers every command with the recorded response, after checking the
/// command is the recorded one. On the first difference it stops: that command and every
/// later one fail with a [`TransportError::Other`] naming the exchange, and
/// [`ReplayTransport::mismatch`] holds the details.
#[derive(Clone, Debug)]
pub struct ReplayTransport {
    trace: Trace,
    mode: ReplayMode,
    next: usize,
    tracker: Tracker,
    mismatch: Option<Mismatch>,
    /// VERIFY commands with data, by credential reference (P2).
    verify_attempts: Vec<(u8, usize)>,
}

impl ReplayTransport {
    /// Replays a parsed trace.
    pub fn new(trace: Trace, mode: ReplayMode) -> Self {
        ReplayTransport {
            trace,
            mode,
            next: 0,
            tracker: Tracker::new(),
            mismatch: None,
            verify_attempts: Vec::new(),
        }
    }

    /// Replays a trace given as its JSON Lines text (what an app or the FFI receives).
    pub fn from_jsonl(text: &str, mode: ReplayMode) -> Result<Self, TraceError> {
        Ok(Self::new(Trace::parse(text)?, mode))
    }

    /// A card session over this replay, with the engine options the trace was recorded
    /// with (the replay only matches when the engine sends the same commands).
    pub fn into_card(self) -> Result<Card<ReplayTransport>, Error> {
        let protocol = self.trace.header.protocol;
        let policy = self.trace.header.pin_policy;
        let mut card = Card::new(self)?;
        card.options = protocol;
        card.policy = policy;
        Ok(card)
    }

    /// The trace's header.
    pub fn header(&self) -> &TraceHeader {
        &self.trace.header
    }

    /// The trace.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The mode.
    pub fn mode(&self) -> ReplayMode {
        self.mode
    }

    /// Exchanges answered so far.
    pub fn position(&self) -> usize {
        self.next
    }

    /// Exchanges of the trace not requested yet.
    pub fn remaining(&self) -> usize {
        self.trace.exchanges.len().saturating_sub(self.next)
    }

    /// The first difference, if the session left the trace.
    pub fn mismatch(&self) -> Option<&Mismatch> {
        self.mismatch.as_ref()
    }

    /// VERIFY commands carrying a value that the session sent (whether or not they
    /// matched the trace).
    pub fn verify_attempts(&self) -> usize {
        self.verify_attempts.iter().map(|(_, n)| n).sum()
    }

    /// The largest number of VERIFY commands carrying a value that the session sent for
    /// one credential reference (P2). MynaKit never presents a credential twice on its
    /// own, so this is at most 1 in a replay of one operation.
    pub fn max_verify_per_credential(&self) -> usize {
        self.verify_attempts
            .iter()
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0)
    }

    /// Checks the session followed the whole trace: no difference, and every recorded
    /// exchange was requested.
    pub fn finish(&self) -> Result<(), Error> {
        if let Some(m) = &self.mismatch {
            return Err(Error::Trace(m.to_string()));
        }
        if let Some(x) = self.trace.exchanges.get(self.next) {
            return Err(Error::Trace(format!(
                "the session ended after {} of {} exchanges; the trace continues at exchange {} (line {}): {}",
                self.next,
                self.trace.exchanges.len(),
                self.next,
                line_of_exchange(self.next),
                self.tracker.describe(&x.command, x.redacted.map(|r| r.len))
            )));
        }
        Ok(())
    }

    fn matches(&self, x: &Exchange, actual: &[u8]) -> bool {
        let Some(r) = x.redacted else {
            return x.command == actual;
        };
        let (Some(head), Some(tail)) = (x.command.get(..r.offset), x.command.get(r.offset..))
        else {
            return false;
        };
        match self.mode {
            ReplayMode::Strict => {
                x.command.len().checked_add(r.len) == Some(actual.len())
                    && actual.starts_with(head)
                    && actual.ends_with(tail)
            }
            ReplayMode::Relaxed => {
                // The template only needs the secret's length to re-encode Lc; a length a
                // short or extended APDU cannot carry never matches.
                let Some(len) = head.len().checked_add(r.len).filter(|&l| l <= 65_544) else {
                    return false;
                };
                let mut template = head.to_vec();
                template.resize(len, 0);
                template.extend_from_slice(tail);
                match (parse_command(&template), parse_command(actual)) {
                    (Some(t), Some(a)) => {
                        t.header == a.header && t.le == a.le && !a.data.is_empty()
                    }
                    _ => false,
                }
            }
        }
    }

    fn describe_actual(&self, actual: &[u8], hint: ExchangeHint) -> String {
        let (cmd, redacted) = super::record::redact(actual, hint);
        format!(
            "{} [{}]",
            self.tracker.describe(&cmd, redacted.map(|r| r.len)),
            shown(&cmd, redacted)
        )
    }
}

impl Transport for ReplayTransport {
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        if let Some(parts) = parse_command(apdu)
            && parts.header[1] == 0x20
            && !parts.data.is_empty()
        {
            let p2 = parts.header[3];
            match self.verify_attempts.iter_mut().find(|(r, _)| *r == p2) {
                Some((_, n)) => *n = n.saturating_add(1),
                None => self.verify_attempts.push((p2, 1)),
            }
        }
        if let Some(m) = &self.mismatch {
            return Err(TransportError::other(format!(
                "trace replay stopped earlier: {m}"
            )));
        }
        let index = self.next;
        let Some(x) = self.trace.exchanges.get(index) else {
            let m = Mismatch {
                exchange: index,
                line: line_of_exchange(index),
                expected: None,
                actual: self.describe_actual(apdu, hint),
            };
            let e = TransportError::other(format!("trace replay: {m}"));
            self.mismatch = Some(m);
            return Err(e);
        };
        if !self.matches(x, apdu) {
            let m = Mismatch {
                exchange: index,
                line: line_of_exchange(index),
                expected: Some(format!(
                    "{} [{}]",
                    self.tracker.describe(&x.command, x.redacted.map(|r| r.len)),
                    shown(&x.command, x.redacted)
                )),
                actual: self.describe_actual(apdu, hint),
            };
            let e = TransportError::other(format!("trace replay: {m}"));
            self.mismatch = Some(m);
            return Err(e);
        }
        let response = x.response.clone();
        let command = x.command.clone();
        let secret = x.redacted.map(|r| r.len);
        self.tracker
            .step(&command, secret, response.as_ref().ok().map(Vec::as_slice));
        self.next = self.next.saturating_add(1);
        response.map_err(|e| e.to_transport_error())
    }

    fn capabilities(&self) -> Capabilities {
        self.trace.header.transport
    }
}
