//! A CRL revocation checker: the CRL's signature by the certificate's issuer, serial
//! lookup, freshness (`thisUpdate` not too old, `nextUpdate` not passed).
//!
//! JPKI's production CRLs are for licensed 署名検証者 / platform operators only; this checker
//! serves CRLs a bank obtains through such an operator, and test PKIs. Anything it cannot
//! vouch for is [`RevocationStatus::NotChecked`].

use der::{Decode, Encode};
use mynakit::cert::JpkiCertificate;
use mynakit::sign::{HashAlgorithm, digest_info, rsa_public_key_from_spki, verify_pkcs1_raw};
use x509_cert::crl::CertificateList;

use crate::revocation::{RevocationChecker, RevocationStatus};
use crate::time::format_rfc3339;

/// Largest CRL accepted (bytes).
pub const MAX_CRL_LEN: usize = 32 * 1024 * 1024;

/// Why a CRL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CrlError {
    /// Not a DER CRL (or not canonical DER).
    #[error("not a DER CRL: {0}")]
    Malformed(String),
    /// Signed by someone else, or the signature does not verify.
    #[error("the CRL's signature does not verify under the issuer: {0}")]
    BadSignature(String),
    /// Issued under another name.
    #[error("the CRL's issuer is not the configured issuer")]
    WrongIssuer,
}

struct Crl {
    this_update: u64,
    next_update: Option<u64>,
    /// Revoked serials (upper-case hex, no leading zero bytes) and revocation times.
    revoked: Vec<(String, u64)>,
}

/// Checks certificates of one issuer against its CRLs.
pub struct CrlChecker {
    issuer: JpkiCertificate,
    max_age: u64,
    crls: Vec<Crl>,
}

fn serial_key(bytes: &[u8]) -> String {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => bytes.get(i..).unwrap_or_default(),
        None => &[],
    };
    hex::encode_upper(trimmed)
}

impl CrlChecker {
    /// A checker for certificates issued by `issuer_der`; CRLs whose `thisUpdate` is more
    /// than `max_age` seconds before the time checked are stale.
    pub fn new(issuer_der: &[u8], max_age: u64) -> mynakit::Result<Self> {
        Ok(CrlChecker {
            issuer: JpkiCertificate::parse(issuer_der)?,
            max_age,
            crls: Vec::new(),
        })
    }

    /// Adds a DER CRL after checking its issuer name and signature.
    pub fn add_crl(&mut self, der_bytes: &[u8]) -> Result<(), CrlError> {
        if der_bytes.len() > MAX_CRL_LEN {
            return Err(CrlError::Malformed(format!("{} bytes", der_bytes.len())));
        }
        let crl = <CertificateList>::from_der(der_bytes)
            .map_err(|e| CrlError::Malformed(e.to_string()))?;
        if crl.to_der().ok().as_deref() != Some(der_bytes) {
            return Err(CrlError::Malformed("not canonical DER".into()));
        }
        let tbs = &crl.tbs_cert_list;
        if tbs.issuer.to_string() != self.issuer.info.subject {
            return Err(CrlError::WrongIssuer);
        }
        if crl.signature_algorithm != tbs.signature {
            return Err(CrlError::Malformed(
                "signatureAlgorithm differs from the TBS signature field".into(),
            ));
        }
        let hash = match crl.signature_algorithm.oid.to_string().as_str() {
            "1.2.840.113549.1.1.11" => HashAlgorithm::Sha256,
            "1.2.840.113549.1.1.12" => HashAlgorithm::Sha384,
            "1.2.840.113549.1.1.13" => HashAlgorithm::Sha512,
            other => {
                return Err(CrlError::BadSignature(format!(
                    "unsupported algorithm {other}"
                )));
            }
        };
        let tbs_der = tbs
            .to_der()
            .map_err(|e| CrlError::Malformed(e.to_string()))?;
        let sig = crl
            .signature
            .as_bytes()
            .ok_or_else(|| CrlError::Malformed("signature has unused bits".into()))?;
        let key = self
            .issuer
            .spki_der()
            .and_then(|s| rsa_public_key_from_spki(&s))
            .map_err(|e| CrlError::BadSignature(e.to_string()))?;
        verify_pkcs1_raw(&key, &digest_info(hash, &hash.digest(&tbs_der)), sig)
            .map_err(|e| CrlError::BadSignature(e.to_string()))?;
        let revoked = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .map(|r| {
                (
                    serial_key(r.serial_number.as_bytes()),
                    r.revocation_date.to_unix_duration().as_secs(),
                )
            })
            .collect();
        self.crls.push(Crl {
            this_update: tbs.this_update.to_unix_duration().as_secs(),
            next_update: tbs.next_update.map(|t| t.to_unix_duration().as_secs()),
            revoked,
        });
        Ok(())
    }
}

impl RevocationChecker for CrlChecker {
    fn status(&self, cert: &JpkiCertificate, at_unix: u64) -> RevocationStatus {
        let not_checked = |reason: String| RevocationStatus::NotChecked { reason };
        if cert.info.issuer != self.issuer.info.subject || cert.is_signed_by(&self.issuer).is_err()
        {
            return not_checked("no CRL for this certificate's issuer".into());
        }
        let Some(crl) = self
            .crls
            .iter()
            .filter(|c| c.this_update <= at_unix)
            .max_by_key(|c| c.this_update)
        else {
            return not_checked(format!("no CRL issued before {}", format_rfc3339(at_unix)));
        };
        match crl.next_update {
            Some(next) if next < at_unix => {
                return not_checked(format!(
                    "stale CRL: nextUpdate {} has passed",
                    format_rfc3339(next)
                ));
            }
            None => return not_checked("the CRL has no nextUpdate".into()),
            Some(_) => {}
        }
        if at_unix - crl.this_update > self.max_age {
            return not_checked(format!(
                "stale CRL: thisUpdate {} is older than {} s",
                format_rfc3339(crl.this_update),
                self.max_age
            ));
        }
        let serial = serial_key(&hex::decode(&cert.info.serial).unwrap_or_default());
        match crl.revoked.iter().find(|(s, _)| *s == serial) {
            Some((_, when)) if *when <= at_unix => RevocationStatus::Revoked {
                reason: format!("serial {serial} revoked on {}", format_rfc3339(*when)),
            },
            _ => RevocationStatus::Good {
                source: format!(
                    "CRL of {} (thisUpdate {})",
                    self.issuer.info.subject,
                    format_rfc3339(crl.this_update)
                ),
            },
        }
    }
}
