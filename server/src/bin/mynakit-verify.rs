//! `mynakit-verify EVIDENCE --nonce HEX --at RFC3339 [--trust POLICY] ...`: verifies an
//! evidence bundle from its bytes and prints the report (JSON, or a summary with
//! `--summary`). Exit status: 0 accepted, 1 rejected, 2 incomplete, 64 usage error.

use std::io::Read;
use std::process::ExitCode;

use mynakit::cert::TrustPolicy;
use mynakit_server::time::parse_rfc3339;
use mynakit_server::{Verdict, Verifier, VerifierConfig};

const USAGE: &str = "usage: mynakit-verify EVIDENCE|- --nonce HEX [--at RFC3339] [options]

  --nonce HEX              the nonce this server issued for the bundle (16 to 64 bytes)
  --at RFC3339             the time to check at (default: now), e.g. 2027-04-01T09:00:00+09:00
  --trust POLICY           production (default), jlis-test (also the J-LIS test-card roots),
                           virtual-card (also MynaKit's virtual card TEST roots and CV CA)
  --anchor FILE            an extra X.509 root (DER), repeatable
  --cv-keys FILE           extra CV CA keys (MynaKit key-list format), repeatable
  --crl FILE               a DER CRL for JPKI revocation (with --crl-issuer), repeatable
  --crl-issuer FILE        the CA certificate (DER) that signs the CRLs
  --max-crl-age SECONDS    CRLs whose thisUpdate is older are stale (default 172800)
  --revocation-optional    accept JPKI bundles whose revocation was not checked
  --summary                print one line per check instead of JSON
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
    revocation_optional: bool,
    summary: bool,
    repeat: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
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
        revocation_optional: false,
        summary: false,
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
            "--revocation-optional" => a.revocation_optional = true,
            "--summary" => a.summary = true,
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
        let mut checker = mynakit_server::crl::CrlChecker::new(&issuer, a.max_crl_age)
            .map_err(|e| e.to_string())?;
        for f in &a.crls {
            let der = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
            checker.add_crl(&der).map_err(|e| format!("{f}: {e}"))?;
        }
        c.revocation = Some(Box::new(checker));
    }
    c.revocation_required = !a.revocation_optional;
    Ok(c)
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("mynakit-verify: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(64);
        }
    };
    let run = || -> Result<mynakit_server::Report, String> {
        let bundle = read_limited(&a.evidence)?;
        let verifier = Verifier::new(config(&a)?);
        let start = std::time::Instant::now();
        let mut report = verifier.verify_json(&bundle, &a.nonce, a.at);
        for _ in 1..a.repeat {
            report = verifier.verify_json(&bundle, &a.nonce, a.at);
        }
        if a.repeat > 1 {
            eprintln!(
                "{} verifications of {} bytes: {:.3} ms each",
                a.repeat,
                bundle.len(),
                start.elapsed().as_secs_f64() * 1000.0 / f64::from(a.repeat)
            );
        }
        Ok(report)
    };
    let report = match run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mynakit-verify: {e}");
            return ExitCode::from(64);
        }
    };
    if a.summary {
        println!(
            "{:?} {} at {}",
            report.verdict,
            report.method.as_deref().unwrap_or("?"),
            report.checked_at
        );
        for c in &report.checks {
            let (word, reason) = match &c.outcome {
                mynakit::cv::CheckOutcome::Verified => ("verified", ""),
                mynakit::cv::CheckOutcome::Failed { reason } => ("FAILED", reason.as_str()),
                mynakit::cv::CheckOutcome::NotChecked { reason } => {
                    ("not checked", reason.as_str())
                }
            };
            let req = if c.required { "" } else { " (optional)" };
            println!("  {:<32} {word}{req} {reason}", c.id);
        }
    } else {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("mynakit-verify: {e}");
                return ExitCode::from(64);
            }
        }
    }
    ExitCode::from(match report.verdict {
        Verdict::Accepted => 0,
        Verdict::Rejected => 1,
        Verdict::Incomplete => 2,
    })
}
