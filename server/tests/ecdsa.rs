//! The server verifier on a bundle from an ECDSA card (issue 12 item 7), shaped as a
//! next-generation card's would be: a `jpki_login` bundle whose certificate is the P-256
//! leaf of the EC test PKI (test-vectors/pki/ec), issued by the P-384 root with
//! ecdsa-with-SHA384, and whose signature over the server's nonce is ECDSA P-256 with
//! SHA-384 in the fixed-length `r ‖ s` form a card returns. The EC root is added to the
//! store with `add_anchor` (accepted under every policy); revocation is not required.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use mynakit::cert::{JpkiCertificate, TrustPolicy};
use mynakit::cv::CheckOutcome;
use mynakit::evidence::Evidence;
use mynakit::jpki::{JpkiKey, JpkiSignature};
use mynakit::sign::HashAlgorithm;
use mynakit_server::{Verifier, VerifierConfig};
use p256::ecdsa::signature::hazmat::PrehashSigner;

/// 2027-01-15T08:00:00Z: inside the EC test certificates' validity.
const AT: u64 = 1_800_000_000;

fn ec(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../test-vectors/pki/ec")
            .join(name),
    )
    .unwrap()
}

fn nonce() -> Vec<u8> {
    (0x40u8..0x60).collect()
}

/// The bundle: the leaf's key signs SHA-384(nonce).
fn bundle() -> Evidence {
    // SEC1 ECPrivateKey (RFC 5915), as `xxd` shows it: 30 77 | 02 01 01 | 04 20 <32-byte
    // private scalar> | A0 0A (prime256v1) | A1 44 (public key): the scalar is bytes 7..39.
    let key_der = ec("leaf-p256.key.der");
    assert_eq!(&key_der[..7], &[0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]);
    let key = p256::ecdsa::SigningKey::from_slice(&key_der[7..39]).unwrap();
    let nonce = nonce();
    let input = Evidence::login_sign_input(&nonce, HashAlgorithm::Sha384).unwrap();
    let digest = input.digest(false).unwrap();
    let sig: p256::ecdsa::Signature = key.sign_prehash(&digest).unwrap();
    let certificate = JpkiCertificate::parse(&ec("leaf-p256.der")).unwrap();
    let signature = JpkiSignature {
        key: JpkiKey::Auth,
        hash: HashAlgorithm::Sha384,
        digest_info: input.digest_info(false).unwrap(),
        signature: sig.to_bytes().to_vec(),
        certificate: Some(certificate),
    };
    Evidence::jpki_login(&nonce, &signature).unwrap()
}

fn verifier() -> Verifier {
    let mut config = VerifierConfig::with_policy(TrustPolicy::PRODUCTION).unwrap();
    config
        .trust
        .add_anchor("EC TEST root P-384", &ec("root-p384.der"))
        .unwrap();
    config.revocation_required = false;
    Verifier::new(config)
}

#[test]
fn an_ecdsa_login_bundle_is_accepted() {
    let v = verifier();
    let json = bundle().to_json().unwrap();
    let report = v.verify_json(json.as_bytes(), &nonce(), AT);
    assert!(report.accepted(), "{:#?}", report.checks);
    for id in ["certificate.chain", "signature", "nonce.binding"] {
        assert!(
            matches!(report.check(id), Some(CheckOutcome::Verified)),
            "{id}: {:?}",
            report.check(id)
        );
    }
    // Another nonce: rejected.
    let other: Vec<u8> = (0u8..32).collect();
    assert!(!v.verify_json(json.as_bytes(), &other, AT).accepted());
    // Without the EC root the chain fails (production roots only).
    let mut config = VerifierConfig::with_policy(TrustPolicy::PRODUCTION).unwrap();
    config.revocation_required = false;
    let bare = Verifier::new(config);
    let report = bare.verify_json(json.as_bytes(), &nonce(), AT);
    assert!(
        report.failed().contains(&"certificate.chain"),
        "{:?}",
        report.failed()
    );
}

#[test]
fn every_flipped_byte_of_the_signature_and_certificate_is_rejected() {
    let v = verifier();
    let e = bundle();
    let json = e.to_json().unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let field = |name: &str| {
        value["evidence"][name]
            .as_str()
            .unwrap_or_else(|| panic!("no evidence.{name} in {json}"))
            .to_string()
    };
    let mut mutants = 0;
    for name in ["signature", "certificate"] {
        let hex_value = field(name);
        let bytes = hex::decode(&hex_value).unwrap();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            let mutated = json.replace(&hex_value, &hex::encode_upper(&bad));
            assert_ne!(mutated, json);
            let report = v.verify_json(mutated.as_bytes(), &nonce(), AT);
            assert!(
                !report.failed().is_empty(),
                "{name} byte {i}: not rejected ({:?})",
                report.verdict
            );
            mutants += 1;
        }
    }
    // 64 signature bytes and the 525-byte certificate.
    assert_eq!(mutants, 64 + 525);
}
