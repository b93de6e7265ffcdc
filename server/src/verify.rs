//! The verifier: re-checks an evidence bundle from its bytes and returns a typed report.
//!
//! Nothing the phone says is believed: certificates are parsed and chained to the trust
//! store's roots (J-LIS production roots; the J-LIS test and virtual-card roots only under
//! an explicit [`TrustPolicy`]), CV certificates checked against [`CvTrust`], every card
//! signature re-verified over the *server's* nonce, and times checked at the caller's
//! `at`. `phone_verified` in the bundle is ignored except for being echoed.

use mynakit::cert::{JpkiCertificate, TrustPolicy, TrustStore};
use mynakit::cv::{CheckOutcome, CvCertificate, CvTrust, Verification};
use mynakit::evidence::{
    self, ChipReadEvidence, Evidence, FaceApEvidence, FaceToFaceEvidence, LivenessAp,
    MethodEvidence, MinimalFaceRecord, TextApEvidence,
};
use mynakit::face::{self, CardFront};
use mynakit::sign::{SignInput, verify_signature};
use mynakit::text::{self, SignedCardKey, TextAttributes};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::revocation::{RevocationChecker, RevocationStatus};
use crate::time::{format_rfc3339, japan_date, parse_rfc3339};

/// What the verifier trusts and requires.
pub struct VerifierConfig {
    /// X.509 roots for JPKI certificates.
    pub trust: TrustStore,
    /// CV CA keys for the 券面 applications.
    pub cv_trust: CvTrust,
    /// Revocation checker for JPKI certificates (`None`: revocation is *not checked*).
    pub revocation: Option<Box<dyn RevocationChecker>>,
    /// Whether `jpki_login` / `jpki_sign` bundles need a *good* revocation answer to be
    /// accepted (犯収法 ワ: yes). When `false` the check is still reported.
    pub revocation_required: bool,
}

impl VerifierConfig {
    /// Production: the J-LIS roots and production CV CA keys only; revocation required.
    pub fn production() -> mynakit::Result<Self> {
        Self::with_policy(TrustPolicy::PRODUCTION)
    }

    /// The roots and CV CA keys a trust policy accepts; revocation required. With the
    /// `test-anchors` feature, the test roots and the virtual card's CV test CA are known
    /// (accepted only as `policy` says); without it, only the production anchors are.
    pub fn with_policy(policy: TrustPolicy) -> mynakit::Result<Self> {
        #[cfg(feature = "test-anchors")]
        let (trust, cv_trust) = (
            mynakit_testkit::trust::trust_store(policy)?,
            mynakit_testkit::trust::cv_trust(policy)?,
        );
        #[cfg(not(feature = "test-anchors"))]
        let (trust, cv_trust) = (TrustStore::new(policy)?, CvTrust::production()?);
        Ok(VerifierConfig {
            trust,
            cv_trust,
            revocation: None,
            revocation_required: true,
        })
    }
}

/// The overall result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every required check ran and passed, and no check failed.
    Accepted,
    /// At least one check failed.
    Rejected,
    /// Nothing failed, but a required check could not be made (see its reason).
    Incomplete,
}

/// One check of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable identifier (`certificate.chain`, `face.liveness`, …; see docs/server.md).
    pub id: String,
    /// Whether acceptance needs this check verified.
    pub required: bool,
    /// Verified, failed or not checked, with the reason.
    #[serde(flatten)]
    pub outcome: CheckOutcome,
}

/// Facts read from the card data; in an accepted report every one of them is covered by
/// a verified signature (see `docs/server.md`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifiedFacts {
    /// Name (text AP or signing certificate).
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Sex code (`1`, `2`, `9`).
    pub sex_code: Option<String>,
    /// The signing certificate's name substitute-character information (代替文字).
    pub name_substitute: Option<String>,
    /// The signing certificate's address substitute-character information.
    pub address_substitute: Option<String>,
    /// JPKI certificate serial (upper-case hex).
    pub certificate_serial: Option<String>,
    /// JPKI certificate issuer DN.
    pub certificate_issuer: Option<String>,
    /// JPKI certificate notBefore.
    pub certificate_not_before: Option<String>,
    /// JPKI certificate notAfter.
    pub certificate_not_after: Option<String>,
    /// The user-authentication certificate's subject CN (an opaque per-card identifier).
    pub auth_subject: Option<String>,
    /// Card expiry from the card face, `YYYY-MM-DD`.
    pub card_expiry: Option<String>,
    /// Whether the card face photo (JPEG 2000, for face matching) is in the bundle.
    pub photo_present: bool,
    /// SHA-256 of the photo bytes, when present.
    pub photo_sha256: Option<String>,
}

/// The verifier's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The overall verdict.
    pub verdict: Verdict,
    /// The method, when the bundle could be read.
    pub method: Option<String>,
    /// The time checked at (RFC 3339).
    pub checked_at: String,
    /// The nonce the server expected (hex).
    pub nonce: String,
    /// What the phone said about its own checks (informational, never used).
    pub phone_verified: Option<bool>,
    /// Every check made.
    pub checks: Vec<CheckResult>,
    /// What the card data says.
    pub facts: VerifiedFacts,
}

impl Report {
    /// The outcome of a check by id.
    pub fn check(&self, id: &str) -> Option<&CheckOutcome> {
        self.checks.iter().find(|c| c.id == id).map(|c| &c.outcome)
    }

    /// The ids of the failed checks.
    pub fn failed(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| matches!(c.outcome, CheckOutcome::Failed { .. }))
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Whether the bundle was accepted.
    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Accepted
    }
}

struct Checks(Vec<CheckResult>);

impl Checks {
    fn push(&mut self, id: &str, required: bool, outcome: CheckOutcome) -> bool {
        let ok = outcome.is_verified();
        self.0.push(CheckResult {
            id: id.to_string(),
            required,
            outcome,
        });
        ok
    }
    fn ok(&mut self, id: &str) {
        self.push(id, true, CheckOutcome::Verified);
    }
    fn fail(&mut self, id: &str, reason: impl Into<String>) {
        self.push(id, true, failed(reason));
    }
    fn not_checked(&mut self, id: &str, required: bool, reason: impl Into<String>) {
        self.push(id, required, not_checked(reason));
    }
    fn result(&mut self, id: &str, r: Result<(), String>) -> bool {
        match r {
            Ok(()) => {
                self.ok(id);
                true
            }
            Err(e) => {
                self.fail(id, e);
                false
            }
        }
    }
}

fn failed(reason: impl Into<String>) -> CheckOutcome {
    CheckOutcome::Failed {
        reason: reason.into(),
    }
}

fn not_checked(reason: impl Into<String>) -> CheckOutcome {
    CheckOutcome::NotChecked {
        reason: reason.into(),
    }
}

/// Verifies bundles.
pub struct Verifier {
    config: VerifierConfig,
}

impl Verifier {
    /// A verifier with this configuration.
    pub fn new(config: VerifierConfig) -> Self {
        Verifier { config }
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies a serialised bundle against the nonce this server issued, at `at_unix`.
    /// Never fails: an unreadable bundle is a report with `bundle.format` failed.
    pub fn verify_json(&self, bundle: &[u8], expected_nonce: &[u8], at_unix: u64) -> Report {
        match Evidence::from_json(bundle) {
            Ok(e) => self.verify(&e, expected_nonce, at_unix),
            Err(e) => {
                let mut c = Checks(Vec::new());
                c.fail("bundle.format", e.to_string());
                finish(
                    c,
                    None,
                    None,
                    expected_nonce,
                    at_unix,
                    VerifiedFacts::default(),
                )
            }
        }
    }

    /// Verifies a parsed bundle against the nonce this server issued, at `at_unix`.
    pub fn verify(&self, e: &Evidence, expected_nonce: &[u8], at_unix: u64) -> Report {
        self.verify_issued(e, Ok(expected_nonce), at_unix)
    }

    /// Verifies a bundle whose nonce was looked up in the server's store of issued nonces:
    /// `Err(reason)` when the store does not know it (never issued, already used, expired).
    /// `nonce.binding` then fails with that reason, and the card signatures are checked
    /// over the bundle's own nonce, so the report still shows everything else.
    pub fn verify_issued(
        &self,
        e: &Evidence,
        issued: Result<&[u8], String>,
        at_unix: u64,
    ) -> Report {
        let (expected_nonce, unknown) = match &issued {
            Ok(n) => (*n, None),
            Err(reason) => (e.nonce.as_slice(), Some(reason.clone())),
        };
        let mut c = Checks(Vec::new());
        let mut facts = VerifiedFacts::default();
        c.result("bundle.format", bundle_form(e));
        let nonce_ok =
            (evidence::MIN_NONCE_LEN..=evidence::MAX_NONCE_LEN).contains(&expected_nonce.len());
        c.result(
            "nonce.binding",
            if let Some(reason) = unknown {
                Err(reason)
            } else if !nonce_ok {
                Err(format!(
                    "the server's nonce has {} bytes; {}..={} expected",
                    expected_nonce.len(),
                    evidence::MIN_NONCE_LEN,
                    evidence::MAX_NONCE_LEN
                ))
            } else if e.nonce == expected_nonce {
                Ok(())
            } else {
                Err("the bundle was made for another nonce (replayed or misrouted)".into())
            },
        );
        if nonce_ok {
            match &e.evidence {
                MethodEvidence::JpkiLogin(l) => {
                    let input = SignInput::Message {
                        hash: l.hash.algorithm(),
                        data: expected_nonce.to_vec(),
                    };
                    self.jpki(
                        &mut c,
                        &mut facts,
                        Jpki {
                            cert: &l.certificate,
                            input,
                            signature: &l.signature,
                            signing: false,
                        },
                        at_unix,
                    );
                }
                MethodEvidence::JpkiSign(s) => {
                    match evidence::jpki_sign_message(expected_nonce, &s.data) {
                        Ok(m) => self.jpki(
                            &mut c,
                            &mut facts,
                            Jpki {
                                cert: &s.certificate,
                                input: SignInput::Message {
                                    hash: s.hash.algorithm(),
                                    data: m,
                                },
                                signature: &s.signature,
                                signing: true,
                            },
                            at_unix,
                        ),
                        Err(err) => c.fail("signature", err.to_string()),
                    }
                }
                MethodEvidence::ChipRead(r) => {
                    self.chip_read(&mut c, &mut facts, r, expected_nonce, at_unix);
                }
                MethodEvidence::FaceToFace(FaceToFaceEvidence::Full(f)) => {
                    c.result(
                        "method.requirements",
                        match (&f.front, f.unlocked_with) {
                            (Some(_), face::FaceUnlock::CodeA | face::FaceUnlock::CodeB) => Ok(()),
                            _ => Err("a face-to-face check reads the card face".into()),
                        },
                    );
                    self.face_ap(
                        &mut c,
                        &mut facts,
                        "face_to_face",
                        None,
                        f,
                        expected_nonce,
                        at_unix,
                    );
                }
                MethodEvidence::FaceToFace(FaceToFaceEvidence::Minimal(m)) => {
                    minimal(&mut c, &mut facts, m, at_unix);
                }
            }
        }
        finish(
            c,
            Some(e.evidence.name().to_string()),
            e.phone_verified,
            expected_nonce,
            at_unix,
            facts,
        )
    }

    fn jpki(&self, c: &mut Checks, facts: &mut VerifiedFacts, j: Jpki<'_>, at: u64) {
        let cert = match JpkiCertificate::parse(j.cert) {
            Ok(cert) => {
                c.ok("certificate.parse");
                cert
            }
            Err(e) => {
                c.fail("certificate.parse", e.to_string());
                return;
            }
        };
        c.result("certificate.encoding", strict_der(j.cert));
        let info = &cert.info;
        let ku = |k: &str| info.key_usage.iter().any(|u| u == k);
        c.result(
            "certificate.type",
            match (j.signing, info.attributes.is_some()) {
                _ if info.is_ca => Err("a CA certificate".into()),
                (true, true) if ku("non_repudiation") => Ok(()),
                (true, _) => Err(
                    "not a JPKI signing certificate (needs the four attributes and non-repudiation)"
                        .into(),
                ),
                (false, false) if ku("digital_signature") => Ok(()),
                (false, _) => Err(
                    "not a JPKI user-authentication certificate (no attributes, digital signature)"
                        .into(),
                ),
            },
        );
        let valid = c.result(
            "certificate.validity",
            if cert.is_valid_at(at) {
                Ok(())
            } else {
                Err(format!(
                    "not valid at {} (valid {} to {})",
                    format_rfc3339(at),
                    info.not_before,
                    info.not_after
                ))
            },
        );
        if valid {
            c.result(
                "certificate.chain",
                self.config
                    .trust
                    .verify(&cert, at)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            );
        } else {
            c.not_checked(
                "certificate.chain",
                true,
                "the certificate is not valid at the time checked",
            );
        }
        c.result(
            "signature",
            cert.spki_der()
                .and_then(|spki| verify_signature(&spki, &j.input, j.signature, false))
                .map_err(|e| e.to_string()),
        );
        let required = self.config.revocation_required;
        match &self.config.revocation {
            None => c.not_checked(
                "certificate.revocation",
                required,
                "no revocation checker is configured (production JPKI: a licensed 署名検証者 / platform operator adapter)",
            ),
            Some(r) => {
                let outcome = match r.status(&cert, at) {
                    RevocationStatus::Good { source } => {
                        let _ = source;
                        CheckOutcome::Verified
                    }
                    RevocationStatus::Revoked { reason } => failed(format!("revoked: {reason}")),
                    RevocationStatus::NotChecked { reason } => not_checked(reason),
                };
                c.push("certificate.revocation", required, outcome);
            }
        }
        facts.certificate_serial = Some(info.serial.clone());
        facts.certificate_issuer = Some(info.issuer.clone());
        facts.certificate_not_before = Some(info.not_before.clone());
        facts.certificate_not_after = Some(info.not_after.clone());
        if let Some(a) = &info.attributes {
            facts.name = a.name.clone();
            facts.address = a.address.clone();
            facts.birth_date = a
                .birth_date
                .as_ref()
                .and_then(|b| b.date)
                .map(|d| d.to_string());
            facts.sex_code = a.sex_code.clone();
            facts.name_substitute = a.name_substitute.clone();
            facts.address_substitute = a.address_substitute.clone();
        } else {
            facts.auth_subject = info.subject_common_name.clone();
        }
    }

    fn chip_read(
        &self,
        c: &mut Checks,
        facts: &mut VerifiedFacts,
        r: &ChipReadEvidence,
        nonce: &[u8],
        at: u64,
    ) {
        let attributes = r.text.as_ref().is_some_and(|t| t.attributes.is_some());
        let front = r.face.as_ref().is_some_and(|f| f.front.is_some());
        c.result(
            "method.requirements",
            match (attributes, front) {
                (true, true) => Ok(()),
                (false, _) => {
                    Err("ヘ needs the four attributes (text AP, PIN or 照合番号B)".into())
                }
                (true, false) => Err("ヘ needs the card face with the photo (券面AP)".into()),
            },
        );
        if let Some(t) = &r.text {
            self.text_ap(c, facts, t, nonce);
        }
        if let Some(f) = &r.face {
            self.face_ap(c, facts, "chip_read", r.text.as_ref(), f, nonce, at);
        }
        // Both APs describe one person: birth date and sex must agree.
        let attrs = r.text.as_ref().and_then(|t| t.attributes.as_deref());
        let front = r.face.as_ref().and_then(|f| f.front.as_deref());
        if let (Some(a), Some(fr)) = (attrs, front)
            && let (Ok(a), Ok(fr)) = (TextAttributes::parse(a), CardFront::parse(fr))
        {
            c.result(
                "chip_read.consistency",
                if a.birth_date_raw != fr.birth_date_raw {
                    Err(format!(
                        "birth date {} (text AP) ≠ {} (card face)",
                        a.birth_date_raw, fr.birth_date_raw
                    ))
                } else if a.sex_code != fr.sex_code {
                    Err(format!(
                        "sex {} (text AP) ≠ {} (card face)",
                        a.sex_code, fr.sex_code
                    ))
                } else {
                    Ok(())
                },
            );
        }
    }

    fn text_ap(&self, c: &mut Checks, facts: &mut VerifiedFacts, t: &TextApEvidence, nonce: &[u8]) {
        let cv = match CvCertificate::parse(&t.cv_certificate) {
            Ok(cv) => cv,
            Err(e) => {
                c.fail("text.cv_certificate", e.to_string());
                return;
            }
        };
        let parsed = (|| -> mynakit::Result<_> {
            Ok((
                text::IntegrityRecord::parse(&t.integrity)?,
                t.my_number
                    .as_deref()
                    .map(text::MyNumberRecord::parse)
                    .transpose()?,
                t.attributes
                    .as_deref()
                    .map(TextAttributes::parse)
                    .transpose()?,
            ))
        })();
        let (integrity, my_number, attrs) = match parsed {
            Ok(p) => p,
            Err(e) => {
                c.fail("text.records", e.to_string());
                return;
            }
        };
        if let Err(e) = unlock_consistency_text(t) {
            c.fail("text.records", e);
            return;
        }
        c.ok("text.records");
        let v = text::verify_text(
            &cv,
            &self.config.cv_trust,
            &integrity,
            my_number.as_ref(),
            attrs.as_ref(),
        );
        take(
            c,
            &v,
            "CV certificate signed by the CV CA",
            "text.cv_certificate",
            true,
        );
        take(
            c,
            &v,
            "integrity record signed by the AP key",
            "text.integrity_signature",
            true,
        );
        take(
            c,
            &v,
            "My Number digest (DF31)",
            "text.my_number_digest",
            my_number.is_some(),
        );
        take(
            c,
            &v,
            "attributes digest (DF32)",
            "text.attributes_digest",
            attrs.is_some(),
        );
        let key = match SignedCardKey::parse(&t.signed_card_key) {
            Ok(k) => k,
            Err(e) => {
                c.fail("text.card_key", e.to_string());
                return;
            }
        };
        let key_ok = c.push("text.card_key", true, key.verify(&cv.public_key));
        liveness(
            c,
            "text.liveness",
            key_ok,
            evidence::liveness_challenge(nonce, "chip_read", LivenessAp::Text, Some(t), None),
            |ch| key.key.verify_sha256(ch, &t.liveness_signature),
        );
        if let Some(a) = attrs {
            facts.name = Some(a.name);
            facts.address = Some(a.address);
            facts.birth_date = a.birth_date.map(|d| d.to_string());
            facts.sex_code = Some(a.sex_code);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn face_ap(
        &self,
        c: &mut Checks,
        facts: &mut VerifiedFacts,
        method: &str,
        text: Option<&TextApEvidence>,
        f: &FaceApEvidence,
        nonce: &[u8],
        at: u64,
    ) {
        let cv = match CvCertificate::parse(&f.cv_certificate) {
            Ok(cv) => cv,
            Err(e) => {
                c.fail("face.cv_certificate", e.to_string());
                return;
            }
        };
        let parsed = (|| -> mynakit::Result<_> {
            Ok((
                f.front.as_deref().map(CardFront::parse).transpose()?,
                f.my_number_image
                    .as_deref()
                    .map(face::MyNumberImage::parse)
                    .transpose()?,
                f.age.as_deref().map(face::AgeRecord::parse).transpose()?,
            ))
        })();
        let (front, mni, age) = match parsed {
            Ok(p) => p,
            Err(e) => {
                c.fail("face.records", e.to_string());
                return;
            }
        };
        if let Err(e) = unlock_consistency_face(f) {
            c.fail("face.records", e);
            return;
        }
        c.ok("face.records");
        let v = face::verify_face(
            &cv,
            &self.config.cv_trust,
            front.as_ref(),
            mni.as_ref(),
            age.as_ref(),
        );
        take(
            c,
            &v,
            "CV certificate signed by the CV CA",
            "face.cv_certificate",
            true,
        );
        take(
            c,
            &v,
            "card face signature",
            "face.front_signature",
            front.is_some(),
        );
        take(
            c,
            &v,
            "My Number image signature",
            "face.my_number_image_signature",
            mni.is_some(),
        );
        take(
            c,
            &v,
            "age record signature",
            "face.age_signature",
            age.is_some(),
        );
        if v.outcome("same card key in every record").is_some() {
            take(
                c,
                &v,
                "same card key in every record",
                "face.same_card_key",
                true,
            );
        }
        let (key, record) = match (&front, &age) {
            (Some(fr), _) => (&fr.card_key, "card face signature"),
            (None, Some(a)) => (&a.card_key, "age record signature"),
            (None, None) => {
                c.fail("face.liveness", "no record with the card key was read");
                return;
            }
        };
        let key_ok = v.outcome(record).is_some_and(CheckOutcome::is_verified);
        liveness(
            c,
            "face.liveness",
            key_ok,
            evidence::liveness_challenge(nonce, method, LivenessAp::Face, text, Some(f)),
            |ch| key.verify_sha256(ch, &f.liveness_signature),
        );
        if let Some(fr) = &front {
            let today = japan_date(at);
            c.result(
                "face.card_expiry",
                match (fr.expiry, today) {
                    (Some(exp), Some(today)) if exp >= today => Ok(()),
                    (Some(exp), Some(today)) => Err(format!(
                        "the card expired on {exp} (checked on {today}, JST)"
                    )),
                    (None, _) => Err(format!("no valid expiry date ({:?})", fr.expiry_raw)),
                    (_, None) => Err("the time checked is out of range".into()),
                },
            );
            facts.card_expiry = fr.expiry.map(|d| d.to_string());
            facts.photo_present = !fr.photo.data.is_empty();
            facts.photo_sha256 = Some(hex::encode_upper(Sha256::digest(&fr.photo.data)));
            if facts.birth_date.is_none() {
                facts.birth_date = fr.birth_date.map(|d| d.to_string());
            }
            if facts.sex_code.is_none() {
                facts.sex_code = Some(fr.sex_code.clone());
            }
        }
    }
}

/// RFC 5280 §4.1.1.2 and DER: the outer signatureAlgorithm equals the TBS `signature`
/// field (parameters included), the signature BIT STRING has no unused bits, and the bytes
/// are the certificate's canonical DER (no byte outside what the signature covers can vary).
fn strict_der(der_bytes: &[u8]) -> Result<(), String> {
    use der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(der_bytes).map_err(|e| format!("DER: {e}"))?;
    if cert.signature_algorithm() != cert.tbs_certificate().signature() {
        return Err("signatureAlgorithm differs from the TBS signature field".into());
    }
    if cert.signature().unused_bits() != 0 {
        return Err("the signature BIT STRING has unused bits".into());
    }
    let again = cert.to_der().map_err(|e| format!("DER: {e}"))?;
    if again != der_bytes {
        return Err("not in canonical DER".into());
    }
    Ok(())
}

struct Jpki<'a> {
    cert: &'a [u8],
    input: SignInput,
    signature: &'a [u8],
    signing: bool,
}

fn liveness(
    c: &mut Checks,
    id: &str,
    key_ok: bool,
    challenge: mynakit::Result<Vec<u8>>,
    verify: impl FnOnce(&[u8]) -> mynakit::Result<()>,
) {
    if !key_ok {
        c.not_checked(id, true, "the card key's own signature did not verify");
        return;
    }
    match challenge {
        Ok(ch) => {
            c.result(
                id,
                verify(&ch).map_err(|e| {
                    format!("the card key's signature over the nonce and the records: {e}")
                }),
            );
        }
        Err(e) => c.fail(id, e.to_string()),
    }
}

/// Copies one named check of a core [`Verification`] into the report.
fn take(c: &mut Checks, v: &Verification, name: &str, id: &str, required: bool) {
    let outcome = v
        .outcome(name)
        .cloned()
        .unwrap_or_else(|| not_checked(format!("the core made no check \"{name}\"")));
    c.push(id, required, outcome);
}

fn bundle_form(e: &Evidence) -> Result<(), String> {
    if e.format != evidence::FORMAT || e.version != evidence::VERSION {
        return Err(format!("format {} version {}", e.format, e.version));
    }
    let too_big = |what: &str, v: &[u8], max: usize| {
        if v.len() > max {
            Err(format!("{what}: {} bytes, at most {max}", v.len()))
        } else {
            Ok(())
        }
    };
    let ef = evidence::MAX_EF_LEN;
    match &e.evidence {
        MethodEvidence::JpkiLogin(l) => {
            too_big("certificate", &l.certificate, ef)?;
            too_big("signature", &l.signature, 1024)
        }
        MethodEvidence::JpkiSign(s) => {
            too_big("certificate", &s.certificate, ef)?;
            too_big("data", &s.data, evidence::MAX_SIGNED_DATA_LEN)?;
            too_big("signature", &s.signature, 1024)
        }
        MethodEvidence::ChipRead(r) => {
            if r.text.is_none() && r.face.is_none() {
                return Err("chip_read without text or face data".into());
            }
            Ok(())
        }
        MethodEvidence::FaceToFace(_) => Ok(()),
    }
}

/// The records present must be the ones the credential opens (and no others).
fn unlock_consistency_text(t: &TextApEvidence) -> Result<(), String> {
    use text::TextUnlock::*;
    match (
        t.unlocked_with,
        t.my_number.is_some(),
        t.attributes.is_some(),
    ) {
        (CodeA, _, true) => Err("attributes under 照合番号A, which does not open them".into()),
        (CodeB, true, _) => Err("My Number under 照合番号B, which does not open it".into()),
        (CodeA, false, _) => Err("照合番号A read without My Number".into()),
        _ => Ok(()),
    }
}

fn unlock_consistency_face(f: &FaceApEvidence) -> Result<(), String> {
    use face::FaceUnlock::*;
    match (
        f.unlocked_with,
        f.front.is_some(),
        f.my_number_image.is_some(),
        f.age.is_some(),
    ) {
        (CodeA | CodeB, false, _, _) => Err("the card face is missing".into()),
        (CodeB, _, true, _) => Err("the My Number image under 照合番号B".into()),
        (CodeA | CodeB, _, _, true) => Err("the age record under 照合番号A/B".into()),
        (BirthKey, f, m, a) if f || m || !a => {
            Err("the birth-date key opens the age record only".into())
        }
        _ => Ok(()),
    }
}

fn minimal(c: &mut Checks, facts: &mut VerifiedFacts, m: &MinimalFaceRecord, at: u64) {
    let form = match parse_rfc3339(&m.read_at) {
        None => Err(format!("read_at {:?} is not an RFC 3339 time", m.read_at)),
        Some(t) if t > at => Err("read_at is after the time checked".into()),
        Some(_)
            if m.security_code.len() != 4
                || !m.security_code.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Err("the security code has 4 digits".into())
        }
        Some(_) if !(2015..=2100).contains(&m.expiry_year) => {
            Err(format!("expiry year {} out of range", m.expiry_year))
        }
        Some(_) => Ok(()),
    };
    c.result("face_to_face.record_form", form);
    c.result(
        "face.card_expiry",
        match parse_rfc3339(&m.read_at).and_then(japan_date) {
            Some(read) if m.expiry_year >= read.year => Ok(()),
            Some(read) => Err(format!(
                "expiry year {} is before the read ({read})",
                m.expiry_year
            )),
            None => Err("no read time".into()),
        },
    );
    c.not_checked(
        "card.signatures",
        true,
        "a minimal-retention record keeps no card data: it records a face-to-face check, it cannot prove one",
    );
    facts.card_expiry = Some(format!("{}", m.expiry_year));
}

fn finish(
    c: Checks,
    method: Option<String>,
    phone_verified: Option<bool>,
    nonce: &[u8],
    at: u64,
    facts: VerifiedFacts,
) -> Report {
    let checks = c.0;
    let any_failed = checks
        .iter()
        .any(|c| matches!(c.outcome, CheckOutcome::Failed { .. }));
    let all_required = checks
        .iter()
        .filter(|c| c.required)
        .all(|c| c.outcome.is_verified());
    let verdict = if any_failed {
        Verdict::Rejected
    } else if all_required && !checks.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::Incomplete
    };
    Report {
        verdict,
        method,
        checked_at: format_rfc3339(at),
        nonce: hex::encode_upper(nonce),
        phone_verified,
        checks,
        facts,
    }
}
