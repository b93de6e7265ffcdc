//! Deterministic RSA key derivation.
//!
//! Every key has its own label and its own random-number generator:
//! `ChaCha20Rng::from_seed(SHA-256("mynakit-testgen/v1/" + label))`. Adding a key with a
//! new label therefore never changes any existing key.
//!
//! The key bytes also depend on the prime-generation algorithm of the `rsa` crate (and
//! its `crypto-primes` / `crypto-bigint` dependencies), which is why `rsa` is pinned and
//! the lock file should be kept.

use der::Encode;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, pkcs1v15::SigningKey, pkcs8::EncodePrivateKey,
};
use sha2::{Digest, Sha256};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::{Error, Result};

/// Domain-separation prefix of every seed. Bumping the version changes every key.
pub const SEED_PREFIX: &str = "mynakit-testgen/v1/";

/// Modulus size of every key, as on the real card.
pub const RSA_BITS: usize = 2048;

/// Size in bytes of an RSA-2048 modulus and of every signature it makes.
pub const RSA_BYTES: usize = RSA_BITS / 8;

/// The 32-byte seed of the key with the given label.
pub fn seed_for(label: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(SEED_PREFIX.as_bytes());
    hasher.update(label.as_bytes());
    hasher.finalize().into()
}

/// The dedicated random-number generator of the key with the given label.
pub fn rng_for(label: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(seed_for(label))
}

/// An RSA-2048 key pair derived from a label (see [`TestKey::derive`]).
#[derive(Clone)]
pub struct TestKey {
    private: RsaPrivateKey,
}

impl TestKey {
    /// Derives the key pair for `label` (deterministic; takes a moment in release builds).
    pub fn derive(label: &str) -> Result<Self> {
        let mut rng = rng_for(label);
        let private = RsaPrivateKey::new(&mut rng, RSA_BITS)?;
        Ok(Self { private })
    }

    /// The public half.
    pub fn public_key(&self) -> RsaPublicKey {
        self.private.to_public_key()
    }

    /// The public key as an X.509 `SubjectPublicKeyInfo` (rsaEncryption, NULL parameters).
    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned> {
        Ok(SubjectPublicKeyInfoOwned::from_key(&self.public_key())?)
    }

    /// A PKCS#1 v1.5 / SHA-256 signer (sha256WithRSAEncryption), deterministic.
    pub fn signing_key(&self) -> SigningKey<Sha256> {
        SigningKey::<Sha256>::new(self.private.clone())
    }

    /// The private key as unencrypted PKCS#8 `PrivateKeyInfo` DER.
    pub fn pkcs8_der(&self) -> Result<Vec<u8>> {
        Ok(self.private.to_pkcs8_der()?.as_bytes().to_vec())
    }

    /// The public key as `SubjectPublicKeyInfo` DER.
    pub fn spki_der(&self) -> Result<Vec<u8>> {
        Ok(self.spki()?.to_der()?)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (DigestInfo prefix + SHA-256),
    /// deterministic, always [`RSA_BYTES`] long.
    pub fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let digest = Sha256::digest(message);
        let signature = self
            .private
            .sign(Pkcs1v15Sign::new::<Sha256>(), digest.as_slice())?;
        check_signature_len(signature)
    }

    /// RSASSA-PKCS1-v1_5 over `block` as given, with no DigestInfo prefix added
    /// (`Pkcs1v15Sign::new_unprefixed()`): the caller supplies prefix and hash bytes.
    /// Used for the card-face signature, whose "digest" is 96 bytes (card-protocol §9.2).
    pub fn sign_unprefixed(&self, block: &[u8]) -> Result<Vec<u8>> {
        let signature = self.private.sign(Pkcs1v15Sign::new_unprefixed(), block)?;
        check_signature_len(signature)
    }
}

/// Checks that a signature has the full modulus length (the `rsa` crate left-pads).
fn check_signature_len(signature: Vec<u8>) -> Result<Vec<u8>> {
    if signature.len() == RSA_BYTES {
        Ok(signature)
    } else {
        Err(Error::Data(format!(
            "signature of {} bytes, expected {RSA_BYTES}",
            signature.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_derivation_is_frozen() {
        // SHA-256("mynakit-testgen/v1/pki/auth-root") begins 12 14 04 ce 35 5f 84 3d.
        // If this fails, every generated key (and file) has changed.
        let seed = seed_for("pki/auth-root");
        assert_eq!(
            seed.get(..8),
            Some(&[0x12, 0x14, 0x04, 0xce, 0x35, 0x5f, 0x84, 0x3d][..])
        );
        assert_eq!(rng_for("pki/auth-root").get_seed(), seed);
        assert_ne!(seed, seed_for("pki/sign-root"));
    }
}
