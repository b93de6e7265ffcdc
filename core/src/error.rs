//! Error types. Transport failures ("the reader failed") stay apart from card refusals
//! ("the card said no") and from local refusals made before any APDU was sent.

use crate::apdu::StatusWord;
use crate::credential::Credential;

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failure of the link to the card, reported by a [`crate::Transport`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the field or the NFC tag was lost (Android `TagLostException`,
    /// CoreNFC "Tag connection lost", PC/SC `SCARD_W_REMOVED_CARD`).
    #[error("the card was removed or the connection to it was lost: {message}")]
    CardRemoved {
        /// What the platform said.
        message: String,
    },
    /// The card did not answer in time.
    #[error("the card did not answer in time: {message}")]
    Timeout {
        /// What the platform said.
        message: String,
    },
    /// No card is present in the reader.
    #[error("no card is present: {message}")]
    NoCard {
        /// What the platform said.
        message: String,
    },
    /// The card was reset (for example by another application on a shared reader).
    #[error("the card was reset: {message}")]
    CardReset {
        /// What the platform said.
        message: String,
    },
    /// The user or the app cancelled the session.
    #[error("the session was cancelled: {message}")]
    Cancelled {
        /// What the platform said.
        message: String,
    },
    /// The transport answered with bytes that are not an APDU response.
    #[error("the transport returned an invalid response: {message}")]
    InvalidResponse {
        /// Details.
        message: String,
    },
    /// Any other failure of the reader, driver or platform.
    #[error("transport failure: {message}")]
    Other {
        /// What the platform said.
        message: String,
    },
}

impl TransportError {
    /// A [`TransportError::Other`] with the given message.
    pub fn other(message: impl Into<String>) -> Self {
        TransportError::Other {
            message: message.into(),
        }
    }

    /// A [`TransportError::CardRemoved`] with the given message.
    pub fn card_removed(message: impl Into<String>) -> Self {
        TransportError::CardRemoved {
            message: message.into(),
        }
    }
}

/// Everything that can go wrong in MynaKit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The link to the card failed. No credential was presented in the failed exchange.
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// A VERIFY reached (or may have reached) the card, and its answer does not say what
    /// happened: the link failed (`source`), or the card answered something other than
    /// `9000`, `63Cx`, `6983` or `6984` (`sw`, e.g. `6985`, `6300`). The card may have
    /// counted the attempt: read the retry counter before trying again (the session does,
    /// it keeps no counter across this error).
    #[error(
        "the outcome of the VERIFY of the {credential} is unknown ({}): the card may have counted the attempt; read the retry counter before trying again",
        unknown_cause(source.as_ref(), *sw)
    )]
    VerifyOutcomeUnknown {
        /// The credential being verified.
        credential: Credential,
        /// The link failure, when the link failed.
        source: Option<TransportError>,
        /// The card's status word, when it answered one that does not settle the outcome.
        sw: Option<StatusWord>,
    },

    /// The card rejected the credential. `remaining` is the count after this failure;
    /// `0` means this attempt blocked it.
    #[error("wrong {credential}: {remaining} tries remaining")]
    WrongPin {
        /// The credential.
        credential: Credential,
        /// Tries left after this failure (0 = now blocked).
        remaining: u8,
    },

    /// The credential is blocked on the card; only the municipal office (or, for the
    /// signing password, a reset procedure) can unblock it.
    #[error("the {credential} is blocked")]
    Blocked {
        /// The credential.
        credential: Credential,
    },

    /// Refused locally: the remaining tries are at or below the caller's floor, or the card
    /// did not report them (`remaining` is `None`: it answered `9000` to the retry query
    /// without this session having verified the credential), so no VERIFY was sent. Pass an
    /// explicit override to spend the try.
    #[error(
        "refused to present the {credential}: {} (floor {floor}); no VERIFY with the value was sent and no try was spent (only SELECT and the retry-counter query, a VERIFY without data, may have been sent)",
        floor_reason(*remaining)
    )]
    RetryFloor {
        /// The credential.
        credential: Credential,
        /// Tries left on the card; `None` when the card did not report them.
        remaining: Option<u8>,
        /// The policy's floor.
        floor: u8,
    },

    /// Refused locally: the value does not have the credential's format. No APDU was sent.
    #[error("invalid {credential}: {reason}; no APDU was sent")]
    InvalidCredentialFormat {
        /// The credential.
        credential: Credential,
        /// What is wrong (never the value itself).
        reason: String,
    },

    /// The card needs a credential to be verified before it gives out this data or key.
    #[error("{what} requires the {credential} to be verified first")]
    CredentialRequired {
        /// What was asked for.
        what: String,
        /// The credential that unlocks it.
        credential: Credential,
    },

    /// The card does not have this item (for example no signing certificate on the card
    /// of a holder under 15).
    #[error("{what} is not available on this card")]
    NotAvailable {
        /// What was asked for.
        what: String,
    },

    /// The card answered with a status word that this operation does not expect.
    #[error("{command} failed with status {sw}")]
    UnexpectedStatus {
        /// The command that failed (name and parameters, never secrets).
        command: String,
        /// The status word.
        sw: StatusWord,
    },

    /// The card's response does not have the expected shape.
    #[error("malformed response: {0}")]
    MalformedResponse(String),

    /// Data from the card (a TLV record, a certificate, a file) could not be parsed.
    #[error("malformed {what}: {reason}")]
    MalformedData {
        /// What was being parsed.
        what: String,
        /// Why it failed.
        reason: String,
    },

    /// A command could not be built (lengths the transport cannot carry).
    #[error("invalid command: {0}")]
    InvalidCommand(String),

    /// The caller passed an argument that cannot be used.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// A certificate or signature check could not be carried out or failed.
    #[error("verification failed: {0}")]
    Verification(String),

    /// A trace file could not be read or replayed.
    #[error("trace error: {0}")]
    Trace(String),
}

impl Error {
    /// Tries remaining when the error carries a count.
    pub fn remaining_tries(&self) -> Option<u8> {
        match self {
            Error::WrongPin { remaining, .. } => Some(*remaining),
            Error::RetryFloor { remaining, .. } => *remaining,
            Error::Blocked { .. } => Some(0),
            _ => None,
        }
    }

    /// The status word when the card refused with one.
    pub fn status_word(&self) -> Option<StatusWord> {
        match self {
            Error::UnexpectedStatus { sw, .. } => Some(*sw),
            Error::VerifyOutcomeUnknown { sw, .. } => *sw,
            _ => None,
        }
    }

    pub(crate) fn malformed(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::MalformedData {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

fn unknown_cause(source: Option<&TransportError>, sw: Option<StatusWord>) -> String {
    match (source, sw) {
        (Some(t), _) => format!("the connection failed: {t}"),
        (None, Some(sw)) => format!("the card answered {sw}"),
        (None, None) => "the answer could not be read".into(),
    }
}

fn floor_reason(remaining: Option<u8>) -> String {
    match remaining {
        Some(n) => format!("only {n} tries remain"),
        None => "the card does not report how many tries remain".into(),
    }
}
