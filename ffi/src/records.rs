//! Records and enums of the foreign interface, with their conversions from the core types.
//!
//! Byte strings (DER, signatures, APDUs) are `Vec<u8>` (Kotlin `ByteArray`, Swift `Data`).
//! None of these records carries a secret: PINs and passwords only ever travel as direct
//! `String` arguments of `CardSession` methods (see the crate README for why).

use mynakit::cert::{self as core_cert};
use mynakit::jpki as core_jpki;

use crate::error::MynaError;

/// What a transport can carry (Android: `IsoDep.getMaxTransceiveLength()` and
/// `isExtendedLengthApduSupported()`; iOS: CoreNFC supports extended length).
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct ExchangeHint {
    /// The command carries a secret (a VERIFY): never log or record its bytes.
    pub sensitive: bool,
    /// The card may take long (signing): use a longer timeout for this exchange.
    pub slow: bool,
}

impl ExchangeHint {
    /// From the core type (Rust side of the bindings; not exported).
    pub fn from_core(h: mynakit::ExchangeHint) -> Self {
        ExchangeHint {
            sensitive: h.sensitive,
            slow: h.slow,
        }
    }
}

/// Every credential the card knows.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RetryStatus {
    /// This many tries remain.
    Remaining {
        /// Tries left.
        remaining_tries: u8,
    },
    /// The credential is blocked.
    Blocked,
    /// Verified in this session; the card does not report the count then.
    VerifiedNotReported,
}

impl From<mynakit::RetryStatus> for RetryStatus {
    fn from(s: mynakit::RetryStatus) -> Self {
        match s {
            mynakit::RetryStatus::Remaining(n) => RetryStatus::Remaining { remaining_tries: n },
            mynakit::RetryStatus::Blocked => RetryStatus::Blocked,
            mynakit::RetryStatus::VerifiedNotReported => RetryStatus::VerifiedNotReported,
        }
    }
}

/// What kind of JPKI token answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
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
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TokenInfo {
    /// The label without padding.
    pub label: String,
    /// What the label means.
    pub kind: TokenKind,
}

impl From<core_jpki::TokenInfo> for TokenInfo {
    fn from(t: core_jpki::TokenInfo) -> Self {
        let kind = match t.kind {
            core_jpki::TokenKind::MyNumberCard => TokenKind::MyNumberCard,
            core_jpki::TokenKind::AndroidPhone => TokenKind::AndroidPhone,
            core_jpki::TokenKind::IPhone => TokenKind::IPhone,
            core_jpki::TokenKind::JukiCard => TokenKind::JukiCard,
            core_jpki::TokenKind::Unknown => TokenKind::Unknown,
        };
        TokenInfo {
            label: t.label,
            kind,
        }
    }
}

/// Which JPKI certificates the card holds (EF `0008`).
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
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

impl From<core_cert::Era> for Era {
    fn from(e: core_cert::Era) -> Self {
        match e {
            core_cert::Era::Meiji => Era::Meiji,
            core_cert::Era::Taisho => Era::Taisho,
            core_cert::Era::Showa => Era::Showa,
            core_cert::Era::Heisei => Era::Heisei,
            core_cert::Era::Reiwa => Era::Reiwa,
        }
    }
}

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CalendarDate {
    /// Gregorian year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

/// Sex as coded on the card (ISO 5218).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
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
    Other {
        /// The stored code.
        code: String,
    },
}

impl From<core_cert::Sex> for Sex {
    fn from(s: core_cert::Sex) -> Self {
        match s {
            core_cert::Sex::Male => Sex::Male,
            core_cert::Sex::Female => Sex::Female,
            core_cert::Sex::NotApplicable => Sex::NotApplicable,
            core_cert::Sex::NotKnown => Sex::NotKnown,
            core_cert::Sex::Other(code) => Sex::Other { code },
        }
    }
}

/// The four attributes in a signing certificate (personal data: handle as such).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CertificateAttributes {
    /// Name.
    pub name: Option<String>,
    /// Name substitute-character information.
    pub name_substitute: Option<String>,
    /// Sex code as stored.
    pub sex_code: Option<String>,
    /// Sex, interpreted.
    pub sex: Option<Sex>,
    /// Birth date as stored (`EYYYYMMDD`).
    pub birth_date_raw: Option<String>,
    /// The era of the birth date.
    pub birth_era: Option<Era>,
    /// The Gregorian birth date.
    pub birth_date: Option<CalendarDate>,
    /// Address.
    pub address: Option<String>,
    /// Address substitute-character information.
    pub address_substitute: Option<String>,
}

impl From<core_cert::CertAttributes> for CertificateAttributes {
    fn from(a: core_cert::CertAttributes) -> Self {
        let birth = a.birth_date;
        CertificateAttributes {
            name: a.name,
            name_substitute: a.name_substitute,
            sex_code: a.sex_code,
            sex: a.sex.map(Sex::from),
            birth_date_raw: birth.as_ref().map(|b| b.raw.clone()),
            birth_era: birth.as_ref().and_then(|b| b.era).map(Era::from),
            birth_date: birth.as_ref().and_then(|b| b.date).map(|d| CalendarDate {
                year: d.year,
                month: d.month,
                day: d.day,
            }),
            address: a.address,
            address_substitute: a.address_substitute,
        }
    }
}

/// A certificate: its DER and the fields MynaKit parsed from it.
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
            attributes: i.attributes.map(CertificateAttributes::from),
        }
    }
}

/// Parses a DER certificate (for example one the app stored earlier).
#[uniffi::export]
pub fn parse_certificate(der: Vec<u8>) -> Result<Certificate, MynaError> {
    Ok(core_cert::JpkiCertificate::parse(&der)?.into())
}

/// The two JPKI keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum JpkiKey {
    /// 利用者証明用 (user authentication), unlocked by the 4-digit PIN.
    Auth,
    /// 署名用 (digital signature), unlocked by the signing password.
    Sign,
}

impl JpkiKey {
    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(self) -> core_jpki::JpkiKey {
        match self {
            JpkiKey::Auth => core_jpki::JpkiKey::Auth,
            JpkiKey::Sign => core_jpki::JpkiKey::Sign,
        }
    }

    fn from_core(k: core_jpki::JpkiKey) -> Self {
        match k {
            core_jpki::JpkiKey::Auth => JpkiKey::Auth,
            core_jpki::JpkiKey::Sign => JpkiKey::Sign,
        }
    }
}

/// Hash algorithms for JPKI signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
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

impl HashAlgorithm {
    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(self) -> mynakit::sign::HashAlgorithm {
        use mynakit::sign::HashAlgorithm as H;
        match self {
            HashAlgorithm::Sha1 => H::Sha1,
            HashAlgorithm::Sha256 => H::Sha256,
            HashAlgorithm::Sha384 => H::Sha384,
            HashAlgorithm::Sha512 => H::Sha512,
        }
    }

    fn from_core(h: mynakit::sign::HashAlgorithm) -> Self {
        use mynakit::sign::HashAlgorithm as H;
        match h {
            H::Sha1 => HashAlgorithm::Sha1,
            H::Sha256 => HashAlgorithm::Sha256,
            H::Sha384 => HashAlgorithm::Sha384,
            H::Sha512 => HashAlgorithm::Sha512,
        }
    }
}

/// What to sign.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
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

impl SignInput {
    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(&self) -> mynakit::sign::SignInput {
        match self {
            SignInput::Message { hash, data } => mynakit::sign::SignInput::Message {
                hash: hash.to_core(),
                data: data.clone(),
            },
            SignInput::Digest { hash, digest } => mynakit::sign::SignInput::Digest {
                hash: hash.to_core(),
                digest: digest.clone(),
            },
        }
    }
}

/// Options for signing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, uniffi::Record)]
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

impl SignOptions {
    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(self) -> core_jpki::SignOptions {
        core_jpki::SignOptions {
            allow_below_floor: self.allow_below_floor,
            allow_sha1: self.allow_sha1,
            include_certificate: self.include_certificate,
        }
    }
}

/// A signature made by the card.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Signature {
    /// Which key signed.
    pub key: JpkiKey,
    /// The hash algorithm.
    pub hash: HashAlgorithm,
    /// The DigestInfo the card signed.
    pub digest_info: Vec<u8>,
    /// The RSASSA-PKCS1-v1_5 signature.
    pub signature: Vec<u8>,
    /// The key's certificate, when asked for.
    pub certificate: Option<Certificate>,
}

impl From<core_jpki::JpkiSignature> for Signature {
    fn from(s: core_jpki::JpkiSignature) -> Self {
        Signature {
            key: JpkiKey::from_core(s.key),
            hash: HashAlgorithm::from_core(s.hash),
            digest_info: s.digest_info,
            signature: s.signature,
            certificate: s.certificate.map(Certificate::from),
        }
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
    mynakit::sign::verify_signature(&spki_der, &input.to_core(), &signature, allow_sha1)?;
    Ok(())
}

/// Checks a card signature against the certificate returned with it (sign with
/// `include_certificate`). Throws `MynaError.Verification` when it does not verify.
#[uniffi::export]
pub fn verify_signature_with_certificate(signature: Signature) -> Result<(), MynaError> {
    let cert = signature.certificate.as_ref().ok_or_else(|| {
        MynaError::invalid_argument("the signature was made without include_certificate")
    })?;
    let key = mynakit::sign::rsa_public_key_from_spki(&cert.spki_der)?;
    mynakit::sign::verify_pkcs1_raw(&key, &signature.digest_info, &signature.signature)?;
    Ok(())
}

/// Which group a trust anchor belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
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

impl From<core_cert::AnchorSet> for AnchorSet {
    fn from(s: core_cert::AnchorSet) -> Self {
        match s {
            core_cert::AnchorSet::JlisProduction => AnchorSet::JlisProduction,
            core_cert::AnchorSet::JlisTest => AnchorSet::JlisTest,
            core_cert::AnchorSet::VirtualCard => AnchorSet::VirtualCard,
            core_cert::AnchorSet::Custom => AnchorSet::Custom,
        }
    }
}

/// Which roots a chain check accepts beyond the production J-LIS roots.
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
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
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

impl From<core_cert::ChainVerification> for ChainVerification {
    fn from(v: core_cert::ChainVerification) -> Self {
        ChainVerification {
            anchor: v.anchor,
            anchor_set: v.anchor_set.into(),
            anchor_sha256: v.anchor_sha256,
            checked_at_unix: v.checked_at_unix,
        }
    }
}

/// APDU and byte counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct SessionStats {
    /// Command APDUs sent.
    pub apdus: u32,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

impl From<mynakit::Stats> for SessionStats {
    fn from(s: mynakit::Stats) -> Self {
        SessionStats {
            apdus: s.apdus,
            bytes_sent: s.bytes_sent,
            bytes_received: s.bytes_received,
        }
    }
}

/// Progress of a file read.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ReadProgress {
    /// What is being read.
    pub what: String,
    /// Bytes read so far.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

impl From<&mynakit::Progress> for ReadProgress {
    fn from(p: &mynakit::Progress) -> Self {
        ReadProgress {
            what: p.what.clone(),
            done: u64::try_from(p.done).unwrap_or(u64::MAX),
            total: u64::try_from(p.total).unwrap_or(u64::MAX),
        }
    }
}

/// The PIN-safety policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PinPolicy {
    /// Refuse to present a credential when this many tries or fewer remain, unless the
    /// call allows it explicitly. Default 1 (protects the last try).
    #[uniffi(default = 1)]
    pub floor: u8,
}

/// Protocol choices where the public sources are thin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
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

impl From<mynakit::ProtocolOptions> for ProtocolOptions {
    fn from(o: mynakit::ProtocolOptions) -> Self {
        ProtocolOptions {
            read_by_sfi: o.read_by_sfi,
            verify_by_sfi: o.verify_by_sfi,
            sign_key_by_sfi: o.sign_key_by_sfi,
            forced: o.forced,
        }
    }
}

impl ProtocolOptions {
    /// The core type (Rust side of the bindings; not exported).
    pub fn to_core(self) -> mynakit::ProtocolOptions {
        mynakit::ProtocolOptions {
            read_by_sfi: self.read_by_sfi,
            verify_by_sfi: self.verify_by_sfi,
            sign_key_by_sfi: self.sign_key_by_sfi,
            forced: self.forced,
        }
    }
}
