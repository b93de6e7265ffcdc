//! The verification command line, shared by `mynakit-verify` and `mynakit verify`:
//! `EVIDENCE --nonce HEX --at RFC3339 [--trust POLICY] ...` verifies an evidence bundle
//! from its bytes and prints the report (JSON with `--json`, one line per check with
//! `--summary`; each program has its default). Exit status: 0 accepted, 1 rejected,
//! 2 incomplete, 64 usage error.

use std::io::{Read, Write};
use std::time::Duration;

use mynakit::cert::TrustPolicy;

use crate::time::parse_rfc3339;
use crate::{Report, Verdict, Verifier, VerifierConfig};

/// How the report is printed when neither `--json` nor `--summary` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The report as pretty JSON.
    Json,
    /// One line per check.
    Summary,
}

/// The options (after the program name), shared by both programs.
pub const USAGE: &str = "EVIDENCE|- --nonce HEX [--at RFC3339] [options]

  --nonce HEX              the nonce this server issued for the bundle (16 to 64 bytes)
  --at RFC3339             the time to check at (default: now), e.g. 2027-04-01T09:00:00+09:00
  --trust POLICY           production (default), jlis-test (also the J-LIS test-card roots),
                           virtual-card (also MynaKit's virtual card TEST roots and CV CA)
  --anchor FILE            an extra X.509 root (DER), repeatable
  --cv-keys FILE           extra CV CA keys (MynaKit key-list format), repeatable
  --crl FILE               a DER CRL for JPKI revocation (with --crl-issuer), repeatable
  --crl-issuer FILE        the CA certificate (DER) that signs the CRLs
  --max-crl-age SECONDS    CRLs whose thisUpdate is older are stale (default 172800)
  --ocsp URL               an OCSP responder (http:// only) for JPKI revocation (with --ocsp-issuer)
  --ocsp-issuer FILE       the CA certificate (DER) whose certificates the responder answers for
  --ocsp-sha1              SHA-1 CertIDs (default SHA-256)
  --ocsp-no-nonce          send no nonce (a replayed answer is then bounded by freshness only)
  --ocsp-timeout SECONDS   connect/send/receive time limit (default 5)
  --revocation-optional    accept JPKI bundles whose revocation was not checked
  --summary                print one line per check
  --json                   print the report as JSON
  --repeat N               verify N times and print the mean time per verification to stderr

exit status: 0 accepted, 1 rejected, 2 incomplete (a required check could not be made), 64 usage";

struct Args {
    evidence: String,
    nonce: Vec<u8>,
    at: u64,
    policy: TrustPolicy,
    anchors: Vec<String>,
    cv_keys: Vec<String>,
    crls: Vec<String>,
    crl_issuer: Option<String>,
    max_crl_age: u64,
    ocsp: Option<String>,
    ocsp_issuer: Option<String>,
    ocsp_sha1: bool,
    ocsp_no_nonce: bool,
    ocsp_timeout: u64,
    revocation_optional: bool,
    format: Format,
    repeat: u32,
}

fn parse_args(args: Vec<String>, format: Format) -> Result<Args, String> {
    let mut it = args.into_iter();
    let mut evidence = None;
    let mut nonce = None;
    let mut at = None;
    let mut a = Args {
        evidence: String::new(),
        nonce: Vec::new(),
        at: 0,
        policy: TrustPolicy::PRODUCTION,
        anchors: Vec::new(),
        cv_keys: Vec::new(),
        crls: Vec::new(),
        crl_issuer: None,
        max_crl_age: 2 * 86_400,
        ocsp: None,
        ocsp_issuer: None,
        ocsp_sha1: false,
        ocsp_no_nonce: false,
        ocsp_timeout: 5,
        revocation_optional: false,
        format,
        repeat: 1,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--nonce" => {
                let v = value("--nonce")?;
                nonce = Some(hex::decode(v.trim()).map_err(|e| format!("--nonce: {e}"))?);
            }
            "--at" => {
                let v = value("--at")?;
                at = Some(parse_rfc3339(&v).ok_or_else(|| format!("--at: not RFC 3339: {v}"))?);
            }
            "--trust" => {
                a.policy = match value("--trust")?.as_str() {
                    "production" => TrustPolicy::PRODUCTION,
                    "jlis-test" => TrustPolicy {
                        accept_jlis_test_cards: true,
                        accept_virtual_card: false,
                        ..TrustPolicy::PRODUCTION
                    },
                    "virtual-card" => TrustPolicy::VIRTUAL_CARD,
                    other => return Err(format!("--trust: unknown policy {other}")),
                }
            }
            "--anchor" => a.anchors.push(value("--anchor")?),
            "--cv-keys" => a.cv_keys.push(value("--cv-keys")?),
            "--crl" => a.crls.push(value("--crl")?),
            "--crl-issuer" => a.crl_issuer = Some(value("--crl-issuer")?),
            "--max-crl-age" => {
                a.max_crl_age = value("--max-crl-age")?
                    .parse()
                    .map_err(|e| format!("--max-crl-age: {e}"))?;
            }
            "--ocsp" => a.ocsp = Some(value("--ocsp")?),
            "--ocsp-issuer" => a.ocsp_issuer = Some(value("--ocsp-issuer")?),
            "--ocsp-sha1" => a.ocsp_sha1 = true,
            "--ocsp-no-nonce" => a.ocsp_no_nonce = true,
            "--ocsp-timeout" => {
                a.ocsp_timeout = value("--ocsp-timeout")?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--ocsp-timeout needs a positive number of seconds")?;
            }
            "--revocation-optional" => a.revocation_optional = true,
            "--summary" => a.format = Format::Summary,
            "--json" => a.format = Format::Json,
            "--repeat" => {
                a.repeat = value("--repeat")?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--repeat needs a positive number")?;
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s if evidence.is_none() => evidence = Some(s.to_string()),
            s => return Err(format!("unexpected argument {s}")),
        }
    }
    a.evidence = evidence.ok_or("EVIDENCE is missing")?;
    a.nonce = nonce.ok_or("--nonce is required")?;
    a.at = match at {
        Some(t) => t,
        None => mynakit::cert::unix_now(),
    };
    Ok(a)
}

fn read_limited(path: &str) -> Result<Vec<u8>, String> {
    let limit = mynakit::evidence::MAX_BUNDLE_LEN as u64 + 1;
    let mut buf = Vec::new();
    let r = if path == "-" {
        std::io::stdin().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    r.map_err(|e| format!("{path}: {e}"))?;
    Ok(buf)
}

fn config(a: &Args) -> Result<VerifierConfig, String> {
    let mut c = VerifierConfig::with_policy(a.policy).map_err(|e| e.to_string())?;
    for f in &a.anchors {
        let der = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
        c.trust
            .add_anchor(f, &der)
            .map_err(|e| format!("{f}: {e}"))?;
    }
    for f in &a.cv_keys {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        c.cv_trust
            .add_key_list(&text)
            .map_err(|e| format!("{f}: {e}"))?;
    }
    if !a.crls.is_empty() {
        let issuer = a.crl_issuer.as_ref().ok_or("--crl needs --crl-issuer")?;
        let issuer = std::fs::read(issuer).map_err(|e| format!("{issuer}: {e}"))?;
        let mut checker =
            crate::crl::CrlChecker::new(&issuer, a.max_crl_age).map_err(|e| e.to_string())?;
        for f in &a.crls {
            let der = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
            checker.add_crl(&der).map_err(|e| format!("{f}: {e}"))?;
        }
        c.revocation = Some(Box::new(checker));
    }
    if let Some(url) = &a.ocsp {
        if c.revocation.is_some() {
            return Err("--ocsp and --crl exclude each other".into());
        }
        let issuer = a.ocsp_issuer.as_ref().ok_or("--ocsp needs --ocsp-issuer")?;
        let issuer = std::fs::read(issuer).map_err(|e| format!("{issuer}: {e}"))?;
        let mut client = crate::ocsp::OcspClient::new(url, &issuer).map_err(|e| e.to_string())?;
        if a.ocsp_sha1 {
            client.hash = crate::ocsp::CertIdHash::Sha1;
        }
        client.nonce = !a.ocsp_no_nonce;
        client.timeout = Duration::from_secs(a.ocsp_timeout);
        c.revocation = Some(Box::new(client));
    } else if a.ocsp_issuer.is_some() {
        return Err("--ocsp-issuer needs --ocsp".into());
    }
    c.revocation_required = !a.revocation_optional;
    Ok(c)
}

/// Runs the command with `args` (after the program name) and returns the exit status;
/// `prog` names the program in messages, `format` is the default output.
pub fn run(
    prog: &str,
    args: Vec<String>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let a = match parse_args(args, format) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            let _ = writeln!(out, "usage: {prog} {USAGE}");
            return 0;
        }
        Err(e) => {
            let _ = writeln!(err, "{prog}: {e}\nusage: {prog} {USAGE}");
            return 64;
        }
    };
    let run = || -> Result<(Report, std::time::Duration, usize), String> {
        let bundle = read_limited(&a.evidence)?;
        let verifier = Verifier::new(config(&a)?);
        let start = std::time::Instant::now();
        let mut report = verifier.verify_json(&bundle, &a.nonce, a.at);
        for _ in 1..a.repeat {
            report = verifier.verify_json(&bundle, &a.nonce, a.at);
        }
        Ok((report, start.elapsed(), bundle.len()))
    };
    let report = match run() {
        Ok((report, elapsed, len)) => {
            if a.repeat > 1 {
                let _ = writeln!(
                    err,
                    "{} verifications of {len} bytes: {:.3} ms each",
                    a.repeat,
                    elapsed.as_secs_f64() * 1000.0 / f64::from(a.repeat)
                );
            }
            report
        }
        Err(e) => {
            let _ = writeln!(err, "{prog}: {e}");
            return 64;
        }
    };
    let printed = match a.format {
        Format::Summary => {
            let _ = writeln!(out, "{}", summary(&report));
            Ok(())
        }
        Format::Json => serde_json::to_string_pretty(&report)
            .map(|s| {
                let _ = writeln!(out, "{s}");
            })
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = printed {
        let _ = writeln!(err, "{prog}: {e}");
        return 64;
    }
    match report.verdict {
        Verdict::Accepted => 0,
        Verdict::Rejected => 1,
        Verdict::Incomplete => 2,
    }
}

/// The report as text: the verdict, then one line per check.
pub fn summary(report: &Report) -> String {
    let mut s = format!(
        "{:?} {} at {}",
        report.verdict,
        report.method.as_deref().unwrap_or("?"),
        report.checked_at
    );
    for c in &report.checks {
        let (word, reason) = match &c.outcome {
            mynakit::cv::CheckOutcome::Verified => ("verified", ""),
            mynakit::cv::CheckOutcome::Failed { reason } => ("FAILED", reason.as_str()),
            mynakit::cv::CheckOutcome::NotChecked { reason } => ("not checked", reason.as_str()),
        };
        let req = if c.required { "" } else { " (optional)" };
        let sep = if reason.is_empty() { "" } else { " " };
        s += &format!("\n  {:<32} {word}{req}{sep}{reason}", c.id);
    }
    s
}
