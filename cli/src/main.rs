//! `mynakit`: the MynaKit command-line tool.
#![allow(missing_docs)]

mod apps_cmd;
mod bench;
mod cms_cmd;
mod demo;
mod pcsc_cmd;
mod record;
mod secrets;
mod source;
mod timing;
mod trace_cmd;
mod trace_html;
mod trust;
mod verdict;
mod verify_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use mynakit::cert::{JpkiCertificate, TrustPolicy, unix_now};
use mynakit::jpki::{JpkiKey, SignOptions, TokenInfo};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Card, Credential, Error, Result, RetryStatus, Secret, Transport};
use serde::Serialize;

use secrets::SecretArgs;
use source::{CardSource, TransportOptions};
use trust::{Trust, TrustArgs};
use verdict::{Outcome, VerificationOut};

#[derive(Parser)]
#[command(
    name = "mynakit",
    version,
    about = "Read the Japanese My Number Card (JPKI-AP) — demo, operations, benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
    /// On an error, also print the message an app would show its user, in this language
    /// (the error's code and technical detail are always printed).
    #[arg(long, value_enum, global = true)]
    lang: Option<LangArg>,
}

/// `--lang`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    /// Japanese.
    Ja,
    /// English.
    En,
}

#[derive(clap::Args, Clone)]
struct CardArgs {
    /// Card source: `sim` (virtual card, profile taro), `sim:hanako`, `sim:PATH/profile.json`,
    /// `replay:TRACE.jsonl` (a recorded trace answers), `pcsc` (the only PC/SC reader holding
    /// a card), `pcsc:READER` (see `mynakit readers`; needs a build with `--features pcsc`).
    #[arg(long, default_value = "sim", global = true)]
    card: String,
    /// Use extended-length APDUs (virtual card; for PC/SC only when the reader, its driver
    /// and the card all handle them: short APDUs are the default because many do not).
    #[arg(long, global = true)]
    extended: bool,
    /// Print the session's APDU and byte counts to standard error at the end
    /// (`stats: apdus=N bytes_sent=N bytes_received=N`).
    #[arg(long, global = true)]
    stats: bool,
    /// Accept the virtual card's test roots in chain checks of a card that is not
    /// `--card sim` (the virtual card served over PC/SC by `mynakit sim serve`); the same
    /// as `--trust virtual-card`.
    #[arg(long, global = true)]
    trust_virtual_card: bool,
    #[command(flatten)]
    trust: TrustArgs,
    /// Inject faults, e.g. `3:tag-lost,5:sw=6982` (see the fault module's docs).
    #[arg(long, value_name = "SPEC", global = true)]
    faults: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// A full eKYC-style read (JPKI; with a 券面事項入力補助 PIN also both 券面 APs), every
    /// result checked on the host; over the virtual card (default), a trace or a reader.
    Demo {
        #[command(flatten)]
        card: CardArgs,
        /// Built-in profile (`taro`, `hanako`) or a profile.json path: short for
        /// `--card sim:PROFILE`.
        #[arg(long)]
        profile: Option<String>,
        #[command(flatten)]
        creds: DemoCredentialArgs,
    },
    /// All 8 retry counters (JPKI auth PIN and signing password, 入力補助 PIN, 照合番号A/B of
    /// both 券面 APs, birth-date key), read without spending a try.
    Counters {
        #[command(flatten)]
        card: CardArgs,
    },
    /// 券面事項入力補助AP: My Number and the four attributes, with their integrity checks.
    Text {
        #[command(flatten)]
        card: CardArgs,
        /// Which credential unlocks the AP.
        #[arg(long, value_enum, default_value = "pin")]
        unlock: apps_cmd::TextHow,
        #[command(flatten)]
        app: apps_cmd::AppArgs,
    },
    /// 券面AP: the card face (images, JPEG 2000 photo) and the My Number image, checked.
    Face {
        #[command(flatten)]
        card: CardArgs,
        /// Which credential unlocks the AP.
        #[arg(long, value_enum, default_value = "a")]
        unlock: apps_cmd::FaceHow,
        /// Write the photo (JP2 and PNG) and the other images to this folder.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        app: apps_cmd::AppArgs,
    },
    /// JPKI-AP operations.
    Jpki {
        #[command(flatten)]
        card: CardArgs,
        #[command(subcommand)]
        op: JpkiOp,
    },
    /// List the PC/SC readers and the cards in them.
    Readers {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The virtual card outside this process.
    Sim {
        #[command(subcommand)]
        op: pcsc_cmd::SimOp,
    },
    /// Run a named operation and write its APDU trace (see docs/traces.md).
    Record(record::RecordArgs),
    /// Show, replay, diff, scrub, regenerate APDU traces, and write them as HTML reports.
    Trace {
        #[command(subcommand)]
        op: trace_cmd::TraceOp,
    },
    /// APDUs and bytes per operation, with the ratio to the transport's minimum, and the
    /// modelled time the card must stay on the phone.
    Bench {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Print a Markdown table (as in docs/benchmarks.md).
        #[arg(long)]
        markdown: bool,
        /// Print only the photo decoding time (median of 20 runs of this build).
        #[arg(long)]
        photo_timing: bool,
        /// Print only the server-side verification time of a full ヘ bundle (median of
        /// `--runs` verifications by the server verifier, this build).
        #[arg(long)]
        server_timing: bool,
        /// Runs for `--server-timing`.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Print the time-on-card section (model parameters and table, Markdown).
        #[arg(long)]
        time_markdown: bool,
        /// Compare the per-exchange elapsed times a trace recorded (on a phone, clock
        /// `wall`) with the timing model.
        #[arg(long, value_name = "TRACE")]
        compare_trace: Option<PathBuf>,
    },
    /// Sign a file with the JPKI signing key: a detached CMS SignedData (`.p7s`, CAdES-BES
    /// attributes) that `openssl cms -verify -binary -inform DER` checks.
    SignDocument {
        #[command(flatten)]
        card: CardArgs,
        #[command(flatten)]
        args: cms_cmd::SignDocumentArgs,
    },
    /// Verify an evidence bundle as the bank's server does (the `mynakit-server` verifier;
    /// the same options as `mynakit-verify`, see `mynakit verify --help`).
    Verify(verify_cmd::VerifyArgs),
}

/// The holder's credentials for `demo` on a card that is not the virtual card (whose
/// profile supplies them; a replayed trace gets stand-ins of the recorded lengths).
#[derive(clap::Args, Clone, Default)]
struct DemoCredentialArgs {
    /// Read the JPKI auth PIN from this environment variable (needed for `--card pcsc`).
    #[arg(long, value_name = "VAR")]
    pin_env: Option<String>,
    /// Read the signing password from this environment variable: the demo then also reads
    /// the signing certificate.
    #[arg(long, value_name = "VAR")]
    sign_password_env: Option<String>,
    /// Read the 券面事項入力補助 PIN from this environment variable: the demo then also reads
    /// both 券面 APs (the 券面AP with the My Number it read as 照合番号A).
    #[arg(long, value_name = "VAR")]
    text_pin_env: Option<String>,
}

fn env_secret(var: &str) -> Result<Secret> {
    std::env::var(var)
        .map(Secret::new)
        .map_err(|_| Error::InvalidArgument(format!("environment variable {var} is not set")))
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyArg {
    Auth,
    Sign,
}

#[derive(Clone, Copy, ValueEnum)]
enum WhichCert {
    Auth,
    AuthCa,
    Sign,
    SignCa,
}

#[derive(Subcommand)]
enum JpkiOp {
    /// Token label and kind (EF 0006).
    Token,
    /// Which certificates the card holds (EF 0008).
    Availability,
    /// Retry counters of the auth PIN and the signing password (no try is spent; all 8
    /// counters: `mynakit counters`).
    Counters,
    /// Read a certificate; `sign` needs the signing password, `auth` on a smartphone token
    /// the auth PIN (`--pin-env`; presented only when the token needs it).
    Cert {
        #[arg(value_enum)]
        which: WhichCert,
        /// Write the DER to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Check the chain (the virtual card's test roots are accepted only for `--card sim`;
        /// more with `--trust`, `--trust-root`).
        #[arg(long)]
        verify: bool,
        #[command(flatten)]
        secret: SecretArgs,
    },
    /// Sign a message or a digest with the auth or the sign key.
    Sign {
        #[arg(long, value_enum)]
        key: KeyArg,
        /// sha256 (default), sha384, sha512; sha1 needs --allow-sha1.
        #[arg(long, default_value = "sha256")]
        hash: String,
        #[arg(long)]
        allow_sha1: bool,
        /// The message, as text.
        #[arg(long, conflicts_with_all = ["message_file", "digest"])]
        message: Option<String>,
        /// The message, from a file.
        #[arg(long, conflicts_with = "digest")]
        message_file: Option<PathBuf>,
        /// A precomputed digest, hex.
        #[arg(long)]
        digest: Option<String>,
        /// Do not re-read the key's certificate after signing (fewer APDUs); the signature
        /// is then reported as not checked.
        #[arg(long, conflicts_with = "cert")]
        no_cert: bool,
        /// Check the signature against this certificate (DER or PEM) instead of re-reading
        /// the certificate from the card.
        #[arg(long, value_name = "FILE")]
        cert: Option<PathBuf>,
        /// Also check the chain of the certificate the signature is checked against.
        #[arg(long, conflicts_with = "no_cert")]
        verify: bool,
        #[command(flatten)]
        secret: SecretArgs,
    },
    /// Check a certificate file's chain (host only, no card): which accepted root issued it.
    Chain {
        /// The certificate (DER or PEM).
        #[arg(long)]
        cert: PathBuf,
        /// Check validity at this moment (seconds since the Unix epoch) instead of now.
        #[arg(long, value_name = "UNIX")]
        at: Option<u64>,
    },
    /// Verify a signature against a certificate (host only, no card).
    Verify {
        /// The signer's certificate (DER or PEM).
        #[arg(long)]
        cert: PathBuf,
        /// Also check the certificate's chain (`--trust`, `--trust-root` widen the roots).
        #[arg(long)]
        chain: bool,
        /// The signature, hex.
        #[arg(long)]
        signature: String,
        #[arg(long, default_value = "sha256")]
        hash: String,
        #[arg(long)]
        allow_sha1: bool,
        #[arg(long, conflicts_with = "message_file")]
        message: Option<String>,
        #[arg(long)]
        message_file: Option<PathBuf>,
    },
}

pub(crate) fn print<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<()> {
    if json {
        let s = serde_json::to_string_pretty(value)
            .map_err(|e| Error::InvalidArgument(format!("cannot encode JSON: {e}")))?;
        println!("{s}");
    } else {
        print!("{}", text());
    }
    Ok(())
}

/// Reads a certificate file (DER or PEM; the first certificate of a PEM bundle).
fn read_certificate(path: &std::path::Path) -> Result<JpkiCertificate> {
    let ders = trust::read_certificates(path)?;
    let der = ders
        .first()
        .ok_or_else(|| Error::InvalidArgument(format!("{}: no certificate", path.display())))?;
    JpkiCertificate::parse(der)
        .map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))
}

fn hash_arg(name: &str) -> Result<HashAlgorithm> {
    HashAlgorithm::from_name(name)
        .ok_or_else(|| Error::InvalidArgument(format!("unknown hash {name:?}")))
}

fn message_arg(message: Option<String>, file: Option<PathBuf>) -> Result<Option<Vec<u8>>> {
    match (message, file) {
        (Some(m), _) => Ok(Some(m.into_bytes())),
        (None, Some(f)) => std::fs::read(&f)
            .map(Some)
            .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", f.display()))),
        (None, None) => Ok(None),
    }
}

fn random_challenge() -> Result<[u8; 32]> {
    let mut c = [0u8; 32];
    getrandom::fill(&mut c)
        .map_err(|e| Error::InvalidArgument(format!("no system randomness: {e}")))?;
    Ok(c)
}

fn demo(args: &CardArgs, profile: Option<String>, creds: &DemoCredentialArgs) -> Result<bool> {
    let spec = match (profile, args.card.as_str()) {
        (Some(p), "sim") => format!("sim:{p}"),
        (Some(_), _) => {
            return Err(Error::InvalidArgument(
                "give --profile or --card, not both".into(),
            ));
        }
        (None, c) => c.to_string(),
    };
    let source = CardSource::parse(&spec)?;
    let header = source::replay_header(&source)?;
    // The credentials: given ones first; else the virtual card's profile, or stand-ins of
    // the recorded lengths for a trace (the trace holds no secret, only lengths).
    let given = |v: &Option<String>| v.as_deref().map(env_secret).transpose();
    let (mut auth, mut sign, mut text_pin) = (
        given(&creds.pin_env)?,
        given(&creds.sign_password_env)?,
        given(&creds.text_pin_env)?,
    );
    let (name, test_material) = match (&source, &header) {
        (CardSource::Sim(_), _) => {
            let p = source.sim_profile()?;
            let c = &p.spec.credentials;
            auth = auth.or_else(|| Some(Secret::new(c.jpki_auth_pin.clone())));
            sign = sign.or_else(|| c.jpki_sign_password.clone().map(Secret::new));
            if p.spec.text.is_some() {
                text_pin = text_pin.or_else(|| Some(Secret::new(c.text_pin.clone())));
            }
            (p.spec.id.clone(), p.spec.test_material)
        }
        (_, Some(h)) => {
            let stand_in = mynakit_testkit::trace::ops::Secrets::placeholders(&h.secrets);
            let get = |c| stand_in.get(c).cloned();
            auth = auth.or_else(|| get(Credential::JpkiAuthPin));
            sign = sign.or_else(|| get(Credential::JpkiSignPassword));
            text_pin = text_pin.or_else(|| get(Credential::TextPin));
            let path = spec.split_once(':').map_or(spec.as_str(), |(_, p)| p);
            (format!("{}, replayed from {path}", h.card), false)
        }
        _ => (spec.clone(), false),
    };
    // A replay must send what was recorded: the recorded challenge and check time.
    let fixed = header.as_ref().map(|h| h.fixed.clone()).unwrap_or_default();
    if let Some(h) = header.as_ref().filter(|h| h.operation.name != "demo") {
        return Err(Error::Trace(format!(
            "this trace records `{}`, not `demo`: replay it with `mynakit trace replay`",
            h.operation.name
        )));
    }
    let challenge = match (&header, &fixed.challenge_hex) {
        (Some(_), Some(h)) => hex::decode(h)
            .map_err(|_| Error::Trace("the trace's fixed challenge_hex is not hex".into()))?,
        (Some(_), None) => {
            return Err(Error::Trace(
                "this trace fixes no demo challenge (header fixed.challenge_hex): record it with `mynakit record demo`".into(),
            ));
        }
        (None, _) => random_challenge()?.to_vec(),
    };
    let auth = auth.ok_or_else(|| {
        Error::InvalidArgument("the demo signs with the auth PIN: pass --pin-env VAR".into())
    })?;
    let (mut card, trust) = open_source(&source, args)?;
    let now = fixed.verification_time_unix.unwrap_or_else(unix_now);
    let demo_creds = demo::DemoCredentials {
        auth_pin: &auth,
        sign_password: sign.as_ref(),
        text_pin: text_pin.as_ref(),
    };
    let demo_trust = demo::DemoTrust {
        policy: trust.policy,
        store: &trust.store,
        cv: &trust.cv,
        now,
    };
    let report = demo::run_with(
        &mut card,
        &name,
        test_material,
        &demo_trust,
        &demo_creds,
        &challenge,
    )?;
    print(args.json, &report, || demo::render(&report))?;
    Ok(report.all_checks_passed)
}

/// Opens the card named by `--card` and builds what its checks accept: the virtual card's
/// test roots for `--card sim` (and on request for the virtual card over PC/SC), the recorded
/// policy for a trace, production otherwise; widened by `--trust`, `--trust-root`, `--cv-ca`.
/// The trust options are read before the card is opened: a bad file costs no APDU.
fn open_card(args: &CardArgs) -> Result<(Card<Box<dyn Transport>>, Trust)> {
    open_source(&CardSource::parse(&args.card)?, args)
}

fn open_source(source: &CardSource, args: &CardArgs) -> Result<(Card<Box<dyn Transport>>, Trust)> {
    let trust = trust_for(source, args)?;
    let card = source::open(
        source,
        &TransportOptions {
            extended: args.extended,
            faults: args.faults.clone(),
            stats: args.stats,
        },
    )?;
    Ok((card, trust))
}

/// What the checks accept for a card source, widened by the trust options.
fn trust_for(source: &CardSource, args: &CardArgs) -> Result<Trust> {
    let mut base = match source {
        CardSource::Sim(_) => TrustPolicy::VIRTUAL_CARD,
        CardSource::Pcsc(_) => TrustPolicy::PRODUCTION,
        CardSource::Replay(..) => source::replay_trust(source)?,
    };
    base.accept_virtual_card |= args.trust_virtual_card;
    args.trust.build(base)
}

/// Reads the user-authentication certificate, presenting the auth PIN first where the token
/// needs it: a smartphone token (EF `0006` says so) shows the certificate only after the PIN
/// (card-protocol §3.1); a token not known to be a My Number Card that refuses the read gets
/// the PIN and one more read (`mynakit::flows::auth_certificate`). Without a PIN, such a
/// refusal says how to give one.
pub(crate) fn auth_certificate<T: Transport>(
    card: &mut Card<T>,
    token: Option<&TokenInfo>,
    pin: Option<&Secret>,
    allow_last_try: bool,
) -> Result<JpkiCertificate> {
    match mynakit::flows::auth_certificate(card, token, pin, allow_last_try) {
        Err(e @ Error::CredentialRequired { .. }) if pin.is_none() => {
            Err(Error::InvalidArgument(format!(
                "{e}: this token shows the auth certificate only after the auth PIN; pass --pin-env VAR or --pin-stdin"
            )))
        }
        r => r,
    }
}

/// `mynakit counters`: every credential's retry counter, no try spent.
fn counters(args: &CardArgs) -> Result<bool> {
    #[derive(Serialize)]
    struct Row {
        credential: &'static str,
        description: String,
        /// `false` when the card has no such credential (or not its application).
        available: bool,
        status: Option<RetryStatus>,
        documented_max_tries: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    }
    #[derive(Serialize)]
    struct Out {
        counters: Vec<Row>,
    }
    let (mut card, _) = open_card(args)?;
    let mut rows = Vec::new();
    let mut ok = true;
    for c in Credential::ALL {
        let (available, status, error) = match card.retry_status(c) {
            Ok(s) => (true, Some(s), None),
            Err(Error::NotAvailable { .. }) => (false, None, None),
            // A lost card ends the command; other refusals are reported per credential.
            Err(e @ (Error::Transport(_) | Error::Trace(_))) => return Err(e),
            Err(e) => {
                ok = false;
                (true, None, Some(e.to_string()))
            }
        };
        rows.push(Row {
            credential: c.id(),
            description: c.to_string(),
            available,
            status,
            documented_max_tries: c.documented_max_tries(),
            error,
        });
    }
    let out = Out { counters: rows };
    print(args.json, &out, || {
        out.counters
            .iter()
            .map(|r| {
                let state = match (&r.status, &r.error) {
                    (Some(s), _) => demo::retries(s),
                    (None, Some(e)) => format!("ERROR: {e}"),
                    (None, None) => "not on this card".into(),
                };
                format!("{:<20} {:<32} {}\n", r.credential, state, r.description)
            })
            .collect()
    })?;
    Ok(ok)
}

fn jpki(args: CardArgs, op: JpkiOp) -> Result<bool> {
    // Files given on the command line are read before any card contact.
    let sign_cert = match &op {
        JpkiOp::Sign {
            cert: Some(path), ..
        } => Some(read_certificate(path)?),
        _ => None,
    };
    let json = args.json;
    let source = CardSource::parse(&args.card)?;
    let op = match op {
        JpkiOp::Verify {
            cert,
            chain,
            signature,
            hash,
            allow_sha1,
            message,
            message_file,
        } => {
            // Host only: no card is opened.
            let trust = trust_for(&source, &args)?;
            return verify_cmd(
                &trust,
                json,
                cert,
                chain,
                signature,
                hash,
                allow_sha1,
                message,
                message_file,
            );
        }
        op => op,
    };
    if let JpkiOp::Chain { cert, at } = &op {
        // Host only: no card is opened.
        let c = read_certificate(cert)?;
        let trust = trust_for(&source, &args)?;
        let mut v = VerificationOut::default();
        v.chain(
            "certificate chain",
            &trust.store.verify(&c, at.unwrap_or_else(unix_now)),
        );
        #[derive(Serialize)]
        struct Out<'a> {
            certificate: &'a mynakit::cert::CertificateInfo,
            verification: &'a VerificationOut,
        }
        print(
            json,
            &Out {
                certificate: &c.info,
                verification: &v,
            },
            || {
                format!(
                    "subject  {}\nissuer   {}\n{}",
                    c.info.subject,
                    c.info.issuer,
                    v.render("")
                )
            },
        )?;
        return Ok(!v.any_failed());
    }
    let (mut card, trust) = open_source(&source, &args)?;
    match op {
        JpkiOp::Token => {
            let t = card.jpki().token_info()?;
            print(json, &t, || format!("{} ({:?})\n", t.label, t.kind))?;
        }
        JpkiOp::Availability => {
            let a = card.jpki().certificate_availability()?;
            print(json, &a, || {
                format!(
                    "signing: {}, authentication: {} (raw {})\n",
                    a.signing, a.authentication, a.raw_hex
                )
            })?;
        }
        JpkiOp::Counters => {
            #[derive(Serialize)]
            struct Counters {
                auth_pin: mynakit::RetryStatus,
                sign_password: Option<mynakit::RetryStatus>,
            }
            let auth_pin = card.jpki().retry_status(Credential::JpkiAuthPin)?;
            let sign_password = match card.jpki().retry_status(Credential::JpkiSignPassword) {
                Ok(s) => Some(s),
                Err(Error::NotAvailable { .. }) => None,
                Err(e) => return Err(e),
            };
            let c = Counters {
                auth_pin,
                sign_password,
            };
            print(json, &c, || {
                format!(
                    "auth PIN: {:?}\nsign password: {:?}\n",
                    c.auth_pin, c.sign_password
                )
            })?;
        }
        JpkiOp::Cert {
            which,
            out,
            verify,
            secret,
        } => {
            let cert: JpkiCertificate = match which {
                WhichCert::Auth if secret.pin_env.is_some() || secret.pin_stdin => {
                    let pin = secret.read("the auth PIN")?;
                    let token = card.jpki().token_info()?;
                    auth_certificate(&mut card, Some(&token), Some(&pin), secret.allow_last_try)?
                }
                WhichCert::Auth => auth_certificate(&mut card, None, None, false)?,
                WhichCert::AuthCa => card.jpki().auth_ca_certificate()?,
                WhichCert::SignCa => card.jpki().sign_ca_certificate()?,
                WhichCert::Sign => {
                    let pw = secret.read("the signing password")?;
                    card.jpki().sign_certificate(&pw, secret.allow_last_try)?
                }
            };
            if let Some(path) = out {
                std::fs::write(&path, &cert.der).map_err(|e| {
                    Error::InvalidArgument(format!("cannot write {}: {e}", path.display()))
                })?;
            }
            let verification = verify.then(|| {
                let mut v = VerificationOut::default();
                v.chain("certificate chain", &trust.store.verify(&cert, unix_now()));
                v
            });
            let ok = verification.as_ref().is_none_or(|v| !v.any_failed());
            #[derive(Serialize)]
            struct Out<'a> {
                certificate: &'a mynakit::cert::CertificateInfo,
                #[serde(skip_serializing_if = "Option::is_none")]
                verification: Option<VerificationOut>,
            }
            let o = Out {
                certificate: &cert.info,
                verification,
            };
            print(json, &o, || {
                let mut s = format!(
                    "subject  {}\nissuer   {}\nserial   {}\nvalid    {} to {}\nkey      {} {:?} bits\nsha256   {}\n",
                    cert.info.subject,
                    cert.info.issuer,
                    cert.info.serial,
                    cert.info.not_before,
                    cert.info.not_after,
                    cert.info.public_key.algorithm,
                    cert.info.public_key.bits,
                    cert.info.sha256_fingerprint
                );
                if let Some(a) = &cert.info.attributes {
                    s += &format!(
                        "name     {}\naddress  {}\nbirth    {}\nsex      {:?}\n",
                        a.name.as_deref().unwrap_or("-"),
                        a.address.as_deref().unwrap_or("-"),
                        a.birth_date.as_ref().map(|b| b.raw.as_str()).unwrap_or("-"),
                        a.sex
                    );
                }
                if let Some(v) = &o.verification {
                    s += &v.render("");
                }
                s
            })?;
            return Ok(ok);
        }
        JpkiOp::Sign {
            key,
            hash,
            allow_sha1,
            message,
            message_file,
            digest,
            no_cert,
            cert,
            verify,
            secret,
        } => {
            let hash = hash_arg(&hash)?;
            let input = match (message_arg(message, message_file)?, digest) {
                (Some(data), None) => SignInput::Message { hash, data },
                (None, Some(d)) => SignInput::Digest {
                    hash,
                    digest: hex::decode(d.trim())
                        .map_err(|_| Error::InvalidArgument("--digest is not hex".into()))?,
                },
                _ => {
                    return Err(Error::InvalidArgument(
                        "give --message, --message-file or --digest".into(),
                    ));
                }
            };
            let key = match key {
                KeyArg::Auth => JpkiKey::Auth,
                KeyArg::Sign => JpkiKey::Sign,
            };
            let value = secret.read(&key.credential().to_string())?;
            let opts = SignOptions {
                allow_below_floor: secret.allow_last_try,
                allow_sha1,
                // Re-read the certificate only when nothing else is given to check against.
                include_certificate: !no_cert && sign_cert.is_none(),
            };
            let sig = card.jpki().sign(key, &value, &input, opts)?;
            let mut v = VerificationOut::default();
            let checked_against = match (&sign_cert, &sig.certificate) {
                (Some(c), _) => {
                    let name = format!(
                        "signature (certificate {})",
                        cert.as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    );
                    v.result(
                        name,
                        &c.spki_der().and_then(|spki| {
                            mynakit::sign::verify_signature(
                                &spki,
                                &input,
                                &sig.signature,
                                allow_sha1,
                            )
                        }),
                    );
                    Some(c)
                }
                (None, Some(c)) => {
                    v.result(
                        "signature (certificate read from the card)",
                        &sig.verify_with_certificate(),
                    );
                    Some(c)
                }
                (None, None) => {
                    v.push(
                        "signature",
                        Outcome::NotChecked,
                        Some("--no-cert: no certificate to check it against".into()),
                        None,
                    );
                    None
                }
            };
            if let (true, Some(c)) = (verify, checked_against) {
                v.chain("certificate chain", &trust.store.verify(c, unix_now()));
            }
            #[derive(Serialize)]
            struct Out<'a> {
                signature: &'a mynakit::jpki::JpkiSignature,
                verification: &'a VerificationOut,
            }
            let o = Out {
                signature: &sig,
                verification: &v,
            };
            print(json, &o, || {
                format!(
                    "signature {}\n{}",
                    hex::encode_upper(&sig.signature),
                    v.render("")
                )
            })?;
            return Ok(!v.any_failed());
        }
        JpkiOp::Chain { .. } => {}
        // Host only, handled above.
        JpkiOp::Verify { .. } => {}
    }
    Ok(true)
}

/// `mynakit jpki verify`: a signature against a certificate file, on the host only.
#[allow(clippy::too_many_arguments)]
fn verify_cmd(
    trust: &Trust,
    json: bool,
    cert: PathBuf,
    chain: bool,
    signature: String,
    hash: String,
    allow_sha1: bool,
    message: Option<String>,
    message_file: Option<PathBuf>,
) -> Result<bool> {
    let c = read_certificate(&cert)?;
    let data = message_arg(message, message_file)?
        .ok_or_else(|| Error::InvalidArgument("give --message or --message-file".into()))?;
    let sig = hex::decode(signature.trim())
        .map_err(|_| Error::InvalidArgument("--signature is not hex".into()))?;
    let input = SignInput::Message {
        hash: hash_arg(&hash)?,
        data,
    };
    let r = mynakit::sign::verify_signature(&c.spki_der()?, &input, &sig, allow_sha1);
    let mut v = VerificationOut::default();
    v.result("signature", &r);
    if chain {
        v.chain("certificate chain", &trust.store.verify(&c, unix_now()));
    }
    #[derive(Serialize)]
    struct Out<'a> {
        certificate: &'a mynakit::cert::CertificateInfo,
        verification: &'a VerificationOut,
    }
    let o = Out {
        certificate: &c.info,
        verification: &v,
    };
    print(json, &o, || {
        let mut s = match &r {
            Ok(()) => "signature verified\n".to_string(),
            Err(e) => format!("signature NOT verified: {e}\n"),
        };
        if chain {
            s += &v.render("");
        }
        s
    })?;
    Ok(!v.any_failed())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang.map(|l| match l {
        LangArg::Ja => mynakit::error::Lang::Ja,
        LangArg::En => mynakit::error::Lang::En,
    });
    let result = match cli.command {
        Cmd::Demo {
            card,
            profile,
            creds,
        } => demo(&card, profile, &creds),
        Cmd::Counters { card } => counters(&card),
        Cmd::Jpki { card, op } => jpki(card, op),
        Cmd::Text { card, unlock, app } => open_card(&card).and_then(|(mut c, trust)| {
            apps_cmd::text(&mut c, unlock, &app, &trust.cv, card.json)
        }),
        Cmd::Face { card, unlock, out, app } => open_card(&card).and_then(|(mut c, trust)| {
            apps_cmd::face(&mut c, unlock, &app, out.as_ref(), &trust.cv, card.json)
        }),
        Cmd::Readers { json } => pcsc_cmd::readers(json),
        Cmd::Sim { op } => pcsc_cmd::sim(op),
        Cmd::Record(args) => record::run(&args),
        Cmd::Trace { op } => trace_cmd::run(op),
        Cmd::Verify(args) => return verify_cmd::run(args),
        Cmd::SignDocument { card, args } => cms_cmd::run(
            || open_card(&card).map(|(c, _)| c),
            &card.card,
            &args,
            card.json,
        ),
        Cmd::Bench {
            server_timing: true,
            runs,
            json,
            ..
        } => bench::server_timing(runs)
            .and_then(|t| print(json, &t, || format!("{}\n", bench::server_timing_text(&t))).map(|()| true)),
        Cmd::Bench { photo_timing: true, .. } => bench::photo_timing(20).map(|(ms, size, w, h)| {
            println!("JPEG 2000 photo ({size} bytes, {w}x{h}) decoded to pixels and PNG: median {ms:.2} ms over 20 runs");
            true
        }),
        Cmd::Bench {
            compare_trace: Some(path),
            json,
            ..
        } => source::read_trace(&path).and_then(|trace| {
            match timing::compare(&timing::NOMINAL, &trace) {
                Ok(c) => print(json, &c, || timing::comparison_text(&c)).map(|()| true),
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    Ok(false)
                }
            }
        }),
        Cmd::Bench {
            json,
            markdown,
            time_markdown,
            ..
        } => bench::run().and_then(|rows| {
            if markdown {
                print!("{}", bench::markdown(&rows));
                Ok(true)
            } else if time_markdown {
                print!("{}", bench::time_markdown(&rows));
                Ok(true)
            } else {
                print(json, &rows, || {
                    format!("{}\n{}", bench::markdown(&rows), bench::time_markdown(&rows))
                })
                .map(|()| true)
            }
        }),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            if let Some(lang) = lang {
                eprintln!("{}", e.message(lang));
            }
            ExitCode::from(2)
        }
    }
}
