//! Files: selecting applications and EFs, and reading transparent EFs in chunks sized by
//! the transport, by short EF identifier or by offset, bounded against a hostile card
//! (card-protocol §2, §6).

use super::exchange::is_lost;
use super::{Card, Form, FormState, Purpose, refuses_sfi, unexpected};
use crate::apdu::{Command, Response, SHORT_MAX_NE, Status};
use crate::ber::{self, HeaderParse};
use crate::commands::{self, EfRef, MAX_OFFSET};
use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::transport::Transport;

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

/// What the session knows about the card's current EF within the selected application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CurrentEf {
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
        let resp = self.exchange(&commands::select_application(aid))?;
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
        let resp = self.exchange(&commands::select_ef(ef.fid))?;
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

    /// The READ BINARY of `len` bytes at `offset` of `ef`, addressed as `at` says.
    fn read_command(ef: &Ef, at: EfRef, offset: usize, len: usize) -> Result<Command> {
        match at {
            EfRef::Sfi(sfi) => {
                let off = u8::try_from(offset).map_err(|_| {
                    Error::InvalidArgument(format!(
                        "offset {offset} too large for a READ BINARY by SFI"
                    ))
                })?;
                Ok(commands::read_binary_sfi(sfi, off, len))
            }
            EfRef::Current => commands::read_binary(offset, len).ok_or_else(|| {
                Error::malformed(
                    ef.what,
                    format!("data beyond offset {MAX_OFFSET} cannot be addressed by READ BINARY"),
                )
            }),
        }
    }

    /// One READ BINARY, retried once in short form when an extended one is refused
    /// (`6700`, `6A86`) or fails on the link without the card being lost; the session then
    /// stays short (issue 9 item 5).
    fn read_chunk(&mut self, ef: &Ef, at: EfRef, offset: usize, len: usize) -> Result<Chunk> {
        // Chunk sizes shrink when the session gave up extended length.
        let len = len.min(self.caps.max_read_chunk());
        let extended = len > SHORT_MAX_NE && self.caps.extended_length;
        let first = self.read_chunk_once(ef, at, offset, len);
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
            if at == EfRef::Current {
                self.select_ef(ef)?;
            }
        }
        self.read_chunk_once(ef, at, offset, short)
    }

    fn read_chunk_once(&mut self, ef: &Ef, at: EfRef, offset: usize, len: usize) -> Result<Chunk> {
        let cmd = Self::read_command(ef, at, offset, len)?;
        let resp = self.exchange(&cmd)?;
        let status = resp.status();
        if at != EfRef::Current && refuses_sfi(status) {
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
            Status::CommandNotAllowed if at == EfRef::Current => Ok(Chunk::NotCurrent),
            Status::Other(0x6981) if at == EfRef::Current => Ok(Chunk::NotCurrent),
            Status::SecurityStatusNotSatisfied if at == EfRef::Current && !certain => {
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
        match self.read_chunk(ef, EfRef::Current, offset, len)? {
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
                match self.read_chunk(ef, EfRef::Current, offset, len)? {
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
        let at = self.addressing(ef, Purpose::FirstRead);
        if at != EfRef::Current {
            let before = self.current_ef;
            match self.read_chunk(ef, at, 0, len)? {
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
                    self.fall_back_to_select(ef, Form::ReadBySfi)?;
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
            f(&super::Progress {
                stage: super::Stage::Reading,
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
    ///
    /// In a resumable session ([`Card::set_resumable`]) a file read completely is kept and
    /// returned again without APDUs, and a read cut by a lost card continues, after
    /// [`Card::resume`], at the offset it reached.
    pub fn read_tlv_file(&mut self, ef: &Ef) -> Result<Vec<u8>> {
        if let Some(data) = self.resume.completed(ef) {
            self.report(ef.what, data.len(), data.len());
            return Ok(data);
        }
        let mut buf = self.resume.take_partial(ef).unwrap_or_default();
        match self.read_tlv_into(ef, &mut buf) {
            Ok(()) => {
                self.resume.complete(ef, &buf);
                Ok(buf)
            }
            Err(Error::Transport(e)) if is_lost(&e) => {
                self.resume.keep_partial(ef, buf);
                Err(Error::Transport(e))
            }
            Err(e) => Err(e),
        }
    }

    /// Reads a whole BER-TLV file into `buf`, which may hold the start of it already.
    fn read_tlv_into(&mut self, ef: &Ef, buf: &mut Vec<u8>) -> Result<()> {
        let chunk = self.caps.max_read_chunk();
        let mut eof = false;
        let mut reads = if buf.is_empty() {
            let (first, e) = self.read_first(ef, chunk)?;
            buf.extend_from_slice(&first);
            eof = e;
            1usize
        } else {
            // Resumed after a lost link: the bytes read before count against the budget
            // as the chunks they took.
            self.select_aid(ef.aid)?;
            buf.len().div_ceil(chunk.max(1))
        };
        let total = loop {
            match ber::parse_header(buf)? {
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
        Ok(())
    }

    /// Reads the first `len` bytes of an EF (for fixed-size records), in as few APDUs as
    /// the transport allows. Returns fewer bytes when the file is shorter. In a resumable
    /// session the bytes are kept and returned again without APDUs.
    pub fn read_prefix(&mut self, ef: &Ef, len: usize) -> Result<Vec<u8>> {
        if let Some(data) = self.resume.prefix(ef, len) {
            self.report(ef.what, data.len(), data.len());
            return Ok(data);
        }
        let data = self.read_prefix_from_card(ef, len)?;
        self.resume.keep_prefix(ef, &data, data.len() < len);
        Ok(data)
    }

    fn read_prefix_from_card(&mut self, ef: &Ef, len: usize) -> Result<Vec<u8>> {
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
