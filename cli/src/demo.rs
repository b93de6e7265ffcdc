//! `mynakit demo`: an eKYC-style JPKI read against the virtual card, as a bank app would do
//! it, with every result checked on the host.

use mynakit::cert::{ChainVerification, JpkiCertificate, TrustPolicy, TrustStore, unix_now};
use mynakit::cv::{CvTrust, Verification};
use mynakit::face::FaceUnlock;
use mynakit::jpki::{CertificateAvailability, JpkiKey, SignOptions, TokenInfo};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::text::{ChallengeSource, TextUnlock};
use mynakit::{Capabilities, Card, Credential, Result, RetryStatus, Secret, Stats, Transport};
use serde::Serialize;

/// One step of the flow with what it cost on the wire.
#[derive(Debug, Serialize)]
pub struct Step {
    pub name: String,
    pub apdus: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// A certificate as the report shows it.
#[derive(Debug, Serialize)]
pub struct CertReport {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub size_bytes: usize,
    pub sha256: String,
    pub chain: ChainReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<mynakit::cert::CertAttributes>,
}

/// Outcome of a chain check.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ChainReport {
    Verified {
        anchor: String,
        anchor_sha256: String,
    },
    Failed {
        reason: String,
    },
}

impl ChainReport {
    fn from(r: Result<ChainVerification>) -> Self {
        match r {
            Ok(v) => ChainReport::Verified {
                anchor: v.anchor,
                anchor_sha256: v.anchor_sha256,
            },
            Err(e) => ChainReport::Failed {
                reason: e.to_string(),
            },
        }
    }
    fn ok(&self) -> bool {
        matches!(self, ChainReport::Verified { .. })
    }
}

/// The signature step.
#[derive(Debug, Serialize)]
pub struct SignatureReport {
    pub key: JpkiKey,
    pub hash: HashAlgorithm,
    pub challenge_hex: String,
    pub signature_hex: String,
    pub verified_on_host: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_error: Option<String>,
}

/// 券面事項入力補助AP, as the report shows it.
#[derive(Debug, Serialize)]
pub struct TextSummary {
    pub my_number: String,
    pub name: String,
    pub address: String,
    pub birth_date: String,
    pub sex_code: String,
    pub verification: Verification,
    pub liveness: Verification,
}

/// 券面AP, as the report shows it.
#[derive(Debug, Serialize)]
pub struct FaceSummary {
    pub birth_date: String,
    pub sex_code: String,
    pub expiry: String,
    pub photo_jp2_bytes: usize,
    pub photo_width: u32,
    pub photo_height: u32,
    pub photo_channels: u8,
    pub photo_png_bytes: usize,
    pub verification: Verification,
    pub liveness: Verification,
}

/// The holder's credentials for the demo (for the virtual card: its profile's).
pub struct DemoCredentials<'a> {
    pub auth_pin: &'a Secret,
    pub sign_password: Option<&'a Secret>,
    /// 券面事項入力補助 PIN: when given, the demo also reads 券面事項入力補助AP, then 券面AP
    /// with the My Number it read as 照合番号A.
    pub text_pin: Option<&'a Secret>,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct DemoReport {
    pub card: String,
    pub test_material: bool,
    pub trust_policy: TrustPolicy,
    pub transport: Capabilities,
    pub token: TokenInfo,
    pub certificate_availability: CertificateAvailability,
    pub auth_pin_retries: RetryStatus,
    pub sign_password_retries: Option<RetryStatus>,
    pub auth_certificate: CertReport,
    pub sign_certificate: Option<CertReport>,
    pub signature: SignatureReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face: Option<FaceSummary>,
    pub steps: Vec<Step>,
    pub total: Stats,
    pub all_checks_passed: bool,
}

fn cert_report(cert: &JpkiCertificate, store: &TrustStore, now: u64) -> CertReport {
    CertReport {
        subject: cert.info.subject.clone(),
        issuer: cert.info.issuer.clone(),
        serial: cert.info.serial.clone(),
        not_before: cert.info.not_before.clone(),
        not_after: cert.info.not_after.clone(),
        size_bytes: cert.der.len(),
        sha256: cert.info.sha256_fingerprint.clone(),
        chain: ChainReport::from(store.verify(cert, now)),
        attributes: cert.info.attributes.clone(),
    }
}

struct Meter {
    last: Stats,
    steps: Vec<Step>,
}

impl Meter {
    fn step<T: Transport>(&mut self, card: &Card<T>, name: &str) {
        let now = card.stats();
        let d = now.since(&self.last);
        self.steps.push(Step {
            name: name.to_string(),
            apdus: d.apdus,
            bytes_sent: d.bytes_sent,
            bytes_received: d.bytes_received,
        });
        self.last = now;
    }
}

/// Runs the flow. `auth_pin` / `sign_password` are the holder's credentials (for the
/// virtual card: its profile's); `challenge` is the verifier's nonce.
pub fn run<T: Transport>(
    card: &mut Card<T>,
    card_name: &str,
    test_material: bool,
    policy: TrustPolicy,
    creds: &DemoCredentials<'_>,
    challenge: &[u8],
) -> Result<DemoReport> {
    let (auth_pin, sign_password) = (creds.auth_pin, creds.sign_password);
    let store = TrustStore::new(policy)?;
    let now = unix_now();
    let mut m = Meter {
        last: card.stats(),
        steps: Vec::new(),
    };

    let token = card.jpki().token_info()?;
    m.step(card, "token information (EF 0006)");
    let availability = card.jpki().certificate_availability()?;
    m.step(card, "certificate availability (EF 0008)");
    let auth_retries = card.jpki().retry_status(Credential::JpkiAuthPin)?;
    let sign_retries = if availability.signing {
        Some(card.jpki().retry_status(Credential::JpkiSignPassword)?)
    } else {
        None
    };
    m.step(card, "retry counters (no try spent)");

    let auth = card.jpki().auth_certificate()?;
    m.step(card, "user-authentication certificate");
    let auth_report = cert_report(&auth, &store, now);

    let sign_report = match (availability.signing, sign_password) {
        (true, Some(pw)) => {
            let c = card.jpki().sign_certificate(pw, false)?;
            m.step(card, "signing certificate (after the signing password)");
            Some(cert_report(&c, &store, now))
        }
        _ => None,
    };

    let input = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: challenge.to_vec(),
    };
    let sig = card
        .jpki()
        .sign(JpkiKey::Auth, auth_pin, &input, SignOptions::default())?;
    m.step(
        card,
        "signature over the challenge with the authentication key",
    );
    let verify = auth
        .spki_der()
        .and_then(|spki| mynakit::sign::verify_signature(&spki, &input, &sig.signature, false));

    let (mut text, mut face) = (None, None);
    if let Some(pin) = creds.text_pin {
        let cv = CvTrust::new(policy)?;
        let nonce = ChallengeSource::Host(challenge.to_vec());
        let t = card
            .text()
            .read(TextUnlock::Pin, pin, false, &cv, Some(&nonce))?;
        m.step(
            card,
            "input-assist AP (PIN): My Number, attributes, checks, liveness",
        );
        let (Some(n), Some(a)) = (t.my_number, t.attributes) else {
            return Err(mynakit::Error::MalformedResponse(
                "the PIN read returned no data".into(),
            ));
        };
        // The My Number just read is 照合番号A for 券面AP.
        let code_a = Secret::new(n.my_number.clone());
        let f = card
            .face()
            .read(FaceUnlock::CodeA, &code_a, false, &cv, Some(&nonce))?;
        m.step(
            card,
            "card-face AP (code A): face, My Number image, checks, liveness",
        );
        let front = f
            .front
            .ok_or_else(|| mynakit::Error::MalformedResponse("no card face".into()))?;
        let photo = mynakit::face::decode_photo(&front.photo.data)?;
        text = Some(TextSummary {
            my_number: n.my_number,
            name: a.name,
            address: a.address,
            birth_date: a.birth_date_raw,
            sex_code: a.sex_code,
            verification: t.verification,
            liveness: t.liveness.map(|l| l.verification).unwrap_or_default(),
        });
        face = Some(FaceSummary {
            birth_date: front.birth_date_raw,
            sex_code: front.sex_code,
            expiry: front.expiry_raw,
            photo_jp2_bytes: front.photo.data.len(),
            photo_width: photo.width,
            photo_height: photo.height,
            photo_channels: photo.channels,
            photo_png_bytes: photo.png.len(),
            verification: f.verification,
            liveness: f.liveness.map(|l| l.verification).unwrap_or_default(),
        });
    }
    // Every check that applies must pass (the age record is not read under 照合番号A).
    let apps_ok = |v: &Verification, l: &Verification| {
        l.all_verified()
            && v.checks
                .iter()
                .filter(|c| !c.name.contains("age record"))
                .all(|c| c.outcome.is_verified())
    };
    let all_ok = auth_report.chain.ok()
        && sign_report.as_ref().is_none_or(|r| r.chain.ok())
        && verify.is_ok()
        && text
            .as_ref()
            .is_none_or(|t| apps_ok(&t.verification, &t.liveness))
        && face
            .as_ref()
            .is_none_or(|f| apps_ok(&f.verification, &f.liveness));
    Ok(DemoReport {
        card: card_name.to_string(),
        test_material,
        trust_policy: policy,
        transport: card.capabilities(),
        token,
        certificate_availability: availability,
        auth_pin_retries: auth_retries,
        sign_password_retries: sign_retries,
        auth_certificate: auth_report,
        sign_certificate: sign_report,
        signature: SignatureReport {
            key: JpkiKey::Auth,
            hash: HashAlgorithm::Sha256,
            challenge_hex: hex::encode_upper(challenge),
            signature_hex: hex::encode_upper(&sig.signature),
            verified_on_host: verify.is_ok(),
            verify_error: verify.err().map(|e| e.to_string()),
        },
        text,
        face,
        total: card.stats(),
        steps: m.steps,
        all_checks_passed: all_ok,
    })
}

fn retries(r: &RetryStatus) -> String {
    match r {
        RetryStatus::Remaining(n) => format!("{n} tries left"),
        RetryStatus::Blocked => "BLOCKED".into(),
        RetryStatus::VerifiedNotReported => "verified (count not reported)".into(),
    }
}

fn chain(c: &ChainReport) -> String {
    match c {
        ChainReport::Verified { anchor, .. } => format!("chain OK → {anchor}"),
        ChainReport::Failed { reason } => format!("chain FAILED: {reason}"),
    }
}

/// The human-readable report.
pub fn render(r: &DemoReport) -> String {
    let mut o = String::new();
    let mut line = |s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    line(format!("MynaKit demo: eKYC read of the {} card", r.card));
    if r.test_material {
        line("  (virtual card, fictional person, TEST roots: not a real card)".into());
    }
    line(format!(
        "  transport: {}, up to {} response bytes per APDU",
        if r.transport.extended_length {
            "extended-length APDUs"
        } else {
            "short APDUs"
        },
        r.transport.max_read_chunk()
    ));
    line(String::new());
    line(format!(
        "Token            {} ({:?})",
        r.token.label, r.token.kind
    ));
    line(format!(
        "Certificates     signing: {}, user authentication: {}",
        if r.certificate_availability.signing {
            "present"
        } else {
            "absent"
        },
        if r.certificate_availability.authentication {
            "present"
        } else {
            "absent"
        }
    ));
    line(format!("Auth PIN         {}", retries(&r.auth_pin_retries)));
    if let Some(s) = &r.sign_password_retries {
        line(format!("Sign password    {}", retries(s)));
    }
    let a = &r.auth_certificate;
    line(format!(
        "Auth certificate {} ({} bytes)",
        a.subject, a.size_bytes
    ));
    line(format!(
        "                 valid {} to {}",
        a.not_before, a.not_after
    ));
    line(format!("                 {}", chain(&a.chain)));
    match &r.sign_certificate {
        Some(s) => {
            line(format!(
                "Sign certificate {} ({} bytes)",
                s.subject, s.size_bytes
            ));
            if let Some(at) = &s.attributes {
                line(format!(
                    "  name           {}",
                    at.name.as_deref().unwrap_or("-")
                ));
                line(format!(
                    "  address        {}",
                    at.address.as_deref().unwrap_or("-")
                ));
                if let Some(b) = &at.birth_date {
                    let era = b.era.map(|e| e.japanese()).unwrap_or("?");
                    let date = b
                        .date
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| b.raw.clone());
                    line(format!("  birth date     {date} ({era})"));
                }
                line(format!(
                    "  sex            {}",
                    at.sex
                        .as_ref()
                        .map(|s| format!("{s:?}"))
                        .unwrap_or_else(|| "-".into())
                ));
            }
            line(format!("                 {}", chain(&s.chain)));
        }
        None => line("Sign certificate not on this card (holder under 15, or not issued)".into()),
    }
    let s = &r.signature;
    line(format!(
        "Signature        auth key, SHA-256 over a {}-byte challenge: {}",
        s.challenge_hex.len() / 2,
        if s.verified_on_host {
            "verified on the host".to_string()
        } else {
            format!("NOT verified: {:?}", s.verify_error)
        }
    ));
    if let Some(t) = &r.text {
        line(format!(
            "Input-assist AP  My Number {}; {} / {} / {} / sex {}",
            t.my_number, t.name, t.address, t.birth_date, t.sex_code
        ));
        o_checks(&mut line, &t.verification);
        o_checks(&mut line, &t.liveness);
    }
    if let Some(f) = &r.face {
        line(format!(
            "Card-face AP     born {}, sex {}, expires {}; photo {}x{} ({} B JPEG 2000 -> {} B PNG)",
            f.birth_date,
            f.sex_code,
            f.expiry,
            f.photo_width,
            f.photo_height,
            f.photo_jp2_bytes,
            f.photo_png_bytes
        ));
        o_checks(&mut line, &f.verification);
        o_checks(&mut line, &f.liveness);
    }
    line(String::new());
    line(format!(
        "{:<62} {:>5} {:>7} {:>7}",
        "step", "APDUs", "sent", "recv"
    ));
    for st in &r.steps {
        line(format!(
            "{:<62} {:>5} {:>7} {:>7}",
            st.name, st.apdus, st.bytes_sent, st.bytes_received
        ));
    }
    line(format!(
        "{:<62} {:>5} {:>7} {:>7}",
        "total", r.total.apdus, r.total.bytes_sent, r.total.bytes_received
    ));
    line(String::new());
    line(if r.all_checks_passed {
        "RESULT: all checks passed".into()
    } else {
        "RESULT: a check FAILED".into()
    });
    o
}

fn o_checks(line: &mut impl FnMut(String), v: &Verification) {
    for l in crate::apps_cmd::render_checks(v, "                 ").lines() {
        line(l.to_string());
    }
}
