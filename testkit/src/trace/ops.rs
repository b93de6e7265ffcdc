//! Named operations, in one place for `mynakit record`, `mynakit trace replay --expect` and
//! the golden vectors, with the result a replay must reproduce.
//!
//! | name | what it does | parameters |
//! |---|---|---|
//! | `token` | token label and kind (EF `0006`) | — |
//! | `availability` | which certificates the card holds (EF `0008`) | — |
//! | `counters` | retry counters of the auth PIN and the signing password | — |
//! | `auth-cert` | user-authentication certificate, chain checked | — |
//! | `auth-ca` | its CA certificate | — |
//! | `sign-ca` | the signing CA certificate | — |
//! | `sign-cert` | signing certificate (signing password) | `allow_last_try` |
//! | `sign-auth` | signature with the auth key (auth PIN) | `hash`, `message_hex`, `allow_last_try` |
//! | `sign-sign` | signature with the signing key (signing password) | same |
//! | `demo` | the eKYC flow of `mynakit demo` | fixed `challenge_hex` |
//! | `text` | 券面事項入力補助AP read and checked (My Number, four attributes) | `unlock` (`pin`, `code_a`, `code_b`), `liveness` (`none`, `card`, `host`: fixed `challenge_hex`), `allow_last_try` |
//! | `face` | 券面AP read and checked (card face, My Number image, age record) | `unlock` (`code_a`, `code_b`, `birth_key`), `liveness`, `allow_last_try` |
//!
//! The result ([`Outcome`], the expected-result JSON of a golden vector) is a summary of
//! the value or the typed error, and the number of APDUs. Certificate chains are checked at
//! the trace's fixed verification time, with the trace's trust policy, so the result never
//! depends on the clock.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::format::{
    FixedValues, OperationSpec, RecordedError, RecordedErrorKind, SecretInfo, Trace, TraceHeader,
};
use super::record::{FixedClock, RecordOptions, Recorder, WallClock};
use super::replay::{ReplayMode, ReplayTransport};
use crate::fault::{Fault, FaultyTransport};
use mynakit::card::{Card, PinPolicy, ProtocolOptions};
use mynakit::cert::{JpkiCertificate, TrustPolicy};
use mynakit::credential::{Credential, Secret};
use mynakit::error::{Error, Result};
use mynakit::face::FaceUnlock;
use mynakit::flows::ApRead;
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::text::{ChallengeSource, TextUnlock};
use mynakit::transport::Transport;

/// The format identifier of expected-result files.
pub const RESULT_FORMAT: &str = "mynakit-trace-result/1";

/// Golden traces check certificate chains at this moment: 2026-01-01T00:00:00Z.
pub const GOLDEN_VERIFICATION_TIME: u64 = 1_767_225_600;

/// Every operation name with a one-line description.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("token", "token label and kind (JPKI EF 0006)"),
    (
        "availability",
        "which certificates the card holds (JPKI EF 0008)",
    ),
    (
        "counters",
        "retry counters of the auth PIN and the signing password (no try spent)",
    ),
    (
        "auth-cert",
        "user-authentication certificate, chain checked",
    ),
    ("auth-ca", "user-authentication CA certificate"),
    ("sign-ca", "signing CA certificate"),
    (
        "sign-cert",
        "signing certificate (needs the signing password)",
    ),
    (
        "sign-auth",
        "signature with the auth key (needs the auth PIN)",
    ),
    (
        "sign-sign",
        "signature with the signing key (needs the signing password)",
    ),
    (
        "demo",
        "eKYC flow: token, availability, counters, certificates, signature over a challenge",
    ),
    (
        "text",
        "券面事項入力補助AP: My Number and the four attributes, integrity checked",
    ),
    (
        "face",
        "券面AP: card face, My Number image or age record, signatures checked",
    ),
];

/// Whether the card signs a challenge after a text or face read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Liveness {
    /// No challenge.
    #[default]
    None,
    /// A challenge from the card (GET CHALLENGE; its answer is in the trace).
    Card,
    /// A nonce from the app's server (fixed in the header's `challenge_hex`).
    Host(Vec<u8>),
}

impl Liveness {
    fn name(&self) -> &'static str {
        match self {
            Liveness::None => "none",
            Liveness::Card => "card",
            Liveness::Host(_) => "host",
        }
    }

    fn source(&self) -> Option<ChallengeSource> {
        match self {
            Liveness::None => None,
            Liveness::Card => Some(ChallengeSource::Card),
            Liveness::Host(n) => Some(ChallengeSource::Host(n.clone())),
        }
    }
}

/// A named operation with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `token`.
    Token,
    /// `availability`.
    Availability,
    /// `counters`.
    Counters,
    /// `auth-cert`.
    AuthCert,
    /// `auth-ca`.
    AuthCa,
    /// `sign-ca`.
    SignCa,
    /// `sign-cert`.
    SignCert {
        /// Present the password even when only the policy's floor of tries remains.
        allow_last_try: bool,
    },
    /// `sign-auth` (key [`JpkiKey::Auth`]) or `sign-sign` (key [`JpkiKey::Sign`]).
    Sign {
        /// Which key.
        key: JpkiKey,
        /// Hash algorithm.
        hash: HashAlgorithm,
        /// The message to hash and sign.
        message: Vec<u8>,
        /// Present the credential even when only the policy's floor of tries remains.
        allow_last_try: bool,
    },
    /// `demo`: the eKYC flow.
    Demo {
        /// The verifier's challenge (fixed in the trace header).
        challenge: Vec<u8>,
    },
    /// `text`: the 券面事項入力補助AP read.
    Text {
        /// Which credential unlocks the application.
        unlock: TextUnlock,
        /// Whether the card signs a challenge afterwards.
        liveness: Liveness,
        /// Present the credential even when only the policy's floor of tries remains.
        allow_last_try: bool,
    },
    /// `face`: the 券面AP read.
    Face {
        /// Which credential unlocks the application.
        unlock: FaceUnlock,
        /// Whether the card signs a challenge afterwards.
        liveness: Liveness,
        /// Present the credential even when only the policy's floor of tries remains.
        allow_last_try: bool,
    },
}

fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn take_enum<T: serde::de::DeserializeOwned>(
    params: &mut Map<String, Value>,
    op: &str,
    key: &str,
    allowed: &str,
) -> Result<Option<T>> {
    match params.remove(key) {
        None => Ok(None),
        Some(v) => serde_json::from_value(v).map(Some).map_err(|_| {
            bad(format!(
                "operation {op}: parameter {key:?} must be one of {allowed}"
            ))
        }),
    }
}

fn take_liveness(
    params: &mut Map<String, Value>,
    op: &str,
    fixed: &FixedValues,
) -> Result<Liveness> {
    match take_str(params, op, "liveness")?.as_deref() {
        None | Some("none") => Ok(Liveness::None),
        Some("card") => Ok(Liveness::Card),
        Some("host") => {
            let h = fixed.challenge_hex.as_deref().ok_or_else(|| {
                bad(format!(
                    "operation {op}: liveness \"host\" needs fixed.challenge_hex in the header"
                ))
            })?;
            Ok(Liveness::Host(hex::decode(h).map_err(|_| {
                bad("fixed.challenge_hex is not hex".into())
            })?))
        }
        Some(other) => Err(bad(format!(
            "operation {op}: parameter \"liveness\" must be none, card or host, not {other:?}"
        ))),
    }
}

fn bad(message: String) -> Error {
    Error::Trace(format!("line 1: {message}"))
}

fn take_bool(params: &mut Map<String, Value>, op: &str, key: &str) -> Result<bool> {
    match params.remove(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(_) => Err(bad(format!(
            "operation {op}: parameter {key:?} must be true or false"
        ))),
    }
}

fn take_str(params: &mut Map<String, Value>, op: &str, key: &str) -> Result<Option<String>> {
    match params.remove(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!(
            "operation {op}: parameter {key:?} must be a string"
        ))),
    }
}

impl Operation {
    /// The operation's name.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::Availability => "availability",
            Operation::Counters => "counters",
            Operation::AuthCert => "auth-cert",
            Operation::AuthCa => "auth-ca",
            Operation::SignCa => "sign-ca",
            Operation::SignCert { .. } => "sign-cert",
            Operation::Sign {
                key: JpkiKey::Auth, ..
            } => "sign-auth",
            Operation::Sign {
                key: JpkiKey::Sign, ..
            } => "sign-sign",
            Operation::Demo { .. } => "demo",
            Operation::Text { .. } => "text",
            Operation::Face { .. } => "face",
        }
    }

    /// Name and parameters as written in a trace header.
    pub fn spec(&self) -> OperationSpec {
        let mut params = Map::new();
        match self {
            Operation::SignCert { allow_last_try } => {
                params.insert("allow_last_try".into(), Value::Bool(*allow_last_try));
            }
            Operation::Sign {
                hash,
                message,
                allow_last_try,
                ..
            } => {
                params.insert("allow_last_try".into(), Value::Bool(*allow_last_try));
                params.insert("hash".into(), Value::String(hash.name().into()));
                params.insert(
                    "message_hex".into(),
                    Value::String(hex::encode_upper(message)),
                );
            }
            Operation::Text {
                unlock,
                liveness,
                allow_last_try,
            } => {
                params.insert("allow_last_try".into(), Value::Bool(*allow_last_try));
                params.insert("liveness".into(), Value::String(liveness.name().into()));
                params.insert("unlock".into(), Value::String(enum_name(unlock)));
            }
            Operation::Face {
                unlock,
                liveness,
                allow_last_try,
            } => {
                params.insert("allow_last_try".into(), Value::Bool(*allow_last_try));
                params.insert("liveness".into(), Value::String(liveness.name().into()));
                params.insert("unlock".into(), Value::String(enum_name(unlock)));
            }
            _ => {}
        }
        OperationSpec {
            name: self.name().into(),
            params,
        }
    }

    /// The credentials the operation presents.
    pub fn credentials(&self) -> Vec<Credential> {
        match self {
            Operation::SignCert { .. } => vec![Credential::JpkiSignPassword],
            Operation::Sign { key, .. } => vec![key.credential()],
            Operation::Demo { .. } => {
                vec![Credential::JpkiAuthPin, Credential::JpkiSignPassword]
            }
            Operation::Text { unlock, .. } => vec![unlock.credential()],
            Operation::Face { unlock, .. } => vec![unlock.credential()],
            _ => Vec::new(),
        }
    }

    /// The operation named in a trace header (with its parameters and fixed values).
    /// Errors name line 1 of the trace.
    pub fn from_header(header: &TraceHeader) -> Result<Operation> {
        let name = header.operation.name.as_str();
        let mut params = header.operation.params.clone();
        let op = match name {
            "token" => Operation::Token,
            "availability" => Operation::Availability,
            "counters" => Operation::Counters,
            "auth-cert" => Operation::AuthCert,
            "auth-ca" => Operation::AuthCa,
            "sign-ca" => Operation::SignCa,
            "sign-cert" => Operation::SignCert {
                allow_last_try: take_bool(&mut params, name, "allow_last_try")?,
            },
            "sign-auth" | "sign-sign" => {
                let hash = match take_str(&mut params, name, "hash")? {
                    None => HashAlgorithm::Sha256,
                    Some(h) => HashAlgorithm::from_name(&h)
                        .ok_or_else(|| bad(format!("operation {name}: unknown hash {h:?}")))?,
                };
                let message = take_str(&mut params, name, "message_hex")?.unwrap_or_default();
                let message = hex::decode(&message).map_err(|_| {
                    bad(format!(
                        "operation {name}: parameter \"message_hex\" is not hex"
                    ))
                })?;
                Operation::Sign {
                    key: if name == "sign-auth" {
                        JpkiKey::Auth
                    } else {
                        JpkiKey::Sign
                    },
                    hash,
                    message,
                    allow_last_try: take_bool(&mut params, name, "allow_last_try")?,
                }
            }
            "demo" => {
                let hex_text = header.fixed.challenge_hex.as_deref().ok_or_else(|| {
                    bad("operation demo needs fixed.challenge_hex in the header".into())
                })?;
                Operation::Demo {
                    challenge: hex::decode(hex_text)
                        .map_err(|_| bad("fixed.challenge_hex is not hex".into()))?,
                }
            }
            "text" => Operation::Text {
                unlock: take_enum(&mut params, name, "unlock", "pin, code_a, code_b")?
                    .unwrap_or(TextUnlock::Pin),
                liveness: take_liveness(&mut params, name, &header.fixed)?,
                allow_last_try: take_bool(&mut params, name, "allow_last_try")?,
            },
            "face" => Operation::Face {
                unlock: take_enum(&mut params, name, "unlock", "code_a, code_b, birth_key")?
                    .unwrap_or(FaceUnlock::CodeA),
                liveness: take_liveness(&mut params, name, &header.fixed)?,
                allow_last_try: take_bool(&mut params, name, "allow_last_try")?,
            },
            "session" => {
                return Err(bad(
                    "the trace records an app's own session (operation \"session\"), not a named operation; replay it through the app or with --card replay:FILE".into(),
                ));
            }
            other => {
                let known: Vec<&str> = OPERATIONS.iter().map(|(n, _)| *n).collect();
                return Err(bad(format!(
                    "unknown operation {other:?}; known: {}",
                    known.join(", ")
                )));
            }
        };
        if let Some(k) = params.keys().next() {
            return Err(bad(format!("operation {name}: unknown parameter {k:?}")));
        }
        Ok(op)
    }

    /// Values this operation fixes in the header.
    fn fixed_challenge(&self) -> Option<String> {
        match self {
            Operation::Demo { challenge } => Some(hex::encode_upper(challenge)),
            Operation::Text {
                liveness: Liveness::Host(n),
                ..
            }
            | Operation::Face {
                liveness: Liveness::Host(n),
                ..
            } => Some(hex::encode_upper(n)),
            _ => None,
        }
    }
}

/// The credential values an operation may present. `Debug` never shows them.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    values: Vec<(Credential, Secret)>,
}

impl Secrets {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `value` for `credential` (replacing an earlier one).
    #[must_use]
    pub fn with(mut self, credential: Credential, value: Secret) -> Self {
        self.set(credential, value);
        self
    }

    /// Sets the value of a credential.
    pub fn set(&mut self, credential: Credential, value: Secret) {
        self.values.retain(|(c, _)| *c != credential);
        self.values.push((credential, value));
    }

    /// The value of a credential.
    pub fn get(&self, credential: Credential) -> Option<&Secret> {
        self.values
            .iter()
            .find(|(c, _)| *c == credential)
            .map(|(_, v)| v)
    }

    /// Every credential value of a virtual card's profile: the PINs and password, and the
    /// 照合番号 derived from the person (A: the My Number; B: birth date in the Japanese
    /// era, expiry year and security code; the birth-date key: B's first six digits).
    pub fn from_profile(profile: &crate::sim::CardProfile) -> Result<Secrets> {
        let spec = &profile.spec;
        let c = &spec.credentials;
        let p = &spec.person;
        let mut s = Secrets::new()
            .with(
                Credential::JpkiAuthPin,
                Secret::new(c.jpki_auth_pin.clone()),
            )
            .with(Credential::TextPin, Secret::new(c.text_pin.clone()))
            .with(Credential::TextCodeA, Secret::new(p.my_number.clone()))
            .with(Credential::FaceCodeA, Secret::new(p.my_number.clone()));
        if let Some(pw) = &c.jpki_sign_password {
            s.set(Credential::JpkiSignPassword, Secret::new(pw.clone()));
        }
        let date = |d: &str| mynakit::era::Date::parse_yyyymmdd(&d.replace('-', ""));
        let expiry_year = p.card_expiry.get(..4).and_then(|y| y.parse::<u16>().ok());
        if let (Some(birth), Some(year)) = (date(&p.birth_date), expiry_year) {
            let code_b = mynakit::era::code_b(birth, year, &Secret::new(p.security_code.clone()))?;
            s.set(
                Credential::FaceBirthKey,
                mynakit::era::birth_date_key(birth)?,
            );
            s.set(Credential::TextCodeB, code_b.clone());
            s.set(Credential::FaceCodeB, code_b);
        }
        Ok(s)
    }

    /// Values of the recorded lengths for replay: the trace never holds the secrets, and
    /// the card's answers are recorded, so any value of the right format and length
    /// reproduces the session.
    pub fn placeholders(infos: &[SecretInfo]) -> Secrets {
        let mut s = Secrets::default();
        for i in infos {
            s.set(i.credential, Secret::new(placeholder(i.credential, i.len)));
        }
        s
    }

    /// What the header records about these values: credential and length only.
    fn infos(&self, credentials: &[Credential]) -> Vec<SecretInfo> {
        credentials
            .iter()
            .filter_map(|&c| {
                let v = self.get(c)?;
                let len = c.encode(v).map(|b| b.len()).unwrap_or(v.expose().len());
                Some(SecretInfo { credential: c, len })
            })
            .collect()
    }
}

/// A value of `credential`'s format with `len` characters (when the format allows it).
fn placeholder(credential: Credential, len: usize) -> String {
    match credential {
        Credential::JpkiSignPassword => {
            let mut s = String::from("A");
            s.push_str(&"0".repeat(len.saturating_sub(1)));
            s.truncate(len.max(1));
            s
        }
        Credential::TextCodeA | Credential::FaceCodeA if len == 12 => "000000000000".into(),
        Credential::TextCodeB | Credential::FaceCodeB if len == 14 => "01010120300000".into(),
        Credential::FaceBirthKey if len == 6 => "010101".into(),
        _ => "0".repeat(len),
    }
}

/// `ok` or `error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The operation returned a value.
    Ok,
    /// The operation failed with a typed error.
    Error,
}

/// A typed error, as the expected-result JSON shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSummary {
    /// The [`Error`] variant in snake case (`wrong_pin`, `verify_outcome_unknown`, …).
    pub kind: String,
    /// The credential involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    /// Tries remaining, when the error carries a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u8>,
    /// The status word, when the card refused with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sw: Option<String>,
    /// The link failure's kind, for transport errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<RecordedErrorKind>,
    /// The error's stable code (`MK-CRED-WRONG`, see `mynakit::error::ErrorCode`). Absent
    /// in results written before codes existed: [`Outcome::from_json`] then derives it from
    /// `kind` and `transport`, as the core assigns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error's message.
    pub message: String,
}

impl ErrorSummary {
    /// The code of a summary without one: that of a core error of the same `kind` (and
    /// link failure), which is all a code depends on. `None` for an unknown kind.
    fn derived_code(&self) -> Option<&'static str> {
        let credential = self.credential.unwrap_or(Credential::JpkiAuthPin);
        let text = String::new;
        let e = match self.kind.as_str() {
            "transport" => Error::Transport(
                RecordedError {
                    kind: self.transport?,
                    message: text(),
                }
                .to_transport_error(),
            ),
            "verify_outcome_unknown" => Error::VerifyOutcomeUnknown {
                credential,
                source: None,
                sw: None,
            },
            "wrong_pin" => Error::WrongPin {
                credential,
                remaining: self.remaining.unwrap_or(0),
            },
            "blocked" => Error::Blocked { credential },
            "retry_floor" => Error::RetryFloor {
                credential,
                remaining: self.remaining,
                floor: 0,
            },
            "invalid_credential_format" => Error::InvalidCredentialFormat {
                credential,
                reason: text(),
            },
            "credential_required" => Error::CredentialRequired {
                what: text(),
                credential,
            },
            "not_available" => Error::NotAvailable { what: text() },
            "unexpected_status" => Error::UnexpectedStatus {
                command: text(),
                sw: mynakit::StatusWord(0),
            },
            "malformed_response" => Error::MalformedResponse(text()),
            "malformed_data" => Error::MalformedData {
                what: text(),
                reason: text(),
            },
            "invalid_command" => Error::InvalidCommand(text()),
            "invalid_argument" => Error::InvalidArgument(text()),
            "verification" => Error::Verification(text()),
            "trace" => Error::Trace(text()),
            _ => return None,
        };
        debug_assert_eq!(error_kind(&e), self.kind);
        Some(e.code())
    }
}

/// What an operation produced: the expected-result JSON of a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Always [`RESULT_FORMAT`].
    pub format: String,
    /// The operation's name.
    pub operation: String,
    /// `ok` or `error`.
    pub outcome: OutcomeKind,
    /// Summary of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorSummary>,
    /// APDUs the session sent.
    pub apdus: u32,
}

impl Outcome {
    /// Reads an expected-result file.
    pub fn from_json(text: &str) -> Result<Outcome> {
        let o: Outcome = serde_json::from_str(text).map_err(|e| {
            Error::Trace(format!(
                "expected result: line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if o.format != RESULT_FORMAT {
            return Err(Error::Trace(format!(
                "expected result: unsupported format {:?}; this version reads {RESULT_FORMAT}",
                o.format
            )));
        }
        let mut o = o;
        if let Some(e) = o.error.as_mut().filter(|e| e.code.is_none()) {
            e.code = e.derived_code().map(String::from);
        }
        Ok(o)
    }

    /// The result as pretty JSON ending with a newline (the golden files' form).
    pub fn to_json_pretty(&self) -> Result<String> {
        let mut s = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Trace(format!("cannot encode the result: {e}")))?;
        s.push('\n');
        Ok(s)
    }

    /// Paths (`value.auth_certificate.sha256`, …) where `self` and `other` differ.
    pub fn differences(&self, other: &Outcome) -> Vec<String> {
        let a = serde_json::to_value(self).unwrap_or(Value::Null);
        let b = serde_json::to_value(other).unwrap_or(Value::Null);
        let mut out = Vec::new();
        diff_values("", &a, &b, &mut out);
        out
    }
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => diff_values(&p, va, vb, out),
                    (Some(va), None) => out.push(format!("{p}: {va} vs (absent)")),
                    (None, Some(vb)) => out.push(format!("{p}: (absent) vs {vb}")),
                    (None, None) => {}
                }
            }
        }
        _ if a == b => {}
        _ => out.push(format!(
            "{}: {a} vs {b}",
            if path.is_empty() { "(root)" } else { path }
        )),
    }
}

/// How results are checked: trust policy and moment for certificate chains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checks {
    /// Roots accepted.
    pub trust: TrustPolicy,
    /// Seconds since the Unix epoch; `None` skips chain checks.
    pub at_unix: Option<u64>,
}

impl Checks {
    /// The checks a trace header fixes.
    pub fn from_header(header: &TraceHeader) -> Self {
        Checks {
            trust: header.trust,
            at_unix: header.fixed.verification_time_unix,
        }
    }
}

/// The `kind` of an error in result files.
pub fn error_kind(e: &Error) -> &'static str {
    #[allow(unreachable_patterns)]
    match e {
        Error::Transport(_) => "transport",
        Error::VerifyOutcomeUnknown { .. } => "verify_outcome_unknown",
        Error::WrongPin { .. } => "wrong_pin",
        Error::Blocked { .. } => "blocked",
        Error::RetryFloor { .. } => "retry_floor",
        Error::InvalidCredentialFormat { .. } => "invalid_credential_format",
        Error::CredentialRequired { .. } => "credential_required",
        Error::NotAvailable { .. } => "not_available",
        Error::UnexpectedStatus { .. } => "unexpected_status",
        Error::MalformedResponse(_) => "malformed_response",
        Error::MalformedData { .. } => "malformed_data",
        Error::InvalidCommand(_) => "invalid_command",
        Error::InvalidArgument(_) => "invalid_argument",
        Error::Verification(_) => "verification",
        Error::Trace(_) => "trace",
        _ => "other",
    }
}

/// The summary of an error.
pub fn error_summary(e: &Error) -> ErrorSummary {
    let credential = match e {
        Error::VerifyOutcomeUnknown { credential, .. }
        | Error::WrongPin { credential, .. }
        | Error::Blocked { credential }
        | Error::RetryFloor { credential, .. }
        | Error::InvalidCredentialFormat { credential, .. }
        | Error::CredentialRequired { credential, .. } => Some(*credential),
        _ => None,
    };
    let transport = match e {
        Error::Transport(t)
        | Error::VerifyOutcomeUnknown {
            source: Some(t), ..
        } => Some(RecordedError::from(t).kind),
        _ => None,
    };
    ErrorSummary {
        kind: error_kind(e).into(),
        credential,
        remaining: e.remaining_tries(),
        sw: e.status_word().map(|sw| format!("{:04X}", sw.0)),
        transport,
        code: Some(e.code().into()),
        message: e.to_string(),
    }
}

fn cert_value(cert: &JpkiCertificate, checks: &Checks) -> Value {
    let chain = checks.at_unix.map(|at| {
        match crate::trust::trust_store(checks.trust).and_then(|s| s.verify(cert, at)) {
            Ok(v) => json!({"result": "verified", "anchor": v.anchor}),
            Err(e) => json!({"result": "failed", "reason": e.to_string()}),
        }
    });
    json!({
        "size": cert.der.len(),
        "sha256": cert.info.sha256_fingerprint,
        "serial": cert.info.serial,
        "subject": cert.info.subject,
        "issuer": cert.info.issuer,
        "not_before": cert.info.not_before,
        "not_after": cert.info.not_after,
        "public_key_bits": cert.info.public_key.bits,
        "attributes": cert.info.attributes,
        "chain": chain,
    })
}

fn chain_ok(v: &Value) -> bool {
    v.get("chain")
        .and_then(|c| c.get("result"))
        .and_then(Value::as_str)
        == Some("verified")
}

fn need<'a>(secrets: &'a Secrets, c: Credential, op: &str) -> Result<&'a Secret> {
    secrets
        .get(c)
        .ok_or_else(|| Error::InvalidArgument(format!("operation {op} needs the {c}")))
}

fn to_value<S: Serialize>(v: &S) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn run_inner<T: Transport>(
    card: &mut Card<T>,
    op: &Operation,
    secrets: &Secrets,
    checks: &Checks,
) -> Result<Value> {
    let name = op.name();
    Ok(match op {
        Operation::Token => to_value(&card.jpki().token_info()?),
        Operation::Availability => to_value(&card.jpki().certificate_availability()?),
        Operation::Counters => {
            let auth = card.jpki().retry_status(Credential::JpkiAuthPin)?;
            let sign = match card.jpki().retry_status(Credential::JpkiSignPassword) {
                Ok(s) => Some(s),
                Err(Error::NotAvailable { .. }) => None,
                Err(e) => return Err(e),
            };
            json!({"auth_pin": auth, "sign_password": sign})
        }
        Operation::AuthCert => cert_value(&card.jpki().auth_certificate()?, checks),
        Operation::AuthCa => cert_value(&card.jpki().auth_ca_certificate()?, checks),
        Operation::SignCa => cert_value(&card.jpki().sign_ca_certificate()?, checks),
        Operation::SignCert { allow_last_try } => {
            let pw = need(secrets, Credential::JpkiSignPassword, name)?;
            cert_value(&card.jpki().sign_certificate(pw, *allow_last_try)?, checks)
        }
        Operation::Sign {
            key,
            hash,
            message,
            allow_last_try,
        } => {
            let value = need(secrets, key.credential(), name)?;
            let input = SignInput::Message {
                hash: *hash,
                data: message.clone(),
            };
            let options = SignOptions {
                allow_below_floor: *allow_last_try,
                allow_sha1: *hash == HashAlgorithm::Sha1,
                include_certificate: true,
            };
            let sig = card.jpki().sign(*key, value, &input, options)?;
            json!({
                "key": sig.key,
                "hash": sig.hash,
                "digest_info_hex": hex::encode_upper(&sig.digest_info),
                "signature_hex": hex::encode_upper(&sig.signature),
                "verified_with_certificate": sig.verify_with_certificate().is_ok(),
                "certificate": sig.certificate.as_ref().map(|c| cert_value(c, checks)),
            })
        }
        Operation::Demo { challenge } => {
            // The flow of `mynakit demo` (mynakit::flows::ekyc), without the 券面 APs.
            let request = mynakit::flows::EkycRequest {
                auth_pin: need(secrets, Credential::JpkiAuthPin, name)?,
                sign_password: secrets.get(Credential::JpkiSignPassword),
                text_pin: None,
                challenge,
            };
            let flow = mynakit::flows::ekyc(card, &request, &mynakit::cv::CvTrust::default())?;
            let auth_value = cert_value(&flow.auth_certificate, checks);
            let sign_value = flow
                .sign_certificate
                .as_ref()
                .map(|c| cert_value(c, checks));
            let verified = flow.signature_check.is_verified();
            let checked = checks.at_unix.is_some();
            let all_ok = (!checked
                || (chain_ok(&auth_value) && sign_value.as_ref().is_none_or(chain_ok)))
                && verified;
            json!({
                "token": flow.token,
                "certificate_availability": flow.certificate_availability,
                "auth_pin_retries": flow.auth_pin_retries,
                "sign_password_retries": flow.sign_password_retries,
                "auth_certificate": auth_value,
                "sign_certificate": sign_value,
                "signature": {
                    "challenge_hex": hex::encode_upper(challenge),
                    "signature_hex": hex::encode_upper(&flow.signature.signature),
                    "verified_on_host": verified,
                },
                "all_checks_passed": all_ok,
            })
        }
        Operation::Text {
            unlock,
            liveness,
            allow_last_try,
        } => {
            let source = liveness.source();
            let read = ApRead {
                unlock: *unlock,
                secret: need(secrets, unlock.credential(), name)?,
                allow_below_floor: *allow_last_try,
                liveness: source.as_ref(),
            };
            let trust = crate::trust::cv_trust(checks.trust)?;
            let report = mynakit::flows::text_read(card, &read, &trust)?;
            blobs_summarised(to_value(&report))
        }
        Operation::Face {
            unlock,
            liveness,
            allow_last_try,
        } => {
            let source = liveness.source();
            let read = ApRead {
                unlock: *unlock,
                secret: need(secrets, unlock.credential(), name)?,
                allow_below_floor: *allow_last_try,
                liveness: source.as_ref(),
            };
            let trust = crate::trust::cv_trust(checks.trust)?;
            let report = mynakit::flows::face_read(card, &read, &trust)?;
            blobs_summarised(to_value(&report))
        }
    })
}

/// Replaces long hex strings (images, raw records) by their size and SHA-256, so expected
/// results stay readable.
fn blobs_summarised(v: Value) -> Value {
    match v {
        Value::String(s) if s.len() > 256 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let bytes = hex::decode(&s).unwrap_or_default();
            Value::String(format!(
                "<{} bytes, SHA-256 {}>",
                bytes.len(),
                hex::encode_upper(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
            ))
        }
        Value::Array(a) => Value::Array(a.into_iter().map(blobs_summarised).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, blobs_summarised(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Runs an operation on a session and summarises what happened.
pub fn run<T: Transport>(
    card: &mut Card<T>,
    op: &Operation,
    secrets: &Secrets,
    checks: &Checks,
) -> Outcome {
    let result = run_inner(card, op, secrets, checks);
    let (outcome, value, error) = match result {
        Ok(v) => (OutcomeKind::Ok, Some(v), None),
        Err(e) => (OutcomeKind::Error, None, Some(error_summary(&e))),
    };
    Outcome {
        format: RESULT_FORMAT.into(),
        operation: op.name().into(),
        outcome,
        value,
        error,
        apdus: card.stats().apdus,
    }
}

/// How to record an operation.
#[derive(Clone, Debug)]
pub struct RecordSettings {
    /// Where the card came from, for the header (`sim:taro`, a reader name).
    pub card: String,
    /// Scrub personal data from responses.
    pub scrub: bool,
    /// Record every elapsed time as 0 (golden traces) instead of the wall clock.
    pub fixed_clock: bool,
    /// When certificate chains are checked (written to the header).
    pub verification_time_unix: u64,
    /// Which roots the checks accept.
    pub trust: TrustPolicy,
    /// Faults injected between the recorder and the card (the trace shows what the app
    /// saw).
    pub faults: Vec<Fault>,
    /// Protocol options of the session.
    pub protocol: ProtocolOptions,
    /// PIN-safety policy of the session.
    pub pin_policy: PinPolicy,
    /// Written to the header's `recorded_by`.
    pub recorded_by: Option<String>,
}

impl RecordSettings {
    /// Settings of the golden traces: fixed clock, fixed verification time, the virtual
    /// card's test roots accepted.
    pub fn golden(card: &str) -> Self {
        RecordSettings {
            card: card.into(),
            scrub: false,
            fixed_clock: true,
            verification_time_unix: GOLDEN_VERIFICATION_TIME,
            trust: TrustPolicy::VIRTUAL_CARD,
            faults: Vec::new(),
            protocol: ProtocolOptions::default(),
            pin_policy: PinPolicy::default(),
            recorded_by: Some("mynakit trace regen".into()),
        }
    }
}

/// Records `op` over `transport`: returns the trace and the operation's result. When the
/// trace is scrubbed, the result is the one its replay gives (the scrubbed certificates do
/// not verify), so the pair stays consistent.
pub fn record<T: Transport>(
    transport: T,
    op: &Operation,
    secrets: &Secrets,
    settings: &RecordSettings,
) -> Result<(Trace, Outcome)> {
    let mut header = TraceHeader::new(op.spec(), transport.capabilities());
    header.card = settings.card.clone();
    header.protocol = settings.protocol;
    header.pin_policy = settings.pin_policy;
    header.trust = settings.trust;
    header.secrets = secrets.infos(&op.credentials());
    header.fixed = FixedValues {
        challenge_hex: op.fixed_challenge(),
        verification_time_unix: Some(settings.verification_time_unix),
    };
    header.faults = if settings.faults.is_empty() {
        None
    } else {
        Some(
            settings
                .faults
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
    };
    header.clock = if settings.fixed_clock {
        "fixed"
    } else {
        "wall"
    }
    .into();
    header.recorded_by = settings.recorded_by.clone();
    let clock: Box<dyn super::Clock> = if settings.fixed_clock {
        Box::new(FixedClock)
    } else {
        Box::new(WallClock::new())
    };
    let faulty = FaultyTransport::new(transport, settings.faults.clone());
    let recorder = Recorder::new(
        faulty,
        RecordOptions {
            header,
            scrub: settings.scrub,
        },
        clock,
    );
    let handle = recorder.handle();
    let mut card = Card::new(recorder)?;
    card.options = settings.protocol;
    card.policy = settings.pin_policy;
    let checks = Checks {
        trust: settings.trust,
        at_unix: Some(settings.verification_time_unix),
    };
    let outcome = run(&mut card, op, secrets, &checks);
    drop(card);
    let trace = handle.trace();
    if settings.scrub {
        let replayed = replay(&trace, ReplayMode::Strict, Vec::new())?;
        return Ok((trace, replayed.outcome));
    }
    Ok((trace, outcome))
}

/// What a replay produced.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayReport {
    /// The operation's result.
    pub outcome: Outcome,
    /// Exchanges of the trace the session used.
    pub exchanges_used: usize,
    /// VERIFY commands carrying a value that the session sent.
    pub verify_attempts: usize,
    /// The most VERIFY commands with a value sent for one credential (at most 1: MynaKit
    /// never presents a credential twice on its own).
    pub max_verify_per_credential: usize,
}

/// Replays the operation a trace records and returns its result. Fails with
/// [`Error::Trace`] when the session leaves the trace (naming the exchange, with the
/// expected and actual commands decoded) or, without injected faults and for a trace that
/// is not scrubbed, does not use every recorded exchange. `faults` are injected between the engine and the replay.
pub fn replay(trace: &Trace, mode: ReplayMode, faults: Vec<Fault>) -> Result<ReplayReport> {
    trace.check_bounds()?;
    let op = Operation::from_header(&trace.header)?;
    let secrets = Secrets::placeholders(&trace.header.secrets);
    let injected = !faults.is_empty();
    let transport = FaultyTransport::new(ReplayTransport::new(trace.clone(), mode), faults);
    let mut card = Card::new(transport)?;
    card.options = trace.header.protocol;
    card.policy = trace.header.pin_policy;
    let outcome = run(
        &mut card,
        &op,
        &secrets,
        &Checks::from_header(&trace.header),
    );
    let replay = card.transport().inner();
    if let Some(m) = replay.mismatch() {
        return Err(Error::Trace(m.to_string()));
    }
    // Injected faults end a session early, and so may scrubbed data that no longer
    // parses: then only the commands that were sent must match.
    if !injected && !trace.header.scrubbed {
        replay.finish()?;
    }
    Ok(ReplayReport {
        outcome,
        exchanges_used: replay.position(),
        verify_attempts: replay.verify_attempts(),
        max_verify_per_credential: replay.max_verify_per_credential(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_have_the_credential_format() {
        for len in 6..=16 {
            let v = Secret::new(placeholder(Credential::JpkiSignPassword, len));
            assert_eq!(v.len(), len);
            assert!(Credential::JpkiSignPassword.encode(&v).is_ok());
        }
        for c in Credential::ALL {
            let len = match c {
                Credential::JpkiAuthPin | Credential::TextPin => 4,
                Credential::JpkiSignPassword => 8,
                Credential::TextCodeA | Credential::FaceCodeA => 12,
                Credential::TextCodeB | Credential::FaceCodeB => 14,
                _ => 6,
            };
            assert!(c.encode(&Secret::new(placeholder(c, len))).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn operations_round_trip_through_the_header() {
        let ops = [
            Operation::Token,
            Operation::Counters,
            Operation::SignCert {
                allow_last_try: true,
            },
            Operation::Sign {
                key: JpkiKey::Sign,
                hash: HashAlgorithm::Sha384,
                message: b"m".to_vec(),
                allow_last_try: false,
            },
            Operation::Demo {
                challenge: vec![1, 2],
            },
            Operation::Text {
                unlock: TextUnlock::CodeB,
                liveness: Liveness::Host(vec![9; 16]),
                allow_last_try: false,
            },
            Operation::Face {
                unlock: FaceUnlock::BirthKey,
                liveness: Liveness::Card,
                allow_last_try: true,
            },
        ];
        for op in ops {
            let mut h = TraceHeader::new(op.spec(), mynakit::Capabilities::SHORT);
            h.fixed.challenge_hex = op.fixed_challenge();
            assert_eq!(Operation::from_header(&h).ok(), Some(op));
        }
        let mut h = TraceHeader::new(Operation::Token.spec(), mynakit::Capabilities::SHORT);
        h.operation.params.insert("x".into(), Value::Bool(true));
        let e = Operation::from_header(&h).err().map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("line 1"));
    }

    #[test]
    fn outcome_differences_name_paths() {
        let a = Outcome {
            format: RESULT_FORMAT.into(),
            operation: "token".into(),
            outcome: OutcomeKind::Ok,
            value: Some(json!({"label": "A", "kind": "x"})),
            error: None,
            apdus: 2,
        };
        let mut b = a.clone();
        b.value = Some(json!({"label": "B", "kind": "x"}));
        b.apdus = 3;
        assert_eq!(a.differences(&b).len(), 2);
        assert!(a.differences(&a).is_empty());
        let text = a.to_json_pretty().unwrap();
        assert_eq!(Outcome::from_json(&text).ok(), Some(a));
    }

    #[test]
    fn results_record_the_error_code_and_older_results_get_it_derived() {
        use mynakit::error::TransportError;
        let samples = [
            Error::Transport(TransportError::card_removed("lost")),
            Error::Transport(TransportError::Timeout {
                message: "t".into(),
            }),
            Error::Transport(TransportError::other("o")),
            Error::VerifyOutcomeUnknown {
                credential: Credential::JpkiAuthPin,
                source: Some(TransportError::card_removed("lost")),
                sw: None,
            },
            Error::WrongPin {
                credential: Credential::FaceCodeA,
                remaining: 2,
            },
            Error::Blocked {
                credential: Credential::JpkiAuthPin,
            },
            Error::RetryFloor {
                credential: Credential::JpkiAuthPin,
                remaining: None,
                floor: 1,
            },
            Error::InvalidCredentialFormat {
                credential: Credential::TextPin,
                reason: "r".into(),
            },
            Error::CredentialRequired {
                what: "w".into(),
                credential: Credential::TextPin,
            },
            Error::NotAvailable { what: "w".into() },
            Error::UnexpectedStatus {
                command: "SELECT".into(),
                sw: mynakit::StatusWord(0x6A82),
            },
            Error::MalformedResponse("m".into()),
            Error::MalformedData {
                what: "w".into(),
                reason: "r".into(),
            },
            Error::InvalidCommand("c".into()),
            Error::InvalidArgument("a".into()),
            Error::Verification("v".into()),
            Error::Trace("t".into()),
        ];
        for e in &samples {
            let summary = error_summary(e);
            assert_eq!(summary.code.as_deref(), Some(e.code()));
            // A result written before codes existed: the same code is derived on reading.
            let mut old = summary.clone();
            old.code = None;
            let outcome = Outcome {
                format: RESULT_FORMAT.into(),
                operation: "sign-auth".into(),
                outcome: OutcomeKind::Error,
                value: None,
                error: Some(old),
                apdus: 3,
            };
            let text = outcome.to_json_pretty().unwrap();
            assert!(!text.contains("\"code\""), "{text}");
            let read = Outcome::from_json(&text).unwrap();
            assert_eq!(read.error, Some(summary), "{e:?}");
        }
        // A first-release result (test-vectors/traces/compat, hand-copied): WrongPin.
        let v1 = r#"{"format":"mynakit-trace-result/1","operation":"sign-auth","outcome":"error",
            "error":{"kind":"wrong_pin","credential":"jpki_auth_pin","remaining":2,
            "message":"wrong JPKI user-authentication PIN (利用者証明用暗証番号): 2 tries remaining"},
            "apdus":3}"#;
        let read = Outcome::from_json(v1).unwrap();
        assert_eq!(
            read.error.and_then(|e| e.code).as_deref(),
            Some("MK-CRED-WRONG")
        );
    }
}
