//! `mynakit bench`: APDUs and bytes per operation against the virtual card, compared with
//! the minimum the transport's capabilities allow.
//!
//! The minimum counts the SELECT of the application, the retry-counter read and VERIFY
//! when a credential is needed (the counter read is MynaKit's safety policy, not a
//! protocol need; it is shown in its own column), a SELECT of the key EF where the
//! corroborated protocol needs one, and ceil(size / max response) READ BINARY commands.
//!
//! Each row also carries the modelled time the card must stay on the phone for that
//! session, at 106, 212 and 424 kbit/s ([`crate::timing`]), from the lengths and kinds of
//! the APDUs actually exchanged.

use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{
    Capabilities, Card, Credential, ExchangeHint, Result, Secret, Transport, TransportError,
};
use mynakit_testkit::sim::{Behaviour, CardProfile, VirtualCard};
use serde::Serialize;

use crate::timing::{self, ApduShape, BitRate};

/// One measured row.
#[derive(Debug, Serialize)]
pub struct Row {
    pub card: String,
    pub transport: String,
    pub operation: String,
    pub apdus: u32,
    pub minimum: u32,
    pub ratio: f64,
    pub policy_apdus: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub payload_bytes: usize,
    /// APDUs above the minimum: on the conservative card, the refused tries of optional
    /// forms (at most one per form the operation uses).
    pub refused: u32,
    /// Optional forms the operation may try (READ/VERIFY by SFI, key in P2, extended).
    pub forms: u32,
    /// RSA private-key operations the card performed.
    pub private_key_ops: usize,
    /// Modelled time on the card (ms, activation included) at 106, 212, 424 kbit/s, with
    /// the nominal parameters ([`timing::NOMINAL`]).
    pub time_on_card_ms: [f64; 3],
}

/// The virtual card, with the shape of every exchange noted (lengths and command kind,
/// never data) for the timing model.
pub struct Logged {
    inner: VirtualCard,
    /// One entry per APDU sent.
    pub log: Vec<ApduShape>,
}

impl Transport for Logged {
    fn transmit(
        &mut self,
        apdu: &[u8],
        hint: ExchangeHint,
    ) -> std::result::Result<Vec<u8>, TransportError> {
        let r = self.inner.transmit(apdu, hint);
        let response = r.as_deref().unwrap_or_default();
        self.log.push(ApduShape::new(apdu, 0, response));
        r
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

struct Transports {
    name: &'static str,
    caps: Capabilities,
}

const TRANSPORTS: &[Transports] = &[
    Transports {
        name: "short (256 B/APDU)",
        caps: Capabilities::SHORT,
    },
    Transports {
        name: "extended (65 536 B/APDU)",
        caps: Capabilities::EXTENDED_FULL,
    },
];

/// The two virtual cards: every optional form supported, and none.
const CARDS: &[&str] = &["capable", "conservative"];

fn behaviour(card: &str) -> Behaviour {
    if card == "conservative" {
        Behaviour::conservative()
    } else {
        Behaviour::capable()
    }
}

fn new_card(profile: &CardProfile, card: &str, caps: Capabilities) -> Result<Card<Logged>> {
    let mut sim = VirtualCard::new(profile.clone())?.with_capabilities(caps);
    sim.behaviour = behaviour(card);
    Card::new(Logged {
        inner: sim,
        log: Vec::new(),
    })
}

/// Runs every measurement.
pub fn run() -> Result<Vec<Row>> {
    let profile = CardProfile::builtin("taro")?;
    let creds = &profile.spec.credentials;
    let pin = Secret::new(creds.jpki_auth_pin.clone());
    let pw = Secret::new(creds.jpki_sign_password.clone().unwrap_or_default());
    let j = &profile.spec.jpki;
    let size = |name: &str| profile.file(name).map(<[u8]>::len);
    let auth_len = size(&j.auth_cert)?;
    let auth_ca_len = size(&j.auth_ca_cert)?;
    let sign_ca_len = size(&j.sign_ca_cert)?;
    let sign_len = size(j.sign_cert.as_deref().unwrap_or_default())?;
    let text_files = profile.spec.text.clone();
    let face_files = profile.spec.face.clone();
    let (Some(tf), Some(ff)) = (text_files, face_files) else {
        return Err(mynakit::Error::InvalidArgument(
            "the taro profile lacks the 券面 APs".into(),
        ));
    };
    let (t2, t3, t4, t7) = (
        size(&tf.ef0002)?,
        size(&tf.ef0003)?,
        size(&tf.ef0004)?,
        size(&tf.ef0007)?,
    );
    let (f1, f2, f4, f5) = (
        size(&ff.ef0001)?,
        size(&ff.ef0002)?,
        size(&ff.ef0004)?,
        size(&ff.ef0005)?,
    );
    let text_pin = Secret::new(creds.text_pin.clone());
    let code_a = Secret::new(profile.spec.person.my_number.clone());
    let birth_key = Secret::new("020102");
    // 照合番号B of taro: born 平成2年1月2日, card expiry 2035, security code 5678.
    let code_b = Secret::new("02010220355678");
    let cv = mynakit_testkit::trust::cv_trust(mynakit::cert::TrustPolicy::VIRTUAL_CARD)?;
    let nonce = mynakit::text::ChallengeSource::Host(vec![0x42; 32]);
    let msg = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"benchmark challenge".to_vec(),
    };

    let mut rows = Vec::new();
    for &card_name in CARDS {
        for t in TRANSPORTS {
            // The conservative card refuses extended length: the session falls back to short.
            let conservative = card_name == "conservative";
            let chunk = if conservative {
                Capabilities::SHORT.max_read_chunk()
            } else {
                t.caps.max_read_chunk()
            };
            let reads = |n: usize| u32::try_from(n.div_ceil(chunk)).unwrap_or(u32::MAX);
            type Op<'a> = Box<dyn Fn(&mut Card<Logged>) -> Result<()> + 'a>;
            let ops: Vec<(&str, u32, u32, usize, Op)> = vec![
                (
                    "token information",
                    1 + reads(32),
                    0,
                    32,
                    Box::new(|c| c.jpki().token_info().map(drop)),
                ),
                (
                    "certificate availability",
                    1 + reads(3),
                    0,
                    3,
                    Box::new(|c| c.jpki().certificate_availability().map(drop)),
                ),
                (
                    "retry counter (auth PIN)",
                    2,
                    0,
                    0,
                    Box::new(|c| c.jpki().retry_status(Credential::JpkiAuthPin).map(drop)),
                ),
                (
                    "auth certificate",
                    1 + reads(auth_len),
                    0,
                    auth_len,
                    Box::new(|c| c.jpki().auth_certificate().map(drop)),
                ),
                (
                    "auth CA certificate",
                    1 + reads(auth_ca_len),
                    0,
                    auth_ca_len,
                    Box::new(|c| c.jpki().auth_ca_certificate().map(drop)),
                ),
                (
                    "sign CA certificate",
                    1 + reads(sign_ca_len),
                    0,
                    sign_ca_len,
                    Box::new(|c| c.jpki().sign_ca_certificate().map(drop)),
                ),
                (
                    "sign certificate (password)",
                    1 + 2 + reads(sign_len),
                    1,
                    sign_len,
                    Box::new(|c| c.jpki().sign_certificate(&pw, false).map(drop)),
                ),
                (
                    "sign, auth key",
                    1 + 2 + 1,
                    1,
                    256,
                    Box::new(|c| {
                        c.jpki()
                            .sign(JpkiKey::Auth, &pin, &msg, SignOptions::default())
                            .map(drop)
                    }),
                ),
                (
                    "sign, sign key",
                    1 + 2 + 1,
                    1,
                    256,
                    Box::new(|c| {
                        c.jpki()
                            .sign(JpkiKey::Sign, &pw, &msg, SignOptions::default())
                            .map(drop)
                    }),
                ),
                (
                    "sign, auth key, key EF selected (key in P2 off)",
                    1 + 2 + 1 + 1,
                    1,
                    256,
                    Box::new(|c| {
                        c.options.sign_key_by_sfi = false;
                        c.jpki()
                            .sign(JpkiKey::Auth, &pin, &msg, SignOptions::default())
                            .map(drop)
                    }),
                ),
                (
                    "input-assist AP, PIN: all data + checks",
                    // SELECT, counter, VERIFY, EF 0001 (17 B), 0002, 0003, 0004.
                    1 + 2 + reads(17) + reads(t2) + reads(t3) + reads(t4),
                    1,
                    17 + t2 + t3 + t4,
                    Box::new(|c| {
                        let r = c.text().read(
                            mynakit::text::TextUnlock::Pin,
                            &text_pin,
                            false,
                            &cv,
                            None,
                        )?;
                        ok_if(r.verification.all_verified())
                    }),
                ),
                (
                    "input-assist AP, PIN + liveness (server nonce)",
                    // ... plus EF 0007 and one signature.
                    1 + 2 + reads(17) + reads(t2) + reads(t3) + reads(t4) + reads(t7) + 1,
                    1,
                    17 + t2 + t3 + t4 + t7 + 256,
                    Box::new(|c| {
                        let r = c.text().read(
                            mynakit::text::TextUnlock::Pin,
                            &text_pin,
                            false,
                            &cv,
                            Some(&nonce),
                        )?;
                        ok_if(r.verification.all_verified())
                    }),
                ),
                (
                    "card-face AP, code A: face + My Number image + checks",
                    1 + 2 + reads(f2) + reads(f5) + reads(f4),
                    1,
                    f2 + f5 + f4,
                    Box::new(|c| {
                        let r = c.face().read(
                            mynakit::face::FaceUnlock::CodeA,
                            &code_a,
                            false,
                            &cv,
                            None,
                        )?;
                        ok_if(!r.verification.any_failed())
                    }),
                ),
                (
                    "card-face AP, birth-date key: age record + checks",
                    1 + 2 + reads(f1) + reads(f4),
                    1,
                    f1 + f4,
                    Box::new(|c| {
                        let r = c.face().read(
                            mynakit::face::FaceUnlock::BirthKey,
                            &birth_key,
                            false,
                            &cv,
                            None,
                        )?;
                        ok_if(!r.verification.any_failed())
                    }),
                ),
                (
                    "ヘ bundle: both 券面 APs, 照合番号B + liveness (server nonce)",
                    // Per AP: SELECT, counter, VERIFY, its files, one card-key signature.
                    // Text AP: EF 0002, 0003, 0004, 0007. Card-face AP: EF 0002, 0004.
                    3 + reads(t2)
                        + reads(t3)
                        + reads(t4)
                        + reads(t7)
                        + 1
                        + 3
                        + reads(f2)
                        + reads(f4)
                        + 1,
                    2,
                    t2 + t3 + t4 + t7 + 256 + f2 + f4 + 256,
                    Box::new(|c| {
                        let req = mynakit::evidence::ChipReadRequest {
                            text: Some((mynakit::text::TextUnlock::CodeB, &code_b)),
                            include_my_number: false,
                            face: Some((mynakit::face::FaceUnlock::CodeB, &code_b)),
                            allow_below_floor: false,
                        };
                        let e = mynakit::evidence::read_chip(c, &[0x42; 32], &req, &cv)?;
                        ok_if(e.phone_verified == Some(true))
                    }),
                ),
                (
                    "対面 bundle: card face, 照合番号B + liveness (server nonce)",
                    3 + reads(f2) + reads(f4) + 1,
                    1,
                    f2 + f4 + 256,
                    Box::new(|c| {
                        let e = mynakit::evidence::read_face_to_face(
                            c,
                            &[0x42; 32],
                            mynakit::face::FaceUnlock::CodeB,
                            &code_b,
                            false,
                            &cv,
                        )?;
                        ok_if(e.phone_verified == Some(true))
                    }),
                ),
                (
                    "eKYC flow (demo)",
                    // SELECT, token, availability, 2 counters, auth cert, VERIFY + sign cert,
                    // VERIFY + SIGN (counters read once, reused before VERIFY).
                    1 + reads(32) + reads(3) + 2 + reads(auth_len) + 1 + reads(sign_len) + 2,
                    2,
                    32 + 3 + auth_len + sign_len + 256,
                    Box::new(|c| {
                        let creds = crate::demo::DemoCredentials {
                            auth_pin: &pin,
                            sign_password: Some(&pw),
                            text_pin: None,
                        };
                        let report = crate::demo::run(
                            c,
                            "taro",
                            true,
                            mynakit::cert::TrustPolicy::VIRTUAL_CARD,
                            &creds,
                            &[0x42; 32],
                        )?;
                        if report.all_checks_passed {
                            Ok(())
                        } else {
                            Err(mynakit::Error::Verification(
                                "demo checks failed during the benchmark".into(),
                            ))
                        }
                    }),
                ),
            ];
            for (name, minimum, policy, payload, op) in ops {
                let shape = shape(name);
                let files_read = shape.files > 0;
                let forms = u32::from(files_read)
                    + u32::from(shape.credentials > 0)
                    + u32::from(shape.keys_in_p2)
                    + u32::from(files_read && t.caps.extended_length);
                // A client that always SELECTs the EF: one SELECT EF per file, per credential
                // use and per key on top of the minimum.
                let minimum = if conservative {
                    minimum + shape.files + shape.credentials + u32::from(shape.keys_in_p2)
                } else {
                    minimum
                };
                let mut card = new_card(&profile, card_name, t.caps)?;
                op(&mut card)?;
                let s = card.stats();
                let log = &card.transport().log;
                let mut time_on_card_ms = [0.0; 3];
                for (t, rate) in time_on_card_ms.iter_mut().zip(BitRate::ALL) {
                    *t = timing::session_time(&timing::NOMINAL, rate, log).total_ms();
                }
                rows.push(Row {
                    card: card_name.to_string(),
                    transport: t.name.to_string(),
                    operation: name.to_string(),
                    apdus: s.apdus,
                    minimum,
                    ratio: f64::from(s.apdus) / f64::from(minimum.max(1)),
                    policy_apdus: policy,
                    bytes_sent: s.bytes_sent,
                    bytes_received: s.bytes_received,
                    payload_bytes: payload,
                    refused: s.apdus.saturating_sub(minimum),
                    forms,
                    private_key_ops: timing::private_key_ops(log),
                    time_on_card_ms,
                });
            }
        }
    }
    Ok(rows)
}

/// What an operation addresses: files read, credential uses (retry query or VERIFY after
/// another EF was current), and whether it signs with a JPKI key named in P2.
struct Shape {
    files: u32,
    credentials: u32,
    keys_in_p2: bool,
}

fn shape(operation: &str) -> Shape {
    let (files, credentials, keys_in_p2) = match operation {
        "retry counter (auth PIN)" => (0, 1, false),
        "sign certificate (password)" => (1, 1, false),
        "sign, auth key" | "sign, sign key" => (0, 1, true),
        // The option is off: the key EF is selected on every card.
        "sign, auth key, key EF selected (key in P2 off)" => (0, 1, false),
        "input-assist AP, PIN: all data + checks" => (4, 1, false),
        "input-assist AP, PIN + liveness (server nonce)" => (5, 1, false),
        "card-face AP, code A: face + My Number image + checks" => (3, 1, false),
        "card-face AP, birth-date key: age record + checks" => (2, 1, false),
        // Text AP: 4 files and one credential; card-face AP: 2 files and one credential.
        "ヘ bundle: both 券面 APs, 照合番号B + liveness (server nonce)" => (6, 2, false),
        "対面 bundle: card face, 照合番号B + liveness (server nonce)" => (2, 1, false),
        // token, availability, auth cert, sign cert; two queries and two VERIFYs.
        "eKYC flow (demo)" => (4, 4, true),
        _ => (1, 0, false),
    };
    Shape {
        files,
        credentials,
        keys_in_p2,
    }
}

/// A Markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut o = String::from(
        "| card | transport | operation | APDUs | minimum | ratio | refused tries | optional forms | of which policy | bytes sent | bytes received | payload bytes |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.2} | {} | {} | {} | {} | {} | {} |\n",
            r.card,
            r.transport,
            r.operation,
            r.apdus,
            r.minimum,
            r.ratio,
            r.refused,
            r.forms,
            r.policy_apdus,
            r.bytes_sent,
            r.bytes_received,
            r.payload_bytes
        ));
    }
    o
}

/// The time-on-card section for docs/benchmarks.md: the model's parameters and, per
/// operation, APDUs, bytes and the modelled time at each rate.
pub fn time_markdown(rows: &[Row]) -> String {
    let mut o = String::from(
        "Model parameters (nominal; `cli/src/timing.rs` gives the source of each):\n\n",
    );
    o.push_str(&timing::parameters_markdown(&timing::NOMINAL));
    o.push('\n');
    o.push_str(
        "| card | transport | operation | APDUs | bytes (sent + received) | RSA ops | 106 kbit/s (ms) | 212 kbit/s (ms) | 424 kbit/s (ms) |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let [a, b, c] = r.time_on_card_ms;
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {a:.0} | {b:.0} | {c:.0} |\n",
            r.card,
            r.transport,
            r.operation,
            r.apdus,
            r.bytes_sent.saturating_add(r.bytes_received),
            r.private_key_ops,
        ));
    }
    o
}

fn ok_if(verified: bool) -> Result<()> {
    if verified {
        Ok(())
    } else {
        Err(mynakit::Error::Verification(
            "a check failed during the benchmark".into(),
        ))
    }
}

/// Decodes the virtual card's face photo `runs` times; returns (median ms, photo size, w, h).
pub fn photo_timing(runs: usize) -> Result<(f64, usize, u32, u32)> {
    let profile = CardProfile::builtin("taro")?;
    let ff = profile
        .spec
        .face
        .clone()
        .ok_or_else(|| mynakit::Error::InvalidArgument("no 券面AP in the profile".into()))?;
    let front = mynakit::face::CardFront::parse(profile.file(&ff.ef0002)?)?;
    let mut times = Vec::with_capacity(runs);
    let mut dims = (0, 0);
    for _ in 0..runs.max(1) {
        let t = std::time::Instant::now();
        let p = mynakit::face::decode_photo(&front.photo.data)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        dims = (p.width, p.height);
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    Ok((median, front.photo.data.len(), dims.0, dims.1))
}

/// The server-side verification time of a full ヘ bundle (issue 12: goal under 5 ms).
#[derive(Debug, Serialize)]
pub struct ServerTiming {
    /// Size of the bundle's JSON.
    pub bundle_bytes: usize,
    /// Checks in the report.
    pub checks: usize,
    /// Runs timed.
    pub runs: usize,
    /// Median time of one `Verifier::verify_json`, ms.
    pub median_ms: f64,
    /// Fastest run, ms.
    pub min_ms: f64,
}

/// Makes a ヘ bundle on the virtual card (`taro`: 入力補助AP under the PIN with the four
/// attributes, 券面AP under 照合番号B with the card face and photo, each AP's liveness
/// signature over the nonce), then times `runs` verifications of its JSON by the server
/// verifier (`mynakit_server::Verifier::verify_json`: JSON parsing, X.509 and CV
/// certificates, every RSA signature and digest, the liveness transcripts), trusting the
/// virtual card's test roots by explicit policy and with revocation not required (no
/// checker: the time of a network look-up is the bank's). Every run must be accepted.
pub fn server_timing(runs: usize) -> Result<ServerTiming> {
    use mynakit::cert::TrustPolicy;
    use mynakit::evidence::{self, ChipReadRequest};
    use mynakit::face::FaceUnlock;
    use mynakit::text::TextUnlock;
    use mynakit_server::{Verifier, VerifierConfig};

    // 2026-12-01T00:00:00Z: inside the virtual card's certificate and card validity.
    const AT: u64 = 1_796_083_200;
    let nonce: Vec<u8> = (0u8..32).collect();
    let mut card = Card::new(VirtualCard::builtin("taro")?)?;
    let pin = Secret::new("1234");
    let birth = mynakit::era::Date::parse_yyyymmdd("19900102")
        .ok_or_else(|| mynakit::Error::InvalidArgument("birth date".into()))?;
    let code_b = mynakit::era::code_b(birth, 2035, &Secret::new("5678"))?;
    let cv = mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD)?;
    let req = ChipReadRequest {
        text: Some((TextUnlock::Pin, &pin)),
        include_my_number: false,
        face: Some((FaceUnlock::CodeB, &code_b)),
        allow_below_floor: false,
    };
    let bundle = evidence::read_chip(&mut card, &nonce, &req, &cv)?.to_json()?;
    let mut config = VerifierConfig::with_policy(TrustPolicy::VIRTUAL_CARD)?;
    config.revocation_required = false;
    let verifier = Verifier::new(config);
    let first = verifier.verify_json(bundle.as_bytes(), &nonce, AT);
    if !first.accepted() {
        return Err(mynakit::Error::Verification(format!(
            "the benchmark bundle is not accepted: {:?}",
            first.failed()
        )));
    }
    let runs = runs.max(1);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let report = verifier.verify_json(bundle.as_bytes(), &nonce, AT);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if !report.accepted() {
            return Err(mynakit::Error::Verification(
                "a benchmark verification was not accepted".into(),
            ));
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(ServerTiming {
        bundle_bytes: bundle.len(),
        checks: first.checks.len(),
        runs,
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        min_ms: times.first().copied().unwrap_or(0.0),
    })
}

/// One line for the terminal and docs/benchmarks.md.
pub fn server_timing_text(t: &ServerTiming) -> String {
    format!(
        "Server verification of a full ヘ bundle ({} bytes of JSON, {} checks, text AP + 券面AP + liveness): median {:.2} ms, fastest {:.2} ms over {} runs",
        t.bundle_bytes, t.checks, t.median_ms, t.min_ms, t.runs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts issue 9 asks for: on the capable card every operation at its minimum and
    /// signing in 4 APDUs; on the conservative card at most one refused APDU per optional
    /// form more than a client that always SELECTs the EF.
    #[test]
    fn both_cards_stay_within_their_bounds() {
        let rows = run().unwrap_or_default();
        assert_eq!(rows.len(), 2 * 2 * 17, "{}", rows.len());
        for r in &rows {
            let what = format!("{} / {} / {}", r.card, r.transport, r.operation);
            if r.card == "capable" {
                assert_eq!(r.apdus, r.minimum, "{what}");
            } else {
                assert!(r.refused <= r.forms, "{what}: {} > {}", r.refused, r.forms);
            }
            // Time on the card: faster rates are faster; every signature costs the
            // card's private-key time once, a refused try of the key in P2 nothing.
            let [a, b, c] = r.time_on_card_ms;
            assert!(a > b && b > c, "{what}: {a} {b} {c}");
            let rsa = timing::NOMINAL.card.private_key_ms;
            // One card-key signature per application a ヘ bundle reads.
            let expected_rsa = if r.operation.starts_with("ヘ bundle") {
                2
            } else {
                usize::from(
                    r.operation.starts_with("sign, ")
                        || r.operation.contains("liveness")
                        || r.operation.starts_with("eKYC"),
                )
            };
            assert_eq!(r.private_key_ops, expected_rsa, "{what}");
            let floor = rsa * r.private_key_ops as f64 + f64::from(r.apdus) * 5.0;
            assert!(c > floor, "{what}: {c} <= {floor}");
            // Above: at most 20 ms of card work and 10 ms of framing and guard times per
            // APDU, and under 0.2 ms per byte at 106 kbit/s (10 etu = 0.094 ms, plus
            // block overhead).
            let bytes = (r.bytes_sent + r.bytes_received) as f64;
            let ceiling = floor + f64::from(r.apdus) * 30.0 + bytes * 0.2;
            assert!(a < ceiling, "{what}: {a} >= {ceiling}");
            if r.operation.starts_with("sign, ") && r.operation.ends_with(" key") {
                let expected = if r.card == "capable" { 4 } else { 4 + 2 + 2 };
                assert_eq!(r.apdus, expected, "{what}");
            }
        }
    }

    /// The ヘ bundle made on the virtual card verifies (every run accepted) and the timing
    /// is a positive figure.
    #[test]
    fn server_timing_verifies_a_full_he_bundle() {
        let t = server_timing(2);
        let Ok(t) = t else {
            panic!("server timing failed: {t:?}")
        };
        assert!(t.bundle_bytes > 10_000, "{}", t.bundle_bytes);
        // bundle, nonce, method, and per AP its records, CV certificate, signatures and
        // liveness: 18 checks today.
        assert!(t.checks >= 15, "{}", t.checks);
        assert!(t.median_ms > 0.0 && t.min_ms <= t.median_ms);
        assert!(server_timing_text(&t).contains("median"));
    }
}
