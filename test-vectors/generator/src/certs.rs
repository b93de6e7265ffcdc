//! X.509 certificates of the TEST PKI: the two self-signed JPKI test roots and the
//! per-card user-authentication and digital-signature certificates.
//!
//! The shapes follow the real J-LIS certificates (card-protocol.md §10); every name,
//! URL and policy text says TEST so that nobody mistakes them for real ones.

use const_oid::{
    AssociatedOid, ObjectIdentifier,
    db::{
        rfc4519::{
            COMMON_NAME, COUNTRY_NAME, LOCALITY_NAME, ORGANIZATION_NAME, ORGANIZATIONAL_UNIT_NAME,
        },
        rfc5280::{ID_AD_OCSP, ID_KP_CLIENT_AUTH, ID_QT_CPS},
    },
};
use der::{
    Any, Decode, Encode,
    asn1::{Ia5String, OctetString, PrintableStringRef, Utf8StringRef},
    referenced::OwnedToRef,
};
use rsa::pkcs1v15::Signature;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::{
    Certificate,
    attr::AttributeTypeAndValue,
    builder::{Builder, CertificateBuilder, profile::BuilderProfile},
    certificate::TbsCertificate,
    ext::{
        Extension,
        pkix::{
            AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
            CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, IssuerAltName, KeyUsage,
            KeyUsages, SubjectAltName, SubjectKeyIdentifier,
            certpolicy::{PolicyInformation, PolicyQualifierInfo},
            crl::dp::DistributionPoint,
            name::{DistributionPointName, GeneralName, OtherName},
        },
    },
    name::{Name, RdnSequence, RelativeDistinguishedName},
    serial_number::SerialNumber,
    time::{Time, Validity},
};

use crate::{
    error::{Error, Result},
    keys::TestKey,
};

/// Second `OU` of every test certificate's issuer/subject, in place of J-LIS's name.
pub const TEST_OU: &str = "MynaKit virtual card - TEST ONLY, not J-LIS";

/// Organisation of the test roots (J-LIS uses `O=JPKI`).
pub const TEST_O: &str = "MynaKit-TEST";

/// Certificate policy of the user-authentication certificate (the real J-LIS OID).
pub const OID_AUTH_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.3.30");

/// Certificate policy of the digital-signature certificate.
///
/// Assumption: the real signing policy lives under `1.2.392.200149.8.5.1.1` (one public
/// test shows that arc, card-protocol.md §10.2); `.30` mirrors the authentication
/// policy's last arc. Unverified against a real card.
pub const OID_SIGN_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.30");

/// subjectAltName otherName: holder's name.
pub const OID_HOLDER_NAME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.1");
/// subjectAltName otherName: name substitute-character information.
pub const OID_HOLDER_NAME_SUBST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.2");
/// subjectAltName otherName: sex (`1` male, `2` female).
pub const OID_HOLDER_SEX: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.3");
/// subjectAltName otherName: date of birth, `EYYYYMMDD`.
pub const OID_HOLDER_BIRTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.4");
/// subjectAltName otherName: address.
pub const OID_HOLDER_ADDRESS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.5");
/// subjectAltName otherName: address substitute-character information.
pub const OID_HOLDER_ADDRESS_SUBST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.6");

/// CPS pointer placed in both policies (the real one is `http://www.jpki.go.jp/cps.html`).
const CPS_URI: &str = "http://cps.mynakit.invalid/jpki-test-cps.html";

/// Which of the two JPKI hierarchies a certificate belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JpkiKind {
    /// 利用者証明用: user authentication (EF 000A / 000B).
    Auth,
    /// 署名用: digital signature (EF 0001 / 0002).
    Sign,
}

impl JpkiKind {
    /// First `OU` of the root's name, as in the real J-LIS roots.
    pub fn root_ou(self) -> &'static str {
        match self {
            JpkiKind::Auth => "JPKI for user authentication",
            JpkiKind::Sign => "JPKI for digital signature",
        }
    }

    /// Key-derivation label of the root key.
    pub fn root_key_label(self) -> &'static str {
        match self {
            JpkiKind::Auth => "pki/auth-root",
            JpkiKind::Sign => "pki/sign-root",
        }
    }

    /// File name (without extension) of the root under `pki/`.
    pub fn root_file_stem(self) -> &'static str {
        match self {
            JpkiKind::Auth => "jpki-test-auth-root",
            JpkiKind::Sign => "jpki-test-sign-root",
        }
    }

    /// Fixed serial number of the root.
    fn root_serial(self) -> u32 {
        match self {
            JpkiKind::Auth => 0x0A00_0001,
            JpkiKind::Sign => 0x0100_0001,
        }
    }

    /// CRL distribution point of certificates issued by this root.
    fn crl_uri(self) -> &'static str {
        match self {
            JpkiKind::Auth => "http://crl.mynakit.invalid/auth.crl",
            JpkiKind::Sign => "http://crl.mynakit.invalid/sign.crl",
        }
    }

    /// Service-name `OU` in the issuerAltName directory name (Japanese, as on real certs).
    fn service_ou_ja(self) -> &'static str {
        match self {
            JpkiKind::Auth => "公的個人認証サービス利用者証明用（テスト）",
            JpkiKind::Sign => "公的個人認証サービス署名用（テスト）",
        }
    }
}

/// Validity of both roots.
fn root_validity() -> Result<Validity> {
    Ok(Validity::new(
        utc(2024, 1, 1, 0, 0, 0)?,
        utc(2044, 1, 1, 0, 0, 0)?,
    ))
}

/// Validity of every card certificate.
fn card_validity() -> Result<Validity> {
    Ok(Validity::new(
        utc(2025, 4, 1, 0, 0, 0)?,
        utc(2035, 3, 31, 14, 59, 59)?,
    ))
}

/// A fixed instant as an X.509 `Time` (UTCTime: every date here is before 2050).
fn utc(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Result<Time> {
    let dt = der::DateTime::new(year, month, day, hour, minute, second)?;
    Ok(Time::UtcTime(der::asn1::UtcTime::from_date_time(dt)?))
}

/// An attribute value: PrintableString when the text allows it, else UTF8String.
fn directory_string(value: &str) -> Result<Any> {
    Ok(match PrintableStringRef::new(value) {
        Ok(printable) => Any::encode_from(&printable)?,
        Err(_) => Any::encode_from(&Utf8StringRef::new(value)?)?,
    })
}

/// A distinguished name, one attribute per RDN, in the given (encoding) order.
pub fn dn(attributes: &[(ObjectIdentifier, &str)]) -> Result<Name> {
    let mut rdns = RdnSequence::default();
    for &(oid, value) in attributes {
        let atv = AttributeTypeAndValue {
            oid,
            value: directory_string(value)?,
        };
        rdns.push(RelativeDistinguishedName::try_from(vec![atv])?);
    }
    // `Name` has no public constructor from an `RdnSequence` without the `hazmat`
    // feature; the DER round trip is exact.
    Ok(Name::from_der(&rdns.to_der()?)?)
}

/// The subject (= issuer) name of a test root.
pub fn root_name(kind: JpkiKind) -> Result<Name> {
    dn(&[
        (COUNTRY_NAME, "JP"),
        (ORGANIZATION_NAME, TEST_O),
        (ORGANIZATIONAL_UNIT_NAME, kind.root_ou()),
        (ORGANIZATIONAL_UNIT_NAME, TEST_OU),
    ])
}

/// Wraps an encodable extension value.
fn extension<T: AssociatedOid + Encode>(value: &T, critical: bool) -> Result<Extension> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// `keyUsage`, always critical.
fn key_usage(usages: &[KeyUsages]) -> Result<Extension> {
    let flags = usages
        .iter()
        .fold(der::flagset::FlagSet::<KeyUsages>::default(), |acc, &u| {
            acc | u
        });
    extension(&KeyUsage(flags), true)
}

/// RFC 5280 method-1 key identifier (SHA-1 of the subjectPublicKey bits).
fn subject_key_id(spki: SubjectPublicKeyInfoRef<'_>) -> Result<SubjectKeyIdentifier> {
    Ok(SubjectKeyIdentifier::try_from(spki)?)
}

/// `certificatePolicies` (critical) with one policy and a CPS pointer.
fn policies(policy: ObjectIdentifier) -> Result<Extension> {
    let cps = Any::encode_from(&Ia5String::new(CPS_URI)?)?;
    let info = PolicyInformation {
        policy_identifier: policy,
        policy_qualifiers: Some(vec![PolicyQualifierInfo {
            policy_qualifier_id: ID_QT_CPS,
            qualifier: Some(cps),
        }]),
    };
    extension(&CertificatePolicies(vec![info]), true)
}

/// A URI general name.
fn uri(value: &str) -> Result<GeneralName> {
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(
        value,
    )?))
}

/// `cRLDistributionPoints` with a single full-name URI.
fn crl_distribution_point(kind: JpkiKind) -> Result<Extension> {
    let point = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![uri(kind.crl_uri())?])),
        reasons: None,
        crl_issuer: None,
    };
    extension(&CrlDistributionPoints(vec![point]), false)
}

/// `issuerAltName` directory name, Japanese like the real one but marked as TEST.
fn issuer_alt_name(kind: JpkiKind) -> Result<Extension> {
    let name = dn(&[
        (
            ORGANIZATION_NAME,
            "公的個人認証サービス（MynaKit テスト用）",
        ),
        (ORGANIZATIONAL_UNIT_NAME, kind.service_ou_ja()),
        (
            ORGANIZATIONAL_UNIT_NAME,
            "MynaKit 仮想カード（J-LIS ではない）",
        ),
    ])?;
    extension(
        &IssuerAltName(vec![GeneralName::DirectoryName(name)]),
        false,
    )
}

/// A builder profile that emits a fixed subject, issuer and extension list, so the
/// generator (not the profile) decides every byte of the certificate.
struct FixedProfile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for FixedProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

/// Assembles and signs (sha256WithRSAEncryption, deterministic PKCS#1 v1.5) a certificate.
fn issue(
    profile: FixedProfile,
    serial: u32,
    validity: Validity,
    subject_key: &TestKey,
    issuer_key: &TestKey,
) -> Result<Certificate> {
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(serial),
        validity,
        subject_key.spki()?,
    )?;
    Ok(builder.build::<_, Signature>(&issuer_key.signing_key())?)
}

/// A test certification authority: its key and self-signed certificate.
pub struct Ca {
    /// Which hierarchy.
    pub kind: JpkiKind,
    /// The root's key pair.
    pub key: TestKey,
    /// The self-signed root certificate.
    pub cert: Certificate,
}

impl Ca {
    /// Derives the root key and builds the self-signed root certificate.
    pub fn build(kind: JpkiKind) -> Result<Self> {
        let key = TestKey::derive(kind.root_key_label())?;
        let name = root_name(kind)?;
        let spki = key.spki()?;
        let ski = subject_key_id(spki.owned_to_ref())?;
        let root_san = dn(&[
            (COUNTRY_NAME, "JP"),
            (
                ORGANIZATION_NAME,
                "公的個人認証サービス（MynaKit テスト用）",
            ),
        ])?;
        let extensions = vec![
            extension(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                },
                true,
            )?,
            key_usage(&[KeyUsages::KeyCertSign, KeyUsages::CRLSign])?,
            extension(&ski, false)?,
            extension(
                &SubjectAltName(vec![GeneralName::DirectoryName(root_san)]),
                false,
            )?,
        ];
        let profile = FixedProfile {
            subject: name.clone(),
            issuer: name,
            extensions,
        };
        let cert = issue(profile, kind.root_serial(), root_validity()?, &key, &key)?;
        Ok(Self { kind, key, cert })
    }

    /// The root's subject name (the issuer of everything it signs).
    pub fn name(&self) -> &Name {
        self.cert.tbs_certificate().subject()
    }

    /// `authorityKeyIdentifier` for certificates issued by this root.
    fn authority_key_id(&self) -> Result<Extension> {
        let spki = self.cert.tbs_certificate().subject_public_key_info();
        extension(
            &AuthorityKeyIdentifier::try_from(spki.owned_to_ref())?,
            false,
        )
    }
}

/// Issues a user-authentication certificate: `C=JP, CN=<opaque id>`, no personal data.
pub fn auth_cert(ca: &Ca, serial: u32, common_name: &str, key: &TestKey) -> Result<Certificate> {
    if ca.kind != JpkiKind::Auth {
        return Err(Error::Data(
            "auth certificate must be issued by the auth root".into(),
        ));
    }
    let spki = key.spki()?;
    let extensions = vec![
        key_usage(&[KeyUsages::DigitalSignature])?,
        extension(&ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH]), false)?,
        policies(OID_AUTH_POLICY)?,
        issuer_alt_name(JpkiKind::Auth)?,
        crl_distribution_point(JpkiKind::Auth)?,
        extension(
            &AuthorityInfoAccessSyntax(vec![AccessDescription {
                access_method: ID_AD_OCSP,
                access_location: uri("http://ocsp.mynakit.invalid/auth")?,
            }]),
            false,
        )?,
        ca.authority_key_id()?,
        extension(&subject_key_id(spki.owned_to_ref())?, false)?,
    ];
    let profile = FixedProfile {
        subject: dn(&[(COUNTRY_NAME, "JP"), (COMMON_NAME, common_name)])?,
        issuer: ca.name().clone(),
        extensions,
    };
    issue(profile, serial, card_validity()?, key, &ca.key)
}

/// The holder's attributes (OID, value) for the signing certificate's subjectAltName.
pub type HolderAttributes = Vec<(ObjectIdentifier, String)>;

/// `subjectAltName` with one otherName per holder attribute, value `[0] EXPLICIT UTF8String`.
pub fn holder_san(attributes: &[(ObjectIdentifier, String)]) -> Result<SubjectAltName> {
    let mut names = Vec::with_capacity(attributes.len());
    for (oid, value) in attributes {
        names.push(GeneralName::OtherName(OtherName {
            type_id: *oid,
            value: Any::encode_from(&Utf8StringRef::new(value.as_str())?)?,
        }));
    }
    Ok(SubjectAltName(names))
}

/// Reads the holder attributes back out of a subjectAltName (any non-otherName entry is
/// an error).
#[cfg(test)]
pub fn decode_holder_san(san: &SubjectAltName) -> Result<HolderAttributes> {
    san.0
        .iter()
        .map(|name| match name {
            GeneralName::OtherName(other) => {
                let text: Utf8StringRef<'_> = other.value.decode_as()?;
                Ok((other.type_id, text.as_str().to_owned()))
            }
            _ => Err(Error::Data("unexpected general name in holder SAN".into())),
        })
        .collect()
}

/// Issues a digital-signature certificate carrying the holder's four attributes.
pub fn sign_cert(
    ca: &Ca,
    serial: u32,
    localities: &[&str],
    common_name: &str,
    holder: &[(ObjectIdentifier, String)],
    key: &TestKey,
) -> Result<Certificate> {
    if ca.kind != JpkiKind::Sign {
        return Err(Error::Data(
            "sign certificate must be issued by the sign root".into(),
        ));
    }
    let spki = key.spki()?;
    let extensions = vec![
        key_usage(&[KeyUsages::DigitalSignature, KeyUsages::NonRepudiation])?,
        policies(OID_SIGN_POLICY)?,
        extension(&holder_san(holder)?, false)?,
        issuer_alt_name(JpkiKind::Sign)?,
        crl_distribution_point(JpkiKind::Sign)?,
        ca.authority_key_id()?,
        extension(&subject_key_id(spki.owned_to_ref())?, false)?,
    ];
    let mut subject: Vec<(ObjectIdentifier, &str)> = vec![(COUNTRY_NAME, "JP")];
    subject.extend(localities.iter().map(|l| (LOCALITY_NAME, *l)));
    subject.push((COMMON_NAME, common_name));
    let profile = FixedProfile {
        subject: dn(&subject)?,
        issuer: ca.name().clone(),
        extensions,
    };
    issue(profile, serial, card_validity()?, key, &ca.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_san_round_trips() -> Result<()> {
        let attributes: HolderAttributes = vec![
            (OID_HOLDER_NAME, "見本\u{3000}太郎".to_owned()),
            (OID_HOLDER_NAME_SUBST, "00000".to_owned()),
            (OID_HOLDER_SEX, "1".to_owned()),
            (OID_HOLDER_BIRTH, "419900102".to_owned()),
            (
                OID_HOLDER_ADDRESS,
                "東京都千代田区見本町一丁目２番３号".to_owned(),
            ),
            (OID_HOLDER_ADDRESS_SUBST, "0".repeat(17)),
        ];
        let der = holder_san(&attributes)?.to_der()?;
        let decoded = SubjectAltName::from_der(&der)?;
        assert_eq!(decode_holder_san(&decoded)?, attributes);

        // Each otherName is `[0] { OID, [0] EXPLICIT UTF8String }`; check the first one
        // byte for byte: a0 1f | 06 0a <1.2.392.200149.8.5.5.1> | a0 11 | 0c 0f <UTF-8>.
        let first = decoded
            .0
            .first()
            .ok_or_else(|| Error::Data("empty SAN".into()))?
            .to_der()?;
        let mut expected = vec![0xa0, 0x1f, 0x06, 0x0a];
        expected.extend_from_slice(OID_HOLDER_NAME.as_bytes());
        expected.extend_from_slice(&[0xa0, 0x11, 0x0c, 0x0f]);
        expected.extend_from_slice("見本\u{3000}太郎".as_bytes());
        assert_eq!(first, expected);
        Ok(())
    }

    #[test]
    fn root_names_are_printable_and_ordered() -> Result<()> {
        let name = root_name(JpkiKind::Sign)?;
        assert_eq!(
            name.to_string(),
            "OU=MynaKit virtual card - TEST ONLY\\, not J-LIS,OU=JPKI for digital signature,O=MynaKit-TEST,C=JP"
        );
        Ok(())
    }
}
