//! The flows a bank app runs, one implementation each. The CLI (`mynakit demo`), the
//! trace operations of the test tooling and the FFI (`CardSession`) call these functions,
//! so the APDU sequence of a flow is the same whichever of them runs it.
//!
//! | flow | card sequence | result |
//! |---|---|---|
//! | [`jpki_login`] | auth certificate (card-protocol §10.1), auth PIN, signature over the server's nonce (§7.1) | [`JpkiLogin`] with the `jpki_login` [`Evidence`] |
//! | [`jpki_sign`] (ワ) | signing password, signing certificate (§10.2), signature over [`evidence::jpki_sign_message`] | [`JpkiSigning`] with the `jpki_sign` [`Evidence`] |
//! | [`text_read`] | 券面事項入力補助AP (§3.2, §8) | [`TextReport`] |
//! | [`face_read`] | 券面AP (§3.3, §9) | [`FaceReport`] |
//! | [`chip_read`], [`face_to_face`] | raw 入力補助AP / 券面AP EFs and card-key liveness over the bundle (§9) | `chip_read` / `face_to_face` [`Evidence`] |
//! | [`ekyc`] | the demo: token, availability, counters, certificates, signature over a challenge, and optionally both 券面 APs | [`Ekyc`] |
//!
//! Every flow checks what it can before the first APDU (credential formats, nonce
//! lengths, hash algorithms), presents each credential at most once (never a second
//! VERIFY on its own) and checks the card's signatures on the host. Certificate chains
//! are left to the caller ([`crate::cert::TrustStore::verify`]): which roots to accept
//! and when is the caller's policy, and a server re-checks everything from the evidence.

use serde::Serialize;

use crate::card::{Card, RetryStatus, Stats};
use crate::cert::JpkiCertificate;
use crate::credential::{Credential, Secret};
use crate::cv::{CheckOutcome, CvCertificate, CvTrust};
use crate::error::{Error, Result};
use crate::evidence::{
    self, ChipReadEvidence, ChipReadRequest, Evidence, FaceApEvidence, FaceToFaceEvidence,
    LivenessAp, MethodEvidence, TextApEvidence,
};
use crate::face::{self, CardFront, FaceReport, FaceUnlock};
use crate::jpki::{
    CertificateAvailability, JpkiKey, JpkiSignature, SignOptions, TokenInfo, TokenKind,
};
use crate::sign::{HashAlgorithm, SignInput};
use crate::text::{self, ChallengeSource, TextReport, TextUnlock};
use crate::transport::Transport;

/// One step of a flow with what it cost on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowStep {
    /// What the step did.
    pub name: String,
    /// Command APDUs sent.
    pub apdus: u32,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

/// Records the APDU cost of each step of a flow.
struct Meter {
    last: Stats,
    steps: Vec<FlowStep>,
}

impl Meter {
    fn new<T: Transport>(card: &Card<T>) -> Self {
        Meter {
            last: card.stats(),
            steps: Vec::new(),
        }
    }

    fn step<T: Transport>(&mut self, card: &Card<T>, name: &str) {
        let now = card.stats();
        let d = now.since(&self.last);
        self.steps.push(FlowStep {
            name: name.to_string(),
            apdus: d.apdus,
            bytes_sent: d.bytes_sent,
            bytes_received: d.bytes_received,
        });
        self.last = now;
    }
}

fn check_of(r: Result<()>) -> CheckOutcome {
    match r {
        Ok(()) => CheckOutcome::Verified,
        Err(e) => CheckOutcome::Failed {
            reason: e.to_string(),
        },
    }
}

/// Checks a card signature over `input` with the certificate's public key, on the host.
fn signature_check(cert: &JpkiCertificate, input: &SignInput, signature: &[u8]) -> CheckOutcome {
    check_of(
        cert.spki_der()
            .and_then(|spki| crate::sign::verify_signature(&spki, input, signature, false)),
    )
}

/// The user-authentication certificate, on a plastic card and on a smartphone token.
///
/// The card shows the certificate freely; a smartphone token only after the auth PIN
/// (card-protocol §3.1). With `token` known to be a smartphone token, the PIN is verified
/// first. Otherwise the certificate is read, and when a token not known to be a My Number
/// Card (`token` unknown, or another label) answers [`Error::CredentialRequired`], the PIN
/// is verified (once) and the read repeated; a My Number Card's refusal is an error, not a
/// cue to present the PIN. Without a PIN, the refusal is returned as is.
pub fn auth_certificate<T: Transport>(
    card: &mut Card<T>,
    token: Option<&TokenInfo>,
    pin: Option<&Secret>,
    allow_below_floor: bool,
) -> Result<JpkiCertificate> {
    let phone =
        token.is_some_and(|t| matches!(t.kind, TokenKind::AndroidPhone | TokenKind::IPhone));
    if let (true, Some(pin)) = (phone, pin) {
        card.ensure_verified(Credential::JpkiAuthPin, pin, allow_below_floor)?;
    }
    let plastic = token.is_some_and(|t| t.kind == TokenKind::MyNumberCard);
    match (card.jpki().auth_certificate(), pin) {
        (Err(Error::CredentialRequired { .. }), Some(pin))
            if !plastic && !card.is_verified(Credential::JpkiAuthPin) =>
        {
            card.ensure_verified(Credential::JpkiAuthPin, pin, allow_below_floor)?;
            card.jpki().auth_certificate()
        }
        (r, _) => r,
    }
}

/// What a JPKI login presents.
#[derive(Clone, Copy)]
pub struct LoginRequest<'a> {
    /// The auth PIN (4 digits).
    pub pin: &'a Secret,
    /// The server's nonce ([`evidence::MIN_NONCE_LEN`] to [`evidence::MAX_NONCE_LEN`]
    /// bytes): the card signs it with the user-authentication key.
    pub nonce: &'a [u8],
    /// The hash of the signed DigestInfo (SHA-1 is refused).
    pub hash: HashAlgorithm,
    /// Present the PIN even at or below the PIN policy's floor.
    pub allow_below_floor: bool,
}

/// The result of [`jpki_login`].
#[derive(Clone, Debug)]
pub struct JpkiLogin {
    /// The user-authentication certificate as read.
    pub certificate: JpkiCertificate,
    /// The card's signature over the nonce, with [`JpkiSignature::certificate`] set to
    /// [`JpkiLogin::certificate`].
    pub signature: JpkiSignature,
    /// The signature checked on the host with the certificate's key.
    pub signature_check: CheckOutcome,
    /// The `jpki_login` bundle for the bank's server.
    pub evidence: Evidence,
}

/// JPKI login: the user-authentication certificate, then the card's signature over the
/// server's nonce with the user-authentication key (one VERIFY of the auth PIN at most),
/// checked on the host and packed as `jpki_login` evidence. Nonce, hash and PIN format
/// are checked before any APDU.
pub fn jpki_login<T: Transport>(card: &mut Card<T>, req: &LoginRequest<'_>) -> Result<JpkiLogin> {
    let input = Evidence::login_sign_input(req.nonce, req.hash)?;
    Credential::JpkiAuthPin.encode(req.pin)?;
    let certificate = auth_certificate(card, None, Some(req.pin), req.allow_below_floor)?;
    let options = SignOptions {
        allow_below_floor: req.allow_below_floor,
        ..SignOptions::default()
    };
    let mut signature = card.jpki().sign(JpkiKey::Auth, req.pin, &input, options)?;
    signature.certificate = Some(certificate.clone());
    let signature_check = signature_check(&certificate, &input, &signature.signature);
    let evidence = Evidence::jpki_login(req.nonce, &signature)?;
    Ok(JpkiLogin {
        certificate,
        signature,
        signature_check,
        evidence,
    })
}

/// What a ワ-method signature presents.
#[derive(Clone, Copy)]
pub struct SignRequest<'a> {
    /// The signing password.
    pub password: &'a Secret,
    /// The server's nonce ([`evidence::MIN_NONCE_LEN`] to [`evidence::MAX_NONCE_LEN`]
    /// bytes).
    pub nonce: &'a [u8],
    /// The data the holder consents to (at most [`evidence::MAX_SIGNED_DATA_LEN`] bytes),
    /// for example a digest of the account-opening form.
    pub data: &'a [u8],
    /// The hash of the signed DigestInfo (SHA-1 is refused).
    pub hash: HashAlgorithm,
    /// Present the password even at or below the PIN policy's floor.
    pub allow_below_floor: bool,
}

/// The result of [`jpki_sign`].
#[derive(Clone, Debug)]
pub struct JpkiSigning {
    /// The signing certificate as read (personal data: the four attributes).
    pub certificate: JpkiCertificate,
    /// The card's signature over [`evidence::jpki_sign_message`]`(nonce, data)`, with
    /// [`JpkiSignature::certificate`] set to [`JpkiSigning::certificate`].
    pub signature: JpkiSignature,
    /// The signature checked on the host with the certificate's key.
    pub signature_check: CheckOutcome,
    /// The `jpki_sign` bundle for the bank's server.
    pub evidence: Evidence,
}

/// ワ method: the signing password (one VERIFY at most), the signing certificate, then the
/// card's signature with the signing key over [`evidence::jpki_sign_message`] (the nonce
/// and the data, domain-separated), checked on the host and packed as `jpki_sign`
/// evidence. Nonce, data length, hash and password format are checked before any APDU.
pub fn jpki_sign<T: Transport>(card: &mut Card<T>, req: &SignRequest<'_>) -> Result<JpkiSigning> {
    if req.data.len() > evidence::MAX_SIGNED_DATA_LEN {
        return Err(Error::InvalidArgument(format!(
            "{} bytes of data to sign; at most {}",
            req.data.len(),
            evidence::MAX_SIGNED_DATA_LEN
        )));
    }
    let input = Evidence::sign_sign_input(req.nonce, req.data, req.hash)?;
    Credential::JpkiSignPassword.encode(req.password)?;
    let certificate = card
        .jpki()
        .sign_certificate(req.password, req.allow_below_floor)?;
    let options = SignOptions {
        allow_below_floor: req.allow_below_floor,
        ..SignOptions::default()
    };
    let mut signature = card
        .jpki()
        .sign(JpkiKey::Sign, req.password, &input, options)?;
    signature.certificate = Some(certificate.clone());
    let signature_check = signature_check(&certificate, &input, &signature.signature);
    let evidence = Evidence::jpki_sign(req.nonce, req.data, &signature)?;
    Ok(JpkiSigning {
        certificate,
        signature,
        signature_check,
        evidence,
    })
}

/// What a read of one 券面 application presents.
#[derive(Clone, Copy)]
pub struct ApRead<'a, U> {
    /// Which credential unlocks the application.
    pub unlock: U,
    /// Its value.
    pub secret: &'a Secret,
    /// Present it even at or below the PIN policy's floor.
    pub allow_below_floor: bool,
    /// Have the card sign a challenge with its own key afterwards.
    pub liveness: Option<&'a ChallengeSource>,
}

/// 券面事項入力補助AP (card-protocol §3.2, §8): unlocks with the PIN or a 照合番号, reads
/// everything the credential opens, checks it against `trust` (CV certificate, integrity
/// signature, digests) and, when asked, has the card sign a challenge.
pub fn text_read<T: Transport>(
    card: &mut Card<T>,
    req: &ApRead<'_, TextUnlock>,
    trust: &CvTrust,
) -> Result<TextReport> {
    card.text().read(
        req.unlock,
        req.secret,
        req.allow_below_floor,
        trust,
        req.liveness,
    )
}

/// 券面AP (card-protocol §3.3, §9): unlocks with 照合番号A, 照合番号B or the birth-date key,
/// reads everything the credential opens, checks the signatures against `trust` and, when
/// asked, has the card sign a challenge.
pub fn face_read<T: Transport>(
    card: &mut Card<T>,
    req: &ApRead<'_, FaceUnlock>,
    trust: &CvTrust,
) -> Result<FaceReport> {
    card.face().read(
        req.unlock,
        req.secret,
        req.allow_below_floor,
        trust,
        req.liveness,
    )
}

/// What the eKYC demo presents (for the virtual card: its profile's values).
#[derive(Clone, Copy)]
pub struct EkycRequest<'a> {
    /// The auth PIN: for the signature, and before the auth certificate on a smartphone
    /// token.
    pub auth_pin: &'a Secret,
    /// The signing password: when given and the card holds a signing certificate, the
    /// certificate is read.
    pub sign_password: Option<&'a Secret>,
    /// The 券面事項入力補助 PIN: when given, 券面事項入力補助AP is read too, then 券面AP
    /// with the My Number it read as 照合番号A, each with a liveness signature over
    /// `challenge`.
    pub text_pin: Option<&'a Secret>,
    /// The verifier's challenge, signed with the user-authentication key.
    pub challenge: &'a [u8],
}

/// Both 券面 applications as the eKYC flow reads them.
#[derive(Clone, Debug)]
pub struct EkycChip {
    /// 券面事項入力補助AP under the PIN (My Number and the four attributes).
    pub text: TextReport,
    /// 券面AP under 照合番号A (the My Number just read).
    pub face: FaceReport,
}

/// The result of [`ekyc`].
#[derive(Clone, Debug)]
pub struct Ekyc {
    /// The JPKI token information.
    pub token: TokenInfo,
    /// Which certificates the card holds.
    pub certificate_availability: CertificateAvailability,
    /// The auth PIN's retry counter before the flow presented it.
    pub auth_pin_retries: RetryStatus,
    /// The signing password's counter (when the card holds a signing certificate).
    pub sign_password_retries: Option<RetryStatus>,
    /// The user-authentication certificate.
    pub auth_certificate: JpkiCertificate,
    /// The signing certificate (when present and the password was given).
    pub sign_certificate: Option<JpkiCertificate>,
    /// The signature over the challenge with the user-authentication key (SHA-256), with
    /// [`JpkiSignature::certificate`] set to the auth certificate.
    pub signature: JpkiSignature,
    /// The signature checked on the host with the auth certificate's key.
    pub signature_check: CheckOutcome,
    /// Both 券面 applications (when the text PIN was given).
    pub chip: Option<EkycChip>,
    /// The APDU cost of each step.
    pub steps: Vec<FlowStep>,
}

/// The eKYC demo flow (`mynakit demo`, trace operation `demo`): token information,
/// certificate availability, retry counters (no try spent), the user-authentication
/// certificate (after the PIN on a smartphone token), the signing certificate (with the
/// password), the signature over `challenge` with the user-authentication key, and, with
/// the 入力補助 PIN, both 券面 applications with liveness over `challenge`. `cv` is used only
/// for the 券面 applications.
pub fn ekyc<T: Transport>(card: &mut Card<T>, req: &EkycRequest<'_>, cv: &CvTrust) -> Result<Ekyc> {
    let mut m = Meter::new(card);
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

    let auth = auth_certificate(card, Some(&token), Some(req.auth_pin), false)?;
    m.step(card, "user-authentication certificate");

    let sign_certificate = match (availability.signing, req.sign_password) {
        (true, Some(pw)) => {
            let c = card.jpki().sign_certificate(pw, false)?;
            m.step(card, "signing certificate (after the signing password)");
            Some(c)
        }
        _ => None,
    };

    let input = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: req.challenge.to_vec(),
    };
    let mut signature =
        card.jpki()
            .sign(JpkiKey::Auth, req.auth_pin, &input, SignOptions::default())?;
    m.step(
        card,
        "signature over the challenge with the authentication key",
    );
    let check = signature_check(&auth, &input, &signature.signature);
    signature.certificate = Some(auth.clone());

    let chip = match req.text_pin {
        Some(pin) => {
            let nonce = ChallengeSource::Host(req.challenge.to_vec());
            let read = ApRead {
                unlock: TextUnlock::Pin,
                secret: pin,
                allow_below_floor: false,
                liveness: Some(&nonce),
            };
            let text = text_read(card, &read, cv)?;
            m.step(
                card,
                "input-assist AP (PIN): My Number, attributes, checks, liveness",
            );
            let Some(n) = text
                .my_number
                .as_ref()
                .filter(|_| text.attributes.is_some())
            else {
                return Err(Error::MalformedResponse(
                    "the PIN read returned no data".into(),
                ));
            };
            // The My Number just read is 照合番号A for 券面AP.
            let code_a = Secret::new(n.my_number.clone());
            let read = ApRead {
                unlock: FaceUnlock::CodeA,
                secret: &code_a,
                allow_below_floor: false,
                liveness: Some(&nonce),
            };
            let face = face_read(card, &read, cv)?;
            m.step(
                card,
                "card-face AP (code A): face, My Number image, checks, liveness",
            );
            Some(EkycChip { text, face })
        }
        None => None,
    };
    Ok(Ekyc {
        token,
        certificate_availability: availability,
        auth_pin_retries: auth_retries,
        sign_password_retries: sign_retries,
        auth_certificate: auth,
        sign_certificate,
        signature,
        signature_check: check,
        chip,
        steps: m.steps,
    })
}

/// Reads a `chip_read` (ヘ) bundle: the raw EFs each credential opens, then each AP's card
/// key signs its [`evidence::liveness_challenge`] (one VERIFY per AP, never a second one).
/// `phone_verified` is what the phone's own checks said under `trust`
/// ([`text::verify_text`], [`face::verify_face`], liveness): true only when nothing failed,
/// each CV certificate chained to a key of `trust`, and each liveness proof verified.
pub fn chip_read<T: Transport>(
    card: &mut Card<T>,
    nonce: &[u8],
    request: &ChipReadRequest<'_>,
    trust: &CvTrust,
) -> Result<Evidence> {
    evidence::check_nonce(nonce)?;
    if request.text.is_none() && request.face.is_none() {
        return Err(Error::InvalidArgument(
            "a chip_read bundle needs the text AP, 券面AP or both".into(),
        ));
    }
    let mut ok = true;
    let text = match request.text {
        Some((how, secret)) => {
            let (e, v) = read_text_ap(card, nonce, "chip_read", how, secret, request, trust)?;
            ok &= v;
            Some(e)
        }
        None => None,
    };
    let face = match request.face {
        Some((how, secret)) => {
            let (e, v) = read_face_ap(
                card,
                nonce,
                "chip_read",
                (how, secret, request.allow_below_floor),
                text.as_ref(),
                trust,
            )?;
            ok &= v;
            Some(e)
        }
        None => None,
    };
    Evidence::new(
        nonce,
        MethodEvidence::ChipRead(ChipReadEvidence { text, face }),
        Some(ok),
    )
}

/// Reads a full `face_to_face` (対面) bundle: the card face under 照合番号A or B, the CV
/// certificate, and the card key's signature over the [`evidence::liveness_challenge`].
pub fn face_to_face<T: Transport>(
    card: &mut Card<T>,
    nonce: &[u8],
    how: FaceUnlock,
    secret: &Secret,
    allow_below_floor: bool,
    trust: &CvTrust,
) -> Result<Evidence> {
    evidence::check_nonce(nonce)?;
    if how == FaceUnlock::BirthKey {
        return Err(Error::InvalidArgument(
            "the birth-date key does not open the card face".into(),
        ));
    }
    let (face, ok) = read_face_ap(
        card,
        nonce,
        "face_to_face",
        (how, secret, allow_below_floor),
        None,
        trust,
    )?;
    Evidence::new(
        nonce,
        MethodEvidence::FaceToFace(FaceToFaceEvidence::Full(face)),
        Some(ok),
    )
}

fn read_text_ap<T: Transport>(
    card: &mut Card<T>,
    nonce: &[u8],
    method: &str,
    how: TextUnlock,
    secret: &Secret,
    request: &ChipReadRequest<'_>,
    trust: &CvTrust,
) -> Result<(TextApEvidence, bool)> {
    how.credential().encode(secret)?;
    card.text().unlock(how, secret, request.allow_below_floor)?;
    let my_number = match how {
        TextUnlock::Pin | TextUnlock::CodeA if request.include_my_number => {
            Some(card.read_prefix(&text::ef::MY_NUMBER, text::MY_NUMBER_EF_LEN)?)
        }
        _ => None,
    };
    let attributes = match how {
        TextUnlock::Pin | TextUnlock::CodeB => Some(card.read_tlv_file(&text::ef::ATTRIBUTES)?),
        TextUnlock::CodeA => None,
    };
    let integrity = card.read_tlv_file(&text::ef::INTEGRITY)?;
    let cv_raw = card.read_tlv_file(&text::ef::CV_CERT)?;
    let signed_card_key = card.read_tlv_file(&text::ef::SIGNED_KEY)?;
    let mut e = TextApEvidence {
        unlocked_with: how,
        my_number,
        attributes,
        integrity,
        cv_certificate: cv_raw,
        signed_card_key,
        liveness_signature: Vec::new(),
    };
    // The phone's own view (informational in the bundle).
    let cv = CvCertificate::parse(&e.cv_certificate)?;
    let my_number = e
        .my_number
        .as_deref()
        .map(text::MyNumberRecord::parse)
        .transpose()?;
    let attrs = e
        .attributes
        .as_deref()
        .map(text::TextAttributes::parse)
        .transpose()?;
    let integrity = text::IntegrityRecord::parse(&e.integrity)?;
    let checks = text::verify_text(&cv, trust, &integrity, my_number.as_ref(), attrs.as_ref());
    let challenge = evidence::liveness_challenge(nonce, method, LivenessAp::Text, Some(&e), None)?;
    // EF 0007 was read above: the proof uses those bytes, not a second read.
    let proof = text::liveness_from_signed_key(
        card,
        &ChallengeSource::Host(challenge),
        &cv,
        &e.signed_card_key,
    )?;
    e.liveness_signature = proof.signature;
    // Verified on the phone only if the CV certificate chains to a configured CV CA key.
    let ok = checks.chained_and_nothing_failed() && proof.verification.all_verified();
    Ok((e, ok))
}

fn read_face_ap<T: Transport>(
    card: &mut Card<T>,
    nonce: &[u8],
    method: &str,
    (how, secret, allow_below_floor): (FaceUnlock, &Secret, bool),
    text: Option<&TextApEvidence>,
    trust: &CvTrust,
) -> Result<(FaceApEvidence, bool)> {
    how.credential().encode(secret)?;
    card.face().unlock(how, secret, allow_below_floor)?;
    let front = match how {
        FaceUnlock::CodeA | FaceUnlock::CodeB => Some(card.read_tlv_file(&face::ef::FRONT)?),
        FaceUnlock::BirthKey => None,
    };
    let my_number_image = None; // the back of the card is not identity evidence
    let age = match how {
        FaceUnlock::BirthKey => Some(card.read_tlv_file(&face::ef::AGE)?),
        _ => None,
    };
    let cv_raw = card.read_tlv_file(&face::ef::CV_CERT)?;
    let mut e = FaceApEvidence {
        unlocked_with: how,
        front,
        my_number_image,
        age,
        cv_certificate: cv_raw,
        liveness_signature: Vec::new(),
    };
    let cv = CvCertificate::parse(&e.cv_certificate)?;
    let front = e.front.as_deref().map(CardFront::parse).transpose()?;
    let age = e.age.as_deref().map(face::AgeRecord::parse).transpose()?;
    let checks = face::verify_face(&cv, trust, front.as_ref(), None, age.as_ref());
    let (key, record) = match (&front, &age) {
        (Some(f), _) => (f.card_key.clone(), "card face signature"),
        (None, Some(a)) => (a.card_key.clone(), "age record signature"),
        (None, None) => return Err(Error::InvalidArgument("no card key was read".into())),
    };
    let provenance = checks
        .outcome(record)
        .cloned()
        .unwrap_or(CheckOutcome::NotChecked {
            reason: "the record holding the key was not checked".into(),
        });
    let challenge = evidence::liveness_challenge(nonce, method, LivenessAp::Face, text, Some(&e))?;
    let proof = card
        .face()
        .liveness(&ChallengeSource::Host(challenge), &key, provenance)?;
    e.liveness_signature = proof.signature;
    // Verified on the phone only if the CV certificate chains to a configured CV CA key.
    let ok = checks.chained_and_nothing_failed() && proof.verification.all_verified();
    Ok((e, ok))
}
