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

use mynakit::cv::{CheckOutcome, CvCertificate, CvTrust};
use mynakit::face::{CardFront, FACE_DIGEST_INFO_HEADER, verify_face};
use mynakit::sign::{HashAlgorithm, verify_pkcs1_raw};

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
