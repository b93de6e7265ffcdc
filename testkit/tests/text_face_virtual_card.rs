//! 券面事項入力補助AP and 券面AP against the virtual card: every unlock path, every refusal,
//! authenticity checks, liveness, tampering, and the decoded photo.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use mynakit::cert::TrustPolicy;
use mynakit::cv::{CheckOutcome, CvCertificate, CvTrust};
use mynakit::face::{CardFront, FaceUnlock, ImageFormat};
use mynakit::text::{
    ChallengeSource, IntegrityRecord, MyNumberRecord, OffsetCheck, TextAttributes, TextUnlock,
};
use mynakit::{Card, Credential, Error, Secret, aid};
use mynakit_testkit::sim::{Behaviour, VirtualCard};

const PIN: &str = "1234";
const CODE_A: &str = "123456789018";
const CODE_B: &str = "02010220355678";
const BIRTH_KEY: &str = "020102";

fn sim(b: Behaviour) -> VirtualCard {
    let mut sim = VirtualCard::builtin("taro").unwrap();
    sim.behaviour = b;
    sim
}

fn card(b: Behaviour) -> Card<VirtualCard> {
    Card::new(sim(b)).unwrap()
}

/// Every test runs on the capable card (every optional form supported) and on the
/// conservative one (nothing optional: SELECT EF, `P2=80`, short APDUs only).
macro_rules! on_both_cards {
    ($($name:ident),* $(,)?) => {
        mod capable {
            $(#[test] fn $name() { super::$name(mynakit_testkit::sim::Behaviour::capable()) })*
        }
        mod conservative {
            $(#[test] fn $name() { super::$name(mynakit_testkit::sim::Behaviour::conservative()) })*
        }
    };
}

on_both_cards!(
    text_ap_with_the_pin_reads_and_verifies_everything,
    code_a_opens_my_number_only,
    code_b_opens_the_attributes_only,
    text_wrong_codes_report_remaining_tries,
    malformed_codes_send_no_apdu,
    without_a_cv_ca_key_the_checks_say_not_checked,
    face_ap_with_code_a_reads_front_and_back,
    face_code_b_opens_the_front_only_and_the_birth_key_the_age_record_only,
    face_wrong_code_reports_remaining,
    photo_decodes_to_the_generator_pixels_exactly,
);

fn trust() -> CvTrust {
    mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD).unwrap()
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../test-vectors/cards/taro/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn no_apdu_sent<T>(card: &mut Card<VirtualCard>, f: impl FnOnce(&mut Card<VirtualCard>) -> T) -> T {
    let before = card.stats().apdus;
    let r = f(card);
    assert_eq!(card.stats().apdus, before, "an APDU was sent");
    r
}

fn text_ap_with_the_pin_reads_and_verifies_everything(b: Behaviour) {
    let mut c = card(b);
    let r = c
        .text()
        .read(
            TextUnlock::Pin,
            &Secret::new(PIN),
            false,
            &trust(),
            Some(&ChallengeSource::Card),
        )
        .unwrap();
    let n = r.my_number.as_ref().unwrap();
    assert_eq!(n.my_number, CODE_A);
    assert!(n.check_digit_valid);
    let a = r.attributes.as_ref().unwrap();
    assert_eq!(a.name, "見本\u{3000}太郎");
    assert_eq!(
        (a.surname.as_deref(), a.given_name.as_deref()),
        (Some("見本"), Some("太郎"))
    );
    assert_eq!(a.address, "東京都千代田区見本町一丁目２番３号");
    assert_eq!(a.birth_date.unwrap().to_string(), "1990-01-02");
    assert_eq!(a.sex_code, "1");
    assert_eq!(a.offsets, OffsetCheck::Consistent);
    assert!(r.verification.all_verified(), "{:#?}", r.verification);
    let l = r.liveness.unwrap();
    assert!(l.challenge_from_card && l.challenge.len() == 16);
    assert!(l.verification.all_verified(), "{:#?}", l.verification);
    // A host nonce works the same way.
    let l = c
        .text()
        .liveness(
            &ChallengeSource::Host(b"server nonce 123".to_vec()),
            &r.cv_certificate,
        )
        .unwrap();
    assert!(l.verification.all_verified());
}

fn code_a_opens_my_number_only(b: Behaviour) {
    let mut c = card(b);
    let r = c
        .text()
        .read(
            TextUnlock::CodeA,
            &Secret::new(CODE_A),
            false,
            &trust(),
            None,
        )
        .unwrap();
    assert_eq!(r.my_number.unwrap().my_number, CODE_A);
    assert!(r.attributes.is_none());
    let v = &r.verification;
    assert_eq!(
        v.outcome("My Number digest (DF31)"),
        Some(&CheckOutcome::Verified)
    );
    assert!(matches!(
        v.outcome("attributes digest (DF32)"),
        Some(CheckOutcome::NotChecked { .. })
    ));
    assert!(!v.all_verified() && !v.any_failed());
    // Asking for the attributes is refused locally.
    let err = no_apdu_sent(&mut c, |c| c.text().attributes()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::CredentialRequired {
                credential: Credential::TextPin,
                ..
            }
        ),
        "{err:?}"
    );
}

fn code_b_opens_the_attributes_only(b: Behaviour) {
    let mut c = card(b);
    let r = c
        .text()
        .read(
            TextUnlock::CodeB,
            &Secret::new(CODE_B),
            false,
            &trust(),
            None,
        )
        .unwrap();
    assert!(r.my_number.is_none());
    assert_eq!(r.attributes.unwrap().name, "見本\u{3000}太郎");
    assert_eq!(
        r.verification.outcome("attributes digest (DF32)"),
        Some(&CheckOutcome::Verified)
    );
    // 照合番号B asking for My Number: a typed refusal, no APDU.
    let err = no_apdu_sent(&mut c, |c| c.text().my_number()).unwrap_err();
    assert!(err.to_string().contains("does not open it"), "{err}");
    assert!(matches!(err, Error::CredentialRequired { .. }));
    // And at the card level, the access rule holds too (6982).
    let mut sim = sim(b);
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(aid::TEXT);
    assert_eq!(sim.process(&select), vec![0x90, 0x00]);
    // VERIFY of EF 0015 (照合番号B), by SFI (P2 = 80|15) or after SELECT EF (P2 = 80).
    let p2 = if b.sfi_verify {
        0x95
    } else {
        assert_eq!(
            sim.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x15]),
            vec![0x90, 0x00]
        );
        0x80
    };
    let mut verify = vec![0x00, 0x20, 0x00, p2, 14];
    verify.extend_from_slice(CODE_B.as_bytes());
    assert_eq!(sim.process(&verify), vec![0x90, 0x00]);
    // READ BINARY of EF 0001 (My Number), by SFI (P1 = 80|01) or after SELECT EF.
    let read: &[u8] = if b.sfi_read {
        &[0x00, 0xB0, 0x81, 0x00, 0x11]
    } else {
        assert_eq!(
            sim.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01]),
            vec![0x90, 0x00]
        );
        &[0x00, 0xB0, 0x00, 0x00, 0x11]
    };
    assert_eq!(sim.process(read), vec![0x69, 0x82]);
}

fn text_wrong_codes_report_remaining_tries(b: Behaviour) {
    let mut c = card(b);
    let err = c
        .text()
        .unlock(TextUnlock::Pin, &Secret::new("0000"), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPin {
                credential: Credential::TextPin,
                remaining: 2
            }
        ),
        "{err:?}"
    );
    let err = c
        .text()
        .unlock(TextUnlock::CodeB, &Secret::new("02010220359999"), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPin {
                credential: Credential::TextCodeB,
                // 照合番号B allows 10 tries (the Digital Agency's figure).
                remaining: 9
            }
        ),
        "{err:?}"
    );
    // A valid-looking but wrong My Number as 照合番号A.
    let err = c
        .text()
        .unlock(TextUnlock::CodeA, &Secret::new("987654321093"), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPin {
                credential: Credential::TextCodeA,
                remaining: 2
            }
        ),
        "{err:?}"
    );
    assert_eq!(c.transport().verify_attempts(), 3);
}

fn malformed_codes_send_no_apdu(b: Behaviour) {
    for (how, v) in [
        (TextUnlock::CodeA, "123456789017"), // wrong check digit
        (TextUnlock::CodeA, "12345678901"),
        (TextUnlock::CodeB, "0201022035567"),
        (TextUnlock::CodeB, "02130220355678"), // month 13
        (TextUnlock::Pin, "12a4"),
    ] {
        let mut c = card(b);
        let err = no_apdu_sent(&mut c, |c| {
            c.text().read(how, &Secret::new(v), false, &trust(), None)
        })
        .unwrap_err();
        assert!(
            matches!(err, Error::InvalidCredentialFormat { .. }),
            "{v}: {err:?}"
        );
    }
    for (how, v) in [
        (FaceUnlock::BirthKey, "021302"),
        (FaceUnlock::CodeA, "123456789010"),
        (FaceUnlock::CodeB, "x"),
    ] {
        let mut c = card(b);
        let err = no_apdu_sent(&mut c, |c| {
            c.face().read(how, &Secret::new(v), false, &trust(), None)
        })
        .unwrap_err();
        assert!(
            matches!(err, Error::InvalidCredentialFormat { .. }),
            "{v}: {err:?}"
        );
    }
}

fn without_a_cv_ca_key_the_checks_say_not_checked(b: Behaviour) {
    let mut c = card(b);
    let production = mynakit_testkit::trust::cv_trust(TrustPolicy::PRODUCTION).unwrap();
    let r = c
        .text()
        .read(TextUnlock::Pin, &Secret::new(PIN), false, &production, None)
        .unwrap();
    assert!(matches!(
        r.verification.outcome("CV certificate signed by the CV CA"),
        Some(CheckOutcome::NotChecked { .. })
    ));
    assert!(!r.verification.all_verified());
    assert!(!r.verification.any_failed());
}

fn face_ap_with_code_a_reads_front_and_back(b: Behaviour) {
    let mut c = card(b);
    let r = c
        .face()
        .read(
            FaceUnlock::CodeA,
            &Secret::new(CODE_A),
            false,
            &trust(),
            Some(&ChallengeSource::Card),
        )
        .unwrap();
    let f = r.front.as_ref().unwrap();
    assert_eq!(f.birth_date.unwrap().to_string(), "1990-01-02");
    assert_eq!(f.expiry.unwrap().to_string(), "2035-01-02");
    assert_eq!(f.sex_code, "1");
    assert_eq!(f.photo.format, ImageFormat::Jp2);
    assert_eq!(f.name_image.format, ImageFormat::Png);
    assert_eq!(f.address_image.format, ImageFormat::Png);
    assert_eq!(f.security_code_image.format, ImageFormat::Png);
    assert_eq!(f.offsets, OffsetCheck::Consistent);
    assert_eq!(
        r.my_number_image.as_ref().unwrap().image.format,
        ImageFormat::Png
    );
    assert!(r.verification.outcome("age record signature").is_some());
    for name in [
        "CV certificate signed by the CV CA",
        "card face signature",
        "My Number image signature",
        "same card key in every record",
    ] {
        assert_eq!(
            r.verification.outcome(name),
            Some(&CheckOutcome::Verified),
            "{name}"
        );
    }
    assert!(r.liveness.unwrap().verification.all_verified());
}

fn face_code_b_opens_the_front_only_and_the_birth_key_the_age_record_only(b: Behaviour) {
    let mut c = card(b);
    let r = c
        .face()
        .read(
            FaceUnlock::CodeB,
            &Secret::new(CODE_B),
            false,
            &trust(),
            None,
        )
        .unwrap();
    assert!(r.front.is_some() && r.my_number_image.is_none());
    let err = no_apdu_sent(&mut c, |c| c.face().my_number_image()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::CredentialRequired {
                credential: Credential::FaceCodeA,
                ..
            }
        ),
        "{err:?}"
    );

    let mut c = card(b);
    let r = c
        .face()
        .read(
            FaceUnlock::BirthKey,
            &Secret::new(BIRTH_KEY),
            false,
            &trust(),
            Some(&ChallengeSource::Card),
        )
        .unwrap();
    let age = r.age.as_ref().unwrap();
    assert_eq!(age.birth_date_raw, "19900102");
    assert_eq!(
        r.verification.outcome("age record signature"),
        Some(&CheckOutcome::Verified)
    );
    assert!(r.liveness.unwrap().verification.all_verified());
    let err = no_apdu_sent(&mut c, |c| c.face().front()).unwrap_err();
    assert!(matches!(err, Error::CredentialRequired { .. }), "{err:?}");
}

fn face_wrong_code_reports_remaining(b: Behaviour) {
    let mut c = card(b);
    let err = c
        .face()
        .unlock(FaceUnlock::BirthKey, &Secret::new("020103"), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPin {
                credential: Credential::FaceBirthKey,
                remaining: 2
            }
        ),
        "{err:?}"
    );
}

#[cfg(feature = "photo")]
fn photo_decodes_to_the_generator_pixels_exactly(b: Behaviour) {
    let mut c = card(b);
    c.face()
        .unlock(FaceUnlock::CodeB, &Secret::new(CODE_B), false)
        .unwrap();
    let front = c.face().front().unwrap();
    let photo = mynakit::face::decode_photo(&front.photo.data).unwrap();
    // The generator's source image (binary PGM: header, then width*height bytes).
    let pgm = file("face/photo.pgm");
    let header_end = pgm
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(2)
        .map(|(i, _)| i + 1)
        .unwrap();
    let header = String::from_utf8_lossy(&pgm[..header_end]).to_string();
    let dims: Vec<u32> = header
        .split_whitespace()
        .skip(1)
        .take(2)
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(
        (photo.width, photo.height, photo.channels),
        (dims[0], dims[1], 1)
    );
    // Lossless JPEG 2000: exact equality, no tolerance.
    assert_eq!(photo.pixels, pgm[header_end..].to_vec());
    assert!(photo.png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Garbage is a typed error.
    assert!(matches!(
        mynakit::face::decode_photo(b"\x00\x00\x00\x0cjP  garbage"),
        Err(Error::MalformedData { .. })
    ));
}

// ---- tamper tests over every byte of every signed field -------------------------------

fn text_verifies(ef1: &[u8], ef2: &[u8], ef3: &[u8], ef4: &[u8]) -> bool {
    let (Ok(n), Ok(a), Ok(i), Ok(cv)) = (
        MyNumberRecord::parse(ef1),
        TextAttributes::parse(ef2),
        IntegrityRecord::parse(ef3),
        CvCertificate::parse(ef4),
    ) else {
        return false;
    };
    mynakit::text::verify_text(&cv, &trust(), &i, Some(&n), Some(&a)).all_verified()
}

#[test]
fn text_tampering_with_any_signed_byte_fails_verification() {
    let (e1, e2, e3, e4) = (
        file("text/ef0001.bin"),
        file("text/ef0002.bin"),
        file("text/ef0003.bin"),
        file("text/ef0004.bin"),
    );
    assert!(text_verifies(&e1, &e2, &e3, &e4));
    // EF 0002: every byte from DF22 on is covered by DF32 (the DF21 offset table is not).
    let table_at = e2.windows(2).position(|w| w == [0xDF, 0x21]).unwrap();
    let signed_from = e2.windows(2).position(|w| w == [0xDF, 0x22]).unwrap();
    let mut flips = 0;
    for (which, data) in [(1, &e1), (2, &e2), (3, &e3), (4, &e4)] {
        for i in 0..data.len() {
            if which == 2 && (table_at..signed_from).contains(&i) {
                continue; // offset table: not signed; covered by the OffsetCheck instead
            }
            let mut t = data.clone();
            t[i] ^= 0x01;
            let ok = match which {
                1 => text_verifies(&t, &e2, &e3, &e4),
                2 => text_verifies(&e1, &t, &e3, &e4),
                3 => text_verifies(&e1, &e2, &t, &e4),
                _ => text_verifies(&e1, &e2, &e3, &t),
            };
            assert!(!ok, "flipping byte {i} of EF 000{which} went unnoticed");
            flips += 1;
        }
    }
    assert!(flips > 900, "{flips}");
}

#[test]
fn face_tampering_with_any_signed_byte_fails_verification() {
    let (front, cv) = (file("face/ef0002.bin"), file("face/ef0004.bin"));
    let verifies = |f: &[u8], c: &[u8]| -> bool {
        let (Ok(f), Ok(c)) = (CardFront::parse(f), CvCertificate::parse(c)) else {
            return false;
        };
        let v = mynakit::face::verify_face(&c, &trust(), Some(&f), None, None);
        v.outcome("CV certificate signed by the CV CA") == Some(&CheckOutcome::Verified)
            && v.outcome("card face signature") == Some(&CheckOutcome::Verified)
    };
    assert!(verifies(&front, &cv));
    // DF22..DF28 are covered (DF28 is the signature itself); DF21, DF29, DF2A are not.
    let pos = |tag: [u8; 2]| front.windows(2).position(|w| w == tag).unwrap();
    let (signed_from, signed_to) = (pos([0xDF, 0x22]), pos([0xDF, 0x29]));
    for i in signed_from..signed_to {
        let mut t = front.clone();
        t[i] ^= 0x01;
        assert!(
            !verifies(&t, &cv),
            "flipping byte {i} of the card face went unnoticed"
        );
    }
    for i in 0..cv.len() {
        let mut t = cv.clone();
        t[i] ^= 0x01;
        assert!(
            !verifies(&front, &t),
            "flipping byte {i} of the CV certificate went unnoticed"
        );
    }
    // The expiry and security-code image are outside the signature (card-protocol §9.2):
    // changing them does not break it, which is why MynaKit reports them as unsigned data.
    let mut t = front.clone();
    let last = t.len() - 1;
    t[last] ^= 0x01;
    assert!(verifies(&t, &cv));
}
