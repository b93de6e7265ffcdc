//! 券面事項入力補助AP ("text AP"): My Number and the four attributes as text, the
//! integrity record and the AP's CV certificate, and a live challenge answered by the
//! AP's own key (card-protocol §3.2, §8).
//!
//! Unlocking: the 4-digit PIN opens everything; 照合番号A (the My Number itself) only the My
//! Number; 照合番号B only the four attributes. Both 照合番号 open the integrity record.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::aid;
use crate::apdu::Status;
use crate::ber;
use crate::card::{Card, Ef, unexpected};
use crate::cert::Sex;
use crate::commands;
use crate::credential::{Credential, Secret};
use crate::cv::{CardRsaKey, CheckOutcome, CvCertificate, CvTrust, LivenessProof, Verification};
use crate::era::Date;
use crate::error::{Error, Result};
use crate::sign::{HashAlgorithm, digest_info};
use crate::transport::Transport;

/// EFs of the text AP.
pub mod ef {
    use super::*;

    /// EF `0001`: My Number (`FF10`), 17 bytes physical.
    pub const MY_NUMBER: Ef = Ef {
        aid: aid::TEXT,
        fid: 0x0001,
        what: "My Number (入力補助AP EF 0001)",
        unlock: Some(Credential::TextPin),
    };
    /// EF `0002`: the four attributes (`FF20`).
    pub const ATTRIBUTES: Ef = Ef {
        aid: aid::TEXT,
        fid: 0x0002,
        what: "four attributes (入力補助AP EF 0002)",
        unlock: Some(Credential::TextPin),
    };
    /// EF `0003`: integrity record (`FF30`).
    pub const INTEGRITY: Ef = Ef {
        aid: aid::TEXT,
        fid: 0x0003,
        what: "integrity record (入力補助AP EF 0003)",
        unlock: Some(Credential::TextPin),
    };
    /// EF `0004`: the AP's CV certificate (free).
    pub const CV_CERT: Ef = Ef {
        aid: aid::TEXT,
        fid: 0x0004,
        what: "CV certificate (入力補助AP EF 0004)",
        unlock: None,
    };
    /// EF `0007`: the AP's signed public key (`FF50`).
    pub const SIGNED_KEY: Ef = Ef {
        aid: aid::TEXT,
        fid: 0x0007,
        what: "signed public key (入力補助AP EF 0007)",
        unlock: Some(Credential::TextPin),
    };
}

/// Physical size of EF `0001` (card-protocol §3.2, \[C\]); its digest covers all of it.
pub const MY_NUMBER_EF_LEN: usize = 17;

/// How the text AP is unlocked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextUnlock {
    /// The 4-digit PIN: everything.
    Pin,
    /// 照合番号A (the 12-digit My Number): My Number only.
    CodeA,
    /// 照合番号B (14 digits): the four attributes only.
    CodeB,
}

impl TextUnlock {
    /// The credential presented.
    pub fn credential(self) -> Credential {
        match self {
            TextUnlock::Pin => Credential::TextPin,
            TextUnlock::CodeA => Credential::TextCodeA,
            TextUnlock::CodeB => Credential::TextCodeB,
        }
    }
}

/// The My Number record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MyNumberRecord {
    /// The 12 digits.
    pub my_number: String,
    /// Whether the check digit is right.
    pub check_digit_valid: bool,
    /// The EF's physical bytes (the integrity digest covers them), hex.
    pub raw_hex: String,
}

impl MyNumberRecord {
    /// Parses EF `0001` (physical bytes: `FF10 0C` + 12 digits + filler).
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "My Number record";
        let (_, t) = locate_record(raw, 0xFF10, false, WHAT)?;
        if t.value.len() != 12 || !t.value.iter().all(u8::is_ascii_digit) {
            return Err(Error::malformed(
                WHAT,
                format!("expected 12 ASCII digits, found {} bytes", t.value.len()),
            ));
        }
        let my_number = String::from_utf8_lossy(t.value).into_owned();
        Ok(MyNumberRecord {
            check_digit_valid: crate::mynumber::is_valid(&my_number),
            my_number,
            raw_hex: hex::encode_upper(raw),
        })
    }
}

/// Whether the offset table of a record agrees with where its fields really are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum OffsetCheck {
    /// Every offset points at its field.
    Consistent,
    /// The table disagrees with the layout (the fields were read by tag anyway).
    Inconsistent {
        /// Which entries differ.
        details: String,
    },
}

/// Checks an offset table (`DF21`: big-endian u16 offsets from the start of the file)
/// against the actual file positions of the fields.
pub(crate) fn check_offsets(table: &[u8], actual: &[usize]) -> OffsetCheck {
    let listed: Vec<usize> = table
        .chunks(2)
        .map(|c| match c {
            [a, b] => usize::from(u16::from_be_bytes([*a, *b])),
            _ => usize::MAX,
        })
        .collect();
    if listed.len() != actual.len() {
        return OffsetCheck::Inconsistent {
            details: format!(
                "{} offsets listed for {} fields",
                listed.len(),
                actual.len()
            ),
        };
    }
    let bad: Vec<String> = listed
        .iter()
        .zip(actual)
        .enumerate()
        .filter(|(_, (l, a))| l != a)
        .map(|(i, (l, a))| format!("entry {i}: {l} listed, field at {a}"))
        .collect();
    if bad.is_empty() {
        OffsetCheck::Consistent
    } else {
        OffsetCheck::Inconsistent {
            details: bad.join("; "),
        }
    }
}

/// Most bytes MynaKit accepts in an EF before its record's tag. Cards issued around 2023 are
/// reported to carry 2 bytes before `FF20` in 入力補助 EF `0002` (card-protocol §3.2, §12
/// "Layout by issue year", \[U\]); the test card has none \[R\].
pub const MAX_LEADING_BYTES: usize = 16;

/// Largest record MynaKit reads when it has to look for the tag itself (the READ BINARY
/// offset range, card-protocol §6).
const MAX_LOCATED_RECORD: usize = 0x8000;

/// What a record's offset table (`DF21`) counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetBase {
    /// The first byte of the EF (card-protocol §3.2; the same as the record's tag when
    /// nothing precedes it, as on the test card).
    FileStart,
    /// The record's own tag, bytes before it not counted.
    RecordStart,
}

/// Where a record sits in its EF, and what its offset table counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RecordLayout {
    /// Bytes in the EF before the record's tag (0 on every card seen so far).
    pub leading_bytes: usize,
    /// What the offset table counts from, when it agrees with the layout under exactly one
    /// reading; `None` when it agrees with neither (the fields are read by tag anyway).
    pub offsets_from: Option<OffsetBase>,
}

impl RecordLayout {
    /// Whether the record starts the EF (then there is nothing worth reporting).
    pub fn starts_the_file(&self) -> bool {
        self.leading_bytes == 0
    }
}

/// Finds the record `tag` in the bytes of an EF: at offset 0, or else after at most
/// [`MAX_LEADING_BYTES`] bytes. A candidate must be a complete TLV with that tag whose value
/// splits into TLVs (unless `nested` is false: the My Number record holds digits); with bytes
/// before the tag, exactly one offset may qualify. Returns the offset and the record.
pub(crate) fn locate_record<'a>(
    raw: &'a [u8],
    tag: u32,
    nested: bool,
    what: &str,
) -> Result<(usize, ber::Tlv<'a>)> {
    let at = |k: usize| -> Option<ber::Tlv<'a>> {
        let t = ber::first(raw.get(k..)?).ok()?;
        (t.tag == tag && (!nested || ber::children(t.value).is_ok())).then_some(t)
    };
    if let Some(t) = at(0) {
        return Ok((0, t));
    }
    let found: Vec<(usize, ber::Tlv<'a>)> = (1..=MAX_LEADING_BYTES.min(raw.len()))
        .filter_map(|k| at(k).map(|t| (k, t)))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            // Report what is wrong with the usual layout (the record at offset 0).
            let t = ber::expect(raw, tag, what)?;
            if nested {
                ber::children(t.value).map_err(|e| Error::malformed(what, e.to_string()))?;
            }
            Err(Error::malformed(
                what,
                format!("no {tag:X} record within the first {MAX_LEADING_BYTES} bytes"),
            ))
        }
        many => Err(Error::malformed(
            what,
            format!(
                "{tag:X} records found at offsets {:?}: ambiguous",
                many.iter().map(|(k, _)| *k).collect::<Vec<_>>()
            ),
        )),
    }
}

/// Checks an offset table against the fields' positions counted from the record's tag, for
/// a record preceded by `leading` bytes: the table may count from the file start or from the
/// record; with bytes before the record the two readings differ, and the one that matches
/// is reported (card-protocol §3.2).
pub(crate) fn check_offsets_at(
    table: &[u8],
    from_record: &[usize],
    leading: usize,
) -> (OffsetCheck, RecordLayout) {
    let from_file: Vec<usize> = from_record.iter().map(|p| p + leading).collect();
    let by_file = check_offsets(table, &from_file);
    let layout = |offsets_from| RecordLayout {
        leading_bytes: leading,
        offsets_from,
    };
    if by_file == OffsetCheck::Consistent {
        return (by_file, layout(Some(OffsetBase::FileStart)));
    }
    if leading > 0 && check_offsets(table, from_record) == OffsetCheck::Consistent {
        return (
            OffsetCheck::Consistent,
            layout(Some(OffsetBase::RecordStart)),
        );
    }
    (by_file, layout(None))
}

/// Reads an EF holding one record `tag`. The usual layout (the record at offset 0) costs
/// exactly what [`Card::read_tlv_file`] costs. If the file does not start with the record,
/// the record is looked for within the first [`MAX_LEADING_BYTES`] bytes (card-protocol §12,
/// layout by issue year) and read up to its end: a few more APDUs on such cards only.
pub(crate) fn read_record<T: Transport>(card: &mut Card<T>, ef: &Ef, tag: u32) -> Result<Vec<u8>> {
    match card.read_tlv_file(ef) {
        Ok(raw) if ber::first(&raw).is_ok_and(|t| t.tag == tag) => return Ok(raw),
        Ok(_) | Err(Error::MalformedData { .. }) => {}
        Err(e) => return Err(e),
    }
    let chunk = card.capabilities().max_read_chunk();
    let head = card.read_prefix(ef, chunk.max(MAX_LEADING_BYTES + 8))?;
    let need = (0..=MAX_LEADING_BYTES)
        .filter_map(|k| match ber::parse_header(head.get(k..)?).ok()? {
            ber::HeaderParse::Complete(h) if h.tag == tag => k.checked_add(h.total_len()?),
            _ => None,
        })
        .max()
        .ok_or_else(|| {
            Error::malformed(
                ef.what,
                format!("no {tag:X} record within the first {MAX_LEADING_BYTES} bytes"),
            )
        })?;
    if need > MAX_LOCATED_RECORD {
        return Err(Error::malformed(
            ef.what,
            format!("a record of {need} bytes exceeds {MAX_LOCATED_RECORD}"),
        ));
    }
    if head.len() >= need {
        return Ok(head.get(..need).unwrap_or(&head).to_vec());
    }
    let all = card.read_prefix(ef, need)?;
    if all.len() < need {
        return Err(Error::malformed(
            ef.what,
            format!("the file ends at {} bytes, inside the record", all.len()),
        ));
    }
    Ok(all)
}

/// The four attributes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextAttributes {
    /// Name as stored (UTF-8; surname and given name separated by U+3000).
    pub name: String,
    /// Surname (before the first U+3000), when the name has one.
    pub surname: Option<String>,
    /// Given name (after the first U+3000).
    pub given_name: Option<String>,
    /// Address as stored.
    pub address: String,
    /// Birth date as stored (`YYYYMMDD`).
    pub birth_date_raw: String,
    /// Birth date, when it is a real date.
    pub birth_date: Option<Date>,
    /// Sex code as stored.
    pub sex_code: String,
    /// Sex, interpreted.
    pub sex: Sex,
    /// The offset table against the layout.
    pub offsets: OffsetCheck,
    /// Where the record sits in the EF (shown only when bytes precede it).
    #[serde(skip_serializing_if = "RecordLayout::starts_the_file")]
    pub layout: RecordLayout,
    /// The record's bytes (the `FF20` TLV), hex, for audit.
    pub raw_hex: String,
    #[serde(skip)]
    digest_source: Vec<u8>,
}

fn utf8(v: &[u8], what: &str) -> Result<String> {
    String::from_utf8(v.to_vec()).map_err(|_| Error::malformed(what, "not UTF-8"))
}

impl TextAttributes {
    /// Parses EF `0002`, finding `FF20` by its tag (card-protocol §3.2). `DF32` covers the
    /// record's bytes from the `DF22` tag to the end of `FF20` (§8): a range defined inside the
    /// record, so bytes before the record and the `DF21` table are outside it.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "four attributes";
        let (leading, t) = locate_record(raw, 0xFF20, true, WHAT)?;
        let header = t.raw.len() - t.value.len();
        let items = ber::children(t.value).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let pos = |tag: u32| -> Result<(usize, ber::Tlv<'_>)> {
            let mut at = header;
            for i in &items {
                if i.tag == tag {
                    return Ok((at, *i));
                }
                at += i.raw.len();
            }
            Err(Error::malformed(WHAT, format!("field {tag:X} missing")))
        };
        let (_, table) = pos(0xDF21)?;
        let (p_name, name) = pos(0xDF22)?;
        let (p_addr, addr) = pos(0xDF23)?;
        let (p_birth, birth) = pos(0xDF24)?;
        let (p_sex, sex) = pos(0xDF25)?;
        let name = utf8(name.value, "name")?;
        let (surname, given_name) = match name.split_once('\u{3000}') {
            Some((s, g)) => (Some(s.to_string()), Some(g.to_string())),
            None => (None, None),
        };
        let birth_date_raw = utf8(birth.value, "birth date")?;
        let sex_code = utf8(sex.value, "sex")?;
        let (offsets, layout) =
            check_offsets_at(table.value, &[p_name, p_addr, p_birth, p_sex], leading);
        Ok(TextAttributes {
            surname,
            given_name,
            name,
            address: utf8(addr.value, "address")?,
            birth_date: Date::parse_yyyymmdd(&birth_date_raw),
            birth_date_raw,
            sex: Sex::from_code(&sex_code),
            sex_code,
            offsets,
            layout,
            raw_hex: hex::encode_upper(t.raw),
            digest_source: t.raw.get(p_name..).unwrap_or_default().to_vec(),
        })
    }
}

/// The integrity record (EF `0003`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntegrityRecord {
    /// SHA-256 of EF `0001` (DF31), hex.
    pub my_number_digest: String,
    /// SHA-256 of the attributes from DF22 on (DF32), hex.
    pub attributes_digest: String,
    /// The signature (DF33), hex.
    pub signature_hex: String,
    #[serde(skip)]
    signed: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
}

impl IntegrityRecord {
    /// Parses EF `0003`.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "integrity record";
        let (_, t) = locate_record(raw, 0xFF30, true, WHAT)?;
        let items = ber::children(t.value).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let get = |tag| {
            ber::find(&items, tag).ok_or_else(|| Error::malformed(WHAT, format!("{tag:X} missing")))
        };
        let (d1, d2, sig) = (get(0xDF31)?, get(0xDF32)?, get(0xDF33)?);
        let mut signed = Vec::new();
        for i in items.iter().take_while(|i| i.tag != 0xDF33) {
            signed.extend_from_slice(i.raw);
        }
        Ok(IntegrityRecord {
            my_number_digest: hex::encode_upper(d1.value),
            attributes_digest: hex::encode_upper(d2.value),
            signature_hex: hex::encode_upper(sig.value),
            signed,
            signature: sig.value.to_vec(),
        })
    }
}

/// A public key of the card signed by the AP's certified key (EF `0007`, or the card key
/// inside 券面AP records).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedCardKey {
    /// The key.
    pub key: CardRsaKey,
    #[serde(skip)]
    signed: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
}

impl SignedCardKey {
    /// Parses EF `0007`: `FF50 { DF51 key, DF52 signature over the DF51 TLV }`.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "signed public key";
        let (_, t) = locate_record(raw, 0xFF50, true, WHAT)?;
        let items = ber::children(t.value).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let k = ber::find(&items, 0xDF51).ok_or_else(|| Error::malformed(WHAT, "DF51 missing"))?;
        let s = ber::find(&items, 0xDF52).ok_or_else(|| Error::malformed(WHAT, "DF52 missing"))?;
        Ok(SignedCardKey {
            key: CardRsaKey::parse(k.value, WHAT)?,
            signed: k.raw.to_vec(),
            signature: s.value.to_vec(),
        })
    }

    /// Checks the key's signature with the AP's certified key.
    pub fn verify(&self, signer: &CardRsaKey) -> CheckOutcome {
        CheckOutcome::from_result(
            signer.verify_sha256(&self.signed, &self.signature),
            "signed card key",
        )
    }
}

/// Where a liveness challenge comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeSource {
    /// GET CHALLENGE: 16 random bytes from the card.
    Card,
    /// A nonce from the app's server (recommended: the server then knows it is fresh).
    Host(Vec<u8>),
}

/// Everything read from the text AP, with the checks made on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextReport {
    /// How the AP was unlocked.
    pub unlocked_with: TextUnlock,
    /// My Number (PIN or 照合番号A).
    pub my_number: Option<MyNumberRecord>,
    /// The four attributes (PIN or 照合番号B).
    pub attributes: Option<TextAttributes>,
    /// The integrity record.
    pub integrity: IntegrityRecord,
    /// The AP's CV certificate.
    pub cv_certificate: CvCertificate,
    /// Checks: CV certificate, integrity signature, digests.
    pub verification: Verification,
    /// The live challenge, when asked for.
    pub liveness: Option<LivenessProof>,
}

/// Signs a DigestInfo with the selected AP's own key (`80 2A 00 00`, no credential). A
/// status-word refusal is returned as `Ok(Err(reason))`: the liveness check then fails with
/// that reason instead of discarding everything read before it; link failures stay errors.
fn card_key_sign<T: Transport>(
    card: &mut Card<T>,
    challenge: &[u8],
) -> Result<std::result::Result<Vec<u8>, String>> {
    let di = digest_info(HashAlgorithm::Sha256, &Sha256::digest(challenge));
    card.stage(crate::card::Stage::Signing, "card key");
    let resp = card.exchange(&commands::card_key_signature(di))?;
    Ok(match resp.status() {
        Status::Ok if !resp.data.is_empty() => Ok(resp.data),
        Status::Ok => Err("the card returned an empty signature".into()),
        _ => Err(format!(
            "the card did not sign the challenge: {}",
            unexpected("COMPUTE DIGITAL SIGNATURE (card key)", &resp)
        )),
    })
}

/// The text AP's liveness proof over a signed card key already read (EF `0007`'s bytes): the
/// key's signature by the AP key (`cv`) vouches for it, then the card signs `source`. The AP
/// must be selected and unlocked.
pub(crate) fn liveness_from_signed_key<T: Transport>(
    card: &mut Card<T>,
    source: &ChallengeSource,
    cv: &CvCertificate,
    signed_key: &[u8],
) -> Result<LivenessProof> {
    let key = SignedCardKey::parse(signed_key)?;
    let provenance = key.verify(&cv.public_key);
    prove_liveness(
        card,
        source,
        &key.key,
        ("card key signed by the AP key", provenance),
    )
}

/// Gets a challenge (from the card or the caller), has the selected AP's own key sign it,
/// and checks the signature with `card_key`. `provenance` is the check that vouches for the
/// key (it comes first in the proof's verification). A card that refuses to sign (a status
/// word, e.g. `6A82` from a virtual card that has no private key) gives a proof whose
/// signature check *failed* with the card's answer as the reason, and an empty signature.
pub(crate) fn prove_liveness<T: Transport>(
    card: &mut Card<T>,
    source: &ChallengeSource,
    card_key: &CardRsaKey,
    provenance: (&str, CheckOutcome),
) -> Result<LivenessProof> {
    let (challenge, from_card) = match source {
        ChallengeSource::Card => (card.get_challenge(16)?, true),
        ChallengeSource::Host(n) if (8..=200).contains(&n.len()) => (n.clone(), false),
        ChallengeSource::Host(n) => {
            return Err(Error::InvalidArgument(format!(
                "a challenge of {} bytes; use 8 to 200",
                n.len()
            )));
        }
    };
    let (signature, outcome) = match card_key_sign(card, &challenge)? {
        Ok(signature) => {
            let outcome = CheckOutcome::from_result(
                card_key.verify_sha256(&challenge, &signature),
                "challenge signature",
            );
            (signature, outcome)
        }
        Err(reason) => (Vec::new(), CheckOutcome::Failed { reason }),
    };
    let mut v = Verification::default();
    v.push(provenance.0, provenance.1);
    v.push("challenge signed by the card key", outcome);
    Ok(LivenessProof {
        challenge,
        challenge_from_card: from_card,
        signature,
        verification: v,
    })
}

/// Text AP operations on a card session.
pub struct TextAp<'a, T: Transport> {
    card: &'a mut Card<T>,
}

impl<T: Transport> Card<T> {
    /// 券面事項入力補助AP operations.
    pub fn text(&mut self) -> TextAp<'_, T> {
        TextAp { card: self }
    }
}

impl<T: Transport> TextAp<'_, T> {
    /// Presents a credential of this AP (format checked first; the PIN-safety policy applies).
    pub fn unlock(
        &mut self,
        how: TextUnlock,
        value: &Secret,
        allow_below_floor: bool,
    ) -> Result<()> {
        self.card
            .ensure_verified(how.credential(), value, allow_below_floor)
    }

    fn require(&mut self, allowed: &[Credential], what: &str) -> Result<()> {
        self.card.require_verified(aid::TEXT, allowed, what)
    }

    /// My Number (after the PIN or 照合番号A). Refused locally, with no APDU, when only
    /// 照合番号B was presented.
    pub fn my_number(&mut self) -> Result<MyNumberRecord> {
        self.require(&[Credential::TextPin, Credential::TextCodeA], "My Number")?;
        let raw = self.card.read_prefix(&ef::MY_NUMBER, MY_NUMBER_EF_LEN)?;
        MyNumberRecord::parse(&raw)
    }

    /// The four attributes (after the PIN or 照合番号B).
    pub fn attributes(&mut self) -> Result<TextAttributes> {
        self.require(
            &[Credential::TextPin, Credential::TextCodeB],
            "the four attributes",
        )?;
        let raw = read_record(self.card, &ef::ATTRIBUTES, 0xFF20)?;
        TextAttributes::parse(&raw)
    }

    /// The integrity record (after any credential of this AP).
    pub fn integrity_record(&mut self) -> Result<IntegrityRecord> {
        self.require(
            &[
                Credential::TextPin,
                Credential::TextCodeA,
                Credential::TextCodeB,
            ],
            "the integrity record",
        )?;
        IntegrityRecord::parse(&read_record(self.card, &ef::INTEGRITY, 0xFF30)?)
    }

    /// The AP's CV certificate (free).
    pub fn cv_certificate(&mut self) -> Result<CvCertificate> {
        CvCertificate::parse(&self.card.read_tlv_file(&ef::CV_CERT)?)
    }

    /// A live challenge signed by the AP's own key, checked on the host: the key (EF
    /// `0007`) must be signed by the certified AP key, and the signature must verify.
    pub fn liveness(
        &mut self,
        source: &ChallengeSource,
        cv: &CvCertificate,
    ) -> Result<LivenessProof> {
        self.require(
            &[
                Credential::TextPin,
                Credential::TextCodeA,
                Credential::TextCodeB,
            ],
            "the signed public key",
        )?;
        let signed_key = read_record(self.card, &ef::SIGNED_KEY, 0xFF50)?;
        liveness_from_signed_key(self.card, source, cv, &signed_key)
    }

    /// Unlocks the AP and reads everything the credential opens, then checks it: the CV
    /// certificate against `trust`, the integrity signature with the certificate's key, and
    /// the digests of what was read. With `liveness`, the card also signs a challenge.
    pub fn read(
        &mut self,
        how: TextUnlock,
        value: &Secret,
        allow_below_floor: bool,
        trust: &CvTrust,
        liveness: Option<&ChallengeSource>,
    ) -> Result<TextReport> {
        how.credential().encode(value)?;
        self.unlock(how, value, allow_below_floor)?;
        let my_number = match how {
            TextUnlock::Pin | TextUnlock::CodeA => Some(self.my_number()?),
            TextUnlock::CodeB => None,
        };
        let attributes = match how {
            TextUnlock::Pin | TextUnlock::CodeB => Some(self.attributes()?),
            TextUnlock::CodeA => None,
        };
        let integrity = self.integrity_record()?;
        let cv = self.cv_certificate()?;
        let verification = verify_text(
            &cv,
            trust,
            &integrity,
            my_number.as_ref(),
            attributes.as_ref(),
        );
        let liveness = match liveness {
            Some(src) => Some(self.liveness(src, &cv)?),
            None => None,
        };
        Ok(TextReport {
            unlocked_with: how,
            my_number,
            attributes,
            integrity,
            cv_certificate: cv,
            verification,
            liveness,
        })
    }
}

/// The checks on text-AP data (pure: usable on data read earlier or from a trace).
pub fn verify_text(
    cv: &CvCertificate,
    trust: &CvTrust,
    integrity: &IntegrityRecord,
    my_number: Option<&MyNumberRecord>,
    attributes: Option<&TextAttributes>,
) -> Verification {
    let mut v = Verification::default();
    v.push(crate::cv::CV_CHAIN_CHECK, cv.verify(trust));
    v.push(
        "integrity record signed by the AP key",
        CheckOutcome::from_result(
            cv.public_key
                .verify_sha256(&integrity.signed, &integrity.signature),
            "DF33",
        ),
    );
    v.push(
        "My Number digest (DF31)",
        match my_number {
            Some(m) => digest_check(
                hex::decode(&m.raw_hex).unwrap_or_default().as_slice(),
                &integrity.my_number_digest,
            ),
            None => CheckOutcome::not_checked("My Number was not read under this credential"),
        },
    );
    v.push(
        "attributes digest (DF32)",
        match attributes {
            Some(a) => digest_check(&a.digest_source, &integrity.attributes_digest),
            None => CheckOutcome::not_checked("the attributes were not read under this credential"),
        },
    );
    v
}

fn digest_check(data: &[u8], expected_hex: &str) -> CheckOutcome {
    if hex::encode_upper(Sha256::digest(data)) == expected_hex {
        CheckOutcome::Verified
    } else {
        CheckOutcome::Failed {
            reason: "the data does not match the digest in the integrity record".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_number_record() {
        let mut raw = vec![0xFF, 0x10, 0x0C];
        raw.extend_from_slice(b"123456789018");
        raw.extend_from_slice(&[0xFF, 0xFF]);
        let r = MyNumberRecord::parse(&raw).ok();
        assert_eq!(
            r.as_ref()
                .map(|r| (r.my_number.as_str(), r.check_digit_valid)),
            Some(("123456789018", true))
        );
        assert!(MyNumberRecord::parse(&[0xFF, 0x10, 0x02, b'1', b'2']).is_err());
        assert!(MyNumberRecord::parse(&[0xFF, 0x11, 0x00]).is_err());
    }

    fn attributes(offsets: Option<Vec<u8>>) -> Vec<u8> {
        let fields = [
            ber::encode(0xDF22, "見本\u{3000}太郎".as_bytes()),
            ber::encode(0xDF23, "東京都".as_bytes()),
            ber::encode(0xDF24, b"19900102"),
            ber::encode(0xDF25, b"1"),
        ];
        let table_len = 3 + 8;
        let inner_len: usize = table_len + fields.iter().map(Vec::len).sum::<usize>();
        let header = if inner_len < 0x80 { 3 } else { 4 };
        let mut at = header + table_len;
        let mut table = Vec::new();
        for f in &fields {
            table.extend_from_slice(&u16::try_from(at).unwrap_or(0).to_be_bytes());
            at += f.len();
        }
        let mut inner = ber::encode(0xDF21, &offsets.unwrap_or(table));
        for f in &fields {
            inner.extend_from_slice(f);
        }
        ber::encode(0xFF20, &inner)
    }

    #[test]
    fn attributes_parse_and_offsets() {
        let a = TextAttributes::parse(&attributes(None)).ok();
        let a = a.as_ref();
        assert_eq!(a.map(|a| a.surname.as_deref()), Some(Some("見本")));
        assert_eq!(a.map(|a| a.given_name.as_deref()), Some(Some("太郎")));
        assert_eq!(a.map(|a| &a.offsets), Some(&OffsetCheck::Consistent));
        assert_eq!(
            a.and_then(|a| a.birth_date).map(|d| d.to_string()),
            Some("1990-01-02".into())
        );
        let bad = TextAttributes::parse(&attributes(Some(vec![0, 1, 0, 2, 0, 3, 0, 4]))).ok();
        assert!(matches!(
            bad.map(|b| b.offsets),
            Some(OffsetCheck::Inconsistent { .. })
        ));
        let short = TextAttributes::parse(&attributes(Some(vec![0, 1]))).ok();
        assert!(matches!(
            short.map(|b| b.offsets),
            Some(OffsetCheck::Inconsistent { .. })
        ));
    }
}
