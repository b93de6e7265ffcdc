//! The golden traces in `test-vectors/traces/`: every operation of every application
//! MynaKit implements (JPKI-AP today), success and failure paths, recorded from the
//! virtual card with a fixed clock and fixed random values, each with its expected result.
//!
//! [`generate`] is deterministic: the same source gives the same bytes, which CI checks
//! (`mynakit trace regen --out test-vectors/traces --check`). Before returning, it replays
//! every trace and requires the replay to reproduce the recorded result.

use std::collections::BTreeMap;

use serde::Serialize;

use super::format::Trace;
use super::ops::{self, Liveness, Operation, Outcome, OutcomeKind, RecordSettings, Secrets};
use super::replay::ReplayMode;
use crate::fault::{Fault, FaultKind};
use crate::sim::{CardProfile, VirtualCard};
use mynakit::credential::{Credential, Secret};
use mynakit::error::{Error, Result};
use mynakit::face::FaceUnlock;
use mynakit::jpki::JpkiKey;
use mynakit::sign::HashAlgorithm;
use mynakit::text::TextUnlock;
use mynakit::transport::Capabilities;

/// The index file listing every vector.
pub const INDEX_FILE: &str = "index.json";

/// Where a fault goes.
#[derive(Clone, Copy, Debug)]
enum Locate {
    /// At this exchange index.
    Index(usize),
    /// At the VERIFY carrying the credential.
    Verify,
    /// This many exchanges after the VERIFY.
    AfterVerify(usize),
    /// At the first command with this INS.
    Ins(u8),
}

#[derive(Clone, Copy, Debug)]
enum Credentials {
    /// The profile's own values.
    Profile,
    /// The profile's values, with these replaced or added.
    Override(&'static [(Credential, &'static str)]),
}

struct Scenario {
    name: &'static str,
    description: &'static str,
    profile: &'static str,
    op: Operation,
    credentials: Credentials,
    /// Remaining tries set on the card before the session: (credential, tries).
    tries: Option<(Credential, u8)>,
    fault: Option<(Locate, FaultKind)>,
    scrub: bool,
    extended: bool,
}

fn base(name: &'static str, description: &'static str, op: Operation) -> Scenario {
    Scenario {
        name,
        description,
        profile: "taro",
        op,
        credentials: Credentials::Profile,
        tries: None,
        fault: None,
        scrub: false,
        extended: false,
    }
}

fn sign(key: JpkiKey) -> Operation {
    Operation::Sign {
        key,
        hash: HashAlgorithm::Sha256,
        message: b"MynaKit golden vector".to_vec(),
        allow_last_try: false,
    }
}

fn demo() -> Operation {
    Operation::Demo {
        challenge: (0u8..32).collect(),
    }
}

fn text(unlock: TextUnlock, liveness: Liveness) -> Operation {
    Operation::Text {
        unlock,
        liveness,
        allow_last_try: false,
    }
}

fn face(unlock: FaceUnlock, liveness: Liveness) -> Operation {
    Operation::Face {
        unlock,
        liveness,
        allow_last_try: false,
    }
}

fn scenarios() -> Vec<Scenario> {
    let mut all = jpki_scenarios();
    all.extend(text_face_scenarios());
    all
}

/// 券面事項入力補助AP and 券面AP.
fn text_face_scenarios() -> Vec<Scenario> {
    let with = |mut s: Scenario, f: &dyn Fn(&mut Scenario)| {
        f(&mut s);
        s
    };
    let text_pin = text(TextUnlock::Pin, Liveness::None);
    let face_a = face(FaceUnlock::CodeA, Liveness::None);
    vec![
        base(
            "text",
            "text AP with the PIN: My Number and the four attributes, integrity verified",
            text_pin.clone(),
        ),
        base(
            "text-code-a",
            "text AP with 照合番号A: My Number only",
            text(TextUnlock::CodeA, Liveness::None),
        ),
        base(
            "text-code-b",
            "text AP with 照合番号B: the four attributes only",
            text(TextUnlock::CodeB, Liveness::None),
        ),
        base(
            "text-liveness",
            "text AP with the PIN, then a card challenge signed by the AP's key",
            text(TextUnlock::Pin, Liveness::Card),
        ),
        with(
            base(
                "text-wrong-pin",
                "wrong input-assist PIN: 2 tries remain",
                text_pin.clone(),
            ),
            &|s| s.credentials = Credentials::Override(&[(Credential::TextPin, "9999")]),
        ),
        with(
            base(
                "text-pin-floor",
                "one input-assist PIN try left: refused by the floor, no VERIFY",
                text_pin.clone(),
            ),
            &|s| s.tries = Some((Credential::TextPin, 1)),
        ),
        with(
            base(
                "text-removed-during-verify",
                "card removed after the input-assist VERIFY reached it: outcome unknown",
                text_pin.clone(),
            ),
            &|s| s.fault = Some((Locate::Verify, FaultKind::LostAfterDelivery)),
        ),
        with(
            base(
                "text-scrubbed",
                "scrubbed: My Number, name, address, birth date replaced; integrity fails",
                text_pin,
            ),
            &|s| s.scrub = true,
        ),
        hanako_text(),
        base(
            "face",
            "card-face AP with 照合番号A: front, photo and My Number image, signatures verified",
            face_a.clone(),
        ),
        base(
            "face-code-b",
            "card-face AP with 照合番号B: the front only",
            face(FaceUnlock::CodeB, Liveness::None),
        ),
        base(
            "face-birth-key",
            "card-face AP with the birth-date key: the age record only",
            face(FaceUnlock::BirthKey, Liveness::None),
        ),
        base(
            "face-liveness-host",
            "card-face AP with 照合番号B, then a server nonce signed by the card key",
            face(FaceUnlock::CodeB, Liveness::Host((0xA0u8..0xB0).collect())),
        ),
        with(
            base(
                "face-wrong-code-a",
                "wrong 照合番号A (a valid My Number that is not the holder's)",
                face_a.clone(),
            ),
            &|s| {
                s.credentials = Credentials::Override(&[(Credential::FaceCodeA, "000000000000")]);
            },
        ),
        with(
            base(
                "face-removed-mid-photo",
                "card removed while the card face (photo) is being read",
                face_a.clone(),
            ),
            &|s| s.fault = Some((Locate::AfterVerify(6), FaultKind::TagLost)),
        ),
        with(
            base(
                "face-scrubbed",
                "scrubbed: images, photo, birth date and keys replaced; signatures fail",
                face_a,
            ),
            &|s| s.scrub = true,
        ),
    ]
}

fn hanako_text() -> Scenario {
    let mut s = base(
        "hanako-text",
        "text AP of the card without a signing certificate",
        text(TextUnlock::Pin, Liveness::None),
    );
    s.profile = "hanako";
    s
}

/// JPKI-AP.
fn jpki_scenarios() -> Vec<Scenario> {
    let sign_cert = Operation::SignCert {
        allow_last_try: false,
    };
    let hanako = |mut s: Scenario| {
        s.profile = "hanako";
        s
    };
    let with = |mut s: Scenario, f: &dyn Fn(&mut Scenario)| {
        f(&mut s);
        s
    };
    vec![
        base("token", "token label and kind (EF 0006)", Operation::Token),
        base(
            "availability",
            "certificate availability (EF 0008): both certificates",
            Operation::Availability,
        ),
        base(
            "counters",
            "retry counters, no try spent",
            Operation::Counters,
        ),
        base(
            "auth-cert",
            "user-authentication certificate in 256-byte chunks, chain verified",
            Operation::AuthCert,
        ),
        with(
            base(
                "auth-cert-extended",
                "user-authentication certificate with extended-length APDUs (one READ)",
                Operation::AuthCert,
            ),
            &|s| s.extended = true,
        ),
        base(
            "auth-ca",
            "user-authentication CA certificate",
            Operation::AuthCa,
        ),
        base("sign-ca", "signing CA certificate", Operation::SignCa),
        base(
            "sign-cert",
            "signing certificate after the signing password",
            sign_cert.clone(),
        ),
        base(
            "sign-auth",
            "signature with the auth key, certificate returned and checked",
            sign(JpkiKey::Auth),
        ),
        base(
            "sign-sign",
            "signature with the signing key, certificate returned and checked",
            sign(JpkiKey::Sign),
        ),
        base("demo", "the eKYC flow of `mynakit demo`", demo()),
        hanako(base(
            "hanako-availability",
            "card without a signing certificate: availability says so",
            Operation::Availability,
        )),
        hanako(base(
            "hanako-counters",
            "card without a signing certificate: no signing-password counter",
            Operation::Counters,
        )),
        hanako(with(
            base(
                "hanako-sign-cert",
                "no signing certificate: not available, no VERIFY sent",
                sign_cert.clone(),
            ),
            &|s| {
                s.credentials = Credentials::Override(&[(Credential::JpkiSignPassword, "ABC123")]);
            },
        )),
        hanako(with(
            base(
                "hanako-sign-sign",
                "no signing key: not available, no VERIFY sent",
                sign(JpkiKey::Sign),
            ),
            &|s| {
                s.credentials = Credentials::Override(&[(Credential::JpkiSignPassword, "ABC123")]);
            },
        )),
        hanako(base(
            "hanako-demo",
            "the eKYC flow on a card without a signing certificate",
            demo(),
        )),
        with(
            base(
                "sign-auth-wrong-pin",
                "wrong auth PIN: 2 tries remain, no second VERIFY",
                sign(JpkiKey::Auth),
            ),
            &|s| s.credentials = Credentials::Override(&[(Credential::JpkiAuthPin, "9999")]),
        ),
        with(
            base(
                "sign-sign-wrong-password",
                "wrong signing password: 4 tries remain",
                sign(JpkiKey::Sign),
            ),
            &|s| {
                s.credentials = Credentials::Override(&[(Credential::JpkiSignPassword, "XYZ789")]);
            },
        ),
        with(
            base(
                "sign-cert-wrong-password",
                "wrong signing password before the certificate read",
                sign_cert.clone(),
            ),
            &|s| {
                s.credentials = Credentials::Override(&[(Credential::JpkiSignPassword, "XYZ789")]);
            },
        ),
        with(
            base(
                "sign-auth-blocked",
                "auth PIN blocked: refused after the counter read, no VERIFY",
                sign(JpkiKey::Auth),
            ),
            &|s| s.tries = Some((Credential::JpkiAuthPin, 0)),
        ),
        with(
            base(
                "sign-sign-blocked",
                "signing password blocked",
                sign(JpkiKey::Sign),
            ),
            &|s| s.tries = Some((Credential::JpkiSignPassword, 0)),
        ),
        with(
            base(
                "sign-auth-floor",
                "one try left: refused by the PIN policy's floor, no VERIFY",
                sign(JpkiKey::Auth),
            ),
            &|s| s.tries = Some((Credential::JpkiAuthPin, 1)),
        ),
        with(
            base(
                "sign-cert-floor",
                "one signing-password try left: refused by the floor",
                sign_cert.clone(),
            ),
            &|s| s.tries = Some((Credential::JpkiSignPassword, 1)),
        ),
        with(
            base(
                "sign-auth-blocking-try",
                "last try spent on request with a wrong PIN: 0 remain (blocked now)",
                Operation::Sign {
                    key: JpkiKey::Auth,
                    hash: HashAlgorithm::Sha256,
                    message: b"MynaKit golden vector".to_vec(),
                    allow_last_try: true,
                },
            ),
            &|s| {
                s.tries = Some((Credential::JpkiAuthPin, 1));
                s.credentials = Credentials::Override(&[(Credential::JpkiAuthPin, "9999")]);
            },
        ),
        with(
            base(
                "auth-cert-removed-mid-read",
                "card removed during the third READ BINARY of the certificate",
                Operation::AuthCert,
            ),
            &|s| s.fault = Some((Locate::Index(3), FaultKind::TagLost)),
        ),
        with(
            base(
                "sign-cert-removed-mid-read",
                "card removed while reading the signing certificate after the VERIFY",
                sign_cert.clone(),
            ),
            &|s| s.fault = Some((Locate::AfterVerify(3), FaultKind::TagLost)),
        ),
        with(
            base(
                "sign-auth-removed-during-verify",
                "card removed after the VERIFY reached it: outcome unknown, counter must be re-read",
                sign(JpkiKey::Auth),
            ),
            &|s| s.fault = Some((Locate::Verify, FaultKind::LostAfterDelivery)),
        ),
        with(
            base(
                "sign-sign-removed-during-verify",
                "card removed as the VERIFY was sent: outcome unknown",
                sign(JpkiKey::Sign),
            ),
            &|s| s.fault = Some((Locate::Verify, FaultKind::TagLost)),
        ),
        with(
            base(
                "sign-auth-timeout-during-signature",
                "the card does not answer COMPUTE DIGITAL SIGNATURE in time",
                sign(JpkiKey::Auth),
            ),
            &|s| s.fault = Some((Locate::Ins(0x2A), FaultKind::Timeout)),
        ),
        with(
            base(
                "auth-cert-truncated-response",
                "a READ BINARY answer cut to 100 bytes",
                Operation::AuthCert,
            ),
            &|s| s.fault = Some((Locate::Index(2), FaultKind::Truncate(100))),
        ),
        with(
            base(
                "auth-cert-garbage",
                "one garbage byte instead of a READ BINARY answer",
                Operation::AuthCert,
            ),
            &|s| s.fault = Some((Locate::Index(1), FaultKind::Garbage(vec![0x6F]))),
        ),
        with(
            base(
                "token-no-jpki",
                "SELECT of JPKI-AP answered 6A82 (not a My Number Card)",
                Operation::Token,
            ),
            &|s| s.fault = Some((Locate::Index(0), FaultKind::StatusWord(0x6A82))),
        ),
        with(
            base(
                "auth-cert-scrubbed",
                "scrubbed: the certificate parses but its chain no longer verifies",
                Operation::AuthCert,
            ),
            &|s| s.scrub = true,
        ),
        with(
            base(
                "sign-cert-scrubbed",
                "scrubbed: name, address, birth date and sex replaced; chain fails",
                sign_cert.clone(),
            ),
            &|s| s.scrub = true,
        ),
        with(
            base(
                "demo-scrubbed",
                "scrubbed eKYC flow: every authenticity check fails",
                demo(),
            ),
            &|s| s.scrub = true,
        ),
    ]
}

fn secrets(s: &Scenario, profile: &CardProfile) -> Result<Secrets> {
    let mut v = Secrets::from_profile(profile)?;
    if let Credentials::Override(list) = s.credentials {
        for (c, value) in list {
            v.set(*c, Secret::new(*value));
        }
    }
    Ok(v)
}

fn card(s: &Scenario, profile: &CardProfile) -> Result<VirtualCard> {
    let caps = if s.extended {
        Capabilities::EXTENDED_FULL
    } else {
        Capabilities::SHORT
    };
    let mut sim = VirtualCard::new(profile.clone())?.with_capabilities(caps);
    if let Some((c, n)) = s.tries {
        sim.set_remaining_tries(c.aid(), c.ef(), n)?;
    }
    Ok(sim)
}

fn locate(s: &Scenario, profile: &CardProfile, at: Locate) -> Result<usize> {
    if let Locate::Index(i) = at {
        return Ok(i);
    }
    let settings = RecordSettings::golden("sim");
    let (clean, _) = ops::record(card(s, profile)?, &s.op, &secrets(s, profile)?, &settings)?;
    let verify = clean.exchanges.iter().position(|x| x.redacted.is_some());
    let found = match at {
        Locate::Verify => verify,
        Locate::AfterVerify(n) => verify.and_then(|v| v.checked_add(n)),
        Locate::Ins(ins) => clean
            .exchanges
            .iter()
            .position(|x| x.command.get(1) == Some(&ins)),
        Locate::Index(i) => Some(i),
    };
    found
        .filter(|&i| i < clean.exchanges.len())
        .ok_or_else(|| Error::Trace(format!("golden {}: no exchange for the fault", s.name)))
}

#[derive(Serialize)]
struct IndexEntry {
    name: &'static str,
    description: &'static str,
    operation: &'static str,
    card: String,
    trace: String,
    expected: String,
    outcome: OutcomeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<String>,
    scrubbed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    faults: Option<String>,
    exchanges: usize,
}

#[derive(Serialize)]
struct Index {
    format: &'static str,
    about: &'static str,
    vectors: Vec<IndexEntry>,
}

/// One generated vector.
#[derive(Clone, Debug)]
pub struct Vector {
    /// The vector's name (file stem).
    pub name: String,
    /// The trace.
    pub trace: Trace,
    /// Its expected result.
    pub expected: Outcome,
}

/// Records every golden vector (and checks that each replays to its recorded result).
pub fn vectors() -> Result<Vec<Vector>> {
    let mut out = Vec::new();
    for s in scenarios() {
        let profile = CardProfile::builtin(s.profile)?;
        let mut settings = RecordSettings::golden(&format!("sim:{}", s.profile));
        settings.scrub = s.scrub;
        if let Some((at, kind)) = &s.fault {
            settings.faults = vec![Fault {
                at: locate(&s, &profile, *at)?,
                kind: kind.clone(),
            }];
        }
        let (trace, expected) = ops::record(
            card(&s, &profile)?,
            &s.op,
            &secrets(&s, &profile)?,
            &settings,
        )?;
        let replayed = ops::replay(&trace, ReplayMode::Strict, Vec::new())
            .map_err(|e| Error::Trace(format!("golden {}: replay failed: {e}", s.name)))?;
        if replayed.outcome != expected {
            return Err(Error::Trace(format!(
                "golden {}: the replay does not reproduce the recorded result: {}",
                s.name,
                expected.differences(&replayed.outcome).join("; ")
            )));
        }
        out.push(Vector {
            name: s.name.into(),
            trace,
            expected,
        });
    }
    Ok(out)
}

/// The files of `test-vectors/traces/`: `NAME.trace.jsonl`, `NAME.expected.json` and
/// `index.json`, by file name.
pub fn generate() -> Result<BTreeMap<String, Vec<u8>>> {
    let descriptions: BTreeMap<&str, &'static str> = scenarios()
        .iter()
        .map(|s| (s.name, s.description))
        .collect();
    let mut files = BTreeMap::new();
    let mut entries = Vec::new();
    for v in vectors()? {
        let trace_file = format!("{}.trace.jsonl", v.name);
        let expected_file = format!("{}.expected.json", v.name);
        let (name, description) = descriptions
            .get_key_value(v.name.as_str())
            .map(|(k, d)| (*k, *d))
            .ok_or_else(|| Error::Trace(format!("golden {}: no description", v.name)))?;
        entries.push(IndexEntry {
            name,
            description,
            operation: Operation::from_header(&v.trace.header)?.name(),
            card: v.trace.header.card.clone(),
            trace: trace_file.clone(),
            expected: expected_file.clone(),
            outcome: v.expected.outcome,
            error_kind: v.expected.error.as_ref().map(|e| e.kind.clone()),
            scrubbed: v.trace.header.scrubbed,
            faults: v.trace.header.faults.clone(),
            exchanges: v.trace.exchanges.len(),
        });
        files.insert(trace_file, v.trace.to_jsonl()?.into_bytes());
        files.insert(expected_file, v.expected.to_json_pretty()?.into_bytes());
    }
    let index = Index {
        format: "mynakit-trace-index/1",
        about: "Golden APDU traces of the virtual card (TEST material). Regenerate with `mynakit trace regen --out test-vectors/traces`; the format is specified in test-vectors/README.md.",
        vectors: entries,
    };
    let mut text = serde_json::to_string_pretty(&index)
        .map_err(|e| Error::Trace(format!("cannot encode the index: {e}")))?;
    text.push('\n');
    files.insert(INDEX_FILE.into(), text.into_bytes());
    Ok(files)
}
