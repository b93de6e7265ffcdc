//! Records of 券面事項入力補助AP (the "text AP") and 券面AP (the card-face AP): the data read,
//! the images, and the verification results, converted from the core types.
//!
//! Everything here is personal data of the card holder; the My Number (in
//! `MyNumberRecord` and as the `MyNumberImage`) is 特定個人情報 under the My Number Act.
//! MynaKit returns it and keeps no copy; what the app does with it is the app's obligation.

//!
//! As in `records`, the core's types cross as remote types where every field can; the
//! records whose core type keeps parsed state private (the card's RSA key object, the
//! signed body of a CV certificate or record) or keeps bytes as hex have a wrapper of
//! their own, and so do the two reports that hold them.

use mynakit::cv as core_cv;
use mynakit::face as core_face;
use mynakit::text as core_text;

pub use mynakit::cv::{Check, CheckOutcome, LivenessProof, Verification};
pub use mynakit::face::{CardImage, FaceUnlock, ImageFormat, Photo};
pub use mynakit::text::{ChallengeSource, OffsetCheck, TextUnlock};

use crate::error::MynaError;
use crate::records::{CalendarDate, Sex};

/// A ヘ (`chip_read`) or 対面 (`face_to_face`) evidence bundle for the bank's server, with
/// what the phone may show from it. The server re-checks everything from the bundle's raw
/// card bytes; nothing here is trusted by it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChipEvidence {
    /// What the phone's own checks said (CV certificates, record signatures, digests, the
    /// card keys' signatures over the nonce-bound challenges) under the options' CV CA
    /// keys. Informational: the server decides.
    pub phone_verified: Option<bool>,
    /// The four attributes from 券面事項入力補助AP, when read (to show or prefill).
    pub attributes: Option<TextAttributes>,
    /// The card face from 券面AP, when read: its `photo` is the chip photo a selfie is
    /// compared with (decode it with `decode_photo`).
    pub front: Option<CardFront>,
    /// The bundle as JSON (`mynakit-evidence` version 1), to send to the server.
    pub evidence_json: String,
}

impl ChipEvidence {
    /// The bundle's JSON, and its text and face records parsed for the app.
    pub(crate) fn new(evidence: &mynakit::evidence::Evidence) -> Result<Self, MynaError> {
        use mynakit::evidence::{FaceToFaceEvidence, MethodEvidence};
        let (attributes, front) = match &evidence.evidence {
            MethodEvidence::ChipRead(c) => (
                c.text.as_ref().and_then(|t| t.attributes.as_deref()),
                c.face.as_ref().and_then(|f| f.front.as_deref()),
            ),
            MethodEvidence::FaceToFace(FaceToFaceEvidence::Full(f)) => (None, f.front.as_deref()),
            _ => (None, None),
        };
        Ok(ChipEvidence {
            phone_verified: evidence.phone_verified,
            attributes: attributes
                .map(core_text::TextAttributes::parse)
                .transpose()?
                .map(Into::into),
            front: front
                .map(core_face::CardFront::parse)
                .transpose()?
                .map(Into::into),
            evidence_json: evidence.to_json()?,
        })
    }
}

/// The foreign name of [`Photo`].
pub type DecodedPhoto = Photo;

/// How 券面事項入力補助AP is unlocked.
#[uniffi::remote(Enum)]
pub enum TextUnlock {
    /// The 4-digit PIN: everything.
    Pin,
    /// 照合番号A (the 12-digit My Number): the My Number only.
    CodeA,
    /// 照合番号B (14 digits: birth date YYMMDD, expiry year, security code): the four
    /// attributes only.
    CodeB,
}

/// How 券面AP is unlocked.
#[uniffi::remote(Enum)]
pub enum FaceUnlock {
    /// 照合番号A: the card face and the My Number image.
    CodeA,
    /// 照合番号B: the card face only.
    CodeB,
    /// The 6-digit birth-date key: the age record only.
    BirthKey,
}

/// Where the challenge of a liveness proof comes from.
#[uniffi::remote(Enum)]
pub enum ChallengeSource {
    /// GET CHALLENGE: 16 random bytes from the card.
    Card,
    /// A nonce from the app's server (8 to 200 bytes; recommended: the server then knows
    /// the proof is fresh).
    Host(
        /// The nonce.
        #[uniffi(name = "nonce")]
        Vec<u8>,
    ),
}

/// A CV CA public key the app adds to the built-in production J-LIS CV CA keys (a key with
/// the same ID replaces the built-in one).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CvCaKey {
    /// The 16-byte key ID the CV certificates name as issuer.
    pub key_id: Vec<u8>,
    /// The key as a DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// A label for messages.
    pub label: String,
}

/// Options of a whole-application read (`text_read`, `face_read`).
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct ApReadOptions {
    /// CV CA keys beyond the built-in production J-LIS keys (for tests: the virtual card's
    /// or the J-LIS TEST CV CA keys, from the testkit bindings).
    #[uniffi(default = [])]
    pub cv_ca_keys: Vec<CvCaKey>,
    /// Also have the card sign a challenge with its own key (proof the card is present).
    #[uniffi(default = None)]
    pub liveness: Option<ChallengeSource>,
}

impl ApReadOptions {
    /// The CV CA keys these options accept: the production keys and `cv_ca_keys`.
    pub fn cv_trust(&self) -> Result<core_cv::CvTrust, MynaError> {
        let mut t = core_cv::CvTrust::production()?;
        for k in &self.cv_ca_keys {
            t.add(&k.key_id, &k.spki_der, &k.label)?;
        }
        Ok(t)
    }
}

/// The outcome of one check: verified, failed with a reason, or not checked with a reason
/// (never a silent pass).
#[uniffi::remote(Enum)]
pub enum CheckOutcome {
    /// The check ran and passed.
    Verified,
    /// The check ran and failed.
    Failed {
        /// Why.
        reason: String,
    },
    /// The check could not run (data not read under this credential, no CA key, …).
    NotChecked {
        /// Why.
        reason: String,
    },
}

/// A named check.
#[uniffi::remote(Record)]
pub struct Check {
    /// What was checked (`CV certificate signed by the CV CA`, `card face signature`, …).
    pub name: String,
    /// The outcome.
    pub outcome: CheckOutcome,
}

/// Every check made on data read from one application.
///
/// A wrapper of `mynakit::cv::Verification` that adds the two verdicts the core computes
/// (`all_verified`, `any_failed`), so that apps never recompute them. Core records holding
/// a `Verification` (the liveness proof) carry it as this record through the custom type
/// `Verification` (Kotlin/Swift: a typealias of `VerificationReport`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VerificationReport {
    /// The checks, in the order they were made.
    pub checks: Vec<Check>,
    /// Every check ran and passed.
    pub all_verified: bool,
    /// Some check ran and failed.
    pub any_failed: bool,
    /// Nothing failed and the AP's CV certificate was checked against a configured CV CA
    /// key. Require it before calling any record of the report verified: a record that
    /// verifies with an unchecked CV certificate's key proves nothing (anyone can make
    /// such a certificate). False for reports without a CV certificate check (liveness).
    pub cv_chained: bool,
}

impl From<core_cv::Verification> for VerificationReport {
    fn from(v: core_cv::Verification) -> Self {
        VerificationReport {
            all_verified: v.all_verified(),
            any_failed: v.any_failed(),
            cv_chained: v.chained_and_nothing_failed(),
            checks: v.checks,
        }
    }
}

// Lifting keeps the checks only: the verdicts are recomputed from them, never taken from
// the foreign side.
uniffi::custom_type!(Verification, VerificationReport, {
    remote,
    lower: |v| VerificationReport::from(v),
    try_lift: |r| Ok(Verification { checks: r.checks }),
});

/// An RSA public key as the 券面 applications store it.
///
/// A wrapper: the core's `CardRsaKey` holds the parsed RSA key object (private) and its
/// size as `usize`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CardPublicKey {
    /// Public exponent, big-endian upper-case hex.
    pub exponent_hex: String,
    /// Modulus, big-endian upper-case hex.
    pub modulus_hex: String,
    /// Modulus size in bits.
    pub bits: u32,
}

impl From<core_cv::CardRsaKey> for CardPublicKey {
    fn from(k: core_cv::CardRsaKey) -> Self {
        CardPublicKey {
            bits: u32::try_from(k.bits).unwrap_or(u32::MAX),
            exponent_hex: k.exponent_hex,
            modulus_hex: k.modulus_hex,
        }
    }
}

/// A card-verifiable (CV) certificate of a 券面 application.
///
/// A wrapper: the core type keeps the signed body and signature private (and the card
/// key as `CardRsaKey`). Where a CV certificate is passed in (`text_liveness`), only
/// `raw` is used and parsed again.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CvCertificate {
    /// Issuer key ID, hex.
    pub issuer_key_id: String,
    /// Issuer key ID as text where printable.
    pub issuer_key_label: String,
    /// Subject key ID, hex.
    pub subject_key_id: String,
    /// Subject key ID as text where printable.
    pub subject_key_label: String,
    /// The key that signs the application's records.
    pub public_key: CardPublicKey,
    /// The certificate bytes as read.
    pub raw: Vec<u8>,
}

impl From<core_cv::CvCertificate> for CvCertificate {
    fn from(c: core_cv::CvCertificate) -> Self {
        CvCertificate {
            issuer_key_id: c.issuer_key_id,
            issuer_key_label: c.issuer_key_label,
            subject_key_id: c.subject_key_id,
            subject_key_label: c.subject_key_label,
            public_key: c.public_key.into(),
            raw: c.raw,
        }
    }
}

/// A live challenge signed by the card's own key, checked on the host.
#[uniffi::remote(Record)]
pub struct LivenessProof {
    /// The challenge.
    pub challenge: Vec<u8>,
    /// The challenge came from the card (GET CHALLENGE) rather than the app.
    pub challenge_from_card: bool,
    /// The card's signature over SHA-256(challenge).
    pub signature: Vec<u8>,
    /// The checks of the signature and of the key's provenance.
    pub verification: Verification,
}

/// Whether a record's offset table agrees with where its fields are.
#[uniffi::remote(Enum)]
pub enum OffsetCheck {
    /// Every offset points at its field.
    Consistent,
    /// The table disagrees with the layout (the fields were read by tag anyway).
    Inconsistent {
        /// Which entries differ.
        details: String,
    },
}

/// The My Number record (特定個人情報).
///
/// A wrapper: the core keeps the EF's bytes as hex.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct MyNumberRecord {
    /// The 12 digits.
    pub my_number: String,
    /// Whether the check digit is right.
    pub check_digit_valid: bool,
    /// The EF's physical bytes, which the integrity digest covers.
    pub raw: Vec<u8>,
}

impl From<core_text::MyNumberRecord> for MyNumberRecord {
    fn from(r: core_text::MyNumberRecord) -> Self {
        MyNumberRecord {
            raw: hex::decode(&r.raw_hex).unwrap_or_default(),
            my_number: r.my_number,
            check_digit_valid: r.check_digit_valid,
        }
    }
}

/// The four attributes (基本4情報) of 券面事項入力補助AP.
///
/// A wrapper: the core keeps the record's bytes as hex, its layout with `usize` offsets
/// and the parsed fields the integrity digest covers private.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TextAttributes {
    /// Name as stored (surname and given name separated by U+3000).
    pub name: String,
    /// Surname, when the name has a U+3000.
    pub surname: Option<String>,
    /// Given name, when the name has a U+3000.
    pub given_name: Option<String>,
    /// Address as stored.
    pub address: String,
    /// Birth date as stored (`YYYYMMDD`).
    pub birth_date_raw: String,
    /// Birth date, when it is a real date.
    pub birth_date: Option<CalendarDate>,
    /// Sex code as stored.
    pub sex_code: String,
    /// Sex, interpreted.
    pub sex: Sex,
    /// The offset table against the layout.
    pub offsets: OffsetCheck,
    /// The record's bytes (the `FF20` TLV), for audit.
    pub raw: Vec<u8>,
}

impl From<core_text::TextAttributes> for TextAttributes {
    fn from(a: core_text::TextAttributes) -> Self {
        TextAttributes {
            name: a.name,
            surname: a.surname,
            given_name: a.given_name,
            address: a.address,
            birth_date_raw: a.birth_date_raw,
            birth_date: a.birth_date,
            sex_code: a.sex_code,
            sex: a.sex,
            offsets: a.offsets,
            raw: hex::decode(&a.raw_hex).unwrap_or_default(),
        }
    }
}

/// The integrity record of 券面事項入力補助AP (digests of the data and their signature).
///
/// A wrapper: the core keeps the signed body and the raw digests private.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct IntegrityRecord {
    /// SHA-256 of the My Number EF, upper-case hex.
    pub my_number_digest: String,
    /// SHA-256 of the four attributes, upper-case hex.
    pub attributes_digest: String,
    /// The signature, upper-case hex.
    pub signature_hex: String,
}

impl From<core_text::IntegrityRecord> for IntegrityRecord {
    fn from(r: core_text::IntegrityRecord) -> Self {
        IntegrityRecord {
            my_number_digest: r.my_number_digest,
            attributes_digest: r.attributes_digest,
            signature_hex: r.signature_hex,
        }
    }
}

/// Everything read from 券面事項入力補助AP, with the checks made on it.
///
/// A wrapper because its records (My Number, attributes, integrity, CV certificate) are.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TextReport {
    /// How the application was unlocked.
    pub unlocked_with: TextUnlock,
    /// The My Number (PIN or 照合番号A).
    pub my_number: Option<MyNumberRecord>,
    /// The four attributes (PIN or 照合番号B).
    pub attributes: Option<TextAttributes>,
    /// The integrity record.
    pub integrity: IntegrityRecord,
    /// The application's CV certificate.
    pub cv_certificate: CvCertificate,
    /// CV certificate, integrity signature, digests.
    pub verification: VerificationReport,
    /// The liveness proof, when asked for.
    pub liveness: Option<LivenessProof>,
}

impl From<core_text::TextReport> for TextReport {
    fn from(r: core_text::TextReport) -> Self {
        TextReport {
            unlocked_with: r.unlocked_with,
            my_number: r.my_number.map(Into::into),
            attributes: r.attributes.map(Into::into),
            integrity: r.integrity.into(),
            cv_certificate: r.cv_certificate.into(),
            verification: r.verification.into(),
            liveness: r.liveness,
        }
    }
}

/// Image formats found on the card.
#[uniffi::remote(Enum)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG 2000 in a JP2 container (the face photo; decode it with `decode_photo`).
    Jp2,
    /// A raw JPEG 2000 codestream.
    J2c,
    /// Anything else.
    Unknown,
}

/// An image as stored on the card.
#[uniffi::remote(Record)]
pub struct CardImage {
    /// Detected format.
    pub format: ImageFormat,
    /// The bytes.
    pub data: Vec<u8>,
}

/// The card face (券面AP, 照合番号A or B).
///
/// A wrapper: the core keeps the signed part and layout private and the card key as
/// `CardRsaKey`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CardFront {
    /// Birth date as stored (`YYYYMMDD`).
    pub birth_date_raw: String,
    /// Birth date, when it is a real date.
    pub birth_date: Option<CalendarDate>,
    /// Sex code as stored.
    pub sex_code: String,
    /// Sex, interpreted.
    pub sex: Sex,
    /// The card's own public key (answers liveness challenges).
    pub card_key: CardPublicKey,
    /// Name as printed (image).
    pub name_image: CardImage,
    /// Address as printed (image).
    pub address_image: CardImage,
    /// Face photo (JPEG 2000).
    pub photo: CardImage,
    /// Card expiry as stored (`YYYYMMDD`).
    pub expiry_raw: String,
    /// Card expiry, when it is a real date.
    pub expiry: Option<CalendarDate>,
    /// Security code as printed (image).
    pub security_code_image: CardImage,
    /// The offset table against the layout.
    pub offsets: OffsetCheck,
}

impl From<core_face::CardFront> for CardFront {
    fn from(f: core_face::CardFront) -> Self {
        CardFront {
            birth_date_raw: f.birth_date_raw,
            birth_date: f.birth_date,
            sex_code: f.sex_code,
            sex: f.sex,
            card_key: f.card_key.into(),
            name_image: f.name_image,
            address_image: f.address_image,
            photo: f.photo,
            expiry_raw: f.expiry_raw,
            expiry: f.expiry,
            security_code_image: f.security_code_image,
            offsets: f.offsets,
        }
    }
}

/// The age record (券面AP, birth-date key): the birth date alone.
///
/// A wrapper: the core keeps the signed part private and the card key as `CardRsaKey`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AgeRecord {
    /// Birth date as stored (`YYYYMMDD`).
    pub birth_date_raw: String,
    /// Birth date, when it is a real date.
    pub birth_date: Option<CalendarDate>,
    /// The card's own public key.
    pub card_key: CardPublicKey,
}

impl From<core_face::AgeRecord> for AgeRecord {
    fn from(a: core_face::AgeRecord) -> Self {
        AgeRecord {
            birth_date_raw: a.birth_date_raw,
            birth_date: a.birth_date,
            card_key: a.card_key.into(),
        }
    }
}

/// The My Number as printed on the back (特定個人情報; 照合番号A only).
///
/// A wrapper: the core keeps the signed part private and the card key as `CardRsaKey`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct MyNumberImage {
    /// The image.
    pub image: CardImage,
    /// The card's own public key.
    pub card_key: CardPublicKey,
}

impl From<core_face::MyNumberImage> for MyNumberImage {
    fn from(m: core_face::MyNumberImage) -> Self {
        MyNumberImage {
            image: m.image,
            card_key: m.card_key.into(),
        }
    }
}

/// Everything read from 券面AP, with the checks made on it.
///
/// A wrapper because its records (card face, My Number image, age record, CV
/// certificate) are.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct FaceReport {
    /// How the application was unlocked.
    pub unlocked_with: FaceUnlock,
    /// The card face (照合番号A or B).
    pub front: Option<CardFront>,
    /// The My Number image (照合番号A).
    pub my_number_image: Option<MyNumberImage>,
    /// The age record (birth-date key).
    pub age: Option<AgeRecord>,
    /// The application's CV certificate.
    pub cv_certificate: CvCertificate,
    /// CV certificate, record signatures, same card key everywhere.
    pub verification: VerificationReport,
    /// The liveness proof, when asked for.
    pub liveness: Option<LivenessProof>,
}

impl From<core_face::FaceReport> for FaceReport {
    fn from(r: core_face::FaceReport) -> Self {
        FaceReport {
            unlocked_with: r.unlocked_with,
            front: r.front.map(Into::into),
            my_number_image: r.my_number_image.map(Into::into),
            age: r.age.map(Into::into),
            cv_certificate: r.cv_certificate.into(),
            verification: r.verification.into(),
            liveness: r.liveness,
        }
    }
}

/// A decoded face photo.
#[uniffi::remote(Record)]
#[uniffi(name = "DecodedPhoto")]
pub struct Photo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Channels per pixel (1 for the card's greyscale photo).
    pub channels: u8,
    /// Pixels, row by row, channels interleaved, 8 bits each.
    pub pixels: Vec<u8>,
    /// The same image as PNG (Android's `BitmapFactory` and iOS's `UIImage` read PNG, not
    /// JPEG 2000).
    pub png: Vec<u8>,
}

/// Decodes the JPEG 2000 face photo (`CardFront.photo.data`) to pixels and PNG, in pure
/// Rust. A photo whose headers ask for more than a card photo needs (over 64 KiB, more
/// than 4 components, 4,000,000 samples or 1024 tiles) is refused with `MalformedData`
/// before decoding, so a hostile card cannot make the app spend seconds or gigabytes here.
#[uniffi::export]
pub fn decode_photo(jp2: Vec<u8>) -> Result<DecodedPhoto, MynaError> {
    Ok(core_face::decode_photo(&jp2)?)
}

/// The age in whole years on `today` of someone born on `birth_date`; `None` when a date
/// is not a real date or `today` is before the birth.
#[uniffi::export]
pub fn age_on(birth_date: CalendarDate, today: CalendarDate) -> Option<u16> {
    mynakit::era::age_on(birth_date, today)
}

/// 照合番号B from what the card face shows (card-protocol §5.2): the holder's birth date
/// (Gregorian; written with its Japanese-era year), the card's expiry year (4 digits) and the
/// 4-digit security code printed on the face, as the 14 digits `textRead` / `faceRead` take
/// with `CODE_B`. Born 1980-02-17, expiry 2035, code 2285 → `55021720352285`. Only the format
/// is checked here; whether it is right, only the card can say (10 tries).
#[uniffi::export]
pub fn code_b(
    birth_date: CalendarDate,
    expiry_year: u16,
    security_code: String,
) -> Result<String, MynaError> {
    let code = mynakit::Secret::new(security_code);
    let b = mynakit::era::code_b(birth_date, expiry_year, &code)?;
    Ok(b.expose().to_string())
}

/// The six-digit birth-date key of the card-face AP (`FaceUnlock.BIRTH_KEY`): the Japanese-era
/// year, month and day of `birth_date` (`YYMMDD`, e.g. 1980-02-17 → `550217`).
#[uniffi::export]
pub fn birth_date_key(birth_date: CalendarDate) -> Result<String, MynaError> {
    Ok(mynakit::era::birth_date_key(birth_date)?
        .expose()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_b_from_the_card_face() {
        // card-protocol §5.2: born 1980-02-17 (昭和55), expiry 2035, code 2285.
        let birth = CalendarDate {
            year: 1980,
            month: 2,
            day: 17,
        };
        assert_eq!(
            code_b(birth, 2035, "2285".into()).ok().as_deref(),
            Some("55021720352285")
        );
        assert_eq!(birth_date_key(birth).ok().as_deref(), Some("550217"));
        // Heisei 2 (test card taro: 1990-01-02, expiry 2035, code 5678).
        let taro = CalendarDate {
            year: 1990,
            month: 1,
            day: 2,
        };
        assert_eq!(
            code_b(taro, 2035, "5678".into()).ok().as_deref(),
            Some("02010220355678")
        );
        assert!(code_b(taro, 2035, "567".into()).is_err());
        assert!(code_b(taro, 1999, "5678".into()).is_err());
    }
}
