//! Trace format versions: a file written by an earlier MynaKit still reads and replays to
//! the result recorded with it; a file of a newer version is refused with a message naming
//! both versions and asking for an upgrade; a malformed version is refused, never guessed.
//!
//! The fixtures in `test-vectors/traces/compat/` are byte-for-byte copies of golden traces
//! and expected results from the commit that introduced `mynakit-trace/1` (4c4c6c6). Their
//! headers differ from what today's writer produces (no `trust.accept_sha1_certificates`,
//! `protocol.sign_key_by_sfi` false), which is what a compatibility reader must absorb.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use mynakit_testkit::trace::format::{
    OLDEST_TRACE_FORMAT_VERSION, TRACE_FORMAT_NAME, TRACE_FORMAT_VERSION, format_version,
};
use mynakit_testkit::trace::ops::{self, Outcome};
use mynakit_testkit::trace::{ReplayMode, TRACE_FORMAT, Trace};

fn compat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/traces/compat")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(compat_dir().join(name)).unwrap()
}

/// The v1 fixtures: (name, exchanges in the file, APDUs the replay uses).
const V1_FIXTURES: &[(&str, usize)] = &[
    ("v1-auth-cert", 7),
    ("v1-sign-auth-wrong-pin", 3),
    ("v1-demo", 21),
    ("v1-sign-cert-scrubbed", 9),
];

fn header_value(text: &str) -> serde_json::Value {
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

/// `text` with its header's `format` replaced by `format` (any JSON value).
fn with_format(text: &str, format: serde_json::Value) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut header = header_value(text);
    header["format"] = format;
    lines[0] = serde_json::to_string(&header).unwrap();
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn parse_error(text: &str) -> (Option<usize>, String) {
    let e = Trace::parse(text).expect_err("the trace must be refused");
    (e.line, e.message)
}

#[test]
fn the_fixtures_are_version_1_files_of_the_first_release() {
    for &(name, exchanges) in V1_FIXTURES {
        let text = read(&format!("{name}.trace.jsonl"));
        let header = header_value(&text);
        // Read independently of the parser: the raw header says version 1 ...
        assert_eq!(header["format"], "mynakit-trace/1", "{name}");
        // ... and carries the first release's trust object (two fields; the third,
        // accept_sha1_certificates, came later) and its protocol options.
        let trust = header["trust"].as_object().unwrap();
        assert_eq!(trust.len(), 2, "{name}: {trust:?}");
        assert!(!trust.contains_key("accept_sha1_certificates"), "{name}");
        assert_eq!(header["protocol"]["sign_key_by_sfi"], false, "{name}");
        // Lines: header + exchanges + end line.
        assert_eq!(text.lines().count(), exchanges + 2, "{name}");
    }
}

#[test]
fn version_1_files_replay_to_the_result_recorded_with_them() {
    for &(name, exchanges) in V1_FIXTURES {
        let trace = Trace::parse(&read(&format!("{name}.trace.jsonl")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(trace.exchanges.len(), exchanges, "{name}");
        // Read line by line too (the CLI's path).
        let streamed = Trace::read_from(read(&format!("{name}.trace.jsonl")).as_bytes()).unwrap();
        assert_eq!(streamed, trace, "{name}");
        // The migrated form carries the fields the first release did not write at their
        // defaults: SHA-1 certificates refused, as the first release did.
        assert!(!trace.header.trust.accept_sha1_certificates, "{name}");
        assert!(!trace.header.protocol.sign_key_by_sfi, "{name}");

        let expected = Outcome::from_json(&read(&format!("{name}.expected.json"))).unwrap();
        let report = ops::replay(&trace, ReplayMode::Strict, Vec::new())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            report.outcome,
            expected,
            "{name}: {:?}",
            expected.differences(&report.outcome)
        );
        if !trace.header.scrubbed {
            assert_eq!(report.exchanges_used, exchanges, "{name}");
        }
        assert!(report.max_verify_per_credential <= 1, "{name}");
    }
}

#[test]
fn a_version_1_file_written_again_is_current_and_replays_the_same() {
    let trace = Trace::parse(&read("v1-demo.trace.jsonl")).unwrap();
    let rewritten = trace.to_jsonl().unwrap();
    assert!(
        rewritten.starts_with(&format!("{{\"format\":\"{TRACE_FORMAT}\"")),
        "{}",
        &rewritten[..40]
    );
    let again = Trace::parse(&rewritten).unwrap();
    assert_eq!(again, trace);
    let a = ops::replay(&trace, ReplayMode::Strict, Vec::new()).unwrap();
    let b = ops::replay(&again, ReplayMode::Strict, Vec::new()).unwrap();
    assert_eq!(a.outcome, b.outcome);
}

#[test]
fn a_newer_version_is_refused_with_both_versions_and_an_upgrade_hint() {
    let text = read("v1-auth-cert.trace.jsonl");
    let newer = TRACE_FORMAT_VERSION + 1;
    let newer_id = format!("{TRACE_FORMAT_NAME}/{newer}");
    for format in [newer_id.clone(), "mynakit-trace/4294967295".to_string()] {
        let (line, msg) = parse_error(&with_format(&text, format.clone().into()));
        assert_eq!(line, Some(1), "{msg}");
        assert!(msg.contains(&format), "names the file's version: {msg}");
        assert!(
            msg.contains(TRACE_FORMAT),
            "names the version this MynaKit reads: {msg}"
        );
        assert!(msg.contains("newer than this MynaKit"), "{msg}");
        assert!(msg.contains("upgrade MynaKit"), "{msg}");
        // The streaming reader says the same.
        let streamed = Trace::read_from(with_format(&text, format.into()).as_bytes())
            .err()
            .unwrap();
        assert_eq!(streamed.message, msg);
    }
    // A newer file is refused on its header, whatever its later lines hold (a v2 file
    // may have lines a v1 reader cannot read).
    let mut lines: Vec<String> = with_format(&text, newer_id.clone().into())
        .lines()
        .map(str::to_string)
        .collect();
    lines[1] = r#"{"seq":0,"apdu":{"c":"00A4"},"t_us":1234}"#.into();
    let (line, msg) = parse_error(&(lines.join("\n") + "\n"));
    assert_eq!(line, Some(1));
    assert!(msg.contains(&newer_id), "{msg}");
    // The function tools use on a raw header says the same.
    let e = format_version(&newer_id).err().unwrap();
    assert!(e.message.contains("upgrade MynaKit"), "{}", e.message);
}

#[test]
fn malformed_versions_are_refused() {
    let text = read("v1-auth-cert.trace.jsonl");
    let cases: &[(serde_json::Value, &str)] = &[
        ("mynakit-trace/".into(), "the version is missing"),
        ("mynakit-trace/x".into(), "not a whole decimal number"),
        ("mynakit-trace/1.0".into(), "not a whole decimal number"),
        ("mynakit-trace/1 ".into(), "not a whole decimal number"),
        ("mynakit-trace/+1".into(), "not a whole decimal number"),
        ("mynakit-trace/-1".into(), "not a whole decimal number"),
        ("mynakit-trace/01".into(), "leading zero"),
        ("mynakit-trace/0".into(), "versions start at 1"),
        (
            "mynakit-trace/99999999999999999999".into(),
            "version number is too large",
        ),
        ("mynakit-trace/١".into(), "not a whole decimal number"),
        ("mynakit-trace".into(), "not a MynaKit trace"),
        ("mynakit-trace-result/1".into(), "not a MynaKit trace"),
        ("MYNAKIT-TRACE/1".into(), "not a MynaKit trace"),
        ("".into(), "not a MynaKit trace"),
        (serde_json::json!(1), "not a string"),
        (serde_json::json!(null), "no \"format\" field"),
        (serde_json::json!(["mynakit-trace/1"]), "not a string"),
    ];
    for (format, why) in cases {
        let (line, msg) = parse_error(&with_format(&text, format.clone()));
        assert_eq!(line, Some(1), "{format}: {msg}");
        assert!(msg.contains(why), "{format}: {msg}");
        if format.is_string() && !msg.contains("not a MynaKit trace") {
            assert!(msg.contains("malformed trace format version"), "{msg}");
            assert!(msg.contains(TRACE_FORMAT), "{msg}");
        }
    }
    // A very long identifier is cut in the message.
    let long = format!("mynakit-trace/{}", "9".repeat(5000));
    let (_, msg) = parse_error(&with_format(&text, long.into()));
    assert!(msg.len() < 400, "{} bytes", msg.len());
    // No format field at all.
    let mut header = header_value(&text);
    header.as_object_mut().unwrap().remove("format");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0] = serde_json::to_string(&header).unwrap();
    let (_, msg) = parse_error(&(lines.join("\n") + "\n"));
    assert!(msg.contains("no \"format\" field"), "{msg}");
}

#[test]
fn every_version_in_the_readable_range_is_accepted_by_the_version_check() {
    for v in OLDEST_TRACE_FORMAT_VERSION..=TRACE_FORMAT_VERSION {
        assert_eq!(
            format_version(&format!("{TRACE_FORMAT_NAME}/{v}")).ok(),
            Some(v)
        );
    }
    assert_eq!(format_version("mynakit-trace/1").ok(), Some(1));
}
