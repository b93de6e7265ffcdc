//! Progress stages (issue 11 item 6): what an NFC sheet can show while the card must stay on
//! the phone — reads with bytes, the counter check, VERIFY and the signature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Card, Secret, Stage};
use mynakit_testkit::sim::VirtualCard;

#[test]
fn a_signature_reports_every_stage_in_order() {
    let mut card = Card::new(VirtualCard::builtin("taro").unwrap()).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    card.set_progress(move |p| {
        sink.lock()
            .unwrap()
            .push((p.stage, p.what.clone(), p.done, p.total))
    });
    let input = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"nonce".to_vec(),
    };
    let options = SignOptions {
        include_certificate: true,
        ..Default::default()
    };
    // taro's PIN (test-vectors/cards/taro/profile.json).
    card.jpki()
        .sign(JpkiKey::Auth, &Secret::new("1234"), &input, options)
        .unwrap();
    let seen = seen.lock().unwrap();
    let stages: Vec<Stage> = seen.iter().map(|s| s.0).collect();
    let pos = |st: Stage| stages.iter().position(|s| *s == st).unwrap_or(usize::MAX);
    assert!(
        pos(Stage::CheckingTries) < pos(Stage::Verifying),
        "{stages:?}"
    );
    assert!(pos(Stage::Verifying) < pos(Stage::Signing), "{stages:?}");
    assert_eq!(stages.iter().filter(|s| **s == Stage::Verifying).count(), 1);
    assert_eq!(stages.iter().filter(|s| **s == Stage::Signing).count(), 1);
    // The certificate read reports bytes, ending complete (1351 bytes: the test file's size).
    let last_read = seen.iter().rev().find(|s| s.0 == Stage::Reading).unwrap();
    assert_eq!((last_read.2, last_read.3), (1351, 1351));
    // Stages without bytes say what they concern, never a secret.
    for (stage, what, done, total) in seen.iter().filter(|s| s.0 != Stage::Reading) {
        assert_eq!((*done, *total), (0, 0), "{stage:?}");
        assert!(!what.is_empty() && !what.contains("1234"), "{what}");
    }
}
