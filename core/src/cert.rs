//! JPKI X.509 certificates: parsing (card-protocol §10) and chain checks to the J-LIS roots.
//!
//! The six production J-LIS roots (three generations per type) are embedded and trusted by
//! default. The JPKI-TEST roots read off J-LIS test cards, and the virtual card's own test
//! roots, are embedded too but accepted only under a [`TrustPolicy`] the caller chooses.
//! All generations of one type share a distinguished name, so the issuer is decided by
//! signature, never by name alone.

use std::time::{SystemTime, UNIX_EPOCH};

use der::{Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectAltName};

use crate::ber;
pub use crate::era::{Date, Era};
use crate::error::{Error, Result};
use crate::sign::{HashAlgorithm, PublicKey, verify_pkcs1_raw};

/// OIDs of the signing certificate's subjectAltName otherName attributes (§10.2, \[C\]).
pub mod oid {
    /// Name.
    pub const NAME: &str = "1.2.392.200149.8.5.5.1";
    /// Name substitute-character information.
    pub const NAME_SUBSTITUTE: &str = "1.2.392.200149.8.5.5.2";
    /// Sex.
    pub const SEX: &str = "1.2.392.200149.8.5.5.3";
    /// Date of birth (`EYYYYMMDD`).
    pub const BIRTH_DATE: &str = "1.2.392.200149.8.5.5.4";
    /// Address.
    pub const ADDRESS: &str = "1.2.392.200149.8.5.5.5";
    /// Address substitute-character information.
    pub const ADDRESS_SUBSTITUTE: &str = "1.2.392.200149.8.5.5.6";
}

/// `ecdsa-with-SHA256` (RFC 5758 §3.2).
pub const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
/// `ecdsa-with-SHA384` (RFC 5758 §3.2).
pub const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
/// `ecdsa-with-SHA512` (RFC 5758 §3.2).
pub const OID_ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";

/// The signing certificate's birth date: era digit plus Gregorian date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertBirthDate {
    /// The value as stored (`EYYYYMMDD`).
    pub raw: String,
    /// The era, when the first digit is a known one.
    pub era: Option<Era>,
    /// The Gregorian date, when the digits form one.
    pub date: Option<Date>,
}

impl CertBirthDate {
    /// Parses `EYYYYMMDD`; fields that do not parse stay `None` and `raw` keeps the value.
    pub fn parse(raw: &str) -> Self {
        let era = raw.as_bytes().first().and_then(|&d| Era::from_digit(d));
        let date = if raw.len() == 9 {
            raw.get(1..).and_then(Date::parse_yyyymmdd)
        } else {
            None
        };
        CertBirthDate {
            raw: raw.to_string(),
            era,
            date,
        }
    }
}

/// Sex as coded on the card and in certificates (ISO 5218 / JIS X 0303).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`: not applicable.
    NotApplicable,
    /// `0`: not known.
    NotKnown,
    /// Any other value, kept as stored.
    Other(String),
}

impl Sex {
    /// Interprets a stored code.
    pub fn from_code(code: &str) -> Sex {
        match code {
            "1" => Sex::Male,
            "2" => Sex::Female,
            "9" => Sex::NotApplicable,
            "0" => Sex::NotKnown,
            other => Sex::Other(other.to_string()),
        }
    }
}

/// The four attributes (and substitute-character information) in a signing
/// certificate's subjectAltName.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CertAttributes {
    /// Name (JIS X 0208/0212 repertoire; other characters replaced, see §10.2).
    pub name: Option<String>,
    /// Name substitute-character information.
    pub name_substitute: Option<String>,
    /// Sex code as stored.
    pub sex_code: Option<String>,
    /// Sex, interpreted.
    pub sex: Option<Sex>,
    /// Date of birth.
    pub birth_date: Option<CertBirthDate>,
    /// Address.
    pub address: Option<String>,
    /// Address substitute-character information.
    pub address_substitute: Option<String>,
}

/// The public key of a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicKeyInfo {
    /// Algorithm name (`rsa`, `ec`, or the OID when unknown).
    pub algorithm: String,
    /// Key size in bits (RSA modulus size, or the EC curve's field size), when known.
    pub bits: Option<usize>,
    /// The named curve of an EC key (`P-256`, `P-384`), when MynaKit supports it; absent
    /// (and not serialised) for RSA keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// The DER SubjectPublicKeyInfo, hex.
    pub spki_der_hex: String,
}

/// A parsed certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    /// Serial number, upper-case hex.
    pub serial: String,
    /// Issuer DN (RFC 4514).
    pub issuer: String,
    /// Subject DN (RFC 4514).
    pub subject: String,
    /// The subject's CN: for the user-authentication certificate an opaque identifier.
    pub subject_common_name: Option<String>,
    /// notBefore, RFC 3339 UTC.
    pub not_before: String,
    /// notAfter, RFC 3339 UTC.
    pub not_after: String,
    /// notBefore, seconds since the Unix epoch.
    pub not_before_unix: u64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after_unix: u64,
    /// Key usages (`digital_signature`, `non_repudiation`, `key_cert_sign`, …).
    pub key_usage: Vec<String>,
    /// Whether basicConstraints marks a CA.
    pub is_ca: bool,
    /// Signature algorithm OID (dotted).
    pub signature_algorithm: String,
    /// The subject's public key.
    pub public_key: PublicKeyInfo,
    /// SHA-256 of the DER, upper-case hex.
    pub sha256_fingerprint: String,
    /// The four attributes, present in signing certificates.
    pub attributes: Option<CertAttributes>,
}

/// A certificate: its DER and what MynaKit parsed from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JpkiCertificate {
    /// The DER bytes, as read from the card.
    #[serde(with = "hex_bytes")]
    pub der: Vec<u8>,
    /// Parsed fields.
    pub info: CertificateInfo,
}

pub(crate) mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode_upper(v))
    }
}

fn rfc3339(unix: u64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm), UTC.
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn malformed(reason: impl std::fmt::Display) -> Error {
    Error::malformed("certificate", reason.to_string())
}

impl JpkiCertificate {
    /// Parses a DER certificate. Trailing filler after the certificate is ignored.
    pub fn parse(der: &[u8]) -> Result<Self> {
        let tlv = ber::expect(der, 0x30, "certificate")?;
        let der = tlv.raw.to_vec();
        let cert = Certificate::from_der(&der).map_err(malformed)?;
        let tbs = cert.tbs_certificate();
        // Neither the outer signatureAlgorithm nor the signature BIT STRING's unused-bits
        // octet is covered by the signature, so they must be pinned: RFC 5280 §4.1.1.2 (the
        // outer field equals the TBS `signature` field, parameters included) and a whole
        // number of signature octets (card-protocol §10).
        if cert.signature_algorithm() != tbs.signature() {
            return Err(malformed(
                "signatureAlgorithm differs from the TBS signature field (RFC 5280 §4.1.1.2)",
            ));
        }
        if cert.signature().unused_bits() != 0 {
            return Err(malformed("the signature BIT STRING has unused bits"));
        }
        let name_text = |n: &x509_cert::name::Name| n.to_string();
        let cn = tbs
            .subject()
            .common_name()
            .ok()
            .flatten()
            .map(|d| d.value().into_owned());
        let validity = tbs.validity();
        let nb = validity.not_before.to_unix_duration().as_secs();
        let na = validity.not_after.to_unix_duration().as_secs();
        let mut key_usage = Vec::new();
        if let Ok(Some((_, ku))) = tbs.get_extension::<KeyUsage>() {
            for (flag, name) in [
                (ku.digital_signature(), "digital_signature"),
                (ku.non_repudiation(), "non_repudiation"),
                (ku.key_encipherment(), "key_encipherment"),
                (ku.data_encipherment(), "data_encipherment"),
                (ku.key_agreement(), "key_agreement"),
                (ku.key_cert_sign(), "key_cert_sign"),
                (ku.crl_sign(), "crl_sign"),
            ] {
                if flag {
                    key_usage.push(name.to_string());
                }
            }
        }
        let is_ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
        let spki = tbs.subject_public_key_info();
        let spki_der = spki.to_der().map_err(malformed)?;
        let alg = spki.algorithm.oid.to_string();
        let key = PublicKey::from_spki(&spki_der).ok();
        let (algorithm, bits, curve) = if alg == crate::sign::OID_RSA_ENCRYPTION {
            ("rsa".to_string(), key.map(|k| k.bits()), None)
        } else if alg == crate::sign::OID_EC_PUBLIC_KEY {
            let curve = key.as_ref().and_then(|k| k.curve()).map(str::to_string);
            ("ec".to_string(), key.map(|k| k.bits()), curve)
        } else {
            (alg, None, None)
        };
        let attributes = parse_attributes(&cert)?;
        let info = CertificateInfo {
            serial: hex::encode_upper(tbs.serial_number().as_bytes()),
            issuer: name_text(tbs.issuer()),
            subject: name_text(tbs.subject()),
            subject_common_name: cn,
            not_before: rfc3339(nb),
            not_after: rfc3339(na),
            not_before_unix: nb,
            not_after_unix: na,
            key_usage,
            is_ca,
            signature_algorithm: cert.signature_algorithm().oid.to_string(),
            public_key: PublicKeyInfo {
                algorithm,
                bits,
                curve,
                spki_der_hex: hex::encode_upper(&spki_der),
            },
            sha256_fingerprint: hex::encode_upper(Sha256::digest(&der)),
            attributes,
        };
        Ok(JpkiCertificate { der, info })
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> Result<Vec<u8>> {
        hex::decode(&self.info.public_key.spki_der_hex).map_err(malformed)
    }

    /// Whether the certificate is within its validity period at `unix` seconds.
    pub fn is_valid_at(&self, unix: u64) -> bool {
        self.info.not_before_unix <= unix && unix <= self.info.not_after_unix
    }

    /// The raw bytes of the to-be-signed part, the signature value and the outer
    /// signatureAlgorithm (whole TLV).
    fn tbs_and_signature(&self) -> Result<(&[u8], Vec<u8>, &[u8])> {
        let outer = ber::first(&self.der)?;
        let parts = ber::children(outer.value)?;
        let tbs = parts
            .first()
            .ok_or_else(|| malformed("no tbsCertificate"))?;
        let sig = parts
            .get(2)
            .filter(|t| t.tag == 0x03)
            .ok_or_else(|| malformed("no signatureValue"))?;
        // The same pins as `parse`, on the raw bytes (the fields of this struct are public,
        // so `der` need not have come through `parse`).
        let outer_alg = parts.get(1).map(|t| t.raw);
        let tbs_fields = ber::children(tbs.value)?;
        let tbs_alg = tbs_fields
            .iter()
            .skip_while(|t| t.tag == 0xA0)
            .nth(1)
            .map(|t| t.raw);
        let outer_alg = match outer_alg {
            Some(a) if Some(a) == tbs_alg => a,
            _ => {
                return Err(malformed(
                    "signatureAlgorithm differs from the TBS signature field (RFC 5280 §4.1.1.2)",
                ));
            }
        };
        let bits = match sig.value.split_first() {
            Some((0, bits)) => bits.to_vec(),
            _ => return Err(malformed("the signature BIT STRING has unused bits")),
        };
        Ok((tbs.raw, bits, outer_alg))
    }

    /// Whether this certificate's signature algorithm is sha1WithRSAEncryption (accepted
    /// in a chain only under [`TrustPolicy::accept_sha1_certificates`]).
    pub fn is_sha1_signed(&self) -> bool {
        self.info.signature_algorithm == "1.2.840.113549.1.1.5"
    }

    /// Checks that `issuer` signed this certificate: RSA PKCS#1 v1.5 with SHA-1/256/384/512
    /// (today's J-LIS certificates, card-protocol §10), or ECDSA with SHA-256/384/512
    /// (`ecdsa-with-SHA256/384/512`, RFC 5758 §3.2, whose AlgorithmIdentifier must have no
    /// parameters) under a P-256 or P-384 issuer key (the next-generation card, §11). The
    /// issuer key's type must fit the algorithm. This is the signature check alone;
    /// [`TrustStore::verify`] also applies the trust policy (SHA-1 only on opt-in).
    pub fn is_signed_by(&self, issuer: &JpkiCertificate) -> Result<()> {
        let alg = self.info.signature_algorithm.as_str();
        let (ecdsa, hash) = match alg {
            "1.2.840.113549.1.1.11" => (false, HashAlgorithm::Sha256),
            "1.2.840.113549.1.1.12" => (false, HashAlgorithm::Sha384),
            "1.2.840.113549.1.1.13" => (false, HashAlgorithm::Sha512),
            "1.2.840.113549.1.1.5" => (false, HashAlgorithm::Sha1),
            OID_ECDSA_SHA256 => (true, HashAlgorithm::Sha256),
            OID_ECDSA_SHA384 => (true, HashAlgorithm::Sha384),
            OID_ECDSA_SHA512 => (true, HashAlgorithm::Sha512),
            other => {
                return Err(Error::Verification(format!(
                    "unsupported certificate signature algorithm {other}"
                )));
            }
        };
        let (tbs, sig, outer_alg) = self.tbs_and_signature()?;
        if !ecdsa {
            let key = crate::sign::rsa_public_key_from_spki(&issuer.spki_der()?)?;
            let di = crate::sign::digest_info(hash, &hash.digest(tbs));
            return verify_pkcs1_raw(&key, &di, &sig);
        }
        // `30 0A 06 08 2A 86 48 CE 3D 04 03 0n`: the OID alone, no parameters (RFC 5758
        // §3.2: "the encoding MUST omit the parameters field").
        if outer_alg.len() != 12 {
            return Err(malformed(format!(
                "{alg}: an ECDSA signatureAlgorithm with parameters (RFC 5758 §3.2)"
            )));
        }
        let key = PublicKey::from_spki(&issuer.spki_der()?)?;
        if key.curve().is_none() {
            return Err(Error::Verification(format!(
                "{alg} needs an EC issuer key, the issuer's key is {}",
                key.algorithm()
            )));
        }
        key.verify_digest_der(hash, &hash.digest(tbs), &sig)
    }
}

fn parse_attributes(cert: &Certificate) -> Result<Option<CertAttributes>> {
    let san = match cert.tbs_certificate().get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => san,
        Ok(None) => return Ok(None),
        Err(e) => return Err(malformed(format!("subjectAltName: {e}"))),
    };
    let mut a = CertAttributes::default();
    let mut any = false;
    for gn in &san.0 {
        let GeneralName::OtherName(on) = gn else {
            continue;
        };
        let text = match on.value.decode_as::<der::asn1::Utf8StringRef<'_>>() {
            Ok(s) => s.as_str().to_string(),
            Err(_) => continue,
        };
        let slot = match on.type_id.to_string().as_str() {
            oid::NAME => &mut a.name,
            oid::NAME_SUBSTITUTE => &mut a.name_substitute,
            oid::SEX => &mut a.sex_code,
            oid::ADDRESS => &mut a.address,
            oid::ADDRESS_SUBSTITUTE => &mut a.address_substitute,
            oid::BIRTH_DATE => {
                a.birth_date = Some(CertBirthDate::parse(&text));
                any = true;
                continue;
            }
            _ => continue,
        };
        *slot = Some(text);
        any = true;
    }
    a.sex = a.sex_code.as_deref().map(Sex::from_code);
    Ok(any.then_some(a))
}

/// Which group a trust anchor belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorSet {
    /// The production J-LIS roots.
    JlisProduction,
    /// JPKI-TEST roots of J-LIS test cards.
    JlisTest,
    /// MynaKit's virtual card test roots.
    VirtualCard,
    /// Added by the caller.
    Custom,
}

/// Which anchors a chain check accepts beyond the production J-LIS roots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrustPolicy {
    /// Accept certificates from J-LIS test cards (O=JPKI-TEST).
    pub accept_jlis_test_cards: bool,
    /// Accept certificates from MynaKit's virtual card.
    pub accept_virtual_card: bool,
    /// Accept certificate signatures made with SHA-1 (sha1WithRSAEncryption). Off unless
    /// the caller opts in, as for message signatures (`allow_sha1`): SHA-1 collisions are
    /// practical, and every J-LIS root and CA certificate MynaKit knows is signed with
    /// SHA-256.
    #[serde(default)]
    pub accept_sha1_certificates: bool,
}

impl TrustPolicy {
    /// Production roots only (the default).
    pub const PRODUCTION: TrustPolicy = TrustPolicy {
        accept_jlis_test_cards: false,
        accept_virtual_card: false,
        accept_sha1_certificates: false,
    };
    /// Production roots and the virtual card's test roots (development and tests). The
    /// SDK does not embed those roots: a store accepts them only once they are added with
    /// [`TrustStore::add_anchor_in_set`] (the `mynakit-testkit` crate does this).
    pub const VIRTUAL_CARD: TrustPolicy = TrustPolicy {
        accept_jlis_test_cards: false,
        accept_virtual_card: true,
        accept_sha1_certificates: false,
    };
}

/// A trust anchor.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// A label (`J-LIS auth CA generation 3 (2023)`).
    pub label: String,
    /// Its group.
    pub set: AnchorSet,
    /// The certificate.
    pub cert: JpkiCertificate,
}

const BUILTIN_ANCHORS: &[(&str, AnchorSet, &[u8])] = &[
    (
        "J-LIS user-authentication root, generation 1 (2015)",
        AnchorSet::JlisProduction,
        include_bytes!("../trust-anchors/jpki/authca01.cer"),
    ),
    (
        "J-LIS user-authentication root, generation 2 (2019)",
        AnchorSet::JlisProduction,
        include_bytes!("../trust-anchors/jpki/authca02.cer"),
    ),
    (
        "J-LIS user-authentication root, generation 3 (2023)",
        AnchorSet::JlisProduction,
        include_bytes!("../trust-anchors/jpki/authca03.cer"),
    ),
    (
        "J-LIS digital-signature root, generation 1 (2015)",
        AnchorSet::JlisProduction,
        include_bytes!("../trust-anchors/jpki/signca01.cer"),
    ),
    (
        "J-LIS digital-signature root, generation 2 (2019)",
        AnchorSet::JlisProduction,
        include_bytes!("../trust-anchors/jpki/signca02.cer"),
    ),
    (
        "J-LIS digital-signature root, generation 3 (2023)",
        AnchorSet::JlisProduction,
        include_bytes!("../trust-anchors/jpki/signca03.cer"),
    ),
];

/// The outcome of a successful chain check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainVerification {
    /// The anchor that signed the certificate.
    pub anchor: String,
    /// Its group.
    pub anchor_set: AnchorSet,
    /// SHA-256 fingerprint of the anchor.
    pub anchor_sha256: String,
    /// The time the check was made for, seconds since the Unix epoch.
    pub checked_at_unix: u64,
}

/// The roots MynaKit knows and the policy deciding which of them it accepts.
#[derive(Clone, Debug)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    policy: TrustPolicy,
}

impl TrustStore {
    /// The embedded roots under `policy`.
    pub fn new(policy: TrustPolicy) -> Result<Self> {
        let mut anchors = Vec::with_capacity(BUILTIN_ANCHORS.len());
        for (label, set, der) in BUILTIN_ANCHORS {
            anchors.push(Anchor {
                label: (*label).to_string(),
                set: *set,
                cert: JpkiCertificate::parse(der)?,
            });
        }
        Ok(TrustStore { anchors, policy })
    }

    /// Production roots only.
    pub fn production() -> Result<Self> {
        Self::new(TrustPolicy::PRODUCTION)
    }

    /// The policy.
    pub fn policy(&self) -> TrustPolicy {
        self.policy
    }

    /// All known anchors (accepted or not).
    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// Adds a root to a test group ([`AnchorSet::JlisTest`] or [`AnchorSet::VirtualCard`]):
    /// it takes part in chain checks only when the policy accepts that group, so a store
    /// built with [`TrustPolicy::PRODUCTION`] still refuses it, naming it. The SDK embeds
    /// only the production J-LIS roots; test roots come from the caller (the
    /// `mynakit-testkit` crate adds the JPKI-TEST and virtual-card roots this way). A
    /// [`AnchorSet::Custom`] root is accepted under every policy, as with
    /// [`TrustStore::add_anchor`]; [`AnchorSet::JlisProduction`] is refused (those roots are
    /// built in and cannot be added to).
    pub fn add_anchor_in_set(&mut self, set: AnchorSet, label: &str, der: &[u8]) -> Result<()> {
        if set == AnchorSet::JlisProduction {
            return Err(Error::InvalidArgument(format!(
                "{label}: the production J-LIS roots are built in; add other roots as Custom"
            )));
        }
        let cert = JpkiCertificate::parse(der)?;
        if !cert.info.is_ca {
            return Err(Error::InvalidArgument(format!(
                "{label} is not a CA certificate"
            )));
        }
        cert.is_signed_by(&cert)
            .map_err(|_| Error::InvalidArgument(format!("{label} is not self-signed")))?;
        self.anchors.push(Anchor {
            label: label.to_string(),
            set,
            cert,
        });
        Ok(())
    }

    /// Adds a caller-supplied root, accepted under every policy. It must be a CA
    /// certificate signed by its own key.
    pub fn add_anchor(&mut self, label: &str, der: &[u8]) -> Result<()> {
        self.add_anchor_in_set(AnchorSet::Custom, label, der)
    }

    fn accepts(&self, set: AnchorSet) -> bool {
        match set {
            AnchorSet::JlisProduction | AnchorSet::Custom => true,
            AnchorSet::JlisTest => self.policy.accept_jlis_test_cards,
            AnchorSet::VirtualCard => self.policy.accept_virtual_card,
        }
    }

    /// Checks that `cert` was issued by an accepted root and that both are valid at
    /// `at_unix`. A certificate that chains to a known root this policy does not accept
    /// fails with a message naming that root.
    pub fn verify(&self, cert: &JpkiCertificate, at_unix: u64) -> Result<ChainVerification> {
        if cert.is_sha1_signed() && !self.policy.accept_sha1_certificates {
            return Err(Error::Verification(
                "the certificate is signed with SHA-1 (sha1WithRSAEncryption), which the trust \
                 policy does not accept (accept_sha1_certificates)"
                    .into(),
            ));
        }
        if !cert.is_valid_at(at_unix) {
            return Err(Error::Verification(format!(
                "the certificate is not valid at {} (valid {} to {})",
                rfc3339(at_unix),
                cert.info.not_before,
                cert.info.not_after
            )));
        }
        let mut refused: Option<&Anchor> = None;
        let mut expired: Option<&Anchor> = None;
        for anchor in &self.anchors {
            if anchor.cert.info.subject != cert.info.issuer {
                continue;
            }
            if cert.is_signed_by(&anchor.cert).is_err() {
                continue;
            }
            if !self.accepts(anchor.set) {
                refused = Some(anchor);
                continue;
            }
            if !anchor.cert.is_valid_at(at_unix) {
                expired = Some(anchor);
                continue;
            }
            return Ok(ChainVerification {
                anchor: anchor.label.clone(),
                anchor_set: anchor.set,
                anchor_sha256: anchor.cert.info.sha256_fingerprint.clone(),
                checked_at_unix: at_unix,
            });
        }
        Err(Error::Verification(match (expired, refused) {
            (Some(a), _) => format!(
                "issued by {}, which is not valid at {} (valid until {})",
                a.label,
                rfc3339(at_unix),
                a.cert.info.not_after
            ),
            (None, Some(a)) => format!(
                "issued by {} ({:?}), which the trust policy does not accept",
                a.label, a.set
            ),
            (None, None) => format!(
                "no known root with subject \"{}\" signed this certificate",
                cert.info.issuer
            ),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_roots_match_published_fingerprints() {
        // From shared/trust-anchors/jpki/README.md (J-LIS publication).
        let expected = [
            "4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D",
            "0D98DE47FC11B7F67126874B7028B6026A803D2638D6EDFE53176953961FADE6",
            "64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5",
            "19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355",
            "79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB",
            "D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F",
        ];
        let store = TrustStore::production().ok();
        let prod: Vec<String> = store
            .iter()
            .flat_map(|s| s.anchors())
            .filter(|a| a.set == AnchorSet::JlisProduction)
            .map(|a| a.cert.info.sha256_fingerprint.clone())
            .collect();
        assert_eq!(prod, expected);
    }

    #[test]
    fn roots_are_self_signed_cas_sharing_one_name_per_type() {
        let Ok(store) = TrustStore::production() else {
            panic!("store")
        };
        let prod: Vec<&Anchor> = store
            .anchors()
            .iter()
            .filter(|a| a.set == AnchorSet::JlisProduction)
            .collect();
        for a in &prod {
            assert!(a.cert.info.is_ca, "{}", a.label);
            assert!(a.cert.is_signed_by(&a.cert).is_ok(), "{}", a.label);
            assert_eq!(a.cert.info.public_key.bits, Some(2048));
        }
        assert_eq!(prod[0].cert.info.subject, prod[2].cert.info.subject);
        // Same name, different keys: a signature by one does not verify under another.
        assert!(prod[2].cert.is_signed_by(&prod[0].cert).is_err());
    }

    #[test]
    fn the_sdk_embeds_production_roots_only() {
        // Test roots (JPKI-TEST, the virtual card) live in mynakit-testkit, never here.
        let Ok(store) = TrustStore::new(TrustPolicy::VIRTUAL_CARD) else {
            panic!("store")
        };
        assert_eq!(store.anchors().len(), 6);
        assert!(
            store
                .anchors()
                .iter()
                .all(|a| a.set == AnchorSet::JlisProduction)
        );
        let Ok(mut store) = TrustStore::production() else {
            panic!("store")
        };
        let root = store.anchors()[0].cert.der.clone();
        assert!(
            store
                .add_anchor_in_set(AnchorSet::JlisProduction, "x", &root)
                .is_err()
        );
    }

    #[test]
    fn birth_dates_and_sex() {
        let b = CertBirthDate::parse("419900102");
        assert_eq!(b.era, Some(Era::Heisei));
        assert_eq!(b.date.map(|d| d.to_string()), Some("1990-01-02".into()));
        let bad = CertBirthDate::parse("919900230");
        assert_eq!((bad.era, bad.date), (None, None));
        assert_eq!(Sex::from_code("2"), Sex::Female);
        assert_eq!(Sex::from_code("x"), Sex::Other("x".into()));
    }

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_445_299_200), "2015-10-20T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn malformed_certificates_are_typed_errors() {
        assert!(matches!(
            JpkiCertificate::parse(&[]),
            Err(Error::MalformedData { .. })
        ));
        assert!(matches!(
            JpkiCertificate::parse(&[0x30, 0x03, 1, 2, 3]),
            Err(Error::MalformedData { .. })
        ));
    }
}

#[cfg(test)]
mod hardening_tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    /// The J-LIS user-authentication root, generation 1 (real bytes, 1316 long). Its last
    /// 276 bytes, read with `xxd`, are the outer AlgorithmIdentifier
    /// `30 0D 06 09 2A 86 48 86 F7 0D 01 01 0B 05 00` (sha256WithRSAEncryption, NULL
    /// parameters) at 1040..1055, the BIT STRING header `03 82 01 01 00` (257 bytes, 0
    /// unused bits) at 1055..1060 and the 256-byte RSA signature, whose last byte is `CE`.
    const ROOT: &[u8] = include_bytes!("../trust-anchors/jpki/authca01.cer");

    fn mutated(offset: usize, from: u8, to: u8) -> Vec<u8> {
        let mut der = ROOT.to_vec();
        assert_eq!(der.len(), 1316);
        assert_eq!(der[offset], from, "byte {offset}");
        der[offset] = to;
        der
    }

    fn refused(der: &[u8], why: &str) {
        match JpkiCertificate::parse(der) {
            Err(Error::MalformedData { reason, .. }) => assert!(reason.contains(why), "{reason}"),
            other => panic!(
                "expected a refusal ({why}), got {:?}",
                other.map(|c| c.info.sha256_fingerprint)
            ),
        }
        // The signature check refuses the same bytes on its own, even when the struct is
        // built around them without `parse`.
        let Ok(root) = JpkiCertificate::parse(ROOT) else {
            panic!("the root parses")
        };
        let forged = JpkiCertificate {
            der: der.to_vec(),
            info: root.info.clone(),
        };
        match forged.is_signed_by(&root) {
            Err(Error::MalformedData { reason, .. }) => assert!(reason.contains(why), "{reason}"),
            other => panic!("expected is_signed_by to refuse ({why}), got {other:?}"),
        }
    }

    #[test]
    fn the_unmutated_root_parses_and_verifies() {
        assert_eq!(
            &ROOT[1040..1060],
            &[
                0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05,
                0x00, 0x03, 0x82, 0x01, 0x01, 0x00
            ]
        );
        let Ok(root) = JpkiCertificate::parse(ROOT) else {
            panic!("the root parses")
        };
        assert!(root.is_signed_by(&root).is_ok());
    }

    #[test]
    fn outer_signature_algorithm_must_equal_the_tbs_field() {
        // Byte 1052 is the last OID byte of the outer AlgorithmIdentifier: 0B
        // (sha256WithRSAEncryption) → 0C (sha384WithRSAEncryption); the TBS copy still
        // says 0B.
        refused(
            &mutated(1052, 0x0B, 0x0C),
            "differs from the TBS signature field",
        );
        // Byte 1053 is the tag of the outer parameters: 05 (NULL) → 04 (an empty OCTET
        // STRING, same length). Same OID, other parameters: still a difference.
        refused(
            &mutated(1053, 0x05, 0x04),
            "differs from the TBS signature field",
        );
    }

    #[test]
    fn signature_bit_string_must_have_no_unused_bits() {
        // Byte 1059 is the BIT STRING's unused-bits octet: 00 → 01. The last signature
        // byte (CE) has its lowest bit clear, so the padding is valid DER and the decoder
        // accepts it; only the new check refuses it.
        refused(&mutated(1059, 0x00, 0x01), "unused bits");
    }
}
