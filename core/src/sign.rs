//! Host-side hashing, PKCS#1 v1.5 DigestInfo encoding and signature verification.
//!
//! The card's COMPUTE DIGITAL SIGNATURE (`80 2A 00 80`) pads and signs the DigestInfo it
//! is sent; it does not look at the hash OID (card-protocol §7.1). MynaKit therefore hashes
//! on the host and sends `DigestInfo(hash OID, digest)`.

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
        Ok(digest_info(hash, &digest))
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

/// Checks a JPKI signature made over `input` with the key in `spki_der`.
pub fn verify_signature(
    spki_der: &[u8],
    input: &SignInput,
    signature: &[u8],
    allow_sha1: bool,
) -> Result<()> {
    let key = rsa_public_key_from_spki(spki_der)?;
    verify_pkcs1_raw(&key, &input.digest_info(allow_sha1)?, signature)
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
