//! 公的個人認証AP (JPKI-AP): token kind, certificates, retry counters and signatures
//! (card-protocol §3.1, §5, §7, §10).

use serde::Serialize;

use crate::aid;
use crate::apdu::Status;
use crate::card::{Card, Ef, RetryStatus, unexpected};
use crate::cert::JpkiCertificate;
use crate::credential::{Credential, Secret};
use crate::error::{Error, Result};
use crate::sign::{HashAlgorithm, SignInput};
use crate::transport::Transport;

/// The EFs of JPKI-AP that MynaKit reads.
pub mod ef {
    use super::*;

    /// EF `0001`: the digital-signature certificate (needs the signing password).
    pub const SIGN_CERT: Ef = Ef {
        aid: aid::JPKI,
        fid: 0x0001,
        what: "JPKI signing certificate",
        unlock: Some(Credential::JpkiSignPassword),
    };
    /// EF `0002`: the CA certificate of the signing certificate.
    pub const SIGN_CA: Ef = Ef {
        aid: aid::JPKI,
        fid: 0x0002,
        what: "JPKI signing CA certificate",
        unlock: None,
    };
    /// EF `0006`: token information; the first 32 bytes are the label.
    pub const TOKEN_INFO: Ef = Ef {
        aid: aid::JPKI,
        fid: 0x0006,
        what: "JPKI token information",
        unlock: None,
    };
    /// EF `0008`: certificate availability (3 bytes, \[S\]).
    pub const CERT_AVAILABILITY: Ef = Ef {
        aid: aid::JPKI,
        fid: 0x0008,
        what: "JPKI certificate availability",
        unlock: None,
    };
    /// EF `000A`: the user-authentication certificate (free on the plastic card; the
    /// smartphone tokens want the authentication PIN first).
    pub const AUTH_CERT: Ef = Ef {
        aid: aid::JPKI,
        fid: 0x000A,
        what: "JPKI user-authentication certificate",
        unlock: Some(Credential::JpkiAuthPin),
    };
    /// EF `000B`: the CA certificate of the user-authentication certificate.
    pub const AUTH_CA: Ef = Ef {
        aid: aid::JPKI,
        fid: 0x000B,
        what: "JPKI user-authentication CA certificate",
        unlock: None,
    };
}

/// What kind of JPKI token answered (EF `0006` label, card-protocol §3.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: a My Number Card.
    MyNumberCard,
    /// `JPKIAPGPSETOKEN`: Android smartphone JPKI (GP secure element).
    AndroidPhone,
    /// `JPKIAPIOSTOKEN`: iPhone smartphone JPKI.
    IPhone,
    /// `JPKIAPICCTOKEN`: an old 住基カード.
    JukiCard,
    /// Any other label.
    Unknown,
}

/// Token information.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The label, with space and NUL padding removed.
    pub label: String,
    /// What the label means.
    pub kind: TokenKind,
}

impl TokenInfo {
    /// Parses the first bytes of EF `0006`.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        let label_bytes = raw.get(..raw.len().min(32)).unwrap_or_default();
        let label = std::str::from_utf8(label_bytes)
            .map_err(|_| Error::malformed("JPKI token label", "not ASCII text"))?
            .trim_end_matches([' ', '\0'])
            .to_string();
        if label.is_empty() || !label.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::malformed(
                "JPKI token label",
                "empty or not printable ASCII",
            ));
        }
        let kind = match label.as_str() {
            "JPKIAPICCTOKEN2" => TokenKind::MyNumberCard,
            "JPKIAPGPSETOKEN" => TokenKind::AndroidPhone,
            "JPKIAPIOSTOKEN" => TokenKind::IPhone,
            "JPKIAPICCTOKEN" => TokenKind::JukiCard,
            _ => TokenKind::Unknown,
        };
        Ok(TokenInfo { label, kind })
    }
}

/// EF `0008`: which certificates the card holds. Single-source layout (\[S\], soltia:
/// `8F 8F 00` with both present); MynaKit reads byte 0 as the signing certificate and
/// byte 1 as the user-authentication certificate, present when non-zero. The raw bytes
/// are kept so a caller can apply a different reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateAvailability {
    /// The bytes as read.
    pub raw_hex: String,
    /// The signing certificate is present.
    pub signing: bool,
    /// The user-authentication certificate is present.
    pub authentication: bool,
}

impl CertificateAvailability {
    /// Parses EF `0008`.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        match raw {
            [sign, auth, ..] => Ok(CertificateAvailability {
                raw_hex: hex::encode_upper(raw),
                signing: *sign != 0,
                authentication: *auth != 0,
            }),
            _ => Err(Error::malformed(
                "JPKI certificate availability",
                format!("{} bytes, expected 3", raw.len()),
            )),
        }
    }
}

/// The two JPKI keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JpkiKey {
    /// 利用者証明用 (user authentication), EF `0017`, unlocked by the 4-digit PIN.
    Auth,
    /// 署名用 (digital signature), EF `001A`, unlocked by the signing password.
    Sign,
}

impl JpkiKey {
    /// The credential that unlocks the key.
    pub fn credential(self) -> Credential {
        match self {
            JpkiKey::Auth => Credential::JpkiAuthPin,
            JpkiKey::Sign => Credential::JpkiSignPassword,
        }
    }

    /// The key's EF.
    pub fn key_ef(self) -> Ef {
        let (fid, what) = match self {
            JpkiKey::Auth => (0x0017, "JPKI user-authentication key"),
            JpkiKey::Sign => (0x001A, "JPKI signing key"),
        };
        Ef {
            aid: aid::JPKI,
            fid,
            what,
            unlock: Some(self.credential()),
        }
    }

    /// The certificate EF for the key.
    pub fn cert_ef(self) -> Ef {
        match self {
            JpkiKey::Auth => ef::AUTH_CERT,
            JpkiKey::Sign => ef::SIGN_CERT,
        }
    }
}

/// Options for [`Jpki::sign`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignOptions {
    /// Present the credential even at or below the policy's floor.
    pub allow_below_floor: bool,
    /// Allow SHA-1 DigestInfos.
    pub allow_sha1: bool,
    /// Read the key's certificate after signing and return it with the signature.
    pub include_certificate: bool,
}

/// A signature made by the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JpkiSignature {
    /// Which key signed.
    pub key: JpkiKey,
    /// The hash algorithm.
    pub hash: HashAlgorithm,
    /// The DigestInfo the card signed.
    #[serde(with = "crate::cert::hex_bytes")]
    pub digest_info: Vec<u8>,
    /// The raw RSASSA-PKCS1-v1_5 signature.
    #[serde(with = "crate::cert::hex_bytes")]
    pub signature: Vec<u8>,
    /// The key's certificate, when asked for.
    pub certificate: Option<JpkiCertificate>,
}

impl JpkiSignature {
    /// Verifies the signature against the returned certificate's public key.
    pub fn verify_with_certificate(&self) -> Result<()> {
        let cert = self.certificate.as_ref().ok_or_else(|| {
            Error::InvalidArgument("the signature was made without include_certificate".into())
        })?;
        let key = crate::sign::rsa_public_key_from_spki(&cert.spki_der()?)?;
        crate::sign::verify_pkcs1_raw(&key, &self.digest_info, &self.signature)
    }
}

/// JPKI-AP operations on a card session.
pub struct Jpki<'a, T: Transport> {
    card: &'a mut Card<T>,
}

impl<T: Transport> Card<T> {
    /// JPKI-AP operations.
    pub fn jpki(&mut self) -> Jpki<'_, T> {
        Jpki { card: self }
    }
}

impl<T: Transport> Jpki<'_, T> {
    /// Reads the token label (32 bytes of EF `0006`): one READ BINARY.
    pub fn token_info(&mut self) -> Result<TokenInfo> {
        let raw = self.card.read_prefix(&ef::TOKEN_INFO, 32)?;
        TokenInfo::parse(&raw)
    }

    /// Reads EF `0008`: one READ BINARY.
    pub fn certificate_availability(&mut self) -> Result<CertificateAvailability> {
        let raw = self.card.read_prefix(&ef::CERT_AVAILABILITY, 3)?;
        CertificateAvailability::parse(&raw)
    }

    /// Reads a certificate EF and parses it.
    fn read_cert(&mut self, ef: &Ef) -> Result<JpkiCertificate> {
        let der = self.card.read_tlv_file(ef)?;
        JpkiCertificate::parse(&der)
    }

    /// The user-authentication certificate (free on the plastic card; on a smartphone
    /// token this fails with [`Error::CredentialRequired`] until the PIN is verified).
    pub fn auth_certificate(&mut self) -> Result<JpkiCertificate> {
        self.read_cert(&ef::AUTH_CERT)
    }

    /// The user-authentication CA certificate as stored on the card. The card's copy
    /// proves nothing: check chains against [`crate::cert::TrustStore`].
    pub fn auth_ca_certificate(&mut self) -> Result<JpkiCertificate> {
        self.read_cert(&ef::AUTH_CA)
    }

    /// The signing CA certificate as stored on the card.
    pub fn sign_ca_certificate(&mut self) -> Result<JpkiCertificate> {
        self.read_cert(&ef::SIGN_CA)
    }

    /// The signing certificate, presenting the signing password first (unless this
    /// session already did). The password is checked locally before any APDU.
    pub fn sign_certificate(
        &mut self,
        password: &Secret,
        allow_below_floor: bool,
    ) -> Result<JpkiCertificate> {
        Credential::JpkiSignPassword.encode(password)?;
        self.card
            .ensure_verified(Credential::JpkiSignPassword, password, allow_below_floor)?;
        self.read_cert(&ef::SIGN_CERT)
    }

    /// The signing certificate when the password was verified earlier in this session;
    /// [`Error::CredentialRequired`] otherwise (the card answers `6982`).
    pub fn sign_certificate_verified(&mut self) -> Result<JpkiCertificate> {
        self.read_cert(&ef::SIGN_CERT)
    }

    /// Reads a retry counter without spending a try.
    pub fn retry_status(&mut self, credential: Credential) -> Result<RetryStatus> {
        if credential.aid() != aid::JPKI {
            return Err(Error::InvalidArgument(format!(
                "{credential} is not a JPKI credential"
            )));
        }
        self.card.retry_status(credential)
    }

    /// Signs with the card: the input is hashed (or its digest checked) and the
    /// credential's format validated before any APDU; then the retry counter, one VERIFY
    /// (unless this session already verified the credential), and COMPUTE DIGITAL
    /// SIGNATURE over the DigestInfo, naming the key in P2 (`80 2A 00 97` / `9A`) unless the
    /// card refuses that form (card-protocol §7.1): SELECT AP + query + VERIFY + signature
    /// on a card that accepts the short forms.
    pub fn sign(
        &mut self,
        key: JpkiKey,
        credential_value: &Secret,
        input: &SignInput,
        options: SignOptions,
    ) -> Result<JpkiSignature> {
        let digest_info = input.digest_info(options.allow_sha1)?;
        let credential = key.credential();
        credential.encode(credential_value)?;
        self.card
            .ensure_verified(credential, credential_value, options.allow_below_floor)?;
        let key_ef = key.key_ef();
        let resp = self.card.compute_signature(&key_ef, digest_info.clone())?;
        let signature = match resp.status() {
            Status::Ok if !resp.data.is_empty() => resp.data,
            Status::Ok => {
                return Err(Error::MalformedResponse(
                    "COMPUTE DIGITAL SIGNATURE returned no signature".into(),
                ));
            }
            Status::SecurityStatusNotSatisfied => {
                return Err(Error::CredentialRequired {
                    what: key_ef.what.to_string(),
                    credential,
                });
            }
            Status::FileNotFound => {
                return Err(Error::NotAvailable {
                    what: key_ef.what.to_string(),
                });
            }
            _ => return Err(unexpected("COMPUTE DIGITAL SIGNATURE", &resp)),
        };
        let certificate = if options.include_certificate {
            Some(self.read_cert(&key.cert_ef())?)
        } else {
            None
        };
        Ok(JpkiSignature {
            key,
            hash: input.hash(),
            digest_info,
            signature,
            certificate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_labels() {
        let mut raw = b"JPKIAPICCTOKEN2".to_vec();
        raw.resize(32, b' ');
        assert_eq!(
            TokenInfo::parse(&raw).ok().map(|t| t.kind),
            Some(TokenKind::MyNumberCard)
        );
        let mut raw = b"JPKIAPGPSETOKEN".to_vec();
        raw.resize(32, 0);
        assert_eq!(
            TokenInfo::parse(&raw).ok().map(|t| t.kind),
            Some(TokenKind::AndroidPhone)
        );
        assert_eq!(
            TokenInfo::parse(b"JPKIAPIOSTOKEN").ok().map(|t| t.kind),
            Some(TokenKind::IPhone)
        );
        assert_eq!(
            TokenInfo::parse(b"JPKIAPICCTOKEN  ").ok().map(|t| t.kind),
            Some(TokenKind::JukiCard)
        );
        assert_eq!(
            TokenInfo::parse(b"OTHER").ok().map(|t| t.kind),
            Some(TokenKind::Unknown)
        );
        assert!(TokenInfo::parse(&[0xFF; 32]).is_err());
        assert!(TokenInfo::parse(&[0x20; 32]).is_err());
        assert!(TokenInfo::parse(&[]).is_err());
    }

    #[test]
    fn availability() {
        let a = CertificateAvailability::parse(&[0x8F, 0x8F, 0x00]).ok();
        assert_eq!(a.map(|a| (a.signing, a.authentication)), Some((true, true)));
        let a = CertificateAvailability::parse(&[0x00, 0x8F, 0x00]).ok();
        assert_eq!(
            a.map(|a| (a.signing, a.authentication)),
            Some((false, true))
        );
        assert!(CertificateAvailability::parse(&[0x8F]).is_err());
    }
}
