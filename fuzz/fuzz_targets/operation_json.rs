//! The operation of a trace header (name and JSON parameters): a typed error or an
//! operation, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit_testkit::trace::ops::Operation;
use mynakit_testkit::trace::{OperationSpec, Trace};

const NAMES: &[&str] = &[
    "token",
    "availability",
    "counters",
    "auth-cert",
    "auth-ca",
    "sign-ca",
    "sign-cert",
    "sign-auth",
    "sign",
    "demo",
    "text",
    "face",
    "session",
    "",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(params) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(rest)
    else {
        return;
    };
    let Ok(mut t) = Trace::parse(common_header()) else {
        return;
    };
    t.header.operation = OperationSpec {
        name: NAMES[usize::from(sel) % NAMES.len()].to_string(),
        params,
    };
    if sel & 0x80 != 0 {
        t.header.fixed.challenge_hex = Some(String::from_utf8_lossy(rest).into_owned());
    }
    if let Ok(op) = Operation::from_header(&t.header) {
        let _ = op.credentials();
    }
});

fn common_header() -> &'static str {
    include_str!("../../test-vectors/traces/sign-auth.trace.jsonl")
}
