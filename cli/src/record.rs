//! `mynakit record`: run a named operation and write its APDU trace (and, on request, its
//! result as an expected-result file for `mynakit trace replay --expect`).

use std::path::PathBuf;

use clap::ValueEnum;
use mynakit::cert::{TrustPolicy, unix_now};
use mynakit::face::FaceUnlock;
use mynakit::jpki::JpkiKey;
use mynakit::sign::HashAlgorithm;
use mynakit::text::TextUnlock;
use mynakit::{Credential, Error, Result, Secret};
use mynakit_testkit::fault::parse_scenario;
use mynakit_testkit::trace::ops::{self, Liveness, Operation, RecordSettings, Secrets};

use crate::source::{self, CardSource, TransportOptions};

/// The operations `record` knows (see `mynakit_testkit::trace::ops`).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OpArg {
    Token,
    Availability,
    Counters,
    AuthCert,
    AuthCa,
    SignCa,
    SignCert,
    SignAuth,
    SignSign,
    Demo,
    Text,
    Face,
}

/// How `text` and `face` unlock their application.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum UnlockArg {
    /// text: the 4-digit PIN.
    Pin,
    /// text, face: 照合番号A (the My Number).
    CodeA,
    /// text, face: 照合番号B.
    CodeB,
    /// face: the 6-digit birth-date key.
    BirthKey,
}

#[derive(clap::Args)]
pub struct RecordArgs {
    /// The operation to record.
    #[arg(value_enum)]
    operation: OpArg,
    /// Card source: `sim` (virtual card, profile taro), `sim:hanako`, `sim:PATH/profile.json`,
    /// or any other `--card` value the `jpki` commands accept.
    #[arg(long, default_value = "sim")]
    card: String,
    /// The trace file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write the operation's result (expected-result JSON) to this file.
    #[arg(long, value_name = "FILE")]
    result_out: Option<PathBuf>,
    /// Replace personal data in responses (certificates' subject, subjectAltName, key,
    /// signature; text/card-face AP values) with filler; the trace then fails
    /// authenticity checks by design.
    #[arg(long)]
    scrub: bool,
    /// Inject faults while recording, e.g. `4:lost-after` (see `mynakit_testkit::fault`); the trace
    /// shows what the app saw.
    #[arg(long, value_name = "SPEC")]
    faults: Option<String>,
    /// Use extended-length APDUs (virtual card).
    #[arg(long)]
    extended: bool,
    /// Record every elapsed time as 0 (as golden traces do) instead of measuring.
    #[arg(long)]
    fixed_clock: bool,
    /// Check certificate chains at this moment (seconds since 1970) instead of now; the
    /// trace keeps it so replays check at the same moment.
    #[arg(long, value_name = "UNIX")]
    at: Option<u64>,
    /// Accept the virtual card's test roots for a card that is not `--card sim`.
    #[arg(long)]
    trust_virtual_card: bool,
    /// Message to sign (sign-auth, sign-sign), as text.
    #[arg(long, conflicts_with = "message_hex")]
    message: Option<String>,
    /// Message to sign, hex.
    #[arg(long)]
    message_hex: Option<String>,
    /// Hash for sign-auth / sign-sign: sha256 (default), sha384, sha512, sha1.
    #[arg(long, default_value = "sha256")]
    hash: String,
    /// The demo's challenge, hex (default: 32 random bytes, fixed in the trace header).
    #[arg(long, value_name = "HEX")]
    challenge: Option<String>,
    /// text / face: the credential that unlocks the application (default: pin for
    /// text, code-a for face).
    #[arg(long, value_enum)]
    unlock: Option<UnlockArg>,
    /// text / face: have the card sign a challenge afterwards: `card` (GET CHALLENGE) or a
    /// hex nonce from your server (fixed in the trace header).
    #[arg(long, value_name = "card|HEX")]
    liveness: Option<String>,
    /// Read the operation's PIN or 照合番号 from this environment variable (default for
    /// `--card sim`: the profile's value).
    #[arg(long, value_name = "VAR")]
    pin_env: Option<String>,
    /// Read the signing password from this environment variable (default for
    /// `--card sim`: the profile's password).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// Present the credential even when only the last try remains.
    #[arg(long)]
    allow_last_try: bool,
}

fn liveness(args: &RecordArgs) -> Result<Liveness> {
    match args.liveness.as_deref() {
        None | Some("none") => Ok(Liveness::None),
        Some("card") => Ok(Liveness::Card),
        Some(h) => hex::decode(h)
            .map(Liveness::Host)
            .map_err(|_| Error::InvalidArgument("--liveness takes `card` or a hex nonce".into())),
    }
}

fn env_secret(var: &str) -> Result<Secret> {
    std::env::var(var)
        .map(Secret::new)
        .map_err(|_| Error::InvalidArgument(format!("environment variable {var} is not set")))
}

fn operation(args: &RecordArgs) -> Result<Operation> {
    let sign = |key| -> Result<Operation> {
        let hash = HashAlgorithm::from_name(&args.hash)
            .ok_or_else(|| Error::InvalidArgument(format!("unknown hash {:?}", args.hash)))?;
        let message = match (&args.message, &args.message_hex) {
            (Some(m), _) => m.as_bytes().to_vec(),
            (None, Some(h)) => hex::decode(h.trim())
                .map_err(|_| Error::InvalidArgument("--message-hex is not hex".into()))?,
            (None, None) => {
                return Err(Error::InvalidArgument(
                    "give --message or --message-hex".into(),
                ));
            }
        };
        Ok(Operation::Sign {
            key,
            hash,
            message,
            allow_last_try: args.allow_last_try,
        })
    };
    Ok(match args.operation {
        OpArg::Token => Operation::Token,
        OpArg::Availability => Operation::Availability,
        OpArg::Counters => Operation::Counters,
        OpArg::AuthCert => Operation::AuthCert,
        OpArg::AuthCa => Operation::AuthCa,
        OpArg::SignCa => Operation::SignCa,
        OpArg::SignCert => Operation::SignCert {
            allow_last_try: args.allow_last_try,
        },
        OpArg::SignAuth => sign(JpkiKey::Auth)?,
        OpArg::SignSign => sign(JpkiKey::Sign)?,
        OpArg::Text => Operation::Text {
            unlock: match args.unlock {
                None | Some(UnlockArg::Pin) => TextUnlock::Pin,
                Some(UnlockArg::CodeA) => TextUnlock::CodeA,
                Some(UnlockArg::CodeB) => TextUnlock::CodeB,
                Some(UnlockArg::BirthKey) => {
                    return Err(Error::InvalidArgument(
                        "text unlocks with pin, code-a or code-b".into(),
                    ));
                }
            },
            liveness: liveness(args)?,
            allow_last_try: args.allow_last_try,
        },
        OpArg::Face => Operation::Face {
            unlock: match args.unlock {
                None | Some(UnlockArg::CodeA) => FaceUnlock::CodeA,
                Some(UnlockArg::CodeB) => FaceUnlock::CodeB,
                Some(UnlockArg::BirthKey) => FaceUnlock::BirthKey,
                Some(UnlockArg::Pin) => {
                    return Err(Error::InvalidArgument(
                        "face unlocks with code-a, code-b or birth-key".into(),
                    ));
                }
            },
            liveness: liveness(args)?,
            allow_last_try: args.allow_last_try,
        },
        OpArg::Demo => Operation::Demo {
            challenge: match &args.challenge {
                Some(h) => hex::decode(h.trim())
                    .map_err(|_| Error::InvalidArgument("--challenge is not hex".into()))?,
                None => crate::random_challenge()?.to_vec(),
            },
        },
    })
}

fn secrets(args: &RecordArgs, source: &CardSource, op: &Operation) -> Result<Secrets> {
    let mut secrets = match source {
        CardSource::Sim(_) => Secrets::from_profile(&source.sim_profile()?)?,
        _ => Secrets::new(),
    };
    // --pin-env: the operation's PIN or 照合番号; --password-env: the signing password.
    for c in op.credentials() {
        let var = if c == Credential::JpkiSignPassword {
            &args.password_env
        } else {
            &args.pin_env
        };
        if let Some(v) = var {
            secrets.set(c, env_secret(v)?);
        }
    }
    Ok(secrets)
}

/// Records the operation; returns `Ok(true)` once the trace is written (whatever the
/// operation's result: recording failures is the point).
pub fn run(args: &RecordArgs) -> Result<bool> {
    let source = CardSource::parse(&args.card)?;
    let op = operation(args)?;
    let secrets = secrets(args, &source, &op)?;
    let faults = match &args.faults {
        Some(spec) => parse_scenario(spec)?,
        None => Vec::new(),
    };
    let trust = match source {
        CardSource::Sim(_) => TrustPolicy::VIRTUAL_CARD,
        _ if args.trust_virtual_card => TrustPolicy::VIRTUAL_CARD,
        _ => TrustPolicy::PRODUCTION,
    };
    let card = source::open(
        &source,
        &TransportOptions {
            extended: args.extended,
            ..Default::default()
        },
    )?;
    let settings = RecordSettings {
        card: args.card.clone(),
        scrub: args.scrub,
        fixed_clock: args.fixed_clock,
        verification_time_unix: args.at.unwrap_or_else(unix_now),
        trust,
        faults,
        protocol: card.options,
        pin_policy: card.policy,
        recorded_by: Some(format!("mynakit {}", env!("CARGO_PKG_VERSION"))),
    };
    let (trace, outcome) = ops::record(card.into_transport(), &op, &secrets, &settings)?;
    write(&args.out, trace.to_jsonl()?.as_bytes())?;
    if let Some(path) = &args.result_out {
        write(path, outcome.to_json_pretty()?.as_bytes())?;
    }
    let result = match &outcome.error {
        None => "ok".to_string(),
        Some(e) => format!("error {}: {}", e.kind, e.message),
    };
    use std::io::Write as _;
    // A closed standard output is not worth a panic: the trace is written already.
    let _ = writeln!(
        std::io::stdout().lock(),
        "recorded {} exchanges of {} to {}{}\nresult: {result}",
        trace.exchanges.len(),
        op.name(),
        args.out.display(),
        if trace.header.scrubbed {
            " (scrubbed)"
        } else {
            ""
        }
    );
    Ok(true)
}

fn write(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)
        .map_err(|e| Error::InvalidArgument(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: RecordArgs,
    }

    /// The CLI path end to end: the trace file written by `mynakit record` holds no byte
    /// of the PIN or password in any encoding.
    #[test]
    fn recorded_file_holds_no_secret() {
        let dir = std::env::temp_dir().join(format!("mynakit-record-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("demo.trace.jsonl");
        let w = Wrapper::try_parse_from([
            "record",
            "demo",
            "--card",
            "sim:taro",
            "--out",
            out.to_str().unwrap(),
            "--challenge",
            "00112233",
        ])
        .unwrap();
        assert!(run(&w.args).unwrap());
        let text = std::fs::read_to_string(&out).unwrap();
        // The profile's values: PIN 1234, password ABC123.
        for needle in [
            "ABC123",
            "414243313233",
            "414243313233".to_lowercase().as_str(),
        ] {
            assert!(!text.contains(needle), "{needle} found in the trace");
        }
        assert!(text.contains("\"redacted\":{\"offset\":5,\"len\":6}"));
        assert!(text.contains("\"redacted\":{\"offset\":5,\"len\":4}"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
