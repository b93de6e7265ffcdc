//! `mynakit::flows` on the virtual card: each flow's results against the profile's data
//! (test-vectors/cards/taro), its refusals before any APDU, and one VERIFY at most.
//!
//! The expected signatures were computed independently with Python's `cryptography`
//! (RSASSA-PKCS1-v1_5, SHA-256) from the profile's private keys:
//!
//! ```python
//! auth = load_der_private_key(open("cards/taro/auth-key.pk8", "rb").read(), None)
//! sign = load_der_private_key(open("cards/taro/sign-key.pk8", "rb").read(), None)
//! nonce = bytes(range(0x10, 0x30))
//! auth.sign(nonce, PKCS1v15(), SHA256())                                   # LOGIN_SIGNATURE
//! m = b"mynakit-evidence/1 jpki_sign\0" + bytes([len(nonce)]) + nonce + DATA  # docs/server.md
//! sign.sign(m, PKCS1v15(), SHA256())                                       # SIGN_SIGNATURE
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mynakit::cert::TrustPolicy;
use mynakit::cv::CheckOutcome;
use mynakit::evidence::{ChipReadRequest, EvidenceHash, MethodEvidence};
use mynakit::face::FaceUnlock;
use mynakit::flows::{self, ApRead, EkycRequest, LoginRequest, SignRequest};
use mynakit::jpki::TokenKind;
use mynakit::sign::HashAlgorithm;
use mynakit::text::{ChallengeSource, TextUnlock};
use mynakit::{Card, Credential, Error, Secret};
use mynakit_testkit::sim::{Behaviour, CardProfile, VirtualCard};

/// The server nonce of these tests: 10 11 … 2F (32 bytes).
fn nonce() -> Vec<u8> {
    (0x10u8..0x30).collect()
}

const DATA: &[u8] = b"account-opening form v1";

const LOGIN_SIGNATURE: &str = "3ECD9F87418F4ABD64CF812984A360C43C2BB9AD6C0FE83933FA963BC19DF1D6E2754EFA4C6B22596A427484CB59E631CE64D7B0412F28DB042D9D5428AD2391A6B411BB4E7E55AD0D5398AA634C1574118EA24EA466ED01667085447B9A2B94A5B4F50AA045E63FA76ED28429444F01A1D6FB03E36C3B9A0D1652B4DF4076F9818AFB2C1DCD070D7C0DA4F43856D488D81DF043920A88F1788D223DA5CA681DA785B9CF1FAC14E6A7D580543B288E0544CA2D75F9B28BCC4FB264EC8608877A78DAC2591B8584704D39F2A0DCE19886E7B3907A56016494434B4755EC71CE4B58FDAA433010D2338ACC033997CF3C3600D08EC92A8F8A69D1FB810AFAB3958A";

const SIGN_SIGNATURE: &str = "335BBE8AD35401CF5C1EA14450B81A9550AB1E405297CF4C58BEAF78516D6ED7343C80F573DC4E83E3A59853BF888A7FECFB59E692D14B397AB8C73071B83535664B5AAFDB9A1E65DBAA43245A355F19ECBEB4AE14D22494489BA0D7F6FB28FB6E91E6501207F8A1A39471CA535D73902A0FBD8C92D3CA1469C1C209EAC8FC93ADD9BD2CA86C3DE21C930A35327032F6205198CBD3B1D8D306047059C705067C00965086AE2E55E391227ACC17C5965E2697E1788D7BCF4CC4F22E6DD38BD4C06C638FC127CA224B55FE61540AAC48FC6FE07EB17487EB76BAF11BB55FBDF8E0388D88D55E15576ED79856207CDE41CB2374C0BD914EBF44B09F6C9BC0627C08";

fn file(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../test-vectors/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn card_with(profile: CardProfile, b: Behaviour) -> Card<VirtualCard> {
    let mut sim = VirtualCard::new(profile).unwrap();
    sim.behaviour = b;
    Card::new(sim).unwrap()
}

fn taro(b: Behaviour) -> Card<VirtualCard> {
    card_with(CardProfile::builtin("taro").unwrap(), b)
}

fn verifies(card: &Card<VirtualCard>) -> usize {
    card.transport().verify_attempts()
}

fn login<'a>(pin: &'a Secret, nonce: &'a [u8]) -> LoginRequest<'a> {
    LoginRequest {
        pin,
        nonce,
        hash: HashAlgorithm::Sha256,
        allow_below_floor: false,
    }
}

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
    login_signs_the_nonce_with_the_auth_key,
    login_on_a_smartphone_token_presents_the_pin_once,
    login_with_a_wrong_pin_spends_one_try,
    wa_method_signs_nonce_and_data_with_the_signing_key,
    text_and_face_reads_return_the_profile,
    ekyc_reads_everything_with_one_verify_per_credential,
    chip_read_evidence_carries_the_efs_as_read,
);

fn login_signs_the_nonce_with_the_auth_key(b: Behaviour) {
    let mut card = taro(b);
    let pin = Secret::new("1234");
    let n = nonce();
    let l = flows::jpki_login(&mut card, &login(&pin, &n)).unwrap();
    let cert = file("cards/taro/auth-cert.der");
    assert_eq!(l.certificate.der, cert);
    assert_eq!(hex::encode_upper(&l.signature.signature), LOGIN_SIGNATURE);
    assert_eq!(l.signature_check, CheckOutcome::Verified);
    assert_eq!(
        l.signature.certificate.as_ref().map(|c| &c.der),
        Some(&cert)
    );
    assert_eq!(verifies(&card), 1);
    if b == Behaviour::capable() {
        // SELECT AP, ceil(1351 / 256) = 6 READ BINARY by SFI, retry query, VERIFY,
        // COMPUTE DIGITAL SIGNATURE naming the key in P2.
        assert_eq!(card.stats().apdus, 1 + 6 + 3);
    }
    assert_eq!(l.evidence.nonce, n);
    assert_eq!(l.evidence.phone_verified, Some(true));
    let MethodEvidence::JpkiLogin(e) = &l.evidence.evidence else {
        panic!("{:?}", l.evidence.evidence);
    };
    assert_eq!(e.certificate, cert);
    assert_eq!(e.hash, EvidenceHash::Sha256);
    assert_eq!(hex::encode_upper(&e.signature), LOGIN_SIGNATURE);
    // The bundle survives its JSON form.
    let json = l.evidence.to_json().unwrap();
    assert_eq!(
        mynakit::evidence::Evidence::from_json(json.as_bytes()).unwrap(),
        l.evidence
    );

    // Refused before any APDU: a short nonce, SHA-1, a malformed PIN.
    for (pin, n, hash) in [
        ("1234", vec![0u8; 15], HashAlgorithm::Sha256),
        ("1234", vec![0u8; 65], HashAlgorithm::Sha256),
        ("1234", nonce(), HashAlgorithm::Sha1),
        ("12a4", nonce(), HashAlgorithm::Sha256),
    ] {
        let mut card = taro(b);
        let pin = Secret::new(pin);
        let r = flows::jpki_login(
            &mut card,
            &LoginRequest {
                hash,
                ..login(&pin, &n)
            },
        );
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument(_) | Error::InvalidCredentialFormat { .. })
            ),
            "{r:?}"
        );
        assert_eq!(card.stats().apdus, 0);
    }
}

fn login_on_a_smartphone_token_presents_the_pin_once(b: Behaviour) {
    let profile = CardProfile::builtin("taro")
        .unwrap()
        .with_token_label("JPKIAPGPSETOKEN");
    let mut card = card_with(profile, b);
    assert_eq!(
        card.jpki().token_info().unwrap().kind,
        TokenKind::AndroidPhone
    );
    let pin = Secret::new("1234");
    let n = nonce();
    let l = flows::jpki_login(&mut card, &login(&pin, &n)).unwrap();
    assert_eq!(l.certificate.der, file("cards/taro/auth-cert.der"));
    assert_eq!(hex::encode_upper(&l.signature.signature), LOGIN_SIGNATURE);
    assert_eq!(verifies(&card), 1);
}

fn login_with_a_wrong_pin_spends_one_try(b: Behaviour) {
    let mut card = taro(b);
    let pin = Secret::new("9999");
    let n = nonce();
    let r = flows::jpki_login(&mut card, &login(&pin, &n));
    assert!(
        matches!(
            r,
            Err(Error::WrongPin {
                credential: Credential::JpkiAuthPin,
                remaining: 2,
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(verifies(&card), 1);
}

fn wa_method_signs_nonce_and_data_with_the_signing_key(b: Behaviour) {
    let mut card = taro(b);
    let pw = Secret::new("ABC123");
    let n = nonce();
    let req = SignRequest {
        password: &pw,
        nonce: &n,
        data: DATA,
        hash: HashAlgorithm::Sha256,
        allow_below_floor: false,
    };
    let s = flows::jpki_sign(&mut card, &req).unwrap();
    let cert = file("cards/taro/sign-cert.der");
    assert_eq!(s.certificate.der, cert);
    // The profile's person is in the signing certificate.
    let attrs = s.certificate.info.attributes.clone().unwrap();
    assert_eq!(attrs.name.as_deref(), Some("見本　太郎"));
    assert_eq!(
        attrs.address.as_deref(),
        Some("東京都千代田区見本町一丁目２番３号")
    );
    assert_eq!(hex::encode_upper(&s.signature.signature), SIGN_SIGNATURE);
    assert_eq!(s.signature_check, CheckOutcome::Verified);
    assert_eq!(verifies(&card), 1);
    let MethodEvidence::JpkiSign(e) = &s.evidence.evidence else {
        panic!("{:?}", s.evidence.evidence);
    };
    assert_eq!(
        (e.certificate.as_slice(), e.data.as_slice()),
        (&cert[..], DATA)
    );
    assert_eq!(hex::encode_upper(&e.signature), SIGN_SIGNATURE);
    assert_eq!(s.evidence.phone_verified, Some(true));

    // Too much data, or a malformed password: refused before any APDU.
    let mut card = taro(b);
    let big = vec![0u8; mynakit::evidence::MAX_SIGNED_DATA_LEN + 1];
    let r = flows::jpki_sign(&mut card, &SignRequest { data: &big, ..req });
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let bad = Secret::new("abc");
    let r = flows::jpki_sign(
        &mut card,
        &SignRequest {
            password: &bad,
            ..req
        },
    );
    assert!(
        matches!(r, Err(Error::InvalidCredentialFormat { .. })),
        "{r:?}"
    );
    assert_eq!(card.stats().apdus, 0);

    // hanako (under 15) has no signing certificate: the flow fails, no data invented.
    let mut card = card_with(CardProfile::builtin("hanako").unwrap(), b);
    assert!(flows::jpki_sign(&mut card, &req).is_err());
}

fn text_and_face_reads_return_the_profile(b: Behaviour) {
    let trust = mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD).unwrap();
    let mut card = taro(b);
    let pin = Secret::new("1234");
    let card_nonce = ChallengeSource::Card;
    let t = flows::text_read(
        &mut card,
        &ApRead {
            unlock: TextUnlock::Pin,
            secret: &pin,
            allow_below_floor: false,
            liveness: Some(&card_nonce),
        },
        &trust,
    )
    .unwrap();
    // test-vectors/cards/taro/profile.json, "person".
    assert_eq!(t.my_number.unwrap().my_number, "123456789018");
    let a = t.attributes.unwrap();
    assert_eq!(a.name, "見本　太郎");
    assert_eq!(a.address, "東京都千代田区見本町一丁目２番３号");
    assert_eq!(a.birth_date_raw, "19900102");
    assert_eq!(a.sex_code, "1");
    assert!(t.verification.all_verified(), "{:?}", t.verification);
    assert!(t.liveness.unwrap().verification.all_verified());

    let code_a = Secret::new("123456789018");
    let f = flows::face_read(
        &mut card,
        &ApRead {
            unlock: FaceUnlock::CodeA,
            secret: &code_a,
            allow_below_floor: false,
            liveness: None,
        },
        &trust,
    )
    .unwrap();
    let front = f.front.unwrap();
    assert_eq!(front.birth_date_raw, "19900102");
    assert_eq!(front.expiry_raw, "20350102");
    assert_eq!(front.sex_code, "1");
    assert!(f.my_number_image.is_some());
    assert!(f.liveness.is_none());
    assert_eq!(verifies(&card), 2);
}

fn ekyc_reads_everything_with_one_verify_per_credential(b: Behaviour) {
    let cv = mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD).unwrap();
    let (pin, pw, text_pin) = (
        Secret::new("1234"),
        Secret::new("ABC123"),
        Secret::new("1234"),
    );
    let challenge: Vec<u8> = (0u8..32).collect();
    let mut req = EkycRequest {
        auth_pin: &pin,
        sign_password: Some(&pw),
        text_pin: None,
        challenge: &challenge,
    };
    let mut card = taro(b);
    let e = flows::ekyc(&mut card, &req, &cv).unwrap();
    assert_eq!(e.token.label, "JPKIAPICCTOKEN2");
    assert!(e.certificate_availability.signing);
    assert_eq!(e.auth_certificate.der, file("cards/taro/auth-cert.der"));
    assert_eq!(
        e.sign_certificate.as_ref().map(|c| c.der.clone()),
        Some(file("cards/taro/sign-cert.der"))
    );
    assert_eq!(e.signature_check, CheckOutcome::Verified);
    assert_eq!(verifies(&card), 2);
    let steps: u32 = e.steps.iter().map(|s| s.apdus).sum();
    assert_eq!(steps, card.stats().apdus);
    if b == Behaviour::capable() {
        // The golden demo trace (test-vectors/traces/demo.*, recorded on this card) and
        // its signature, which Python's cryptography reproduces from
        // cards/taro/auth-key.pk8 over bytes 00..1F.
        let expected: serde_json::Value =
            serde_json::from_slice(&file("traces/demo.expected.json")).unwrap();
        assert_eq!(u64::from(card.stats().apdus), expected["apdus"]);
        assert_eq!(
            hex::encode_upper(&e.signature.signature),
            expected["value"]["signature"]["signature_hex"]
        );
    }

    req.text_pin = Some(&text_pin);
    let mut card = taro(b);
    let e = flows::ekyc(&mut card, &req, &cv).unwrap();
    let chip = e.chip.unwrap();
    assert_eq!(chip.text.my_number.unwrap().my_number, "123456789018");
    assert_eq!(chip.text.attributes.unwrap().name, "見本　太郎");
    assert_eq!(chip.face.front.unwrap().expiry_raw, "20350102");
    // Each liveness proof signed the demo's challenge.
    for proof in [chip.text.liveness.unwrap(), chip.face.liveness.unwrap()] {
        assert_eq!(proof.challenge, challenge);
        assert!(proof.verification.all_verified());
    }
    // auth PIN, signing password, text PIN, 照合番号A: one VERIFY each.
    assert_eq!(verifies(&card), 4);
    // token, availability, counters, auth certificate, signing certificate, signature,
    // 入力補助AP, 券面AP.
    assert_eq!(e.steps.len(), 8);

    // hanako: no signing certificate, so neither its counter nor the certificate.
    let mut card = card_with(CardProfile::builtin("hanako").unwrap(), b);
    let hanako_pin = Secret::new("4321"); // cards/hanako/profile.json
    let req = EkycRequest {
        auth_pin: &hanako_pin,
        text_pin: None,
        ..req
    };
    let e = flows::ekyc(&mut card, &req, &cv).unwrap();
    assert!(e.sign_certificate.is_none() && e.sign_password_retries.is_none());
    assert_eq!(verifies(&card), 1);
}

fn chip_read_evidence_carries_the_efs_as_read(b: Behaviour) {
    let trust = mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD).unwrap();
    let mut card = taro(b);
    let (pin, code_b) = (Secret::new("1234"), Secret::new("02010235" /* wrong */));
    let n = nonce();
    let req = ChipReadRequest {
        text: Some((TextUnlock::Pin, &pin)),
        include_my_number: false,
        face: None,
        allow_below_floor: false,
    };
    let e = flows::chip_read(&mut card, &n, &req, &trust).unwrap();
    assert_eq!(e.phone_verified, Some(true));
    let MethodEvidence::ChipRead(c) = &e.evidence else {
        panic!("{:?}", e.evidence);
    };
    let t = c.text.as_ref().unwrap();
    assert!(t.my_number.is_none(), "left out unless asked for");
    // Each EF as the profile stores it (the files may carry filler after the TLV).
    for (read, path) in [
        (
            t.attributes.as_deref().unwrap(),
            "cards/taro/text/ef0002.bin",
        ),
        (&t.integrity[..], "cards/taro/text/ef0003.bin"),
        (&t.cv_certificate[..], "cards/taro/text/ef0004.bin"),
        (&t.signed_card_key[..], "cards/taro/text/ef0007.bin"),
    ] {
        assert!(!read.is_empty() && file(path).starts_with(read), "{path}");
    }
    assert_eq!(verifies(&card), 1);
    // The evidence flow refuses what cannot be a bundle before any APDU.
    let mut card = taro(b);
    assert!(flows::chip_read(&mut card, &n[..8], &req, &trust).is_err());
    assert!(
        flows::face_to_face(&mut card, &n, FaceUnlock::BirthKey, &code_b, false, &trust).is_err()
    );
    assert_eq!(card.stats().apdus, 0);
}

/// A `6982` to the auth-certificate read: from a token known to be a My Number Card (which
/// shows the certificate freely, card-protocol §3.1) it is an error and no PIN is presented;
/// from a token the flow has not identified (the login flow reads no EF `0006`) it is the
/// smartphone answer, and the PIN is presented once before one more read.
#[test]
fn refused_auth_certificate_read() {
    use mynakit_testkit::fault::{Fault, FaultKind, FaultyTransport};
    let faulty = |at| {
        let sim = VirtualCard::builtin("taro").unwrap();
        let fault = Fault {
            at,
            kind: FaultKind::StatusWord(0x6982),
        };
        Card::new(FaultyTransport::new(sim, vec![fault])).unwrap()
    };
    let (pin, pw) = (Secret::new("1234"), Secret::new("ABC123"));
    let challenge = [7u8; 32];
    // ekyc on the capable card: SELECT, READ 0006, READ 0008, two retry queries, then the
    // certificate's first READ (exchange 5).
    let mut card = faulty(5);
    let req = EkycRequest {
        auth_pin: &pin,
        sign_password: Some(&pw),
        text_pin: None,
        challenge: &challenge,
    };
    let r = flows::ekyc(&mut card, &req, &mynakit::cv::CvTrust::default());
    assert!(
        matches!(
            r,
            Err(Error::CredentialRequired {
                credential: Credential::JpkiAuthPin,
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(card.transport().inner().verify_attempts(), 0);
    // jpki_login: SELECT, then the certificate's first READ (exchange 1).
    let mut card = faulty(1);
    let n = nonce();
    let l = flows::jpki_login(&mut card, &login(&pin, &n)).unwrap();
    assert_eq!(l.certificate.der, file("cards/taro/auth-cert.der"));
    assert_eq!(hex::encode_upper(&l.signature.signature), LOGIN_SIGNATURE);
    assert_eq!(card.transport().inner().verify_attempts(), 1);
}
