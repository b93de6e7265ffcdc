//! 券面AP / 券面事項確認AP ("face AP", `D3921000310001010402`) test data: the age record,
//! the card face with its images and signature, the AP's basic information and CV
//! certificate, and the 個人番号 image (card-protocol.md §3.3 and §9).

use mynakit::ber;
use sha2::{Digest, Sha256};

use crate::{
    cv::{self, KeyId},
    error::{Error, Result},
    images::{self, ADDRESS_SIZE, MY_NUMBER_SIZE, NAME_SIZE, PHOTO_SIZE, SECURITY_CODE_SIZE},
    keys::TestKey,
    profiles::Person,
    text_ap::AP_INFO,
};

/// Folder of the face-AP files inside a card folder.
pub const DIR: &str = "face";
/// EF `0001`: age record.
pub const EF0001: &str = "ef0001.bin";
/// EF `0002`: card face.
pub const EF0002: &str = "ef0002.bin";
/// EF `0003`: AP basic information.
pub const EF0003: &str = "ef0003.bin";
/// EF `0004`: the AP's CV certificate.
pub const EF0004: &str = "ef0004.bin";
/// EF `0005`: 個人番号 image.
pub const EF0005: &str = "ef0005.bin";
/// The card's own key (EF `001A` on a card), PKCS#8.
pub const CARD_KEY: &str = "card-key.pk8";
/// Name image, also inside EF `0002` `DF25`.
pub const NAME_PNG: &str = "name.png";
/// Address image, also inside `DF26`.
pub const ADDRESS_PNG: &str = "address.png";
/// Security-code image, also inside `DF2A`.
pub const SECURITY_CODE_PNG: &str = "security-code.png";
/// 個人番号 image, also inside EF `0005` `DF41`.
pub const MY_NUMBER_PNG: &str = "my-number.png";
/// The photo's pixels as a binary PGM, for comparing a decoded `DF27`.
pub const PHOTO_PGM: &str = "photo.pgm";
/// The photo as stored in `DF27`: lossless JPEG 2000 in a JP2 container.
pub const PHOTO_JP2: &str = "photo.jp2";

/// EF `0001` outer tag.
pub const TAG_AGE: u32 = 0xFF10;
/// Birth date, `YYYYMMDD`.
pub const TAG_AGE_BIRTH: u32 = 0xDF11;
/// The card key (RSA key TLV value).
pub const TAG_AGE_KEY: u32 = 0xDF12;
/// Signature over the `DF11` and `DF12` TLVs.
pub const TAG_AGE_SIGNATURE: u32 = 0xDF13;
/// EF `0002` outer tag.
pub const TAG_FACE: u32 = 0xFF20;
/// Offset table (9 × u16).
pub const TAG_FACE_OFFSETS: u32 = 0xDF21;
/// Birth date, `YYYYMMDD`.
pub const TAG_FACE_BIRTH: u32 = 0xDF22;
/// Sex, one digit.
pub const TAG_FACE_SEX: u32 = 0xDF23;
/// The card key (RSA key TLV value).
pub const TAG_FACE_KEY: u32 = 0xDF24;
/// Name image (PNG).
pub const TAG_FACE_NAME: u32 = 0xDF25;
/// Address image (PNG).
pub const TAG_FACE_ADDRESS: u32 = 0xDF26;
/// Photo (JP2).
pub const TAG_FACE_PHOTO: u32 = 0xDF27;
/// Signature over three hashes of `DF22`–`DF27`.
pub const TAG_FACE_SIGNATURE: u32 = 0xDF28;
/// Card expiry, `YYYYMMDD` (not signed).
pub const TAG_FACE_EXPIRY: u32 = 0xDF29;
/// Security-code image (PNG, not signed).
pub const TAG_FACE_SECURITY_CODE: u32 = 0xDF2A;
/// EF `0003` outer tag.
pub const TAG_BASIC_INFO: u32 = 0xFF30;
/// AP information (4 bytes).
pub const TAG_AP_INFO: u32 = 0xDF31;
/// Key ID of the AP's signer.
pub const TAG_AP_KEY_ID: u32 = 0xDF32;
/// 5-digit municipality code (全国地方公共団体コード without its check digit).
pub const TAG_AP_MUNICIPALITY: u32 = 0xDF34;
/// EF `0005` outer tag.
pub const TAG_MY_NUMBER_IMAGE: u32 = 0xFF40;
/// 個人番号 image (PNG).
pub const TAG_MY_NUMBER_PNG: u32 = 0xDF41;
/// The card key (RSA key TLV value).
pub const TAG_MY_NUMBER_KEY: u32 = 0xDF42;
/// Signature over the `DF41` and `DF42` TLVs.
pub const TAG_MY_NUMBER_SIGNATURE: u32 = 0xDF43;

/// The DigestInfo header of the card-face signature (card-protocol §9.2, [R]): a DER
/// `SEQUENCE { AlgorithmIdentifier sha256 NULL, OCTET STRING (96 bytes) }`, i.e.
/// `30 71 30 0D 06 09 <sha256 OID> 05 00 04 60`. It names SHA-256 but its OCTET STRING holds
/// the three 32-byte hashes, so its lengths (`71`, `60`) are not those of the usual SHA-256
/// prefix (`31`, `20`), which genuine cards do not use here.
pub const FACE_DIGEST_INFO_HEADER: [u8; 19] = [
    0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x60,
];

/// The card-face images of one card, PNG/JP2 encoded, plus the photo's raw pixels.
pub struct FaceImages {
    /// `name.png`.
    pub name: Vec<u8>,
    /// `address.png`.
    pub address: Vec<u8>,
    /// `security-code.png`.
    pub security_code: Vec<u8>,
    /// `my-number.png`.
    pub my_number: Vec<u8>,
    /// `photo.pgm` (8-bit greyscale, the pixels `photo` encodes).
    pub photo_pgm: Vec<u8>,
    /// `photo.jp2`.
    pub photo: Vec<u8>,
}

impl FaceImages {
    /// Renders every image of `person`; `photo_variant` picks the photo's shading.
    pub fn render(person: &Person, photo_variant: u8) -> Result<Self> {
        let pixels = images::photo_pixels(photo_variant);
        Ok(Self {
            name: images::text_png(person.name, NAME_SIZE)?,
            address: images::text_png(person.address, ADDRESS_SIZE)?,
            security_code: images::text_png(person.security_code, SECURITY_CODE_SIZE)?,
            my_number: images::text_png(person.my_number, MY_NUMBER_SIZE)?,
            photo_pgm: images::photo_pgm(&pixels),
            photo: images::encode_jp2_lossless(&pixels, PHOTO_SIZE)?,
        })
    }
}

/// EF `0001`: `FF10 { DF11 <birth YYYYMMDD>, DF12 <card key>, DF13 <sig(signer,
/// DF11-TLV ‖ DF12-TLV)> }`.
pub fn age_record(person: &Person, card_key: &TestKey, signer: &TestKey) -> Result<Vec<u8>> {
    let signed = [
        ber::encode(TAG_AGE_BIRTH, person.birth_date.compact().as_bytes()),
        ber::encode(TAG_AGE_KEY, &cv::rsa_key_tlv_value(&card_key.public_key())?),
    ]
    .concat();
    let signature = ber::encode(TAG_AGE_SIGNATURE, &signer.sign_sha256(&signed)?);
    Ok(ber::encode(TAG_AGE, &[signed, signature].concat()))
}

/// The 115-byte DigestInfo the card-face signature `DF28` signs without adding a prefix:
/// [`FACE_DIGEST_INFO_HEADER`] ‖ H1 ‖ H2 ‖ H3, with H1 = SHA-256(DF22 ‖ DF23 ‖ DF24 TLVs),
/// H2 = SHA-256(DF25 ‖ DF26 TLVs), H3 = SHA-256(DF27 TLV).
pub fn face_signature_block(df22_to_df24: &[&[u8]], df25_df26: &[&[u8]], df27: &[u8]) -> Vec<u8> {
    let h1 = Sha256::digest(df22_to_df24.concat());
    let h2 = Sha256::digest(df25_df26.concat());
    let h3 = Sha256::digest(df27);
    [
        FACE_DIGEST_INFO_HEADER.as_slice(),
        h1.as_slice(),
        h2.as_slice(),
        h3.as_slice(),
    ]
    .concat()
}

/// EF `0002`: `FF20 { DF21 <9 offsets>, DF22 birth, DF23 sex, DF24 card key, DF25 name
/// PNG, DF26 address PNG, DF27 photo JP2, DF28 signature, DF29 expiry, DF2A security-code
/// PNG }`. `DF29` and `DF2A` are not signed.
pub fn card_face(
    person: &Person,
    card_key: &TestKey,
    signer: &TestKey,
    images: &FaceImages,
) -> Result<Vec<u8>> {
    let birth = ber::encode(TAG_FACE_BIRTH, person.birth_date.compact().as_bytes());
    let sex = ber::encode(TAG_FACE_SEX, person.sex.as_bytes());
    let key = ber::encode(
        TAG_FACE_KEY,
        &cv::rsa_key_tlv_value(&card_key.public_key())?,
    );
    let name = ber::encode(TAG_FACE_NAME, &images.name);
    let address = ber::encode(TAG_FACE_ADDRESS, &images.address);
    let photo = ber::encode(TAG_FACE_PHOTO, &images.photo);
    let block = face_signature_block(&[&birth, &sex, &key], &[&name, &address], &photo);
    let signature = ber::encode(TAG_FACE_SIGNATURE, &signer.sign_unprefixed(&block)?);
    let expiry = ber::encode(TAG_FACE_EXPIRY, person.card_expiry.compact().as_bytes());
    let security_code = ber::encode(TAG_FACE_SECURITY_CODE, &images.security_code);
    cv::with_offset_table(
        TAG_FACE,
        TAG_FACE_OFFSETS,
        &[
            birth,
            sex,
            key,
            name,
            address,
            photo,
            signature,
            expiry,
            security_code,
        ],
    )
}

/// EF `0003`: `FF30 { DF31 00 00 00 01, DF32 <signer key ID>, DF34 <municipality code> }`.
pub fn basic_info(signer_id: KeyId, municipality_code: &str) -> Result<Vec<u8>> {
    if municipality_code.len() != 5 || !municipality_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Data(format!(
            "municipality code {municipality_code:?} must be 5 ASCII digits"
        )));
    }
    let value = [
        ber::encode(TAG_AP_INFO, &AP_INFO),
        ber::encode(TAG_AP_KEY_ID, &signer_id.to_bytes()?),
        ber::encode(TAG_AP_MUNICIPALITY, municipality_code.as_bytes()),
    ]
    .concat();
    Ok(ber::encode(TAG_BASIC_INFO, &value))
}

/// EF `0005`: `FF40 { DF41 <個人番号 PNG>, DF42 <card key>, DF43 <sig(signer, DF41-TLV ‖
/// DF42-TLV)> }`.
pub fn my_number_image(png: &[u8], card_key: &TestKey, signer: &TestKey) -> Result<Vec<u8>> {
    let signed = [
        ber::encode(TAG_MY_NUMBER_PNG, png),
        ber::encode(
            TAG_MY_NUMBER_KEY,
            &cv::rsa_key_tlv_value(&card_key.public_key())?,
        ),
    ]
    .concat();
    let signature = ber::encode(TAG_MY_NUMBER_SIGNATURE, &signer.sign_sha256(&signed)?);
    Ok(ber::encode(
        TAG_MY_NUMBER_IMAGE,
        &[signed, signature].concat(),
    ))
}

/// Everything the face AP of one card needs besides the person.
pub struct FaceApInputs<'a> {
    /// Key ID of the face-AP signer (goes into EF `0003`).
    pub signer_id: KeyId,
    /// The face-AP signer.
    pub signer: &'a TestKey,
    /// Its CV certificate (EF `0004`).
    pub signer_cert: &'a [u8],
    /// The card's own key.
    pub card_key: &'a TestKey,
    /// 5-digit municipality code.
    pub municipality_code: &'a str,
    /// Which synthetic photo.
    pub photo_variant: u8,
}

/// Every face-AP file of one card, as (file name inside [`DIR`], bytes).
pub fn files(person: &Person, inputs: &FaceApInputs<'_>) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let images = FaceImages::render(person, inputs.photo_variant)?;
    let ef0001 = age_record(person, inputs.card_key, inputs.signer)?;
    let ef0002 = card_face(person, inputs.card_key, inputs.signer, &images)?;
    let ef0003 = basic_info(inputs.signer_id, inputs.municipality_code)?;
    let ef0005 = my_number_image(&images.my_number, inputs.card_key, inputs.signer)?;
    Ok(vec![
        (EF0001, ef0001),
        (EF0002, ef0002),
        (EF0003, ef0003),
        (EF0004, inputs.signer_cert.to_vec()),
        (EF0005, ef0005),
        (CARD_KEY, inputs.card_key.pkcs8_der()?),
        (NAME_PNG, images.name),
        (ADDRESS_PNG, images.address),
        (SECURITY_CODE_PNG, images.security_code),
        (MY_NUMBER_PNG, images.my_number),
        (PHOTO_PGM, images.photo_pgm),
        (PHOTO_JP2, images.photo),
    ])
}
