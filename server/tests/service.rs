//! End to end on loopback: the virtual card (phone side) → bundle → HTTP service → report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mynakit::evidence::{Evidence, MethodEvidence};
use mynakit_server::service::{ServiceConfig, serve};
use serde_json::Value;

/// Starts the service on 127.0.0.1 (ephemeral port) with a clock the test controls.
fn start(clock: Arc<AtomicU64>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let mut config = ServiceConfig::new(common::verifier());
            config.clock = Arc::new(move || clock.load(Ordering::SeqCst));
            serve(listener, config).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// A minimal HTTP/1.1 client (no client library needed): returns status and body.
fn post(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before reading a too-large body; closing with
    // the body unread resets the connection. The body goes from another thread while this
    // one is already reading, so the answer is taken off the socket before a reset lands.
    let mut w = s.try_clone().unwrap();
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(&body);
    });
    let mut resp = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => resp.extend_from_slice(&chunk[..n]),
            // A reset after the answer arrived is the server closing on an unread body.
            Err(_) if !resp.is_empty() => break,
            Err(e) => panic!("no answer from the service: {e}"),
        }
    }
    let _ = writer.join();
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status_line = String::from_utf8_lossy(&resp[..split]).to_string();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    (status, resp[split + 4..].to_vec())
}

fn nonce(addr: SocketAddr) -> Vec<u8> {
    let (status, body) = post(addr, "/v1/nonce", b"");
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let n = hex::decode(v["nonce"].as_str().unwrap()).unwrap();
    assert_eq!(n.len(), 32);
    n
}

fn submit(addr: SocketAddr, bundle: &Evidence) -> Value {
    let (status, body) = post(addr, "/v1/verify", bundle.to_json().unwrap().as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

fn outcome<'a>(report: &'a Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["result"].as_str().unwrap())
        .unwrap_or("absent")
}

#[test]
fn virtual_card_to_service_to_report() {
    let clock = Arc::new(AtomicU64::new(common::AT));
    let addr = start(clock.clone());
    type Build = fn(&[u8]) -> Evidence;
    let builders: [(&str, Build); 4] = [
        ("jpki_login", common::login),
        ("jpki_sign", common::sign),
        ("chip_read", common::chip_read),
        ("face_to_face", common::face_to_face),
    ];
    for (method, build) in builders {
        // Accepted: every check verified except the optional ones the report explains.
        let bundle = build(&nonce(addr));
        let report = submit(addr, &bundle);
        assert_eq!(report["verdict"], "accepted", "{method}: {report:#}");
        assert_eq!(report["method"], method);
        assert_eq!(outcome(&report, "nonce.binding"), "verified");
        for c in report["checks"].as_array().unwrap() {
            assert!(
                c["result"] == "verified" || c["required"] == false,
                "{method}: {c}"
            );
        }
        // Replayed: the same bundle again.
        let report = submit(addr, &bundle);
        assert_eq!(report["verdict"], "rejected", "{method}");
        assert_eq!(outcome(&report, "nonce.binding"), "failed");
        // A nonce this server never issued.
        let report = submit(addr, &build(&[0x5A; 32]));
        assert_eq!(report["verdict"], "rejected");
        assert_eq!(outcome(&report, "nonce.binding"), "failed");
    }

    // Tampered: one byte of the card's signature / the card face.
    let mut login = common::login(&nonce(addr));
    if let MethodEvidence::JpkiLogin(l) = &mut login.evidence {
        l.signature[100] ^= 0x01;
    }
    let report = submit(addr, &login);
    assert_eq!(report["verdict"], "rejected");
    assert_eq!(outcome(&report, "nonce.binding"), "verified");
    assert_eq!(outcome(&report, "signature"), "failed");
    let mut chip = common::chip_read(&nonce(addr));
    if let MethodEvidence::ChipRead(c) = &mut chip.evidence {
        let front = c.face.as_mut().unwrap().front.as_mut().unwrap();
        let last = front.len() - 1;
        front[last] ^= 0x01; // the security-code image, not signed by the AP key
    }
    let report = submit(addr, &chip);
    assert_eq!(report["verdict"], "rejected");
    assert_eq!(outcome(&report, "face.front_signature"), "verified");
    assert_eq!(outcome(&report, "face.liveness"), "failed");

    // A nonce that expired before use (default lifetime 300 s).
    let n = nonce(addr);
    clock.store(common::AT + 301, Ordering::SeqCst);
    let report = submit(addr, &common::login(&n));
    assert_eq!(outcome(&report, "nonce.binding"), "failed");
    assert!(report.to_string().contains("expired"));
    clock.store(common::AT, Ordering::SeqCst);

    // Unreadable and oversized bodies.
    let (status, body) = post(addr, "/v1/verify", b"not json");
    assert_eq!(status, 200);
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["verdict"], "rejected");
    assert_eq!(outcome(&report, "bundle.format"), "failed");
    let big = vec![b' '; mynakit::evidence::MAX_BUNDLE_LEN + 1];
    let (status, _) = post(addr, "/v1/verify", &big);
    assert_eq!(status, 413);
}

#[test]
fn expired_card_is_rejected_by_the_service() {
    let clock = Arc::new(AtomicU64::new(common::AFTER_EXPIRY));
    let addr = start(clock);
    let report = submit(addr, &common::login(&nonce(addr)));
    assert_eq!(report["verdict"], "rejected");
    assert_eq!(outcome(&report, "certificate.validity"), "failed");
    assert_eq!(outcome(&report, "nonce.binding"), "verified");
    let report = submit(addr, &common::chip_read(&nonce(addr)));
    assert_eq!(report["verdict"], "rejected");
    assert_eq!(outcome(&report, "face.card_expiry"), "failed");
}
