//! Host-side hashing, PKCS#1 v1.5 DigestInfo encoding and signature verification.
//!
//! The card's COMPUTE DIGITAL SIGNATURE (`80 2A 00 80`) pads and signs the DigestInfo it
//! is sent; it does not look at the hash OID (card-protocol §7.1). MynaKit therefore hashes
//! on the host and sends `DigestInfo(hash OID, digest)`.
//!
//! Verification is algorithm-agnostic: [`PublicKey`] holds an RSA key or an ECDSA key on
//! P-256 or P-384 (named curves only, RFC 5480), read from a SubjectPublicKeyInfo, and
//! [`PublicKey::verify_digest`] checks RSASSA-PKCS1-v1_5 over the DigestInfo or ECDSA over
//! the digest. Today's cards are RSA-2048 (card-protocol §7.1, §10); the next-generation
//! card planned for FY2028 is reported to move to ECDSA with a 384-bit curve and SHA-384
//! (card-protocol §11, single secondary source), so MynaKit verifies both. How such a card
//! would *sign* (the APDU and the signature's encoding) is not published: only
//! verification is generic here.

use der::Decode;
use der::asn1::{ObjectIdentifier, UintRef};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{Error, Result};

/// Hash algorithms for JPKI signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlgorithm {
    /// SHA-1: only when the caller opts in explicitly (legacy verifiers).
    Sha1,
    /// SHA-256 (the default).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The DER prefix of a DigestInfo for this hash (PKCS#1 v2.2 §9.2 note 1; the
    /// same values appear in card-protocol §7.1).
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlgorithm::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04,
                0x14,
            ],
            HashAlgorithm::Sha256 => &[
                0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            HashAlgorithm::Sha384 => &[
                0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            HashAlgorithm::Sha512 => &[
                0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    /// Name as used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha1",
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// Parses a name (`sha256`, `SHA-256`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Some(HashAlgorithm::Sha1),
            "sha256" => Some(HashAlgorithm::Sha256),
            "sha384" => Some(HashAlgorithm::Sha384),
            "sha512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }
}

/// What to sign: a message hashed on the host, or a digest computed elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInput {
    /// The message; MynaKit hashes it with the algorithm.
    Message {
        /// Hash algorithm.
        hash: HashAlgorithm,
        /// The message.
        data: Vec<u8>,
    },
    /// A precomputed digest.
    Digest {
        /// Hash algorithm the digest was made with.
        hash: HashAlgorithm,
        /// The digest.
        digest: Vec<u8>,
    },
}

impl SignInput {
    /// The hash algorithm.
    pub fn hash(&self) -> HashAlgorithm {
        match self {
            SignInput::Message { hash, .. } | SignInput::Digest { hash, .. } => *hash,
        }
    }

    /// The DigestInfo to send to the card. Refuses SHA-1 unless `allow_sha1`, and a
    /// digest of the wrong length.
    pub fn digest_info(&self, allow_sha1: bool) -> Result<Vec<u8>> {
        Ok(digest_info(self.hash(), &self.digest(allow_sha1)?))
    }

    /// The digest (the message hashed, or the precomputed digest checked). Refuses SHA-1
    /// unless `allow_sha1`, and a digest of the wrong length.
    pub fn digest(&self, allow_sha1: bool) -> Result<Vec<u8>> {
        let hash = self.hash();
        if hash == HashAlgorithm::Sha1 && !allow_sha1 {
            return Err(Error::InvalidArgument(
                "SHA-1 signatures must be requested explicitly (allow_sha1)".into(),
            ));
        }
        let digest = match self {
            SignInput::Message { data, .. } => hash.digest(data),
            SignInput::Digest { digest, .. } => {
                if digest.len() != hash.output_len() {
                    return Err(Error::InvalidArgument(format!(
                        "a {} digest has {} bytes, not {}",
                        hash.name(),
                        hash.output_len(),
                        digest.len()
                    )));
                }
                digest.clone()
            }
        };
        Ok(digest)
    }
}

/// `DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING digest }` in DER.
pub fn digest_info(hash: HashAlgorithm, digest: &[u8]) -> Vec<u8> {
    let mut v = hash.digest_info_prefix().to_vec();
    v.extend_from_slice(digest);
    v
}

/// An RSA public key from a DER SubjectPublicKeyInfo.
pub fn rsa_public_key_from_spki(spki_der: &[u8]) -> Result<RsaPublicKey> {
    RsaPublicKey::from_public_key_der(spki_der)
        .map_err(|e| Error::Verification(format!("not an RSA public key: {e}")))
}

/// An RSA public key from its big-endian modulus and exponent (1024 to 8192 bits).
pub fn rsa_public_key(modulus: &[u8], exponent: &[u8]) -> Result<RsaPublicKey> {
    let n = rsa::BoxedUint::from_be_slice_vartime(modulus);
    let e = rsa::BoxedUint::from_be_slice_vartime(exponent);
    RsaPublicKey::new(n, e)
        .map_err(|err| Error::Verification(format!("not a usable RSA key: {err}")))
}

/// Checks an RSASSA-PKCS1-v1_5 signature over an already encoded DigestInfo (or any
/// other byte string the signer padded as-is, such as the 96-byte digest triple of the
/// card-face signature).
pub fn verify_pkcs1_raw(key: &RsaPublicKey, signed_block: &[u8], signature: &[u8]) -> Result<()> {
    key.verify(Pkcs1v15Sign::new_unprefixed(), signed_block, signature)
        .map_err(|_| Error::Verification("the RSA PKCS#1 v1.5 signature does not match".into()))
}

/// Checks a JPKI signature made over `input` with the key in `spki_der`: RSASSA-PKCS1-v1_5
/// for an RSA key (today's cards), ECDSA for a P-256 or P-384 key (see [`PublicKey`] for
/// the signature encodings accepted).
pub fn verify_signature(
    spki_der: &[u8],
    input: &SignInput,
    signature: &[u8],
    allow_sha1: bool,
) -> Result<()> {
    match PublicKey::from_spki(spki_der)? {
        PublicKey::Rsa(key) => verify_pkcs1_raw(&key, &input.digest_info(allow_sha1)?, signature),
        ec => ec.verify_digest(input.hash(), &input.digest(allow_sha1)?, signature),
    }
}

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
pub const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// `rsaEncryption` (RFC 8017 appendix C).
pub const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// `secp256r1` / `prime256v1` (RFC 5480 §2.1.1.1).
pub const OID_P256: &str = "1.2.840.10045.3.1.7";
/// `secp384r1` (RFC 5480 §2.1.1.1).
pub const OID_P384: &str = "1.3.132.0.34";

/// A public key MynaKit verifies signatures with.
///
/// ECDSA signatures are accepted in two encodings: the DER `Ecdsa-Sig-Value` (`SEQUENCE {
/// r INTEGER, s INTEGER }`, RFC 5480 §2.2 / RFC 3279 §2.2.3: X.509, CMS, OCSP), and the
/// fixed-length `r ‖ s` (each as long as the curve's field, 64 bytes for P-256, 96 for
/// P-384), the form smart cards and PKCS#11 return. A signature of exactly that length is
/// read as `r ‖ s`, any other length as DER (strict: minimal INTEGERs, no trailing bytes).
/// Both `r` and `s` must lie in `[1, n − 1]`. As with any ECDSA verifier, `(r, n − s)`
/// verifies too (NIST curves do not normalise `s`): a signature value is not unique.
#[derive(Clone, Debug)]
pub enum PublicKey {
    /// RSA (PKCS#1 v1.5 signatures).
    Rsa(RsaPublicKey),
    /// ECDSA on NIST P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA on NIST P-384.
    P384(p384::ecdsa::VerifyingKey),
}

#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// `r ‖ s`, each left-padded to `field_len` bytes, from either accepted encoding.
fn ecdsa_raw_signature(signature: &[u8], field_len: usize, der_only: bool) -> Result<Vec<u8>> {
    if !der_only && signature.len() == 2 * field_len {
        return Ok(signature.to_vec());
    }
    let bad = |why: String| Error::Verification(format!("not an ECDSA signature: {why}"));
    let v = EcdsaSigValue::from_der(signature).map_err(|e| bad(e.to_string()))?;
    let mut raw = vec![0u8; 2 * field_len];
    for (i, int) in [v.r, v.s].iter().enumerate() {
        let bytes = int.as_bytes();
        let end = (i + 1) * field_len;
        let start = end
            .checked_sub(bytes.len())
            .filter(|&st| st >= i * field_len)
            .ok_or_else(|| bad(format!("an integer of {} bytes", bytes.len())))?;
        raw.get_mut(start..end)
            .ok_or_else(|| bad("an integer out of range".into()))?
            .copy_from_slice(bytes);
    }
    Ok(raw)
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo: `rsaEncryption`, or `id-ecPublicKey` with the
    /// namedCurve P-256 or P-384 (explicit curve parameters are refused, RFC 5480 §2.1.1).
    pub fn from_spki(spki_der: &[u8]) -> Result<Self> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(spki_der).ok();
        let Some(info) = info.filter(|i| i.algorithm.oid.to_string() == OID_EC_PUBLIC_KEY) else {
            // Everything else goes through the RSA reader, as before ECDSA support.
            return rsa_public_key_from_spki(spki_der).map(PublicKey::Rsa);
        };
        let bad = |why: &str| Error::Verification(format!("not a usable EC public key: {why}"));
        let curve = info
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or_else(|| bad("the parameters are not a namedCurve OID"))?
            .to_string();
        let point = info
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("the key BIT STRING has unused bits"))?;
        match curve.as_str() {
            OID_P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::P256)
                .map_err(|_| bad("not a point on P-256")),
            OID_P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::P384)
                .map_err(|_| bad("not a point on P-384")),
            other => Err(bad(&format!("unsupported curve {other}"))),
        }
    }

    /// `rsa` or `ec`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "rsa",
            PublicKey::P256(_) | PublicKey::P384(_) => "ec",
        }
    }

    /// The named curve (`P-256`, `P-384`), for EC keys.
    pub fn curve(&self) -> Option<&'static str> {
        match self {
            PublicKey::Rsa(_) => None,
            PublicKey::P256(_) => Some("P-256"),
            PublicKey::P384(_) => Some("P-384"),
        }
    }

    /// The key size in bits: the RSA modulus, or the curve's field size.
    pub fn bits(&self) -> usize {
        match self {
            PublicKey::Rsa(k) => rsa::traits::PublicKeyParts::size(k) * 8,
            PublicKey::P256(_) => 256,
            PublicKey::P384(_) => 384,
        }
    }

    /// Checks `signature` over `digest`, a `hash` digest: RSASSA-PKCS1-v1_5 over
    /// `DigestInfo(hash, digest)` for RSA; ECDSA over the digest for EC keys (a digest
    /// longer than the curve order is truncated to its leftmost bits, FIPS 186-5 §6.4.2;
    /// a shorter one is used as it is).
    pub fn verify_digest(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        self.verify_digest_as(hash, digest, signature, false)
    }

    /// As [`PublicKey::verify_digest`], but an ECDSA signature must be the DER
    /// `Ecdsa-Sig-Value`, as in X.509 certificates, CRLs, OCSP and CMS (RFC 5480 §2.2,
    /// RFC 5753 §2.1.1).
    pub fn verify_digest_der(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        self.verify_digest_as(hash, digest, signature, true)
    }

    fn verify_digest_as(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
        signature: &[u8],
        der_only: bool,
    ) -> Result<()> {
        if digest.len() != hash.output_len() {
            return Err(Error::InvalidArgument(format!(
                "a {} digest has {} bytes, not {}",
                hash.name(),
                hash.output_len(),
                digest.len()
            )));
        }
        let mismatch = || Error::Verification("the ECDSA signature does not match".into());
        match self {
            PublicKey::Rsa(key) => verify_pkcs1_raw(key, &digest_info(hash, digest), signature),
            PublicKey::P256(key) => {
                let raw = ecdsa_raw_signature(signature, 32, der_only)?;
                let sig = p256::ecdsa::Signature::from_slice(&raw).map_err(|_| {
                    Error::Verification("not an ECDSA signature: r or s out of range".into())
                })?;
                key.verify_prehash(digest, &sig).map_err(|_| mismatch())
            }
            PublicKey::P384(key) => {
                let raw = ecdsa_raw_signature(signature, 48, der_only)?;
                let sig = p384::ecdsa::Signature::from_slice(&raw).map_err(|_| {
                    Error::Verification("not an ECDSA signature: r or s out of range".into())
                })?;
                key.verify_prehash(digest, &sig).map_err(|_| mismatch())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_have_the_documented_lengths() {
        for (h, total) in [
            (HashAlgorithm::Sha1, 35),
            (HashAlgorithm::Sha256, 51),
            (HashAlgorithm::Sha384, 67),
            (HashAlgorithm::Sha512, 83),
        ] {
            let di = digest_info(h, &h.digest(b"abc"));
            assert_eq!(di.len(), total, "{h:?}");
            // The outer SEQUENCE length covers the rest.
            assert_eq!(usize::from(di[1]) + 2, total);
            assert_eq!(
                usize::from(di[di.len() - h.output_len() - 1]),
                h.output_len()
            );
        }
    }

    #[test]
    fn sha1_needs_opt_in_and_digest_length_is_checked() {
        let m = SignInput::Message {
            hash: HashAlgorithm::Sha1,
            data: b"x".to_vec(),
        };
        assert!(m.digest_info(false).is_err());
        assert!(m.digest_info(true).is_ok());
        let d = SignInput::Digest {
            hash: HashAlgorithm::Sha256,
            digest: vec![0; 31],
        };
        assert!(matches!(
            d.digest_info(false),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn names_round_trip() {
        for h in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            assert_eq!(HashAlgorithm::from_name(h.name()), Some(h));
        }
        assert_eq!(
            HashAlgorithm::from_name("SHA-256"),
            Some(HashAlgorithm::Sha256)
        );
        assert_eq!(HashAlgorithm::from_name("md5"), None);
    }
}
