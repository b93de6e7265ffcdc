//! Bundles made on the virtual card (the phone side), shared by the server's tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mynakit::cert::TrustPolicy;
use mynakit::cv::CvTrust;
use mynakit::era::{Date, code_b};
use mynakit::evidence::{self, ChipReadRequest, Evidence};
use mynakit::face::FaceUnlock;
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::HashAlgorithm;
use mynakit::text::TextUnlock;
use mynakit::{Card, Secret};
use mynakit_server::{Verifier, VerifierConfig};
use mynakit_testkit::sim::VirtualCard;

/// The golden bundles' nonce: bytes 00..1F.
pub fn nonce() -> Vec<u8> {
    (0u8..32).collect()
}

/// 2026-12-01T00:00:00Z (`date -u -d 2026-12-01T00:00:00Z +%s`): the virtual card's
/// certificates are valid 2025-04-01 to 2035-03-31T14:59:59Z, the card until 2035-01-02.
pub const AT: u64 = 1_796_083_200;
/// 2035-04-01T00:00:00Z: after the certificates' notAfter.
pub const AFTER_EXPIRY: u64 = 2_059_084_800;

pub const SIGNED_DATA: &[u8] = b"MynaKit golden: account opening form 2026-0001";

fn card() -> Card<VirtualCard> {
    Card::new(VirtualCard::builtin("taro").unwrap()).unwrap()
}

pub fn cv_trust() -> CvTrust {
    mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD).unwrap()
}

pub fn login(nonce: &[u8]) -> Evidence {
    let mut card = card();
    let input = Evidence::login_sign_input(nonce, HashAlgorithm::Sha256).unwrap();
    let options = SignOptions {
        include_certificate: true,
        ..Default::default()
    };
    let sig = card
        .jpki()
        .sign(JpkiKey::Auth, &Secret::new("1234"), &input, options)
        .unwrap();
    Evidence::jpki_login(nonce, &sig).unwrap()
}

pub fn sign(nonce: &[u8]) -> Evidence {
    let mut card = card();
    let input = Evidence::sign_sign_input(nonce, SIGNED_DATA, HashAlgorithm::Sha256).unwrap();
    let options = SignOptions {
        include_certificate: true,
        ..Default::default()
    };
    let sig = card
        .jpki()
        .sign(JpkiKey::Sign, &Secret::new("ABC123"), &input, options)
        .unwrap();
    Evidence::jpki_sign(nonce, SIGNED_DATA, &sig).unwrap()
}

/// 照合番号B of the `taro` profile: birth 1990-01-02, expiry year 2035, security code 5678.
pub fn code_b_taro() -> Secret {
    let birth = Date::parse_yyyymmdd("19900102").unwrap();
    code_b(birth, 2035, &Secret::new("5678")).unwrap()
}

pub fn chip_read(nonce: &[u8]) -> Evidence {
    let mut card = card();
    let pin = Secret::new("1234");
    let code = code_b_taro();
    let req = ChipReadRequest {
        text: Some((TextUnlock::Pin, &pin)),
        include_my_number: false,
        face: Some((FaceUnlock::CodeB, &code)),
        allow_below_floor: false,
    };
    evidence::read_chip(&mut card, nonce, &req, &cv_trust()).unwrap()
}

pub fn face_to_face(nonce: &[u8]) -> Evidence {
    let mut card = card();
    evidence::read_face_to_face(
        &mut card,
        nonce,
        FaceUnlock::CodeB,
        &code_b_taro(),
        false,
        &cv_trust(),
    )
    .unwrap()
}

pub fn face_to_face_minimal(nonce: &[u8]) -> Evidence {
    face_to_face(nonce)
        .minimal_face_to_face("2026-12-01T00:00:00Z", &Secret::new("5678"))
        .unwrap()
}

/// Every golden bundle: file name and bundle.
pub fn all(nonce: &[u8]) -> Vec<(&'static str, Evidence)> {
    vec![
        ("jpki_login.json", login(nonce)),
        ("jpki_sign.json", sign(nonce)),
        ("chip_read.json", chip_read(nonce)),
        ("face_to_face.json", face_to_face(nonce)),
        ("face_to_face_minimal.json", face_to_face_minimal(nonce)),
    ]
}

/// A verifier that trusts the virtual card's test roots and CV CA (explicit policy) and
/// does not require revocation (no checker configured).
pub fn verifier() -> Verifier {
    let mut config = VerifierConfig::with_policy(TrustPolicy::VIRTUAL_CARD).unwrap();
    config.revocation_required = false;
    Verifier::new(config)
}

pub fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/evidence")
}
