//! Error types. Transport failures ("the reader failed") stay apart from card refusals
//! ("the card said no") and from local refusals made before any APDU was sent.
//!
//! # Layers, codes and messages
//!
//! Every [`Error`] belongs to one [`ErrorLayer`] (link, card status, credential, data,
//! usage, verification, trace) and [`Error::kind`] gives the facts an app acts on in that
//! layer (remaining tries, the command the card refused, the link failure). Each case has a
//! stable code ([`Error::code`], e.g. `MK-CRED-WRONG`; the catalogue is [`ErrorCode::ALL`])
//! and a message for the end user in Japanese and English ([`Error::message`]). The
//! `Display` text is the technical detail, in English, for logs and support.
//!
//! **Codes never change meaning once released**: a code may be added, never reused for
//! another case nor renamed. Apps, support desks and trace files may key on them. The code
//! table in `docs/errors.md` is checked against [`ErrorCode::ALL`] by a test.
//!
//! No message, code or detail ever contains a PIN, password or 照合番号.

use std::fmt;

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
    /// The kind of link failure.
    pub fn kind(&self) -> TransportKind {
        match self {
            TransportError::CardRemoved { .. } => TransportKind::CardRemoved,
            TransportError::Timeout { .. } => TransportKind::Timeout,
            TransportError::NoCard { .. } => TransportKind::NoCard,
            TransportError::CardReset { .. } => TransportKind::CardReset,
            TransportError::Cancelled { .. } => TransportKind::Cancelled,
            TransportError::InvalidResponse { .. } => TransportKind::InvalidResponse,
            TransportError::Other { .. } => TransportKind::Other,
        }
    }

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

/// The language of an end-user message ([`Error::message`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Japanese (the default: the card's holders live in Japan).
    #[default]
    Ja,
    /// English.
    En,
}

/// The layer an error belongs to, from the link up. Apps group their handling by layer:
/// "hold the card again" (transport), "tell the user about the PIN" (credential), "this
/// card cannot do that" (card status), "report a bug" (usage, internal).
///
/// The set of layers is part of the API: a new layer is a breaking change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorLayer {
    /// The link to the card failed (reader, NFC, cable). No credential was presented in
    /// the failed exchange (a failure during VERIFY is a [`ErrorLayer::Credential`] error).
    Transport,
    /// The card answered with a status word the operation cannot use, or does not hold
    /// what was asked for.
    CardStatus,
    /// About a PIN, password or 照合番号: its format, a wrong value with the tries left, a
    /// blocked counter, the caller's floor, a VERIFY whose outcome is unknown, or one that
    /// must come first (card-protocol §5).
    Credential,
    /// The card's answer or data could not be parsed.
    Data,
    /// The caller asked for something that cannot be done (an argument, a command the
    /// transport cannot carry): a bug in the app, not the user's doing.
    Usage,
    /// A certificate, signature or data-integrity check failed or could not be made.
    Verification,
    /// A trace file could not be read or replayed (test tooling only).
    Trace,
    /// An error the bindings could not classify (a bug in MynaKit).
    Internal,
}

impl ErrorLayer {
    /// All layers.
    pub const ALL: [ErrorLayer; 8] = [
        ErrorLayer::Transport,
        ErrorLayer::CardStatus,
        ErrorLayer::Credential,
        ErrorLayer::Data,
        ErrorLayer::Usage,
        ErrorLayer::Verification,
        ErrorLayer::Trace,
        ErrorLayer::Internal,
    ];

    /// The layer's name in snake case (`transport`, `card_status`, …).
    pub fn name(self) -> &'static str {
        match self {
            ErrorLayer::Transport => "transport",
            ErrorLayer::CardStatus => "card_status",
            ErrorLayer::Credential => "credential",
            ErrorLayer::Data => "data",
            ErrorLayer::Usage => "usage",
            ErrorLayer::Verification => "verification",
            ErrorLayer::Trace => "trace",
            ErrorLayer::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of a link failure ([`TransportError::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TransportKind {
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

/// What the card said in the [`ErrorLayer::CardStatus`] layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardStatusProblem<'a> {
    /// The card answered `command` with a status word the operation does not expect
    /// ([`Error::UnexpectedStatus`]).
    Refused {
        /// The command (name and parameters, never secrets).
        command: &'a str,
        /// The status word.
        sw: StatusWord,
    },
    /// The card does not hold `what` ([`Error::NotAvailable`]).
    NotAvailable {
        /// What was asked for.
        what: &'a str,
    },
}

/// What happened to a credential, in the [`ErrorLayer::Credential`] layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialProblem {
    /// The value does not have the credential's format; nothing was sent
    /// ([`Error::InvalidCredentialFormat`]).
    Format,
    /// The card rejected the value; `remaining` tries are left (0: this attempt blocked
    /// it) ([`Error::WrongPin`]).
    Wrong {
        /// Tries left after this failure.
        remaining: u8,
    },
    /// The credential is blocked ([`Error::Blocked`]).
    Blocked,
    /// Refused locally at the caller's floor; no VERIFY was sent ([`Error::RetryFloor`]).
    Floor {
        /// Tries left; `None` when the card did not report them.
        remaining: Option<u8>,
        /// The policy's floor.
        floor: u8,
    },
    /// The VERIFY may or may not have been counted: read the retry counter before
    /// presenting anything again ([`Error::VerifyOutcomeUnknown`]).
    OutcomeUnknown {
        /// The link failure, when the link failed during the VERIFY.
        transport: Option<TransportKind>,
        /// The status word, when the card answered one that settles nothing.
        sw: Option<StatusWord>,
    },
    /// The credential must be verified first ([`Error::CredentialRequired`]).
    Required,
}

/// An error by layer, with the facts an app acts on ([`Error::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind<'a> {
    /// [`ErrorLayer::Transport`]: which link failure.
    Transport(TransportKind),
    /// [`ErrorLayer::CardStatus`]: what the card refused or lacks.
    CardStatus(CardStatusProblem<'a>),
    /// [`ErrorLayer::Credential`]: which credential and what happened to it.
    Credential {
        /// The credential.
        credential: Credential,
        /// What happened.
        problem: CredentialProblem,
    },
    /// [`ErrorLayer::Data`].
    Data,
    /// [`ErrorLayer::Usage`].
    Usage,
    /// [`ErrorLayer::Verification`].
    Verification,
    /// [`ErrorLayer::Trace`].
    Trace,
}

impl ErrorKind<'_> {
    /// The layer.
    pub fn layer(&self) -> ErrorLayer {
        match self {
            ErrorKind::Transport(_) => ErrorLayer::Transport,
            ErrorKind::CardStatus(_) => ErrorLayer::CardStatus,
            ErrorKind::Credential { .. } => ErrorLayer::Credential,
            ErrorKind::Data => ErrorLayer::Data,
            ErrorKind::Usage => ErrorLayer::Usage,
            ErrorKind::Verification => ErrorLayer::Verification,
            ErrorKind::Trace => ErrorLayer::Trace,
        }
    }
}

/// The catalogue of stable error codes.
///
/// A code names one case of one layer. **Once released, a code never changes meaning**: new
/// cases get new codes, and a retired case keeps its code unused. `docs/errors.md` lists
/// them (checked by a test).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `MK-LINK-REMOVED`: the card left the field or the connection was lost.
    LinkCardRemoved,
    /// `MK-LINK-TIMEOUT`: the card did not answer in time.
    LinkTimeout,
    /// `MK-LINK-NO-CARD`: no card is present.
    LinkNoCard,
    /// `MK-LINK-RESET`: the card was reset.
    LinkCardReset,
    /// `MK-LINK-CANCELLED`: the user or the app cancelled the session.
    LinkCancelled,
    /// `MK-LINK-BAD-RESPONSE`: the transport returned bytes that are not a response APDU.
    LinkInvalidResponse,
    /// `MK-LINK-OTHER`: any other failure of the reader, driver or platform.
    LinkOther,
    /// `MK-LINK-FOREIGN`: reported by the bindings when the app's transport threw an
    /// exception of a type the interface does not declare (a bug in the app's transport).
    LinkForeign,
    /// `MK-LINK-NFC-UNAVAILABLE`: reported by the platform layers when the device has no
    /// NFC or it is switched off; nothing was started.
    LinkNfcUnavailable,
    /// `MK-CARD-STATUS`: the card answered with a status word the operation does not expect.
    CardStatus,
    /// `MK-CARD-NOT-AVAILABLE`: the card does not hold the item (an application, file, key
    /// or certificate).
    CardNotAvailable,
    /// `MK-CRED-FORMAT`: the value does not have the credential's format; nothing was sent.
    CredFormat,
    /// `MK-CRED-WRONG`: the card rejected the value; tries remain, or this one blocked it.
    CredWrong,
    /// `MK-CRED-BLOCKED`: the credential is blocked on the card.
    CredBlocked,
    /// `MK-CRED-FLOOR`: refused locally at the caller's floor; no VERIFY was sent.
    CredFloor,
    /// `MK-CRED-UNKNOWN`: the outcome of a VERIFY is unknown; read the counter first.
    CredOutcomeUnknown,
    /// `MK-CRED-REQUIRED`: a credential must be verified first.
    CredRequired,
    /// `MK-DATA-RESPONSE`: the card's response does not have the expected shape.
    DataResponse,
    /// `MK-DATA-MALFORMED`: data from the card could not be parsed.
    DataMalformed,
    /// `MK-USAGE-ARGUMENT`: the caller passed an argument that cannot be used.
    UsageArgument,
    /// `MK-USAGE-COMMAND`: a command cannot be built for this transport.
    UsageCommand,
    /// `MK-CHECK-FAILED`: a certificate, signature or integrity check failed.
    VerificationFailed,
    /// `MK-TRACE`: a trace could not be read or replayed.
    Trace,
    /// `MK-INTERNAL`: reported by the bindings for an error they cannot classify.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of `docs/errors.md`.
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::LinkCardRemoved,
        ErrorCode::LinkTimeout,
        ErrorCode::LinkNoCard,
        ErrorCode::LinkCardReset,
        ErrorCode::LinkCancelled,
        ErrorCode::LinkInvalidResponse,
        ErrorCode::LinkOther,
        ErrorCode::LinkForeign,
        ErrorCode::LinkNfcUnavailable,
        ErrorCode::CardStatus,
        ErrorCode::CardNotAvailable,
        ErrorCode::CredFormat,
        ErrorCode::CredWrong,
        ErrorCode::CredBlocked,
        ErrorCode::CredFloor,
        ErrorCode::CredOutcomeUnknown,
        ErrorCode::CredRequired,
        ErrorCode::DataResponse,
        ErrorCode::DataMalformed,
        ErrorCode::UsageArgument,
        ErrorCode::UsageCommand,
        ErrorCode::VerificationFailed,
        ErrorCode::Trace,
        ErrorCode::Internal,
    ];

    /// The code as apps, logs and traces show it (`MK-CRED-WRONG`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::LinkCardRemoved => "MK-LINK-REMOVED",
            ErrorCode::LinkTimeout => "MK-LINK-TIMEOUT",
            ErrorCode::LinkNoCard => "MK-LINK-NO-CARD",
            ErrorCode::LinkCardReset => "MK-LINK-RESET",
            ErrorCode::LinkCancelled => "MK-LINK-CANCELLED",
            ErrorCode::LinkInvalidResponse => "MK-LINK-BAD-RESPONSE",
            ErrorCode::LinkOther => "MK-LINK-OTHER",
            ErrorCode::LinkForeign => "MK-LINK-FOREIGN",
            ErrorCode::LinkNfcUnavailable => "MK-LINK-NFC-UNAVAILABLE",
            ErrorCode::CardStatus => "MK-CARD-STATUS",
            ErrorCode::CardNotAvailable => "MK-CARD-NOT-AVAILABLE",
            ErrorCode::CredFormat => "MK-CRED-FORMAT",
            ErrorCode::CredWrong => "MK-CRED-WRONG",
            ErrorCode::CredBlocked => "MK-CRED-BLOCKED",
            ErrorCode::CredFloor => "MK-CRED-FLOOR",
            ErrorCode::CredOutcomeUnknown => "MK-CRED-UNKNOWN",
            ErrorCode::CredRequired => "MK-CRED-REQUIRED",
            ErrorCode::DataResponse => "MK-DATA-RESPONSE",
            ErrorCode::DataMalformed => "MK-DATA-MALFORMED",
            ErrorCode::UsageArgument => "MK-USAGE-ARGUMENT",
            ErrorCode::UsageCommand => "MK-USAGE-COMMAND",
            ErrorCode::VerificationFailed => "MK-CHECK-FAILED",
            ErrorCode::Trace => "MK-TRACE",
            ErrorCode::Internal => "MK-INTERNAL",
        }
    }

    /// The code named by `code` (`MK-CRED-WRONG`), if it is one of [`ErrorCode::ALL`].
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The layer the code belongs to.
    pub fn layer(self) -> ErrorLayer {
        match self {
            ErrorCode::LinkCardRemoved
            | ErrorCode::LinkTimeout
            | ErrorCode::LinkNoCard
            | ErrorCode::LinkCardReset
            | ErrorCode::LinkCancelled
            | ErrorCode::LinkInvalidResponse
            | ErrorCode::LinkOther
            | ErrorCode::LinkForeign
            | ErrorCode::LinkNfcUnavailable => ErrorLayer::Transport,
            ErrorCode::CardStatus | ErrorCode::CardNotAvailable => ErrorLayer::CardStatus,
            ErrorCode::CredFormat
            | ErrorCode::CredWrong
            | ErrorCode::CredBlocked
            | ErrorCode::CredFloor
            | ErrorCode::CredOutcomeUnknown
            | ErrorCode::CredRequired => ErrorLayer::Credential,
            ErrorCode::DataResponse | ErrorCode::DataMalformed => ErrorLayer::Data,
            ErrorCode::UsageArgument | ErrorCode::UsageCommand => ErrorLayer::Usage,
            ErrorCode::VerificationFailed => ErrorLayer::Verification,
            ErrorCode::Trace => ErrorLayer::Trace,
            ErrorCode::Internal => ErrorLayer::Internal,
        }
    }

    /// The end-user message of the case in general, without the details of one error (which
    /// credential, how many tries): what [`Error::message`] says when it has nothing to add.
    pub fn message(self, lang: Lang) -> &'static str {
        let (ja, en) = match self {
            ErrorCode::LinkCardRemoved => (
                "カードとの通信が途切れました。カードをもう一度かざし、読み取りが終わるまで動かさないでください。",
                "The connection to the card was lost. Hold the card to the device again and keep it still until reading finishes.",
            ),
            ErrorCode::LinkTimeout => (
                "カードから応答がありませんでした。カードをかざし直してください。",
                "The card did not respond in time. Hold the card to the device again.",
            ),
            ErrorCode::LinkNoCard => (
                "カードが見つかりません。マイナンバーカードをかざしてください。",
                "No card was found. Hold your My Number Card to the device.",
            ),
            ErrorCode::LinkCardReset => (
                "カードとの接続がリセットされました。もう一度お試しください。",
                "The connection to the card was reset. Please try again.",
            ),
            ErrorCode::LinkCancelled => (
                "カードの読み取りがキャンセルされました。",
                "Reading the card was cancelled.",
            ),
            ErrorCode::LinkInvalidResponse => (
                "カードから正しい応答を受け取れませんでした。カードをかざし直してください。",
                "The card's answer was not received correctly. Hold the card to the device again.",
            ),
            ErrorCode::LinkOther => (
                "カードとの通信でエラーが発生しました。もう一度お試しください。",
                "An error occurred while communicating with the card. Please try again.",
            ),
            ErrorCode::LinkForeign => (
                "カードとの通信中にアプリの内部エラーが発生しました。",
                "An internal error of the app occurred while communicating with the card.",
            ),
            ErrorCode::LinkNfcUnavailable => (
                "この端末ではNFCを使用できません。NFCがオフの場合は、設定でオンにしてください。",
                "NFC cannot be used on this device. If NFC is switched off, turn it on in the settings.",
            ),
            ErrorCode::CardStatus => (
                "カードがこの処理を受け付けませんでした。マイナンバーカードであることを確認して、もう一度お試しください。",
                "The card refused the request. Check that it is a My Number Card and try again.",
            ),
            ErrorCode::CardNotAvailable => (
                "この情報はこのカードに記録されていません。",
                "This card does not hold the requested information.",
            ),
            ErrorCode::CredFormat => (
                "入力された暗証番号等の形式が正しくありません。",
                "The PIN, password or number entered does not have the right format.",
            ),
            ErrorCode::CredWrong => (
                "入力された暗証番号等が違います。",
                "The PIN, password or number entered is incorrect.",
            ),
            ErrorCode::CredBlocked => (
                "暗証番号等がロックされています。お住まいの市区町村の窓口でロックの解除（再設定）を行ってください。",
                "The PIN or password is locked. Your municipal office can unlock (reset) it.",
            ),
            ErrorCode::CredFloor => (
                "残り回数が少ないため、ロックを防ぐために照合を行いませんでした（回数は減っていません）。",
                "Few attempts remain, so the value was not checked, to avoid locking it (no attempt was used).",
            ),
            ErrorCode::CredOutcomeUnknown => (
                "照合の結果を確認できませんでした。残り回数を確認してからやり直してください。",
                "The result of the check is unknown. Check the remaining attempts before trying again.",
            ),
            ErrorCode::CredRequired => (
                "先に暗証番号等を入力してください。",
                "Enter the PIN, password or number first.",
            ),
            ErrorCode::DataResponse => (
                "カードの応答を読み取れませんでした。もう一度お試しください。",
                "The card's answer could not be understood. Please try again.",
            ),
            ErrorCode::DataMalformed => (
                "カードのデータを読み取れませんでした。",
                "The data read from the card could not be understood.",
            ),
            ErrorCode::UsageArgument => (
                "アプリの内部エラーが発生しました。",
                "An internal error of the app occurred.",
            ),
            ErrorCode::UsageCommand => (
                "この端末ではこの操作を実行できません。",
                "This operation cannot be carried out with this device.",
            ),
            ErrorCode::VerificationFailed => (
                "カードのデータが正しいことを確認できませんでした。",
                "The authenticity of the card's data could not be confirmed.",
            ),
            ErrorCode::Trace => (
                "トレースを読み込めないか、再生できませんでした。",
                "The trace could not be read or replayed.",
            ),
            ErrorCode::Internal => (
                "MynaKitの内部エラーが発生しました。",
                "An internal error of MynaKit occurred.",
            ),
        };
        match lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The error by layer, with the facts an app acts on.
    pub fn kind(&self) -> ErrorKind<'_> {
        let cred = |credential: &Credential, problem| ErrorKind::Credential {
            credential: *credential,
            problem,
        };
        match self {
            Error::Transport(t) => ErrorKind::Transport(t.kind()),
            Error::VerifyOutcomeUnknown {
                credential,
                source,
                sw,
            } => cred(
                credential,
                CredentialProblem::OutcomeUnknown {
                    transport: source.as_ref().map(TransportError::kind),
                    sw: *sw,
                },
            ),
            Error::WrongPin {
                credential,
                remaining,
            } => cred(
                credential,
                CredentialProblem::Wrong {
                    remaining: *remaining,
                },
            ),
            Error::Blocked { credential } => cred(credential, CredentialProblem::Blocked),
            Error::RetryFloor {
                credential,
                remaining,
                floor,
            } => cred(
                credential,
                CredentialProblem::Floor {
                    remaining: *remaining,
                    floor: *floor,
                },
            ),
            Error::InvalidCredentialFormat { credential, .. } => {
                cred(credential, CredentialProblem::Format)
            }
            Error::CredentialRequired { credential, .. } => {
                cred(credential, CredentialProblem::Required)
            }
            Error::NotAvailable { what } => {
                ErrorKind::CardStatus(CardStatusProblem::NotAvailable { what })
            }
            Error::UnexpectedStatus { command, sw } => {
                ErrorKind::CardStatus(CardStatusProblem::Refused { command, sw: *sw })
            }
            Error::MalformedResponse(_) | Error::MalformedData { .. } => ErrorKind::Data,
            Error::InvalidCommand(_) | Error::InvalidArgument(_) => ErrorKind::Usage,
            Error::Verification(_) => ErrorKind::Verification,
            Error::Trace(_) => ErrorKind::Trace,
        }
    }

    /// The layer of the error.
    pub fn layer(&self) -> ErrorLayer {
        self.kind().layer()
    }

    /// The catalogue entry of the error's case.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::Transport(t) => match t.kind() {
                TransportKind::CardRemoved => ErrorCode::LinkCardRemoved,
                TransportKind::Timeout => ErrorCode::LinkTimeout,
                TransportKind::NoCard => ErrorCode::LinkNoCard,
                TransportKind::CardReset => ErrorCode::LinkCardReset,
                TransportKind::Cancelled => ErrorCode::LinkCancelled,
                TransportKind::InvalidResponse => ErrorCode::LinkInvalidResponse,
                TransportKind::Other => ErrorCode::LinkOther,
            },
            Error::VerifyOutcomeUnknown { .. } => ErrorCode::CredOutcomeUnknown,
            Error::WrongPin { .. } => ErrorCode::CredWrong,
            Error::Blocked { .. } => ErrorCode::CredBlocked,
            Error::RetryFloor { .. } => ErrorCode::CredFloor,
            Error::InvalidCredentialFormat { .. } => ErrorCode::CredFormat,
            Error::CredentialRequired { .. } => ErrorCode::CredRequired,
            Error::NotAvailable { .. } => ErrorCode::CardNotAvailable,
            Error::UnexpectedStatus { .. } => ErrorCode::CardStatus,
            Error::MalformedResponse(_) => ErrorCode::DataResponse,
            Error::MalformedData { .. } => ErrorCode::DataMalformed,
            Error::InvalidCommand(_) => ErrorCode::UsageCommand,
            Error::InvalidArgument(_) => ErrorCode::UsageArgument,
            Error::Verification(_) => ErrorCode::VerificationFailed,
            Error::Trace(_) => ErrorCode::Trace,
        }
    }

    /// The stable code of the error's case (`MK-CRED-WRONG`); see [`ErrorCode`].
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The message for the end user of an app (a bank customer), in `lang`: what happened
    /// and what to do, e.g. `利用者証明用暗証番号が違います。残り2回です。`. It never
    /// contains a PIN, password or 照合番号, nor technical detail: that is the error's
    /// `Display` text (English, for logs and support), shown with [`Error::code`].
    pub fn message(&self, lang: Lang) -> String {
        match self.kind() {
            ErrorKind::Credential {
                credential,
                problem,
            } => credential_message(credential, problem, lang),
            ErrorKind::Transport(_)
            | ErrorKind::CardStatus(_)
            | ErrorKind::Data
            | ErrorKind::Usage
            | ErrorKind::Verification
            | ErrorKind::Trace => self.error_code().message(lang).to_string(),
        }
    }
}

/// The credential's name as a card holder knows it.
fn credential_name(c: Credential, lang: Lang) -> &'static str {
    match (c, lang) {
        (Credential::JpkiAuthPin, Lang::Ja) => "利用者証明用暗証番号",
        (Credential::JpkiAuthPin, Lang::En) => "user authentication PIN",
        (Credential::JpkiSignPassword, Lang::Ja) => "署名用パスワード",
        (Credential::JpkiSignPassword, Lang::En) => "signature password",
        (Credential::TextPin, Lang::Ja) => "券面事項入力補助用暗証番号",
        (Credential::TextPin, Lang::En) => "PIN for card information input support",
        (Credential::TextCodeA | Credential::FaceCodeA, Lang::Ja) => "マイナンバー（個人番号）",
        (Credential::TextCodeA | Credential::FaceCodeA, Lang::En) => {
            "My Number (individual number)"
        }
        (Credential::TextCodeB | Credential::FaceCodeB, Lang::Ja) => "照合番号B",
        (Credential::TextCodeB | Credential::FaceCodeB, Lang::En) => "verification number B",
        (Credential::FaceBirthKey, Lang::Ja) => "生年月日",
        (Credential::FaceBirthKey, Lang::En) => "date of birth",
    }
}

/// How to enter the credential (card-protocol §5.1, §5.2).
fn credential_format(c: Credential, lang: Lang) -> &'static str {
    match (c, lang) {
        (Credential::JpkiAuthPin, Lang::Ja) => "利用者証明用暗証番号は数字4桁で入力してください。",
        (Credential::JpkiAuthPin, Lang::En) => "Enter the user authentication PIN as 4 digits.",
        (Credential::TextPin, Lang::Ja) => {
            "券面事項入力補助用暗証番号は数字4桁で入力してください。"
        }
        (Credential::TextPin, Lang::En) => {
            "Enter the PIN for card information input support as 4 digits."
        }
        (Credential::JpkiSignPassword, Lang::Ja) => {
            "署名用パスワードは、英字（A〜Z）と数字をそれぞれ1文字以上含む6〜16文字で入力してください。"
        }
        (Credential::JpkiSignPassword, Lang::En) => {
            "Enter the signature password as 6 to 16 letters (A-Z) and digits, with at least one of each."
        }
        (Credential::TextCodeA | Credential::FaceCodeA, Lang::Ja) => {
            "マイナンバー（12桁の個人番号）を正しく入力してください。"
        }
        (Credential::TextCodeA | Credential::FaceCodeA, Lang::En) => {
            "Enter your 12-digit My Number correctly."
        }
        (Credential::TextCodeB | Credential::FaceCodeB, Lang::Ja) => {
            "照合番号Bは、生年月日（和暦の年・月・日の6桁）、カードの有効期限の西暦年（4桁）、セキュリティコード（4桁）を続けた14桁の数字で入力してください。"
        }
        (Credential::TextCodeB | Credential::FaceCodeB, Lang::En) => {
            "Enter verification number B as 14 digits: your date of birth (YYMMDD with the Japanese-era year), the card's expiry year (4 digits) and its security code (4 digits)."
        }
        (Credential::FaceBirthKey, Lang::Ja) => {
            "生年月日は和暦の年・月・日の6桁の数字（例: 平成2年4月1日なら020401）で入力してください。"
        }
        (Credential::FaceBirthKey, Lang::En) => {
            "Enter your date of birth as 6 digits YYMMDD with the Japanese-era year (e.g. 020401 for Heisei 2, April 1)."
        }
    }
}

/// Where a blocked credential is unblocked (card-protocol §5.3).
fn unblock_advice(c: Credential, lang: Lang) -> &'static str {
    match (c, lang) {
        (Credential::JpkiSignPassword, Lang::Ja) => {
            "お住まいの市区町村の窓口で初期化（再設定）を行ってください。利用者証明用暗証番号が分かれば、コンビニエンスストアの端末などで初期化できる場合もあります。"
        }
        (Credential::JpkiSignPassword, Lang::En) => {
            "Your municipal office can reset it; if you know your user authentication PIN, some convenience-store kiosks can reset it too."
        }
        (_, Lang::Ja) => "お住まいの市区町村の窓口でロックの解除（再設定）を行ってください。",
        (_, Lang::En) => "Your municipal office can unlock (reset) it.",
    }
}

fn attempts_en(n: u8) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}

fn credential_message(c: Credential, problem: CredentialProblem, lang: Lang) -> String {
    let name = credential_name(c, lang);
    let ja = lang == Lang::Ja;
    match problem {
        CredentialProblem::Format => credential_format(c, lang).to_string(),
        CredentialProblem::Wrong { remaining: 0 } => {
            if ja {
                format!(
                    "{name}が違います。誤りが上限に達したため、{name}はロックされました。{}",
                    unblock_advice(c, lang)
                )
            } else {
                format!(
                    "The {name} is incorrect. Too many wrong attempts: the {name} is now locked. {}",
                    unblock_advice(c, lang)
                )
            }
        }
        CredentialProblem::Wrong { remaining } => {
            let last_ja = if remaining == 1 {
                "あと1回間違えるとロックされます。"
            } else {
                ""
            };
            let last_en = if remaining == 1 {
                " One more wrong attempt will lock it."
            } else {
                ""
            };
            if ja {
                format!("{name}が違います。残り{remaining}回です。{last_ja}")
            } else {
                format!(
                    "The {name} is incorrect. {} remaining.{last_en}",
                    attempts_en(remaining)
                )
            }
        }
        CredentialProblem::Blocked => {
            if ja {
                format!("{name}はロックされています。{}", unblock_advice(c, lang))
            } else {
                format!("The {name} is locked. {}", unblock_advice(c, lang))
            }
        }
        CredentialProblem::Floor {
            remaining: Some(n), ..
        } => {
            if ja {
                format!(
                    "{name}の残り回数が{n}回のため、ロックを防ぐために照合を行いませんでした（回数は減っていません）。"
                )
            } else {
                format!(
                    "Only {} of the {name} remain, so it was not checked, to avoid locking it (no attempt was used).",
                    attempts_en(n)
                )
            }
        }
        CredentialProblem::Floor {
            remaining: None, ..
        } => {
            if ja {
                format!(
                    "{name}の残り回数を確認できなかったため、照合を行いませんでした（回数は減っていません）。"
                )
            } else {
                format!(
                    "The remaining attempts of the {name} could not be read, so it was not checked (no attempt was used)."
                )
            }
        }
        CredentialProblem::OutcomeUnknown {
            transport: Some(_), ..
        } => {
            if ja {
                format!(
                    "{name}の照合中にカードとの通信が途切れたため、結果を確認できませんでした。カードをかざし直し、残り回数を確認してからやり直してください。"
                )
            } else {
                format!(
                    "The connection to the card was lost while the {name} was being checked, so the result is unknown. Hold the card to the device again and check the remaining attempts before trying again."
                )
            }
        }
        CredentialProblem::OutcomeUnknown {
            transport: None, ..
        } => {
            if ja {
                format!(
                    "カードが{name}の照合結果を返さなかったため、結果を確認できませんでした。残り回数を確認してからやり直してください。"
                )
            } else {
                format!(
                    "The card did not report the result of checking the {name}. Check the remaining attempts before trying again."
                )
            }
        }
        CredentialProblem::Required => {
            if ja {
                format!("先に{name}を入力してください。")
            } else {
                format!("Enter the {name} first.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The position of the variant in [`Error`]; the match is exhaustive inside the crate,
    /// so a new variant does not compile until it is numbered here and sampled below.
    fn variant_index(e: &Error) -> usize {
        match e {
            Error::Transport(_) => 0,
            Error::VerifyOutcomeUnknown { .. } => 1,
            Error::WrongPin { .. } => 2,
            Error::Blocked { .. } => 3,
            Error::RetryFloor { .. } => 4,
            Error::InvalidCredentialFormat { .. } => 5,
            Error::CredentialRequired { .. } => 6,
            Error::NotAvailable { .. } => 7,
            Error::UnexpectedStatus { .. } => 8,
            Error::MalformedResponse(_) => 9,
            Error::MalformedData { .. } => 10,
            Error::InvalidCommand(_) => 11,
            Error::InvalidArgument(_) => 12,
            Error::Verification(_) => 13,
            Error::Trace(_) => 14,
        }
    }
    const VARIANTS: usize = 15;

    fn transport_samples() -> Vec<TransportError> {
        let m = || "platform said so".to_string();
        vec![
            TransportError::CardRemoved { message: m() },
            TransportError::Timeout { message: m() },
            TransportError::NoCard { message: m() },
            TransportError::CardReset { message: m() },
            TransportError::Cancelled { message: m() },
            TransportError::InvalidResponse { message: m() },
            TransportError::Other { message: m() },
        ]
    }

    /// A sample of every variant and of every case a code or a message tells apart.
    fn samples() -> Vec<Error> {
        let c = Credential::JpkiAuthPin;
        let mut v: Vec<Error> = transport_samples()
            .into_iter()
            .map(Error::Transport)
            .collect();
        v.extend([
            Error::VerifyOutcomeUnknown {
                credential: c,
                source: Some(TransportError::card_removed("lost")),
                sw: None,
            },
            Error::VerifyOutcomeUnknown {
                credential: c,
                source: None,
                sw: Some(StatusWord(0x6985)),
            },
            Error::WrongPin {
                credential: c,
                remaining: 2,
            },
            Error::WrongPin {
                credential: c,
                remaining: 1,
            },
            Error::WrongPin {
                credential: c,
                remaining: 0,
            },
            Error::Blocked { credential: c },
            Error::RetryFloor {
                credential: c,
                remaining: Some(1),
                floor: 1,
            },
            Error::RetryFloor {
                credential: c,
                remaining: None,
                floor: 1,
            },
        ]);
        for credential in Credential::ALL {
            v.push(Error::InvalidCredentialFormat {
                credential,
                reason: "too short".into(),
            });
            v.push(Error::Blocked { credential });
        }
        v.extend([
            Error::CredentialRequired {
                what: "the signing certificate".into(),
                credential: Credential::JpkiSignPassword,
            },
            Error::NotAvailable {
                what: "the signing certificate".into(),
            },
            Error::UnexpectedStatus {
                command: "SELECT EF 0001".into(),
                sw: StatusWord(0x6A82),
            },
            Error::MalformedResponse("one byte".into()),
            Error::malformed("certificate", "bad DER"),
            Error::InvalidCommand("Lc 300 on a short-APDU transport".into()),
            Error::InvalidArgument("length 0".into()),
            Error::Verification("chain does not end at a trusted root".into()),
            Error::Trace("line 3: not JSON".into()),
        ]);
        v
    }

    #[test]
    fn every_variant_has_a_code_a_layer_and_messages_in_both_languages() {
        let samples = samples();
        let seen: BTreeSet<usize> = samples.iter().map(variant_index).collect();
        assert_eq!(seen.len(), VARIANTS, "a variant has no sample");
        for e in &samples {
            let code = e.code();
            assert_eq!(ErrorCode::parse(code), Some(e.error_code()), "{e:?}");
            assert_eq!(e.error_code().layer(), e.layer(), "{e:?}");
            for lang in [Lang::Ja, Lang::En] {
                let m = e.message(lang);
                assert!(!m.trim().is_empty(), "{e:?} {lang:?}");
                assert!(!m.contains("platform said so"), "no technical detail: {m}");
            }
            let ja = e.message(Lang::Ja);
            let en = e.message(Lang::En);
            assert_ne!(ja, en, "{e:?}");
            // Japanese text is Japanese, English text is ASCII apart from typography.
            assert!(
                ja.chars().any(|ch| ('\u{3040}'..='\u{30FF}').contains(&ch)),
                "{ja}"
            );
            assert!(en.is_ascii(), "{en}");
        }
    }

    #[test]
    fn one_code_per_case_and_codes_are_unique_and_well_formed() {
        // Each variant (and each kind of link failure) has its own code; codes are unique.
        let mut by_code: BTreeMap<&str, BTreeSet<(usize, Option<TransportKind>)>> = BTreeMap::new();
        for e in samples() {
            let case = match &e {
                Error::Transport(t) => Some(t.kind()),
                _ => None,
            };
            let case_key = (variant_index(&e), case);
            by_code.entry(e.code()).or_default().insert(case_key);
        }
        for (code, cases) in &by_code {
            assert_eq!(cases.len(), 1, "{code} names more than one case: {cases:?}");
        }
        let strings: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            strings.len(),
            ErrorCode::ALL.len(),
            "duplicate code strings"
        );
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(s.starts_with("MK-"), "{s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_uppercase() || b == b'-'),
                "{s}"
            );
            assert!(!c.message(Lang::Ja).is_empty() && !c.message(Lang::En).is_empty());
            assert_eq!(ErrorCode::parse(s), Some(c));
        }
        assert_eq!(ErrorCode::parse("MK-NOPE"), None);
        // Every code of the core's own errors is reached by a sample; the rest are the
        // codes only the bindings and platform layers report.
        let reached: BTreeSet<&str> = by_code.keys().copied().collect();
        let bindings_only: BTreeSet<&str> = [
            ErrorCode::LinkForeign,
            ErrorCode::LinkNfcUnavailable,
            ErrorCode::Internal,
        ]
        .iter()
        .map(|c| c.as_str())
        .collect();
        assert_eq!(
            strings
                .difference(&reached)
                .copied()
                .collect::<BTreeSet<_>>(),
            bindings_only
        );
    }

    #[test]
    fn messages_for_the_end_user_read_as_intended() {
        let wrong = Error::WrongPin {
            credential: Credential::JpkiAuthPin,
            remaining: 2,
        };
        assert_eq!(wrong.code(), "MK-CRED-WRONG");
        assert_eq!(wrong.layer(), ErrorLayer::Credential);
        assert_eq!(
            wrong.kind(),
            ErrorKind::Credential {
                credential: Credential::JpkiAuthPin,
                problem: CredentialProblem::Wrong { remaining: 2 }
            }
        );
        assert_eq!(
            wrong.message(Lang::Ja),
            "利用者証明用暗証番号が違います。残り2回です。"
        );
        assert_eq!(
            wrong.message(Lang::En),
            "The user authentication PIN is incorrect. 2 attempts remaining."
        );
        let last = Error::WrongPin {
            credential: Credential::JpkiSignPassword,
            remaining: 1,
        };
        assert_eq!(
            last.message(Lang::Ja),
            "署名用パスワードが違います。残り1回です。あと1回間違えるとロックされます。"
        );
        assert!(last.message(Lang::En).contains("1 attempt remaining."));
        let locked = Error::WrongPin {
            credential: Credential::JpkiAuthPin,
            remaining: 0,
        };
        assert!(locked.message(Lang::Ja).contains("ロックされました"));
        assert!(locked.message(Lang::Ja).contains("市区町村の窓口"));
        let removed = Error::Transport(TransportError::card_removed("TagLostException"));
        assert_eq!(removed.code(), "MK-LINK-REMOVED");
        assert_eq!(
            removed.kind(),
            ErrorKind::Transport(TransportKind::CardRemoved)
        );
        assert!(
            removed
                .message(Lang::Ja)
                .starts_with("カードとの通信が途切れました")
        );
        // The technical detail stays in Display.
        assert!(removed.to_string().contains("TagLostException"));
        let format = Error::InvalidCredentialFormat {
            credential: Credential::TextCodeB,
            reason: "照合番号B must be exactly 14 digits 0-9".into(),
        };
        assert_eq!(format.code(), "MK-CRED-FORMAT");
        assert!(format.message(Lang::Ja).contains("14桁"));
        let refused = Error::UnexpectedStatus {
            command: "READ BINARY".into(),
            sw: StatusWord(0x6F00),
        };
        assert_eq!(
            refused.kind(),
            ErrorKind::CardStatus(CardStatusProblem::Refused {
                command: "READ BINARY",
                sw: StatusWord(0x6F00)
            })
        );
        assert_eq!(refused.code(), "MK-CARD-STATUS");
        let unknown = Error::VerifyOutcomeUnknown {
            credential: Credential::JpkiAuthPin,
            source: Some(TransportError::card_removed("lost")),
            sw: None,
        };
        assert_eq!(
            unknown.kind(),
            ErrorKind::Credential {
                credential: Credential::JpkiAuthPin,
                problem: CredentialProblem::OutcomeUnknown {
                    transport: Some(TransportKind::CardRemoved),
                    sw: None
                }
            }
        );
        assert!(unknown.message(Lang::Ja).contains("残り回数を確認"));
    }

    /// The code table of docs/errors.md, generated from the catalogue.
    fn code_table() -> String {
        let mut s = String::from(
            "| code | layer | Japanese message (general form) | English message (general form) |\n|---|---|---|---|\n",
        );
        for c in ErrorCode::ALL {
            s += &format!(
                "| `{}` | {} | {} | {} |\n",
                c.as_str(),
                c.layer().name(),
                c.message(Lang::Ja),
                c.message(Lang::En)
            );
        }
        s
    }

    #[test]
    fn the_code_table_in_the_docs_is_the_catalogue() {
        const BEGIN: &str = "<!-- BEGIN CODE TABLE (generated: MYNAKIT_BLESS=1 cargo test -p mynakit --lib error) -->\n";
        const END: &str = "<!-- END CODE TABLE -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md");
        let Ok(doc) = std::fs::read_to_string(&path) else {
            // Outside the repository (a packaged crate): nothing to check.
            return;
        };
        let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
        let end = doc.find(END).expect("end marker");
        let table = code_table();
        if doc.get(start..end) != Some(table.as_str()) {
            if std::env::var_os("MYNAKIT_BLESS").is_some() {
                let new = format!("{}{table}{}", &doc[..start], &doc[end..]);
                std::fs::write(&path, new).expect("write docs/errors.md");
                return;
            }
            panic!(
                "docs/errors.md: the code table is out of date; run with MYNAKIT_BLESS=1:\n{table}"
            );
        }
    }
}
