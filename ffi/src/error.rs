//! The errors of the foreign interface: `MynaError` (what every operation throws) and
//! `TransportError` (what a foreign `CardTransport` throws).
//!
//! Both are flat enums whose variants carry named fields only: Kotlin builds an exception's
//! message from its fields (a tuple field would be called `v1`), and Swift pattern-matches
//! on the labels. The technical text is in `detail`; it never contains a PIN, password or
//! 照合番号 (the core's error texts never do).
//!
//! Layers, stable codes and the end-user messages in Japanese and English are the core's
//! (`mynakit::error`): `MynaError.errorInfo()` maps the error back to the core error it
//! stands for and asks the core, so this layer holds no second copy of them.

use mynakit::StatusWord;
use mynakit::error::{ErrorCode, Lang};

use crate::records::Credential;

/// What kind of link failure happened. Used where an error names the transport failure it
/// came from (`MynaError.Transport`, `MynaError.VerifyOutcomeUnknown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum TransportErrorKind {
    /// The card left the field or the tag was lost.
    CardRemoved,
    /// The card did not answer in time.
    Timeout,
    /// No card is present.
    NoCard,
    /// The card was reset.
    CardReset,
    /// The user or the app cancelled the session.
    Cancelled,
    /// The transport returned bytes that are not an APDU response.
    InvalidResponse,
    /// Any other failure the transport reported.
    Other,
    /// The foreign transport threw an exception of a type the interface does not declare
    /// (not a `TransportError`).
    ForeignException,
}

/// Thrown by a foreign `CardTransport` to report a link failure. Kotlin sees it as
/// `TransportException`, Swift as `TransportError`.
///
/// Throw `TransportError.CardRemoved` for Android's `TagLostException` and CoreNFC's
/// "tag connection lost": MynaKit then reports a typed card-removed error (or
/// "verify outcome unknown" when it happened during a VERIFY).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TransportError {
    /// The card left the field or the tag was lost.
    #[error("the card was removed: {detail}")]
    CardRemoved {
        /// What the platform said.
        detail: String,
    },
    /// The card did not answer in time.
    #[error("the card did not answer in time: {detail}")]
    Timeout {
        /// What the platform said.
        detail: String,
    },
    /// No card is present.
    #[error("no card is present: {detail}")]
    NoCard {
        /// What the platform said.
        detail: String,
    },
    /// The card was reset.
    #[error("the card was reset: {detail}")]
    CardReset {
        /// What the platform said.
        detail: String,
    },
    /// The user or the app cancelled the NFC session.
    #[error("the session was cancelled: {detail}")]
    Cancelled {
        /// What the platform said.
        detail: String,
    },
    /// The reader returned bytes that are not an APDU response.
    #[error("the transport returned an invalid response: {detail}")]
    InvalidResponse {
        /// What the platform said.
        detail: String,
    },
    /// Any other failure of the reader or platform.
    #[error("transport failure: {detail}")]
    Other {
        /// What the platform said.
        detail: String,
    },
    /// Made by MynaKit, not thrown by transports: the foreign `transmit` threw an
    /// exception of a type the interface does not declare. `detail` is what uniffi
    /// reported about it (its type and message).
    #[error("the transport threw an undeclared exception: {detail}")]
    ForeignException {
        /// The exception as uniffi described it.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TransportError::ForeignException { detail: e.reason }
    }
}

impl TransportError {
    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        match self {
            TransportError::CardRemoved { .. } => TransportErrorKind::CardRemoved,
            TransportError::Timeout { .. } => TransportErrorKind::Timeout,
            TransportError::NoCard { .. } => TransportErrorKind::NoCard,
            TransportError::CardReset { .. } => TransportErrorKind::CardReset,
            TransportError::Cancelled { .. } => TransportErrorKind::Cancelled,
            TransportError::InvalidResponse { .. } => TransportErrorKind::InvalidResponse,
            TransportError::Other { .. } => TransportErrorKind::Other,
            TransportError::ForeignException { .. } => TransportErrorKind::ForeignException,
        }
    }

    /// The core error this failure becomes. An undeclared foreign exception becomes
    /// `mynakit::TransportError::Other`; the session remembers that it was foreign and
    /// reports `MynaError.ForeignException`.
    pub fn into_core(self) -> mynakit::TransportError {
        use mynakit::TransportError as T;
        match self {
            TransportError::CardRemoved { detail } => T::CardRemoved { message: detail },
            TransportError::Timeout { detail } => T::Timeout { message: detail },
            TransportError::NoCard { detail } => T::NoCard { message: detail },
            TransportError::CardReset { detail } => T::CardReset { message: detail },
            TransportError::Cancelled { detail } => T::Cancelled { message: detail },
            TransportError::InvalidResponse { detail } => T::InvalidResponse { message: detail },
            TransportError::Other { detail } => T::Other { message: detail },
            TransportError::ForeignException { detail } => T::Other {
                message: format!("the transport threw an undeclared exception: {detail}"),
            },
        }
    }
}

/// Every error a MynaKit operation reports. Kotlin sees it as `MynaException`, Swift as
/// `MynaError`.
///
/// Local refusals (`RetryFloor`, `InvalidCredentialFormat`, `InvalidArgument`) mean no
/// APDU carrying the credential was sent. `WrongPin`, `Blocked` and `VerifyOutcomeUnknown`
/// are about the card's retry counter; `VerifyOutcomeUnknown` asks the app to read the
/// counter (`CardSession.retry_status`) before presenting anything again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum MynaError {
    /// The card left the field (Android `TagLostException`, CoreNFC tag connection lost)
    /// outside a VERIFY. Nothing was presented in the failed exchange; the session
    /// starts over (SELECT again) on the next call.
    #[error("{detail}")]
    CardRemoved {
        /// Human-readable description.
        detail: String,
    },
    /// Any other link failure outside a VERIFY.
    #[error("{detail}")]
    Transport {
        /// What failed.
        kind: TransportErrorKind,
        /// Human-readable description.
        detail: String,
    },
    /// The foreign transport threw an exception of a type the interface does not declare
    /// (a bug or an unhandled platform exception in the app's transport), outside a
    /// VERIFY.
    #[error("{detail}")]
    ForeignException {
        /// The exception as uniffi described it.
        detail: String,
    },
    /// The link failed while a VERIFY was under way, or the card answered it with a status
    /// word that does not settle the outcome: the card may or may not have counted the
    /// attempt. Read the retry counter before presenting anything again; never retry
    /// blindly.
    #[error("{detail}")]
    VerifyOutcomeUnknown {
        /// The credential being verified.
        credential: Credential,
        /// What failed on the link; `None` when the link worked and the card answered.
        transport_kind: Option<TransportErrorKind>,
        /// The card's status word when it answered one that settles nothing (e.g. `6985`).
        status_word: Option<u16>,
        /// Human-readable description.
        detail: String,
    },
    /// The card rejected the credential; `remaining_tries` is the count after this
    /// failure (0: this attempt blocked it).
    #[error("{detail}")]
    WrongPin {
        /// The credential.
        credential: Credential,
        /// Tries left after this failure.
        remaining_tries: u8,
        /// Human-readable description.
        detail: String,
    },
    /// The credential is blocked on the card.
    #[error("{detail}")]
    Blocked {
        /// The credential.
        credential: Credential,
        /// Human-readable description.
        detail: String,
    },
    /// Refused locally: the card has `remaining_tries` left, at or below the policy's
    /// `floor`, or did not report the count (`None`: it answered `9000` without this
    /// session having verified the credential). No VERIFY was sent; pass
    /// `allow_below_floor` to spend the try.
    #[error("{detail}")]
    RetryFloor {
        /// The credential.
        credential: Credential,
        /// Tries left on the card; `None` when the card did not report them.
        remaining_tries: Option<u8>,
        /// The policy's floor.
        floor: u8,
        /// Human-readable description.
        detail: String,
    },
    /// Refused locally: the value does not have the credential's format. No APDU was sent.
    #[error("{detail}")]
    InvalidCredentialFormat {
        /// The credential.
        credential: Credential,
        /// What is wrong (never the value).
        detail: String,
    },
    /// The card wants a credential verified before it gives out this data or key.
    #[error("{detail}")]
    CredentialRequired {
        /// The credential that unlocks it.
        credential: Credential,
        /// What was asked for.
        what: String,
        /// Human-readable description.
        detail: String,
    },
    /// The card does not have this application, file or key.
    #[error("{detail}")]
    NotAvailable {
        /// What was asked for.
        what: String,
        /// Human-readable description.
        detail: String,
    },
    /// The card answered with a status word the operation does not expect.
    #[error("{detail}")]
    UnexpectedStatus {
        /// The command (name and parameters, never secrets).
        command: String,
        /// SW1 SW2.
        status_word: u16,
        /// Human-readable description.
        detail: String,
    },
    /// The card's response does not have the expected shape.
    #[error("{detail}")]
    MalformedResponse {
        /// Human-readable description.
        detail: String,
    },
    /// Data from the card could not be parsed.
    #[error("{detail}")]
    MalformedData {
        /// What was being parsed.
        what: String,
        /// Human-readable description.
        detail: String,
    },
    /// A command could not be built for this transport.
    #[error("{detail}")]
    InvalidCommand {
        /// Human-readable description.
        detail: String,
    },
    /// The caller passed an argument that cannot be used.
    #[error("{detail}")]
    InvalidArgument {
        /// Human-readable description.
        detail: String,
    },
    /// A certificate or signature check failed or could not be carried out.
    #[error("{detail}")]
    Verification {
        /// Human-readable description.
        detail: String,
    },
    /// A trace could not be read or replayed.
    #[error("{detail}")]
    Trace {
        /// Human-readable description.
        detail: String,
    },
    /// An error this version of the binding layer does not know how to classify (the
    /// core grew a new kind of error). `detail` has the core's description.
    #[error("{detail}")]
    Internal {
        /// Human-readable description.
        detail: String,
    },
}

impl MynaError {
    /// A `MynaError.InvalidArgument`.
    pub fn invalid_argument(detail: impl Into<String>) -> Self {
        MynaError::InvalidArgument {
            detail: detail.into(),
        }
    }
}

/// The layer of an error, from the link up (the core's `mynakit::error::ErrorLayer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorLayer {
    /// The link to the card failed; nothing was presented in the failed exchange.
    Transport,
    /// The card refused a command with a status word, or does not hold what was asked for.
    CardStatus,
    /// About a PIN, password or 照合番号: format, wrong value with the tries left, blocked,
    /// the floor, an unknown VERIFY outcome, or one that must come first.
    Credential,
    /// The card's answer or data could not be parsed.
    Data,
    /// The app asked for something that cannot be done (a bug in the app).
    Usage,
    /// A certificate, signature or integrity check failed.
    Verification,
    /// A trace could not be read or replayed (test tooling).
    Trace,
    /// An error MynaKit could not classify (a bug in MynaKit).
    Internal,
}

impl From<mynakit::error::ErrorLayer> for ErrorLayer {
    fn from(l: mynakit::error::ErrorLayer) -> Self {
        use mynakit::error::ErrorLayer as L;
        match l {
            L::Transport => ErrorLayer::Transport,
            L::CardStatus => ErrorLayer::CardStatus,
            L::Credential => ErrorLayer::Credential,
            L::Data => ErrorLayer::Data,
            L::Usage => ErrorLayer::Usage,
            L::Verification => ErrorLayer::Verification,
            L::Trace => ErrorLayer::Trace,
            L::Internal => ErrorLayer::Internal,
        }
    }
}

/// What an app shows and logs for an error, all from the core: its layer, its stable code
/// (`MK-CRED-WRONG`; codes never change meaning once released, see docs/errors.md), the
/// message for the end user in Japanese and English (e.g. `利用者証明用暗証番号が違います。
/// 残り2回です。`), and the technical detail (English, for logs and support).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ErrorInfo {
    /// The layer.
    pub layer: ErrorLayer,
    /// The stable code.
    pub code: String,
    /// The end-user message in Japanese.
    pub message_ja: String,
    /// The end-user message in English.
    pub message_en: String,
    /// The technical detail (the error's `detail`).
    pub detail: String,
}

impl ErrorInfo {
    /// The information of a core error.
    pub fn of_core(e: &mynakit::Error) -> Self {
        ErrorInfo {
            layer: e.layer().into(),
            code: e.code().into(),
            message_ja: e.message(Lang::Ja),
            message_en: e.message(Lang::En),
            detail: e.to_string(),
        }
    }

    /// The information of a catalogue entry, with its general messages.
    fn of_code(code: ErrorCode, detail: String) -> Self {
        ErrorInfo {
            layer: code.layer().into(),
            code: code.as_str().into(),
            message_ja: code.message(Lang::Ja).into(),
            message_en: code.message(Lang::En).into(),
            detail,
        }
    }
}

/// The core transport error of a kind (`None` for a foreign exception, which the core does
/// not have).
fn core_transport(kind: TransportErrorKind, message: String) -> Option<mynakit::TransportError> {
    use mynakit::TransportError as T;
    Some(match kind {
        TransportErrorKind::CardRemoved => T::CardRemoved { message },
        TransportErrorKind::Timeout => T::Timeout { message },
        TransportErrorKind::NoCard => T::NoCard { message },
        TransportErrorKind::CardReset => T::CardReset { message },
        TransportErrorKind::Cancelled => T::Cancelled { message },
        TransportErrorKind::InvalidResponse => T::InvalidResponse { message },
        TransportErrorKind::Other => T::Other { message },
        TransportErrorKind::ForeignException => return None,
    })
}

impl MynaError {
    /// The technical description every variant carries.
    pub fn detail(&self) -> &str {
        match self {
            MynaError::CardRemoved { detail }
            | MynaError::Transport { detail, .. }
            | MynaError::ForeignException { detail }
            | MynaError::VerifyOutcomeUnknown { detail, .. }
            | MynaError::WrongPin { detail, .. }
            | MynaError::Blocked { detail, .. }
            | MynaError::RetryFloor { detail, .. }
            | MynaError::InvalidCredentialFormat { detail, .. }
            | MynaError::CredentialRequired { detail, .. }
            | MynaError::NotAvailable { detail, .. }
            | MynaError::UnexpectedStatus { detail, .. }
            | MynaError::MalformedResponse { detail }
            | MynaError::MalformedData { detail, .. }
            | MynaError::InvalidCommand { detail }
            | MynaError::InvalidArgument { detail }
            | MynaError::Verification { detail }
            | MynaError::Trace { detail }
            | MynaError::Internal { detail } => detail,
        }
    }

    /// The core error this error stands for (the inverse of [`from_core`], field by field),
    /// or the catalogue entry of the cases only this layer reports (a foreign exception, an
    /// unclassified error).
    fn to_core(&self) -> Result<mynakit::Error, ErrorCode> {
        use mynakit::Error as E;
        let d = || self.detail().to_string();
        Ok(match self {
            MynaError::CardRemoved { detail } => {
                E::Transport(mynakit::TransportError::card_removed(detail.clone()))
            }
            MynaError::Transport { kind, detail } => {
                E::Transport(core_transport(*kind, detail.clone()).ok_or(ErrorCode::LinkForeign)?)
            }
            MynaError::ForeignException { .. } => return Err(ErrorCode::LinkForeign),
            MynaError::VerifyOutcomeUnknown {
                credential,
                transport_kind,
                status_word,
                detail,
            } => E::VerifyOutcomeUnknown {
                credential: credential.to_core(),
                source: transport_kind.map(|k| {
                    core_transport(k, detail.clone())
                        .unwrap_or_else(|| mynakit::TransportError::other(detail.clone()))
                }),
                sw: status_word.map(StatusWord),
            },
            MynaError::WrongPin {
                credential,
                remaining_tries,
                ..
            } => E::WrongPin {
                credential: credential.to_core(),
                remaining: *remaining_tries,
            },
            MynaError::Blocked { credential, .. } => E::Blocked {
                credential: credential.to_core(),
            },
            MynaError::RetryFloor {
                credential,
                remaining_tries,
                floor,
                ..
            } => E::RetryFloor {
                credential: credential.to_core(),
                remaining: *remaining_tries,
                floor: *floor,
            },
            MynaError::InvalidCredentialFormat { credential, detail } => {
                E::InvalidCredentialFormat {
                    credential: credential.to_core(),
                    reason: detail.clone(),
                }
            }
            MynaError::CredentialRequired {
                credential, what, ..
            } => E::CredentialRequired {
                what: what.clone(),
                credential: credential.to_core(),
            },
            MynaError::NotAvailable { what, .. } => E::NotAvailable { what: what.clone() },
            MynaError::UnexpectedStatus {
                command,
                status_word,
                ..
            } => E::UnexpectedStatus {
                command: command.clone(),
                sw: StatusWord(*status_word),
            },
            MynaError::MalformedResponse { .. } => E::MalformedResponse(d()),
            MynaError::MalformedData { what, detail } => E::MalformedData {
                what: what.clone(),
                reason: detail.clone(),
            },
            MynaError::InvalidCommand { .. } => E::InvalidCommand(d()),
            MynaError::InvalidArgument { .. } => E::InvalidArgument(d()),
            MynaError::Verification { .. } => E::Verification(d()),
            MynaError::Trace { .. } => E::Trace(d()),
            MynaError::Internal { .. } => return Err(ErrorCode::Internal),
        })
    }
}

#[uniffi::export]
impl MynaError {
    /// The error's layer, stable code, end-user messages (Japanese and English) and
    /// technical detail, from the core.
    pub fn error_info(&self) -> ErrorInfo {
        let detail = self.detail().to_string();
        match self.to_core() {
            Ok(core) => ErrorInfo {
                detail,
                ..ErrorInfo::of_core(&core)
            },
            Err(code) => ErrorInfo::of_code(code, detail),
        }
    }
}

/// The information of a code from the catalogue (`MK-LINK-NFC-UNAVAILABLE`), with its
/// general messages and `detail`; `None` for a code the core does not define. For errors
/// the platform layers make themselves (NFC switched off).
#[uniffi::export]
pub fn error_info_for_code(code: String, detail: String) -> Option<ErrorInfo> {
    ErrorCode::parse(&code).map(|c| ErrorInfo::of_code(c, detail))
}

/// The kind of a core transport error.
fn core_transport_kind(e: &mynakit::TransportError) -> TransportErrorKind {
    use mynakit::TransportError as T;
    match e {
        T::CardRemoved { .. } => TransportErrorKind::CardRemoved,
        T::Timeout { .. } => TransportErrorKind::Timeout,
        T::NoCard { .. } => TransportErrorKind::NoCard,
        T::CardReset { .. } => TransportErrorKind::CardReset,
        T::Cancelled { .. } => TransportErrorKind::Cancelled,
        T::InvalidResponse { .. } => TransportErrorKind::InvalidResponse,
        _ => TransportErrorKind::Other,
    }
}

/// Converts a core error. `foreign_failure` is true when the last transport failure of the
/// operation was an undeclared foreign exception (the core only sees it as `Other`).
pub fn from_core(e: mynakit::Error, foreign_failure: bool) -> MynaError {
    use mynakit::Error as E;
    let detail = e.to_string();
    let credential = |c: mynakit::Credential| Credential::from_core(c);
    match e {
        E::Transport(t) => {
            if foreign_failure {
                return MynaError::ForeignException { detail };
            }
            match core_transport_kind(&t) {
                TransportErrorKind::CardRemoved => MynaError::CardRemoved { detail },
                kind => MynaError::Transport { kind, detail },
            }
        }
        E::VerifyOutcomeUnknown {
            credential: c,
            source,
            sw,
        } => match credential(c) {
            Some(credential) => MynaError::VerifyOutcomeUnknown {
                credential,
                transport_kind: if foreign_failure {
                    Some(TransportErrorKind::ForeignException)
                } else {
                    source.as_ref().map(core_transport_kind)
                },
                status_word: sw.map(|w| w.0),
                detail,
            },
            None => MynaError::Internal { detail },
        },
        E::WrongPin {
            credential: c,
            remaining,
        } => match credential(c) {
            Some(credential) => MynaError::WrongPin {
                credential,
                remaining_tries: remaining,
                detail,
            },
            None => MynaError::Internal { detail },
        },
        E::Blocked { credential: c } => match credential(c) {
            Some(credential) => MynaError::Blocked { credential, detail },
            None => MynaError::Internal { detail },
        },
        E::RetryFloor {
            credential: c,
            remaining,
            floor,
        } => match credential(c) {
            Some(credential) => MynaError::RetryFloor {
                credential,
                remaining_tries: remaining,
                floor,
                detail,
            },
            None => MynaError::Internal { detail },
        },
        E::InvalidCredentialFormat { credential: c, .. } => match credential(c) {
            Some(credential) => MynaError::InvalidCredentialFormat { credential, detail },
            None => MynaError::Internal { detail },
        },
        E::CredentialRequired {
            what,
            credential: c,
        } => match credential(c) {
            Some(credential) => MynaError::CredentialRequired {
                credential,
                what,
                detail,
            },
            None => MynaError::Internal { detail },
        },
        E::NotAvailable { what } => MynaError::NotAvailable { what, detail },
        E::UnexpectedStatus { command, sw } => MynaError::UnexpectedStatus {
            command,
            status_word: sw.0,
            detail,
        },
        E::MalformedResponse(_) => MynaError::MalformedResponse { detail },
        E::MalformedData { what, .. } => MynaError::MalformedData { what, detail },
        E::InvalidCommand(_) => MynaError::InvalidCommand { detail },
        E::InvalidArgument(_) => MynaError::InvalidArgument { detail },
        E::Verification(_) => MynaError::Verification { detail },
        E::Trace(_) => MynaError::Trace { detail },
        _ => MynaError::Internal { detail },
    }
}

impl From<mynakit::Error> for MynaError {
    fn from(e: mynakit::Error) -> Self {
        from_core(e, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mynakit::{Error as E, TransportError as T};

    #[test]
    fn card_removed_is_its_own_variant() {
        let e = from_core(E::Transport(T::card_removed("tag lost")), false);
        assert!(matches!(e, MynaError::CardRemoved { ref detail } if detail.contains("tag lost")));
        let e = from_core(
            E::Transport(T::Timeout {
                message: "slow".into(),
            }),
            false,
        );
        assert!(matches!(
            e,
            MynaError::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ));
    }

    #[test]
    fn foreign_failures_are_reported_as_such() {
        let e = from_core(E::Transport(T::other("x")), true);
        assert!(matches!(e, MynaError::ForeignException { .. }));
        let e = from_core(
            E::VerifyOutcomeUnknown {
                credential: mynakit::Credential::JpkiAuthPin,
                source: Some(T::other("x")),
                sw: None,
            },
            true,
        );
        assert!(matches!(
            e,
            MynaError::VerifyOutcomeUnknown {
                credential: Credential::JpkiAuthPin,
                transport_kind: Some(TransportErrorKind::ForeignException),
                status_word: None,
                ..
            }
        ));
    }

    #[test]
    fn pin_errors_keep_their_counts() {
        let e = from_core(
            E::WrongPin {
                credential: mynakit::Credential::JpkiSignPassword,
                remaining: 4,
            },
            false,
        );
        assert!(matches!(
            e,
            MynaError::WrongPin {
                credential: Credential::JpkiSignPassword,
                remaining_tries: 4,
                ..
            }
        ));
        let e = from_core(
            E::RetryFloor {
                credential: mynakit::Credential::JpkiAuthPin,
                remaining: Some(1),
                floor: 1,
            },
            false,
        );
        assert!(matches!(
            e,
            MynaError::RetryFloor {
                remaining_tries: Some(1),
                floor: 1,
                ..
            }
        ));
        let e = from_core(
            E::UnexpectedStatus {
                command: "SELECT".into(),
                sw: mynakit::StatusWord(0x6A82),
            },
            false,
        );
        assert!(matches!(
            e,
            MynaError::UnexpectedStatus {
                status_word: 0x6A82,
                ..
            }
        ));
    }

    /// One core error of every variant and case (a fresh one per call: core errors are not
    /// `Clone`).
    fn core_samples() -> Vec<E> {
        use mynakit::Credential as C;
        let mut v: Vec<E> = [
            T::card_removed("tag lost"),
            T::Timeout {
                message: "t".into(),
            },
            T::NoCard {
                message: "n".into(),
            },
            T::CardReset {
                message: "r".into(),
            },
            T::Cancelled {
                message: "c".into(),
            },
            T::InvalidResponse {
                message: "i".into(),
            },
            T::other("o"),
        ]
        .into_iter()
        .map(E::Transport)
        .collect();
        v.extend([
            E::VerifyOutcomeUnknown {
                credential: C::JpkiAuthPin,
                source: Some(T::card_removed("lost")),
                sw: None,
            },
            E::VerifyOutcomeUnknown {
                credential: C::TextPin,
                source: None,
                sw: Some(mynakit::StatusWord(0x6985)),
            },
            E::WrongPin {
                credential: C::JpkiAuthPin,
                remaining: 2,
            },
            E::WrongPin {
                credential: C::FaceCodeB,
                remaining: 0,
            },
            E::Blocked {
                credential: C::JpkiSignPassword,
            },
            E::RetryFloor {
                credential: C::JpkiAuthPin,
                remaining: Some(1),
                floor: 1,
            },
            E::RetryFloor {
                credential: C::JpkiAuthPin,
                remaining: None,
                floor: 1,
            },
            E::InvalidCredentialFormat {
                credential: C::TextCodeB,
                reason: "照合番号B must be exactly 14 digits 0-9".into(),
            },
            E::CredentialRequired {
                what: "the signing certificate".into(),
                credential: C::JpkiSignPassword,
            },
            E::NotAvailable {
                what: "the signing certificate".into(),
            },
            E::UnexpectedStatus {
                command: "SELECT".into(),
                sw: mynakit::StatusWord(0x6A82),
            },
            E::MalformedResponse("one byte".into()),
            E::MalformedData {
                what: "certificate".into(),
                reason: "bad DER".into(),
            },
            E::InvalidCommand("too long".into()),
            E::InvalidArgument("bad".into()),
            E::Verification("untrusted".into()),
            E::Trace("line 1".into()),
        ]);
        v
    }

    #[test]
    fn error_info_is_the_cores_for_every_error() {
        let infos: Vec<ErrorInfo> = core_samples().iter().map(ErrorInfo::of_core).collect();
        for (e, want) in core_samples().into_iter().zip(infos) {
            let ffi = from_core(e, false);
            let got = ffi.error_info();
            assert_eq!(got, want, "{ffi:?}");
            assert_eq!(got.detail, ffi.detail());
            assert!(!got.message_ja.is_empty() && !got.message_en.is_empty());
        }
        let wrong = from_core(
            E::WrongPin {
                credential: mynakit::Credential::JpkiAuthPin,
                remaining: 2,
            },
            false,
        )
        .error_info();
        assert_eq!(wrong.layer, ErrorLayer::Credential);
        assert_eq!(wrong.code, "MK-CRED-WRONG");
        assert_eq!(
            wrong.message_ja,
            "利用者証明用暗証番号が違います。残り2回です。"
        );
        assert_eq!(
            wrong.message_en,
            "The user authentication PIN is incorrect. 2 attempts remaining."
        );
        assert_eq!(
            wrong.detail,
            "wrong JPKI user-authentication PIN (利用者証明用暗証番号): 2 tries remaining"
        );
    }

    #[test]
    fn errors_made_outside_the_core_have_their_codes() {
        // Made by the bindings: a foreign exception, and an error they cannot classify.
        let f = from_core(E::Transport(T::other("boom")), true).error_info();
        assert_eq!(
            (f.layer, f.code.as_str()),
            (ErrorLayer::Transport, "MK-LINK-FOREIGN")
        );
        let f = MynaError::Transport {
            kind: TransportErrorKind::ForeignException,
            detail: "x".into(),
        }
        .error_info();
        assert_eq!(f.code, "MK-LINK-FOREIGN");
        let i = MynaError::Internal { detail: "?".into() }.error_info();
        assert_eq!(
            (i.layer, i.code.as_str()),
            (ErrorLayer::Internal, "MK-INTERNAL")
        );
        // Made by the Swift or Kotlin layer from a platform error: a removed card.
        let r = MynaError::CardRemoved {
            detail: "connect failed".into(),
        }
        .error_info();
        assert_eq!(
            (r.layer, r.code.as_str()),
            (ErrorLayer::Transport, "MK-LINK-REMOVED")
        );
        assert_eq!(r.detail, "connect failed");
        // During a VERIFY, a foreign exception is still an unknown outcome.
        let u = from_core(
            E::VerifyOutcomeUnknown {
                credential: mynakit::Credential::JpkiAuthPin,
                source: Some(T::other("x")),
                sw: None,
            },
            true,
        )
        .error_info();
        assert_eq!(u.code, "MK-CRED-UNKNOWN");
        // The platform's own cases, by code.
        let n = error_info_for_code("MK-LINK-NFC-UNAVAILABLE".into(), "NFC is off".into());
        assert!(matches!(
            n,
            Some(ErrorInfo {
                layer: ErrorLayer::Transport,
                ..
            })
        ));
        assert_eq!(error_info_for_code("MK-NONE".into(), String::new()), None);
    }

    #[test]
    fn undeclared_foreign_exceptions_become_typed() {
        let t: TransportError =
            uniffi::UnexpectedUniFFICallbackError::new("java.lang.IllegalStateException: boom")
                .into();
        assert_eq!(t.kind(), TransportErrorKind::ForeignException);
        assert!(matches!(t.into_core(), T::Other { message } if message.contains("boom")));
    }
}
