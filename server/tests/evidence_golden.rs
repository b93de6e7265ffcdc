//! The golden evidence bundles under test-vectors/evidence are exactly what the phone-side
//! builders produce from the virtual card (regenerate with
//! `MYNAKIT_REGEN_EVIDENCE=1 cargo test -p mynakit-server --test evidence_golden`), they
//! read back to the same value, and they verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use mynakit::evidence::Evidence;
use mynakit_server::Verdict;

#[test]
fn goldens_are_regenerated_identically() {
    let dir = common::golden_dir();
    let regen = std::env::var_os("MYNAKIT_REGEN_EVIDENCE").is_some();
    if regen {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (name, bundle) in common::all(&common::nonce()) {
        let json = bundle.to_json().unwrap() + "\n";
        let path = dir.join(name);
        if regen {
            std::fs::write(&path, &json).unwrap();
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (regenerate, see the file header)", path.display())
        });
        assert!(
            stored == json,
            "{name} differs from a fresh run on the virtual card; regenerate with MYNAKIT_REGEN_EVIDENCE=1"
        );
        assert_eq!(
            Evidence::from_json(stored.as_bytes()).unwrap(),
            bundle,
            "{name}"
        );
    }
}

#[test]
fn goldens_verify() {
    let v = common::verifier();
    for (name, _) in common::all(&common::nonce()) {
        let bytes = std::fs::read(common::golden_dir().join(name)).unwrap();
        let report = v.verify_json(&bytes, &common::nonce(), common::AT);
        let expected = if name == "face_to_face_minimal.json" {
            Verdict::Incomplete
        } else {
            Verdict::Accepted
        };
        assert_eq!(report.verdict, expected, "{name}: {report:#?}");
    }
}

#[test]
fn bundle_shape() {
    let text = std::fs::read_to_string(common::golden_dir().join("chip_read.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "mynakit-evidence");
    assert_eq!(v["version"], 1);
    assert_eq!(v["evidence"]["method"], "chip_read");
    assert_eq!(v["evidence"]["text"]["unlocked_with"], "pin");
    assert_eq!(v["evidence"]["text"]["my_number"], serde_json::Value::Null);
    assert_eq!(v["evidence"]["face"]["unlocked_with"], "code_b");
    // Independent reading of the raw bytes: the attributes EF starts FF20, the CV
    // certificate 7F21 (card-protocol §9.3), the card face FF20.
    let attrs = v["evidence"]["text"]["attributes"].as_str().unwrap();
    assert!(attrs.starts_with("FF20"), "{attrs:.8}");
    assert!(
        v["evidence"]["text"]["cv_certificate"]
            .as_str()
            .unwrap()
            .starts_with("7F21")
    );
    assert!(
        v["evidence"]["face"]["front"]
            .as_str()
            .unwrap()
            .starts_with("FF20")
    );
    // Unknown fields and lower-case hex are refused.
    let mut extra = v.clone();
    extra["evidence"]["text"]["verified"] = serde_json::Value::Bool(true);
    assert!(Evidence::from_json(extra.to_string().as_bytes()).is_err());
    let mut lower = v.clone();
    lower["nonce"] = serde_json::Value::String("000102030405060708090a0b0c0d0e0f".into());
    assert!(Evidence::from_json(lower.to_string().as_bytes()).is_err());
    let minimal =
        std::fs::read_to_string(common::golden_dir().join("face_to_face_minimal.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&minimal).unwrap();
    assert_eq!(m["evidence"]["retention"], "minimal");
    assert_eq!(m["evidence"]["expiry_year"], 2035);
    assert_eq!(m["evidence"]["security_code"], "5678");
}

/// The goldens validate against docs/evidence.schema.json (Python `jsonschema`, an
/// independent implementation; skipped with a message when it is not installed, unless
/// `MYNAKIT_REQUIRE_JSONSCHEMA` is set, as scripts/test-rust.sh does after installing it).
#[test]
fn goldens_match_the_json_schema() {
    const SCRIPT: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for f in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(f))):
        print(f, e.message[:300]); bad += 1
b = json.load(open(sys.argv[2])); b["evidence"]["extra"] = 1
if not list(v.iter_errors(b)):
    print("a bundle with an extra field validated"); bad += 1
sys.exit(1 if bad else 0)
"#;
    let probe = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("MYNAKIT_REQUIRE_JSONSCHEMA").is_none(),
            "python3 with jsonschema is required (MYNAKIT_REQUIRE_JSONSCHEMA is set)"
        );
        eprintln!("SKIPPED: python3 with jsonschema is not installed");
        return;
    }
    let dir = common::golden_dir();
    let schema = dir.join("../../docs/evidence.schema.json");
    let mut cmd = std::process::Command::new("python3");
    cmd.args(["-c", SCRIPT]).arg(&schema);
    for (name, _) in common::all(&common::nonce()) {
        cmd.arg(dir.join(name));
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
