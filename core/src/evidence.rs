//! Evidence bundles: what the phone sends to the bank's server so that the server can
//! re-check an identity verification itself (issue 12; schema in `docs/server.md` and
//! `docs/evidence.schema.json`).
//!
//! A bundle carries the **raw card bytes** (certificates and EFs exactly as read, card
//! signatures exactly as returned) and the server's nonce. It carries no verdict the server
//! has to believe: `phone_verified` is informational only, and a verifier (crate
//! `mynakit-server`) re-checks every signature, digest and certificate from the bytes.
//!
//! Four methods:
//!
//! | `method` | 犯収法 | what the card signed |
//! |---|---|---|
//! | `jpki_login` | JPKI user authentication | the nonce, with the user-authentication key (card-protocol §10, §11) |
//! | `jpki_sign` (ワ) | signing certificate + signature | [`jpki_sign_message`]: the nonce and the data to sign, with the signing key |
//! | `chip_read` (ヘ) | chip data + photo | each AP's card key signs [`liveness_challenge`]: the nonce and a digest of every EF in the bundle (card-protocol §9) |
//! | `face_to_face` (対面) | chip read in person | as `chip_read` for 券面AP alone, or a minimal-retention record |
//!
//! The liveness challenge of `chip_read` and `face_to_face` commits to every EF of the
//! bundle, not only to the nonce. Fields the card's issuer does not sign (the offset
//! tables, the card-face expiry and security-code image, §9.2) are thereby covered by the
//! card key's signature too: the card signed a challenge computed from exactly these bytes
//! after they were read. (The phone computes that challenge, so the commitment proves the
//! bytes were not changed after the card signed, not that the card's issuer vouches for
//! them.)

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::card::Card;
use crate::credential::Secret;
use crate::error::{Error, Result};
use crate::face::{CardFront, FaceUnlock};
use crate::jpki::{JpkiKey, JpkiSignature};
use crate::sign::{HashAlgorithm, SignInput};
use crate::text::TextUnlock;
use crate::transport::Transport;

/// The value of `format` in every bundle.
pub const FORMAT: &str = "mynakit-evidence";
/// The bundle version this code writes and reads.
pub const VERSION: u32 = 1;
/// Shortest server nonce accepted (bytes).
pub const MIN_NONCE_LEN: usize = 16;
/// Longest server nonce accepted (bytes). With the 32-byte transcript digest the liveness
/// challenge stays within the 200 bytes the card-key signing accepts.
pub const MAX_NONCE_LEN: usize = 64;
/// Largest raw EF or certificate accepted in a bundle (bytes).
pub const MAX_EF_LEN: usize = 128 * 1024;
/// Largest data-to-sign of a `jpki_sign` bundle (bytes).
pub const MAX_SIGNED_DATA_LEN: usize = 64 * 1024;
/// Largest serialised bundle a reader should accept (bytes).
pub const MAX_BUNDLE_LEN: usize = 1024 * 1024;

/// Strict upper-case hex for byte fields: one spelling per value, so that a changed
/// character is always a changed value or an error.
pub mod hex_upper {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes upper-case hex.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode_upper(v))
    }

    /// Reads upper-case hex only.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<u8>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        decode(&s).map_err(serde::de::Error::custom)
    }

    pub(crate) fn decode(s: &str) -> Result<Vec<u8>, String> {
        if s.len() > 2 * super::MAX_BUNDLE_LEN {
            return Err("hex field too long".into());
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        {
            return Err("hex fields use 0-9 and A-F only".into());
        }
        hex::decode(s).map_err(|e| format!("bad hex: {e}"))
    }
}

/// Optional byte fields in strict upper-case hex.
pub mod opt_hex_upper {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes upper-case hex (or null).
    pub fn serialize<S: Serializer>(
        v: &Option<Vec<u8>>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&hex::encode_upper(b)),
            None => s.serialize_none(),
        }
    }

    /// Reads upper-case hex (or null).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<Vec<u8>>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.map(|s| super::hex_upper::decode(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// An evidence bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The server's nonce as the phone used it. The verifier compares it with the nonce it
    /// issued and checks every signature over *its own* nonce.
    #[serde(with = "hex_upper")]
    pub nonce: Vec<u8>,
    /// Whether the phone's own checks passed. Informational only: never trusted.
    pub phone_verified: Option<bool>,
    /// The method and its card data.
    pub evidence: MethodEvidence,
}

/// The method-specific part of a bundle (`evidence.method` names it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum MethodEvidence {
    /// JPKI user authentication: the auth certificate and its signature over the nonce.
    JpkiLogin(JpkiLoginEvidence),
    /// ワ: the signing certificate and its signature over [`jpki_sign_message`].
    JpkiSign(JpkiSignEvidence),
    /// ヘ: 券面事項入力補助AP and/or 券面AP records with card-key liveness.
    ChipRead(ChipReadEvidence),
    /// 対面: the card face as read, or a minimal-retention record.
    FaceToFace(FaceToFaceEvidence),
}

impl MethodEvidence {
    /// The method's name as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            MethodEvidence::JpkiLogin(_) => "jpki_login",
            MethodEvidence::JpkiSign(_) => "jpki_sign",
            MethodEvidence::ChipRead(_) => "chip_read",
            MethodEvidence::FaceToFace(_) => "face_to_face",
        }
    }
}

/// Hash algorithms a bundle may name (SHA-1 is not accepted in evidence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl EvidenceHash {
    /// The core's algorithm.
    pub fn algorithm(self) -> HashAlgorithm {
        match self {
            EvidenceHash::Sha256 => HashAlgorithm::Sha256,
            EvidenceHash::Sha384 => HashAlgorithm::Sha384,
            EvidenceHash::Sha512 => HashAlgorithm::Sha512,
        }
    }

    fn from_algorithm(h: HashAlgorithm) -> Result<Self> {
        match h {
            HashAlgorithm::Sha256 => Ok(EvidenceHash::Sha256),
            HashAlgorithm::Sha384 => Ok(EvidenceHash::Sha384),
            HashAlgorithm::Sha512 => Ok(EvidenceHash::Sha512),
            HashAlgorithm::Sha1 => Err(Error::InvalidArgument(
                "SHA-1 signatures are not accepted as evidence".into(),
            )),
        }
    }
}

/// `jpki_login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JpkiLoginEvidence {
    /// The user-authentication certificate (DER, as read from EF `000A`).
    #[serde(with = "hex_upper")]
    pub certificate: Vec<u8>,
    /// The hash the signed DigestInfo uses.
    pub hash: EvidenceHash,
    /// RSASSA-PKCS1-v1_5 signature over the nonce.
    #[serde(with = "hex_upper")]
    pub signature: Vec<u8>,
}

/// `jpki_sign` (ワ).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JpkiSignEvidence {
    /// The signing certificate (DER, as read from EF `0001`).
    #[serde(with = "hex_upper")]
    pub certificate: Vec<u8>,
    /// The data the user signed (for example a digest of the account-opening form).
    #[serde(with = "hex_upper")]
    pub data: Vec<u8>,
    /// The hash the signed DigestInfo uses.
    pub hash: EvidenceHash,
    /// RSASSA-PKCS1-v1_5 signature over [`jpki_sign_message`]`(nonce, data)`.
    #[serde(with = "hex_upper")]
    pub signature: Vec<u8>,
}

/// `chip_read` (ヘ): at least one of the two APs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipReadEvidence {
    /// 券面事項入力補助AP.
    pub text: Option<TextApEvidence>,
    /// 券面AP (the card face carries the photo for face matching, field `DF27`).
    pub face: Option<FaceApEvidence>,
}

/// 券面事項入力補助AP records as read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextApEvidence {
    /// The credential presented.
    pub unlocked_with: TextUnlock,
    /// EF `0001` (17 bytes as read), when My Number was read.
    #[serde(with = "opt_hex_upper")]
    pub my_number: Option<Vec<u8>>,
    /// EF `0002` (the `FF20` TLV), when the four attributes were read.
    #[serde(with = "opt_hex_upper")]
    pub attributes: Option<Vec<u8>>,
    /// EF `0003`, the integrity record.
    #[serde(with = "hex_upper")]
    pub integrity: Vec<u8>,
    /// EF `0004`, the AP's CV certificate.
    #[serde(with = "hex_upper")]
    pub cv_certificate: Vec<u8>,
    /// EF `0007`, the card key signed by the AP key.
    #[serde(with = "hex_upper")]
    pub signed_card_key: Vec<u8>,
    /// The card key's signature over the text-AP liveness challenge.
    #[serde(with = "hex_upper")]
    pub liveness_signature: Vec<u8>,
}

/// 券面AP records as read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceApEvidence {
    /// The credential presented.
    pub unlocked_with: FaceUnlock,
    /// EF `0002`, the card face (照合番号A or B).
    #[serde(with = "opt_hex_upper")]
    pub front: Option<Vec<u8>>,
    /// EF `0005`, the My Number image (照合番号A).
    #[serde(with = "opt_hex_upper")]
    pub my_number_image: Option<Vec<u8>>,
    /// EF `0001`, the age record (birth-date key).
    #[serde(with = "opt_hex_upper")]
    pub age: Option<Vec<u8>>,
    /// EF `0004`, the AP's CV certificate.
    #[serde(with = "hex_upper")]
    pub cv_certificate: Vec<u8>,
    /// The card key's signature over the face-AP liveness challenge.
    #[serde(with = "hex_upper")]
    pub liveness_signature: Vec<u8>,
}

/// `face_to_face` (対面).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "retention", rename_all = "snake_case")]
pub enum FaceToFaceEvidence {
    /// The card face as read, verifiable like `chip_read`'s 券面AP part.
    Full(FaceApEvidence),
    /// Minimal retention: only what the record needs. Nothing in it is signed by the card,
    /// so a verifier can check its form only.
    Minimal(MinimalFaceRecord),
}

/// The minimal-retention record of a face-to-face check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinimalFaceRecord {
    /// When the chip was read (RFC 3339, UTC).
    pub read_at: String,
    /// The card's expiry year (from the card face, `DF29`).
    pub expiry_year: u16,
    /// The 4-digit security code printed on the card.
    pub security_code: String,
}

/// The message the ワ signing key signs: `"mynakit-evidence/1 jpki_sign" 00 ‖ len(nonce)
/// (1 byte) ‖ nonce ‖ data`. Domain-separated, so that no other protocol's signature over
/// a nonce can be replayed as consent to `data`.
pub fn jpki_sign_message(nonce: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    check_nonce(nonce)?;
    let mut m = b"mynakit-evidence/1 jpki_sign\0".to_vec();
    m.push(u8::try_from(nonce.len()).map_err(|_| Error::InvalidArgument("nonce".into()))?);
    m.extend_from_slice(nonce);
    m.extend_from_slice(data);
    Ok(m)
}

/// Which AP a liveness challenge is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessAp {
    /// 券面事項入力補助AP: the transcript covers the text AP's fields.
    Text,
    /// 券面AP: the transcript covers the text AP's fields (when present) and the face
    /// AP's, binding both reads to one session.
    Face,
}

fn push_item(t: &mut Vec<u8>, label: &str, value: Option<&[u8]>) {
    t.extend_from_slice(label.as_bytes());
    t.push(0);
    match value {
        Some(v) => {
            t.extend_from_slice(&u32::try_from(v.len()).unwrap_or(u32::MAX).to_be_bytes());
            t.extend_from_slice(v);
        }
        None => t.extend_from_slice(&[0xFF; 4]),
    }
}

fn text_unlock_name(u: TextUnlock) -> &'static str {
    match u {
        TextUnlock::Pin => "pin",
        TextUnlock::CodeA => "code_a",
        TextUnlock::CodeB => "code_b",
    }
}

fn face_unlock_name(u: FaceUnlock) -> &'static str {
    match u {
        FaceUnlock::CodeA => "code_a",
        FaceUnlock::CodeB => "code_b",
        FaceUnlock::BirthKey => "birth_key",
    }
}

fn text_transcript(t: &mut Vec<u8>, e: &TextApEvidence) {
    push_item(
        t,
        "text.unlocked_with",
        Some(text_unlock_name(e.unlocked_with).as_bytes()),
    );
    push_item(t, "text.my_number", e.my_number.as_deref());
    push_item(t, "text.attributes", e.attributes.as_deref());
    push_item(t, "text.integrity", Some(&e.integrity));
    push_item(t, "text.cv_certificate", Some(&e.cv_certificate));
    push_item(t, "text.signed_card_key", Some(&e.signed_card_key));
}

fn face_transcript(t: &mut Vec<u8>, e: &FaceApEvidence) {
    push_item(
        t,
        "face.unlocked_with",
        Some(face_unlock_name(e.unlocked_with).as_bytes()),
    );
    push_item(t, "face.front", e.front.as_deref());
    push_item(t, "face.my_number_image", e.my_number_image.as_deref());
    push_item(t, "face.age", e.age.as_deref());
    push_item(t, "face.cv_certificate", Some(&e.cv_certificate));
}

/// The challenge an AP's card key signs in `chip_read` / `face_to_face` evidence:
/// `nonce ‖ SHA-256(transcript)`, where the transcript is `"mynakit-evidence/1 liveness"
/// 00 ‖ method 00 ‖ AP 00` followed, for each field in a fixed order, by `label 00 ‖
/// u32 length (FFFFFFFF when absent) ‖ bytes`. The text AP's challenge covers its own
/// fields; the face AP's covers the text AP's fields (when present) and its own. The
/// liveness signatures are not part of any transcript. See `docs/server.md`.
pub fn liveness_challenge(
    nonce: &[u8],
    method: &str,
    ap: LivenessAp,
    text: Option<&TextApEvidence>,
    face: Option<&FaceApEvidence>,
) -> Result<Vec<u8>> {
    check_nonce(nonce)?;
    let mut t = b"mynakit-evidence/1 liveness\0".to_vec();
    t.extend_from_slice(method.as_bytes());
    t.push(0);
    match ap {
        LivenessAp::Text => {
            t.extend_from_slice(b"text\0");
            let text = text.ok_or_else(|| Error::InvalidArgument("no text AP data".into()))?;
            text_transcript(&mut t, text);
        }
        LivenessAp::Face => {
            t.extend_from_slice(b"face\0");
            if let Some(text) = text {
                text_transcript(&mut t, text);
            }
            let face = face.ok_or_else(|| Error::InvalidArgument("no face AP data".into()))?;
            face_transcript(&mut t, face);
        }
    }
    let mut c = nonce.to_vec();
    c.extend_from_slice(&Sha256::digest(&t));
    Ok(c)
}

pub(crate) fn check_nonce(nonce: &[u8]) -> Result<()> {
    if (MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len()) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "a server nonce of {} bytes; use {MIN_NONCE_LEN} to {MAX_NONCE_LEN}",
            nonce.len()
        )))
    }
}

impl Evidence {
    pub(crate) fn new(
        nonce: &[u8],
        evidence: MethodEvidence,
        phone_verified: Option<bool>,
    ) -> Result<Self> {
        check_nonce(nonce)?;
        Ok(Evidence {
            format: FORMAT.into(),
            version: VERSION,
            nonce: nonce.to_vec(),
            phone_verified,
            evidence,
        })
    }

    /// The input to sign for a `jpki_login` bundle: the nonce itself.
    pub fn login_sign_input(nonce: &[u8], hash: HashAlgorithm) -> Result<SignInput> {
        check_nonce(nonce)?;
        EvidenceHash::from_algorithm(hash)?;
        Ok(SignInput::Message {
            hash,
            data: nonce.to_vec(),
        })
    }

    /// The input to sign for a `jpki_sign` bundle: [`jpki_sign_message`].
    pub fn sign_sign_input(nonce: &[u8], data: &[u8], hash: HashAlgorithm) -> Result<SignInput> {
        EvidenceHash::from_algorithm(hash)?;
        Ok(SignInput::Message {
            hash,
            data: jpki_sign_message(nonce, data)?,
        })
    }

    /// A `jpki_login` bundle from the result of [`crate::jpki::Jpki::sign`] with the
    /// authentication key over [`Evidence::login_sign_input`] (made with
    /// `include_certificate`). `phone_verified` records the phone's own check.
    pub fn jpki_login(nonce: &[u8], sig: &JpkiSignature) -> Result<Self> {
        let (certificate, hash) = signature_parts(sig, JpkiKey::Auth)?;
        let phone_verified = Some(sig.verify_with_certificate().is_ok());
        Evidence::new(
            nonce,
            MethodEvidence::JpkiLogin(JpkiLoginEvidence {
                certificate,
                hash,
                signature: sig.signature.clone(),
            }),
            phone_verified,
        )
    }

    /// A `jpki_sign` (ワ) bundle from the result of [`crate::jpki::Jpki::sign`] with the
    /// signing key over [`Evidence::sign_sign_input`] (made with `include_certificate`).
    pub fn jpki_sign(nonce: &[u8], data: &[u8], sig: &JpkiSignature) -> Result<Self> {
        if data.len() > MAX_SIGNED_DATA_LEN {
            return Err(Error::InvalidArgument(format!(
                "{} bytes of data to sign; at most {MAX_SIGNED_DATA_LEN}",
                data.len()
            )));
        }
        let (certificate, hash) = signature_parts(sig, JpkiKey::Sign)?;
        let phone_verified = Some(sig.verify_with_certificate().is_ok());
        Evidence::new(
            nonce,
            MethodEvidence::JpkiSign(JpkiSignEvidence {
                certificate,
                data: data.to_vec(),
                hash,
                signature: sig.signature.clone(),
            }),
            phone_verified,
        )
    }

    /// Serialises the bundle as JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::InvalidArgument(format!("evidence to JSON: {e}")))
    }

    /// Reads a bundle (size-bounded; format and version checked).
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_BUNDLE_LEN {
            return Err(Error::malformed(
                "evidence bundle",
                format!("{} bytes; at most {MAX_BUNDLE_LEN}", bytes.len()),
            ));
        }
        let e: Evidence = serde_json::from_slice(bytes)
            .map_err(|err| Error::malformed("evidence bundle", err.to_string()))?;
        if e.format != FORMAT || e.version != VERSION {
            return Err(Error::malformed(
                "evidence bundle",
                format!(
                    "format {} version {}; this reader knows {FORMAT} version {VERSION}",
                    e.format, e.version
                ),
            ));
        }
        Ok(e)
    }

    /// The minimal-retention form of a `face_to_face` bundle: read time, expiry year (from
    /// the card face) and the security code the holder gave. Fails for other methods.
    pub fn minimal_face_to_face(&self, read_at: &str, security_code: &Secret) -> Result<Self> {
        let MethodEvidence::FaceToFace(FaceToFaceEvidence::Full(face)) = &self.evidence else {
            return Err(Error::InvalidArgument(
                "only a full face_to_face bundle has a minimal form".into(),
            ));
        };
        let front = face
            .front
            .as_deref()
            .ok_or_else(|| Error::InvalidArgument("the card face was not read".into()))?;
        let expiry_year = CardFront::parse(front)?
            .expiry
            .map(|d| d.year)
            .ok_or_else(|| Error::malformed("card face", "no valid expiry date"))?;
        let code = security_code.expose();
        if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidArgument(
                "the security code has 4 digits".into(),
            ));
        }
        Ok(Evidence {
            evidence: MethodEvidence::FaceToFace(FaceToFaceEvidence::Minimal(MinimalFaceRecord {
                read_at: read_at.to_string(),
                expiry_year,
                security_code: code.to_string(),
            })),
            phone_verified: None,
            ..self.clone()
        })
    }
}

fn signature_parts(sig: &JpkiSignature, want: JpkiKey) -> Result<(Vec<u8>, EvidenceHash)> {
    if sig.key != want {
        return Err(Error::InvalidArgument(format!(
            "a signature with the {:?} key where the {want:?} key is needed",
            sig.key
        )));
    }
    let cert = sig.certificate.as_ref().ok_or_else(|| {
        Error::InvalidArgument("sign with include_certificate to build evidence".into())
    })?;
    Ok((cert.der.clone(), EvidenceHash::from_algorithm(sig.hash)?))
}

/// What to read for a `chip_read` bundle.
pub struct ChipReadRequest<'a> {
    /// Read the text AP with this credential.
    pub text: Option<(TextUnlock, &'a Secret)>,
    /// Include My Number (EF `0001`) when the text credential opens it. 犯収法 checks do
    /// not need it; leave it out unless the bank must collect it.
    pub include_my_number: bool,
    /// Read 券面AP with this credential.
    pub face: Option<(FaceUnlock, &'a Secret)>,
    /// Present credentials even at or below the retry floor.
    pub allow_below_floor: bool,
}

/// Reads a `chip_read` (ヘ) bundle from the card: the raw EFs each credential opens, then
/// each AP's card key signs its [`liveness_challenge`] (one VERIFY per AP, as the flows
/// do; never a second one). `phone_verified` is what the phone's own checks said under
/// `trust` ([`crate::text::verify_text`], [`crate::face::verify_face`], liveness). The card
/// sequence is [`crate::flows::chip_read`].
pub fn read_chip<T: Transport>(
    card: &mut Card<T>,
    nonce: &[u8],
    request: &ChipReadRequest<'_>,
    trust: &crate::cv::CvTrust,
) -> Result<Evidence> {
    crate::flows::chip_read(card, nonce, request, trust)
}

/// Reads a full `face_to_face` (対面) bundle: the card face under 照合番号A or B, the CV
/// certificate, and the card key's signature over the [`liveness_challenge`]. The card
/// sequence is [`crate::flows::face_to_face`].
pub fn read_face_to_face<T: Transport>(
    card: &mut Card<T>,
    nonce: &[u8],
    how: FaceUnlock,
    secret: &Secret,
    allow_below_floor: bool,
    trust: &crate::cv::CvTrust,
) -> Result<Evidence> {
    crate::flows::face_to_face(card, nonce, how, secret, allow_below_floor, trust)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nonce() -> Vec<u8> {
        (0u8..16).collect()
    }

    // Expected values computed independently with Python's hashlib/struct from the layout
    // documented on `liveness_challenge` and `jpki_sign_message` (docs/server.md).
    #[test]
    fn liveness_challenge_known_answer() {
        let text = TextApEvidence {
            unlocked_with: TextUnlock::CodeB,
            my_number: None,
            attributes: Some(vec![1, 2]),
            integrity: vec![3],
            cv_certificate: vec![4],
            signed_card_key: vec![5],
            liveness_signature: vec![0xAA],
        };
        let face = FaceApEvidence {
            unlocked_with: FaceUnlock::CodeB,
            front: Some(vec![6]),
            my_number_image: None,
            age: None,
            cv_certificate: vec![7],
            liveness_signature: vec![0xBB],
        };
        let c = liveness_challenge(
            &nonce(),
            "chip_read",
            LivenessAp::Face,
            Some(&text),
            Some(&face),
        );
        assert_eq!(
            c.map(hex::encode_upper).ok().as_deref(),
            Some(
                "000102030405060708090A0B0C0D0E0FB357720D925052FB2224D4317E1FF9612F90EC01D28276505902F66ED2060A2A"
            )
        );
        // The signatures are not part of the transcript; every field is.
        let mut other = face.clone();
        other.liveness_signature = vec![0xCC];
        let again = liveness_challenge(
            &nonce(),
            "chip_read",
            LivenessAp::Face,
            Some(&text),
            Some(&other),
        );
        assert_eq!(
            again.ok(),
            liveness_challenge(
                &nonce(),
                "chip_read",
                LivenessAp::Face,
                Some(&text),
                Some(&face)
            )
            .ok()
        );
        let mut other = face.clone();
        other.front = Some(vec![6, 0]);
        assert_ne!(
            liveness_challenge(
                &nonce(),
                "chip_read",
                LivenessAp::Face,
                Some(&text),
                Some(&other)
            )
            .ok(),
            liveness_challenge(
                &nonce(),
                "chip_read",
                LivenessAp::Face,
                Some(&text),
                Some(&face)
            )
            .ok()
        );
        assert!(
            liveness_challenge(&[0; 15], "chip_read", LivenessAp::Text, Some(&text), None).is_err()
        );
        assert!(
            liveness_challenge(&[0; 65], "chip_read", LivenessAp::Text, Some(&text), None).is_err()
        );
    }

    #[test]
    fn jpki_sign_message_known_answer() {
        assert_eq!(
            jpki_sign_message(&nonce(), b"data")
                .map(hex::encode_upper)
                .ok()
                .as_deref(),
            Some(
                "6D796E616B69742D65766964656E63652F31206A706B695F7369676E0010000102030405060708090A0B0C0D0E0F64617461"
            )
        );
    }

    #[test]
    fn hex_fields_are_strict() {
        assert!(hex_upper::decode("0A1B").is_ok());
        assert!(hex_upper::decode("0a1b").is_err());
        assert!(hex_upper::decode("0A1").is_err());
        assert!(hex_upper::decode(" 0A").is_err());
    }
}
