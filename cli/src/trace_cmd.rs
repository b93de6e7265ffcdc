//! `mynakit trace …`: show, replay, diff, scrub, regenerate APDU traces and write them as
//! HTML reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use mynakit::{Error, Result};
use mynakit_testkit::fault::parse_scenario;
use mynakit_testkit::trace::decode::{DataSource, Tracker, describe_response};
use mynakit_testkit::trace::diff::{DiffOptions, diff};
use mynakit_testkit::trace::ops::{self, Outcome};
use mynakit_testkit::trace::{ReplayMode, Trace, golden, scrub};

use crate::source::read_trace;

/// Writes a line to standard output. A closed pipe (`mynakit trace show … | head`) ends
/// the output quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// As [`out!`], without the newline.
macro_rules! out_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

#[derive(Subcommand)]
pub enum TraceOp {
    /// Print a trace annotated: command names, application, EF, offsets, status words,
    /// redactions and scrubbed ranges.
    Show {
        file: PathBuf,
        /// Print every response byte instead of the first 24.
        #[arg(long)]
        full: bool,
    },
    /// Replay the operation a trace records; exit 0 when the replay follows the trace
    /// (and gives the expected result), 1 when it does not, 2 when the trace is unusable.
    Replay {
        file: PathBuf,
        /// The expected result (a `*.expected.json` written by `record --result-out` or
        /// the golden generator).
        #[arg(long, value_name = "RESULT.json")]
        expect: Option<PathBuf>,
        /// Let a redacted secret match a value of another length.
        #[arg(long)]
        relaxed: bool,
        /// Inject faults into the replay, e.g. `4:lost-after`.
        #[arg(long, value_name = "SPEC")]
        faults: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare two traces; exit 0 when they are the same, 1 when they differ.
    Diff {
        a: PathBuf,
        b: PathBuf,
        /// Also compare elapsed times and the clock.
        #[arg(long)]
        timing: bool,
    },
    /// Write a scrubbed copy of a trace (personal data replaced, structure kept).
    Scrub {
        file: PathBuf,
        /// Where to write the scrubbed trace.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write a trace as one self-contained HTML page: session, result and checks, a
    /// timeline of the exchanges, and the differences from a second trace with --diff.
    Html {
        file: PathBuf,
        /// Compare with this trace (a diff view).
        #[arg(long, value_name = "OTHER")]
        diff: Option<PathBuf>,
        /// Where to write the page.
        #[arg(short = 'o', long = "out", value_name = "OUT.html")]
        out: PathBuf,
    },
    /// Regenerate the golden traces from the virtual card (or check them with --check).
    Regen {
        /// The folder (test-vectors/traces).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Compare instead of writing; exit 1 on any difference.
        #[arg(long)]
        check: bool,
    },
}

pub fn run(op: TraceOp) -> Result<bool> {
    match op {
        TraceOp::Show { file, full } => {
            out_part!("{}", show(&read_trace(&file)?, full));
            Ok(true)
        }
        TraceOp::Replay {
            file,
            expect,
            relaxed,
            faults,
            json,
        } => replay(&file, expect.as_deref(), relaxed, faults.as_deref(), json),
        TraceOp::Diff { a, b, timing } => {
            let (ta, tb) = (read_trace(&a)?, read_trace(&b)?);
            let diffs = diff(&ta, &tb, DiffOptions { timing });
            for d in &diffs {
                out!("{}:\n  A: {}\n  B: {}", d.location, d.a, d.b);
            }
            if diffs.is_empty() {
                out!("the traces are the same ({} exchanges)", ta.exchanges.len());
            } else {
                out!("{} difference(s)", diffs.len());
            }
            Ok(diffs.is_empty())
        }
        TraceOp::Scrub { file, out } => {
            let t = scrub(&read_trace(&file)?);
            std::fs::write(&out, t.to_jsonl()?).map_err(|e| {
                Error::InvalidArgument(format!("cannot write {}: {e}", out.display()))
            })?;
            out!("scrubbed trace written to {}", out.display());
            for item in &t.header.scrubbed_items {
                out!("  scrubbed {item}");
            }
            Ok(true)
        }
        TraceOp::Html { file, diff, out } => crate::trace_html::run(&file, diff.as_deref(), &out),
        TraceOp::Regen { out, check } => regen(&out, check),
    }
}

fn replay(
    file: &Path,
    expect: Option<&Path>,
    relaxed: bool,
    faults: Option<&str>,
    json: bool,
) -> Result<bool> {
    let trace = read_trace(file)?;
    let expected = match expect {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", p.display())))?;
            Some(Outcome::from_json(&text)?)
        }
        None => None,
    };
    let faults = match faults {
        Some(spec) => parse_scenario(spec)?,
        None => Vec::new(),
    };
    let mode = if relaxed {
        ReplayMode::Relaxed
    } else {
        ReplayMode::Strict
    };
    let report = match ops::replay(&trace, mode, faults) {
        Ok(r) => r,
        Err(Error::Trace(message)) if !message.starts_with("line ") => {
            // The session left the trace: a failed replay, not an unusable file.
            out!("FAIL: {message}");
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let o = &report.outcome;
    if json {
        out_part!("{}", o.to_json_pretty()?);
    } else {
        match &o.error {
            None => out!(
                "{}: ok ({} APDUs, {} of {} exchanges)",
                o.operation,
                o.apdus,
                report.exchanges_used,
                trace.exchanges.len()
            ),
            Some(e) => out!(
                "{}: error {} ({} APDUs): {}",
                o.operation,
                e.kind,
                o.apdus,
                e.message
            ),
        }
    }
    match expected {
        None => Ok(true),
        Some(exp) => {
            let diffs = exp.differences(o);
            if diffs.is_empty() {
                out!("PASS: the result is the expected one");
                Ok(true)
            } else {
                out!("FAIL: the result differs from the expected one (expected vs actual):");
                for d in diffs {
                    out!("  {d}");
                }
                Ok(false)
            }
        }
    }
}

fn preview(bytes: &[u8], full: bool) -> String {
    let shown = if full {
        bytes
    } else {
        bytes.get(..24).unwrap_or(bytes)
    };
    let mut s = hex::encode_upper(shown);
    if shown.len() < bytes.len() {
        s.push('…');
    }
    s
}

/// The annotated listing.
pub fn show(t: &Trace, full: bool) -> String {
    let h = &t.header;
    let mut o = String::new();
    let mut line = |s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    line(format!(
        "trace      {}, {} exchanges{}",
        h.format,
        t.exchanges.len(),
        h.recorded_by
            .as_deref()
            .map(|r| format!(", recorded by {r}"))
            .unwrap_or_default()
    ));
    let params: Vec<String> = h
        .operation
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    line(format!(
        "operation  {} {}",
        h.operation.name,
        params.join(" ")
    ));
    line(format!(
        "card       {} (token: {})",
        h.card,
        h.token_kind.as_deref().unwrap_or("not read")
    ));
    line(format!(
        "transport  {}: commands up to {} bytes, responses up to {} bytes",
        if h.transport.extended_length {
            "extended-length APDUs"
        } else {
            "short APDUs"
        },
        h.transport.max_command_len,
        h.transport.max_response_len
    ));
    line(format!(
        "protocol   read by SFI: {}, VERIFY by SFI: {}, key by SFI: {}; PIN floor {}; trust: {}",
        h.protocol.read_by_sfi,
        h.protocol.verify_by_sfi,
        h.protocol.sign_key_by_sfi,
        h.pin_policy.floor,
        match (h.trust.accept_virtual_card, h.trust.accept_jlis_test_cards) {
            (true, _) => "production + virtual-card test roots",
            (false, true) => "production + J-LIS test roots",
            (false, false) => "production roots",
        }
    ));
    if h.secrets.is_empty() {
        line("secrets    none presented".into());
    }
    for s in &h.secrets {
        line(format!(
            "secret     {}: {} bytes (value never recorded)",
            s.credential.id(),
            s.len
        ));
    }
    for r in &h.redacted {
        line(format!(
            "redacted   exchange {}: {} secret bytes",
            r.exchange, r.len
        ));
    }
    if h.scrubbed {
        line("scrubbed   YES: personal data replaced; authenticity checks cannot pass".into());
        for item in &h.scrubbed_items {
            line(format!("           {item}"));
        }
    } else {
        line("scrubbed   no (personal data as read from the card)".into());
    }
    if let Some(c) = &h.fixed.challenge_hex {
        line(format!("challenge  {c}"));
    }
    if let Some(at) = h.fixed.verification_time_unix {
        line(format!("checked at {at} (seconds since 1970)"));
    }
    line(format!(
        "faults     {}",
        h.faults.as_deref().unwrap_or("none")
    ));
    line(format!("clock      {}", h.clock));
    line(String::new());

    let mut tracker = Tracker::new();
    for (i, x) in t.exchanges.iter().enumerate() {
        let rsp = x.response.as_ref().ok();
        let a = tracker.step(
            &x.command,
            x.redacted.map(|r| r.len),
            rsp.map(Vec::as_slice),
        );
        line(format!("#{i:<3} [{}] {}", a.app, a.command));
        let cmd_hex = match x.redacted {
            Some(r) => format!(
                "{}‹{} secret bytes›{}",
                hex::encode_upper(x.command.get(..r.offset).unwrap_or_default()),
                r.len,
                hex::encode_upper(x.command.get(r.offset..).unwrap_or_default())
            ),
            None => hex::encode_upper(&x.command),
        };
        line(format!("     > {cmd_hex}"));
        let mut answer = format!("     < {}", describe_response(&x.response));
        if let Some(r) = rsp
            && r.len() > 2
        {
            let data = r.get(..r.len() - 2).unwrap_or_default();
            answer.push_str(&format!("  {}", preview(data, full)));
        }
        answer.push_str(&format!("  ({} ms)", x.elapsed_ms));
        line(answer);
        if let DataSource::Binary {
            fid: Some(fid),
            offset,
            ..
        } = &a.source
            && let Some(r) = rsp
            && r.len() > 2
        {
            line(format!(
                "       data = EF {fid:04X} bytes {offset}..{}",
                offset + r.len() - 2
            ));
        }
        for s in &x.scrubbed {
            line(format!(
                "       scrubbed bytes {}..{}: {}",
                s.offset,
                s.offset + s.len,
                s.what
            ));
        }
    }
    o
}

fn regen(out: &Path, check: bool) -> Result<bool> {
    let files = golden::generate()?;
    let io = |p: &Path, e: std::io::Error| Error::InvalidArgument(format!("{}: {e}", p.display()));
    let mut on_disk: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    if out.is_dir() {
        for entry in std::fs::read_dir(out).map_err(|e| io(out, e))? {
            let entry = entry.map_err(|e| io(out, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let generated_kind = name.ends_with(".trace.jsonl")
                || name.ends_with(".expected.json")
                || name == golden::INDEX_FILE;
            if generated_kind {
                let p = entry.path();
                on_disk.insert(name, std::fs::read(&p).map_err(|e| io(&p, e))?);
            }
        }
    }
    let mut problems = Vec::new();
    for (name, bytes) in &files {
        match on_disk.get(name) {
            None => problems.push(format!("missing: {name}")),
            Some(d) if d != bytes => problems.push(format!("differs: {name}")),
            Some(_) => {}
        }
    }
    for name in on_disk.keys() {
        if !files.contains_key(name) {
            problems.push(format!("stale:   {name} (no longer generated)"));
        }
    }
    if check {
        if problems.is_empty() {
            out!(
                "{}: all {} golden trace files match the generator",
                out.display(),
                files.len()
            );
            return Ok(true);
        }
        eprintln!(
            "{}: {} golden trace file(s) differ from the generator:",
            out.display(),
            problems.len()
        );
        for p in &problems {
            eprintln!("  {p}");
        }
        eprintln!(
            "regenerate with: cargo run -p mynakit-cli -- trace regen --out {}",
            out.display()
        );
        return Ok(false);
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let mut written = 0;
    for (name, bytes) in &files {
        if on_disk.get(name) != Some(bytes) {
            let p = out.join(name);
            std::fs::write(&p, bytes).map_err(|e| io(&p, e))?;
            written += 1;
        }
    }
    for name in on_disk.keys() {
        if !files.contains_key(name) {
            let p = out.join(name);
            std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
        }
    }
    out!(
        "{}: {} golden trace files, {written} written",
        out.display(),
        files.len()
    );
    Ok(true)
}
