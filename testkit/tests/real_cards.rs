//! MynaKit against bytes written by genuine J-LIS **test** cards (the fixtures of the crate
//! `myna-card` 3.3.4, committed under `test-vectors/real-cards/jlis-test/`, see its
//! PROVENANCE.md). Expected values come from an independent reading of the bytes: hand-decoded
//! offsets written next to each constant, and hashes, strings and pixel data printed by a
//! Python script (`hashlib`, Pillow with OpenJPEG) run on the same files, pasted here as
//! constants. Nothing is taken from MynaKit's own parser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use mynakit::cert::{AnchorSet, JpkiCertificate, Sex, TrustPolicy, TrustStore};
use mynakit::cv::{CheckOutcome, CvCertificate, CvTrust, Verification};
use mynakit::era::Date;
use mynakit::face::{
    AgeRecord, CardFront, FACE_DIGEST_INFO_HEADER, ImageFormat, MyNumberImage, verify_face,
};
use mynakit::sign::{HashAlgorithm, verify_pkcs1_raw};
use mynakit::text::{
    IntegrityRecord, MAX_LEADING_BYTES, MyNumberRecord, OffsetBase, OffsetCheck, RecordLayout,
    SignedCardKey, TextAttributes, verify_text,
};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../test-vectors/real-cards/jlis-test/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The J-LIS TEST CV CA keys (6000020, 6000023, 6000033): test material, loaded here and
/// never compiled into the SDK.
fn test_cv_trust() -> CvTrust {
    let text = String::from_utf8(fixture("cv-ca-test.txt")).unwrap();
    let mut t = CvTrust::empty();
    assert_eq!(t.add_key_list(&text).unwrap(), 3);
    t
}

/// The three hashes inside the card-face DigestInfo, computed by Python `hashlib` over
/// surface-0002.bin byte ranges found by walking the TLVs by hand:
/// `FF20 82 0BF9` (5-byte header), `DF21 12` at 5, `DF22 08` at 26, `DF23 01` at 37,
/// `DF24 82 0109` at 41, `DF25 82 00A9` at 311, `DF26 82 0154` at 485, `DF27 82 073E` at
/// 830, `DF28 82 0100` at 2689, `DF29 08` at 2950, `DF2A 6A` at 2961, end at 3070.
/// H1 = SHA-256(bytes 26..311), H2 = SHA-256(311..830), H3 = SHA-256(830..2689).
const FACE_H1: &str = "E3949FFCE4ADDD34E903D64089003B09E05D328C30554D44DAF2BB044A0F47EC";
const FACE_H2: &str = "44BD8A701CF7F35993DBC2A777894FA3822A862E5F3A2F07D7359DB64DC77F87";
const FACE_H3: &str = "2A484AFC21048E8A2ADB350F504ABFE5DA475E46451579C3988E7356B3E8D345";

/// Regression (issue 9, item 1): the card-face signature of a genuine card verifies with the
/// 96-byte DigestInfo `3071…0460` and not with the SHA-256 prefix `3031…0420` MynaKit
/// used before.
#[test]
fn card_face_signature_of_a_genuine_card_verifies() {
    let face = fixture("surface-0002.bin");
    let cv = CvCertificate::parse(&fixture("surface-0004.bin")).unwrap();
    let signature = &face[2694..2950]; // DF28 value: tag at 2689 + `DF 28 82 01 00`
    let hashes = hex::decode(format!("{FACE_H1}{FACE_H2}{FACE_H3}")).unwrap();

    let right = [FACE_DIGEST_INFO_HEADER.as_slice(), &hashes].concat();
    assert_eq!(
        hex::encode_upper(&right[..19]),
        "3071300D060960864801650304020105000460"
    );
    verify_pkcs1_raw(cv.public_key.key(), &right, signature).unwrap();
    let old = [HashAlgorithm::Sha256.digest_info_prefix(), &hashes].concat();
    assert!(verify_pkcs1_raw(cv.public_key.key(), &old, signature).is_err());

    let front = CardFront::parse(&face).unwrap();
    let v = verify_face(&cv, &test_cv_trust(), Some(&front), None, None);
    assert_eq!(
        v.outcome("card face signature"),
        Some(&CheckOutcome::Verified)
    );
    assert_eq!(
        v.outcome("CV certificate signed by the CV CA"),
        Some(&CheckOutcome::Verified)
    );
}

/// SHA-256 of every fixture, as listed in PROVENANCE.md (computed with `sha256sum`).
const FIXTURES: &[(&str, &str)] = &[
    (
        "text-0001-physical.bin",
        "6d5a4c1ef9ab15bf506862d7e66b9c0f179ca065bc936c8e634e9e57449ca9cd",
    ),
    (
        "text-0002.bin",
        "86931a4249692104df2aa6d70c0383d9b683f46a94d6316d2a965507b8446007",
    ),
    (
        "text-0003.bin",
        "eab84f1e0b6c9c069189b5f517cea82c5227fde440cee1416769b269a13bf133",
    ),
    (
        "text-0004.bin",
        "aa653f5859621d44c441d67682bf4f7317ff31744389d0eb948056a96abb439b",
    ),
    (
        "text-0005.bin",
        "efc301364b22d34deb39e79302eaf9b764883ca7a73215e4ac0e38a707d512d1",
    ),
    (
        "text-0006.bin",
        "9dd105171cb73c926c2e0f0bd8072db90588d7187f22834bf828bf1ff8207b31",
    ),
    (
        "text-0007.bin",
        "3e22eeea73033d79bf41e0980760e46f034ccfcfebe93e209da41c384d94fcfc",
    ),
    (
        "surface-0001.bin",
        "ee619ca0111b4cb3b6adcf3b500d251cc03cc31fdac363da8803fbe3d2ed0a3d",
    ),
    (
        "surface-0002.bin",
        "8a2610286a68cfa8a8f9b866cbdd668916f71a47674ccc4eeb64b4e5ad77dfc1",
    ),
    (
        "surface-0003.bin",
        "b5da8fd7f54fdf80ce26c56664c351d4c7c02eb0da68bf3d8cfe38704196804a",
    ),
    (
        "surface-0004.bin",
        "f47d979cc5fb605cb3d8464be26af3b94379b98eb06315302244af582ba4a963",
    ),
    (
        "surface-0005.bin",
        "bb84257de75ca8027a43c4b8754815234efa6942f6c1ad02ac4c5b9da3aa9b0e",
    ),
    (
        "mf-do-F8.bin",
        "1894f7a8b9009338f8df60bb4949e08954aeac09ee25e0824a38ff1001faf510",
    ),
    (
        "mf-do-7F21.bin",
        "8ac54cbb4ed890d07cca3331fedfd4a42885ae1d272bbcc5ba0e6478daa4dd18",
    ),
    (
        "jpki-auth-cert.der",
        "1dc4c0de26e87426820cdbc53b3dd5def59aa8f0b2314105f58f4fc4c922f904",
    ),
    (
        "jpki-auth-ca-cert.der",
        "5a0e7d690c718fadebc7fb6eff66a6dd623458debc1aa6fb1778bfe157cbeb25",
    ),
    (
        "jpki-sign-cert.der",
        "b3994bc27590a3e8a58be28dc1b9554281fc010cfbe03ae1dd858563a7f68d27",
    ),
    (
        "jpki-sign-ca-cert.der",
        "8126df7dd2db230bd8ee48caa40fc3417dde3607050ed34973d8d3cf267fe723",
    ),
    (
        "jpki-auth-ca-cert-2019.der",
        "b6de0ff5a384f5af0242a6ca854dee57ee2cad97b341f18b914948fd8e638706",
    ),
    (
        "jpki-sign-ca-cert-2019.der",
        "7bdbdf2652a15e6d458efc143b7201242e1162416251d0903060fa7c642465cc",
    ),
];

#[test]
fn fixtures_are_the_bytes_named_in_the_provenance() {
    for (name, sha) in FIXTURES {
        assert_eq!(hex::encode(Sha256::digest(fixture(name))), *sha, "{name}");
    }
}

fn verified(v: &Verification, name: &str) {
    assert_eq!(
        v.outcome(name),
        Some(&CheckOutcome::Verified),
        "{name}: {v:#?}"
    );
}

fn failed(v: &Verification, name: &str) {
    assert!(
        matches!(v.outcome(name), Some(CheckOutcome::Failed { .. })),
        "{name} should fail: {v:#?}"
    );
}

fn date(y: u16, m: u8, d: u8) -> Option<Date> {
    Some(Date {
        year: y,
        month: m,
        day: d,
    })
}

// ---------------------------------------------------------------------------------------
// 券面事項入力補助AP
// ---------------------------------------------------------------------------------------

/// text-0001-physical.bin, by hand: `FF 10 0C` then `35 33 37 36 38 36 36 37 37 31 38 38`
/// (ASCII "537686677188") then the filler `FF FF`.
const MY_NUMBER: &str = "537686677188";

/// text-0002.bin, walked by hand: `FF20 65` (3-byte header, 101 value bytes, file of 104),
/// `DF21 08 000E 0020 0059 0064` at 3, then tags at 14 (`DF22 0F`), 32 (`DF23 36`), 89
/// (`DF24 08`), 100 (`DF25 01`). The name is `E9BB92 E6A190 E38080 E5B9B9 E4B99F`: 黒 桐
/// U+3000 幹 也 (Python `bytes.decode("utf-8")`).
const NAME: &str = "黒桐\u{3000}幹也";
const ADDRESS: &str = "東京都清瀬市観布子南１２－７－２０２";

#[test]
fn text_ap_my_number_and_four_attributes() {
    let m = MyNumberRecord::parse(&fixture("text-0001-physical.bin")).unwrap();
    assert_eq!(m.my_number, MY_NUMBER);
    assert!(m.check_digit_valid);
    assert_eq!(m.raw_hex, "FF100C353337363836363737313838FFFF");

    let a = TextAttributes::parse(&fixture("text-0002.bin")).unwrap();
    assert_eq!(a.name, NAME);
    assert_eq!(
        a.name.as_bytes(),
        hex::decode("E9BB92E6A190E38080E5B9B9E4B99F").unwrap()
    );
    assert_eq!(a.surname.as_deref(), Some("黒桐"));
    assert_eq!(a.given_name.as_deref(), Some("幹也"));
    assert_eq!(a.address, ADDRESS);
    assert_eq!(a.address.chars().count(), 18);
    assert_eq!(a.birth_date_raw, "19800217");
    assert_eq!(a.birth_date, date(1980, 2, 17));
    assert_eq!(a.sex_code, "1");
    assert_eq!(a.sex, Sex::Male);
    // DF21 = 000E 0020 0059 0064 = 14, 32, 89, 100: the tag positions found above.
    assert_eq!(a.offsets, OffsetCheck::Consistent);
}

/// text-0003.bin: `FF30 82 014B`, `DF31 20` at 5 (value 8..40), `DF32 20` at 40 (43..75),
/// `DF33 82 0100` at 75 (80..336). Python: SHA-256(text-0001-physical.bin, 17 bytes) and
/// SHA-256(text-0002.bin[14..104]) equal DF31 and DF32 below.
const DF31: &str = "6D5A4C1EF9AB15BF506862D7E66B9C0F179CA065BC936C8E634E9E57449CA9CD";
const DF32: &str = "B9E0D09427B23B1D4BEDA2848512B4103752DC2667E51F9712872D65F472CB3B";

struct TextAp {
    cv: CvCertificate,
    integrity: IntegrityRecord,
    my_number: MyNumberRecord,
    attributes: TextAttributes,
}

fn text_ap(ef1: &[u8], ef2: &[u8], ef3: &[u8], ef4: &[u8]) -> mynakit::Result<TextAp> {
    Ok(TextAp {
        my_number: MyNumberRecord::parse(ef1)?,
        attributes: TextAttributes::parse(ef2)?,
        integrity: IntegrityRecord::parse(ef3)?,
        cv: CvCertificate::parse(ef4)?,
    })
}

fn text_checks(t: &TextAp, trust: &CvTrust) -> Verification {
    verify_text(
        &t.cv,
        trust,
        &t.integrity,
        Some(&t.my_number),
        Some(&t.attributes),
    )
}

fn real_text_files() -> [Vec<u8>; 4] {
    [
        fixture("text-0001-physical.bin"),
        fixture("text-0002.bin"),
        fixture("text-0003.bin"),
        fixture("text-0004.bin"),
    ]
}

#[test]
fn text_ap_integrity_record_and_cv_certificate_verify() {
    let [e1, e2, e3, e4] = real_text_files();
    let t = text_ap(&e1, &e2, &e3, &e4).unwrap();
    assert_eq!(t.integrity.my_number_digest, DF31);
    assert_eq!(t.integrity.attributes_digest, DF32);
    assert_eq!(t.integrity.signature_hex, hex::encode_upper(&e3[80..336]));
    // text-0004.bin: 5F4E value at 10..307 = issuer "6000033" 08 05 "001" 00000000 ‖
    // subject "1322131" 08 05 "000" 00000000 ‖ 90 03 010001 91 82 0100 <n>.
    assert_eq!(t.cv.issuer_key_id, "36303030303333080530303100000000");
    assert_eq!(t.cv.subject_key_id, "31333232313331080530303000000000");
    assert_eq!(t.cv.public_key.modulus_hex, hex::encode_upper(&e4[51..307]));
    assert_eq!(t.cv.public_key.exponent_hex, "010001");
    assert_eq!(t.cv.public_key.bits, 2048);

    let v = text_checks(&t, &test_cv_trust());
    assert!(v.all_verified(), "{v:#?}");
    for name in [
        "CV certificate signed by the CV CA",
        "integrity record signed by the AP key",
        "My Number digest (DF31)",
        "attributes digest (DF32)",
    ] {
        verified(&v, name);
    }

    // Production keys only: the test issuer is named, nothing is claimed.
    let prod = text_checks(&t, &CvTrust::production().unwrap());
    match prod.outcome("CV certificate signed by the CV CA") {
        Some(CheckOutcome::NotChecked { reason }) => {
            assert!(reason.contains("6000033"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!prod.all_verified());
}

/// text-0007.bin: `FF50 82 0213`, `DF51 82 0109` at 5 (value 10..275: `90 03 010001 91 82
/// 0100` then the modulus at 19..275), `DF52 82 0100` at 275 (280..536), signed by the
/// EF 0004 key over the DF51 TLV (bytes 5..275).
#[test]
fn text_ap_signed_public_key_verifies() {
    let e7 = fixture("text-0007.bin");
    let cv = CvCertificate::parse(&fixture("text-0004.bin")).unwrap();
    let k = SignedCardKey::parse(&e7).unwrap();
    assert_eq!(k.key.modulus_hex, hex::encode_upper(&e7[19..275]));
    assert!(k.key.modulus_hex.starts_with("C080E7CD597F201D"));
    assert_eq!(k.verify(&cv.public_key), CheckOutcome::Verified);
    // Independently: PKCS#1 v1.5 SHA-256 over bytes 5..275 with the certificate's key.
    cv.public_key
        .verify_sha256(&e7[5..275], &e7[280..536])
        .unwrap();

    let mut bad = e7.clone();
    bad[100] ^= 0x01; // inside the DF51 modulus
    let k = SignedCardKey::parse(&bad).unwrap();
    assert!(matches!(
        k.verify(&cv.public_key),
        CheckOutcome::Failed { .. }
    ));
}

#[test]
fn text_ap_tampering_with_any_signed_byte_fails() {
    let trust = test_cv_trust();
    let files = real_text_files();
    // (file index, byte, check that must fail)
    let cases: &[(usize, usize, &str)] = &[
        // a My Number digit (byte 14 = the last digit '8')
        (0, 14, "My Number digest (DF31)"),
        // the filler after the digits is covered too
        (0, 16, "My Number digest (DF31)"),
        // the name (inside DF22) and the sex digit (the last byte)
        (1, 20, "attributes digest (DF32)"),
        (1, 103, "attributes digest (DF32)"),
        // the DF32 digest itself, then a byte of the DF33 signature
        (2, 50, "integrity record signed by the AP key"),
        (2, 200, "integrity record signed by the AP key"),
        // the subject key ID of the CV certificate (5F4E value byte 16 = file byte 26)
        (3, 26, "CV certificate signed by the CV CA"),
    ];
    for &(file, at, check) in cases {
        let mut f = files.clone();
        f[file][at] ^= 0x01;
        let t = text_ap(&f[0], &f[1], &f[2], &f[3]).unwrap_or_else(|e| panic!("{file}/{at}: {e}"));
        let v = text_checks(&t, &trust);
        failed(&v, check);
        assert!(!v.all_verified());
    }
    // The offset table (DF21) is outside the signed range: changing it is reported by the
    // offset check, not by the digest.
    let mut f = files.clone();
    f[1][6] ^= 0x01; // DF21's first offset, low byte (000E -> 000F)
    let t = text_ap(&f[0], &f[1], &f[2], &f[3]).unwrap();
    verified(&text_checks(&t, &trust), "attributes digest (DF32)");
    assert!(matches!(
        t.attributes.offsets,
        OffsetCheck::Inconsistent { .. }
    ));
}

// ---------------------------------------------------------------------------------------
// 券面AP
// ---------------------------------------------------------------------------------------

/// The card key as written in surface-0001.bin: `DF12 82 0109` at 16, value 21..286 =
/// `90 03 010001 91 82 0100` + the modulus at 30..286.
fn card_key_modulus_hex() -> String {
    hex::encode_upper(&fixture("surface-0001.bin")[30..286])
}

fn png_size(png: &[u8]) -> (u32, u32, png::BitDepth, png::ColorType) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height, info.bit_depth, info.color_type)
}

#[test]
fn face_ap_card_face_every_field() {
    let face = fixture("surface-0002.bin");
    let f = CardFront::parse(&face).unwrap();
    // DF22 at 26: `DF22 08` "19800217"; DF23 at 37: `DF23 01` "1".
    assert_eq!(f.birth_date_raw, "19800217");
    assert_eq!(f.birth_date, date(1980, 2, 17));
    assert_eq!(f.sex_code, "1");
    assert_eq!(f.sex, Sex::Male);
    // DF24 at 41 (`DF24 82 0109`, value 46..311): the same key as surface-0001 DF12.
    assert_eq!(f.card_key.modulus_hex, card_key_modulus_hex());
    assert_eq!(
        &face[46..55],
        &hex::decode("900301000191820100").unwrap()[..]
    );
    // DF25 at 311 (`DF25 82 00A9`, value 316..485), DF26 at 485 (`DF26 82 0154`, value
    // 490..830), DF2A at 2961 (`DF2A 6A`, value 2964..3070, the end of the FF20 object).
    assert_eq!(f.name_image.format, ImageFormat::Png);
    assert_eq!(f.name_image.data, &face[316..485]);
    assert_eq!(f.address_image.format, ImageFormat::Png);
    assert_eq!(f.address_image.data, &face[490..830]);
    assert_eq!(f.security_code_image.format, ImageFormat::Png);
    assert_eq!(f.security_code_image.data, &face[2964..3070]);
    // Pixel sizes (Pillow and the PNG IHDR agree): 216×12, 288×12, 24×12, 1-bit greyscale.
    for (img, w, h) in [
        (&f.name_image, 216, 12),
        (&f.address_image, 288, 12),
        (&f.security_code_image, 24, 12),
    ] {
        let (pw, ph, depth, colour) = png_size(&img.data);
        assert_eq!((pw, ph), (w, h));
        assert_eq!(depth, png::BitDepth::One);
        assert_eq!(colour, png::ColorType::Grayscale);
    }
    // DF27 at 830 (`DF27 82 073E`, value 835..2689): a JP2 file of 1854 bytes.
    assert_eq!(f.photo.format, ImageFormat::Jp2);
    assert_eq!(f.photo.data, &face[835..2689]);
    assert_eq!(f.photo.data.len(), 1854);
    // DF29 at 2950: `DF29 08` "20350217".
    assert_eq!(f.expiry_raw, "20350217");
    assert_eq!(f.expiry, date(2035, 2, 17));
    // DF21 = 001A 0025 0029 0137 01E5 033E 0A81 0B86 0B91 = 26, 37, 41, 311, 485, 830, 2689,
    // 2950, 2961: the tag positions above.
    assert_eq!(f.offsets, OffsetCheck::Consistent);
}

/// The photo decoded by Pillow 12 with OpenJPEG (`Image.open(...).tobytes()`): 378 × 472,
/// mode `L`, SHA-256 of the 178 416 pixel bytes and their mean.
const PHOTO_PIXELS_SHA256: &str =
    "4ab9ecd32129431494a6fa42025de2bfb4802d0f5d9de9fe256f37cc5590d103";

#[cfg(feature = "photo")]
#[test]
fn face_ap_photo_decodes_to_the_pixels_openjpeg_gives() {
    let f = CardFront::parse(&fixture("surface-0002.bin")).unwrap();
    // The JP2 header (jp2h/ihdr) says 472 rows, 378 columns, 1 component, 8 bits.
    let p = mynakit::face::decode_photo(&f.photo.data).unwrap();
    assert_eq!((p.width, p.height, p.channels), (378, 472, 1));
    assert_eq!(p.pixels.len(), 378 * 472);
    assert_eq!(hex::encode(Sha256::digest(&p.pixels)), PHOTO_PIXELS_SHA256);
    let (w, h, depth, colour) = png_size(&p.png);
    assert_eq!(
        (w, h, depth, colour),
        (378, 472, png::BitDepth::Eight, png::ColorType::Grayscale)
    );
}

#[test]
fn face_ap_my_number_image_and_age_record() {
    // surface-0005.bin: `FF40 82 02A9`, `DF41 82 0091` at 5 (value 10..155, 145 bytes),
    // `DF42 82 0109` at 155, `DF43 82 0100` at 425.
    let e5 = fixture("surface-0005.bin");
    let m = MyNumberImage::parse(&e5).unwrap();
    assert_eq!(m.image.format, ImageFormat::Png);
    assert_eq!(m.image.data.len(), 145);
    assert_eq!(m.image.data, &e5[10..155]);
    assert_eq!(png_size(&m.image.data).0, 72);
    assert_eq!(png_size(&m.image.data).1, 12);
    assert_eq!(m.card_key.modulus_hex, card_key_modulus_hex());

    // surface-0001.bin: `FF10 82 021F`, `DF11 08` at 5 "19800217", DF12 at 16, DF13 at 286.
    let a = AgeRecord::parse(&fixture("surface-0001.bin")).unwrap();
    assert_eq!(a.birth_date_raw, "19800217");
    assert_eq!(a.birth_date, date(1980, 2, 17));
    assert_eq!(a.card_key.modulus_hex, card_key_modulus_hex());
    let today = Date {
        year: 2026,
        month: 12,
        day: 1,
    };
    assert_eq!(a.is_at_least(46, today), Some(true));
    assert_eq!(a.is_at_least(47, today), Some(false));
}

struct FaceAp {
    cv: CvCertificate,
    front: CardFront,
    image: MyNumberImage,
    age: AgeRecord,
}

fn face_ap(files: &[Vec<u8>; 4]) -> mynakit::Result<FaceAp> {
    Ok(FaceAp {
        age: AgeRecord::parse(&files[0])?,
        front: CardFront::parse(&files[1])?,
        cv: CvCertificate::parse(&files[2])?,
        image: MyNumberImage::parse(&files[3])?,
    })
}

fn face_checks(f: &FaceAp, trust: &CvTrust) -> Verification {
    verify_face(&f.cv, trust, Some(&f.front), Some(&f.image), Some(&f.age))
}

fn real_face_files() -> [Vec<u8>; 4] {
    [
        fixture("surface-0001.bin"),
        fixture("surface-0002.bin"),
        fixture("surface-0004.bin"),
        fixture("surface-0005.bin"),
    ]
}

#[test]
fn face_ap_every_signature_and_the_cv_certificate_verify() {
    let files = real_face_files();
    let f = face_ap(&files).unwrap();
    // surface-0004.bin 5F4E value: issuer "6000023" 08 05 "001" 0…, subject "1322121" 08 05
    // "000" 0…
    assert_eq!(f.cv.issuer_key_id, "36303030303233080530303100000000");
    assert_eq!(f.cv.subject_key_id, "31333232313231080530303000000000");
    let v = face_checks(&f, &test_cv_trust());
    assert!(v.all_verified(), "{v:#?}");
    for name in [
        "CV certificate signed by the CV CA",
        "card face signature",
        "My Number image signature",
        "age record signature",
        "same card key in every record",
    ] {
        verified(&v, name);
    }
    // Independently of verify_face: DF13 over surface-0001 bytes 5..286 (DF11 and DF12 TLVs)
    // and DF43 over surface-0005 bytes 5..425 (DF41 and DF42 TLVs), with the EF 0004 key.
    let key = &f.cv.public_key;
    key.verify_sha256(&files[0][5..286], &files[0][291..547])
        .unwrap();
    key.verify_sha256(&files[3][5..425], &files[3][430..686])
        .unwrap();
    // The card key signs none of them.
    assert!(
        f.front
            .card_key
            .verify_sha256(&files[0][5..286], &files[0][291..547])
            .is_err()
    );

    let prod = face_checks(&f, &CvTrust::production().unwrap());
    match prod.outcome("CV certificate signed by the CV CA") {
        Some(CheckOutcome::NotChecked { reason }) => {
            assert!(reason.contains("6000023"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn face_ap_tampering_with_any_signed_byte_fails_and_unsigned_fields_are_unsigned() {
    let trust = test_cv_trust();
    let files = real_face_files();
    let cases: &[(usize, usize, &str)] = &[
        // age record: a birth-date digit (DF11 value 8..16)
        (0, 12, "age record signature"),
        // card face: birth (group 1), name image (group 2), photo (group 3), the signature
        (1, 33, "card face signature"),
        (1, 400, "card face signature"),
        (1, 2000, "card face signature"),
        (1, 2800, "card face signature"),
        // CV certificate: its subject key ID
        (2, 26, "CV certificate signed by the CV CA"),
        // My Number image: a byte of the PNG
        (3, 100, "My Number image signature"),
    ];
    for &(file, at, check) in cases {
        let mut f = files.clone();
        f[file][at] ^= 0x01;
        let parsed = face_ap(&f).unwrap_or_else(|e| panic!("{file}/{at}: {e}"));
        let v = face_checks(&parsed, &trust);
        failed(&v, check);
        assert!(!v.all_verified());
    }
    // DF29 (expiry, `DF29 08` at 2950, value 2953..2961) and DF2A (security code) come after DF28 and are signed by
    // nothing (card-protocol §9.2): changing them leaves every check verified.
    let mut f = files.clone();
    f[1][2960] = b'8'; // 20350217 -> 20350218
    f[1][3000] ^= 0x01;
    let parsed = face_ap(&f).unwrap();
    assert_eq!(parsed.front.expiry_raw, "20350218");
    assert!(face_checks(&parsed, &trust).all_verified());
}

// ---------------------------------------------------------------------------------------
// MF-level CV certificate chain and JPKI certificates
// ---------------------------------------------------------------------------------------

/// mf-do-F8.bin / mf-do-7F21.bin (GET DATA content, no 7F21 template): `4D 0A` header list
/// at 0, `5F4E 82 0129` at 12 (value 17..314), `5F37 82 0100` at 314 (319..575).
#[test]
fn mf_cv_certificate_chain_verifies() {
    let f8 = CvCertificate::parse(&fixture("mf-do-F8.bin")).unwrap();
    let c7f21 = CvCertificate::parse(&fixture("mf-do-7F21.bin")).unwrap();
    // Issuer "6000020" 08 05 "001" 000000A8 → subject "1322130" 08 05 "002" 00000098.
    assert_eq!(f8.issuer_key_id, "363030303032300805303031000000A8");
    assert_eq!(f8.subject_key_id, "31333232313330080530303200000098");
    // Subject "0000050" 08 05 "001" 00000040, issued by the 00F8 subject.
    assert_eq!(c7f21.issuer_key_id, f8.subject_key_id);
    assert_eq!(c7f21.subject_key_id, "30303030303530080530303100000040");
    assert_eq!(f8.raw.len(), 575);

    assert_eq!(f8.verify(&test_cv_trust()), CheckOutcome::Verified);
    assert_eq!(c7f21.verify_issued_by(&f8), CheckOutcome::Verified);
    // The second link's CA is not a published CA key: not checked, never verified.
    assert!(matches!(
        c7f21.verify(&test_cv_trust()),
        CheckOutcome::NotChecked { .. }
    ));
    // Wrong issuer, tampered body.
    assert!(matches!(
        f8.verify_issued_by(&c7f21),
        CheckOutcome::Failed { .. }
    ));
    let mut bad = fixture("mf-do-7F21.bin");
    bad[40] ^= 0x01; // inside the subject key ID
    let bad = CvCertificate::parse(&bad).unwrap();
    assert!(matches!(
        bad.verify_issued_by(&f8),
        CheckOutcome::Failed { .. }
    ));
}

/// 2026-01-01T00:00:00Z: inside the validity of both test certificates (2025-10-27 to
/// 2030-02-17, `openssl x509 -dates`) and of their CAs.
const AT: u64 = 1_767_225_600;

const JLIS_TEST: TrustPolicy = TrustPolicy {
    accept_jlis_test_cards: true,
    accept_virtual_card: false,
    ..TrustPolicy::PRODUCTION
};

#[test]
fn jpki_test_certificates_chain_to_the_jlis_test_roots_only_under_that_policy() {
    let auth = JpkiCertificate::parse(&fixture("jpki-auth-cert.der")).unwrap();
    let sign = JpkiCertificate::parse(&fixture("jpki-sign-cert.der")).unwrap();
    // openssl: serials 227B13 and 1EE607; issuers O=JPKI-TEST.
    assert_eq!(
        auth.info.serial.trim_start_matches('0').to_uppercase(),
        "227B13"
    );
    assert_eq!(
        sign.info.serial.trim_start_matches('0').to_uppercase(),
        "1EE607"
    );
    for cert in [&auth, &sign] {
        assert!(
            cert.info.issuer.contains("JPKI-TEST"),
            "{}",
            cert.info.issuer
        );
        let chain = mynakit_testkit::trust::trust_store(JLIS_TEST)
            .unwrap()
            .verify(cert, AT)
            .unwrap();
        assert_eq!(chain.anchor_set, AnchorSet::JlisTest);
        assert!(
            mynakit_testkit::trust::trust_store(TrustPolicy::PRODUCTION)
                .unwrap()
                .verify(cert, AT)
                .is_err()
        );
        assert!(
            mynakit_testkit::trust::trust_store(TrustPolicy::VIRTUAL_CARD)
                .unwrap()
                .verify(cert, AT)
                .is_err()
        );
    }
    // Each leaf is signed by the CA read from its own card, not by the same-DN CA of the
    // other test card.
    let auth_ca = JpkiCertificate::parse(&fixture("jpki-auth-ca-cert.der")).unwrap();
    let auth_ca_2019 = JpkiCertificate::parse(&fixture("jpki-auth-ca-cert-2019.der")).unwrap();
    let sign_ca = JpkiCertificate::parse(&fixture("jpki-sign-ca-cert.der")).unwrap();
    let sign_ca_2019 = JpkiCertificate::parse(&fixture("jpki-sign-ca-cert-2019.der")).unwrap();
    assert_eq!(auth_ca.info.subject, auth_ca_2019.info.subject);
    auth.is_signed_by(&auth_ca).unwrap();
    assert!(auth.is_signed_by(&auth_ca_2019).is_err());
    sign.is_signed_by(&sign_ca).unwrap();
    assert!(sign.is_signed_by(&sign_ca_2019).is_err());

    // The signing certificate's subjectAltName carries the text AP's strings byte for byte
    // (docs/tools/check-real-card-facts.py), the birth date as era digit 3 (昭和) + YYYYMMDD.
    let attrs = sign.info.attributes.clone().unwrap();
    assert_eq!(attrs.name.as_deref(), Some(NAME));
    assert_eq!(attrs.address.as_deref(), Some(ADDRESS));
    assert_eq!(attrs.sex_code.as_deref(), Some("1"));
    let birth = attrs.birth_date.unwrap();
    assert_eq!(birth.raw, "319800217");
    assert_eq!(birth.date, date(1980, 2, 17));
    assert!(auth.info.attributes.is_none());
}

// ---------------------------------------------------------------------------------------
// Layout tolerance (issue 9 item 6): bytes before the record's tag
// ---------------------------------------------------------------------------------------

/// text-0002.bin with `lead` prepended and, optionally, the DF21 table rewritten (DF21's
/// value is bytes 6..14 of the original file).
fn shifted_text_0002(lead: &[u8], table: Option<[u16; 4]>) -> Vec<u8> {
    let mut ef = fixture("text-0002.bin");
    if let Some(t) = table {
        let bytes: Vec<u8> = t.iter().flat_map(|v| v.to_be_bytes()).collect();
        ef[6..14].copy_from_slice(&bytes);
    }
    [lead, &ef].concat()
}

#[test]
fn text_record_after_two_leading_bytes_is_found_and_still_verifies() {
    let [e1, _, e3, e4] = real_text_files();
    let trust = test_cv_trust();
    for lead in [[0x00, 0x00], [0xFF, 0xFF], [0x12, 0x34], [0x90, 0x00]] {
        // The table unchanged: 000E 0020 0059 0064 still counts from the FF20 tag, which is
        // now at file offset 2, so the tags are at file offsets 16, 34, 91, 102.
        let ef2 = shifted_text_0002(&lead, None);
        let t = text_ap(&e1, &ef2, &e3, &e4).unwrap_or_else(|e| panic!("{lead:02X?}: {e}"));
        let a = &t.attributes;
        assert_eq!((a.name.as_str(), a.address.as_str()), (NAME, ADDRESS));
        assert_eq!(
            (a.birth_date_raw.as_str(), a.sex_code.as_str()),
            ("19800217", "1")
        );
        assert_eq!(a.offsets, OffsetCheck::Consistent);
        assert_eq!(
            a.layout,
            RecordLayout {
                leading_bytes: 2,
                offsets_from: Some(OffsetBase::RecordStart)
            }
        );
        // DF32 covers DF22..end of FF20, found by tag: the same 90 signed bytes.
        let v = text_checks(&t, &trust);
        assert!(v.all_verified(), "{lead:02X?}: {v:#?}");
        // The bytes before the record are outside every signed range.
        let mut other = ef2.clone();
        other[1] ^= 0x55;
        let t2 = text_ap(&e1, &other, &e3, &e4).unwrap();
        assert!(text_checks(&t2, &trust).all_verified());
        // A byte inside the signed range still fails (the name, file offset 2 + 20).
        let mut bad = ef2.clone();
        bad[22] ^= 0x01;
        let t3 = text_ap(&e1, &bad, &e3, &e4).unwrap();
        failed(&text_checks(&t3, &trust), "attributes digest (DF32)");
    }
    // JSON shows the layout only when bytes precede the record.
    let plain = TextAttributes::parse(&fixture("text-0002.bin")).unwrap();
    assert!(
        !serde_json::to_string(&plain)
            .unwrap()
            .contains("leading_bytes")
    );
    let shifted = TextAttributes::parse(&shifted_text_0002(&[0, 0], None)).unwrap();
    assert!(
        serde_json::to_string(&shifted)
            .unwrap()
            .contains("\"leading_bytes\":2")
    );
}

#[test]
fn offset_table_counting_from_the_file_start_or_from_neither() {
    let [e1, _, e3, e4] = real_text_files();
    let trust = test_cv_trust();
    // The table rewritten to count from the file start (each entry + 2): DF21 is outside
    // the DF32 range, so the record still verifies.
    let ef2 = shifted_text_0002(&[0, 0], Some([16, 34, 91, 102]));
    let t = text_ap(&e1, &ef2, &e3, &e4).unwrap();
    assert_eq!(t.attributes.offsets, OffsetCheck::Consistent);
    assert_eq!(
        t.attributes.layout.offsets_from,
        Some(OffsetBase::FileStart)
    );
    assert!(text_checks(&t, &trust).all_verified());
    // A table that fits neither reading: inconsistent, no base claimed, fields still read by
    // tag and verified.
    let ef2 = shifted_text_0002(&[0, 0], Some([15, 33, 90, 101]));
    let t = text_ap(&e1, &ef2, &e3, &e4).unwrap();
    assert!(matches!(
        t.attributes.offsets,
        OffsetCheck::Inconsistent { .. }
    ));
    assert_eq!(t.attributes.layout.offsets_from, None);
    assert_eq!(t.attributes.name, NAME);
    assert!(text_checks(&t, &trust).all_verified());
}

#[test]
fn leading_bytes_are_bounded_and_garbage_is_a_typed_error() {
    let lead = vec![0u8; MAX_LEADING_BYTES];
    assert!(TextAttributes::parse(&shifted_text_0002(&lead, None)).is_ok());
    let too_many = vec![0u8; MAX_LEADING_BYTES + 1];
    assert!(matches!(
        TextAttributes::parse(&shifted_text_0002(&too_many, None)),
        Err(mynakit::Error::MalformedData { .. })
    ));
    // A truncated record after leading bytes is not "found".
    let cut = shifted_text_0002(&[0, 0], None);
    assert!(TextAttributes::parse(&cut[..60]).is_err());
    assert!(TextAttributes::parse(&[0xFF, 0xFF]).is_err());
}

#[test]
fn card_face_after_two_leading_bytes_still_verifies() {
    let files = real_face_files();
    let mut shifted = files.clone();
    shifted[1] = [&[0x00, 0x00][..], &files[1]].concat();
    shifted[0] = [&[0x00, 0x00][..], &files[0]].concat();
    shifted[3] = [&[0x00, 0x00][..], &files[3]].concat();
    let f = face_ap(&shifted).unwrap();
    assert_eq!(f.front.layout.leading_bytes, 2);
    assert_eq!(f.front.layout.offsets_from, Some(OffsetBase::RecordStart));
    assert_eq!(f.front.offsets, OffsetCheck::Consistent);
    assert!(face_checks(&f, &test_cv_trust()).all_verified());
}

// ---------------------------------------------------------------------------------------
// The `jlis-test` virtual card: the flows end to end over the real bytes
// ---------------------------------------------------------------------------------------

mod virtual_card {
    use super::*;
    use mynakit::cert::unix_now;
    use mynakit::face::FaceUnlock;
    use mynakit::jpki::{JpkiKey, SignOptions};
    use mynakit::sign::SignInput;
    use mynakit::text::{ChallengeSource, TextUnlock};
    use mynakit::{Card, Error, Secret};
    use mynakit_testkit::sim::{CardProfile, VirtualCard};
    use mynakit_testkit::trace::{ReplayMode, Trace, ops};

    const PIN: &str = "1234"; // chosen (profile.json): the card's PIN is not in the data
    const CODE_A: &str = MY_NUMBER;
    /// 照合番号B, built by hand: birth 1980-02-17 = 昭和55年 (1980 − 1925) → `550217`, expiry
    /// year from 券面 DF29 `20350217` → `2035`, security code `2285` read off the 24 × 12 DF2A
    /// image (printed as a 0/1 bitmap by Pillow: glyphs 2, 2, 8, 5).
    const CODE_B: &str = "55021720352285";
    const BIRTH_KEY: &str = "550217";

    fn card() -> Card<VirtualCard> {
        Card::new(VirtualCard::builtin("jlis-test").unwrap()).unwrap()
    }

    #[test]
    fn profile_credentials_are_the_ones_built_by_hand() {
        let p = CardProfile::builtin("jlis-test").unwrap();
        let s = ops::Secrets::from_profile(&p).unwrap();
        assert_eq!(
            s.get(mynakit::Credential::TextCodeA).unwrap().expose(),
            CODE_A
        );
        assert_eq!(
            s.get(mynakit::Credential::TextCodeB).unwrap().expose(),
            CODE_B
        );
        assert_eq!(
            s.get(mynakit::Credential::FaceCodeB).unwrap().expose(),
            CODE_B
        );
        assert_eq!(
            s.get(mynakit::Credential::FaceBirthKey).unwrap().expose(),
            BIRTH_KEY
        );
        assert!(CardProfile::REAL_CARD_PROFILES.contains(&"jlis-test"));
        assert!(!mynakit_testkit::sim::BUILTIN_PROFILES.contains(&"jlis-test"));
    }

    #[test]
    fn text_flows_over_the_real_bytes() {
        let trust = test_cv_trust();
        for (how, value) in [
            (TextUnlock::Pin, PIN),
            (TextUnlock::CodeA, CODE_A),
            (TextUnlock::CodeB, CODE_B),
        ] {
            let mut c = card();
            let r = c
                .text()
                .read(how, &Secret::new(value), false, &trust, None)
                .unwrap_or_else(|e| panic!("{how:?}: {e}"));
            // Every check that could run passed; the rest say "not read under this
            // credential".
            let v = &r.verification;
            assert!(!v.any_failed(), "{how:?}: {v:#?}");
            verified(v, "CV certificate signed by the CV CA");
            verified(v, "integrity record signed by the AP key");
            assert_eq!(v.all_verified(), how == TextUnlock::Pin);
            if how != TextUnlock::CodeB {
                verified(v, "My Number digest (DF31)");
                assert_eq!(r.my_number.as_ref().unwrap().my_number, MY_NUMBER);
            }
            if how != TextUnlock::CodeA {
                verified(v, "attributes digest (DF32)");
                let a = r.attributes.as_ref().unwrap();
                assert_eq!((a.name.as_str(), a.address.as_str()), (NAME, ADDRESS));
            }
            assert_eq!(c.transport().verify_attempts(), 1);
        }
    }

    #[test]
    fn face_flows_over_the_real_bytes() {
        let trust = test_cv_trust();
        let mut c = card();
        let r = c
            .face()
            .read(FaceUnlock::CodeA, &Secret::new(CODE_A), false, &trust, None)
            .unwrap();
        let v = &r.verification;
        assert!(!v.any_failed(), "{v:#?}");
        for name in [
            "CV certificate signed by the CV CA",
            "card face signature",
            "My Number image signature",
            "same card key in every record",
        ] {
            verified(v, name);
        }
        let front = r.front.unwrap();
        assert_eq!(front.photo.data, &fixture("surface-0002.bin")[835..2689]);
        assert_eq!(front.expiry_raw, "20350217");
        assert!(r.my_number_image.is_some());

        let r = card()
            .face()
            .read(FaceUnlock::CodeB, &Secret::new(CODE_B), false, &trust, None)
            .unwrap();
        assert!(
            r.verification
                .outcome("card face signature")
                .unwrap()
                .is_verified()
        );
        assert!(r.my_number_image.is_none());

        let r = card()
            .face()
            .read(
                FaceUnlock::BirthKey,
                &Secret::new(BIRTH_KEY),
                false,
                &trust,
                None,
            )
            .unwrap();
        assert_eq!(r.age.unwrap().birth_date_raw, "19800217");
        assert!(
            r.verification
                .outcome("age record signature")
                .unwrap()
                .is_verified()
        );
    }

    /// No private key is known for this card: liveness must say *failed*, with the card's
    /// refusal as the reason, and never pass.
    #[test]
    fn liveness_is_reported_failed_not_faked() {
        let trust = test_cv_trust();
        let r = card()
            .text()
            .read(
                TextUnlock::Pin,
                &Secret::new(PIN),
                false,
                &trust,
                Some(&ChallengeSource::Card),
            )
            .unwrap();
        assert!(r.verification.all_verified());
        let l = r.liveness.unwrap();
        assert!(l.signature.is_empty());
        assert!(!l.verification.all_verified());
        verified(&l.verification, "card key signed by the AP key");
        match l.verification.outcome("challenge signed by the card key") {
            Some(CheckOutcome::Failed { reason }) => {
                assert!(
                    reason.contains("did not sign") && reason.contains("6A82"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }

        let r = card()
            .face()
            .read(
                FaceUnlock::CodeB,
                &Secret::new(CODE_B),
                false,
                &trust,
                Some(&ChallengeSource::Host((0u8..16).collect())),
            )
            .unwrap();
        let l = r.liveness.unwrap();
        assert!(matches!(
            l.verification.outcome("challenge signed by the card key"),
            Some(CheckOutcome::Failed { .. })
        ));
        assert!(!l.verification.all_verified());
    }

    #[test]
    fn jpki_real_certificates_and_no_signing() {
        let mut c = card();
        let auth = c.jpki().auth_certificate().unwrap();
        assert_eq!(auth.der, fixture("jpki-auth-cert.der"));
        mynakit_testkit::trust::trust_store(JLIS_TEST)
            .unwrap()
            .verify(&auth, AT)
            .unwrap();
        assert!(
            TrustStore::production()
                .unwrap()
                .verify(&auth, unix_now())
                .is_err()
        );
        let sign = c
            .jpki()
            .sign_certificate(&Secret::new("ABC123"), false)
            .unwrap();
        assert_eq!(sign.der, fixture("jpki-sign-cert.der"));
        // No signing key in this profile: the card refuses (6A82) and MynaKit says so.
        let input = SignInput::Message {
            hash: HashAlgorithm::Sha256,
            data: b"x".to_vec(),
        };
        let err = c
            .jpki()
            .sign(
                JpkiKey::Auth,
                &Secret::new(PIN),
                &input,
                SignOptions::default(),
            )
            .unwrap_err();
        assert!(matches!(err, Error::NotAvailable { .. }), "{err}");
    }

    /// The 2-byte-prefixed 入力補助 EF 0002 through the card: found, verified, and the usual
    /// layout costs no APDU more than before.
    #[test]
    fn leading_bytes_through_the_virtual_card() {
        let dir = std::env::temp_dir().join(format!("mynakit-real-{}", std::process::id()));
        let real = dir.join("real-cards/jlis-test");
        let cards = dir.join("cards/jlis-test");
        std::fs::create_dir_all(&real).unwrap();
        std::fs::create_dir_all(&cards).unwrap();
        let src = format!("{}/../test-vectors", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(format!("{src}/real-cards/jlis-test")).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), real.join(e.file_name())).unwrap();
            }
        }
        std::fs::copy(
            format!("{src}/cards/jlis-test/profile.json"),
            cards.join("profile.json"),
        )
        .unwrap();
        std::fs::write(
            real.join("text-0002.bin"),
            shifted_text_0002(&[0x00, 0x00], None),
        )
        .unwrap();
        let shifted = CardProfile::load(&cards).unwrap();

        let read = |sim: VirtualCard| {
            let mut c = Card::new(sim).unwrap();
            let r = c
                .text()
                .read(
                    TextUnlock::CodeB,
                    &Secret::new(CODE_B),
                    false,
                    &test_cv_trust(),
                    None,
                )
                .unwrap();
            (r, c.stats().apdus)
        };
        let (plain, plain_apdus) = read(VirtualCard::builtin("jlis-test").unwrap());
        let (moved, moved_apdus) = read(VirtualCard::new(shifted).unwrap());
        std::fs::remove_dir_all(&dir).ok();
        for r in [&plain, &moved] {
            assert!(!r.verification.any_failed(), "{:#?}", r.verification);
            verified(&r.verification, "attributes digest (DF32)");
        }
        let (a, b) = (plain.attributes.unwrap(), moved.attributes.unwrap());
        assert_eq!(a.layout.leading_bytes, 0);
        assert_eq!(b.layout.leading_bytes, 2);
        assert_eq!(b.layout.offsets_from, Some(OffsetBase::RecordStart));
        assert_eq!((b.name, b.address), (a.name, a.address));
        // SELECT AP, counter query, VERIFY, READ EF 0002, READ EF 0003, READ EF 0004 — the
        // shifted file costs one READ more (the record is looked for in a second read).
        assert_eq!(
            moved_apdus,
            plain_apdus + 1,
            "{plain_apdus} vs {moved_apdus}"
        );
    }

    // -----------------------------------------------------------------------------------
    // Traces of the text and face reads on this card, kept in
    // test-vectors/real-cards/jlis-test/traces/ (MYNAKIT_REGEN_REAL_TRACES=1 rewrites them).
    // -----------------------------------------------------------------------------------

    fn traces() -> Vec<(&'static str, ops::Operation)> {
        let text = |unlock, liveness| ops::Operation::Text {
            unlock,
            liveness,
            allow_last_try: false,
        };
        let face = |unlock, liveness| ops::Operation::Face {
            unlock,
            liveness,
            allow_last_try: false,
        };
        vec![
            ("jlis-text", text(TextUnlock::Pin, ops::Liveness::None)),
            (
                "jlis-text-code-b",
                text(TextUnlock::CodeB, ops::Liveness::None),
            ),
            (
                "jlis-text-liveness",
                text(TextUnlock::Pin, ops::Liveness::Card),
            ),
            ("jlis-face", face(FaceUnlock::CodeA, ops::Liveness::None)),
            (
                "jlis-face-birth-key",
                face(FaceUnlock::BirthKey, ops::Liveness::None),
            ),
        ]
    }

    #[test]
    fn golden_traces_of_the_real_card_replay_to_their_results() {
        let dir = format!(
            "{}/../test-vectors/real-cards/jlis-test/traces",
            env!("CARGO_MANIFEST_DIR")
        );
        let regen = std::env::var_os("MYNAKIT_REGEN_REAL_TRACES").is_some();
        let profile = CardProfile::builtin("jlis-test").unwrap();
        let secrets = ops::Secrets::from_profile(&profile).unwrap();
        let mut settings = ops::RecordSettings::golden("sim:jlis-test");
        settings.trust = JLIS_TEST;
        for (name, op) in traces() {
            let sim = VirtualCard::new(profile.clone()).unwrap();
            let (trace, outcome) = ops::record(sim, &op, &secrets, &settings).unwrap();
            let text = trace.to_jsonl().unwrap();
            let expected = outcome.to_json_pretty().unwrap();
            let (tp, ep) = (
                format!("{dir}/{name}.trace.jsonl"),
                format!("{dir}/{name}.expected.json"),
            );
            if regen {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&tp, &text).unwrap();
                std::fs::write(&ep, &expected).unwrap();
            }
            assert_eq!(
                std::fs::read_to_string(&tp).unwrap(),
                text,
                "{name}: trace changed"
            );
            assert_eq!(
                std::fs::read_to_string(&ep).unwrap(),
                expected,
                "{name}: result changed"
            );
            let replayed = ops::replay(
                &Trace::parse(&text).unwrap(),
                ReplayMode::Strict,
                Vec::new(),
            )
            .unwrap();
            assert_eq!(replayed.outcome, outcome, "{name}");
            // No credential value reaches the file: every VERIFY is stored without its data
            // (the My Number itself is card data in EF 0001 and may appear as a response).
            let mut verifies = 0;
            for x in &trace.exchanges {
                if x.command.get(1) == Some(&0x20) {
                    assert!(x.command.len() <= 5, "{name}: VERIFY data stored");
                    verifies += usize::from(x.redacted.is_some());
                }
            }
            assert_eq!(verifies, 1, "{name}");
            for secret in [PIN, CODE_B, BIRTH_KEY] {
                assert!(!text.contains(secret), "{name} holds a credential");
            }
        }
    }
}
