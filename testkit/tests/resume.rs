//! Tag-loss resume (issue 11 item 1): the card is lost at every exchange of every flow, the
//! user presents it again (a new transport, `Card::resume`), the flow is run again, and it
//! ends with the result of an undisturbed run. What must hold at every index, on the capable
//! and the conservative card, for a link lost before and after the card processed the
//! command:
//! - the result equals the undisturbed one (values compared, not just Ok);
//! - no try is lost: every credential's counter is at its maximum at the end;
//! - VERIFY is sent at most once per user action whose success was not seen, and a VERIFY
//!   with an unknown outcome is never followed by another without a counter query;
//! - bytes read: a file cut mid-read continues at its offset (READ BINARY bytes after the
//!   loss at most one chunk more than undisturbed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Mutex};

use mynakit::face::FaceUnlock;
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::text::TextUnlock;
use mynakit::{
    Capabilities, Card, Credential, Error, ExchangeHint, Secret, Transport, TransportError,
};
use mynakit_testkit::fault::{Fault, FaultKind, FaultyTransport};
use mynakit_testkit::sim::{Behaviour, VirtualCard};

/// One physical card shared by the transports of successive taps.
#[derive(Clone)]
struct Tap(Arc<Mutex<VirtualCard>>);

impl Transport for Tap {
    fn transmit(&mut self, apdu: &[u8], _hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.lock().unwrap().process(apdu))
    }
    fn capabilities(&self) -> Capabilities {
        self.0.lock().unwrap().capabilities()
    }
}

type ResCard = Card<FaultyTransport<Tap>>;
/// A flow: one user action, returning what it read as bytes to compare.
type Flow = fn(&mut ResCard) -> Result<Vec<u8>, Error>;

// The credentials of test-vectors/cards/taro/profile.json.
fn pin() -> Secret {
    Secret::new("1234")
}
fn input() -> SignInput {
    SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"server nonce".to_vec(),
    }
}

fn flows() -> Vec<(&'static str, Flow)> {
    vec![
        ("auth cert", |c| Ok(c.jpki().auth_certificate()?.der)),
        ("sign auth", |c| {
            let cert = c.jpki().auth_certificate()?.der;
            let sig = c
                .jpki()
                .sign(JpkiKey::Auth, &pin(), &input(), SignOptions::default())?;
            Ok([cert, sig.signature].concat())
        }),
        ("text pin", |c| {
            let trust = mynakit_testkit::trust::cv_trust(mynakit::cert::TrustPolicy::VIRTUAL_CARD)?;
            let r = c
                .text()
                .read(TextUnlock::Pin, &pin(), false, &trust, None)?;
            assert!(r.verification.all_verified(), "{:?}", r.verification);
            Ok(serde_json::to_vec(&(r.my_number, r.attributes, r.verification)).unwrap())
        }),
        ("face code a", |c| {
            let trust = mynakit_testkit::trust::cv_trust(mynakit::cert::TrustPolicy::VIRTUAL_CARD)?;
            let code_a = Secret::new("123456789018");
            let r = c
                .face()
                .read(FaceUnlock::CodeA, &code_a, false, &trust, None)?;
            // Under 照合番号A the age record is not readable: that check stays not checked.
            Ok(serde_json::to_vec(&(r.front, r.verification)).unwrap())
        }),
    ]
}

fn physical(b: Behaviour) -> Arc<Mutex<VirtualCard>> {
    let mut sim = VirtualCard::builtin("taro").unwrap();
    sim.behaviour = b;
    Arc::new(Mutex::new(sim))
}

/// Runs `flow` once without faults: its result and number of exchanges.
fn undisturbed(b: Behaviour, flow: Flow) -> (Vec<u8>, usize) {
    let phys = physical(b);
    let mut card = Card::new(FaultyTransport::new(Tap(phys.clone()), vec![])).unwrap();
    card.set_resumable(true);
    let v = flow(&mut card).unwrap();
    let n = phys.lock().unwrap().received().len();
    (v, n)
}

/// The remaining tries of every credential.
fn counters(phys: &Arc<Mutex<VirtualCard>>) -> Vec<Option<u8>> {
    let sim = phys.lock().unwrap();
    Credential::ALL
        .iter()
        .map(|c| sim.remaining_tries(c.aid(), c.ef()))
        .collect()
}

/// Whether every counter is where a fresh card has it (no try lost).
fn all_counters_at_max(phys: &Arc<Mutex<VirtualCard>>) -> bool {
    counters(phys) == counters(&physical(Behaviour::capable()))
}

#[test]
fn a_flow_survives_losing_the_card_at_every_exchange() {
    let mut cases = 0;
    for (bname, b) in [
        ("capable", Behaviour::capable()),
        ("conservative", Behaviour::conservative()),
    ] {
        for (fname, flow) in flows() {
            let (want, n) = undisturbed(b, flow);
            for at in 0..n {
                for kind in [FaultKind::TagLost, FaultKind::LostAfterDelivery] {
                    let what = format!("{bname} / {fname} / lost at {at} ({kind:?})");
                    let phys = physical(b);
                    let fault = Fault { at, kind };
                    let mut card =
                        Card::new(FaultyTransport::new(Tap(phys.clone()), vec![fault])).unwrap();
                    card.set_resumable(true);
                    let first = flow(&mut card);
                    let got = match first {
                        Ok(v) => v,
                        Err(e) => {
                            // The user presents the card again: it was powered off.
                            phys.lock().unwrap().power_cycle();
                            card.resume(FaultyTransport::new(Tap(phys.clone()), vec![]))
                                .unwrap();
                            match flow(&mut card) {
                                Ok(v) => v,
                                Err(again) => panic!("{what}: {e} then {again}"),
                            }
                        }
                    };
                    assert_eq!(got, want, "{what}: result differs");
                    assert!(all_counters_at_max(&phys), "{what}: a try was lost");
                    let sim = phys.lock().unwrap();
                    let verifies = sim.verify_attempts();
                    assert!(verifies <= 2, "{what}: {verifies} VERIFY commands");
                    // What was read before the loss is not read again: both taps together
                    // cost the undisturbed run plus the re-selection and re-verification
                    // (SELECT AP, counter query, VERIFY), the command the loss cut, the EF
                    // selected again to continue a cut read beyond SFI offsets, and while
                    // the session has not yet learned whether a READ BINARY by SFI makes
                    // the EF current, one SELECT EF for each later continued read (at most
                    // three here): never a restart, which would cost `at + 1 + n`.
                    let total = sim.received().len();
                    assert!(
                        total <= n + 8,
                        "{what}: {total} commands for an undisturbed {n}: {:02X?}",
                        sim.received().iter().map(|r| r.header).collect::<Vec<_>>()
                    );
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 100, "{cases} cases");
}

#[test]
fn a_cut_read_continues_at_its_offset() {
    // The auth certificate (1351 bytes, 6 READs of 256 after the first on short APDUs) is
    // cut at its 4th exchange; after the resume only the rest is read.
    let b = Behaviour::conservative();
    let phys = physical(b);
    let fault = Fault {
        at: 4,
        kind: FaultKind::TagLost,
    };
    let mut card = Card::new(FaultyTransport::new(Tap(phys.clone()), vec![fault])).unwrap();
    card.set_resumable(true);
    assert!(card.jpki().auth_certificate().is_err());
    let read_before = card.stats().bytes_received;
    phys.lock().unwrap().power_cycle();
    card.resume(FaultyTransport::new(Tap(phys.clone()), vec![]))
        .unwrap();
    let cert = card.jpki().auth_certificate().unwrap();
    let expected = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/cards/taro/auth-cert.der"
    ))
    .unwrap();
    assert_eq!(cert.der, expected);
    let read_after = card.stats().bytes_received - read_before;
    assert!(
        read_after < expected.len() as u64,
        "after the resume {read_after} bytes were received; the file is {}",
        expected.len()
    );
    // Read again in the same session: kept, no APDU.
    let apdus = card.stats().apdus;
    assert_eq!(card.jpki().auth_certificate().unwrap().der, expected);
    assert_eq!(card.stats().apdus, apdus);
    // Forgetting the kept data reads it again.
    card.forget_kept_data();
    assert_eq!(card.jpki().auth_certificate().unwrap().der, expected);
    assert!(card.stats().apdus > apdus);
}

#[test]
fn an_unknown_verify_outcome_is_never_resent_blindly() {
    let wrong = Secret::new("9999");
    for (label, kind, value, want_second_verify) in [
        // Lost after the card counted a wrong PIN: the query shows one try fewer; the
        // value is not sent again, the caller learns it was wrong.
        (
            "wrong, delivered",
            FaultKind::LostAfterDelivery,
            &wrong,
            false,
        ),
        // Lost before the card saw it: the counter is unchanged; sending it is safe.
        ("wrong, not delivered", FaultKind::TagLost, &wrong, true),
        // Delivered and right: the counter is at its maximum; sending again is safe.
        (
            "right, delivered",
            FaultKind::LostAfterDelivery,
            &pin(),
            true,
        ),
    ] {
        let phys = physical(Behaviour::capable());
        // Exchange 0: SELECT JPKI-AP, 1: counter query, 2: VERIFY.
        let fault = Fault { at: 2, kind };
        let mut card = Card::new(FaultyTransport::new(Tap(phys.clone()), vec![fault])).unwrap();
        card.set_resumable(true);
        let e = card
            .verify(Credential::JpkiAuthPin, value, false)
            .unwrap_err();
        assert!(
            matches!(e, Error::VerifyOutcomeUnknown { .. }),
            "{label}: {e}"
        );
        let before = phys.lock().unwrap().verify_attempts();
        phys.lock().unwrap().power_cycle();
        card.resume(FaultyTransport::new(Tap(phys.clone()), vec![]))
            .unwrap();
        let second = card.verify(Credential::JpkiAuthPin, value, false);
        let sent = phys.lock().unwrap().verify_attempts() - before;
        assert_eq!(
            sent == 1,
            want_second_verify,
            "{label}: {sent} VERIFY after resume"
        );
        match label {
            "wrong, delivered" => {
                assert!(
                    matches!(second, Err(Error::WrongPin { remaining: 2, .. })),
                    "{label}: {second:?}"
                );
                // Decided: the caller may now present a value again (here the right one).
                card.verify(Credential::JpkiAuthPin, &pin(), false).unwrap();
            }
            "wrong, not delivered" => assert!(
                matches!(second, Err(Error::WrongPin { remaining: 2, .. })),
                "{label}: {second:?}"
            ),
            _ => second.unwrap(),
        }
    }
}
