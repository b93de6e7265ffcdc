//! 券面AP (券面事項確認AP): the card face — birth date, sex, name and address images, the
//! JPEG 2000 face photo, expiry, security-code image — the My Number image, the age record,
//! their signatures, and a live challenge answered by the card key (card-protocol §3.3, §9).
//!
//! Unlocking: 照合番号A opens the front and the My Number image; 照合番号B the front only;
//! the birth-date key only the age record.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::aid;
use crate::ber;
use crate::card::{Card, Ef};
use crate::cert::Sex;
use crate::credential::{Credential, Secret};
use crate::cv::{CardRsaKey, CheckOutcome, CvCertificate, CvTrust, LivenessProof, Verification};
use crate::era::Date;
use crate::error::{Error, Result};
use crate::sign::verify_pkcs1_raw;
use crate::text::{
    ChallengeSource, OffsetCheck, RecordLayout, check_offsets_at, locate_record, prove_liveness,
    read_record,
};
use crate::transport::Transport;

/// EFs of 券面AP.
pub mod ef {
    use super::*;

    /// EF `0001`: the age record (birth-date key).
    pub const AGE: Ef = Ef {
        aid: aid::FACE,
        fid: 0x0001,
        what: "age record (券面AP EF 0001)",
        unlock: Some(Credential::FaceBirthKey),
    };
    /// EF `0002`: the card face (照合番号A or B).
    pub const FRONT: Ef = Ef {
        aid: aid::FACE,
        fid: 0x0002,
        what: "card face (券面AP EF 0002)",
        unlock: Some(Credential::FaceCodeA),
    };
    /// EF `0004`: the AP's CV certificate (free).
    pub const CV_CERT: Ef = Ef {
        aid: aid::FACE,
        fid: 0x0004,
        what: "CV certificate (券面AP EF 0004)",
        unlock: None,
    };
    /// EF `0005`: the My Number image (照合番号A only).
    pub const MY_NUMBER_IMAGE: Ef = Ef {
        aid: aid::FACE,
        fid: 0x0005,
        what: "My Number image (券面AP EF 0005)",
        unlock: Some(Credential::FaceCodeA),
    };
}

/// How 券面AP is unlocked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceUnlock {
    /// 照合番号A: front and back (My Number image).
    CodeA,
    /// 照合番号B: front only.
    CodeB,
    /// The 6-digit birth-date key: the age record only.
    BirthKey,
}

impl FaceUnlock {
    /// The credential presented.
    pub fn credential(self) -> Credential {
        match self {
            FaceUnlock::CodeA => Credential::FaceCodeA,
            FaceUnlock::CodeB => Credential::FaceCodeB,
            FaceUnlock::BirthKey => Credential::FaceBirthKey,
        }
    }
}

/// Image formats found in the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG 2000 in a JP2 container.
    Jp2,
    /// A raw JPEG 2000 codestream.
    J2c,
    /// Anything else.
    Unknown,
}

impl ImageFormat {
    /// Detects the format from the first bytes.
    pub fn detect(b: &[u8]) -> ImageFormat {
        if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            ImageFormat::Png
        } else if b.starts_with(b"\x00\x00\x00\x0cjP  ") {
            ImageFormat::Jp2
        } else if b.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
            ImageFormat::J2c
        } else {
            ImageFormat::Unknown
        }
    }
}

/// An image as stored on the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardImage {
    /// Detected format.
    pub format: ImageFormat,
    /// The bytes.
    #[serde(with = "crate::cert::hex_bytes")]
    pub data: Vec<u8>,
}

impl CardImage {
    fn new(data: &[u8]) -> Self {
        CardImage {
            format: ImageFormat::detect(data),
            data: data.to_vec(),
        }
    }
}

/// The DigestInfo header that `DF28` signs (card-protocol §9.2, \[R\] on J-LIS test cards): DER
/// `SEQUENCE (0x71) { SEQUENCE { OID sha256, NULL }, OCTET STRING (0x60 = 96 bytes) }`. The
/// 96 bytes are the three SHA-256 hashes. It is not the 32-byte SHA-256 prefix `3031…0420`:
/// a verifier using that one rejects every genuine card.
pub const FACE_DIGEST_INFO_HEADER: [u8; 19] = [
    0x30, 0x71, // SEQUENCE, 113 bytes
    0x30, 0x0D, // SEQUENCE, 13 bytes: AlgorithmIdentifier
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
    0x01, // OID 2.16.840.1.101.3.4.2.1
    0x05, 0x00, // NULL
    0x04, 0x60, // OCTET STRING, 96 bytes
];

fn text(v: &[u8], what: &str) -> Result<String> {
    String::from_utf8(v.to_vec()).map_err(|_| Error::malformed(what, "not ASCII text"))
}

/// The card face (EF `0002`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardFront {
    /// Birth date as stored (`YYYYMMDD`).
    pub birth_date_raw: String,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Sex code.
    pub sex_code: String,
    /// Sex.
    pub sex: Sex,
    /// The card's public key (the one that answers challenges).
    pub card_key: CardRsaKey,
    /// Name image (PNG).
    pub name_image: CardImage,
    /// Address image (PNG).
    pub address_image: CardImage,
    /// Face photo (JPEG 2000).
    pub photo: CardImage,
    /// Card expiry as stored.
    pub expiry_raw: String,
    /// Card expiry.
    pub expiry: Option<Date>,
    /// Security-code image (PNG).
    pub security_code_image: CardImage,
    /// The offset table against the layout.
    pub offsets: OffsetCheck,
    /// Where the record sits in the EF (shown only when bytes precede it).
    #[serde(skip_serializing_if = "RecordLayout::starts_the_file")]
    pub layout: RecordLayout,
    #[serde(skip)]
    signed_block: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
}

impl CardFront {
    /// Parses EF `0002`, finding `FF20` by its tag (card-protocol §3.3).
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "card face";
        let (leading, t) = locate_record(raw, 0xFF20, true, WHAT)?;
        let header = t.raw.len() - t.value.len();
        let items = ber::children(t.value).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let mut positions = Vec::new();
        let mut at = header;
        for i in &items {
            positions.push((i.tag, at, *i));
            at += i.raw.len();
        }
        let get = |tag: u32| {
            positions
                .iter()
                .find(|(t, _, _)| *t == tag)
                .map(|(_, p, tlv)| (*p, *tlv))
                .ok_or_else(|| Error::malformed(WHAT, format!("field {tag:X} missing")))
        };
        let table = get(0xDF21)?.1;
        let fields: Vec<(usize, ber::Tlv<'_>)> =
            (0xDF22..=0xDF2A).map(get).collect::<Result<_>>()?;
        let field = |tag: u32| {
            fields
                .get((tag - 0xDF22) as usize)
                .map(|f| f.1)
                .ok_or_else(|| Error::malformed(WHAT, "field index"))
        };
        let raw_of = |tags: &[u32]| -> Result<Vec<u8>> {
            let mut v = Vec::new();
            for t in tags {
                v.extend_from_slice(field(*t)?.raw);
            }
            Ok(v)
        };
        let mut block = FACE_DIGEST_INFO_HEADER.to_vec();
        block.extend_from_slice(&Sha256::digest(raw_of(&[0xDF22, 0xDF23, 0xDF24])?));
        block.extend_from_slice(&Sha256::digest(raw_of(&[0xDF25, 0xDF26])?));
        block.extend_from_slice(&Sha256::digest(raw_of(&[0xDF27])?));
        let birth_date_raw = text(field(0xDF22)?.value, "birth date")?;
        let sex_code = text(field(0xDF23)?.value, "sex")?;
        let expiry_raw = text(field(0xDF29)?.value, "expiry")?;
        let positions: Vec<usize> = fields.iter().map(|f| f.0).collect();
        let (offsets, layout) = check_offsets_at(table.value, &positions, leading);
        Ok(CardFront {
            birth_date: Date::parse_yyyymmdd(&birth_date_raw),
            birth_date_raw,
            sex: Sex::from_code(&sex_code),
            sex_code,
            card_key: CardRsaKey::parse(field(0xDF24)?.value, "card public key")?,
            name_image: CardImage::new(field(0xDF25)?.value),
            address_image: CardImage::new(field(0xDF26)?.value),
            photo: CardImage::new(field(0xDF27)?.value),
            expiry: Date::parse_yyyymmdd(&expiry_raw),
            expiry_raw,
            security_code_image: CardImage::new(field(0xDF2A)?.value),
            offsets,
            layout,
            signed_block: block,
            signature: field(0xDF28)?.value.to_vec(),
        })
    }

    /// Checks DF28: a PKCS#1 v1.5 signature over the 115-byte DigestInfo
    /// [`FACE_DIGEST_INFO_HEADER`] ‖ SHA-256(DF22‖DF23‖DF24 TLVs) ‖ SHA-256(DF25‖DF26 TLVs) ‖
    /// SHA-256(DF27 TLV) (card-protocol §9.2). Expiry and the security-code image are not
    /// signed.
    pub fn verify_signature(&self, signer: &CardRsaKey) -> CheckOutcome {
        CheckOutcome::from_result(
            verify_pkcs1_raw(signer.key(), &self.signed_block, &self.signature),
            "DF28",
        )
    }
}

/// A record of signed TLVs followed by a signature TLV over all of them (EF `0001` age
/// record, EF `0005` My Number image).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedRecord {
    /// The fields before the signature, by tag (hex) and value (hex).
    #[serde(skip)]
    fields: Vec<(u32, Vec<u8>)>,
    #[serde(skip)]
    signed: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
}

impl SignedRecord {
    fn parse(raw: &[u8], outer: u32, sig_tag: u32, what: &str) -> Result<Self> {
        let (_, t) = locate_record(raw, outer, true, what)?;
        let items = ber::children(t.value).map_err(|e| Error::malformed(what, e.to_string()))?;
        let sig = ber::find(&items, sig_tag)
            .ok_or_else(|| Error::malformed(what, format!("{sig_tag:X} missing")))?;
        let mut signed = Vec::new();
        let mut fields = Vec::new();
        for i in items.iter().take_while(|i| i.tag != sig_tag) {
            signed.extend_from_slice(i.raw);
            fields.push((i.tag, i.value.to_vec()));
        }
        Ok(SignedRecord {
            fields,
            signed,
            signature: sig.value.to_vec(),
        })
    }

    fn field(&self, tag: u32, what: &str) -> Result<&[u8]> {
        self.fields
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, v)| v.as_slice())
            .ok_or_else(|| Error::malformed(what, format!("{tag:X} missing")))
    }

    fn verify(&self, signer: &CardRsaKey, what: &str) -> CheckOutcome {
        CheckOutcome::from_result(signer.verify_sha256(&self.signed, &self.signature), what)
    }
}

/// The age record (EF `0001`): the birth date and nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgeRecord {
    /// Birth date as stored.
    pub birth_date_raw: String,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// The card key.
    pub card_key: CardRsaKey,
    #[serde(skip)]
    record: SignedRecord,
}

impl AgeRecord {
    /// Parses EF `0001`.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "age record";
        let record = SignedRecord::parse(raw, 0xFF10, 0xDF13, WHAT)?;
        let birth_date_raw = text(record.field(0xDF11, WHAT)?, "birth date")?;
        Ok(AgeRecord {
            birth_date: Date::parse_yyyymmdd(&birth_date_raw),
            birth_date_raw,
            card_key: CardRsaKey::parse(record.field(0xDF12, WHAT)?, "card public key")?,
            record,
        })
    }

    /// Whether the holder is at least `years` old on `today` (the only thing an age check
    /// needs to reveal).
    pub fn is_at_least(&self, years: u16, today: Date) -> Option<bool> {
        crate::era::age_on(self.birth_date?, today).map(|age| age >= years)
    }
}

/// The My Number image (EF `0005`, the back of the card).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MyNumberImage {
    /// The image.
    pub image: CardImage,
    /// The card key.
    pub card_key: CardRsaKey,
    #[serde(skip)]
    record: SignedRecord,
}

impl MyNumberImage {
    /// Parses EF `0005`.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "My Number image";
        let record = SignedRecord::parse(raw, 0xFF40, 0xDF43, WHAT)?;
        Ok(MyNumberImage {
            image: CardImage::new(record.field(0xDF41, WHAT)?),
            card_key: CardRsaKey::parse(record.field(0xDF42, WHAT)?, "card public key")?,
            record,
        })
    }
}

/// Everything read from 券面AP, with the checks made on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FaceReport {
    /// How the AP was unlocked.
    pub unlocked_with: FaceUnlock,
    /// The front (照合番号A or B).
    pub front: Option<CardFront>,
    /// The My Number image (照合番号A).
    pub my_number_image: Option<MyNumberImage>,
    /// The age record (birth-date key).
    pub age: Option<AgeRecord>,
    /// The CV certificate.
    pub cv_certificate: CvCertificate,
    /// Checks.
    pub verification: Verification,
    /// The live challenge, when asked for.
    pub liveness: Option<LivenessProof>,
}

/// 券面AP operations on a card session.
pub struct FaceAp<'a, T: Transport> {
    card: &'a mut Card<T>,
}

impl<T: Transport> Card<T> {
    /// 券面AP operations.
    pub fn face(&mut self) -> FaceAp<'_, T> {
        FaceAp { card: self }
    }
}

impl<T: Transport> FaceAp<'_, T> {
    /// Presents a credential of this AP.
    pub fn unlock(
        &mut self,
        how: FaceUnlock,
        value: &Secret,
        allow_below_floor: bool,
    ) -> Result<()> {
        self.card
            .ensure_verified(how.credential(), value, allow_below_floor)
    }

    fn require(&mut self, allowed: &[Credential], what: &str) -> Result<()> {
        self.card.require_verified(aid::FACE, allowed, what)
    }

    /// The card face (after 照合番号A or B).
    pub fn front(&mut self) -> Result<CardFront> {
        self.require(
            &[Credential::FaceCodeA, Credential::FaceCodeB],
            "the card face",
        )?;
        CardFront::parse(&read_record(self.card, &ef::FRONT, 0xFF20)?)
    }

    /// The My Number image (after 照合番号A only).
    pub fn my_number_image(&mut self) -> Result<MyNumberImage> {
        self.require(&[Credential::FaceCodeA], "the My Number image")?;
        MyNumberImage::parse(&read_record(self.card, &ef::MY_NUMBER_IMAGE, 0xFF40)?)
    }

    /// The age record (after the birth-date key).
    pub fn age_record(&mut self) -> Result<AgeRecord> {
        self.require(&[Credential::FaceBirthKey], "the age record")?;
        AgeRecord::parse(&read_record(self.card, &ef::AGE, 0xFF10)?)
    }

    /// The AP's CV certificate (free).
    pub fn cv_certificate(&mut self) -> Result<CvCertificate> {
        CvCertificate::parse(&self.card.read_tlv_file(&ef::CV_CERT)?)
    }

    /// A live challenge signed by the card key (`80 2A 00 00`), verified with `card_key`
    /// (from a record whose signature was checked).
    pub fn liveness(
        &mut self,
        source: &ChallengeSource,
        card_key: &CardRsaKey,
        key_provenance: CheckOutcome,
    ) -> Result<LivenessProof> {
        self.card.select_aid(aid::FACE)?;
        prove_liveness(
            self.card,
            source,
            card_key,
            ("card key inside a signed record", key_provenance),
        )
    }

    /// Unlocks the AP, reads what the credential opens and checks it.
    pub fn read(
        &mut self,
        how: FaceUnlock,
        value: &Secret,
        allow_below_floor: bool,
        trust: &CvTrust,
        liveness: Option<&ChallengeSource>,
    ) -> Result<FaceReport> {
        how.credential().encode(value)?;
        self.unlock(how, value, allow_below_floor)?;
        let front = match how {
            FaceUnlock::CodeA | FaceUnlock::CodeB => Some(self.front()?),
            FaceUnlock::BirthKey => None,
        };
        let my_number_image = match how {
            FaceUnlock::CodeA => Some(self.my_number_image()?),
            _ => None,
        };
        let age = match how {
            FaceUnlock::BirthKey => Some(self.age_record()?),
            _ => None,
        };
        let cv = self.cv_certificate()?;
        let verification = verify_face(
            &cv,
            trust,
            front.as_ref(),
            my_number_image.as_ref(),
            age.as_ref(),
        );
        let liveness = match liveness {
            Some(src) => {
                let (key, name) = match (&front, &age) {
                    (Some(f), _) => (&f.card_key, "card face signature"),
                    (None, Some(a)) => (&a.card_key, "age record signature"),
                    (None, None) => {
                        return Err(Error::InvalidArgument("no card key was read".into()));
                    }
                };
                let provenance = verification.outcome(name).cloned().unwrap_or_else(|| {
                    CheckOutcome::not_checked("the record holding the key was not checked")
                });
                let key = key.clone();
                Some(self.liveness(src, &key, provenance)?)
            }
            None => None,
        };
        Ok(FaceReport {
            unlocked_with: how,
            front,
            my_number_image,
            age,
            cv_certificate: cv,
            verification,
            liveness,
        })
    }
}

/// The checks on 券面AP data (pure).
pub fn verify_face(
    cv: &CvCertificate,
    trust: &CvTrust,
    front: Option<&CardFront>,
    my_number_image: Option<&MyNumberImage>,
    age: Option<&AgeRecord>,
) -> Verification {
    let mut v = Verification::default();
    v.push(crate::cv::CV_CHAIN_CHECK, cv.verify(trust));
    v.push(
        "card face signature",
        match front {
            Some(f) => f.verify_signature(&cv.public_key),
            None => CheckOutcome::not_checked("the card face was not read under this credential"),
        },
    );
    v.push(
        "My Number image signature",
        match my_number_image {
            Some(m) => m.record.verify(&cv.public_key, "DF43"),
            None => {
                CheckOutcome::not_checked("the My Number image was not read under this credential")
            }
        },
    );
    v.push(
        "age record signature",
        match age {
            Some(a) => a.record.verify(&cv.public_key, "DF13"),
            None => CheckOutcome::not_checked("the age record was not read under this credential"),
        },
    );
    let keys: Vec<&CardRsaKey> = [
        front.map(|f| &f.card_key),
        my_number_image.map(|m| &m.card_key),
        age.map(|a| &a.card_key),
    ]
    .into_iter()
    .flatten()
    .collect();
    if keys.len() > 1 {
        let same = keys
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.modulus_hex == b.modulus_hex));
        v.push(
            "same card key in every record",
            if same {
                CheckOutcome::Verified
            } else {
                CheckOutcome::Failed {
                    reason: "the records carry different card keys".into(),
                }
            },
        );
    }
    v
}

/// A decoded photo.
#[cfg(feature = "photo")]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Photo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Channels per pixel (1 for the card's greyscale photo).
    pub channels: u8,
    /// Pixels, row by row, channels interleaved, 8 bits each.
    #[serde(skip)]
    pub pixels: Vec<u8>,
    /// The same image as PNG (Android's BitmapFactory and iOS read PNG; not JPEG 2000).
    #[serde(skip)]
    pub png: Vec<u8>,
}

/// Largest photo MynaKit decodes, in pixels (the card's is far smaller).
#[cfg(feature = "photo")]
pub const MAX_PHOTO_PIXELS: u64 = 4_000_000;

/// Decodes the JPEG 2000 face photo to pixels and PNG, in pure Rust (`hayro-jpeg2000`).
///
/// Before the decoder runs, the headers are read for what decoding would cost: at most
/// 64 KiB of input, 1 to 4 components, 4,000,000 samples and 1024 tiles; a photo asking
/// for more is refused with [`Error::MalformedData`] and nothing is allocated for it. A
/// card's photo is far inside these bounds (the J-LIS test card's: 378 × 472, one
/// component, one tile, 1854 bytes).
#[cfg(feature = "photo")]
pub fn decode_photo(jp2: &[u8]) -> Result<Photo> {
    use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
    let bad = |r: String| Error::malformed("JPEG 2000 photo", r);
    crate::jp2::check_budget(jp2)?;
    let image = Image::new(jp2, &DecodeSettings::default()).map_err(|e| bad(format!("{e:?}")))?;
    let (width, height) = (image.width(), image.height());
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        return Err(bad(format!("{width}×{height} pixels is not a card photo")));
    }
    let channels = image.color_space().num_channels() + u8::from(image.has_alpha());
    // The decoder is third-party code fed with card data: contain any panic.
    let pixels = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut ctx = DecoderContext::default();
        image.decode(&mut ctx).map(|d| {
            if d.components().is_empty() {
                Vec::new()
            } else {
                d.data_u8()
            }
        })
    }))
    .map_err(|_| bad("the decoder failed on this image".into()))?
    .map_err(|e| bad(format!("{e:?}")))?;
    let expected = u64::from(width) * u64::from(height) * u64::from(channels);
    if pixels.len() as u64 != expected {
        return Err(bad(format!(
            "{} samples decoded, {expected} expected",
            pixels.len()
        )));
    }
    let color = match channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        n => return Err(bad(format!("{n} channels"))),
    };
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| bad(e.to_string()))?;
        w.write_image_data(&pixels)
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(Photo {
        width,
        height,
        channels,
        pixels,
        png: png_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_formats() {
        assert_eq!(
            ImageFormat::detect(b"\x89PNG\r\n\x1a\nxx"),
            ImageFormat::Png
        );
        assert_eq!(
            ImageFormat::detect(b"\x00\x00\x00\x0cjP  \r\n"),
            ImageFormat::Jp2
        );
        assert_eq!(
            ImageFormat::detect(&[0xFF, 0x4F, 0xFF, 0x51, 0]),
            ImageFormat::J2c
        );
        assert_eq!(ImageFormat::detect(b""), ImageFormat::Unknown);
    }

    #[test]
    fn face_digest_info_header_is_der_for_96_bytes() {
        // Hand-checked: outer length 0x71 = 113 = 2 + 13 (AlgorithmIdentifier) + 2 + 96,
        // inner OCTET STRING length 0x60 = 96 = 3 × 32.
        let h = FACE_DIGEST_INFO_HEADER;
        assert_eq!(h.len(), 19);
        assert_eq!(usize::from(h[1]), h.len() - 2 + 96);
        assert_eq!(usize::from(h[3]), 13);
        assert_eq!(&h[17..], &[0x04, 0x60]);
        // Same AlgorithmIdentifier as the usual SHA-256 prefix, different lengths.
        let usual = crate::sign::HashAlgorithm::Sha256.digest_info_prefix();
        assert_eq!(&h[2..17], &usual[2..17]);
        assert_ne!(&h[..], usual);
    }

    #[test]
    fn malformed_records_are_typed_errors() {
        assert!(matches!(
            CardFront::parse(&[]),
            Err(Error::MalformedData { .. })
        ));
        assert!(matches!(
            CardFront::parse(&ber::encode(0xFF20, &ber::encode(0xDF21, &[0; 18]))),
            Err(Error::MalformedData { .. })
        ));
        assert!(matches!(
            AgeRecord::parse(&ber::encode(0xFF10, &[])),
            Err(Error::MalformedData { .. })
        ));
        assert!(matches!(
            MyNumberImage::parse(&[0xFF, 0x40, 0x05]),
            Err(Error::MalformedData { .. })
        ));
    }
}
