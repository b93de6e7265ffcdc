//! 券面事項入力補助AP ("text AP", `D3921000310001010408`) test data: the My Number, the
//! four basic attributes, the integrity record that signs both, the AP's CV certificate,
//! its basic information and the signed internal-authentication key
//! (card-protocol.md §3.2 and §8).

use mynakit::ber;
use sha2::{Digest, Sha256};

use crate::{
    cv::{self, KeyId},
    error::{Error, Result},
    keys::TestKey,
    profiles::Person,
};

/// Folder of the text-AP files inside a card folder.
pub const DIR: &str = "text";
/// EF `0001`: 個人番号.
pub const EF0001: &str = "ef0001.bin";
/// EF `0002`: 基本4情報.
pub const EF0002: &str = "ef0002.bin";
/// EF `0003`: integrity record.
pub const EF0003: &str = "ef0003.bin";
/// EF `0004`: the AP's CV certificate.
pub const EF0004: &str = "ef0004.bin";
/// EF `0005`: AP basic information.
pub const EF0005: &str = "ef0005.bin";
/// EF `0007`: signed public half of the internal-authentication key.
pub const EF0007: &str = "ef0007.bin";
/// PKCS#8 private key of the internal-authentication key (EF `0013` on a card).
pub const INTERNAL_AUTH_KEY: &str = "internal-auth-key.pk8";

/// EF `0001` outer tag.
pub const TAG_MY_NUMBER: u32 = 0xFF10;
/// EF `0002` outer tag.
pub const TAG_ATTRIBUTES: u32 = 0xFF20;
/// EF `0002` offset table (4 × u16).
pub const TAG_ATTR_OFFSETS: u32 = 0xDF21;
/// Name (UTF-8).
pub const TAG_NAME: u32 = 0xDF22;
/// Address (UTF-8).
pub const TAG_ADDRESS: u32 = 0xDF23;
/// Birth date, `YYYYMMDD`.
pub const TAG_BIRTH: u32 = 0xDF24;
/// Sex, one digit.
pub const TAG_SEX: u32 = 0xDF25;
/// EF `0003` outer tag.
pub const TAG_INTEGRITY: u32 = 0xFF30;
/// SHA-256 of EF `0001`.
pub const TAG_MY_NUMBER_DIGEST: u32 = 0xDF31;
/// SHA-256 of EF `0002` from the `DF22` tag on.
pub const TAG_ATTRIBUTES_DIGEST: u32 = 0xDF32;
/// Signature over the `DF31` and `DF32` TLVs.
pub const TAG_INTEGRITY_SIGNATURE: u32 = 0xDF33;
/// EF `0005` outer tag.
pub const TAG_BASIC_INFO: u32 = 0xFF40;
/// AP information (4 bytes).
pub const TAG_AP_INFO: u32 = 0xDF41;
/// Key ID of the AP's signer (16 bytes).
pub const TAG_AP_KEY_ID: u32 = 0xDF42;
/// 128 reserved bytes.
pub const TAG_AP_RESERVED: u32 = 0xDF43;
/// EF `0007` outer tag.
pub const TAG_SIGNED_KEY: u32 = 0xFF50;
/// The internal-authentication public key (RSA key TLV value).
pub const TAG_SIGNED_KEY_VALUE: u32 = 0xDF51;
/// Signature over the `DF51` TLV.
pub const TAG_SIGNED_KEY_SIGNATURE: u32 = 0xDF52;

/// Physical size of EF `0001`: `FF10 0C` + 12 digits + `FF FF` filler.
pub const EF0001_LEN: usize = 17;
/// Size of EF `0003`.
pub const EF0003_LEN: usize = 336;
/// Size of EF `0007`.
pub const EF0007_LEN: usize = 536;

/// AP information value written into `DF41` of EF `0005` (and `DF31` of the face AP's
/// EF `0003`). Invented: no public source documents its meaning.
pub const AP_INFO: [u8; 4] = [0x00, 0x00, 0x00, 0x01];

/// EF `0001`: `FF 10 0C` ‖ the 12 ASCII digits ‖ `FF FF`. The two filler bytes are part of
/// the file because the `DF31` digest covers them.
pub fn my_number_file(my_number: &str) -> Result<Vec<u8>> {
    if my_number.len() != 12 || !my_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Data("My Number must be 12 ASCII digits".into()));
    }
    let mut file = ber::encode(TAG_MY_NUMBER, my_number.as_bytes());
    file.extend_from_slice(&[0xFF, 0xFF]);
    cv::expect_len(file, EF0001_LEN, "text AP EF 0001")
}

/// EF `0002`: `FF20 { DF21 <4 offsets>, DF22 name, DF23 address, DF24 birth, DF25 sex }`.
pub fn attributes_file(person: &Person) -> Result<Vec<u8>> {
    cv::with_offset_table(
        TAG_ATTRIBUTES,
        TAG_ATTR_OFFSETS,
        &[
            ber::encode(TAG_NAME, person.name.as_bytes()),
            ber::encode(TAG_ADDRESS, person.address.as_bytes()),
            ber::encode(TAG_BIRTH, person.birth_date.compact().as_bytes()),
            ber::encode(TAG_SEX, person.sex.as_bytes()),
        ],
    )
}

/// The bytes of EF `0002` that `DF32` digests: from `offsets[0]` (the `DF22` tag) to the
/// end of the `FF20` TLV.
pub fn attributes_digest_source(ef0002: &[u8]) -> Result<&[u8]> {
    let outer = ber::expect(ef0002, TAG_ATTRIBUTES, "text AP EF 0002")?;
    let items = ber::children(outer.value)?;
    let table = ber::find(&items, TAG_ATTR_OFFSETS)
        .ok_or_else(|| Error::Data("EF 0002 has no DF21".into()))?;
    let first = match table.value {
        [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => return Err(Error::Data("EF 0002 DF21 is too short".into())),
    };
    outer
        .raw
        .get(first..)
        .ok_or_else(|| Error::Data("EF 0002 offset out of range".into()))
}

/// EF `0003`: `FF30 { DF31 <SHA-256(EF 0001)>, DF32 <SHA-256(EF 0002 from DF22)>,
/// DF33 <sig(signer, DF31-TLV ‖ DF32-TLV)> }` (336 bytes).
pub fn integrity_record(ef0001: &[u8], ef0002: &[u8], signer: &TestKey) -> Result<Vec<u8>> {
    let signed = [
        ber::encode(TAG_MY_NUMBER_DIGEST, &Sha256::digest(ef0001)),
        ber::encode(
            TAG_ATTRIBUTES_DIGEST,
            &Sha256::digest(attributes_digest_source(ef0002)?),
        ),
    ]
    .concat();
    let signature = ber::encode(TAG_INTEGRITY_SIGNATURE, &signer.sign_sha256(&signed)?);
    cv::expect_len(
        ber::encode(TAG_INTEGRITY, &[signed, signature].concat()),
        EF0003_LEN,
        "text AP EF 0003",
    )
}

/// EF `0005`: `FF40 { DF41 00 00 00 01, DF42 <signer key ID>, DF43 <128 × 00> }`.
pub fn basic_info(signer_id: KeyId) -> Result<Vec<u8>> {
    let value = [
        ber::encode(TAG_AP_INFO, &AP_INFO),
        ber::encode(TAG_AP_KEY_ID, &signer_id.to_bytes()?),
        ber::encode(TAG_AP_RESERVED, &[0; 128]),
    ]
    .concat();
    Ok(ber::encode(TAG_BASIC_INFO, &value))
}

/// EF `0007`: `FF50 { DF51 <internal-auth key TLV>, DF52 <sig(signer, DF51-TLV)> }`
/// (536 bytes).
pub fn signed_public_key(internal_auth: &TestKey, signer: &TestKey) -> Result<Vec<u8>> {
    let key = ber::encode(
        TAG_SIGNED_KEY_VALUE,
        &cv::rsa_key_tlv_value(&internal_auth.public_key())?,
    );
    let signature = ber::encode(TAG_SIGNED_KEY_SIGNATURE, &signer.sign_sha256(&key)?);
    cv::expect_len(
        ber::encode(TAG_SIGNED_KEY, &[key, signature].concat()),
        EF0007_LEN,
        "text AP EF 0007",
    )
}

/// Every text-AP file of one card, as (file name inside [`DIR`], bytes).
pub fn files(
    person: &Person,
    signer_id: KeyId,
    signer: &TestKey,
    signer_cert: &[u8],
    internal_auth: &TestKey,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let ef0001 = my_number_file(person.my_number)?;
    let ef0002 = attributes_file(person)?;
    let ef0003 = integrity_record(&ef0001, &ef0002, signer)?;
    Ok(vec![
        (EF0001, ef0001),
        (EF0002, ef0002),
        (EF0003, ef0003),
        (EF0004, signer_cert.to_vec()),
        (EF0005, basic_info(signer_id)?),
        (EF0007, signed_public_key(internal_auth, signer)?),
        (INTERNAL_AUTH_KEY, internal_auth.pkcs8_der()?),
    ])
}
