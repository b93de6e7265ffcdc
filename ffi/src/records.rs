//! Records and enums of the foreign interface.
//!
//! Most are the core's own types, declared to uniffi as remote types
//! (`#[uniffi::remote(Record)]`, `#[uniffi::remote(Enum)]`): each declaration mirrors the
//! core definition field for field (the compiler holds it to that: the generated code
//! builds and destructures the core type), under the foreign names the bindings have
//! always used (`#[uniffi(name = ...)]`). A wrapper of its own remains only where the
//! core type holds something that cannot cross, each saying why.
//!
//! Byte strings (DER, signatures, APDUs) are `Vec<u8>` (Kotlin `ByteArray`, Swift `Data`).
//! None of these records carries a secret: PINs and passwords only ever travel as direct
//! `String` arguments of `CardSession` methods (see the crate README for why).

use mynakit::cert::{self as core_cert};
use mynakit::jpki as core_jpki;

pub use mynakit::cert::{
    AnchorSet, CertAttributes, CertBirthDate, ChainVerification, JpkiCertificate, Sex,
};
pub use mynakit::era::{Date, Era};
pub use mynakit::jpki::{JpkiKey, JpkiSignature, SignOptions, TokenInfo, TokenKind};
pub use mynakit::sign::{HashAlgorithm, SignInput};
pub use mynakit::{ExchangeHint, PinPolicy, ProtocolOptions, RetryStatus, Stage, Stats};

use crate::error::MynaError;

/// The foreign name of [`Date`].
pub type CalendarDate = Date;
/// The foreign name of [`CertAttributes`].
pub type CertificateAttributes = CertAttributes;
/// The foreign name of [`JpkiSignature`].
pub type Signature = JpkiSignature;
/// The foreign name of [`Stats`].
pub type SessionStats = Stats;

/// What a transport can carry (Android: `IsoDep.getMaxTransceiveLength()` and
/// `isExtendedLengthApduSupported()`; iOS: CoreNFC supports extended length).
///
/// A wrapper of `mynakit::Capabilities`, whose lengths are `usize` (uniffi has no
/// pointer-sized integer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TransportCapabilities {
    /// Largest command APDU in bytes, header included.
    pub max_command_len: u32,
    /// Largest response APDU in bytes, status word included.
    pub max_response_len: u32,
    /// Whether extended-length APDUs pass through.
    pub extended_length: bool,
}

impl TransportCapabilities {
    /// From the core type (Rust side of the bindings; not exported).
    pub fn from_core(c: mynakit::Capabilities) -> Self {
        TransportCapabilities {
            max_command_len: u32::try_from(c.max_command_len).unwrap_or(u32::MAX),
            max_response_len: u32::try_from(c.max_response_len).unwrap_or(u32::MAX),
            extended_length: c.extended_length,
        }
    }

    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(self) -> mynakit::Capabilities {
        mynakit::Capabilities {
            max_command_len: usize::try_from(self.max_command_len).unwrap_or(usize::MAX),
            max_response_len: usize::try_from(self.max_response_len).unwrap_or(usize::MAX),
            extended_length: self.extended_length,
        }
    }
}

/// Short APDUs only: 261-byte commands, 258-byte responses. What every NFC phone supports.
#[uniffi::export]
pub fn short_apdu_capabilities() -> TransportCapabilities {
    TransportCapabilities::from_core(mynakit::Capabilities::SHORT)
}

/// Extended-length APDUs up to `max_transceive_len` bytes in both directions (Android:
/// pass `IsoDep.getMaxTransceiveLength()` when `isExtendedLengthApduSupported()`).
#[uniffi::export]
pub fn extended_apdu_capabilities(max_transceive_len: u32) -> TransportCapabilities {
    TransportCapabilities::from_core(mynakit::Capabilities::extended(
        usize::try_from(max_transceive_len).unwrap_or(usize::MAX),
    ))
}

/// What MynaKit tells the transport about one exchange.
#[uniffi::remote(Record)]
pub struct ExchangeHint {
    /// The command carries a secret (a VERIFY): never log or record its bytes.
    pub sensitive: bool,
    /// The card may take long (signing): use a longer timeout for this exchange.
    pub slow: bool,
}

/// Every credential the card knows.
///
/// A wrapper: the core's `Credential` is `#[non_exhaustive]` (a credential may be added to
/// the core before the bindings know it; `from_core` then says `None` instead of a
/// converter that would have to panic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Credential {
    /// 利用者証明用暗証番号: 4 digits, 3 tries (JPKI-AP).
    JpkiAuthPin,
    /// 署名用パスワード: 6–16 of A–Z/0–9 with a letter and a digit, 5 tries (JPKI-AP).
    JpkiSignPassword,
    /// 券面事項入力補助用暗証番号: 4 digits, 3 tries (入力補助AP).
    TextPin,
    /// 照合番号A (the My Number) for 入力補助AP.
    TextCodeA,
    /// 照合番号B (14 digits) for 入力補助AP.
    TextCodeB,
    /// 照合番号A (the My Number) for 券面AP.
    FaceCodeA,
    /// 照合番号B (14 digits) for 券面AP.
    FaceCodeB,
    /// Birth-date key (YYMMDD, Japanese-era year) for 券面AP.
    FaceBirthKey,
}

impl Credential {
    /// The core credential.
    pub fn to_core(self) -> mynakit::Credential {
        use mynakit::Credential as C;
        match self {
            Credential::JpkiAuthPin => C::JpkiAuthPin,
            Credential::JpkiSignPassword => C::JpkiSignPassword,
            Credential::TextPin => C::TextPin,
            Credential::TextCodeA => C::TextCodeA,
            Credential::TextCodeB => C::TextCodeB,
            Credential::FaceCodeA => C::FaceCodeA,
            Credential::FaceCodeB => C::FaceCodeB,
            Credential::FaceBirthKey => C::FaceBirthKey,
        }
    }

    /// The credential for a core one; `None` for a credential this layer does not know.
    pub fn from_core(c: mynakit::Credential) -> Option<Self> {
        use mynakit::Credential as C;
        Some(match c {
            C::JpkiAuthPin => Credential::JpkiAuthPin,
            C::JpkiSignPassword => Credential::JpkiSignPassword,
            C::TextPin => Credential::TextPin,
            C::TextCodeA => Credential::TextCodeA,
            C::TextCodeB => Credential::TextCodeB,
            C::FaceCodeA => Credential::FaceCodeA,
            C::FaceCodeB => Credential::FaceCodeB,
            C::FaceBirthKey => Credential::FaceBirthKey,
            _ => return None,
        })
    }
}

/// The retry counter of a credential, read without spending a try.
#[uniffi::remote(Enum)]
pub enum RetryStatus {
    /// This many tries remain.
    Remaining(
        /// Tries left.
        #[uniffi(name = "remaining_tries")]
        u8,
    ),
    /// The credential is blocked.
    Blocked,
    /// Verified in this session; the card does not report the count then.
    VerifiedNotReported,
}

/// What kind of JPKI token answered.
#[uniffi::remote(Enum)]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: a My Number Card.
    MyNumberCard,
    /// `JPKIAPGPSETOKEN`: Android smartphone JPKI.
    AndroidPhone,
    /// `JPKIAPIOSTOKEN`: iPhone smartphone JPKI.
    IPhone,
    /// `JPKIAPICCTOKEN`: an old 住基カード.
    JukiCard,
    /// Any other label.
    Unknown,
}

/// The JPKI token information (EF `0006`).
#[uniffi::remote(Record)]
pub struct TokenInfo {
    /// The label without padding.
    pub label: String,
    /// What the label means.
    pub kind: TokenKind,
}

/// Which JPKI certificates the card holds (EF `0008`).
///
/// A wrapper: the core keeps the EF's bytes as hex (`raw_hex`), the bindings as bytes.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CertificateAvailability {
    /// The bytes as read.
    pub raw: Vec<u8>,
    /// The signing certificate is present.
    pub signing: bool,
    /// The user-authentication certificate is present.
    pub authentication: bool,
}

impl From<core_jpki::CertificateAvailability> for CertificateAvailability {
    fn from(a: core_jpki::CertificateAvailability) -> Self {
        CertificateAvailability {
            raw: hex::decode(&a.raw_hex).unwrap_or_default(),
            signing: a.signing,
            authentication: a.authentication,
        }
    }
}

/// A Japanese era.
#[uniffi::remote(Enum)]
pub enum Era {
    /// 明治.
    Meiji,
    /// 大正.
    Taisho,
    /// 昭和.
    Showa,
    /// 平成.
    Heisei,
    /// 令和.
    Reiwa,
}

/// A calendar date.
#[uniffi::remote(Record)]
#[uniffi(name = "CalendarDate")]
pub struct Date {
    /// Gregorian year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

/// Sex as coded on the card (ISO 5218).
#[uniffi::remote(Enum)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`.
    NotApplicable,
    /// `0`.
    NotKnown,
    /// Any other code, as stored.
    Other(
        /// The stored code.
        #[uniffi(name = "code")]
        String,
    ),
}

/// The birth date in a signing certificate: era digit plus Gregorian date.
#[uniffi::remote(Record)]
pub struct CertBirthDate {
    /// As stored (`EYYYYMMDD`).
    pub raw: String,
    /// The era, when the first digit is a known one.
    pub era: Option<Era>,
    /// The Gregorian date, when the digits form one.
    pub date: Option<Date>,
}

/// The four attributes in a signing certificate (personal data: handle as such).
#[uniffi::remote(Record)]
#[uniffi(name = "CertificateAttributes")]
pub struct CertAttributes {
    /// Name.
    pub name: Option<String>,
    /// Name substitute-character information.
    pub name_substitute: Option<String>,
    /// Sex code as stored.
    pub sex_code: Option<String>,
    /// Sex, interpreted.
    pub sex: Option<Sex>,
    /// Birth date (as stored, its era and the Gregorian date).
    pub birth_date: Option<CertBirthDate>,
    /// Address.
    pub address: Option<String>,
    /// Address substitute-character information.
    pub address_substitute: Option<String>,
}

/// A certificate: its DER and the fields MynaKit parsed from it.
///
/// A wrapper of `mynakit::cert::JpkiCertificate`: its public-key part keeps the key size as
/// `usize` and the SubjectPublicKeyInfo as hex. Where a core record holds a
/// `JpkiCertificate` (the signature's certificate), it crosses as this record through the
/// custom type `JpkiCertificate` (Kotlin/Swift: a typealias of `Certificate`), lifted back
/// by parsing `der`, so no parsed field is ever taken from the foreign side.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Certificate {
    /// The DER bytes, as read from the card.
    pub der: Vec<u8>,
    /// Serial number, upper-case hex.
    pub serial: String,
    /// Issuer DN (RFC 4514).
    pub issuer: String,
    /// Subject DN (RFC 4514).
    pub subject: String,
    /// The subject's CN.
    pub subject_common_name: Option<String>,
    /// notBefore, RFC 3339 UTC.
    pub not_before: String,
    /// notAfter, RFC 3339 UTC.
    pub not_after: String,
    /// notBefore, seconds since the Unix epoch.
    pub not_before_unix: u64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after_unix: u64,
    /// Key usages (`digital_signature`, `non_repudiation`, …).
    pub key_usage: Vec<String>,
    /// Whether basicConstraints marks a CA.
    pub is_ca: bool,
    /// Signature algorithm OID.
    pub signature_algorithm: String,
    /// Public key algorithm (`rsa`, `ec` or the OID).
    pub public_key_algorithm: String,
    /// Public key size in bits, when known.
    pub public_key_bits: Option<u32>,
    /// The DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// SHA-256 of the DER, upper-case hex.
    pub sha256_fingerprint: String,
    /// The four attributes (signing certificates only).
    pub attributes: Option<CertificateAttributes>,
}

impl From<core_cert::JpkiCertificate> for Certificate {
    fn from(c: core_cert::JpkiCertificate) -> Self {
        let spki_der = c.spki_der().unwrap_or_default();
        let i = c.info;
        Certificate {
            der: c.der,
            serial: i.serial,
            issuer: i.issuer,
            subject: i.subject,
            subject_common_name: i.subject_common_name,
            not_before: i.not_before,
            not_after: i.not_after,
            not_before_unix: i.not_before_unix,
            not_after_unix: i.not_after_unix,
            key_usage: i.key_usage,
            is_ca: i.is_ca,
            signature_algorithm: i.signature_algorithm,
            public_key_algorithm: i.public_key.algorithm,
            public_key_bits: i
                .public_key
                .bits
                .map(|b| u32::try_from(b).unwrap_or(u32::MAX)),
            spki_der,
            sha256_fingerprint: i.sha256_fingerprint,
            attributes: i.attributes,
        }
    }
}

uniffi::custom_type!(JpkiCertificate, Certificate, {
    remote,
    lower: |c| Certificate::from(c),
    try_lift: |c| Ok(JpkiCertificate::parse(&c.der)?),
});

/// Parses a DER certificate (for example one the app stored earlier).
#[uniffi::export]
pub fn parse_certificate(der: Vec<u8>) -> Result<Certificate, MynaError> {
    Ok(core_cert::JpkiCertificate::parse(&der)?.into())
}

/// The two JPKI keys.
#[uniffi::remote(Enum)]
pub enum JpkiKey {
    /// 利用者証明用 (user authentication), unlocked by the 4-digit PIN.
    Auth,
    /// 署名用 (digital signature), unlocked by the signing password.
    Sign,
}

/// Hash algorithms for JPKI signatures.
#[uniffi::remote(Enum)]
pub enum HashAlgorithm {
    /// SHA-1: only with `allow_sha1`.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// What to sign.
#[uniffi::remote(Enum)]
pub enum SignInput {
    /// A message; MynaKit hashes it.
    Message {
        /// Hash algorithm.
        hash: HashAlgorithm,
        /// The message.
        data: Vec<u8>,
    },
    /// A digest computed elsewhere.
    Digest {
        /// The algorithm the digest was made with.
        hash: HashAlgorithm,
        /// The digest.
        digest: Vec<u8>,
    },
}

/// Options for signing.
#[uniffi::remote(Record)]
pub struct SignOptions {
    /// Present the credential even at or below the policy's floor.
    #[uniffi(default = false)]
    pub allow_below_floor: bool,
    /// Allow SHA-1.
    #[uniffi(default = false)]
    pub allow_sha1: bool,
    /// Read the key's certificate after signing and return it.
    #[uniffi(default = false)]
    pub include_certificate: bool,
}

/// A signature made by the card.
#[uniffi::remote(Record)]
#[uniffi(name = "Signature")]
pub struct JpkiSignature {
    /// Which key signed.
    pub key: JpkiKey,
    /// The hash algorithm.
    pub hash: HashAlgorithm,
    /// The DigestInfo the card signed.
    pub digest_info: Vec<u8>,
    /// The RSASSA-PKCS1-v1_5 signature.
    pub signature: Vec<u8>,
    /// The key's certificate, when asked for.
    pub certificate: Option<JpkiCertificate>,
}

/// A JPKI flow's result with its evidence bundle for the bank's server
/// (`CardSession.jpki_login`, `CardSession.jpki_sign_evidence`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct JpkiEvidence {
    /// The certificate of the key that signed, as read.
    pub certificate: Certificate,
    /// The card's signature (its `certificate` is the same certificate).
    pub signature: Signature,
    /// The signature checked on the phone with the certificate's key (informational: the
    /// server re-checks it from the evidence).
    pub signature_check: crate::apps::CheckOutcome,
    /// The evidence bundle as JSON (`mynakit-evidence` version 1, byte fields in upper-case
    /// hex; schema in `docs/server.md`), to send to the server as is.
    pub evidence_json: String,
}

impl JpkiEvidence {
    /// From a flow's parts (Rust side of the bindings; not exported).
    pub(crate) fn new(
        certificate: JpkiCertificate,
        signature: JpkiSignature,
        signature_check: crate::apps::CheckOutcome,
        evidence: &mynakit::evidence::Evidence,
    ) -> Result<Self, MynaError> {
        Ok(JpkiEvidence {
            certificate: certificate.into(),
            signature,
            signature_check,
            evidence_json: evidence.to_json()?,
        })
    }
}

/// Checks an RSASSA-PKCS1-v1_5 signature over `input` with the public key in `spki_der`
/// (a certificate's `spki_der`). Throws `MynaError.Verification` when it does not
/// verify.
#[uniffi::export]
pub fn verify_signature(
    spki_der: Vec<u8>,
    input: SignInput,
    signature: Vec<u8>,
    allow_sha1: bool,
) -> Result<(), MynaError> {
    mynakit::sign::verify_signature(&spki_der, &input, &signature, allow_sha1)?;
    Ok(())
}

/// Checks a card signature against the certificate returned with it (sign with
/// `include_certificate`). Throws `MynaError.Verification` when it does not verify.
#[uniffi::export]
pub fn verify_signature_with_certificate(signature: Signature) -> Result<(), MynaError> {
    signature.verify_with_certificate()?;
    Ok(())
}

/// Which group a trust anchor belongs to.
#[uniffi::remote(Enum)]
pub enum AnchorSet {
    /// The production J-LIS roots.
    JlisProduction,
    /// JPKI-TEST roots of J-LIS test cards.
    JlisTest,
    /// MynaKit's virtual card test roots.
    VirtualCard,
    /// Added by the app.
    Custom,
}

/// Which roots a chain check accepts beyond the production J-LIS roots.
///
/// A wrapper: the core's `accept_sha1_certificates` is deliberately not offered over the
/// FFI (SHA-1 certificate signatures stay refused for apps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct TrustPolicy {
    /// Accept certificates from J-LIS test cards.
    #[uniffi(default = false)]
    pub accept_jlis_test_cards: bool,
    /// Accept certificates from MynaKit's virtual card (development and tests only).
    #[uniffi(default = false)]
    pub accept_virtual_card: bool,
}

impl TrustPolicy {
    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(self) -> core_cert::TrustPolicy {
        core_cert::TrustPolicy {
            accept_jlis_test_cards: self.accept_jlis_test_cards,
            accept_virtual_card: self.accept_virtual_card,
            // Not offered over the FFI: SHA-1 certificate signatures stay refused.
            accept_sha1_certificates: false,
        }
    }
}

/// The outcome of a successful chain check.
#[uniffi::remote(Record)]
pub struct ChainVerification {
    /// The anchor that signed the certificate.
    pub anchor: String,
    /// Its group.
    pub anchor_set: AnchorSet,
    /// SHA-256 fingerprint of the anchor, upper-case hex.
    pub anchor_sha256: String,
    /// The time the check was made for, seconds since the Unix epoch.
    pub checked_at_unix: u64,
}

/// APDU and byte counts.
#[uniffi::remote(Record)]
#[uniffi(name = "SessionStats")]
pub struct Stats {
    /// Command APDUs sent.
    pub apdus: u32,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

/// What the session is doing with the card (for the NFC sheet).
#[uniffi::remote(Enum)]
pub enum Stage {
    /// Reading a file (`done` of `total` bytes).
    Reading,
    /// Reading a credential's retry counter (no try is spent).
    CheckingTries,
    /// Presenting a credential (one VERIFY).
    Verifying,
    /// The card is signing (the slowest step).
    Signing,
}

/// Progress of an operation: the stage, and for reads the bytes.
///
/// A wrapper of `mynakit::Progress`, whose counts are `usize`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ReadProgress {
    /// The stage (`Reading` with bytes; the others with `done` = `total` = 0).
    pub stage: Stage,
    /// What is being read, verified or signed with.
    pub what: String,
    /// Bytes read so far.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

impl From<&mynakit::Progress> for ReadProgress {
    fn from(p: &mynakit::Progress) -> Self {
        ReadProgress {
            stage: p.stage,
            what: p.what.clone(),
            done: u64::try_from(p.done).unwrap_or(u64::MAX),
            total: u64::try_from(p.total).unwrap_or(u64::MAX),
        }
    }
}

/// The PIN-safety policy.
#[uniffi::remote(Record)]
pub struct PinPolicy {
    /// Refuse to present a credential when this many tries or fewer remain, unless the
    /// call allows it explicitly. Default 1 (protects the last try).
    #[uniffi(default = 1)]
    pub floor: u8,
    /// Whether nothing but this session talks to the card (NFC by nature). When false,
    /// the retry counter is read again right before every VERIFY.
    #[uniffi(default = true)]
    pub exclusive: bool,
}

/// Protocol choices where the public sources are thin.
#[uniffi::remote(Record)]
pub struct ProtocolOptions {
    /// READ BINARY with a short EF identifier (saves one APDU per file; tried once, with
    /// fallback, see `forced`).
    #[uniffi(default = true)]
    pub read_by_sfi: bool,
    /// VERIFY with P2 = `80 | SFI`.
    #[uniffi(default = true)]
    pub verify_by_sfi: bool,
    /// COMPUTE DIGITAL SIGNATURE naming the key in P2 (`80 2A 00 97/9A`), saving the
    /// SELECT of the key EF.
    #[uniffi(default = true)]
    pub sign_key_by_sfi: bool,
    /// `false` (default): each form above is tried once per session where a refusal is
    /// harmless, and the session falls back to SELECT EF for good when the card refuses it.
    /// `true`: use the forms as set and report a refusal as an error (QA).
    #[uniffi(default = false)]
    pub forced: bool,
}
