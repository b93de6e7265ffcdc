//! Hostile trace files (issue 13, item 3): every bound on trace input has a test with the
//! input that found the problem. Secret lengths of 10^12 or `u64::MAX` once aborted the
//! process on allocation or panicked on an overflow; a 100 MB file of newlines took
//! 1.75 GB before the first error. Each case must now be a typed, line-numbered error,
//! found quickly and with memory that does not grow with the hostile size.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mynakit::{Credential, ExchangeHint, Transport};
use mynakit_testkit::trace::format::{MAX_LINE_BYTES, MAX_SECRET_LEN, MAX_TRACE_BYTES};
use mynakit_testkit::trace::ops;
use mynakit_testkit::trace::{Redacted, ReplayMode, ReplayTransport, SecretInfo, Trace};

/// The tests of this file run one at a time, so memory measured by one is its own.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Peak resident memory of this process (kB), from `/proc/self/status`.
fn peak_rss_kb() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `f` and returns its result with the growth of the process's peak resident memory
/// while it ran, in bytes (Linux: the peak is reset through `/proc/self/clear_refs`).
/// `None` where the kernel does not offer this; the callers then check time only.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, Option<usize>) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = peak_rss_kb().filter(|_| reset);
    let r = f();
    let growth = before.and_then(|b| Some(peak_rss_kb()?.saturating_sub(b) * 1024));
    (r, growth)
}

/// Asserts a measured growth stays under `limit` bytes.
fn assert_under(growth: Option<usize>, limit: usize, what: &str) {
    if let Some(g) = growth {
        assert!(
            g < limit,
            "{what}: peak memory grew by {g} bytes (limit {limit})"
        );
    }
}

fn read(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/traces")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn sign_auth() -> String {
    read("sign-auth.trace.jsonl")
}

fn err_of(text: &str) -> mynakit_testkit::trace::TraceError {
    match Trace::parse(text) {
        Ok(_) => panic!("the hostile trace was accepted"),
        Err(e) => e,
    }
}

// ---- secret lengths -------------------------------------------------------------------

#[test]
fn secret_length_of_ten_to_the_twelve_is_malformed() {
    let _serial = serial();
    // Found by hand: `secrets[].len` 10^12 made replay build a 1 TB placeholder PIN and
    // the process aborted on allocation (uniffi cannot catch an abort).
    let text = sign_auth().replacen(
        r#""secrets":[{"credential":"jpki_auth_pin","len":4}]"#,
        r#""secrets":[{"credential":"jpki_auth_pin","len":1000000000000}]"#,
        1,
    );
    assert!(text.contains("1000000000000"));
    let e = err_of(&text);
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("secret"), "{e}");
    assert!(e.message.contains("255"), "{e}");
}

#[test]
fn secret_length_of_u64_max_is_malformed() {
    let _serial = serial();
    let text = sign_auth().replacen(
        r#""secrets":[{"credential":"jpki_auth_pin","len":4}]"#,
        &format!(
            r#""secrets":[{{"credential":"jpki_auth_pin","len":{}}}]"#,
            u64::MAX
        ),
        1,
    );
    let e = err_of(&text);
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("255"), "{e}");
}

#[test]
fn redacted_length_over_255_is_malformed_in_the_header_and_the_exchange() {
    let _serial = serial();
    for len in [256u64, 1_000_000_000_000, u64::MAX] {
        // Both places consistent, so only the bound can refuse it.
        let text = sign_auth()
            .replacen(
                r#""redacted":[{"exchange":2,"len":4}]"#,
                &format!(r#""redacted":[{{"exchange":2,"len":{len}}}]"#),
                1,
            )
            .replacen(
                r#""redacted":{"offset":5,"len":4}"#,
                &format!(r#""redacted":{{"offset":5,"len":{len}}}"#),
                1,
            );
        let e = err_of(&text);
        assert!(e.line == Some(1) || e.line == Some(4), "{len}: {e}");
        assert!(e.message.contains("255"), "{len}: {e}");
    }
    // 255 itself is a length the format allows (the parser accepts it; the replay then
    // differs from a 4-byte PIN, which is a mismatch, not a crash).
    let text = sign_auth()
        .replacen(
            r#""redacted":[{"exchange":2,"len":4}]"#,
            r#""redacted":[{"exchange":2,"len":255}]"#,
            1,
        )
        .replacen(
            r#""redacted":{"offset":5,"len":4}"#,
            r#""redacted":{"offset":5,"len":255}"#,
            1,
        );
    assert!(Trace::parse(&text).is_ok());
    assert_eq!(MAX_SECRET_LEN, 255);
}

#[test]
fn replay_of_a_constructed_trace_with_a_huge_secret_is_an_error_not_an_abort() {
    let _serial = serial();
    // A trace built in memory (not parsed) with the lengths the parser now refuses: the
    // replay must check them too, before allocating a placeholder of that length.
    let mut trace = Trace::parse(&sign_auth()).unwrap();
    trace.header.secrets = vec![SecretInfo {
        credential: Credential::JpkiAuthPin,
        len: 1_000_000_000_000,
    }];
    let e = ops::replay(&trace, ReplayMode::Strict, Vec::new()).unwrap_err();
    assert!(e.to_string().contains("255"), "{e}");
}

#[test]
fn replay_matching_with_a_u64_max_redaction_does_not_overflow() {
    let _serial = serial();
    // Found by hand: `x.command.len() + r.len` overflowed (a panic in debug builds) when
    // a constructed trace carried `len: usize::MAX`.
    let mut trace = Trace::parse(&sign_auth()).unwrap();
    trace.exchanges[2].redacted = Some(Redacted {
        offset: 5,
        len: usize::MAX,
    });
    for mode in [ReplayMode::Strict, ReplayMode::Relaxed] {
        let mut replay = ReplayTransport::new(trace.clone(), mode);
        for x in &trace.exchanges[..2] {
            assert!(replay.transmit(&x.command, ExchangeHint::default()).is_ok());
        }
        let verify = [0x00, 0x20, 0x00, 0x98, 0x04, b'1', b'2', b'3', b'4'];
        let hint = ExchangeHint {
            sensitive: true,
            ..ExchangeHint::default()
        };
        assert!(replay.transmit(&verify, hint).is_err(), "{mode:?}");
        assert!(replay.mismatch().is_some(), "{mode:?}");
    }
}

// ---- file and line sizes --------------------------------------------------------------

#[test]
fn a_file_of_newlines_is_refused_fast_and_without_memory_growth() {
    let _serial = serial();
    // Found by hand: 100 MB of newlines took 1.75 GB (a 16-byte slice per line, collected
    // before the first line was looked at). 8 MB here, within the file cap: the first
    // line is already wrong, so the answer must come at once with almost no memory.
    let text = "\n".repeat(16 << 20);
    let start = Instant::now();
    let (r, peak) = peak_during(|| Trace::parse(&text));
    let elapsed = start.elapsed();
    let e = r.unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
    assert_under(peak, 8 << 20, "refusing 16 MB of newlines");
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");

    // After a valid header: refused at line 2 just as cheaply.
    let header = sign_auth().lines().next().unwrap().to_string();
    let text = format!("{header}\n{}", "\n".repeat((16 << 20) - header.len() - 1));
    let (r, peak) = peak_during(|| Trace::parse(&text));
    let e = r.unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert_under(peak, 8 << 20, "refusing a header and 16 MB of newlines");
}

#[test]
fn parsing_memory_is_bounded_by_the_content_not_by_the_line_count() {
    let _serial = serial();
    // A valid trace parsed: the heap needed stays within a small multiple of its size.
    let text = read("face.trace.jsonl");
    let (r, peak) = peak_during(|| Trace::parse(&text));
    assert!(r.is_ok());
    assert_under(peak, 8 << 20, "parsing face.trace.jsonl");
}

#[test]
fn a_file_over_the_size_cap_is_refused_before_it_is_read() {
    let _serial = serial();
    let mut text = sign_auth();
    let pad = MAX_TRACE_BYTES + 1 - text.len();
    text.push_str(&" ".repeat(pad));
    assert_eq!(text.len(), MAX_TRACE_BYTES + 1);
    let (r, peak) = peak_during(|| Trace::parse(&text));
    let e = r.unwrap_err();
    assert!(e.message.contains("too large"), "{e}");
    assert_under(peak, 4 << 20, "refusing a file over the cap");

    // The reader stops at the cap instead of reading an endless stream into memory.
    let endless = std::io::repeat(b'\n');
    let (r, peak) = peak_during(|| Trace::read_from(endless));
    let e = r.unwrap_err();
    assert!(e.message.contains("too large") || e.line == Some(1), "{e}");
    assert_under(
        peak,
        MAX_TRACE_BYTES + (8 << 20),
        "reading an endless stream",
    );
}

#[test]
fn a_line_over_the_line_cap_is_refused_with_its_number() {
    let _serial = serial();
    let text = sign_auth();
    let lines: Vec<&str> = text.lines().collect();
    // A note of MAX_LINE_BYTES characters makes exchange 1 (line 3) too long.
    let long = lines[2].replacen(
        r#""note":""#,
        &format!(r#""note":"{}"#, "x".repeat(MAX_LINE_BYTES)),
        1,
    );
    let mut hostile: Vec<&str> = lines.clone();
    hostile[2] = &long;
    let e = err_of(&(hostile.join("\n") + "\n"));
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("line is"), "{e}");
}

#[test]
fn long_text_fields_and_many_entries_are_refused() {
    let _serial = serial();
    let text = sign_auth();
    // A note of 10 000 characters (under the line cap): the field cap refuses it.
    let lines: Vec<&str> = text.lines().collect();
    let long = lines[2].replacen(
        r#""note":""#,
        &format!(r#""note":"{}"#, "y".repeat(10_000)),
        1,
    );
    let mut hostile: Vec<&str> = lines.clone();
    hostile[2] = &long;
    let e = err_of(&(hostile.join("\n") + "\n"));
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("note"), "{e}");

    // 1 000 secrets in the header (40 kB, under the header cap).
    let many: Vec<String> = (0..1_000)
        .map(|_| r#"{"credential":"jpki_auth_pin","len":4}"#.to_string())
        .collect();
    let hostile = text.replacen(
        r#""secrets":[{"credential":"jpki_auth_pin","len":4}]"#,
        &format!(r#""secrets":[{}]"#, many.join(",")),
        1,
    );
    let e = err_of(&hostile);
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("secrets"), "{e}");

    // The header's card name of 100 000 characters.
    let hostile = text.replacen(
        r#""card":"sim:taro""#,
        &format!(r#""card":"{}""#, "z".repeat(100_000)),
        1,
    );
    let e = err_of(&hostile);
    assert_eq!(e.line, Some(1), "{e}");
}

#[test]
fn unknown_fields_of_an_exchange_line_are_skipped_without_building_a_tree() {
    let _serial = serial();
    // An exchange line padded with a huge unknown array: accepted as before (unknown
    // fields are ignored), but without building a JSON tree of half a million values.
    let text = sign_auth();
    let lines: Vec<&str> = text.lines().collect();
    let pad = vec!["0"; 200_000].join(",");
    let padded = lines[2].replacen(r#"{"i":"#, &format!(r#"{{"pad":[{pad}],"i":"#), 1);
    let mut hostile: Vec<&str> = lines.clone();
    hostile[2] = &padded;
    let joined = hostile.join("\n") + "\n";
    let (r, peak) = peak_during(|| Trace::parse(&joined));
    assert!(r.is_ok(), "{:?}", r.err());
    assert_under(
        peak,
        8 * joined.len(),
        "an exchange line with a huge unknown field",
    );
}

#[test]
fn too_many_exchanges_are_refused() {
    let _serial = serial();
    use mynakit_testkit::trace::format::MAX_EXCHANGES;
    let text = sign_auth();
    let header = text.lines().next().unwrap().replacen(
        r#""redacted":[{"exchange":2,"len":4}]"#,
        r#""redacted":[]"#,
        1,
    );
    let mut s = header;
    s.push('\n');
    for i in 0..=MAX_EXCHANGES {
        s.push_str(&format!(r#"{{"i":{i},"cmd":"00000000","rsp":"9000"}}"#));
        s.push('\n');
    }
    let e = err_of(&s);
    assert_eq!(e.line, Some(MAX_EXCHANGES + 2), "{e}");
    assert!(e.message.contains("exchanges"), "{e}");
}

// ---- images reassembled by scrubbing --------------------------------------------------

#[test]
fn scrubbing_reassembles_bounded_images_and_still_scrubs_the_rest() {
    // Found while bounding trace input: scrubbing rebuilt every file read, two bytes per
    // byte up to the highest offset, so a two-line exchange pair (SELECT EF, then a
    // one-byte READ BINARY at offset 32 767) cost 64 kB: 800 times its size in the file.
    // 2 000 such files needed 128 MB. Images are now capped in size and number; data
    // beyond the caps is scrubbed whole, never left in clear.
    use mynakit_testkit::trace::{Exchange, scrub};
    let _serial = serial();
    let mut trace = Trace::parse(&sign_auth()).unwrap();
    trace.header.redacted.clear();
    trace.header.secrets.clear();
    let x = |cmd: Vec<u8>, rsp: Vec<u8>| Exchange {
        command: cmd,
        redacted: None,
        response: Ok(rsp),
        scrubbed: vec![],
        elapsed_ms: 0,
        note: None,
    };
    let mut exchanges = vec![x(
        vec![0x00, 0xA4, 0x04, 0x0C, 0x03, 0xF0, 0x01, 0x02],
        vec![0x90, 0x00],
    )];
    for fid in 0..2000u16 {
        let [a, b] = fid.to_be_bytes();
        exchanges.push(x(
            vec![0x00, 0xA4, 0x02, 0x0C, 0x02, a, b],
            vec![0x90, 0x00],
        ));
        exchanges.push(x(
            vec![0x00, 0xB0, 0x7F, 0xFF, 0x01],
            vec![0xAA, 0x90, 0x00],
        ));
    }
    trace.exchanges = exchanges;
    let (scrubbed, peak) = peak_during(|| scrub(&trace));
    assert_under(
        peak,
        32 << 20,
        "scrubbing 2 000 one-byte reads at offset 32 767",
    );
    for (i, x) in scrubbed.exchanges.iter().enumerate().skip(2).step_by(2) {
        let rsp = x.response.as_ref().unwrap();
        assert_ne!(rsp[0], 0xAA, "exchange {i} left in clear");
        assert_eq!(rsp[1..], [0x90, 0x00]);
    }
}
