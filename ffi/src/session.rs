//! `CardSession`: one session with one card, exposing every operation of the core.
//!
//! Methods block until the card has answered (each is one or more NFC round trips): call
//! them off the UI thread. The Kotlin layer runs them on `Dispatchers.IO`, the Swift layer
//! in a detached task.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

use mynakit::cert as core_cert;
use mynakit::{Card, Secret};

use mynakit::flows::{self, ApRead, LoginRequest, SignRequest};

use crate::apps::{
    AgeRecord, ApReadOptions, CardFront, ChallengeSource, ChipEvidence, CvCertificate, FaceReport,
    FaceUnlock, IntegrityRecord, LivenessProof, MyNumberImage, MyNumberRecord, TextAttributes,
    TextReport, TextUnlock,
};
use crate::error::{MynaError, from_core};
use crate::records::{
    Certificate, CertificateAvailability, ChainVerification, Credential, HashAlgorithm,
    JpkiEvidence, JpkiKey, PinPolicy, ProtocolOptions, RetryStatus, SessionStats, SignInput,
    SignOptions, Signature, TokenInfo, TransportCapabilities, TrustPolicy,
};
use crate::transport::{CardTransport, ForeignTransport, ProgressListener};

/// An AP's credential for an evidence bundle: both parts or neither. The value becomes a
/// [`Secret`] at once (wiped on drop), whatever the outcome.
fn paired<U>(
    ap: &str,
    unlock: Option<U>,
    value: Option<String>,
) -> Result<Option<(U, Secret)>, MynaError> {
    match (unlock, value.map(Secret::new)) {
        (Some(u), Some(v)) => Ok(Some((u, v))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(MynaError::invalid_argument(format!(
            "{ap}_unlock is given without {ap}_value"
        ))),
        (None, Some(_)) => Err(MynaError::invalid_argument(format!(
            "{ap}_value is given without {ap}_unlock"
        ))),
    }
}

/// The transport type every session holds.
pub type DynTransport = Box<dyn mynakit::Transport + Send>;

/// One session with one card over one transport.
///
/// A session keeps what it learnt about the card (selected application, verified
/// credentials, retry counters read) until a link failure, after which it starts over.
/// It never keeps a PIN or password: each is wiped when the call that received it returns.
/// Calls from several threads are serialised; a call made from inside the session's own
/// transport or progress listener fails with `InvalidArgument` instead of deadlocking.
#[derive(uniffi::Object)]
pub struct CardSession {
    card: Mutex<Card<DynTransport>>,
    owner: Mutex<Option<ThreadId>>,
    foreign_failure: Arc<AtomicBool>,
}

impl CardSession {
    /// A session over a core transport (for the testkit bindings: the virtual card and
    /// trace replay are Rust transports). Not exported to Kotlin or Swift.
    pub fn from_transport(
        transport: DynTransport,
        foreign_failure: Arc<AtomicBool>,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Arc::new(CardSession {
            card: Mutex::new(Card::new(transport)?),
            owner: Mutex::new(None),
            foreign_failure,
        }))
    }

    /// Sets the engine's protocol options and PIN policy (a replayed trace needs the ones
    /// it was recorded with).
    pub fn configure(
        &self,
        protocol: mynakit::ProtocolOptions,
        policy: mynakit::PinPolicy,
    ) -> Result<(), MynaError> {
        self.run(|c| {
            c.options = protocol;
            c.policy = policy;
            Ok(())
        })
    }

    fn owner(&self) -> MutexGuard<'_, Option<ThreadId>> {
        self.owner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the card with the session locked, mapping errors.
    fn run<R>(
        &self,
        f: impl FnOnce(&mut Card<DynTransport>) -> mynakit::Result<R>,
    ) -> Result<R, MynaError> {
        let me = std::thread::current().id();
        if *self.owner() == Some(me) {
            return Err(MynaError::invalid_argument(
                "a CardSession method was called from inside the same session's transport or \
                 progress listener",
            ));
        }
        let mut card = match self.card.lock() {
            Ok(card) => card,
            Err(poisoned) => {
                // A panic inside an earlier call (reported to the app as an internal
                // error): the session's beliefs about the card may be stale.
                let mut card = poisoned.into_inner();
                card.forget_state();
                card
            }
        };
        *self.owner() = Some(me);
        self.foreign_failure.store(false, Ordering::SeqCst);
        let result = f(&mut card);
        let foreign = self.foreign_failure.swap(false, Ordering::SeqCst);
        *self.owner() = None;
        drop(card);
        result.map_err(|e| from_core(e, foreign))
    }
}

#[uniffi::export]
impl CardSession {
    /// A session over the app's transport (Android `IsoDep`, iOS CoreNFC, a test
    /// transport). Reads the transport's capabilities once; fails with
    /// `InvalidArgument` when they cannot carry an APDU.
    #[uniffi::constructor]
    pub fn new(transport: Arc<dyn CardTransport>) -> Result<Arc<Self>, MynaError> {
        let foreign_failure = Arc::new(AtomicBool::new(false));
        let t = ForeignTransport::new(transport, foreign_failure.clone());
        Self::from_transport(Box::new(t), foreign_failure)
    }

    /// The transport's capabilities, as read when the session opened.
    pub fn capabilities(&self) -> Result<TransportCapabilities, MynaError> {
        self.run(|c| Ok(TransportCapabilities::from_core(c.capabilities())))
    }

    /// APDU and byte counts since the session opened.
    pub fn stats(&self) -> Result<SessionStats, MynaError> {
        self.run(|c| Ok(c.stats()))
    }

    /// The PIN-safety policy.
    pub fn pin_policy(&self) -> Result<PinPolicy, MynaError> {
        self.run(|c| Ok(c.policy))
    }

    /// Replaces the PIN-safety policy.
    pub fn set_pin_policy(&self, policy: PinPolicy) -> Result<(), MynaError> {
        self.run(|c| {
            c.policy = policy;
            Ok(())
        })
    }

    /// The protocol options.
    pub fn protocol_options(&self) -> Result<ProtocolOptions, MynaError> {
        self.run(|c| Ok(c.options))
    }

    /// Replaces the protocol options.
    pub fn set_protocol_options(&self, options: ProtocolOptions) -> Result<(), MynaError> {
        self.run(|c| {
            c.options = options;
            Ok(())
        })
    }

    /// Installs (or, with `None`, removes) the progress listener for file reads.
    pub fn set_progress_listener(
        &self,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> Result<(), MynaError> {
        self.run(|c| {
            match listener {
                Some(l) => c.set_progress(move |p| l.on_progress(p.into())),
                None => c.set_progress(|_| {}),
            }
            Ok(())
        })
    }

    /// Forgets what the session believes about the card (selection, verified
    /// credentials). Call it after the app reconnected to the card.
    pub fn forget_state(&self) -> Result<(), MynaError> {
        self.run(|c| {
            c.forget_state();
            Ok(())
        })
    }

    /// Continues the session over a new transport after the card was lost mid-flow (the
    /// user presented it again: a new `IsoDep` / CoreNFC tag). The card's state is taken as
    /// lost; in a resumable session ([`CardSession::set_resumable`]) files already read are
    /// kept and a cut read continues at its offset. Run the same flow again: credentials are
    /// presented again under the usual policy, and a VERIFY whose outcome was unknown is
    /// re-sent only if the card's counter shows no try was spent (otherwise `WrongPin`).
    pub fn resume(&self, transport: Arc<dyn CardTransport>) -> Result<(), MynaError> {
        let t = ForeignTransport::new(transport, self.foreign_failure.clone());
        self.run(|c| c.resume(Box::new(t)))
    }

    /// Makes the session resumable (files read are kept, zeroized when the session ends or
    /// on `forget_kept_data`). Off by default.
    pub fn set_resumable(&self, on: bool) -> Result<(), MynaError> {
        self.run(|c| {
            c.set_resumable(on);
            Ok(())
        })
    }

    /// Drops the files a resumable session kept (zeroized).
    pub fn forget_kept_data(&self) -> Result<(), MynaError> {
        self.run(|c| {
            c.forget_kept_data();
            Ok(())
        })
    }

    /// Whether the credential was verified earlier in this session.
    pub fn is_verified(&self, credential: Credential) -> Result<bool, MynaError> {
        self.run(|c| Ok(c.is_verified(credential.to_core())))
    }

    /// Reads a credential's retry counter without spending a try.
    pub fn retry_status(&self, credential: Credential) -> Result<RetryStatus, MynaError> {
        self.run(|c| c.retry_status(credential.to_core()))
    }

    /// Presents a credential under the PIN-safety policy: format check before any APDU,
    /// retry counter read, refusal at or below the floor unless `allow_below_floor`,
    /// exactly one VERIFY. `value` is wiped when the call returns.
    pub fn verify(
        &self,
        credential: Credential,
        value: String,
        allow_below_floor: bool,
    ) -> Result<(), MynaError> {
        let value = Secret::new(value);
        self.run(|c| c.verify(credential.to_core(), &value, allow_below_floor))
    }

    /// GET CHALLENGE: `length` random bytes from the card (1 to 256).
    pub fn get_challenge(&self, length: u16) -> Result<Vec<u8>, MynaError> {
        self.run(|c| c.get_challenge(usize::from(length)))
    }

    /// JPKI-AP: the token information (card, Android or iPhone token).
    pub fn jpki_token_info(&self) -> Result<TokenInfo, MynaError> {
        self.run(|c| c.jpki().token_info())
    }

    /// JPKI-AP: which certificates the card holds.
    pub fn jpki_certificate_availability(&self) -> Result<CertificateAvailability, MynaError> {
        self.run(|c| Ok(c.jpki().certificate_availability()?.into()))
    }

    /// JPKI-AP: the user-authentication certificate (free on the card; smartphone tokens
    /// want the PIN first: `CredentialRequired`).
    pub fn jpki_auth_certificate(&self) -> Result<Certificate, MynaError> {
        self.run(|c| Ok(c.jpki().auth_certificate()?.into()))
    }

    /// JPKI-AP: the user-authentication CA certificate as stored on the card (proves
    /// nothing by itself; check chains with `TrustStore`).
    pub fn jpki_auth_ca_certificate(&self) -> Result<Certificate, MynaError> {
        self.run(|c| Ok(c.jpki().auth_ca_certificate()?.into()))
    }

    /// JPKI-AP: the signing CA certificate as stored on the card.
    pub fn jpki_sign_ca_certificate(&self) -> Result<Certificate, MynaError> {
        self.run(|c| Ok(c.jpki().sign_ca_certificate()?.into()))
    }

    /// JPKI-AP: the signing certificate (personal data), presenting the signing password
    /// unless this session already did. `password` is wiped when the call returns.
    pub fn jpki_sign_certificate(
        &self,
        password: String,
        allow_below_floor: bool,
    ) -> Result<Certificate, MynaError> {
        let password = Secret::new(password);
        self.run(|c| {
            Ok(c.jpki()
                .sign_certificate(&password, allow_below_floor)?
                .into())
        })
    }

    /// JPKI-AP: the signing certificate when the password was verified earlier in this
    /// session; `CredentialRequired` otherwise.
    pub fn jpki_sign_certificate_verified(&self) -> Result<Certificate, MynaError> {
        self.run(|c| Ok(c.jpki().sign_certificate_verified()?.into()))
    }

    /// JPKI-AP: signs with the card. The input is hashed (or its digest checked) and the
    /// credential's format validated before any APDU; then the retry counter, one VERIFY
    /// (unless already verified in this session) and COMPUTE DIGITAL SIGNATURE, which the
    /// transport sees with `hint.slow`. `credential_value` is wiped when the call returns.
    pub fn jpki_sign(
        &self,
        key: JpkiKey,
        credential_value: String,
        input: SignInput,
        options: SignOptions,
    ) -> Result<Signature, MynaError> {
        let value = Secret::new(credential_value);
        self.run(|c| c.jpki().sign(key, &value, &input, options))
    }

    /// JPKI login (`mynakit::flows::jpki_login`): the user-authentication certificate
    /// (after the PIN on a smartphone token), then the card's signature over the server's
    /// `nonce` (16 to 64 bytes) with the user-authentication key, checked on the phone and
    /// packed as the `jpki_login` evidence bundle for the server. Nonce, hash (SHA-1 is
    /// refused) and PIN format are checked before any APDU; the PIN is presented at most
    /// once. `pin` is wiped when the call returns.
    pub fn jpki_login(
        &self,
        pin: String,
        nonce: Vec<u8>,
        hash: HashAlgorithm,
        allow_below_floor: bool,
    ) -> Result<JpkiEvidence, MynaError> {
        let pin = Secret::new(pin);
        let request = LoginRequest {
            pin: &pin,
            nonce: &nonce,
            hash,
            allow_below_floor,
        };
        let login = self.run(|c| flows::jpki_login(c, &request))?;
        JpkiEvidence::new(
            login.certificate,
            login.signature,
            login.signature_check,
            &login.evidence,
        )
    }

    /// ワ-method signature (`mynakit::flows::jpki_sign`): the signing password, the signing
    /// certificate (personal data), then the card's signature with the signing key over
    /// the server's `nonce` (16 to 64 bytes) and the `data` the holder consents to (at most
    /// 64 KiB), domain-separated (`mynakit::evidence::jpki_sign_message`), checked on the
    /// phone and packed as the `jpki_sign` evidence bundle. Everything that can be checked
    /// is checked before any APDU; the password is presented at most once. `password` is
    /// wiped when the call returns.
    pub fn jpki_sign_evidence(
        &self,
        password: String,
        nonce: Vec<u8>,
        data: Vec<u8>,
        hash: HashAlgorithm,
        allow_below_floor: bool,
    ) -> Result<JpkiEvidence, MynaError> {
        let password = Secret::new(password);
        let request = SignRequest {
            password: &password,
            nonce: &nonce,
            data: &data,
            hash,
            allow_below_floor,
        };
        let signing = self.run(|c| flows::jpki_sign(c, &request))?;
        JpkiEvidence::new(
            signing.certificate,
            signing.signature,
            signing.signature_check,
            &signing.evidence,
        )
    }

    /// ヘ method (`mynakit::evidence::read_chip`): reads 券面事項入力補助AP with
    /// `text_unlock` and `text_value` and/or 券面AP with `face_unlock` and `face_value` (at
    /// least one AP; an unlock kind needs its value and a value its kind), has each AP's
    /// card key sign a challenge bound to the server's `nonce` (16 to 64 bytes), checks
    /// everything on the phone against `options.cv_ca_keys` and packs the raw card bytes
    /// as the `chip_read` evidence bundle. My Number (EF `0001`) is put in the bundle only
    /// with `include_my_number` and a credential that opens it (犯収法 checks do not need
    /// it). Each value is presented at most once and wiped when the call returns.
    /// `options.liveness` is not used: the challenges come from the nonce.
    #[allow(clippy::too_many_arguments)]
    pub fn chip_read_evidence(
        &self,
        nonce: Vec<u8>,
        text_unlock: Option<TextUnlock>,
        text_value: Option<String>,
        include_my_number: bool,
        face_unlock: Option<FaceUnlock>,
        face_value: Option<String>,
        allow_below_floor: bool,
        options: ApReadOptions,
    ) -> Result<ChipEvidence, MynaError> {
        let text = paired("text", text_unlock, text_value)?;
        let face = paired("face", face_unlock, face_value)?;
        let trust = options.cv_trust()?;
        let request = mynakit::evidence::ChipReadRequest {
            text: text.as_ref().map(|(u, s)| (*u, s)),
            include_my_number,
            face: face.as_ref().map(|(u, s)| (*u, s)),
            allow_below_floor,
        };
        let evidence = self.run(|c| mynakit::evidence::read_chip(c, &nonce, &request, &trust))?;
        ChipEvidence::new(&evidence)
    }

    /// 対面 (`mynakit::evidence::read_face_to_face`): the card face under 照合番号A or B
    /// (`unlock`, `value`), the CV certificate and the card key's signature over a
    /// challenge bound to the server's `nonce`, checked on the phone and packed as the
    /// `face_to_face` evidence bundle (full retention). `value` is presented at most once
    /// and wiped when the call returns.
    pub fn face_to_face_evidence(
        &self,
        nonce: Vec<u8>,
        unlock: FaceUnlock,
        value: String,
        allow_below_floor: bool,
        options: ApReadOptions,
    ) -> Result<ChipEvidence, MynaError> {
        let value = Secret::new(value);
        let trust = options.cv_trust()?;
        let evidence = self.run(|c| {
            mynakit::evidence::read_face_to_face(
                c,
                &nonce,
                unlock,
                &value,
                allow_below_floor,
                &trust,
            )
        })?;
        ChipEvidence::new(&evidence)
    }

    /// 券面事項入力補助AP: unlocks with the PIN or a 照合番号 and reads everything that
    /// credential opens, then checks it (CV certificate against `options`, integrity
    /// signature, digests) and, with `options.liveness`, has the card sign a challenge.
    /// `value` is wiped when the call returns. The result holds the My Number
    /// (特定個人情報) when the PIN or 照合番号A was used.
    pub fn text_read(
        &self,
        unlock: TextUnlock,
        value: String,
        allow_below_floor: bool,
        options: ApReadOptions,
    ) -> Result<TextReport, MynaError> {
        let value = Secret::new(value);
        let trust = options.cv_trust()?;
        let read = ApRead {
            unlock,
            secret: &value,
            allow_below_floor,
            liveness: options.liveness.as_ref(),
        };
        self.run(|c| Ok(flows::text_read(c, &read, &trust)?.into()))
    }

    /// 券面事項入力補助AP: presents the PIN or a 照合番号 (policy as `verify`). `value` is wiped
    /// when the call returns.
    pub fn text_unlock(
        &self,
        unlock: TextUnlock,
        value: String,
        allow_below_floor: bool,
    ) -> Result<(), MynaError> {
        let value = Secret::new(value);
        self.run(|c| c.text().unlock(unlock, &value, allow_below_floor))
    }

    /// 券面事項入力補助AP: the My Number (after the PIN or 照合番号A; refused locally with
    /// `CredentialRequired` otherwise).
    pub fn text_my_number(&self) -> Result<MyNumberRecord, MynaError> {
        self.run(|c| Ok(c.text().my_number()?.into()))
    }

    /// 券面事項入力補助AP: the four attributes (after the PIN or 照合番号B).
    pub fn text_attributes(&self) -> Result<TextAttributes, MynaError> {
        self.run(|c| Ok(c.text().attributes()?.into()))
    }

    /// 券面事項入力補助AP: the integrity record (after any credential of the AP).
    pub fn text_integrity_record(&self) -> Result<IntegrityRecord, MynaError> {
        self.run(|c| Ok(c.text().integrity_record()?.into()))
    }

    /// 券面事項入力補助AP: the CV certificate (free).
    pub fn text_cv_certificate(&self) -> Result<CvCertificate, MynaError> {
        self.run(|c| Ok(c.text().cv_certificate()?.into()))
    }

    /// 券面事項入力補助AP: a challenge signed by the card's own key, checked against the
    /// key the AP's certified key signed (`cv_certificate` from `text_cv_certificate`;
    /// only its raw bytes are used).
    pub fn text_liveness(
        &self,
        source: ChallengeSource,
        cv_certificate: CvCertificate,
    ) -> Result<LivenessProof, MynaError> {
        let cv = mynakit::cv::CvCertificate::parse(&cv_certificate.raw)?;
        self.run(|c| c.text().liveness(&source, &cv))
    }

    /// 券面AP: unlocks with 照合番号A, 照合番号B or the birth-date key and reads everything
    /// that credential opens (card face with images and photo, My Number image, or the age
    /// record), then checks it and, with `options.liveness`, has the card sign a
    /// challenge. `value` is wiped when the call returns.
    pub fn face_read(
        &self,
        unlock: FaceUnlock,
        value: String,
        allow_below_floor: bool,
        options: ApReadOptions,
    ) -> Result<FaceReport, MynaError> {
        let value = Secret::new(value);
        let trust = options.cv_trust()?;
        let read = ApRead {
            unlock,
            secret: &value,
            allow_below_floor,
            liveness: options.liveness.as_ref(),
        };
        self.run(|c| Ok(flows::face_read(c, &read, &trust)?.into()))
    }

    /// 券面AP: presents 照合番号A, 照合番号B or the birth-date key. `value` is wiped when
    /// the call returns.
    pub fn face_unlock(
        &self,
        unlock: FaceUnlock,
        value: String,
        allow_below_floor: bool,
    ) -> Result<(), MynaError> {
        let value = Secret::new(value);
        self.run(|c| c.face().unlock(unlock, &value, allow_below_floor))
    }

    /// 券面AP: the card face (after 照合番号A or B).
    pub fn face_front(&self) -> Result<CardFront, MynaError> {
        self.run(|c| Ok(c.face().front()?.into()))
    }

    /// 券面AP: the My Number image (after 照合番号A).
    pub fn face_my_number_image(&self) -> Result<MyNumberImage, MynaError> {
        self.run(|c| Ok(c.face().my_number_image()?.into()))
    }

    /// 券面AP: the age record (after the birth-date key).
    pub fn face_age_record(&self) -> Result<AgeRecord, MynaError> {
        self.run(|c| Ok(c.face().age_record()?.into()))
    }

    /// 券面AP: the CV certificate (free).
    pub fn face_cv_certificate(&self) -> Result<CvCertificate, MynaError> {
        self.run(|c| Ok(c.face().cv_certificate()?.into()))
    }
}

/// The trust anchors MynaKit knows (the six production J-LIS roots, and any the app adds)
/// and the policy deciding which it accepts. The SDK embeds no test root: the testkit
/// bindings (`jp.mynakit.testkit` / `MynaKitTestkit`) make stores with the JPKI-TEST and
/// virtual-card roots.
#[derive(uniffi::Object)]
pub struct TrustStore {
    inner: Mutex<core_cert::TrustStore>,
}

impl TrustStore {
    /// Wraps a core store (for the testkit bindings). Not exported.
    pub fn from_core(store: core_cert::TrustStore) -> Arc<Self> {
        Arc::new(TrustStore {
            inner: Mutex::new(store),
        })
    }

    fn store(&self) -> MutexGuard<'_, core_cert::TrustStore> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl TrustStore {
    /// The embedded (production) roots under `policy`; roots of the test groups join only
    /// through the testkit bindings.
    #[uniffi::constructor]
    pub fn new(policy: TrustPolicy) -> Result<Arc<Self>, MynaError> {
        Ok(Self::from_core(core_cert::TrustStore::new(
            policy.to_core(),
        )?))
    }

    /// Production J-LIS roots only.
    #[uniffi::constructor]
    pub fn production() -> Result<Arc<Self>, MynaError> {
        Self::new(TrustPolicy::default())
    }

    /// Adds a self-signed CA certificate, accepted under every policy.
    pub fn add_anchor(&self, label: String, der: Vec<u8>) -> Result<(), MynaError> {
        self.store().add_anchor(&label, &der)?;
        Ok(())
    }

    /// Checks that the certificate was issued by an accepted root and that both are valid
    /// at `at_unix` (default: now). Only the certificate's DER is used: the parsed fields
    /// of the record are not trusted. Throws `Verification` with the reason otherwise.
    pub fn verify(
        &self,
        certificate: Certificate,
        at_unix: Option<u64>,
    ) -> Result<ChainVerification, MynaError> {
        let cert = core_cert::JpkiCertificate::parse(&certificate.der)?;
        let at = at_unix.unwrap_or_else(core_cert::unix_now);
        Ok(self.store().verify(&cert, at)?)
    }
}
