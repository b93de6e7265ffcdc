//! The trace file: `mynakit-trace/1`, JSON Lines.
//!
//! ```text
//! line 1        header   {"format":"mynakit-trace/1","operation":{...},"transport":{...},...}
//! line i + 2    exchange {"i":0,"cmd":"00A4040C0A…","rsp":"9000","ms":0,"note":"…"}
//! last line     end      {"end":{"exchanges":N}}
//! ```
//!
//! The normative specification is in `test-vectors/README.md`. Parsing never panics and
//! reports every problem with its line number ([`super::TraceError`]).
//!
//! The header's `format` carries the version ([`TRACE_FORMAT_VERSION`]; what a version
//! change means is said there). A reader reads the versions from
//! [`OLDEST_TRACE_FORMAT_VERSION`] to its own through one reader per version, and refuses
//! a newer file with a message naming both versions (see `docs/traces.md`, "Format
//! versions").

use serde::{Deserialize, Serialize};

use super::TraceError;
use mynakit::card::{PinPolicy, ProtocolOptions};
use mynakit::cert::TrustPolicy;
use mynakit::credential::Credential;
use mynakit::error::TransportError;
use mynakit::transport::Capabilities;

/// The format identifier this version of MynaKit writes: [`TRACE_FORMAT_NAME`] `/`
/// [`TRACE_FORMAT_VERSION`].
pub const TRACE_FORMAT: &str = "mynakit-trace/1";

/// What every trace format identifier starts with, before `/` and the version.
pub const TRACE_FORMAT_NAME: &str = "mynakit-trace";

/// The format version this MynaKit writes, and the newest it reads.
///
/// What the version means: the number after `/` in the header's `format` changes only
/// when a reader of the previous version would misread a file of the new one (a field
/// changes meaning or unit, a field becomes required, the line structure changes). A new
/// optional field that older readers may skip does not change it: readers ignore fields
/// they do not know. A reader reads every version from [`OLDEST_TRACE_FORMAT_VERSION`] to
/// its own (older files are migrated in memory to the current form, so they replay as they
/// did) and refuses a newer one, telling the user to upgrade MynaKit.
pub const TRACE_FORMAT_VERSION: u32 = 1;

/// The oldest format version this MynaKit reads.
pub const OLDEST_TRACE_FORMAT_VERSION: u32 = 1;

// Versions start at 1 and the readable range is not empty.
const _: () = assert!(1 <= OLDEST_TRACE_FORMAT_VERSION);
const _: () = assert!(OLDEST_TRACE_FORMAT_VERSION <= TRACE_FORMAT_VERSION);

// Bounds on trace input (a trace file is untrusted: it travels from the field). Each is
// far above what a real session writes (the largest golden trace is 16 kB, its longest line
// 4 kB) and keeps the memory a hostile file can make the parser use to a small multiple
// of the file's size.

/// The largest trace file read (bytes).
pub const MAX_TRACE_BYTES: usize = 16 << 20;
/// The longest line of a trace file (bytes, without its line end): an extended-length
/// response of 65 538 bytes is 131 076 hex digits.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// The longest header line (bytes).
pub const MAX_HEADER_BYTES: usize = 256 << 10;
/// The longest secret a trace may say was given or redacted (bytes): a VERIFY's data
/// field over a short APDU holds at most 255 bytes.
pub const MAX_SECRET_LEN: usize = 255;
/// The most exchanges a trace may hold.
pub const MAX_EXCHANGES: usize = 65_536;
/// The longest free-text field (notes, messages, card and program names), in bytes.
pub const MAX_TEXT_LEN: usize = 4096;
/// The most entries of a list in the header or in one exchange (`secrets`,
/// `scrubbed_items`, `scrubbed`).
pub const MAX_LIST_LEN: usize = 256;

/// The operation a trace records, by name, with its parameters (see
/// [`super::ops::Operation`]). `session` is an app's own flow, not a named operation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationSpec {
    /// Operation name (`auth-cert`, `sign-auth`, …, or `session`).
    pub name: String,
    /// Parameters chosen by the caller (never a secret).
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// The length of a credential value the operation was given. The value itself is never
/// recorded; replay uses a placeholder of this length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretInfo {
    /// Which credential.
    pub credential: Credential,
    /// Its length in bytes as sent to the card.
    pub len: usize,
}

/// One exchange whose command data was redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionInfo {
    /// Exchange index.
    pub exchange: usize,
    /// Number of secret bytes removed.
    pub len: usize,
}

/// Values that are random in a live session and fixed in the trace, so replay computes the
/// same commands and the same checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedValues {
    /// The verifier's challenge signed by the `demo` operation, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_hex: Option<String>,
    /// The moment (seconds since the Unix epoch) at which certificate chains are checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_time_unix: Option<u64>,
}

fn default_card() -> String {
    "unknown".into()
}

fn default_clock() -> String {
    "unknown".into()
}

/// The first line of a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceHeader {
    /// Always [`TRACE_FORMAT`].
    pub format: String,
    /// The recorded operation.
    pub operation: OperationSpec,
    /// Where the card came from (`sim:taro`, a reader name, `android-nfc`, …).
    #[serde(default = "default_card")]
    pub card: String,
    /// The transport's capabilities during the session (replay reports the same).
    pub transport: Capabilities,
    /// The engine's protocol options during the session (replay must use the same).
    #[serde(default)]
    pub protocol: ProtocolOptions,
    /// The PIN-safety policy during the session.
    #[serde(default)]
    pub pin_policy: PinPolicy,
    /// Which roots certificate checks accept when the operation's result is computed.
    #[serde(default)]
    pub trust: TrustPolicy,
    /// The token kind read from JPKI EF `0006` during the session (`my_number_card`, …),
    /// `null` when the session did not read it.
    #[serde(default)]
    pub token_kind: Option<String>,
    /// Lengths of the credential values the operation was given.
    #[serde(default)]
    pub secrets: Vec<SecretInfo>,
    /// Exchanges whose command data (a secret) was removed.
    #[serde(default)]
    pub redacted: Vec<RedactionInfo>,
    /// Whether personal data in responses was scrubbed. A scrubbed trace cannot pass
    /// authenticity checks.
    #[serde(default)]
    pub scrubbed: bool,
    /// What was scrubbed, one entry per file.
    #[serde(default)]
    pub scrubbed_items: Vec<String>,
    /// Values fixed for replay.
    #[serde(default)]
    pub fixed: FixedValues,
    /// The fault scenario injected while recording (see [`crate::fault`]), if any.
    #[serde(default)]
    pub faults: Option<String>,
    /// `fixed` (every elapsed time is 0, as in golden traces) or `wall`.
    #[serde(default = "default_clock")]
    pub clock: String,
    /// The program that wrote the trace.
    #[serde(default)]
    pub recorded_by: Option<String>,
    /// Facts about the device the app chose to add (model, OS version, NFC stack), as
    /// given; absent when none were.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub device: std::collections::BTreeMap<String, String>,
}

impl TraceHeader {
    /// A header for a session of `operation` over a transport with `transport`
    /// capabilities; everything else at its default.
    pub fn new(operation: OperationSpec, transport: Capabilities) -> Self {
        TraceHeader {
            format: TRACE_FORMAT.into(),
            operation,
            card: default_card(),
            transport,
            protocol: ProtocolOptions::default(),
            pin_policy: PinPolicy::default(),
            trust: TrustPolicy::default(),
            token_kind: None,
            secrets: Vec::new(),
            redacted: Vec::new(),
            scrubbed: false,
            scrubbed_items: Vec::new(),
            fixed: FixedValues::default(),
            faults: None,
            clock: default_clock(),
            recorded_by: None,
            device: std::collections::BTreeMap::new(),
        }
    }
}

/// Where secret bytes were removed from a command: the real command is
/// `cmd[..offset] + <len secret bytes> + cmd[offset..]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redacted {
    /// Byte offset in the recorded command where the secret stood.
    pub offset: usize,
    /// Number of secret bytes.
    pub len: usize,
}

/// Bytes of a response replaced by filler because they were personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrubbedRange {
    /// Offset in the response bytes.
    pub offset: usize,
    /// Number of bytes.
    pub len: usize,
    /// What they held (`subject`, `subjectAltName`, `value DF22`, …).
    pub what: String,
}

/// The kind of a recorded link failure (mirrors [`TransportError`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordedErrorKind {
    /// [`TransportError::CardRemoved`].
    CardRemoved,
    /// [`TransportError::Timeout`].
    Timeout,
    /// [`TransportError::NoCard`].
    NoCard,
    /// [`TransportError::CardReset`].
    CardReset,
    /// [`TransportError::Cancelled`].
    Cancelled,
    /// [`TransportError::InvalidResponse`].
    InvalidResponse,
    /// [`TransportError::Other`].
    Other,
}

/// A link failure in place of a response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedError {
    /// The kind.
    pub kind: RecordedErrorKind,
    /// What the platform said.
    pub message: String,
}

impl From<&TransportError> for RecordedError {
    fn from(e: &TransportError) -> Self {
        let (kind, message) = match e {
            TransportError::CardRemoved { message } => (RecordedErrorKind::CardRemoved, message),
            TransportError::Timeout { message } => (RecordedErrorKind::Timeout, message),
            TransportError::NoCard { message } => (RecordedErrorKind::NoCard, message),
            TransportError::CardReset { message } => (RecordedErrorKind::CardReset, message),
            TransportError::Cancelled { message } => (RecordedErrorKind::Cancelled, message),
            TransportError::InvalidResponse { message } => {
                (RecordedErrorKind::InvalidResponse, message)
            }
            TransportError::Other { message } => (RecordedErrorKind::Other, message),
            #[allow(unreachable_patterns)]
            other => {
                return RecordedError {
                    kind: RecordedErrorKind::Other,
                    message: other.to_string(),
                };
            }
        };
        RecordedError {
            kind,
            message: message.clone(),
        }
    }
}

impl RecordedError {
    /// The transport error to report on replay.
    pub fn to_transport_error(&self) -> TransportError {
        let message = self.message.clone();
        match self.kind {
            RecordedErrorKind::CardRemoved => TransportError::CardRemoved { message },
            RecordedErrorKind::Timeout => TransportError::Timeout { message },
            RecordedErrorKind::NoCard => TransportError::NoCard { message },
            RecordedErrorKind::CardReset => TransportError::CardReset { message },
            RecordedErrorKind::Cancelled => TransportError::Cancelled { message },
            RecordedErrorKind::InvalidResponse => TransportError::InvalidResponse { message },
            RecordedErrorKind::Other => TransportError::Other { message },
        }
    }
}

/// One command and what came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The command APDU, without the secret bytes when [`Exchange::redacted`] is set.
    pub command: Vec<u8>,
    /// Where secret bytes were removed.
    pub redacted: Option<Redacted>,
    /// The response APDU (data and status word; shorter when a fault cut it), or the link
    /// failure the app saw instead.
    pub response: Result<Vec<u8>, RecordedError>,
    /// Response bytes replaced by filler.
    pub scrubbed: Vec<ScrubbedRange>,
    /// Milliseconds between sending the command and receiving the answer.
    pub elapsed_ms: u64,
    /// A human annotation (the recorder writes the decoded command name).
    pub note: Option<String>,
}

/// A whole trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The header.
    pub header: TraceHeader,
    /// The exchanges, in order.
    pub exchanges: Vec<Exchange>,
}

#[derive(Serialize, Deserialize)]
struct ExchangeLine {
    i: usize,
    cmd: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redacted: Option<Redacted>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rsp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    err: Option<RecordedError>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    scrubbed: Vec<ScrubbedRange>,
    #[serde(default)]
    ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// Any line after the header, read without building a JSON tree (unknown fields are
/// skipped, not stored).
#[derive(Deserialize)]
struct AnyLine {
    #[serde(default)]
    end: Option<EndInfo>,
    #[serde(default)]
    i: Option<usize>,
    #[serde(default)]
    cmd: Option<String>,
    #[serde(default)]
    redacted: Option<Redacted>,
    #[serde(default)]
    rsp: Option<String>,
    #[serde(default)]
    err: Option<RecordedError>,
    #[serde(default)]
    scrubbed: Vec<ScrubbedRange>,
    #[serde(default)]
    ms: u64,
    #[serde(default)]
    note: Option<String>,
}

/// The header's format field, read before the rest so that a file of another kind gets a
/// clear message.
#[derive(Deserialize)]
struct FormatField {
    #[serde(default)]
    format: Option<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct EndInfo {
    exchanges: usize,
}

#[derive(Serialize, Deserialize)]
struct EndLine {
    end: EndInfo,
}

/// The file line of exchange `i`.
pub fn line_of_exchange(i: usize) -> usize {
    i.saturating_add(2)
}

/// A serde_json message without its "at line 1 column N" suffix (every trace line is
/// parsed on its own, so serde's line is always 1).
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let text = match s.rsplit_once(" at line ") {
        Some((head, _)) => head.to_string(),
        None => s,
    };
    if e.column() > 0 {
        format!("{text} (column {})", e.column())
    } else {
        text
    }
}

fn decode_hex(line: usize, field: &str, s: &str) -> Result<Vec<u8>, TraceError> {
    if !s.len().is_multiple_of(2) {
        return Err(TraceError::at(
            line,
            format!("\"{field}\" has an odd number of hex digits ({})", s.len()),
        ));
    }
    if let Some(pos) = s.find(|c: char| !c.is_ascii_hexdigit()) {
        return Err(TraceError::at(
            line,
            format!(
                "\"{field}\" is not hex: unexpected character at position {}",
                pos.saturating_add(1)
            ),
        ));
    }
    hex::decode(s).map_err(|e| TraceError::at(line, format!("\"{field}\" is not hex: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, TraceError> {
    serde_json::to_string(value)
        .map_err(|e| TraceError::general(format!("cannot encode the trace as JSON: {e}")))
}

impl Trace {
    /// Reads a trace from its bytes (UTF-8 JSON Lines).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Trace, TraceError> {
        if bytes.len() > MAX_TRACE_BYTES {
            return Err(too_large(bytes.len()));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Trace::parse(text),
            Err(e) => {
                let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
                let line = valid
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    .saturating_add(1);
                Err(TraceError::at(line, "the file is not UTF-8 text"))
            }
        }
    }

    /// Reads a trace from a reader, line by line: at most [`MAX_TRACE_BYTES`] are read and
    /// no line longer than [`MAX_LINE_BYTES`] is held, whatever the stream holds.
    pub fn read_from<R: std::io::Read>(reader: R) -> Result<Trace, TraceError> {
        use std::io::BufRead;
        let mut reader =
            std::io::BufReader::new(reader.take(MAX_TRACE_BYTES.saturating_add(1) as u64));
        let mut parser = Parser::default();
        let mut total: usize = 0;
        let mut buf: Vec<u8> = Vec::new();
        let mut n: usize = 0;
        loop {
            buf.clear();
            n = n.saturating_add(1);
            let limit = MAX_LINE_BYTES.saturating_add(2) as u64;
            let read = std::io::Read::take(&mut reader, limit)
                .read_until(b'\n', &mut buf)
                .map_err(|e| TraceError::at(n, format!("cannot read the trace: {e}")))?;
            total = total.saturating_add(read);
            if total > MAX_TRACE_BYTES {
                return Err(too_large(total));
            }
            if read == 0 {
                // The end of the stream: after a final newline, that is the normal end.
                if n == 1 {
                    parser.line(1, "")?;
                }
                return parser.finish(n);
            }
            let had_newline = buf.last() == Some(&b'\n');
            if had_newline {
                buf.pop();
            }
            let text = std::str::from_utf8(&buf)
                .map_err(|_| TraceError::at(n, "the file is not UTF-8 text"))?;
            let text = text.strip_suffix('\r').unwrap_or(text);
            check_line_len(n, text)?;
            parser.line(n, text)?;
            if !had_newline {
                return parser.finish(n.saturating_add(1));
            }
        }
    }

    /// Reads a trace from its text, line by line (see [`MAX_TRACE_BYTES`],
    /// [`MAX_LINE_BYTES`]).
    pub fn parse(text: &str) -> Result<Trace, TraceError> {
        if text.len() > MAX_TRACE_BYTES {
            return Err(too_large(text.len()));
        }
        let mut pieces = text.split('\n').peekable();
        let mut parser = Parser::default();
        let mut n: usize = 0;
        while let Some(piece) = pieces.next() {
            n = n.saturating_add(1);
            // A final newline leaves one empty piece; that is the normal end of the file.
            if piece.is_empty() && n > 1 && pieces.peek().is_none() {
                break;
            }
            let line = piece.strip_suffix('\r').unwrap_or(piece);
            check_line_len(n, line)?;
            parser.line(n, line)?;
        }
        let after = if text.ends_with('\n') || text.is_empty() {
            n
        } else {
            n.saturating_add(1)
        };
        parser.finish(after)
    }

    /// The trace as JSON Lines text (ending with a newline). The same trace always gives
    /// the same bytes.
    pub fn to_jsonl(&self) -> Result<String, TraceError> {
        let mut out = to_json(&self.header)?;
        out.push('\n');
        for (i, x) in self.exchanges.iter().enumerate() {
            let (rsp, err) = match &x.response {
                Ok(r) => (Some(hex::encode_upper(r)), None),
                Err(e) => (None, Some(e.clone())),
            };
            let line = ExchangeLine {
                i,
                cmd: hex::encode_upper(&x.command),
                redacted: x.redacted,
                rsp,
                err,
                scrubbed: x.scrubbed.clone(),
                ms: x.elapsed_ms,
                note: x.note.clone(),
            };
            out.push_str(&to_json(&line)?);
            out.push('\n');
        }
        out.push_str(&to_json(&EndLine {
            end: EndInfo {
                exchanges: self.exchanges.len(),
            },
        })?);
        out.push('\n');
        Ok(out)
    }

    /// The redaction entries the header must list, derived from the exchanges.
    pub fn redaction_list(&self) -> Vec<RedactionInfo> {
        redaction_list(&self.exchanges)
    }
}

fn redaction_list(exchanges: &[Exchange]) -> Vec<RedactionInfo> {
    exchanges
        .iter()
        .enumerate()
        .filter_map(|(i, x)| {
            x.redacted.map(|r| RedactionInfo {
                exchange: i,
                len: r.len,
            })
        })
        .collect()
}

fn check_redactions(header: &TraceHeader, exchanges: &[Exchange]) -> Result<(), TraceError> {
    let derived = redaction_list(exchanges);
    for r in &header.redacted {
        if !derived.contains(r) {
            return Err(TraceError::at(
                1,
                format!(
                    "the header lists a {}-byte redaction at exchange {}, which the exchange does not carry",
                    r.len, r.exchange
                ),
            ));
        }
    }
    for r in &derived {
        if !header.redacted.contains(r) {
            return Err(TraceError::at(
                line_of_exchange(r.exchange),
                format!(
                    "exchange {} is redacted but the header does not list it",
                    r.exchange
                ),
            ));
        }
    }
    Ok(())
}

fn too_large(len: usize) -> TraceError {
    TraceError::general(format!(
        "the file is too large: {len} bytes or more; a trace holds at most {MAX_TRACE_BYTES}"
    ))
}

fn check_line_len(n: usize, line: &str) -> Result<(), TraceError> {
    let cap = if n == 1 {
        MAX_HEADER_BYTES
    } else {
        MAX_LINE_BYTES
    };
    if line.len() > cap {
        return Err(TraceError::at(
            n,
            format!(
                "the line is {} bytes long; a trace {} holds at most {cap}",
                line.len(),
                if n == 1 { "header" } else { "line" }
            ),
        ));
    }
    Ok(())
}

/// The state of a parse: lines are fed one at a time, so nothing is held per line of the
/// file beyond what the trace keeps.
#[derive(Default)]
struct Parser {
    header: Option<(TraceHeader, VersionReader)>,
    exchanges: Vec<Exchange>,
    ended: bool,
}

impl Parser {
    fn line(&mut self, n: usize, l: &str) -> Result<(), TraceError> {
        let Some((header, reader)) = &self.header else {
            if l.trim().is_empty() {
                return Err(TraceError::at(1, "empty file: expected the trace header"));
            }
            self.header = Some(parse_header(n, l)?);
            return Ok(());
        };
        if self.ended {
            return Err(TraceError::at(n, "data after the end line"));
        }
        if l.trim().is_empty() {
            return Err(TraceError::at(n, "empty line inside the trace"));
        }
        let line: AnyLine = serde_json::from_str(l).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Data => "exchange",
                _ => "invalid JSON",
            };
            TraceError::at(n, format!("{what}: {}", json_message(&e)))
        })?;
        if let Some(end) = line.end {
            if end.exchanges != self.exchanges.len() {
                return Err(TraceError::at(
                    n,
                    format!(
                        "the end line counts {} exchanges but the trace holds {}",
                        end.exchanges,
                        self.exchanges.len()
                    ),
                ));
            }
            self.ended = true;
            return Ok(());
        }
        if self.exchanges.len() >= MAX_EXCHANGES {
            return Err(TraceError::at(
                n,
                format!(
                    "more than {MAX_EXCHANGES} exchanges; a trace holds at most {MAX_EXCHANGES}"
                ),
            ));
        }
        let x = reader.exchange(n, self.exchanges.len(), line, header.scrubbed)?;
        self.exchanges.push(x);
        Ok(())
    }

    /// The trace, once every line was fed; `after` is the line after the last one.
    fn finish(self, after: usize) -> Result<Trace, TraceError> {
        let Some((header, _)) = self.header else {
            return Err(TraceError::at(1, "empty file: expected the trace header"));
        };
        if !self.ended {
            return Err(TraceError::at(
                after,
                format!(
                    "the trace ends without its end line: the file is truncated ({} exchanges read)",
                    self.exchanges.len()
                ),
            ));
        }
        check_redactions(&header, &self.exchanges)?;
        Ok(Trace {
            header,
            exchanges: self.exchanges,
        })
    }
}

fn text_field(n: usize, field: &str, value: &str) -> Result<(), TraceError> {
    if value.len() > MAX_TEXT_LEN {
        return Err(TraceError::at(
            n,
            format!(
                "\"{field}\" is {} bytes long; at most {MAX_TEXT_LEN} are allowed",
                value.len()
            ),
        ));
    }
    Ok(())
}

fn list_field(n: usize, field: &str, len: usize) -> Result<(), TraceError> {
    if len > MAX_LIST_LEN {
        return Err(TraceError::at(
            n,
            format!("\"{field}\" has {len} entries; at most {MAX_LIST_LEN} are allowed"),
        ));
    }
    Ok(())
}

fn secret_len(n: usize, field: &str, len: usize) -> Result<(), TraceError> {
    if len > MAX_SECRET_LEN {
        return Err(TraceError::at(
            n,
            format!(
                "\"{field}\" is {len}: a secret is at most {MAX_SECRET_LEN} bytes (malformed trace)"
            ),
        ));
    }
    Ok(())
}

impl TraceHeader {
    /// Checks the bounds on the header's fields (see [`MAX_SECRET_LEN`],
    /// [`MAX_TEXT_LEN`], [`MAX_LIST_LEN`]). [`Trace::parse`] applies it; a replay of a
    /// trace built in memory applies it too.
    pub fn check_bounds(&self) -> Result<(), TraceError> {
        let n = 1;
        text_field(n, "operation.name", &self.operation.name)?;
        text_field(n, "card", &self.card)?;
        text_field(n, "clock", &self.clock)?;
        for (field, v) in [
            ("token_kind", &self.token_kind),
            ("faults", &self.faults),
            ("recorded_by", &self.recorded_by),
            ("fixed.challenge_hex", &self.fixed.challenge_hex),
        ] {
            if let Some(v) = v {
                text_field(n, field, v)?;
            }
        }
        list_field(n, "secrets", self.secrets.len())?;
        for s in &self.secrets {
            secret_len(n, "secrets[].len", s.len)?;
        }
        if self.redacted.len() > MAX_EXCHANGES {
            return Err(TraceError::at(
                n,
                format!(
                    "\"redacted\" has {} entries; a trace holds at most {MAX_EXCHANGES} exchanges",
                    self.redacted.len()
                ),
            ));
        }
        for r in &self.redacted {
            secret_len(n, "redacted[].len", r.len)?;
        }
        list_field(n, "scrubbed_items", self.scrubbed_items.len())?;
        for item in &self.scrubbed_items {
            text_field(n, "scrubbed_items[]", item)?;
        }
        list_field(n, "device", self.device.len())?;
        for (k, v) in &self.device {
            text_field(n, "device key", k)?;
            text_field(n, "device value", v)?;
        }
        Ok(())
    }
}

impl Trace {
    /// Checks the bounds of the header and of every exchange, as [`Trace::parse`] does:
    /// for a trace built or changed in memory before it is replayed.
    pub fn check_bounds(&self) -> Result<(), TraceError> {
        self.header.check_bounds()?;
        if self.exchanges.len() > MAX_EXCHANGES {
            return Err(TraceError::general(format!(
                "{} exchanges; a trace holds at most {MAX_EXCHANGES}",
                self.exchanges.len()
            )));
        }
        for (i, x) in self.exchanges.iter().enumerate() {
            let n = line_of_exchange(i);
            if let Some(r) = x.redacted {
                secret_len(n, "redacted.len", r.len)?;
            }
            list_field(n, "scrubbed", x.scrubbed.len())?;
        }
        Ok(())
    }
}

/// The version in a trace format identifier `mynakit-trace/<N>`: `N` is a decimal whole
/// number from 1, without sign, leading zeros or anything after it. Says which part is
/// wrong when the identifier is not of that form, and refuses a version newer than
/// [`TRACE_FORMAT_VERSION`] (naming both and asking for a MynaKit upgrade) or older than
/// [`OLDEST_TRACE_FORMAT_VERSION`].
pub fn format_version(format: &str) -> Result<u32, TraceError> {
    let version = parse_version_number(format)?;
    if version > TRACE_FORMAT_VERSION {
        return Err(TraceError::at(
            1,
            format!(
                "the trace is in format {TRACE_FORMAT_NAME}/{version}, newer than this MynaKit \
                 reads ({TRACE_FORMAT}; versions {OLDEST_TRACE_FORMAT_VERSION} to \
                 {TRACE_FORMAT_VERSION}): upgrade MynaKit to a version that reads \
                 {TRACE_FORMAT_NAME}/{version} to replay it"
            ),
        ));
    }
    if version < OLDEST_TRACE_FORMAT_VERSION {
        return Err(TraceError::at(
            1,
            format!(
                "the trace is in format {TRACE_FORMAT_NAME}/{version}, older than this MynaKit \
                 reads (versions {OLDEST_TRACE_FORMAT_VERSION} to {TRACE_FORMAT_VERSION}); \
                 convert it with an older MynaKit"
            ),
        ));
    }
    Ok(version)
}

/// The number after `mynakit-trace/`, without a range check.
fn parse_version_number(format: &str) -> Result<u32, TraceError> {
    let shown = short_text(format);
    let Some(rest) = format
        .strip_prefix(TRACE_FORMAT_NAME)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return Err(TraceError::at(
            1,
            format!(
                "not a MynaKit trace: the format is {shown:?}, not \
                 {TRACE_FORMAT_NAME}/<version> (this MynaKit reads {TRACE_FORMAT})"
            ),
        ));
    };
    let malformed = |why: &str| {
        TraceError::at(
            1,
            format!(
                "malformed trace format version in {shown:?}: {why}; expected \
                 {TRACE_FORMAT_NAME}/<N> with N a whole number such as {TRACE_FORMAT_VERSION} \
                 (this MynaKit reads {TRACE_FORMAT})"
            ),
        )
    };
    if rest.is_empty() {
        return Err(malformed("the version is missing"));
    }
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("the version is not a whole decimal number"));
    }
    if rest.len() > 1 && rest.starts_with('0') {
        return Err(malformed("the version has a leading zero"));
    }
    let version: u32 = rest
        .parse()
        .map_err(|_| malformed("the version number is too large"))?;
    if version == 0 {
        return Err(malformed("versions start at 1"));
    }
    Ok(version)
}

/// A text shortened for an error message (a hostile header may hold a long string).
fn short_text(s: &str) -> String {
    const SHOWN: usize = 40;
    match s.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", s.get(..cut).unwrap_or_default()),
        None => s.to_string(),
    }
}

/// How the lines of one format version are read. Each version a MynaKit can read has its
/// reader, which yields the current in-memory form ([`TraceHeader`], [`Exchange`], the
/// header's `format` set to [`TRACE_FORMAT`]); when version 2 exists, the version-1 reader
/// stays and migrates what it reads (a renamed field, a changed unit), so a version-1 file
/// keeps replaying to the same result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VersionReader {
    /// `mynakit-trace/1`: the first version (2026), the current one.
    V1,
}

impl VersionReader {
    fn for_version(n: usize, version: u32) -> Result<VersionReader, TraceError> {
        match version {
            1 => Ok(VersionReader::V1),
            other => Err(TraceError::at(
                n,
                format!("no reader for trace format {TRACE_FORMAT_NAME}/{other}"),
            )),
        }
    }

    fn header(self, n: usize, l: &str) -> Result<TraceHeader, TraceError> {
        match self {
            VersionReader::V1 => serde_json::from_str(l)
                .map_err(|e| TraceError::at(n, format!("header: {}", json_message(&e)))),
        }
    }

    fn exchange(
        self,
        n: usize,
        index: usize,
        line: AnyLine,
        scrubbed_trace: bool,
    ) -> Result<Exchange, TraceError> {
        match self {
            VersionReader::V1 => parse_exchange(n, index, line, scrubbed_trace),
        }
    }
}

fn parse_header(n: usize, l: &str) -> Result<(TraceHeader, VersionReader), TraceError> {
    let format: FormatField = serde_json::from_str(l).map_err(|e| {
        TraceError::at(
            n,
            format!("not a MynaKit trace header: {}", json_message(&e)),
        )
    })?;
    let format = match format.format {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => {
            return Err(TraceError::at(
                n,
                format!(
                    "malformed trace format: \"format\" is {}, not a string such as \
                     \"{TRACE_FORMAT}\"",
                    json_kind(&other)
                ),
            ));
        }
        None => {
            return Err(TraceError::at(
                n,
                "not a MynaKit trace header: no \"format\" field (or it is null)".to_string(),
            ));
        }
    };
    let version = format_version(&format).map_err(|e| TraceError::at(n, e.message))?;
    let reader = VersionReader::for_version(n, version)?;
    let mut header = reader.header(n, l)?;
    // The trace is now in today's form: written again, it is written in today's version.
    header.format = TRACE_FORMAT.to_string();
    header
        .transport
        .validate()
        .map_err(|e| TraceError::at(n, format!("header: transport: {e}")))?;
    header.check_bounds()?;
    Ok((header, reader))
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn parse_exchange(
    n: usize,
    index: usize,
    line: AnyLine,
    scrubbed_trace: bool,
) -> Result<Exchange, TraceError> {
    let Some(i) = line.i else {
        return Err(TraceError::at(n, "exchange: missing field `i`"));
    };
    let Some(cmd) = line.cmd else {
        return Err(TraceError::at(n, "exchange: missing field `cmd`"));
    };
    if i != index {
        return Err(TraceError::at(
            n,
            format!(
                "exchange index {i} where {index} was expected (lines missing or out of order)"
            ),
        ));
    }
    if let Some(note) = &line.note {
        text_field(n, "note", note)?;
    }
    if let Some(e) = &line.err {
        text_field(n, "err.message", &e.message)?;
    }
    list_field(n, "scrubbed", line.scrubbed.len())?;
    for s in &line.scrubbed {
        text_field(n, "scrubbed[].what", &s.what)?;
    }
    let command = decode_hex(n, "cmd", &cmd)?;
    if command.len() < 4 {
        return Err(TraceError::at(
            n,
            format!(
                "\"cmd\" has {} bytes; a command APDU has at least 4",
                command.len()
            ),
        ));
    }
    if let Some(r) = line.redacted {
        if r.offset < 4 || r.offset > command.len() {
            return Err(TraceError::at(
                n,
                format!(
                    "redaction offset {} is outside the {}-byte command body",
                    r.offset,
                    command.len()
                ),
            ));
        }
        if r.len == 0 {
            return Err(TraceError::at(n, "redaction of 0 bytes"));
        }
        secret_len(n, "redacted.len", r.len)?;
    }
    let response = match (line.rsp, line.err) {
        (Some(r), None) => Ok(decode_hex(n, "rsp", &r)?),
        (None, Some(e)) => Err(e),
        (Some(_), Some(_)) => {
            return Err(TraceError::at(n, "exchange has both \"rsp\" and \"err\""));
        }
        (None, None) => {
            return Err(TraceError::at(
                n,
                "exchange has neither \"rsp\" nor \"err\"",
            ));
        }
    };
    if !line.scrubbed.is_empty() {
        if !scrubbed_trace {
            return Err(TraceError::at(
                n,
                "exchange has scrubbed bytes but the header says the trace is not scrubbed",
            ));
        }
        let len = response.as_ref().map(Vec::len).unwrap_or(0);
        for s in &line.scrubbed {
            if s.offset.checked_add(s.len).is_none_or(|end| end > len) {
                return Err(TraceError::at(
                    n,
                    format!(
                        "scrubbed range {}+{} is outside the {len}-byte response",
                        s.offset, s.len
                    ),
                ));
            }
        }
    }
    Ok(Exchange {
        command,
        redacted: line.redacted,
        response,
        scrubbed: line.scrubbed,
        elapsed_ms: line.ms,
        note: line.note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Trace {
        let mut header = TraceHeader::new(
            OperationSpec {
                name: "auth-cert".into(),
                params: serde_json::Map::new(),
            },
            Capabilities::SHORT,
        );
        header.redacted = vec![RedactionInfo {
            exchange: 1,
            len: 4,
        }];
        Trace {
            header,
            exchanges: vec![
                Exchange {
                    command: vec![0, 0xA4, 4, 0x0C, 1, 0xD3],
                    redacted: None,
                    response: Ok(vec![0x90, 0]),
                    scrubbed: vec![],
                    elapsed_ms: 3,
                    note: Some("SELECT".into()),
                },
                Exchange {
                    command: vec![0, 0x20, 0, 0x98, 4],
                    redacted: Some(Redacted { offset: 5, len: 4 }),
                    response: Err(RecordedError {
                        kind: RecordedErrorKind::CardRemoved,
                        message: "gone".into(),
                    }),
                    scrubbed: vec![],
                    elapsed_ms: 0,
                    note: None,
                },
            ],
        }
    }

    #[test]
    fn the_identifier_is_the_name_and_the_version() {
        assert_eq!(
            TRACE_FORMAT,
            format!("{TRACE_FORMAT_NAME}/{TRACE_FORMAT_VERSION}")
        );
        assert_eq!(
            format_version(TRACE_FORMAT).ok(),
            Some(TRACE_FORMAT_VERSION)
        );
        // Every version a reader claims has its reader.
        for v in OLDEST_TRACE_FORMAT_VERSION..=TRACE_FORMAT_VERSION {
            assert!(VersionReader::for_version(1, v).is_ok(), "{v}");
        }
    }

    #[test]
    fn round_trip() {
        let t = sample();
        let text = t.to_jsonl().unwrap_or_default();
        assert_eq!(text.lines().count(), 4);
        assert_eq!(Trace::parse(&text).ok(), Some(t));
        // CRLF line ends are accepted.
        let crlf = text.replace('\n', "\r\n");
        assert!(Trace::parse(&crlf).is_ok());
    }

    #[test]
    fn errors_carry_line_numbers() {
        let text = sample().to_jsonl().unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let err = |s: &str| Trace::parse(s).err().map(|e| (e.line, e.message));

        // Truncated at a line boundary: the end line is missing.
        let cut = format!("{}\n{}\n", lines[0], lines[1]);
        let (line, msg) = err(&cut).unwrap_or_default();
        assert_eq!(line, Some(3));
        assert!(msg.contains("truncated"), "{msg}");

        // Truncated inside a line.
        let cut = &text[..text.len() - 10];
        let (line, msg) = err(cut).unwrap_or_default();
        assert_eq!(line, Some(4));
        assert!(msg.contains("invalid JSON"), "{msg}");

        // Bad hex on line 2.
        let bad = text.replacen("00A4040C", "00A4040G", 1);
        let (line, msg) = err(&bad).unwrap_or_default();
        assert_eq!(line, Some(2));
        assert!(msg.contains("not hex"), "{msg}");

        // Unknown version.
        let bad = text.replacen("mynakit-trace/1", "mynakit-trace/9", 1);
        let (line, msg) = err(&bad).unwrap_or_default();
        assert_eq!(line, Some(1));
        assert!(msg.contains("newer than this MynaKit"), "{msg}");
        assert!(msg.contains("mynakit-trace/9"), "{msg}");
        assert!(msg.contains("upgrade MynaKit"), "{msg}");

        // Exchanges out of order.
        let swapped = format!("{}\n{}\n{}\n{}\n", lines[0], lines[2], lines[1], lines[3]);
        assert_eq!(err(&swapped).and_then(|e| e.0), Some(2));

        // Not UTF-8 on line 3.
        let mut bytes = text.as_bytes().to_vec();
        let pos = lines[0].len() + lines[1].len() + 5;
        bytes[pos] = 0xFF;
        assert_eq!(
            Trace::parse_bytes(&bytes).err().and_then(|e| e.line),
            Some(3)
        );

        assert_eq!(err("").and_then(|e| e.0), Some(1));
    }
}
