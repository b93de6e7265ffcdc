//! Document signatures: a detached CMS `SignedData` (RFC 5652 §5) with CAdES-BES signed
//! attributes, made with the JPKI signing key (署名用電子証明書, card-protocol §7, §10).
//!
//! What is built:
//!
//! ```text
//! ContentInfo { id-signedData, SignedData {
//!   version 1, digestAlgorithms { sha256 },
//!   encapContentInfo { id-data }                       -- detached: no eContent
//!   certificates { signing certificate [, its CA as read from EF 0002] },
//!   signerInfos { SignerInfo {
//!     version 1, sid issuerAndSerialNumber, digestAlgorithm sha256,
//!     signedAttrs {                                    -- CAdES-BES (ETSI EN 319 122-1 §5.1, §5.2)
//!       content-type      id-data                      -- RFC 5652 §11.1
//!       message-digest    hash(document)               -- RFC 5652 §11.2
//!       signing-time      UTCTime (GeneralizedTime from 2050)   -- RFC 5652 §11.3
//!       signing-certificate-v2 { ESSCertIDv2 { SHA-256(certificate), issuerSerial } }
//!                                                      -- RFC 5035 §3 (hashAlgorithm is the DEFAULT, so omitted)
//!     },
//!     signatureAlgorithm sha256WithRSAEncryption,
//!     signature  RSASSA-PKCS1-v1_5 over DigestInfo(sha256, SHA-256(DER of signedAttrs)) }}}}
//! ```
//!
//! The signature over the signed attributes is the card's COMPUTE DIGITAL SIGNATURE over
//! the DigestInfo of the attributes' DER (tagged as a `SET OF`, RFC 5652 §5.4), sent as a
//! [`SignInput::Digest`] (card-protocol §7.1): the document itself never goes to the card.
//! The signature is checked against the certificate's key before the `SignedData` is
//! returned.
//!
//! Types: the RustCrypto `cms` crate (0.3 release candidate, the same der 0.8 / spki 0.8 /
//! x509-cert 0.3 generation as the rest of MynaKit) supplies `ContentInfo`, `SignedData`,
//! `SignerInfo` and friends, used without its `builder` feature: the builder expects a
//! signer object holding the key, while here the key stays on the card and the signature
//! is one APDU exchange. The ESS `SigningCertificateV2` structure (RFC 5035) is not in that
//! crate and is defined here with `der` derive.
//!
//! Only RSA signing keys are supported (today's cards). The next-generation card's ECDSA
//! signing command is not published (card-protocol §11), so a certificate with an EC key
//! is refused before any APDU.

use std::time::Duration;

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, DateTime, Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::card::Card;
use crate::cert::JpkiCertificate;
use crate::credential::Secret;
use crate::error::{Error, Result};
use crate::jpki::{JpkiKey, SignOptions};
use crate::sign::{HashAlgorithm, PublicKey, SignInput};
use crate::transport::Transport;

/// `id-data` (RFC 5652 §4).
pub const OID_DATA: &str = "1.2.840.113549.1.7.1";
/// `id-signedData` (RFC 5652 §5.1).
pub const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// `id-contentType` (RFC 5652 §11.1).
pub const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
/// `id-messageDigest` (RFC 5652 §11.2).
pub const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// `id-signingTime` (RFC 5652 §11.3).
pub const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// `id-aa-signingCertificateV2` (RFC 5035 §3).
pub const OID_SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";

/// ESS `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`
/// (RFC 5035 §3; no policies here).
#[derive(Clone, Debug, der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
/// certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }`. With SHA-256 the DEFAULT
/// applies, and DER omits a field equal to its default (X.690 §11.5), so `hashAlgorithm`
/// is never written.
#[derive(Clone, Debug, der::Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
/// (RFC 5035 §4).
#[derive(Clone, Debug, der::Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// Options for [`sign_document`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentSignOptions {
    /// The digest for the document and the signed attributes: SHA-256 (the default),
    /// SHA-384 or SHA-512; SHA-1 is refused.
    pub hash: HashAlgorithm,
    /// The signing-time attribute, seconds since the Unix epoch (the phone's clock: CAdES-BES
    /// does not make it trustworthy, a time-stamp would).
    pub signing_time_unix: u64,
    /// Also put the CA certificate read from the card (EF `0002`) in `certificates`. The
    /// card's copy proves nothing; a verifier takes its roots from its own store.
    pub include_ca_certificate: bool,
    /// Present the signing password even at or below the policy's retry floor.
    pub allow_below_floor: bool,
}

impl DocumentSignOptions {
    /// SHA-256, the given signing time, the signing certificate only.
    pub fn new(signing_time_unix: u64) -> Self {
        DocumentSignOptions {
            hash: HashAlgorithm::Sha256,
            signing_time_unix,
            include_ca_certificate: false,
            allow_below_floor: false,
        }
    }
}

/// A document signature made by the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentSignature {
    /// The DER `ContentInfo` (a `.p7s` file; `openssl cms -verify -binary -inform DER`).
    #[serde(with = "crate::cert::hex_bytes")]
    pub der: Vec<u8>,
    /// The DER of the signed attributes (`SET OF Attribute`) the card signed.
    #[serde(with = "crate::cert::hex_bytes")]
    pub signed_attributes: Vec<u8>,
    /// The card's RSASSA-PKCS1-v1_5 signature.
    #[serde(with = "crate::cert::hex_bytes")]
    pub signature: Vec<u8>,
    /// The signing certificate.
    pub certificate: JpkiCertificate,
}

fn oid(dotted: &str) -> Result<ObjectIdentifier> {
    ObjectIdentifier::new(dotted).map_err(|e| Error::InvalidArgument(format!("OID {dotted}: {e}")))
}

fn encoding(e: der::Error) -> Error {
    Error::malformed("CMS SignedData", e.to_string())
}

fn any<T: Encode>(value: &T) -> Result<Any> {
    Any::from_der(&value.to_der().map_err(encoding)?).map_err(encoding)
}

fn attribute(oid_str: &str, value: Any) -> Result<Attribute> {
    Ok(Attribute {
        oid: oid(oid_str)?,
        values: SetOfVec::try_from(vec![value]).map_err(encoding)?,
    })
}

/// The OIDs of the digest and of RSA PKCS#1 v1.5 with that digest (RFC 5754 §2, §3.2).
fn algorithm_oids(hash: HashAlgorithm) -> Result<(&'static str, &'static str)> {
    match hash {
        HashAlgorithm::Sha256 => Ok(("2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11")),
        HashAlgorithm::Sha384 => Ok(("2.16.840.1.101.3.4.2.2", "1.2.840.113549.1.1.12")),
        HashAlgorithm::Sha512 => Ok(("2.16.840.1.101.3.4.2.3", "1.2.840.113549.1.1.13")),
        HashAlgorithm::Sha1 => Err(Error::InvalidArgument(
            "document signatures use SHA-256, SHA-384 or SHA-512, not SHA-1".into(),
        )),
    }
}

/// `signing-time`: UTCTime for 1950 to 2049, GeneralizedTime otherwise (RFC 5652 §11.3).
fn signing_time(unix: u64) -> Result<Time> {
    let dt = DateTime::from_unix_duration(Duration::from_secs(unix)).map_err(encoding)?;
    if (1950..2050).contains(&dt.year()) {
        UtcTime::from_date_time(dt)
            .map(Time::UtcTime)
            .map_err(encoding)
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

fn x509(certificate: &JpkiCertificate) -> Result<Certificate> {
    Certificate::from_der(&certificate.der)
        .map_err(|e| Error::malformed("certificate", e.to_string()))
}

fn require_rsa(certificate: &JpkiCertificate) -> Result<()> {
    if certificate.info.public_key.algorithm == "rsa" {
        Ok(())
    } else {
        Err(Error::NotAvailable {
            what: format!(
                "a document signature with a {} key (only RSA signing keys are supported; the \
                 next-generation card's signing command is not published)",
                certificate.info.public_key.algorithm
            ),
        })
    }
}

fn signed_attribute_set(
    hash: HashAlgorithm,
    document_digest: &[u8],
    certificate: &JpkiCertificate,
    signing_time_unix: u64,
) -> Result<SetOfVec<Attribute>> {
    algorithm_oids(hash)?;
    if document_digest.len() != hash.output_len() {
        return Err(Error::InvalidArgument(format!(
            "a {} digest has {} bytes, not {}",
            hash.name(),
            hash.output_len(),
            document_digest.len()
        )));
    }
    let cert = x509(certificate)?;
    let tbs = cert.tbs_certificate();
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&certificate.der).to_vec())
                .map_err(encoding)?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            },
        }],
    };
    let attrs = vec![
        attribute(OID_CONTENT_TYPE, any(&oid(OID_DATA)?)?)?,
        attribute(
            OID_MESSAGE_DIGEST,
            any(&OctetString::new(document_digest.to_vec()).map_err(encoding)?)?,
        )?,
        attribute(OID_SIGNING_TIME, any(&signing_time(signing_time_unix)?)?)?,
        attribute(OID_SIGNING_CERTIFICATE_V2, any(&ess)?)?,
    ];
    // DER orders a SET OF by the encodings of its elements (X.690 §11.6).
    SetOfVec::try_from(attrs).map_err(encoding)
}

/// The DER of the signed attributes (a `SET OF Attribute`, tag `31`) for a document whose
/// `hash` digest is `document_digest`, signed with `certificate`'s key at
/// `signing_time_unix`. The card signs `DigestInfo(hash, hash(these bytes))`.
pub fn signed_attributes(
    hash: HashAlgorithm,
    document_digest: &[u8],
    certificate: &JpkiCertificate,
    signing_time_unix: u64,
) -> Result<Vec<u8>> {
    signed_attribute_set(hash, document_digest, certificate, signing_time_unix)?
        .to_der()
        .map_err(encoding)
}

/// Builds the DER `ContentInfo` around a signature over `signed_attributes` (as returned by
/// [`signed_attributes`]). Checks the signature with the certificate's key first, so a
/// `SignedData` that would not verify is never returned.
pub fn assemble(
    hash: HashAlgorithm,
    signed_attributes: &[u8],
    signature: &[u8],
    certificate: &JpkiCertificate,
    ca_certificate: Option<&JpkiCertificate>,
) -> Result<Vec<u8>> {
    let (digest_oid, signature_oid) = algorithm_oids(hash)?;
    require_rsa(certificate)?;
    let key = PublicKey::from_spki(&certificate.spki_der()?)?;
    key.verify_digest(hash, &hash.digest(signed_attributes), signature)
        .map_err(|e| {
            Error::Verification(format!(
                "the card's signature over the signed attributes does not verify with the \
                 signing certificate: {e}"
            ))
        })?;
    let attrs = SetOfVec::<Attribute>::from_der(signed_attributes).map_err(encoding)?;
    let cert = x509(certificate)?;
    let digest_alg = AlgorithmIdentifierOwned {
        oid: oid(digest_oid)?,
        parameters: None,
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate().issuer().clone(),
            serial_number: cert.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: oid(signature_oid)?,
            parameters: Some(Any::null()),
        },
        signature: OctetString::new(signature.to_vec()).map_err(encoding)?,
        unsigned_attrs: None,
    };
    let mut certs = vec![cms::cert::CertificateChoices::Certificate(cert)];
    if let Some(ca) = ca_certificate {
        certs.push(cms::cert::CertificateChoices::Certificate(x509(ca)?));
    }
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).map_err(encoding)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid(OID_DATA)?,
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(encoding)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(encoding)?),
    };
    ContentInfo {
        content_type: oid(OID_SIGNED_DATA)?,
        content: any(&signed_data)?,
    }
    .to_der()
    .map_err(encoding)
}

/// Signs `document` with the JPKI signing key: hashes it on the host, then
/// [`sign_document_digest`].
pub fn sign_document<T: Transport>(
    card: &mut Card<T>,
    password: &Secret,
    document: &[u8],
    options: DocumentSignOptions,
) -> Result<DocumentSignature> {
    algorithm_oids(options.hash)?;
    let digest = options.hash.digest(document);
    sign_document_digest(card, password, &digest, options)
}

/// Signs a document given its digest (made with `options.hash`), for documents too large to
/// hold in memory. One VERIFY of the signing password (unless this session already made
/// it), READ BINARY of the signing certificate (EF `0001`, and EF `0002` when asked), and
/// one COMPUTE DIGITAL SIGNATURE over the DigestInfo of the signed attributes
/// (card-protocol §7.1). Argument errors (SHA-1, a digest of the wrong length, a password
/// of the wrong form) are found before any VERIFY.
pub fn sign_document_digest<T: Transport>(
    card: &mut Card<T>,
    password: &Secret,
    document_digest: &[u8],
    options: DocumentSignOptions,
) -> Result<DocumentSignature> {
    let hash = options.hash;
    algorithm_oids(hash)?;
    if document_digest.len() != hash.output_len() {
        return Err(Error::InvalidArgument(format!(
            "a {} digest has {} bytes, not {}",
            hash.name(),
            hash.output_len(),
            document_digest.len()
        )));
    }
    signing_time(options.signing_time_unix)?;
    let mut jpki = card.jpki();
    let certificate = jpki.sign_certificate(password, options.allow_below_floor)?;
    require_rsa(&certificate)?;
    let attrs = signed_attributes(
        hash,
        document_digest,
        &certificate,
        options.signing_time_unix,
    )?;
    let input = SignInput::Digest {
        hash,
        digest: hash.digest(&attrs),
    };
    let sig = jpki.sign(
        JpkiKey::Sign,
        password,
        &input,
        SignOptions {
            allow_below_floor: options.allow_below_floor,
            allow_sha1: false,
            include_certificate: false,
        },
    )?;
    let ca = if options.include_ca_certificate {
        Some(jpki.sign_ca_certificate()?)
    } else {
        None
    };
    let der = assemble(hash, &attrs, &sig.signature, &certificate, ca.as_ref())?;
    Ok(DocumentSignature {
        der,
        signed_attributes: attrs,
        signature: sig.signature,
        certificate,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn signing_time_switches_to_generalized_time_in_2050() {
        // 2049-12-31T23:59:59Z = 2524607999; 2050-01-01T00:00:00Z = 2524608000.
        assert!(matches!(signing_time(2_524_607_999), Ok(Time::UtcTime(_))));
        assert!(matches!(
            signing_time(2_524_608_000),
            Ok(Time::GeneralTime(_))
        ));
        // UTCTime 261201090000Z: 17 0D "261201090000Z" (2026-12-01T09:00:00Z = 1796115600).
        let der = signing_time(1_796_115_600).and_then(|t| t.to_der().map_err(encoding));
        assert_eq!(der.ok().as_deref(), Some(&b"\x17\x0D261201090000Z"[..]));
    }

    #[test]
    fn sha1_and_wrong_digest_lengths_are_refused() {
        assert!(algorithm_oids(HashAlgorithm::Sha1).is_err());
        let Ok(cert) = JpkiCertificate::parse(include_bytes!("../trust-anchors/jpki/signca03.cer"))
        else {
            panic!("the J-LIS root parses")
        };
        assert!(matches!(
            signed_attributes(HashAlgorithm::Sha256, &[0; 31], &cert, 0),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn ess_cert_id_v2_omits_the_default_hash_algorithm() {
        // ESSCertIDv2 for a certificate whose hash is 32 × 0xAA, issuer CN=A, serial 1:
        // 30 L { 04 20 AA…AA, 30 L { 30 L { A4 L { 30 L { 31 L { 30 L { 06 03 55 04 03
        // 0C 01 41 }}}}}, 02 01 01 }} (assuming the parsed CN is a UTF8String, 0C): the first element is the OCTET STRING, no
        // AlgorithmIdentifier before it.
        let Ok(name) = "CN=A".parse::<x509_cert::name::Name>() else {
            panic!("name")
        };
        let Ok(serial) = SerialNumber::new(&[1]) else {
            panic!("serial")
        };
        let Ok(hash) = OctetString::new(vec![0xAA; 32]) else {
            panic!("hash")
        };
        let id = EssCertIdV2 {
            cert_hash: hash,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(name)],
                serial_number: serial,
            },
        };
        let Ok(der) = id.to_der() else {
            panic!("encodes")
        };
        // Lengths from the inside out: AttributeTypeAndValue 5 + 3 = 8, SET 10, Name 12,
        // [4] 14, GeneralNames 16, IssuerSerial 18 + 3 = 21 (0x15), the whole 34 + 23 = 57.
        let mut expected = vec![0x30, 0x39, 0x04, 0x20];
        expected.extend([0xAA; 32]);
        expected.extend([
            0x30, 0x15, 0x30, 0x10, 0xA4, 0x0E, 0x30, 0x0C, 0x31, 0x0A, 0x30, 0x08, 0x06, 0x03,
            0x55, 0x04, 0x03, 0x0C, 0x01, 0x41, 0x02, 0x01, 0x01,
        ]);
        assert_eq!(der, expected);
    }
}
