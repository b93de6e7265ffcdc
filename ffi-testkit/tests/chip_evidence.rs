//! The ヘ (`chip_read`) and 対面 (`face_to_face`) evidence calls of the FFI, on the virtual
//! card: the bundle is byte for byte the golden bundle the server's tests verify
//! (test-vectors/evidence, made by the core builders with the same nonce and credentials),
//! the records handed to the app are the bundle's, and bad requests cost no APDU.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use mynakit_ffi::{
    ApReadOptions, CalendarDate, CardSession, CardTransport, ExchangeHint, FaceUnlock, MynaError,
    TextUnlock, TransportCapabilities, TransportError, code_b, decode_photo,
};
use mynakit_testkit_ffi::{VirtualCardDevice, virtual_card_cv_ca_key};

struct Direct(Arc<VirtualCardDevice>);

impl CardTransport for Direct {
    fn transmit(&self, apdu: Vec<u8>, _hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.process(apdu))
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.0.capabilities()
    }
}

fn taro() -> (Arc<CardSession>, Arc<VirtualCardDevice>) {
    let device = VirtualCardDevice::new("taro".into()).unwrap();
    let session = CardSession::new(Arc::new(Direct(device.clone()))).unwrap();
    (session, device)
}

/// The golden bundles' nonce: bytes 00..1F.
fn nonce() -> Vec<u8> {
    (0u8..32).collect()
}

fn options() -> ApReadOptions {
    ApReadOptions {
        cv_ca_keys: vec![virtual_card_cv_ca_key()],
        liveness: None,
    }
}

/// 照合番号B of `taro` from what its card face shows: born 1990-01-02, expiry 2035, 5678.
fn code_b_taro() -> String {
    let birth = CalendarDate {
        year: 1990,
        month: 1,
        day: 2,
    };
    code_b(birth, 2035, "5678".into()).unwrap()
}

fn golden(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/evidence")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn chip_read_is_the_golden_bundle() {
    let (s, device) = taro();
    let e = s
        .chip_read_evidence(
            nonce(),
            Some(TextUnlock::Pin),
            Some("1234".into()),
            false,
            Some(FaceUnlock::CodeB),
            Some(code_b_taro()),
            false,
            options(),
        )
        .unwrap();
    assert_eq!(e.evidence_json + "\n", golden("chip_read.json"));
    assert_eq!(e.phone_verified, Some(true));
    // One VERIFY per AP, no more.
    assert_eq!(device.verify_attempts(), 2);
    // The records handed to the app: the profile's name and address, and a photo.
    let a = e.attributes.unwrap();
    assert_eq!(a.name, "見本\u{3000}太郎");
    assert_eq!(a.address, "東京都千代田区見本町一丁目２番３号");
    let front = e.front.unwrap();
    assert!(front.photo.data.starts_with(b"\x00\x00\x00\x0cjP  "));
    let photo = decode_photo(front.photo.data).unwrap();
    assert!(photo.width > 0 && photo.height > 0);
}

#[test]
fn face_to_face_is_the_golden_bundle() {
    let (s, device) = taro();
    let e = s
        .face_to_face_evidence(nonce(), FaceUnlock::CodeB, code_b_taro(), false, options())
        .unwrap();
    assert_eq!(e.evidence_json + "\n", golden("face_to_face.json"));
    assert_eq!(e.phone_verified, Some(true));
    assert_eq!(device.verify_attempts(), 1);
    assert!(e.attributes.is_none());
    assert!(e.front.is_some());
}

#[test]
fn without_the_cv_ca_key_the_phone_cannot_say_verified() {
    // The production CV CA keys do not cover the virtual card. The card-face signature
    // and the liveness proof verify with the key in the (unchecked) CV certificate, which
    // anyone could make, so the phone must not say "verified"; before this test it did.
    // The bundle is still made: the server, which has the key, decides.
    let (s, _) = taro();
    let e = s
        .face_to_face_evidence(
            nonce(),
            FaceUnlock::CodeB,
            code_b_taro(),
            false,
            ApReadOptions {
                cv_ca_keys: vec![],
                liveness: None,
            },
        )
        .unwrap();
    assert_eq!(e.phone_verified, Some(false));
    assert!(e.evidence_json.contains("\"method\": \"face_to_face\""));
}

#[test]
fn bad_requests_cost_no_apdu_and_a_wrong_code_one_verify() {
    let (s, device) = taro();
    // Neither application.
    let e = s
        .chip_read_evidence(nonce(), None, None, false, None, None, false, options())
        .unwrap_err();
    assert!(matches!(e, MynaError::InvalidArgument { .. }), "{e:?}");
    // A nonce too short.
    let e = s
        .chip_read_evidence(
            vec![0; 8],
            None,
            None,
            false,
            Some(FaceUnlock::CodeB),
            Some(code_b_taro()),
            false,
            options(),
        )
        .unwrap_err();
    assert!(matches!(e, MynaError::InvalidArgument { .. }), "{e:?}");
    // The birth-date key does not open the card face.
    let e = s
        .face_to_face_evidence(
            nonce(),
            FaceUnlock::BirthKey,
            "419900102".into(),
            false,
            options(),
        )
        .unwrap_err();
    assert!(matches!(e, MynaError::InvalidArgument { .. }), "{e:?}");
    // A malformed 照合番号B.
    let e = s
        .chip_read_evidence(
            nonce(),
            Some(TextUnlock::CodeB),
            Some("12".into()),
            false,
            None,
            None,
            false,
            options(),
        )
        .unwrap_err();
    assert!(
        matches!(e, MynaError::InvalidCredentialFormat { .. }),
        "{e:?}"
    );
    assert_eq!(device.commands_received(), 0);
    // A wrong one: one VERIFY, the remaining tries reported, nothing repeated.
    let e = s
        .chip_read_evidence(
            nonce(),
            Some(TextUnlock::CodeB),
            Some("02010220359999".into()),
            false,
            None,
            None,
            false,
            options(),
        )
        .unwrap_err();
    assert!(matches!(e, MynaError::WrongPin { .. }), "{e:?}");
    assert_eq!(device.verify_attempts(), 1);
}

#[test]
fn an_unlock_kind_needs_its_value_and_a_value_its_kind() {
    let (s, device) = taro();
    for (tu, tv, fu, fv) in [
        (Some(TextUnlock::Pin), None, None, None),
        (None, Some("1234".to_string()), None, None),
        (None, None, Some(FaceUnlock::CodeB), None),
        (None, None, None, Some(code_b_taro())),
    ] {
        let e = s
            .chip_read_evidence(nonce(), tu, tv, false, fu, fv, false, options())
            .unwrap_err();
        match e {
            MynaError::InvalidArgument { detail } => assert!(
                detail.contains("given without") && !detail.contains("1234"),
                "{detail}"
            ),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(device.commands_received(), 0);
}

#[test]
fn cv_chained_needs_a_configured_cv_ca_key() {
    // Without the virtual card's CV CA key the records still verify with the key in the CV
    // certificate (nothing fails), but nothing chains: `cv_chained` must say so.
    for (keys, chained) in [(vec![], false), (vec![virtual_card_cv_ca_key()], true)] {
        let (s, _) = taro();
        let options = ApReadOptions {
            cv_ca_keys: keys,
            liveness: None,
        };
        let t = s
            .text_read(TextUnlock::CodeB, code_b_taro(), false, options.clone())
            .unwrap();
        assert!(!t.verification.any_failed);
        assert_eq!(t.verification.cv_chained, chained);
        let f = s
            .face_read(FaceUnlock::CodeB, code_b_taro(), false, options)
            .unwrap();
        assert!(!f.verification.any_failed);
        assert_eq!(f.verification.cv_chained, chained);
    }
}
