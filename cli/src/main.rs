//! `mynakit`: the MynaKit command-line tool.
#![allow(missing_docs)]

mod apps_cmd;
mod bench;
mod demo;
mod pcsc_cmd;
mod record;
mod secrets;
mod source;
mod trace_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use mynakit::cert::{JpkiCertificate, TrustPolicy, TrustStore, unix_now};
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Credential, Error, Result, Secret};
use serde::Serialize;

use secrets::SecretArgs;
use source::{CardSource, TransportOptions};

#[derive(Parser)]
#[command(
    name = "mynakit",
    version,
    about = "Read the Japanese My Number Card (JPKI-AP) — demo, operations, benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Args, Clone)]
struct CardArgs {
    /// Card source: `sim` (virtual card, profile taro), `sim:hanako`, `sim:PATH/profile.json`,
    /// `pcsc` (the only PC/SC reader holding a card), `pcsc:READER` (see `mynakit readers`).
    #[arg(long, default_value = "sim")]
    card: String,
    /// Use extended-length APDUs (virtual card; for PC/SC only when the reader, its driver
    /// and the card all handle them: short APDUs are the default because many do not).
    #[arg(long)]
    extended: bool,
    /// Print the session's APDU and byte counts to standard error at the end
    /// (`stats: apdus=N bytes_sent=N bytes_received=N`).
    #[arg(long)]
    stats: bool,
    /// Accept the virtual card's test roots in chain checks of a card that is not
    /// `--card sim` (the virtual card served over PC/SC by `mynakit sim serve`).
    #[arg(long)]
    trust_virtual_card: bool,
    /// Inject faults, e.g. `3:tag-lost,5:sw=6982` (see the fault module's docs).
    #[arg(long, value_name = "SPEC")]
    faults: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// A full eKYC-style JPKI read against the virtual card, checked on the host.
    Demo {
        /// Built-in profile (`taro`, `hanako`) or a profile.json path.
        #[arg(long, default_value = "taro")]
        profile: String,
        /// Use extended-length APDUs.
        #[arg(long)]
        extended: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
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
    /// Show, replay, diff, scrub and regenerate APDU traces.
    Trace {
        #[command(subcommand)]
        op: trace_cmd::TraceOp,
    },
    /// APDUs and bytes per operation, with the ratio to the transport's minimum.
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
    },
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
    /// Retry counters of the auth PIN and the signing password (no try is spent).
    Counters,
    /// Read a certificate; `sign` needs the signing password.
    Cert {
        #[arg(value_enum)]
        which: WhichCert,
        /// Write the DER to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Check the chain (the virtual card's test roots are accepted only for `--card sim`).
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
        #[command(flatten)]
        secret: SecretArgs,
    },
    /// Verify a signature against a certificate (host only, no card).
    Verify {
        /// The signer's certificate (DER).
        #[arg(long)]
        cert: PathBuf,
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

fn demo(profile: &str, extended: bool, json: bool) -> Result<bool> {
    let source = CardSource::Sim(profile.to_string());
    let p = source.sim_profile()?;
    let mut card = source::open(
        &source,
        &TransportOptions {
            extended,
            faults: None,
            stats: false,
        },
    )?;
    let auth = Secret::new(p.spec.credentials.jpki_auth_pin.clone());
    let sign = p
        .spec
        .credentials
        .jpki_sign_password
        .clone()
        .map(Secret::new);
    let text_pin = p
        .spec
        .text
        .as_ref()
        .map(|_| Secret::new(p.spec.credentials.text_pin.clone()));
    let creds = demo::DemoCredentials {
        auth_pin: &auth,
        sign_password: sign.as_ref(),
        text_pin: text_pin.as_ref(),
    };
    let report = demo::run(
        &mut card,
        &p.spec.id,
        p.spec.test_material,
        TrustPolicy::VIRTUAL_CARD,
        &creds,
        &random_challenge()?,
    )?;
    print(json, &report, || demo::render(&report))?;
    Ok(report.all_checks_passed)
}

/// Opens the card named by `--card` and chooses the trust policy for it: the virtual card's
/// test roots are accepted for `--card sim` (and on request for the virtual card over
/// PC/SC), never otherwise.
fn open_card(args: &CardArgs) -> Result<(mynakit::Card<Box<dyn mynakit::Transport>>, TrustPolicy)> {
    let source = CardSource::parse(&args.card)?;
    let card = source::open(
        &source,
        &TransportOptions {
            extended: args.extended,
            faults: args.faults.clone(),
            stats: args.stats,
        },
    )?;
    let policy = match source {
        CardSource::Sim(_) => TrustPolicy::VIRTUAL_CARD,
        CardSource::Pcsc(_) if args.trust_virtual_card => TrustPolicy::VIRTUAL_CARD,
        CardSource::Pcsc(_) => TrustPolicy::PRODUCTION,
        CardSource::Replay(..) => source::replay_trust(&source)?,
    };
    Ok((card, policy))
}

fn jpki(args: CardArgs, op: JpkiOp) -> Result<bool> {
    let (mut card, policy) = open_card(&args)?;
    let json = args.json;
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
                WhichCert::Auth => card.jpki().auth_certificate()?,
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
            let chain = if verify {
                Some(TrustStore::new(policy)?.verify(&cert, unix_now()))
            } else {
                None
            };
            let ok = chain.as_ref().is_none_or(|c| c.is_ok());
            #[derive(Serialize)]
            struct Out<'a> {
                certificate: &'a mynakit::cert::CertificateInfo,
                chain: Option<std::result::Result<mynakit::cert::ChainVerification, String>>,
            }
            let o = Out {
                certificate: &cert.info,
                chain: chain.map(|c| c.map_err(|e| e.to_string())),
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
                match &o.chain {
                    Some(Ok(v)) => s += &format!("chain    OK → {}\n", v.anchor),
                    Some(Err(e)) => s += &format!("chain    FAILED: {e}\n"),
                    None => {}
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
                include_certificate: true,
            };
            let sig = card.jpki().sign(key, &value, &input, opts)?;
            let verified = sig.verify_with_certificate().is_ok();
            #[derive(Serialize)]
            struct Out<'a> {
                signature: &'a mynakit::jpki::JpkiSignature,
                verified_with_certificate: bool,
            }
            let o = Out {
                signature: &sig,
                verified_with_certificate: verified,
            };
            print(json, &o, || {
                format!(
                    "signature {}\nverified with the card's certificate: {verified}\n",
                    hex::encode_upper(&sig.signature)
                )
            })?;
            return Ok(verified);
        }
        JpkiOp::Verify {
            cert,
            signature,
            hash,
            allow_sha1,
            message,
            message_file,
        } => {
            let der = std::fs::read(&cert).map_err(|e| {
                Error::InvalidArgument(format!("cannot read {}: {e}", cert.display()))
            })?;
            let c = JpkiCertificate::parse(&der)?;
            let data = message_arg(message, message_file)?
                .ok_or_else(|| Error::InvalidArgument("give --message or --message-file".into()))?;
            let sig = hex::decode(signature.trim())
                .map_err(|_| Error::InvalidArgument("--signature is not hex".into()))?;
            let input = SignInput::Message {
                hash: hash_arg(&hash)?,
                data,
            };
            let r = mynakit::sign::verify_signature(&c.spki_der()?, &input, &sig, allow_sha1);
            println!(
                "{}",
                if r.is_ok() {
                    "signature verified".to_string()
                } else {
                    format!(
                        "signature NOT verified: {}",
                        r.as_ref()
                            .err()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    )
                }
            );
            return Ok(r.is_ok());
        }
    }
    Ok(true)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Demo {
            profile,
            extended,
            json,
        } => demo(&profile, extended, json),
        Cmd::Jpki { card, op } => jpki(card, op),
        Cmd::Text { card, unlock, app } => open_card(&card).and_then(|(mut c, policy)| {
            let trust = mynakit::cv::CvTrust::new(policy)?;
            apps_cmd::text(&mut c, unlock, &app, &trust, card.json)
        }),
        Cmd::Face { card, unlock, out, app } => open_card(&card).and_then(|(mut c, policy)| {
            let trust = mynakit::cv::CvTrust::new(policy)?;
            apps_cmd::face(&mut c, unlock, &app, out.as_ref(), &trust, card.json)
        }),
        Cmd::Readers { json } => pcsc_cmd::readers(json),
        Cmd::Sim { op } => pcsc_cmd::sim(op),
        Cmd::Record(args) => record::run(&args),
        Cmd::Trace { op } => trace_cmd::run(op),
        Cmd::Bench { photo_timing: true, .. } => bench::photo_timing(20).map(|(ms, size, w, h)| {
            println!("JPEG 2000 photo ({size} bytes, {w}x{h}) decoded to pixels and PNG: median {ms:.2} ms over 20 runs");
            true
        }),
        Cmd::Bench { json, markdown, .. } => bench::run().and_then(|rows| {
            if markdown {
                print!("{}", bench::markdown(&rows));
                Ok(true)
            } else {
                print(json, &rows, || bench::markdown(&rows)).map(|()| true)
            }
        }),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
