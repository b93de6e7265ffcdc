//! The FFI layer driven from Rust: a transport implemented on the "foreign" side of the trait
//! (here in Rust), error mapping, the 券面 applications and trace replay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use mynakit_ffi::{
    ApReadOptions, CardSession, CardTransport, ChallengeSource, Credential, ExchangeHint,
    MynaError, TextUnlock, TransportCapabilities, TransportError, TransportErrorKind,
};
use mynakit_testkit_ffi::{
    TraceReplay, VirtualCardDevice, replay_trace_operation, trace_result_differences,
    virtual_card_cv_ca_key, virtual_card_session,
};

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
    assert!(r.liveness.unwrap().verification.all_verified);
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
