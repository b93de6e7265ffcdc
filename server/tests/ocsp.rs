//! The OCSP client against real `openssl ocsp` responders on loopback, built from the
//! virtual card's TEST signing root (test-vectors/pki): good, revoked, unknown (SHA-1 and
//! SHA-256 CertIDs), the CA itself as responder (byKey responderID), wrong and missing
//! nonce, stale (`-nmin 1`, thisUpdate too old, thisUpdate in the future), a flipped
//! signature byte, responders signed by the wrong key (a same-name impostor CA, a responder
//! certificate from the impostor, one from the right CA without id-kp-OCSPSigning), no
//! responder listening; and a ワ bundle accepted / rejected with OCSP as the revocation
//! source. Skipped only when `openssl` is missing and `CI` is not `true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mynakit::cert::{JpkiCertificate, TrustPolicy, unix_now};
use mynakit_server::ocsp::{CertIdHash, OcspClient};
use mynakit_server::{RevocationChecker, RevocationStatus, Verdict, Verifier, VerifierConfig};

/// Whether to run: openssl present, or fail loudly in CI.
fn have_openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "openssl is required in CI"
        );
        eprintln!("skipped: openssl not found");
    }
    ok
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pki() -> PathBuf {
    common::golden_dir().join("../pki")
}

fn taro_sign_cert() -> PathBuf {
    common::golden_dir().join("../cards/taro/sign-cert.der")
}

/// The test PKI in a temporary directory: the TEST signing root (from test-vectors/pki),
/// leaves it issues, responder certificates, and a same-name impostor CA.
fn setup(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mynakit-ocsp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let root = pki().join("jpki-test-sign-root.der");
    let key = pki().join("jpki-test-sign-root.pk8");
    openssl(
        &dir,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            root.to_str().unwrap(),
            "-out",
            "root.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "pkey",
            "-inform",
            "DER",
            "-in",
            key.to_str().unwrap(),
            "-out",
            "root.key",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "[leaf]\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
         [ocsp]\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n\
         [noeku]\nkeyUsage=critical,digitalSignature\n",
    )
    .unwrap();
    // The impostor: the root certificate re-signed with another key (same subject bytes).
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "impostor.key",
        ],
    );
    openssl(
        &dir,
        &[
            "x509",
            "-in",
            "root.pem",
            "-signkey",
            "impostor.key",
            "-out",
            "impostor.pem",
        ],
    );
    issue(&dir, "root", "revoked", "0x0F0002", "leaf");
    issue(&dir, "root", "unknown", "0x0F0003", "leaf");
    issue(&dir, "root", "resp", "0x0F0010", "ocsp");
    issue(&dir, "root", "noeku", "0x0F0011", "noeku");
    issue(&dir, "impostor", "impresp", "0x0F0012", "ocsp");
    dir
}

/// `name.pem` / `name.key` / `name.der`, issued by `ca` with the extensions of `section`.
fn issue(dir: &Path, ca: &str, name: &str, serial: &str, section: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/C=JP/CN=MynaKit-TEST OCSP {name}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            serial,
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            section,
            "-out",
            &format!("{name}.pem"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-in",
            &format!("{name}.pem"),
            "-outform",
            "DER",
            "-out",
            &format!("{name}.der"),
        ],
    );
}

/// An openssl CA database line (`ca(1)` index.txt): status, expiry, revocation time,
/// serial (upper-case hex, as the responder looks it up), file, subject.
fn index_line(status: char, serial: &str, revoked: &str) -> String {
    format!("{status}\t350331145959Z\t{revoked}\t{serial}\tunknown\t/CN=x\n")
}

/// A running `openssl ocsp` responder, killed on drop.
struct Responder {
    child: Child,
    url: String,
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a responder for the TEST root on a free loopback port. Index: taro's signing
/// certificate (01010001) good unless `taro_revoked`, 0F0002 revoked, 0F0003 absent.
fn responder(dir: &Path, tag: &str, signer: &str, taro_revoked: bool, extra: &[&str]) -> Responder {
    let index = dir.join(format!("index-{tag}.txt"));
    let taro = if taro_revoked {
        index_line('R', "01010001", "251201000000Z")
    } else {
        index_line('V', "01010001", "")
    };
    std::fs::write(
        &index,
        format!(
            "{taro}{}",
            index_line('R', "0F0002", "251101000000Z,keyCompromise")
        ),
    )
    .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("openssl")
        .current_dir(dir)
        .args(["ocsp", "-index"])
        .arg(&index)
        .args(["-port", &port.to_string(), "-CA", "root.pem", "-rsigner"])
        .arg(format!("{signer}.pem"))
        .arg("-rkey")
        .arg(format!("{signer}.key"))
        .args(["-ignore_err"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ready once it prints "ACCEPT ..." or "waiting for OCSP client connections" (a probe
    // connection that sends nothing would stall the single-threaded responder).
    let (tx, rx) = std::sync::mpsc::channel();
    let out: Box<dyn Read + Send> = Box::new(child.stdout.take().unwrap());
    let err: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
    for stream in [out, err] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if line.contains("ACCEPT") || line.contains("waiting for OCSP client") {
                    let _ = tx.send(());
                }
            }
        });
    }
    let r = Responder {
        child,
        url: format!("http://127.0.0.1:{port}/"),
    };
    assert!(
        rx.recv_timeout(Duration::from_secs(20)).is_ok(),
        "responder {tag} did not start"
    );
    r
}

fn cert(path: &Path) -> JpkiCertificate {
    JpkiCertificate::parse(&std::fs::read(path).unwrap()).unwrap()
}

fn client(r: &Responder, hash: CertIdHash) -> OcspClient {
    let mut c = OcspClient::new(
        &r.url,
        &std::fs::read(pki().join("jpki-test-sign-root.der")).unwrap(),
    )
    .unwrap();
    c.hash = hash;
    c
}

fn not_checked(s: &RevocationStatus, needle: &str) {
    match s {
        RevocationStatus::NotChecked { reason } => {
            assert!(reason.contains(needle), "expected {needle:?} in {reason:?}");
        }
        other => panic!("expected not checked ({needle}), got {other:?}"),
    }
}

#[test]
fn ocsp_against_openssl_responders() {
    if !have_openssl() {
        return;
    }
    let dir = setup("main");
    let taro = cert(&taro_sign_cert());
    let revoked = cert(&dir.join("revoked.der"));
    let unknown = cert(&dir.join("unknown.der"));
    let now = unix_now();

    // Delegated responder (issued by the root, id-kp-OCSPSigning), nextUpdate in 1 day.
    let r = responder(&dir, "resp", "resp", false, &["-ndays", "1"]);
    for hash in [CertIdHash::Sha256, CertIdHash::Sha1] {
        let c = client(&r, hash);
        let good = c.status(&taro, now);
        assert!(
            matches!(&good, RevocationStatus::Good { .. }),
            "{hash:?}: {good:?}"
        );
        match c.status(&revoked, now) {
            RevocationStatus::Revoked { reason } => {
                assert!(
                    reason.contains("0F0002") && reason.contains("2025-11-01"),
                    "{reason}"
                );
            }
            other => panic!("{hash:?}: {other:?}"),
        }
        not_checked(&c.status(&unknown, now), "does not know serial 0F0003");
    }
    let c = client(&r, CertIdHash::Sha256);
    // A certificate of another issuer is not even asked about.
    let other = cert(&dir.join("impresp.der"));
    not_checked(&c.status(&other, now), "not issued by this responder's CA");

    // Wrong nonce: the answer to one request checked against another request's nonce.
    let first = c.prepare(&taro).unwrap();
    let second = c.prepare(&taro).unwrap();
    assert_ne!(first.nonce, second.nonce);
    let body = mynakit_server::ocsp::http_post(&r.url, &first.der, Duration::from_secs(5), 65_536)
        .unwrap();
    assert!(matches!(
        c.evaluate(&first, &body, now),
        RevocationStatus::Good { .. }
    ));
    not_checked(
        &c.evaluate(&second, &body, now),
        "nonce is not the one sent",
    );
    // No nonce: a client that sends none gets an answer without one, which a client that
    // requires one refuses.
    let mut plain = client(&r, CertIdHash::Sha256);
    plain.nonce = false;
    let bare = plain.prepare(&taro).unwrap();
    assert_eq!(bare.nonce, None);
    let bare_body =
        mynakit_server::ocsp::http_post(&r.url, &bare.der, Duration::from_secs(5), 65_536).unwrap();
    assert!(matches!(
        plain.evaluate(&bare, &bare_body, now),
        RevocationStatus::Good { .. }
    ));
    let with_nonce = c.prepare(&taro).unwrap();
    let mut mixed = bare.clone();
    mixed.nonce = with_nonce.nonce;
    not_checked(&c.evaluate(&mixed, &bare_body, now), "carries no nonce");
    // A flipped byte in the response signature: with an RSA-2048 responder key it is the
    // BIT STRING `03 82 01 01 00` + 256 bytes that ends right before the `[0]` certs field.
    let certs_at = find_certs_tag(&body);
    assert_eq!(
        &body[certs_at - 261..certs_at - 256],
        &[0x03, 0x82, 0x01, 0x01, 0x00]
    );
    let mut flipped = body.clone();
    flipped[certs_at - 10] ^= 0x01;
    not_checked(&c.evaluate(&first, &flipped, now), "bad signature");
    // The last byte belongs to the responder certificate's own signature by the CA.
    flipped = body.clone();
    *flipped.last_mut().unwrap() ^= 0x01;
    not_checked(&c.evaluate(&first, &flipped, now), "not issued by the CA");
    // Bit 0 of every byte flipped, one at a time: never good (the responder certificate is
    // checked under the CA, the rest is signed, structure or the signature itself).
    let mut good_mutants = Vec::new();
    for i in 0..body.len() {
        let mut m = body.clone();
        m[i] ^= 0x01;
        if !matches!(
            c.evaluate(&first, &m, now),
            RevocationStatus::NotChecked { .. }
        ) {
            good_mutants.push(i);
        }
    }
    assert!(
        good_mutants.is_empty(),
        "accepted after a flip at {good_mutants:?}"
    );
    eprintln!(
        "{} single-bit mutants of a {}-byte response: all not checked",
        body.len(),
        body.len()
    );
    // Truncated, trailing garbage, and an error status (hand-built: SEQUENCE { ENUMERATED
    // 6 } = OCSPResponse with responseStatus unauthorized and no responseBytes).
    not_checked(
        &c.evaluate(&first, &body[..body.len() - 1], now),
        "malformed",
    );
    let mut longer = body.clone();
    longer.push(0);
    not_checked(&c.evaluate(&first, &longer, now), "malformed");
    not_checked(
        &c.evaluate(&first, &[0x30, 0x03, 0x0A, 0x01, 0x06], now),
        "answered Unauthorized",
    );
    // Freshness against the verification time: tolerance 300 s, max age 1 day.
    // (An hour earlier the delegated responder certificate, issued just now, is not valid.)
    not_checked(&c.evaluate(&first, &body, now - 3600), "not valid at");
    not_checked(
        &c.evaluate(&first, &body, now + 2 * 86_400),
        "stale: nextUpdate",
    );
    let mut young = client(&r, CertIdHash::Sha256);
    young.max_age = 60;
    not_checked(
        &young.evaluate(&first, &body, now + 1000),
        "stale: thisUpdate",
    );
    assert!(matches!(
        young.evaluate(&first, &body, now + 30),
        RevocationStatus::Good { .. }
    ));
    drop(r);

    // nextUpdate one minute ahead: stale 10 minutes later (beyond the 300 s tolerance).
    let r = responder(&dir, "nmin", "resp", false, &["-nmin", "1"]);
    let c = client(&r, CertIdHash::Sha256);
    let req = c.prepare(&taro).unwrap();
    let body =
        mynakit_server::ocsp::http_post(&r.url, &req.der, Duration::from_secs(5), 65_536).unwrap();
    assert!(matches!(
        c.evaluate(&req, &body, now),
        RevocationStatus::Good { .. }
    ));
    not_checked(&c.evaluate(&req, &body, now + 600), "stale: nextUpdate");
    drop(r);

    // The CA itself signs, responderID by key hash.
    let r = responder(&dir, "ca", "root", false, &["-resp_key_id", "-ndays", "1"]);
    let c = client(&r, CertIdHash::Sha256);
    assert!(matches!(
        c.status(&taro, now),
        RevocationStatus::Good { .. }
    ));
    assert!(matches!(
        c.status(&revoked, now),
        RevocationStatus::Revoked { .. }
    ));
    // An hour before the answer was made (beyond the 300 s tolerance).
    let req = c.prepare(&taro).unwrap();
    let body =
        mynakit_server::ocsp::http_post(&r.url, &req.der, Duration::from_secs(5), 65_536).unwrap();
    not_checked(
        &c.evaluate(&req, &body, now - 3600),
        "after the time checked",
    );
    assert!(matches!(
        c.evaluate(&req, &body, now - 200),
        RevocationStatus::Good { .. }
    ));
    drop(r);

    // Signed by the wrong key: the impostor CA (same name as the root) signs itself.
    let r = responder(&dir, "imp", "impostor", false, &["-ndays", "1"]);
    let c = client(&r, CertIdHash::Sha256);
    not_checked(&c.status(&taro, now), "bad signature");
    not_checked(&c.status(&revoked, now), "bad signature");
    drop(r);
    // A responder certificate with id-kp-OCSPSigning, but issued by the impostor.
    let r = responder(&dir, "impresp", "impresp", false, &["-ndays", "1"]);
    not_checked(
        &client(&r, CertIdHash::Sha256).status(&taro, now),
        "not issued by the CA",
    );
    drop(r);
    // A responder certificate issued by the root without id-kp-OCSPSigning.
    let r = responder(&dir, "noeku", "noeku", false, &["-ndays", "1"]);
    not_checked(
        &client(&r, CertIdHash::Sha256).status(&taro, now),
        "no id-kp-OCSPSigning",
    );
    drop(r);

    // Nobody listening: not checked, promptly.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut gone = OcspClient::new(
        &format!("http://127.0.0.1:{port}/"),
        &std::fs::read(pki().join("jpki-test-sign-root.der")).unwrap(),
    )
    .unwrap();
    gone.timeout = Duration::from_secs(2);
    let start = Instant::now();
    not_checked(&gone.status(&taro, now), "OCSP: http://127.0.0.1");
    assert!(start.elapsed() < Duration::from_secs(3));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `[0]` tag of the certs field: the last `A0 82 xx xx 30 82` in the response.
fn find_certs_tag(b: &[u8]) -> usize {
    (0..b.len() - 6)
        .rev()
        .find(|&i| b[i] == 0xA0 && b[i + 1] == 0x82 && b[i + 4] == 0x30 && b[i + 5] == 0x82)
        .expect("certs field")
}

/// A ワ bundle from the virtual card with OCSP as the revocation source: accepted while
/// the responder says good, rejected with `certificate.revocation` once it says revoked.
#[test]
fn wa_bundle_with_ocsp() {
    if !have_openssl() {
        return;
    }
    let dir = setup("wa");
    let n = common::nonce();
    let bundle = common::sign(&n);
    let at = unix_now();
    let verifier = |r: &Responder| {
        let mut config = VerifierConfig::with_policy(TrustPolicy::VIRTUAL_CARD).unwrap();
        config.revocation = Some(Box::new(client(r, CertIdHash::Sha256)));
        config.revocation_required = true;
        Verifier::new(config)
    };
    let r = responder(&dir, "good", "resp", false, &["-ndays", "1"]);
    let report = verifier(&r).verify(&bundle, &n, at);
    assert_eq!(report.verdict, Verdict::Accepted, "{report:#?}");
    drop(r);
    let r = responder(&dir, "revoked", "resp", true, &["-ndays", "1"]);
    let report = verifier(&r).verify(&bundle, &n, at);
    assert_eq!(report.verdict, Verdict::Rejected);
    assert_eq!(report.failed(), vec!["certificate.revocation"]);
    drop(r);
    // Through mynakit-verify --ocsp: exit 0 against a good answer.
    let r = responder(&dir, "cli", "resp", false, &["-ndays", "1"]);
    std::fs::write(dir.join("bundle.json"), bundle.to_json().unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mynakit-verify"))
        .current_dir(&dir)
        .args([
            "bundle.json",
            "--nonce",
            &hex::encode(&n),
            "--trust",
            "virtual-card",
        ])
        .args(["--ocsp", &r.url, "--ocsp-issuer"])
        .arg(pki().join("jpki-test-sign-root.der"))
        .arg("--summary")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    drop(r);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A one-shot HTTP server on loopback that reads the request and answers `answer` (or
/// nothing, holding the connection open for `hold`).
fn fake_server(answer: Vec<u8>, hold: Duration) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ocsp", l.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            // Read the whole request (head, then Content-Length bytes), so that closing
            // never leaves unread data behind (which would reset the connection).
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = s.read(&mut buf) {
                req.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&req).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if req.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let _ = std::io::Write::write_all(&mut s, &answer);
            std::thread::sleep(hold);
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
    });
    url
}

/// The transport's limits: size cap, timeout, status, content type, length mismatch.
#[test]
fn transport_limits() {
    let post = |url: &str, timeout_ms: u64| {
        mynakit_server::ocsp::http_post(url, b"0", Duration::from_millis(timeout_ms), 1000)
    };
    let head = |status: &str, ctype: &str, len: usize| {
        format!("HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n\r\n")
    };
    let ok_body = |n: usize| {
        let mut v = head("200 OK", "application/ocsp-response", n).into_bytes();
        v.extend(std::iter::repeat_n(0x30u8, n));
        v
    };
    // Within the cap: the body comes back.
    let url = fake_server(ok_body(1000), Duration::ZERO);
    assert_eq!(post(&url, 5000).unwrap().len(), 1000);
    // Over the cap (1000 bytes).
    let url = fake_server(ok_body(5000), Duration::ZERO);
    let e = post(&url, 5000).unwrap_err();
    assert!(e.contains("exceeds 1000 bytes"), "{e}");
    // A server that never answers: timed out, within the time given.
    let url = fake_server(Vec::new(), Duration::from_secs(5));
    let start = Instant::now();
    let e = post(&url, 700).unwrap_err();
    assert!(e.contains("timed out"), "{e}");
    assert!(start.elapsed() < Duration::from_millis(2000));
    // Not 200, wrong type, short body.
    let url = fake_server(
        head("500 Oops", "text/plain", 0).into_bytes(),
        Duration::ZERO,
    );
    let e = post(&url, 5000).unwrap_err();
    assert!(e.contains("HTTP status 500"), "{e}");
    let url = fake_server(head("200 OK", "text/html", 0).into_bytes(), Duration::ZERO);
    let e = post(&url, 5000).unwrap_err();
    assert!(e.contains("content type"), "{e}");
    let mut short = head("200 OK", "application/ocsp-response", 10).into_bytes();
    short.extend_from_slice(b"0123");
    let url = fake_server(short, Duration::ZERO);
    let e = post(&url, 5000).unwrap_err();
    assert!(e.contains("Content-Length 10"), "{e}");
    // https is not spoken here.
    assert!(
        post("https://127.0.0.1/", 500)
            .unwrap_err()
            .contains("http://")
    );
}
