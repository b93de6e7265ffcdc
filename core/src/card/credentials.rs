//! Credentials and keys: retry counters read without spending a try, VERIFY under the
//! PIN-safety policy (format first, counter before, the floor, exactly one VERIFY,
//! "outcome unknown" when the link fails during it), and COMPUTE DIGITAL SIGNATURE, which
//! is never sent twice after an ambiguous answer (card-protocol §5.3, §7.1, §12).

use serde::Serialize;

use super::{Card, Ef, Form, Purpose, refuses_sfi, unexpected};
use crate::apdu::{Response, Status};
use crate::commands::{self, EfRef};
use crate::credential::{Credential, Secret};
use crate::error::{Error, Result};
use crate::transport::Transport;

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

/// Status words by which a card refuses a COMPUTE DIGITAL SIGNATURE naming the key in P2
/// *and proves it signed nothing*: ISO 7816-4 §5.1.3 classes SW1 `69`/`6A`/`6B` as checking
/// errors (the command was not processed), and these codes name the addressing: wrong
/// P1-P2 (`6A86`, `6B00`), function not supported (`6A81`), key or file not found (`6A82`,
/// `6A88`), incompatible with the file (`6981`), no current EF (`6986`: P2 was ignored).
/// Anything else, `6985`, `6700`, `6D00` and every link failure included, is not resent in
/// another form: a signature is never attempted twice after an ambiguous answer.
pub(super) fn refuses_key_in_p2(status: Status) -> bool {
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

impl<T: Transport> Card<T> {
    /// Sends the retry query for a credential, by short EF identifier where the session may
    /// try it, falling back to SELECT EF + `00 20 00 80` when the card refuses that form.
    fn query_counter(&mut self, credential: Credential) -> Result<Response> {
        self.select_aid(credential.aid())?;
        let ef = credential_ef(credential);
        let missing = |e| match e {
            Error::NotAvailable { .. } => Error::NotAvailable {
                what: credential.to_string(),
            },
            e => e,
        };
        match self.addressing(&ef, Purpose::RetryQuery) {
            at @ EfRef::Sfi(_) => {
                let resp = self.exchange(&commands::retry_query(at))?;
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
                self.fall_back_to_select(&ef, Form::VerifyBySfi)
                    .map_err(missing)?;
            }
            EfRef::Current => self.make_current(&ef).map_err(missing)?,
        }
        self.exchange(&commands::retry_query(EfRef::Current))
    }

    /// Reads a credential's retry counter without spending a try (VERIFY without data,
    /// card-protocol §5.3).
    pub fn retry_status(&mut self, credential: Credential) -> Result<RetryStatus> {
        self.stage(super::Stage::CheckingTries, &credential.to_string());
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
        // After a VERIFY whose outcome is unknown, the counter is read afresh and decides
        // whether that try was spent (card-protocol §5.3; see the `resume` module notes).
        let pending = self.resume.take_unknown(credential);
        let counter = match (pending, self.known_counter(credential)) {
            (None, Some(s)) => {
                self.select_aid(credential.aid())?;
                s
            }
            _ => self.retry_status(credential)?,
        };
        if let Some(before) = pending {
            match (before, counter) {
                (_, RetryStatus::Blocked) => return Err(Error::Blocked { credential }),
                // Fewer tries than before it: that VERIFY reached the card and the value
                // was wrong. The caller decides whether to present a value again.
                (Some(b), RetryStatus::Remaining(m)) if m < b => {
                    return Err(Error::WrongPin {
                        credential,
                        remaining: m,
                    });
                }
                // As many tries as before (it never arrived) or the maximum again (it
                // succeeded): presenting the value cannot spend a try it did not.
                (Some(_), RetryStatus::Remaining(_)) => {}
                // Nothing to compare with: the caller decides.
                _ => {
                    return Err(Error::VerifyOutcomeUnknown {
                        credential,
                        source: None,
                        sw: None,
                    });
                }
            }
        }
        let before = match counter {
            RetryStatus::Remaining(n) => Some(n),
            _ => None,
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
        let ef = credential_ef(credential);
        let at = self.addressing(&ef, Purpose::Verify);
        if at == EfRef::Current {
            self.make_current(&ef)?;
        }
        let cmd = commands::verify(at, &encoded);
        self.stage(super::Stage::Verifying, &credential.to_string());
        // Whatever happens next, the counter may change, and this session's verified
        // state is what the answer says.
        self.counters.retain(|(c, _)| *c != credential);
        self.verified.retain(|c| *c != credential);
        let sent_before = self.stats.apdus;
        let resp = match self.exchange(&cmd) {
            Ok(r) => r,
            Err(Error::Transport(source)) => {
                self.resume.verify_unknown(credential, before);
                return Err(Error::VerifyOutcomeUnknown {
                    credential,
                    source: Some(source),
                    sw: None,
                });
            }
            Err(_) if self.stats.apdus > sent_before => {
                // The VERIFY reached the card; what followed (GET RESPONSE) failed.
                self.forget_state();
                self.resume.verify_unknown(credential, before);
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
            _ => {
                self.resume.verify_unknown(credential, before);
                Err(Error::VerifyOutcomeUnknown {
                    credential,
                    source: None,
                    sw: Some(resp.sw),
                })
            }
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

    /// COMPUTE DIGITAL SIGNATURE with the key in `key_ef` over the DigestInfo `data`: the
    /// key named in P2 where the session may try it, falling back to SELECT EF +
    /// `80 2A 00 80` only on an answer that proves nothing was signed
    /// ([`refuses_key_in_p2`]); never resent after any other answer or a link failure
    /// (card-protocol §2, §7.1).
    pub(crate) fn compute_signature(&mut self, key_ef: &Ef, data: Vec<u8>) -> Result<Response> {
        self.select_aid(key_ef.aid)?;
        self.stage(super::Stage::Signing, key_ef.what);
        match self.addressing(key_ef, Purpose::Sign) {
            at @ EfRef::Sfi(_) => {
                let resp = self.exchange(&commands::compute_digital_signature(at, data.clone()))?;
                if !refuses_key_in_p2(resp.status()) || !self.falls_back() {
                    if resp.status() == Status::Ok {
                        self.note_form(Form::SignKeyBySfi, true);
                    }
                    return Ok(resp);
                }
                self.fall_back_to_select(key_ef, Form::SignKeyBySfi)?;
            }
            EfRef::Current => self.make_current(key_ef)?,
        }
        self.exchange(&commands::compute_digital_signature(EfRef::Current, data))
    }
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

/// The EF holding a credential.
pub fn credential_ef(credential: Credential) -> Ef {
    Ef {
        aid: credential.aid(),
        fid: credential.ef(),
        what: "credential",
        unlock: None,
    }
}
