//! Recording through the bindings' Rust side: a session recorded over a foreign-style
//! transport replays in Rust with the same result and holds no secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use mynakit_ffi::{HashAlgorithm, JpkiKey, SignInput, SignOptions};
use mynakit_testkit_ffi::{
    RecordingOptions, TraceRecorder, TraceReplay, VirtualCardDevice, replay_trace_operation,
    secret_encodings_in,
};

fn recorder(options: RecordingOptions) -> TraceRecorder {
    let device = VirtualCardDevice::new("taro".into()).unwrap();
    std::sync::Arc::into_inner(TraceRecorder::new(device.as_transport(), options).unwrap()).unwrap()
}

#[test]
fn a_recorded_session_replays_with_the_same_results_and_no_secret() {
    let r = recorder(RecordingOptions {
        card: "android-nfc".into(),
        operation: None,
        operation_params_json: None,
        device: HashMap::from([("model".to_string(), "Pixel 8".to_string())]),
        recorded_by: Some("recording test".into()),
    });
    let s = r.session();
    let cert = s.jpki_auth_certificate().unwrap();
    let input = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"server nonce 0001".to_vec(),
    };
    // taro's JPKI PIN (test-vectors/cards/taro/profile.json).
    let sig = s
        .jpki_sign(
            JpkiKey::Auth,
            "1234".into(),
            input.clone(),
            SignOptions::default(),
        )
        .unwrap();
    assert!(r.exchange_count() >= 4);
    let text = r.trace_jsonl(false).unwrap();
    assert!(text.contains("\"model\":\"Pixel 8\""), "device facts kept");
    assert!(text.contains("\"clock\":\"wall\""));
    // The PIN in no encoding (the search itself is tested in mynakit-testkit).
    assert_eq!(
        secret_encodings_in(text.clone(), "1234".into()),
        Vec::<String>::new()
    );
    // Positive control: text that IS in the trace (the certificate's subject CN, in the
    // responses' hex) is found, so the search can fail.
    let cn = cert.subject_common_name.clone().unwrap();
    assert!(secret_encodings_in(text.clone(), cn).contains(&"hex upper".to_string()));

    // Replayed in Rust: the same calls get the same answers, and the whole trace is used.
    let replay = TraceReplay::new(text, true).unwrap();
    let rs = replay.session();
    assert_eq!(rs.jpki_auth_certificate().unwrap().der, cert.der);
    // The trace never held the PIN, so replay takes any value of the recorded length.
    let again = rs
        .jpki_sign(JpkiKey::Auth, "0000".into(), input, SignOptions::default())
        .unwrap();
    assert_eq!(again.signature, sig.signature);
    replay.finish().unwrap();
}

#[test]
fn a_named_operation_replays_with_replay_trace_operation() {
    let r = recorder(RecordingOptions {
        card: "ios-corenfc".into(),
        operation: Some("auth-cert".into()),
        operation_params_json: None,
        device: HashMap::new(),
        recorded_by: None,
    });
    let cert = r.session().jpki_auth_certificate().unwrap();
    let text = r.trace_jsonl(false).unwrap();
    let outcome = replay_trace_operation(text, true).unwrap();
    assert!(outcome.contains("\"outcome\": \"ok\""), "{outcome}");
    assert!(
        outcome.contains(&format!("\"serial\": \"{}\"", cert.serial)),
        "the replayed outcome names the certificate the app read: {outcome}"
    );
    assert!(outcome.contains(&format!("\"size\": {}", cert.der.len())));
    assert!(outcome.contains(&cert.sha256_fingerprint.to_uppercase()));
}

#[test]
fn bad_options_and_scrubbing() {
    let device = VirtualCardDevice::new("taro".into()).unwrap();
    let bad = TraceRecorder::new(
        device.as_transport(),
        RecordingOptions {
            card: "x".into(),
            operation: None,
            operation_params_json: Some("[1]".into()),
            device: HashMap::new(),
            recorded_by: None,
        },
    );
    assert!(bad.is_err());
    let r = recorder(RecordingOptions {
        card: "android-nfc".into(),
        ..Default::default()
    });
    let s = r.session();
    s.text_read(
        mynakit_ffi::TextUnlock::Pin,
        "1234".into(),
        false,
        mynakit_ffi::ApReadOptions::default(),
    )
    .unwrap();
    let plain = r.trace_jsonl(false).unwrap();
    let scrubbed = r.trace_jsonl(true).unwrap();
    assert!(scrubbed.contains("\"scrubbed\":true"));
    // taro's My Number (test-vectors/cards/taro/profile.json), as the card sends it: ASCII.
    let my_number_hex = hex_upper(b"123456789018");
    assert!(plain.to_uppercase().contains(&my_number_hex));
    assert!(!scrubbed.to_uppercase().contains(&my_number_hex));
    let dir = std::env::temp_dir().join(format!("mynakit-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.jsonl");
    let n = r.write_to(path.display().to_string(), true).unwrap();
    assert_eq!(std::fs::read(&path).unwrap().len() as u64, n);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}
