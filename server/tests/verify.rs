//! The verifier against bundles made on the virtual card: accepted as made; every
//! single-byte change rejected; replayed, expired and untrusted bundles refused with the
//! right check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use mynakit::cert::TrustPolicy;
use mynakit::cv::CheckOutcome;
use mynakit::evidence::Evidence;
use mynakit_server::{Report, Verdict, Verifier, VerifierConfig};
use serde_json::Value;

fn failed(r: &Report, id: &str) -> bool {
    matches!(r.check(id), Some(CheckOutcome::Failed { .. }))
}

fn ids(r: &Report) -> Vec<&str> {
    r.checks.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn fresh_bundles_are_accepted_with_every_check() {
    let v = common::verifier();
    let n = common::nonce();
    let expect: &[(&str, &[&str])] = &[
        (
            "jpki_login.json",
            &[
                "bundle.format",
                "nonce.binding",
                "certificate.parse",
                "certificate.encoding",
                "certificate.type",
                "certificate.validity",
                "certificate.chain",
                "signature",
                "certificate.revocation",
            ],
        ),
        (
            "chip_read.json",
            &[
                "bundle.format",
                "nonce.binding",
                "method.requirements",
                "text.records",
                "text.cv_certificate",
                "text.integrity_signature",
                "text.my_number_digest",
                "text.attributes_digest",
                "text.card_key",
                "text.liveness",
                "face.records",
                "face.cv_certificate",
                "face.front_signature",
                "face.my_number_image_signature",
                "face.age_signature",
                "face.liveness",
                "face.card_expiry",
                "chip_read.consistency",
            ],
        ),
    ];
    for (name, want) in expect {
        let bytes = std::fs::read(common::golden_dir().join(name)).unwrap();
        let r = v.verify_json(&bytes, &n, common::AT);
        assert_eq!(r.verdict, Verdict::Accepted, "{name}: {r:#?}");
        assert_eq!(&ids(&r), want, "{name}");
        // Required checks are verified; the optional ones say why they were not made.
        for c in &r.checks {
            assert!(c.outcome.is_verified() || !c.required, "{name}: {c:?}");
        }
    }
    // Facts come from the verified card data (compare with test-vectors/cards/taro/profile.json).
    let r = v.verify(&common::chip_read(&n), &n, common::AT);
    assert_eq!(r.facts.name.as_deref(), Some("見本\u{3000}太郎"));
    assert_eq!(
        r.facts.address.as_deref(),
        Some("東京都千代田区見本町一丁目２番３号")
    );
    assert_eq!(r.facts.birth_date.as_deref(), Some("1990-01-02"));
    assert_eq!(r.facts.card_expiry.as_deref(), Some("2035-01-02"));
    assert!(r.facts.photo_present);
    let r = v.verify(&common::sign(&n), &n, common::AT);
    assert_eq!(r.verdict, Verdict::Accepted, "{r:#?}");
    assert_eq!(r.facts.name.as_deref(), Some("見本\u{3000}太郎"));
    // SAN birth date 419900102: era 4 (平成? no: the era digit), Gregorian 1990-01-02.
    assert_eq!(r.facts.birth_date.as_deref(), Some("1990-01-02"));
}

#[test]
fn replayed_bundle_is_rejected_by_the_nonce_binding() {
    let v = common::verifier();
    let other: Vec<u8> = (100u8..132).collect();
    for (name, bundle) in common::all(&common::nonce()) {
        let r = v.verify(&bundle, &other, common::AT);
        assert_eq!(r.verdict, Verdict::Rejected, "{name}");
        assert!(failed(&r, "nonce.binding"), "{name}: {r:#?}");
    }
    // A bundle whose nonce field was rewritten to the new nonce still fails: the card
    // signed the old one.
    for (name, mut bundle) in common::all(&common::nonce()) {
        bundle.nonce = other.clone();
        let r = v.verify(&bundle, &other, common::AT);
        if name == "face_to_face_minimal.json" {
            assert_eq!(r.verdict, Verdict::Incomplete, "{name}");
            continue;
        }
        assert_eq!(r.verdict, Verdict::Rejected, "{name}");
        assert!(!failed(&r, "nonce.binding"), "{name}");
        let sig_failed = ["signature", "text.liveness", "face.liveness"]
            .iter()
            .any(|id| failed(&r, id));
        assert!(sig_failed, "{name}: {r:#?}");
    }
}

#[test]
fn expired_bundles_are_rejected_by_the_time_checks() {
    let v = common::verifier();
    let n = common::nonce();
    for b in [common::login(&n), common::sign(&n)] {
        let r = v.verify(&b, &n, common::AFTER_EXPIRY);
        assert_eq!(r.verdict, Verdict::Rejected);
        assert!(failed(&r, "certificate.validity"), "{r:#?}");
        assert!(matches!(
            r.check("certificate.chain"),
            Some(CheckOutcome::NotChecked { .. })
        ));
        // Before notBefore (2025-04-01) too: 2025-03-31T00:00:00Z.
        let r = v.verify(&b, &n, 1_743_379_200);
        assert!(failed(&r, "certificate.validity"), "{r:#?}");
    }
    // The card face says 2035-01-02: valid through that day in Japan, expired the next.
    // 2035-01-02T14:59:59Z = 23:59:59 JST; 2035-01-02T15:00:00Z = 2035-01-03 00:00 JST.
    for b in [common::chip_read(&n), common::face_to_face(&n)] {
        let ok = v.verify(&b, &n, 2_051_362_799);
        assert_eq!(ok.verdict, Verdict::Accepted, "{ok:#?}");
        let r = v.verify(&b, &n, 2_051_362_800);
        assert_eq!(r.verdict, Verdict::Rejected);
        assert_eq!(r.failed(), vec!["face.card_expiry"]);
    }
}

#[test]
fn production_policy_does_not_accept_test_material() {
    let n = common::nonce();
    let v = Verifier::new(VerifierConfig::production().unwrap());
    let r = v.verify(&common::login(&n), &n, common::AT);
    assert_eq!(r.verdict, Verdict::Rejected);
    assert!(failed(&r, "certificate.chain"), "{r:#?}");
    let r = v.verify(&common::chip_read(&n), &n, common::AT);
    assert_ne!(r.verdict, Verdict::Accepted);
    assert!(matches!(
        r.check("text.cv_certificate"),
        Some(CheckOutcome::NotChecked { .. })
    ));
    // With revocation required and no checker, JPKI bundles are incomplete, never accepted.
    let mut config = VerifierConfig::with_policy(TrustPolicy::VIRTUAL_CARD).unwrap();
    config.revocation_required = true;
    let r = Verifier::new(config).verify(&common::sign(&n), &n, common::AT);
    assert_eq!(r.verdict, Verdict::Incomplete, "{r:#?}");
}

#[test]
fn method_and_record_mix_ups_are_rejected() {
    let v = common::verifier();
    let n = common::nonce();
    // A login bundle carrying the signing certificate.
    let mut login = common::login(&n);
    let sign = common::sign(&n);
    if let (
        mynakit::evidence::MethodEvidence::JpkiLogin(l),
        mynakit::evidence::MethodEvidence::JpkiSign(s),
    ) = (&mut login.evidence, &sign.evidence)
    {
        l.certificate = s.certificate.clone();
    }
    let r = v.verify(&login, &n, common::AT);
    assert!(
        failed(&r, "certificate.type") && failed(&r, "signature"),
        "{r:#?}"
    );
    // ヘ without the card face.
    let mut chip = common::chip_read(&n);
    if let mynakit::evidence::MethodEvidence::ChipRead(c) = &mut chip.evidence {
        c.face = None;
    }
    let r = v.verify(&chip, &n, common::AT);
    assert!(failed(&r, "method.requirements"), "{r:#?}");
    // Unreadable JSON and an oversized body.
    let r = v.verify_json(b"{", &n, common::AT);
    assert_eq!(r.failed(), vec!["bundle.format"]);
    let big = vec![b' '; mynakit::evidence::MAX_BUNDLE_LEN + 1];
    assert_eq!(
        v.verify_json(&big, &n, common::AT).failed(),
        vec!["bundle.format"]
    );
    // A server nonce outside 16..=64 bytes is refused before anything else.
    let r = v.verify(&common::login(&n), &[0; 8], common::AT);
    assert!(failed(&r, "nonce.binding"));
}

/// Flips one bit in every byte of every hex field (decoded), one at a time.
fn hex_field_mutants(
    v: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<(String, Value)>,
    root: &Value,
) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                hex_field_mutants(x, path, out, root);
                path.pop();
            }
        }
        Value::String(s)
            if !s.is_empty()
                && s.len() % 2 == 0
                && s.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()) =>
        {
            let bytes = hex::decode(s).unwrap();
            for i in 0..bytes.len() {
                for mask in [0x01u8] {
                    let mut b = bytes.clone();
                    b[i] ^= mask;
                    let mut m = root.clone();
                    let mut cur = &mut m;
                    for p in path.iter() {
                        cur = &mut cur[p.as_str()];
                    }
                    *cur = Value::String(hex::encode_upper(&b));
                    out.push((format!("{}[{i}]^{mask:02X}", path.join(".")), m));
                }
            }
        }
        _ => {}
    }
}

/// Flips bit 0 of every byte of every hex field (decoded: raw card data, signatures,
/// nonce, signed data), then bit 0 of every byte of the JSON text (structure, field names,
/// enums, numbers, and the hex characters themselves). Every mutant must be *rejected*
/// (a failed check), not merely "not accepted".
fn tamper(name: &str) {
    let v = common::verifier();
    let n = common::nonce();
    let mut total = 0usize;
    let mut not_rejected = Vec::new();
    let text = std::fs::read_to_string(common::golden_dir().join(name)).unwrap();
    assert_eq!(
        v.verify_json(text.as_bytes(), &n, common::AT).verdict,
        Verdict::Accepted
    );
    let root: Value = serde_json::from_str(&text).unwrap();
    let mut mutants = Vec::new();
    hex_field_mutants(&root, &mut Vec::new(), &mut mutants, &root);
    assert!(mutants.len() > 1000, "{name}: {}", mutants.len());
    for (what, m) in mutants {
        total += 1;
        let e: Evidence = serde_json::from_value(m).unwrap();
        let r = v.verify(&e, &n, common::AT);
        if r.verdict != Verdict::Rejected {
            not_rejected.push(format!("{what}: {:?}", r.verdict));
        }
    }
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let mut b = bytes.to_vec();
        b[i] ^= 0x01;
        total += 1;
        let r = v.verify_json(&b, &n, common::AT);
        if r.verdict != Verdict::Rejected {
            not_rejected.push(format!("JSON byte {i}: {:?}", r.verdict));
        }
    }
    eprintln!(
        "{name}: {total} single-byte mutants, {} not rejected",
        not_rejected.len()
    );
    assert!(
        not_rejected.is_empty(),
        "{name}: {} of {total} not rejected, e.g. {:?}",
        not_rejected.len(),
        &not_rejected[..not_rejected.len().min(10)]
    );
}

#[test]
fn tamper_jpki_login() {
    tamper("jpki_login.json");
}

#[test]
fn tamper_jpki_sign() {
    tamper("jpki_sign.json");
}

#[test]
fn tamper_chip_read() {
    tamper("chip_read.json");
}

#[test]
fn tamper_face_to_face() {
    tamper("face_to_face.json");
}

#[test]
fn one_full_he_verification_is_timed() {
    let v = common::verifier();
    let n = common::nonce();
    let bytes = std::fs::read(common::golden_dir().join("chip_read.json")).unwrap();
    let start = std::time::Instant::now();
    let runs = 20u32;
    for _ in 0..runs {
        assert!(v.verify_json(&bytes, &n, common::AT).accepted());
    }
    eprintln!(
        "chip_read verify (debug build): {:?} per bundle",
        start.elapsed() / runs
    );
}

/// A malicious phone with two cards: the text AP of one (taro) and the 券面AP of another
/// (hanako), each AP's card key signing a valid challenge. Every signature verifies; the
/// consistency check between the two APs rejects the bundle.
#[test]
fn two_cards_in_one_bundle_are_rejected() {
    use mynakit::era::{Date, code_b};
    use mynakit::evidence::{self, ChipReadRequest, LivenessAp, MethodEvidence};
    use mynakit::face::{self, FaceUnlock};
    use mynakit::text::{ChallengeSource, TextUnlock};
    use mynakit::{Card, Secret};

    let n = common::nonce();
    let mut taro = Card::new(mynakit_testkit::sim::VirtualCard::builtin("taro").unwrap()).unwrap();
    let pin = Secret::new("1234");
    let req = ChipReadRequest {
        text: Some((TextUnlock::Pin, &pin)),
        include_my_number: false,
        face: None,
        allow_below_floor: false,
    };
    let mut bundle = evidence::read_chip(&mut taro, &n, &req, &common::cv_trust()).unwrap();
    let MethodEvidence::ChipRead(chip) = &mut bundle.evidence else {
        panic!()
    };
    // hanako: born 2015-04-01, card expiry 2030, security code 9012 (her profile.json).
    let mut hanako =
        Card::new(mynakit_testkit::sim::VirtualCard::builtin("hanako").unwrap()).unwrap();
    let code = code_b(
        Date::parse_yyyymmdd("20150401").unwrap(),
        2030,
        &Secret::new("9012"),
    )
    .unwrap();
    hanako
        .face()
        .unlock(FaceUnlock::CodeB, &code, false)
        .unwrap();
    let front = hanako.read_tlv_file(&face::ef::FRONT).unwrap();
    let cv = hanako.read_tlv_file(&face::ef::CV_CERT).unwrap();
    let mut f = evidence::FaceApEvidence {
        unlocked_with: FaceUnlock::CodeB,
        front: Some(front.clone()),
        my_number_image: None,
        age: None,
        cv_certificate: cv,
        liveness_signature: Vec::new(),
    };
    let challenge = evidence::liveness_challenge(
        &n,
        "chip_read",
        LivenessAp::Face,
        chip.text.as_ref(),
        Some(&f),
    )
    .unwrap();
    let key = face::CardFront::parse(&front).unwrap().card_key;
    let proof = hanako
        .face()
        .liveness(
            &ChallengeSource::Host(challenge),
            &key,
            mynakit::cv::CheckOutcome::Verified,
        )
        .unwrap();
    f.liveness_signature = proof.signature;
    chip.face = Some(f);
    let r = common::verifier().verify(&bundle, &n, common::AT);
    assert_eq!(r.verdict, Verdict::Rejected, "{r:#?}");
    assert_eq!(r.failed(), vec!["chip_read.consistency"], "{r:#?}");
}
