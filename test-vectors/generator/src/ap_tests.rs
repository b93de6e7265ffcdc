//! End-to-end checks of the generated 券面 AP files: they are read back from the file
//! set with the SDK's BER reader and every signature is verified with `rsa`'s public
//! verify, under the key the format says signed it.

use std::sync::OnceLock;

use mynakit::ber::{self, Tlv};
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, pkcs8::DecodePrivateKey, pkcs8::DecodePublicKey,
};
use sha2::{Digest, Sha256};

use crate::{
    cv::{self, CV_TEST_CA_ID, FACE_AP_SIGNER_ID, TEXT_AP_SIGNER_ID},
    face_ap::{self, FACE_DIGEST_INFO_HEADER},
    profiles::{self, CardProfile},
    text_ap,
    vectors::{self, FileSet},
};

/// The generated files, built once for all tests of this module.
fn files() -> &'static FileSet {
    static FILES: OnceLock<FileSet> = OnceLock::new();
    FILES.get_or_init(|| vectors::generate().expect("generation succeeds"))
}

fn file(path: &str) -> &'static [u8] {
    files()
        .get(path)
        .unwrap_or_else(|| panic!("missing {path}"))
}

fn card_file(card: &str, dir: &str, name: &str) -> &'static [u8] {
    file(&format!("cards/{card}/{dir}/{name}"))
}

/// The outer TLV (checked tag, no trailing bytes) and its children.
fn record(bytes: &'static [u8], tag: u32) -> (Tlv<'static>, Vec<Tlv<'static>>) {
    let outer = ber::expect(bytes, tag, "record").expect("outer TLV");
    assert_eq!(outer.raw.len(), bytes.len(), "trailing bytes after {tag:X}");
    let children = ber::children(outer.value).expect("children");
    (outer, children)
}

fn child<'a>(children: &[Tlv<'a>], tag: u32) -> Tlv<'a> {
    ber::find(children, tag).unwrap_or_else(|| panic!("no {tag:X}"))
}

fn tags(children: &[Tlv<'_>]) -> Vec<u32> {
    children.iter().map(|t| t.tag).collect()
}

fn private_key(bytes: &[u8]) -> RsaPublicKey {
    RsaPrivateKey::from_pkcs8_der(bytes)
        .expect("PKCS#8")
        .to_public_key()
}

fn verify_sha256(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    cv::verify(
        key,
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        signature,
    )
    .is_ok()
}

/// A parsed CV certificate: (issuer ID, subject ID, subject key, body, signature).
type ParsedCv = (
    &'static [u8],
    &'static [u8],
    RsaPublicKey,
    &'static [u8],
    &'static [u8],
);

/// Parses a CV certificate: (issuer ID, subject ID, subject key, body, signature).
fn parse_cv(cert: &'static [u8]) -> ParsedCv {
    assert_eq!(cert.len(), cv::CV_CERT_LEN);
    let (_, items) = record(cert, cv::TAG_CV_CERT);
    assert_eq!(tags(&items), [cv::TAG_CV_BODY, cv::TAG_CV_SIGNATURE]);
    let body = child(&items, cv::TAG_CV_BODY).value;
    assert_eq!(body.len(), cv::CV_BODY_LEN);
    let key = cv::parse_rsa_key_tlv(&body[32..]).expect("key");
    (
        &body[..16],
        &body[16..32],
        key,
        body,
        child(&items, cv::TAG_CV_SIGNATURE).value,
    )
}

/// Checks a DF21 table of u16 offsets: each points at the tag of the next child, in order.
fn check_offsets(bytes: &[u8], children: &[Tlv<'_>], table_tag: u32, expected: &[u32]) -> usize {
    let table = child(children, table_tag).value;
    assert_eq!(table.len(), 2 * expected.len());
    let offsets: Vec<usize> = table
        .chunks(2)
        .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])))
        .collect();
    let fields: Vec<&Tlv<'_>> = children.iter().skip(1).collect();
    assert_eq!(
        fields.iter().map(|t| t.tag).collect::<Vec<_>>(),
        expected,
        "child order"
    );
    for ((offset, field), tag) in offsets.iter().zip(&fields).zip(expected) {
        let tag_bytes = tag.to_be_bytes();
        assert_eq!(&bytes[*offset..offset + 2], &tag_bytes[2..], "tag {tag:X}");
        assert_eq!(&bytes[*offset..offset + field.raw.len()], field.raw);
    }
    offsets[0]
}

fn profile(id: &str) -> CardProfile {
    profiles::all()
        .into_iter()
        .find(|p| p.id == id)
        .expect("profile")
}

const CARDS: [&str; 2] = ["taro", "hanako"];

#[test]
fn cv_certificates_verify_under_the_ca_public_key() {
    let ca = RsaPublicKey::from_public_key_der(file("pki/cv-test-ca-public.der")).expect("SPKI");
    assert_eq!(ca, private_key(file("pki/cv-test-ca.pk8")));
    let ca_id = file("pki/cv-test-ca.keyid");
    assert_eq!(ca_id, b"MKTSTCA\x08\x05001\x00\x00\x00\x00");

    for (cert, signer_key, subject_id) in [
        (
            "pki/text-ap-cv.der",
            "pki/text-ap-signer.pk8",
            TEXT_AP_SIGNER_ID,
        ),
        (
            "pki/face-ap-cv.der",
            "pki/face-ap-signer.pk8",
            FACE_AP_SIGNER_ID,
        ),
    ] {
        let raw = file(cert);
        assert_eq!(
            &raw[..10],
            [0x7F, 0x21, 0x82, 0x02, 0x33, 0x5F, 0x4E, 0x82, 0x01, 0x29]
        );
        let (issuer, subject, key, body, signature) = parse_cv(raw);
        assert_eq!(issuer, ca_id);
        assert_eq!(issuer, CV_TEST_CA_ID.to_bytes().expect("id"));
        assert_eq!(subject, subject_id.to_bytes().expect("id"));
        assert_eq!(key, private_key(file(signer_key)));
        assert_eq!(
            &body[32..41],
            [0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00]
        );
        assert!(verify_sha256(&ca, body, signature), "{cert}");
        assert!(!verify_sha256(&key, body, signature), "{cert} self-signed?");
        let mut tampered = body.to_vec();
        tampered[20] ^= 1;
        assert!(!verify_sha256(&ca, &tampered, signature));
    }
    for card in CARDS {
        assert_eq!(
            card_file(card, "text", text_ap::EF0004),
            file("pki/text-ap-cv.der")
        );
        assert_eq!(
            card_file(card, "face", face_ap::EF0004),
            file("pki/face-ap-cv.der")
        );
    }
}

#[test]
fn text_ap_records() {
    let (_, _, text_signer, _, _) = parse_cv(file("pki/text-ap-cv.der"));
    let (_, _, face_signer, _, _) = parse_cv(file("pki/face-ap-cv.der"));
    for card in CARDS {
        let p = profile(card);
        let person = &p.person;

        // EF 0001: exactly FF 10 0C <digits> FF FF.
        let ef0001 = card_file(card, "text", text_ap::EF0001);
        let mut expected = vec![0xFF, 0x10, 0x0C];
        expected.extend_from_slice(person.my_number.as_bytes());
        expected.extend_from_slice(&[0xFF, 0xFF]);
        assert_eq!(ef0001, expected);

        // EF 0002: offsets point at DF22..DF25; values as in the profile.
        let ef0002 = card_file(card, "text", text_ap::EF0002);
        let (_, items) = record(ef0002, text_ap::TAG_ATTRIBUTES);
        let first = check_offsets(
            ef0002,
            &items,
            text_ap::TAG_ATTR_OFFSETS,
            &[0xDF22, 0xDF23, 0xDF24, 0xDF25],
        );
        assert_eq!(child(&items, 0xDF22).value, person.name.as_bytes());
        assert!(person.name.contains('\u{3000}'));
        assert_eq!(child(&items, 0xDF23).value, person.address.as_bytes());
        assert_eq!(
            child(&items, 0xDF24).value,
            person.birth_date.compact().as_bytes()
        );
        assert_eq!(child(&items, 0xDF25).value, person.sex.as_bytes());

        // EF 0003: digests and signature.
        let ef0003 = card_file(card, "text", text_ap::EF0003);
        assert_eq!(ef0003.len(), 336);
        assert_eq!(&ef0003[..5], [0xFF, 0x30, 0x82, 0x01, 0x4B]);
        let (_, items) = record(ef0003, text_ap::TAG_INTEGRITY);
        assert_eq!(tags(&items), [0xDF31, 0xDF32, 0xDF33]);
        assert_eq!(
            child(&items, 0xDF31).value,
            Sha256::digest(ef0001).as_slice()
        );
        assert_eq!(
            child(&items, 0xDF32).value,
            Sha256::digest(&ef0002[first..]).as_slice()
        );
        let signed = [items[0].raw, items[1].raw].concat();
        let signature = child(&items, 0xDF33).value;
        assert!(
            verify_sha256(&text_signer, &signed, signature),
            "{card} DF33"
        );
        assert!(!verify_sha256(&face_signer, &signed, signature));

        // EF 0005.
        let (_, items) = record(card_file(card, "text", text_ap::EF0005), 0xFF40);
        assert_eq!(tags(&items), [0xDF41, 0xDF42, 0xDF43]);
        assert_eq!(child(&items, 0xDF41).value, [0, 0, 0, 1]);
        assert_eq!(
            child(&items, 0xDF42).value,
            TEXT_AP_SIGNER_ID.to_bytes().expect("id")
        );
        assert_eq!(child(&items, 0xDF43).value, [0; 128]);

        // EF 0007: the internal-auth key, signed by the text-AP signer.
        let ef0007 = card_file(card, "text", text_ap::EF0007);
        assert_eq!(ef0007.len(), 536);
        assert_eq!(&ef0007[..5], [0xFF, 0x50, 0x82, 0x02, 0x13]);
        let (_, items) = record(ef0007, text_ap::TAG_SIGNED_KEY);
        assert_eq!(tags(&items), [0xDF51, 0xDF52]);
        let key = cv::parse_rsa_key_tlv(child(&items, 0xDF51).value).expect("key");
        assert_eq!(
            key,
            private_key(card_file(card, "text", text_ap::INTERNAL_AUTH_KEY))
        );
        assert!(verify_sha256(
            &text_signer,
            items[0].raw,
            child(&items, 0xDF52).value
        ));
    }
}

#[test]
fn face_ap_records() {
    let (_, _, face_signer, _, _) = parse_cv(file("pki/face-ap-cv.der"));
    let (_, _, text_signer, _, _) = parse_cv(file("pki/text-ap-cv.der"));
    for card in CARDS {
        let p = profile(card);
        let person = &p.person;
        let card_key = private_key(card_file(card, "face", face_ap::CARD_KEY));
        let card_key_tlv = cv::rsa_key_tlv_value(&card_key).expect("key TLV");

        // EF 0001: age record.
        let (_, items) = record(card_file(card, "face", face_ap::EF0001), 0xFF10);
        assert_eq!(tags(&items), [0xDF11, 0xDF12, 0xDF13]);
        assert_eq!(
            child(&items, 0xDF11).value,
            person.birth_date.compact().as_bytes()
        );
        assert_eq!(child(&items, 0xDF12).value, card_key_tlv);
        let signed = [items[0].raw, items[1].raw].concat();
        assert!(verify_sha256(&face_signer, &signed, items[2].value));
        assert!(!verify_sha256(&text_signer, &signed, items[2].value));
        assert!(!verify_sha256(&card_key, &signed, items[2].value));

        // EF 0002: card face.
        let ef0002 = card_file(card, "face", face_ap::EF0002);
        let (_, items) = record(ef0002, face_ap::TAG_FACE);
        let expected_tags = [
            0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28, 0xDF29, 0xDF2A,
        ];
        check_offsets(ef0002, &items, 0xDF21, &expected_tags);
        let value = |tag| child(&items, tag).value;
        let raw = |tag| child(&items, tag).raw;
        assert_eq!(value(0xDF22), person.birth_date.compact().as_bytes());
        assert_eq!(value(0xDF23), person.sex.as_bytes());
        assert_eq!(value(0xDF24), card_key_tlv);
        assert_eq!(value(0xDF25), card_file(card, "face", face_ap::NAME_PNG));
        assert_eq!(value(0xDF26), card_file(card, "face", face_ap::ADDRESS_PNG));
        assert_eq!(value(0xDF27), card_file(card, "face", face_ap::PHOTO_JP2));
        assert_eq!(value(0xDF29), person.card_expiry.compact().as_bytes());
        assert_eq!(
            value(0xDF2A),
            card_file(card, "face", face_ap::SECURITY_CODE_PNG)
        );
        // DF28: unprefixed PKCS#1 v1.5 over the 96-byte DigestInfo header ‖ H1 ‖ H2 ‖ H3
        // (hand-written DER: SEQUENCE of 0x71 bytes = 15-byte AlgorithmIdentifier + 04 60 + 96).
        let block = [
            FACE_DIGEST_INFO_HEADER.as_slice(),
            Sha256::digest([raw(0xDF22), raw(0xDF23), raw(0xDF24)].concat()).as_slice(),
            Sha256::digest([raw(0xDF25), raw(0xDF26)].concat()).as_slice(),
            Sha256::digest(raw(0xDF27)).as_slice(),
        ]
        .concat();
        assert_eq!(block.len(), 19 + 96);
        assert_eq!(
            hex_upper(&block[..19]),
            "3071300D060960864801650304020105000460"
        );
        let signature = value(0xDF28);
        assert_eq!(signature.len(), 256);
        cv::verify(
            &face_signer,
            Pkcs1v15Sign::new_unprefixed(),
            &block,
            signature,
        )
        .expect("DF28 verifies");
        assert!(
            cv::verify(
                &text_signer,
                Pkcs1v15Sign::new_unprefixed(),
                &block,
                signature
            )
            .is_err()
        );

        // EF 0003: basic info.
        let (_, items) = record(card_file(card, "face", face_ap::EF0003), 0xFF30);
        assert_eq!(tags(&items), [0xDF31, 0xDF32, 0xDF34]);
        assert_eq!(child(&items, 0xDF31).value, [0, 0, 0, 1]);
        assert_eq!(
            child(&items, 0xDF32).value,
            FACE_AP_SIGNER_ID.to_bytes().expect("id")
        );
        assert_eq!(child(&items, 0xDF34).value, p.municipality_code.as_bytes());

        // EF 0005: 個人番号 image.
        let (_, items) = record(card_file(card, "face", face_ap::EF0005), 0xFF40);
        assert_eq!(tags(&items), [0xDF41, 0xDF42, 0xDF43]);
        assert_eq!(
            child(&items, 0xDF41).value,
            card_file(card, "face", face_ap::MY_NUMBER_PNG)
        );
        assert_eq!(child(&items, 0xDF42).value, card_key_tlv);
        let signed = [items[0].raw, items[1].raw].concat();
        assert!(verify_sha256(&face_signer, &signed, items[2].value));
    }
    assert_eq!(profile("taro").municipality_code, "13101");
    assert_eq!(profile("hanako").municipality_code, "27127");
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn photos_round_trip_losslessly_and_differ_per_card() {
    use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
    let mut seen = Vec::new();
    for card in CARDS {
        let jp2 = card_file(card, "face", face_ap::PHOTO_JP2);
        let pgm = card_file(card, "face", face_ap::PHOTO_PGM);
        let header = b"P5\n90 112\n255\n";
        assert_eq!(&pgm[..header.len()], header);
        let pixels = &pgm[header.len()..];
        let image = Image::new(jp2, &DecodeSettings::default()).expect("JP2 parses");
        assert_eq!((image.width(), image.height()), (90, 112));
        let mut ctx = DecoderContext::default();
        let decoded = image.decode(&mut ctx).expect("JP2 decodes");
        assert!(
            decoded.data_u8() == pixels,
            "{card}: photo.jp2 is not lossless"
        );
        assert!(
            jp2.len() < 8 * 1024,
            "{card}: photo.jp2 is {} bytes",
            jp2.len()
        );
        seen.push(pixels.to_vec());
    }
    assert_ne!(seen[0], seen[1]);
}

#[test]
fn profiles_reference_existing_files() {
    for card in CARDS {
        let json: serde_json::Value =
            serde_json::from_slice(file(&format!("cards/{card}/profile.json"))).expect("JSON");
        // (Key order is checked on the text in `profiles::tests::taro_json_shape`.)
        assert_eq!(json["format"], "mynakit-card-profile/1");
        for (section, expected) in [
            (
                "text",
                &[
                    "ef0001",
                    "ef0002",
                    "ef0003",
                    "ef0004",
                    "ef0005",
                    "ef0007",
                    "internal_auth_key",
                ][..],
            ),
            (
                "face",
                &[
                    "ef0001",
                    "ef0002",
                    "ef0003",
                    "ef0004",
                    "ef0005",
                    "card_key",
                    "photo_pgm",
                ][..],
            ),
        ] {
            let entries = json[section].as_object().expect("section");
            let mut names: Vec<&str> = entries.keys().map(String::as_str).collect();
            let mut expected = expected.to_vec();
            names.sort_unstable();
            expected.sort_unstable();
            assert_eq!(names, expected, "{card} {section}");
            for path in entries.values() {
                let path = path.as_str().expect("string");
                assert!(path.starts_with(&format!("{section}/")));
                assert!(
                    files().contains_key(&format!("cards/{card}/{path}")),
                    "{card}: {path} listed but not generated"
                );
            }
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let again = vectors::generate().expect("second generation");
    assert_eq!(again.len(), files().len());
    for (path, bytes) in files() {
        assert!(
            again.get(path) == Some(bytes),
            "{path} differs between runs"
        );
    }
}
