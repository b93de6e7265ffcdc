//! `mynakit trace html`: a trace as one self-contained HTML page for people.
//!
//! The page shows the session (the trace header), the operation's result and its checks as
//! a replay of the trace computes them (what `mynakit trace replay` prints), a timeline of
//! the exchanges decoded by the trace annotator ([`mynakit_testkit::trace::decode::Tracker`]) with
//! status words coloured by class, the bytes with redaction markers and scrubbed ranges, and,
//! with `--diff`, the differences from a second trace ([`mynakit_testkit::trace::diff`]).
//!
//! A trace file is untrusted input. Every string taken from it is HTML-escaped (and
//! control and bidirectional-override characters replaced), no trace string is put in an
//! attribute, and the page loads nothing: it has no script, no image, no link to another
//! page, and a Content-Security-Policy that forbids every fetch (`default-src 'none'`)
//! and allows only its own style sheet, by hash. The page is bounded: past
//! [`MAX_REPORT_BYTES`] the remaining exchanges or differences are counted, not shown.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use mynakit::apdu::StatusWord;
use mynakit::sign::HashAlgorithm;
use mynakit::{Error, Result};
use mynakit_testkit::trace::decode::{DataSource, Tracker};
use mynakit_testkit::trace::diff::{DiffOptions, diff};
use mynakit_testkit::trace::ops::{self, Outcome, OutcomeKind};
use mynakit_testkit::trace::{Exchange, RecordedError, ReplayMode, ScrubbedRange, Trace};
use serde_json::Value;

use crate::source::read_trace;

/// The largest page written (bytes). A trace holds at most 16 MiB; a page of one is well
/// below this unless the trace is hostile, and then the rest is summarised.
pub const MAX_REPORT_BYTES: usize = 48 << 20;

/// Response bytes shown in the timeline before the "all N bytes" fold.
const PREVIEW_BYTES: usize = 32;

/// The page's style sheet. The Content-Security-Policy allows exactly this text (by its
/// SHA-256), so a style element that came from anywhere else would not apply.
const STYLE: &str = r#"
:root { --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff8c5;
  --err: #cf222e; --err-bg: #ffebe9; --link: #8250df; --link-bg: #fbefff;
  --muted: #57606a; --line: #d0d7de; --head: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI",
  "Noto Sans", "Noto Sans CJK JP", "IPAGothic", sans-serif; color: #1f2328; background: #ffffff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 code { font-size: inherit; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.sub, .muted { color: var(--muted); }
code, .hex, pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: var(--head); font-weight: 600; }
table.kv { width: auto; min-width: 60%; }
table.kv th { width: 14em; }
.hex { word-break: break-all; }
code { overflow-wrap: anywhere; }
th.bytes { width: 36%; }
table.diff th.where { width: 30%; }
table.diff td.txt { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 700;
  font-size: 12px; color: #ffffff; white-space: nowrap; }
.b-ok { background: var(--ok); } .b-warn { background: var(--warn); }
.b-err { background: var(--err); } .b-link { background: var(--link); }
.b-neutral { background: var(--muted); }
tr.c-ok td.sw { background: var(--ok-bg); } tr.c-warn td.sw { background: var(--warn-bg); }
tr.c-err td.sw { background: var(--err-bg); } tr.c-link td.sw { background: var(--link-bg); }
tr.c-err td.num, tr.c-link td.num { border-left: 4px solid var(--err); }
tr.differs td.num { border-left: 4px solid #bc4c00; }
td.num { white-space: nowrap; color: var(--muted); }
td.sw { white-space: nowrap; }
td.app { color: var(--muted); font-size: 12px; }
.meaning { display: block; font-size: 12px; color: var(--muted); white-space: normal; }
.redacted { display: inline-block; background: #24292f; color: #ffffff; padding: 0 6px;
  border-radius: 3px; font-weight: 700; font-family: system-ui, sans-serif; font-size: 12px; }
.tag-redacted { display: inline-block; margin-left: 6px; padding: 0 6px; border: 2px dashed #24292f;
  border-radius: 3px; font-size: 11px; font-weight: 700; }
.scrubbed { background: #d0d7de; color: #57606a; text-decoration: line-through; }
.note { display: block; font-size: 12px; color: var(--muted); }
.data { display: block; font-size: 12px; color: var(--muted); }
.dir { color: var(--muted); font-weight: 700; }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
pre { background: var(--head); padding: 8px; border: 1px solid var(--line); overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
.legend > span { margin-right: 16px; }
.banner { padding: 8px 12px; border-radius: 6px; margin: 8px 0; }
.banner.warn { background: var(--warn-bg); border: 1px solid var(--warn); }
.banner.err { background: var(--err-bg); border: 1px solid var(--err); }
.banner.ok { background: var(--ok-bg); border: 1px solid var(--ok); }
meter { width: 80px; height: 10px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"#;

/// `mynakit trace html TRACE [--diff OTHER] -o OUT`.
pub fn run(file: &Path, other: Option<&Path>, out: &Path) -> Result<bool> {
    let a = read_trace(file)?;
    let b = match other {
        Some(p) => Some((read_trace(p)?, p.display().to_string())),
        None => None,
    };
    let page = render(
        &a,
        &file.display().to_string(),
        b.as_ref().map(|(t, n)| (t, n.as_str())),
    );
    std::fs::write(out, &page)
        .map_err(|e| Error::InvalidArgument(format!("cannot write {}: {e}", out.display())))?;
    // A closed pipe (`… | head`) ends the message quietly instead of panicking.
    let _ = writeln!(
        std::io::stdout().lock(),
        "trace report written to {} ({} exchanges, {} bytes)",
        out.display(),
        a.exchanges.len(),
        page.len()
    );
    Ok(true)
}

/// The page for trace `a` (named `name`), compared with `other` when given.
pub fn render(a: &Trace, name: &str, other: Option<(&Trace, &str)>) -> String {
    render_within(a, name, other, MAX_REPORT_BYTES)
}

/// Text made safe for HTML element content and attribute values: `& < > " '` escaped;
/// control characters (except tab and line feed) and bidirectional controls, which could
/// make the page show something other than the trace holds, replaced by U+FFFD.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            '\n' | '\t' => o.push(c),
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                o.push('\u{FFFD}');
            }
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Standard base64 (RFC 4648 §4) with padding, for the style sheet's CSP hash.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |v: u32| {
        ALPHABET
            .get(usize::try_from(v & 63).unwrap_or(0))
            .map_or('=', |&b| char::from(b))
    };
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        o.push(sym(n >> 18));
        o.push(sym(n >> 12));
        o.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        o.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    o
}

/// The Content-Security-Policy of the page: nothing may be fetched, no script runs, and
/// only the page's own style sheet applies.
fn csp() -> String {
    let hash = base64(&HashAlgorithm::Sha256.digest(STYLE.as_bytes()));
    format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
}

/// The class of a response: success (`9000`, `61xx`), warning (`62xx`, `63xx`), error
/// (any other status word, or none) or a link failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SwClass {
    Ok,
    Warning,
    Error,
    Link,
}

impl SwClass {
    fn css(self) -> &'static str {
        match self {
            SwClass::Ok => "ok",
            SwClass::Warning => "warn",
            SwClass::Error => "err",
            SwClass::Link => "link",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SwClass::Ok => "success",
            SwClass::Warning => "warning (62xx, 63xx)",
            SwClass::Error => "error",
            SwClass::Link => "link failure",
        }
    }
}

fn status_word(rsp: &[u8]) -> Option<StatusWord> {
    match rsp {
        [.., a, b] => Some(StatusWord(u16::from_be_bytes([*a, *b]))),
        _ => None,
    }
}

fn kind_name(e: &RecordedError) -> String {
    serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

/// The class, the badge text and the meaning of a response.
fn classify(response: &std::result::Result<Vec<u8>, RecordedError>) -> (SwClass, String, String) {
    match response {
        Err(e) => (
            SwClass::Link,
            kind_name(e).replace('_', " "),
            "no response: the link failed".to_string(),
        ),
        Ok(r) => match status_word(r) {
            None => (
                SwClass::Error,
                "no SW".into(),
                format!("{} bytes without a status word", r.len()),
            ),
            Some(sw) => {
                let class = match sw.sw1() {
                    0x90 if sw.sw2() == 0 => SwClass::Ok,
                    0x61 => SwClass::Ok,
                    0x62 | 0x63 => SwClass::Warning,
                    _ => SwClass::Error,
                };
                (class, format!("{:04X}", sw.0), sw.status().to_string())
            }
        },
    }
}

/// Hex of `bytes` (the response bytes from `base` on), with the bytes inside a scrubbed
/// range marked.
fn hex_marked(bytes: &[u8], base: usize, scrubbed: &[ScrubbedRange]) -> String {
    if scrubbed.is_empty() {
        return hex::encode_upper(bytes);
    }
    // A difference array over the shown bytes: linear in bytes + ranges.
    let mut delta = vec![0i32; bytes.len().saturating_add(1)];
    for s in scrubbed {
        let start = s.offset.saturating_sub(base).min(bytes.len());
        let end = s
            .offset
            .saturating_add(s.len)
            .saturating_sub(base)
            .min(bytes.len());
        if start < end {
            if let Some(d) = delta.get_mut(start) {
                *d = d.saturating_add(1);
            }
            if let Some(d) = delta.get_mut(end) {
                *d = d.saturating_sub(1);
            }
        }
    }
    let mut o = String::with_capacity(bytes.len().saturating_mul(2).saturating_add(64));
    let mut depth = 0i32;
    let mut open = false;
    for (i, b) in bytes.iter().enumerate() {
        depth = depth.saturating_add(delta.get(i).copied().unwrap_or(0));
        let inside = depth > 0;
        if inside != open {
            o.push_str(if inside {
                "<span class=\"scrubbed\">"
            } else {
                "</span>"
            });
            open = inside;
        }
        let _ = write!(o, "{b:02X}");
    }
    if open {
        o.push_str("</span>");
    }
    o
}

/// The command bytes, with a marker where a secret was removed.
fn command_html(x: &Exchange) -> String {
    match x.redacted {
        Some(r) => format!(
            "{}<span class=\"redacted\">‹{} secret bytes redacted›</span>{}",
            hex::encode_upper(x.command.get(..r.offset).unwrap_or_default()),
            r.len,
            hex::encode_upper(x.command.get(r.offset..).unwrap_or_default())
        ),
        None => hex::encode_upper(&x.command),
    }
}

/// The response bytes: a preview of the data, the status word, and every byte in a fold.
fn response_html(x: &Exchange) -> String {
    let r = match &x.response {
        Ok(r) => r,
        Err(e) => {
            return format!(
                "<span class=\"dir\">&lt;</span> <b>no response</b>: {} ({})",
                esc(&e.message),
                esc(&kind_name(e))
            );
        }
    };
    let (data, sw) = match r.len().checked_sub(2) {
        Some(n) => (
            r.get(..n).unwrap_or_default(),
            r.get(n..).unwrap_or_default(),
        ),
        None => (r.as_slice(), &[][..]),
    };
    let mut o = String::from("<span class=\"dir\">&lt;</span> <span class=\"hex\">");
    let shown = data.get(..PREVIEW_BYTES).unwrap_or(data);
    o.push_str(&hex_marked(shown, 0, &x.scrubbed));
    if shown.len() < data.len() {
        o.push('…');
    }
    if !sw.is_empty() {
        if !data.is_empty() {
            o.push(' ');
        }
        o.push_str(&hex::encode_upper(sw));
    }
    o.push_str("</span>");
    if shown.len() < data.len() {
        let _ = write!(
            o,
            "<details><summary>all {} data bytes</summary><code class=\"hex\">{}</code></details>",
            data.len(),
            hex_marked(data, 0, &x.scrubbed)
        );
    }
    for s in &x.scrubbed {
        let _ = write!(
            o,
            "<span class=\"data\">scrubbed bytes {}..{}: {}</span>",
            s.offset,
            s.offset.saturating_add(s.len),
            esc(&s.what)
        );
    }
    o
}

/// One decoded check of a result: what, its result, why.
struct Check {
    name: String,
    result: String,
    detail: Option<String>,
}

fn check_class(result: &str) -> &'static str {
    match result {
        "verified" | "consistent" | "true" => "b-ok",
        "failed" | "inconsistent" | "false" => "b-err",
        "not_checked" => "b-warn",
        _ => "b-neutral",
    }
}

/// The checks a result holds: named checks (`{"name", "outcome": {"result", "reason"}}`),
/// check objects (`{"result": …}`, such as a certificate chain) and boolean verdicts
/// (`verified_…`, `…_valid`).
fn collect_checks(path: &str, v: &Value, out: &mut Vec<Check>) {
    match v {
        Value::Object(o) => {
            if let (Some(Value::String(name)), Some(Value::Object(outcome))) =
                (o.get("name"), o.get("outcome"))
                && let Some(Value::String(result)) = outcome.get("result")
            {
                out.push(Check {
                    name: name.clone(),
                    result: result.clone(),
                    detail: outcome
                        .get("reason")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
                return;
            }
            if let Some(Value::String(result)) = o.get("result")
                && !path.is_empty()
            {
                let detail = ["reason", "anchor"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .map(str::to_string);
                out.push(Check {
                    name: path.to_string(),
                    result: result.clone(),
                    detail,
                });
                return;
            }
            for (k, child) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if let Value::Bool(b) = child
                    && (k.starts_with("verified") || k.ends_with("_valid"))
                {
                    out.push(Check {
                        name: p,
                        result: b.to_string(),
                        detail: None,
                    });
                    continue;
                }
                collect_checks(&p, child, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_checks(&format!("{path}[{i}]"), child, out);
            }
        }
        _ => {}
    }
}

/// The page, with the given size limit.
fn render_within(a: &Trace, name: &str, other: Option<(&Trace, &str)>, limit: usize) -> String {
    let h = &a.header;
    let mut o = String::with_capacity(64 << 10);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>MynaKit trace: {} ({})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        csp(),
        esc(&h.operation.name),
        esc(name)
    );
    let _ = writeln!(
        o,
        "<header><h1>Trace of <code>{}</code></h1><p class=\"sub\">{} · {} · {} exchanges · card {}</p></header>",
        esc(&h.operation.name),
        esc(name),
        esc(&h.format),
        a.exchanges.len(),
        esc(&h.card)
    );
    if h.scrubbed {
        o.push_str("<p class=\"banner warn\"><b>Scrubbed trace.</b> Personal data in the responses was replaced by filler (marked <span class=\"scrubbed\">like this</span>); authenticity checks cannot pass on it.</p>\n");
    }
    if !h.redacted.is_empty() {
        let _ = writeln!(
            o,
            "<p class=\"banner ok\"><b>{} redacted command(s).</b> The secret bytes of every VERIFY were removed before the trace was written; the marker <span class=\"redacted\">‹N secret bytes redacted›</span> stands where they were.</p>",
            h.redacted.len()
        );
    }

    let differing = other.map(|(b, _)| differing_exchanges(a, b));
    if let (Some((_, b_name)), Some(d)) = (other, &differing) {
        let _ = writeln!(
            o,
            "<p class=\"banner {}\"><b>Compared with {}:</b> {} exchange(s) differ (marked ≠ B). <a href=\"#diff\">See the differences.</a></p>",
            if d.is_empty() { "ok" } else { "warn" },
            esc(b_name),
            d.len()
        );
    }
    session_section(&mut o, a);
    let outcome = result_section(&mut o, a);
    timeline_section(&mut o, a, differing.as_ref(), limit);
    if let Some((b, b_name)) = other {
        diff_section(&mut o, a, name, outcome.as_ref(), b, b_name, limit);
    }
    o.push_str(
        "<footer>Written by <code>mynakit trace html</code>. The page is self-contained: it loads nothing and runs no script.</footer>\n</body>\n</html>\n",
    );
    o
}

fn kv(o: &mut String, key: &str, value_html: &str) {
    let _ = writeln!(o, "<tr><th>{key}</th><td>{value_html}</td></tr>");
}

fn session_section(o: &mut String, t: &Trace) {
    let h = &t.header;
    o.push_str("<section id=\"session\"><h2>Session</h2><table class=\"kv\">\n");
    let params: Vec<String> = h
        .operation
        .params
        .iter()
        .map(|(k, v)| esc(&format!("{k}={v}")))
        .collect();
    kv(
        o,
        "operation",
        &format!(
            "<code>{}</code> {}",
            esc(&h.operation.name),
            if params.is_empty() {
                "<span class=\"muted\">(no parameters)</span>".to_string()
            } else {
                format!("<code>{}</code>", params.join(" "))
            }
        ),
    );
    kv(o, "card", &esc(&h.card));
    kv(
        o,
        "token",
        &esc(h.token_kind.as_deref().unwrap_or("not read")),
    );
    kv(
        o,
        "transport",
        &format!(
            "{}: commands up to {} bytes, responses up to {} bytes",
            if h.transport.extended_length {
                "extended-length APDUs"
            } else {
                "short APDUs"
            },
            h.transport.max_command_len,
            h.transport.max_response_len
        ),
    );
    kv(
        o,
        "protocol",
        &format!(
            "read by SFI: {}, VERIFY by SFI: {}, key by SFI: {}; PIN floor {}",
            h.protocol.read_by_sfi,
            h.protocol.verify_by_sfi,
            h.protocol.sign_key_by_sfi,
            h.pin_policy.floor
        ),
    );
    kv(
        o,
        "trust",
        match (h.trust.accept_virtual_card, h.trust.accept_jlis_test_cards) {
            (true, _) => "production + virtual-card test roots",
            (false, true) => "production + J-LIS test roots",
            (false, false) => "production roots",
        },
    );
    let secrets = if h.secrets.is_empty() {
        "none presented".to_string()
    } else {
        h.secrets
            .iter()
            .map(|s| {
                format!(
                    "{}: {} bytes (value never recorded)",
                    esc(s.credential.id()),
                    s.len
                )
            })
            .collect::<Vec<_>>()
            .join("<br>")
    };
    kv(o, "secrets", &secrets);
    let redacted = if h.redacted.is_empty() {
        "none".to_string()
    } else {
        h.redacted
            .iter()
            .map(|r| {
                format!(
                    "<a href=\"#x{}\">exchange {}</a>: <span class=\"redacted\">‹{} secret bytes redacted›</span>",
                    r.exchange, r.exchange, r.len
                )
            })
            .collect::<Vec<_>>()
            .join("<br>")
    };
    kv(o, "redacted", &redacted);
    let scrubbed = if h.scrubbed {
        let items: Vec<String> = h.scrubbed_items.iter().map(|s| esc(s)).collect();
        format!(
            "<b>yes</b>: personal data replaced; authenticity checks cannot pass{}",
            if items.is_empty() {
                String::new()
            } else {
                format!("<br>{}", items.join("<br>"))
            }
        )
    } else {
        "no (personal data as read from the card)".to_string()
    };
    kv(o, "scrubbed", &scrubbed);
    if let Some(c) = &h.fixed.challenge_hex {
        kv(
            o,
            "challenge",
            &format!("<code class=\"hex\">{}</code>", esc(c)),
        );
    }
    if let Some(at) = h.fixed.verification_time_unix {
        kv(
            o,
            "checked at",
            &format!("{at} (seconds since 1970, fixed for replay)"),
        );
    }
    kv(o, "faults", &esc(h.faults.as_deref().unwrap_or("none")));
    let total: u64 = t
        .exchanges
        .iter()
        .fold(0u64, |s, x| s.saturating_add(x.elapsed_ms));
    kv(
        o,
        "clock",
        &if timed(t) {
            format!(
                "{}: {total} ms over {} exchanges",
                esc(&h.clock),
                t.exchanges.len()
            )
        } else {
            format!("{} (no timing recorded)", esc(&h.clock))
        },
    );
    if let Some(r) = &h.recorded_by {
        kv(o, "recorded by", &esc(r));
    }
    o.push_str("</table></section>\n");
}

/// Whether the trace carries elapsed times.
fn timed(t: &Trace) -> bool {
    t.header.clock == "wall" || t.exchanges.iter().any(|x| x.elapsed_ms > 0)
}

/// The operation replayed from the trace, or why it could not be.
fn replay_outcome(t: &Trace) -> std::result::Result<(Outcome, usize), String> {
    ops::replay(t, ReplayMode::Strict, Vec::new())
        .map(|r| (r.outcome, r.exchanges_used))
        .map_err(|e| e.to_string())
}

fn result_section(o: &mut String, t: &Trace) -> Option<Outcome> {
    o.push_str("<section id=\"result\"><h2>Result</h2>\n<p class=\"muted\">Computed by replaying the trace with the SDK, without a card (as <code>mynakit trace replay</code> does).</p>\n");
    let (outcome, used) = match replay_outcome(t) {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(
                o,
                "<p class=\"banner err\"><span class=\"badge b-err\">not computed</span> The replay left the trace or the trace names no operation: {}</p></section>",
                esc(&e)
            );
            return None;
        }
    };
    match (&outcome.outcome, &outcome.error) {
        (OutcomeKind::Ok, _) => {
            let _ = writeln!(
                o,
                "<p><span class=\"badge b-ok\">ok</span> <code>{}</code> · {} APDUs · {} of {} exchanges used</p>",
                esc(&outcome.operation),
                outcome.apdus,
                used,
                t.exchanges.len()
            );
        }
        (OutcomeKind::Error, e) => {
            let _ = writeln!(
                o,
                "<p><span class=\"badge b-err\">error{}</span> <code>{}</code> · {} APDUs · {} of {} exchanges used</p>",
                e.as_ref()
                    .map(|e| format!(": {}", esc(&e.kind)))
                    .unwrap_or_default(),
                esc(&outcome.operation),
                outcome.apdus,
                used,
                t.exchanges.len()
            );
            if let Some(e) = e {
                o.push_str("<table class=\"kv\">\n");
                kv(o, "message", &esc(&e.message));
                if let Some(c) = e.credential {
                    kv(o, "credential", &esc(&c.to_string()));
                }
                if let Some(n) = e.remaining {
                    kv(o, "tries remaining", &n.to_string());
                }
                if let Some(sw) = &e.sw {
                    kv(o, "status word", &esc(sw));
                }
                if let Some(k) = e.transport {
                    let name = serde_json::to_value(k)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    kv(o, "link failure", &esc(&name));
                }
                o.push_str("</table>\n");
            }
        }
    }
    let mut checks = Vec::new();
    if let Some(v) = &outcome.value {
        collect_checks("", v, &mut checks);
    }
    if checks.is_empty() {
        o.push_str("<p class=\"muted\">The result holds no checks.</p>\n");
    } else {
        o.push_str("<h3>Checks</h3><table><tr><th>check</th><th>result</th><th>detail</th></tr>\n");
        for c in &checks {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td><span class=\"badge {}\">{}</span></td><td>{}</td></tr>",
                esc(&c.name),
                check_class(&c.result),
                esc(&c.result.replace('_', " ")),
                esc(c.detail.as_deref().unwrap_or(""))
            );
        }
        o.push_str("</table>\n");
    }
    if let Ok(json) = outcome.to_json_pretty() {
        let _ = writeln!(
            o,
            "<details><summary>the whole result (JSON, as <code>trace replay --json</code> prints it)</summary><pre>{}</pre></details>",
            esc(&json)
        );
    }
    o.push_str("</section>\n");
    Some(outcome)
}

/// Indices of exchanges that differ between `a` and `b` (or exist in one only).
fn differing_exchanges(a: &Trace, b: &Trace) -> BTreeSet<usize> {
    let n = a.exchanges.len().max(b.exchanges.len());
    (0..n)
        .filter(|&i| match (a.exchanges.get(i), b.exchanges.get(i)) {
            (Some(x), Some(y)) => {
                x.command != y.command
                    || x.redacted != y.redacted
                    || x.response != y.response
                    || x.scrubbed != y.scrubbed
            }
            _ => true,
        })
        .collect()
}

fn timeline_section(o: &mut String, t: &Trace, differing: Option<&BTreeSet<usize>>, limit: usize) {
    let timed = timed(t);
    let max_ms = t.exchanges.iter().map(|x| x.elapsed_ms).max().unwrap_or(0);
    let mut counts = [0usize; 4];
    for x in &t.exchanges {
        let i = match classify(&x.response).0 {
            SwClass::Ok => 0,
            SwClass::Warning => 1,
            SwClass::Error => 2,
            SwClass::Link => 3,
        };
        if let Some(c) = counts.get_mut(i) {
            *c = c.saturating_add(1);
        }
    }
    let _ = write!(
        o,
        "<section id=\"timeline\"><h2>Exchanges</h2>\n<p class=\"legend\">\
         <span><span class=\"badge b-ok\">{}</span> {}</span>\
         <span><span class=\"badge b-warn\">{}</span> {}</span>\
         <span><span class=\"badge b-err\">{}</span> {}</span>\
         <span><span class=\"badge b-link\">{}</span> {}</span></p>\n",
        SwClass::Ok.label(),
        counts[0],
        SwClass::Warning.label(),
        counts[1],
        SwClass::Error.label(),
        counts[2],
        SwClass::Link.label(),
        counts[3],
    );
    if !timed {
        o.push_str("<p class=\"muted\">This trace was recorded with a fixed clock: it holds no timing.</p>\n");
    }
    o.push_str("<table><tr><th>#</th>");
    if timed {
        o.push_str("<th>start</th><th>time</th>");
    }
    o.push_str(
        "<th>application</th><th>command</th><th>status</th><th class=\"bytes\">bytes</th></tr>\n",
    );
    let mut tracker = Tracker::new();
    let mut start_ms = 0u64;
    for (i, x) in t.exchanges.iter().enumerate() {
        if o.len() > limit {
            let _ = writeln!(
                o,
                "<tr><td colspan=\"8\"><b>The report stops here:</b> {} more exchanges not shown (the page is limited to {} bytes).</td></tr>",
                t.exchanges.len().saturating_sub(i),
                limit
            );
            break;
        }
        let secret = x.redacted.map(|r| r.len);
        let a = tracker.step(
            &x.command,
            secret,
            x.response.as_ref().ok().map(Vec::as_slice),
        );
        let (class, badge, meaning) = classify(&x.response);
        let differs = differing.is_some_and(|d| d.contains(&i));
        let _ = write!(
            o,
            "<tr id=\"x{i}\" class=\"c-{}{}\"><td class=\"num\">{i}{}</td>",
            class.css(),
            if differs { " differs" } else { "" },
            if differs { "<br>≠ B" } else { "" }
        );
        if timed {
            let _ = write!(
                o,
                "<td class=\"num\">{start_ms} ms</td><td class=\"num\">{} ms<br><meter min=\"0\" max=\"{}\" value=\"{}\"></meter></td>",
                x.elapsed_ms,
                max_ms.max(1),
                x.elapsed_ms
            );
            start_ms = start_ms.saturating_add(x.elapsed_ms);
        }
        let _ = write!(
            o,
            "<td class=\"app\">{}</td><td>{}",
            esc(&a.app),
            esc(&a.command)
        );
        if x.redacted.is_some() {
            o.push_str("<span class=\"tag-redacted\">SECRET REDACTED</span>");
        }
        if let Some(note) = &x.note
            && note != &a.command
        {
            let _ = write!(o, "<span class=\"note\">note: {}</span>", esc(note));
        }
        if let DataSource::Binary {
            fid: Some(fid),
            offset,
            ..
        } = &a.source
            && let Ok(r) = &x.response
            && r.len() > 2
        {
            let _ = write!(
                o,
                "<span class=\"data\">data = EF {fid:04X} bytes {offset}..{}</span>",
                offset.saturating_add(r.len().saturating_sub(2))
            );
        }
        let _ = write!(
            o,
            "</td><td class=\"sw\"><span class=\"badge b-{}\">{}</span><span class=\"meaning\">{}</span></td>",
            class.css(),
            esc(&badge),
            esc(&meaning)
        );
        let _ = writeln!(
            o,
            "<td><span class=\"dir\">&gt;</span> <span class=\"hex\">{}</span><br>{}</td></tr>",
            command_html(x),
            response_html(x)
        );
    }
    o.push_str("</table></section>\n");
}

/// The exchange a difference's location names (`exchange 3 (line 5) …`).
fn exchange_of(location: &str) -> Option<usize> {
    location
        .strip_prefix("exchange ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

fn diff_section(
    o: &mut String,
    a: &Trace,
    a_name: &str,
    a_outcome: Option<&Outcome>,
    b: &Trace,
    b_name: &str,
    limit: usize,
) {
    let _ = write!(
        o,
        "<section id=\"diff\"><h2>Compared with another trace</h2>\n<table class=\"kv\">\n"
    );
    kv(
        o,
        "A (this trace)",
        &format!(
            "{} · <code>{}</code> · {} exchanges",
            esc(a_name),
            esc(&a.header.operation.name),
            a.exchanges.len()
        ),
    );
    kv(
        o,
        "B",
        &format!(
            "{} · <code>{}</code> · {} exchanges",
            esc(b_name),
            esc(&b.header.operation.name),
            b.exchanges.len()
        ),
    );
    o.push_str("</table>\n<h3>Results</h3>\n");
    let b_outcome = replay_outcome(b).ok().map(|(r, _)| r);
    match (a_outcome, &b_outcome) {
        (Some(x), Some(y)) => {
            let d = x.differences(y);
            if d.is_empty() {
                o.push_str("<p class=\"banner ok\">Both traces replay to the same result.</p>\n");
            } else {
                let _ = writeln!(
                    o,
                    "<p class=\"banner warn\">The results differ in {} place(s) (A vs B):</p><ul>",
                    d.len()
                );
                for line in &d {
                    let _ = writeln!(o, "<li><code>{}</code></li>", esc(line));
                }
                o.push_str("</ul>\n");
            }
        }
        _ => o.push_str(
            "<p class=\"banner warn\">The result of one of the traces could not be computed: the results are not compared.</p>\n",
        ),
    }
    let diffs = diff(a, b, DiffOptions::default());
    let _ = writeln!(o, "<h3>Trace differences ({})</h3>", diffs.len());
    if diffs.is_empty() {
        let _ = writeln!(
            o,
            "<p class=\"banner ok\">The traces are the same ({} exchanges; elapsed times not compared).</p>",
            a.exchanges.len()
        );
    } else {
        o.push_str(
            "<table class=\"diff\"><tr><th class=\"where\">where</th><th>A (this trace)</th><th>B</th></tr>\n",
        );
        for (i, d) in diffs.iter().enumerate() {
            if o.len() > limit {
                let _ = writeln!(
                    o,
                    "<tr><td colspan=\"3\"><b>The report stops here:</b> {} more differences not shown (the page is limited to {} bytes).</td></tr>",
                    diffs.len().saturating_sub(i),
                    limit
                );
                break;
            }
            let location = match exchange_of(&d.location) {
                Some(n) if n < a.exchanges.len() => {
                    format!("<a href=\"#x{n}\">{}</a>", esc(&d.location))
                }
                _ => esc(&d.location),
            };
            let _ = writeln!(
                o,
                "<tr><td>{location}</td><td class=\"txt\">{}</td><td class=\"txt\">{}</td></tr>",
                esc(&d.a),
                esc(&d.b)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn escapes_markup_and_hides_controls() {
        assert_eq!(
            esc("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{202E}b\u{0}c\u{7}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
        assert_eq!(esc("見本\tx\n"), "見本\tx\n");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 §10 test vectors.
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn classes_of_status_words() {
        let c = |r: &[u8]| classify(&Ok(r.to_vec())).0;
        assert_eq!(c(&[0x90, 0]), SwClass::Ok);
        assert_eq!(c(&[1, 0x61, 0x10]), SwClass::Ok);
        assert_eq!(c(&[0x62, 0x82]), SwClass::Warning);
        assert_eq!(c(&[0x63, 0xC2]), SwClass::Warning);
        assert_eq!(c(&[0x6A, 0x82]), SwClass::Error);
        assert_eq!(c(&[0x90, 0x01]), SwClass::Error);
        assert_eq!(c(&[0x90]), SwClass::Error);
        let e = RecordedError {
            kind: mynakit_testkit::trace::RecordedErrorKind::CardRemoved,
            message: "gone".into(),
        };
        assert_eq!(classify(&Err(e)).0, SwClass::Link);
    }

    #[test]
    fn scrubbed_ranges_are_marked_once() {
        let s = |offset, len| ScrubbedRange {
            offset,
            len,
            what: "x".into(),
        };
        // Bytes 1..3 and 2..4 overlap: one span over 1..4.
        assert_eq!(
            hex_marked(&[0, 1, 2, 3, 4], 0, &[s(1, 2), s(2, 2)]),
            "00<span class=\"scrubbed\">010203</span>04"
        );
        // A range running past the shown bytes is cut; an empty one marks nothing.
        assert_eq!(
            hex_marked(&[0, 1], 0, &[s(1, 100), s(0, 0)]),
            "00<span class=\"scrubbed\">01</span>"
        );
        assert_eq!(hex_marked(&[0xAB], 0, &[s(9, 1)]), "AB");
    }

    #[test]
    fn a_large_trace_is_cut_at_the_limit() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/traces/face.trace.jsonl"),
        )
        .unwrap();
        let t = Trace::parse(&text).unwrap();
        let full = render_within(&t, "face", None, MAX_REPORT_BYTES);
        assert!(!full.contains("The report stops here"));
        let cut = render_within(&t, "face", None, 20_000);
        assert!(cut.contains("The report stops here"), "{cut}");
        assert!(cut.len() < full.len());
        assert!(cut.ends_with("</html>\n"));
    }
}
