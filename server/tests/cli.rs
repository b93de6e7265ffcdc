//! The `mynakit-verify` binary on the golden bundles.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mynakit-verify"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn verify_binary() {
    let dir = common::golden_dir();
    let login = dir.join("jpki_login.json");
    let login = login.to_str().unwrap();
    let nonce = hex::encode_upper(common::nonce());
    let at = "2026-12-01T09:00:00+09:00";
    // Accepted under the virtual-card policy with revocation optional.
    let (code, out) = run(&[
        login,
        "--nonce",
        &nonce,
        "--at",
        at,
        "--trust",
        "virtual-card",
        "--revocation-optional",
    ]);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "accepted");
    // Revocation required (the default) and no checker: incomplete, exit 2.
    let (code, out) = run(&[
        login,
        "--nonce",
        &nonce,
        "--at",
        at,
        "--trust",
        "virtual-card",
        "--summary",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("certificate.revocation") && out.contains("not checked"),
        "{out}"
    );
    // Production trust: the virtual card's root is refused, exit 1.
    let (code, out) = run(&[login, "--nonce", &nonce, "--at", at, "--summary"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("certificate.chain") && out.contains("FAILED"),
        "{out}"
    );
    // Another nonce (replay) and a later time (expired).
    let other = "00".repeat(32);
    let (code, out) = run(&[
        login,
        "--nonce",
        &other,
        "--at",
        at,
        "--trust",
        "virtual-card",
        "--revocation-optional",
        "--summary",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("nonce.binding") && out.contains("FAILED"),
        "{out}"
    );
    let (code, out) = run(&[
        login,
        "--nonce",
        &nonce,
        "--at",
        "2035-04-01T00:00:00Z",
        "--trust",
        "virtual-card",
        "--revocation-optional",
        "--summary",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("certificate.validity") && out.contains("FAILED"),
        "{out}"
    );
    // Usage errors.
    assert_eq!(run(&[login, "--at", at]).0, 64);
    assert_eq!(run(&[login, "--nonce", &nonce, "--at", "yesterday"]).0, 64);
}
