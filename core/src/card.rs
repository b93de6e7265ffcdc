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

use crate::apdu::{Command, EXTENDED_MAX_NE, Response, Status};
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
    /// remaining, unless the call explicitly allows it. The default, 1, protects the last
    /// try: a wrong value then would block the credential.
    pub floor: u8,
}

impl Default for PinPolicy {
    fn default() -> Self {
        PinPolicy { floor: 1 }
    }
}

/// Protocol choices where the public sources are thin; defaults follow the corroborated
/// reading (card-protocol §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProtocolOptions {
    /// READ BINARY with a short EF identifier in P1 instead of SELECT EF + READ BINARY
    /// ([C]: saves one APDU per file).
    pub read_by_sfi: bool,
    /// VERIFY with P2 = `80 | SFI` instead of SELECT EF + VERIFY ([C]).
    pub verify_by_sfi: bool,
    /// COMPUTE DIGITAL SIGNATURE naming the key in P2 (`80 | SFI`) instead of SELECT EF +
    /// `80 2A 00 80`. Single source ([S], soltia), so off by default.
    pub sign_key_by_sfi: bool,
}

impl Default for ProtocolOptions {
    fn default() -> Self {
        ProtocolOptions {
            read_by_sfi: true,
            verify_by_sfi: true,
            sign_key_by_sfi: false,
        }
    }
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
    /// The card answered `9000`: the credential is verified in the current session and
    /// the card does not report the count (some cards do this, card-protocol §13 #5).
    VerifiedNotReported,
}

type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

/// One session with one card.
pub struct Card<T: Transport> {
    transport: T,
    caps: Capabilities,
    selected: Option<Vec<u8>>,
    verified: Vec<Credential>,
    counters: Vec<(Credential, RetryStatus)>,
    stats: Stats,
    progress: Option<ProgressFn>,
    /// The PIN-safety policy.
    pub policy: PinPolicy,
    /// Protocol choices.
    pub options: ProtocolOptions,
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
            verified: Vec::new(),
            counters: Vec::new(),
            stats: Stats::default(),
            progress: None,
            policy: PinPolicy::default(),
            options: ProtocolOptions::default(),
        })
    }

    /// The transport's capabilities, as read when the session opened.
    pub fn capabilities(&self) -> Capabilities {
        self.caps
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
    /// verified credentials). Called after any link failure.
    pub fn forget_state(&mut self) {
        self.selected = None;
        self.verified.clear();
        self.counters.clear();
    }

    /// Whether the credential was verified earlier in this session and the card has not
    /// left its application since.
    pub fn is_verified(&self, credential: Credential) -> bool {
        self.verified.contains(&credential)
    }

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

    /// Selects an EF of the current application by its identifier.
    pub fn select_ef(&mut self, ef: &Ef) -> Result<()> {
        self.select_aid(ef.aid)?;
        let cmd = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(ef.fid.to_be_bytes().to_vec());
        let resp = self.exchange(&cmd)?;
        match resp.status() {
            Status::Ok => Ok(()),
            Status::FileNotFound => Err(Error::NotAvailable {
                what: ef.what.to_string(),
            }),
            _ => Err(unexpected(&format!("SELECT EF {:04X}", ef.fid), &resp)),
        }
    }

    fn read_chunk(&mut self, ef: &Ef, by_sfi: bool, offset: usize, len: usize) -> Result<Chunk> {
        let (p1, p2) = if by_sfi {
            let off = u8::try_from(offset).map_err(|_| {
                Error::InvalidArgument(format!(
                    "offset {offset} too large for a READ BINARY by SFI"
                ))
            })?;
            (0x80 | ef.sfi(), off)
        } else {
            if offset > MAX_OFFSET {
                return Err(Error::malformed(
                    ef.what,
                    format!("data beyond offset {MAX_OFFSET} cannot be addressed by READ BINARY"),
                ));
            }
            let [hi, lo] = u16::try_from(offset).unwrap_or(u16::MAX).to_be_bytes();
            (hi, lo)
        };
        let cmd = Command::new(0x00, 0xB0, p1, p2).with_le(len);
        let resp = self.exchange(&cmd)?;
        match resp.status() {
            Status::Ok | Status::EndOfFile => {
                let eof = resp.status() == Status::EndOfFile || resp.data.len() < len;
                let mut data = resp.data;
                data.truncate(len);
                Ok(Chunk::Data { data, eof })
            }
            Status::WrongOffset => Ok(Chunk::Data {
                data: Vec::new(),
                eof: true,
            }),
            Status::CommandNotAllowed if !by_sfi => Ok(Chunk::NoCurrentEf),
            Status::SecurityStatusNotSatisfied => Err(match ef.unlock {
                Some(credential) => Error::CredentialRequired {
                    what: ef.what.to_string(),
                    credential,
                },
                None => unexpected(&format!("READ BINARY {}", ef.what), &resp),
            }),
            Status::FileNotFound => Err(Error::NotAvailable {
                what: ef.what.to_string(),
            }),
            _ => Err(unexpected(
                &format!("READ BINARY {} at {offset}", ef.what),
                &resp,
            )),
        }
    }

    /// Reads `len` bytes at `offset` of the current EF, re-selecting it once if the card
    /// says there is no current EF (whether READ BINARY by SFI makes the EF current is
    /// ISO 7816-4 behaviour not confirmed on a real card).
    fn read_current(&mut self, ef: &Ef, offset: usize, len: usize) -> Result<(Vec<u8>, bool)> {
        match self.read_chunk(ef, false, offset, len)? {
            Chunk::Data { data, eof } => Ok((data, eof)),
            Chunk::NoCurrentEf => {
                self.select_ef(ef)?;
                match self.read_chunk(ef, false, offset, len)? {
                    Chunk::Data { data, eof } => Ok((data, eof)),
                    Chunk::NoCurrentEf => Err(Error::MalformedResponse(format!(
                        "the card reports no current EF after selecting {}",
                        ef.what
                    ))),
                }
            }
        }
    }

    fn read_first(&mut self, ef: &Ef, len: usize) -> Result<(Vec<u8>, bool)> {
        self.select_aid(ef.aid)?;
        if self.options.read_by_sfi {
            match self.read_chunk(ef, true, 0, len)? {
                Chunk::Data { data, eof } => Ok((data, eof)),
                Chunk::NoCurrentEf => Err(Error::MalformedResponse(
                    "no current EF after a READ BINARY by SFI".into(),
                )),
            }
        } else {
            self.select_ef(ef)?;
            self.read_current(ef, 0, len)
        }
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
    /// application if it is not selected yet.
    pub fn read_tlv_file(&mut self, ef: &Ef) -> Result<Vec<u8>> {
        let chunk = self.caps.max_read_chunk();
        let (mut buf, mut eof) = self.read_first(ef, chunk)?;
        let total = loop {
            match ber::parse_header(&buf)? {
                HeaderParse::Complete(h) => {
                    break h
                        .total_len()
                        .ok_or_else(|| Error::malformed(ef.what, "length overflows"))?;
                }
                HeaderParse::NeedMore(n) => {
                    if eof {
                        return Err(Error::malformed(
                            ef.what,
                            format!(
                                "the file ends after {} bytes, inside the TLV header",
                                buf.len()
                            ),
                        ));
                    }
                    let want = n.saturating_sub(buf.len()).max(1).min(chunk);
                    let (more, e) = self.read_current(ef, buf.len(), want)?;
                    if more.is_empty() {
                        eof = true;
                    }
                    buf.extend_from_slice(&more);
                    eof |= e;
                }
            }
        };
        if total > MAX_OFFSET + chunk {
            return Err(Error::malformed(
                ef.what,
                format!("declared length {total} exceeds what READ BINARY can address"),
            ));
        }
        self.report(ef.what, buf.len().min(total), total);
        while buf.len() < total {
            let offset = buf.len();
            let want = (total - offset).min(chunk);
            let (more, _) = self.read_current(ef, offset, want)?;
            if more.is_empty() {
                return Err(Error::malformed(
                    ef.what,
                    format!("the file ends at {offset} bytes but its header declares {total}"),
                ));
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
        while buf.len() < len && !eof {
            let offset = buf.len();
            let (more, e) = self.read_current(ef, offset, (len - offset).min(chunk))?;
            eof = e || more.is_empty();
            buf.extend_from_slice(&more);
        }
        buf.truncate(len);
        Ok(buf)
    }

    /// Reads a credential's retry counter without spending a try (VERIFY without data,
    /// card-protocol §5.3).
    pub fn retry_status(&mut self, credential: Credential) -> Result<RetryStatus> {
        self.select_aid(credential.aid())?;
        let p2 = if self.options.verify_by_sfi {
            0x80 | credential.sfi()
        } else {
            self.select_ef(&credential_ef(credential))?;
            0x80
        };
        let resp = self.exchange(&Command::new(0x00, 0x20, 0x00, p2))?;
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
    /// link failure happened since. Sessions are exclusive (NFC by nature; PC/SC opens the
    /// card in exclusive mode), so nothing else can have changed it.
    fn known_counter(&self, credential: Credential) -> Option<RetryStatus> {
        self.counters
            .iter()
            .find(|(c, _)| *c == credential)
            .map(|(_, s)| *s)
    }

    /// Presents a credential, following the safety policy: the format is checked first
    /// (no APDU on a malformed value), the retry counter is read, the VERIFY is refused
    /// when the counter is at or below the policy's floor unless `allow_below_floor`, and
    /// exactly one VERIFY is sent. A link failure during that VERIFY gives
    /// [`Error::VerifyOutcomeUnknown`].
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
                if !self.options.verify_by_sfi {
                    self.select_ef(&credential_ef(credential))?;
                }
                s
            }
            None => self.retry_status(credential)?,
        };
        match counter {
            RetryStatus::Blocked => return Err(Error::Blocked { credential }),
            RetryStatus::Remaining(n) if n <= self.policy.floor && !allow_below_floor => {
                return Err(Error::RetryFloor {
                    credential,
                    remaining: n,
                    floor: self.policy.floor,
                });
            }
            // After a successful VERIFY in this power cycle the counter is at its maximum.
            RetryStatus::Remaining(_) | RetryStatus::VerifiedNotReported => {}
        }
        let p2 = if self.options.verify_by_sfi {
            0x80 | credential.sfi()
        } else {
            // retry_status selected the EF already.
            0x80
        };
        let cmd = Command::new(0x00, 0x20, 0x00, p2)
            .with_data(encoded.to_vec())
            .sensitive();
        // Whatever happens next, the counter may change.
        self.counters.retain(|(c, _)| *c != credential);
        let resp = match self.exchange(&cmd) {
            Ok(r) => r,
            Err(Error::Transport(source)) => {
                return Err(Error::VerifyOutcomeUnknown { credential, source });
            }
            Err(e) => return Err(e),
        };
        match resp.status() {
            Status::Ok => {
                if !self.verified.contains(&credential) {
                    self.verified.push(credential);
                }
                Ok(())
            }
            Status::RetriesRemaining(n) => Err(Error::WrongPin {
                credential,
                remaining: n,
            }),
            Status::ReferenceDataBlocked | Status::AuthenticationBlocked => {
                Err(Error::Blocked { credential })
            }
            Status::FileNotFound | Status::DataNotFound => Err(Error::NotAvailable {
                what: credential.to_string(),
            }),
            _ => Err(unexpected(&format!("VERIFY of the {credential}"), &resp)),
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

enum Chunk {
    Data { data: Vec<u8>, eof: bool },
    NoCurrentEf,
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
