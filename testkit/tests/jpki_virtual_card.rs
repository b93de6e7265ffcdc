//! JPKI-AP end to end against the virtual card: every operation and every error path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mynakit::cert::{Era, JpkiCertificate, Sex, TrustPolicy, TrustStore};
use mynakit::jpki::{JpkiKey, SignOptions, TokenKind};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Capabilities, Card, Credential, Error, RetryStatus, Secret, TransportError, aid};
use mynakit_testkit::fault::{Fault, FaultKind, FaultyTransport};
use mynakit_testkit::sim::{Behaviour, ShortRead, VirtualCard};

const AUTH_PIN: &str = "1234";
const SIGN_PW: &str = "ABC123";
/// A moment when the virtual card's certificates are valid (2026-01-01).
const T: u64 = 1_767_225_600;

fn sim(id: &str, b: Behaviour) -> VirtualCard {
    let mut sim = VirtualCard::builtin(id).unwrap();
    sim.behaviour = b;
    sim
}

/// APDUs a file read costs beyond the minimum: on a card that refuses READ BINARY by SFI,
/// the first file of the session pays the refused APDU plus SELECT EF, later files SELECT EF.
fn file_overhead(b: Behaviour, files: u32) -> u32 {
    if b.sfi_read || files == 0 {
        0
    } else {
        files + 1
    }
}

/// The index of the VERIFY carrying a value in a fresh session: SELECT AP, query, VERIFY on
/// a card that takes VERIFY by SFI; SELECT AP, refused query, SELECT EF, query, VERIFY on
/// one that does not.
fn verify_index(b: Behaviour) -> usize {
    if b.sfi_verify { 2 } else { 4 }
}

fn taro(b: Behaviour) -> Card<VirtualCard> {
    Card::new(sim("taro", b)).unwrap()
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
    token_info_and_certificate_availability,
    auth_certificate_in_the_minimum_number_of_apdus,
    auth_certificate_fields_and_chain,
    signing_certificate_needs_the_password,
    retry_counters_do_not_consume_tries,
    wrong_pin_reports_remaining_and_a_good_pin_resets_the_counter,
    floor_refusal_sends_no_verify,
    blocking_try_then_blocked,
    blocked_card_answering_6984_to_a_verify,
    malformed_credentials_send_no_apdu,
    card_without_signing_certificate,
    sign_with_both_keys_and_every_hash,
    sha1_only_on_request,
    sign_key_by_short_ef_identifier_saves_a_select,
    transport_failure_in_the_middle_of_a_read,
    transport_failure_during_verify_is_outcome_unknown,
    security_state_is_cleared_when_another_application_is_selected,
    query_answering_9000_after_verify_is_understood,
    get_response_and_short_read_variants,
    progress_reports_every_chunk,
    smartphone_token_wants_the_pin_for_the_auth_certificate,
    protocol_options_without_short_ef_identifiers_still_work,
);

fn file(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../test-vectors/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn msg(data: &[u8]) -> SignInput {
    SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: data.to_vec(),
    }
}

fn with_cert() -> SignOptions {
    SignOptions {
        include_certificate: true,
        ..Default::default()
    }
}

fn token_info_and_certificate_availability(b: Behaviour) {
    let mut card = taro(b);
    let t = card.jpki().token_info().unwrap();
    assert_eq!(
        (t.label.as_str(), t.kind),
        ("JPKIAPICCTOKEN2", TokenKind::MyNumberCard)
    );
    let a = card.jpki().certificate_availability().unwrap();
    assert!(a.signing && a.authentication);
    // SELECT + one READ each.
    assert_eq!(card.stats().apdus, 3 + file_overhead(b, 2));

    let mut card = Card::new(sim("hanako", b)).unwrap();
    let a = card.jpki().certificate_availability().unwrap();
    assert!(!a.signing && a.authentication);
}

fn auth_certificate_in_the_minimum_number_of_apdus(b: Behaviour) {
    let expected = file("cards/taro/auth-cert.der");
    // Short APDUs: SELECT AP + ceil(size / 256) READ BINARY by SFI.
    let mut card = taro(b);
    let cert = card.jpki().auth_certificate().unwrap();
    assert_eq!(cert.der, expected);
    let reads = expected.len().div_ceil(256);
    assert_eq!(
        card.stats().apdus as usize,
        1 + reads + file_overhead(b, 1) as usize
    );
    // No READ went past the certificate into the EF's filler: exactly the certificate
    // plus one status word per APDU came back.
    assert_eq!(
        usize::try_from(card.stats().bytes_received).unwrap(),
        expected.len() + 2 * (1 + reads + file_overhead(b, 1) as usize)
    );
    // Extended length: SELECT + one READ. The size is unknown before the header arrives,
    // so this single READ returns the EF up to its physical end (filler included).
    let sim = sim("taro", b).with_capabilities(Capabilities::EXTENDED_FULL);
    let mut card = Card::new(sim).unwrap();
    assert_eq!(card.jpki().auth_certificate().unwrap().der, expected);
    if b.extended_length {
        assert_eq!(card.stats().apdus, 2);
    } else {
        // The extended READ is refused once (6700) and the session stays short: SELECT AP,
        // refused extended READ, refused short READ by SFI, SELECT EF, short reads.
        assert_eq!(card.stats().apdus as usize, 4 + reads);
        assert!(!card.capabilities().extended_length);
    }
}

fn auth_certificate_fields_and_chain(b: Behaviour) {
    let mut card = taro(b);
    let cert = card.jpki().auth_certificate().unwrap();
    let cn = cert.info.subject_common_name.clone().unwrap();
    assert_eq!(cn.len(), 23);
    assert!(
        cert.info
            .key_usage
            .contains(&"digital_signature".to_string())
    );
    assert!(
        cert.info.attributes.is_none(),
        "the auth certificate carries no personal data"
    );
    assert_eq!(cert.info.public_key.bits, Some(2048));

    let ok = mynakit_testkit::trust::trust_store(TrustPolicy::VIRTUAL_CARD)
        .unwrap()
        .verify(&cert, T)
        .unwrap();
    assert!(ok.anchor.contains("virtual card"));
    // Production policy with the test roots added: the test root is known but refused, and
    // the error says so.
    let err = mynakit_testkit::trust::trust_store(TrustPolicy::PRODUCTION)
        .unwrap()
        .verify(&cert, T)
        .unwrap_err();
    assert!(err.to_string().contains("does not accept"), "{err}");
    // The SDK alone embeds no test root at all.
    let err = TrustStore::production()
        .unwrap()
        .verify(&cert, T)
        .unwrap_err();
    assert!(err.to_string().contains("no known root"), "{err}");
    // Outside the validity period.
    let err = mynakit_testkit::trust::trust_store(TrustPolicy::VIRTUAL_CARD)
        .unwrap()
        .verify(&cert, 1_000)
        .unwrap_err();
    assert!(err.to_string().contains("not valid"), "{err}");
}

#[test]
fn ca_certificates_match_the_test_roots() {
    let mut card = taro(Behaviour::capable());
    let auth_ca = card.jpki().auth_ca_certificate().unwrap();
    let sign_ca = card.jpki().sign_ca_certificate().unwrap();
    assert_eq!(auth_ca.der, file("pki/jpki-test-auth-root.der"));
    assert_eq!(sign_ca.der, file("pki/jpki-test-sign-root.der"));
    assert!(auth_ca.info.is_ca && sign_ca.info.is_ca);
}

fn signing_certificate_needs_the_password(b: Behaviour) {
    let mut card = taro(b);
    let err = card.jpki().sign_certificate_verified().unwrap_err();
    assert!(
        matches!(
            err,
            Error::CredentialRequired {
                credential: Credential::JpkiSignPassword,
                ..
            }
        ),
        "{err:?}"
    );
    // The password is upper-cased before it is sent.
    let cert = card
        .jpki()
        .sign_certificate(&Secret::new("abc123"), false)
        .unwrap();
    assert_eq!(cert.der, file("cards/taro/sign-cert.der"));
    let a = cert.info.attributes.clone().unwrap();
    assert_eq!(a.name.as_deref(), Some("見本　太郎"));
    assert_eq!(
        a.address.as_deref(),
        Some("東京都千代田区見本町一丁目２番３号")
    );
    assert_eq!(a.sex, Some(Sex::Male));
    let b = a.birth_date.unwrap();
    assert_eq!((b.raw.as_str(), b.era), ("419900102", Some(Era::Heisei)));
    assert_eq!(b.date.unwrap().to_string(), "1990-01-02");
    assert!(cert.info.key_usage.contains(&"non_repudiation".to_string()));
    mynakit_testkit::trust::trust_store(TrustPolicy::VIRTUAL_CARD)
        .unwrap()
        .verify(&cert, T)
        .unwrap();
    // Already verified in this session: a second read sends no VERIFY.
    let before = card.transport().verify_attempts();
    card.jpki()
        .sign_certificate(&Secret::new("abc123"), false)
        .unwrap();
    assert_eq!(card.transport().verify_attempts(), before);
}

fn retry_counters_do_not_consume_tries(b: Behaviour) {
    let mut card = taro(b);
    for _ in 0..3 {
        assert_eq!(
            card.jpki().retry_status(Credential::JpkiAuthPin).unwrap(),
            RetryStatus::Remaining(3)
        );
        assert_eq!(
            card.jpki()
                .retry_status(Credential::JpkiSignPassword)
                .unwrap(),
            RetryStatus::Remaining(5)
        );
    }
    assert_eq!(card.transport().verify_attempts(), 0);
    assert!(card.jpki().retry_status(Credential::TextPin).is_err());
}

fn wrong_pin_reports_remaining_and_a_good_pin_resets_the_counter(b: Behaviour) {
    let mut card = taro(b);
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new("9999"), false)
        .unwrap_err();
    assert!(
        matches!(err, Error::WrongPin { remaining: 2, .. }),
        "{err:?}"
    );
    assert_eq!(err.remaining_tries(), Some(2));
    assert_eq!(card.transport().remaining_tries(aid::JPKI, 0x18), Some(2));
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    assert_eq!(card.transport().remaining_tries(aid::JPKI, 0x18), Some(3));
    // Exactly two VERIFYs carried a value: no automatic retry.
    assert_eq!(card.transport().verify_attempts(), 2);
}

fn floor_refusal_sends_no_verify(b: Behaviour) {
    let mut sim = sim("taro", b);
    sim.set_remaining_tries(aid::JPKI, 0x18, 1).unwrap();
    let mut card = Card::new(sim).unwrap();
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::RetryFloor {
                remaining: Some(1),
                floor: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(card.transport().verify_attempts(), 0);
    assert_eq!(card.transport().remaining_tries(aid::JPKI, 0x18), Some(1));
    // Signing goes through the same policy.
    let err = card
        .jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &msg(b"x"),
            SignOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::RetryFloor { .. }));
    assert_eq!(card.transport().verify_attempts(), 0);
    // A stricter policy refuses earlier.
    let mut card = taro(b);
    card.policy.floor = 3;
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap_err();
    assert!(matches!(
        err,
        Error::RetryFloor {
            remaining: Some(3),
            floor: 3,
            ..
        }
    ));
}

fn blocking_try_then_blocked(b: Behaviour) {
    let mut sim = sim("taro", b);
    sim.set_remaining_tries(aid::JPKI, 0x18, 1).unwrap();
    let mut card = Card::new(sim).unwrap();
    // The caller explicitly spends the last try, with a wrong PIN.
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new("0000"), true)
        .unwrap_err();
    assert!(
        matches!(err, Error::WrongPin { remaining: 0, .. }),
        "{err:?}"
    );
    assert_eq!(
        card.jpki().retry_status(Credential::JpkiAuthPin).unwrap(),
        RetryStatus::Blocked
    );
    // Even the right PIN is not sent to a blocked credential.
    let attempts = card.transport().verify_attempts();
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), true)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Blocked {
                credential: Credential::JpkiAuthPin
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.remaining_tries(), Some(0));
    assert_eq!(card.transport().verify_attempts(), attempts);
}

fn blocked_card_answering_6984_to_a_verify(b: Behaviour) {
    // The card says 6984 to the VERIFY itself (the query was faked to look fine).
    let sim = sim("taro", b);
    let mut card = Card::new(FaultyTransport::new(
        sim,
        vec![Fault {
            at: verify_index(b),
            kind: FaultKind::StatusWord(0x6984),
        }],
    ))
    .unwrap();
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap_err();
    assert!(matches!(err, Error::Blocked { .. }), "{err:?}");
}

fn malformed_credentials_send_no_apdu(b: Behaviour) {
    let cases: &[(Credential, &str)] = &[
        (Credential::JpkiAuthPin, "12a4"),
        (Credential::JpkiAuthPin, "12345"),
        (Credential::JpkiSignPassword, "abcdef"),
        (Credential::JpkiSignPassword, "123456"),
        (Credential::JpkiSignPassword, "AB12"),
        (Credential::JpkiSignPassword, "ABC-123"),
    ];
    for (cred, value) in cases {
        let mut card = taro(b);
        let err = card.verify(*cred, &Secret::new(*value), false).unwrap_err();
        assert!(
            matches!(err, Error::InvalidCredentialFormat { .. }),
            "{value}: {err:?}"
        );
        assert_eq!(card.stats().apdus, 0, "{value}");
        assert!(card.transport().received().is_empty());
    }
    let mut card = taro(b);
    let err = card
        .jpki()
        .sign(
            JpkiKey::Sign,
            &Secret::new("short"),
            &msg(b"x"),
            SignOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentialFormat { .. }));
    let err = card
        .jpki()
        .sign_certificate(&Secret::new("nodigits"), false)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentialFormat { .. }));
    assert_eq!(card.stats().apdus, 0);
}

fn card_without_signing_certificate(b: Behaviour) {
    let mut card = Card::new(sim("hanako", b)).unwrap();
    let err = card
        .jpki()
        .sign_certificate(&Secret::new(SIGN_PW), false)
        .unwrap_err();
    assert!(matches!(err, Error::NotAvailable { .. }), "{err:?}");
    let err = card
        .jpki()
        .sign(
            JpkiKey::Sign,
            &Secret::new(SIGN_PW),
            &msg(b"x"),
            SignOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotAvailable { .. }), "{err:?}");
    assert_eq!(card.transport().verify_attempts(), 0);
    let err = card
        .jpki()
        .retry_status(Credential::JpkiSignPassword)
        .unwrap_err();
    assert!(matches!(err, Error::NotAvailable { .. }));
    // The authentication side works.
    let sig = card
        .jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new("4321"),
            &msg(b"hi"),
            with_cert(),
        )
        .unwrap();
    sig.verify_with_certificate().unwrap();
}

fn sign_with_both_keys_and_every_hash(b: Behaviour) {
    let mut card = taro(b);
    for hash in [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ] {
        let input = SignInput::Message {
            hash,
            data: b"eKYC challenge".to_vec(),
        };
        let sig = card
            .jpki()
            .sign(JpkiKey::Auth, &Secret::new(AUTH_PIN), &input, with_cert())
            .unwrap();
        assert_eq!(sig.signature.len(), 256);
        sig.verify_with_certificate().unwrap();
        let spki = sig.certificate.as_ref().unwrap().spki_der().unwrap();
        mynakit::sign::verify_signature(&spki, &input, &sig.signature, false).unwrap();
        // A different message does not verify.
        assert!(
            mynakit::sign::verify_signature(&spki, &msg(b"other"), &sig.signature, false).is_err()
        );
    }
    // A precomputed digest gives the same signature as the message (PKCS#1 v1.5 is deterministic).
    let digest = HashAlgorithm::Sha256.digest(b"doc");
    let a = card
        .jpki()
        .sign(
            JpkiKey::Sign,
            &Secret::new(SIGN_PW),
            &msg(b"doc"),
            with_cert(),
        )
        .unwrap();
    let b = card
        .jpki()
        .sign(
            JpkiKey::Sign,
            &Secret::new(SIGN_PW),
            &SignInput::Digest {
                hash: HashAlgorithm::Sha256,
                digest,
            },
            SignOptions::default(),
        )
        .unwrap();
    assert_eq!(a.signature, b.signature);
    a.verify_with_certificate().unwrap();
    assert!(a.certificate.unwrap().info.attributes.is_some());
    // The password was verified once for both signatures.
    assert_eq!(card.transport().verify_attempts(), 2);
}

fn sha1_only_on_request(b: Behaviour) {
    let mut card = taro(b);
    let input = SignInput::Message {
        hash: HashAlgorithm::Sha1,
        data: b"legacy".to_vec(),
    };
    let err = card
        .jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &input,
            SignOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert_eq!(card.stats().apdus, 0);
    let opts = SignOptions {
        allow_sha1: true,
        include_certificate: true,
        ..Default::default()
    };
    let sig = card
        .jpki()
        .sign(JpkiKey::Auth, &Secret::new(AUTH_PIN), &input, opts)
        .unwrap();
    sig.verify_with_certificate().unwrap();
}

fn sign_key_by_short_ef_identifier_saves_a_select(b: Behaviour) {
    // With the option off: SELECT AP, query, VERIFY, SELECT key EF, SIGN (the conservative
    // card adds its refused query and SELECT EF of the PIN).
    let mut a = taro(b);
    a.options.sign_key_by_sfi = false;
    a.jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &msg(b"x"),
            SignOptions::default(),
        )
        .unwrap();
    let pin_overhead = if b.sfi_verify { 0 } else { 2 };
    assert_eq!(a.stats().apdus, 5 + pin_overhead);
    // The default names the key in P2: SELECT AP, query, VERIFY, SIGN; on a card that
    // refuses it, one refused signature command, then SELECT key EF + SIGN.
    let mut c = taro(b);
    let sig = c
        .jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &msg(b"x"),
            with_cert(),
        )
        .unwrap();
    sig.verify_with_certificate().unwrap();
    let key_overhead: usize = if b.sign_key_in_p2 { 0 } else { 2 };
    let cert_len = file("cards/taro/auth-cert.der").len();
    assert_eq!(
        c.stats().apdus as usize,
        4 + pin_overhead as usize
            + key_overhead
            + cert_len.div_ceil(256)
            + file_overhead(b, 1) as usize
    );
    // The second signature of the session pays nothing for what the first one learned.
    let before = c.stats().apdus;
    c.jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &msg(b"y"),
            SignOptions::default(),
        )
        .unwrap();
    let second = c.stats().apdus - before;
    assert_eq!(second, if b.sign_key_in_p2 { 1 } else { 2 });
    assert_eq!(c.transport().verify_attempts(), 1);
}

fn transport_failure_in_the_middle_of_a_read(b: Behaviour) {
    // Exchange 0 = SELECT, 1 = first READ, 3 = third READ.
    for kind in [
        FaultKind::TagLost,
        FaultKind::Timeout,
        FaultKind::LostAfterDelivery,
    ] {
        let sim = sim("taro", b);
        let mut card = Card::new(FaultyTransport::new(
            sim,
            vec![Fault {
                at: 3,
                kind: kind.clone(),
            }],
        ))
        .unwrap();
        let err = card.jpki().auth_certificate().unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{kind:?}: {err:?}");
        // The session forgot its state and starts over cleanly (SELECT again).
        let cert = card.jpki().auth_certificate().unwrap();
        assert_eq!(cert.der, file("cards/taro/auth-cert.der"));
    }
}

fn transport_failure_during_verify_is_outcome_unknown(b: Behaviour) {
    // 0 SELECT, 1 query, 2 VERIFY (more before it on the conservative card).
    for (kind, counted) in [
        (FaultKind::TagLost, false),
        (FaultKind::LostAfterDelivery, true),
        (FaultKind::Timeout, false),
    ] {
        let sim = sim("taro", b);
        let mut card = Card::new(FaultyTransport::new(
            sim,
            vec![Fault {
                at: verify_index(b),
                kind: kind.clone(),
            }],
        ))
        .unwrap();
        let err = card
            .verify(Credential::JpkiAuthPin, &Secret::new("0000"), false)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::VerifyOutcomeUnknown {
                    credential: Credential::JpkiAuthPin,
                    ..
                }
            ),
            "{kind:?}: {err:?}"
        );
        assert!(err.to_string().contains("read the retry counter"));
        let sim = card.transport().inner();
        assert_eq!(
            sim.verify_attempts(),
            usize::from(counted),
            "{kind:?}: never a second VERIFY"
        );
        assert_eq!(
            sim.remaining_tries(aid::JPKI, 0x18),
            Some(if counted { 2 } else { 3 })
        );
    }
    // A garbled answer to VERIFY is also "unknown", not a guess.
    let sim = sim("taro", b);
    let mut card = Card::new(FaultyTransport::new(
        sim,
        vec![Fault {
            at: verify_index(b),
            kind: FaultKind::Truncate(1),
        }],
    ))
    .unwrap();
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::VerifyOutcomeUnknown {
                source: Some(TransportError::InvalidResponse { .. }),
                ..
            }
        ),
        "{err:?}"
    );
}

fn security_state_is_cleared_when_another_application_is_selected(b: Behaviour) {
    let mut card = taro(b);
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    assert!(card.is_verified(Credential::JpkiAuthPin));
    card.select_aid(mynakit_testkit::sim::ISD_AID).unwrap();
    assert!(!card.is_verified(Credential::JpkiAuthPin));
    // Signing now re-verifies (one more VERIFY), because the card forgot too.
    card.jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &msg(b"x"),
            SignOptions::default(),
        )
        .unwrap();
    assert_eq!(card.transport().verify_attempts(), 2);
    // At the card level: without VERIFY the key refuses (6982).
    let mut sim = sim("taro", b);
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(aid::JPKI);
    assert_eq!(sim.process(&select), vec![0x90, 0x00]);
    let p2 = if b.sign_key_in_p2 {
        0x97
    } else {
        assert_eq!(
            sim.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17]),
            vec![0x90, 0x00]
        );
        0x80
    };
    let r = sim.process(&[0x80, 0x2A, 0x00, p2, 0x01, 0x00, 0x00]);
    assert_eq!(r, vec![0x69, 0x82]);
}

fn query_answering_9000_after_verify_is_understood(b: Behaviour) {
    let mut sim = sim("taro", b);
    sim.behaviour = Behaviour {
        verified_query_answers_9000: true,
        ..Behaviour::default()
    };
    let mut card = Card::new(sim).unwrap();
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    assert_eq!(
        card.jpki().retry_status(Credential::JpkiAuthPin).unwrap(),
        RetryStatus::VerifiedNotReported
    );
}

fn get_response_and_short_read_variants(b: Behaviour) {
    let expected = file("cards/taro/auth-cert.der");
    for short_read in [
        ShortRead::EndOfFileWarning,
        ShortRead::WrongLe,
        ShortRead::Plain,
    ] {
        let mut sim = sim("taro", b);
        sim.behaviour = Behaviour {
            short_read,
            response_chunk: Some(100),
            ..Behaviour::default()
        };
        let mut card = Card::new(sim).unwrap();
        assert_eq!(
            card.jpki().auth_certificate().unwrap().der,
            expected,
            "{short_read:?}"
        );
        // 6 READs each split in 100+100+56 => 2 GET RESPONSE each (last READ may need fewer).
        assert!(card.stats().apdus > 7);
        // Reading past the end of a short EF: 3 bytes exist.
        let av = card
            .read_prefix(&mynakit::jpki::ef::CERT_AVAILABILITY, 10)
            .unwrap();
        assert_eq!(av, vec![0x8F, 0x8F, 0x00], "{short_read:?}");
    }
}

fn progress_reports_every_chunk(b: Behaviour) {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut card = taro(b);
    let s = seen.clone();
    card.set_progress(move |p| s.lock().unwrap().push((p.done, p.total)));
    let cert = card.jpki().auth_certificate().unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), cert.der.len().div_ceil(256));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(seen.last().copied(), Some((cert.der.len(), cert.der.len())));
}

fn smartphone_token_wants_the_pin_for_the_auth_certificate(b: Behaviour) {
    let profile = mynakit_testkit::sim::CardProfile::builtin("taro")
        .unwrap()
        .with_token_label("JPKIAPGPSETOKEN");
    let mut sim = VirtualCard::new(profile).unwrap();
    sim.behaviour = b;
    let mut card = Card::new(sim).unwrap();
    assert_eq!(
        card.jpki().token_info().unwrap().kind,
        TokenKind::AndroidPhone
    );
    let err = card.jpki().auth_certificate().unwrap_err();
    assert!(
        matches!(
            err,
            Error::CredentialRequired {
                credential: Credential::JpkiAuthPin,
                ..
            }
        ),
        "{err:?}"
    );
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    assert!(card.jpki().auth_certificate().is_ok());
}

fn protocol_options_without_short_ef_identifiers_still_work(b: Behaviour) {
    let mut card = taro(b);
    card.options.read_by_sfi = false;
    card.options.verify_by_sfi = false;
    let cert = card.jpki().auth_certificate().unwrap();
    assert_eq!(cert.der, file("cards/taro/auth-cert.der"));
    // One SELECT EF more than the SFI path.
    assert_eq!(
        card.stats().apdus as usize,
        2 + cert.der.len().div_ceil(256)
    );
    let sig = card
        .jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new(AUTH_PIN),
            &msg(b"x"),
            with_cert(),
        )
        .unwrap();
    sig.verify_with_certificate().unwrap();
}

#[test]
fn certificates_from_the_card_parse_and_reject_tampering() {
    let der = file("cards/taro/sign-cert.der");
    let root = JpkiCertificate::parse(&file("pki/jpki-test-sign-root.der")).unwrap();
    let good = JpkiCertificate::parse(&der).unwrap();
    good.is_signed_by(&root).unwrap();
    // Flip one byte in the middle of the TBS: parse may still succeed, the signature must not.
    let mut bad = der.clone();
    bad[400] ^= 0x01;
    if let Ok(c) = JpkiCertificate::parse(&bad) {
        assert!(c.is_signed_by(&root).is_err());
    }
}

// ----- adaptive addressing forms (issue 9 items 4, 5) -----

fn count(sim: &VirtualCard, f: impl Fn(&mynakit_testkit::sim::Received) -> bool) -> usize {
    sim.received().iter().filter(|r| f(r)).count()
}

fn sfi_reads(sim: &VirtualCard) -> usize {
    count(sim, |r| r.header[1] == 0xB0 && r.header[2] & 0x80 != 0)
}

fn sfi_verifies(sim: &VirtualCard) -> usize {
    count(sim, |r| r.header[1] == 0x20 && r.header[3] & 0x1F != 0)
}

fn key_in_p2(sim: &VirtualCard) -> usize {
    count(sim, |r| r.header[1] == 0x2A && r.header[3] & 0x1F != 0)
}

#[test]
fn a_refused_sfi_read_answered_6a82_is_not_reported_as_not_available() {
    let b = Behaviour {
        refusal_sw: 0x6A82,
        ..Behaviour::conservative()
    };
    let mut card = taro(b);
    let cert = card.jpki().auth_certificate().unwrap();
    assert_eq!(cert.der, file("cards/taro/auth-cert.der"));
    assert_eq!(
        card.jpki().token_info().unwrap().kind,
        TokenKind::MyNumberCard
    );
    // One refused READ by SFI in the whole session, then SELECT EF + offset reads.
    assert_eq!(sfi_reads(card.transport()), 1);
    // A file that really is missing is still "not available", decided by SELECT EF.
    let mut card = Card::new(sim("hanako", Behaviour::capable())).unwrap();
    let err = card.jpki().sign_certificate_verified().unwrap_err();
    assert!(matches!(err, Error::NotAvailable { .. }), "{err:?}");
    // ... and that missing file does not make the session give up the SFI form.
    card.jpki().auth_certificate().unwrap();
    assert_eq!(
        card.learned_forms().read_by_sfi,
        mynakit::card::FormState::Accepted
    );
}

#[test]
fn a_conservative_card_pays_one_refused_apdu_per_form_per_session() {
    let s = sim("taro", Behaviour::conservative()).with_capabilities(Capabilities::EXTENDED_FULL);
    let mut card = Card::new(s).unwrap();
    card.jpki().token_info().unwrap();
    card.jpki().auth_certificate().unwrap();
    card.jpki().sign_ca_certificate().unwrap();
    for c in [Credential::JpkiAuthPin, Credential::JpkiSignPassword] {
        card.jpki().retry_status(c).unwrap();
    }
    for (key, v) in [(JpkiKey::Auth, AUTH_PIN), (JpkiKey::Sign, SIGN_PW)] {
        let sig = card
            .jpki()
            .sign(key, &Secret::new(v), &msg(b"x"), with_cert())
            .unwrap();
        sig.verify_with_certificate().unwrap();
    }
    let sim = card.transport();
    assert_eq!(sfi_reads(sim), 1, "READ BINARY by SFI");
    assert_eq!(sfi_verifies(sim), 1, "VERIFY by SFI");
    assert_eq!(key_in_p2(sim), 1, "key in P2");
    // Extended length: exactly one command needed it (the first READ, refused with 6700).
    assert!(!card.capabilities().extended_length);
    // Every VERIFY carrying a value used the form the card accepted: SELECT EF + P2=80.
    assert!(
        sim.received()
            .iter()
            .filter(|r| r.header[1] == 0x20 && r.data_len > 0)
            .all(|r| r.header[3] == 0x80)
    );
    assert_eq!(sim.verify_attempts(), 2);
}

#[test]
fn a_verify_carrying_a_value_uses_only_a_form_the_card_accepted() {
    // Capable card: the query by SFI was accepted, so the VERIFY goes by SFI too.
    let mut card = taro(Behaviour::capable());
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    let r = card.transport().received();
    assert_eq!(r[1].header, [0x00, 0x20, 0x00, 0x98]);
    assert_eq!((r[2].header, r[2].data_len), ([0x00, 0x20, 0x00, 0x98], 4));
    // Forms switched off: never by SFI, even for the query.
    let mut card = taro(Behaviour::capable());
    card.options = mynakit::ProtocolOptions::SELECT_ONLY;
    card.jpki().retry_status(Credential::JpkiAuthPin).unwrap();
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    assert_eq!(sfi_verifies(card.transport()), 0);
    // Forced on a conservative card: the refusal is an error, and no VERIFY is sent.
    let mut card = taro(Behaviour::conservative());
    card.options.forced = true;
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap_err();
    assert!(matches!(err, Error::UnexpectedStatus { .. }), "{err:?}");
    assert_eq!(card.transport().verify_attempts(), 0);
}

#[test]
fn an_sfi_read_that_does_not_select_the_ef_never_returns_another_files_bytes() {
    let b = Behaviour {
        sfi_read_selects_ef: false,
        ..Behaviour::capable()
    };
    let expected = file("cards/taro/auth-cert.der");
    // No EF current before: the offset read is refused (6986), the EF is selected, and the
    // session stops trying offset reads right after an SFI read.
    let mut card = taro(b);
    assert_eq!(card.jpki().auth_certificate().unwrap().der, expected);
    assert_eq!(
        card.learned_forms().sfi_read_selects_ef,
        mynakit::card::FormState::Refused
    );
    let before = card.stats().apdus;
    assert_eq!(
        card.jpki().auth_ca_certificate().unwrap().der,
        file("pki/jpki-test-auth-root.der")
    );
    let ca_reads = u32::try_from(file("pki/jpki-test-auth-root.der").len().div_ceil(256)).unwrap();
    // SFI read, SELECT EF, then offset reads: as many APDUs as SELECT EF + offset reads.
    assert_eq!(card.stats().apdus - before, 1 + ca_reads);
    // Another transparent EF selected explicitly before: its bytes must not be read as
    // the continuation of the certificate.
    for b in [b, Behaviour::capable()] {
        let mut card = taro(b);
        card.select_ef(&mynakit::jpki::ef::SIGN_CA).unwrap();
        assert_eq!(
            card.jpki().auth_certificate().unwrap().der,
            expected,
            "{b:?}"
        );
    }
}

#[test]
fn an_extended_read_lost_on_the_link_is_retried_once_in_short_form() {
    let expected = file("cards/taro/auth-cert.der");
    let card_sim = sim("taro", Behaviour::capable()).with_capabilities(Capabilities::EXTENDED_FULL);
    let mut card = Card::new(FaultyTransport::new(
        card_sim,
        vec![Fault {
            at: 1,
            kind: FaultKind::Timeout,
        }],
    ))
    .unwrap();
    assert_eq!(card.jpki().auth_certificate().unwrap().der, expected);
    assert!(!card.capabilities().extended_length);
    // SELECT, extended READ (timeout), SELECT again, short READs.
    assert_eq!(
        card.stats().apdus as usize,
        2 + 1 + expected.len().div_ceil(256)
    );
    // A lost card is not retried.
    let card_sim = sim("taro", Behaviour::capable()).with_capabilities(Capabilities::EXTENDED_FULL);
    let mut card = Card::new(FaultyTransport::new(
        card_sim,
        vec![Fault {
            at: 1,
            kind: FaultKind::TagLost,
        }],
    ))
    .unwrap();
    assert!(matches!(
        card.jpki().auth_certificate().unwrap_err(),
        Error::Transport(TransportError::CardRemoved { .. })
    ));
    assert_eq!(card.stats().apdus, 2);
}

// ----- PIN policy (issue 13 items 1, 2) -----

#[test]
fn a_9000_counter_answer_without_our_own_verify_is_unknown_tries() {
    // One try left, and the counter query answered 9000 (a token, a link or a card).
    let mut s = sim("taro", Behaviour::capable());
    s.set_remaining_tries(aid::JPKI, 0x18, 1).unwrap();
    let mut card = Card::new(FaultyTransport::new(
        s,
        vec![Fault {
            at: 1,
            kind: FaultKind::StatusWord(0x9000),
        }],
    ))
    .unwrap();
    let err = card
        .verify(Credential::JpkiAuthPin, &Secret::new("0000"), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::RetryFloor {
                remaining: None,
                floor: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("does not report"), "{err}");
    assert_eq!(err.remaining_tries(), None);
    assert_eq!(card.transport().inner().verify_attempts(), 0);
    assert_eq!(
        card.transport().inner().remaining_tries(aid::JPKI, 0x18),
        Some(1)
    );
    // After this session's own successful VERIFY, 9000 means "at the maximum".
    let mut card = taro(Behaviour {
        verified_query_answers_9000: true,
        ..Behaviour::capable()
    });
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
        .unwrap();
    assert_eq!(card.transport().verify_attempts(), 2);
}

#[test]
fn ambiguous_verify_answers_are_outcome_unknown_and_the_next_attempt_queries_first() {
    for b in [Behaviour::capable(), Behaviour::conservative()] {
        let at = verify_index(b);
        for faults in [
            vec![(at, 0x6985)],
            vec![(at, 0x6300)],
            vec![(at, 0x6A82)],
            vec![(at, 0x6F00)],
            vec![(at, 0x6110), (at + 1, 0x6985)],
        ] {
            let sw_seen = faults.last().map(|f| f.1).unwrap();
            let mut card = Card::new(FaultyTransport::new(
                sim("taro", b),
                faults
                    .iter()
                    .map(|(at, sw)| Fault {
                        at: *at,
                        kind: FaultKind::StatusWord(*sw),
                    })
                    .collect(),
            ))
            .unwrap();
            let err = card
                .verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
                .unwrap_err();
            match &err {
                Error::VerifyOutcomeUnknown {
                    credential: Credential::JpkiAuthPin,
                    source: None,
                    sw: Some(sw),
                } => assert_eq!(sw.0, sw_seen, "{faults:?}"),
                _ => panic!("{faults:?}: {err:?}"),
            }
            assert_eq!(err.status_word().map(|s| s.0), Some(sw_seen));
            assert!(err.to_string().contains("read the retry counter"));
            // The next attempt reads the counter before presenting anything.
            let sent = card.transport().inner().received().len();
            card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
                .unwrap();
            let next = &card.transport().inner().received()[sent..];
            let first_verify = next.iter().position(|r| r.header[1] == 0x20).unwrap();
            assert_eq!(next[first_verify].data_len, 0, "{faults:?}: no query first");
        }
    }
}

#[test]
fn a_shared_session_reads_the_counter_again_before_verify() {
    for (exclusive, queries) in [(true, 1), (false, 2)] {
        let mut card = taro(Behaviour::capable());
        card.policy.exclusive = exclusive;
        card.jpki().retry_status(Credential::JpkiAuthPin).unwrap();
        card.verify(Credential::JpkiAuthPin, &Secret::new(AUTH_PIN), false)
            .unwrap();
        let sim = card.transport();
        assert_eq!(
            count(sim, |r| r.header[1] == 0x20 && r.data_len == 0),
            queries
        );
    }
}

// ----- bounded reads (issue 13 item 3) -----

/// A card that answers SELECT with 9000 and every READ BINARY with `read(offset, le)`.
struct Hostile {
    read: fn(usize, usize) -> Vec<u8>,
    apdus: usize,
}

impl mynakit::Transport for Hostile {
    fn transmit(
        &mut self,
        apdu: &[u8],
        _hint: mynakit::ExchangeHint,
    ) -> Result<Vec<u8>, TransportError> {
        self.apdus += 1;
        if self.apdus > 10_000 {
            return Err(TransportError::card_removed("runaway"));
        }
        match apdu[1] {
            0xB0 => {
                let offset = if apdu[2] & 0x80 != 0 {
                    usize::from(apdu[3])
                } else {
                    usize::from(u16::from_be_bytes([apdu[2], apdu[3]]))
                };
                let le = match apdu[4] {
                    0 => 256,
                    n => usize::from(n),
                };
                Ok((self.read)(offset, le))
            }
            _ => Ok(vec![0x90, 0x00]),
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::SHORT
    }
}

fn hostile(read: fn(usize, usize) -> Vec<u8>) -> (Error, usize) {
    let mut card = Card::new(Hostile { read, apdus: 0 }).unwrap();
    let err = card.jpki().auth_certificate().unwrap_err();
    (err, card.transport().apdus)
}

#[test]
fn a_hostile_card_cannot_keep_a_file_read_going() {
    // Every READ answered with one byte and 9000: the header `30 82 03 E8` (1000 bytes)
    // arrives byte by byte, then the first short read inside the object stops the read.
    let (err, apdus) = hostile(|offset, _| {
        let header = [0x30, 0x82, 0x03, 0xE8];
        vec![header.get(offset).copied().unwrap_or(0x41), 0x90, 0x00]
    });
    assert!(matches!(err, Error::MalformedData { .. }), "{err:?}");
    assert!(apdus <= 7, "{apdus} APDUs");
    // Full chunks that never end the object: at most ceil(size / 256) + 2 READs.
    let (err, apdus) = hostile(|offset, le| {
        let mut d = if offset == 0 {
            vec![0x30, 0x82, 0x04, 0x00]
        } else {
            vec![]
        };
        d.resize(le, 0x41);
        // Claims the bytes but the offset never advances in its answers: still bounded.
        d.extend_from_slice(&[0x90, 0x00]);
        d
    });
    // 1028 bytes = 5 reads; this card serves them, so the read succeeds or fails parsing,
    // never loops: the budget caps it.
    assert!(apdus <= 1 + 5 + 2, "{apdus} APDUs: {err:?}");
    // A declared length READ BINARY offsets cannot reach (32,769 bytes over 256-byte
    // chunks) is refused after the first READ.
    for declared in [32_769u32, 33_023, 40_000] {
        let read = match declared {
            32_769 => |_: usize, le: usize| {
                let mut d = vec![0x30, 0x82, 0x7F, 0xFD];
                d.resize(le, 0);
                d.extend_from_slice(&[0x90, 0x00]);
                d
            },
            33_023 => |_: usize, le: usize| {
                let mut d = vec![0x30, 0x82, 0x80, 0xFB];
                d.resize(le, 0);
                d.extend_from_slice(&[0x90, 0x00]);
                d
            },
            _ => |_: usize, le: usize| {
                let mut d = vec![0x30, 0x82, 0x9C, 0x3C];
                d.resize(le, 0);
                d.extend_from_slice(&[0x90, 0x00]);
                d
            },
        };
        let (err, apdus) = hostile(read);
        assert!(
            err.to_string().contains("cannot address") || err.to_string().contains("can address"),
            "{declared}: {err}"
        );
        assert_eq!(apdus, 2, "{declared}");
    }
}
