//! `mynakit verify`: the server verifier from the main CLI, on the golden evidence bundles
//! (test-vectors/evidence, made on the virtual card with the nonce 00..1F). Text by
//! default, `--json`, the exit statuses, and the options of `mynakit-verify`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn evidence(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../test-vectors/evidence/{name}"))
}

/// The golden bundles' nonce: the bytes 00, 01, …, 1F.
const NONCE: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
/// Inside the virtual card's certificate validity (2025-04-01 to 2035-03-31).
const AT: &str = "2026-12-01T09:00:00+09:00";

fn mynakit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mynakit"))
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn line<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(check))
        .unwrap_or_else(|| panic!("no line for {check} in\n{out}"))
}

#[test]
fn accepted_bundle_as_text_and_json() {
    let chip = evidence("chip_read.json");
    let chip = chip.to_str().unwrap();
    let base = [
        chip,
        "--nonce",
        NONCE,
        "--at",
        AT,
        "--trust",
        "virtual-card",
    ];
    let (code, out, err) = mynakit(&base);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("Accepted chip_read at 2026-12-01T00:00:00Z"),
        "{out}"
    );
    for check in ["text.liveness", "face.liveness", "face.front_signature"] {
        assert_eq!(
            line(&out, check).split_whitespace().nth(1),
            Some("verified")
        );
    }
    let (code, out, _) = mynakit(&[&base[..], &["--json"]].concat());
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "accepted");
    assert_eq!(report["method"], "chip_read");
    assert_eq!(report["nonce"], NONCE);
    assert!(report["checks"].as_array().unwrap().len() > 10);
}

#[test]
fn rejected_incomplete_and_usage() {
    let login = evidence("jpki_login.json");
    let login = login.to_str().unwrap();
    // Revocation is required by default and nothing checks it: incomplete, exit 2.
    let (code, out, _) = mynakit(&[
        login,
        "--nonce",
        NONCE,
        "--at",
        AT,
        "--trust",
        "virtual-card",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(line(&out, "certificate.revocation").contains("not checked"));
    // Production trust refuses the virtual card's root: exit 1.
    let (code, out, _) = mynakit(&[login, "--nonce", NONCE, "--at", AT]);
    assert_eq!(code, 1, "{out}");
    assert!(line(&out, "certificate.chain").contains("FAILED"));
    // Another nonce (a replay), JSON.
    let other = "AA".repeat(32);
    let (code, out, _) = mynakit(&[
        login,
        "--nonce",
        &other,
        "--at",
        AT,
        "--trust",
        "virtual-card",
        "--revocation-optional",
        "--json",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "rejected");
    let binding = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "nonce.binding")
        .unwrap();
    assert_eq!(binding["result"], "failed", "{binding}");
    // A bundle from standard input, changed in one hex digit of the signature.
    let text = std::fs::read_to_string(evidence("jpki_login.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sig = value["evidence"]["signature"].as_str().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        if sig.starts_with('0') { "1" } else { "0" },
        &sig[1..]
    );
    let tampered = text.replace(&sig, &flipped);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mynakit"))
        .args([
            "verify",
            "-",
            "--nonce",
            NONCE,
            "--at",
            AT,
            "--trust",
            "virtual-card",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), tampered.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(line(&stdout, "signature").contains("FAILED"), "{stdout}");
    // Usage: no nonce, a bad time, an unknown option; --ocsp without its issuer; --help.
    for bad in [
        vec![login, "--at", AT],
        vec![login, "--nonce", NONCE, "--at", "yesterday"],
        vec![login, "--nonce", NONCE, "--frobnicate"],
    ] {
        let (code, _, err) = mynakit(&bad);
        assert_eq!(code, 64, "{bad:?}: {err}");
        assert!(err.contains("usage: mynakit verify"), "{err}");
    }
    let (code, _, err) = mynakit(&[login, "--nonce", NONCE, "--ocsp", "http://127.0.0.1:9/"]);
    assert_eq!(code, 64);
    assert!(err.contains("--ocsp needs --ocsp-issuer"), "{err}");
    let (code, out, _) = mynakit(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--ocsp URL") && out.contains("--trust POLICY"),
        "{out}"
    );
}
