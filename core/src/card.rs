//! The APDU engine: one card session over one [`Transport`].
//!
//! It handles `61xx` (GET RESPONSE) and `6Cxx` (re-issue with the right Le) itself, chooses
//! READ BINARY chunk sizes from the transport's capabilities, reads whole EFs by their BER
//! header with short EF identifiers, keeps track of the selected application so no SELECT
//! is sent twice, counts APDUs and bytes, and owns the PIN-safety policy: format check
//! before any card contact, retry counter read before VERIFY, a floor below which it
//! refuses, never a second VERIFY on its own, and "outcome unknown" when the link fails
//! during a VERIFY.

use serde::Serialize;
use zeroize::Zeroizing;

use crate::apdu::{Command, EXTENDED_MAX_NE, Response, SHORT_MAX_NC, SHORT_MAX_NE, Status};
use crate::ber::{self, HeaderParse};
use crate::credential::{Credential, Secret};
use crate::error::{Error, Result, TransportError};
use crate::transport::{Capabilities, ExchangeHint, Transport};

/// Largest offset READ BINARY can address in P1-P2 (15 bits, card-protocol §6).
pub const MAX_OFFSET: usize = 0x7FFF;

/// APDU and byte counts of a session or an operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Command APDUs sent (GET RESPONSE and re-issued commands included).
    pub apdus: u32,
    /// Bytes sent (command APDUs).
    pub bytes_sent: u64,
    /// Bytes received (response APDUs, status words included).
    pub bytes_received: u64,
}

impl Stats {
    /// The difference `self - earlier`.
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            apdus: self.apdus.saturating_sub(earlier.apdus),
            bytes_sent: self.bytes_sent.saturating_sub(earlier.bytes_sent),
            bytes_received: self.bytes_received.saturating_sub(earlier.bytes_received),
        }
    }
}

/// Progress of a file read, for the NFC sheet ("hold the card still").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// What is being read.
    pub what: String,
    /// Bytes read so far.
    pub done: usize,
    /// Bytes in all (known after the first chunk).
    pub total: usize,
}

/// The PIN-safety policy (card-protocol §12, peers §5 item 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PinPolicy {
    /// Refuse to present a credential when the card reports this many tries or fewer
    /// remaining, or does not report the count, unless the call explicitly allows it. The
    /// default, 1, protects the last try: a wrong value then would block the credential.
    pub floor: u8,
    /// Whether nothing but this session talks to the card (NFC by nature; PC/SC in
    /// exclusive mode). When false, the retry counter is read again right before every
    /// VERIFY instead of trusting a value read earlier in the session.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub exclusive: bool,
}

fn yes() -> bool {
    true
}

fn is_true(v: &bool) -> bool {
    *v
}

fn is_false(v: &bool) -> bool {
    !*v
}

impl Default for PinPolicy {
    fn default() -> Self {
        PinPolicy {
            floor: 1,
            exclusive: true,
        }
    }
}

/// Which optional addressing forms the engine may use (card-protocol §2).
///
/// No client tested on a real card shows READ BINARY or VERIFY by short EF identifier
/// working on this card, and one source shows the key named in P2 of COMPUTE DIGITAL
/// SIGNATURE working. So each form set to `true` is *tried* where a refusal is harmless
/// and, once refused, not used again in the session ([`LearnedForms`]); set to `false` it
/// is never used. `forced` makes the `true` forms unconditional (no fallback: a refusal
/// is an error), for QA probing a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProtocolOptions {
    /// READ BINARY with a short EF identifier in P1 (`00 B0 80|SFI 00 Le`) for the first
    /// chunk of a file instead of SELECT EF + READ BINARY: saves one APDU per file.
    pub read_by_sfi: bool,
    /// The retry query with P2 = `80 | SFI` instead of SELECT EF + `00 20 00 80`; a
    /// VERIFY carrying a value uses it only after the card accepted that query.
    pub verify_by_sfi: bool,
    /// COMPUTE DIGITAL SIGNATURE naming the key in P2 (`80 2A 00 97` / `9A`) instead of
    /// SELECT EF + `80 2A 00 80`.
    pub sign_key_by_sfi: bool,
    /// Use every form set to `true` without fallback, and extended length (when the
    /// transport offers it) without falling back to short APDUs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub forced: bool,
}

impl Default for ProtocolOptions {
    fn default() -> Self {
        ProtocolOptions {
            read_by_sfi: true,
            verify_by_sfi: true,
            sign_key_by_sfi: true,
            forced: false,
        }
    }
}

impl ProtocolOptions {
    /// Never an optional form: SELECT EF before every file, credential and key, as every
    /// client tested on a real card does.
    pub const SELECT_ONLY: ProtocolOptions = ProtocolOptions {
        read_by_sfi: false,
        verify_by_sfi: false,
        sign_key_by_sfi: false,
        forced: false,
    };
}

/// An optional way of addressing something, which a card may accept or refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// READ BINARY by short EF identifier.
    ReadBySfi,
    /// VERIFY (and the retry query) by short EF identifier.
    VerifyBySfi,
    /// COMPUTE DIGITAL SIGNATURE with the key named in P2.
    SignKeyBySfi,
    /// Extended-length READ BINARY.
    ExtendedLength,
    /// A READ BINARY by short EF identifier makes the EF current, so offset reads continue
    /// it (ISO 7816-4 behaviour, not confirmed on a real card).
    SfiReadSelectsEf,
}

/// What this session learned about one optional form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormState {
    /// Not used yet in this session.
    #[default]
    Untried,
    /// The card accepted it.
    Accepted,
    /// The card refused it once; the session no longer uses it.
    Refused,
}

/// What this session learned about the card's optional forms. Kept for the whole session
/// (a link failure does not change what the card is), so a card pays at most one refused
/// APDU per form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LearnedForms {
    /// READ BINARY by short EF identifier.
    pub read_by_sfi: FormState,
    /// VERIFY by short EF identifier.
    pub verify_by_sfi: FormState,
    /// The signing key named in P2.
    pub sign_key_by_sfi: FormState,
    /// Extended-length READ BINARY.
    pub extended_length: FormState,
    /// A READ BINARY by short EF identifier makes the EF current.
    pub sfi_read_selects_ef: FormState,
}

impl LearnedForms {
    /// The state of one form.
    pub fn get(&self, form: Form) -> FormState {
        match form {
            Form::ReadBySfi => self.read_by_sfi,
            Form::VerifyBySfi => self.verify_by_sfi,
            Form::SignKeyBySfi => self.sign_key_by_sfi,
            Form::ExtendedLength => self.extended_length,
            Form::SfiReadSelectsEf => self.sfi_read_selects_ef,
        }
    }

    fn slot(&mut self, form: Form) -> &mut FormState {
        match form {
            Form::ReadBySfi => &mut self.read_by_sfi,
            Form::VerifyBySfi => &mut self.verify_by_sfi,
            Form::SignKeyBySfi => &mut self.sign_key_by_sfi,
            Form::ExtendedLength => &mut self.extended_length,
            Form::SfiReadSelectsEf => &mut self.sfi_read_selects_ef,
        }
    }
}

/// Status words by which a card refuses the short-EF-identifier form of a READ BINARY or
/// of the retry query (issue 9 item 4): wrong P1-P2 (`6A86`, `6B00`), function not
/// supported (`6A81`), file not found (`6A82`: the form, or the EF, is unknown),
/// incompatible with the file (`6981`), no current EF (`6986`: the card ignored the SFI),
/// instruction not supported (`6D00`), wrong length (`6700`). Both commands are free of
/// side effects, so a refusal costs one APDU and nothing else; the fallback (SELECT EF)
/// then says whether the EF exists.
fn refuses_sfi(status: Status) -> bool {
    matches!(
        status,
        Status::IncorrectP1P2
            | Status::FunctionNotSupported
            | Status::FileNotFound
            | Status::CommandNotAllowed
            | Status::WrongOffset
            | Status::InsNotSupported
            | Status::WrongLength
    ) || status == Status::Other(0x6981)
}

/// Status words by which a card refuses a COMPUTE DIGITAL SIGNATURE naming the key in P2
/// *and proves it signed nothing*: ISO 7816-4 §5.1.3 classes SW1 `69`/`6A`/`6B` as checking
/// errors (the command was not processed), and these codes name the addressing: wrong
/// P1-P2 (`6A86`, `6B00`), function not supported (`6A81`), key or file not found (`6A82`,
/// `6A88`), incompatible with the file (`6981`), no current EF (`6986`: P2 was ignored).
/// Anything else, `6985`, `6700`, `6D00` and every link failure included, is not resent in
/// another form: a signature is never attempted twice after an ambiguous answer.
pub(crate) fn refuses_key_in_p2(status: Status) -> bool {
    matches!(
        status,
        Status::IncorrectP1P2
            | Status::FunctionNotSupported
            | Status::FileNotFound
            | Status::DataNotFound
            | Status::WrongOffset
            | Status::CommandNotAllowed
    ) || status == Status::Other(0x6981)
}

/// A transparent EF of one application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ef {
    /// The application that holds it.
    pub aid: &'static [u8],
    /// The EF identifier (`0001`–`001E`); its low five bits are the short EF identifier.
    pub fid: u16,
    /// What it holds, for messages and progress.
    pub what: &'static str,
    /// The credential that must be verified before reading, if any.
    pub unlock: Option<Credential>,
}

impl Ef {
    /// The short EF identifier.
    pub fn sfi(&self) -> u8 {
        (self.fid & 0x1F) as u8
    }
}

/// The state of a credential's retry counter, read without spending a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "remaining", rename_all = "snake_case")]
pub enum RetryStatus {
    /// This many tries remain.
    Remaining(u8),
    /// The credential is blocked.
    Blocked,
    /// The card answered `9000`: it considers the credential verified and does not report
    /// the count (some cards do this, card-protocol §5.3, §13 #5). The count is known to be
    /// at its maximum only when this session's own last VERIFY of the credential succeeded
    /// ([`Card::is_verified`]); otherwise how many tries remain is unknown and the PIN
    /// policy's floor refuses unless overridden.
    VerifiedNotReported,
}

type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

/// What the session knows about the card's current EF within the selected application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CurrentEf {
    /// No EF was made current since the application was selected.
    None,
    /// This EF was selected explicitly (or by an SFI read on a card known to make the EF
    /// current): offset reads address it.
    Selected(u16),
    /// An SFI read of this EF happened and no EF was selected explicitly before it: the
    /// card's current EF is this one or none, so an offset read either continues this EF
    /// or is refused; it cannot return another EF's bytes.
    BySfi(u16),
    /// Unknown: offset reads must SELECT the EF first.
    Unknown,
}

/// How many READ BINARY commands the BER header of a file may take before its length is
/// known (tag and length fields are at most a few bytes each).
const HEADER_READS: usize = 8;

/// One session with one card.
pub struct Card<T: Transport> {
    transport: T,
    caps: Capabilities,
    selected: Option<Vec<u8>>,
    current_ef: CurrentEf,
    verified: Vec<Credential>,
    counters: Vec<(Credential, RetryStatus)>,
    learned: LearnedForms,
    stats: Stats,
    progress: Option<ProgressFn>,
    /// The PIN-safety policy.
    pub policy: PinPolicy,
    /// Protocol choices.
    pub options: ProtocolOptions,
}

/// How a READ BINARY addresses its EF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Addr {
    /// `80 | SFI` in P1, 8-bit offset in P2.
    Sfi,
    /// 15-bit offset in the current EF.
    Current,
}

enum Chunk {
    Data {
        data: Vec<u8>,
        eof: bool,
    },
    /// An offset read the card refused in a way that says the EF is not current
    /// (`6986`, `6981`, or `6982` when the current EF was not certain).
    NotCurrent,
    /// The card refused the short-EF-identifier form (see [`refuses_sfi`]).
    Refused(Response),
}

impl<T: Transport> Card<T> {
    /// Opens a session over `transport`. Fails when the transport reports capabilities
    /// that cannot carry an APDU.
    pub fn new(transport: T) -> Result<Self> {
        let caps = transport.capabilities();
        caps.validate().map_err(Error::InvalidArgument)?;
        Ok(Card {
            transport,
            caps,
            selected: None,
            current_ef: CurrentEf::None,
            verified: Vec::new(),
            counters: Vec::new(),
            learned: LearnedForms::default(),
            stats: Stats::default(),
            progress: None,
            policy: PinPolicy::default(),
            options: ProtocolOptions::default(),
        })
    }

    /// The capabilities the session uses now: the transport's, reduced to short APDUs once
    /// the card or the link refused an extended one.
    pub fn capabilities(&self) -> Capabilities {
        self.caps
    }

    /// What this session learned about the card's optional addressing forms.
    pub fn learned_forms(&self) -> LearnedForms {
        self.learned
    }

    /// APDU and byte counts since the session opened.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Installs a progress callback for file reads.
    pub fn set_progress(&mut self, f: impl FnMut(&Progress) + Send + 'static) {
        self.progress = Some(Box::new(f));
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Ends the session and returns the transport.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Forgets what the session believes about the card's state (selected application,
    /// current EF, verified credentials, counters). Called after any link failure. What
    /// the session learned about the card's optional forms stays.
    pub fn forget_state(&mut self) {
        self.selected = None;
        self.current_ef = CurrentEf::None;
        self.verified.clear();
        self.counters.clear();
    }

    /// Whether this session's own last VERIFY of the credential succeeded and the card has
    /// not left its application since.
    pub fn is_verified(&self, credential: Credential) -> bool {
        self.verified.contains(&credential)
    }

    // ----- the one place that decides the addressing form -----

    fn form_enabled(&self, form: Form) -> bool {
        match form {
            Form::ReadBySfi | Form::SfiReadSelectsEf => self.options.read_by_sfi,
            Form::VerifyBySfi => self.options.verify_by_sfi,
            Form::SignKeyBySfi => self.options.sign_key_by_sfi,
            Form::ExtendedLength => self.caps.extended_length,
        }
    }

    /// Whether to try `form` where a refusal is harmless (the retry query, the first READ,
    /// the signature naming its key, an extended READ): enabled, and not refused earlier
    /// in this session (unless forced).
    pub(crate) fn may_try(&self, form: Form) -> bool {
        self.form_enabled(form)
            && (self.options.forced || self.learned.get(form) != FormState::Refused)
    }

    /// Whether `form` may carry something that must not be sent twice (a VERIFY with a
    /// value): only when the card already accepted it in this session, or when forced.
    pub(crate) fn accepted(&self, form: Form) -> bool {
        self.form_enabled(form)
            && (self.options.forced || self.learned.get(form) == FormState::Accepted)
    }

    /// Whether a refusal of `form` falls back to the SELECT form.
    pub(crate) fn falls_back(&self) -> bool {
        !self.options.forced
    }

    /// Records the card's answer to `form`. A refusal counts only while the form is
    /// untried: once the card accepted a form, a later refusal concerns that one EF (not
    /// every EF has a short identifier, ISO 7816-4) and only that use falls back.
    pub(crate) fn note_form(&mut self, form: Form, accepted: bool) {
        let slot = self.learned.slot(form);
        if accepted {
            *slot = FormState::Accepted;
        } else if *slot == FormState::Untried {
            *slot = FormState::Refused;
        }
    }

    /// Stops using extended length for the rest of the session.
    fn drop_extended(&mut self) {
        self.note_form(Form::ExtendedLength, false);
        self.caps.extended_length = false;
        self.caps.max_response_len = self.caps.max_response_len.min(SHORT_MAX_NE + 2);
        self.caps.max_command_len = self.caps.max_command_len.min(SHORT_MAX_NC + 6);
    }

    // ----- exchanges -----

    fn transmit_raw(&mut self, cmd: &Command, hint: ExchangeHint) -> Result<Response> {
        let bytes = Zeroizing::new(cmd.encode(self.caps.extended_length)?);
        if bytes.len() > self.caps.max_command_len {
            return Err(Error::InvalidCommand(format!(
                "{}-byte command exceeds the transport's {} bytes",
                bytes.len(),
                self.caps.max_command_len
            )));
        }
        self.stats.apdus += 1;
        self.stats.bytes_sent += bytes.len() as u64;
        let raw = match self.transport.transmit(&bytes, hint) {
            Ok(raw) => raw,
            Err(e) => {
                self.forget_state();
                return Err(e.into());
            }
        };
        self.stats.bytes_received += raw.len() as u64;
        Response::parse(&raw).map_err(|_| {
            self.forget_state();
            Error::Transport(TransportError::InvalidResponse {
                message: format!("{}-byte response has no status word", raw.len()),
            })
        })
    }

    /// Sends a command and returns the complete response: `61xx` is followed by
    /// GET RESPONSE until the card has nothing more; `6Cxx` re-issues the command once
    /// with the right Le, but only for commands that are safe to repeat (SELECT,
    /// READ BINARY, READ RECORD, GET DATA, GET CHALLENGE), never VERIFY or a signature.
    pub fn exchange(&mut self, cmd: &Command) -> Result<Response> {
        let hint = ExchangeHint {
            sensitive: cmd.sensitive,
            slow: matches!(cmd.ins, 0x2A | 0x88),
        };
        let mut resp = self.transmit_raw(cmd, hint)?;
        if let Status::WrongLe(n) = resp.status()
            && is_repeatable(cmd.ins)
            && cmd.le.is_some()
            && !cmd.sensitive
        {
            let mut again = cmd.clone();
            again.le = Some(if n == 0 { 256 } else { usize::from(n) });
            resp = self.transmit_raw(&again, hint)?;
        }
        let mut data = std::mem::take(&mut resp.data);
        let mut sw = resp.sw;
        let mut rounds = 0u32;
        while let Status::BytesAvailable(n) = sw.status() {
            rounds += 1;
            if rounds > 300 || data.len() > EXTENDED_MAX_NE {
                return Err(Error::MalformedResponse(
                    "the card keeps announcing more response bytes (61xx) beyond 64 KiB".into(),
                ));
            }
            let get = Command::new(0x00, 0xC0, 0x00, 0x00).with_le(if n == 0 {
                256
            } else {
                usize::from(n)
            });
            let more = self.transmit_raw(&get, ExchangeHint::default())?;
            data.extend_from_slice(&more.data);
            sw = more.sw;
        }
        Ok(Response { data, sw })
    }

    /// Selects an application by AID, unless this session already selected it (selecting
    /// the same application again keeps its security state, card-protocol §5.4, so there
    /// is nothing to gain from repeating it).
    pub fn select_aid(&mut self, aid: &[u8]) -> Result<()> {
        if self.selected.as_deref() == Some(aid) {
            return Ok(());
        }
        // Leaving an application clears its security state on the card.
        self.verified.clear();
        self.selected = None;
        self.current_ef = CurrentEf::None;
        let cmd = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec());
        let resp = self.exchange(&cmd)?;
        match resp.status() {
            Status::Ok => {
                self.selected = Some(aid.to_vec());
                Ok(())
            }
            Status::FileNotFound => Err(Error::NotAvailable {
                what: format!(
                    "application {} ({})",
                    crate::aid::name(aid).unwrap_or("unknown"),
                    hex::encode_upper(aid)
                ),
            }),
            _ => Err(unexpected("SELECT application", &resp)),
        }
    }

    /// Selects an EF of the current application by its identifier (always sends the
    /// SELECT).
    pub fn select_ef(&mut self, ef: &Ef) -> Result<()> {
        self.select_aid(ef.aid)?;
        self.current_ef = CurrentEf::Unknown;
        let cmd = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(ef.fid.to_be_bytes().to_vec());
        let resp = self.exchange(&cmd)?;
        match resp.status() {
            Status::Ok => {
                self.current_ef = CurrentEf::Selected(ef.fid);
                Ok(())
            }
            Status::FileNotFound => Err(Error::NotAvailable {
                what: ef.what.to_string(),
            }),
            _ => Err(unexpected(&format!("SELECT EF {:04X}", ef.fid), &resp)),
        }
    }

    /// Makes `ef` the current EF, sending SELECT EF unless it already is.
    pub(crate) fn make_current(&mut self, ef: &Ef) -> Result<()> {
        self.select_aid(ef.aid)?;
        if self.current_ef == CurrentEf::Selected(ef.fid) {
            return Ok(());
        }
        self.select_ef(ef)
    }

    // ----- reads -----

    fn read_command(ef: &Ef, addr: Addr, offset: usize, len: usize) -> Result<Command> {
        let (p1, p2) = match addr {
            Addr::Sfi => {
                let off = u8::try_from(offset).map_err(|_| {
                    Error::InvalidArgument(format!(
                        "offset {offset} too large for a READ BINARY by SFI"
                    ))
                })?;
                (0x80 | ef.sfi(), off)
            }
            Addr::Current => {
                if offset > MAX_OFFSET {
                    return Err(Error::malformed(
                        ef.what,
                        format!(
                            "data beyond offset {MAX_OFFSET} cannot be addressed by READ BINARY"
                        ),
                    ));
                }
                let [hi, lo] = u16::try_from(offset).unwrap_or(u16::MAX).to_be_bytes();
                (hi, lo)
            }
        };
        Ok(Command::new(0x00, 0xB0, p1, p2).with_le(len))
    }

    /// One READ BINARY, retried once in short form when an extended one is refused
    /// (`6700`, `6A86`) or fails on the link without the card being lost; the session then
    /// stays short (issue 9 item 5).
    fn read_chunk(&mut self, ef: &Ef, addr: Addr, offset: usize, len: usize) -> Result<Chunk> {
        // Chunk sizes shrink when the session gave up extended length.
        let len = len.min(self.caps.max_read_chunk());
        let extended = len > SHORT_MAX_NE && self.caps.extended_length;
        let first = self.read_chunk_once(ef, addr, offset, len);
        if !extended {
            return first;
        }
        let retry = match &first {
            Ok(Chunk::Refused(r)) => {
                matches!(r.status(), Status::WrongLength | Status::IncorrectP1P2)
            }
            Err(Error::UnexpectedStatus { sw, .. }) => {
                matches!(sw.status(), Status::WrongLength | Status::IncorrectP1P2)
            }
            Err(Error::Transport(t)) => !is_lost(t),
            _ => false,
        };
        if !retry || !self.falls_back() {
            if matches!(first, Ok(Chunk::Data { .. })) {
                self.note_form(Form::ExtendedLength, true);
            }
            return first;
        }
        let lost_link = matches!(first, Err(Error::Transport(_)));
        self.drop_extended();
        let short = len.min(self.caps.max_read_chunk());
        if lost_link {
            // The link failure made the session forget the selection: restore it.
            self.select_aid(ef.aid)?;
            if addr == Addr::Current {
                self.select_ef(ef)?;
            }
        }
        self.read_chunk_once(ef, addr, offset, short)
    }

    fn read_chunk_once(&mut self, ef: &Ef, addr: Addr, offset: usize, len: usize) -> Result<Chunk> {
        let cmd = Self::read_command(ef, addr, offset, len)?;
        let resp = self.exchange(&cmd)?;
        let status = resp.status();
        if addr == Addr::Sfi && refuses_sfi(status) {
            return Ok(Chunk::Refused(resp));
        }
        let certain = self.current_ef == CurrentEf::Selected(ef.fid);
        match status {
            Status::Ok | Status::EndOfFile => {
                let eof = status == Status::EndOfFile || resp.data.len() < len;
                let mut data = resp.data;
                data.truncate(len);
                Ok(Chunk::Data { data, eof })
            }
            Status::WrongOffset => Ok(Chunk::Data {
                data: Vec::new(),
                eof: true,
            }),
            Status::CommandNotAllowed if addr == Addr::Current => Ok(Chunk::NotCurrent),
            Status::Other(0x6981) if addr == Addr::Current => Ok(Chunk::NotCurrent),
            Status::SecurityStatusNotSatisfied if addr == Addr::Current && !certain => {
                Ok(Chunk::NotCurrent)
            }
            Status::SecurityStatusNotSatisfied => Err(match ef.unlock {
                Some(credential) => Error::CredentialRequired {
                    what: ef.what.to_string(),
                    credential,
                },
                None => unexpected(&format!("READ BINARY {}", ef.what), &resp),
            }),
            _ => Err(unexpected(
                &format!("READ BINARY {} at {offset}", ef.what),
                &resp,
            )),
        }
    }

    /// Reads `len` bytes at `offset` of `ef` by offset, making it current first when the
    /// session cannot be sure it is, and re-selecting it once if the card says it is not
    /// (whether READ BINARY by SFI makes the EF current is not confirmed on a real card).
    fn read_current(&mut self, ef: &Ef, offset: usize, len: usize) -> Result<(Vec<u8>, bool)> {
        match self.current_ef {
            CurrentEf::Selected(f) | CurrentEf::BySfi(f) if f == ef.fid => {}
            _ => self.select_ef(ef)?,
        }
        let was_by_sfi = self.current_ef == CurrentEf::BySfi(ef.fid);
        match self.read_chunk(ef, Addr::Current, offset, len)? {
            Chunk::Data { data, eof } => {
                if was_by_sfi {
                    // No other EF could have been current: the SFI read selected it.
                    self.note_form(Form::SfiReadSelectsEf, true);
                    self.current_ef = CurrentEf::Selected(ef.fid);
                }
                Ok((data, eof))
            }
            Chunk::NotCurrent | Chunk::Refused(_) => {
                if was_by_sfi {
                    self.note_form(Form::SfiReadSelectsEf, false);
                }
                self.select_ef(ef)?;
                match self.read_chunk(ef, Addr::Current, offset, len)? {
                    Chunk::Data { data, eof } => Ok((data, eof)),
                    Chunk::NotCurrent | Chunk::Refused(_) => {
                        Err(Error::MalformedResponse(format!(
                            "the card refuses to read {} right after selecting it",
                            ef.what
                        )))
                    }
                }
            }
        }
    }

    /// The first READ of a file: by short EF identifier where the session may try it,
    /// falling back to SELECT EF + offset read when the card refuses that form (a refusal
    /// is never reported as a missing file: the SELECT EF decides that).
    fn read_first(&mut self, ef: &Ef, len: usize) -> Result<(Vec<u8>, bool)> {
        self.select_aid(ef.aid)?;
        if self.current_ef != CurrentEf::Selected(ef.fid) && self.may_try(Form::ReadBySfi) {
            let before = self.current_ef;
            match self.read_chunk(ef, Addr::Sfi, 0, len)? {
                Chunk::Data { data, eof } => {
                    self.note_form(Form::ReadBySfi, true);
                    self.current_ef = match (before, self.learned.sfi_read_selects_ef) {
                        (_, FormState::Accepted) => CurrentEf::Selected(ef.fid),
                        (CurrentEf::None | CurrentEf::BySfi(_), _) => CurrentEf::BySfi(ef.fid),
                        _ => CurrentEf::Unknown,
                    };
                    if self.learned.sfi_read_selects_ef == FormState::Refused && !eof {
                        // The continuation needs the EF selected; offset reads would fail.
                        self.current_ef = CurrentEf::Unknown;
                    }
                    return Ok((data, eof));
                }
                Chunk::Refused(resp) => {
                    if !self.falls_back() {
                        return Err(unexpected(
                            &format!("READ BINARY by SFI of {}", ef.what),
                            &resp,
                        ));
                    }
                    // SELECT EF tells whether the EF exists (NotAvailable when it does not);
                    // only then was the refusal about the form.
                    self.select_ef(ef)?;
                    self.note_form(Form::ReadBySfi, false);
                }
                Chunk::NotCurrent => {
                    return Err(Error::MalformedResponse(
                        "no current EF after a READ BINARY by SFI".into(),
                    ));
                }
            }
        }
        self.read_current(ef, 0, len)
    }

    fn report(&mut self, what: &str, done: usize, total: usize) {
        if let Some(f) = self.progress.as_mut() {
            f(&Progress {
                what: what.to_string(),
                done,
                total,
            });
        }
    }

    /// Reads a whole EF holding one BER-TLV object, finding its length from the header in
    /// the first chunk, and never reading past the object (filler after it is not read).
    /// APDUs: one per `max_read_chunk` bytes of the object, plus the SELECT of the
    /// application if it is not selected yet (and SELECT EF on a card that refuses READ
    /// BINARY by SFI).
    ///
    /// Bounded against a hostile card: at most ceil(size / chunk) + 2 READ BINARY commands
    /// once the size is known, a read that returns less than asked inside the object is an
    /// error, and a declared length that READ BINARY offsets cannot reach is refused before
    /// any further read (card-protocol §6).
    pub fn read_tlv_file(&mut self, ef: &Ef) -> Result<Vec<u8>> {
        let chunk = self.caps.max_read_chunk();
        let (mut buf, mut eof) = self.read_first(ef, chunk)?;
        let mut reads = 1usize;
        let total = loop {
            match ber::parse_header(&buf)? {
                HeaderParse::Complete(h) => {
                    break h
                        .total_len()
                        .ok_or_else(|| Error::malformed(ef.what, "length overflows"))?;
                }
                HeaderParse::NeedMore(n) => {
                    if eof || reads >= HEADER_READS {
                        return Err(Error::malformed(
                            ef.what,
                            format!(
                                "the file ends after {} bytes, inside the TLV header",
                                buf.len()
                            ),
                        ));
                    }
                    let chunk = self.caps.max_read_chunk();
                    let want = n.saturating_sub(buf.len()).max(1).min(chunk);
                    let (more, e) = self.read_current(ef, buf.len(), want)?;
                    reads += 1;
                    if more.is_empty() {
                        eof = true;
                    }
                    buf.extend_from_slice(&more);
                    eof |= e;
                }
            }
        };
        if !reachable(total, buf.len(), self.caps.max_read_chunk()) {
            return Err(Error::malformed(
                ef.what,
                format!(
                    "declared length {total} exceeds what READ BINARY can address (offsets up to {MAX_OFFSET})"
                ),
            ));
        }
        let budget = |chunk: usize| total.div_ceil(chunk.max(1)).saturating_add(2);
        self.report(ef.what, buf.len().min(total), total);
        while buf.len() < total {
            let chunk = self.caps.max_read_chunk();
            if reads >= budget(chunk) {
                return Err(Error::malformed(
                    ef.what,
                    format!(
                        "{reads} READ BINARY commands returned only {} of {total} bytes",
                        buf.len()
                    ),
                ));
            }
            if eof {
                return Err(Error::malformed(
                    ef.what,
                    format!(
                        "the file ends at {} bytes but its header declares {total}",
                        buf.len()
                    ),
                ));
            }
            let offset = buf.len();
            let want = (total - offset).min(chunk);
            let (more, _) = self.read_current(ef, offset, want)?;
            reads += 1;
            if more.len() < want.min(self.caps.max_read_chunk()) {
                // A read inside the object came back short: the card says the file ends
                // here (or misbehaves); asking again would not help.
                eof = true;
            }
            buf.extend_from_slice(&more);
            self.report(ef.what, buf.len().min(total), total);
        }
        buf.truncate(total);
        Ok(buf)
    }

    /// Reads the first `len` bytes of an EF (for fixed-size records), in as few APDUs as
    /// the transport allows. Returns fewer bytes when the file is shorter.
    pub fn read_prefix(&mut self, ef: &Ef, len: usize) -> Result<Vec<u8>> {
        let chunk = self.caps.max_read_chunk();
        let (mut buf, mut eof) = self.read_first(ef, len.min(chunk))?;
        let mut reads = 1usize;
        while buf.len() < len && !eof {
            let chunk = self.caps.max_read_chunk();
            if reads >= len.div_ceil(chunk.max(1)).saturating_add(2) {
                return Err(Error::malformed(
                    ef.what,
                    format!(
                        "{reads} READ BINARY commands returned only {} of {len} bytes",
                        buf.len()
                    ),
                ));
            }
            let offset = buf.len();
            let want = (len - offset).min(chunk);
            let (more, e) = self.read_current(ef, offset, want)?;
            reads += 1;
            eof = e || more.len() < want.min(self.caps.max_read_chunk());
            buf.extend_from_slice(&more);
        }
        buf.truncate(len);
        Ok(buf)
    }

    // ----- credentials -----

    /// Sends the retry query for a credential, by short EF identifier where the session may
    /// try it, falling back to SELECT EF + `00 20 00 80` when the card refuses that form.
    fn query_counter(&mut self, credential: Credential) -> Result<Response> {
        self.select_aid(credential.aid())?;
        let ef = credential_ef(credential);
        if self.may_try(Form::VerifyBySfi) {
            let resp = self.exchange(&Command::new(0x00, 0x20, 0x00, 0x80 | credential.sfi()))?;
            let status = resp.status();
            if !refuses_sfi(status) {
                if is_counter_answer(status) {
                    self.note_form(Form::VerifyBySfi, true);
                }
                return Ok(resp);
            }
            if !self.falls_back() {
                return Err(unexpected(
                    &format!("VERIFY (retry query by SFI) of the {credential}"),
                    &resp,
                ));
            }
            self.select_ef(&ef).map_err(|e| match e {
                Error::NotAvailable { .. } => Error::NotAvailable {
                    what: credential.to_string(),
                },
                e => e,
            })?;
            self.note_form(Form::VerifyBySfi, false);
        } else {
            self.make_current(&ef).map_err(|e| match e {
                Error::NotAvailable { .. } => Error::NotAvailable {
                    what: credential.to_string(),
                },
                e => e,
            })?;
        }
        self.exchange(&Command::new(0x00, 0x20, 0x00, 0x80))
    }

    /// Reads a credential's retry counter without spending a try (VERIFY without data,
    /// card-protocol §5.3).
    pub fn retry_status(&mut self, credential: Credential) -> Result<RetryStatus> {
        let resp = self.query_counter(credential)?;
        let status = match resp.status() {
            Status::RetriesRemaining(0) => Ok(RetryStatus::Blocked),
            Status::RetriesRemaining(n) => Ok(RetryStatus::Remaining(n)),
            Status::ReferenceDataBlocked | Status::AuthenticationBlocked => {
                Ok(RetryStatus::Blocked)
            }
            Status::Ok => Ok(RetryStatus::VerifiedNotReported),
            Status::FileNotFound | Status::DataNotFound => Err(Error::NotAvailable {
                what: credential.to_string(),
            }),
            _ => Err(unexpected(
                &format!("VERIFY (retry query) of the {credential}"),
                &resp,
            )),
        }?;
        self.counters.retain(|(c, _)| *c != credential);
        self.counters.push((credential, status));
        Ok(status)
    }

    /// The counter read earlier in this session, if no VERIFY of the credential and no
    /// link failure happened since, and the session is exclusive (NFC by nature; PC/SC
    /// opens the card in exclusive mode), so nothing else can have changed it.
    fn known_counter(&self, credential: Credential) -> Option<RetryStatus> {
        if !self.policy.exclusive {
            return None;
        }
        self.counters
            .iter()
            .find(|(c, _)| *c == credential)
            .map(|(_, s)| *s)
    }

    /// Presents a credential, following the safety policy: the format is checked first
    /// (no APDU on a malformed value), the retry counter is read (or taken from this
    /// session when it is exclusive), the VERIFY is refused when the counter is at or below
    /// the policy's floor, or unknown (`9000` without this session's own successful VERIFY),
    /// unless `allow_below_floor`, and exactly one VERIFY is sent, in a form the card
    /// already accepted in this session. Any answer other than `9000`, `63Cx`, `6983` or
    /// `6984`, and any link failure during the VERIFY, gives
    /// [`Error::VerifyOutcomeUnknown`] (card-protocol §5.3).
    pub fn verify(
        &mut self,
        credential: Credential,
        value: &Secret,
        allow_below_floor: bool,
    ) -> Result<()> {
        let encoded = credential.encode(value)?;
        let counter = match self.known_counter(credential) {
            Some(s) => {
                self.select_aid(credential.aid())?;
                s
            }
            None => self.retry_status(credential)?,
        };
        let floor = self.policy.floor;
        match counter {
            RetryStatus::Blocked => return Err(Error::Blocked { credential }),
            RetryStatus::Remaining(n) if n <= floor && !allow_below_floor => {
                return Err(Error::RetryFloor {
                    credential,
                    remaining: Some(n),
                    floor,
                });
            }
            // 9000 means "counter at its maximum" only after this session's own
            // successful VERIFY; otherwise the count is unknown (issue 13 item 1).
            RetryStatus::VerifiedNotReported
                if !self.is_verified(credential) && !allow_below_floor =>
            {
                return Err(Error::RetryFloor {
                    credential,
                    remaining: None,
                    floor,
                });
            }
            RetryStatus::Remaining(_) | RetryStatus::VerifiedNotReported => {}
        }
        let p2 = if self.accepted(Form::VerifyBySfi) {
            0x80 | credential.sfi()
        } else {
            self.make_current(&credential_ef(credential))?;
            0x80
        };
        let cmd = Command::new(0x00, 0x20, 0x00, p2)
            .with_data(encoded.to_vec())
            .sensitive();
        // Whatever happens next, the counter may change, and this session's verified
        // state is what the answer says.
        self.counters.retain(|(c, _)| *c != credential);
        self.verified.retain(|c| *c != credential);
        let sent_before = self.stats.apdus;
        let resp = match self.exchange(&cmd) {
            Ok(r) => r,
            Err(Error::Transport(source)) => {
                return Err(Error::VerifyOutcomeUnknown {
                    credential,
                    source: Some(source),
                    sw: None,
                });
            }
            Err(_) if self.stats.apdus > sent_before => {
                // The VERIFY reached the card; what followed (GET RESPONSE) failed.
                self.forget_state();
                return Err(Error::VerifyOutcomeUnknown {
                    credential,
                    source: None,
                    sw: None,
                });
            }
            Err(e) => return Err(e),
        };
        match resp.status() {
            Status::Ok => {
                self.verified.push(credential);
                Ok(())
            }
            Status::RetriesRemaining(n) => Err(Error::WrongPin {
                credential,
                remaining: n,
            }),
            Status::ReferenceDataBlocked | Status::AuthenticationBlocked => {
                Err(Error::Blocked { credential })
            }
            _ => Err(Error::VerifyOutcomeUnknown {
                credential,
                source: None,
                sw: Some(resp.sw),
            }),
        }
    }

    /// Verifies the credential unless this session already did since entering its
    /// application.
    pub fn ensure_verified(
        &mut self,
        credential: Credential,
        value: &Secret,
        allow_below_floor: bool,
    ) -> Result<()> {
        self.select_aid(credential.aid())?;
        if self.is_verified(credential) {
            return Ok(());
        }
        self.verify(credential, value, allow_below_floor)
    }

    /// Refuses locally, with no APDU, to read data that none of the credentials verified in
    /// this session opens: selects `aid`, and passes when one of `allowed` is verified;
    /// otherwise [`Error::CredentialRequired`] naming the first of `allowed`, and, when
    /// another credential of the application was presented, saying that it does not open
    /// `what`.
    pub fn require_verified(
        &mut self,
        aid: &[u8],
        allowed: &[Credential],
        what: &str,
    ) -> Result<()> {
        self.select_aid(aid)?;
        if allowed.iter().any(|c| self.is_verified(*c)) {
            return Ok(());
        }
        let by = self.verified.iter().find(|c| c.aid() == aid).copied();
        let credential = allowed
            .first()
            .copied()
            .ok_or_else(|| Error::InvalidArgument(format!("no credential opens {what}")))?;
        Err(Error::CredentialRequired {
            what: match by {
                Some(c) => format!("{what} (the {c} does not open it)"),
                None => what.to_string(),
            },
            credential,
        })
    }

    /// COMPUTE DIGITAL SIGNATURE with the key in `key_ef` over `data`: the key named in P2
    /// where the session may try it, falling back to SELECT EF + `80 2A 00 80` only on an
    /// answer that proves nothing was signed ([`refuses_key_in_p2`]); never resent after
    /// any other answer or a link failure (card-protocol §2, §7.1).
    pub(crate) fn compute_signature(&mut self, key_ef: &Ef, data: Vec<u8>) -> Result<Response> {
        self.select_aid(key_ef.aid)?;
        let cmd = |p2: u8| {
            Command::new(0x80, 0x2A, 0x00, p2)
                .with_data(data.clone())
                .with_le(256)
        };
        if self.may_try(Form::SignKeyBySfi) {
            let resp = self.exchange(&cmd(0x80 | key_ef.sfi()))?;
            if !refuses_key_in_p2(resp.status()) || !self.falls_back() {
                if resp.status() == Status::Ok {
                    self.note_form(Form::SignKeyBySfi, true);
                }
                return Ok(resp);
            }
            self.select_ef(key_ef)?;
            self.note_form(Form::SignKeyBySfi, false);
        } else {
            self.make_current(key_ef)?;
        }
        self.exchange(&cmd(0x80))
    }

    /// GET CHALLENGE: `n` random bytes from the card (1 to 256).
    pub fn get_challenge(&mut self, n: usize) -> Result<Vec<u8>> {
        if !(1..=256).contains(&n) {
            return Err(Error::InvalidArgument(format!(
                "challenge length {n} is outside 1..=256"
            )));
        }
        let resp = self.exchange(&Command::new(0x00, 0x84, 0x00, 0x00).with_le(n))?;
        match resp.status() {
            Status::Ok if resp.data.len() == n => Ok(resp.data),
            Status::Ok => Err(Error::MalformedResponse(format!(
                "GET CHALLENGE returned {} bytes instead of {n}",
                resp.data.len()
            ))),
            _ => Err(unexpected("GET CHALLENGE", &resp)),
        }
    }
}

/// Whether the remaining bytes of a `total`-byte object, `have` of which are read, can be
/// reached with `chunk`-byte reads whose offsets fit in P1-P2 (at most [`MAX_OFFSET`]).
fn reachable(total: usize, have: usize, chunk: usize) -> bool {
    if total <= have {
        return true;
    }
    let chunk = chunk.max(1);
    let reads = (total - have).div_ceil(chunk);
    let last_offset = have.saturating_add((reads - 1).saturating_mul(chunk));
    last_offset <= MAX_OFFSET
}

/// Answers by which the card shows it understood a retry query.
fn is_counter_answer(status: Status) -> bool {
    matches!(
        status,
        Status::RetriesRemaining(_)
            | Status::Ok
            | Status::ReferenceDataBlocked
            | Status::AuthenticationBlocked
            | Status::VerificationFailedNoCounter
    )
}

/// A link failure that means the card is gone (no retry in another form makes sense).
fn is_lost(e: &TransportError) -> bool {
    matches!(
        e,
        TransportError::CardRemoved { .. }
            | TransportError::NoCard { .. }
            | TransportError::Cancelled { .. }
            | TransportError::CardReset { .. }
    )
}

fn is_repeatable(ins: u8) -> bool {
    matches!(ins, 0xA4 | 0xB0 | 0xB2 | 0xCA | 0x84)
}

/// The EF holding a credential.
pub fn credential_ef(credential: Credential) -> Ef {
    Ef {
        aid: credential.aid(),
        fid: credential.ef(),
        what: "credential",
        unlock: None,
    }
}

pub(crate) fn unexpected(command: &str, resp: &Response) -> Error {
    Error::UnexpectedStatus {
        command: command.to_string(),
        sw: resp.sw,
    }
}
