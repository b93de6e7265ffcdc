//! The CRL checker against CRLs made by openssl from a test PKI generated in a temporary
//! directory: good, revoked, unknown issuer, stale, bad signature; and a ワ bundle from the
//! virtual card accepted with revocation required, then rejected once its serial is revoked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use mynakit::cert::{JpkiCertificate, TrustPolicy, unix_now};
use mynakit_server::crl::{CrlChecker, CrlError};
use mynakit_server::{RevocationChecker, RevocationStatus, Verdict, Verifier, VerifierConfig};

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

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mynakit-crl-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An openssl `ca` set-up in `dir/name`: database, CRL number and a config.
fn ca_config(dir: &Path, name: &str) -> String {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("crlnumber"), "01\n").unwrap();
    let cnf = format!(
        "[ca]\ndefault_ca = d\n[d]\ndatabase = {p}/index.txt\ncrlnumber = {p}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n",
        p = d.display()
    );
    let path = d.join("ca.cnf");
    std::fs::write(&path, cnf).unwrap();
    path.display().to_string()
}

fn make_ca(dir: &Path, name: &str, subject: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-subj",
            subject,
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
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

fn make_leaf(dir: &Path, ca: &str, name: &str, serial: &str) {
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
            &format!("/C=JP/CN={name}"),
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
            "10",
            "-outform",
            "DER",
            "-out",
            &format!("{name}.der"),
        ],
    );
}

fn gencrl(dir: &Path, cnf: &str, ca: &str, out: &str) {
    openssl(
        dir,
        &[
            "ca",
            "-config",
            cnf,
            "-gencrl",
            "-keyfile",
            &format!("{ca}.key"),
            "-cert",
            &format!("{ca}.pem"),
            "-out",
            &format!("{out}.pem"),
        ],
    );
    openssl(
        dir,
        &[
            "crl",
            "-in",
            &format!("{out}.pem"),
            "-outform",
            "DER",
            "-out",
            &format!("{out}.der"),
        ],
    );
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap()
}

fn cert(dir: &Path, f: &str) -> JpkiCertificate {
    JpkiCertificate::parse(&read(dir, f)).unwrap()
}

#[test]
fn crl_checker_against_an_openssl_test_pki() {
    let dir = temp_dir("pki");
    make_ca(&dir, "ca", "/C=JP/O=MynaKit-TEST/CN=CRL test CA");
    // Same name, other key: its CRLs must not be accepted for "ca".
    make_ca(&dir, "impostor", "/C=JP/O=MynaKit-TEST/CN=CRL test CA");
    make_ca(&dir, "other", "/C=JP/O=MynaKit-TEST/CN=Other CA");
    make_leaf(&dir, "ca", "good", "0x1001");
    make_leaf(&dir, "ca", "revoked", "0x00F002");
    make_leaf(&dir, "other", "foreign", "0x1003");
    let cnf = ca_config(&dir, "db");
    openssl(
        &dir,
        &[
            "ca",
            "-config",
            &cnf,
            "-revoke",
            "revoked.der",
            "-keyfile",
            "ca.key",
            "-cert",
            "ca.pem",
        ],
    );
    gencrl(&dir, &cnf, "ca", "crl");
    let imp_cnf = ca_config(&dir, "impdb");
    gencrl(&dir, &imp_cnf, "impostor", "impostor-crl");

    let now = unix_now();
    let mut checker = CrlChecker::new(&read(&dir, "ca.der"), 86_400).unwrap();
    // Bad signature: the impostor's CRL, and our CRL with one signature byte flipped.
    assert!(matches!(
        checker.add_crl(&read(&dir, "impostor-crl.der")),
        Err(CrlError::BadSignature(_))
    ));
    let mut flipped = read(&dir, "crl.der");
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    assert!(matches!(
        checker.add_crl(&flipped),
        Err(CrlError::BadSignature(_))
    ));
    // No usable CRL yet: not checked, never good.
    assert!(matches!(
        checker.status(&cert(&dir, "good.der"), now),
        RevocationStatus::NotChecked { .. }
    ));
    checker.add_crl(&read(&dir, "crl.der")).unwrap();
    assert!(matches!(
        checker.status(&cert(&dir, "good.der"), now),
        RevocationStatus::Good { .. }
    ));
    match checker.status(&cert(&dir, "revoked.der"), now) {
        RevocationStatus::Revoked { reason } => assert!(reason.contains("F002"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Unknown: a certificate of another issuer.
    assert!(matches!(
        checker.status(&cert(&dir, "foreign.der"), now),
        RevocationStatus::NotChecked { .. }
    ));
    // Stale: after nextUpdate (1 day), and older than the allowed age.
    let stale = checker.status(&cert(&dir, "good.der"), now + 2 * 86_400);
    assert!(
        matches!(&stale, RevocationStatus::NotChecked { reason } if reason.contains("nextUpdate")),
        "{stale:?}"
    );
    let strict = {
        let mut c = CrlChecker::new(&read(&dir, "ca.der"), 60).unwrap();
        c.add_crl(&read(&dir, "crl.der")).unwrap();
        c
    };
    let old = strict.status(&cert(&dir, "good.der"), now + 3600);
    assert!(
        matches!(&old, RevocationStatus::NotChecked { reason } if reason.contains("thisUpdate")),
        "{old:?}"
    );
    // Before the CRL was issued.
    assert!(matches!(
        checker.status(&cert(&dir, "good.der"), now - 3600),
        RevocationStatus::NotChecked { .. }
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The virtual card's signing root (TEST key in test-vectors/pki) issues a CRL; the ワ
/// bundle is accepted with revocation required, and rejected once its serial is on it.
#[test]
fn wa_bundle_with_revocation() {
    let dir = temp_dir("vc");
    let pki = common::golden_dir().join("../pki");
    openssl(
        &dir,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            pki.join("jpki-test-sign-root.der").to_str().unwrap(),
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
            pki.join("jpki-test-sign-root.pk8").to_str().unwrap(),
            "-out",
            "root.key",
        ],
    );
    let leaf = common::golden_dir().join("../cards/taro/sign-cert.der");
    let cnf = ca_config(&dir, "db");
    gencrl(&dir, &cnf, "root", "empty");
    openssl(
        &dir,
        &[
            "ca",
            "-config",
            &cnf,
            "-revoke",
            leaf.to_str().unwrap(),
            "-keyfile",
            "root.key",
            "-cert",
            "root.pem",
        ],
    );
    gencrl(&dir, &cnf, "root", "revoked");

    let n = common::nonce();
    let bundle = common::sign(&n);
    let at = unix_now();
    let root = std::fs::read(pki.join("jpki-test-sign-root.der")).unwrap();
    let verifier = |crl: &str| {
        let mut c = CrlChecker::new(&root, 86_400).unwrap();
        c.add_crl(&read(&dir, crl)).unwrap();
        let mut config = VerifierConfig::with_policy(TrustPolicy::VIRTUAL_CARD).unwrap();
        config.revocation = Some(Box::new(c));
        config.revocation_required = true;
        Verifier::new(config)
    };
    let r = verifier("empty.der").verify(&bundle, &n, at);
    assert_eq!(r.verdict, Verdict::Accepted, "{r:#?}");
    let r = verifier("revoked.der").verify(&bundle, &n, at);
    assert_eq!(r.verdict, Verdict::Rejected);
    assert_eq!(r.failed(), vec!["certificate.revocation"]);
    // The same through mynakit-verify --crl: exit 0, then 1.
    std::fs::write(dir.join("bundle.json"), bundle.to_json().unwrap()).unwrap();
    let cli = |crl: &str| {
        Command::new(env!("CARGO_BIN_EXE_mynakit-verify"))
            .current_dir(&dir)
            .args([
                "bundle.json",
                "--nonce",
                &hex::encode(&n),
                "--trust",
                "virtual-card",
            ])
            .args(["--crl", crl, "--crl-issuer"])
            .arg(pki.join("jpki-test-sign-root.der"))
            .args(["--summary"])
            .output()
            .unwrap()
    };
    assert_eq!(cli("empty.der").status.code(), Some(0));
    let out = cli("revoked.der");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("revoked"));
    let _ = std::fs::remove_dir_all(&dir);
}
