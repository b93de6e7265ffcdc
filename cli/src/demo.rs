//! `mynakit demo`: an eKYC-style JPKI read, as a bank app would do it, with every result
//! checked on the host; over any card source (the virtual card, a replayed trace, PC/SC).

use mynakit::cert::{JpkiCertificate, TrustPolicy, TrustStore};
use mynakit::cv::{Check, CvTrust, Verification};
use mynakit::flows::EkycRequest;
use mynakit::jpki::{CertificateAvailability, JpkiKey, TokenInfo};
use mynakit::sign::HashAlgorithm;
use mynakit::{Capabilities, Card, Result, RetryStatus, Secret, Stats, Transport};
use serde::Serialize;

use crate::verdict::VerificationOut;

/// One step of the flow with what it cost on the wire.
pub type Step = mynakit::flows::FlowStep;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<mynakit::cert::CertAttributes>,
}

/// The signature step.
#[derive(Debug, Serialize)]
pub struct SignatureReport {
    pub key: JpkiKey,
    pub hash: HashAlgorithm,
    pub challenge_hex: String,
    pub signature_hex: String,
}

/// 券面事項入力補助AP, as the report shows it.
#[derive(Debug, Serialize)]
pub struct TextSummary {
    pub my_number: String,
    pub name: String,
    pub address: String,
    pub birth_date: String,
    pub sex_code: String,
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
}

/// The holder's credentials for the demo (for the virtual card: its profile's).
pub struct DemoCredentials<'a> {
    /// The auth PIN: for the signature, and before the auth certificate on a smartphone token.
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
    /// Every check of the run, in the CLI's one verification shape.
    pub verification: VerificationOut,
    pub steps: Vec<Step>,
    pub total: Stats,
    pub all_checks_passed: bool,
}

/// What the demo's checks accept, and when they are made.
pub struct DemoTrust<'a> {
    pub policy: TrustPolicy,
    pub store: &'a TrustStore,
    pub cv: &'a CvTrust,
    /// Seconds since the Unix epoch at which certificate validity is checked.
    pub now: u64,
}

fn cert_report(cert: &JpkiCertificate) -> CertReport {
    CertReport {
        subject: cert.info.subject.clone(),
        issuer: cert.info.issuer.clone(),
        serial: cert.info.serial.clone(),
        not_before: cert.info.not_before.clone(),
        not_after: cert.info.not_after.clone(),
        size_bytes: cert.der.len(),
        sha256: cert.info.sha256_fingerprint.clone(),
        attributes: cert.info.attributes.clone(),
    }
}

/// The liveness checks, or one *not checked* entry when the card gave no proof.
fn liveness_checks(
    checks: &mut VerificationOut,
    name: &str,
    proof: Option<&mynakit::cv::LivenessProof>,
) {
    match proof {
        Some(p) => checks.extend(&format!("{name}: "), &p.verification),
        None => checks.push(
            name,
            crate::verdict::Outcome::NotChecked,
            Some("no liveness proof was returned".into()),
            None,
        ),
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
    let trust = DemoTrust {
        policy,
        store: &mynakit_testkit::trust::trust_store(policy)?,
        cv: &mynakit_testkit::trust::cv_trust(policy)?,
        now: mynakit::cert::unix_now(),
    };
    run_with(card, card_name, test_material, &trust, creds, challenge)
}

/// [`run`] with explicit trust (roots, CV CA keys) and check time.
pub fn run_with<T: Transport>(
    card: &mut Card<T>,
    card_name: &str,
    test_material: bool,
    trust: &DemoTrust<'_>,
    creds: &DemoCredentials<'_>,
    challenge: &[u8],
) -> Result<DemoReport> {
    let (store, now) = (trust.store, trust.now);
    let request = EkycRequest {
        auth_pin: creds.auth_pin,
        sign_password: creds.sign_password,
        text_pin: creds.text_pin,
        challenge,
    };
    let flow = mynakit::flows::ekyc(card, &request, trust.cv)?;
    let mut checks = VerificationOut::default();
    checks.chain(
        "auth certificate chain",
        &store.verify(&flow.auth_certificate, now),
    );
    if let Some(c) = &flow.sign_certificate {
        checks.chain("signing certificate chain", &store.verify(c, now));
    }
    checks.extend(
        "",
        &Verification {
            checks: vec![Check {
                name: "signature over the challenge (auth certificate's key)".into(),
                outcome: flow.signature_check.clone(),
            }],
        },
    );

    let (mut text, mut face) = (None, None);
    if let Some(chip) = &flow.chip {
        let (t, f) = (&chip.text, &chip.face);
        let (Some(n), Some(a)) = (&t.my_number, &t.attributes) else {
            return Err(mynakit::Error::MalformedResponse(
                "the PIN read returned no data".into(),
            ));
        };
        let front = f
            .front
            .as_ref()
            .ok_or_else(|| mynakit::Error::MalformedResponse("no card face".into()))?;
        let photo = mynakit::face::decode_photo(&front.photo.data)?;
        checks.extend("text: ", &t.verification);
        liveness_checks(&mut checks, "text liveness", t.liveness.as_ref());
        // The age record is not readable under 照合番号A: its checks do not apply here.
        let applies = |v: &Verification| Verification {
            checks: v
                .checks
                .iter()
                .filter(|c| !c.name.contains("age record"))
                .cloned()
                .collect(),
        };
        checks.extend("face: ", &applies(&f.verification));
        liveness_checks(&mut checks, "face liveness", f.liveness.as_ref());
        text = Some(TextSummary {
            my_number: n.my_number.clone(),
            name: a.name.clone(),
            address: a.address.clone(),
            birth_date: a.birth_date_raw.clone(),
            sex_code: a.sex_code.clone(),
        });
        face = Some(FaceSummary {
            birth_date: front.birth_date_raw.clone(),
            sex_code: front.sex_code.clone(),
            expiry: front.expiry_raw.clone(),
            photo_jp2_bytes: front.photo.data.len(),
            photo_width: photo.width,
            photo_height: photo.height,
            photo_channels: photo.channels,
            photo_png_bytes: photo.png.len(),
        });
    }
    // Every check that applies must have run and passed.
    let all_ok = checks.all_verified();
    Ok(DemoReport {
        card: card_name.to_string(),
        test_material,
        trust_policy: trust.policy,
        transport: card.capabilities(),
        auth_certificate: cert_report(&flow.auth_certificate),
        sign_certificate: flow.sign_certificate.as_ref().map(cert_report),
        token: flow.token,
        certificate_availability: flow.certificate_availability,
        auth_pin_retries: flow.auth_pin_retries,
        sign_password_retries: flow.sign_password_retries,
        signature: SignatureReport {
            key: flow.signature.key,
            hash: flow.signature.hash,
            challenge_hex: hex::encode_upper(challenge),
            signature_hex: hex::encode_upper(&flow.signature.signature),
        },
        text,
        face,
        verification: checks,
        total: card.stats(),
        steps: flow.steps,
        all_checks_passed: all_ok,
    })
}

pub(crate) fn retries(r: &RetryStatus) -> String {
    match r {
        RetryStatus::Remaining(n) => format!("{n} tries left"),
        RetryStatus::Blocked => "BLOCKED".into(),
        RetryStatus::VerifiedNotReported => "count not reported (the card answered 9000)".into(),
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
        }
        None => line("Sign certificate not on this card (holder under 15, or not issued)".into()),
    }
    let s = &r.signature;
    line(format!(
        "Signature        auth key, SHA-256 over a {}-byte challenge",
        s.challenge_hex.len() / 2,
    ));
    if let Some(t) = &r.text {
        line(format!(
            "Input-assist AP  My Number {}; {} / {} / {} / sex {}",
            t.my_number, t.name, t.address, t.birth_date, t.sex_code
        ));
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
    }
    line(String::new());
    line(format!("Checks: {}", r.verification.result.as_str()));
    for l in r.verification.render("  ").lines() {
        line(l.to_string());
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
