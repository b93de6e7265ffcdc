//! The PC/SC transport against a real pcscd with vsmartcard's vpcd reader holding the
//! virtual card (`mynakit sim serve`). Needs that stack, so every test is ignored by
//! default; `scripts/test-pcsc.sh` starts an isolated pcscd and runs them with
//! `--ignored`, naming the readers in the environment:
//!
//! * `MYNAKIT_PCSC_READER`: the reader that holds the served virtual card (profile taro);
//! * `MYNAKIT_PCSC_SPARE_READER`, `MYNAKIT_PCSC_SPARE_PORT`: vpcd's second reader, empty,
//!   and its port (a test puts its own card there and removes it).
#![cfg(feature = "pcsc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mynakit::apdu::{Command, Response, Status};
use mynakit::commands::{self, EfRef};
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Capabilities, Card, Error, ExchangeHint, Secret, Transport, TransportError};
use mynakit_testkit::pcsc::{PcscOptions, PcscTransport, list_readers};
use mynakit_testkit::sim::VirtualCard;
use mynakit_testkit::sim::vpcd::{CONTACT_ATR, ServeOptions, StopHandle, VpcdCard, serve};

const NEEDS: &str = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh";

/// The tests share one reader opened exclusively: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set ({NEEDS})"))
}

fn reader() -> String {
    env("MYNAKIT_PCSC_READER")
}

fn open(reader: &str) -> Result<PcscTransport, TransportError> {
    PcscTransport::open(&PcscOptions {
        reader: Some(reader.to_string()),
        extended_length: false,
    })
}

fn message() -> SignInput {
    SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"pcsc live".to_vec(),
    }
}

/// On a fresh link, SELECT the JPKI-AP and the auth key and COMPUTE DIGITAL SIGNATURE
/// without presenting the PIN. The SDK never sends a signature outside its PIN policy (a
/// `Card` has no raw exchange), so the test speaks to the transport directly, with the
/// SDK's command builders; the link is dropped (card powered off) at the end.
fn sign_without_pin(mut link: PcscTransport) -> Status {
    let key = JpkiKey::Auth.key_ef();
    let mut send = |cmd: Command, slow: bool| {
        let hint = ExchangeHint {
            sensitive: false,
            slow,
        };
        let raw = link.transmit(&cmd.encode(false).unwrap(), hint).unwrap();
        Response::parse(&raw).unwrap().status()
    };
    assert_eq!(
        send(commands::select_application(key.aid), false),
        Status::Ok
    );
    assert_eq!(send(commands::select_ef(key.fid), false), Status::Ok);
    let di = message().digest_info(false).unwrap();
    send(
        commands::compute_digital_signature(EfRef::Current, di),
        true,
    )
}

#[test]
#[ignore = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh"]
fn readers_list_the_served_card() {
    let _g = serial();
    let readers = list_readers().unwrap();
    let ours = readers.iter().find(|r| r.name == reader()).unwrap();
    assert!(ours.card_present);
    assert_eq!(
        ours.atr.as_deref(),
        Some(hex::encode_upper(CONTACT_ATR).as_str())
    );
    let spare = readers
        .iter()
        .find(|r| r.name == env("MYNAKIT_PCSC_SPARE_READER"))
        .unwrap();
    assert!(!spare.card_present);
    assert_eq!(spare.atr, None);
}

#[test]
#[ignore = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh"]
fn sessions_are_exclusive_t1_and_short_unless_asked() {
    let _g = serial();
    let t = open(&reader()).unwrap();
    assert_eq!(t.reader_name(), reader());
    assert_eq!(t.protocol(), Some("T=1"));
    assert_eq!(t.atr(), CONTACT_ATR);
    assert_eq!(mynakit::Transport::capabilities(&t), Capabilities::SHORT);
    // Nobody else gets in while the session lasts.
    match open(&reader()) {
        Err(TransportError::Other { message }) => {
            assert!(message.contains("another application"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    t.close().unwrap();
    let ext = PcscTransport::open(&PcscOptions {
        reader: Some(reader()),
        extended_length: true,
    })
    .unwrap();
    assert_eq!(
        mynakit::Transport::capabilities(&ext),
        Capabilities::EXTENDED_FULL
    );
}

#[test]
#[ignore = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh"]
fn jpki_over_pcsc_equals_in_process() {
    let _g = serial();
    let opts = SignOptions {
        include_certificate: true,
        ..Default::default()
    };
    let pin = Secret::new("1234");
    let mut remote = Card::new(open(&reader()).unwrap()).unwrap();
    let mut local = Card::new(VirtualCard::builtin("taro").unwrap()).unwrap();
    assert_eq!(
        remote.jpki().token_info().unwrap(),
        local.jpki().token_info().unwrap()
    );
    let r = remote
        .jpki()
        .sign(JpkiKey::Auth, &pin, &message(), opts)
        .unwrap();
    let l = local
        .jpki()
        .sign(JpkiKey::Auth, &pin, &message(), opts)
        .unwrap();
    r.verify_with_certificate().unwrap();
    assert_eq!(r, l);
    assert_eq!(remote.stats(), local.stats());
}

#[test]
#[ignore = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh"]
fn the_session_ends_with_power_off_so_the_pin_does_not_leak() {
    let _g = serial();
    let mut card = Card::new(open(&reader()).unwrap()).unwrap();
    card.jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new("1234"),
            &message(),
            SignOptions::default(),
        )
        .unwrap();
    drop(card);
    assert_eq!(
        sign_without_pin(open(&reader()).unwrap()),
        Status::SecurityStatusNotSatisfied
    );
}

#[test]
#[ignore = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh"]
fn a_warm_reset_keeps_the_pin_verified_as_the_notes_report() {
    let _g = serial();
    // Another client verifies the PIN and disconnects with a reset (not a power-off).
    let ctx = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let name = std::ffi::CString::new(reader()).unwrap();
    let raw = ctx
        .connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::T1)
        .unwrap();
    let mut buf = [0u8; 258];
    let select = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    assert_eq!(raw.transmit(&select, &mut buf).unwrap(), [0x90, 0x00]);
    let verify = [0x00, 0x20, 0x00, 0x98, 0x04, b'1', b'2', b'3', b'4'];
    assert_eq!(raw.transmit(&verify, &mut buf).unwrap(), [0x90, 0x00]);
    raw.disconnect(pcsc::Disposition::ResetCard)
        .map_err(|(_, e)| e)
        .unwrap();

    // The next session can use the key without the PIN (card-protocol §5.4, §12.1)...
    assert_eq!(sign_without_pin(open(&reader()).unwrap()), Status::Ok);
    // ...until a session ends with power-off, as PcscTransport's do.
    assert_eq!(
        sign_without_pin(open(&reader()).unwrap()),
        Status::SecurityStatusNotSatisfied
    );
}

fn wait_for_card(name: &str, present: bool) {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let now = list_readers()
            .unwrap()
            .iter()
            .any(|r| r.name == name && r.card_present);
        if now == present {
            return;
        }
        assert!(
            Instant::now() < until,
            "card present={present} in {name}: timed out"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs pcscd with a vpcd reader: run scripts/test-pcsc.sh"]
fn no_card_and_card_removed_are_typed_errors() {
    let _g = serial();
    let spare = env("MYNAKIT_PCSC_SPARE_READER");
    let port = env("MYNAKIT_PCSC_SPARE_PORT");
    match open(&spare) {
        Err(TransportError::NoCard { .. }) => {}
        other => panic!("{other:?}"),
    }

    // Put a second virtual card into the spare reader, then pull it out mid-session.
    let stop = StopHandle::new();
    let served = {
        let stop = stop.clone();
        let opts = ServeOptions {
            reconnect: false,
            ..ServeOptions::new(format!("127.0.0.1:{port}"))
        };
        std::thread::spawn(move || {
            let mut card = VpcdCard::new(VirtualCard::builtin("hanako").unwrap());
            serve(&mut card, &opts, &stop, &mut |_| {})
        })
    };
    wait_for_card(&spare, true);
    let mut card = Card::new(open(&spare).unwrap()).unwrap();
    assert_eq!(card.jpki().token_info().unwrap().label, "JPKIAPICCTOKEN2");
    stop.stop();
    served.join().unwrap().unwrap();
    wait_for_card(&spare, false);
    match card.jpki().auth_certificate() {
        Err(Error::Transport(TransportError::CardRemoved { .. })) => {}
        other => panic!("{other:?}"),
    }
}
