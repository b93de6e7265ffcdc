//! Card-verifiable (CV) certificates, RSA key TLVs and verification results, shared by
//! 券面事項入力補助AP and 券面AP (card-protocol §9.3).
//!
//! A CV certificate is `7F21 { 5F4E <issuer key ID (16) ‖ subject key ID (16) ‖ RSA key>,
//! 5F37 <signature> }`; the signature is RSASSA-PKCS1-v1_5 with SHA-256 over the `5F4E`
//! value, by the issuer's key. The CA public keys are not on the card: the caller supplies
//! them ([`CvTrust`]); MynaKit's virtual card test CA is built in and accepted only when the
//! trust policy accepts the virtual card.

use rsa::RsaPublicKey;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ber;
use crate::error::{Error, Result};
use crate::sign::{
    HashAlgorithm, digest_info, rsa_public_key, rsa_public_key_from_spki, verify_pkcs1_raw,
};

/// An RSA public key as the 券面 applications store it: `90 <exponent> 91 <modulus>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardRsaKey {
    /// Public exponent, big-endian hex.
    pub exponent_hex: String,
    /// Modulus, big-endian hex.
    pub modulus_hex: String,
    /// Modulus size in bits.
    pub bits: usize,
    #[serde(skip)]
    key: RsaPublicKey,
}

impl CardRsaKey {
    /// Parses the value of a key TLV (`90 .. 91 ..`).
    pub fn parse(value: &[u8], what: &str) -> Result<Self> {
        let items = ber::children(value).map_err(|e| Error::malformed(what, e.to_string()))?;
        let e =
            ber::find(&items, 0x90).ok_or_else(|| Error::malformed(what, "no exponent (90)"))?;
        let n = ber::find(&items, 0x91).ok_or_else(|| Error::malformed(what, "no modulus (91)"))?;
        let key = rsa_public_key(n.value, e.value)
            .map_err(|err| Error::malformed(what, err.to_string()))?;
        let bits = rsa::traits::PublicKeyParts::size(&key) * 8;
        Ok(CardRsaKey {
            exponent_hex: hex::encode_upper(e.value),
            modulus_hex: hex::encode_upper(n.value),
            bits,
            key,
        })
    }

    /// The key.
    pub fn key(&self) -> &RsaPublicKey {
        &self.key
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    pub fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let di = digest_info(HashAlgorithm::Sha256, &Sha256::digest(message));
        verify_pkcs1_raw(&self.key, &di, signature)
    }
}

/// A parsed CV certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CvCertificate {
    /// Issuer key ID (16 bytes), hex.
    pub issuer_key_id: String,
    /// Issuer key ID as text where printable (`5000033…`).
    pub issuer_key_label: String,
    /// Subject key ID, hex.
    pub subject_key_id: String,
    /// Subject key ID as text where printable.
    pub subject_key_label: String,
    /// The subject's public key: the key that signs the application's records.
    pub public_key: CardRsaKey,
    /// The certificate bytes as read.
    #[serde(with = "crate::cert::hex_bytes")]
    pub raw: Vec<u8>,
    #[serde(skip)]
    body: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
}

fn label(id: &[u8]) -> String {
    id.iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect()
}

impl CvCertificate {
    /// Parses a CV certificate (filler after it is ignored): either the `7F21` template as
    /// the APs' EF `0004` hold it, or the template's content alone (`4D` header list, `5F4E`,
    /// `5F37`) as GET DATA returns the MF-level objects `00F8` and `7F21` (card-protocol §3.5,
    /// §9.3).
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "CV certificate";
        let first = ber::first(raw).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let (content, whole) = match first.tag {
            0x7F21 => (first.value, first.raw),
            0x4D | 0x5F4E => {
                // Content only: it ends where the signature (5F37) ends.
                let mut end = 0usize;
                let mut rest = raw;
                while let Ok(t) = ber::first(rest) {
                    end += t.raw.len();
                    rest = rest.get(t.raw.len()..).unwrap_or_default();
                    if t.tag == 0x5F37 {
                        break;
                    }
                }
                let content = raw.get(..end).unwrap_or_default();
                (content, content)
            }
            other => {
                return Err(Error::malformed(
                    WHAT,
                    format!("expected tag 7F21 (or its content), found {other:X}"),
                ));
            }
        };
        let items = ber::children(content).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let body =
            ber::find(&items, 0x5F4E).ok_or_else(|| Error::malformed(WHAT, "no body (5F4E)"))?;
        let sig = ber::find(&items, 0x5F37)
            .ok_or_else(|| Error::malformed(WHAT, "no signature (5F37)"))?;
        let (issuer, rest) = body
            .value
            .split_at_checked(16)
            .ok_or_else(|| Error::malformed(WHAT, "body shorter than the issuer key ID"))?;
        let (subject, key) = rest
            .split_at_checked(16)
            .ok_or_else(|| Error::malformed(WHAT, "body shorter than the subject key ID"))?;
        Ok(CvCertificate {
            issuer_key_id: hex::encode_upper(issuer),
            issuer_key_label: label(issuer),
            subject_key_id: hex::encode_upper(subject),
            subject_key_label: label(subject),
            public_key: CardRsaKey::parse(key, "CV certificate public key")?,
            raw: whole.to_vec(),
            body: body.value.to_vec(),
            signature: sig.value.to_vec(),
        })
    }

    /// Checks that `issuer` issued this certificate: its subject key ID is this
    /// certificate's issuer key ID (all 16 bytes) and its key verifies the signature. Used
    /// for the MF-level chain `00F8` → `7F21` (card-protocol §3.5), where the CA key of the
    /// second link is the subject key of the first.
    pub fn verify_issued_by(&self, issuer: &CvCertificate) -> CheckOutcome {
        if issuer.subject_key_id != self.issuer_key_id {
            return CheckOutcome::Failed {
                reason: format!(
                    "issued by {}, not by {}",
                    self.issuer_key_label, issuer.subject_key_label
                ),
            };
        }
        CheckOutcome::from_result(
            issuer.public_key.verify_sha256(&self.body, &self.signature),
            "CV certificate signature",
        )
    }

    /// Checks the certificate's signature with the CA key named by its issuer key ID.
    pub fn verify(&self, trust: &CvTrust) -> CheckOutcome {
        let Some(ca) = trust.find(&self.issuer_key_id) else {
            return CheckOutcome::NotChecked {
                reason: format!(
                    "no CV CA public key configured for issuer {} ({})",
                    self.issuer_key_label, self.issuer_key_id
                ),
            };
        };
        let di = digest_info(HashAlgorithm::Sha256, &Sha256::digest(&self.body));
        match verify_pkcs1_raw(&ca.key, &di, &self.signature) {
            Ok(()) => CheckOutcome::Verified,
            Err(_) => CheckOutcome::Failed {
                reason: format!(
                    "the CV certificate's signature does not verify under {}",
                    ca.label
                ),
            },
        }
    }
}

/// A CV CA public key.
#[derive(Clone, Debug)]
pub struct CvCaKey {
    /// Key ID (16 bytes), upper-case hex.
    pub key_id: String,
    /// A label.
    pub label: String,
    key: RsaPublicKey,
}

/// The CV CA keys a check accepts.
#[derive(Clone, Debug, Default)]
pub struct CvTrust {
    keys: Vec<CvCaKey>,
}

/// The production CV CA public keys (issuers `5000020`, `5000023`, `5000033`) in the key-list
/// format of [`CvTrust::add_key_list`]; provenance in the file's header (card-protocol §9.3).
pub const PRODUCTION_KEY_LIST: &str = include_str!("../data/cv-ca-production.txt");

/// Longest key list [`CvTrust::add_key_list`] accepts (bytes).
pub const MAX_KEY_LIST_LEN: usize = 256 * 1024;

impl CvTrust {
    /// The production J-LIS CV CA keys only.
    pub fn production() -> Result<Self> {
        let mut t = CvTrust::empty();
        t.add_key_list(PRODUCTION_KEY_LIST)?;
        Ok(t)
    }

    /// No key at all: every CV certificate check reports *not checked*.
    pub fn empty() -> Self {
        CvTrust::default()
    }

    /// The key IDs (upper-case hex) and labels of the keys held.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys
            .iter()
            .map(|k| (k.key_id.as_str(), k.label.as_str()))
    }

    fn insert(&mut self, key: CvCaKey) {
        self.keys.retain(|k| k.key_id != key.key_id);
        self.keys.push(key);
    }

    /// Adds a CA key (16-byte key ID, DER SubjectPublicKeyInfo); a key with the same ID
    /// is replaced.
    pub fn add(&mut self, key_id: &[u8], spki_der: &[u8], label: &str) -> Result<()> {
        check_key_id(key_id)?;
        self.insert(CvCaKey {
            key_id: hex::encode_upper(key_id),
            label: label.to_string(),
            key: rsa_public_key_from_spki(spki_der)?,
        });
        Ok(())
    }

    /// Adds a CA key given as modulus and exponent (big-endian bytes); a key with the same
    /// ID is replaced.
    pub fn add_modulus(
        &mut self,
        key_id: &[u8],
        modulus: &[u8],
        exponent: &[u8],
        label: &str,
    ) -> Result<()> {
        check_key_id(key_id)?;
        let key =
            rsa_public_key(modulus, exponent).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        self.insert(CvCaKey {
            key_id: hex::encode_upper(key_id),
            label: label.to_string(),
            key,
        });
        Ok(())
    }

    /// Adds every key of a key list and returns how many were added. The format, one key a
    /// line (blank lines and lines starting with `#` are ignored):
    ///
    /// ```text
    /// <16-byte key ID, hex> <modulus, hex> <public exponent, hex> <label ...>
    /// ```
    ///
    /// Nothing is added when any line is malformed; the error names the line.
    pub fn add_key_list(&mut self, text: &str) -> Result<usize> {
        if text.len() > MAX_KEY_LIST_LEN {
            return Err(Error::InvalidArgument(format!(
                "CV CA key list of {} bytes exceeds {MAX_KEY_LIST_LEN}",
                text.len()
            )));
        }
        let mut staged = CvTrust::empty();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let n = i.saturating_add(1);
            let bad = |why: &str| Error::InvalidArgument(format!("CV CA key list line {n}: {why}"));
            let mut parts = line.splitn(4, char::is_whitespace);
            let mut field = |name: &str| {
                parts
                    .next()
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| bad(&format!("missing {name}")))
            };
            let id = hex::decode(field("key ID")?).map_err(|_| bad("key ID is not hex"))?;
            let modulus = hex::decode(field("modulus")?).map_err(|_| bad("modulus is not hex"))?;
            let exponent =
                hex::decode(field("exponent")?).map_err(|_| bad("exponent is not hex"))?;
            let label = parts.next().map(str::trim).unwrap_or_default();
            if modulus.len() > 512 {
                return Err(bad("modulus longer than 4096 bits"));
            }
            let label = if label.is_empty() {
                hex::encode_upper(&id)
            } else {
                label.to_string()
            };
            staged
                .add_modulus(&id, &modulus, &exponent, &label)
                .map_err(|e| bad(&e.to_string()))?;
        }
        let added = staged.keys.len();
        for k in staged.keys {
            self.insert(k);
        }
        Ok(added)
    }

    fn find(&self, key_id_hex: &str) -> Option<&CvCaKey> {
        self.keys.iter().find(|k| k.key_id == key_id_hex)
    }
}

fn check_key_id(key_id: &[u8]) -> Result<()> {
    if key_id.len() == 16 {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "a CV key ID has 16 bytes, not {}",
            key_id.len()
        )))
    }
}

/// The outcome of one check: never a silent pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The check ran and passed.
    Verified,
    /// The check ran and failed.
    Failed {
        /// Why.
        reason: String,
    },
    /// The check could not run.
    NotChecked {
        /// Why (data not read under this credential, no CA key configured, …).
        reason: String,
    },
}

impl CheckOutcome {
    /// Whether the check passed.
    pub fn is_verified(&self) -> bool {
        matches!(self, CheckOutcome::Verified)
    }

    pub(crate) fn from_result(r: Result<()>, what: &str) -> Self {
        match r {
            Ok(()) => CheckOutcome::Verified,
            Err(e) => CheckOutcome::Failed {
                reason: format!("{what}: {e}"),
            },
        }
    }

    pub(crate) fn not_checked(reason: impl Into<String>) -> Self {
        CheckOutcome::NotChecked {
            reason: reason.into(),
        }
    }
}

/// A named check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// The outcome.
    pub outcome: CheckOutcome,
}

/// Every check made on data read from one application.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The checks, in the order they were made.
    pub checks: Vec<Check>,
}

impl Verification {
    pub(crate) fn push(&mut self, name: &str, outcome: CheckOutcome) {
        self.checks.push(Check {
            name: name.to_string(),
            outcome,
        });
    }

    /// Whether every check ran and passed.
    pub fn all_verified(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.outcome.is_verified())
    }

    /// Whether any check ran and failed.
    pub fn any_failed(&self) -> bool {
        self.checks
            .iter()
            .any(|c| matches!(c.outcome, CheckOutcome::Failed { .. }))
    }

    /// Whether nothing failed and the CV certificate was checked against a configured CV
    /// CA key ([`CV_CHAIN_CHECK`] verified). Without the latter, a record "verified" with
    /// the CV certificate's key proves nothing: anyone can make such a certificate.
    pub fn chained_and_nothing_failed(&self) -> bool {
        !self.any_failed()
            && self
                .outcome(CV_CHAIN_CHECK)
                .is_some_and(CheckOutcome::is_verified)
    }

    /// The outcome of a check by name.
    pub fn outcome(&self, name: &str) -> Option<&CheckOutcome> {
        self.checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.outcome)
    }
}

/// The name of the check of a CV certificate against the CV CA keys (both 券面 APs).
pub const CV_CHAIN_CHECK: &str = "CV certificate signed by the CV CA";

/// A live challenge answered by the card's own key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LivenessProof {
    /// The challenge (from GET CHALLENGE or the caller's server).
    #[serde(with = "crate::cert::hex_bytes")]
    pub challenge: Vec<u8>,
    /// Whether the challenge came from the card (GET CHALLENGE) rather than the caller.
    pub challenge_from_card: bool,
    /// The card's signature over SHA-256(challenge).
    #[serde(with = "crate::cert::hex_bytes")]
    pub signature: Vec<u8>,
    /// The check of the signature with the card key, and of that key's provenance.
    pub verification: Verification,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of each production modulus, computed outside MynaKit (Python `hashlib`) from
    /// the values published in myna-card 3.3.4 `src/ca.rs`.
    const FINGERPRINTS: &[(&str, &str)] = &[
        (
            "353030303032300805303031000000A8",
            "318ab4a79346bbd993d36d31a4d766f02a239f36b10bc323458242130f927a97",
        ),
        (
            "35303030303233080530303100000000",
            "bb96cc1dc6502005661961f0a45ed843d007c69e3ce167eceb6b1abd5333a932",
        ),
        (
            "35303030303333080530303100000000",
            "409655d477547d83cbe182385acb1ea83c9828eb6e5b8bba90957c339b5f30f7",
        ),
    ];

    #[test]
    fn production_keys_match_their_pinned_fingerprints() {
        let trust = CvTrust::production().expect("built-in list parses");
        assert_eq!(trust.keys.len(), FINGERPRINTS.len());
        for (id, fp) in FINGERPRINTS {
            let key = trust.find(id).expect("production key present");
            let n = rsa::traits::PublicKeyParts::n(&key.key).to_be_bytes();
            let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
            assert_eq!(n.len(), 256, "{id} is RSA-2048");
            assert_eq!(hex::encode(Sha256::digest(&n)), *fp, "{id}");
            let e = rsa::traits::PublicKeyParts::e(&key.key).to_be_bytes();
            let e: Vec<u8> = e.iter().copied().skip_while(|b| *b == 0).collect();
            assert_eq!(e, vec![1, 0, 1]);
        }
    }

    #[test]
    fn cv_certificate_forms_and_malformed_input() {
        // Content-only form without a body or signature, an unknown first tag, nothing.
        for bad in [
            &[0x4D, 0x00][..],
            &[0x30, 0x00],
            &[],
            &[0x7F, 0x21, 0x05, 0x5F],
        ] {
            assert!(
                matches!(CvCertificate::parse(bad), Err(Error::MalformedData { .. })),
                "{bad:02X?}"
            );
        }
    }

    #[test]
    fn key_list_errors_name_the_line_and_add_nothing() {
        let mut t = CvTrust::empty();
        let good = PRODUCTION_KEY_LIST
            .lines()
            .find(|l| !l.starts_with('#'))
            .expect("a key");
        for (text, want) in [
            (format!("{good}\nZZ 00 01"), "line 2: key ID is not hex"),
            (format!("# c\n\n{good}\n00 0101 010001"), "line 4"),
            ("0011".to_string(), "line 1: missing modulus"),
        ] {
            let err = t.add_key_list(&text).expect_err(&text).to_string();
            assert!(err.contains(want), "{err}");
            assert_eq!(t.keys.len(), 0);
        }
        assert!(t.add_key_list(&"#".repeat(MAX_KEY_LIST_LEN + 1)).is_err());
    }

    #[test]
    fn adding_a_key_with_the_same_id_replaces_it() {
        let mut t = CvTrust::production().expect("production");
        let line = PRODUCTION_KEY_LIST
            .lines()
            .rfind(|l| !l.starts_with('#'))
            .expect("a key");
        let id = line.split(' ').next().expect("id");
        let relabelled = format!(
            "{} {} {} replaced",
            id,
            line.split(' ').nth(1).expect("n"),
            "010001"
        );
        assert_eq!(t.add_key_list(&relabelled).expect("adds"), 1);
        assert_eq!(t.keys.len(), 3);
        assert_eq!(t.find(id).expect("present").label, "replaced");
    }
}
