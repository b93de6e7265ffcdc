//! The FFI layer driven from Rust: a transport implemented on the "foreign" side of the trait
//! (here in Rust), error mapping, the 券面 applications and trace replay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use mynakit_ffi::{
    ApReadOptions, CalendarDate, CardSession, CardTransport, ChallengeSource, CheckOutcome,
    Credential, ExchangeHint, HashAlgorithm, JpkiKey, MynaError, PinPolicy, RetryStatus, Sex,
    SignInput, SignOptions, Signature, TextUnlock, TransportCapabilities, TransportError,
    TransportErrorKind, UniFfiTag, VerificationReport,
};
use mynakit_testkit_ffi::{
    TraceReplay, VirtualCardDevice, replay_trace_operation, trace_result_differences,
    virtual_card_cv_ca_key, virtual_card_session,
};
use uniffi::{Lift, Lower};

/// A transport over the virtual card that fails at one exchange with a given error.
struct Failing {
    device: Arc<VirtualCardDevice>,
    at: usize,
    error: TransportError,
    seen: Mutex<Vec<ExchangeHint>>,
}

impl CardTransport for Failing {
    fn transmit(&self, apdu: Vec<u8>, hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        let mut seen = self.seen.lock().unwrap();
        seen.push(hint);
        if seen.len() - 1 == self.at {
            return Err(self.error.clone());
        }
        Ok(self.device.process(apdu))
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.device.capabilities()
    }
}

fn failing(at: usize, error: TransportError) -> CardSession {
    let t = Failing {
        device: VirtualCardDevice::new("taro".into()).unwrap(),
        at,
        error,
        seen: Mutex::new(Vec::new()),
    };
    Arc::try_unwrap(CardSession::new(Arc::new(t)).unwrap())
        .ok()
        .unwrap()
}

#[test]
fn transport_errors_map_to_typed_errors() {
    let s = failing(
        1,
        TransportError::CardRemoved {
            detail: "tag lost".into(),
        },
    );
    assert!(matches!(
        s.jpki_token_info(),
        Err(MynaError::CardRemoved { detail }) if detail.contains("tag lost")
    ));
    let s = failing(
        2,
        TransportError::CardRemoved {
            detail: "tag lost".into(),
        },
    );
    assert!(matches!(
        s.verify(Credential::JpkiAuthPin, "1234".into(), false),
        Err(MynaError::VerifyOutcomeUnknown {
            credential: Credential::JpkiAuthPin,
            transport_kind: Some(TransportErrorKind::CardRemoved),
            ..
        })
    ));
    // What uniffi makes of an exception of an undeclared type.
    let s = failing(
        0,
        uniffi::UnexpectedUniFFICallbackError::new("java.lang.IllegalStateException: x").into(),
    );
    assert!(matches!(
        s.jpki_token_info(),
        Err(MynaError::ForeignException { .. })
    ));
    // The session recovered: the flag does not leak into the next call's errors.
    let s = failing(
        5,
        TransportError::Timeout {
            detail: "slow".into(),
        },
    );
    s.jpki_token_info().unwrap();
    assert!(matches!(
        s.jpki_auth_certificate(),
        Err(MynaError::Transport {
            kind: TransportErrorKind::Timeout,
            ..
        })
    ));
}

#[test]
fn text_ap_through_the_ffi_session() {
    let s = virtual_card_session("taro".into()).unwrap();
    let options = ApReadOptions {
        cv_ca_keys: vec![virtual_card_cv_ca_key()],
        liveness: Some(ChallengeSource::Card),
    };
    let r = s
        .text_read(TextUnlock::Pin, "1234".into(), false, options)
        .unwrap();
    assert_eq!(r.my_number.unwrap().my_number, "123456789018");
    assert!(r.verification.all_verified);
    // The liveness proof is the core's record; its verdict is computed, never stored.
    assert!(r.liveness.unwrap().verification.all_verified());
}

fn golden(name: &str) -> (String, String) {
    let dir = format!("{}/../test-vectors/traces", env!("CARGO_MANIFEST_DIR"));
    (
        std::fs::read_to_string(format!("{dir}/{name}.trace.jsonl")).unwrap(),
        std::fs::read_to_string(format!("{dir}/{name}.expected.json")).unwrap(),
    )
}

#[test]
fn trace_replay_session_and_operation() {
    let (trace, expected) = golden("sign-auth-wrong-pin");
    let outcome = replay_trace_operation(trace.clone(), true).unwrap();
    assert_eq!(
        trace_result_differences(outcome, expected).unwrap(),
        Vec::<String>::new()
    );
    let replay = TraceReplay::new(trace, true).unwrap();
    assert_eq!(replay.operation_name(), "sign-auth");
    assert_eq!(replay.secrets().len(), 1);
    let s = replay.session();
    assert!(matches!(
        s.verify(Credential::JpkiAuthPin, "0000".into(), false),
        Err(MynaError::WrongPin {
            remaining_tries: 2,
            ..
        })
    ));
    assert_eq!(replay.remaining(), 0);
    replay.finish().unwrap();
    // Leaving the trace is reported by finish().
    let (trace, _) = golden("token");
    let replay = TraceReplay::new(trace, true).unwrap();
    assert!(replay.session().jpki_auth_certificate().is_err());
    assert!(matches!(replay.finish(), Err(MynaError::Trace { .. })));
    assert!(matches!(
        TraceReplay::new("not a trace".into(), true),
        Err(MynaError::Trace { .. })
    ));
}

/// Lowers a value as the bindings receive it and lifts it back as Rust receives it from them.
fn across<T: Lower<UniFfiTag> + Lift<UniFfiTag>>(v: T) -> T
where
    <T as Lower<UniFfiTag>>::FfiType: Into<<T as Lift<UniFfiTag>>::FfiType>,
{
    T::try_lift(T::lower(v).into()).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

// The nonce of testkit/tests/flows.rs and the signature Python's cryptography computes over
// it with test-vectors/cards/taro/auth-key.pk8 (see that file).
const LOGIN_SIGNATURE: &str = "3ECD9F87418F4ABD64CF812984A360C43C2BB9AD6C0FE83933FA963BC19DF1D6E2754EFA4C6B22596A427484CB59E631CE64D7B0412F28DB042D9D5428AD2391A6B411BB4E7E55AD0D5398AA634C1574118EA24EA466ED01667085447B9A2B94A5B4F50AA045E63FA76ED28429444F01A1D6FB03E36C3B9A0D1652B4DF4076F9818AFB2C1DCD070D7C0DA4F43856D488D81DF043920A88F1788D223DA5CA681DA785B9CF1FAC14E6A7D580543B288E0544CA2D75F9B28BCC4FB264EC8608877A78DAC2591B8584704D39F2A0DCE19886E7B3907A56016494434B4755EC71CE4B58FDAA433010D2338ACC033997CF3C3600D08EC92A8F8A69D1FB810AFAB3958A";

#[test]
fn remote_records_cross_unchanged() {
    let s = virtual_card_session("taro".into()).unwrap();
    // RetryStatus: the core enum, its count named `remaining_tries` in the bindings.
    let r = s.retry_status(Credential::JpkiAuthPin).unwrap();
    assert_eq!(r, RetryStatus::Remaining(3));
    assert_eq!(across(r), r);
    assert_eq!(across(Sex::Other("7".into())), Sex::Other("7".into()));
    let d = CalendarDate {
        year: 1990,
        month: 1,
        day: 2,
    };
    assert_eq!(across(d), d);
    assert_eq!(
        across(ChallengeSource::Host(vec![1, 2, 3])),
        ChallengeSource::Host(vec![1, 2, 3])
    );
    // PinPolicy now shows `exclusive` (default true): setting the floor keeps it.
    let p = s.pin_policy().unwrap();
    assert_eq!((p.floor, p.exclusive), (1, true));
    s.set_pin_policy(PinPolicy { floor: 2, ..p }).unwrap();
    assert_eq!(s.pin_policy().unwrap().floor, 2);
    let stats = s.stats().unwrap();
    assert_eq!(across(stats), stats);
    // The signing certificate's attributes: its subjectAltName (decoded with Python's
    // cryptography) holds UTF8String "見本　太郎" (OID …8.5.5.1), sex "1" (…5.3) and birth
    // date "419900102" (…5.4: era digit 4 = 平成, then 1990-01-02).
    let c = s.jpki_sign_certificate("ABC123".into(), false).unwrap();
    let a = c.attributes.clone().unwrap();
    assert_eq!(a.name.as_deref(), Some("見本　太郎"));
    assert_eq!(a.sex, Some(Sex::Male));
    let b = a.birth_date.unwrap();
    assert_eq!(b.era, Some(mynakit::era::Era::Heisei));
    assert_eq!(
        (b.raw.as_str(), b.date),
        (
            "419900102",
            Some(CalendarDate {
                year: 1990,
                month: 1,
                day: 2
            })
        )
    );
}

#[test]
fn signature_certificate_crosses_as_der_and_is_parsed_again() {
    let s = virtual_card_session("taro".into()).unwrap();
    let sig: Signature = s
        .jpki_sign(
            JpkiKey::Auth,
            "1234".into(),
            SignInput::Message {
                hash: HashAlgorithm::Sha256,
                data: b"m".to_vec(),
            },
            SignOptions {
                include_certificate: true,
                ..SignOptions::default()
            },
        )
        .unwrap();
    mynakit_ffi::verify_signature_with_certificate(sig.clone()).unwrap();
    assert_eq!(across(sig.clone()), sig);
    // A foreign record whose parsed fields were changed: only the DER counts.
    let cert = sig.certificate.clone().unwrap();
    let mut lowered = mynakit_ffi::Certificate::from(cert.clone());
    lowered.subject = "CN=someone else".into();
    let lifted = <mynakit::cert::JpkiCertificate as Lift<UniFfiTag>>::try_lift(
        <mynakit_ffi::Certificate as Lower<UniFfiTag>>::lower(lowered),
    )
    .unwrap();
    assert_eq!(lifted, cert);
    // A signature whose bytes were changed no longer verifies.
    let mut bad = sig;
    bad.signature[0] ^= 1;
    assert!(matches!(
        mynakit_ffi::verify_signature_with_certificate(bad),
        Err(MynaError::Verification { .. })
    ));
}

#[test]
fn verification_verdicts_are_recomputed_when_lifted() {
    // A foreign VerificationReport claiming success over a failed check.
    let forged = VerificationReport {
        checks: vec![mynakit::cv::Check {
            name: "x".into(),
            outcome: CheckOutcome::Failed {
                reason: "bad".into(),
            },
        }],
        all_verified: true,
        any_failed: false,
        cv_chained: true,
    };
    let v =
        <mynakit::cv::Verification as Lift<UniFfiTag>>::try_lift(<VerificationReport as Lower<
            UniFfiTag,
        >>::lower(forged))
        .unwrap();
    assert!(!v.all_verified() && v.any_failed());
    let report = VerificationReport::from(v);
    assert!(!report.all_verified && report.any_failed && !report.cv_chained);
}

#[test]
fn jpki_flows_through_the_ffi_session() {
    let s = virtual_card_session("taro".into()).unwrap();
    let nonce: Vec<u8> = (0x10u8..0x30).collect();
    let l = s
        .jpki_login("1234".into(), nonce.clone(), HashAlgorithm::Sha256, false)
        .unwrap();
    assert_eq!(hex(&l.signature.signature), LOGIN_SIGNATURE);
    assert_eq!(l.signature_check, CheckOutcome::Verified);
    assert_eq!(
        l.signature.certificate.as_ref().map(|c| &c.der),
        Some(&l.certificate.der)
    );
    let e = mynakit::evidence::Evidence::from_json(l.evidence_json.as_bytes()).unwrap();
    assert_eq!(
        (e.evidence.name(), e.nonce.clone()),
        ("jpki_login", nonce.clone())
    );
    assert_eq!(e.phone_verified, Some(true));

    let w = s
        .jpki_sign_evidence(
            "ABC123".into(),
            nonce.clone(),
            b"form".to_vec(),
            HashAlgorithm::Sha256,
            false,
        )
        .unwrap();
    let e = mynakit::evidence::Evidence::from_json(w.evidence_json.as_bytes()).unwrap();
    assert_eq!(e.evidence.name(), "jpki_sign");
    assert!(w.certificate.attributes.is_some());
    // Refused before any APDU: a nonce too short for evidence.
    let before = s.stats().unwrap().apdus;
    assert!(matches!(
        s.jpki_login("1234".into(), vec![0; 8], HashAlgorithm::Sha256, false),
        Err(MynaError::InvalidArgument { .. })
    ));
    assert_eq!(s.stats().unwrap().apdus, before);
}
