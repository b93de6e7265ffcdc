//! The virtual card over vsmartcard's vpcd protocol, against a vpcd stand-in on loopback:
//! this test listens like the vpcd driver does, `sim::vpcd::serve` connects to it, and the
//! core's engine talks to the card through the framed link. Loopback only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Capabilities, Card, ExchangeHint, Secret, Transport, TransportError};
use mynakit_testkit::sim::VirtualCard;
use mynakit_testkit::sim::vpcd::{
    CONTACT_ATR, CTRL_ATR, CTRL_OFF, CTRL_ON, CTRL_RESET, Event, ServeOptions, StopHandle,
    VpcdCard, VpcdError, read_frame, serve, write_frame,
};

/// The driver's side of the link, as a transport for the core's engine.
struct VpcdLink {
    stream: TcpStream,
    stop: StopHandle,
}

impl VpcdLink {
    fn accept(listener: &TcpListener) -> Self {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        VpcdLink {
            stream,
            stop: StopHandle::new(),
        }
    }

    fn control(&mut self, code: u8) {
        write_frame(&mut self.stream, &[code]).unwrap();
    }

    fn atr(&mut self) -> Vec<u8> {
        self.control(CTRL_ATR);
        read_frame(&mut self.stream, &self.stop).unwrap().unwrap()
    }

    fn raw(&mut self, apdu: &[u8]) -> Vec<u8> {
        write_frame(&mut self.stream, apdu).unwrap();
        read_frame(&mut self.stream, &self.stop).unwrap().unwrap()
    }
}

impl Transport for VpcdLink {
    fn transmit(&mut self, apdu: &[u8], _hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        write_frame(&mut self.stream, apdu).map_err(|e| TransportError::other(e.to_string()))?;
        read_frame(&mut self.stream, &self.stop)
            .map_err(|e| TransportError::other(e.to_string()))?
            .ok_or_else(|| TransportError::card_removed("vpcd link closed"))
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::SHORT
    }
}

type Served = (Result<(), VpcdError>, Vec<Event>, VpcdCard);

fn spawn_serve(opts: ServeOptions, stop: StopHandle) -> JoinHandle<Served> {
    std::thread::spawn(move || {
        let mut card = VpcdCard::new(VirtualCard::builtin("taro").unwrap());
        let mut events = Vec::new();
        let r = serve(&mut card, &opts, &stop, &mut |e| {
            if *e != Event::Atr {
                events.push(e.clone());
            }
        });
        (r, events, card)
    })
}

fn options(port: u16) -> ServeOptions {
    ServeOptions {
        connect_timeout: Duration::from_secs(10),
        retry_interval: Duration::from_millis(50),
        poll_interval: Duration::from_millis(50),
        reconnect: false,
        ..ServeOptions::new(format!("127.0.0.1:{port}"))
    }
}

fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

fn free_port() -> u16 {
    listener().1
}

fn message() -> SignInput {
    SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"over vpcd".to_vec(),
    }
}

fn with_cert() -> SignOptions {
    SignOptions {
        include_certificate: true,
        ..Default::default()
    }
}

const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const SELECT_AUTH_KEY: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17];

fn sign_apdu() -> Vec<u8> {
    let di = message().digest_info(false).unwrap();
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, u8::try_from(di.len()).unwrap()];
    apdu.extend_from_slice(&di);
    apdu.push(0x00);
    apdu
}

fn sw(resp: &[u8]) -> u16 {
    u16::from_be_bytes([resp[resp.len() - 2], resp[resp.len() - 1]])
}

#[test]
fn jpki_over_the_vpcd_link_equals_in_process() {
    let (l, port) = listener();
    let served = spawn_serve(options(port), StopHandle::new());
    let mut link = VpcdLink::accept(&l);
    assert_eq!(link.atr(), CONTACT_ATR.to_vec());
    link.control(CTRL_ON);

    let mut remote = Card::new(link).unwrap();
    let cert = remote.jpki().auth_certificate().unwrap();
    let sig = remote
        .jpki()
        .sign(JpkiKey::Auth, &Secret::new("1234"), &message(), with_cert())
        .unwrap();
    sig.verify_with_certificate().unwrap();

    let mut local = Card::new(VirtualCard::builtin("taro").unwrap()).unwrap();
    let local_cert = local.jpki().auth_certificate().unwrap();
    let local_sig = local
        .jpki()
        .sign(JpkiKey::Auth, &Secret::new("1234"), &message(), with_cert())
        .unwrap();

    assert_eq!(cert.der, local_cert.der);
    assert_eq!(sig.signature, local_sig.signature);
    assert_eq!(remote.stats(), local.stats());

    // The driver goes away: serve powers the card off and, without reconnect, returns.
    drop(remote);
    let (result, events, card) = served.join().unwrap();
    result.unwrap();
    assert!(matches!(events.first(), Some(Event::Connected { .. })));
    assert_eq!(events.get(1), Some(&Event::PowerOn));
    assert!(matches!(
        events.last(),
        Some(Event::Disconnected { reason: None })
    ));
    let apdu_events = events
        .iter()
        .filter(|e| matches!(e, Event::Apdu { .. }))
        .count();
    assert_eq!(apdu_events as u64, card.apdus());
    assert_eq!(card.apdus(), u64::from(local.stats().apdus));
    assert!(!card.powered());
    // No event carries data: the VERIFY is reported by header and length only.
    let verify = events
        .iter()
        .find(|e| matches!(e, Event::Apdu { header, body_len, .. } if header[1] == 0x20 && *body_len > 0))
        .unwrap();
    assert_eq!(verify.to_string(), "APDU 00200098 +5 -> 2 bytes, SW 9000");
}

#[test]
fn warm_reset_keeps_the_verified_pin_power_off_clears_it() {
    let (l, port) = listener();
    let served = spawn_serve(options(port), StopHandle::new());
    let link = VpcdLink::accept(&l);
    let mut card = Card::new(link).unwrap();
    card.jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new("1234"),
            &message(),
            SignOptions::default(),
        )
        .unwrap();
    let mut link = card.into_transport();

    // Warm reset: nothing selected any more...
    link.control(CTRL_RESET);
    assert_eq!(sw(&link.raw(&SELECT_AUTH_KEY)), 0x6A82);
    // ...but the PIN verified before the reset still unlocks the key (§5.4, §12.1).
    assert_eq!(sw(&link.raw(&SELECT_JPKI)), 0x9000);
    assert_eq!(sw(&link.raw(&SELECT_AUTH_KEY)), 0x9000);
    let resp = link.raw(&sign_apdu());
    assert_eq!(sw(&resp), 0x9000);
    assert_eq!(resp.len(), 258);

    // Power off and on: the security state is gone.
    link.control(CTRL_OFF);
    link.control(CTRL_ON);
    assert_eq!(sw(&link.raw(&SELECT_JPKI)), 0x9000);
    assert_eq!(sw(&link.raw(&SELECT_AUTH_KEY)), 0x9000);
    assert_eq!(sw(&link.raw(&sign_apdu())), 0x6982);
    drop(link);
    served.join().unwrap().0.unwrap();
}

#[test]
fn serve_gives_up_after_the_connect_timeout() {
    let port = free_port();
    let opts = ServeOptions {
        connect_timeout: Duration::from_millis(400),
        ..options(port)
    };
    let started = Instant::now();
    let (result, events, _) = spawn_serve(opts, StopHandle::new()).join().unwrap();
    match result {
        Err(VpcdError::Connect { attempts, .. }) => assert!(attempts >= 2, "{attempts}"),
        other => panic!("{other:?}"),
    }
    assert!(events.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn serve_waits_for_vpcd_to_come_up() {
    let port = free_port();
    let served = spawn_serve(options(port), StopHandle::new());
    std::thread::sleep(Duration::from_millis(300));
    let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let mut link = VpcdLink::accept(&l);
    assert_eq!(link.atr(), CONTACT_ATR.to_vec());
    drop(link);
    served.join().unwrap().0.unwrap();
}

#[test]
fn serve_reconnects_with_the_card_powered_off_and_stops_when_told() {
    let (l, port) = listener();
    let stop = StopHandle::new();
    let served = spawn_serve(
        ServeOptions {
            reconnect: true,
            ..options(port)
        },
        stop.clone(),
    );
    let mut card = Card::new(VpcdLink::accept(&l)).unwrap();
    card.jpki()
        .sign(
            JpkiKey::Auth,
            &Secret::new("1234"),
            &message(),
            SignOptions::default(),
        )
        .unwrap();
    drop(card); // pcscd stops

    // pcscd is back: the card reconnects, and it was powered off in between.
    let mut link = VpcdLink::accept(&l);
    link.control(CTRL_ON);
    assert_eq!(sw(&link.raw(&SELECT_JPKI)), 0x9000);
    assert_eq!(sw(&link.raw(&SELECT_AUTH_KEY)), 0x9000);
    assert_eq!(sw(&link.raw(&sign_apdu())), 0x6982);

    // Told to stop while connected: returns within a poll interval or so.
    let asked = Instant::now();
    stop.stop();
    let (result, events, card) = served.join().unwrap();
    result.unwrap();
    assert!(asked.elapsed() < Duration::from_secs(2));
    let connects = events
        .iter()
        .filter(|e| matches!(e, Event::Connected { .. }))
        .count();
    assert_eq!(connects, 2);
    assert!(!card.powered());
    // Retry counters live in non-volatile memory: still at the maximum after success.
    assert_eq!(
        card.card().remaining_tries(mynakit::aid::JPKI, 0x0018),
        Some(3)
    );
}

#[test]
fn stop_while_waiting_for_vpcd() {
    let stop = StopHandle::new();
    let served = spawn_serve(options(free_port()), stop.clone());
    std::thread::sleep(Duration::from_millis(200));
    stop.stop();
    let (result, events, _) = served.join().unwrap();
    result.unwrap();
    assert!(events.is_empty());
}

#[test]
fn bad_address_is_reported() {
    let opts = ServeOptions::new("no port here");
    let (result, _, _) = spawn_serve(opts, StopHandle::new()).join().unwrap();
    assert!(matches!(result, Err(VpcdError::Address(_))));
}
