//! The errors of the foreign interface: `MynaError` (what every operation throws) and
//! `TransportError` (what a foreign `CardTransport` throws).
//!
//! Both are flat enums whose variants carry named fields only: Kotlin builds an exception's
//! message from its fields (a tuple field would be called `v1`), and Swift pattern-matches
//! on the labels. The human-readable text is in `detail`; it never contains a PIN,
//! password or 照合番号 (the core's error texts never do).

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

    #[test]
    fn undeclared_foreign_exceptions_become_typed() {
        let t: TransportError =
            uniffi::UnexpectedUniFFICallbackError::new("java.lang.IllegalStateException: boom")
                .into();
        assert_eq!(t.kind(), TransportErrorKind::ForeignException);
        assert!(matches!(t.into_core(), T::Other { message } if message.contains("boom")));
    }
}
