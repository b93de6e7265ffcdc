//! The APDU engine: one card session over one [`Transport`].
//!
//! It handles `61xx` (GET RESPONSE) and `6Cxx` (re-issue with the right Le) itself, chooses
//! READ BINARY chunk sizes from the transport's capabilities, reads whole EFs by their BER
//! header with short EF identifiers, keeps track of the selected application so no SELECT
//! is sent twice, counts APDUs and bytes, and owns the PIN-safety policy: format check
//! before any card contact, retry counter read before VERIFY, a floor below which it
//! refuses, never a second VERIFY on its own, and "outcome unknown" when the link fails
//! during a VERIFY.
//!
//! Parts: this module (the session, its options, what it learned about the card's
//! optional forms, and the one place that decides the addressing form), `exchange` (the
//! exchange loop: GET RESPONSE, `6Cxx`, link failures), `files` (selection, chunked and
//! SFI reads, the read bounds) and `credentials` (retry counters, VERIFY, the floor, the
//! outcome-unknown policy, signatures). Every command comes from [`crate::commands`].
//! Nothing public sends an arbitrary APDU: the exchange loop is internal to the crate.

mod credentials;
mod exchange;
mod files;
mod resume;

use serde::Serialize;

use crate::apdu::{Response, Status};
use crate::commands::{EfRef, Sfi};
use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::transport::{Capabilities, Transport};

pub use crate::commands::MAX_OFFSET;
pub use credentials::{RetryStatus, credential_ef};
pub use files::Ef;

use files::CurrentEf;
use resume::Resume;

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

/// What the session is doing with the card, for the NFC sheet ("hold the card still").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading a file (`done` of `total` bytes).
    Reading,
    /// Reading a credential's retry counter (no try is spent).
    CheckingTries,
    /// Presenting a credential (one VERIFY).
    Verifying,
    /// The card is signing (JPKI key or the card key of a 券面 application); the slowest
    /// step, about half a second on a card.
    Signing,
}

/// Progress of an operation, for the NFC sheet: the stage, and for reads the bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The stage.
    pub stage: Stage,
    /// What is being read, verified or signed with.
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
/// then says whether the EF exists (card-protocol §12).
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

/// What a command that names an EF is for: this decides which addressing forms it may
/// use ([`Card::addressing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// The first READ BINARY of a file: free of side effects, so the short-EF-identifier
    /// form may be tried (a refusal costs one APDU).
    FirstRead,
    /// The retry query (VERIFY without data): free of side effects, tried by SFI likewise.
    RetryQuery,
    /// A VERIFY carrying a value: it must never be sent twice, so only a form the card
    /// already accepted in this session.
    Verify,
    /// COMPUTE DIGITAL SIGNATURE: the key named in P2 is tried, and resent after SELECT EF
    /// only on an answer that proves nothing was signed
    /// ([`credentials::refuses_key_in_p2`]).
    Sign,
}

type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

/// One session with one card.
///
/// Every command goes through the session's operations; nothing public sends an arbitrary
/// APDU, so no VERIFY or signature can bypass the PIN policy. A session over any transport:
///
/// ```
/// use mynakit::{Capabilities, Card, ExchangeHint, Transport, TransportError};
/// struct Silent;
/// impl Transport for Silent {
///     fn transmit(&mut self, _: &[u8], _: ExchangeHint) -> Result<Vec<u8>, TransportError> {
///         Ok(vec![0x6D, 0x00])
///     }
///     fn capabilities(&self) -> Capabilities {
///         Capabilities::SHORT
///     }
/// }
/// let mut card = Card::new(Silent)?;
/// assert!(card.get_challenge(8).is_err());
/// # Ok::<(), mynakit::Error>(())
/// ```
///
/// has no raw exchange:
///
/// ```compile_fail
/// # use mynakit::{Capabilities, Card, ExchangeHint, Transport, TransportError};
/// # struct Silent;
/// # impl Transport for Silent {
/// #     fn transmit(&mut self, _: &[u8], _: ExchangeHint) -> Result<Vec<u8>, TransportError> {
/// #         Ok(vec![0x6D, 0x00])
/// #     }
/// #     fn capabilities(&self) -> Capabilities {
/// #         Capabilities::SHORT
/// #     }
/// # }
/// let mut card = Card::new(Silent)?;
/// let verify = mynakit::commands::verify(mynakit::commands::EfRef::Current, b"1234");
/// card.exchange(&verify)?;
/// # Ok::<(), mynakit::Error>(())
/// ```
///
/// and no mutable access to its transport while the session lasts:
///
/// ```compile_fail
/// # use mynakit::{Capabilities, Card, ExchangeHint, Transport, TransportError};
/// # struct Silent;
/// # impl Transport for Silent {
/// #     fn transmit(&mut self, _: &[u8], _: ExchangeHint) -> Result<Vec<u8>, TransportError> {
/// #         Ok(vec![0x6D, 0x00])
/// #     }
/// #     fn capabilities(&self) -> Capabilities {
/// #         Capabilities::SHORT
/// #     }
/// # }
/// let mut card = Card::new(Silent)?;
/// card.transport_mut().transmit(&[0x00, 0x20, 0x00, 0x80], ExchangeHint::default())?;
/// # Ok::<(), mynakit::Error>(())
/// ```
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
    resume: Resume,
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
            current_ef: CurrentEf::None,
            verified: Vec::new(),
            counters: Vec::new(),
            learned: LearnedForms::default(),
            stats: Stats::default(),
            progress: None,
            resume: Resume::default(),
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

    /// The transport (read-only: a command sent on it directly would bypass the session's
    /// PIN policy and its knowledge of the card's state).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Makes the session resumable: files read completely are kept (zeroized when the
    /// session ends or [`Card::forget_kept_data`] is called) and a read cut by a lost card
    /// continues where it stopped after [`Card::resume`]. Off by default.
    pub fn set_resumable(&mut self, on: bool) {
        self.resume.enabled = on;
        if !on {
            self.resume.clear();
        }
    }

    /// Drops the files a resumable session kept (zeroized).
    pub fn forget_kept_data(&mut self) {
        self.resume.clear();
    }

    /// Continues the session over a new transport after the card was lost (the user
    /// presented it again): the card's state (selection, security state) is taken as lost,
    /// what the session learned (optional forms, a short-APDU downgrade) stays, and in a
    /// resumable session kept files and a cut read carry on. Credentials are presented
    /// again by the next operation that needs them, under the usual policy; a VERIFY whose
    /// outcome was unknown is re-sent only if the counter shows no try was spent (see the
    /// `resume` module notes). Fails, keeping the old transport, when the new one's
    /// capabilities cannot carry an APDU.
    pub fn resume(&mut self, transport: T) -> Result<()> {
        let caps = transport.capabilities();
        caps.validate().map_err(Error::InvalidArgument)?;
        self.transport = transport;
        self.caps = caps;
        if self.learned.get(Form::ExtendedLength) == FormState::Refused {
            // The card or the phone refused extended length earlier: stay short.
            self.drop_extended();
        }
        self.forget_state();
        Ok(())
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

    /// Reports a stage without bytes (checking tries, verifying, signing).
    pub(crate) fn stage(&mut self, stage: Stage, what: &str) {
        if let Some(f) = self.progress.as_mut() {
            f(&Progress {
                stage,
                what: what.to_string(),
                done: 0,
                total: 0,
            });
        }
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
    fn may_try(&self, form: Form) -> bool {
        self.form_enabled(form)
            && (self.options.forced || self.learned.get(form) != FormState::Refused)
    }

    /// Whether `form` may carry something that must not be sent twice (a VERIFY with a
    /// value): only when the card already accepted it in this session, or when forced.
    fn accepted(&self, form: Form) -> bool {
        self.form_enabled(form)
            && (self.options.forced || self.learned.get(form) == FormState::Accepted)
    }

    /// Whether a refusal of an optional form falls back to the SELECT form.
    fn falls_back(&self) -> bool {
        !self.options.forced
    }

    /// How a command for `purpose` names `ef` (card-protocol §2, §12): by its short EF
    /// identifier when the options enable that form, the EF has one, and the session may
    /// use the form for this purpose (tried where a refusal is harmless and not refused
    /// earlier, or forced; for a VERIFY with a value only once the card accepted it; for
    /// a first read only when the EF is not already selected). Otherwise
    /// [`EfRef::Current`]: the caller makes the EF current (SELECT EF unless it already
    /// is) and addresses the current EF. Every command that names an EF asks here.
    fn addressing(&self, ef: &Ef, purpose: Purpose) -> EfRef {
        let by_sfi = match purpose {
            Purpose::FirstRead => {
                self.current_ef != CurrentEf::Selected(ef.fid) && self.may_try(Form::ReadBySfi)
            }
            Purpose::RetryQuery => self.may_try(Form::VerifyBySfi),
            Purpose::Verify => self.accepted(Form::VerifyBySfi),
            Purpose::Sign => self.may_try(Form::SignKeyBySfi),
        };
        match Sfi::of_fid(ef.fid) {
            Some(sfi) if by_sfi => EfRef::Sfi(sfi),
            _ => EfRef::Current,
        }
    }

    /// After the card refused the short-EF-identifier `form` of a command without side
    /// effects: SELECT EF (which says whether the EF exists: [`Error::NotAvailable`] when
    /// it does not, and only then was the refusal about the form), and stop using the
    /// form in this session. The caller then sends the current-EF form. Forced forms do
    /// not fall back ([`ProtocolOptions::forced`]); the caller checks that first.
    fn fall_back_to_select(&mut self, ef: &Ef, form: Form) -> Result<()> {
        self.select_ef(ef)?;
        self.note_form(form, false);
        Ok(())
    }

    /// Records the card's answer to `form`. A refusal counts only while the form is
    /// untried: once the card accepted a form, a later refusal concerns that one EF (not
    /// every EF has a short identifier, ISO 7816-4) and only that use falls back.
    fn note_form(&mut self, form: Form, accepted: bool) {
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
        self.caps.max_response_len = self
            .caps
            .max_response_len
            .min(crate::apdu::SHORT_MAX_NE + 2);
        self.caps.max_command_len = self.caps.max_command_len.min(crate::apdu::SHORT_MAX_NC + 6);
    }
}

pub(crate) fn unexpected(command: &str, resp: &Response) -> Error {
    Error::UnexpectedStatus {
        command: command.to_string(),
        sw: resp.sw,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::error::TransportError;
    use crate::transport::ExchangeHint;

    /// A transport that is never used: these tests ask the decision, they send nothing.
    struct Unused;

    impl Transport for Unused {
        fn transmit(
            &mut self,
            _: &[u8],
            _: ExchangeHint,
        ) -> std::result::Result<Vec<u8>, TransportError> {
            Err(TransportError::Other {
                message: "no card".into(),
            })
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::SHORT
        }
    }

    const AUTH_PIN: Ef = Ef {
        aid: crate::aid::JPKI,
        fid: 0x0018,
        what: "auth PIN",
        unlock: None,
    };

    fn sfi(v: u8) -> EfRef {
        EfRef::Sfi(Sfi::new(v).unwrap())
    }

    fn all(card: &Card<Unused>, ef: &Ef) -> [EfRef; 4] {
        [
            Purpose::FirstRead,
            Purpose::RetryQuery,
            Purpose::Verify,
            Purpose::Sign,
        ]
        .map(|p| card.addressing(ef, p))
    }

    #[test]
    fn a_fresh_session_tries_the_short_forms_but_verifies_by_select() {
        let card = Card::new(Unused).unwrap();
        // A VERIFY with a value uses the SFI form only once the card accepted it.
        assert_eq!(
            all(&card, &AUTH_PIN),
            [sfi(0x18), sfi(0x18), EfRef::Current, sfi(0x18)]
        );
    }

    #[test]
    fn what_the_card_accepted_or_refused_decides() {
        let mut card = Card::new(Unused).unwrap();
        card.note_form(Form::VerifyBySfi, true);
        card.note_form(Form::ReadBySfi, false);
        card.note_form(Form::SignKeyBySfi, false);
        assert_eq!(
            all(&card, &AUTH_PIN),
            [EfRef::Current, sfi(0x18), sfi(0x18), EfRef::Current]
        );
        // A later refusal of an accepted form concerns that one EF: the form stays.
        card.note_form(Form::VerifyBySfi, false);
        assert_eq!(card.addressing(&AUTH_PIN, Purpose::Verify), sfi(0x18));
        // Forced: every enabled form, refused or not, including VERIFY.
        card.options.forced = true;
        assert_eq!(all(&card, &AUTH_PIN), [sfi(0x18); 4]);
    }

    #[test]
    fn disabled_forms_and_efs_without_a_short_identifier_use_select() {
        let mut card = Card::new(Unused).unwrap();
        card.options = ProtocolOptions::SELECT_ONLY;
        card.note_form(Form::VerifyBySfi, true);
        assert_eq!(all(&card, &AUTH_PIN), [EfRef::Current; 4]);
        card.options = ProtocolOptions {
            forced: true,
            ..ProtocolOptions::default()
        };
        // 0100 has low five bits 0 and 2F01 is above 001E: no short EF identifier.
        for fid in [0x0100, 0x2F01, 0x001F] {
            let ef = Ef { fid, ..AUTH_PIN };
            assert_eq!(all(&card, &ef), [EfRef::Current; 4], "{fid:04X}");
        }
    }

    #[test]
    fn a_selected_ef_is_read_by_offset() {
        let mut card = Card::new(Unused).unwrap();
        card.current_ef = CurrentEf::Selected(0x0018);
        assert_eq!(
            card.addressing(&AUTH_PIN, Purpose::FirstRead),
            EfRef::Current
        );
        card.current_ef = CurrentEf::BySfi(0x0018);
        assert_eq!(card.addressing(&AUTH_PIN, Purpose::FirstRead), sfi(0x18));
    }
}
