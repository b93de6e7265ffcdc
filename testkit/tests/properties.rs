//! Property tests: the APDU codec against an independent decoder, and the engine and
//! every JPKI operation against a card that answers with arbitrary bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use iso7816::command::CommandView;
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{
    Capabilities, Card, Command, Credential, Error, ExchangeHint, Response, Secret, Transport,
    TransportError,
};
use mynakit_testkit::sim::{Behaviour, VirtualCard};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Encode with MynaKit, decode with the `iso7816` crate: every field survives, and the
    /// short form is used exactly when the lengths allow it.
    #[test]
    fn encode_then_parse_round_trips(
        cla in prop_oneof![Just(0x00u8), Just(0x80u8), Just(0x0Cu8)],
        ins in any::<u8>().prop_filter("not 6x/9x", |i| !matches!(i >> 4, 6 | 9)),
        p1 in any::<u8>(),
        p2 in any::<u8>(),
        data in proptest::collection::vec(any::<u8>(), 0..700),
        le in proptest::option::of(1usize..=65_536),
    ) {
        let mut cmd = Command::new(cla, ins, p1, p2).with_data(data.clone());
        cmd.le = le;
        let enc = cmd.encode(true).unwrap();
        let view = CommandView::try_from(enc.as_slice()).unwrap();
        prop_assert_eq!(view.data(), &data[..]);
        prop_assert_eq!(view.expected(), le.unwrap_or(0));
        prop_assert_eq!(view.p1, p1);
        prop_assert_eq!(view.p2, p2);
        prop_assert_eq!(view.extended, cmd.needs_extended());
        // Without extended length, the codec refuses exactly the commands that need it.
        prop_assert_eq!(cmd.encode(false).is_ok(), !cmd.needs_extended());
    }

    /// Response parsing never panics and keeps every byte.
    #[test]
    fn response_parse_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        match Response::parse(&raw) {
            Ok(r) => prop_assert_eq!(r.to_bytes(), raw),
            Err(_) => prop_assert!(raw.len() < 2),
        }
    }
}

/// A card that answers every command with the next scripted response.
struct Scripted {
    answers: Vec<Vec<u8>>,
    i: usize,
    caps: Capabilities,
}

impl Transport for Scripted {
    fn transmit(&mut self, _apdu: &[u8], _hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        let a = self.answers.get(self.i).cloned();
        self.i += 1;
        a.ok_or_else(|| TransportError::card_removed("script exhausted"))
    }
    fn capabilities(&self) -> Capabilities {
        self.caps
    }
}

fn answer() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Plausible status words with payloads.
        (
            proptest::collection::vec(any::<u8>(), 0..300),
            prop_oneof![
                Just(0x9000u16),
                Just(0x6282),
                Just(0x63C0),
                Just(0x63C1),
                Just(0x63C2),
                Just(0x6300),
                Just(0x6984),
                Just(0x6983),
                Just(0x6982),
                Just(0x6A82),
                Just(0x6A88),
                Just(0x6B00),
                Just(0x6986),
                Just(0x6700),
                Just(0x6D00),
                Just(0x6110),
                Just(0x6100),
                Just(0x6C05),
                Just(0x6C00),
                any::<u16>()
            ]
        )
            .prop_map(|(mut d, sw)| {
                d.extend_from_slice(&sw.to_be_bytes());
                d
            }),
        // Certificates-looking prefixes with wild lengths.
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(len, rest)| {
            let mut d = vec![0x30, 0x82];
            d.extend_from_slice(&len.to_be_bytes());
            d.extend_from_slice(&rest);
            d.extend_from_slice(&[0x90, 0x00]);
            d
        }),
        // Raw garbage, including empty and one-byte answers.
        proptest::collection::vec(any::<u8>(), 0..4),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Whatever the card answers, every operation returns (a value or a typed error), never
    /// panics, never loops for ever, and never sends a second VERIFY carrying a value.
    #[test]
    fn operations_never_panic_on_arbitrary_answers(
        answers in proptest::collection::vec(answer(), 0..40),
        extended in any::<bool>(),
        op in 0usize..9,
    ) {
        let caps = if extended { Capabilities::EXTENDED_FULL } else { Capabilities::SHORT };
        let mut card = Card::new(Scripted { answers, i: 0, caps }).unwrap();
        let pin = Secret::new("1234");
        let pw = Secret::new("ABC123");
        let input = SignInput::Message { hash: HashAlgorithm::Sha256, data: b"m".to_vec() };
        let r: Result<(), Error> = match op {
            0 => card.jpki().token_info().map(drop),
            1 => card.jpki().certificate_availability().map(drop),
            2 => card.jpki().auth_certificate().map(drop),
            3 => card.jpki().sign_certificate(&pw, false).map(drop),
            4 => card.jpki().retry_status(Credential::JpkiAuthPin).map(drop),
            5 => card.verify(Credential::JpkiAuthPin, &pin, false),
            6 => card.jpki().sign(JpkiKey::Auth, &pin, &input, SignOptions { include_certificate: true, ..Default::default() }).map(drop),
            7 => card.get_challenge(16).map(drop),
            _ => card.jpki().sign_ca_certificate().map(drop),
        };
        let _ = r;
        // Bounded work: at most the scripted answers plus the final failing exchange.
        prop_assert!(card.stats().apdus as usize <= card.transport().answers.len() + 1);
    }
}

type FaultCard = Card<mynakit_testkit::fault::FaultyTransport<VirtualCard>>;
type MatrixOp = fn(&mut FaultCard, &Secrets) -> Result<(), Error>;

struct Secrets {
    pin: Secret,
    pw: Secret,
    text_pin: Secret,
    code_a: Secret,
    input: SignInput,
}

fn secrets() -> Secrets {
    Secrets {
        pin: Secret::new("1234"),
        pw: Secret::new("ABC123"),
        text_pin: Secret::new("1234"),
        code_a: Secret::new("123456789018"),
        input: SignInput::Message {
            hash: HashAlgorithm::Sha256,
            data: b"m".to_vec(),
        },
    }
}

/// Operations of the matrix: JPKI, 券面事項入力補助AP and 券面AP, each one user action with
/// at most one VERIFY.
fn matrix_ops() -> Vec<(&'static str, MatrixOp)> {
    use mynakit::face::FaceUnlock;
    use mynakit::text::TextUnlock;
    vec![
        ("auth cert", |c, _| c.jpki().auth_certificate().map(drop)),
        ("sign cert", |c, s| {
            c.jpki().sign_certificate(&s.pw, false).map(drop)
        }),
        ("verify", |c, s| {
            c.verify(Credential::JpkiAuthPin, &s.pin, false)
        }),
        ("sign auth", |c, s| {
            c.jpki()
                .sign(JpkiKey::Auth, &s.pin, &s.input, SignOptions::default())
                .map(drop)
        }),
        ("sign sign", |c, s| {
            c.jpki()
                .sign(JpkiKey::Sign, &s.pw, &s.input, SignOptions::default())
                .map(drop)
        }),
        ("text pin", |c, s| {
            let trust = mynakit_testkit::trust::cv_trust(mynakit::cert::TrustPolicy::VIRTUAL_CARD)?;
            c.text()
                .read(TextUnlock::Pin, &s.text_pin, false, &trust, None)
                .map(drop)
        }),
        ("face code a", |c, s| {
            let trust = mynakit_testkit::trust::cv_trust(mynakit::cert::TrustPolicy::VIRTUAL_CARD)?;
            c.face()
                .read(FaceUnlock::CodeA, &s.code_a, false, &trust, None)
                .map(drop)
        }),
    ]
}

/// The behaviours the matrix runs on: the capable card, the conservative one, and a card
/// answering `9000` to the retry query after a successful VERIFY.
fn matrix_behaviours() -> Vec<(&'static str, Behaviour)> {
    vec![
        ("capable", Behaviour::capable()),
        ("conservative", Behaviour::conservative()),
        (
            "9000 after VERIFY",
            Behaviour {
                verified_query_answers_9000: true,
                ..Behaviour::capable()
            },
        ),
    ]
}

fn matrix_card(b: Behaviour, faults: Vec<mynakit_testkit::fault::Fault>) -> FaultCard {
    let mut sim = VirtualCard::builtin("taro").unwrap();
    sim.behaviour = b;
    Card::new(mynakit_testkit::fault::FaultyTransport::new(sim, faults)).unwrap()
}

/// At every exchange index of every operation (JPKI, text and face flows), on the capable
/// and the conservative card, each fault kind, including `9000` and ambiguous answers
/// (`6985`, `6300`, `61xx`, unknown status words) injected anywhere, gives a typed error or a
/// correct result; never more than one VERIFY per user action; an error at the VERIFY
/// is "outcome unknown" unless the answer settles it; and the floor is never crossed:
/// with one try left, no VERIFY reaches the card, whatever the counter query answers.
#[test]
fn fault_matrix_on_the_virtual_card() {
    use mynakit_testkit::fault::{Fault, FaultKind};
    let kinds = [
        FaultKind::TagLost,
        FaultKind::LostAfterDelivery,
        FaultKind::Timeout,
        FaultKind::Garbage(vec![0x6F]),
        FaultKind::StatusWord(0x6F00),
        FaultKind::Truncate(1),
        FaultKind::StatusWord(0x9000),
        FaultKind::StatusWord(0x6985),
        FaultKind::StatusWord(0x6300),
        FaultKind::StatusWord(0x6110),
        FaultKind::StatusWord(0x6A86),
        FaultKind::StatusWord(0x6A82),
        FaultKind::StatusWord(0x1234),
        FaultKind::Garbage(vec![0x63, 0xC1]),
    ];
    let s = secrets();
    let mut cases = 0;
    for (bname, b) in matrix_behaviours() {
        for (name, op) in matrix_ops() {
            // How many exchanges the operation needs without faults.
            let mut clean = matrix_card(b, vec![]);
            op(&mut clean, &s).unwrap_or_else(|e| panic!("{bname} {name}: {e}"));
            let n = clean.transport().exchanges();
            let verify_at = clean
                .transport()
                .inner()
                .received()
                .iter()
                .position(|r| r.header[1] == 0x20 && r.data_len > 0);
            for at in 0..n + 1 {
                for kind in &kinds {
                    let mut card = matrix_card(
                        b,
                        vec![Fault {
                            at,
                            kind: kind.clone(),
                        }],
                    );
                    let r = op(&mut card, &s);
                    let sim = card.transport().inner();
                    let label = format!("{bname} / {name} at {at} {kind:?}");
                    assert!(
                        sim.verify_attempts() <= 1,
                        "{label}: a second VERIFY was sent"
                    );
                    // The VERIFY's own answer settles the outcome only when it is 9000,
                    // 63Cx, 6983 or 6984; link faults and anything else are "unknown".
                    let settles = match kind {
                        FaultKind::StatusWord(sw) => matches!(sw, 0x9000 | 0x6983 | 0x6984),
                        FaultKind::Garbage(g) => g.as_slice() == [0x63, 0xC1],
                        _ => false,
                    };
                    if Some(at) == verify_at && !settles {
                        assert!(
                            matches!(r, Err(Error::VerifyOutcomeUnknown { .. })),
                            "{label}: {r:?}"
                        );
                    } else if let Err(e) = &r {
                        assert!(
                            !matches!(e, Error::VerifyOutcomeUnknown { .. })
                                || Some(at) == verify_at,
                            "{label}: outcome-unknown outside the VERIFY: {e:?}"
                        );
                    }
                    cases += 1;
                }
            }
        }
        // The floor: one try left on every credential; whatever any exchange answers
        // (9000 to the query included), no VERIFY reaches the card without the override.
        for (name, op) in matrix_ops() {
            for at in 0..12 {
                for kind in &kinds {
                    let mut sim = VirtualCard::builtin("taro").unwrap();
                    sim.behaviour = b;
                    for (aid, fid) in [
                        (mynakit::aid::JPKI, 0x18),
                        (mynakit::aid::JPKI, 0x1B),
                        (mynakit::aid::TEXT, 0x11),
                        (mynakit::aid::FACE, 0x13),
                    ] {
                        sim.set_remaining_tries(aid, fid, 1).unwrap();
                    }
                    let mut card = Card::new(mynakit_testkit::fault::FaultyTransport::new(
                        sim,
                        vec![Fault {
                            at,
                            kind: kind.clone(),
                        }],
                    ))
                    .unwrap();
                    let _ = op(&mut card, &s);
                    assert_eq!(
                        card.transport().inner().verify_attempts(),
                        0,
                        "{bname} / {name} at {at} {kind:?}: the floor was crossed"
                    );
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 1000, "{cases}");
}

fn card_file(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../test-vectors/cards/taro/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The 券面 parsers never panic, on arbitrary bytes or on real records with random
    /// mutations (byte changes, truncation, insertion).
    #[test]
    fn card_app_parsers_never_panic(
        which in 0usize..8,
        raw in proptest::collection::vec(any::<u8>(), 0..700),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6),
        use_real in any::<bool>(),
    ) {
        let files = ["text/ef0001.bin", "text/ef0002.bin", "text/ef0003.bin", "text/ef0007.bin",
                     "face/ef0001.bin", "face/ef0002.bin", "face/ef0004.bin", "face/ef0005.bin"];
        let mut data = if use_real { card_file(files[which]) } else { raw };
        for (at, b, op) in edits {
            if data.is_empty() { break; }
            let i = at % data.len();
            match op { 0 => data[i] = b, 1 => data.truncate(i), _ => data.insert(i, b) }
        }
        let _ = mynakit::text::MyNumberRecord::parse(&data);
        let _ = mynakit::text::TextAttributes::parse(&data);
        let _ = mynakit::text::IntegrityRecord::parse(&data);
        let _ = mynakit::text::SignedCardKey::parse(&data);
        let _ = mynakit::face::CardFront::parse(&data);
        let _ = mynakit::face::AgeRecord::parse(&data);
        let _ = mynakit::face::MyNumberImage::parse(&data);
        if let Ok(cv) = mynakit::cv::CvCertificate::parse(&data) {
            let _ = cv.verify(&mynakit_testkit::trust::cv_trust(mynakit::cert::TrustPolicy::VIRTUAL_CARD).unwrap());
        }
    }
}
