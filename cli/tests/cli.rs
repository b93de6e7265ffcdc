//! The `mynakit` binary as QA uses it: trust options, the 8 counters, `demo --card`, auth
//! certificate on smartphone tokens, `sign --no-cert/--cert`, one verification JSON shape,
//! and the PC/SC-less default build. Each runs the built binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
    fn apdus(&self) -> u32 {
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("stats: apdus="))
            .unwrap_or_else(|| panic!("no stats line: {}", self.stderr));
        line["stats: apdus=".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mynakit"));
    cmd.args(args).current_dir(root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run mynakit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The one verification shape: `result` and `checks[]` of `name`, `result`, optional
/// `reason`/`detail`; returns the check named `name`.
fn check<'a>(v: &'a Value, name: &str) -> &'a Value {
    let ver = &v["verification"];
    let overall = ver["result"].as_str().expect("verification.result");
    assert!(
        ["verified", "failed", "not_checked"].contains(&overall),
        "{ver}"
    );
    let checks = ver["checks"].as_array().expect("verification.checks");
    for c in checks {
        assert!(c["name"].is_string(), "{c}");
        let r = c["result"].as_str().unwrap();
        assert!(["verified", "failed", "not_checked"].contains(&r), "{c}");
        if r != "verified" {
            assert!(c["reason"].is_string(), "a {r} check says why: {c}");
        }
    }
    checks
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {ver}"))
}

// SHA-256 of testkit/trust-anchors/jpki-test/*.cer, by `sha256sum` (not by MynaKit).
const AUTHCA_TEST_2023_SHA256: &str =
    "5A0E7D690C718FADEBC7FB6EFF66A6DD623458DEBC1AA6FB1778BFE157CBEB25";
const SIGNCA_TEST_2024_SHA256: &str =
    "8126DF7DD2DB230BD8EE48CAA40FC3417DDE3607050ED34973D8D3CF267FE723";
/// 2027-01-15: inside the J-LIS test certificates' validity (2025-10-27 to 2030-02-17).
const AT: &str = "1800000000";

// ------------------------------------------------------------------ PC/SC opt-in

#[cfg(not(feature = "pcsc"))]
#[test]
fn pcsc_in_a_build_without_it_says_how_to_rebuild() {
    for args in [
        &["readers"][..],
        &["jpki", "--card", "pcsc", "token"],
        &["counters", "--card", "pcsc:ACR39U"],
        &["demo", "--card", "pcsc", "--pin-env", "X"],
    ] {
        let r = run(args, &[("X", "1234")]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("built without PC/SC support")
                && r.stderr.contains("rebuild with `--features pcsc`"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn host_only_commands_open_no_card() {
    // `--card pcsc` is not even opened (and so needs no PC/SC) for the host-only commands.
    let cert = data("jlis-test-auth-cert.der");
    let r = run(
        &[
            "jpki",
            "--card",
            "pcsc",
            "chain",
            "--cert",
            p(&cert),
            "--at",
            AT,
            "--trust",
            "jlis-test",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &[
            "jpki",
            "--card",
            "pcsc",
            "verify",
            "--cert",
            p(&cert),
            "--signature",
            "00",
            "--message",
            "m",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("signature NOT verified"),
        "{}",
        r.stdout
    );
}

#[cfg(feature = "pcsc")]
#[test]
fn pcsc_in_a_build_with_it_does_not_ask_for_a_rebuild() {
    let r = run(&["readers"], &[]);
    assert!(!r.stderr.contains("rebuild with"), "{}", r.stderr);
}

// ------------------------------------------------------------------ counters

#[test]
fn counters_lists_all_eight_credentials_without_spending_a_try() {
    let r = run(&["counters", "--json", "--stats"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let rows = v["counters"].as_array().unwrap();
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["credential"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "jpki_auth_pin",
            "jpki_sign_password",
            "text_pin",
            "text_code_a",
            "text_code_b",
            "face_code_a",
            "face_code_b",
            "face_birth_key"
        ]
    );
    for row in rows {
        assert_eq!(row["available"], true, "{row}");
        assert_eq!(row["status"]["state"], "remaining", "{row}");
        assert!(row["status"]["remaining"].as_u64().unwrap() >= 1, "{row}");
        assert!(row.get("error").is_none(), "{row}");
    }
    // The documented maxima on a fresh card (card-protocol §5.1, §13 #15): 3, 5 and 3 tries,
    // 10 for 照合番号B; 照合番号A and the birth-date key have none.
    assert_eq!(rows[0]["status"]["remaining"], 3);
    assert_eq!(rows[1]["status"]["remaining"], 5);
    assert_eq!(rows[2]["status"]["remaining"], 3);
    assert_eq!(rows[4]["status"]["remaining"], 10);
    assert_eq!(rows[6]["status"]["remaining"], 10);
    assert_eq!(rows[0]["documented_max_tries"], 3);
    assert_eq!(rows[3]["documented_max_tries"], Value::Null);
    assert_eq!(rows[4]["documented_max_tries"], 10);
    assert_eq!(rows[7]["documented_max_tries"], Value::Null);
    // Only counter queries: no VERIFY with data, so nothing can be spent; 8 queries at most
    // 3 SELECT application + 8 SELECT EF (a card that refuses the short-EF form).
    let apdus = r.apdus();
    assert!((11..=19 + 3).contains(&apdus), "{apdus} APDUs");

    // Text output: one line per credential.
    let t = run(&["counters"], &[]);
    assert_eq!(t.code, 0);
    assert_eq!(t.stdout.lines().count(), 8, "{}", t.stdout);
    assert!(t.stdout.contains("face_birth_key"), "{}", t.stdout);
}

#[test]
fn counters_marks_a_credential_the_card_lacks() {
    // hanako is under 15: no signing password.
    let r = run(&["counters", "--card", "sim:hanako", "--json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let sign = &v["counters"][1];
    assert_eq!(sign["credential"], "jpki_sign_password");
    assert_eq!(sign["available"], false);
    assert_eq!(sign["status"], Value::Null);
    assert_eq!(v["counters"][0]["available"], true);
}

#[test]
fn counters_rejects_an_unknown_card_source() {
    let r = run(&["counters", "--card", "nfc"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown card source"), "{}", r.stderr);
}

// ------------------------------------------------------------------ demo --card

#[test]
fn demo_replays_the_golden_demo_trace() {
    let trace = root().join("test-vectors/traces/demo.trace.jsonl");
    let spec = format!("replay:{}", p(&trace));
    let r = run(&["demo", "--card", &spec, "--json"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["all_checks_passed"], true);
    assert_eq!(v["verification"]["result"], "verified");
    assert_eq!(check(&v, "auth certificate chain")["result"], "verified");
    assert_eq!(check(&v, "signing certificate chain")["result"], "verified");
    // The challenge and the signature are the trace's own: the fixed challenge of the
    // header, and the response of the last exchange (COMPUTE DIGITAL SIGNATURE) minus 9000.
    let text = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        v["signature"]["challenge_hex"],
        lines[0]["fixed"]["challenge_hex"]
    );
    let last = lines.iter().rev().find(|l| l["cmd"].is_string()).unwrap();
    assert!(last["cmd"].as_str().unwrap().starts_with("802A"));
    let rsp = last["rsp"].as_str().unwrap();
    assert_eq!(v["signature"]["signature_hex"], rsp[..rsp.len() - 4]);
    assert_eq!(
        v["total"]["apdus"].as_u64().unwrap(),
        lines.iter().filter(|l| l["cmd"].is_string()).count() as u64
    );
}

#[test]
fn demo_refuses_a_trace_of_another_operation_and_conflicting_options() {
    let trace = root().join("test-vectors/traces/auth-cert.trace.jsonl");
    let r = run(&["demo", "--card", &format!("replay:{}", p(&trace))], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("records `auth-cert`, not `demo`"),
        "{}",
        r.stderr
    );

    let r = run(&["demo", "--profile", "hanako", "--card", "sim:taro"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--profile or --card"), "{}", r.stderr);

    let r = run(&["demo", "--card", "replay:/nonexistent/x.jsonl"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[test]
fn demo_on_the_virtual_card_has_one_verification() {
    let r = run(&["demo", "--json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["verification"]["result"], "verified");
    assert_eq!(check(&v, "face: card face signature")["result"], "verified");
    assert_eq!(
        check(&v, "text liveness: challenge signed by the card key")["result"],
        "verified"
    );
    // The age record is not readable under 照合番号A: not part of the demo's checks.
    assert!(
        !v["verification"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"].as_str().unwrap().contains("age record"))
    );
}

// ------------------------------------------------------------------ trust options

#[test]
fn jlis_test_certificates_need_the_jlis_test_trust() {
    let cert = data("jlis-test-auth-cert.der");
    let r = run(
        &["jpki", "chain", "--cert", p(&cert), "--at", AT, "--json"],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    let c = check(&v, "certificate chain");
    assert_eq!(c["result"], "failed");
    assert!(
        c["reason"].as_str().unwrap().contains("does not accept"),
        "{c}"
    );

    let r = run(
        &[
            "jpki",
            "chain",
            "--cert",
            p(&cert),
            "--at",
            AT,
            "--trust",
            "jlis-test",
            "--json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["verification"]["result"], "verified");
    let c = check(&v, "certificate chain");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains(AUTHCA_TEST_2023_SHA256),
        "{c}"
    );
}

#[test]
fn trust_root_accepts_der_and_pem() {
    let cert = data("jlis-test-sign-cert.der");
    let der_root = root().join("testkit/trust-anchors/jpki-test/signca-test-2024.cer");
    for root_file in [der_root, data("signca-test-2024.pem")] {
        let r = run(
            &[
                "jpki",
                "chain",
                "--cert",
                p(&cert),
                "--at",
                AT,
                "--trust-root",
                p(&root_file),
                "--json",
            ],
            &[],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v = r.json();
        let c = check(&v, "certificate chain");
        let detail = c["detail"].as_str().unwrap();
        assert!(detail.contains("--trust-root"), "{detail}");
        assert!(detail.contains(SIGNCA_TEST_2024_SHA256), "{detail}");
    }
    // A root for the other hierarchy does not help.
    let r = run(
        &[
            "jpki",
            "chain",
            "--cert",
            p(&cert),
            "--at",
            AT,
            "--trust-root",
            p(&root().join("testkit/trust-anchors/jpki-test/authca-test-2023.cer")),
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn bad_trust_options_are_errors_before_any_card_contact() {
    let cert = data("jlis-test-auth-cert.der");
    let garbage = std::env::temp_dir().join(format!("mynakit-cli-garbage-{}", std::process::id()));
    std::fs::write(&garbage, b"not a certificate\n").unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["--trust", "jlis"], "unknown trust set \"jlis\""),
        (
            &["--trust-root", "/nonexistent/root.der"],
            "cannot read /nonexistent/root.der",
        ),
        (
            &["--trust-root", p(&garbage)],
            "neither a DER certificate nor",
        ),
        // A leaf is not a root.
        (&["--trust-root", p(&cert)], "is not a CA certificate"),
        (
            &["--cv-ca", "/nonexistent/keys.txt"],
            "cannot read /nonexistent/keys.txt",
        ),
        (&["--cv-ca", p(&garbage)], "CV CA key list line 1"),
    ];
    for (extra, want) in cases {
        // --stats would print a line if a card session were opened.
        let mut args = vec!["jpki", "--stats", "cert", "auth", "--verify"];
        args.extend_from_slice(extra);
        let r = run(&args, &[]);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{extra:?}: {}", r.stderr);
        assert!(!r.stderr.contains("stats:"), "{extra:?}: a card was opened");
    }
    // The same options on the other verifying commands.
    for args in [
        &["demo", "--trust", "nope"][..],
        &["text", "--trust", "nope", "--pin-env", "X"],
        &["face", "--trust", "nope", "--pin-env", "X"],
        &["counters", "--trust", "nope"],
    ] {
        let r = run(args, &[("X", "1234")]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("unknown trust set"),
            "{args:?}: {}",
            r.stderr
        );
    }
    std::fs::remove_file(&garbage).ok();
}

/// The golden text trace with its recorded trust narrowed to production: the virtual card's
/// CV CA is then unknown unless `--cv-ca` supplies it.
fn production_text_trace() -> PathBuf {
    let text =
        std::fs::read_to_string(root().join("test-vectors/traces/text.trace.jsonl")).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    let mut h: Value = serde_json::from_str(header).unwrap();
    h["trust"]["accept_virtual_card"] = Value::Bool(false);
    let out = std::env::temp_dir().join(format!("mynakit-cli-text-{}.jsonl", std::process::id()));
    std::fs::write(&out, format!("{h}\n{rest}")).unwrap();
    out
}

#[test]
fn cv_ca_key_lists_make_a_cv_check_verifiable() {
    let trace = production_text_trace();
    let card = format!("replay:{}", p(&trace));
    let name = "CV certificate signed by the CV CA";
    let env = [("PIN", "0000")]; // the trace holds no secret: any 4 digits replay
    let r = run(
        &["text", "--card", &card, "--pin-env", "PIN", "--json"],
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(check(&v, name)["result"], "not_checked");
    assert_eq!(v["verification"]["result"], "not_checked");

    let keys = data("virtual-cv-ca.txt");
    let r = run(
        &[
            "text",
            "--card",
            &card,
            "--pin-env",
            "PIN",
            "--json",
            "--cv-ca",
            p(&keys),
        ],
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(check(&v, name)["result"], "verified");
    assert_eq!(v["verification"]["result"], "verified");
    // The core's own nested shape is replaced, not duplicated.
    assert!(v["verification"].get("checks").is_some());
    assert!(v["verification"]["checks"][0].get("outcome").is_none());

    // The J-LIS TEST CV CA keys do not sign the virtual card's CV certificate.
    let r = run(
        &[
            "text",
            "--card",
            &card,
            "--pin-env",
            "PIN",
            "--json",
            "--trust",
            "jlis-test",
        ],
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(check(&r.json(), name)["result"], "not_checked");
    std::fs::remove_file(&trace).ok();
}

// ------------------------------------------------------------------ cert auth --pin-env

/// A copy of the taro profile whose token says it is an Android smartphone.
fn phone_profile() -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    // The profile names its keys relative to itself (`../../pki/…`): copy that layout.
    let base = std::env::temp_dir().join(format!("mynakit-cli-phone-{}", std::process::id()));
    let dir = base.join("cards/taro");
    copy(&root().join("test-vectors/cards/taro"), &dir);
    copy(&root().join("test-vectors/pki"), &base.join("pki"));
    let json = dir.join("profile.json");
    let s = std::fs::read_to_string(&json).unwrap();
    assert!(s.contains("\"JPKIAPICCTOKEN2\""));
    std::fs::write(
        &json,
        s.replace("\"JPKIAPICCTOKEN2\"", "\"JPKIAPGPSETOKEN\""),
    )
    .unwrap();
    dir
}

#[test]
fn cert_auth_presents_the_pin_first_on_a_smartphone_token_only() {
    let dir = phone_profile();
    let card = format!("sim:{}", p(&dir.join("profile.json")));
    let r = run(&["jpki", "--card", &card, "cert", "auth"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--pin-env"), "{}", r.stderr);

    let r = run(
        &[
            "jpki",
            "--card",
            &card,
            "--json",
            "cert",
            "auth",
            "--pin-env",
            "PIN",
            "--verify",
        ],
        &[("PIN", "1234")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(check(&r.json(), "certificate chain")["result"], "verified");

    // A wrong PIN on the phone token is presented once (and reported), never retried.
    let r = run(
        &["jpki", "--card", &card, "cert", "auth", "--pin-env", "PIN"],
        &[("PIN", "9999")],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("2 tries remaining"), "{}", r.stderr);

    // The demo works on the phone token too (PIN before the certificate, one VERIFY).
    let r = run(&["demo", "--card", &card, "--json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::remove_dir_all(dir.join("../..")).ok();

    // On the plastic card the PIN is not presented: a wrong one costs nothing.
    let plain = run(&["jpki", "--stats", "cert", "auth"], &[]);
    let with = run(
        &["jpki", "--stats", "cert", "auth", "--pin-env", "PIN"],
        &[("PIN", "9999")],
    );
    assert_eq!(with.code, 0, "{}", with.stderr);
    assert_eq!(with.stdout, plain.stdout);
    assert_eq!(
        with.apdus(),
        plain.apdus() + 1,
        "only the token label is read"
    );
}

// ------------------------------------------------------------------ sign

#[test]
fn sign_can_skip_the_certificate_or_use_a_given_one() {
    let env = [("PIN", "1234")];
    let base = [
        "jpki",
        "--stats",
        "--json",
        "sign",
        "--key",
        "auth",
        "--message",
        "hi",
        "--pin-env",
        "PIN",
    ];
    let full = run(&base, &env);
    assert_eq!(full.code, 0, "{}", full.stderr);
    let fv = full.json();
    assert_eq!(
        check(&fv, "signature (certificate read from the card)")["result"],
        "verified"
    );

    let mut a = base.to_vec();
    a.push("--no-cert");
    let none = run(&a, &env);
    assert_eq!(none.code, 0, "{}", none.stderr);
    let nv = none.json();
    assert_eq!(check(&nv, "signature")["result"], "not_checked");
    assert_eq!(nv["signature"]["signature"], fv["signature"]["signature"]);
    assert!(
        none.apdus() < full.apdus(),
        "{} vs {}",
        none.apdus(),
        full.apdus()
    );

    // The card's own certificate as a file: same verdict, as few APDUs as --no-cert.
    let der = std::env::temp_dir().join(format!("mynakit-cli-auth-{}.der", std::process::id()));
    let r = run(&["jpki", "cert", "auth", "--out", p(&der)], &[]);
    assert_eq!(r.code, 0);
    let label = format!("signature (certificate {})", p(&der));
    let mut a = base.to_vec();
    a.extend(["--cert", p(&der), "--verify"]);
    let given = run(&a, &env);
    assert_eq!(given.code, 0, "{}", given.stderr);
    let gv = given.json();
    assert_eq!(check(&gv, &label)["result"], "verified");
    assert_eq!(check(&gv, "certificate chain")["result"], "verified");
    assert_eq!(given.apdus(), none.apdus());
    std::fs::remove_file(&der).ok();

    // Another key's certificate: the signature fails, exit 1.
    let other = data("jlis-test-auth-cert.der");
    let mut a = base.to_vec();
    a.extend(["--cert", p(&other)]);
    let wrong = run(&a, &env);
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert_eq!(wrong.json()["verification"]["result"], "failed");

    // A missing file is an error before the card is touched.
    let mut a = base.to_vec();
    a.extend(["--cert", "/nonexistent/c.der"]);
    let r = run(&a, &env);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot read /nonexistent/c.der"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("stats:"));

    let mut a = base.to_vec();
    a.extend(["--cert", p(&other), "--no-cert"]);
    assert_eq!(run(&a, &env).code, 2, "--cert and --no-cert conflict");
}

#[test]
fn jpki_verify_and_cert_verify_use_the_same_shape() {
    let r = run(&["jpki", "--json", "cert", "auth", "--verify"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(check(&r.json(), "certificate chain")["result"], "verified");
    // Without --verify no verification is claimed.
    let r = run(&["jpki", "--json", "cert", "auth"], &[]);
    assert!(r.json().get("verification").is_none());

    let der = std::env::temp_dir().join(format!("mynakit-cli-vauth-{}.der", std::process::id()));
    assert_eq!(
        run(&["jpki", "cert", "auth", "--out", p(&der)], &[]).code,
        0
    );
    let s = run(
        &[
            "jpki",
            "--json",
            "sign",
            "--key",
            "auth",
            "--message",
            "m",
            "--pin-env",
            "PIN",
            "--no-cert",
        ],
        &[("PIN", "1234")],
    );
    let sig = s.json()["signature"]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    let r = run(
        &[
            "jpki",
            "--json",
            "verify",
            "--cert",
            p(&der),
            "--signature",
            &sig,
            "--message",
            "m",
            "--chain",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(check(&v, "signature")["result"], "verified");
    assert_eq!(check(&v, "certificate chain")["result"], "verified");
    let r = run(
        &[
            "jpki",
            "verify",
            "--cert",
            p(&der),
            "--signature",
            &sig,
            "--message",
            "other",
        ],
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.starts_with("signature NOT verified"),
        "{}",
        r.stdout
    );
    std::fs::remove_file(&der).ok();
}

/// A trace file over the format's size cap is refused without being read whole (issue 13:
/// the CLI used to read the file into memory before any bound applied).
#[test]
fn oversized_trace_files_are_refused_by_the_cli() {
    let dir = std::env::temp_dir().join(format!("mynakit-cli-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.trace.jsonl");
    // 17 MiB of newlines: more than the 16 MiB cap on a trace file.
    std::fs::write(&big, vec![b'\n'; 17 << 20]).unwrap();
    for args in [
        vec!["trace", "show", p(&big)],
        vec!["jpki", "--card", &format!("replay:{}", p(&big)), "token"],
    ] {
        let r = run(&args, &[]);
        assert_ne!(r.code, 0, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains("trace") || r.stderr.contains("Trace"),
            "{args:?}: {}",
            r.stderr
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
